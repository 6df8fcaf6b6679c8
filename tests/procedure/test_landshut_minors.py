"""Minors of the procedure from a stranger's walk in Landshut (issue 23, decision 0105): a returned
payment request opens as a new draft with its lines and the reason; the portfolio lists programme
years ascending; the narrowing warning names a replaced version as such."""

from __future__ import annotations

import decimal

from isek.procedure import services
from isek.procedure.models import PaymentRequest
from tests.conftest import client_for
from tests.dbstate import checksum


def test_a_returned_request_opens_as_a_new_draft_with_its_lines_and_reason(paid):
    """Walk of Landshut: the refused Mittelabruf could not be corrected and sent again – the new one
    started from the shares, not from the amounts asked, and its page did not say why it was returned.
    Now it opens as a new draft: the same payments and amounts, the reason shown; changed and
    submitted, the returned one stays as it was."""
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    first = services.draft_request(planner, concept, app, payments=paid["payments"][:2])
    key = first.lines.first().key  # 1.1, 2027, Bund
    first.delete()
    asked = services.draft_request(planner, concept, app, payments=paid["payments"][:2], amounts={key: "1.000,00"})
    services.submit_request(planner, concept, asked)
    services.return_request(staff, concept, asked, reason="Rechnung 2 ohne Beleg")
    kept = {(line.key, line.requested) for line in asked.lines.all()}
    assert (key, decimal.Decimal("1000.00")) in kept
    found = services.returned_request_payments(planner, concept, app, asked.number)
    assert found["reason"] == "Rechnung 2 ohne Beleg" and found["payments"] == paid["payments"][:2]
    assert found["amounts"] == dict(kept)
    city = client_for(planner)
    base = f"/concepts/{concept.slug}/applications/{app.pk}/payments/"
    shown = city.get(f"{base}{asked.number}/").content.decode()
    assert "Als neuen Entwurf öffnen" in shown and "lässt sich nicht korrigieren" not in shown
    before = checksum()
    form = city.get(f"{base}new/?from={asked.number}").content.decode()
    assert checksum() == before  # opening changes nothing
    assert "Begründung der Rückgabe: Rechnung 2 ohne Beleg" in " ".join(form.split())
    field = form.split(f'name="amount-{key}"')[1].split(">")[0]
    assert 'value="1.000,00"' in field  # the amount asked, not the share
    assert f'name="renews" value="{asked.number}"' in form
    # changed (less for the line) and saved: a new draft; the returned one is as it was
    post = {"payments": [str(pk) for pk in paid["payments"][:2]], f"amount-{key}": "900,00", "renews": str(asked.number),
            "note": "Neu gestellt nach der Rückgabe von Mittelabruf Nr. %s." % asked.number}
    answer = city.post(f"{base}new/", post)
    assert answer.status_code == 302, answer.content.decode()
    draft = PaymentRequest.objects.get(application=app, number=asked.number + 1)
    assert draft.state == "draft" and draft.lines.get(measure=key.split("-")[0], year=2027,
                                                      source=key.split("-")[2]).requested == decimal.Decimal("900.00")
    services.submit_request(planner, concept, draft)
    asked.refresh_from_db()
    assert asked.state == "returned" and asked.reason == "Rechnung 2 ohne Beleg"
    assert {(line.key, line.requested) for line in asked.lines.all()} == kept
    # a refused save keeps the reason in view (the form sent it along)
    again = city.post(f"{base}new/", {"payments": ["x"], "renews": str(asked.number)})
    assert again.status_code == 400 and "Rechnung 2 ohne Beleg" in again.content.decode()


def test_the_portfolio_lists_programme_years_ascending_and_a_replaced_version_is_named_so(world):
    """Walk of Landshut: the portfolio listed 2027 before 2026; narrowing the district warned of
    "Antrag 2027, Version 1, „Nachforderung“" – a version that version 2 had replaced."""
    import pytest
    from django.core.exceptions import ValidationError

    from isek.concepts import services as concepts
    from isek.concepts.models import FundingAuthority
    from tests.factories import UserFactory
    from tests.procedure import submit

    concept, app, staff, planner = world["concept"], world["app"], world["authority"], world["planner"]
    authority = FundingAuthority.objects.get(prefixes__prefix="146")
    earlier = submit(planner, concept, year=2026, name="Programmanmeldung 2026")
    shown = services.portfolio(staff, authority)
    assert [g["year"] for g in shown["groups"]] == [2026, 2027]
    page = client_for(staff).get(f"/authorities/{authority.pk}/portfolio/").content.decode()
    assert page.index('data-year="2026"') < page.index('data-year="2027"')
    # version 1 asked for changes, answered by version 2: the warning names it as replaced
    services.start_review(staff, concept, app)
    services.add_remark(staff, concept, app, kind="request", about="figures", text="Kosten 2028 belegen.")
    second = submit(planner, concept, name="Programmanmeldung 2027, Version 2")
    admin = UserFactory(is_superuser=True, is_staff=True)
    before = checksum()
    with pytest.raises(ValidationError) as caught:
        concepts.save_authority(admin, authority, ["145"])
    message = caught.value.message_dict["prefixes"][0]
    assert ("Hoyerswerda: Antrag 2026, Version 1, „eingereicht“, Antrag 2027, Version 1, „ersetzt durch Version 2“, "
            "Antrag 2027, Version 2, „eingereicht“.") in message, message
    assert "Nachforderung" not in message and second.version == 2 and earlier.year == 2026
    assert checksum() == before
