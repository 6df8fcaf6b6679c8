"""Geometry text pasted into every form with a geometry field (funding area, quarter, measure,
participation phase, a citizen's idea): the content of a .geojson file (a FeatureCollection), a
place copied from a map service ("Breite, Länge"), or something that is neither. Each is taken, or
answered with a clear German message on the form that keeps every other input – never a 500
(a Köln planner's usability test)."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

import altcha
import pytest
import shapely
from django.test import Client
from django.utils import timezone

from isek import access
from isek.concepts.models import Concept, Measure, Quarter
from isek.participation import services as participation
from isek.participation.models import Idea, Phase
from tests.factories import ConceptFactory, FieldFactory, legal_texts_filled, member, multipolygon, square

LAT, LON = 50.947696, 6.921774  # Köln, Neumarkt: as people copy it from a map service (latitude first)


def _box(dx: float, w: float = 0.0005) -> dict:
    """A small square inside the concept's area (which starts at LON - 0.002, LAT - 0.002)."""
    return json.loads(shapely.to_geojson(shapely.box(LON + dx, LAT, LON + dx + w, LAT + w)))


def _collection(*geometries) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": f"Teil {i}"}, "geometry": g} for i, g in enumerate(geometries)]})


@dataclass(frozen=True)
class Form:
    name: str
    who: str  # "planner" or "citizen"
    path: str
    field: str  # the geometry field
    kept: tuple[str, str]  # another field and its value, which the form keeps on an error
    multi: bool  # takes a MultiPolygon
    point: bool  # takes a point

    def data(self, ctx, geometry: str) -> dict:
        return {**ctx["fields"][self.name](), self.field: geometry, self.kept[0]: self.kept[1]}


FORMS = [
    Form("concept area", "planner", "edit/", "area", ("area_name", "Rund um den Neumarkt"), True, False),
    Form("quarter", "planner", "quarters/new/", "geometry", ("name", "Neumarkt-Viertel"), True, False),
    Form("measure", "planner", "measures/new/", "geometry", ("title", "Umgestaltung Neumarkt"), True, True),
    Form("phase", "planner", "participation/phases/new/", "polygon", ("title_de", "Ideen für den Neumarkt"), True,
         False),
    Form("idea (citizen)", "citizen", "participation/ideas/new/", "geometry", ("title", "Mehr Schatten am Neumarkt"),
         False, True),
]


@pytest.fixture
def ctx(db, settings):
    settings.ISEK_POW_COST = 20
    concept = ConceptFactory(slug="koeln", area=multipolygon(square(LON - 0.002, LAT - 0.002, 1000)))
    field = FieldFactory(concept=concept, number=1)
    legal_texts_filled(concept.city)
    now = timezone.now()
    phase = participation.save_phase(access.Operator("test"), concept, title_de="Beteiligung Neumarkt",
                                     start=now - datetime.timedelta(days=1), end=now + datetime.timedelta(days=30),
                                     themes=[("Plätze", "Squares", "#2e7d32")])
    clients = {"planner": Client(HTTP_ACCEPT_LANGUAGE="de"), "citizen": Client(HTTP_ACCEPT_LANGUAGE="de")}
    clients["planner"].force_login(member(concept, "planner"))

    def solved():
        data = clients["citizen"].get(f"/concepts/{concept.slug}/participation/challenge/").json()
        challenge = altcha.v2.Challenge.from_dict(data)
        return altcha.v2.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()

    local = timezone.localtime()
    fields = {
        "concept area": lambda: {"name": concept.name, "programme": concept.programme, "legal_basis": concept.legal_basis,
                                 "start_year": 2024, "end_year": 2032, "status": concept.status},
        "quarter": lambda: {"colour": "#123456"},
        "measure": lambda: {"number": "1.5", "primary_field": field.pk, "priority": 2, "status": "idea", "progress": 0,
                            "ms-TOTAL_FORMS": 0, "ms-INITIAL_FORMS": 0, "ms-MIN_NUM_FORMS": 0, "ms-MAX_NUM_FORMS": 1000},
        "phase": lambda: {"start": (local - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
                          "end": (local + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"), "ideas_open": "on",
                          "moderation": "before", "report_threshold": "3", "retention_days": "90",
                          "themes": "Plätze | Squares | #2e7d32"},
        "idea (citizen)": lambda: {"theme": str(phase.themes.get().pk), "text": "Am Platz fehlt Schatten.",
                                   "altcha": solved()},
    }
    return {"concept": concept, "clients": clients, "fields": fields}


def _post(ctx, form: Form, geometry: str):
    r = ctx["clients"][form.who].post(f"/concepts/{ctx['concept'].slug}/{form.path}", form.data(ctx, geometry))
    assert r.status_code in (302, 400), (r.status_code, r.content.decode()[:2000])
    return r


def _stored(ctx, form: Form):
    """The geometry the form stored (shapely), or None."""
    concept = ctx["concept"]
    value = {
        "concept area": lambda: Concept.objects.get(pk=concept.pk).area if Concept.objects.get(
            pk=concept.pk).area_name == form.kept[1] else None,
        "quarter": lambda: getattr(Quarter.objects.filter(concept=concept, name=form.kept[1]).first(), "geometry", None),
        "measure": lambda: getattr(Measure.objects.filter(concept=concept, title=form.kept[1]).first(), "geometry", None),
        "phase": lambda: getattr(Phase.objects.filter(concept=concept, title_de=form.kept[1]).first(), "polygon", None),
        "idea (citizen)": lambda: getattr(Idea.objects.filter(title=form.kept[1]).first(), "geometry", None),
    }[form.name]()
    return None if value is None else shapely.from_wkb(bytes(value.wkb))


def _refused(r, form: Form, message: str) -> None:
    """Refused with ``message`` at the form, every other input kept."""
    page = r.content.decode()
    assert r.status_code == 400, page[:2000]
    assert message in page, page[:4000]
    assert f'value="{form.kept[1]}"' in page, "the form lost the other input"


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_a_feature_collection_of_one_feature_is_its_geometry(ctx, form):
    r = _post(ctx, form, _collection(_box(0.0)))
    assert r.status_code == 302
    assert _stored(ctx, form).equals(shapely.geometry.shape(_box(0.0)))


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_a_feature_collection_of_several_areas(ctx, form):
    """Several polygons: one MultiPolygon where the field takes it, else a message saying how many."""
    r = _post(ctx, form, _collection(_box(0.0), _box(0.001)))
    if form.multi:
        assert r.status_code == 302
        stored = _stored(ctx, form)
        assert stored.geom_type == "MultiPolygon" and len(stored.geoms) == 2
        assert stored.equals(shapely.MultiPolygon([shapely.geometry.shape(_box(0.0)), shapely.geometry.shape(_box(0.001))]))
    else:
        _refused(r, form, "Die Datei enthält 2 Orte; bitte nur einen einfügen")
        assert _stored(ctx, form) is None


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_an_empty_feature_collection_is_refused(ctx, form):
    r = _post(ctx, form, json.dumps({"type": "FeatureCollection", "features": []}))
    _refused(r, form, "Die FeatureCollection enthält keine Features.")
    assert _stored(ctx, form) is None


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
@pytest.mark.parametrize("garbage", [
    '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": 5}}]}',
    '{"type": "FeatureCollection", "features": "keine"}', '{"type": "Feature", "geometry": {"type": "Kreis"}}',
    "Neumarkt, Köln", "{{{"], ids=["bad coordinates", "features not a list", "unknown type", "words", "not JSON"])
def test_garbage_is_refused_with_what_is_accepted(ctx, form, garbage):
    r = _post(ctx, form, garbage)
    if form.who == "citizen":
        _refused(r, form, "Bitte den Ort auf der Karte anklicken oder aus der Liste wählen")
    elif form.point:
        _refused(r, form, "Erlaubt sind eine GeoJSON-Geometrie, ein Feature, eine FeatureCollection (der Inhalt einer "
                          ".geojson-Datei) oder ein Punkt als „Breite, Länge“")
    else:
        _refused(r, form, "Erlaubt sind eine GeoJSON-Geometrie, ein Feature oder eine FeatureCollection")
    assert _stored(ctx, form) is None


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
@pytest.mark.parametrize("text", ["50.947696, 6.921774", "50,947696 6,921774", "50,947696, 6,921774",
                                  "6.921774 50.947696"])
def test_latitude_longitude_as_copied_from_a_map(ctx, form, text):
    r = _post(ctx, form, text)
    if form.point:
        assert r.status_code == 302
        assert _stored(ctx, form).equals(shapely.Point(LON, LAT))
    else:
        _refused(r, form, "ist ein Punkt; hier wird eine Fläche erwartet")
        assert _stored(ctx, form) is None


@pytest.mark.parametrize("form", [f for f in FORMS if f.point], ids=lambda f: f.name)
def test_a_pair_outside_germany_or_ambiguous_is_refused(ctx, form):
    r = _post(ctx, form, "48.8566, 2.3522")  # Paris
    _refused(r, form, "„48.8566, 2.3522“ liegt")
    r = _post(ctx, form, "50,9,6,9")
    _refused(r, form, "Bitte den Ort auf der Karte anklicken" if form.who == "citizen" else "„Breite, Länge“")


def test_the_messages_are_in_the_language_of_the_page(ctx):
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(member(ctx["concept"], "planner"))
    form = FORMS[1]
    r = english.post(f"/concepts/{ctx['concept'].slug}/{form.path}", form.data(ctx, _collection(_box(0.0), _box(0.001),
                                                                                                   {"type": "Point", "coordinates": [LON, LAT]})))
    assert r.status_code == 400 and "The file contains 3 geometries of different kinds" in r.content.decode()
