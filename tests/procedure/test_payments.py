"""Payments against the approval and the proof of use (issue #23 point 5, decision 0059): the city
requests payments (Mittelabruf) for the expenses it has paid, the approval's share of them and never
more than is left; the district's funding authority releases (less only with a reason) or returns
them; the proof of use (Verwendungsnachweis) adds up the same rows – page, Excel and PDF show the
database's figures – and the authority checks it line by line. Refusals say why and change nothing."""

from __future__ import annotations

import io
import json
import re
import subprocess
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from isek.core.models import ChangeRecord
from isek.procedure import services
from isek.procedure.models import PaymentRequest, ProofCheck
from tests.conftest import client_for
from tests.dbstate import checksum
from tests.factories import member
from tests.procedure.conftest import FINAL, LATER

CENT = D("0.01")


def _first_two(paid):
    return paid["payments"][:2]  # measure 1.1 in 2027: 40,000.00 and 12,345.67


def test_a_payment_request_is_released_and_counts_against_the_approval(paid):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    offered = services.available_payments(concept, app)
    assert [p.pk for p in offered] == paid["payments"][:3]  # not the payment of 2026: the approval grants nothing then
    request = services.draft_request(planner, concept, app, payments=_first_two(paid), note="1. Abruf")
    lines = {line.key: line for line in request.lines.all()}
    measure = lines and next(iter(lines.values())).measure
    assert set(lines) == {f"{measure}-2027-bund", f"{measure}-2027-land"}
    bund = lines[f"{measure}-2027-bund"]
    # measure 1.1 in 2027: planned 100.000,00 €, approved Bund 33.333,33 €, Land 26.666,67 €; expenses
    # 52.345,67 €. Bund: 52.345,67 × 33.333,33 / 100.000 = 17.448,554922 → 17.448,55 €; Land:
    # 52.345,67 × 26.666,67 / 100.000 = 13.958,847090 → 13.958,85 € (together 31.407,40 €, 60 %)
    assert bund.expenses == D("52345.67") and bund.requested == bund.share == D("17448.55")
    land = lines[f"{measure}-2027-land"]
    assert land.expenses == D("52345.67") and land.requested == land.share == D("13958.85")
    assert [p.pk for p in services.available_payments(concept, app)] == [paid["payments"][2]]  # a draft holds its payments
    assert services.requests_of(staff, concept, app) == []  # a draft is the city's alone
    services.submit_request(planner, concept, request)
    assert services.requests_of(staff, concept, app) == [request]
    services.release(staff, concept, request, amounts={bund.key: "17.000,00"}, reasons={bund.key: "Rechnung 2 nicht prüffähig"})
    request.refresh_from_db()
    bund.refresh_from_db()
    assert (request.state, request.decided_by, bund.released, bund.reason) == (
        "released", staff, D("17000.00"), "Rechnung 2 nicht prüffähig")
    assert request.lines.get(source="land").released == request.lines.get(source="land").requested
    # what is left of the approval: approved minus released; a second request is capped by it
    approved = next(D(x["approved"]) for x in services.current_approval(app).lines
                    if (x["measure"], x["year"], x["source"]) == (measure, 2027, "bund"))
    assert services._left(app)[(measure, 2027, "bund")] == approved - D("17000.00")
    # recorded: who drafted, submitted, released
    records = ChangeRecord.objects.filter(model="procedure.PaymentRequest", object_id=str(request.pk)).order_by("id")
    assert [r.actor for r in records] == [planner.username, planner.username, staff.username]
    assert records.last().changes["state"] == ["submitted", "released"]
    assert ChangeRecord.objects.filter(model="procedure.PaymentRequestLine", actor=staff.username).count() == 2
    # the change history names a line and an expense readably, not "PaymentRequestLine object (2)"
    from isek.concepts.models import Measure

    number = Measure.objects.get(pk=int(measure)).number
    line = ChangeRecord.objects.filter(model="procedure.PaymentRequestLine", object_id=str(bund.pk)).last()
    assert line.object_repr == str(bund) == f"Mittelabruf Nr. 1, Zeile {number} 2027 Städtebauförderung Bund"
    assert str(request.items.first()) == f"Mittelabruf Nr. 1, Ausgabe {number} 2027"
    # a returned request gives its payments back
    second = services.draft_request(planner, concept, app, payments=[paid["payments"][2]])
    services.submit_request(planner, concept, second)
    services.return_request(staff, concept, second, reason="Bitte mit Schlussrechnung")
    assert PaymentRequest.objects.get(pk=second.pk).get_state_display() == "zurückgegeben"
    assert [p.pk for p in services.available_payments(concept, app)] == [paid["payments"][2]]


def test_a_request_never_asks_more_than_is_left(paid):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    from isek import access
    from isek.monitoring import services as monitoring

    measure = concept.measures.get(number="1.1")
    key = f"{measure.pk}-2027-bund"
    approved = next(D(x["approved"]) for x in services.current_approval(app).lines
                    if (x["measure"], x["year"], x["source"]) == (str(measure.pk), 2027, "bund"))
    first = services.draft_request(planner, concept, app, payments=_first_two(paid))
    services.submit_request(planner, concept, first)
    services.release(staff, concept, first)
    used = first.lines.get(source="bund").released
    # an expense far above the plan: its share is more than is left, so the request is capped
    big = monitoring.save_payment(access.Operator("test"), concept, monitoring.Payment(measure=measure, year=2027,
                                                                                         amount=D("900000.00")),
                                   today=LATER)
    lines = {x["key"]: x for x in services.request_lines(concept, app, [big])}
    assert lines[key]["share"] > lines[key]["left"] == approved - used == lines[key]["requested"]
    second = services.draft_request(planner, concept, app, payments=[big.pk])
    assert second.lines.get(source="bund").requested == approved - used


def test_overlapping_drafts_are_refused_once_naming_the_measure_and_year(paid):
    """Two drafts of the same lines (Bund and Land of measure 1.1 in 2027): the second one submitted
    after the first took what was left is refused with one message naming the measure, the year
    and each source – not one anonymous message per source (walk 23)."""
    concept, app, planner = paid["concept"], paid["app"], paid["planner"]
    from isek import access
    from isek.monitoring import services as monitoring

    measure = concept.measures.get(number="1.1")
    big = monitoring.save_payment(access.Operator("test"), concept, monitoring.Payment(measure=measure, year=2027,
                                                                                         amount=D("900000.00")),
                                   today=LATER)
    first = services.draft_request(planner, concept, app, payments=[big.pk])  # all that is left
    second = services.draft_request(planner, concept, app, payments=_first_two(paid))  # the same lines
    services.submit_request(planner, concept, first)
    before = checksum()
    with pytest.raises(ValidationError) as caught:
        services.submit_request(planner, concept, second)
    assert checksum() == before
    assert len(caught.value.messages) == 1, caught.value.messages
    text = caught.value.messages[0]
    assert text.count("Mehr als noch verfügbar") == 1
    assert f"1.1 {measure.title}, 2027: " in text
    assert "Bund noch 0,00 € verfügbar" in text and "Land noch 0,00 € verfügbar" in text
    assert PaymentRequest.objects.get(pk=second.pk).state == "draft"


def _refused(call, field: str, message: str):
    before = checksum()
    with pytest.raises(ValidationError) as caught:
        call()
    errors = getattr(caught.value, "message_dict", {"__all__": caught.value.messages})
    assert field in errors and message in " ".join(errors[field]), errors
    assert checksum() == before


def test_bad_input_is_refused_with_a_message_and_changes_nothing(paid):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    payments = _first_two(paid)
    key = next(x["key"] for x in services.request_lines(concept, app, services.available_payments(concept, app)[:2]))

    def draft(**kw):
        return lambda: services.draft_request(planner, concept, app, **{"payments": payments, **kw})

    _refused(draft(amounts={key: "-5"}), f"amount-{key}", "nicht negativ")
    _refused(draft(amounts={key: "zwölf"}), f"amount-{key}", "keine Zahl")
    _refused(draft(amounts={key: "9.999.999,00"}), f"amount-{key}", "Mehr als noch verfügbar")
    _refused(draft(amounts={key: "20.000,00"}), f"amount-{key}", "Mehr als der Förderanteil")
    _refused(draft(payments=[]), "payments", "mindestens eine")
    _refused(draft(payments=[paid["payments"][3]]), "payments", "lassen sich nicht abrufen")  # 2026: not approved
    _refused(draft(amounts={"999-2027-bund": "1"}), "__all__", "gehören nicht zum Mittelabruf")
    other = services.request_lines(concept, app, [p for p in services.available_payments(concept, app)
                                                  if p.pk == paid["payments"][2]])[0]  # 2028: its expense not chosen
    named = f"{other['label']}, 2028, {other['source_label']}"
    _refused(draft(amounts={other["key"]: "1"}), "__all__", f"keine bezahlte Ausgabe gewählt: {named}.")
    request = services.draft_request(planner, concept, app, payments=payments)
    _refused(draft(), "payments", "lassen sich nicht abrufen")  # cited by the draft already
    services.submit_request(planner, concept, request)
    _refused(lambda: services.submit_request(planner, concept, request), "__all__", "schon eingereicht")
    _refused(lambda: services.delete_request(planner, concept, request), "__all__", "nicht mehr geändert")
    _refused(lambda: services.release(staff, concept, request, amounts={key: "999999"}), f"amount-{key}",
             "Mehr als angefordert")
    _refused(lambda: services.release(staff, concept, request, amounts={key: "1"}), f"reason-{key}", "begründen")
    _refused(lambda: services.release(staff, concept, request, amounts={key: "-1"}), f"amount-{key}", "nicht negativ")
    _refused(lambda: services.return_request(staff, concept, request, reason=" "), "reason", "begründen")
    services.release(staff, concept, request)
    _refused(lambda: services.release(staff, concept, request), "__all__", "nur über einen eingereichten")
    _refused(lambda: services.check_proof_line(staff, concept, app, key=key, state="queried"), "remark", "Rückfrage")
    _refused(lambda: services.check_proof_line(staff, concept, app, key="nix", state="checked"), "key", "gibt es")


def test_only_the_citys_planners_request_only_the_districts_authority_decides(paid):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    reviewer = member(concept, "reviewer")
    before = checksum()
    for user in (reviewer, staff, paid["authority_b"]):
        with pytest.raises((PermissionDenied, Http404)):
            services.draft_request(user, concept, app, payments=_first_two(paid))
    request = services.draft_request(planner, concept, app, payments=_first_two(paid))
    services.submit_request(planner, concept, request)
    before = checksum()
    for user in (reviewer, planner, paid["authority_b"]):
        with pytest.raises((PermissionDenied, Http404)):
            services.release(user, concept, request)
        with pytest.raises((PermissionDenied, Http404)):
            services.return_request(user, concept, request, reason="nein")
        with pytest.raises((PermissionDenied, Http404)):
            services.check_proof_line(user, concept, app, key=request.lines.first().key, state="checked")
    assert checksum() == before


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "proof.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def _pdf_rows(data: bytes, tmp_path) -> dict[tuple[str, str, str], list[D]]:
    """{(number, year, source or ""): figures} of the proof's PDF, read by pdftotext."""
    rows = {}
    for line in _pdf_text(data, tmp_path).splitlines():
        m = re.match(r"\s*(\d+\.\d+)\s+(\d{4})\s+(Bund|Land)?\s*((?:-?[\d.]+,\d\d\s*)+)", line)
        if m:
            amounts = [D(x.replace(".", "").replace(",", ".")) for x in m[4].split()]
            rows[(m[1], m[2], (m[3] or "").lower())] = amounts
        elif line.strip().startswith("Summe"):
            rows[("Summe", str(len([k for k in rows if k[0] == "Summe"])), "")] = [
                D(x.replace(".", "").replace(",", ".")) for x in line.split()[1:]]
    return rows


def test_the_proof_of_use_adds_up_in_pdf_xlsx_and_database(paid, tmp_path):
    """Every figure of the proof of use – page, Excel values, PDF text – is the database's: the
    approval's lines, the requests' lines and isek's payments, added up here independently."""
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    first = services.draft_request(planner, concept, app, payments=_first_two(paid))
    services.submit_request(planner, concept, first)
    key = first.lines.get(source="bund").key
    services.release(staff, concept, first, amounts={key: "17000"}, reasons={key: "gekürzt"})
    pending = services.submit_new_request(planner, concept, app, payments=[paid["payments"][2]], via="web")
    services.check_proof_line(staff, concept, app, key=key, state="checked")
    # far above the planned cost, in a year after the measure's time plan: flagged on the page, in the PDF and Excel
    import datetime

    from isek import access
    from isek.monitoring import services as monitoring

    measure = concept.measures.get(number="1.1")
    monitoring.save_payment(access.Operator("test"), concept,
                            monitoring.Payment(measure=measure, year=2028, amount="999999999.00", note="Tippfehler"),
                            today=LATER)
    concept.measures.filter(pk=measure.pk).update(start=datetime.date(2025, 3, 1), end=datetime.date(2027, 6, 30))
    over = ["über den geplanten Kosten", "außerhalb des Zeitplans der Maßnahme (2025–2027)"]
    # the database, added up here
    from isek.monitoring.models import Payment
    from isek.procedure.models import PaymentRequestLine

    numbers = {m["key"]: m["number"] for m in app.snapshot["measures"]}
    approval = services.current_approval(app)
    assert min(int(x["year"]) for x in approval.lines) == app.year  # the programme year and later (decision 0058)
    expected = {}
    for x in approval.lines:
        k = (x["measure"], int(x["year"]), x["source"])
        lines = PaymentRequestLine.objects.filter(request__application=app, measure=k[0], year=k[1], source=k[2],
                                                  request__state__in=("submitted", "released"))
        requested = sum((line.requested for line in lines), D(0))
        released = sum((line.released for line in lines if line.request.state == "released"), D(0))
        expected[(numbers[k[0]], str(k[1]), k[2])] = [D(x["approved"]), requested, released, D(x["approved"]) - released]
    assert expected[(numbers[first.lines.first().measure], "2027", "bund")][2] == D("17000.00")
    assert expected[(numbers[pending.lines.first().measure], "2028", "land")][1] == pending.lines.get(source="land").requested
    paid_by = {}  # the expenses of the years the approval covers: the programme year and later
    assert Payment.objects.filter(measure__concept=concept, year__lt=app.year).exists()
    for p in Payment.objects.filter(measure__concept=concept, year__gte=app.year):
        paid_by[(p.measure.number, str(p.year))] = paid_by.get((p.measure.number, str(p.year)), D(0)) + p.amount
    assert paid_by[("1.1", "2027")] == D("52345.67")
    # the page
    proof = services.proof_of_use(concept, app)
    assert {(r["number"], str(r["year"]), r["source"]): [r[w] for w in services.PROOF_GRANT] for r in proof["grant"]} == expected
    assert {(r["number"], str(r["year"])): r["expenses"] for r in proof["expenses"] if r["expenses"]} == paid_by
    for r in proof["expenses"]:  # income from the grant is what was released, the rest the city's own and others'
        grant = sum((v[2] for k, v in expected.items() if k[:2] == (r["number"], str(r["year"]))), D(0))
        assert (r["grant"], r["own"]) == (grant, r["expenses"] - grant)
    totals = [sum((v[i] for v in expected.values()), D(0)) for i in range(4)]
    assert [proof["grant_total"][w] for w in services.PROOF_GRANT] == totals
    flags = {(r["number"], r["year"]): r["flags"] for r in proof["expenses"]}
    assert flags[("1.1", 2028)] == over and proof["flagged"] == sum(1 for f in flags.values() if f)
    assert all((over[0] in r["flags"]) == (r["expenses"] > r["cost"]) for r in proof["expenses"])
    page = client_for(staff).get(f"/concepts/{concept.slug}/applications/{app.pk}/proof/").content.decode()
    assert f'id="line-{key}"' in page and "1 von" in page and 'id="proof-flagged"' in page
    assert f"<strong>{over[0]}</strong>; <strong>{over[1]}</strong>" in page.split(f'id="line-{measure.pk}-2028"')[1]
    # the Excel workbook: values (and the sums' cached values)
    response = client_for(staff).get(f"/concepts/{concept.slug}/applications/{app.pk}/proof.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), data_only=True)
    sheet_rows = list(book["Zuwendung"].iter_rows(min_row=5, values_only=True))
    got = {(r[0], str(r[2]), {"Städtebauförderung Bund": "bund", "Städtebauförderung Land": "land"}[r[3]]):
           [D(str(v)).quantize(CENT) for v in r[4:8]] for r in sheet_rows[:-1]}
    assert got == expected
    assert [D(str(v)).quantize(CENT) for v in sheet_rows[-1][4:8]] == totals
    assert sheet_rows[[k for k in got].index((numbers[first.lines.first().measure], "2027", "bund"))][8] == "geprüft"
    expenses = {(r[0], str(r[2])): D(str(r[4])).quantize(CENT)
                for r in book["Ausgaben"].iter_rows(min_row=5, values_only=True) if r[0] != "Summe" and r[4]}
    assert expenses == paid_by
    assert {(r[0], r[2]): r[-1] for r in book["Ausgaben"].iter_rows(min_row=5, values_only=True)
            if r[0] != "Summe"}[("1.1", 2028)] == "; ".join(over)
    # the PDF: the same figures in its text
    response = client_for(planner).get(f"/concepts/{concept.slug}/applications/{app.pk}/proof.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    rows = _pdf_rows(response.content, tmp_path)
    assert {k: v for k, v in rows.items() if k[2] in ("bund", "land")} == expected
    assert rows[("Summe", "0", "")] == totals
    assert {k[:2]: v[1] for k, v in rows.items() if k[2] == "" and k[0] != "Summe" and v[1]} == paid_by
    assert over[0] in _pdf_text(response.content, tmp_path)


def test_a_payment_a_request_cites_is_kept_and_deleting_one_asks_first(paid):
    """Issue #23's walk: a paid expense of a submitted payment request was deleted with one click and
    the proof of use showed negative own funds. Now a cited payment stays (its note may change), every
    deletion asks first, a year after the current one is refused, and the proof of use of an
    application lists the expenses of its own years only (decision 0065)."""
    import datetime

    from isek.monitoring import services as monitoring
    from isek.monitoring.models import Payment
    from isek.procedure.models import Application

    concept, app, planner = paid["concept"], paid["app"], paid["planner"]
    cited, _second, later, early = paid["payments"]
    request = services.draft_request(planner, concept, app, payments=_first_two(paid))
    before = checksum()
    with pytest.raises(ValidationError) as caught:  # a draft's payment: refused, the draft named
        monitoring.delete_payment(planner, concept, cited)
    assert "Teil des Entwurfs von Mittelabruf Nr. 1 (Antrag 2027, Version 1)" in caught.value.messages[0]
    services.submit_request(planner, concept, request)
    page, city = f"/concepts/{concept.slug}/payments/", client_for(planner)
    before = checksum()
    asked = city.post(page, {"delete": cited})  # the first press asks, without JavaScript
    shown = asked.content.decode()
    assert asked.status_code == 200 and 'id="delete-confirm"' in shown and "40.000,00 € wirklich löschen?" in shown
    assert checksum() == before
    refused = city.post(page, {"delete": cited, "confirmed": "1"}, follow=True).content.decode()
    assert "Teil von Mittelabruf Nr. 1 (Antrag 2027, Version 1, „eingereicht“)" in refused and checksum() == before
    changed = Payment.objects.get(pk=cited)
    changed.amount = D("1.00")
    with pytest.raises(ValidationError):
        monitoring.save_payment(planner, concept, changed, today=LATER)
    assert checksum() == before
    changed = Payment.objects.get(pk=cited)
    changed.note = "Rechnung Tiefbau 1 (Skonto)"
    monitoring.save_payment(planner, concept, changed, today=LATER)  # the note is not what was requested
    # a payment no request cites goes – after the confirmation
    assert city.post(page, {"delete": early, "confirmed": "1"}).status_code == 302
    assert not Payment.objects.filter(pk=early).exists()
    # a year after the current one: not paid yet, refused at its field (and by the service)
    next_year = timezone.localdate().year + 1
    future = city.post(page, {"measure": concept.measures.get(number="1.1").pk, "year": next_year, "amount": "100"})
    assert future.status_code == 400 and f"Eine bezahlte Ausgabe des Jahres {next_year} lässt sich noch nicht" in (
        future.content.decode().split('id="year-error"')[1])
    with pytest.raises(ValidationError):
        monitoring.save_payment(planner, concept, Payment(measure_id=changed.measure_id, year=2028, amount=D("1")),
                                today=datetime.date(2027, 12, 31))
    # the proof of use: 2028's expense belongs to the application of 2028 once there is one approved
    assert (str(changed.measure_id), 2028) in {(r["measure"], r["year"]) for r in services.proof_of_use(concept, app)["expenses"]}
    Application.objects.create(concept=concept, year=2028, state="approved", finance_version=app.finance_version,
                               council_decision=app.council_decision)
    proof = services.proof_of_use(concept, app)
    assert {r["year"] for r in proof["expenses"]} == {2027} and Payment.objects.filter(pk=later).exists()
    assert proof["expenses_total"]["expenses"] == sum((r["expenses"] for r in proof["expenses"]), D(0)) == D("52345.67")
    assert all(r["own"] >= 0 for r in proof["expenses"])


def test_the_pages(paid):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    base = f"/concepts/{concept.slug}/applications/{app.pk}/"
    city, authority = client_for(planner), client_for(staff)
    assert 'id="payments-link"' in authority.get(base).content.decode()  # from the approved application's page
    listing = city.get(base + "payments/").content.decode()
    assert 'id="request-new"' in listing and 'id="proof-link"' in listing
    assert 'id="request-new"' not in authority.get(base + "payments/").content.decode()
    assert authority.get(base + "payments/new/").status_code in (403, 404)
    form = city.get(base + "payments/new/").content.decode()
    assert "40.000,00 €" in form and "Planung vorab" not in form  # 2026 is not approved: not offered
    assert ">Bezahlte Ausgaben</legend>" in form and 'id="request-form" autocomplete="off"' in form  # required; no stale ticks
    lines = services.request_lines(concept, app, services.available_payments(concept, app)[:2])
    bund = lines[0]
    before = checksum()
    bad = city.post(base + "payments/new/", {"payments": _first_two(paid), f"amount-{bund['key']}": "zwölf"})
    assert bad.status_code == 400 and "keine Zahl" in bad.content.decode() and checksum() == before
    done = city.post(base + "payments/new/", {"payments": _first_two(paid), f"amount-{bund['key']}": "17.000,50"},
                     follow=True)
    request = PaymentRequest.objects.get(application=app)
    assert "Der Entwurf von Mittelabruf Nr. 1 wurde gespeichert" in done.content.decode()
    assert request.lines.get(source="bund").requested == D("17000.50")
    url = base + f"payments/{request.number}/"
    assert authority.get(url).status_code == 404  # a draft is the city's alone (the concept is internal: 404)
    # submitting asks first (without JavaScript too), as an application's submission and a release do;
    # a GET of the step (reload, back) leads to the request's page instead of a 405
    before = checksum()
    asked = city.post(url + "submit/")
    total = sum((line.requested for line in request.lines.all()), D("0"))
    german = f"{total:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert asked.status_code == 200 and f"Mittelabruf Nr. 1 über {german} € wirklich einreichen?" in asked.content.decode()
    assert 'id="request-submit-confirmed"' in asked.content.decode() and checksum() == before
    assert (city.get(url + "submit/").status_code, city.get(url + "submit/")["Location"]) == (302, url)
    city.post(url + "submit/", {"confirmed": "1"})
    assert 'data-state="submitted"' in city.get(base + "payments/").content.decode()
    page = authority.get(url).content.decode()
    assert 'id="release-form"' in page and 'id="return-form"' in page and ">Begründung der Rückgabe</label>" in page
    assert 'id="release-form"' not in city.get(url).content.decode()
    assert city.post(url + "release/").status_code == 403  # the city sees it, may not decide
    before = checksum()
    bad = authority.post(url + "release/", {f"amount-{bund['key']}": "16.000"})
    # refused: back to the request's page (a reload does not post again), with the typed amount and the message once
    assert (bad.status_code, bad["Location"]) == (302, url + "#release-form") and checksum() == before
    again = authority.get(url).content.decode()
    assert "begründen" in again and 'value="16.000"' in again
    assert "begründen" not in authority.get(url).content.decode()
    typed = {f"amount-{bund['key']}": "16.000", f"reason-{bund['key']}": "gekürzt"}
    asked = authority.post(url + "release/", typed)  # the first press asks (without JavaScript too), nothing changed
    assert asked.status_code == 200 and checksum() == before
    assert re.search(r"Mittelabruf Nr. 1 mit [\d.]+,\d\d € wirklich freigeben\?", asked.content.decode())
    assert f'name="reason-{bund["key"]}" value="gekürzt"' in asked.content.decode()
    # the question and the confirmation are short pages: the form is not repeated (decision 0087)
    assert 'id="release-form"' not in asked.content.decode() and 'id="request-lines"' not in asked.content.decode()
    released = authority.post(url + "release/", typed | {"confirmed": "1"}, follow=True)
    assert PaymentRequest.objects.get(pk=request.pk).state == "released"
    done = released.content.decode()
    total = sum(line.released for line in PaymentRequest.objects.get(pk=request.pk).lines.all())
    german = f"{total:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert released.redirect_chain == [(url + "?released=1", 302)]
    assert "Mittelabruf Nr. 1 freigegeben</h1>" in done and f"Freigegeben sind {german} €" in done
    assert f'id="release-back" href="{url}"' in done
    assert 'id="release-form"' not in done and 'id="request-lines"' not in done
    assert 'id="request-lines"' in authority.get(url).content.decode()  # the request's page as before
    assert 'id="request-lines"' in city.get(url + "?released=1").content.decode()  # the city: its page
    shown = city.get(url).content.decode()
    assert 'data-state="released"' in shown and "gekürzt" in shown and "16.000" in shown
    # the proof of use: the authority checks and queries lines
    proof = base + "proof/"
    authority.post(proof + "check/", {"key": bund["key"], "state": "checked"})
    queried = authority.post(proof + "check/", {"key": f"{bund['measure']}-2027", "state": "queried",
                                                "remark": "Rechnung 2 fehlt"}, follow=True)
    assert "Die Prüfung der Zeile wurde gespeichert." in queried.content.decode()
    assert dict(ProofCheck.objects.filter(application=app).values_list("key", "state")) == {
        bund["key"]: "checked", f"{bund['measure']}-2027": "queried"}
    assert city.post(proof + "check/", {"key": bund["key"], "state": "checked"}).status_code == 403
    text = city.get(proof).content.decode()
    assert "Rechnung 2 fehlt" in text and "1 von" in text and 'class="isek-proof-form"' not in text
    english = client_for(planner)
    english.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Proof of use" in english.get(proof).content.decode()
    assert "Payment requests" in english.get(base + "payments/").content.decode()
    assert '<caption class="kern-title" id="lines-caption">' in shown  # a caption of its own, not beside the note
    # nothing left to request: the page links to where payments are recorded
    services.submit_new_request(planner, concept, app, payments=[paid["payments"][2]], via="web")
    empty = city.get(base + "payments/new/").content.decode()
    assert f'id="monitoring-payments-link" href="/concepts/{concept.slug}/payments/"' in empty


def test_the_api(paid):
    from tests.procedure.test_api import UNCHECKED, bearer

    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    url = f"/api/v1/concepts/{concept.slug}/applications/{app.pk}/payment-requests/"
    city = bearer(planner)
    before = checksum(UNCHECKED)
    bad = city.post(url, json.dumps({"payments": _first_two(paid), "amounts": {"x": "-1"}}), content_type="application/json")
    assert bad.status_code == 400 and "gehören nicht zum Mittelabruf" in bad.json()["errors"]["__all__"][0]
    bad = city.post(url, json.dumps({"payments": "alle"}), content_type="application/json")
    assert bad.status_code == 400 and "payments" in bad.json()["errors"]
    assert checksum(UNCHECKED) == before
    response = city.post(url, json.dumps({"payments": _first_two(paid), "note": "per API"}), content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "submitted" and data["note"] == "per API"
    assert {(x["source"], x["requested"]) for x in data["lines"]} == {
        (line.source, str(line.requested)) for line in PaymentRequest.objects.get(pk=data["id"]).lines.all()}
    assert bearer(staff).post(url, "{}", content_type="application/json").status_code in (403, 404)
    listed = bearer(staff).get(url).json()
    assert [r["id"] for r in listed["results"]] == [data["id"]]
    detail = bearer(staff).get(url + f"{data['number']}/").json()  # by its number in the application (0072)
    assert detail["expenses"] == "52345.67" and len(detail["items"]) == 2
    proof = bearer(staff).get(f"/api/v1/concepts/{concept.slug}/applications/{app.pk}/proof/").json()
    assert proof["grant_total"]["requested"] == data["requested"]
    assert bearer(paid["authority_b"]).get(url).status_code in (403, 404)


def test_a_request_is_named_by_its_number_never_its_id(paid):
    """Issue #23, minor 3: "Mittelabruf Nr. 1" was reached at payments/<id>/; now its URL, its page,
    the authority's to-do list, the confirmation and the change history name its number."""
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    services.delete_request(planner, concept, services.draft_request(planner, concept, app, payments=_first_two(paid)))
    request = services.draft_request(planner, concept, app, payments=_first_two(paid))
    assert request.number == 1 and request.pk != request.number  # a deleted draft's number is given again
    base = f"/concepts/{concept.slug}/applications/{app.pk}/payments/"
    city = client_for(planner)
    page = city.get(base + "1/")
    assert page.status_code == 200 and "<h1 class=\"kern-heading-large\">Mittelabruf Nr. 1</h1>" in page.content.decode()
    assert city.get(base + f"{request.pk}/").status_code == 404
    assert f'href="{base}1/">Mittelabruf Nr. 1</a>' in city.get(base).content.decode()
    done = city.post(base + "1/submit/", {"confirmed": "1"}, follow=True)
    assert "Mittelabruf Nr. 1 wurde eingereicht." in done.content.decode()
    from isek.concepts.models import FundingAuthority

    todo = services.authority_todo(staff, FundingAuthority.objects.get(prefixes__prefix="146"))
    assert [(i["what"], i["url"]) for i in todo["items"]] == [("Mittelabruf Nr. 1 freigeben oder zurückgeben", base + "1/")]
    record = ChangeRecord.objects.filter(model="procedure.PaymentRequest", object_id=str(request.pk)).last()
    assert record.object_repr.startswith("Mittelabruf Nr. 1 (Altstadt Neu: Antrag 2027")


def test_a_submitted_request_is_kept_by_the_models_too(paid):
    """Past the services (the admin, a command): a submitted request's items and lines are not
    written again, the request is not deleted; the authority's decision is the one change."""
    concept, app, planner = paid["concept"], paid["app"], paid["planner"]
    request = services.submit_new_request(planner, concept, app, payments=_first_two(paid), via="web")
    line, item = request.lines.first(), request.items.first()
    before = checksum()
    line.requested = D("1.00")
    for call in (line.save, item.save, request.delete):
        with pytest.raises(ValidationError, match="eingereichter Mittelabruf"):
            call()
    assert checksum() == before


def test_a_request_on_an_application_not_approved_is_refused(world):
    """Last in the module: the review world (submitted, not approved), loaded after the payment world's tests."""
    concept, app, planner = world["concept"], world["app"], world["planner"]
    assert app.state == "submitted"
    assert services.available_payments(concept, app) == []
    _refused(lambda: services.draft_request(planner, concept, app, payments=[1]), "__all__",
             "nur für einen bewilligten Antrag")
    with pytest.raises(ValidationError, match="erst zu einem bewilligten Antrag"):
        services.proof_of(planner, concept, app)


@pytest.mark.parametrize("planned", ["0.00", None])
def test_without_a_planned_cost_the_expenses_are_split_by_the_approved_amounts(paid, planned):
    """Decision 0080: with a measure's planned cost 0 (or none in the application), each source could
    request all of the paid expenses (Bund 33.333,33 + Land 26.666,67 € for 52.345,67 € paid). The
    expenses are now split by the approved amounts, and Bund and Land together never ask more than
    was paid: a typed amount that would is refused, saying so, and nothing changes."""
    from isek.procedure.models import Application

    concept, app, planner = paid["concept"], paid["app"], paid["planner"]
    measure = str(concept.measures.get(number="1.1").pk)
    figures = [f for f in app.snapshot["figures"] if not (f["measure"], int(f["year"])) == (measure, 2027)
               or f["what"] not in ("cost", "eligible")]
    if planned is not None:
        figures.append({"measure": measure, "year": 2027, "what": "cost", "amount": planned})
    Application.objects.filter(pk=app.pk).update(snapshot={**app.snapshot, "figures": figures})
    app.refresh_from_db()
    # 52.345,67 € by 33.333,33 : 26.666,67 (of 60.000,00 €): Bund 52.345,67 × 33.333,33 / 60.000 =
    # 29.080,924875 → 29.080,92 €, Land 52.345,67 × 26.666,67 / 60.000 = 23.264,745125 → 23.264,75 €
    request = services.draft_request(planner, concept, app, payments=_first_two(paid))
    lines = {line.source: line for line in request.lines.all()}
    assert {s: (x.share, x.requested) for s, x in lines.items()} == {
        "bund": (D("29080.92"), D("29080.92")), "land": (D("23264.75"), D("23264.75"))}
    assert lines["bund"].requested + lines["land"].requested == D("52345.67")
    request.delete()
    typed = {f"{measure}-2027-bund": "30.000,00"}  # below what is left of the approval, above the share
    _refused(lambda: services.draft_request(planner, concept, app, payments=_first_two(paid), amounts=typed),
             "__all__", "Zusammen mehr als die bezahlten Ausgaben: 1.1 ")
    with pytest.raises(ValidationError) as refused:
        services.draft_request(planner, concept, app, payments=_first_two(paid), amounts=typed)
    said = refused.value.message_dict
    assert "2027: bezahlt 52.345,67 €, angefordert 53.264,75 €" in said["__all__"][0]  # 30.000,00 + 23.264,75
    assert said[f"amount-{measure}-2027-bund"] == ["Mehr als der Förderanteil der gewählten Ausgaben (29.080,92 €)."]


def test_the_shares_never_add_up_to_more_than_was_paid():
    """Decision 0080: where two shares each rounded half up add up to a cent more than was paid (two
    sources approved alike at the whole cost, 0,01 € paid: 0,005 → 0,01 each), the source named last
    gives the cent back; a base below the sum approved is that sum."""
    from isek.procedure.difference import split_share

    assert split_share(D("0.01"), D("2"), {"bund": D("1"), "land": D("1")}) == {"bund": D("0.01"), "land": D("0.00")}
    assert split_share(D("0.01"), D("0"), {"bund": D("1"), "land": D("1")}) == {"bund": D("0.01"), "land": D("0.00")}
    # planned 100 €, approved 150 € (above the plan): 90 € paid split 60 : 30, not 90 × 100/100 + 90 × 50/100
    assert split_share(D("90.00"), D("100"), {"bund": D("100"), "land": D("50")}) == {"bund": D("60.00"), "land": D("30.00")}
    assert split_share(D("90.00"), D("0"), {"bund": D("0"), "land": D("0")}) == {"bund": D("0"), "land": D("0")}


# --- the city's answers, the submitted proof of use, the authority's decision (decision 0063) ---------


def test_the_requested_grant_is_rounded_once_and_the_land_gets_the_rest():
    """Issue 23 (decision 0091): a request's share is computed as the KuF computes Bund and Land – the
    whole share paid × approved ÷ planned rounded once, the Bund its share to the cent, the Land the
    rest – so the request never asks a cent more than the rate (decision 0075 rounded each source on
    its own: 100,01 € paid at ⅔ asked 33,34 + 33,34 = 66,68 €, not 66,67 €)."""
    from isek.procedure.difference import split_share

    # 1 € of 200 € planned, 1 € + 1 € approved: 0,01 € in all (0,005 + 0,005 rounded once)
    assert split_share(D("1.00"), D("200"), {"bund": D("1"), "land": D("1")}) == {"bund": D("0.01"), "land": D("0.00")}
    # the case: 500.000 € paid of 500.000 € planned, approved at 66 ⅔ %: the approval itself
    assert split_share(D("500000.00"), D("500000"), {"bund": D("166666.67"), "land": D("166666.66")}) == {
        "bund": D("166666.67"), "land": D("166666.66")}
    # 50.000 € of 650.000 €: 50.000 × 433.333,33 / 650.000 = 33.333,3331 → 33.333,33;
    # 50.000 × 216.666,67 / 650.000 = 16.666,6669 → 16.666,67; the Land 16.666,66
    assert split_share(D("50000.00"), D("650000"), {"bund": D("216666.67"), "land": D("216666.66")}) == {
        "bund": D("16666.67"), "land": D("16666.66")}
    # worked out by hand: 52.345,67 / 2 = 26.172,835 → 26.172,84; / 3 = 17.448,5567 → 17.448,56; Land 8.724,28
    assert split_share(D("52345.67"), D("150000"), {"bund": D("50000"), "land": D("25000")}) == {
        "bund": D("17448.56"), "land": D("8724.28")}
    # 0,03 × 3 / 9 = 0,01; 0,03 / 9 = 0,0033 → 0,00; the Land 0,01
    assert split_share(D("0.03"), D("9"), {"bund": D("1"), "land": D("2")}) == {"bund": D("0.00"), "land": D("0.01")}
    # 100,01 × 2 / 3 = 66,6733 → 66,67; / 3 = 33,3367 → 33,34; the Land 33,33
    assert split_share(D("100.01"), D("3"), {"bund": D("1"), "land": D("1")}) == {"bund": D("33.34"), "land": D("33.33")}


def test_a_query_is_answered_the_proof_submitted_returned_and_accepted(paid, tmp_path):
    from isek.procedure.models import ProofDocument, ProofEntry, ProofSubmission

    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    request = services.submit_new_request(planner, concept, app, payments=_first_two(paid), via="web")
    services.release(staff, concept, request)
    key = request.lines.get(source="bund").key
    services.check_proof_line(staff, concept, app, key=key, state="queried", remark="Rechnung 2 fehlt")
    line = f"{services._labels(app)[key.split('-')[0]]}, 2027, Städtebauförderung Bund"
    # refused, each with its message, nothing changed
    _refused(lambda: services.submit_proof(planner, concept, app, report="Bericht", confirmed=True), "__all__",
             f"offenen Rückfragen der Bewilligungsbehörde: {line}")
    _refused(lambda: services.answer_query(planner, concept, app, key=key, text=" "), "text", "Antwort")
    _refused(lambda: services.answer_query(planner, concept, app, key=f"{key[:-5]}-land", text="x"), "key",
             "keine offene Rückfrage")
    _refused(lambda: services.accept_proof(staff, concept, app), "__all__", "„nicht eingereicht“")
    reviewer = member(concept, "reviewer")
    before = checksum()
    for user in (reviewer, staff, paid["authority_b"]):
        with pytest.raises((PermissionDenied, Http404)):
            services.answer_query(user, concept, app, key=key, text="x")
        with pytest.raises((PermissionDenied, Http404)):
            services.submit_proof(user, concept, app, report="x", confirmed=True)
    assert checksum() == before
    # the city answers; the line's newest word is its answer, recorded
    services.answer_query(planner, concept, app, key=key, text="Rechnung 2 liegt bei")
    _refused(lambda: services.answer_query(planner, concept, app, key=key, text="noch einmal"), "key",
             "schon beantwortet")
    assert ChangeRecord.objects.filter(model="procedure.ProofEntry", actor=planner.username).count() == 1
    named = ChangeRecord.objects.filter(model="procedure.ProofEntry", actor=planner.username).get().object_repr
    assert named.startswith("Verwendungsnachweis, Zeile ") and named.endswith(": Antwort der Stadt") and "-" not in named
    _refused(lambda: services.submit_proof(planner, concept, app, report="", confirmed=False), "report", "Sachbericht")
    _refused(lambda: services.submit_proof(planner, concept, app, report="Bericht", confirmed=False), "confirmed",
             "bestätigen")
    first = services.submit_proof(planner, concept, app, report="Der Platz ist fertig.", confirmed=True)
    proof = services.proof_of_use(concept, app)
    assert (first.version, first.state, first.submitted_by) == (1, "submitted", planner)
    assert first.snapshot["grant_total"] == {w: str(v) for w, v in proof["grant_total"].items()}
    assert [r["status"] for r in first.snapshot["grant"] if r["key"] == key] == ["answered"]
    documents = {d.kind: d for d in first.documents.all()}
    assert set(documents) == {"pdf", "xlsx"} and all(d.intact and d.size == len(bytes(d.content)) for d in documents.values())
    text = _pdf_text(bytes(documents["pdf"].content), tmp_path)
    assert "Der Platz ist fertig." in text and "Rechnung 2 liegt bei" in text
    # the query is labelled with the line's name (measure number and title, year, source), not its key
    assert f"{line}: Rückfrage" in " ".join(text.split()) and key not in text
    _refused(lambda: services.submit_proof(planner, concept, app, report="x", confirmed=True), "__all__",
             "eingereicht und wird geprüft")
    _refused(lambda: services.accept_proof(staff, concept, app), "__all__", f"Noch nicht geklärt: {line}")
    before = checksum()
    for user in (reviewer, planner, paid["authority_b"]):
        for call in (lambda u: services.accept_proof(u, concept, app),
                     lambda u: services.return_proof(u, concept, app, reason="nein")):
            with pytest.raises((PermissionDenied, Http404)):
                call(user)
    assert checksum() == before
    _refused(lambda: services.return_proof(staff, concept, app, reason=" "), "reason", "begründen")
    services.return_proof(staff, concept, app, reason="Bitte den Sachbericht ergänzen")
    # what was submitted stays as it was, past the services too
    kept = ProofSubmission.objects.get(pk=first.pk)
    before = checksum()
    kept.report = "geändert"
    for call in (kept.save, kept.delete, documents["pdf"].save, documents["pdf"].delete,
                 ProofEntry.objects.filter(key=key).first().save):
        with pytest.raises(ValidationError):
            call()
    assert checksum() == before
    # the authority checks the answered line; the city submits the next version; the authority accepts it
    services.check_proof_line(staff, concept, app, key=key, state="checked")
    second = services.submit_proof(planner, concept, app, report="Der Platz ist fertig. Ergänzt.", confirmed=True,
                                   today=FINAL)  # after the approval's last year: the final proof (0085)
    assert (first.interim, second.interim) == (True, False)
    assert second.version == 2 and ProofDocument.objects.filter(submission__application=app).count() == 4
    services.accept_proof(staff, concept, app)
    assert ProofSubmission.objects.get(pk=second.pk).get_state_display() == "geprüft und abgeschlossen"
    row = next(r for r in services.proof_of_use(concept, app)["grant"] if r["key"] == key)
    assert [(e.kind, e.text, e.created_by) for e in row["history"]] == [
        ("queried", "Rechnung 2 fehlt", staff), ("answered", "Rechnung 2 liegt bei", planner), ("checked", "", staff)]
    for call, field in ((lambda: services.check_proof_line(staff, concept, app, key=key, state="queried", remark="x"),
                         "__all__"), (lambda: services.submit_proof(planner, concept, app, report="x", confirmed=True),
                                      "__all__")):
        _refused(call, field, "geprüft und abgeschlossen")
    records = ChangeRecord.objects.filter(model="procedure.ProofSubmission", object_id=str(second.pk)).order_by("id")
    assert [r.actor for r in records] == [planner.username, staff.username]
    # the page says the proof was accepted as a whole, not "0 von 6 Zeilen geprüft", and its trail names it (walk Speyer)
    page = client_for(planner).get(f"/concepts/{concept.slug}/applications/{app.pk}/proof/").content.decode()
    progress = page.split('id="proof-progress"')[1].split("</p>")[0]
    assert 'data-accepted="2">Als Ganzes angenommen (Version 2, am ' in progress and f"von {staff.username})." in progress
    assert "Einzeln geprüft wurden 1 von " in progress
    trail = page.split('id="proof-breadcrumb"')[1].split("</nav>")[0]
    assert f"Antrag {app.year}, Version {app.version}" in trail and 'aria-current="page">Verwendungsnachweis</span>' in trail


def test_the_proof_pages_and_the_api(paid):
    from tests.procedure.test_api import bearer

    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    key = next(r["key"] for r in services.proof_of_use(concept, app)["grant"])
    services.check_proof_line(staff, concept, app, key=key, state="queried", remark="Beleg fehlt")
    proof = f"/concepts/{concept.slug}/applications/{app.pk}/proof/"
    city, authority = client_for(planner), client_for(staff)
    page = city.get(proof).content.decode()
    assert 'id="proof-queries"' in page and f'href="#line-{key}"' in page and f'id="answer-{key}"' in page
    assert 'id="proof-submit-form"' not in page and "zuerst die offenen Rückfragen" in page
    assert authority.post(proof + "answer/", {"key": key, "text": "x"}).status_code in (403, 404)  # the city's to answer
    done = city.post(proof + "answer/", {"key": key, "text": "Beleg nachgereicht"})
    assert done["Location"] == proof + f"#line-{key}"
    shown = authority.get(proof).content.decode()
    assert 'id="proof-answered"' in shown and "Beleg fehlt" in shown and "Beleg nachgereicht" in shown
    assert 'data-status="answered"' in shown and 'id="proof-accept"' not in shown
    # a refused submission: back to the page (a reload does not post again), the typed report kept with the message
    before = checksum()
    refused = city.post(proof + "submit/", {"report": "Mein Bericht"})
    assert (refused.status_code, refused["Location"]) == (302, proof + "#proof-submit-form") and checksum() == before
    again = city.get(proof).content.decode()
    assert "Bitte bestätigen Sie" in again and "Mein Bericht</textarea>" in again
    city.post(proof + "submit/", {"report": "Mein Bericht", "confirmed": "on"})
    found = app.proof_submissions.get()
    pdf = found.documents.get(kind="pdf")
    download = authority.get(proof + f"documents/{pdf.pk}/")
    assert download["X-Content-SHA256"] == pdf.sha256 and download.content == bytes(pdf.content)
    from isek.concepts.models import FundingAuthority

    district = FundingAuthority.objects.get(prefixes__prefix="146")
    listing = authority.get(f"/authorities/{district.pk}/portfolio/").content.decode()
    assert 'data-proof="submitted"' in listing and "Verwendungsnachweis eingereicht (Version 1)" in listing
    assert 'data-state="submitted"' in authority.get(proof.replace("proof/", "")).content.decode()
    page = authority.get(proof).content.decode()
    assert 'id="proof-accept"' in page and 'id="proof-return-form"' in page
    # accepting asks first and says how many lines are checked; a GET of the step leads to the proof
    before = checksum()
    asked = authority.post(proof + "accept/")
    shown = asked.content.decode()
    counts = services.proof_of(staff, concept, app)
    assert asked.status_code == 200 and "Verwendungsnachweis wirklich annehmen?" in shown and checksum() == before
    assert f"{counts['checked']} von {counts['lines']} Zeilen sind geprüft, {counts['lines'] - counts['checked']} nicht." in shown
    # walk 23: the box names the line still open, and the first "Annehmen" is not shown beneath it
    unsettled = shown.split('id="accept-unsettled"')[1].split("</ul>")[0]
    assert f'href="#line-{key}"' in unsettled and "Antwort der Stadt noch nicht geprüft" in unsettled
    assert 'id="proof-accept"' not in shown and 'id="accept-confirmed"' not in shown
    assert authority.get(proof + "accept/")["Location"] == proof + "#proof-state"
    refused = authority.post(proof + "accept/", {"confirmed": "1"}, follow=True).content.decode()
    assert "Noch nicht geklärt" in refused
    authority.post(proof + "check/", {"key": key, "state": "checked"})
    accepted = authority.post(proof + "accept/", {"confirmed": "1"}, follow=True).content.decode()
    # submitted while the approval runs: an interim proof, accepted it leaves room for the next (decision 0085)
    assert "Stand: Version 1, als Zwischennachweis angenommen." in accepted and 'data-state="accepted"' in accepted
    assert 'id="proof-interim-accepted"' in accepted and "geprüft und abgeschlossen" not in accepted
    data = bearer(planner).get(f"/api/v1/concepts/{concept.slug}/applications/{app.pk}/proof/").json()
    assert data["state"] == "accepted" and [s["version"] for s in data["submissions"]] == [1]
    assert data["submissions"][0]["documents"][0]["sha256"] in {d.sha256 for d in found.documents.all()}
    line = next(r for r in data["grant"] if r["key"] == key)
    # the accepted interim proof's words stay in the line's history, marked earlier; its checks count no
    # more: the next proof's lines are checked afresh (second reading)
    assert line["status"] is None and line["check"] is None
    assert [(h["kind"], h["earlier"]) for h in line["history"]] == [("queried", True), ("answered", True), ("checked", True)]
    assert line["history"][1] == {**line["history"][1], "text": "Beleg nachgereicht", "by": planner.username}
    english = client_for(planner)
    english.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "accepted" in english.get(proof).content.decode()


def test_the_sum_of_a_table_of_the_proof_pdf_never_stands_alone_on_a_page(tmp_path):
    """Walk 23: a "Summe" line alone at a page break (the table's footer, which WeasyPrint repeats
    on every page the table spans). The sum is the table's last row, kept with the row before it:
    once per table, and the page with it holds a row of figures too."""
    from isek.core import pdf

    def rows(n, **extra):
        return [{"key": f"{i}-2026", "number": f"1.{i}", "label": f"1.{i} Maßnahme {i}", "year": 2026, "source": "bund",
                 "source_label": "Bund", "approved": D("1000.00"), "requested": D("0"), "released": D("0"),
                 "left": D("1000.00"), "cost": D("1000.00"), "expenses": D("0"), "cited": D("0"), "grant": D("0"),
                 "own": D("0"), "flags": [], "history": [], **extra} for i in range(n)]

    for n in range(26, 34):  # around the first page break of table 1
        grant = rows(n)
        path = tmp_path / f"proof-{n}.pdf"
        pdf.write("procedure/proof_pdf.html", {
            "concept": {"city": {"name": "Erfurt"}, "get_programme_display": "Lebendige Zentren"},
            "app": {"snapshot": {"measures": []}}, "title": "Verwendungsnachweis", "approval": {"file_number": "1"},
            "grant": grant, "grant_total": {"approved": D(1000 * n)}, "expenses": rows(2),
            "expenses_total": {"cost": D(2000)}, "checks": {}, "lines": n, "checked": 0}, path)
        pages = _pdf_text(path.read_bytes(), tmp_path).split("\f")
        for page in pages:
            if re.search(r"^\s*Summe", page, re.M):
                assert re.search(r"^\s*1\.\d+\s+2026", page, re.M), (n, page)
        assert sum(len(re.findall(r"^\s*Summe", p, re.M)) for p in pages) == 2, n


def test_an_accepted_proof_keeps_its_figures_and_shows_later_expenses_apart(paid, tmp_path):
    """Walk 23: after the authority accepted the proof of use, a new expense of the city changed the
    page and its PDF (paid sums, still "geprüft"); the Sachbericht contradicted itself (decision 0075)."""
    from isek import access
    from isek.monitoring import services as monitoring
    from isek.monitoring.models import Payment

    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    services.release(staff, concept, services.submit_new_request(planner, concept, app, payments=_first_two(paid)))
    first = services.submit_proof(planner, concept, app, report="Der Platz ist fertig.", confirmed=True)
    services.return_proof(staff, concept, app, reason="Bitte den Beleg beilegen und neu einreichen.")
    services.submit_proof(planner, concept, app, report="Der Platz ist fertig.", confirmed=True, today=FINAL)
    proof_url = f"/concepts/{concept.slug}/applications/{app.pk}/proof/"
    city = client_for(planner)
    page = city.get(proof_url).content.decode()
    assert "Bitte den Beleg beilegen und neu einreichen.;" not in page and "neu einreichen.." not in page
    assert "neu einreichen.\n" in page or "neu einreichen.<" in page
    # submitted: the page says what was submitted, never "Noch kein Sachbericht"
    assert 'id="proof-report"' in page and "Der Platz ist fertig." in page and "Noch kein Sachbericht" not in page
    services.accept_proof(staff, concept, app)
    kept = services.proof_of_use(concept, app)
    key = next(r["key"] for r in kept["expenses"] if r["year"] == 2027)
    paid_then = next(r["expenses"] for r in kept["expenses"] if r["key"] == key)
    measure = concept.measures.get(number="1.1")
    monitoring.save_payment(access.Operator("test"), concept, Payment(measure=measure, year=2027, amount=D("999.99"),
                                                                      note="nach der Annahme"), today=LATER)
    now = services.proof_of_use(concept, app)
    assert {w: str(v) for w, v in now["expenses_total"].items()} == first.snapshot["expenses_total"] == {
        w: str(v) for w, v in kept["expenses_total"].items()}
    assert next(r["expenses"] for r in now["expenses"] if r["key"] == key) == paid_then
    assert [(r["key"], r["before"], r["now"], r["delta"]) for r in now["later"]] == [
        (key, paid_then, paid_then + D("999.99"), D("999.99"))]
    page = city.get(proof_url).content.decode()
    assert 'id="proof-frozen"' in page and "Nach der Annahme erfasst" in page and 'id="proof-later"' in page
    assert page.split('id="proof-expenses"')[1].split("</table>")[0].count("999,99") == 0
    assert "999,99" in page.split('id="proof-later"')[1].split("</table>")[0]
    pdf = city.get(proof_url.replace("proof/", "proof.pdf"))
    text = " ".join(_pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content, tmp_path).split())
    total = kept["expenses_total"]["expenses"]
    german = f"{total:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert german in text and "Nach der Annahme erfasst" in text and "999,99" in text
    assert "Der Platz ist fertig." in text and "Noch kein Sachbericht" not in text
    from tests.procedure.test_api import bearer

    data = bearer(planner).get(f"/api/v1/concepts/{concept.slug}/applications/{app.pk}/proof/").json()
    assert data["expenses_total"] == first.snapshot["expenses_total"]
    assert [(x["key"], x["delta"]) for x in data["later"]] == [(key, "999.99")]


def _german(amount: D) -> str:
    return f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def test_the_payments_page_shows_cents_and_offers_no_deletion_a_request_would_refuse(paid):
    """Walk 23: the plan/actual table rounded to whole euros (600.000,50 shown as 600.001), and
    "löschen" was offered for an expense a released request cites, refused only after confirming;
    the release form was prefilled "183333,50" (decision 0075)."""
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    cited, second, later, _early = paid["payments"]
    request = services.submit_new_request(planner, concept, app, payments=_first_two(paid))
    # the release form: the requested amounts prefilled in German notation, thousands grouped
    form = client_for(staff).get(f"/concepts/{concept.slug}/applications/{app.pk}/payments/{request.number}/").content.decode()
    line = request.lines.get(source="bund")
    assert line.requested >= 1000 and f'value="{_german(line.requested)}"' in form
    services.release(staff, concept, request)
    page = client_for(planner).get(f"/concepts/{concept.slug}/payments/").content.decode()
    table = page.split('id="spending-total"')[0].rsplit("<table", 1)[1]
    assert "52.345,67" in table and "52.346<" not in table  # 40.000,00 + 12.345,67 paid in 2027
    total = page.split('id="spending-total"')[1].split("</td>")[0]
    assert "62.845,67" in total  # with 10.000,00 of 2028 and 500,00 of 2026
    listing = page.split('id="payments"')[1].split("</table>")[0]
    for pk in (cited, second):
        assert f'name="delete" value="{pk}"' not in listing and f'data-cited="{pk}"' in listing
    assert "Teil von Mittelabruf Nr. 1 (Antrag 2027, Version 1, „freigegeben“): nicht löschbar" in listing
    assert f'name="delete" value="{later}"' in listing and f'data-cited="{later}"' not in listing


def test_an_accepted_interim_proof_leaves_room_for_the_next_which_counts_later_expenses(paid):
    """Walk (Landshut): accepting a Zwischennachweis closed the proof of use for good – later
    expenses stood apart "nach der Annahme", no final proof could be filed (decision 0085)."""
    from isek import access
    from isek.monitoring import services as monitoring
    from isek.monitoring.models import Payment
    from isek.procedure.models import ProofSubmission

    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    services.release(staff, concept, services.submit_new_request(planner, concept, app, payments=_first_two(paid)))
    interim = services.submit_proof(planner, concept, app, report="Zwischenstand.", confirmed=True, today=LATER)
    line = services.proof_of_use(concept, app)["expenses"][0]["key"]
    services.check_proof_line(staff, concept, app, key=line, state="checked")
    services.accept_proof(staff, concept, app)
    interim = ProofSubmission.objects.get(pk=interim.pk)
    assert (interim.interim, interim.state, interim.closes) == (True, "accepted", False)
    from tests.procedure.test_api import bearer

    api = bearer(planner).get(f"/api/v1/concepts/{concept.slug}/applications/{app.pk}/proof/").json()
    assert [(s["version"], s["state"], s["interim"], s["closes"]) for s in api["submissions"]] == [
        (1, "accepted", True, False)]  # the API says so too (second reading)
    kept, documents = interim.snapshot, {d.kind: d.sha256 for d in interim.documents.all()}
    measure = concept.measures.get(number="1.1")
    monitoring.save_payment(access.Operator("test"), concept, Payment(measure=measure, year=2028, amount=D("777.77"),
                                                                      note="nach dem Zwischennachweis"), today=LATER)
    proof = services.proof_of_use(concept, app)
    # the page is the next proof's: today's figures with the new expense, nothing apart, submittable
    assert proof["frozen"] is None and proof["later"] == []
    assert proof["expenses_total"]["expenses"] == D(kept["expenses_total"]["expenses"]) + D("777.77")
    assert services.proof_submit_refusal(proof) == ""
    # the interim proof's checks were about its figures: the next proof's lines are checked afresh (second reading)
    assert proof["checked"] == 0 and all(r["check"] is None and r["status"] == "" and all(e.earlier for e in r["history"])
                                         for r in (*proof["grant"], *proof["expenses"]))
    assert [e.kind for e in next(r for r in proof["expenses"] if r["key"] == line)["history"]] == ["checked"]
    city = client_for(planner)
    url = f"/concepts/{concept.slug}/applications/{app.pk}/proof/"
    page = city.get(url).content.decode()
    assert 'id="proof-interim-accepted"' in page and 'id="proof-submit-form"' in page
    assert "Nach der Annahme erfasst" not in page and 'id="proof-later"' not in page
    assert "777,77" in page.split('id="proof-receipts"')[1].split("</table>")[0]
    final = services.submit_proof(planner, concept, app, report="Der Platz ist fertig.", confirmed=True, today=FINAL)
    assert (final.version, final.interim) == (2, False)
    assert D(final.snapshot["expenses_total"]["expenses"]) == proof["expenses_total"]["expenses"]
    assert any(r["amount"] == "777.77" for r in final.snapshot["receipts"])
    # the accepted interim proof keeps its snapshot and documents, and the page lists it with its figure
    again = ProofSubmission.objects.get(pk=interim.pk)
    assert again.snapshot == kept and {d.kind: d.sha256 for d in again.documents.all()} == documents
    page = city.get(url).content.decode()
    listed = page.split('id="proof-submissions"')[1].split("</ul>")[0]
    assert 'data-version="1" data-state="accepted" data-interim="yes"' in listed
    assert f"Bezahlte Ausgaben im Nachweis: {_german(D(kept['expenses_total']['expenses']))} €." in listed
    services.accept_proof(staff, concept, app)  # the final one closes it
    _refused(lambda: services.submit_proof(planner, concept, app, report="x", confirmed=True, today=FINAL), "__all__",
             "geprüft und abgeschlossen")
