"""API v1 on the Bochum demo: anonymous reading of the public plan, filters and paging, ETag and
Last-Modified with 304, the access policy for working material, writes with personal tokens
(hashed) under exactly the permissions of the UI, and bad input – each a 4xx with a message and
nothing stored."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from isek.api import tokens
from isek.api.models import Token
from isek.concepts.models import Measure, Milestone
from isek.core.models import ChangeRecord
from isek.monitoring.models import Payment

BASE = "/api/v1/concepts/bochum-innenstadt"


def bearer(user) -> Client:
    _t, key = tokens.create(user, "Test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_anyone_reads_the_public_plan(bochum):
    c = Client()
    concepts = c.get("/api/v1/concepts/").json()
    assert [x["slug"] for x in concepts["results"]] == ["bochum-innenstadt"]
    detail = c.get(f"{BASE}/").json()
    assert detail["area_crs"] == "EPSG:25832" and detail["area_m2"] == pytest.approx(bochum.area_m2, abs=0.1)
    fc = c.get(f"{BASE}/measures/").json()
    assert fc["type"] == "FeatureCollection" and fc["numberMatched"] == bochum.measures.count()
    first = fc["features"][0]
    assert first["properties"]["number"] and first["geometry"]["type"]
    assert c.get(f"{BASE}/quarters/").json()["numberMatched"] == bochum.quarters.count()
    assert c.get(f"{BASE}/area/").json()["geometry"]["type"] == "MultiPolygon"
    assert c.get(f"{BASE}/ideas/").json()["numberMatched"] >= 1  # the demo's published example ideas
    assert c.get("/api/v1/cities/").json()["results"] == [{"ags": "05911000", "name": "Bochum"}]


def test_filters_and_paging(bochum):
    c = Client()
    all_ = bochum.measures.count()
    page = c.get(f"{BASE}/measures/?limit=2").json()
    assert page["numberReturned"] == 2 and page["numberMatched"] == all_
    nxt = next(link["href"] for link in page["links"] if link["rel"] == "next")
    second = c.get(nxt).json()
    assert {f["id"] for f in second["features"]}.isdisjoint({f["id"] for f in page["features"]})
    field = bochum.fields_of_action.first()
    by_field = c.get(f"{BASE}/measures/?field={field.number}&limit=1000").json()
    expected = Measure.objects.filter(concept=bochum).filter(primary_field=field).count()
    assert by_field["numberMatched"] >= expected > 0
    completed = c.get(f"{BASE}/measures/?status=completed").json()
    assert completed["numberMatched"] == bochum.measures.filter(status="completed").count()
    # A bbox around nothing, and one around the funding area.
    assert c.get(f"{BASE}/measures/?bbox=0,0,1,1").json()["numberMatched"] == 0
    x1, y1, x2, y2 = bochum.area.extent
    around = c.get(f"{BASE}/measures/?bbox={x1},{y1},{x2},{y2}").json()["numberMatched"]
    assert around == bochum.measures.exclude(geometry=None).count()
    quarter = bochum.quarters.first()
    assert c.get(f"{BASE}/measures/?quarter={quarter.pk}").status_code == 200
    assert c.get(f"{BASE}/measures/?updated_since=2999-01-01T00:00:00Z").json()["numberMatched"] == 0
    assert c.get(f"{BASE}/measures/?updated_since=2000-01-01T00:00:00Z").json()["numberMatched"] == all_
    # an offset ISO 8601 allows but PostgreSQL refuses (beyond ±15:59) is read in UTC (schemathesis found a 500)
    assert c.get(f"{BASE}/measures/?updated_since=0260-09-18T15:00:09-18:03").json()["numberMatched"] == all_


@pytest.mark.parametrize("query, message", [
    ("limit=100000", "„limit“ muss eine ganze Zahl von 1 bis 1000 sein."),
    ("limit=zwei", "„limit“ muss eine ganze Zahl von 1 bis 1000 sein."),
    ("offset=-1", "„offset“ muss eine ganze Zahl"),
    ("bbox=1,2,3", "„bbox“ sind vier Zahlen"),
    ("bbox=10,60,5,50", "das Minimum vor dem Maximum"),
    ("status=fertig", "„status“ ist einer von"),
    ("quarter=999999", "Den Teilraum 999999 gibt es in diesem Konzept nicht."),
    ("updated_since=gestern", "„updated_since“ ist ein Zeitpunkt nach ISO 8601"),
    ("updated_since=0001-01-01T00:00:00%2B14:00", "„updated_since“ ist ein Zeitpunkt nach ISO 8601"),
])
def test_bad_queries_are_400_with_a_message(bochum, query, message):
    r = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"{BASE}/measures/?{query}")
    assert r.status_code == 400 and message in r.json()["detail"]


def test_etag_and_last_modified_answer_304_until_something_changes(users, bochum):
    c = Client()
    r = c.get(f"{BASE}/measures/")
    etag, modified = r["ETag"], r["Last-Modified"]
    assert c.get(f"{BASE}/measures/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert c.get(f"{BASE}/measures/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert c.get(f"{BASE}/measures/?limit=5", HTTP_IF_NONE_MATCH=etag).status_code == 200  # another URL
    r = bearer(users["planner"]).patch(f"{BASE}/measures/2.1/", json.dumps({"title": "Husemannplatz (geändert)"}),
                                        content_type="application/json")
    assert r.status_code == 200 and r.json()["properties"]["title"] == "Husemannplatz (geändert)"
    fresh = c.get(f"{BASE}/measures/", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag


def test_a_list_with_the_weak_tag_answers_304(bochum):
    """core.conditional: If-None-Match is a list compared weakly (RFC 9110), and it overrules
    If-Modified-Since."""
    c = Client()
    r = c.get(f"{BASE}/measures/")
    etag, modified = r["ETag"], r["Last-Modified"]
    assert c.get(f"{BASE}/measures/", HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert c.get(f"{BASE}/measures/", HTTP_IF_NONE_MATCH="*").status_code == 304
    assert c.get(f"{BASE}/measures/", HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=modified).status_code == 200


def test_working_material_follows_the_access_policy(users, bochum):
    assert Client().get(f"{BASE}/kuf/").status_code == 403  # the concept is public, its KuF is not
    assert bearer(users["outsider"]).get(f"{BASE}/indicators/").status_code == 403
    kuf = bearer(users["reviewer"]).get(f"{BASE}/kuf/").json()
    assert kuf["rows"] and kuf["financing"] and all("sources" in r for r in kuf["rows"])
    indicators = bearer(users["reviewer"]).get(f"{BASE}/indicators/").json()["results"]
    code = indicators[0]["code"]
    assert bearer(users["reviewer"]).get(f"{BASE}/indicators/{code}/values/").status_code == 200
    # Another concept, internal: hidden (404) from the outsider and from anonymous callers.
    assert Client().get("/api/v1/concepts/lauf-altstadt/").status_code == 404
    assert bearer(users["outsider"]).get("/api/v1/concepts/lauf-altstadt/measures/").status_code == 404
    assert bearer(users["stranger"]).get("/api/v1/concepts/lauf-altstadt/").status_code == 200


def _state(bochum):
    return (Milestone.objects.filter(measure__concept=bochum).count(), Payment.objects.count(),
            Measure.objects.filter(concept=bochum).count(), ChangeRecord.objects.count())


def test_writes_need_a_token_and_the_uis_permission(users, bochum):
    body = json.dumps({"title": "Baubeginn", "due": "2027-03-01"})
    url = f"{BASE}/measures/2.1/milestones/"
    before = _state(bochum)
    r = Client().post(url, body, content_type="application/json")
    assert r.status_code == 401 and "API-Schlüssel" in r.json()["detail"]
    assert Client(HTTP_AUTHORIZATION="Bearer isek_falsch").post(url, body, content_type="application/json").status_code == 401
    assert bearer(users["reviewer"]).post(url, body, content_type="application/json").status_code == 403
    assert bearer(users["stranger"]).post(url, body, content_type="application/json").status_code == 403
    assert _state(bochum)[:3] == before[:3]
    planner = bearer(users["planner"])
    r = planner.post(url, body, content_type="application/json")
    assert r.status_code == 201 and r.json()["title"] == "Baubeginn"
    record = ChangeRecord.objects.filter(model="concepts.Milestone").latest("timestamp")
    assert record.user == users["planner"] and record.concept_pk == bochum.pk
    r = planner.post(f"{BASE}/payments/", json.dumps({"measure": "2.1", "year": 2026, "amount": "1250.50"}),
                     content_type="application/json")
    assert r.status_code == 201 and r.json()["amount"] == "1250.50"


@pytest.mark.parametrize("url, body, field", [
    ("/measures/2.1/milestones/", {"title": 5, "due": "morgen"}, "due"),
    ("/measures/2.1/milestones/", {"due": "2027-01-01"}, "title"),
    ("/measures/", {"number": "2.1", "title": "Doppelt", "primary_field": 1}, "number"),  # a service rule
    ("/measures/", {"number": "9.9", "title": "Neu", "primary_field": 99}, "primary_field"),
    ("/measures/", {"number": "9.9", "title": "Neu", "primary_field": 1,
                    "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}, "geometry"),
    ("/measures/", {"number": "9 9", "title": "Neu", "primary_field": 1}, "number"),
    ("/payments/", {"measure": "0.0", "year": 2026, "amount": "1"}, "measure"),
    ("/payments/", {"measure": "2.1", "year": "x", "amount": "1"}, "year"),
    ("/payments/", {"measure": "2.1", "year": timezone.localdate().year + 1, "amount": "1"}, "year"),  # not paid yet
])
def test_bad_writes_are_400_at_their_field_and_store_nothing(users, bochum, url, body, field):
    before = _state(bochum)
    r = bearer(users["planner"]).post(BASE + url, json.dumps(body), content_type="application/json")
    assert r.status_code == 400, r.content
    assert field in r.json()["errors"], r.json()
    assert _state(bochum) == before


@pytest.mark.parametrize("geometry, expected", [
    ({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [7.2165, 51.4815]}}]}, "Point"),
    ({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [7.2165, 51.4815]}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [7.2175, 51.4820]}}]},
     "MultiPoint"),
    ({"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [7.2165, 51.4815]}}, "Point"),
])
def test_a_measure_takes_the_content_of_a_geojson_file_as_its_place(users, bochum, geometry, expected):
    """As the forms do (isek.core.geotext): one feature is its geometry, several of one kind one
    multi-geometry."""
    r = bearer(users["planner"]).post(f"{BASE}/measures/", json.dumps(
        {"number": "9.9", "title": "Neu", "primary_field": 1, "geometry": geometry}), content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["geometry"]["type"] == expected == Measure.objects.get(concept=bochum, number="9.9").geometry.geom_type


def test_a_write_that_is_not_json_is_refused(users, bochum):
    r = bearer(users["planner"]).post(f"{BASE}/measures/", "{kaputt", content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"]
    r = bearer(users["planner"]).post(f"{BASE}/measures/", "a=b", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415


def test_tokens_are_stored_hashed_shown_once_and_revocable(users):
    c = Client()
    c.force_login(users["planner"])
    r = c.post("/api/tokens/", {"name": "QGIS-Skript"})
    key = r.content.decode().split('id="new-key-value">')[1].split("<")[0]
    token = Token.objects.get(user=users["planner"])
    assert key.startswith("isek_") and token.key_hash != key and key not in json.dumps(list(Token.objects.values()),
                                                                                       default=str)
    assert key not in c.get("/api/tokens/").content.decode()  # shown once
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(f"{BASE}/kuf/").status_code == 200
    c.post("/api/tokens/", {"revoke": token.pk})
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(f"{BASE}/kuf/").status_code == 401
    assert c.post("/api/tokens/", {"name": ""}).status_code == 400
    assert Client().get("/api/tokens/").status_code == 302


def test_the_schema_and_swagger_ui_are_served_without_a_cdn(db):
    schema = Client().get("/api/schema/?format=json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.0")
    swagger = Client().get("/api/docs/swagger/").content.decode()
    assert "swagger-ui" in swagger and "/static/drf_spectacular_sidecar/" in swagger
    assert "https://" not in swagger.replace("https://swagger.io", "")


def test_the_docs_page_shows_every_operation_of_the_schema(db):
    """Walk 22: /api/docs/ is isek's own page, rendered from the OpenAPI document /api/schema/
    serves: every operation under its id with method, path and summary, each of its parameters and
    the data formats it sends and answers, each format's fields; how to get a key, the OGC API, the
    schema to download and Swagger UI as the extra; no developer's docstring."""
    import html

    schema = Client().get("/api/schema/?format=json").json()
    answer = Client().get("/api/docs/")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/html")
    page = html.unescape(answer.content.decode())
    assert "swagger-ui" not in page and '<html lang="de">' in page and 'class="isek-footer"' in page
    for link in ('href="/api/tokens/"', 'href="/ogc/"', 'href="/api/schema/"', 'href="/api/docs/swagger/"'):
        assert link in page, link
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) > 20
    for path, method, op in operations:
        section = page.split(f'id="{op["operationId"]}"', 1)[1].split('<h3', 1)[0]
        assert f"{method.upper()} {path}" in section and op["summary"] in section, op["operationId"]
        for parameter in op.get("parameters", []):
            assert f"<code>{parameter['name']}</code>" in section, (op["operationId"], parameter["name"])
        for body in (op.get("requestBody") or {}).get("content", {}).values():
            assert f"Anfrage (application/json): {body['schema']['$ref'].rsplit('/', 1)[1]}" in section
        for status, response in op["responses"].items():
            assert f'<th scope="row">{status}</th>' in section, (op["operationId"], status)
            for media, body in response.get("content", {}).items():
                ref = body["schema"].get("$ref", "").rsplit("/", 1)[-1]  # proof_retrieve's is an inline object
                assert (f'href="#schema-{ref}"' if ref else f"<code>{media}</code>") in section, (op["operationId"], status)
    for name, component in schema["components"]["schemas"].items():
        section = page.split(f'id="schema-{name}"', 1)[1].split('<h3', 1)[0]
        for field in component.get("properties", {}):
            assert f"<code>{field}</code>" in section, (name, field)
        for value in component.get("enum", []):
            assert f"<code>{value}</code>" in section or value in ("", None), (name, value)
    assert "An API view of one concept" not in page and "An API view" not in json.dumps(schema)


def test_the_schema_generates_without_a_warning(db, tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "openapi: 3.0" in (tmp_path / "schema.yaml").read_text()
