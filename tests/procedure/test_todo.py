"""What waits for whom (issue #23, usability test: "authorities have no inbox"; decision 0067): the
authority's portfolio opens with what it has to do – applications not yet in review, payment
requests not yet decided, submitted proofs of use, the city's answers to its queries –, the city's
planners see the change requests, returned payment requests (with the reason), open queries and
approvals received on the concept's page and the list of applications; a returned payment request
is not corrected but replaced by a new one, prefilled with its expenses. A fixed number of queries,
however much the district holds."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from isek.concepts.models import Concept, FundingAuthority
from isek.procedure import services
from isek.procedure.models import (
    Application,
    Approval,
    PaymentRequest,
    ProofEntry,
    ProofSubmission,
    Remark,
)
from tests.conftest import client_for
from tests.dbstate import checksum
from tests.factories import UserFactory, member
from tests.procedure import submit


def _kinds(todo) -> list[str]:
    return [i["kind"] for i in todo["items"]]


def test_the_authority_sees_what_waits_for_it_and_the_city_what_waits_for_it(paid, monkeypatch):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    district = FundingAuthority.objects.get(prefixes__prefix="146")
    other = FundingAuthority.objects.get(prefixes__prefix="059")
    authority, city = client_for(staff), client_for(planner)
    portfolio = f"/authorities/{district.pk}/portfolio/"
    # approved, nothing submitted: the authority has nothing to do, the city has the approval to act on
    assert services.authority_todo(staff, district)["total"] == 0
    page = authority.get(portfolio).content.decode()
    assert page.index('id="todo"') < page.index('id="exports-heading"')  # at the top
    assert 'data-total="0"' in page and 'id="todo-empty"' in page and "Zu erledigen (0)" in page
    todo = services.city_todo(planner, concept, today=datetime.date(2027, 1, 4))
    assert _kinds(todo) == ["approval"] and "34.1-2027/07" in todo["items"][0]["what"]
    assert todo["items"][0]["url"] == f"/concepts/{concept.slug}/applications/{app.pk}/payments/"
    # before the approval's first year no paid expense of it can be recorded (decision 0065): a note, not a task
    ahead = services.city_todo(planner, concept, today=datetime.date(2026, 12, 7))
    assert ahead["total"] == 0 and [n["kind"] for n in ahead["notes"]] == ["approval"]
    assert ahead["notes"][0]["detail"] == ("Mittelabruf ab 2027 möglich (bezahlte Ausgaben werden im Jahr der "
                                           "Zahlung erfasst)") and "34.1-2027/07" in ahead["notes"][0]["what"]
    assert (services.request_opens(app, datetime.date(2026, 12, 31)), services.request_opens(app, datetime.date(2027, 1, 1))) == (
        2027, None)
    with monkeypatch.context() as patched:  # the pages judge by the day they are shown
        patched.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 12, 7))
        landing = city.get(f"/concepts/{concept.slug}/").content.decode()
        assert 'id="todo-notes"' in landing and "Mittelabruf ab 2027 möglich" in landing and "Zu erledigen (0)" in landing
        listing = city.get(f"/concepts/{concept.slug}/applications/{app.pk}/payments/").content.decode()
        assert 'id="request-opens"' in listing and "Ausgaben von 2027 also erst 2027" in listing
    # the city requests payments: the authority has the request to decide, the approval is acted on
    first = services.draft_request(planner, concept, app, payments=paid["payments"][:2])
    assert services.authority_todo(staff, district)["total"] == 0  # a draft is the city's alone
    services.submit_request(planner, concept, first)
    todo = services.authority_todo(staff, district)
    assert _kinds(todo) == ["payment_request"] and todo["summary"] == "1 Mittelabruf"
    url = f"/concepts/{concept.slug}/applications/{app.pk}/payments/{first.number}/"
    assert todo["items"][0] | {"url": url, "city": "Hoyerswerda", "concept": "Altstadt Neu"} == todo["items"][0]
    page = authority.get(portfolio).content.decode()
    assert "Zu erledigen (1): <span id=\"todo-counts\">1 Mittelabruf</span>" in page and f'href="{url}"' in page
    assert services.city_todo(planner, concept)["total"] == 0
    # only its district: the other authority's list stays empty, and it may not read this one
    assert services.authority_todo(paid["authority_b"], other)["total"] == 0
    with pytest.raises(PermissionDenied):
        services.authority_todo(paid["authority_b"], district)
    # returned: off the authority's list, on the city's with the reason
    services.return_request(staff, concept, first, reason="Rechnung 2 fehlt im Beleg")
    assert services.authority_todo(staff, district)["total"] == 0
    todo = services.city_todo(planner, concept)
    assert _kinds(todo) == ["returned_request"] and "Rechnung 2 fehlt im Beleg" in todo["items"][0]["detail"]
    assert todo["items"][0]["url"] == url
    listing = city.get(f"/concepts/{concept.slug}/applications/").content.decode()
    assert 'id="todo"' in listing and "Rechnung 2 fehlt im Beleg" in listing and f'href="{url}"' in listing
    landing = city.get(f"/concepts/{concept.slug}/").content.decode()
    assert 'id="todo"' in landing and "Mittelabruf Nr. 1 zurückgegeben" in landing
    # the returned request stays as it was and opens as a new draft with the same expenses (decision 0105)
    shown = city.get(url).content.decode()
    assert "Zurückgegeben: Rechnung 2 fehlt im Beleg" in shown
    assert "Öffnen Sie ihn als neuen Entwurf" in shown
    renew = f"/concepts/{concept.slug}/applications/{app.pk}/payments/new/?from={first.number}"
    assert f'href="{renew}"' in shown
    # the authority's page: the reason, but no button and not the city's instruction (issue 23)
    theirs = authority.get(url).content.decode()
    assert "Zurückgegeben: Rechnung 2 fehlt im Beleg" in theirs and 'id="request-returned"' in theirs
    assert 'id="request-renew"' not in theirs and "Öffnen Sie ihn als neuen Entwurf" not in theirs
    form = city.get(renew).content.decode()
    for pk in paid["payments"][:2]:
        assert f'value="{pk}" class="kern-form-check__checkbox" id="id_payments_' in form or (
            f'value="{pk}"' in form and "checked" in form.split(f'value="{pk}"')[1].split(">")[0]), pk
    third = form.split(f'value="{paid["payments"][2]}"')[1].split(">")[0]
    assert "checked" not in third  # not an expense of the returned request
    assert "Neu gestellt nach der Rückgabe von Mittelabruf Nr. 1." in form and 'id="request-template"' in form
    # the new request: the returned one is acted on
    second = services.draft_request(planner, concept, app, payments=paid["payments"][:2])
    assert services.city_todo(planner, concept)["total"] == 0
    services.submit_request(planner, concept, second)
    services.release(staff, concept, second)
    # a query on the proof of use: the city's to answer, then the authority's to check
    key = services.proof_of_use(concept, app)["grant"][0]["key"]
    services.check_proof_line(staff, concept, app, key=key, state="queried", remark="Beleg zur Rechnung 2?")
    todo = services.city_todo(planner, concept)
    assert _kinds(todo) == ["query"] and "Beleg zur Rechnung 2?" in todo["items"][0]["detail"]
    assert todo["items"][0]["url"].endswith(f"/proof/#line-{key}")
    assert services.authority_todo(staff, district)["total"] == 0
    services.answer_query(planner, concept, app, key=key, text="Beleg nachgereicht")
    assert services.city_todo(planner, concept)["total"] == 0
    todo = services.authority_todo(staff, district)
    assert _kinds(todo) == ["answer"] and "Beleg nachgereicht" in todo["items"][0]["detail"]
    assert todo["summary"] == "1 Antwort auf eine Rückfrage"
    services.check_proof_line(staff, concept, app, key=key, state="checked")
    assert services.authority_todo(staff, district)["total"] == 0
    # a new application of the district, submitted: the authority's until it starts the review
    # (2026: a 2028 one would request nothing, its lines granted by 2027's Bescheid – refused, decision 0085)
    newer = submit(planner, concept, year=2026, name="Programmanmeldung 2026")
    todo = services.authority_todo(staff, district)
    assert _kinds(todo) == ["application"] and todo["items"][0]["since"] == newer.submitted_at
    services.start_review(staff, concept, newer)
    assert services.authority_todo(staff, district)["total"] == 0


def _start_todo(client) -> str:
    page = client.get("/").content.decode()
    return page.split('id="start-todo"')[1].split("</section>")[0] if 'id="start-todo"' in page else ""


def test_the_start_page_counts_ones_own_to_dos_and_links_their_lists(paid):
    """Issue #23, minor 7: the start page gave a signed-in reviewer or planner no hint of what waits;
    now it counts each of their own to-do lists (decision 0067) and links it – their authority's
    portfolio, their concepts' applications – and no one else's."""
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    district = FundingAuthority.objects.get(prefixes__prefix="146")
    request = services.draft_request(planner, concept, app, payments=paid["payments"][:2])
    services.submit_request(planner, concept, request)
    mine = _start_todo(client_for(staff))
    assert f'<a class="kern-link" href="/authorities/{district.pk}/portfolio/#todo">{district.name}</a>: 1 Aufgabe' in mine
    assert concept.name not in mine
    assert district.name not in _start_todo(client_for(paid["authority_b"]))  # another district's staff
    services.return_request(staff, concept, request, reason="Beleg fehlt")
    city = _start_todo(client_for(planner))
    assert (f'<a class="kern-link" href="/concepts/{concept.slug}/applications/#todo">{concept.name} (Hoyerswerda)</a>: '
            "1 Aufgabe") in city and district.name not in city
    assert _start_todo(client_for(member(concept, "reviewer"))) == ""  # reads the applications, acts on none
    assert 'id="todo"' in client_for(planner).get(f"/concepts/{concept.slug}/applications/").content.decode()


def test_a_returned_request_is_only_a_template_and_bad_input_is_refused(paid):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    city = client_for(planner)
    new = f"/concepts/{concept.slug}/applications/{app.pk}/payments/new/"
    request = services.draft_request(planner, concept, app, payments=paid["payments"][:2])
    services.submit_request(planner, concept, request)
    before = checksum()
    for value in ("abc", str(request.number), "999"):  # not a number, not returned, unknown
        page = city.get(new + f"?from={value}")
        assert page.status_code == 200
        text = page.content.decode()
        assert "Nur ein zurückgegebener Mittelabruf dieses Antrags lässt sich als Vorlage verwenden." in text, value
        assert 'id="request-template"' not in text and 'checked' not in text.split('id="request-form"')[1]
    with pytest.raises(ValidationError):
        services.returned_request_payments(planner, concept, app, request.number)
    assert checksum() == before
    # returned, it cannot be submitted again: the service says so; its expenses go to a new one
    services.return_request(staff, concept, request, reason="falsches Jahr")
    with pytest.raises(ValidationError, match="schon eingereicht"):
        services.submit_request(planner, concept, request)
    assert services.returned_request_payments(planner, concept, app, request.number)["payments"] == paid["payments"][:2]
    other = services.draft_request(planner, concept, app, payments=paid["payments"][:1])  # one taken meanwhile
    found = services.returned_request_payments(planner, concept, app, request.number)
    assert found["payments"] == [paid["payments"][1]] and len(found["missing"]) == 1
    assert "Nicht mehr abrufbar" in city.get(new + f"?from={request.number}").content.decode()
    # the reader of the application (a reviewer) may not make one
    with pytest.raises(PermissionDenied):
        services.returned_request_payments(member(concept, "reviewer"), concept, app, request.number)
    assert other.state == "draft"


def test_change_requests_wait_for_the_planners_until_a_new_version_answers_them(world):
    concept, app, planner, staff = world["concept"], world["app"], world["planner"], world["authority"]
    services.start_review(staff, concept, app)
    services.add_remark(staff, concept, app, kind="request", about="figures", text="Bitte Kosten 2028 belegen.")
    todo = services.city_todo(planner, concept)
    assert _kinds(todo) == ["change_request"] and todo["summary"] == "1 Nachforderung"
    assert "Bitte Kosten 2028 belegen." in todo["items"][0]["detail"]
    assert todo["items"][0]["url"] == f"/concepts/{concept.slug}/applications/{app.pk}/#review"
    reviewer = member(concept, "reviewer")
    assert services.city_todo(reviewer, concept) is None  # reads the applications, may not act on them
    for user in (reviewer, staff):
        page = client_for(user).get(f"/concepts/{concept.slug}/applications/").content.decode()
        assert 'id="todo"' not in page, user
    page = client_for(planner).get(f"/concepts/{concept.slug}/applications/").content.decode()
    assert "Zu erledigen (1): <span id=\"todo-counts\">1 Nachforderung</span>" in page
    english = client_for(planner)
    english.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = english.get(f"/concepts/{concept.slug}/applications/").content.decode()
    assert "To do (1): <span id=\"todo-counts\">1 change request</span>" in page and "Answer the change request" in page
    second = submit(planner, concept, name="Programmanmeldung 2027 v2")
    assert services.city_todo(planner, concept)["total"] == 0
    assert 'id="todo-empty"' in client_for(planner).get(f"/concepts/{concept.slug}/applications/").content.decode()
    assert 'id="todo"' not in client_for(planner).get(f"/concepts/{concept.slug}/").content.decode()  # nothing: no box
    district = FundingAuthority.objects.get(prefixes__prefix="146")
    todo = services.authority_todo(staff, district)
    assert [(i["kind"], i["application"]) for i in todo["items"]] == [("application", second.pk)]  # not version 1


def test_the_authoritys_page_leads_to_its_portfolio(world):
    district = FundingAuthority.objects.get(prefixes__prefix="146")
    answer = client_for(world["authority"]).get(f"/authorities/{district.pk}/")
    assert (answer.status_code, answer["Location"]) == (302, f"/authorities/{district.pk}/portfolio/")
    assert client_for(world["authority_b"]).get(f"/authorities/{district.pk}/").status_code == 403


def _pile(concept, n: int, start: int, mine) -> None:
    """``n`` concepts of ``concept``'s city, each with an application waiting for the authority in
    every way (submitted, a submitted payment request, a submitted proof of use, an answer to a
    query), and ``n`` versions of an application of the concept ``mine`` waiting for the city in
    every way (an open change request, a returned payment request, an open query, a returned proof
    of use)."""
    version = concept.applications.first().finance_version
    now = timezone.now()
    for i in range(start, start + n):
        other = Concept.objects.create(city=concept.city, name=f"Quartier {i}", slug=f"quartier-{i}",
                                       programme="lebendige_zentren", legal_basis="baugb_141", start_year=2026,
                                       end_year=2030)
        app = Application.objects.create(concept=other, year=2027, state="submitted", finance_version=version,
                                         council_decision=datetime.date(2026, 5, 1), submitted_at=now)
        PaymentRequest.objects.create(application=app, number=1, state="submitted", submitted_at=now)
        ProofSubmission.objects.create(application=app, version=1, report="Bericht")
        ProofEntry.objects.create(application=app, key="1-2027-bund", kind="queried", text="?")
        ProofEntry.objects.create(application=app, key="1-2027-bund", kind="answered", text="!")
        city = Application.objects.create(concept=mine, year=2028, version=i + 1, state="approved", finance_version=version,
                                          council_decision=datetime.date(2026, 5, 1), submitted_at=now)
        Approval.objects.create(application=city, decided_on=datetime.date(2026, 6, 1), file_number=f"A-{i}")
        Remark.objects.create(application=city, kind="request", about="figures", text="Bitte belegen")
        PaymentRequest.objects.create(application=city, number=1, state="returned", submitted_at=now,
                                      decided_at=now + datetime.timedelta(minutes=1),
                                      reason="falsch")
        ProofEntry.objects.create(application=city, key="1-2028-bund", kind="queried", text="?")
        ProofSubmission.objects.create(application=city, version=1, report="Bericht", state="returned",
                                       decided_at=now, reason="unvollständig")


def _queries(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as done:
        result = call()
    return len(done.captured_queries), result


def test_the_to_do_lists_take_the_same_queries_for_one_and_for_five_applications(paid):
    concept, staff = paid["concept"], paid["authority"]
    district = FundingAuthority.objects.get(prefixes__prefix="146")
    admin = UserFactory(is_superuser=True)
    authority, city = client_for(staff), client_for(admin)
    portfolio = f"/authorities/{district.pk}/portfolio/"
    mine = Concept.objects.create(city=concept.city, name="Bahnhofsviertel", slug="bahnhofsviertel",
                                  programme="lebendige_zentren", legal_basis="baugb_141", start_year=2026, end_year=2030)
    _pile(concept, 1, 0, mine)
    authority.get(portfolio)  # the session and the caches warmed
    one, todo = _queries(lambda: services.authority_todo(staff, district))
    assert todo["counts"] == {"application": 1, "payment_request": 1, "proof": 1, "answer": 1}
    one_page = _queries(lambda: authority.get(portfolio))[0]
    listing = f"/concepts/{mine.slug}/applications/"
    city.get(listing)
    one_city, todo = _queries(lambda: services.city_todo(admin, mine))
    assert todo["counts"] == {"change_request": 1, "returned_request": 1, "query": 1, "returned_proof": 1, "approval": 0}
    one_list = _queries(lambda: city.get(listing))[0]
    _pile(concept, 4, 1, mine)
    five, todo = _queries(lambda: services.authority_todo(staff, district))
    assert todo["counts"] == {"application": 5, "payment_request": 5, "proof": 5, "answer": 5}
    assert five == one
    assert _queries(lambda: authority.get(portfolio))[0] == one_page
    five_city, todo = _queries(lambda: services.city_todo(admin, mine))
    assert todo["counts"] == {"change_request": 5, "returned_request": 5, "query": 5, "returned_proof": 5, "approval": 0}
    assert five_city == one_city
    assert _queries(lambda: city.get(listing))[0] == one_list


def test_a_new_version_of_an_approved_application_leaves_its_approval_in_force(paid):
    """Walk: "Neue Version anlegen" on an approved application and submitting it made the approval
    vanish ("ersetzt durch Version 3", the portfolio only "eingereicht"). The Bescheid stands until
    the authority decides on the new version: the confirmation says so, the list, the application's
    page and the portfolio show it beside the new version's state, the KuF's approved lines stay locked."""
    from isek.finance import services as finance
    from isek.finance.models import Financing
    from tests.procedure import YESTERDAY, cheap_documents, documents_written

    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    city, authority = client_for(planner), client_for(staff)
    # an amendment first: the list names the original Bescheid with it, not the amendment alone
    line = next(x for x in services.approval_lines(concept, app) if x["approved"])
    decided = app.submitted_at.date()
    services.approve(staff, concept, app, decided_on=decided, file_number="34.1-2027/07-Ä1", reason="Korrektur",
                     amounts={line["key"]: line["approved"] - 1}, reasons={line["key"]: "gekürzt"})
    named = (f"Zuwendungsbescheid 34.1-2027/07 vom {decided:%d.%m.%Y}, geändert durch Änderungsbescheid "
             f"34.1-2027/07-Ä1 vom {decided:%d.%m.%Y}")
    locked = sorted(f.pk for f in Financing.objects.filter(measure__concept=concept) if finance.is_locked(f))
    assert locked
    base = f"/concepts/{concept.slug}/applications/"
    form = city.get(f"{base}new/?year={app.year}").content.decode()  # "Neue Version anlegen" warns first
    assert 'id="form-in-force"' in form and "Eine neue Version ersetzt ihn nicht" in form and "34.1-2027/07" in form
    assert 'id="form-in-force"' not in city.get(f"{base}new/?year=2031").content.decode()
    with cheap_documents():
        draft = services.save_draft(planner, concept, year=app.year, council_decision=YESTERDAY, freeze_as="Neu 2027")
        asked = city.post(f"{base}{draft.pk}/submit/").content.decode()
        assert 'id="submit-in-force"' in asked and "34.1-2027/07" in asked and "Er bleibt in Kraft" in asked
        city.post(f"{base}{draft.pk}/submit/", {"confirmed": "1"})
        documents_written(draft)
    draft.refresh_from_db()
    assert draft.state == "submitted" and Application.objects.get(pk=app.pk).state == "approved"
    listing = {a.pk: a for a in services.applications_of(planner, concept)}
    assert listing[app.pk].keeps_approval["approval"].file_number == "34.1-2027/07-Ä1"
    assert listing[draft.pk].approval_in_force["application"].pk == app.pk
    shown = city.get(base).content.decode()
    assert 'data-in-force="1"' in shown
    assert f"bewilligt – {named} bleibt in Kraft, bis über Version {draft.version} entschieden ist" in shown
    assert f"; in Kraft: {named} (Version {app.version})" in shown
    page = city.get(f"{base}{app.pk}/").content.decode()
    assert f"{named} bleibt in Kraft" in page and "ersetzt durch" not in page.split('id="application-state"')[1].split("</dd>")[0]
    district = FundingAuthority.objects.get(prefixes__prefix="146")
    portfolio = authority.get(f"/authorities/{district.pk}/portfolio/").content.decode()
    row = portfolio.split(f'data-application="{draft.pk}"')[1].split("</tr>")[0]
    assert f'data-in-force="{app.version}"' in row and "34.1-2027/07" in row and "bewilligt" in row
    assert sorted(f.pk for f in Financing.objects.filter(measure__concept=concept) if finance.is_locked(f)) == locked
