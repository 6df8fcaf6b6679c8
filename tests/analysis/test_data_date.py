"""The data date of an extract whose objects carry no timestamps (as in files stripped of metadata,
e.g. the Heidelberg routing extract): the header's timestamp, else "unbekannt", never 1970-01-01;
shown in the UI's date format on the base map and the analysis page."""

from __future__ import annotations

import datetime

import pytest

from isek import access
from isek.analysis import osm
from isek.analysis import services as analysis
from isek.analysis.models import AnalysisRun
from isek.geodata import basemaps
from isek.geodata import services as geodata
from isek.monitoring import reports
from tests import osm_files
from tests.conftest import client_for
from tests.factories import CityFactory, ConceptFactory, member, multipolygon, square
from tests.monitoring.test_isek_pdf import pdf_text

OPERATOR = access.Operator("test")
LON, LAT = 14.2465, 51.4345
HEADER = {"timestamp": "2024-09-08T20:21:00Z", "osmosis_replication_timestamp": "2024-09-08T20:21:00Z"}


def _block(path, options=None):
    """Houses and a street in the Altstadt; objects without version or timestamp."""
    d = 0.0005
    nodes = [(LON - d, LAT - d), (LON + d, LAT - d), (LON + d, LAT + d), (LON - d, LAT + d),
             (LON - 0.002, LAT - 0.001), (LON + 0.002, LAT - 0.001)]
    ways = [([1, 2, 3, 4, 1], {"building": "house"}), ([5, 6], {"highway": "residential", "name": "Markt"})]
    return osm_files.write_pbf(path, (LON - 0.02, LAT - 0.02, LON + 0.02, LAT + 0.02), nodes, ways,
                               stamp="", options=options)


@pytest.fixture
def altstadt(db, settings, tmp_path):
    settings.VAR_DIR = str(tmp_path / "var")
    return ConceptFactory(city=CityFactory(ags="14625240", name="Hoyerswerda"), slug="altstadt",
                          area=multipolygon(square(LON, LAT, 600)))


def test_the_headers_timestamp_is_the_date_when_the_objects_have_none(tmp_path):
    path = _block(tmp_path / "a.osm.pbf", HEADER)
    assert basemaps.inspect(path).timestamp == "2024-09-08T20:21:00Z"
    assert osm.read(path).timestamp.date() == datetime.date(2024, 9, 8)
    # The cut the analysis reads keeps the header's date.
    cut = basemaps.cut(path, (LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01), tmp_path / "cut.osm.pbf")
    assert basemaps.inspect(cut).timestamp == "2024-09-08T20:21:00Z"
    assert osm.read(cut).timestamp.date() == datetime.date(2024, 9, 8)


def test_without_header_timestamp_nor_object_timestamps_the_date_is_unknown(tmp_path):
    path = _block(tmp_path / "a.osm.pbf")
    assert basemaps.inspect(path).timestamp == ""
    assert osm.read(path).timestamp is None


def test_pages_show_the_headers_date_in_the_uis_format(altstadt, tmp_path):
    path = _block(tmp_path / "heidelberg.osm.pbf", HEADER)
    planner = client_for(member(altstadt, "planner"))
    geodata.start_basemap(OPERATOR, altstadt, str(path), now=True)
    html = planner.get(f"/concepts/{altstadt.slug}/basemap/").content.decode()
    assert "Datenstand 08.09.2024" in html and "1970" not in html
    # The analysis offers the city's extract (the default) and the cut to the concept's area, each named as such.
    select = planner.get(f"/concepts/{altstadt.slug}/analysis/").content.decode().split('name="extract"')[1].split("</select>")[0]
    options = [o.split(">", 1)[1].split("</option")[0] for o in select.split("<option")[1:]]
    assert options[1:] == ["Extrakt der Stadt: heidelberg.osm.pbf (Datenstand 08.09.2024)",
                           "Ausschnitt für dieses Konzept: heidelberg.osm.pbf – " + altstadt.name + " (Datenstand 08.09.2024)"]
    assert "selected" in select.split("<option")[2] and "selected" not in select.split("<option")[1]
    run = analysis.start_run(OPERATOR, altstadt, str(path), now=True)
    assert run.status == AnalysisRun.Status.DONE and run.data_date == datetime.date(2024, 9, 8)
    html = planner.get(f"/concepts/{altstadt.slug}/analysis/").content.decode()
    assert "Datenstand 08.09.2024" in html and "1970" not in html


def test_pages_say_unbekannt_when_the_extract_does_not_tell_its_date(altstadt, tmp_path):
    path = _block(tmp_path / "stripped.osm.pbf")
    planner = client_for(member(altstadt, "planner"))
    geodata.start_basemap(OPERATOR, altstadt, str(path), now=True)
    html = planner.get(f"/concepts/{altstadt.slug}/basemap/").content.decode()
    assert "Datenstand unbekannt" in html and "1970" not in html
    run = analysis.start_run(OPERATOR, altstadt, str(path), now=True)
    assert run.status == AnalysisRun.Status.DONE and run.data_date is None
    html = planner.get(f"/concepts/{altstadt.slug}/analysis/").content.decode()
    assert "Datenstand unbekannt" in html and "1970" not in html


def test_the_analysis_of_the_cut_carries_the_extracts_date_not_its_newest_remaining_objects(altstadt, client, tmp_path):
    """A Berlin planner's extract: the newest object (04.10.2017) is an untagged node outside the
    concept's cut, the tagged objects are older (19.09.2017). The base map, the extract list, the
    analysis run and the ISEK PDF all say the extract's date."""
    older, newest = 'version="1" timestamp="2017-09-19T02:04:05Z"', 'version="2" timestamp="2017-10-04T19:31:16Z"'
    d = 0.0005
    nodes = [(LON - d, LAT - d), (LON + d, LAT - d), (LON + d, LAT + d), (LON - d, LAT + d),
             (LON - 0.002, LAT - 0.001), (LON + 0.002, LAT - 0.001), (LON + 0.018, LAT + 0.018)]
    ways = [([1, 2, 3, 4, 1], {"building": "house"}), ([5, 6], {"highway": "residential", "name": "Markt"})]
    path = osm_files.write_pbf(tmp_path / "berlin.osm.pbf", (LON - 0.02, LAT - 0.02, LON + 0.02, LAT + 0.02), nodes,
                               ways, stamp=older, node_stamps={7: newest})
    geodata.start_basemap(OPERATOR, altstadt, str(path), now=True)
    cut = geodata.cut_extract_of(altstadt)
    assert basemaps.inspect(cut).timestamp == "2017-10-04T19:31:16Z"  # the cut's header carries its source's date
    run = analysis.start_run(OPERATOR, altstadt, str(cut.resolve()), now=True)
    assert run.status == AnalysisRun.Status.DONE
    planner = client_for(member(altstadt, "planner"))
    basemap = planner.get(f"/concepts/{altstadt.slug}/basemap/").content.decode()
    page = planner.get(f"/concepts/{altstadt.slug}/analysis/").content.decode()
    reports.isek_pdf(altstadt, tmp_path / "isek.pdf")
    pdf = pdf_text(tmp_path / "isek.pdf")
    assert "Datenstand 04.10.2017" in basemap
    assert "Datenstand 04.10.2017" in page.split('id="runs"')[1].split("</ul>")[0]
    assert "Datenstand 04.10.2017." in page.split('id="current-run"')[1]
    assert "04.10.2017" in pdf
    assert "19.09.2017" not in basemap + page + pdf
