"""The KuF engine: exact money, parts that add up, scenarios that keep totals, differences."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isek.finance import engine as e

pytestmark = pytest.mark.database_independent

RULES = e.Rules(rates={y: D("0.6") for y in range(2020, 2027)}, federal_share=D(1) / D(3),
                start_year=2020, end_year=2026, cap=None)
M = [e.MeasureRef("1", "1.1", "Platz"), e.MeasureRef("2", "2.1", "Fonds")]

money = st.decimals(min_value=D("0.00"), max_value=D("5000000.00"), places=2, allow_nan=False, allow_infinity=False)
rate = st.decimals(min_value=D("0.00"), max_value=D("1.00"), places=3, allow_nan=False, allow_infinity=False)


def test_default_financing_from_the_rules():
    r = e.compute(M, [e.CostLine("1", 2021, "9", D("1000000.00"), D("900000.00"))], [], RULES)
    c = r.cells[("1", 2021)]
    assert c.grant == D("540000.00")  # 60 % of eligible
    assert c.sources["bund"] == D("300000.00")  # one third of eligible
    assert c.sources["land"] == D("240000.00")
    assert c.sources["municipality"] == D("460000.00")  # 40 % of eligible + non-eligible
    assert sum(c.sources.values()) == c.cost


def test_rounding_to_cents_adds_up_exactly():
    r = e.compute(M, [e.CostLine("1", 2022, "9", D("1000.01"), D("1000.01"))], [], RULES)
    c = r.cells[("1", 2022)]
    assert c.grant == D("600.01") and c.sources["bund"] == D("333.34") and c.sources["land"] == D("266.67")
    assert sum(c.sources.values()) == D("1000.01")


def test_bund_and_land_split_evenly_at_two_thirds_and_by_the_federal_third_otherwise():
    """Walk 23 (Thüringen, no Land rules): 66,67 % split 28.333,33 / 28.336,17. The rule (VV
    Städtebauförderung, the engine's docstring): the Bund pays its share of the eligible cost, one
    third; the Land the rest of the grant. Even only at exactly 2/3 – the rates page says so – and
    there to the cent of the grant rounded once (85.000 × ⅔ = 56.666,67 €, Bund 28.333,33 €)."""
    split = {}
    for typed, rate in (("66,67", D("0.6667")), ("66 2/3", D(2) / D(3))):
        rules = e.Rules(rates={2026: rate}, federal_share=D(1) / D(3), start_year=2026, end_year=2030, cap=None)
        c = e.compute(M, [e.CostLine("1", 2026, "9", D("85000.00"), D("85000.00"))], [], rules).cells[("1", 2026)]
        split[typed] = (c.sources["bund"], c.sources["land"])
    assert split == {"66,67": (D("28333.33"), D("28336.17")), "66 2/3": (D("28333.33"), D("28333.34"))}


def test_the_grant_is_rounded_once_and_the_land_gets_the_rest():
    """Issue 23 (a stranger's walk; decision 0091): at 66 ⅔ % of 500.000 € the KuF showed Bund
    166.666,67 + Land 166.666,67 = 333.333,34 € – a cent above the rate (decision 0075 rounded each
    share on its own). The rates page's rule: the grant eligible × rate rounded once, the Bund its
    third to the cent, the Land the grant minus the Bund. Worked out by hand:
    500.000 × ⅔ = 333.333,3333 → 333.333,33; 500.000 / 3 = 166.666,6667 → 166.666,67; Land 166.666,66.
    650.000 × ⅔ = 433.333,3333 → 433.333,33; / 3 = 216.666,6667 → 216.666,67; Land 216.666,66.
    50.000 × ⅔ = 33.333,3333 → 33.333,33; / 3 = 16.666,6667 → 16.666,67; Land 16.666,66.
    A third of 7.000.000 € stays 2.333.333,33 € (the programme's 0,33333333 read as a third)."""
    stored = e.exact_share(D("0.33333333"))  # the programme's third as stored (8 decimals)
    assert stored == D(1) / D(3) and e.exact_share(D("0.33")) == D("0.33")
    rate = D("0.666666666667")  # "66 2/3" as the rate field keeps it (decision 0043)
    rules = e.Rules(rates={2027: rate, 2028: D("0.6")}, federal_share=stored, start_year=2027, end_year=2028)
    costs = [e.CostLine("1", 2027, "9", D("650000.00"), D("650000.00")),
             e.CostLine("2", 2027, "9", D("50000.00"), D("50000.00")),
             e.CostLine("1", 2028, "9", D("7000000.00"), D("7000000.00")),
             e.CostLine("2", 2028, "9", D("500000.00"), D("500000.00"))]
    r = e.compute(M, costs, [], e.Rules(**{**rules.__dict__, "rates": {2027: rate, 2028: rate}}))
    assert (r.cells[("2", 2028)].sources["bund"], r.cells[("2", 2028)].sources["land"], r.cells[("2", 2028)].grant) == (
        D("166666.67"), D("166666.66"), D("333333.33"))
    r = e.compute(M, costs[:3], [], rules)
    shares = {(m, y): (c.sources["bund"], c.sources["land"], c.grant) for (m, y), c in r.cells.items()}
    assert shares == {("1", 2027): (D("216666.67"), D("216666.66"), D("433333.33")),
                      ("2", 2027): (D("16666.67"), D("16666.66"), D("33333.33")),
                      ("1", 2028): (D("2333333.33"), D("1866666.67"), D("4200000.00"))}
    assert r.year_total(2027, "bund") == D("233333.34") and r.year_total(2027, "land") == D("233333.32")
    assert r.year_total(2027, "grant") == D("466666.66")
    assert e.grant_shares(D("500000.00"), rate, rules) == (D("166666.67"), D("166666.66"))
    # a KuF version frozen between decisions 0075 and 0091 keeps the rule it was computed with
    old = e.compute(M, costs, [], e.Rules(**{**rules.__dict__, "split": "each"}))
    assert (old.cells[("1", 2027)].sources["bund"], old.cells[("1", 2027)].sources["land"]) == (
        D("216666.67"), D("216666.67"))


@settings(max_examples=200, deadline=None)
@given(amount=money, share=st.decimals(min_value=D(0), max_value=D(1), places=4), r=rate,
       eu=money, private=money)
def test_parts_always_add_up_to_the_cost(amount, share, r, eu, private):
    eligible = e.cents(amount * share)
    rules = e.Rules(rates={2023: r}, federal_share=D(1) / D(3), start_year=2020, end_year=2026)
    fin = [e.FinancingLine("1", 2023, "eu", min(eu, amount), "applied", "EFRE"),
           e.FinancingLine("1", 2023, "private", private, "planned", "Eigentümer")]
    res = e.compute(M, [e.CostLine("1", 2023, "9", amount, eligible)], fin, rules)
    c = res.cells[("1", 2023)]
    # The parts add up to the cost; financing above it is its own figure, never a negative own share.
    assert sum(c.sources.values()) - c.overfinanced == c.cost == amount
    assert all(v == e.cents(v) and v >= 0 for v in c.sources.values()) and c.overfinanced >= 0
    assert c.sources["bund"] <= c.grant
    # with third-party money the check says by how much to lower the eligible cost ("third_party")
    assert (c.overfinanced > 0) == any(w.code in ("above_cost", "third_party") for w in res.warnings)
    assert c.overfinanced == 0 or c.sources["municipality"] == 0


def test_override_of_own_share_leaves_a_visible_gap():
    fin = [e.FinancingLine("1", 2021, "municipality", D("100.00"), "secured", "Haushalt 2021")]
    r = e.compute(M, [e.CostLine("1", 2021, "9", D("1000.00"), D("1000.00"))], fin, RULES)
    c = r.cells[("1", 2021)]
    assert c.sources["unidentified"] == D("300.00") and c.overridden == {"municipality": "Haushalt 2021"}
    assert {w.code for w in r.warnings} >= {"gap"}
    assert sum(c.sources.values()) == c.cost


def test_warnings():
    rules = e.Rules(rates={2021: D("0.6")}, federal_share=D(1) / D(3), start_year=2020, end_year=2026, cap=D("500000"))
    costs = [e.CostLine("1", 2021, "9", D("1000000"), D("1000000")), e.CostLine("1", 2030, "9", D("10"), D("10")),
             e.CostLine("1", 2022, "9", D("10"), D("10"))]
    fin = [e.FinancingLine("1", 2021, "eu", D("900000"), "applied", "EFRE")]
    r = e.compute(M, costs, fin, rules)
    codes = {w.code for w in r.warnings}
    assert codes == {"third_party", "outside_period", "above_cap", "no_financing", "no_rate"}  # EU money above the cost
    # 2030 lies outside the period: that is its warning, not a missing rate (2022 has no rate)
    assert {(w.code, w.year) for w in r.warnings if w.code in ("no_rate", "outside_period")} == {
        ("no_rate", 2022), ("outside_period", 2030)}
    assert next(w for w in r.warnings if w.code == "no_financing").measure == "2"


def test_without_any_rate_one_warning_instead_of_one_per_measure_and_year():
    rules = e.Rules(rates={}, federal_share=D(1) / D(3), start_year=2020, end_year=2026)
    costs = [e.CostLine(m, y, "9", D("100"), D("80")) for m in ("1", "2") for y in (2020, 2021, 2022)]
    r = e.compute(M, costs, [], rules)
    assert [w.code for w in r.warnings] == ["no_rates"] and r.warnings[0].measure is None
    assert r.total("grant") == 0


@settings(max_examples=100, deadline=None)
@given(amounts=st.lists(money, min_size=1, max_size=6), shift=st.integers(-3, 3))
def test_a_scenario_shift_keeps_totals(amounts, shift):
    costs = [e.CostLine("1", 2021 + i, "9", a, e.cents(a * D("0.8"))) for i, a in enumerate(amounts)]
    rules = e.Rules(rates={y: D("0.6") for y in range(2010, 2040)}, federal_share=D(1) / D(3), start_year=2020, end_year=2026)
    before = e.compute(M, costs, [], rules)
    after = e.compute(M, *e.apply(e.Scenario(shifts={"1": shift}), costs, [], rules))
    for what in ("cost", "eligible", "grant", "municipality"):
        assert before.total(what) == after.total(what)
    assert sorted(after.years)[0] <= 2021 + shift


def test_scenario_rate_change_and_drop():
    costs = [e.CostLine("1", 2021, "9", D("1000"), D("1000")), e.CostLine("2", 2021, "10", D("500"), D("500"))]
    base = e.compute(M, costs, [], RULES)
    s = e.compute(M, *e.apply(e.Scenario(rates={2021: D("0.8")}, dropped=frozenset({"2"})), costs, [], RULES))
    assert base.total("grant") == D("900.00") and s.total("grant") == D("800.00")
    assert ("2", 2021) not in s.cells


def test_diff_lists_added_removed_changed():
    a = e.compute(M, [e.CostLine("1", 2021, "9", D("1000"), D("1000"))], [], RULES)
    b = e.compute(M, [e.CostLine("1", 2022, "9", D("1000"), D("1000")), e.CostLine("2", 2021, "9", D("1"), D("0"))], [], RULES)
    changes = e.diff(e.figures(a), e.figures(b))
    kinds = {(c.kind, c.measure, c.year, c.what) for c in changes}
    assert ("removed", "1", 2021, "cost") in kinds and ("added", "1", 2022, "cost") in kinds
    assert ("added", "2", 2021, "municipality") in kinds
    assert all(c.delta == c.after - c.before for c in changes)
    assert e.diff(e.figures(a), e.figures(a)) == []
