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
    assert "Die Datei ist kein GeoJSON (kein gültiges JSON ab Zeile 1, Spalte 44)." in rejected(concept, p)


def test_pdf_renamed_to_geojson_gets_a_german_message(concept, tmp_path):
    p = tmp_path / "plan.geojson"
    p.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
    msg = rejected(concept, p)
    assert msg == "Die Datei ist kein GeoJSON (kein gültiges JSON ab Zeile 1, Spalte 1)."
    assert "Expecting" not in msg


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


UTM_RING = [[376000, 5704500], [376200, 5704500], [376200, 5704700], [376000, 5704700], [376000, 5704500]]


def _geojson(tmp_path, ring, crs_member=None, name="utm.geojson"):
    """A GeoJSON polygon as other programs write it: EPSG:25832 metres, with or without "crs"."""
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Quartier"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    if crs_member:
        data["crs"] = {"type": "name", "properties": {"name": crs_member}}
    p = tmp_path / name
    p.write_text(json.dumps(data))
    return p


def test_utm_geojson_without_crs_asks_for_the_crs(concept, tmp_path):
    # RFC 7946 GeoJSON is WGS84; these are EPSG:25832 metres and the file declares nothing.
    msg = rejected(concept, _geojson(tmp_path, UTM_RING))
    assert "sehen aus wie UTM-Koordinaten (EPSG:25832 oder 25833?)" in msg
    assert "erklärt" not in msg and "außerhalb Deutschlands" not in msg


def test_other_non_degree_coordinates_without_crs_ask_for_the_crs(concept, tmp_path):
    gauss_krueger = [[2580000, 5710000], [2580200, 5710000], [2580200, 5710200], [2580000, 5710000]]
    msg = rejected(concept, _geojson(tmp_path, gauss_krueger))
    assert "keine Längen und Breiten" in msg and "Bitte das Koordinatenreferenzsystem angeben" in msg
    assert "UTM" not in msg


def test_utm_geojson_without_crs_imports_with_the_given_crs(concept, tmp_path):
    report = importing.import_file(concept, _geojson(tmp_path, UTM_RING), "quarters", crs="EPSG:25832")
    assert report.created == 1 and report.source_crs == "EPSG:25832"
    q = concept.quarters.get(name="Quartier")
    assert 7.2 < q.geometry.centroid.x < 7.25 and 51.47 < q.geometry.centroid.y < 51.49


def test_geojson_declaring_its_crs_keeps_it(concept, tmp_path):
    declared = _geojson(tmp_path, UTM_RING, crs_member="urn:ogc:def:crs:EPSG::25832")
    assert importing.import_file(concept, declared, "quarters").created == 1
    msg = rejected(concept, declared, crs="EPSG:25833")
    assert "Die Datei erklärt das KBS EPSG:25832, angegeben wurde EPSG:25833" in msg


def test_utm_coordinates_in_a_wgs84_geojson_outside_germany(concept, tmp_path):
    # Degrees, but far from Germany: the CRS assumed for a GeoJSON without one is named as assumed.
    msg = rejected(concept, _geojson(tmp_path, [[151.2, -33.9], [151.3, -33.9], [151.3, -33.8], [151.2, -33.9]]))
    assert "außerhalb Deutschlands" in msg and "keins angibt, gilt WGS84" in msg and "erklärt" not in msg


def test_upload_page_takes_the_crs_for_a_geojson_without_one(planner_client, concept, tmp_path):
    path = _geojson(tmp_path, UTM_RING)
    with open(path, "rb") as fh:
        r = planner_client.post(f"/concepts/{concept.slug}/import/", {"kind": "quarters", "file": fh, "crs": ""})
    assert r.status_code == 400 and "sehen aus wie UTM-Koordinaten" in r.content.decode()
    with open(path, "rb") as fh:
        r = planner_client.post(f"/concepts/{concept.slug}/import/", {"kind": "quarters", "file": fh, "crs": "EPSG:25832"})
    assert r.status_code == 302
    assert concept.quarters.filter(name="Quartier").exists()


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
    p = tmp_path / "data.dxf"
    p.write_text("0\nSECTION")
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
    assert "Nicht importiert, nichts gespeichert" in str(exc.value) and "kein gültiges JSON ab Zeile 1, Spalte 2" in str(exc.value)
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
    assert "Die Datei wurde nicht importiert" in body and "kein gültiges JSON ab Zeile 1, Spalte 44" in body
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


BERLIN_SWAPPED = [[52.513, 13.335], [52.513, 13.352], [52.52, 13.352], [52.52, 13.335], [52.513, 13.335]]


def _post(client, slug, path, language="de"):
    with open(path, "rb") as fh:
        return client.post(f"/concepts/{slug}/import/", {"kind": "area", "file": fh, "crs": ""},
                           HTTP_ACCEPT_LANGUAGE=language)


def test_a_geojson_with_latitude_and_longitude_swapped_is_named_so(planner_client, concept, tmp_path):
    """The Berlin tester's Hansaviertel, written latitude first: the message says the coordinates
    seem swapped (swapped, they lie in Germany), with coordinates in the notation of the UI."""
    path = _geojson(tmp_path, BERLIN_SWAPPED)
    before = state(concept)
    r = _post(planner_client, concept.slug, path)
    html = r.content.decode()
    assert r.status_code == 400 and "Breite und Länge vertauscht?" in html
    assert "Koordinaten um 52,52 / 13,34" in html and "52.52" not in html
    assert state(concept) == before
    html = _post(planner_client, concept.slug, path, "en").content.decode()
    assert "52.52, 13.34" in html and "Are latitude and longitude swapped?" in html


def test_far_away_degrees_are_not_taken_for_swapped_ones(concept, tmp_path):
    msg = rejected(concept, _geojson(tmp_path, [[151.2, -33.9], [151.3, -33.9], [151.3, -33.8], [151.2, -33.9]]))
    assert "außerhalb Deutschlands" in msg and "vertauscht" not in msg


def test_a_kml_file_is_refused_with_how_to_convert_it(planner_client, concept, tmp_path):
    path = tmp_path / "hansaviertel.kml"
    path.write_text('<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>')
    before = state(concept)
    html = _post(planner_client, concept.slug, path).content.decode()
    assert "ogr2ogr -f GeoJSON hansaviertel.geojson hansaviertel.kml" in html and "QGIS" in html
    assert state(concept) == before


@pytest.mark.parametrize("had, expected", [("", "Fördergebiet Altstadt Lauf"), ("Sanierungsgebiet Altstadt", "Sanierungsgebiet Altstadt")])
def test_the_area_takes_the_files_name_where_the_concept_has_none(concept, tmp_path, had, expected):
    """A walk in Lauf: the area file's feature was named, the ISEK PDF printed "Fördergebiet –"."""
    Concept.objects.filter(pk=concept.pk).update(area_name=had)
    ring = [[7.2, 51.47], [7.21, 51.47], [7.21, 51.48], [7.2, 51.48], [7.2, 51.47]]
    p = tmp_path / "gebiet.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Fördergebiet Altstadt Lauf"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    importing.import_file(Concept.objects.get(pk=concept.pk), p, "area")
    assert Concept.objects.get(pk=concept.pk).area_name == expected


def test_the_report_says_in_which_crs_the_area_was_read_not_that_the_file_named_it(concept, tmp_path):
    """A walk in Lauf: the CRS typed into the form was reported as "KBS der Datei"."""
    ring = [[369000, 5705000], [370000, 5705000], [370000, 5706000], [369000, 5706000], [369000, 5705000]]
    p = tmp_path / "gebiet.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    report = importing.import_file(Concept.objects.get(pk=concept.pk), p, "area", crs="EPSG:25832")
    assert report.summary() == "Fördergebiet übernommen (gelesen in EPSG:25832)"
