"""Reference layers per city: a second city gets its own layer with a few lines, sees it on its
concept map with the attribution, and gets it in its analysis; bad uploads change nothing."""

import json

import geopandas as gpd
import pytest
import shapely
from django.test import Client

from isek.analysis import jobs
from isek.analysis.models import AnalysisRun, IndicatorValue
from isek.concepts.models import City
from isek.geodata import services
from isek.geodata.models import ReferenceLayer
from tests.factories import ConceptFactory, member, multipolygon

HOY_ALTSTADT = shapely.box(14.2440, 51.4340, 14.2590, 51.4395)
SCHOOLS = [(14.2460, 51.4350), (14.2500, 51.4380), (14.2580, 51.4390), (14.3000, 51.4500)]  # the last lies outside


@pytest.fixture
def hoyerswerda(db, tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    city = City.objects.create(name="Hoyerswerda", ags="14625240")
    concept = ConceptFactory(city=city, slug="hoy-altstadt", name="ISEK Altstadt Hoyerswerda",
                             area=multipolygon(HOY_ALTSTADT))
    return concept, member(concept, "planner")


def _schools_file(tmp_path, crs="EPSG:25833"):
    path = tmp_path / "schulen.geojson"
    frame = gpd.GeoDataFrame({"name": [f"Schule {i}" for i in range(len(SCHOOLS))]},
                             geometry=[shapely.Point(p) for p in SCHOOLS], crs="EPSG:4326").to_crs(crs)
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def _upload(client, slug, path, **fields):
    data = {"name": "schulen", "label_de": "Schulen", "label_en": "Schools", "colour": "#aa5500", "kind": "point",
            "analysis_input": "schools", "name_field": "name", "licence": "dl-de/by-2-0",
            "attribution": "Stadt Hoyerswerda, Schulstandorte (Testdaten)", **fields}
    with open(path, "rb") as fh:
        return client.post(f"/concepts/{slug}/layers/", {**data, "file": fh})


def test_second_city_layer_on_map_and_in_analysis(hoyerswerda, tmp_path):
    concept, planner = hoyerswerda
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(planner)
    response = _upload(client, concept.slug, _schools_file(tmp_path))
    assert response.status_code == 302, response.content.decode()[:2000]
    layer = ReferenceLayer.objects.get(city=concept.city, name="schulen")
    assert layer.kind == "point" and layer.feature_count == 4 and len(layer.sha256) == 64
    assert services.file_of(layer) is not None

    page = client.get(f"/concepts/{concept.slug}/").content.decode()
    assert "Schulen: Stadt Hoyerswerda, Schulstandorte (Testdaten)" in page
    assert "/concepts/hoy-altstadt/context/schulen.geojson" in page  # the map's layer config carries its URL

    anonymous = Client()
    fc = json.loads(anonymous.get(f"/concepts/{concept.slug}/context/schulen.geojson").content)
    assert len(fc["features"]) == 3  # clipped around the funding area: the school far outside is left out
    assert fc["attribution"] == "Stadt Hoyerswerda, Schulstandorte (Testdaten)"
    assert {f["properties"]["name"] for f in fc["features"]} == {"Schule 0", "Schule 1", "Schule 2"}

    run = AnalysisRun.objects.create(concept=concept, extract="", city_layers=True)
    jobs.execute(run)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE, run.message
    value = IndicatorValue.objects.get(concept=concept, quarter=None, indicator="schools_count")
    assert value.value == 3
    assert "Stadt Hoyerswerda" in value.source


@pytest.mark.parametrize("name, content, expected", [
    ("x.geojson", b"{not json", "kein gültiges JSON ab Zeile 1, Spalte 2"),
    ("x.txt", b"hello", "Unbekanntes Dateiformat"),
    ("x.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
                  b'"geometry": {"type": "Point", "coordinates": [151.2, -33.9]}}]}', "außerhalb Deutschlands"),
    ("x.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
                  b'"geometry": {"type": "Point", "coordinates": [14.25, 51.436]}}, {"type": "Feature", "properties": {}, '
                  b'"geometry": {"type": "LineString", "coordinates": [[14.25, 51.436], [14.26, 51.437]]}}]}', "mischt"),
])
def test_bad_layer_upload_changes_nothing(hoyerswerda, tmp_path, name, content, expected):
    concept, planner = hoyerswerda
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(planner)
    path = tmp_path / name
    path.write_bytes(content)
    response = _upload(client, concept.slug, path)
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not ReferenceLayer.objects.exists()
    assert not (services.store_dir()).exists() or not any(services.store_dir().rglob("*"))


def test_oversized_layer_upload_is_refused_before_reading(hoyerswerda, tmp_path, settings):
    concept, planner = hoyerswerda
    settings.ISEK_UPLOAD_MAX_BYTES = 100
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(planner)
    response = _upload(client, concept.slug, _schools_file(tmp_path))
    assert response.status_code == 400 and "erlaubt sind höchstens 0,0 MB" in response.content.decode()
    assert not ReferenceLayer.objects.exists()


def test_duplicate_layer_name_is_refused(hoyerswerda, tmp_path):
    concept, planner = hoyerswerda
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(planner)
    assert _upload(client, concept.slug, _schools_file(tmp_path)).status_code == 302
    response = _upload(client, concept.slug, _schools_file(tmp_path), label_de="Andere")
    assert response.status_code == 400 and "schon eine Ebene" in response.content.decode()
    assert ReferenceLayer.objects.get().label_de == "Schulen"


def test_delete_removes_record_and_file(hoyerswerda, tmp_path):
    concept, planner = hoyerswerda
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(planner)
    _upload(client, concept.slug, _schools_file(tmp_path))
    layer = ReferenceLayer.objects.get()
    path = services.file_of(layer)
    assert client.post(f"/concepts/{concept.slug}/layers/{layer.pk}/delete/").status_code == 302
    assert not ReferenceLayer.objects.exists() and not path.exists()


def test_layers_of_another_city_are_not_shown(hoyerswerda, tmp_path):
    concept, planner = hoyerswerda
    client = Client()
    client.force_login(planner)
    _upload(client, concept.slug, _schools_file(tmp_path))
    other = ConceptFactory()
    assert client.get(f"/concepts/{other.slug}/context/schulen.geojson").status_code == 404
    assert "schulen.geojson" not in client.get(f"/concepts/{other.slug}/").content.decode()


def test_a_layer_with_swapped_coordinates_is_named_so_in_the_uis_notation(hoyerswerda, tmp_path):
    concept, planner = hoyerswerda
    path = tmp_path / "schulen.geojson"
    path.write_bytes(b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
                     b'"geometry": {"type": "Point", "coordinates": [51.436, 14.25]}}]}')
    for language, expected in (("de", "Koordinaten um 51,44 / 14,25). Breite und Länge vertauscht?"),
                               ("en", "coordinates around 51.44, 14.25). Are latitude and longitude swapped?")):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(planner)
        response = _upload(client, concept.slug, path)
        assert response.status_code == 400 and expected in response.content.decode()
    assert not ReferenceLayer.objects.exists()
