"""The Bochum demo: public facts with sources, approximations labelled, real context layers."""

import json

import pytest
from django.core.management import call_command

from isek.concepts.models import Measure
from isek.core import geo
from isek.demo import loader
from isek.geodata import services as geodata
from tests.procedure import cheap_documents

NAMED = {
    "5.1": "Haus des Wissens", "2.1": "Husemannplatz", "1.1": "Boulevard", "2.2": "Freiraumkonzept",
    "4.1": "nördlichen Innenstadt", "3.1": "Innenstadtring", "1.2": "Hof- und Fassadenprogramm",
    "5.2": "Verfügungsfonds", "4.2": "Quartiersmanagement",
}


def test_demo_concept_facts(bochum):
    assert bochum.slug == "bochum-innenstadt" and bochum.city.ags == "05911000"
    assert bochum.programme == "lebendige_zentren" and bochum.is_public
    assert bochum.area_m2 == pytest.approx(1_250_000, rel=0.005)
    assert bochum.area_approximated and "Angenäherte Abgrenzung" in bochum.area_source
    assert [f.name for f in bochum.fields_of_action.all()] == [
        "Stadtbild & Image", "Plätze & Freiräume", "Mobilität", "Wohnen & Quartier", "Handel & Kultur",
        "Gesundheit & Bildung"]
    for number, words in NAMED.items():
        assert words in Measure.objects.get(concept=bochum, number=number).title


def test_every_measure_cites_sources_and_labels_approximations(bochum):
    for m in bochum.measures.all():
        evidence = {s.evidence for s in m.sources.all()}
        assert evidence & {"official", "press"}, m
        assert "illustrative" in evidence, m
        if m.geometry is not None:
            assert m.geometry_approximated and m.geometry_source, m
        if m.estimated_cost is not None:
            assert m.figures_source.startswith(("Presse", "Amtlich")), m
    assert all(q.approximated for q in bochum.quarters.all())
    assert all(g.illustrative for g in bochum.goals.all())


def test_husemannplatz_has_its_public_size(bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    assert m.size[0] == "area" and m.size[1] == pytest.approx(6500, rel=0.02)


def test_quarters_tile_the_area(bochum):
    total = sum(q.area_m2 for q in bochum.quarters.all())
    assert total == pytest.approx(bochum.area_m2, rel=1e-3)
    import shapely
    union = shapely.union_all([geo.from_django(q.geometry) for q in bochum.quarters.all()])
    assert geo.area_m2(union) == pytest.approx(bochum.area_m2, rel=1e-3)


def test_loading_twice_replaces_the_demo(bochum):
    again = loader.load()
    assert again.pk != bochum.pk and again.measures.count() == 10


def test_demo_command_loads_and_prints_login(db, capsys):
    with cheap_documents():  # the applications' PDFs (half a minute) are tests/procedure's
        call_command("demo", no_serve=True)
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/concepts/bochum-innenstadt/" in out
    line = next(ln for ln in out.splitlines() if "Anmeldung Planung" in ln)
    password = line.split("Passwort")[1].strip()
    assert len(password) >= 12
    from django.contrib.auth import authenticate
    assert authenticate(username="planerin", password=password) is not None
    # Bochum's funding authority with its district and a demo reviewer (decision 0050)
    line = next(ln for ln in out.splitlines() if "Anmeldung Bewilligungsbehörde" in ln)
    password = line.split("Passwort")[1].split()[0]
    reviewer = authenticate(username="bezreg-arnsberg", password=password)
    assert len(password) >= 12 and reviewer is not None and "Demo-Zugang" in line
    from isek import access
    from isek.concepts import services as concepts

    bochum = concepts.concept_by_slug("bochum-innenstadt")
    authority = concepts.authority_of(bochum.city)
    assert authority.name == "Bezirksregierung Arnsberg" and list(authority.prefixes.values_list("prefix", flat=True)) == ["059"]
    assert "Destatis" in authority.source and "illustrativ" in authority.source
    assert access.role_of(reviewer, bochum) == access.Role.AUTHORITY
    # the funding procedure's example (issue #23 point 7): where to see it, and the SAB's login
    app = bochum.applications.get(state="approved")
    assert f"http://127.0.0.1:8000/concepts/bochum-innenstadt/applications/{app.pk}/" in out
    assert f"http://127.0.0.1:8000/authorities/{authority.pk}/portfolio/" in out
    line = next(ln for ln in out.splitlines() if "Anmeldung SAB" in ln)
    assert authenticate(username="sab-pruefer", password=line.split("Passwort")[1].split()[0]) is not None
    # which login is the installation's administrator (sup22, point 4)
    line = next(ln for ln in out.splitlines() if "Anmeldung Verwaltung" in ln)
    assert "Verwaltung (Administrator der Installation)" in line
    admin = authenticate(username="verwaltung", password=line.split("Passwort")[1].split()[0])
    assert admin is not None and admin.is_superuser


@pytest.mark.parametrize("name, expected", [
    ("schools", 43), ("stolpersteine", 164), ("playgrounds", 18), ("daycare", 6),
])
def test_city_layers_are_real_and_reprojected(bochum, name, expected):
    # The inner-city test box of SOURCES.md holds this many features of each layer.
    layer = bochum.city.reference_layers.get(name=name)
    data = json.loads(geodata.layer_geojson(layer, (7.205, 51.475, 7.230, 51.490)))
    assert len(data["features"]) == expected
    assert data["attribution"].startswith("Stadt Bochum") and data["licence"] == "CC0-1.0"


def test_stop_layer_from_gtfs(bochum):
    data = json.loads(geodata.layer_geojson(bochum.city.reference_layers.get(name="stops")))
    names = {f["properties"]["name"] for f in data["features"]}
    assert {"Bochum Rathaus", "Bochum Hbf", "Bochum Südring"} <= names
    assert all(7.0 < f["geometry"]["coordinates"][0] < 7.5 for f in data["features"])


def test_missing_context_layers_are_reported(bochum, tmp_path, settings, capsys):
    settings.ISEK_DATA_DIRS = [tmp_path]
    try:
        r = __import__("django.test", fromlist=["Client"]).Client(HTTP_ACCEPT_LANGUAGE="de")
        page = r.get("/concepts/bochum-innenstadt/").content.decode()
        assert "Nicht alle Kontextebenen sind vorhanden" in page and "isek data fetch" in page
        resp = r.get("/concepts/bochum-innenstadt/context/schools.geojson")
        assert resp.status_code == 404 and "isek data fetch" in resp.content.decode()
        with cheap_documents():
            call_command("demo", no_serve=True)
        assert "Kontextebenen fehlen" in capsys.readouterr().out
    finally:
        geodata._geojson.cache_clear()


def test_hoyerswerda_is_the_second_city_with_its_own_base_map_and_analysis(db, settings, tmp_path):
    """Hoyerswerda is loaded the way a new city starts (template, draft made public), with the base
    map and the analysis from its real Altstadt extract; everything invented is labelled."""
    from isek.analysis.models import AnalysisRun, IndicatorValue
    from isek.demo import loader
    from isek.geodata.models import BaseMap
    from isek.monitoring import readiness

    settings.VAR_DIR = str(tmp_path / "var")
    concept = loader.load_hoyerswerda()
    assert concept.city.ags == "14625240" and concept.city.land == "Sachsen"
    assert concept.working_srid == 25833 and 0.80 < concept.area_km2 < 0.83  # 1.15 km × 0.71 km
    assert concept.area_approximated and "illustrativ" in concept.area_source
    assert "kein ISEK der Stadt Hoyerswerda" in concept.summary
    assert concept.fields_of_action.count() == 8  # the general template
    measures = list(concept.measures.all())
    assert len(measures) == 5
    assert all(m.geometry_approximated and m.figures_approximated for m in measures)
    assert all(m.sources.filter(evidence="illustrative").exists() for m in measures)
    assert BaseMap.objects.get(city=concept.city).status == BaseMap.Status.DONE
    run = AnalysisRun.objects.get(concept=concept)
    assert run.status == AnalysisRun.Status.DONE and run.extract.endswith("-cut.osm.pbf")
    buildings = IndicatorValue.objects.get(concept=concept, quarter=None, indicator="building_count")
    assert buildings.value > 100
    open_items = {i.key for i in readiness.check(concept) if i.open}
    assert "analysis" not in open_items
    # a draft: texts and money still to come; its goals are the template's suggestions (illustrative), not yet confirmed
    assert {"swot", "mission", "measures", "structure"} <= open_items
    assert all(g.illustrative for g in concept.goals.all())
