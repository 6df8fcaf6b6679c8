"""Mails on the procedure's steps (decisions 0087, 0094): the district's funding authority hears of
what the city submits and of its answers to queries, the concept's planners of what the authority
decides, comments and queries – each person once per step, with the link to the page, after the
step commits; nobody on the wrong side or of another city or district; a failing mail server fails
no step."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail as outbox
from django.core.mail.backends.base import BaseEmailBackend

from isek.procedure import services
from isek.procedure.models import PaymentRequest
from tests.factories import ConceptFactory, authority_staff, member
from tests.procedure import submit
from tests.procedure.conftest import FINAL

BASE = "https://isek.example.de"


@pytest.fixture
def people(settings):
    """Addresses for everybody of the world, and the people who must hear nothing: a reviewer of
    the concept, a planner of another city's concept, the staff of another district."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ISEK_BASE_URL = BASE

    def addressed(user, address):
        user.email = address
        user.save()
        return user

    def of(world):
        concept = world["concept"]
        addressed(world["planner"], "planer@hoyerswerda.example")
        addressed(world["authority"], "pruefung@lds.example")
        addressed(world["authority_b"], "pruefung@arnsberg.example")
        addressed(member(concept, "planner"), "planerin@hoyerswerda.example")
        addressed(member(concept, "reviewer"), "rat@hoyerswerda.example")
        addressed(member(ConceptFactory(), "planner"), "planer@anderswo.example")
        colleague = authority_staff("146")  # the same authority's second reviewer
        addressed(colleague, "kollegin@lds.example")
        outbox.outbox.clear()
        return {"planners": {"planer@hoyerswerda.example", "planerin@hoyerswerda.example"},
                "authority": {"pruefung@lds.example", "kollegin@lds.example"}}

    return of


def _sent() -> list[tuple[str, str, str]]:
    """(address, subject, body) of each mail sent, emptying the outbox."""
    found = [(m.to[0], m.subject, m.body) for m in outbox.outbox if len(m.to) == 1]
    assert len(found) == len(outbox.outbox)  # one address per mail: nobody sees who else got it
    outbox.outbox.clear()
    return found


def _step(expected: set[str], subject: str, link: str) -> list[str]:
    sent = _sent()
    assert sorted(a for a, _s, _b in sent) == sorted(expected)  # each once, nobody else
    for _address, got, body in sent:
        assert subject in got and BASE + link in body and body.startswith("Guten Tag,")
    return [body for _a, _s, body in sent]


def test_change_request_new_version_and_approval_each_tell_the_other_side(world, people,
                                                                           django_capture_on_commit_callbacks):
    concept, planner, staff, app = world["concept"], world["planner"], world["authority"], world["app"]
    who = people(world)
    page = f"/concepts/{concept.slug}/applications/{app.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        services.start_review(staff, concept, app)
    assert _sent() == []  # the start of the review is no step to hear of
    with django_capture_on_commit_callbacks(execute=True):
        services.add_remark(staff, concept, app, kind="comment", about="council_decision", text="Nur eine Anmerkung.")
    # issue 23: a comment is news for the city too (decision 0094), with what it is about
    bodies = _step(who["planners"], "Anmerkung zum Antrag 2027", page)
    assert all("hat eine Anmerkung zum Antrag" in b and "(Version 1) geschrieben, betreffend den Ratsbeschluss:\n\n"
               "Nur eine Anmerkung." in b for b in bodies)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.add_remark(staff, concept, app, kind="request", about="figures", text="Bitte die Kosten 2028 belegen.")
        assert outbox.outbox == []  # nothing before the step commits
    assert len(callbacks) == 1
    bodies = _step(who["planners"], "Nachforderung zum Antrag 2027", page)
    assert all("Bitte die Kosten 2028 belegen." in b and "die Zahlen (KuF)" in b for b in bodies)
    assert all("Die Bewilligungsbehörde hat eine Nachforderung zum Antrag" in b and "bittet" not in b for b in bodies)
    with django_capture_on_commit_callbacks(execute=True):
        second = submit(planner, concept, name="Programmanmeldung 2027 v2")
    bodies = _step(who["authority"], "Neue Version 2 des Antrags von Hoyerswerda für 2027",
                   f"/concepts/{concept.slug}/applications/{second.pk}/")
    # issue 23: the city's answer names the change request it answers (decision 0094), not the comment
    assert all(b.count("\n- ") == 1 and "Sie beantwortet die Nachforderungen:\n- zu Version 1, betreffend die Zahlen "
               "(KuF): Bitte die Kosten 2028 belegen." in b for b in bodies)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_review(staff, concept, second)
        cut = next(line for line in services.approval_lines(concept, second) if line["source"] == "bund" and line["requested"] > 1000)
        services.approve(staff, concept, second, decided_on=second.submitted_at.date(), file_number="34.1-2027/09",
                         amounts={cut["key"]: cut["requested"] - 1000}, reasons={cut["key"]: "Kosten zu hoch"})
    bodies = _step(who["planners"], "Zuwendungsbescheid zum Antrag 2027",
                   f"/concepts/{concept.slug}/applications/{second.pk}/")
    # issue 23: "hat den Zuwendungsbescheid … eingetragen", and where the approval differs from the request
    differs = (f"Abweichend vom Antrag bewilligt:\n- {cut['label']}, {cut['year']}, {cut['source_label']}: beantragt "
               f"{services._euro(cut['requested'])} €, bewilligt {services._euro(cut['requested'] - 1000)} € (Kosten zu hoch)")
    assert all("hat den Zuwendungsbescheid 34.1-2027/09 vom" in b and differs in b for b in bodies)
    assert sum("Abweichend" in b for b in bodies) == len(bodies) and all(b.count("\n- ") == 1 for b in bodies)


def test_payment_requests_and_the_proof_of_use_tell_the_other_side(paid, people, django_capture_on_commit_callbacks):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    who = people(paid)
    base = f"/concepts/{concept.slug}/applications/{app.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        request = services.draft_request(planner, concept, app, payments=paid["payments"][:2])
    assert _sent() == []  # a draft is the city's alone
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_request(planner, concept, request)
    _step(who["authority"], "Mittelabruf Nr. 1 von Hoyerswerda eingereicht", base + "payments/1/")
    with django_capture_on_commit_callbacks(execute=True):
        services.release(staff, concept, request)
    total = sum(line.released for line in PaymentRequest.objects.get(pk=request.pk).lines.all())
    bodies = _step(who["planners"], "Mittelabruf Nr. 1 freigegeben", base + "payments/1/")
    assert all(f"freigegeben: {services._euro(total)} €." in b for b in bodies)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.submit_new_request(planner, concept, app, payments=[paid["payments"][2]], via="web")
    _step(who["authority"], "Mittelabruf Nr. 2 von Hoyerswerda eingereicht", base + "payments/2/")
    with django_capture_on_commit_callbacks(execute=True):
        services.return_request(staff, concept, second, reason="Bitte mit Schlussrechnung")
    bodies = _step(who["planners"], "Mittelabruf Nr. 2 zurückgegeben", base + "payments/2/")
    assert all("Bitte mit Schlussrechnung" in b for b in bodies)
    # issue 23: a query on a line of the proof of use and the city's answer each tell the other side (0094)
    line = services.proof_of_use(concept, app)["expenses"][0]
    with django_capture_on_commit_callbacks(execute=True):
        services.check_proof_line(staff, concept, app, key=line["key"], state="checked")
    assert _sent() == []  # a line checked is no news
    with django_capture_on_commit_callbacks(execute=True):
        services.check_proof_line(staff, concept, app, key=line["key"], state="queried", remark="Bitte Rechnung 2 beilegen.")
    name = f"{line['label']}, {line['year']}"
    bodies = _step(who["planners"], "Rückfrage zum Verwendungsnachweis (Altstadt Neu)", base + f"proof/#line-{line['key']}")
    assert all(f"Rückfrage zur Zeile „{name}“ des Verwendungsnachweises" in b and "Bitte Rechnung 2 beilegen." in b
               for b in bodies)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_query(planner, concept, app, key=line["key"], text="Liegt jetzt bei.")
    bodies = _step(who["authority"], "Antwort von Hoyerswerda auf eine Rückfrage zum Verwendungsnachweis",
                   base + f"proof/#line-{line['key']}")
    assert all(f"hat die Rückfrage zur Zeile „{name}“" in b and "Liegt jetzt bei." in b for b in bodies)
    with django_capture_on_commit_callbacks(execute=True):
        services.check_proof_line(staff, concept, app, key=line["key"], state="checked")
    assert _sent() == []
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_proof(planner, concept, app, report="Der Platz ist fertig.", confirmed=True)
    bodies = _step(who["authority"], "Verwendungsnachweis von Hoyerswerda eingereicht", base + "proof/")
    assert all("eingereicht (Version 1)." in b and "Fassung" not in b for b in bodies)  # issue 23: one word
    with django_capture_on_commit_callbacks(execute=True):
        services.return_proof(staff, concept, app, reason="Bitte den Sachbericht ergänzen")
    bodies = _step(who["planners"], "Verwendungsnachweis zurückgegeben", base + "proof/")
    assert all("Bitte den Sachbericht ergänzen" in b for b in bodies)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_proof(planner, concept, app, report="Ergänzt.", confirmed=True, today=FINAL)
    _step(who["authority"], "Verwendungsnachweis von Hoyerswerda eingereicht", base + "proof/")
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_proof(staff, concept, app)
    _step(who["planners"], "Verwendungsnachweis geprüft", base + "proof/")


class _Down(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("the mail server is down")


def test_a_failing_mail_server_fails_no_step_and_is_logged(paid, people, settings, caplog,
                                                           django_capture_on_commit_callbacks):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    people(paid)
    settings.EMAIL_BACKEND = f"{__name__}._Down"
    with django_capture_on_commit_callbacks(execute=True):
        request = services.submit_new_request(planner, concept, app, payments=paid["payments"][:2], via="web")
    with django_capture_on_commit_callbacks(execute=True):
        services.release(staff, concept, request)
    assert PaymentRequest.objects.get(pk=request.pk).state == "released"
    failed = [r for r in caplog.records if r.name == "isek.procedure.mail"]
    assert len(failed) == 4 and all("not sent" in r.getMessage() for r in failed)  # two of each side, each logged
