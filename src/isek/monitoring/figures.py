"""What the dashboard and the reports show, computed from the database: progress roll-up,
milestones, payments against the KuF plan, indicator series and their state, warnings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from isek.analysis import services as analysis
from isek.concepts.services import Concept, Measure, Milestone
from isek.core import numbers
from isek.finance import services as finance

from . import rollup
from .models import Indicator, Payment

ZERO = Decimal(0)
AREA = "area"
# One colour per financing source, in the dashboard's charts and in the PDFs.
SOURCE_COLOURS = {"bund": "#1f4e79", "land": "#2e75b6", "eu": "#7030a0", "municipality": "#c55a11",
                  "private": "#548235", "other": "#6b6b6b", "unidentified": "#c00000"}


def measure_progress(m: Measure) -> Decimal:
    return Decimal(100) if m.status == Measure.Status.COMPLETED else Decimal(m.progress)


def measure_weight(m: Measure, planned: dict[str, Decimal]) -> tuple[Decimal | None, str]:
    """(weight, where it comes from): set by hand, else planned cost (KuF), else estimate."""
    if m.progress_weight is not None:
        return m.progress_weight, "manual"
    cost = planned.get(str(m.pk))
    if cost:
        return cost, "kuf"
    if m.estimated_cost:
        return m.estimated_cost, "estimate"
    return None, "none"


def progress_tree(concept: Concept, result: finance.KufResult | None = None) -> rollup.Node:
    """Concept ← fields of action ← measures (each measure counts in its primary field only)."""
    result = result or finance.current(concept)
    planned = {m.key: result.measure_total(m.key) for m in result.measures}
    by_field: dict[int, list] = {}
    for m in concept.measures.all():
        weight, _origin = measure_weight(m, planned)
        item = rollup.Item(str(m.pk), str(m), measure_progress(m), weight, m.status == Measure.Status.CANCELLED)
        by_field.setdefault(m.primary_field_id, []).append(item)
    fields = [rollup.roll(str(f.pk), str(f), by_field.get(f.pk, [])) for f in concept.fields_of_action.all()]
    return rollup.roll("concept", concept.name, fields)


def field_rows(concept: Concept, tree: rollup.Node, ms: dict | None = None) -> list[dict]:
    """One row per field of action, in its order: its roll-up node, the field, its milestones."""
    fields = {str(f.pk): f for f in concept.fields_of_action.all()}
    rows = [{"node": n, "field": fields[n.key], "ms": (ms or {}).get(int(n.key))} for n in tree.children + tree.unweighted]
    return sorted(rows, key=lambda r: r["field"].number)


@dataclass
class MilestoneState:
    total: int = 0
    done: int = 0
    overdue: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)


def milestones(concept: Concept, today: datetime.date | None = None) -> dict:
    """{field pk or 'concept': MilestoneState} as on ``today`` (default: the real one): a milestone
    reached after that day was still open then."""
    asof = today is not None
    today = today or datetime.date.today()
    out: dict = {"concept": MilestoneState()}
    for ms in Milestone.objects.filter(measure__concept=concept).select_related("measure").order_by("due", "id"):
        if ms.measure.status == Measure.Status.CANCELLED:
            continue
        for key in ("concept", ms.measure.primary_field_id):
            st = out.setdefault(key, MilestoneState())
            st.total += 1
            if ms.done and not (asof and ms.done >= today):
                st.done += 1
            elif ms.due and ms.due < today:
                st.overdue.append(ms)
            elif ms.due:
                st.upcoming.append(ms)
    return out


# --- spending -----------------------------------------------------------------------------------


def paid(concept: Concept, year: int | None = None) -> dict[tuple[str, int], Decimal]:
    out: dict[tuple[str, int], Decimal] = {}
    qs = Payment.objects.filter(measure__concept=concept)
    if year is not None:
        qs = qs.filter(year=year)
    for p in qs:
        key = (str(p.measure_id), p.year)
        out[key] = out.get(key, ZERO) + p.amount
    return out


def spending(concept: Concept, result: finance.KufResult, year: int | None = None) -> dict:
    """Plan (KuF cost) against payments, per measure (and per year): rows, totals, years."""
    payments = paid(concept, year)
    years = sorted({y for (_m, y) in result.cells} | {y for (_m, y) in payments})
    if year is not None:
        years = [year]
    rows = []
    for m in result.measures:
        plan = {y: result.cells[(m.key, y)].cost if (m.key, y) in result.cells else ZERO for y in years}
        actual = {y: payments.get((m.key, y), ZERO) for y in years}
        if not any(plan.values()) and not any(actual.values()):
            continue
        rows.append({"key": m.key, "label": f"{m.number} {m.title}", "plan": sum(plan.values(), ZERO),
                     "paid": sum(actual.values(), ZERO),
                     "delta": sum(actual.values(), ZERO) - sum(plan.values(), ZERO),
                     "years": [(y, plan[y], actual[y]) for y in years]})
    plan_total = sum((r["plan"] for r in rows), ZERO)
    paid_total = sum((r["paid"] for r in rows), ZERO)
    per_year = [(y, sum((r["years"][i][1] for r in rows), ZERO), sum((r["years"][i][2] for r in rows), ZERO))
                for i, y in enumerate(years)]
    return {"rows": rows, "plan": plan_total, "paid": paid_total, "delta": paid_total - plan_total, "years": per_year,
            "share": (paid_total / plan_total * 100) if plan_total else None}


# --- indicators ---------------------------------------------------------------------------------


@dataclass
class IndicatorState:
    indicator: Indicator
    series: dict  # area key ('area' or quarter pk) → [(date, value, source)]
    latest: tuple | None  # (date, value) of the funding area
    expected: float | None  # where the straight path from baseline to target stands at that date
    state: str  # on_track | off_target | reached | no_data | no_target

    @property
    def quarters(self) -> int:
        """How many quarters have values of their own."""
        return len([k for k in self.series if k != AREA])

    @property
    def state_label(self) -> str:
        if self.state == "no_data" and self.quarters:  # values per quarter only: not "keine Werte"
            return _("kein Wert für das Fördergebiet")
        return {"on_track": _("im Plan"), "off_target": _("nicht im Plan"), "reached": _("Ziel erreicht"),
                "no_data": _("keine Werte"), "no_target": _("ohne Zielwert")}[self.state]

    @property
    def quarters_label(self) -> str:
        """"Werte für 2 Teilräume" where there are values per quarter ('' where none)."""
        n = self.quarters
        return ngettext("Werte für %(n)s Teilraum", "Werte für %(n)s Teilräume", n) % {"n": n} if n else ""


def year_position(d: datetime.date) -> float:
    """Where a value's date lies on the axis of the target path, whose baseline and target years
    stand for the end of those years: 31 December of a year is exactly that year (an entered value
    is dated so), earlier days of it lie up to a year before. The charts use the same axis."""
    return d.year + (d - datetime.date(d.year, 12, 31)).days / 365.25


def indicator_state(ind: Indicator, values: list | None = None) -> IndicatorState:
    if values is None:
        values = list(analysis.counted_values(ind.concept, ind.code)
                      .order_by("date", "id"))
    series: dict = {}
    for v in values:
        if v.value is not None:
            series.setdefault(v.quarter_id or AREA, []).append((v.date, v.value, v.source))
    main = series.get(AREA)
    latest = (main[-1][0], main[-1][1]) if main else None
    if latest is None:
        return IndicatorState(ind, series, None, None, "no_data")
    if ind.target_value is None or ind.baseline_value is None:
        return IndicatorState(ind, series, latest, None, "no_target")
    up = ind.target_value >= ind.baseline_value
    reached = latest[1] >= ind.target_value if up else latest[1] <= ind.target_value
    if reached:
        return IndicatorState(ind, series, latest, ind.target_value, "reached")
    t = min(max(year_position(latest[0]), ind.baseline_year), ind.target_year)
    share = (t - ind.baseline_year) / (ind.target_year - ind.baseline_year)
    expected = ind.baseline_value + share * (ind.target_value - ind.baseline_value)
    behind = latest[1] < expected if up else latest[1] > expected
    if latest[0].year >= ind.target_year:
        behind = True
    return IndicatorState(ind, series, latest, expected, "off_target" if behind else "on_track")


def indicator_states(concept: Concept, upto: int | None = None) -> list[IndicatorState]:
    """Every catalogue indicator's state; with ``upto``, as at the end of that year."""
    values: dict[str, list] = {}
    qs = analysis.counted_values(concept)  # entered values and those of the current analysis (and earlier dates)
    if upto is not None:
        qs = qs.filter(date__year__lte=upto)
    for v in qs.order_by("date", "id"):
        values.setdefault(v.indicator, []).append(v)
    return [indicator_state(i, values.get(i.code, [])) for i in concept.indicators.prefetch_related("goals")]


# --- warnings and key figures -------------------------------------------------------------------


@dataclass
class Notice:
    kind: str  # kuf | milestone | indicator | spending (and the dashboard's reports: views._report_notices)
    message: str
    url: str = ""


def warnings(concept: Concept, result: finance.KufResult, ms: dict, states: list[IndicatorState],
             spend: dict, upto: int | None = None) -> list[Notice]:
    """The dashboard's notices, each with the form that resolves it; with ``upto``, the payments
    of the years up to then only (``ms`` and ``states`` are given as at that year's end)."""
    out = [Notice("kuf", h.text, h.url) for h in finance.hints(concept, result)]
    for m in ms["concept"].overdue:  # marked reached (or planned anew) in the measure's milestones
        out.append(Notice("milestone", _("Meilenstein überfällig seit %(due)s: %(title)s (Maßnahme %(measure)s)") % {
            "due": date_format(m.due, "SHORT_DATE_FORMAT"), "title": m.title, "measure": m.measure.number},
            reverse("concepts:measure-edit", args=[concept.slug, m.measure_id])))
    for s in states:
        if s.state == "off_target":
            out.append(Notice("indicator", _("Indikator nicht im Plan: %(name)s – %(value)s %(unit)s (erwartet %(expected)s, Ziel %(target)s bis %(year)s)") % {
                "name": s.indicator.label, "value": fmt_number(s.latest[1], s.indicator.digits), "unit": s.indicator.unit_label,
                "expected": fmt_number(s.expected, s.indicator.digits),
                "target": fmt_number(s.indicator.target_value, s.indicator.digits),
                "year": s.indicator.target_year}, s.indicator.get_absolute_url()))
    for r in spend["rows"]:
        for y, plan, actual in r["years"]:
            if actual > plan and (upto is None or y <= upto):
                out.append(Notice("spending", _("Auszahlungen über Plan: %(measure)s %(year)s – %(paid)s € gezahlt, %(plan)s € geplant") % {
                    "measure": r["label"], "year": y, "paid": fmt_money(actual), "plan": fmt_money(plan)},
                    reverse("finance:kuf-measure", args=[concept.slug, r["key"]])))
    return out


def year_warnings(concept: Concept, result: finance.KufResult, year: int) -> list[Notice]:
    """The notices as at the end of ``year`` (a report for that year): indicator values, milestones
    and payments up to then only."""
    return warnings(concept, result, milestones(concept, datetime.date(year + 1, 1, 1)),
                    indicator_states(concept, upto=year), spending(concept, result), upto=year)


def fmt_number(x: float | None, places: int = 2) -> str:
    """A value as the pages show it (the ``figure`` filter): in the current language's format,
    ``places`` decimals (an indicator's ``digits``), always."""
    return "–" if x is None else numbers.figure(x, get_language(), places, fixed=True)


def fmt_money(x: Decimal) -> str:
    return number_format(x, 2, use_l10n=True, force_grouping=True)


def overview(concept: Concept) -> dict:
    """Everything the dashboard and the reports need, computed once."""
    result = finance.current(concept)
    tree = progress_tree(concept, result)
    ms = milestones(concept)
    states = indicator_states(concept)
    spend = spending(concept, result)
    return {
        "result": result, "tree": tree, "milestones": ms, "indicators": states, "spending": spend,
        "warnings": warnings(concept, result, ms, states, spend),
        "key": {"cost": result.total("cost"), "grant": result.total("grant"), "paid": spend["paid"],
                "progress": tree.shown},
    }
