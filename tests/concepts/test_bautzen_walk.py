"""What a planner of Bautzen (Sachsen, official CRS EPSG:25833) met on isek's pages in a usability
test: the CRS example of the imports, UTM coordinates pasted as a measure's place, a measure that
leaves the funding area, and lengths and areas without thousands separators."""

from __future__ import annotations

import pytest
from django import forms
from django.test import Client

from tests.factories import CityFactory, ConceptFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def bautzen():
    return ConceptFactory(city=CityFactory(name="Bautzen", ags="14625020"), slug="bautzen-altstadt")


@pytest.fixture
def planner(bautzen):
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(member(bautzen, "planner"))
    return c


@pytest.mark.parametrize("page", ["import/", "layers/"])
def test_the_import_names_the_official_crs_of_the_land_as_example(bautzen, planner, page):
    html = planner.get(f"/concepts/{bautzen.slug}/{page}").content.decode()
    assert "z. B. EPSG:25833, das amtliche KBS in Sachsen" in html
    assert "EPSG:25832" not in html


def test_the_import_in_a_land_of_utm_32_names_25832(planner, bautzen):
    bautzen.city.ags = "05911000"  # Bochum, Nordrhein-Westfalen
    bautzen.city.save()
    html = planner.get(f"/concepts/{bautzen.slug}/import/").content.decode()
    assert "z. B. EPSG:25832, das amtliche KBS in Nordrhein-Westfalen" in html


def test_the_english_import_names_the_crs_in_english(planner, bautzen):
    planner.get("/language/en/")
    html = planner.get(f"/concepts/{bautzen.slug}/import/").content.decode()
    assert "e.g. EPSG:25833, the official CRS in Sachsen" in html


# --- a measure's place pasted in UTM coordinates ---------------------------------------------

CENTRE = (14.4237, 51.1814)  # Hauptmarkt, Bautzen (WGS84)


def _utm(srid: int, dx: float = 0, dy: float = 0, size: float = 40) -> dict:
    """A square of ``size`` m south-west-cornered ``dx``/``dy`` m off the centre, in EPSG:``srid``."""
    import shapely

    from isek.core import geo

    c = geo.transform(shapely.Point(CENTRE), "EPSG:4326", f"EPSG:{srid}")
    x, y = round(c.x + dx), round(c.y + dy)
    return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]}


def _measure(bautzen, geometry, **more) -> dict:
    import json

    from tests.factories import FieldFactory

    field = bautzen.fields_of_action.first() or FieldFactory(concept=bautzen, number=1, name="Zentrum")
    return {"number": "1.1", "title": "Hauptmarkt", "primary_field": field.pk, "priority": 2, "status": "idea",
            "progress": 0, "geometry": json.dumps(geometry), "ms-TOTAL_FORMS": 0, "ms-INITIAL_FORMS": 0,
            "ms-MIN_NUM_FORMS": 0, "ms-MAX_NUM_FORMS": 1000, **more}


def test_utm_coordinates_of_the_land_are_read_in_its_official_crs(bautzen, planner):
    from isek.concepts.models import Measure

    # the square lies beyond the factory's funding area: confirmed, as the form asks (decision 0072)
    r = planner.post(f"/concepts/{bautzen.slug}/measures/new/", _measure(bautzen, _utm(25833), confirm_area="on"),
                     follow=True)
    page = r.content.decode()
    assert r.status_code == 200 and "außerhalb Deutschlands" not in page
    assert "sie wurden im amtlichen KBS des Landes gelesen (EPSG:25833)" in page
    g = Measure.objects.get(concept=bautzen, number="1.1").geometry
    assert abs(g.centroid.x - CENTRE[0]) < 0.001 and abs(g.centroid.y - CENTRE[1]) < 0.001


def test_utm_coordinates_of_the_other_zone_are_refused_saying_how_they_were_read(bautzen, planner):
    from isek.concepts.models import Measure

    r = planner.post(f"/concepts/{bautzen.slug}/measures/new/", _measure(bautzen, _utm(25832)))
    page = r.content.decode()
    assert r.status_code == 400 and "sehen aus wie UTM-Koordinaten" in page
    assert "Gelesen im amtlichen KBS des Landes (EPSG:25833) liegen sie außerhalb Deutschlands" in page
    assert "Die Geometrie liegt außerhalb Deutschlands." not in page and not Measure.objects.filter(concept=bautzen).exists()


def test_a_geometry_field_without_a_land_says_the_coordinates_look_like_utm():
    import json

    from isek.web.forms import GeoJSONGeometryField

    with pytest.raises(forms.ValidationError) as exc:
        GeoJSONGeometryField().clean(json.dumps(_utm(25833)))
    assert "sehen aus wie UTM-Koordinaten (EPSG:25832 oder 25833?)" in str(exc.value)
    assert "wird als WGS84 (EPSG:4326) gelesen" in str(exc.value)


# --- a measure that leaves the funding area; lengths and areas with thousands separated ---------


def _area_around_the_centre(bautzen, half: float = 100):
    """A funding area of 200 m × 200 m around the Hauptmarkt (drawn in EPSG:25833, stored in WGS84)."""
    import shapely

    from isek.core import geo

    c = geo.transform(shapely.Point(CENTRE), "EPSG:4326", "EPSG:25833")
    square = shapely.box(c.x - half, c.y - half, c.x + half, c.y + half)
    bautzen.area = geo.to_django(shapely.MultiPolygon([geo.transform(square, "EPSG:25833", "EPSG:4326")]))
    bautzen.save()


def _measure_in_utm(bautzen, coords, kind="Polygon"):
    """A measure whose location is drawn in EPSG:25833 relative to the centre (metres)."""
    import shapely

    from isek.concepts.models import Measure
    from isek.core import geo
    from tests.factories import FieldFactory

    c = geo.transform(shapely.Point(CENTRE), "EPSG:4326", "EPSG:25833")
    moved = [(c.x + dx, c.y + dy) for dx, dy in coords]
    shape = shapely.Polygon(moved) if kind == "Polygon" else shapely.LineString(moved)
    field = FieldFactory(concept=bautzen, number=1, name="Zentrum")
    return Measure.objects.create(concept=bautzen, number="1.1", title="Hauptmarkt", primary_field=field,
                                  geometry=geo.to_django(geo.transform(shape, "EPSG:25833", "EPSG:4326")))


def test_a_measure_leaving_the_funding_area_gets_a_notice_on_its_page_and_in_the_checks(bautzen, planner):
    """A 100 m × 62 m square (6.200 m²), 20 m of its width beyond the area's east edge: 1.240 m², 20 %."""
    _area_around_the_centre(bautzen)
    m = _measure_in_utm(bautzen, [(20, 0), (120, 0), (120, 62), (20, 62)])
    page = planner.get(f"/concepts/{bautzen.slug}/measures/{m.pk}/").content.decode()
    assert 'id="measure-outside"' in page
    assert "Die Verortung reicht über das Fördergebiet hinaus: ca. 1.240 m² / 20 % außerhalb des Fördergebiets" in page
    assert "6.200 m²" in page  # the measure's area, thousands separated
    checks = planner.get(f"/concepts/{bautzen.slug}/readiness/").content.decode()
    assert "Verortung prüfen (ca. 1.240 m² / 20 % außerhalb des Fördergebiets)" in checks
    planner.get("/language/en/")
    page = planner.get(f"/concepts/{bautzen.slug}/measures/{m.pk}/").content.decode()
    assert "about 1,240 m² / 20 % outside the funding area" in page and "6,200 m²" in page


def test_a_line_leaving_the_funding_area_is_measured_in_metres(bautzen, planner):
    _area_around_the_centre(bautzen, half=1000)
    m = _measure_in_utm(bautzen, [(0, 0), (1240, 0), (2240, 0)], kind="LineString")  # 2.240 m, 1.240 m beyond x = 1.000
    page = planner.get(f"/concepts/{bautzen.slug}/measures/{m.pk}/").content.decode()
    assert "ca. 1.240 m / 55 % außerhalb des Fördergebiets" in page and "2.240 m" in page


def test_a_measure_inside_the_funding_area_gets_no_notice(bautzen, planner):
    _area_around_the_centre(bautzen)
    m = _measure_in_utm(bautzen, [(-20, -20), (20, -20), (20, 20), (-20, 20)])
    page = planner.get(f"/concepts/{bautzen.slug}/measures/{m.pk}/").content.decode()
    assert 'id="measure-outside"' not in page and "1.600 m²" in page
    assert "Verortung prüfen" not in planner.get(f"/concepts/{bautzen.slug}/readiness/").content.decode()
