"""Minors of the procedure a stranger's walk found (issue 23, decision 0094): a state said once; the
English proof of use in English dates and amounts; the district's funding authority gets the
XPlanGML of the funding area of an internal concept whose city submitted an application to it;
version 2's review shows the remarks made on version 1 with the version and whether they were answered."""

from __future__ import annotations

import re

from lxml import etree

from isek.concepts import xplan
from isek.concepts.models import Concept
from isek.procedure import services
from tests.conftest import client_for
from tests.procedure import submit
from tests.procedure.test_belegliste import _with_receipts

GERMAN_DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")
GERMAN_AMOUNT = re.compile(r"\b\d{1,3}(?:\.\d{3})+,\d{2}\b|\b\d+,\d{2}\b")


def _text(html: str) -> str:
    """The page's text, tags dropped, whitespace folded."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _english(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _part(html: str, element_id: str) -> str:
    """The text of the element with the id ``element_id`` (up to its closing tag of the same name)."""
    tag, rest = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*)', html, re.S).groups()
    return _text(rest.split(f"</{tag}>")[0])


def test_a_state_is_said_once_and_the_english_proof_of_use_writes_english_dates_and_amounts(paid):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    _with_receipts(paid)
    services.release(staff, concept, services.submit_new_request(planner, concept, app, payments=paid["payments"][:2]))
    services.submit_new_request(planner, concept, app, payments=[paid["payments"][2]])  # Nr. 2, waiting
    services.submit_proof(planner, concept, app, report="Der Platz ist fertig.", confirmed=True)
    base = f"/concepts/{concept.slug}/applications/{app.pk}/"
    # "eingereicht – eingereicht am …": the state of a submitted payment request is said once
    german = _part(client_for(planner).get(base + "payments/2/").content.decode(), "request-state")
    assert german.startswith("eingereicht am ") and german.count("eingereicht") == 1, german
    english = _part(_english(planner).get(base + "payments/2/").content.decode(), "request-state")
    assert english.startswith("submitted on ") and english.count("submitted") == 1, english
    released = _part(client_for(planner).get(base + "payments/1/").content.decode(), "request-state")
    assert released.startswith("freigegeben – eingereicht am ") and "entschieden am" in released
    # …and of a submitted proof of use: "Version 1 (eingereicht), eingereicht am" was twice
    german = _part(client_for(staff).get(base + "proof/").content.decode(), "proof-submissions")
    assert "Version 1, eingereicht am " in german and german.count("eingereicht") == 1, german
    page = _english(staff).get(base + "proof/").content.decode()
    assert "Version 1, submitted on " in _part(page, "proof-submissions")
    # the English page in English formats: the Bescheid's date and every amount; the German in German
    decided = services.current_approval(app).decided_on
    text = _text(page)
    assert f"34.1-2027/07 of {decided.day} {decided:%b} {decided.year}:" in text
    assert "62,345.67" in text and "12,345.67" in text  # the expenses, a receipt
    assert GERMAN_DATE.findall(text) == [] and GERMAN_AMOUNT.findall(text) == [], (
        GERMAN_DATE.findall(text), GERMAN_AMOUNT.findall(text))
    text = _text(client_for(staff).get(base + "proof/").content.decode())
    assert f"34.1-2027/07 vom {decided:%d.%m.%Y}:" in text and "62.345,67" in text
    # what the approval wrote into the city's financing lines stays German whatever the page's language
    reasons = set(concept.measures.get(number="1.1").financing.filter(status="approved").values_list("reason", flat=True))
    assert reasons == {f"Zuwendungsbescheid 34.1-2027/07 vom {decided:%d.%m.%Y}"}, reasons


def test_the_districts_authority_gets_the_funding_area_of_an_internal_concept_it_received(world):
    concept, planner, staff, other = world["concept"], world["planner"], world["authority"], world["authority_b"]
    Concept.objects.filter(pk=concept.pk).update(is_public=False)
    url = f"/api/v1/concepts/{concept.slug}/export.gml"
    got = client_for(staff).get(url)  # the city submitted an application to it: it sees the area too
    assert got.status_code == 200 and got["Content-Type"].startswith("application/gml+xml")
    assert xplan.validate(got.content) == []
    assert etree.fromstring(got.content).find(".//{%s}SO_Gebiet" % xplan.XPLAN) is not None
    assert client_for(other).get(url).status_code == 404  # another district's staff: nothing to see
    assert client_for(None).get(url).status_code == 404
    assert client_for(planner).get(url).status_code == 200
    # the application's page links it for the authority (it sees no concept page of an internal concept)
    page = client_for(staff).get(f"/concepts/{concept.slug}/applications/{world['app'].pk}/").content.decode()
    assert f'href="{url}"' in page
    # before any submission it is the city's alone: the authority is told of nothing
    world["app"].__class__.objects.filter(concept=concept).update(state="draft")
    assert client_for(staff).get(url).status_code == 404


def test_version_2_shows_the_remarks_on_version_1_with_their_version_and_whether_answered(world):
    concept, planner, staff, app = world["concept"], world["planner"], world["authority"], world["app"]
    services.start_review(staff, concept, app)
    comment = services.add_remark(staff, concept, app, kind="comment", about="council_decision",
                                  text="Der Ratsbeschluss liegt bei.")
    request = services.add_remark(staff, concept, app, kind="request", about="figures", text="Bitte die Kosten 2028 belegen.")
    second = submit(planner, concept, name="Programmanmeldung 2027 v2")
    assert services.earlier_remarks(staff, concept, second) == [comment]  # the request is among those it answered
    for user in (planner, staff):
        html = client_for(user).get(f"/concepts/{concept.slug}/applications/{second.pk}/").content.decode()
        earlier = _part(html, "earlier-remarks")
        assert "Anmerkung zu Version 1 – den Ratsbeschluss – nicht beantwortet Der Ratsbeschluss liegt bei." in earlier
        assert "Bitte die Kosten" not in earlier and "Bitte die Kosten 2028 belegen." in _part(html, "answers") + html
        assert f'data-remark="{comment.pk}" data-kind="comment" data-version="1" data-answered="no"' in html
    english = _text(_english(planner).get(f"/concepts/{concept.slug}/applications/{second.pk}/").content.decode())
    assert "Notes on earlier versions: Note on version 1 – the council decision – not answered" in english
    # a third version: version 1's request is shown there as answered by version 2, its comment once closed
    services.close_remark(staff, concept, comment)
    services.start_review(staff, concept, second)
    services.add_remark(staff, concept, second, kind="request", about="application", text="Bitte noch den Lageplan.")
    third = submit(planner, concept, name="Programmanmeldung 2027 v3")
    html = client_for(planner).get(f"/concepts/{concept.slug}/applications/{third.pk}/").content.decode()
    earlier = _part(html, "earlier-remarks")
    assert "Anmerkung zu Version 1 – den Ratsbeschluss – erledigt" in earlier
    assert "Nachforderung zu Version 1 – die Zahlen (KuF) – beantwortet mit Version 2" in earlier
    assert "Bitte noch den Lageplan." not in earlier  # version 3 answered it: in its own list above
    assert request.pk not in [r.pk for r in services.earlier_remarks(planner, concept, second)]
