"""The funding authority's review (issue #23 point 3, decision 0056): its portfolio of the
district's submitted applications, comments and change requests (Nachforderungen) per measure or
item, which the city answers with a new version and the authority closes; the application's
state moves only as services.TRANSITIONS says; refusals change nothing."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from isek.concepts.models import FundingAuthority
from isek.core.models import ChangeRecord
from isek.procedure import difference as diff
from isek.procedure import services
from isek.procedure.models import Application, Remark
from tests.conftest import client_for
from tests.dbstate import checksum
from tests.factories import UserFactory
from tests.procedure import YESTERDAY, cheap_documents, submit  # noqa: F401  (tests/browser/test_review.py takes them from here)


def _measure_key(app) -> str:
    return f"measure:{app.snapshot['measures'][0]['key']}"


def test_the_authority_asks_the_city_answers_with_a_new_version_the_authority_closes(world):
    concept, app, staff, planner = world["concept"], world["app"], world["authority"], world["planner"]
    assert app.state == "submitted"
    services.start_review(staff, concept, app)
    assert Application.objects.get(pk=app.pk).get_state_display() == "in Prüfung"
    comment = services.add_remark(staff, concept, app, kind="comment", about="council_decision", text="Bitte Auszug beilegen.")
    assert Application.objects.get(pk=app.pk).state == "review"  # a comment asks for nothing
    request = services.add_remark(staff, concept, app, kind="request", about=_measure_key(app),
                                  text="Kosten der Maßnahme 1.1 bitte aufschlüsseln.")
    assert request.about_label.startswith("Maßnahme 1.1 Altstadtstraßen")
    assert Application.objects.get(pk=app.pk).state == "changes"
    # the city sees them on its page (the view cell) and answers with version 2
    assert [r.pk for r in services.remarks_of(planner, concept, app)] == [comment.pk, request.pk]
    second = submit(planner, concept, name="Programmanmeldung 2027, Version 2")
    request.refresh_from_db()
    comment.refresh_from_db()
    assert (request.state, request.answered_by_id, second.version) == ("answered", second.pk, 2)
    assert comment.state == "open"  # only change requests are answered by a version
    assert services.requests_answered_by(second) == [request]
    assert services.newer_of(app) == second
    # the first version no longer looks open: superseded on the list and its page; the second's page
    # does not say "no remarks" right under the request it answers (issue #23)
    city = client_for(planner)
    listing = city.get(f"/concepts/{concept.slug}/applications/").content.decode()
    row = listing.split(f'data-application="{app.pk}"')[1].split("</tr>")[0]
    assert "ersetzt durch Version 2" in row and "Nachforderung" not in row
    first_page = city.get(f"/concepts/{concept.slug}/applications/{app.pk}/").content.decode()
    state = first_page.split('id="application-state"')[1].split("</dd>")[0]
    # who made version 2 is named, not the reviewer whose change request was this version's last state (walk Speyer)
    assert f" von {planner.username}</span>; diese Version zuletzt: Nachforderung" in state, state
    assert state.split('id="superseded-by">')[1].startswith("ersetzt durch Version 2, eingereicht am ")
    assert f"am {timezone.localtime(second.submitted_at):%d.%m.%Y}" in state and staff.username in state.split("zuletzt: Nachforderung")[1]
    answers = city.get(f"/concepts/{concept.slug}/applications/{second.pk}/").content.decode().split('id="answers"')[1]
    assert "Keine Anmerkungen oder Nachforderungen." not in answers
    assert "Zu dieser Version selbst gibt es keine Anmerkungen oder Nachforderungen." in answers
    # the authority closes the request; the first version's review goes on
    services.close_remark(staff, concept, request)
    request.refresh_from_db()
    assert (request.state, request.closed_by) == ("closed", staff)
    assert Application.objects.get(pk=app.pk).state == "review"
    # the change history has who did what
    records = ChangeRecord.objects.filter(model="procedure.Remark", object_id=str(request.pk)).order_by("id")
    assert [r.action for r in records] == ["create", "update", "update"]
    assert [r.actor for r in records] == [staff.username, planner.username, staff.username]
    states = ChangeRecord.objects.filter(model="procedure.Application", object_id=str(app.pk), changes__has_key="state")
    assert [r.changes["state"] for r in states.order_by("id")][-3:] == [["submitted", "review"], ["review", "changes"],
                                                                          ["changes", "review"]]


def test_refusals_change_nothing(world):
    concept, app, staff, planner = world["concept"], world["app"], world["authority"], world["planner"]
    stranger = UserFactory()
    before = checksum()
    cases = [
        (dict(kind="request", about="application", text="  "), {"text": ["Bitte geben Sie einen Text ein."]}),
        (dict(kind="request", about="measure:999999", text="x"), {"about": ["Bitte wählen Sie, was der Vermerk betrifft."]}),
        (dict(kind="lob", about="application", text="x"),
         {"kind": ["Bitte wählen Sie, ob es eine Anmerkung oder eine Nachforderung ist."]}),
        (dict(kind="comment", about="application", text="x" * 4001),
         {"text": ["Der Text darf höchstens 4000 Zeichen lang sein."]}),
    ]
    for values, errors in cases:
        with pytest.raises(ValidationError) as refused:
            services.add_remark(staff, concept, app, **values)
        assert refused.value.message_dict == errors
    # the city's planner, the other district's authority and a stranger may not review
    for user, error in ((planner, PermissionDenied), (world["authority_b"], Http404), (stranger, Http404)):
        with pytest.raises(error):
            services.add_remark(user, concept, app, kind="comment", about="application", text="x")
        with pytest.raises(error):
            services.start_review(user, concept, app)
    assert checksum() == before
    # the state table refuses what it does not hold: a review started twice
    services.start_review(staff, concept, app)
    before = checksum()
    with pytest.raises(ValidationError) as twice:
        services.start_review(staff, concept, app)
    assert twice.value.messages == ["Die Prüfung kann nur bei einem eingereichten Antrag beginnen; dieser ist „in Prüfung“."]
    closed = services.add_remark(staff, concept, app, kind="comment", about="figures", text="gesehen")
    services.close_remark(staff, concept, closed)
    before = checksum()
    with pytest.raises(ValidationError, match="schon erledigt"):
        services.close_remark(staff, concept, closed)
    assert checksum() == before


def test_a_submitted_application_changes_only_its_state(world):
    """The model still refuses any other change of a submitted application (decision 0053), and a
    state move back to draft."""
    app = world["app"]
    app.note = "geändert"
    with pytest.raises(ValidationError):
        app.save()
    app.refresh_from_db()
    app.state = "draft"
    with pytest.raises(ValidationError):
        app.save(update_fields=["state"])


def test_a_superseded_version_takes_no_new_remarks(world):
    concept, app, staff = world["concept"], world["app"], world["authority"]
    second = submit(world["planner"], concept, name="Version 2")
    before = checksum()
    with pytest.raises(ValidationError) as refused:
        services.add_remark(staff, concept, app, kind="comment", about="application", text="x")
    assert refused.value.messages == ["Zu dieser Version gibt es eine neuere (Version 2); bitte prüfen Sie diese."]
    assert checksum() == before
    assert services.add_remark(staff, concept, second, kind="comment", about="application", text="x").application == second


def test_the_portfolio_holds_the_district_and_adds_up(world):
    concept, app, staff = world["concept"], world["app"], world["authority"]
    authority = FundingAuthority.objects.get(staff__user=staff)
    found = services.portfolio(staff, authority)
    [group] = found["groups"]
    assert (group["programme"], group["year"]) == ("Lebendige Zentren", 2027)
    [row] = group["rows"]
    # what the application requests: its programme year 2027 and the years after, not the KuF's 2026
    figures = [f for f in app.snapshot["figures"] if int(f["year"]) >= app.year]
    grant = sum(D(f["amount"]) for f in figures if f["what"] in ("bund", "land"))
    assert row["app"] == app and row["grant"] == grant == group["grant"] and grant > 0
    assert grant < sum(D(f["amount"]) for f in app.snapshot["figures"] if f["what"] in ("bund", "land"))
    assert (row["done"], row["total"]) == (app.snapshot["readiness"]["done"], app.snapshot["readiness"]["total"])
    assert [r["year"] for r in found["sums"]] == [2027, 2028, 2029, 2030]
    cost = found["headers"].index("Kosten")
    assert sum(r["values"][cost] for r in found["sums"]) == sum(D(f["amount"]) for f in figures if f["what"] == "cost")
    [area] = json.loads(found["areas"])["features"]
    assert area["properties"]["city"] == "Hoyerswerda" and area["geometry"]["type"] == "MultiPolygon"
    # the sums the snapshot keeps are those of its figures; an application submitted before they
    # were kept is added up from its figures alike
    assert diff.sums(app.snapshot, order=services.FIGURES) == diff.sums(
        {"figures": app.snapshot["figures"]}, order=services.FIGURES)
    Application.objects.filter(pk=app.pk).update(snapshot={k: v for k, v in app.snapshot.items() if k != "sums"})
    assert services.portfolio(staff, authority)["sums"] == found["sums"]
    assert services.portfolio(staff, authority)["groups"][0]["grant"] == grant
    # a newer version takes the older one's place
    second = submit(world["planner"], concept, name="Version 2")
    assert [r["app"] for r in services.portfolio(staff, authority)["groups"][0]["rows"]] == [second]
    # the other district's authority sees nothing of it, and may not open this portfolio
    other = FundingAuthority.objects.get(staff__user=world["authority_b"])
    assert services.portfolio(world["authority_b"], other)["groups"] == []
    for user in (world["authority_b"], world["planner"]):
        with pytest.raises(PermissionDenied):
            services.portfolio(user, authority)
    assert services.portfolio(UserFactory(is_superuser=True), authority)["groups"][0]["rows"][0]["app"] == second


# --- the pages ------------------------------------------------------------------------------------


def test_the_pages_of_the_review(world):
    concept, app, staff = world["concept"], world["app"], world["authority"]
    authority = FundingAuthority.objects.get(staff__user=staff)
    reviewer = client_for(staff)
    page = reviewer.get(f"/authorities/{authority.pk}/portfolio/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Altstadt Neu" in text and "Hoyerswerda" in text and 'id="portfolio-map"' in text
    sums = text.split('id="sums"')[1].split("</table>")[0]  # what is requested: from the programme year 2027 on
    assert "Beantragte Summen nach Jahr und Quelle" in text and 'data-year="2027"' in sums and "2026" not in sums
    areas = json.loads(text.split('<script id="portfolio-areas" type="application/json">')[1].split("</script>")[0])
    assert areas["features"][0]["properties"]["url"] == f"/concepts/{concept.slug}/applications/{app.pk}/"
    assert client_for(world["authority_b"]).get(f"/authorities/{authority.pk}/portfolio/").status_code == 403
    start = reviewer.get("/").content.decode()  # the authority's list names it once (its to-dos link it too, 0072)
    assert start.split('id="authorities"')[1].split("</ul>")[0].count(f"/authorities/{authority.pk}/portfolio/") == 1
    url = f"/concepts/{concept.slug}/applications/{app.pk}/"
    # bad input: the page again with the message, nothing saved
    before = checksum()
    bad = reviewer.post(url + "remarks/", {"kind": "request", "about": "application", "text": ""})
    assert bad.status_code == 400 and "Dieses Feld ist zwingend erforderlich." in bad.content.decode()
    assert checksum() == before
    done = reviewer.post(url + "remarks/", {"kind": "request", "about": "figures", "text": "Bitte Zahlen prüfen."},
                         follow=True)
    assert "Die Nachforderung wurde gespeichert" in done.content.decode()
    remark = Remark.objects.get(application=app)
    # the city sees it and is told how to answer
    city = client_for(world["planner"]).get(url).content.decode()
    assert "Bitte Zahlen prüfen." in city and 'id="answer-hint"' in city and "Nachforderung" in city
    # the state names who set it: the authority's change request, not the planner's submission
    assert f"von {staff.get_username()}</span>" in city.split('id="state-change"')[1]
    assert f"remarks/{remark.pk}/close/" not in city
    closed = reviewer.post(url + f"remarks/{remark.pk}/close/", follow=True)
    assert "Der Vermerk ist erledigt." in closed.content.decode()
    assert Remark.objects.get(pk=remark.pk).state == "closed"
    # refused on the page: twice
    again = reviewer.post(url + f"remarks/{remark.pk}/close/", follow=True)
    assert "Dieser Vermerk ist schon erledigt." in again.content.decode()
    # in English
    english = client_for(staff)
    english.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    english = english.get(url).content.decode()
    assert "Review by the funding authority" in english


def test_the_api_shows_the_remarks_to_both_sides(world):
    concept, app, staff = world["concept"], world["app"], world["authority"]
    services.add_remark(staff, concept, app, kind="request", about="council_decision", text="Beschluss fehlt.")
    for user in (staff, world["planner"]):
        data = client_for(user).get(f"/api/v1/concepts/{concept.slug}/applications/{app.pk}/").json()
        assert data["state"] == "changes"
        assert [(r["kind"], r["about"], r["text"], r["state"]) for r in data["remarks"]] == [
            ("request", "council_decision", "Beschluss fehlt.", "open")]


def test_a_remark_names_its_measure_in_the_readers_language_and_keeps_the_stored_text(world):
    """Walk 23: a remark made in German showed "Maßnahme 4.1 …" to an English reader. The label is
    rendered from what the remark refers to (the measure of the application); the German stored at
    the time stays in about_label, for the record."""
    concept, app, staff = world["concept"], world["app"], world["authority"]
    measure = app.snapshot["measures"][0]
    remark = services.add_remark(staff, concept, app, kind="comment", about=_measure_key(app),
                                 text="Bitte Kostenschätzung beilegen.")
    stored = Remark.objects.get(pk=remark.pk).about_label
    assert stored == f"Maßnahme {measure['number']} {measure['title']}"
    english = client_for(world["planner"])
    english.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = english.get(f"/concepts/{concept.slug}/applications/{app.pk}/").content.decode()
    assert f"Measure {measure['number']} {measure['title']}" in page and stored not in page
    german = client_for(world["planner"]).get(f"/concepts/{concept.slug}/applications/{app.pk}/").content.decode()
    assert stored in german
    # a subject that names nothing known any more: the stored text
    Remark.objects.filter(pk=remark.pk).update(about="measure:gone")
    assert Remark.objects.get(pk=remark.pk).label == stored


def test_another_citys_or_districts_people_cannot_probe_application_numbers(world):
    """Walk of Landshut (decision 0087): on a public concept, another district's staff and another
    city's planner were told 403 for a submitted application and 404 for a number that names none –
    and the district's staff 403 for a draft –, so numbers could be probed. Now 404 alike, on every
    page of the procedure; 403 stays for the concept's own people who lack the role."""
    from isek.concepts.models import Concept
    from isek.procedure.models import Application
    from tests.conftest import client_for
    from tests.factories import ConceptFactory, member

    concept, app, staff, planner = world["concept"], world["app"], world["authority"], world["planner"]
    Concept.objects.filter(pk=concept.pk).update(is_public=True)
    draft = services.save_draft(planner, concept, year=2028, council_decision=app.council_decision,
                                finance_version=app.finance_version)
    missing = Application.objects.order_by("-pk").first().pk + 100
    base = f"/concepts/{concept.slug}/applications/"
    pages = ("", "approve/", "payments/", "payments/1/", "proof/", "proof.pdf")
    outsiders = {"authority_b": client_for(world["authority_b"]),
                 "planner of another city": client_for(member(ConceptFactory(), "planner"))}
    for who, client in outsiders.items():
        assert client.get(f"/concepts/{concept.slug}/").status_code == 200  # the public plan they may see
        for number in (app.pk, draft.pk, missing):
            for page in pages:
                assert client.get(f"{base}{number}/{page}").status_code == 404, (who, number, page)
            assert client.post(f"{base}{number}/remarks/", {"kind": "comment", "text": "x"}).status_code == 404
        assert client.get(base).status_code == 404, who  # the list of the city's applications
    district = client_for(staff)
    for page in ("", "payments/", "proof/"):  # the district's own authority: a draft is no number it knows
        assert district.get(f"{base}{draft.pk}/{page}").status_code == 404
        assert district.get(f"{base}{missing}/{page}").status_code == 404
    assert district.get(f"{base}{app.pk}/").status_code == 200
    # the concept's own people who lack the role: 403, with the page saying who does it
    reviewer = client_for(member(concept, "reviewer"))
    assert reviewer.get(f"{base}{app.pk}/").status_code == 200
    assert reviewer.get(f"{base}{app.pk}/approve/").status_code == 403
    assert reviewer.post(f"{base}{draft.pk}/submit/").status_code == 403
    assert district.post(f"{base}{app.pk}/submit/").status_code == 403  # the authority sees it, submits nothing
    with pytest.raises(Http404):
        services.application_of(world["authority_b"], concept, app.pk)
    with pytest.raises(PermissionDenied):
        services.add_remark(planner, concept, app, kind="comment", about="application", text="x")
