"""Every bad input of the foundation issue: a clear message, and nothing stored."""

import io
import json
import zipfile

import pytest
import shapely
from django.core.management import CommandError, call_command
from django.test import override_settings

from isek.concepts import geoio, importing
from isek.concepts.models import Concept
from isek.core.models import ChangeRecord

BOCHUM_SQUARE = shapely.box(7.214, 51.481, 7.216, 51.482)


@pytest.fixture
def concept(db):
    """A concept in Bochum with one quarter and one measure (no demo needed)."""
    from tests.factories import ConceptFactory, MeasureFactory, QuarterFactory, multipolygon, square

    concept = ConceptFactory(area=multipolygon(square(7.205, 51.475, 2000)))
    QuarterFactory(concept=concept, name="Bestand")
    MeasureFactory(concept=concept, number="2.1")
    return concept


@pytest.fixture
def planner_client(client, concept):
    from tests.factories import member

    client.force_login(member(concept, "planner"))
    return client


def state(concept):
    concept = Concept.objects.get(pk=concept.pk)
    return (
        concept.area.wkt,
        sorted((q.name, q.geometry.wkt) for q in concept.quarters.all()),
        sorted((m.number, m.geometry.wkt if m.geometry else None) for m in concept.measures.all()),
        ChangeRecord.objects.count(),
    )


def rejected(concept, path, kind="quarters", **kwargs):
    before = state(concept)
    with pytest.raises(geoio.GeoFileError) as exc:
        importing.import_file(concept, path, kind, **kwargs)
    assert state(concept) == before, "a rejected file must not change anything"
    return " ".join(exc.value.errors)


def test_invalid_json(concept, tmp_path):
    p = tmp_path / "broken.geojson"
    p.write_text('{"type": "FeatureCollection", "features": [')
    assert "Ungültiges JSON in Zeile 1" in rejected(concept, p)


def test_non_geodata_file_with_geojson_name(concept, tmp_path):
    p = tmp_path / "picture.geojson"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert "kein GeoJSON" in rejected(concept, p)
    q = tmp_path / "list.geojson"
    q.write_text("[1, 2, 3]")
    assert "kein GeoJSON" in rejected(concept, q)


def test_self_crossing_polygon(concept, geofile):
    bowtie = shapely.Polygon([(7.214, 51.481), (7.216, 51.482), (7.216, 51.481), (7.214, 51.482), (7.214, 51.481)])
    p = geofile("bowtie.geojson", [(BOCHUM_SQUARE, {"name": "ok"}), (bowtie, {"name": "Schleife"})])
    msg = rejected(concept, p)
    assert "Objekt 2" in msg and "schneidet sich selbst" in msg
    assert "Objekt 1" not in msg


def test_empty_geometry(concept, tmp_path):
    p = tmp_path / "empty.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "leer"}, "geometry": {"type": "Polygon", "coordinates": []}},
    ]}))
    assert "Objekt 1: die Geometrie ist leer" in rejected(concept, p)


def test_missing_geometry(concept, tmp_path):
    p = tmp_path / "nogeom.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "ohne"}, "geometry": None},
    ]}))
    assert "keine Geometrie" in rejected(concept, p)


def test_wrong_geometry_type_for_slot(concept, geofile):
    p = geofile("points.geojson", [(shapely.Point(7.215, 51.481), {"name": "Punkt"})])
    msg = rejected(concept, p, kind="area")
    assert "Geometrietyp Point passt nicht" in msg


def test_utm_coordinates_declared_as_wgs84(concept, tmp_path):
    # EPSG:25832 metres in a GeoJSON file, which RFC 7946 defines as WGS84.
    p = tmp_path / "utm_as_wgs84.geojson"
    ring = [[376000, 5704500], [376200, 5704500], [376200, 5704700], [376000, 5704700], [376000, 5704500]]
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "falsch"}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
    ]}))
    msg = rejected(concept, p)
    assert "außerhalb Deutschlands" in msg and "Koordinatenreferenzsystem" in msg


def test_file_without_crs(concept, geofile):
    utm = shapely.box(376000, 5704500, 376200, 5704700)
    p = geofile("nocrs.gpkg", [(utm, {"name": "ohne KBS"})], crs=None)
    assert "kein Koordinatenreferenzsystem" in rejected(concept, p)
    # Given the CRS, the same file imports.
    report = importing.import_file(concept, p, "quarters", crs="EPSG:25832")
    assert report.created == 1


def _zip(tmp_path, name, members):
    p = tmp_path / name
    with zipfile.ZipFile(p, "w") as zf:
        for arcname, data in members.items():
            zf.writestr(arcname, data)
    return p


def _shapefile_parts(geofile, crs="EPSG:25832"):
    shp = geofile("q.shp", [(shapely.box(376000, 5704500, 376200, 5704700), {"name": "Shape"})], crs=crs)
    return {ext: shp.with_suffix(ext).read_bytes() for ext in (".shp", ".shx", ".dbf", ".prj") if shp.with_suffix(ext).exists()}


def test_zip_without_prj(concept, geofile, tmp_path):
    parts = _shapefile_parts(geofile)
    p = _zip(tmp_path, "noprj.zip", {f"q{ext}": data for ext, data in parts.items() if ext != ".prj"})
    assert "keine .prj-Datei" in rejected(concept, p)


def test_zip_with_path_traversal(concept, geofile, tmp_path):
    parts = _shapefile_parts(geofile)
    members = {f"q{ext}": data for ext, data in parts.items()}
    members["../../evil.txt"] = b"owned"
    p = _zip(tmp_path, "evil.zip", members)
    assert "Unzulässiger Dateiname" in rejected(concept, p)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_that_is_not_a_zip(concept, tmp_path):
    p = tmp_path / "fake.zip"
    p.write_text("not a zip")
    assert "kein gültiges ZIP" in rejected(concept, p)


def test_valid_zipped_shapefile_imports(concept, geofile, tmp_path):
    parts = _shapefile_parts(geofile)
    p = _zip(tmp_path, "ok.zip", {f"sub/q{ext}": data for ext, data in parts.items()})
    report = importing.import_file(concept, p, "quarters")
    assert report.created == 1 and "25832" in report.source_crs


def test_3d_geometry_is_accepted_with_z_dropped(concept, tmp_path):
    p = tmp_path / "z.geojson"
    ring = [[7.214, 51.481, 90], [7.216, 51.481, 91], [7.216, 51.482, 92], [7.214, 51.482, 90], [7.214, 51.481, 90]]
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Höhe"}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
    ]}))
    report = importing.import_file(concept, p, "quarters")
    assert report.created == 1
    assert any("Höhenwerte (Z)" in w.render() and "verworfen" in w.render() for w in report.warnings)
    q = concept.quarters.get(name="Höhe")
    assert not q.geometry.hasz


@override_settings(ISEK_UPLOAD_MAX_BYTES=1000)
def test_file_over_size_limit(concept, geofile):
    rows = [(shapely.box(7.214 + i * 1e-4, 51.481, 7.2141 + i * 1e-4, 51.4811), {"name": f"q{i}"}) for i in range(30)]
    p = geofile("big.geojson", rows)
    assert p.stat().st_size > 1000
    assert "erlaubt sind höchstens" in rejected(concept, p)


def test_unknown_suffix(concept, tmp_path):
    p = tmp_path / "data.kml"
    p.write_text("<kml/>")
    assert "Unbekanntes Dateiformat" in rejected(concept, p)


def test_duplicate_quarter_names_in_one_file(concept, geofile):
    p = geofile("dup.geojson", [(BOCHUM_SQUARE, {"name": "A"}), (BOCHUM_SQUARE, {"name": "A"})])
    assert "kommt schon in Objekt 1 vor" in rejected(concept, p)


def test_unknown_measure_without_title(concept, geofile):
    p = geofile("m.geojson", [(shapely.Point(7.215, 51.481), {"number": "9.9"})])
    assert "Maßnahme 9.9 gibt es im Konzept noch nicht" in rejected(concept, p, kind="measures")


def test_one_bad_feature_stores_nothing_of_the_good_ones(concept, geofile):
    good = [(shapely.box(7.214, 51.481 + i * 1e-3, 7.215, 51.4815 + i * 1e-3), {"name": f"neu{i}"}) for i in range(3)]
    bad = (shapely.Point(7.215, 51.481), {"name": "Punkt"})
    p = geofile("mixed.geojson", good + [bad])
    msg = rejected(concept, p)
    assert "Objekt 4" in msg
    assert not concept.quarters.filter(name__startswith="neu").exists()


def test_command_line_reports_errors_and_stores_nothing(concept, tmp_path):
    p = tmp_path / "broken.geojson"
    p.write_text("{oops")
    before = state(concept)
    with pytest.raises(CommandError) as exc:
        call_command("import_geodata", concept.slug, str(p), kind="quarters")
    assert "Nicht importiert, nichts gespeichert" in str(exc.value) and "Ungültiges JSON" in str(exc.value)
    assert state(concept) == before


def test_command_line_unknown_concept(db, tmp_path):
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command("import_geodata", "nirgendwo", str(tmp_path / "x.geojson"), kind="area")


def test_upload_of_bad_file_shows_errors_and_stores_nothing(planner_client, concept):
    before = state(concept)
    f = io.BytesIO(b'{"type": "FeatureCollection", "features": [')
    f.name = "kaputt.geojson"
    r = planner_client.post(f"/concepts/{concept.slug}/import/", {"kind": "quarters", "file": f, "crs": ""})
    assert r.status_code == 400
    body = r.content.decode()
    assert "Die Datei wurde nicht importiert" in body and "Ungültiges JSON" in body
    assert state(concept) == before


@override_settings(ISEK_UPLOAD_MAX_BYTES=100)
def test_upload_over_size_limit(planner_client, concept):
    before = state(concept)
    f = io.BytesIO(b" " * 500)
    f.name = "gross.geojson"
    r = planner_client.post(f"/concepts/{concept.slug}/import/", {"kind": "area", "file": f})
    assert r.status_code == 400 and "erlaubt sind höchstens" in r.content.decode()
    assert state(concept) == before


@pytest.mark.parametrize("depth", [100_000])
def test_deeply_nested_json_gets_a_message_not_a_traceback(db, tmp_path, depth):
    from django.core.management import CommandError, call_command

    from tests.factories import ConceptFactory

    concept = ConceptFactory()
    path = tmp_path / "deep.geojson"
    path.write_text("[" * depth + "]" * depth)
    with pytest.raises(CommandError) as exc:
        call_command("import_geodata", concept.slug, str(path), "--as", "area")
    assert "zu tief verschachtelt" in str(exc.value)
    concept.refresh_from_db()
    assert concept.quarters.count() == 0


def test_deeply_nested_geometry_in_the_map_form_is_refused(db):
    from isek.web.forms import GeoJSONGeometryField

    with pytest.raises(Exception) as exc:
        GeoJSONGeometryField().clean("[" * 100_000 + "]" * 100_000)
    assert exc.type.__name__ == "ValidationError"


def test_import_errors_read_in_english(db, tmp_path):
    from django.test import Client

    from tests.factories import ConceptFactory, member

    concept = ConceptFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member(concept, "planner"))
    path = tmp_path / "x.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
                    '"geometry": {"type": "Point", "coordinates": [151.2, -33.9]}}]}')
    with open(path, "rb") as fh:
        response = client.post(f"/concepts/{concept.slug}/import/", {"kind": "measures", "file": fh})
    text = response.content.decode()
    assert response.status_code == 400
    assert "Feature 1: lies outside Germany" in text and "Objekt 1" not in text
