"""The funding authority's approval (Zuwendungsbescheid, issue #23 point 4, decision 0058): entered
per measure, year and source, prefilled with the request, a reason wherever it differs; it moves
the application to "bewilligt" and turns the city's financing lines into approved ones, which the
KuF computes with and the KuF page and the dashboard show against the request; an amendment is a
new approval; refusals change nothing."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from isek.core.models import ChangeRecord
from isek.finance import services as finance
from isek.finance.models import Financing
from isek.procedure import services
from isek.procedure.models import Application, Approval
from tests.conftest import client_for
from tests.dbstate import checksum
from tests.htmlforms import post_forms

TODAY = timezone.localdate()
CUT = D("1000.00")


def _in_review(world):
    services.start_review(world["authority"], world["concept"], world["app"])
    return Application.objects.get(pk=world["app"].pk)


def _first(lines):
    """The first line that requests money (a federal part)."""
    return next(line for line in lines if line["requested"] > CUT and line["source"] == "bund")


def test_an_approval_with_a_cut_turns_the_citys_financing_into_approved_figures(world):
    concept, staff = world["concept"], world["authority"]
    app = _in_review(world)
    before = finance.current(concept)
    earlier = {(f.measure_id, f.year, f.source): f.status for f in Financing.objects.filter(
        measure__concept=concept, year__lt=app.year)}
    lines = services.approval_lines(concept, app)
    assert lines and all(line["approved"] == line["requested"] for line in lines)  # prefilled with the request
    # the programme year and the years after: the snapshot's grant of 2026 (measure 7.1) was decided before
    assert any(f["what"] in ("bund", "land") and int(f["year"]) < app.year for f in app.snapshot["figures"])
    assert {line["year"] for line in lines} == {2027, 2028, 2029, 2030}
    cut = _first(lines)
    measure, year = cut["measure"], cut["year"]
    own_before = before.cells[(measure, year)].sources["municipality"]
    approval = services.approve(staff, concept, app, decided_on=TODAY, file_number="34.1-2027/07",
                                amounts={cut["key"]: cut["requested"] - CUT}, reasons={cut["key"]: "Kosten zu hoch"})
    assert Application.objects.get(pk=app.pk).get_state_display() == "bewilligt"
    assert approval.amends is None and len(approval.lines) == len(lines)
    row = Financing.objects.get(measure_id=int(measure), year=year, source="bund")
    assert (row.status, row.amount, row.requested) == ("approved", cut["requested"] - CUT, cut["requested"])
    assert row.reason.startswith("Zuwendungsbescheid 34.1-2027/07 vom") and row.reason.endswith("Kosten zu hoch")
    assert Financing.objects.filter(measure__concept=concept, status="approved").count() == len(lines)
    # the financing of the years before the programme year keeps its status, and the KuF its figures
    assert {(f.measure_id, f.year, f.source): f.status for f in Financing.objects.filter(
        measure__concept=concept, year__lt=app.year)} == earlier
    assert not Financing.objects.filter(measure__concept=concept, year__lt=app.year, status="approved").exists()
    # the KuF engine computes with the approved amounts: the grant falls by the cut, the own share rises by it
    after = finance.current(concept)
    assert {k: c.sources for k, c in after.cells.items() if k[1] < app.year} == {
        k: c.sources for k, c in before.cells.items() if k[1] < app.year}
    assert after.total("grant") == before.total("grant") - CUT
    assert after.cells[(measure, year)].sources["municipality"] == own_before + CUT
    decided_before = sum((c.sources.get("bund", D(0)) for k, c in before.cells.items() if k[1] < app.year), D(0))
    assert decided_before > 0  # 2026's federal grant: not approved by the 2027 application
    assert after.by_status()[("bund", "approved")] == before.total("bund") - decided_before - CUT
    differences = finance.approval_differences(concept)
    assert [(r["year"], r["requested"], r["approved"], r["difference"]) for r in differences] == [
        (year, cut["requested"], cut["requested"] - CUT, -CUT)]
    # recorded: who, when
    assert ChangeRecord.objects.filter(user=staff, model="procedure.Approval").exists()
    assert ChangeRecord.objects.filter(user=staff, model="finance.Financing").exists()
    # the city changes nothing the approval set, neither its amount nor by removing it (decision 0065) …
    planner, m = world["planner"], concept.measures.get(pk=int(measure))
    raised = Financing.objects.get(pk=row.pk)
    raised.amount = cut["requested"]
    kept = checksum()
    for change in ({"financings": [raised]}, {"removed_financings": [row]}):
        with pytest.raises(ValidationError) as caught:
            finance.save_costs(planner, concept, m, **change)
        assert caught.value.code == "approved" and checksum() == kept
        assert caught.value.messages[0].startswith(
            "Dieser Betrag ist bewilligt (Zuwendungsbescheid 34.1-2027/07 vom ") and "Bewilligungsbehörde" in caught.value.messages[0]
    # … nor marks its own line "bewilligt"; other sources it still plans
    own = Financing(year=year, source="eu", amount=D("500.00"), status="approved", reason="EFRE-Bescheid")
    with pytest.raises(ValidationError) as caught:
        finance.save_costs(planner, concept, m, financings=[own])
    assert "nur der Bescheid der Bewilligungsbehörde" in caught.value.message_dict["status"][0]
    assert checksum() == kept
    own.status = "secured"
    finance.save_costs(planner, concept, m, financings=[own])
    assert Financing.objects.get(pk=row.pk).amount == cut["requested"] - CUT
    assert [r["difference"] for r in finance.approval_differences(concept)] == [-CUT]


def test_an_approved_line_comes_into_another_installation_as_secured(world, tmp_path):
    """The open-data package carries the approved lines; where it is imported no approval wrote them,
    so they come in as "gesichert" with the Bescheid in their reason (decision 0065)."""
    from isek import access
    from isek.api import package
    from isek.concepts.models import Concept

    concept, staff = world["concept"], world["authority"]
    app = _in_review(world)
    services.approve(staff, concept, app, decided_on=TODAY, file_number="34.1-2027/07")
    path = tmp_path / "concept.gpkg"
    package.export_gpkg(concept, path)
    Concept.objects.filter(pk=concept.pk).update(slug=f"{concept.slug}-alt")  # the package's short name is free
    imported = package.import_gpkg(access.Operator("test"), path)
    approved = {(f.measure.number, f.year, f.source): f for f in Financing.objects.filter(
        measure__concept=concept, status="approved").select_related("measure")}
    came = {(f.measure.number, f.year, f.source): f for f in Financing.objects.filter(
        measure__concept=imported).select_related("measure")}
    assert approved and set(approved) <= set(came)
    assert {came[k].status for k in approved} == {"secured"} and not any(f.status == "approved" for f in came.values())
    assert all(came[k].amount == approved[k].amount and came[k].reason.startswith("Zuwendungsbescheid 34.1-2027/07")
               for k in approved)


@pytest.mark.parametrize(("typed", "reason", "field", "message"), [
    ("-5", "", "amount", "nicht negativ"),
    ("zwölf", "", "amount", "keine Zahl"),
    ("12,345", "", "amount", "höchstens zwei Nachkommastellen"),
    ("", "", "amount", "Bitte einen Betrag angeben"),
    ("+1000", "weil", "amount", "Mehr als beantragt kann nicht bewilligt werden: beantragt sind"),
    ("-0", "", "reason", "warum der bewilligte Betrag vom Antrag abweicht"),
])
def test_bad_amounts_are_refused_at_their_line_and_change_nothing(world, typed, reason, field, message):
    concept, staff = world["concept"], world["authority"]
    app = _in_review(world)
    line = _first(services.approval_lines(concept, app))
    if typed == "+1000":
        typed = line["requested"] + CUT
    elif typed == "-0":
        typed = D(0)
    before = checksum()
    with pytest.raises(ValidationError) as caught:
        services.approve(staff, concept, app, decided_on=TODAY, file_number="Az 1", amounts={line["key"]: typed},
                         reasons={line["key"]: reason})
    errors = caught.value.message_dict
    assert list(errors) == [f"{field}-{line['key']}"] and message in errors[f"{field}-{line['key']}"][0]
    assert checksum() == before


def test_other_refusals_change_nothing(world):
    concept, staff, planner = world["concept"], world["authority"], world["planner"]
    app = world["app"]
    before = checksum()
    with pytest.raises(ValidationError, match="nur ein Antrag in Prüfung"):  # submitted, not yet in review
        services.approve(staff, concept, app, decided_on=TODAY, file_number="Az 1")
    with pytest.raises(PermissionDenied):
        services.approve(planner, concept, app, decided_on=TODAY, file_number="Az 1")
    with pytest.raises((Http404, PermissionDenied)):
        services.approve(world["authority_b"], concept, app, decided_on=TODAY, file_number="Az 1")
    assert checksum() == before
    app = _in_review(world)
    before = checksum()
    with pytest.raises(ValidationError) as caught:
        services.approve(staff, concept, app, decided_on=TODAY + datetime.timedelta(days=1), file_number=" ",
                         amounts={"999999-2027-bund": "5"})
    errors = caught.value.message_dict
    assert "Zukunft" in errors["decided_on"][0] and "Aktenzeichen" in errors["file_number"][0]
    assert "999999-2027-bund" in errors["__all__"][0]
    with pytest.raises(ValidationError, match="Datum des Bescheids"):
        services.approve(staff, concept, app, decided_on=None, file_number="Az 1")
    assert checksum() == before


def test_an_amendment_is_a_new_approval_the_first_never_changes(world):
    concept, staff = world["concept"], world["authority"]
    app = _in_review(world)
    first = services.approve(staff, concept, app, decided_on=TODAY, file_number="Az 1")
    assert finance.approval_differences(concept) == []  # approved as requested
    with pytest.raises(ValidationError):
        first.save()
    with pytest.raises(ValidationError):
        first.delete()
    line = _first(services.approval_lines(concept, app))
    before = checksum()
    with pytest.raises(ValidationError, match="Änderungsbescheid"):
        services.approve(staff, concept, app, decided_on=TODAY, file_number="Az 1-Ä")
    assert checksum() == before
    with pytest.raises(ValidationError, match="Mehr als beantragt kann nicht bewilligt werden"):  # nor on an amendment
        services.approve(staff, concept, app, decided_on=TODAY, file_number="Az 1-Ä", reason="mehr",
                         amounts={line["key"]: line["requested"] + D("0.01")}, reasons={line["key"]: "teurer"})
    assert checksum() == before
    second = services.approve(staff, concept, app, decided_on=TODAY, file_number="Az 1-Ä", reason="Haushaltssperre",
                              amounts={line["key"]: "0"}, reasons={line["key"]: "entfällt 2027"})
    # the amendment form is prefilled with the amounts and the reasons in force
    form = client_for(staff).get(f"/concepts/{concept.slug}/applications/{app.pk}/approve/").content.decode()
    assert f'name="reason-{line["key"]}" value="entfällt 2027"' in form
    assert all(f">{label}</label>" in form for label in ("Bescheid vom", "Aktenzeichen", "Begründung der Änderung"))
    assert second.amends == first and [a.pk for a in services.approvals_of(app)] == [first.pk, second.pk]
    row = Financing.objects.get(measure_id=int(line["measure"]), year=line["year"], source="bund")
    assert (row.amount, row.status) == (D("0.00"), "approved")
    # the next amendment starts from the amounts in force
    assert next(x for x in services.approval_lines(concept, app) if x["key"] == line["key"])["approved"] == D("0.00")
    # a line of a year before the programme year that an approval in force holds (one entered before
    # the approval covered only the programme year and later) stays as it is
    old = {"measure": line["measure"], "year": 2026, "source": "land", "requested": "900.00", "approved": "800.00",
           "reason": "alt"}
    Approval.objects.create(application=app, amends=second, decided_on=TODAY, file_number="Az 1-alt",
                            reason="vor der Korrektur", lines=[*second.lines, old])
    kept = next(x for x in services.approval_lines(concept, app) if x["year"] == 2026)
    assert (kept["requested"], kept["approved"]) == (D("900.00"), D("800.00"))
    third = services.approve(staff, concept, app, decided_on=TODAY, file_number="Az 1-Ä2", reason="Neue Zahlen",
                             amounts={line["key"]: "1"})
    assert old in third.lines and len(third.lines) == len(second.lines) + 1  # the reasons in force kept


def test_an_amendment_that_changes_nothing_or_is_sent_again_is_refused(world):
    """Walk 23: an Änderungsbescheid without a changed amount was saved, back + send saved a second
    one, and the proof of use named the amendment instead of the Bescheid (decision 0075)."""
    concept, staff = world["concept"], world["authority"]
    app = _in_review(world)
    services.approve(staff, concept, app, decided_on=TODAY, file_number="Az 7")
    line = _first(services.approval_lines(concept, app))
    before = checksum()
    with pytest.raises(ValidationError, match="ändert keinen bewilligten Betrag; er wurde nicht gespeichert") as caught:
        services.approve(staff, concept, app, decided_on=TODAY, file_number="Az 7-Ä", reason="nichts")
    assert f"Zuwendungsbescheid Az 7 vom {TODAY:%d.%m.%Y}" in caught.value.message_dict["__all__"][0]
    assert checksum() == before and Approval.objects.filter(application=app).count() == 1
    url = f"/concepts/{concept.slug}/applications/{app.pk}/approve/"
    reviewer = client_for(staff)
    page = reviewer.get(url).content.decode()
    once = page.split('name="once" value="')[1].split('"')[0]
    data = {"decided_on": TODAY.isoformat(), "file_number": "Az 7-Ä", "reason": "Haushaltssperre", "once": once,
            **{f"amount-{x['key']}": str(x["approved"]).replace(".", ",") for x in services.approval_lines(concept, app)},
            f"amount-{line['key']}": "0", f"reason-{line['key']}": "entfällt"}
    before = checksum()
    unchanged = reviewer.post(url, {**data, f"amount-{line['key']}": str(line["approved"]).replace(".", ",")})
    assert unchanged.status_code == 400 and "ändert keinen bewilligten Betrag" in unchanged.content.decode()
    assert checksum() == before
    done = reviewer.post(url, data, follow=True)
    assert "Der Änderungsbescheid wurde gespeichert." in done.content.decode()
    before = checksum()
    again = reviewer.post(url, data, follow=True)  # back in the browser, sent again
    assert "schon gespeichert; das erneute Senden hat nichts geändert" in again.content.decode()
    assert checksum() == before and Approval.objects.filter(application=app).count() == 2
    # the proof of use and the city's financing name the Bescheid with its amendment
    named = (f"Zuwendungsbescheid Az 7 vom {TODAY:%d.%m.%Y}, geändert durch Änderungsbescheid Az 7-Ä vom "
             f"{TODAY:%d.%m.%Y}")
    assert services.bescheid_named(services.current_approval(app)) == named
    proof = client_for(world["planner"]).get(f"/concepts/{concept.slug}/applications/{app.pk}/proof/").content.decode()
    assert f"Der zahlenmäßige Nachweis zum {named}:" in proof
    row = Financing.objects.get(measure_id=int(line["measure"]), year=line["year"], source="bund")
    assert row.reason.startswith(named)


def test_the_pages_of_the_approval(world):
    concept, staff, planner = world["concept"], world["authority"], world["planner"]
    app = _in_review(world)
    url = f"/concepts/{concept.slug}/applications/{app.pk}/"
    reviewer, city = client_for(staff), client_for(planner)
    assert 'id="approve-link"' in reviewer.get(url).content.decode()
    assert 'id="approve-link"' not in city.get(url).content.decode()
    refused = city.get(url + "approve/")
    # the planner was told to "ask the planners" – themselves; the page says who enters it (decision 0087)
    assert refused.status_code == 403 and "Das trägt die Bewilligungsbehörde ein" in refused.content.decode()
    assert "Planerinnen und Planer des Konzepts, oder melden" not in refused.content.decode()
    form = reviewer.get(url + "approve/")
    assert form.status_code == 200
    assert 'data-line="' in form.content.decode() and "-2026-" not in form.content.decode()  # from 2027 on
    assert 'data-year="2026" data-requested="no"' in reviewer.get(url).content.decode()  # the KuF shown whole
    line = _first(services.approval_lines(concept, app))
    requested = line["requested"]
    german = f"{requested:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert f'value="{german}"' in form.content.decode()  # prefilled, German notation, thousands grouped (0075)
    data = {"decided_on": TODAY.isoformat(), "file_number": "34.1-2027/07"}
    data.update({f"amount-{x['key']}": str(x["requested"]).replace(".", ",") for x in services.approval_lines(concept, app)})
    before = checksum()
    bad = reviewer.post(url + "approve/", {**data, f"amount-{line['key']}": "-1"})
    assert bad.status_code == 400 and "Ein bewilligter Betrag kann nicht negativ sein." in bad.content.decode()
    assert checksum() == before
    cut = requested - CUT
    german_cut = f"{cut:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    done = reviewer.post(url + "approve/", {**data, f"amount-{line['key']}": str(cut).replace(".", ","),
                                            f"reason-{line['key']}": "Kosten zu hoch"}, follow=True)
    assert "Der Zuwendungsbescheid wurde gespeichert" in done.content.decode()
    assert Approval.objects.filter(application=app).count() == 1
    # the city sees the approval, the KuF and the dashboard show requested against approved
    page = city.get(url).content.decode()
    assert "34.1-2027/07" in page and "Kosten zu hoch" in page and 'data-state="approved"' in page
    # no change request (Nachforderung) is offered on an approved application; one posted is refused at its field
    shown = reviewer.get(url).content.decode().split('id="remark-form"')[1]
    assert 'value="request"' not in shown and "Nachforderung ist nur vor dem Bescheid möglich" in shown
    before = checksum()
    refused = reviewer.post(url + "remarks/", {"kind": "request", "about": "application", "text": "Bitte mehr"})
    assert refused.status_code == 400 and checksum() == before
    assert "nur vor dem Bescheid möglich" in refused.content.decode().split('id="kind-error"')[1].split("</p>")[0]
    with pytest.raises(ValidationError) as caught:
        services.add_remark(staff, concept, app, kind="request", text="Bitte mehr")
    assert "nur vor dem Bescheid möglich" in caught.value.message_dict["kind"][0] and checksum() == before
    for path in (f"/concepts/{concept.slug}/kuf/", f"/concepts/{concept.slug}/dashboard/"):
        shown = city.get(path).content.decode()
        assert 'id="approval-differences-table"' in shown and "Bewilligt statt beantragt" in shown, path
    # the measure's KuF page shows the approved lines read-only and offers "bewilligt" for none of the
    # city's own lines; what is sent for an approved line anyway is refused with the reason (decision 0065)
    row = Financing.objects.get(measure_id=int(line["measure"]), year=line["year"], source="bund")
    kuf_page = f"/concepts/{concept.slug}/kuf/measures/{line['measure']}/"
    shown = city.get(kuf_page).content.decode()
    locked = shown.count('data-locked="1"')
    assert f'id="approved-{row.pk}" data-locked="1"' in shown and locked >= 2
    assert shown.count('<option value="approved"') == locked  # only the approved lines' own (disabled) choice
    assert "Dieser Betrag ist bewilligt (Zuwendungsbescheid 34.1-2027/07 vom" in shown
    block = shown.split(f'id="approved-{row.pk}"')[1].split("</fieldset>")[0]
    assert block.count(" disabled") >= 5  # year, source, amount, status, reason (and the removal box)
    sent = post_forms(shown)[-1]
    index = next(k for k in range(int(sent["f-TOTAL_FORMS"])) if sent.get(f"f-{k}-id") == str(row.pk))
    extra = int(sent["f-TOTAL_FORMS"]) - 1
    before = checksum()
    locked_text, status_text = "Dieser Betrag ist bewilligt", "Den Status „bewilligt“ setzt nur der Bescheid"
    second = "Für %s gibt es schon diese Quelle in einer bewilligten Zeile." % line["year"]
    for tampered, message in (({f"f-{index}-amount": german.replace(".", "")}, locked_text),  # the request, not the cut
                              ({f"f-{index}-DELETE": "on"}, locked_text),
                              ({f"f-{extra}-year": str(line["year"]), f"f-{extra}-source": "eu", f"f-{extra}-amount": "500",
                                f"f-{extra}-status": "approved", f"f-{extra}-reason": "EFRE"}, status_text),
                              # a new row of the approved line's year and source: said at the new row's source
                              ({f"f-{extra}-year": str(line["year"]), f"f-{extra}-source": "bund",
                                f"f-{extra}-amount": "2.000.000", f"f-{extra}-status": "planned",
                                f"f-{extra}-reason": "Aufstockung"}, second)):
        refused = city.post(kuf_page, {**sent, **tampered})
        text = refused.content.decode()
        assert refused.status_code == 400 and checksum() == before, tampered
        assert message in text.split('role="alert">', 2)[-1], tampered
        assert text.count(locked_text) == locked + (message in (locked_text, second)), tampered
        if message == second:
            row_html = text.split(f'id="id_f-{extra}-year"')[0].rsplit("<fieldset", 1)[-1] + text.split(f'id="id_f-{extra}-year"')[1].split("</fieldset>")[0]
            assert f'id="f-{extra}-source-error"' in row_html and second in row_html
    assert Financing.objects.get(pk=row.pk).amount == cut
    # the KuF's Excel of the current plan notes it on its parameter sheet
    workbook = city.get(f"/concepts/{concept.slug}/kuf.xlsx")
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(workbook.streaming_content)))["Parameter"]
    notes = [c.value for c in sheet["A"] if isinstance(c.value, str) and c.value.startswith("Bewilligt statt beantragt")]
    assert len(notes) == 1 and "Kosten zu hoch" in notes[0] and f"bewilligt {german_cut} €" in notes[0]
    english = client_for(planner)
    english.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Approved instead of requested" in english.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    # the API gives the approval to both sides
    for user in (staff, planner):
        data = client_for(user).get(f"/api/v1/concepts/{concept.slug}/applications/{app.pk}/").json()
        assert data["state"] == "approved"
        [approval] = data["approvals"]
        assert approval["file_number"] == "34.1-2027/07" and approval["amends"] is None
        assert {"requested": str(requested), "approved": str(cut), "reason": "Kosten zu hoch"}.items() <= next(
            x for x in approval["lines"] if x["year"] == line["year"] and x["source"] == "bund"
            and x["reason"]).items()


def test_the_isek_report_shows_where_the_approval_differs(world, monkeypatch, tmp_path):
    """The ISEK document's finance section lists the cut (its HTML, not its PDF: no PDF is built)."""
    from django.template.loader import render_to_string

    from isek.monitoring import reports

    concept, staff = world["concept"], world["authority"]
    app = _in_review(world)
    line = _first(services.approval_lines(concept, app))
    services.approve(staff, concept, app, decided_on=TODAY, file_number="Az 7",
                     amounts={line["key"]: line["requested"] - CUT}, reasons={line["key"]: "Kosten zu hoch"})
    written = {}
    monkeypatch.setattr(reports.pdf, "write", lambda template, ctx, path: written.update(
        html=render_to_string(template, ctx)) or 1)
    reports.isek_pdf(concept, tmp_path / "isek.pdf")
    section = written["html"].split("<h3>Bewilligt statt beantragt</h3>")[1].split("</table>")[0]
    assert "Kosten zu hoch" in section and section.count("<tr>") == 2  # the header and the one cut line



def test_overlapping_applications_never_approve_or_count_a_line_twice(paid):
    """2027 is approved (its Bescheid covers 2027–2030); then the city applies for 2026, which
    requests "2026 and the following years": the lines of 2027 on that 2027's approval granted are
    marked "bereits bewilligt", not offered nor approvable again, counted once in the portfolio and
    the district's totals, and in one proof of use only; the KuF keeps citing the first Bescheid
    (decision 0058, amended)."""
    from isek.concepts.models import FundingAuthority
    from tests.procedure import submit

    concept, staff, first = paid["concept"], paid["authority"], paid["app"]
    authority = FundingAuthority.objects.get(staff__user=staff)
    before = services.portfolio(staff, authority)
    cost = before["headers"].index("Kosten")
    costs = {r["year"]: r["values"][cost] for r in before["sums"]}
    granted = {(line["measure"], int(line["year"]), line["source"]) for line in first.approvals.get().lines}
    assert {y for _m, y, _s in granted} == {2027, 2028, 2029, 2030}
    second = submit(paid["planner"], concept, year=2026, name="Programmanmeldung 2026")
    services.start_review(staff, concept, second)
    second = Application.objects.get(pk=second.pk)
    # the 2026 application requests 2027–2030 in its snapshot, but those lines are approved already
    assert any(int(f["year"]) >= 2027 and f["what"] == "bund" for f in second.snapshot["figures"])
    assert set(services.approved_elsewhere(second)) == granted
    marked = services.already_approved(concept, second)
    assert {(m["year"], m["approval"]) for m in marked} == {
        (y, f"Zuwendungsbescheid 34.1-2027/07 vom {first.approvals.get().decided_on:%d.%m.%Y}") for y in range(2027, 2031)}
    page = client_for(staff).get(f"/concepts/{concept.slug}/applications/{second.pk}/").content.decode()
    assert 'id="already-approved"' in page and "bereits bewilligt (Zuwendungsbescheid 34.1-2027/07" in page
    lines = services.approval_lines(concept, second)
    assert lines and {line["year"] for line in lines} == {2026}  # the form offers 2026 only
    form = client_for(staff).get(f"/concepts/{concept.slug}/applications/{second.pk}/approve/").content.decode()
    assert 'data-line="' in form and "-2026-" in form and 'data-line="' + f"{sorted(granted)[0][0]}-2027-" not in form
    assert 'id="already-approved"' in form  # said, not silently left out
    # the portfolio counts 2027's costs once, while both are under review/approved
    during = services.portfolio(staff, authority)
    assert {r["year"]: r["values"][cost] for r in during["sums"] if r["year"] >= 2027} == costs
    # approving a 2027 line again is refused with the Bescheid named; nothing changes
    m, y, w = sorted(granted)[0]
    again = f"{m}-{y}-{w}"
    state = checksum()
    with pytest.raises(ValidationError) as refused:
        services.approve(staff, concept, second, decided_on=TODAY, file_number="34.1-2026/01", amounts={again: "1,00"},
                         reasons={again: "noch einmal"})
    assert refused.value.message_dict["__all__"][0].startswith(
        "Diese Zeilen sind bereits bewilligt und können nicht noch einmal bewilligt werden: ")
    assert "(Zuwendungsbescheid 34.1-2027/07 vom " in refused.value.message_dict["__all__"][0]
    assert checksum() == state
    approval = services.approve(staff, concept, second, decided_on=TODAY, file_number="34.1-2026/01")
    assert {int(line["year"]) for line in approval.lines} == {2026}
    # the KuF's 2027 money keeps citing the first Bescheid
    rows = Financing.objects.filter(measure__concept=concept, year__gte=2027, status="approved")
    assert rows and all(r.reason.startswith("Zuwendungsbescheid 34.1-2027/07") for r in rows)
    assert Financing.objects.filter(measure__concept=concept, year=2026, status="approved",
                                    reason__startswith="Zuwendungsbescheid 34.1-2026/01").exists()
    # totals once: the portfolio's costs of 2027 on, the district's requested and approved grant
    after = services.portfolio(staff, authority)
    assert {r["year"]: r["values"][cost] for r in after["sums"] if r["year"] >= 2027} == costs
    totals = services.district_totals(staff, authority)
    for what in ("requested", "approved"):
        for year in range(2027, 2031):
            assert len([r for r in totals if r["in"] == year and any(r[what].values())]) == 1, (what, year)
    assert sum(sum(r["approved"].values(), D(0)) for r in totals if r["in"] >= 2027) == sum(
        (D(line["approved"]) for line in first.approvals.get().lines), D(0))
    # no line remains in both proofs of use
    left = {app.pk: {(r["measure"], r["year"], r["source"]) for r in services.proof_of_use(concept, app)["grant"]
                     if r["left"] > 0} for app in (first, Application.objects.get(pk=second.pk))}
    assert left[first.pk] and left[second.pk] and not left[first.pk] & left[second.pk]
    # an approval entered before this fix (2026's holding 2027's lines too) counts them with the first one
    Approval.objects.filter(pk=approval.pk).update(lines=[*approval.lines, *first.approvals.get().lines])
    assert services.district_totals(staff, authority) == totals
    assert {(r["measure"], r["year"], r["source"]) for r in services.proof_of_use(concept, second)["grant"]} == {
        (line["measure"], line["year"], line["source"]) for line in approval.lines}
    assert {r["year"]: r["values"][cost] for r in services.portfolio(staff, authority)["sums"] if r["year"] >= 2027} == costs
    # the portfolio's approved grant (issue #23, minor 5): per application, in its group's sum and per year, each
    # line once – as the district's totals
    shown = services.portfolio(staff, authority)
    rows = {r["app"].year: r["approved"] for g in shown["groups"] for r in g["rows"]}
    for year in (2026, 2027):
        assert rows[year] == sum((sum(r["approved"].values(), D(0)) for r in totals if r["year"] == year), D(0)), year
    assert rows[2027] == sum((D(line["approved"]) for line in first.approvals.get().lines), D(0))
    assert rows[2026] == sum((D(line["approved"]) for line in approval.lines), D(0)) > 0
    total = sum((sum(r["approved"].values(), D(0)) for r in totals), D(0))
    assert sum((g["approved"] for g in shown["groups"]), D(0)) == total
    column = shown["headers"].index("bewilligt (Bund und Land)")
    assert sum((r["values"][column] for r in shown["sums"]), D(0)) == total
    page = client_for(staff).get(f"/authorities/{authority.pk}/portfolio/").content.decode()
    assert "bewilligte Förderung (€)" in page and f'data-approved="{rows[2027]}"' in page


def test_a_line_approved_at_zero_is_a_decision_that_no_later_request_asks_for(world):
    """Issue #23, minor 6: a measure's year cut to 0 € was not "held" – a later application requested
    it again, and nothing said why its expenses could not be requested. Now a payment request for it
    is refused by name with the Bescheid, and a later application neither requests nor approves it."""
    from isek import access
    from isek.monitoring import services as monitoring
    from tests.procedure import submit

    concept, staff, planner = world["concept"], world["authority"], world["planner"]
    app = _in_review(world)
    line = _first(services.approval_lines(concept, app))
    zero = {x["key"]: "0" for x in services.approval_lines(concept, app) if (x["measure"], x["year"]) == (
        line["measure"], line["year"])}
    # an application for the year before, submitted meanwhile, requests that year too (its KuF as it was)
    second = submit(planner, concept, year=line["year"] - 1, name="Programmanmeldung davor")
    services.approve(staff, concept, app, decided_on=TODAY, file_number="Az 0", amounts=zero,
                     reasons=dict.fromkeys(zero, "nicht förderfähig"))
    app = Application.objects.get(pk=app.pk)
    payment = monitoring.save_payment(access.Operator("test"), concept, monitoring.Payment(
        measure_id=int(line["measure"]), year=line["year"], amount=D("5000.00")), today=datetime.date(line["year"], 12, 31))
    assert payment.pk not in {p.pk for p in services.available_payments(concept, app)}
    before = checksum()
    with pytest.raises(ValidationError) as refused:
        services.draft_request(planner, concept, app, payments=[payment.pk])
    message = refused.value.message_dict["payments"][0]
    assert message.startswith("Dafür lässt sich kein Mittelabruf stellen: mit 0 € bewilligt – ")
    assert f", {line['year']}, Städtebauförderung Bund (Zuwendungsbescheid Az 0 vom {TODAY:%d.%m.%Y})" in message
    assert "Änderungsbescheid" in message and checksum() == before
    # its approval does not offer the lines decided at 0, and its page says so
    services.start_review(staff, concept, second)
    second = Application.objects.get(pk=second.pk)
    assert set(zero) <= {x["key"] for x in services.already_approved(concept, second) if x["zero"]}
    assert not set(zero) & {x["key"] for x in services.approval_lines(concept, second)}
    page = client_for(staff).get(f"/concepts/{concept.slug}/applications/{second.pk}/").content.decode()
    assert "bereits mit 0 € bewilligt (Zuwendungsbescheid Az 0 vom" in page


def test_a_note_sent_again_after_going_back_is_saved_once(world):
    """Walk 23: the Vermerk form on the application's page saved a duplicate on back + resend."""
    from isek.procedure.models import Remark

    concept, staff = world["concept"], world["authority"]
    app = _in_review(world)
    url = f"/concepts/{concept.slug}/applications/{app.pk}/"
    reviewer = client_for(staff)
    page = reviewer.get(url).content.decode().split('id="remark-form"')[1]
    once = page.split('name="once" value="')[1].split('"')[0]
    data = {"kind": "comment", "about": "application", "text": "Bitte Kostenschätzung beilegen", "once": once}
    assert reviewer.post(url + "remarks/", data).status_code == 302
    before = checksum()
    again = reviewer.post(url + "remarks/", data, follow=True)
    assert "schon gespeichert; das erneute Senden hat nichts geändert" in again.content.decode()
    assert checksum() == before and Remark.objects.filter(application=app).count() == 1


def test_the_readiness_page_counts_the_applications_council_decision(world, monkeypatch, tmp_path):
    """Walk 23: the readiness page said "Es fehlt: Datum des Ratsbeschlusses" although every
    application carries one; the application's readiness counted it (decision 0075), and so does
    the ISEK PDF's list of what is still open (its context read, the PDF not drawn)."""
    from isek.core import pdf
    from isek.monitoring import readiness, reports

    concept, app = world["concept"], world["app"]
    assert concept.council_decision_date is None and app.council_decision is not None
    missing = finance.decision_words(concept)["decision_missing"]
    assert str(missing) in str([g for i in readiness.check(concept) for g in i.missing])  # without the application's
    page = client_for(world["planner"]).get(f"/concepts/{concept.slug}/readiness/").content.decode()
    assert str(missing) not in page
    assert str(missing) not in str(services.readiness_now(concept, app))
    seen = {}
    monkeypatch.setattr(pdf, "write", lambda template, context, path: seen.update(context) or 1)
    reports.isek_pdf(concept, tmp_path / "isek.pdf")
    assert seen["open_items"] and str(missing) not in str([g for i in seen["open_items"] for g in i.missing])


def test_the_concepts_term_keeps_the_years_an_approval_granted_money_for(world):
    """Walk 23: "Ende (Jahr)" could be set before years with approved amounts (decision 0075)."""
    from isek.concepts import services as concepts
    from isek.concepts.models import Concept

    concept, staff, planner = world["concept"], world["authority"], world["planner"]
    app = _in_review(world)
    services.approve(staff, concept, app, decided_on=TODAY, file_number="Az 9")
    last = max(int(x["year"]) for x in services.current_approval(app).lines if D(x["approved"]))
    assert last > app.year
    shortened = Concept.objects.get(pk=concept.pk)
    shortened.end_year = last - 1
    before = checksum()
    with pytest.raises(ValidationError) as caught:
        concepts.save_concept(planner, shortened)
    message = caught.value.message_dict["end_year"][0]
    assert f"Für {last} sind Beträge bewilligt (Zuwendungsbescheid Az 9 vom {TODAY:%d.%m.%Y})" in message
    assert checksum() == before and Concept.objects.get(pk=concept.pk).end_year == concept.end_year
    shortened.end_year, shortened.name = last, "Neu benannt"  # the term keeps every approved year: saved
    concepts.save_concept(planner, shortened)
    assert Concept.objects.get(pk=concept.pk).name == "Neu benannt"


def test_a_line_approved_by_an_amendment_names_the_bescheid_and_its_amendment(paid):
    """Walk (Landshut): the next year's application said "bereits bewilligt (Zuwendungsbescheid …-Ä1)",
    naming the amendment alone; it names the Bescheid as elsewhere (decision 0085)."""
    from tests.procedure import submit

    concept, staff, first = paid["concept"], paid["authority"], paid["app"]
    original = first.approvals.get()
    key = next(line["key"] for line in services.approval_lines(concept, first) if line["year"] == 2028)
    services.approve(staff, concept, first, decided_on=TODAY, file_number="34.1-2027/07-Ä1", reason="Kürzung",
                     amounts={key: "1"}, reasons={key: "gekürzt"})
    second = submit(paid["planner"], concept, year=2026, name="Programmanmeldung 2026")
    named = (f"Zuwendungsbescheid 34.1-2027/07 vom {original.decided_on:%d.%m.%Y}, geändert durch "
             f"Änderungsbescheid 34.1-2027/07-Ä1 vom {TODAY:%d.%m.%Y}")
    assert {m["approval"] for m in services.already_approved(concept, second)} == {named}
    page = client_for(paid["planner"]).get(f"/concepts/{concept.slug}/applications/{second.pk}/").content.decode()
    assert f"bereits bewilligt ({named})" in page


def test_an_application_that_requests_nothing_is_refused_with_a_message(paid):
    """Walk (Landshut): an application for 2028 whose every line the 2027 Bescheid granted already
    (0 € requested) was submitted without a word (decision 0085)."""
    from tests.procedure import YESTERDAY, cheap_documents

    concept, planner = paid["concept"], paid["planner"]
    draft = services.save_draft(planner, concept, year=2028, council_decision=YESTERDAY, freeze_as="Anmeldung 2028")
    client = client_for(planner)
    asked = client.post(f"/concepts/{concept.slug}/applications/{draft.pk}/submit/").content.decode()
    message = "Dieser Antrag beantragt keine Zuwendung: Jede Zeile der Städtebauförderung (Bund, Land) ab 2028"
    assert 'id="submit-nothing-requested"' in asked and message in asked and 'id="submit-confirmed"' not in asked
    before = checksum()
    with cheap_documents(), pytest.raises(ValidationError) as refused:
        services.submit(planner, concept, draft)
    assert refused.value.code == "nothing_requested" and message in refused.value.messages[0]
    assert checksum() == before and Application.objects.get(pk=draft.pk).state == "draft"


def test_amounts_on_the_application_page_and_the_portfolio_have_one_format_with_the_typographic_minus(world):
    """A hyphen-minus "-1.000" beside "−" on the same page (walk of Landshut, decision 0087): every
    negative amount – the approval's difference to the request – carries the typographic minus."""
    import re

    from isek import access

    concept, staff = world["concept"], world["authority"]
    app = _in_review(world)
    cut = _first(services.approval_lines(concept, app))
    services.approve(staff, concept, app, decided_on=TODAY, file_number="34.1-2027/07",
                     amounts={cut["key"]: cut["requested"] - CUT}, reasons={cut["key"]: "Kosten zu hoch"})
    authority = access.reviewed_authorities(staff).get()
    for user, url in ((world["planner"], f"/concepts/{concept.slug}/applications/{app.pk}/"),
                      (staff, f"/concepts/{concept.slug}/applications/{app.pk}/"),
                      (staff, f"/authorities/{authority.pk}/portfolio/")):
        page = client_for(user).get(url).content.decode()
        shown = re.sub(r"<script.*?</script>|<[^>]*>", " ", page, flags=re.S)  # the text people read
        assert re.findall(r"(?<![\w.,-])-\d[\d.]*(?:,\d+)?", shown) == [], url
        if "applications" in url:
            assert "−1.000 " in shown or "−1.000,00" in shown


def test_a_bescheid_without_a_line_left_is_refused(world):
    """Walk 23d: 2028 was submitted while 2027 was under review; 2027's Bescheid then approved 2027–2030,
    and the 2028 application could be "approved" with an empty Bescheid – "bewilligt", a mail, 0,00 € in
    the portfolio. Refused with a message; nothing changes."""
    from tests.procedure import submit

    concept, staff, first = world["concept"], world["authority"], world["app"]
    second = submit(world["planner"], concept, year=2028, name="Programmanmeldung 2028")
    services.start_review(staff, concept, second)
    if Application.objects.get(pk=first.pk).state != "review":
        services.start_review(staff, concept, first)
    services.approve(staff, concept, Application.objects.get(pk=first.pk), decided_on=TODAY, file_number="34.1-2027/07")
    second = Application.objects.get(pk=second.pk)
    assert services.approval_lines(concept, second) == []
    state = checksum()
    with pytest.raises(ValidationError) as refused:
        services.approve(staff, concept, second, decided_on=TODAY, file_number="34.1-2028/01")
    assert refused.value.message_dict["__all__"] == [
        "Dieser Antrag hat keine Zeile mehr, die bewilligt werden könnte: jede ist schon durch einen anderen Bescheid "
        "bewilligt. Ein Bescheid ohne Beträge wird nicht gespeichert."]
    assert checksum() == state and Application.objects.get(pk=second.pk).state == "review"
