"""The judges of an OGC API – Features: GDAL's OAPIF driver (as QGIS uses it) and OWSLib read every
collection from a live server on loopback. Layer list, feature counts and geometries equal the
database's; in EPSG:25832 the coordinates equal the database's within 1 mm. GDAL runs in a
subprocess (tests/api/gdal_reader.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import shapely
from django.contrib.gis.geos import GEOSGeometry

from isek.concepts.models import Measure, Quarter

READER = Path(__file__).with_name("gdal_reader.py")


def gdal(url: str, crs: str = "", only: str = "") -> dict:
    done = subprocess.run([sys.executable, str(READER), url, crs, only], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _db(model_qs, field="geometry") -> dict[int, shapely.Geometry]:
    return {o.pk: shapely.from_wkb(bytes(getattr(o, field).wkb)) for o in model_qs}


def test_gdal_reads_every_collection_as_stored(live_demo):
    base, concept = live_demo
    layers = gdal(f"{base}/ogc/")
    from django.test import Client

    from tests.api.test_ogc import js  # noqa: F401  (same answers as the client tests)

    ids = {c["id"] for c in js(Client().get("/ogc/collections"))["collections"]}
    assert set(layers) == ids
    expected = {
        f"{concept.slug}.measures": _db(Measure.objects.filter(concept=concept).exclude(geometry=None)),
        f"{concept.slug}.quarters": _db(Quarter.objects.filter(concept=concept)),
        f"{concept.slug}.area": {concept.pk: shapely.from_wkb(bytes(concept.area.wkb))},
    }
    from isek.geodata.models import ReferenceLayer
    from isek.geodata.services import layer_features
    from isek.participation.models import Idea
    from isek.participation.services import PUBLIC_STATUSES

    ideas = Idea.objects.filter(phase__concept=concept, status__in=PUBLIC_STATUSES)
    expected[f"{concept.slug}.ideas"] = _db(ideas)
    for name, want in expected.items():
        got = {fid: shapely.from_wkb(bytes.fromhex(w)) for fid, w in zip(layers[name]["fids"], layers[name]["wkb"])}
        assert set(got) == set(want), name
        for fid, g in want.items():
            assert got[fid].normalize().equals_exact(g.normalize(), 1e-9), (name, fid)
    for name in ids - set(expected):  # the city's reference layers: as many features as their files
        layer = ReferenceLayer.objects.get(city=concept.city, name=name.split(".layer.", 1)[1])
        assert len(layers[name]["fids"]) == len(layer_features(None, concept, layer)) > 0, name


def test_gdal_reads_in_etrs89_utm_within_a_millimetre(live_demo):
    base, concept = live_demo
    name = f"{concept.slug}.measures"
    layer = gdal(f"{base}/ogc/", "EPSG:25832", name)[name]
    assert "25832" in (layer["crs"] or "")
    for fid, w in zip(layer["fids"], layer["wkb"]):
        stored = Measure.objects.get(pk=fid).geometry
        want = shapely.from_wkb(bytes(GEOSGeometry(stored.wkb, srid=4326).transform(25832, clone=True).wkb))
        got = shapely.from_wkb(bytes.fromhex(w))
        assert got.equals_exact(want, 0.001), fid


def test_owslib_reads_the_same(live_demo):
    from owslib.ogcapi.features import Features

    base, concept = live_demo
    api = Features(f"{base}/ogc/")
    ids = [c["id"] for c in api.collections()["collections"]]
    assert f"{concept.slug}.measures" in ids
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in api.conformance()["conformsTo"]
    items = api.collection_items(f"{concept.slug}.measures", limit=1000)
    assert items["numberMatched"] == Measure.objects.filter(concept=concept).exclude(geometry=None).count()
    assert {f["id"] for f in items["features"]} == set(
        Measure.objects.filter(concept=concept).exclude(geometry=None).values_list("pk", flat=True))
    q = api.collection_queryables(f"{concept.slug}.measures")
    assert "number" in q["properties"]
