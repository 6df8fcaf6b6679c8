"""Payment requests submitted or decided twice at once (second reading, decision 0093): the step
locks the application's and the request's rows and checks the state again under the lock, so a
second submit or release of the same request is refused with a message – never submitted or
released twice – and two requests against the same approval are not both counted against what
was left of it."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from isek.core.models import ChangeRecord
from isek.procedure import services
from isek.procedure.models import PaymentRequest
from tests.conftest import client_for
from tests.dbstate import checksum
from tests.procedure.conftest import LATER


def test_a_second_submit_and_a_second_release_of_the_same_request_are_refused_with_a_message(paid, django_capture_on_commit_callbacks):
    """Each from a copy read before the first (two browser tabs): refused, nothing changed, no second
    mail; through the page a message, not a 500."""
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    _with_addresses(planner, staff)
    request = services.draft_request(planner, concept, app, payments=paid["payments"][:2])
    tab, browser = PaymentRequest.objects.get(pk=request.pk), client_for(planner)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_request(planner, concept, request)
    assert [m.to for m in mail.outbox] == [[staff.email]]
    sent, before = len(mail.outbox), checksum()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as caught:
        services.submit_request(planner, concept, tab)
    assert "schon eingereicht (Stand „eingereicht“)" in caught.value.messages[0]
    assert checksum() == before and len(mail.outbox) == sent
    page = browser.post(reverse("procedure:payment-request-submit", args=[concept.slug, app.pk, request.number]),
                        {"confirmed": "1"}, follow=True)
    assert page.status_code == 200 and "schon eingereicht" in page.content.decode()
    assert checksum() == before
    tab = PaymentRequest.objects.get(pk=request.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.release(staff, concept, request)
    assert mail.outbox[-1].to == [planner.email]
    sent, before = len(mail.outbox), checksum()
    for again in (lambda: services.release(staff, concept, tab), lambda: services.return_request(staff, concept, tab, reason="doch nicht")):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as caught:
            again()
        assert "nur über einen eingereichten Mittelabruf; dieser ist „freigegeben“" in caught.value.messages[0]
    assert checksum() == before and len(mail.outbox) == sent


def _with_addresses(*people) -> None:
    for n, person in enumerate(people):  # the steps' mails go to the authority's staff and the planners
        person.email = f"person{n}@example.org"
        person.save(update_fields=["email"])


def _at_once(*steps, hook: str):
    """Run ``steps`` in threads of their own (each with its own connection), each held at the service's
    ``hook`` until all have reached it or a second has passed: without a lock every step passes its
    checks before any writes; with it the first waits there in vain while the others wait for its
    lock, then they find what it did. What each returned or raised, in order."""
    barrier = threading.Barrier(len(steps))
    original = getattr(services, hook)

    def held(*args, **kwargs):
        try:
            barrier.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass
        return original(*args, **kwargs)

    results: list = [None] * len(steps)

    def run(n, step):
        try:
            results[n] = step()
        except Exception as exc:  # noqa: BLE001 – what it raised is the result
            results[n] = exc
        finally:
            connection.close()

    setattr(services, hook, held)
    try:
        threads = [threading.Thread(target=run, args=(n, step)) for n, step in enumerate(steps)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        setattr(services, hook, original)
    return results


@pytest.mark.postgis_only
@pytest.mark.django_db(transaction=True)
def test_two_submits_and_two_releases_at_once_count_once(paid):
    """Threads on PostgreSQL: two drafts citing the same expense at once – one; two drafts of the same
    lines, each asking all that is left, submitted at once – one passes, the other is refused as more
    than is left; the one submitted released twice at once – once, one mail each step."""
    from isek import access
    from isek.monitoring import services as monitoring

    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    _with_addresses(planner, staff)
    measure = concept.measures.get(number="1.1")
    big = monitoring.save_payment(access.Operator("test"), concept, monitoring.Payment(measure=measure, year=2027,
                                                                                         amount=D("900000.00")), today=LATER)
    # two drafts citing the same expense at once: one, the other refused as citing a cited expense
    results = _at_once(lambda: services.draft_request(planner, concept, app, payments=[big.pk]),
                       lambda: services.draft_request(planner, concept, app, payments=[big.pk]), hook="_taken")
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "lassen sich nicht abrufen" in refused[0].messages[0], results
    first = next(r for r in results if isinstance(r, PaymentRequest))  # all that is left
    assert list(PaymentRequest.objects.filter(items__payment=big).values_list("pk", flat=True)) == [first.pk]
    second = services.draft_request(planner, concept, app, payments=paid["payments"][:2])  # the same lines
    mail.outbox.clear()
    results = _at_once(lambda: services.submit_request(planner, concept, first),
                       lambda: services.submit_request(planner, concept, second), hook="_over_left")
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "Mehr als noch verfügbar" in refused[0].messages[0], results
    states = dict(PaymentRequest.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "state"))
    assert sorted(states.values()) == ["draft", "submitted"]
    left = services._left(app)
    assert all(amount >= 0 for amount in left.values()), left  # nothing counted beyond the approval
    assert [m.to for m in mail.outbox] == [[staff.email]]
    submitted = PaymentRequest.objects.get(pk=next(pk for pk, state in states.items() if state == "submitted"))
    results = _at_once(lambda: services.release(staff, concept, PaymentRequest.objects.get(pk=submitted.pk)),
                       lambda: services.release(staff, concept, PaymentRequest.objects.get(pk=submitted.pk)),
                       hook="_release_decided")
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "nur über einen eingereichten" in refused[0].messages[0], results
    assert PaymentRequest.objects.get(pk=submitted.pk).state == "released"
    assert [r.changes.get("state") for r in ChangeRecord.objects.filter(
        model="procedure.PaymentRequest", object_id=str(submitted.pk))].count(["submitted", "released"]) == 1
    assert [m.to for m in mail.outbox] == [[staff.email], [planner.email]]
