"""The application through API v1 (issue #23): the city submits (assembled and submitted in one
request, with a personal token and the UI's permission), the district's funding authority reads
the submitted applications – list and detail with documents, figures and readiness –, never a
draft; bad input is a 400 at its field and stores nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from isek.api import tokens
from isek.api.models import Token
from isek.core.models import ChangeRecord
from isek.procedure import services
from isek.procedure.models import Application
from tests.dbstate import UNCHECKED_TABLES, checksum
from tests.factories import authority_staff, member
from tests.procedure import YESTERDAY, documents_written

UNCHECKED = UNCHECKED_TABLES | {Token._meta.db_table}  # a token records when it was last used


def unchanged():
    return checksum(UNCHECKED)


def bearer(user) -> Client:
    _t, key = tokens.create(user, "Test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="de")


@pytest.fixture
def planner(new_city):
    return new_city.roles.get(user__username="planer-neu").user


def _url(concept, rest=""):
    return f"/api/v1/concepts/{concept.slug}/applications/{rest}"


def test_without_a_funding_authority_the_api_refuses_the_submission_and_stores_nothing(new_city, planner):
    body = {"year": 2027, "council_decision": YESTERDAY.isoformat(), "freeze_as": "Anmeldung 2027"}
    client = bearer(planner)
    before = unchanged()
    response = client.post(_url(new_city), json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    message = " ".join(response.json()["errors"]["non_field_errors"])
    assert "Für Hoyerswerda ist in isek keine Bewilligungsbehörde eingerichtet (AGS 14625240)" in message
    assert unchanged() == before and not new_city.applications.exists()


def test_the_city_submits_and_its_authority_reads(new_city, planner):
    body = {"year": 2027, "council_decision": YESTERDAY.isoformat(), "freeze_as": "Anmeldung 2027", "note": "per API"}
    sachsen = bearer(authority_staff("14"))  # its district's authority, set up before (decision 0085)
    response = bearer(planner).post(_url(new_city), json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    app = Application.objects.get(pk=data["id"])
    # frozen, its documents queued (decision 0079): the answer says so; the authority sees it once they are written
    assert (data["state"], data["version"], data["kuf_version"], data["year"]) == ("submitting", 1, "Anmeldung 2027", 2027)
    assert data["documents_job"] == {"status": "queued", "progress": 0, "message": ""} and data["documents"] == []
    assert sachsen.get(_url(new_city, f"{app.pk}/")).status_code == 404
    documents_written(app)  # the worker (in the tests: called directly)
    data = bearer(planner).get(_url(new_city, f"{app.pk}/")).json()
    assert (data["state"], data["documents_job"]["status"]) == ("submitted", "done")
    assert {d["kind"]: d["sha256"] for d in data["documents"]} == {d.kind: d.sha256 for d in app.documents.all()}
    assert len(data["figures"]) == len(app.snapshot["figures"]) and data["readiness"]["total"] >= 5
    assert {f["measure"] for f in data["figures"]} == set(new_city.measures.values_list("number", flat=True))
    records = ChangeRecord.objects.filter(model="procedure.Application", object_id=str(app.pk)).order_by("id")
    assert [(r.action, r.actor) for r in records] == [("create", "planer-neu"), ("update", "planer-neu"),
                                                      ("update", "planer-neu")]
    # the authority of the district (Sachsen) reads it; a draft of the next year it does not see
    services.save_draft(planner, new_city, year=2028, council_decision=YESTERDAY, finance_version=app.finance_version)
    listed = sachsen.get(_url(new_city)).json()
    assert [a["id"] for a in listed["results"]] == [app.pk] and listed["count"] == 1
    detail = sachsen.get(_url(new_city, f"{app.pk}/"))
    assert detail.status_code == 200 and detail.json()["documents"] == data["documents"]
    draft = Application.objects.get(concept=new_city, year=2028)
    assert sachsen.get(_url(new_city, f"{draft.pk}/")).status_code == 404  # an internal concept: nothing there
    assert len(bearer(planner).get(_url(new_city)).json()["results"]) == 2
    # another district's authority: nothing; it may not submit either
    arnsberg = bearer(authority_staff("059"))
    assert arnsberg.get(_url(new_city)).status_code == 404
    assert arnsberg.get(_url(new_city, f"{app.pk}/")).status_code == 404
    reviewer = bearer(member(new_city, "reviewer"))
    before = unchanged()
    assert sachsen.post(_url(new_city), json.dumps(body), content_type="application/json").status_code == 404
    assert reviewer.post(_url(new_city), json.dumps(body | {"freeze_as": "X"}), content_type="application/json").status_code == 403
    assert unchanged() == before


@pytest.mark.parametrize("body, field, message", [
    ({"year": 2035}, "year", "Laufzeit des Konzepts"),
    ({"council_decision": "2999-01-01"}, "council_decision", "nicht in der Zukunft"),
    ({"council_decision": "gestern"}, "council_decision", "Datum"),
    ({"kuf_version": "gibt es nicht", "freeze_as": ""}, "kuf_version", "Eine KuF-Version „gibt es nicht“ gibt es in diesem Konzept nicht."),
    ({"freeze_as": ""}, "kuf_version", "Bitte eine eingefrorene KuF-Version wählen"),
], ids=["year", "future", "not-a-date", "unknown-version", "no-version"])
def test_bad_submissions_are_400_at_their_field_and_store_nothing(new_city, planner, body, field, message):
    client = bearer(planner)
    before = unchanged()
    full = {"year": 2027, "council_decision": YESTERDAY.isoformat(), "freeze_as": "Anmeldung"} | body
    response = client.post(_url(new_city), json.dumps(full), content_type="application/json")
    assert response.status_code == 400
    assert any(message in m for m in response.json()["errors"][field]), response.json()
    assert unchanged() == before
