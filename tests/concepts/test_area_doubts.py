"""An Erfurt planner without a base map drew the funding area near Weimar, 149 km² large, and isek
took it: an area or quarter that is unlikely is now asked about before anything is saved – on the
edit pages, on the upload page, by the commands (decision 0066)."""

import json

import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError

from isek.core import geo
from tests.conftest import client_for
from tests.htmlforms import post_forms

# About 12 × 10 km around Weimar, in Thüringen; and a small block of Erfurt's old town.
WEIMAR = shapely.box(11.24, 50.93, 11.44, 51.03)
ERFURT = shapely.box(11.025, 50.975, 11.035, 50.98)
BOCHUM = shapely.box(7.21, 51.478, 7.225, 51.487)


@pytest.fixture
def erfurt(db):
    from tests.factories import CityFactory, ConceptFactory, member

    concept = ConceptFactory(slug="erfurt-altstadt", city=CityFactory(ags="16051000", name="Erfurt"), area=None)
    return concept, client_for(member(concept, "planner", username="erfurt"))


def _edit(client, concept, geometry, **extra):
    page = client.get(f"/concepts/{concept.slug}/edit/").content.decode()
    (data,) = [d for d in post_forms(page) if "area" in d]
    data.update(area=json.dumps(shapely.geometry.mapping(geometry)), **extra)
    return client.post(f"/concepts/{concept.slug}/edit/", data)


def test_a_huge_area_is_asked_about_with_its_size_and_saved_only_when_confirmed(erfurt):
    concept, client = erfurt
    r = _edit(client, concept, WEIMAR)
    assert r.status_code == 400
    page = r.content.decode()
    km2 = geo.area_m2(WEIMAR, 25832) / 1e6  # Thüringen's official CRS
    assert 140 < km2 < 160
    said = f"Die Fläche ist {km2:.1f}".replace(".", ",") + " km² groß (berechnet in EPSG:25832) – Fördergebiete sind meist unter 5 km²."
    assert 'id="area-doubts"' in page and said in page and "Trotzdem speichern?" in page
    assert 'name="confirm_area"' in page
    concept.refresh_from_db()
    assert concept.area is None  # nothing saved
    r = _edit(client, concept, WEIMAR, confirm_area="on")
    assert r.status_code == 302
    concept.refresh_from_db()
    assert abs(geo.area_m2(geo.from_django(concept.area), 25832) / 1e6 - km2) < 0.01
    # saved once confirmed, the area is not asked about again when other fields change
    r = _edit(client, concept, geo.from_django(concept.area), name="ISEK Erfurt Altstadt")
    assert r.status_code == 302


def test_a_small_area_in_the_city_is_saved_without_a_question(erfurt):
    concept, client = erfurt
    assert _edit(client, concept, ERFURT).status_code == 302
    concept.refresh_from_db()
    assert concept.area is not None


def test_an_area_outside_the_citys_land_is_asked_about(erfurt):
    concept, client = erfurt
    r = _edit(client, concept, BOCHUM)
    assert r.status_code == 400
    assert "Die Fläche liegt (teilweise) außerhalb von Thüringen, dem Land der Stadt Erfurt." in r.content.decode()
    concept.refresh_from_db()
    assert concept.area is None


def test_the_question_reads_in_english(erfurt):
    concept, client = erfurt
    client.cookies["django_language"] = "en"
    page = client.get(f"/concepts/{concept.slug}/edit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    (data,) = [d for d in post_forms(page) if "area" in d]
    data["area"] = json.dumps(shapely.geometry.mapping(WEIMAR))
    r = client.post(f"/concepts/{concept.slug}/edit/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    text = r.content.decode()
    assert "funding areas are usually smaller than 5 km²" in text and "Save anyway?" in text


def test_a_quarter_is_asked_about_too(erfurt):
    from isek.concepts.models import Quarter

    concept, client = erfurt
    data = {"name": "Weimar", "colour": "#336699", "description": "", "source": "",
            "geometry": json.dumps(shapely.geometry.mapping(WEIMAR))}
    r = client.post(f"/concepts/{concept.slug}/quarters/new/", data)
    assert r.status_code == 400 and "Fördergebiete sind meist unter 5 km²" in r.content.decode()
    assert not Quarter.objects.filter(concept=concept).exists()
    r = client.post(f"/concepts/{concept.slug}/quarters/new/", {**data, "confirm_area": "on"})
    assert r.status_code == 302 and Quarter.objects.filter(concept=concept, name="Weimar").exists()


def test_a_quarter_or_measure_beyond_the_funding_area_is_asked_about_at_its_form(erfurt):
    """Issue #23, minor 2: a quarter or a measure's location beyond the funding area was flagged by
    the readiness check only; the forms now ask and save once confirmed."""
    from isek.concepts.models import Measure, Quarter
    from tests.factories import FieldFactory

    concept, client = erfurt
    concept.area = geo.to_django(shapely.MultiPolygon([ERFURT]))
    concept.save()
    wider = shapely.box(11.025, 50.975, 11.04, 50.98)  # a third of it east of the area
    data = {"name": "Ost", "colour": "#336699", "description": "", "source": "",
            "geometry": json.dumps(shapely.geometry.mapping(wider))}
    r = client.post(f"/concepts/{concept.slug}/quarters/new/", data)
    page = r.content.decode()
    assert r.status_code == 400 and "Der Teilraum liegt nicht ganz im Fördergebiet (ca. " in page
    assert "außerhalb des Fördergebiets)." in page and not Quarter.objects.filter(concept=concept).exists()
    assert client.post(f"/concepts/{concept.slug}/quarters/new/", {**data, "confirm_area": "on"}).status_code == 302
    field = FieldFactory(concept=concept)
    point = {"type": "Point", "coordinates": [11.038, 50.977]}
    data = {"number": "1.1", "title": "Zugang Ost", "primary_field": field.pk, "priority": "1", "status": "planned",
            "progress": "0", "progress_weight": "1", "geometry": json.dumps(point),
            **{f"ms-{k}": v for k, v in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}.items()}}
    r = client.post(f"/concepts/{concept.slug}/measures/new/", data)
    page = r.content.decode()
    assert r.status_code == 400 and 'id="area-doubts"' in page and "Liegt die Maßnahme richtig?" in page
    assert "Die Verortung der Maßnahme liegt nicht ganz im Fördergebiet (liegt außerhalb des Fördergebiets)" in page
    assert "Die Verortung stimmt – trotzdem speichern" in page and not Measure.objects.filter(concept=concept).exists()
    assert client.post(f"/concepts/{concept.slug}/measures/new/", {**data, "confirm_area": "on"}).status_code == 302
    data["geometry"] = json.dumps({"type": "Point", "coordinates": [11.03, 50.977]})  # inside: no question
    assert client.post(f"/concepts/{concept.slug}/measures/new/", {**data, "number": "1.2"}).status_code == 302


def test_an_area_outside_the_base_map_is_asked_about(erfurt, settings, tmp_path):
    """Where the city has a base map, an area beyond its extent is asked about too."""
    from isek.concepts import services
    from isek.geodata.jobs import basemap_store
    from isek.geodata.models import BaseMap

    concept, _ = erfurt
    store = basemap_store()
    store.mkdir(parents=True, exist_ok=True)
    (store / "erfurt-test.mbtiles").write_bytes(b"tiles")
    try:
        BaseMap.objects.create(city=concept.city, extract="/x.osm.pbf", extract_name="x", path="erfurt-test.mbtiles",
                               bounds=[10.95, 50.93, 11.1, 51.02])
        assert services.area_doubts(concept, ERFURT) == []
        outside = shapely.box(11.2, 50.97, 11.21, 50.98)  # small, in Thüringen, east of the base map
        assert services.area_doubts(concept, outside) == [
            "Die Fläche liegt (teilweise) außerhalb der Grundkarte der Stadt Erfurt."]
    finally:
        (store / "erfurt-test.mbtiles").unlink()


def test_the_upload_page_asks_first_and_takes_the_area_when_confirmed(erfurt, geofile):
    concept, client = erfurt
    path = geofile("weimar.geojson", [(WEIMAR, {"name": "Weimar"})])
    with open(path, "rb") as fh:
        r = client.post(f"/concepts/{concept.slug}/import/", {"kind": "area", "file": fh, "crs": ""})
    page = r.content.decode()
    assert r.status_code == 200 and 'id="area-doubts"' in page and "Fördergebiete sind meist unter 5 km²" in page
    concept.refresh_from_db()
    assert concept.area is None
    r = client.post(f"/concepts/{concept.slug}/import/", {"step": "confirm"})
    assert r.status_code == 302
    concept.refresh_from_db()
    assert concept.area is not None


def test_the_import_command_refuses_a_doubtful_area_unless_confirmed(erfurt, geofile):
    concept, _ = erfurt
    path = geofile("weimar.geojson", [(WEIMAR, {"name": "Weimar"})])
    with pytest.raises(CommandError) as err:
        call_command("import_geodata", concept.slug, str(path), "--as", "area")
    assert "Fördergebiete sind meist unter 5 km²" in str(err.value) and "--confirm-area" in str(err.value)
    concept.refresh_from_db()
    assert concept.area is None
    call_command("import_geodata", concept.slug, str(path), "--as", "area", "--confirm-area")
    concept.refresh_from_db()
    assert concept.area is not None


def test_the_map_without_a_base_map_says_so_to_planners_only(erfurt):
    concept, client = erfurt
    page = client.get(f"/concepts/{concept.slug}/edit/").content.decode()
    assert "Noch keine Grundkarte für Erfurt:" in page and "Umgebungsrechteck von Thüringen" in page
    assert f'href="/concepts/{concept.slug}/basemap/"' in page and "OSM-Auszug hochladen" in page
    assert 'data-land="[9.87, 50.2, 12.66, 51.65]"' in page and 'aria-describedby="map-notice"' in page
    public = client_for(None).get(f"/concepts/{concept.slug}/").content.decode()
    # citizens see the map without the planners' notice, with a neutral legend (decision 0066, sup22)
    assert "Noch keine Grundkarte" not in public and "OSM-Auszug hochladen" not in public
    assert "data-land=" in public and 'aria-describedby="map-notice"' not in public
    assert "gestrichelt: Umgebungsrechteck von Thüringen" in public


def test_without_a_map_the_area_is_typed_as_its_corners_or_taken_from_a_file(erfurt):
    """The edit page says how to place the area without a map: corners typed into the field, or
    the upload page (GeoJSON, GeoPackage, Shapefile), linked beside the map."""
    concept, client = erfurt
    page = client.get(f"/concepts/{concept.slug}/edit/").content.decode()
    assert "je Zeile einer als „Breite, Länge“" in page and f'href="/concepts/{concept.slug}/import/"' in page
    corners = "50.9800, 11.0250\n50.9800, 11.0350\n50.9750, 11.0350\n50.9750, 11.0250"
    (data,) = [d for d in post_forms(page) if "area" in d]
    r = client.post(f"/concepts/{concept.slug}/edit/", {**data, "area": corners})
    assert r.status_code == 302
    concept.refresh_from_db()
    assert concept.area.extent == pytest.approx((11.025, 50.975, 11.035, 50.98))


def test_quarters_from_a_file_are_asked_about_by_name(erfurt, geofile):
    from isek.concepts.models import Quarter

    concept, client = erfurt
    path = geofile("quarters.geojson", [(ERFURT, {"name": "Altstadt"}), (WEIMAR, {"name": "Weimar"})])
    with open(path, "rb") as fh:
        r = client.post(f"/concepts/{concept.slug}/import/", {"kind": "quarters", "file": fh, "crs": ""})
    page = r.content.decode()
    assert "Teilräume übernehmen?" in page and "Weimar: Die Fläche ist" in page and "Altstadt:" not in page
    assert "Teilräume trotzdem übernehmen" in page
    assert not Quarter.objects.filter(concept=concept).exists()
    assert client.post(f"/concepts/{concept.slug}/import/", {"step": "confirm"}).status_code == 302
    assert set(Quarter.objects.filter(concept=concept).values_list("name", flat=True)) == {"Altstadt", "Weimar"}


def _blocks(n):
    """``n`` small blocks across the east edge of ERFURT (half of each beyond it), one inside."""
    rows = [(shapely.box(11.0345, 50.975 + i * 0.0004, 11.0355, 50.9753 + i * 0.0004), {"name": f"Block {i + 1:02d}"})
            for i in range(n)]
    return rows + [(shapely.box(11.026, 50.976, 11.027, 50.977), {"name": "Domplatz"})]


def test_the_import_command_names_the_first_five_quarters_beyond_the_area_and_all_with_verbose(erfurt, geofile):
    """Decision 0080: 1,500 blocks beyond the funding area were 1,500 lines of `isek import … --as
    quarters`; a message now names the first five quarters and how many there are, --verbose all."""
    import io

    from isek.concepts.models import Quarter

    concept, _ = erfurt
    concept.area = geo.to_django(shapely.MultiPolygon([ERFURT]))
    concept.save()
    path = geofile("blocks.geojson", _blocks(12))
    with pytest.raises(CommandError) as err:
        call_command("import_geodata", concept.slug, str(path), "--as", "quarters")
    said = str(err.value)
    lines = said.splitlines()
    assert len(lines) == 1 + 5 + 1 + 1, said  # heading, five quarters, how many more, what to do
    assert [line.split(":")[0] for line in lines[1:6]] == [f"  - Block 0{i}" for i in range(1, 6)]
    assert "Block 06" not in said and "Domplatz" not in said
    assert lines[6] == "  - … und 7 weitere Teilräume mit Rückfragen (12 von 13 Teilräumen; alle mit --verbose)."
    assert "--confirm-area" in lines[7]
    assert not Quarter.objects.filter(concept=concept).exists()
    with pytest.raises(CommandError) as err:
        call_command("import_geodata", concept.slug, str(path), "--as", "quarters", "--verbose")
    said = str(err.value)
    assert all(f"Block {i:02d}: Der Teilraum liegt nicht ganz im Fördergebiet" in said for i in range(1, 13))
    assert "weitere" not in said
    out, warned = io.StringIO(), io.StringIO()
    call_command("import_geodata", concept.slug, str(path), "--as", "quarters", "--confirm-area", stdout=out, stderr=warned)
    assert warned.getvalue().strip() == ("Hinweis: 12 Teilräume ragen über das Fördergebiet hinaus, die ersten 5: Block 01, "
                                         "Block 02, Block 03, Block 04, Block 05 (alle mit --verbose)")
    assert "13 neu angelegt" in out.getvalue()
    assert Quarter.objects.filter(concept=concept).count() == 13
    warned = io.StringIO()
    call_command("import_geodata", concept.slug, str(path), "--as", "quarters", "--confirm-area", "--verbose",
                 stdout=io.StringIO(), stderr=warned)
    assert warned.getvalue().strip() == "Hinweis: Teilräume ragen über das Fördergebiet hinaus: " + ", ".join(
        f"Block {i:02d}" for i in range(1, 13))


def test_the_import_command_names_five_problems_of_single_objects_and_all_with_verbose(erfurt, geofile):
    """Decision 0080: a file of many quarters without a name listed every one; the command names five
    and how many more, --verbose all, and stores nothing."""
    concept, _ = erfurt
    path = geofile("nameless.geojson", [(shapely.box(11.026 + i * 0.001, 50.976, 11.0265 + i * 0.001, 50.9765),
                                         {"note": str(i)}) for i in range(8)])
    with pytest.raises(CommandError) as err:
        call_command("import_geodata", concept.slug, str(path), "--as", "quarters")
    lines = str(err.value).splitlines()
    assert lines[1:] == [f"  - Objekt {i}: es fehlt der Name (Feld „name“)." for i in range(1, 6)] + [
        "  - … und 3 weitere Meldungen zu einzelnen Objekten (alle mit --verbose)"]
    with pytest.raises(CommandError) as err:
        call_command("import_geodata", concept.slug, str(path), "--as", "quarters", "--verbose")
    assert str(err.value).splitlines()[1:] == [f"  - Objekt {i}: es fehlt der Name (Feld „name“)." for i in range(1, 9)]
    assert not concept.quarters.exists()
