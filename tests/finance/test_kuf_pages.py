"""KuF on the Bochum demo: page, editing with bad input, versions, scenarios, funds, exports."""

import re
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from pycel import ExcelCompiler

from isek.concepts.models import Measure
from isek.core import numbers
from isek.core.models import ChangeRecord
from isek.finance import kuf
from isek.finance.models import CostItem, FinanceVersion, Financing, FundingRate
from tests.conftest import client_for

SLUG = "bochum-innenstadt"


def test_demo_kuf_matches_public_figures(bochum):
    r = kuf.current(bochum)
    qm = Measure.objects.get(concept=bochum, number="4.2")
    assert r.cells[(str(qm.pk), 2020)].grant == D("976000.00")  # official: Lebendige Zentren 2020
    upgrade = Measure.objects.get(concept=bochum, number="5.3")
    cell = r.cells[(str(upgrade.pk), 2022)]
    assert cell.sources["other"] == D("1514302.13") and cell.sources["municipality"] == D("504767.38")
    public_2020_2026 = sum(r.year_total(y) for y in range(2020, 2027))
    assert D("110000000") < public_2020_2026 < D("125000000")  # press: about 122 M€
    codes = {w.code for w in r.warnings}
    assert {"outside_period", "gap"} <= codes
    assert all(c.illustrative for c in CostItem.objects.filter(measure__concept=bochum))


def test_kuf_page_for_members_only(users, bochum):
    assert client_for(None).get(f"/concepts/{SLUG}/kuf/").status_code == 302
    assert client_for(users["outsider"]).get(f"/concepts/{SLUG}/kuf/").status_code == 403
    assert client_for(users["outsider"]).get(f"/concepts/{SLUG}/kuf.xlsx").status_code == 403
    r = client_for(users["reviewer"]).get(f"/concepts/{SLUG}/kuf/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Prüfhinweise" in body and "außerhalb des Zeitraums" in body and "Ungeklärte Finanzierung" in body
    assert "Aktuellen Plan einfrieren" not in body  # reviewers read only
    assert client_for(users["reviewer"]).post(f"/concepts/{SLUG}/kuf/freeze/", {"name": "x", "kind": "other"}).status_code == 403
    r = client_for(users["planner"]).get(f"/concepts/{SLUG}/kuf/")
    body = r.content.decode()
    assert "Aktuellen Plan einfrieren" in body
    # The rendered totals (German number format), not only the context.
    total = kuf.current(bochum).total("grant")
    german = f"{total:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert f'id="kuf-grant-total">{german}<' in body
    assert "Haus des Wissens" in body.split('id="kuf-table"')[1]


def test_scenario_moves_husemannplatz_by_a_year(planner_client, bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    r = planner_client.get(f"/concepts/{SLUG}/kuf/", {"scenario": 1, "shift_measure": m.pk, "shift_years": 1})
    rows = {row["year"]: row for row in r.context["scenario_rows"]}
    assert rows[2023]["delta"]["cost"] == D("-1000000.00") and rows[2027]["delta"]["cost"] == D("4000000.00")
    assert sum(row["delta"]["cost"] for row in rows.values()) == 0
    assert rows[2027]["delta"]["grant"] == D("420000.00")  # 60 % of the 700,000 € eligible
    # nothing saved
    assert sorted(CostItem.objects.filter(measure=m).values_list("year", flat=True)) == [2023, 2024, 2025, 2026]


def test_bad_scenario_input(planner_client, bochum):
    r = planner_client.get(f"/concepts/{SLUG}/kuf/", {"scenario": 1, "rate": "150"})
    assert r.status_code == 200 and r.context["scenario_rows"] is None
    assert "Bitte die Angaben des Szenarios prüfen" in r.content.decode()


def test_freeze_and_compare_versions(planner_client, bochum):
    versions = list(FinanceVersion.objects.filter(concept=bochum))
    assert [v.kind for v in versions] == ["first_application", "update"]
    r = planner_client.get(f"/concepts/{SLUG}/kuf/", {"a": versions[0].pk, "b": versions[1].pk})
    rows = r.context["compare"]["rows"]
    husemann = [x for x in rows if x["measure"].startswith("2.1")]
    assert any(x["change"].what == "cost" and x["change"].year == 2026 and x["change"].kind == "added" for x in husemann)
    assert all(not x["measure"].startswith("5.1") for x in rows)
    # freeze the current plan
    r = planner_client.post(f"/concepts/{SLUG}/kuf/freeze/", {"name": "Fortschreibung 2026", "kind": "update"})
    assert r.status_code == 302
    v = FinanceVersion.objects.get(concept=bochum, name="Fortschreibung 2026")
    assert kuf.version_result(v).total("cost") == kuf.current(bochum).total("cost")
    # a duplicate name changes nothing
    n = FinanceVersion.objects.count()
    planner_client.post(f"/concepts/{SLUG}/kuf/freeze/", {"name": "Fortschreibung 2026", "kind": "update"})
    assert FinanceVersion.objects.count() == n


def test_version_never_changes_after_freezing(planner_client, bochum):
    v = FinanceVersion.objects.filter(concept=bochum).first()
    before = (v.snapshot, v.figures, kuf.version_result(v).total("grant"))
    item = CostItem.objects.filter(measure__concept=bochum).first()
    item.amount += 1000
    item.eligible += 1000
    item.save()
    FundingRate.objects.filter(concept=bochum).update(rate=D("80"))
    v.refresh_from_db()
    assert (v.snapshot, v.figures, kuf.version_result(v).total("grant")) == before
    v.name = "geändert"
    with pytest.raises(ValidationError):
        v.save()
    with pytest.raises(ValidationError):
        v.delete()


def _formset(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": initial, f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000}
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"{prefix}-{i}-{k}"] = v
    return data


def _de(amount) -> str:
    """An amount as the German page shows it (and sends it back)."""
    return "" if amount is None else numbers.format(amount, "de")


def _measure_post(m, costs, fin):
    existing_c = [{"id": c.pk, "year": c.year, "cost_group": c.cost_group_id, "amount": _de(c.amount),
                   "eligible": _de(c.eligible), "basis": c.basis, "note": c.note} for c in m.cost_items.all()]
    existing_f = [{"id": f.pk, "year": f.year, "source": f.source, "amount": _de(f.amount), "status": f.status,
                   "reason": f.reason} for f in m.financing.all()]
    return {**_formset("c", existing_c + costs, len(existing_c)), **_formset("f", existing_f + fin, len(existing_f))}


@pytest.mark.parametrize("cost, fin, message", [
    ({"year": 2024, "cost_group": "9.1", "amount": "-5", "eligible": "0", "basis": "estimate"}, None, "größer oder gleich 0"),
    ({"year": 2024, "cost_group": "9.1", "amount": "viel", "eligible": "0", "basis": "estimate"}, None, "Zahl"),
    ({"year": 2024, "cost_group": "9.1", "amount": "100", "eligible": "200", "basis": "estimate"}, None, "größer als die Kosten"),
    ({"year": 2060, "cost_group": "9.1", "amount": "100", "eligible": "50", "basis": "estimate"}, None, "außerhalb des Zeitraums"),
    (None, {"year": 2024, "source": "eu", "amount": "1000", "status": "applied", "reason": ""}, "braucht eine Begründung"),
    (None, {"year": 2024, "source": "eu", "amount": "tausend €", "status": "applied", "reason": "EFRE"}, "Zahl"),
])
def test_bad_finance_input_changes_nothing(planner_client, bochum, cost, fin, message):
    from isek.finance.models import CostGroup

    m = Measure.objects.get(concept=bochum, number="2.1")
    if cost:
        cost = {**cost, "cost_group": CostGroup.objects.get(number=cost["cost_group"]).pk}
    before = (list(CostItem.objects.filter(measure=m).values_list("year", "amount")),
              list(Financing.objects.filter(measure=m).values_list("year", "source", "amount")), ChangeRecord.objects.count())
    r = planner_client.post(f"/concepts/{SLUG}/kuf/measures/{m.pk}/", _measure_post(m, [cost] if cost else [], [fin] if fin else []))
    assert r.status_code == 400
    assert message in r.content.decode()
    after = (list(CostItem.objects.filter(measure=m).values_list("year", "amount")),
             list(Financing.objects.filter(measure=m).values_list("year", "source", "amount")), ChangeRecord.objects.count())
    assert after == before


def test_a_cost_year_outside_the_concepts_period_is_asked_at_its_row(planner_client, bochum):
    """Issue #23, minor 2: a cost row (or financing line) before the concept's start was flagged
    only by the readiness check; the measure's cost form now asks first and saves once confirmed."""
    from isek.finance.models import CostGroup

    m = Measure.objects.get(concept=bochum, number="2.1")
    year, period = bochum.start_year - 1, f"{bochum.start_year}–{bochum.end_year}"
    row = {"year": year, "cost_group": CostGroup.objects.get(number="9.1").pk, "amount": "1.000", "eligible": "",
           "basis": "estimate"}
    fin = {"year": year, "source": "eu", "amount": "500", "status": "applied", "reason": "EFRE"}
    before = CostItem.objects.filter(measure=m).count(), Financing.objects.filter(measure=m).count()
    r = planner_client.post(f"/concepts/{SLUG}/kuf/measures/{m.pk}/", _measure_post(m, [row], [fin]))
    page = r.content.decode()
    assert r.status_code == 400 and 'id="year-doubts"' in page and 'name="confirm_years"' in page
    assert f"Kosten für {year}: außerhalb der Laufzeit des Konzepts ({period})." in page
    assert f"Finanzierung für {year}: außerhalb der Laufzeit des Konzepts ({period})." in page
    assert (CostItem.objects.filter(measure=m).count(), Financing.objects.filter(measure=m).count()) == before
    r = planner_client.post(f"/concepts/{SLUG}/kuf/measures/{m.pk}/", {**_measure_post(m, [row], [fin]), "confirm_years": "on"})
    assert r.status_code == 302 and CostItem.objects.filter(measure=m, year=year).exists()
    # saved once confirmed, the row is not asked about again when the page is saved unchanged
    assert planner_client.post(f"/concepts/{SLUG}/kuf/measures/{m.pk}/", _measure_post(m, [], [])).status_code == 302


def test_planner_adds_cost_and_override(planner_client, bochum):
    from isek.finance.models import CostGroup

    m = Measure.objects.get(concept=bochum, number="1.1")
    g = CostGroup.objects.get(number="9.1")
    data = _measure_post(m, [{"year": 2026, "cost_group": g.pk, "amount": "250.000,50", "eligible": "200.000,50", "basis": "tender"}],
                         [{"year": 2026, "source": "eu", "amount": "50.000", "status": "applied", "reason": "EFRE-Antrag 2025"}])
    r = planner_client.post(f"/concepts/{SLUG}/kuf/measures/{m.pk}/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    cell = kuf.current(bochum).cells[(str(m.pk), 2026)]
    assert cell.cost == D("250000.50") and cell.sources["eu"] == D("50000") and cell.overridden["eu"] == "EFRE-Antrag 2025"
    assert cell.grant == D("120000.30") and sum(cell.sources.values()) == cell.cost
    rec = ChangeRecord.objects.filter(model="finance.CostItem", action="create").first()
    assert rec.actor == "planerin" and rec.concept_pk == bochum.pk


@pytest.mark.parametrize("rate", ["101", "-1", "sechzig"])
def test_rates_outside_0_to_100_are_rejected(planner_client, bochum, rate):
    from isek.finance.services import rate_groups

    rates = list(FundingRate.objects.filter(concept=bochum))
    rows = [{"id": first.pk, "year": first.year, "until_year": rest[-1].year if rest else "", "rate": _de(first.rate),
             "basis": first.basis} for first, rest in rate_groups(bochum)]  # as the page shows them
    rows[0]["rate"] = rate
    data = {**_formset("r", rows, len(rows)), "cap-amount": "82000000", "cap-basis": "x"}
    r = planner_client.post(f"/concepts/{SLUG}/kuf/rates/", data)
    assert r.status_code == 400 and "neu laden" not in r.content.decode()  # refused for the rate
    assert list(FundingRate.objects.filter(concept=bochum).values_list("rate", flat=True)) == [x.rate for x in rates]


def test_excel_download_gives_the_page_totals(planner_client, bochum, tmp_path):
    page = planner_client.get(f"/concepts/{SLUG}/kuf/")
    t = page.context["t"]
    r = planner_client.get(f"/concepts/{SLUG}/kuf.xlsx")
    path = tmp_path / "kuf.xlsx"
    path.write_bytes(b"".join(r.streaming_content))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Parameter", "KuF"]
    ws = wb["KuF"]
    total_col = openpyxl.utils.get_column_letter(4 + len(t["years"]))
    rows = {row[1].value: row[0].row for row in ws.iter_rows(min_row=5) if isinstance(row[1].value, str)}
    from tests.finance.test_excel import without_cached_values

    xl = ExcelCompiler(filename=str(without_cached_values(path, tmp_path)))
    grant = xl.evaluate(f"KuF!{total_col}{rows['Summe Zuwendung Städtebauförderung (Bund + Land)']}")
    cost = xl.evaluate(f"KuF!{total_col}{rows['Kosten gesamt']}")
    assert D(str(round(grant, 2))) == t["grant_total"] and D(str(round(cost, 2))) == t["cost_total"]


def test_pdf_and_command_line(bochum, tmp_path):
    out = tmp_path / "kuf.pdf"
    call_command("kuf", SLUG, pdf=str(out), version_name="Erstantrag 2019 (illustrativ)")
    assert out.read_bytes()[:5] == b"%PDF-"
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Kosten- und Finanzierungsübersicht" in text and "Erstantrag 2019" in text and "Haus des Wissens" in text
    assert "2.700.000,00" in text  # the first estimate of the Husemannplatz
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command("kuf", SLUG, xlsx=str(tmp_path / "x.xlsx"), version_name="nope")


def test_funds_grants_and_budget(reviewer_client, planner_client, bochum):
    r = reviewer_client.get(f"/concepts/{SLUG}/funds/")
    funds = {f["fund"].kind: f for f in r.context["funds"]}
    facade = funds["facade"]
    assert len(facade["applications"]) == 10
    # Bochum: grant = min(50 % of eligible cost, 30 €/m² façade); about 140 k€ approved by 2023 (press)
    for a in facade["applications"]:
        assert a.grant == min((a.eligible_cost * D("0.5")).quantize(D("0.01")), a.facade_m2 * 30)
    assert D("130000") < facade["used"] < D("150000")
    assert facade["remaining"] == facade["fund"].budget - facade["used"]
    fund = facade["fund"]
    bad = planner_client.post(f"/concepts/{SLUG}/funds/{fund.pk}/applications/new/", {
        "applicant": "X", "project": "Fassade", "eligible_cost": "-3", "decision": "pending"})
    assert bad.status_code == 400 and fund.applications.count() == 10
    missing_m2 = planner_client.post(f"/concepts/{SLUG}/funds/{fund.pk}/applications/new/", {
        "applicant": "X", "project": "Fassade", "eligible_cost": "1000", "decision": "pending"})
    assert missing_m2.status_code == 400 and "Fassadenfläche" in missing_m2.content.decode()
    ok = planner_client.post(f"/concepts/{SLUG}/funds/{fund.pk}/applications/new/", {
        "applicant": "Y", "project": "Hof", "eligible_cost": "10000", "facade_m2": "100", "decision": "approved"})
    assert ok.status_code == 302
    assert fund.applications.get(applicant="Y").grant == D("3000.00")  # 30 €/m² caps 50 %
    assert reviewer_client.post(f"/concepts/{SLUG}/funds/{fund.pk}/applications/new/", {}).status_code == 403


def test_exports_only_for_versions_of_this_concept(planner_client, bochum):
    assert planner_client.get(f"/concepts/{SLUG}/kuf.xlsx", {"version": 999999}).status_code == 404
    assert planner_client.get(f"/concepts/{SLUG}/kuf.csv").status_code == 404


def test_administrator_edits_reference_data_in_the_admin(db, bochum):
    from django.contrib.auth import get_user_model

    from isek.finance.models import CostGroup, FundingProgramme

    admin = get_user_model().objects.create_superuser("admin", "a@example.org", "pw-admin-123")
    c = client_for(admin)
    assert {p.code for p in FundingProgramme.objects.all()} == {"lebendige_zentren", "sozialer_zusammenhalt", "wachstum_erneuerung"}
    assert [g.number for g in CostGroup.objects.filter(parent=None, catalogue="nrw-frl-2023")] == ["7", "8", "9", "10", "11"]
    assert [g.number for g in CostGroup.objects.filter(catalogue="general")] == ["1", "2", "3", "4", "5"]
    lz = FundingProgramme.objects.get(code="lebendige_zentren")
    assert (lz.rate_standard, lz.rate_min, lz.rate_max, lz.rate_step) == (D("60"), D("40"), D("80"), D("10"))
    for url in ("/admin/finance/fundingprogramme/", f"/admin/finance/fundingprogramme/{lz.pk}/change/",
                "/admin/finance/costgroup/", "/admin/finance/financeversion/"):
        assert c.get(url).status_code == 200, url
    v = FinanceVersion.objects.filter(concept=bochum).first()
    assert c.post(f"/admin/finance/financeversion/{v.pk}/delete/", {"post": "yes"}).status_code == 403
    assert FinanceVersion.objects.filter(pk=v.pk).exists()


def test_measure_page_shows_the_own_share_under_eigenanteil(new_city):
    """A new city with a funding rate of 60 %: the measure's page shows the municipal 40 % as
    Eigenanteil and nothing as ungeklärt – as the KuF overview, the exports and the API do."""
    from tests.conftest import client_for
    from tests.finance.test_consistency import measure_page_figures

    m = Measure.objects.get(concept=new_city, number="5.1")
    planner = new_city.roles.get().user
    page = measure_page_figures(client_for(planner), new_city, m)
    assert page[2029] == {"Kosten": D("150000.00"), "förderfähig": D("150000.00"), "Zuwendung (Bund + Land)": D("90000.00"),
                          "Städtebauförderung Bund": D("50000.00"), "Städtebauförderung Land": D("40000.00"), "EU": D("0.00"),
                          "Eigenanteil der Gemeinde": D("60000.00"), "Private / Dritte": D("0.00"),
                          "andere Programme": D("0.00"), "ungeklärt": D("0.00")}


def test_one_row_sets_a_rate_for_a_range_of_years(planner_client):
    """A new user set 60 % for 2026–2035 with ten saves: one row with "bis Jahr" does it."""
    from tests.factories import ConceptFactory, member

    concept = ConceptFactory()
    planner_client.force_login(member(concept, "planner"))
    url = f"/concepts/{concept.slug}/kuf/rates/"
    row = {"year": "2026", "until_year": "2035", "rate": "60", "basis": "StBauFR Nr. 6"}
    r = planner_client.post(url, {**_formset("r", [row], 0), "cap-amount": "", "cap-basis": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    rates = FundingRate.objects.filter(concept=concept)
    assert [r.year for r in rates] == list(range(2026, 2036)) and {r.rate for r in rates} == {D("60")}
    # a range over a year that has its rate already is refused as a whole
    again = {"year": "2035", "until_year": "2037", "rate": "50", "basis": ""}
    rows = [{"id": rates[0].pk, "year": 2026, "until_year": 2035, "rate": "60", "basis": "StBauFR Nr. 6"}]  # the range: one row
    r = planner_client.post(url, {**_formset("r", rows + [again], len(rows)), "cap-amount": "", "cap-basis": ""})
    assert r.status_code == 400 and "doppelt: 2035" in r.content.decode()
    assert FundingRate.objects.filter(concept=concept).count() == 10
    # an end before the start is a message at the field
    wrong = {"year": "2040", "until_year": "2039", "rate": "50", "basis": ""}
    r = planner_client.post(url, {**_formset("r", rows + [wrong], len(rows)), "cap-amount": "", "cap-basis": ""})
    assert r.status_code == 400 and "„bis Jahr“ muss zwischen 2040 und 2090 liegen." in r.content.decode()
    assert FundingRate.objects.filter(concept=concept).count() == 10


def test_a_fixed_financing_row_without_reason_says_so_once(planner_client, bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    fin = {"year": 2024, "source": "eu", "amount": "1000", "status": "applied", "reason": ""}
    r = planner_client.post(f"/concepts/{SLUG}/kuf/measures/{m.pk}/", _measure_post(m, [], [fin]))
    assert r.status_code == 400
    assert r.content.decode().count("Eine Abweichung von der berechneten Finanzierung braucht eine Begründung.") == 1


def _kuf_hints(client, concept) -> dict[str, tuple[str, str]]:
    """The KuF page's hints: text (without the link) → the link's target, per hint."""
    import re

    body = client.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    out = {}
    for item in re.findall(r'<li data-code="[^"]+"[^>]*>(.*?)</li>', body, re.S):
        href = re.search(r'href="([^"]+)"', item)
        text = re.sub(r"<a .*?</a>", "", item, flags=re.S)
        out[re.sub(r"<[^>]+>", "", text).strip()] = href.group(1) if href else ""
    return out


def _new_measure(planner_client, start, end):
    from datetime import date

    from isek.finance.models import CostGroup
    from tests.factories import ConceptFactory, MeasureFactory, member

    concept = ConceptFactory()
    planner_client.force_login(member(concept, "planner"))
    m = MeasureFactory(concept=concept, number="3", title="Quartiersplatz", start=date(*start), end=date(*end))
    FundingRate.objects.create(concept=concept, year=2028, rate=D(60))
    FundingRate.objects.create(concept=concept, year=2029, rate=D("60.5"))
    return concept, m, CostGroup.of(concept).first()


def test_costs_outside_the_measures_time_plan_are_a_hint_with_its_form(planner_client):
    """A walk: the measure runs in 2028, its costs are in 2029 – and the KuF said "Keine Prüfhinweise"."""
    concept, m, group = _new_measure(planner_client, (2028, 3, 1), (2028, 11, 30))
    CostItem.objects.create(measure=m, year=2028, cost_group=group, amount=D(1000), eligible=D(1000))
    assert _kuf_hints(planner_client, concept) == {}
    CostItem.objects.create(measure=m, year=2029, cost_group=group, amount=D(5000), eligible=D(5000))
    hints = _kuf_hints(planner_client, concept)
    assert hints == {"3 Quartiersplatz (2029): Kosten außerhalb des Zeitplans der Maßnahme (2028–2028).":
                     f"/concepts/{concept.slug}/measures/{m.pk}/edit/"}


def test_two_identical_cost_rows_are_a_hint_not_a_refusal(planner_client):
    concept, m, group = _new_measure(planner_client, (2028, 1, 1), (2029, 12, 31))
    for _i in range(2):
        CostItem.objects.create(measure=m, year=2028, cost_group=group, amount=D("1250.50"), eligible=D(1000))
    hints = _kuf_hints(planner_client, concept)
    text = (f"3 Quartiersplatz (2028): Kostengruppe {group.number} mit 1.250,50 € zweimal eingetragen: "
            "doppelte Kostenposition?")
    assert hints == {text: f"/concepts/{concept.slug}/kuf/measures/{m.pk}/"}


def test_rates_are_shown_in_one_format(planner_client):
    """"2028: 60 %" beside "2029: 60,50 %" was shown; now as few decimals as the rate has."""
    concept, _m, _g = _new_measure(planner_client, (2028, 1, 1), (2029, 12, 31))
    body = planner_client.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    assert "2028: 60 %, 2029: 60,5 %" in body


def test_a_cost_year_outside_the_period_and_the_rates_gets_one_hint_per_cause(planner_client):
    """A walk (Bautzen): a cost row in 2034, after the funding period 2024–2032 and without a rate,
    was told both "no rate for 2034" and "outside the period"; now each cause once, with its form."""
    import re

    concept, m, group = _new_measure(planner_client, (2028, 1, 1), (2029, 12, 31))
    CostItem.objects.create(measure=m, year=2034, cost_group=group, amount=D(1000), eligible=D(1000))
    assert _kuf_hints(planner_client, concept) == {
        "3 Quartiersplatz (2034): Kosten außerhalb des Zeitplans der Maßnahme (2028–2029).":
            f"/concepts/{concept.slug}/measures/{m.pk}/edit/",
        "3 Quartiersplatz (2034): 2034 liegt außerhalb des Zeitraums 2024–2032.": f"/concepts/{concept.slug}/kuf/measures/{m.pk}/",
    }
    # inside the period but without a rate: the rate form, opened with the year in its new row, takes it
    CostItem.objects.filter(measure=m).update(year=2030)
    rates_url = f"/concepts/{concept.slug}/kuf/rates/?year=2030"
    assert _kuf_hints(planner_client, concept) == {
        "3 Quartiersplatz (2030): Kosten außerhalb des Zeitplans der Maßnahme (2028–2029).":
            f"/concepts/{concept.slug}/measures/{m.pk}/edit/",
        "3 Quartiersplatz (2030): Kein Fördersatz für 2030: keine Zuwendung berechnet.": rates_url,
    }
    form = planner_client.get(rates_url).content.decode()
    assert re.search(r'<input type="number" name="r-2-year" value="2030"', form)
    rows = [{"id": r.pk, "year": r.year, "rate": _de(r.rate), "basis": ""} for r in FundingRate.objects.filter(concept=concept)]
    r = planner_client.post(rates_url, {**_formset("r", rows + [{"year": "2030", "rate": "60", "basis": ""}], len(rows)),
                                        "cap-amount": "", "cap-basis": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert list(_kuf_hints(planner_client, concept)) == ["3 Quartiersplatz (2030): Kosten außerhalb des Zeitplans der Maßnahme (2028–2029)."]


@pytest.mark.parametrize("year", ["1800", "²⁰³⁰", "9" * 5000, "abc"])
def test_the_rate_form_ignores_a_year_it_cannot_take(planner_client, year):
    concept, _m, _g = _new_measure(planner_client, (2028, 1, 1), (2029, 12, 31))
    r = planner_client.get(f"/concepts/{concept.slug}/kuf/rates/", {"year": year})
    assert r.status_code == 200 and '<input type="number" name="r-2-year" min' in r.content.decode()


def _kuf_pdf_text(client, concept, tmp_path) -> str:
    from tests.monitoring.test_isek_pdf import pdf_text

    r = client.get(f"/concepts/{concept.slug}/kuf.pdf")
    assert r.status_code == 200
    path = tmp_path / f"{concept.slug}.pdf"
    path.write_bytes(b"".join(r.streaming_content))
    return pdf_text(path)


def test_the_kuf_pdf_calls_only_demo_figures_demo(planner_client, new_city, bochum, tmp_path):
    """A Bautzen planner's walk: the PDF of a real concept said its figures were "Angaben der Demo"; a
    concept with figures marked as assumptions says so, without calling them the demo's."""
    real = _kuf_pdf_text(client_for(new_city.roles.get().user), new_city, tmp_path)
    assert "Kosten- und Finanzierungsübersicht" in real and "Demo" not in real and "illustrativ" not in real
    demo = _kuf_pdf_text(planner_client, bochum, tmp_path)
    assert "als Annahme / illustrativ gekennzeichnet" in demo and "Demo" not in demo


def test_the_cost_form_sent_again_after_going_back_says_it_is_saved(planner_client):
    """A walk: back in the browser and "Speichern" again answered "Dieses Feld ist ein Pflichtfeld"
    (or stored the row twice); the page's one-time token tells a resend."""
    import re

    concept, m, group = _new_measure(planner_client, (2028, 1, 1), (2029, 12, 31))
    url = f"/concepts/{concept.slug}/kuf/measures/{m.pk}/"
    once = re.search(r'name="once" value="([^"]+)"', planner_client.get(url).content.decode()).group(1)
    data = {**_formset("c", [{"year": 2028, "cost_group": group.pk, "amount": "1.000", "eligible": "800", "basis": "estimate"}]),
            **_formset("f", []), "once": once}
    assert planner_client.post(url, data).status_code == 302
    before = (list(CostItem.objects.filter(measure=m).values_list("year", "amount", "eligible")), ChangeRecord.objects.count())
    r = planner_client.post(url, data, follow=True)
    assert r.redirect_chain == [(url, 302)]
    page = r.content.decode()
    assert "Kosten und Finanzierung von 3 waren schon gespeichert; das erneute Senden hat nichts geändert." in page
    assert "Pflichtfeld" not in page and "zwingend erforderlich" not in page
    assert (list(CostItem.objects.filter(measure=m).values_list("year", "amount", "eligible")),
            ChangeRecord.objects.count()) == before == ([(2028, D(1000), D(800))], before[1])
    # the page shown then has a fresh token: a further change is saved
    again = re.search(r'name="once" value="([^"]+)"', page).group(1)
    item = CostItem.objects.get(measure=m)
    data = {**_formset("c", [{"id": item.pk, "year": 2028, "cost_group": group.pk, "amount": "1.200", "eligible": "800",
                              "basis": "tender"}], 1), **_formset("f", []), "once": again}
    assert again != once and planner_client.post(url, data).status_code == 302
    assert CostItem.objects.get(measure=m).amount == D(1200)


def test_a_second_save_with_the_same_token_changes_nothing(planner_client):
    """Both sends of a double click passed the first check: the save itself spends the token."""
    from isek.finance import services

    concept, m, group = _new_measure(planner_client, (2028, 1, 1), (2029, 12, 31))
    user = concept.roles.get().user
    for attempt in range(2):
        item = CostItem(year=2028, cost_group=group, amount=D(1000), eligible=D(1000))
        if attempt:
            with pytest.raises(ValidationError) as exc:
                services.save_costs(user, concept, m, cost_items=[item], once="token-1")
            assert exc.value.code == "resent"
        else:
            services.save_costs(user, concept, m, cost_items=[item], once="token-1")
    assert CostItem.objects.filter(measure=m).count() == 1


@pytest.mark.parametrize("eligible, stored", [("", D("1250.50")), ("0", D(0)), ("1.000", D(1000))])
def test_an_empty_eligible_amount_is_the_whole_cost(planner_client, eligible, stored):
    """A walk: "förderfähig" had to be typed again when the whole cost is eligible."""
    concept, m, group = _new_measure(planner_client, (2028, 1, 1), (2029, 12, 31))
    url = f"/concepts/{concept.slug}/kuf/measures/{m.pk}/"
    assert "leer = gesamte Kosten förderfähig" in planner_client.get(url).content.decode()
    row = {"year": 2028, "cost_group": group.pk, "amount": "1.250,50", "eligible": eligible, "basis": "estimate"}
    r = planner_client.post(url, {**_formset("c", [row]), **_formset("f", [])})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert CostItem.objects.get(measure=m).eligible == stored


def test_a_whole_eligible_line_stays_whole_when_its_cost_changes(planner_client):
    """Walk 9: "förderfähig" left empty was shown as a fixed figure when the form was opened again,
    so a later change of the cost left 20.000 € silently not eligible. A line whose eligible part is
    its whole cost shows the field empty again (meaning "all"); a smaller part keeps its figure."""
    concept, m, group = _new_measure(planner_client, (2028, 1, 1), (2029, 12, 31))
    url = f"/concepts/{concept.slug}/kuf/measures/{m.pk}/"
    row = {"year": 2028, "cost_group": group.pk, "amount": "380.000", "eligible": "", "basis": "estimate"}
    assert planner_client.post(url, {**_formset("c", [row]), **_formset("f", [])}).status_code == 302
    item = CostItem.objects.get(measure=m)
    page = planner_client.get(url).content.decode()
    field = re.search(r'<input[^>]*name="c-0-eligible"[^>]*>', page).group(0)
    assert 'value="' not in field, field
    changed = {**row, "id": item.pk, "amount": "400.000"}
    assert planner_client.post(url, {**_formset("c", [changed], 1), **_formset("f", [])}).status_code == 302
    item.refresh_from_db()
    assert item.amount == item.eligible == D(400000)
    CostItem.objects.filter(pk=item.pk).update(eligible=D(300000))
    field = re.search(r'<input[^>]*name="c-0-eligible"[^>]*>', planner_client.get(url).content.decode()).group(0)
    assert 'value="300000' in field or 'value="300.000' in field, field


def test_an_empty_amount_and_eligible_amount_say_the_amount_is_missing(planner_client):
    concept, m, group = _new_measure(planner_client, (2028, 1, 1), (2029, 12, 31))
    row = {"year": 2028, "cost_group": group.pk, "amount": "", "eligible": "", "basis": "estimate"}
    r = planner_client.post(f"/concepts/{concept.slug}/kuf/measures/{m.pk}/", {**_formset("c", [row]), **_formset("f", [])})
    assert r.status_code == 400 and not CostItem.objects.filter(measure=m).exists()
    page = r.content.decode()
    assert re.search(r'id="c-0-amount-error"[^>]*>Dieses Feld ist zwingend erforderlich', page)  # the row's own id (0096)
    assert page.count("zwingend erforderlich") == 1 and 'eligible-error"' not in page


def test_the_line_filled_in_from_the_estimate_is_not_dropped_when_its_cost_group_is_missing(planner_client):
    """A walk in Lauf: the first line, filled in from the estimate, was sent as it stood (no cost group)
    beside a second line; the page said "gespeichert" and the first line was silently gone."""
    import re

    from isek.finance.models import CostItem

    concept, m, group = _new_measure(planner_client, (2028, 1, 1), (2029, 12, 31))
    m.estimated_cost = D("1250000.50")
    m.save()
    url = f"/concepts/{concept.slug}/kuf/measures/{m.pk}/"
    page = planner_client.get(url).content.decode()
    once = re.search(r'name="once" value="([^"]+)"', page).group(1)
    prefilled = {"year": 2028, "cost_group": "", "amount": _de(D("1250000.50")), "eligible": "", "basis": "estimate"}
    data = {**_formset("c", [prefilled, {"year": 2029, "cost_group": group.pk, "amount": "250.000", "eligible": "",
                                         "basis": "estimate"}]), **_formset("f", []), "once": once}
    r = planner_client.post(url, data)
    assert r.status_code == 400 and "Dieses Feld ist zwingend erforderlich." in r.content.decode()
    assert not CostItem.objects.filter(measure=m).exists()


def test_the_rates_form_says_how_to_type_two_thirds_and_where_the_split_comes_from(planner_client, bochum):
    """Walk 23: the hint "66 2/3" was in the scenario box only, and the uneven Bund/Land split unexplained."""
    page = planner_client.get(f"/concepts/{SLUG}/kuf/rates/").content.decode()
    note = re.search(r'<div class="kern-alert kern-alert--info" role="note" id="rate-split">(.*?)</div></div>', page, re.S)[1]
    note = re.sub(r"\s", " ", note)  # the rate is "33 ⅓" with a no-break space
    assert "Auch als Bruch: „66 2/3“" in note
    assert "Bund 28.333,33 €, Land 28.336,17 €" in note
    assert "genau 66 2/3 % gleich viel (bis auf einen Cent: die Zuwendung wird einmal gerundet" in note  # decision 0091
