"""Display rows of the KuF shared by the pages, the PDFs and the dashboard: built once here."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from isek.core.numbering import number_sort_key

from . import engine
from .models import Financing

SOURCE_LABELS = dict(Financing.Source.choices)
STATUS_LABELS = dict(Financing.Status.choices)
OVERFINANCED_LABEL = _("Überfinanzierung (über den Kosten)")


def table(result: engine.KufResult, estimates: dict[str, Decimal | None] | None = None,
          labels: dict[str, str] | None = None) -> dict:
    """The KuF as rows for the template: costs by cost group, financing by source and status, and
    every measure without a cost line yet (with its estimate from the measure form, if any), so that
    each measure has its row. ``labels``: the sources' names for the concept (a city-state's own)."""
    names = labels or SOURCE_LABELS
    years = result.years
    refs = {m.key: m for m in result.measures}
    groups = []
    for g in sorted({g for (g, _m, _y) in result.cost_by_group}, key=lambda g: number_sort_key(g)):
        rows = []
        for mkey in sorted({m for (gg, m, _y) in result.cost_by_group if gg == g},
                           key=lambda k: number_sort_key(refs[k].number) if k in refs else k):
            values = [result.cost_by_group.get((g, mkey, y), Decimal(0)) for y in years]
            rows.append({"measure": refs.get(mkey), "key": mkey, "values": values, "total": sum(values)})
        subtotal = [sum(r["values"][i] for r in rows) for i in range(len(years))]
        groups.append({"number": g, "rows": rows, "subtotal": subtotal, "total": sum(subtotal)})
    costed = {m for (_g, m, _y) in result.cost_by_group}
    uncosted = [{"measure": m, "key": m.key, "estimate": (estimates or {}).get(m.key)}
                for m in sorted(result.measures, key=lambda m: number_sort_key(m.number)) if m.key not in costed]
    sources = source_rows(result, names)
    by_status = result.by_status()
    status_rows = [{"label": names[s], "values": [by_status.get((s, st), Decimal(0)) for st in engine.STATUSES]}
                   for s in engine.SOURCES if any(by_status.get((s, st)) for st in engine.STATUSES)]
    over = [result.year_total(y, engine.OVERFINANCED) for y in years]
    cost = [result.year_total(y) for y in years]
    grant = [result.year_total(y, "grant") for y in years]
    eligible = []  # "davon förderfähig" per measure and year: what the funding rate applies to
    for mkey in sorted({m for (m, _y) in result.cells}, key=lambda k: number_sort_key(refs[k].number) if k in refs else k):
        values = [result.cells[(mkey, y)].eligible if (mkey, y) in result.cells else Decimal(0) for y in years]
        if any(values):
            eligible.append({"measure": refs.get(mkey), "key": mkey, "values": values, "total": sum(values, Decimal(0))})
    eligible_sum = [result.year_total(y, "eligible") for y in years]
    return {
        "years": years, "groups": groups, "uncosted": uncosted,
        "eligible": eligible, "eligible_sum": eligible_sum, "eligible_total": sum(eligible_sum, Decimal(0)), "sources": sources, "status_rows": status_rows,
        "statuses": [STATUS_LABELS[s] for s in engine.STATUSES],
        # financing above the cost, where there is any: beside the sources, never a negative own share
        "overfinanced": {"label": OVERFINANCED_LABEL, "values": over, "total": sum(over, Decimal(0))} if any(over) else None,
        "cost": cost, "cost_total": sum(cost), "grant": grant, "grant_total": sum(grant),
    }


def measure_table(result: engine.KufResult, measure: str, labels: dict[str, str] | None = None) -> dict:
    """A measure's financing per year, one column per figure of ``engine.FIGURES`` (the measure's
    KuF page): each value sits under its own label, whatever order a cell keeps its sources in."""
    labels = {"cost": _("Kosten"), "eligible": _("förderfähig"), "grant": _("Zuwendung (Bund + Land)"), **(labels or SOURCE_LABELS),
              engine.OVERFINANCED: OVERFINANCED_LABEL}
    cells = result.measure_years(measure)
    # Financing above the cost gets its column where the measure has any (the own share stays 0).
    figures = [*engine.FIGURES, *([engine.OVERFINANCED] if any(c.overfinanced for _y, c in cells) else [])]
    return {
        "columns": [{"what": w, "label": labels[w]} for w in figures],
        "rows": [{"year": y, "values": [{"what": w, "value": c.figure(w), "overridden": w in c.overridden}
                                        for w in figures]}
                 for y, c in cells],
    }


def source_rows(result: engine.KufResult, labels: dict[str, str] | None = None) -> list[dict]:
    """Financing per source and year (€), only the sources that carry money: the rows of the KuF
    page, the dashboard and the report PDFs."""
    rows = []
    for s in engine.SOURCES:
        values = [result.year_total(y, s) for y in result.years]
        if any(values):
            rows.append({"source": s, "label": (labels or SOURCE_LABELS)[s], "values": values, "total": sum(values, Decimal(0))})
    return rows


def rate_bases(rates) -> list[str]:
    """The bases (Grundlage) the planner gave for the funding rates, each once, in year order."""
    return list(dict.fromkeys(r.basis.strip() for r in rates if r.basis.strip()))
