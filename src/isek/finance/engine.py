"""The cost and finance overview (KuF) engine: plain functions over plain data, no Django.

Money is ``Decimal`` in euros, rounded to cents (half up) once per figure; parts are derived so
that they add up to their total exactly (the last part is the difference, never rounded again).

Default financing of a measure and year, from the rules (all numbers are data); the grant is
rounded to the cent once, the Land part is what remains of it (decision 0091, as the rates page says
"Land = Zuwendung minus Bund"; at 66 ⅔ % of 500.000 € the grant is 333.333,33 €, never a cent more):
    grant        = eligible × funding rate                                          (Städtebauförderung)
    federal part = eligible × federal share of the programme, at most the grant    (Bund)
    Land part    = grant − federal part                                             (Land)
(KuF versions frozen between decisions 0075 and 0091 keep theirs, ``Rules.split == "each"``: each
share from the eligible cost to the cent, the grant their sum.)
    own share    = cost − every other source, never below 0                (Eigenanteil)
    overfinanced = every source − cost, where above 0                       (Überfinanzierung)
A planner may override any source of a measure and year (with a reason); an overridden own
share turns the remainder into an unidentified gap. Financing above the cost is not a negative
own share (or gap): the computed one is 0 and the excess is its own figure, ``overfinanced``.

Meaning of the two balancing sources (one definition for every page, file and the API):
- Eigenanteil der Gemeinde: the money the municipality itself puts in beside the grant and the
  other identified sources – its co-financing share of the eligible cost (eligible − grant) plus
  the cost that is not eligible. By default it is the whole remainder, so a plan with a funding
  rate of 60 % and no other source shows 40 % of the eligible cost as Eigenanteil.
- ungeklärt: financing not yet identified. It arises only where the planner has fixed the own
  share (e.g. to what the budget allows) or entered a gap: cost − every other source − own share.
Every channel reads these figures from ``Cell.figures()`` (in ``FIGURES`` order) or from the
totals of ``KufResult``; none recomputes them (the Excel export writes them as formulas that
reproduce this computation, tested against it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

SOURCES = ("bund", "land", "eu", "municipality", "private", "other", "unidentified")
N_SOURCES = len(SOURCES)
GRANT_SOURCES = ("bund", "land")
STATUSES = ("approved", "secured", "applied", "planned", "unidentified")
FIGURES = ("cost", "eligible", "grant", *SOURCES)  # the figures of a measure and year, in display order
OVERFINANCED = "overfinanced"  # financing above the cost: not a source, shown beside them where it occurs


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


SIX_PLACES = Decimal("0.000001")


THIRD = Decimal(1) / Decimal(3)


def exact_share(fraction: Decimal) -> Decimal:
    """A programme's share stored to 8 decimals that is a third or two thirds (0,33333333,
    0,66666667), taken as the exact fraction: a third of 7.000.000 € is 2.333.333,33 €, not
    2.333.333,31 € (decision 0075)."""
    for exact in (THIRD, 2 * THIRD):
        if fraction == exact.quantize(Decimal("0.00000001"), ROUND_HALF_UP):
            return exact
    return fraction


def share(amount: Decimal, fraction: Decimal) -> Decimal:
    """``amount`` × ``fraction`` in cents: taken to 6 decimal places first, then to cents (both
    half up). The Excel export computes the same as ROUND(ROUND(x,6),2): a spreadsheet multiplies
    in binary floating point (17,500,000 × 0.33333333 = 5,833,333.274999999…), and the first
    rounding restores the decimal product exactly for amounts below about 4 billion euros, so
    every spreadsheet gives the engine's cent."""
    return (amount * fraction).quantize(SIX_PLACES, ROUND_HALF_UP).quantize(CENT, ROUND_HALF_UP)


def grant_shares(eligible: Decimal, rate: Decimal, rules: Rules) -> tuple[Decimal, Decimal]:
    """Bund and Land of ``eligible`` cost at the funding ``rate``: the one computation of the grant
    (the KuF's cells, the Verfügungsfonds hint's "höchstens … €"). By ``rules.split``: "remainder" –
    the grant to the cent once, Bund its federal share to the cent, the Land the rest (decision 0091);
    "each" – each share from the eligible cost to the cent, the grant their sum (KuF versions frozen
    between decisions 0075 and 0091)."""
    if rules.split == "each":
        return (min(share(eligible, rate), share(eligible, rules.federal_share)),
                share(eligible, max(rate - rules.federal_share, ZERO)))
    grant = share(eligible, rate)
    bund = min(grant, share(eligible, rules.federal_share))
    return bund, grant - bund


def grant_of(eligible: Decimal, rate: Decimal, rules: Rules) -> Decimal:
    """The grant of ``eligible`` cost at ``rate``: Bund + Land of ``grant_shares``."""
    bund, land = grant_shares(eligible, rate, rules)
    return bund + land


def most_eligible(limit: Decimal, rate: Decimal, rules: Rules) -> Decimal:
    """The largest eligible cost, in cents, whose grant (``grant_of``, by the rule of ``rules.split``)
    is at most ``limit``; 0 without a rate. Under the rule "each" the sum of the shares may differ
    from eligible × rate by a cent either way, so the answer is searched on the grant itself
    (decision 0080); under "remainder" the same search finds the largest eligible × rate within it."""
    if rate <= 0 or limit < 0:
        return ZERO
    # the grant is never below eligible × rate less a cent (two roundings of at most half a cent
    # each): above ``high`` it exceeds the limit; a binary search over whole cents in between
    low, high = 0, int(((limit + 2 * CENT) / rate) / CENT) + 1
    while low < high:
        middle = (low + high + 1) // 2
        if grant_of(middle * CENT, rate, rules) <= limit:
            low = middle
        else:
            high = middle - 1
    return low * CENT


@dataclass(frozen=True)
class MeasureRef:
    key: str  # stable id (database pk as text)
    number: str
    title: str
    cancelled: bool = False
    start_year: int | None = None  # the measure's own time plan (Beginn/Ende), where set
    end_year: int | None = None
    outside: int = 0  # percentage of its location outside the funding area (0: inside or no location)


@dataclass(frozen=True)
class CostLine:
    measure: str
    year: int
    group: str  # cost group number, e.g. "9" or "9.1"
    amount: Decimal
    eligible: Decimal
    key: str = ""  # the cost line's id (database pk as text), where it has one: a check links to it


@dataclass(frozen=True)
class FinancingLine:
    """An explicit figure for one source of a measure and year (an override or an extra source)."""

    measure: str
    year: int
    source: str
    amount: Decimal | None  # None: keep the computed amount, set only the status
    status: str
    reason: str = ""


@dataclass(frozen=True)
class Rules:
    rates: dict[int, Decimal]  # year → funding rate as a fraction (0.6 = 60 %)
    federal_share: Decimal  # federal part of the eligible cost as a fraction (1/3)
    start_year: int
    end_year: int
    cap: Decimal | None = None  # Förderobergrenze (total grant), None = not set
    default_status: str = "planned"
    # Verfügungsfonds: the cost groups that are one, and the largest part of it the grant may be
    # (a fraction; None = not checked), with the rule's citation (land_rules.disposition_fund)
    fund_groups: frozenset[str] = frozenset()
    fund_max_share: Decimal | None = None
    fund_source: str = ""
    # measures whose own funds (the funds page) are all Hof- und Fassadenprogramme: their fund groups
    # hold no Verfügungsfonds (the general catalogue's group 4 holds both kinds)
    fund_exempt: frozenset[str] = frozenset()
    # where the fund groups hold other funds too: the measures that are a Verfügungsfonds, the only
    # ones checked (None: every measure with a line in a fund group; decision 0072)
    fund_only: frozenset[str] | None = None
    third_party_source: str = ""  # the citation of "third-party money lowers the eligible cost first"
    # how Bund and Land are computed: "remainder" – the grant to the cent first, the Land part the rest
    # (decision 0091); "each" – each share from the eligible cost, the grant their sum (KuF versions
    # frozen between decisions 0075 and 0091)
    split: str = "remainder"


@dataclass
class Cell:
    """One measure and year: cost, eligible cost, the amount and status of each source."""

    cost: Decimal = ZERO
    eligible: Decimal = ZERO
    sources: dict[str, Decimal] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    overridden: dict[str, str] = field(default_factory=dict)  # source → reason
    overfinanced: Decimal = ZERO  # every source together above the cost

    @property
    def grant(self) -> Decimal:
        return self.sources.get("bund", ZERO) + self.sources.get("land", ZERO)

    def figure(self, what: str) -> Decimal:
        """One figure of ``FIGURES`` or ``OVERFINANCED``."""
        return _pick(self, what)

    def figures(self) -> dict[str, Decimal]:
        """Cost, eligible cost, grant and every source, in ``FIGURES`` order (absent sources 0)."""
        return {what: _pick(self, what) for what in FIGURES}

    def status_of(self, source: str, default: str) -> str:
        if source in self.status:
            return self.status[source]
        return "unidentified" if source == "unidentified" else default


@dataclass(frozen=True)
class Warning:
    code: str  # no_rates | no_financing | above_cost | third_party | outside_period | above_cap | gap | no_rate
    #          | unknown_measure | outside_schedule | duplicate_cost | fund_share | outside_area
    message: str  # German text; isek.finance.kuf.localized() gives it in the UI language
    measure: str | None = None
    year: int | None = None
    params: tuple = ()  # (name, value) pairs of the figures in the message
    line: str = ""  # the key of the cost line it concerns, where one does


@dataclass
class KufResult:
    measures: list[MeasureRef]
    years: list[int]
    cells: dict[tuple[str, int], Cell]
    cost_by_group: dict[tuple[str, str, int], Decimal]  # (group, measure, year) → cost
    warnings: list[Warning]
    rules: Rules

    _year_totals: dict | None = None

    def measure_total(self, measure: str, what: str = "cost") -> Decimal:
        return sum((_pick(c, what) for (m, _y), c in self.cells.items() if m == measure), ZERO)

    def measure_years(self, measure: str) -> list[tuple[int, Cell]]:
        """The measure's cells by year."""
        return sorted(((y, c) for (m, y), c in self.cells.items() if m == measure), key=lambda yc: yc[0])

    def year_total(self, year: int, what: str = "cost") -> Decimal:
        if self._year_totals is None:
            totals: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
            for (_m, y), c in self.cells.items():
                totals[(y, "cost")] += c.cost
                totals[(y, "eligible")] += c.eligible
                totals[(y, "grant")] += c.grant
                totals[(y, OVERFINANCED)] += c.overfinanced
                for s, v in c.sources.items():
                    totals[(y, s)] += v
            self._year_totals = dict(totals)
        return self._year_totals.get((year, what), ZERO)

    def total(self, what: str = "cost") -> Decimal:
        return sum((self.year_total(y, what) for y in {y for (_m, y) in self.cells}), ZERO)

    def by_status(self) -> dict[tuple[str, str], Decimal]:
        """(source, status) → amount over all measures and years."""
        out: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        for c in self.cells.values():
            for s, v in c.sources.items():
                if v:
                    out[(s, c.status_of(s, self.rules.default_status))] += v
        return dict(out)

    def tranches(self) -> dict[int, Decimal]:
        """Grant (Bund + Land) per year: the yearly tranches of the funding."""
        return {y: self.year_total(y, "grant") for y in self.years}

    def cash_flow(self) -> list[dict]:
        """Per year: cost, grant, municipal own share, gap."""
        return [{"year": y, "cost": self.year_total(y, "cost"), "grant": self.year_total(y, "grant"),
                 "municipality": self.year_total(y, "municipality"), "unidentified": self.year_total(y, "unidentified")}
                for y in self.years]


def _pick(cell: Cell, what: str) -> Decimal:
    if what == "cost":
        return cell.cost
    if what == "eligible":
        return cell.eligible
    if what == "grant":
        return cell.grant
    if what == OVERFINANCED:
        return cell.overfinanced
    return cell.sources.get(what, ZERO)


def _outside_schedule(ref: MeasureRef, line: CostLine) -> Warning | None:
    """Costs in a year outside the measure's own time plan: a hint, not a refusal."""
    if not ((ref.start_year is not None and line.year < ref.start_year)
                           or (ref.end_year is not None and line.year > ref.end_year)):
        return None
    first, last = ref.start_year or ref.end_year, ref.end_year or ref.start_year
    return Warning("outside_schedule", f"Kosten außerhalb des Zeitplans der Maßnahme ({first}–{last}).",
                   line.measure, line.year, (("start", first), ("end", last)))


def _duplicate_cost(line: CostLine, earlier: list[CostLine]) -> Warning | None:
    """A cost row entered twice (same measure, year, cost group and amount as an earlier one): a
    hint, not a refusal – a planner may mean both. ``earlier``: the rows of its measure and year
    before it."""
    if not any(e.group == line.group and e.amount == line.amount for e in earlier):
        return None
    return Warning("duplicate_cost", f"Kostengruppe {line.group} mit {line.amount} € zweimal eingetragen: "
                                     "doppelte Kostenposition?", line.measure, line.year,
                   (("group", line.group), ("amount", line.amount)))


THIRD_PARTY = ("eu", "private", "other")  # money of others than the grant's givers and the municipality


def _above_cost(m: str, y: int, cell: Cell, lines: list[CostLine], rules: Rules) -> Warning:
    """Financing above the cost. Where third-party money is part of it and the grant follows the
    eligible cost, the check says by how much to lower "davon förderfähig": third-party money
    lowers the eligible cost first, so eligible ≤ cost − third-party money. The figures stay as
    the planner entered them."""
    third = sum((cell.sources.get(s, ZERO) for s in THIRD_PARTY), ZERO)
    lower = cell.eligible - max(min(cell.eligible, cell.cost - third), ZERO)
    if third and lower > 0 and not _grant_overridden(cell):
        target = max(lines, key=lambda line: line.eligible).key if lines else ""
        eligible = cell.eligible - lower
        return Warning("third_party", f"Finanzierung übersteigt die Kosten ({cell.cost} €) um {cell.overfinanced} €. "
                                      f"Drittmittel ({third} €) mindern in der Regel zuerst die förderfähigen Kosten: "
                                      f"„davon förderfähig“ um {lower} € auf {eligible} € senken "
                                      f"({rules.third_party_source}).", m, y,
                       (("cost", cell.cost), ("over", cell.overfinanced), ("third", third), ("lower", lower),
                        ("eligible", eligible), ("source", rules.third_party_source)), line=target)
    return Warning("above_cost", f"Finanzierung übersteigt die Kosten ({cell.cost} €) um {cell.overfinanced} €.",
                   m, y, (("cost", cell.cost), ("over", cell.overfinanced)))


def _grant_overridden(cell: Cell) -> bool:
    return any(s in cell.overridden for s in GRANT_SOURCES)


def _fund_check(m: str, y: int, cell: Cell, lines: list[CostLine], rate: Decimal, rules: Rules) -> Warning | None:
    """A Verfügungsfonds whose part of the grant is above ``rules.fund_max_share`` of it."""
    fund = [line for line in lines if line.group in rules.fund_groups]
    if rules.fund_max_share is None or not fund or m in rules.fund_exempt:
        return None
    if rules.fund_only is not None and m not in rules.fund_only:  # another fund of a shared group (a façade programme)
        return None
    cost = sum((line.amount for line in fund), ZERO)
    eligible = sum((line.eligible for line in fund), ZERO)
    grant = cell.grant if eligible == cell.eligible else (share(cell.grant, eligible / cell.eligible) if cell.eligible else ZERO)
    limit = share(cost, rules.fund_max_share)
    if grant <= limit:
        return None
    most = most_eligible(limit, rate, rules)  # "davon förderfähig" at most
    max_share = (rules.fund_max_share * 100).normalize()
    group = fund[0].group
    return Warning("fund_share", f"Verfügungsfonds (Kostengruppe {group}, {cost} €): die Zuwendung von {grant} € liegt über "
                                 f"{max_share} % des Fonds ({limit} €). Ein Verfügungsfonds wird in der Regel höchstens zu "
                                 f"{max_share} % aus Städtebauförderung finanziert, der Rest aus Mitteln von Wirtschaft, "
                                 f"Immobilien- und Standortgemeinschaften, Privaten oder zusätzlichen Mitteln der Gemeinde "
                                 f"({rules.fund_source}). „davon förderfähig“ beim Fördersatz dieses Jahres höchstens {most} €.",
                   m, y, (("group", group), ("cost", cost), ("grant", grant), ("max_share", f"{max_share:f}"),
                          ("limit", limit), ("source", rules.fund_source), ("most", most)),
                   line=fund[0].key)


def compute(measures: list[MeasureRef], costs: list[CostLine], financing: list[FinancingLine], rules: Rules) -> KufResult:
    """The KuF of a concept: every measure and year financed by the rules and the overrides."""
    cells: dict[tuple[str, int], Cell] = {}
    cost_by_group: dict[tuple[str, str, int], Decimal] = defaultdict(lambda: ZERO)
    warnings: list[Warning] = []
    known = {m.key for m in measures}
    plans = {m.key: m for m in measures if m.start_year is not None or m.end_year is not None}
    # The cost lines of each measure and year: the first in ``first_line``, a list only where there
    # are more (one list per cell made the benchmark's KuF a quarter slower, by the garbage collector).
    first_line: dict[tuple[str, int], CostLine] = {}
    more_lines: dict[tuple[str, int], list[CostLine]] = {}

    def lines_of(key: tuple[str, int]) -> list[CostLine]:
        return more_lines.get(key) or ([first_line[key]] if key in first_line else [])

    for line in costs:  # the checks of single cost lines first, in the lines' order
        key = (line.measure, line.year)
        cell = cells.get(key)
        hint = None
        if cell is None:  # a measure's first line of the year (not setdefault: a Cell for every line)
            cell = cells[key] = Cell()
            first_line[key] = line
            ref = plans.get(line.measure)
            if ref is not None:
                hint = _outside_schedule(ref, line)
        else:
            earlier = more_lines.get(key)
            if earlier is None:
                earlier = more_lines[key] = [first_line[key]]
            hint = _duplicate_cost(line, earlier)
            earlier.append(line)
        if hint is not None:
            warnings.append(hint)
        cell.cost += line.amount
        cell.eligible += line.eligible
        cost_by_group[(line.group, line.measure, line.year)] += line.amount
    explicit: dict[tuple[str, int], dict[str, FinancingLine]] = defaultdict(dict)
    for f in financing:
        key = (f.measure, f.year)
        explicit[key][f.source] = f
        if key not in cells:
            cells[key] = Cell()

    fund_checked = rules.fund_max_share is not None and bool(rules.fund_groups)
    # the grant per measure, for the check of measures outside the area (one pass over the cells)
    located_outside = {ref.key for ref in measures if ref.outside}
    grants: dict[str, Decimal] = {}
    for (m, y), cell in cells.items():
        over = explicit.get((m, y), {})
        rate = rules.rates.get(y)
        in_period = rules.start_year <= y <= rules.end_year
        if rate is None:
            rate = ZERO
            # Without any rate, one warning says so (below); outside the funding period the period
            # is the cause (its own warning), not a missing rate.
            if cell.eligible and rules.rates and in_period:
                warnings.append(Warning("no_rate", f"Kein Fördersatz für {y}: keine Zuwendung berechnet.", m, y,
                                        (("year", y),)))
        bund, land = grant_shares(cell.eligible, rate, rules)
        # in SOURCES order; the own share (0 here, adding nothing to ``others``) is set below
        values = {"bund": bund, "land": land, "eu": ZERO, "municipality": ZERO, "private": ZERO, "other": ZERO,
                  "unidentified": ZERO}
        overridden = cell.overridden
        for source, f in over.items():
            cell.status[source] = f.status  # only explicit statuses are stored; status_of() gives the others
            if f.amount is not None and source != "municipality":
                values[source] = f.amount
                overridden[source] = f.reason
        others = sum(values.values(), ZERO)
        own = over.get("municipality")
        if own is not None and own.amount is not None:
            values["municipality"] = own.amount
            overridden["municipality"] = own.reason
            if "unidentified" not in overridden:
                values["unidentified"] = cell.cost - others - own.amount + values["unidentified"]
                if values["unidentified"] < ZERO:  # a computed remainder below 0 is financing above cost
                    values["unidentified"] = ZERO
            total = sum(values.values(), ZERO)
        else:
            values["municipality"] = cell.cost - others
            if values["municipality"] < ZERO:
                values["municipality"] = ZERO
            total = others + values["municipality"]  # (others counted the own share as 0)
        cell.overfinanced = max(total - cell.cost, ZERO)
        # one order everywhere (a template may iterate it); a source unknown to SOURCES is left out
        cell.sources = values if len(values) == N_SOURCES else {s: values[s] for s in SOURCES}
        if cell.overfinanced:
            warnings.append(_above_cost(m, y, cell, lines_of((m, y)), rules))
        if fund_checked:
            fund = _fund_check(m, y, cell, lines_of((m, y)), rate, rules)
            if fund is not None:
                warnings.append(fund)
        if m in located_outside:
            grants[m] = grants.get(m, ZERO) + values["bund"] + values["land"]
        if values["unidentified"] > ZERO:
            warnings.append(Warning("gap", f"Ungeklärte Finanzierung: {values['unidentified']} €.", m, y,
                                    (("amount", values["unidentified"]),)))
        if not in_period:
            warnings.append(Warning("outside_period", f"{y} liegt außerhalb des Zeitraums {rules.start_year}–{rules.end_year}.", m, y,
                                    (("year", y), ("start", rules.start_year), ("end", rules.end_year))))
        if m not in known:
            warnings.append(Warning("unknown_measure", "Kosten einer unbekannten Maßnahme.", m, y))

    if not rules.rates:
        warnings.insert(0, Warning("no_rates", "Es sind keine Fördersätze festgelegt: keine Zuwendung berechnet. "
                                         "Festzulegen in der KuF unter „Fördersätze und Förderobergrenze“."))
    financed = {m for (m, _y), c in cells.items() if c.cost or any(c.sources.values())}
    for ref in measures:
        if ref.cancelled:
            continue
        grant = grants.get(ref.key, ZERO)
        if ref.outside and grant:
            warnings.append(Warning("outside_area", f"Die Lage der Maßnahme liegt zu {ref.outside} % außerhalb "
                                                    f"des Fördergebiets, die KuF rechnet ihr aber eine Zuwendung von {grant} € "
                                                    "zu: prüfen, ob die Lage stimmt, das Fördergebiet anzupassen ist oder die "
                                                    "Kosten außerhalb förderfähig sind.", ref.key,
                                    params=(("share", ref.outside), ("grant", grant))))
        if ref.key not in financed:
            warnings.append(Warning("no_financing", f"Maßnahme {ref.number} hat weder Kosten noch Finanzierung.", ref.key,
                                    params=(("number", ref.number),)))
    years = sorted({y for (_m, y) in cells} | set(range(rules.start_year, rules.end_year + 1)))
    result = KufResult(measures=measures, years=years, cells=cells, cost_by_group=dict(cost_by_group),
                       warnings=warnings, rules=rules)
    if rules.cap is not None:
        total_grant = result.total("grant")
        if total_grant > rules.cap:
            warnings.append(Warning("above_cap", f"Zuwendung gesamt {total_grant} € liegt über der Förderobergrenze {rules.cap} €.",
                                    params=(("grant", total_grant), ("cap", rules.cap))))
    return result


# --- scenarios -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """What-if changes, never saved: shift measures by years, change rates, drop measures."""

    shifts: dict[str, int] = field(default_factory=dict)  # measure → years (+ later, − earlier)
    rates: dict[int, Decimal] = field(default_factory=dict)  # year → new rate (fraction)
    all_rates: Decimal | None = None  # one rate for every year
    dropped: frozenset[str] = frozenset()


def apply(scenario: Scenario, costs: list[CostLine], financing: list[FinancingLine], rules: Rules):
    """The inputs as the scenario changes them: (costs, financing, rules)."""
    costs2 = [replace(c, year=c.year + scenario.shifts.get(c.measure, 0)) for c in costs if c.measure not in scenario.dropped]
    fin2 = [replace(f, year=f.year + scenario.shifts.get(f.measure, 0)) for f in financing if f.measure not in scenario.dropped]
    rates = dict(rules.rates)
    if scenario.all_rates is not None:
        years = set(rates) | {c.year for c in costs2}
        rates = {y: scenario.all_rates for y in years}
    rates.update(scenario.rates)
    return costs2, fin2, replace(rules, rates=rates)


# --- differences between two KuF --------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    kind: str  # added | removed | changed
    measure: str
    year: int
    what: str  # cost, eligible or a source
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


def figures(result: KufResult) -> dict[tuple[str, int, str], Decimal]:
    out = {}
    for (m, y), c in result.cells.items():
        out[(m, y, "cost")] = c.cost
        out[(m, y, "eligible")] = c.eligible
        for s, v in c.sources.items():
            out[(m, y, s)] = v
    return {k: v for k, v in out.items() if v != 0}


def diff(before: dict[tuple[str, int, str], Decimal], after: dict[tuple[str, int, str], Decimal]) -> list[Change]:
    """Changes per measure, year and figure between two sets of figures (see ``figures``)."""
    changes = []
    for key in sorted(set(before) | set(after), key=lambda k: (k[0], k[1], k[2])):
        a, b = before.get(key), after.get(key)
        if a is None:
            changes.append(Change("added", *key, ZERO, b))
        elif b is None:
            changes.append(Change("removed", *key, a, ZERO))
        elif a != b:
            changes.append(Change("changed", *key, a, b))
    return changes


# --- local funds -----------------------------------------------------------------------------


def fund_grant(kind: str, eligible_cost: Decimal, rate_percent: Decimal, max_per_m2: Decimal | None = None,
               facade_m2: Decimal | None = None) -> Decimal:
    """Grant of one fund application, in euros (cents).

    Façade and courtyard programme: min(rate × eligible cost, max_per_m2 × façade m²).
    Verfügungsfonds: the public share (rate) of the eligible cost; the rest is private money.
    """
    grant = cents(eligible_cost * rate_percent / Decimal(100))
    if kind == "facade" and max_per_m2 is not None:
        grant = min(grant, cents(max_per_m2 * (facade_m2 or ZERO)))
    return grant
