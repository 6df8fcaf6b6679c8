"""A city's offline base map from its real OSM extract (Hoyerswerda's Altstadt): checked, cut to the
area with a margin, tiled by tilemaker, served by isek itself with an offline style; bad extracts
get a clear message and change nothing."""

from __future__ import annotations

import bz2
import gzip
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from isek import access
from isek.analysis.models import AnalysisRun
from isek.core.files import extract_dir
from isek.geodata import basemaps, services
from isek.geodata.models import BaseMap
from tests import osm_files
from tests.data import data_dir
from tests.factories import CityFactory, ConceptFactory, member, multipolygon, square

OSM = data_dir("osm") / "osm"
REQUIRED_DATA = [OSM / "hoyerswerda_altstadt.osm.pbf", OSM / "lauf_an_der_pegnitz_2020-01-15.osm.pbf"]
OPERATOR = access.Operator("test")


def _extract(name="hoyerswerda_altstadt.osm.pbf"):
    return OSM / name


def _tile_for(lon, lat, z):
    import math

    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


# --- the pure steps ------------------------------------------------------------------------------


def test_extract_is_inspected():
    info = basemaps.inspect(_extract())
    assert info.nodes > 1000 and info.ways > 100
    assert basemaps.overlaps(info.bbox, (14.2465, 51.4345, 14.255, 51.44))
    assert info.timestamp.startswith("20")


@pytest.mark.parametrize("content, message", [
    (b"", "leer"),
    (b"hello world, not a pbf at all", "kein OpenStreetMap-Extrakt"),
])
def test_not_an_extract(tmp_path, content, message):
    p = tmp_path / "x.osm.pbf"
    p.write_bytes(content)
    with pytest.raises(basemaps.BaseMapError) as exc:
        basemaps.inspect(p)
    assert message in exc.value.errors[0]


def test_truncated_extract(tmp_path):
    p = tmp_path / "cut.osm.pbf"
    p.write_bytes(_extract().read_bytes()[:60000])
    with pytest.raises(basemaps.BaseMapError) as exc:
        basemaps.inspect(p)
    assert "beschädigt oder unvollständig" in exc.value.errors[0]


def test_far_away_extract_is_refused():
    lauf = _extract("lauf_an_der_pegnitz_2020-01-15.osm.pbf")
    info = basemaps.inspect(lauf)
    with pytest.raises(basemaps.BaseMapError) as exc:
        basemaps.check_coverage(lauf, info, (14.2465, 51.4345, 14.255, 51.44))
    assert "enthält keine Daten im Fördergebiet" in exc.value.errors[0]


def test_an_extract_whose_boxes_cover_the_area_but_whose_nodes_do_not_is_refused(tmp_path):
    """The Bayreuth case: neither the header's box nor the data's box (a long road crosses the
    area without a node in it) tells; the nodes inside the area do. Its message says where the
    data lie; an extract with nodes in the area passes."""
    area = (14.243, 51.432, 14.25, 51.437)
    path = osm_files.beside(tmp_path / "nord.osm.pbf", 14.2465, 51.4345)
    info = basemaps.inspect(path)
    assert basemaps.overlaps(info.header, area) and basemaps.overlaps(info.bbox, area)
    assert basemaps.nodes_inside(path, area) == 0
    with pytest.raises(basemaps.ExtractRefused) as exc:
        basemaps.check_coverage(path, info, area)
    assert exc.value.errors == ["Der Extrakt enthält keine Daten im Fördergebiet (14,243 / 51,432 – 14,250 / 51,437); "
                                "seine Daten liegen bei 14,236 / 51,408 – 14,257 / 51,462. Bitte einen Extrakt "
                                "hochladen, der das Fördergebiet abdeckt."]
    assert "(14.243, 51.432 – 14.250, 51.437)" in exc.value.messages(str, "en")[0]  # English: decimal points
    assert basemaps.nodes_inside(_extract(), area) > 1000
    basemaps.check_coverage(_extract(), basemaps.inspect(_extract()), area)  # Hoyerswerda's own extract passes


def test_where_the_data_lie_is_the_header_box_when_it_is_away_from_the_area(tmp_path):
    """A file cut north of the area (header box north of it) whose ways reach into the area's box."""
    path = osm_files.write_pbf(tmp_path / "cut.osm.pbf", (14.24, 51.45, 14.26, 51.47),
                               [(14.25, 51.46), (14.2505, 51.46), (14.25, 51.42)], [([1, 2, 3], {"highway": "primary"})])
    with pytest.raises(basemaps.ExtractRefused) as exc:
        basemaps.check_coverage(path, basemaps.inspect(path), (14.243, 51.432, 14.25, 51.437))
    assert "seine Daten liegen bei 14,240 / 51,450 – 14,260 / 51,470." in exc.value.errors[0]


# --- built, registered, served -------------------------------------------------------------------


def test_base_map_is_built_served_and_styled(hoyerswerda, client):
    bm = services.start_basemap(OPERATOR, hoyerswerda, _extract(), now=True)
    assert bm.status == BaseMap.Status.DONE and bm.tiles > 0
    assert (bm.minzoom, bm.maxzoom) == (10, 14)
    # The tiles cover the area plus the margin, not the whole extract.
    west, south, east, north = bm.bounds
    x0, y0, x1, y1 = hoyerswerda.area.extent
    assert west < x0 and south < y0 and east > x1 and north > y1
    assert east - west < (x1 - x0) + 0.03
    tileset = basemaps.describe(services.basemap_file(bm))
    assert {"building", "road", "water", "green", "rail"} <= set(tileset.layers)

    x, y = _tile_for(14.249, 51.437, 14)
    r = client.get(f"/concepts/{hoyerswerda.slug}/basemap/14/{x}/{y}.pbf")
    assert r.status_code == 200 and r["Content-Encoding"] == "gzip"
    mvt = gzip.decompress(r.content)
    assert b"building" in mvt and b"road" in mvt
    # Outside the tiles: no content; outside the zoom range likewise.
    assert client.get(f"/concepts/{hoyerswerda.slug}/basemap/14/0/0.pbf").status_code == 204
    assert client.get(f"/concepts/{hoyerswerda.slug}/basemap/18/{x * 16}/{y * 16}.pbf").status_code == 204

    style = client.get(f"/concepts/{hoyerswerda.slug}/basemap/style.json").json()
    tiles = style["sources"]["basemap"]["tiles"][0]
    assert tiles.startswith("http://testserver/concepts/hoyerswerda-altstadt/basemap/") and tiles.endswith("/{z}/{x}/{y}.pbf")
    assert style["font-faces"]["Noto Sans Regular"].startswith("http://testserver/static/")
    assert "glyphs" not in style  # labels come from the vendored font, nothing from outside
    assert "OpenStreetMap" in style["sources"]["basemap"]["attribution"]
    assert {layer["source-layer"] for layer in style["layers"] if "source-layer" in layer} >= {"building", "road", "water"}

    # Every map of the city's concepts gets it, with its attribution.
    html = client.get(hoyerswerda.get_absolute_url()).content.decode()
    assert f'data-basemap-style="/concepts/{hoyerswerda.slug}/basemap/style.json"' in html
    assert "© OpenStreetMap contributors, ODbL 1.0" in html


def test_the_page_of_a_finished_base_map_leads_planners_to_the_analysis(hoyerswerda, client):
    """After "fertig" those who may run the Bestandsanalyse get a link to it; a reviewer does not."""
    services.start_basemap(OPERATOR, hoyerswerda, _extract(), now=True)
    link = f'href="/concepts/{hoyerswerda.slug}/analysis/"'
    client.force_login(member(hoyerswerda, "planner"))
    html = client.get(f"/concepts/{hoyerswerda.slug}/basemap/").content.decode()
    assert link in html and "Zur Bestandsanalyse" in html
    client.force_login(member(hoyerswerda, "reviewer"))
    assert "Zur Bestandsanalyse" not in client.get(f"/concepts/{hoyerswerda.slug}/basemap/").content.decode()


def test_the_file_field_is_required_not_optional(hoyerswerda, client):
    client.force_login(member(hoyerswerda, "planner"))
    form = client.get(f"/concepts/{hoyerswerda.slug}/basemap/").content.decode().split('id="extract-form"')[1]
    label = form.split("</label>")[0]
    assert "OpenStreetMap-Extrakt (.osm.pbf)" in label and "optional" not in label
    r = client.post(f"/concepts/{hoyerswerda.slug}/basemap/", {})
    assert r.status_code == 400 and r.content.decode().count("Bitte eine Datei wählen.") == 1
    assert not BaseMap.objects.exists()


def test_report_maps_draw_the_base_map_where_the_streets_are(hoyerswerda):
    """The ISEK report's map draws the city's base map, decoded from its tiles: a named street of
    the tiles lies on the same street of the extract (within 2 m), and the drawn map has the
    buildings' colour in it; the base map is credited beneath the map."""
    import base64

    import numpy as np
    import osmium
    import shapely
    from matplotlib import image

    from isek.core import geo
    from isek.monitoring import charts

    services.start_basemap(OPERATOR, hoyerswerda, _extract(), now=True)
    decoded = basemaps.features(services.basemap_file(services.base_map_of(hoyerswerda.city)),
                                services.concept_bbox(hoyerswerda))
    area = geo.from_django(hoyerswerda.area)
    road = next(g for g, p in decoded["road"] if p.get("name") and g.intersects(area) and g.length > 0.001)
    name = next(p["name"] for g, p in decoded["road"] if g is road)

    class Ways(osmium.SimpleHandler):
        lines: list = []

        def way(self, w):
            if w.tags.get("name") == name and "highway" in w.tags:
                self.lines.append(shapely.LineString([(n.lon, n.lat) for n in w.nodes]))

    handler = Ways()
    handler.apply_file(str(_extract()), locations=True)
    to_utm = lambda gs: geo.transform_many(gs, "EPSG:4326", "EPSG:25833")  # noqa: E731
    street, piece = to_utm([shapely.union_all(handler.lines), road])
    assert max(street.distance(shapely.Point(c)) for c in piece.coords) < 2.0
    assert len(decoded["building"]) > 100 and all(g.geom_type in ("Polygon", "MultiPolygon") for g, _p in decoded["building"])

    layers = services.base_geometries(hoyerswerda)
    assert {"facecolor": "#ddd5cd"} in [style for style, _g in layers]
    credits = services.report_attributions(hoyerswerda)
    assert credits[0] == "Grundkarte: © OpenStreetMap contributors, ODbL 1.0"
    uri = charts.concept_map(hoyerswerda, [], {}, credits, base_layers=layers)
    pixels = image.imread(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])), format="png")[:, :, :3]
    building = np.array([0xdd, 0xd5, 0xcd]) / 255
    assert (np.abs(pixels - building).max(axis=2) < 0.02).mean() > 0.01


def test_without_base_map_the_style_is_missing(hoyerswerda, client):
    assert client.get(f"/concepts/{hoyerswerda.slug}/basemap/style.json").status_code == 404
    html = client.get(hoyerswerda.get_absolute_url()).content.decode()
    assert "data-basemap-style" not in html


def test_command_builds_and_then_the_analysis_is_queued(hoyerswerda, capsys):
    call_command("basemap", "build", hoyerswerda.slug, str(_extract()), "--analyse")
    assert "Kacheln" in capsys.readouterr().out
    run = AnalysisRun.objects.get(concept=hoyerswerda)
    assert run.extract.endswith("hoyerswerda-altstadt-cut.osm.pbf")
    assert basemaps.inspect(run.extract).nodes > 1000  # the analysis reads the cut, which is a real extract


def test_the_cut_depends_on_the_area_not_on_the_file(tmp_path):
    whole = _extract("lauf_an_der_pegnitz_2020-01-15.osm.pbf")
    altstadt = (11.2735, 49.5055, 11.2815, 49.5095)
    cut = basemaps.cut(whole, basemaps.padded(altstadt), tmp_path / "cut.osm.pbf")
    a, b = basemaps.inspect(whole), basemaps.inspect(cut)
    assert b.nodes < a.nodes / 2 and cut.stat().st_size < whole.stat().st_size / 1.5
    # Ways crossing the edge stay whole, so the cut reaches a little beyond the padded box.
    assert basemaps.overlaps(b.bbox, altstadt)


def test_a_far_away_extract_is_refused_before_the_build_and_the_previous_map_stays(hoyerswerda):
    first = services.start_basemap(OPERATOR, hoyerswerda, _extract(), now=True)
    with pytest.raises(CommandError) as exc:
        call_command("basemap", "build", hoyerswerda.slug, str(_extract("lauf_an_der_pegnitz_2020-01-15.osm.pbf")))
    assert "enthält keine Daten im Fördergebiet" in str(exc.value)
    bm = BaseMap.objects.get(city=hoyerswerda.city)
    assert bm.status == BaseMap.Status.DONE and bm.path == first.path and bm.sha256 == first.sha256
    assert bm.extract == first.extract
    assert services.basemap_file(bm).is_file()


def _upload(client, concept, content: bytes, name="x.osm.pbf"):
    f = io.BytesIO(content)
    f.name = name
    return client.post(f"/concepts/{concept.slug}/basemap/", {"file": f})


@pytest.mark.parametrize("content, name, message", [
    (b"", "leer.osm.pbf", "leer"),
    (b"<?xml version='1.0'?><osm></osm>", "stadt.osm", "Umwandeln z. B. mit: osmium cat stadt.osm -o stadt.osm.pbf"),
    (b"<?xml version='1.0'?><osm></osm>", "stadt.osm.pbf", "Umwandeln z. B. mit: osmium cat datei.osm -o datei.osm.pbf"),
    (b"PK\x03\x04 a zip file", "stadt.osm.pbf", "kein OpenStreetMap-Extrakt"),
    (gzip.compress(b"<?xml version='1.0'?><osm></osm>", mtime=0), "stadt.osm.gz",
     "Umwandeln z. B. mit: osmium cat stadt.osm.gz -o stadt.osm.pbf"),
    (bz2.compress(b"<?xml version='1.0'?><osm></osm>"), "stadt.osm.bz2",
     "Umwandeln z. B. mit: osmium cat stadt.osm.bz2 -o stadt.osm.pbf"),
    (gzip.compress(b"<?xml version='1.0'?><osm></osm>", mtime=0), "stadt.osm.pbf",
     "Umwandeln z. B. mit: osmium cat datei.osm.gz -o datei.osm.pbf"),
])
def test_bad_uploads_get_a_message_and_store_nothing(hoyerswerda, client, content, name, message):
    client.force_login(member(hoyerswerda, "planner"))
    r = _upload(client, hoyerswerda, content, name)
    assert r.status_code == 400 and message in r.content.decode()
    assert not BaseMap.objects.exists()
    assert not any(extract_dir(hoyerswerda.city.ags).iterdir())


@override_settings(ISEK_EXTRACT_MAX_BYTES=1000)
def test_oversized_upload_is_refused(hoyerswerda, client):
    client.force_login(member(hoyerswerda, "planner"))
    r = _upload(client, hoyerswerda, _extract().read_bytes())
    assert r.status_code == 400 and "erlaubt sind höchstens" in r.content.decode()
    assert not BaseMap.objects.exists()


def test_upload_queues_the_build_and_reviewers_may_not(hoyerswerda, client, django_capture_on_commit_callbacks):
    client.force_login(member(hoyerswerda, "reviewer"))
    assert _upload(client, hoyerswerda, _extract().read_bytes(), "hoyerswerda.osm.pbf").status_code == 403
    assert not BaseMap.objects.exists()
    client.force_login(member(hoyerswerda, "planner"))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        r = _upload(client, hoyerswerda, _extract().read_bytes(), "hoyerswerda.osm.pbf")
    assert r.status_code == 302
    bm = BaseMap.objects.get(city=hoyerswerda.city)
    assert bm.status == BaseMap.Status.QUEUED and bm.extract_name == "hoyerswerda.osm.pbf"
    assert len(queued) == 1
    status = client.get(f"/concepts/{hoyerswerda.slug}/basemap/status/").json()
    assert status["status"] == "queued"
    page = client.get(f"/concepts/{hoyerswerda.slug}/basemap/").content.decode()
    assert "hoyerswerda.osm.pbf" in page


def test_tiles_of_an_internal_concept_are_hidden(hoyerswerda, client):
    services.start_basemap(OPERATOR, hoyerswerda, _extract(), now=True)
    hoyerswerda.is_public = False
    hoyerswerda.save()
    x, y = _tile_for(14.249, 51.437, 14)
    assert client.get(f"/concepts/{hoyerswerda.slug}/basemap/14/{x}/{y}.pbf").status_code == 404
    assert client.get(f"/concepts/{hoyerswerda.slug}/basemap/style.json").status_code == 404
    reviewer = member(hoyerswerda, "reviewer")
    client.force_login(reviewer)
    r = client.get(f"/concepts/{hoyerswerda.slug}/basemap/14/{x}/{y}.pbf")
    assert r.status_code == 200 and r["Cache-Control"].startswith("private")
    assert json.loads(client.get(f"/concepts/{hoyerswerda.slug}/basemap/status/").content)["status"] == "done"


def test_an_administrator_may_name_an_external_style_for_cities_without_a_base_map(hoyerswerda, client, settings):
    settings.ISEK_BASEMAP_STYLE_URL = "https://sgx.geodatenzentrum.de/gdz_basemapde_vektor/styles/bm_web_col.json"
    settings.ISEK_BASEMAP_ATTRIBUTION = "© GeoBasis-DE / BKG (2026) CC BY 4.0"
    html = client.get(hoyerswerda.get_absolute_url()).content.decode()
    assert f'data-basemap-style="{settings.ISEK_BASEMAP_STYLE_URL}"' in html
    assert "© GeoBasis-DE / BKG (2026) CC BY 4.0" in html
    services.start_basemap(OPERATOR, hoyerswerda, _extract(), now=True)  # the city's own map wins
    html = client.get(hoyerswerda.get_absolute_url()).content.decode()
    assert f'data-basemap-style="/concepts/{hoyerswerda.slug}/basemap/style.json"' in html


def test_an_incomplete_extract_still_gives_a_base_map(db, settings, tmp_path):
    """The Lauf file is filtered (ways reference 1,400 nodes it does not hold); tilemaker would stop
    on the first missing node, so isek drops the dangling references before tiling."""
    settings.VAR_DIR = str(tmp_path / "var")
    city = CityFactory(ags="09574138", name="Lauf a.d.Pegnitz")
    concept = ConceptFactory(city=city, area=multipolygon(square(11.2735, 49.5055, 500)))
    bm = services.start_basemap(OPERATOR, concept, _extract("lauf_an_der_pegnitz_2020-01-15.osm.pbf"), now=True)
    assert bm.status == BaseMap.Status.DONE and bm.tiles > 0
    assert "building" in basemaps.describe(services.basemap_file(bm)).layers
