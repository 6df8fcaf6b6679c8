"""Round trips through the import and export of whole concepts."""

import json

import pyogrio
import pytest
import shapely
from django.core.management import call_command

from isek.api import package
from isek.concepts import importing
from isek.concepts.models import Measure
from isek.core import geo


def test_gpkg_in_utm32_round_trip_keeps_areas(bochum, geofile, tmp_path):
    """A GeoPackage in EPSG:25832 imports and exports with areas equal within 0.01 %."""
    # Quarters as drawn by a city's GIS in UTM 32N, with an inner ring.
    outer = shapely.Polygon(
        [(375800, 5704300), (376400, 5704300), (376400, 5704800), (375800, 5704800)],
        holes=[[(375900, 5704400), (376000, 5704400), (376000, 5704500), (375900, 5704500)]],
    )
    second = shapely.box(376400, 5704300, 376700, 5704800)
    src = geofile("quarters.gpkg", [(outer, {"name": "West", "colour": "#123456"}),
                                    (second, {"name": "Ost", "colour": "#654321"})],
                  crs="EPSG:25832", layer="quarters")
    report = importing.import_file(bochum, src, "quarters")
    assert (report.created, report.updated) == (2, 0)
    assert bochum.quarters.get(name="West").colour == "#123456"

    out = tmp_path / "export.gpkg"
    call_command("export_concept", "bochum-innenstadt", gpkg=str(out))
    assert {"area", "measures", "quarters"} <= set(pyogrio.list_layers(out)[:, 0])
    meta, _, wkb, fields = pyogrio.raw.read(out, layer="quarters")
    assert "25832" in meta["crs"]
    names = list(fields[list(meta["fields"]).index("name")])
    exported = {n: shapely.from_wkb(w).area for n, w in zip(names, wkb)}
    assert exported["West"] == pytest.approx(outer.area, rel=1e-4)
    assert exported["Ost"] == pytest.approx(second.area, rel=1e-4)
    # The stored quarter (WGS84) gives the same area computed in EPSG:25832.
    assert bochum.quarters.get(name="West").area_m2 == pytest.approx(outer.area, rel=1e-4)


def test_exported_gpkg_imports_again(bochum, tmp_path):
    out = tmp_path / "all.gpkg"
    package.export_gpkg(bochum, out)
    area_before = bochum.area_m2
    husemann = Measure.objects.get(concept=bochum, number="2.1")
    husemann.geometry = geo.to_django(shapely.Point(7.2, 51.48))
    husemann.save()
    importing.import_file(bochum, out, "area")  # picks the layer named 'area'
    report = importing.import_file(bochum, out, "measures")
    assert report.updated == bochum.measures.exclude(geometry=None).count()
    bochum.refresh_from_db()
    assert bochum.area_m2 == pytest.approx(area_before, rel=1e-4)
    husemann.refresh_from_db()
    assert husemann.geometry.geom_type == "Polygon"
    assert geo.area_m2(geo.from_django(husemann.geometry)) == pytest.approx(6460, rel=0.02)


def test_a_measure_without_geometry_is_skipped_with_a_note(bochum, geofile):
    """Measures need not be located (the open-data GeoPackage has them all): such a row is left out
    with a note; for area and quarters it stays an error (test_import_bad_input)."""
    src = geofile("m.geojson", [(shapely.Point(7.2160, 51.4815), {"number": "2.1"}), (None, {"number": "2.2"})])
    before = Measure.objects.get(concept=bochum, number="2.2").geometry
    report = importing.import_file(bochum, src, "measures")
    assert report.updated == 1
    assert [w.render() for w in report.warnings] == ["Objekt 2: keine Geometrie, übergangen."]
    assert Measure.objects.get(concept=bochum, number="2.2").geometry == before


def test_geojson_export_is_wgs84_feature_collection(bochum, tmp_path):
    out = tmp_path / "all.geojson"
    call_command("export_concept", "bochum-innenstadt", geojson=str(out))
    data = json.loads(out.read_text())
    kinds = [f["properties"]["kind"] for f in data["features"]]
    assert kinds.count("area") == 1
    assert kinds.count("quarter") == bochum.quarters.count()
    assert kinds.count("measure") == bochum.measures.count()
    area = next(f for f in data["features"] if f["properties"]["kind"] == "area")
    lon, lat = shapely.geometry.shape(area["geometry"]).centroid.coords[0]
    assert 7.1 < lon < 7.3 and 51.4 < lat < 51.6


def test_measures_import_creates_and_updates_by_number(bochum, geofile):
    src = geofile("m.geojson", [
        (shapely.Point(7.2160, 51.4815), {"number": "2.1"}),
        (shapely.LineString([(7.214, 51.48), (7.216, 51.481)]), {"number": "7.1", "title": "Neue Fußwegeachse", "field": "3"}),
    ])
    report = importing.import_file(bochum, src, "measures")
    assert (report.created, report.updated) == (1, 1)
    new = Measure.objects.get(concept=bochum, number="7.1")
    assert new.primary_field.number == 3 and new.geometry.geom_type == "LineString"
    assert Measure.objects.get(concept=bochum, number="2.1").geometry.geom_type == "Point"


def test_command_line_import(bochum, geofile, capsys):
    src = geofile("area.geojson", [(shapely.box(7.21, 51.478, 7.225, 51.487), {})])
    call_command("import_geodata", "bochum-innenstadt", str(src), kind="area")
    assert "area: Fördergebiet übernommen" in capsys.readouterr().out
    bochum.refresh_from_db()
    expected = geo.area_m2(shapely.box(7.21, 51.478, 7.225, 51.487))
    assert bochum.area_m2 == pytest.approx(expected, rel=1e-6)
    assert 1.0e6 < expected < 1.2e6
