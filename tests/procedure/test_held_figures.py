"""What the funding procedure holds stays (issue #23, a stranger's Speyer walk, decision 0095): a
measure with approved lines and paid expenses of a payment request is not deleted – by the service,
the page or through anything else that goes through it – and an amending approval does not cut a
line below what was released. Refusals say why and the way out, and change nothing."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from isek.concepts import services as concepts
from isek.concepts.models import Measure
from isek.procedure import services
from tests.conftest import client_for
from tests.dbstate import checksum


def _released(paid):
    """Measure 1.1's first two payments (2027) in payment request Nr. 1, submitted and released."""
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    request = services.draft_request(planner, concept, app, payments=paid["payments"][:2])
    services.submit_request(planner, concept, request)
    services.release(staff, concept, request)
    return request


def test_a_measure_the_procedure_holds_is_not_deleted_by_the_service_nor_the_page(paid):
    concept, planner = paid["concept"], paid["planner"]
    _released(paid)
    measure = concept.measures.get(number="1.1")
    city = client_for(planner)  # signed in before the first checksum (a sign-in records itself)
    before = checksum()
    with pytest.raises(ValidationError) as caught:
        concepts.delete_measure(planner, concept, measure)
    assert checksum() == before
    assert caught.value.code == "held"
    text = caught.value.messages[0]
    assert text.startswith(f"Die Maßnahme 1.1 „{measure.title}“ kann nicht gelöscht werden: ")
    assert "bewilligt im Zuwendungsbescheid 34.1-2027/07 vom " in text
    assert "ihre Auszahlungen sind Teil von Mittelabruf Nr. 1 (Antrag 2027, Version 1, „freigegeben“)" in text
    assert "ihren Status auf „entfallen“" in text
    # nor does one of its parts go alone: a paid expense of the released request, an approved line
    from isek.finance import services as finance
    from isek.monitoring import services as monitoring

    with pytest.raises(ValidationError) as caught:
        monitoring.delete_payment(planner, concept, paid["payments"][0])
    assert "Teil von Mittelabruf Nr. 1 (Antrag 2027, Version 1, „freigegeben“)" in caught.value.messages[0]
    approved = measure.financing.get(year=2027, source="bund")
    with pytest.raises(ValidationError) as caught:
        finance.save_costs(planner, concept, measure, removed_financings=[approved])
    assert "Dieser Betrag ist bewilligt (Zuwendungsbescheid 34.1-2027/07 vom " in caught.value.messages[0]
    assert checksum() == before
    # the page: back to the measure's form with the reason, nothing deleted
    response = city.post(f"/concepts/{concept.slug}/measures/{measure.pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == f"/concepts/{concept.slug}/measures/{measure.pk}/edit/"
    page = response.content.decode()
    assert "kann nicht gelöscht werden" in page and "Mittelabruf Nr. 1" in page and "wurde gelöscht" not in page
    assert checksum() == before
    # the API still reads the approved lines and the paid expenses of the measure
    kuf = city.get(f"/api/v1/concepts/{concept.slug}/kuf/").json()
    assert {(f["year"], f["source"]) for f in kuf["financing"] if f["measure"] == "1.1" and f["status"] == "approved"} >= {
        (2027, "bund"), (2027, "land")}
    payments = city.get(f"/api/v1/concepts/{concept.slug}/payments/").json()["results"]
    assert sum(D(p["amount"]) for p in payments if p["measure"] == "1.1" and p["year"] == 2027) == D("52345.67")
    # cancelled already: the message says so rather than asking for it
    measure.status = Measure.Status.CANCELLED
    concepts.save_measure(planner, concept, measure)
    with pytest.raises(ValidationError) as caught:
        concepts.delete_measure(planner, concept, measure)
    assert "Sie ist bereits „entfallen“" in caught.value.messages[0]
    assert Measure.objects.filter(pk=measure.pk).exists()


def test_an_approved_measure_without_payments_is_held_by_the_approval_alone_and_a_free_one_goes(paid):
    concept, planner = paid["concept"], paid["planner"]
    approved = concept.measures.exclude(number="1.1").filter(financing__status="approved").first()
    with pytest.raises(ValidationError) as caught:
        concepts.delete_measure(planner, concept, approved)
    assert "bewilligt im Zuwendungsbescheid 34.1-2027/07" in caught.value.messages[0]
    assert "Mittelabruf" not in caught.value.messages[0]
    free = concepts.save_measure(planner, concept, Measure(number="9.9", title="Neu", primary_field=approved.primary_field))
    assert concepts.delete_measure(planner, concept, free) == "9.9"
    assert not Measure.objects.filter(pk=free.pk).exists()


def test_an_amendment_never_cuts_a_line_below_what_was_released_or_is_still_asked(paid):
    """Walk (Speyer): an Änderungsbescheid cut a line below what a released payment request had paid
    out; the proof then showed "verbleibend −5.000", the KuF no hint, the city's to-do "Mittel
    abrufen". isek knows no repayment (Rückforderung), so the amendment is refused."""
    from django.utils import timezone

    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    _released(paid)
    pending = services.draft_request(planner, concept, app, payments=[paid["payments"][2]])  # 2028, not yet decided
    services.submit_request(planner, concept, pending)
    lines = {x["key"]: x for x in services.approval_lines(concept, app)}
    measure = str(concept.measures.get(number="1.1").pk)
    bund, later = lines[f"{measure}-2027-bund"], lines[f"{measure}-2028-bund"]
    assert bund["released"] == D("17448.55") and bund["pending"] == 0
    assert later["released"] == 0 and later["pending"] == pending.lines.get(source="bund").requested > 0
    today = timezone.localdate()
    amend = {"decided_on": today, "file_number": "34.1-2027/07-Ä1", "reason": "Kürzung"}
    reviewer = client_for(staff)
    url = f"/concepts/{concept.slug}/applications/{app.pk}/approve/"
    form = reviewer.get(url).content.decode()
    assert "bereits freigegeben: 17.448,55 €" in form and "angefordert, noch nicht entschieden: " in form
    before = checksum()
    with pytest.raises(ValidationError) as caught:
        services.approve(staff, concept, app, **amend, amounts={bund["key"]: "5.000,00"}, reasons={bund["key"]: "gekürzt"})
    message = caught.value.message_dict[f"amount-{bund['key']}"][0]
    assert message.startswith("Weniger als bereits freigegeben kann nicht bewilligt werden: aus dieser Zeile sind "
                              "17.448,55 € in Mittelabrufen freigegeben (Mittelabruf Nr. 1)")
    with pytest.raises(ValidationError) as caught:
        services.approve(staff, concept, app, **amend, amounts={later["key"]: "1,00"}, reasons={later["key"]: "gekürzt"})
    assert "Weniger als bereits abgerufen kann nicht bewilligt werden" in caught.value.message_dict[f"amount-{later['key']}"][0]
    assert "in Mittelabruf Nr. 2 angefordert, noch nicht entschieden" in caught.value.message_dict[f"amount-{later['key']}"][0]
    # the page: the same refusal at the line, nothing saved
    once = form.split('name="once" value="')[1].split('"')[0]
    data = {"decided_on": today.isoformat(), "file_number": "34.1-2027/07-Ä1", "reason": "Kürzung", "once": once,
            **{f"amount-{x['key']}": str(x["approved"]).replace(".", ",") for x in lines.values()},
            f"amount-{bund['key']}": "5.000,00", f"reason-{bund['key']}": "gekürzt"}
    refused = reviewer.post(url, data)
    assert refused.status_code == 400 and "Weniger als bereits freigegeben" in refused.content.decode()
    assert checksum() == before and app.approvals.count() == 1
    # down to what was released is an amendment like any other
    services.approve(staff, concept, app, **amend, amounts={bund["key"]: "17.448,55"}, reasons={bund["key"]: "gekürzt"})
    assert services.current_approval(app).file_number == "34.1-2027/07-Ä1"


def test_a_payment_of_nothing_is_refused_and_an_amount_with_three_decimals_gets_a_possible_suggestion(paid):
    """Walk (Speyer): a payment of 0,00 € was recorded; "5.000,005" was refused with the advice to
    write "5.000,005"."""
    from isek import access
    from isek.api import tokens
    from isek.api.models import Token
    from isek.monitoring import services as monitoring
    from tests.dbstate import UNCHECKED_TABLES
    from tests.procedure.conftest import LATER

    concept, planner = paid["concept"], paid["planner"]
    measure = concept.measures.get(number="1.1")
    city = client_for(planner)
    _t, key = tokens.create(planner, "Test")
    unchecked = UNCHECKED_TABLES | {Token._meta.db_table}  # a token records when it was last used
    before = checksum(unchecked)
    for amount in ("0", "-10.00"):
        with pytest.raises(ValidationError) as caught:
            monitoring.save_payment(access.Operator("test"), concept,
                                    monitoring.Payment(measure=measure, year=2027, amount=D(amount)), today=LATER)
        assert caught.value.message_dict["amount"] == [
            "Der Betrag einer bezahlten Ausgabe muss größer als 0,00 € sein. Eine Korrektur ändert die Auszahlung selbst."]
    page = city.post(f"/concepts/{concept.slug}/payments/", {"measure": measure.pk, "year": 2026, "amount": "0,00"})
    assert page.status_code == 400 and "muss größer als 0,00 € sein" in page.content.decode()
    api = city.post(f"/api/v1/concepts/{concept.slug}/payments/", {"measure": "1.1", "year": 2026, "amount": "0.00"},
                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 400 and "muss größer als 0,00 € sein" in json_text(api)
    typed = city.post(f"/concepts/{concept.slug}/payments/", {"measure": measure.pk, "year": 2026, "amount": "5.000,005"})
    text = typed.content.decode()
    assert typed.status_code == 400 and "höchstens zwei Nachkommastellen" in text and "z. B. 5.000,01" in text
    assert "oder 5.000,005" not in text
    assert checksum(unchecked) == before
    # a recorded payment keeps working: its note may change
    stored = monitoring.Payment.objects.get(pk=paid["payments"][0])
    stored.note = "Rechnung Tiefbau 1 (Schlussrechnung)"
    monitoring.save_payment(access.Operator("test"), concept, stored, today=LATER)


def json_text(response) -> str:
    import json

    return json.dumps(response.json(), ensure_ascii=False)


def test_the_change_log_names_amounts_as_the_pages_write_them(paid):
    """Walk (Speyer): the change log listed "1.1 2027: 20000.00 €"."""
    from isek.monitoring import services as monitoring
    from tests.procedure.conftest import LATER

    concept, planner = paid["concept"], paid["planner"]
    measure = concept.measures.get(number="1.1")
    monitoring.save_payment(planner, concept, monitoring.Payment(measure=measure, year=2027, amount=D("20000")),
                            today=LATER)
    page = client_for(planner).get(f"/concepts/{concept.slug}/changes/").content.decode()
    assert "1.1 2027: 20.000,00 €" in page and "20000.00 €" not in page and "20000 €" not in page
    assert str(monitoring.Payment.objects.get(pk=paid["payments"][0])) == "1.1 2027: 40.000,00 €"


def test_narrowing_a_district_that_leaves_out_a_city_with_an_application_asks_first(world):
    """Walk (Speyer): the installation's administrator narrowed an authority's prefixes and a city
    with an approved application silently dropped out of the portfolio."""
    from isek.concepts.models import FundingAuthority
    from tests.factories import UserFactory

    city = world["concept"].city  # Hoyerswerda (14625240), its application for 2027 submitted
    authority = FundingAuthority.objects.get(prefixes__prefix=city.ags[:3])
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = client_for(admin)
    before = checksum()
    with pytest.raises(ValidationError) as caught:
        concepts.save_authority(admin, authority, ["145"])
    message = caught.value.message_dict["prefixes"][0]
    assert message.startswith("Mit diesen AGS-Präfixen fallen Städte mit eingereichten oder bewilligten Anträgen aus "
                              "dem Bezirk von Landesdirektion Sachsen: Hoyerswerda: Antrag 2027, Version 1, „eingereicht“.")
    url = f"/authorities/{authority.pk}/administration/"
    form = {"save": "1", "name": authority.name, "land": "14", "prefixes": "145", "source": ""}
    asked = client.post(url, form)
    page = asked.content.decode()
    assert asked.status_code == 400 and "Hoyerswerda: Antrag 2027, Version 1" in page
    assert 'type="checkbox" name="confirm_narrowing"' in page
    admin_page = client.post(f"/admin/concepts/fundingauthority/{authority.pk}/change/",
                             {"name": authority.name, "land": "14", "prefixes": "145", "source": "",
                              "authorityrole_set-TOTAL_FORMS": "0", "authorityrole_set-INITIAL_FORMS": "0"})
    assert admin_page.status_code == 200 and "Hoyerswerda: Antrag 2027" in admin_page.content.decode()
    assert checksum() == before and list(authority.prefixes.values_list("prefix", flat=True)) == ["146"]
    # a prefix that keeps the city in is saved without a question; confirmed, the narrowing is saved
    concepts.save_authority(admin, authority, ["146", "145"])
    assert client.post(url, form | {"confirm_narrowing": "on"}).status_code == 302
    assert list(authority.prefixes.values_list("prefix", flat=True)) == ["145"]


def test_money_released_under_version_1_counts_against_the_approval_of_version_2(paid):
    """Second reading: payment requests stay with the version whose Bescheid they were made under;
    the approval of a newer version counted only its own, so version 2 could be approved below what
    version 1's Bescheid had already paid out, and its own requests could ask that money again."""
    from django.utils import timezone

    from tests.procedure import submit

    concept, planner, staff = paid["concept"], paid["planner"], paid["authority"]
    _released(paid)
    second = submit(planner, concept, name="Programmanmeldung 2027, Version 2")
    assert second.version == 2
    services.start_review(staff, concept, second)
    measure = str(concept.measures.get(number="1.1").pk)
    lines = {x["key"]: x for x in services.approval_lines(concept, second)}
    bund = lines[f"{measure}-2027-bund"]
    assert bund["released"] == D("17448.55")  # released under version 1's Bescheid
    with pytest.raises(ValidationError) as caught:
        services.approve(staff, concept, second, decided_on=timezone.localdate(), file_number="34.1-2027/07-V2",
                         amounts={bund["key"]: "5.000,00"}, reasons={bund["key"]: "gekürzt"})
    assert caught.value.message_dict[f"amount-{bund['key']}"][0].startswith(
        "Weniger als bereits freigegeben kann nicht bewilligt werden")
    approval = services.approve(staff, concept, second, decided_on=timezone.localdate(),
                                file_number="34.1-2027/07-V2", amounts={bund["key"]: "17.448,55"},
                                reasons={bund["key"]: "gekürzt"})
    assert services.current_approval(second) == approval
    # what is left of version 2's Bescheid on that line for a new request: nothing
    left = services._left(second)
    assert left[(measure, 2027, "bund")] == 0
