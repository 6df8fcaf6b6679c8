"""An extract that covers only part of the funding area gives a base map and an analysis, with a
warning how much of the area it covers (decision 0026): a Bautzen planner's cut covered 42 %."""

from __future__ import annotations

import math

import pytest
import shapely

from isek import access
from isek.analysis import services as analysis
from isek.core import geo
from isek.geodata import services
from isek.monitoring import reports
from tests import osm_files
from tests.factories import CityFactory, ConceptFactory, QuarterFactory, member, multipolygon, square
from tests.monitoring.test_isek_pdf import pdf_text

OPERATOR = access.Operator("test")
LON, LAT, SIDE = 14.405, 51.186, 600.0
DLON = SIDE / (111_320 * math.cos(math.radians(LAT)))
WARNING = "Der Extrakt deckt nur 50 % des Fördergebiets ab; die Werte gelten nur für diesen Teil."
# What the analysis of the half says its values refer to (decision 0034): the covered part, named with its size.
ANALYSED = ("Der Extrakt deckt nur 50 % des Fördergebiets ab; die Werte gelten nur für diesen Teil, Anteile und "
            "Dichten bezogen auf den abgedeckten Teil: 18,0 ha von 36,0 ha.")
PARK = square(LON + DLON / 16, LAT + 0.0005, 100.0)  # 1 ha of park in the west part


@pytest.fixture
def bautzen(db, settings, tmp_path):
    settings.VAR_DIR = str(tmp_path / "var")
    city = CityFactory(ags="14625020", name="Bautzen")
    return ConceptFactory(city=city, slug="bautzen-altstadt", area=multipolygon(square(LON, LAT, SIDE)))


def _extract(path, east):
    """Houses, a street and a park in the west part of the area; the header box ends at ``east``."""
    x, y = LON + DLON / 8, LAT + 0.002
    nodes = [(x, y), (x + 0.0005, y), (x + 0.0005, y + 0.0003), (x, y + 0.0003), (x, y - 0.0005), (x + 0.001, y - 0.0005),
             *PARK.exterior.coords[:4]]
    ways = [([1, 2, 3, 4, 1], {"building": "house"}), ([5, 6], {"highway": "residential", "name": "Wendische Straße"}),
            ([7, 8, 9, 10, 7], {"leisure": "park"})]
    return osm_files.write_pbf(path, (LON - 0.01, LAT - 0.01, east, LAT + 0.02), nodes, ways)


def _basemap_page(client, concept):
    client.force_login(member(concept, "planner"))
    return client.get(f"/concepts/{concept.slug}/basemap/").content.decode()


def test_an_extract_covering_half_of_the_area_is_warned_about_on_the_base_map_page(bautzen, client, tmp_path):
    services.start_basemap(OPERATOR, bautzen, _extract(tmp_path / "half.osm.pbf", LON + DLON / 2), now=True)
    html = _basemap_page(client, bautzen)
    assert "fertig" in html.lower() and WARNING in html


def test_an_extract_covering_the_whole_area_gets_no_warning(bautzen, client, tmp_path):
    services.start_basemap(OPERATOR, bautzen, _extract(tmp_path / "all.osm.pbf", LON + 0.02), now=True)
    html = _basemap_page(client, bautzen)
    assert "fertig" in html.lower() and "Der Extrakt deckt nur" not in html


def _analysed(concept, path, client, tmp_path):
    """The analysis of ``path`` as planners see it: its page, "Was fehlt noch?" and the ISEK PDF."""
    services.start_basemap(OPERATOR, concept, path, now=True)
    run = analysis.start_run(OPERATOR, concept, str(path.resolve()), now=True)
    assert run.status == "done"
    client.force_login(member(concept, "planner"))
    page = client.get(f"/concepts/{concept.slug}/analysis/").content.decode()
    readiness = client.get(f"/concepts/{concept.slug}/readiness/").content.decode()
    reports.isek_pdf(concept, tmp_path / "isek.pdf")
    return page, readiness, pdf_text(tmp_path / "isek.pdf")


def test_the_analysis_of_half_the_area_says_so_on_its_page_in_the_checklist_and_in_the_pdf(bautzen, client, tmp_path):
    page, readiness, pdf = _analysed(bautzen, _extract(tmp_path / "half.osm.pbf", LON + DLON / 2), client, tmp_path)
    assert ANALYSED in page and f'href="/concepts/{bautzen.slug}/basemap/"' in page
    assert 'data-item="analysis" data-status="incomplete"' in readiness and ANALYSED in readiness
    assert ANALYSED in pdf


def _shown(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def test_the_shares_of_half_the_area_are_shares_of_the_covered_part(bautzen, client, tmp_path):
    """The Berlin tester's Hansaviertel: the green share was 19,8 ha of park over the whole area
    although the extract held data for a tenth of it. Now shares are of the covered part."""
    srid = bautzen.working_srid
    west = shapely.box(LON, LAT - 0.01, LON + DLON / 2, LAT + 0.02).intersection(geo.from_django(bautzen.area))
    covered = 100 * geo.area_m2(PARK, srid) / geo.area_m2(west, srid)
    whole = 100 * geo.area_m2(PARK, srid) / bautzen.area_m2
    page, _readiness, pdf = _analysed(bautzen, _extract(tmp_path / "half.osm.pbf", LON + DLON / 2), client, tmp_path)
    row = page.split('Grünflächenanteil')[1].split("</tr>")[0]
    assert f">{_shown(covered)}<" in row and _shown(whole) not in row
    assert f"Grünflächenanteil {_shown(covered)} %" in pdf and f"Fläche {_shown(geo.area_m2(west, srid) / 1e4).rstrip('0').rstrip(',')} ha" in pdf


def test_a_quarter_outside_the_extract_gets_no_values_and_says_why(bautzen, client, tmp_path):
    QuarterFactory(concept=bautzen, name="Ostteil", geometry=multipolygon(square(LON + 0.8 * DLON, LAT + 0.001, 50.0)))
    page, _readiness, _pdf = _analysed(bautzen, _extract(tmp_path / "half.osm.pbf", LON + DLON / 2), client, tmp_path)
    row = page.split('Grünflächenanteil')[1].split("</tr>")[0]
    assert row.count("der Extrakt deckt diesen Teilraum nicht ab") == 1


def test_an_analysis_of_the_whole_area_gets_no_warning(bautzen, client, tmp_path):
    page, readiness, pdf = _analysed(bautzen, _extract(tmp_path / "all.osm.pbf", LON + 0.02), client, tmp_path)
    assert "Der Extrakt deckt nur" not in page + readiness + pdf
    assert 'data-item="analysis" data-status="complete"' in readiness


@pytest.mark.parametrize("origins, cited", [
    (["https://isek.bautzen.de"], "„Indikatoren der Bestandsanalyse“ (https://isek.bautzen.de/about/indicators/)."),
    ([], "Definitionen in isek auf der Seite „Indikatoren der Bestandsanalyse“."),
])
def test_the_isek_pdf_cites_the_indicators_page_readers_can_open(bautzen, client, tmp_path, settings, origins, cited):
    """A Bautzen planner's walk: the PDF cited "docs/indicators.md", a path in isek's repository."""
    settings.CSRF_TRUSTED_ORIGINS = origins
    _page, _readiness, pdf = _analysed(bautzen, _extract(tmp_path / "all.osm.pbf", LON + 0.02), client, tmp_path)
    assert cited in pdf and "docs/indicators.md" not in pdf


def test_an_analysis_made_before_over_the_whole_area_says_it_must_run_again(bautzen, client, tmp_path):
    page, _readiness, _pdf = _analysed(bautzen, _extract(tmp_path / "half.osm.pbf", LON + DLON / 2), client, tmp_path)
    # As a run before decision 0034 stored it: its values, the area's size too, over the whole funding area.
    analysis.current_run(bautzen).values.filter(indicator="area_ha", quarter=None).update(value=bautzen.area_m2 / 1e4)
    page = client.get(f"/concepts/{bautzen.slug}/analysis/").content.decode()
    assert ("Der Extrakt deckt nur 50 % des Fördergebiets ab; diese Analyse bezieht ihre Werte aber auf das ganze "
            "Fördergebiet. Bitte die Analyse erneut starten.") in page
