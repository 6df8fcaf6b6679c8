"""Django adapter of the KuF engine: read a concept's figures, freeze versions, compare them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy

from isek.concepts.services import Concept, Measure
from isek.core.audit import acting_as

from . import engine, land_rules
from .models import CostItem, FinanceVersion, Financing, Fund, FundingCap, FundingProgramme, FundingRate

HUNDRED = Decimal(100)

WARNING_TEXTS = {
    "no_rates": gettext_lazy("Es sind keine Fördersätze festgelegt: keine Zuwendung berechnet. Festzulegen in der KuF unter "
                             "„Fördersätze und Förderobergrenze“."),
    "no_rate": gettext_lazy("Kein Fördersatz für %(year)s: keine Zuwendung berechnet."),
    "above_cost": gettext_lazy("Finanzierung übersteigt die Kosten (%(cost)s €) um %(over)s €."),
    "third_party": gettext_lazy("Finanzierung übersteigt die Kosten (%(cost)s €) um %(over)s €. Drittmittel (%(third)s €) "
                                "mindern in der Regel zuerst die förderfähigen Kosten: „davon förderfähig“ um %(lower)s € "
                                "auf %(eligible)s € senken (%(source)s)."),
    "fund_share": gettext_lazy("Verfügungsfonds (Kostengruppe %(group)s, %(cost)s €): die Zuwendung von %(grant)s € liegt "
                               "über %(max_share)s %% des Fonds (%(limit)s €). Ein Verfügungsfonds wird in der Regel "
                               "höchstens zu %(max_share)s %% aus Städtebauförderung finanziert, der Rest aus Mitteln von "
                               "Wirtschaft, Immobilien- und Standortgemeinschaften, Privaten oder zusätzlichen Mitteln der "
                               "Gemeinde (%(source)s). „davon förderfähig“ beim Fördersatz dieses Jahres höchstens %(most)s €."),
    "gap": gettext_lazy("Ungeklärte Finanzierung: %(amount)s €."),
    "outside_period": gettext_lazy("%(year)s liegt außerhalb des Zeitraums %(start)s–%(end)s."),
    "unknown_measure": gettext_lazy("Kosten einer unbekannten Maßnahme."),
    "no_financing": gettext_lazy("Maßnahme %(number)s hat weder Kosten noch Finanzierung."),
    "above_cap": gettext_lazy("Zuwendung gesamt %(grant)s € liegt über der Förderobergrenze %(cap)s €."),
    "outside_schedule": gettext_lazy("Kosten außerhalb des Zeitplans der Maßnahme (%(start)s–%(end)s)."),
    "duplicate_cost": gettext_lazy("Kostengruppe %(group)s mit %(amount)s € zweimal eingetragen: doppelte Kostenposition?"),
    "outside_area": gettext_lazy("Die Lage der Maßnahme liegt zu %(share)s %% außerhalb des Fördergebiets, die "
                                 "KuF rechnet ihr aber eine Zuwendung von %(grant)s € zu: prüfen, ob die Lage stimmt, das "
                                 "Fördergebiet anzupassen ist oder die Kosten außerhalb förderfähig sind."),
    "no_programme": gettext_lazy("Für das Förderprogramm des Konzepts sind keine Förderregeln hinterlegt: kein Bundesanteil berechnet."),
}


def localized(warnings: list[engine.Warning]) -> list[engine.Warning]:
    """The engine's warnings with their text in the active language and amounts formatted for it."""
    out = []
    for w in warnings:
        text = WARNING_TEXTS.get(w.code)
        if text is not None:
            params = {k: number_format(v, 2, use_l10n=True, force_grouping=True) if isinstance(v, Decimal) else v
                      for k, v in w.params}
            w = replace(w, message=str(text) % params)
        out.append(w)
    return out


# Where each check is resolved: the costs and financing of its measure, the rates and the cap, or
# the concept (its funding programme). Every code of WARNING_TEXTS has its target.
TARGETS = {
    "no_rates": "rates", "no_rate": "rates", "above_cap": "rates", "no_programme": "concept", "above_cost": "measure", "gap": "measure",
    "third_party": "measure", "fund_share": "measure",
    "outside_period": "measure", "no_financing": "measure", "unknown_measure": "import",
    "outside_schedule": "schedule", "duplicate_cost": "measure", "outside_area": "location",
}


ACTIONS = {
    "measure": gettext_lazy("Kosten und Finanzierung bearbeiten"), "rates": gettext_lazy("Fördersätze bearbeiten"),
    "concept": gettext_lazy("Förderprogramm des Konzepts wählen"), "import": gettext_lazy("Maßnahmenliste übernehmen"),
    "schedule": gettext_lazy("Zeitplan der Maßnahme bearbeiten"), "location": gettext_lazy("Lage der Maßnahme prüfen"),
}


@dataclass(frozen=True)
class Hint:
    """A check of the KuF as a page shows it: what it concerns, its text and the form that resolves it."""

    code: str
    where: str  # "1.1 Marktplatz (2027)" or ""
    message: str
    url: str
    action: str  # the link's text: what the form does

    @property
    def text(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def target(concept: Concept, warning: engine.Warning) -> str:
    """The URL of the form that resolves ``warning``."""
    kind = TARGETS[warning.code]
    if kind == "measure" and warning.measure is not None:
        url = reverse("finance:kuf-measure", args=[concept.slug, warning.measure])
        return url + (f"#cost-{warning.line}" if warning.line else "")  # the cost line it concerns
    if kind in ("schedule", "location") and warning.measure is not None:  # the measure form: time plan and map
        return reverse("concepts:measure-edit", args=[concept.slug, warning.measure])
    if kind == "concept":
        return reverse("concepts:concept-edit", args=[concept.slug])
    if kind == "import":  # costs of a measure the list does not have: bring in the list
        return reverse("finance:measure-import", args=[concept.slug])
    url = reverse("finance:kuf-rates", args=[concept.slug])
    if warning.code == "no_rate" and warning.year:  # the rate form opens with that year in its new row
        url += f"?year={warning.year}"
    return url


def hints(concept: Concept, result: engine.KufResult) -> list[Hint]:
    """The KuF's checks in the active language, each with the measure and year it concerns and its target."""
    labels = {m.key: f"{m.number} {m.title}" for m in result.measures}
    out = []
    for w in localized(result.warnings):
        where = labels.get(w.measure, "") + (f" ({w.year})" if w.year and w.measure in labels else "")
        out.append(Hint(w.code, where, w.message, target(concept, w), str(ACTIONS[TARGETS[w.code]])))
    return out


# The item of the readiness checklist ("Was fehlt noch?") each area of checks keeps open: the
# checklist's item is not complete while the KuF has an open check in its area. The checks the
# checklist asks for in its own words (a rate for every year of the concept, costs for every
# measure) are not repeated there.
CHECKLIST = {"rates": "rates", "concept": "rates", "measure": "measures", "schedule": "measures", "location": "measures",
             "import": "measures"}
STATED_BY_CHECKLIST = {"no_rates", "no_rate", "no_financing", "outside_area"}


def open_checks(concept: Concept) -> dict[str, list[Hint]]:
    """The KuF's open checks of the current plan by item of the readiness checklist."""
    out: dict[str, list[Hint]] = {}
    for h in hints(concept, current(concept)):
        if h.code not in STATED_BY_CHECKLIST:
            out.setdefault(CHECKLIST[TARGETS[h.code]], []).append(h)
    return out


def illustrative(concept: Concept) -> bool:
    """Whether any figure of the concept's KuF (cost, financing, rate, cap) is illustrative (demo)."""
    return any(model.objects.filter(illustrative=True, **{lookup: concept}).exists()
               for model, lookup in ((CostItem, "measure__concept"), (Financing, "measure__concept"),
                                     (FundingRate, "concept"), (FundingCap, "concept")))


def rules_for(concept: Concept) -> engine.Rules:
    programme = FundingProgramme.objects.filter(code=concept.programme).first()
    cap = FundingCap.objects.filter(concept=concept).first()
    return engine.Rules(
        rates={r.year: r.rate / HUNDRED for r in FundingRate.objects.filter(concept=concept)},
        federal_share=engine.exact_share(programme.federal_share) if programme else Decimal(0),
        start_year=concept.start_year, end_year=concept.end_year,
        cap=cap.amount if cap is not None else None, **rule_checks(concept),
    )


def rule_checks(concept: Concept) -> dict:
    """The funding rules the KuF checks for ``concept`` (the Rules fields on the Verfügungsfonds and
    third-party money), from the land rules data with their citations; frozen versions get them too."""
    fund = land_rules.disposition_fund()
    kinds: dict[str, set[str]] = {}
    for measure, kind in Fund.objects.filter(concept=concept, measure__isnull=False).values_list("measure_id", "kind"):
        kinds.setdefault(str(measure), set()).add(kind)
    catalogue = land_rules.catalogue_for_ags(concept.city.ags)
    only = None
    if catalogue.disposition_fund_shared:  # the group holds other funds too: only a Verfügungsfonds is checked
        named = {str(pk) for pk, title in concept.measures.values_list("pk", "title")
                 if DISPOSITION_WORD in title.casefold()}
        only = frozenset(m for m in named if m not in kinds) | frozenset(
            m for m, k in kinds.items() if Fund.Kind.DISPOSITION in k)
    return {"fund_groups": frozenset(catalogue.disposition_fund_groups),
            "fund_max_share": None if concept.programme in fund.full_programmes else fund.max_share / HUNDRED,
            "fund_source": fund.short, "third_party_source": land_rules.third_party_source(),
            "fund_exempt": frozenset(m for m, k in kinds.items() if k == {Fund.Kind.FACADE}), "fund_only": only}


# A measure without a fund of its own (the funds page) is a Verfügungsfonds where its title says so.
DISPOSITION_WORD = "verfügungsfonds"


def inputs(concept: Concept):
    """(measures, costs, financing, rules) of the concept's current plan."""
    costs = [
        engine.CostLine(str(c.measure_id), c.year, c.cost_group.number, c.amount, c.eligible, str(c.pk))
        for c in CostItem.objects.filter(measure__concept=concept).select_related("cost_group")
    ]
    eligible = {c.measure for c in costs if c.eligible}
    measures = []
    for m in concept.measures.all():
        m.concept = concept  # one concept (with its area) for all its measures
        measures.append(engine.MeasureRef(
            str(m.pk), m.number, m.title, m.status == Measure.Status.CANCELLED, m.start.year if m.start else None,
            m.end.year if m.end else None, m.outside_share if str(m.pk) in eligible else 0))
    financing = [
        engine.FinancingLine(str(f.measure_id), f.year, f.source, f.amount, f.status, f.reason)
        for f in Financing.objects.filter(measure__concept=concept)
    ]
    return measures, costs, financing, rules_for(concept)


def current(concept: Concept, scenario: engine.Scenario | None = None) -> engine.KufResult:
    measures, costs, financing, rules = inputs(concept)
    if scenario is not None:
        costs, financing, rules = engine.apply(scenario, costs, financing, rules)
    result = engine.compute(measures, costs, financing, rules)
    if not FundingProgramme.objects.filter(code=concept.programme).exists():
        result.warnings.insert(0, engine.Warning(
            "no_programme", "Für das Förderprogramm des Konzepts sind keine Förderregeln hinterlegt: kein Bundesanteil berechnet."))
    return result


# --- versions --------------------------------------------------------------------------------


def _d(x) -> str | None:
    return None if x is None else str(x)


def snapshot(measures, costs, financing, rules) -> dict:
    return {
        "measures": [[m.key, m.number, m.title, m.cancelled] for m in measures],
        "costs": [[c.measure, c.year, c.group, str(c.amount), str(c.eligible)] for c in costs],
        "financing": [[f.measure, f.year, f.source, _d(f.amount), f.status, f.reason] for f in financing],
        "rules": {"rates": {str(y): str(r) for y, r in rules.rates.items()}, "federal_share": str(rules.federal_share),
                  "start_year": rules.start_year, "end_year": rules.end_year, "cap": _d(rules.cap),
                  "default_status": rules.default_status, "split": rules.split},
    }


def from_snapshot(s: dict):
    r = s["rules"]
    rules = engine.Rules(
        rates={int(y): Decimal(v) for y, v in r["rates"].items()}, federal_share=Decimal(r["federal_share"]),
        start_year=r["start_year"], end_year=r["end_year"], cap=Decimal(r["cap"]) if r["cap"] else None,
        default_status=r["default_status"], split=r.get("split", "remainder"))  # frozen before 0075: the rule in force again (0091)
    measures = [engine.MeasureRef(*m) for m in s["measures"]]
    costs = [engine.CostLine(m, y, g, Decimal(a), Decimal(e)) for m, y, g, a, e in s["costs"]]
    financing = [engine.FinancingLine(m, y, src, Decimal(a) if a is not None else None, st, why)
                 for m, y, src, a, st, why in s["financing"]]
    return measures, costs, financing, rules


def figures_json(result: engine.KufResult) -> dict[str, str]:
    return {f"{m}|{y}|{what}": str(v) for (m, y, what), v in engine.figures(result).items()}


def figures_from_json(data: dict[str, str]) -> dict[tuple[str, int, str], Decimal]:
    out = {}
    for key, v in data.items():
        m, y, what = key.split("|")
        out[(m, int(y), what)] = Decimal(v)
    return out


@transaction.atomic
def freeze(concept: Concept, name: str, kind: str, user=None, note: str = "",
           scenario: engine.Scenario | None = None) -> FinanceVersion:
    """Freeze the current plan (or a scenario of it) as an immutable named version."""
    measures, costs, financing, rules = inputs(concept)
    if scenario is not None:
        costs, financing, rules = engine.apply(scenario, costs, financing, rules)
    result = engine.compute(measures, costs, financing, rules)
    with acting_as(user, "kuf"):
        return FinanceVersion.objects.create(
            concept=concept, name=name, kind=kind, note=note, created_by=user,
            snapshot=snapshot(measures, costs, financing, rules), figures=figures_json(result))


def version_result(version: FinanceVersion) -> engine.KufResult:
    measures, costs, financing, rules = from_snapshot(version.snapshot)
    return engine.compute(measures, costs, financing, replace(rules, **rule_checks(version.concept)))


def measure_labels(*snapshots_or_measures) -> dict[str, str]:
    labels = {}
    for ms in snapshots_or_measures:
        for m in ms:
            labels[m.key] = f"{m.number} {m.title}"
    return labels


def compare(concept: Concept, a: FinanceVersion | None, b: FinanceVersion | None) -> tuple[list[engine.Change], dict[str, str]]:
    """Changes from a to b (None = the current plan), with measure labels."""
    def side(v):
        if v is None:
            res = current(concept)
            return engine.figures(res), res.measures
        return figures_from_json(v.figures), from_snapshot(v.snapshot)[0]

    fa, ma = side(a)
    fb, mb = side(b)
    return engine.diff(fa, fb), measure_labels(ma, mb)
