"""A corpus of hostile inputs across isek's upload, form and API endpoints, as the people allowed
to use them would send them (a planner, a citizen, an administrator): each gets a clear answer –
the status and the message a person can act on, never a traceback – and the database is exactly
as before (a checksum of every row of every table). Files are judged by their content, whatever
their name says."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from isek import access
from isek.api import tokens
from isek.finance.models import Fund
from isek.monitoring.models import Indicator
from isek.participation import services as participation
from isek.participation.models import Idea, Status
from tests.dbstate import UNCHECKED_TABLES, changed_tables, table_digests
from tests.factories import ConceptFactory, MeasureFactory, QuarterFactory, UserFactory, legal_texts_filled, member

PNG_1PX = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
           b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _file(name: str, data: bytes) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def _geojson(geometry: dict, n: int = 1) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Teilraum"}, "geometry": geometry}] * n}).encode()


def _square(lon, lat, d=0.001):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]}


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _xlsx(fill) -> bytes:
    wb = Workbook()
    fill(wb.active)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _merged(ws):
    ws.append(["Nummer", "Titel", "Handlungsfeld", "Kostengruppe", "2026"])
    ws.append(["1.9", "Platz", "1", "Baumaßnahmen", 1000])
    ws.merge_cells("A2:B2")


def _formula(ws):
    ws.append(["Nummer", "Titel", "Handlungsfeld", "Kostengruppe", "2026"])
    ws.append(["1.9", "Platz", "1", "Baumaßnahmen", "=SUM(1,2)"])


def _xxe_xlsx() -> bytes:
    """An XLSX whose sheet declares an external entity (XXE)."""
    raw = _xlsx(lambda ws: ws.append(["Nummer", "Titel"]))
    src = zipfile.ZipFile(io.BytesIO(raw))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + data.replace(b"<t>", b"<t>&e;", 1)
            out.writestr(item, data)
    return buf.getvalue()


def _png_bomb() -> bytes:
    """A tiny PNG that claims 30,000 × 30,000 pixels (a decompression bomb)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 4000)) + chunk(b"IEND", b"")


# What a rejected request records by design, per sender: a citizen's attempt counts against the
# rate limit and spends its proof of work (HMAC keys only, gone after 10 minutes); a sign-in attempt
# is counted too; an API key notes when it was last used.
BOOKKEEPING = {"citizen": {"core_ratecount", "core_usedtoken"}, "anonymous": {"core_ratecount", "accounts_loginevent"},
               "api": {"api_token"}}


@dataclass
class Case:
    label: str
    who: str                      # planner, citizen, admin, anonymous, api (the planner's key)
    method: str
    path: str                     # below /concepts/<slug>/ unless it starts with "/"
    data: object = None           # form fields (callable(ctx) or dict), or JSON for the API
    status: set = field(default_factory=lambda: {400})
    says: str = ""                # a piece of the message the person reads
    headers: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)


# --- the corpus ---------------------------------------------------------------------------------

LAYER_FIELDS = {"name": "schulen", "label_de": "Schulen", "label_en": "", "colour": "#123456", "analysis_input": "",
                "name_field": "", "licence": "CC0-1.0", "attribution": "Stadt"}
GEO = "import/"
LAYER = "layers/"
SHEET = "kuf/import/"


def geo(name, data, says, kind="quarters", **extra):
    return Case(f"geodata import: {name}", "planner", "post", GEO,
                lambda ctx: {"kind": kind, "file": _file(name, data), **extra}, says=says)


CASES = [
    # geodata import (GeoJSON, GeoPackage, zipped Shapefile)
    geo("broken.geojson", b'{"type": "FeatureCollection", "features": [', "Die Datei ist kein GeoJSON (kein gültiges JSON ab Zeile 1, Spalte 44)."),
    geo("bild.geojson", PNG_1PX, "Die Datei ist kein GeoJSON: sie ist kein UTF-8-Text."),
    geo("leer.geojson", b"", "Die übermittelte Datei ist leer."),
    geo("paris.geojson", _geojson(_square(2.35, 48.85)), "liegt außerhalb Deutschlands"),
    geo("schleife.geojson", _geojson({"type": "Polygon", "coordinates": [[[7.21, 51.48], [7.212, 51.482], [7.212, 51.48],
                                                                          [7.21, 51.482], [7.21, 51.48]]]}), "die Fläche schneidet sich selbst"),
    geo("linie.geojson", _geojson({"type": "LineString", "coordinates": [[7.21, 51.48], [7.212, 51.482]]}),
        "Geometrietyp LineString passt nicht"),
    geo("nan.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
                       b'"geometry": {"type": "Point", "coordinates": [NaN, 51.48]}}]}', "ungültige Geometrie", kind="measures"),
    geo("text.gpkg", b"das ist keine GeoPackage-Datei", "Die Datei ist kein GeoPackage"),
    geo("weg.zip", _zip({"../../etc/passwd.shp": b"x", "a.dbf": b"x"}), "Pfad außerhalb des Archivs"),
    geo("bombe.zip", _zip({"a.shp": b"\0" * 300_000_000}), "entpackt sich auf 300 MB"),
    geo("ohne.zip", _zip({"liesmich.txt": b"hallo"}), "enthält keine Shapefile-Datei"),
    geo("programm.exe", b"MZ\x90\x00", "Unbekanntes Dateiformat"),
    geo("tief.geojson", b"[" * 100_000 + b"]" * 100_000, "zu tief verschachtelt"),
    geo("crs.geojson", _geojson(_square(7.21, 51.48)), "Unbekanntes Koordinatenreferenzsystem", crs="EPSG:999999"),
    Case("geodata import: larger than the limit", "planner", "post", GEO,
         lambda ctx: {"kind": "quarters", "file": _file("gross.geojson", _geojson(_square(7.21, 51.48)) + b" " * 5000)},
         says="erlaubt sind höchstens", settings={"ISEK_UPLOAD_MAX_BYTES": 2000}),
    # reference layers
    Case("layer upload: a PNG named .geojson", "planner", "post", LAYER,
         lambda ctx: {**LAYER_FIELDS, "file": _file("schulen.geojson", PNG_1PX)}, says="kein GeoJSON"),
    Case("layer upload: a name with a path", "planner", "post", LAYER,
         lambda ctx: {**LAYER_FIELDS, "name": "../../etc", "file": _file("s.geojson", _geojson(_square(7.21, 51.48)))},
         says="Bitte ein gültiges Kürzel"),
    # spreadsheet import (measure list)
    Case("sheet import: a PDF named .xlsx", "planner", "post", SHEET,
         lambda ctx: {"step": "upload", "file": _file("liste.xlsx", b"%PDF-1.7\n%\xe2\xe3")}, says="keine gültige XLSX-Datei"),
    Case("sheet import: merged cells", "planner", "post", SHEET,
         lambda ctx: {"step": "upload", "file": _file("liste.xlsx", _xlsx(_merged))}, says="A2:B2: verbundene Zellen"),
    Case("sheet import: a formula without a value", "planner", "post", SHEET,
         lambda ctx: {"step": "upload", "file": _file("liste.xlsx", _xlsx(_formula))}, says="E2: eine Formel ohne gespeicherten Wert"),
    Case("sheet import: an external entity (XXE)", "planner", "post", SHEET,
         lambda ctx: {"step": "upload", "file": _file("liste.xlsx", _xxe_xlsx())}, says="XML-Entitäten oder -Deklarationen"),
    Case("sheet import: a zip bomb", "planner", "post", SHEET,
         lambda ctx: {"step": "upload", "file": _file("liste.xlsx", _zip({"[Content_Types].xml": b"<a/>",
                                                                          "xl/worksheets/sheet1.xml": b" " * 200_000_000}))},
         says="auf ein Vielfaches ihrer Größe entpacken"),
    Case("sheet import: binary garbage as CSV", "planner", "post", SHEET,
         lambda ctx: {"step": "upload", "file": _file("liste.csv", bytes(range(256)) * 20)},
         says="weder UTF-8 noch Windows-1252"),
    Case("sheet import: a commit without a plan", "planner", "post", SHEET, {"step": "commit"},
         says="bitte erneut hochladen"),
    # forms of the plan
    Case("quarter: a line instead of an area", "planner", "post", "quarters/new/",
         {"name": "Q", "colour": "#123456", "geometry": json.dumps({"type": "LineString", "coordinates": [[7.21, 51.48],
                                                                                                       [7.22, 51.49]]})},
         says="Geometrietyp LineString ist hier nicht erlaubt"),
    Case("quarter: GeoJSON that is not JSON", "planner", "post", "quarters/new/",
         {"name": "Q", "colour": "#123456", "geometry": "{{{"}, says="kein gültiges GeoJSON"),
    Case("quarter: an empty FeatureCollection", "planner", "post", "quarters/new/",
         {"name": "Q", "colour": "#123456", "geometry": '{"type": "FeatureCollection", "features": []}'},
         says="Die FeatureCollection enthält keine Features"),
    Case("concept: a FeatureCollection of a point as the area", "planner", "post", "edit/",
         lambda ctx: {**ctx["concept_fields"], "area": _geojson({"type": "Point", "coordinates": [7.2125, 51.4815]}).decode()},
         says="Geometrietyp Point ist hier nicht erlaubt"),
    Case("quarter: a script as colour", "planner", "post", "quarters/new/",
         lambda ctx: {"name": "Q", "colour": "javascript:alert(1)", "geometry": json.dumps(_square(7.211, 51.481))},
         says="höchstens 7 Zeichen"),
    Case("concept: end before start", "planner", "post", "edit/",
         lambda ctx: {**ctx["concept_fields"], "start_year": 2030, "end_year": 2020}, says="Das Ende liegt vor dem Beginn"),
    Case("concept: a year far in the future", "planner", "post", "edit/",
         lambda ctx: {**ctx["concept_fields"], "end_year": 99999}, says="kleiner oder gleich 2100"),
    Case("new concept: an AGS that is not one", "admin", "post", "/concepts/new/",
         {"city_name": "X", "ags": "12ab", "name": "X", "slug": "x", "programme": "lebendige_zentren",
          "legal_basis": "baugb_141", "start_year": 2026, "end_year": 2030}, says="Gemeindeschlüssel"),
    Case("new concept: a slug with a path", "admin", "post", "/concepts/new/",
         {"city_name": "X", "ags": "05911000", "name": "X", "slug": "../admin", "programme": "lebendige_zentren",
          "legal_basis": "baugb_141", "start_year": 2026, "end_year": 2030}, says="gültiges Kürzel"),
    Case("members: a person who does not exist", "planner", "post", "members/", {"person": "niemand@example.org",
                                                                                  "role": "reviewer"},
         says="Keinen Zugang mit diesem Namen"),
    Case("KuF rates: a rate above 100 %", "planner", "post", "kuf/rates/",
         {"r-TOTAL_FORMS": "1", "r-INITIAL_FORMS": "0", "r-0-year": "2026", "r-0-rate": "250", "r-0-basis": "x",
          "cap-amount": "", "cap-basis": ""}, says="100"),
    Case("fund application: a negative cost", "planner", "post", lambda ctx: f"funds/{ctx['fund'].pk}/applications/new/",
         {"applicant": "Haus", "project": "Fassade", "eligible_cost": "-5000", "decision": "pending"},
         says="größer oder gleich 0"),
    Case("indicator: a target year of 1000", "planner", "post", "indicators/new/",
         {"code": "x1", "name": "X", "kind": "context", "unit": "%", "target_value": "5", "target_year": "1000"},
         says="größer oder gleich 1971"),
    Case("payment: an amount that is not a number", "planner", "post", "payments/",
         lambda ctx: {"measure": ctx["measure"].pk, "year": 2026, "amount": "1.2.3"}, says="„1.2.3“ ist keine Zahl"),
    Case("phase: ends before it starts", "planner", "post", "participation/phases/new/",
         {"title_de": "B", "start": "2026-05-01T10:00", "end": "2026-04-01T10:00", "ideas_open": "on",
          "moderation": "before", "report_threshold": "3", "retention_days": "180", "themes": "Plätze"}, says="Ende"),
    # participation (citizens)
    Case("idea: outside the area", "citizen", "post", "participation/ideas/new/",
         lambda ctx: ctx["idea"](geometry=json.dumps({"type": "Point", "coordinates": [7.30, 51.50]})),
         says="Der Ort liegt außerhalb des Gebiets"),
    Case("idea: a title of 10,000 characters", "citizen", "post", "participation/ideas/new/",
         lambda ctx: ctx["idea"](title="x" * 10000), says="höchstens 120 Zeichen"),
    Case("idea: a place that is not GeoJSON", "citizen", "post", "participation/ideas/new/",
         lambda ctx: ctx["idea"](geometry="<svg onload=alert(1)>"), says="Bitte den Ort auf der Karte anklicken"),
    Case("idea: a place nested 100,000 deep", "citizen", "post", "participation/ideas/new/",
         lambda ctx: ctx["idea"](geometry="[" * 100_000 + "]" * 100_000), says="Der Ort ist nicht lesbar"),
    Case("idea: a .geojson file of two places", "citizen", "post", "participation/ideas/new/",
         lambda ctx: ctx["idea"](geometry=_geojson({"type": "Point", "coordinates": [7.2125, 51.4815]}, 2).decode()),
         says="Die Datei enthält 2 Orte; bitte nur einen einfügen"),
    Case("idea: a multipoint", "citizen", "post", "participation/ideas/new/",
         lambda ctx: ctx["idea"](geometry=json.dumps({"type": "MultiPoint", "coordinates": [[7.2125, 51.4815]]})),
         says="Geometrietyp MultiPoint ist hier nicht erlaubt"),
    Case("idea: a NUL byte in the text", "citizen", "post", "participation/ideas/new/",
         lambda ctx: ctx["idea"](text="Bänke\x00DROP TABLE"), says="Nullzeichen sind nicht erlaubt"),
    Case("idea: a program named .jpg", "citizen", "post", "participation/ideas/new/",
         lambda ctx: ctx["idea"](photo=_file("urlaub.jpg", b"MZ\x90\x00\x03" + b"\x00" * 300), photo_rights="on"),
         says="kein Foto"),
    Case("idea: a PNG of 30,000 × 30,000 pixels", "citizen", "post", "participation/ideas/new/",
         lambda ctx: ctx["idea"](photo=_file("platz.png", _png_bomb()), photo_rights="on"), says="kein Foto"),
    Case("idea: an SVG with a script named .jpg", "citizen", "post", "participation/ideas/new/",
         lambda ctx: ctx["idea"](photo=_file("bild.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
                                 photo_rights="on"), says="kein Foto"),
    Case("idea: a forged proof of work", "citizen", "post", "participation/ideas/new/",
         lambda ctx: ctx["idea"](altcha="eyJhbGdvcml0aG0iOiAiU0hBLTI1NiJ9"), says="Die Prüfung gegen automatische Einsendungen"),
    Case("comment: empty", "citizen", "post", lambda ctx: f"participation/ideas/{ctx['idea_obj'].pk}/comment/",
         lambda ctx: {"text": "", "altcha": ctx["altcha"]()}, says="Dieses Feld ist zwingend erforderlich"),
    Case("deletion link: made up", "anonymous", "post", "/participation/delete/xyz%00/", {}, status={404},
         says="Dieser Löschlink ist unbekannt"),
    # accounts
    Case("invitation: not an e-mail address", "admin", "post", "/accounts/invite/", {"email": "<script>@"},
         says="gültige E-Mail"),
    Case("login: a NUL byte in the name", "anonymous", "post", "/accounts/login/",
         {"username": "planer\x00in", "password": "x"}, status={200}, says="Benutzername oder Passwort sind falsch"),
    Case("API key: a name of 500 characters", "planner", "post", "/api/tokens/", {"name": "k" * 500},
         says="höchstens 100 Zeichen"),
    # resumable uploads (tus)
    Case("tus: an upload larger than allowed", "planner", "post", "basemap/uploads/", {},
         headers={"HTTP_TUS_RESUMABLE": "1.0.0", "HTTP_UPLOAD_LENGTH": str(10**13)}, status={413},
         says="erlaubt sind höchstens"),
    Case("tus: a negative length", "planner", "post", "basemap/uploads/", {},
         headers={"HTTP_TUS_RESUMABLE": "1.0.0", "HTTP_UPLOAD_LENGTH": "-1"}, status={400}, says="Die Länge des Uploads fehlt oder ist ungültig"),
    Case("base map: a text named .osm.pbf", "planner", "post", "basemap/",
         lambda ctx: {"file": _file("bochum.osm.pbf", b"kein PBF, nur Text")}, says="kein OpenStreetMap-Extrakt"),
    # the JSON API (with the planner's key)
    Case("API: JSON that is not JSON", "api", "post", "/api/v1/concepts/{slug}/measures/", "{nicht json", says="Das JSON ist nicht lesbar"),
    Case("API: JSON nested 100,000 deep", "api", "post", "/api/v1/concepts/{slug}/measures/", "[" * 100_000 + "]" * 100_000,
         says="zu tief verschachtelt"),
    Case("API: XML instead of JSON", "api", "post", "/api/v1/concepts/{slug}/measures/", "<measure/>",
         headers={"content_type": "application/xml"}, status={415}, says="application/xml"),
    Case("API: a measure in Paris", "api", "post", "/api/v1/concepts/{slug}/measures/",
         lambda ctx: {"number": "7.1", "title": "X", "primary_field": ctx["field"],
                      "geometry": {"type": "Point", "coordinates": [2.35, 48.85]}}, says="Deutschland"),
    Case("API: an empty FeatureCollection as geometry", "api", "post", "/api/v1/concepts/{slug}/measures/",
         lambda ctx: {"number": "7.1", "title": "X", "primary_field": ctx["field"],
                      "geometry": {"type": "FeatureCollection", "features": []}}, says="enthält keine Features"),
    Case("API: a geometry of words", "api", "post", "/api/v1/concepts/{slug}/measures/",
         lambda ctx: {"number": "7.1", "title": "X", "primary_field": ctx["field"], "geometry": "am Rathaus"},
         says="Die Geometrie ist kein gültiges GeoJSON"),
    Case("API: a cost of 1e400", "api", "post", "/api/v1/concepts/{slug}/measures/",
         lambda ctx: {"number": "7.1", "title": "X", "primary_field": ctx["field"], "estimated_cost": "1e400"},
         says="nicht mehr als 14 Ziffern"),
    Case("API: a measure number with a path", "api", "post", "/api/v1/concepts/{slug}/measures/",
         lambda ctx: {"number": "../7", "title": "X", "primary_field": ctx["field"]}, says="erforderlichen Muster"),
    Case("API: a payment for a measure of nobody", "api", "post", "/api/v1/concepts/{slug}/payments/",
         {"measure": "99.99", "year": 2026, "amount": "10.00"}, says="Diese Maßnahme gibt es in diesem Konzept nicht"),
    Case("API: a payment of 'abc' euros", "api", "post", "/api/v1/concepts/{slug}/payments/",
         {"measure": "1.1", "year": 2026, "amount": "abc"}, says="Eine gültige Zahl ist erforderlich"),
    Case("API: an indicator value NaN", "api", "post", "/api/v1/concepts/{slug}/indicators/X9/values/",
         '{"year": 2026, "value": NaN, "source": "x"}', says="not JSON compliant"),
    Case("API: a milestone on 30 February", "api", "post", "/api/v1/concepts/{slug}/measures/1.1/milestones/",
         {"title": "Start", "due": "2026-02-30"}, says="Datum hat das falsche Format"),
    Case("API: a made-up key", "forged", "post", "/api/v1/concepts/{slug}/measures/", {"number": "7.1"}, status={401},
         says="Der API-Schlüssel ist ungültig"),
    Case("API: limit of 10^20", "api", "get", "/api/v1/concepts/{slug}/measures/?limit=100000000000000000000", None,
         says="„limit“ muss eine ganze Zahl von 1 bis 1000 sein"),
    Case("API: a bbox of words", "api", "get", "/api/v1/concepts/{slug}/measures/?bbox=a,b,c,d", None,
         says="„bbox“ sind vier Zahlen"),
    Case("OGC: a CRS that does not exist", "anonymous", "get", "/ogc/collections/{slug}.measures/items?crs=EPSG:1", None,
         says="unbekanntes Koordinatenreferenzsystem"),
]


@pytest.fixture
def ctx(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.ISEK_POW_COST = 20
    concept = ConceptFactory(slug="hostile", start_year=2024, end_year=2032)
    QuarterFactory(concept=concept)
    measure = MeasureFactory(concept=concept, number="1.1")
    now = timezone.now()
    legal_texts_filled(concept.city)
    phase = participation.save_phase(access.Operator("test"), concept, title_de="Beteiligung", start=now - timedelta(days=1),
                                     end=now + timedelta(days=30), themes=[("Plätze", "", "#2e7d32")])
    idea_obj = Idea.objects.create(phase=phase, theme=phase.themes.get(), title="Bänke", text="Mehr Bänke",
                                   geometry=concept.area.point_on_surface, status=Status.PUBLISHED)
    Indicator.objects.create(concept=concept, code="X9", name="Leerstand", kind="context", unit="%")
    fund = Fund.objects.create(concept=concept, kind="disposition", name="Verfügungsfonds", budget=10000)
    planner = member(concept, "planner")
    admin = UserFactory(is_superuser=True, is_staff=True)
    clients = {"anonymous": Client(HTTP_ACCEPT_LANGUAGE="de"), "citizen": Client(HTTP_ACCEPT_LANGUAGE="de")}
    for name, user in (("planner", planner), ("admin", admin)):
        clients[name] = Client(HTTP_ACCEPT_LANGUAGE="de")
        clients[name].force_login(user)
    _token, key = tokens.create(planner, "Prüfung")
    clients["api"] = Client(HTTP_ACCEPT_LANGUAGE="de", HTTP_AUTHORIZATION=f"Bearer {key}")
    clients["forged"] = Client(HTTP_ACCEPT_LANGUAGE="de", HTTP_AUTHORIZATION="Bearer isek_" + "A" * 40)

    def altcha():
        import altcha as altcha_lib

        data = clients["citizen"].get(f"/concepts/{concept.slug}/participation/challenge/").json()
        challenge = altcha_lib.v2.Challenge.from_dict(data)
        return altcha_lib.v2.Payload(challenge, altcha_lib.solve_challenge(challenge)).to_base64()

    def idea(**kw):
        return {"theme": str(phase.themes.get().pk), "title": "Mehr Bäume", "text": "Am Platz fehlt Schatten.",
                "geometry": json.dumps({"type": "Point", "coordinates": [7.2125, 51.4815]}), "altcha": altcha(), **kw}

    concept_fields = {"name": concept.name, "programme": concept.programme, "legal_basis": concept.legal_basis,
                      "start_year": 2024, "end_year": 2032, "status": concept.status, "area": concept.area.geojson}
    return {"concept": concept, "measure": measure, "fund": fund, "phase": phase, "idea_obj": idea_obj,
            "concept_fields": concept_fields, "field": measure.primary_field.number,
            "clients": clients, "altcha": altcha, "idea": idea}


def test_the_corpus_is_large_and_wide():
    assert len(CASES) >= 50
    assert len({c.label for c in CASES}) == len(CASES)
    kinds = {c.path if isinstance(c.path, str) else "fund" for c in CASES}
    assert {GEO, LAYER, SHEET, "/api/v1/concepts/{slug}/measures/", "participation/ideas/new/"} <= kinds


def _text(response) -> str:
    if response.get("Content-Type", "").startswith(("application/json", "application/problem+json")):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_hostile_input_gets_a_clear_answer_and_changes_nothing(ctx, case, settings):
    for key, value in case.settings.items():
        setattr(settings, key, value)
    concept = ctx["concept"]
    path = case.path(ctx) if callable(case.path) else case.path
    url = path.format(slug=concept.slug) if path.startswith("/") else f"/concepts/{concept.slug}/{path}"
    data = case.data(ctx) if callable(case.data) else case.data
    client = ctx["clients"][case.who]
    headers = dict(case.headers)
    unchecked = UNCHECKED_TABLES | BOOKKEEPING.get(case.who, set())
    with transaction.atomic():
        before = table_digests(unchecked)
        if case.who in ("api", "forged") and case.method != "get":
            body = data if isinstance(data, str) else json.dumps(data)
            response = client.post(url, body, content_type=headers.pop("content_type", "application/json"), **headers)
        elif case.method == "get":
            response = client.get(url, **headers)
        else:
            response = client.post(url, data or {}, **headers)
        after = table_digests(unchecked)
        transaction.set_rollback(True)
    text = _text(response)
    assert response.status_code in case.status, (response.status_code, text[:1500])
    assert "Traceback" not in text and "Internal Server Error" not in text
    assert case.says in text, text[:3000]
    assert changed_tables(before, after) == [], "a rejected input changed the database"


def test_control_characters_in_names_are_dropped_not_stored(ctx):
    """What is kept rather than refused: a file name from tus metadata and a sign-in name with a NUL
    byte (PostgreSQL refuses NUL in text; the request must not fail for it)."""
    from isek.accounts.models import LoginEvent
    from isek.core.models import Upload

    r = ctx["clients"]["planner"].post(f"/concepts/{ctx['concept'].slug}/basemap/uploads/", HTTP_TUS_RESUMABLE="1.0.0",
                                       HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA="filename YQBiLm9zbS5wYmY=")
    assert r.status_code == 201 and Upload.objects.get().filename == "ab.osm.pbf"
    r = ctx["clients"]["anonymous"].post("/accounts/login/", {"username": "planer\x00in", "password": "x"})
    assert r.status_code == 200 and "Benutzername oder Passwort sind falsch" in r.content.decode()
    assert all(name.isprintable() for name in LoginEvent.objects.values_list("username", flat=True))


def test_a_rejected_idea_of_a_known_browser_keeps_its_contact_as_it_was(ctx):
    """A browser that took part before sends a new address with an idea outside the area: the idea
    is refused and nothing of it is stored: the address goes with its contribution (decision 0044),
    the first idea keeps its own."""
    from isek.participation.models import Contributor, Idea

    client = ctx["clients"]["citizen"]
    r = client.post(f"/concepts/{ctx['concept'].slug}/participation/ideas/new/", ctx["idea"](name="Anna", email="anna@example.org",
                                                                                          email_consent="on"))
    assert r.status_code == 302
    before = list(Contributor.objects.values_list("pk", flat=True))
    r = client.post(f"/concepts/{ctx['concept'].slug}/participation/ideas/new/",
                    ctx["idea"](name="Berta", email="berta@example.org", email_consent="on", geometry=json.dumps({"type": "Point", "coordinates": [7.30, 51.50]})))
    assert r.status_code == 400 and "außerhalb des Gebiets" in r.content.decode()
    assert list(Contributor.objects.values_list("pk", flat=True)) == before and len(before) == 1
    assert list(Idea.objects.exclude(email="").values_list("author_name", "email")) == [("Anna", "anna@example.org")]
