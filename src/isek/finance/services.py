"""The KuF's application layer: what the pages, the `isek kuf` command, other apps (dashboard,
reports), the demo loader and the coming API call.

Writes take the acting user, ask the access policy, run in one transaction and are recorded
(``core.audit.change``); rules across rows (one rate per year, one financing row per year and
source, unique version names) raise ``ValidationError`` with a code.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from isek import access
from isek.core import numbers, throttle, versions
from isek.core.audit import change
from isek.core.rules import invalid, keys_after, repeated

from . import engine, excel, importing, kuf, land_rules, pdf, reference
from .models import (
    CostGroup,
    CostItem,
    FinanceVersion,
    Financing,
    Fund,
    FundApplication,
    FundingCap,
    FundingProgramme,
    FundingRate,
)
from .presenters import SOURCE_LABELS, measure_table, rate_bases, source_rows, table  # noqa: F401  (the display rows other apps show)

KufResult, Change = engine.KufResult, engine.Change  # what the readings below return

# --- reading -----------------------------------------------------------------------------------

SOURCES = engine.SOURCES  # the financing sources, in the order every page, file and the API shows them


def rules_of_land(concept) -> land_rules.LandRules | None:
    """What isek knows of the funding rules of the concept's Land (guideline, programmes, rates,
    outline; ``known`` is False where it knows none)."""
    return land_rules.for_ags(concept.city.ags)


def wording(concept, language: str | None = None) -> dict[str, str]:
    """A city-state's words for the concept's Gemeinde (``land_rules.CityState``), else the name of
    the council in its Land (``land_rules.council``), in ``language`` (default: the active one); {}
    where the general words hold."""
    return land_rules.wording(concept.city.ags, (language or translation.get_language() or "de")[:2])


def source_labels(concept, language: str | None = None) -> dict[str, str]:
    """The names of the financing sources for the concept: in a city-state its own words for the own
    share and the Land's part ("Eigenanteil Berlin" is not a Gemeinde's), elsewhere the usual ones."""
    words = wording(concept, language)
    labels = excel.SOURCE_LABELS if language == "de" else SOURCE_LABELS
    return {**labels, **{k: words[k] for k in ("municipality", "land") if k in words}}


def decision_words(concept) -> dict[str, str]:
    """How the concept's pages name the decision on the area: "Ratsbeschluss" of a Gemeinde, a
    city-state's own words (Senat, Bezirksamt) there, a Land's name of the council where its
    Gemeindeordnung has another (Stadtverordnetenversammlung in Hessen); keys "decision", "decision_date", "decision_missing"."""
    return decision_words_of_ags(concept.city.ags)


def decision_words_of_ags(ags: str) -> dict[str, str]:
    """``decision_words`` for the municipality key ``ags`` (the wizard's, before there is a concept)."""
    words = land_rules.wording(ags, (translation.get_language() or "de")[:2])
    return {"decision": words.get("decision") or _("Ratsbeschluss"),
            "decision_date": words.get("decision_date") or _("Ratsbeschluss am"),
            "decision_missing": words.get("decision_missing") or _("Datum des Ratsbeschlusses")}


def application_words(concept) -> dict[str, str]:
    """How the pages name the concept's funding application in its Land, in the active language:
    "application" and "applications" (Bayern: Bedarfsmitteilung, StBauFR Nr. 19.1; elsewhere
    Antrag) and "decision_date", the council decision it rests on: a city-state's or the
    Gemeindeordnung's name of the council (``decision_words``) first, else the Land's guideline's
    (``land_rules.application_words``), else "Ratsbeschluss am" (decision 0087)."""
    own = land_rules.wording(concept.city.ags, (translation.get_language() or "de")[:2]).get("decision_date")
    return application_words_of_land(concept.city.ags[:2], own)


def application_words_of_land(land: str, decision_date: str | None = None) -> dict[str, str]:
    """``application_words`` for a Land (its key, e.g. "09"; a funding authority's portfolio), with
    the council's own ``decision_date`` where the concept's Gemeinde has one."""
    words = land_rules.application_words(land, (translation.get_language() or "de")[:2])
    return {"application": words.get("application") or _("Antrag"),
            "applications": words.get("applications") or _("Anträge"),
            "decision_date": decision_date or words.get("decision_date") or _("Ratsbeschluss am")}


def land_context(concept, today: datetime.date | None = None) -> dict:
    """The template context of finance/_land_rules.html: the Land's rules, the name of the
    concept's programme there, the authority and the procedure in the UI's language, and where the
    Land's calls for applications stand ``today`` (default: today)."""
    rules = rules_of_land(concept)
    language = (translation.get_language() or "de")[:2]
    return {"land": rules, "land_programme": rules.programme(concept.programme) if rules else "",
            "land_authority": rules.authority_in(language) if rules else "",
            "land_procedure": rules.procedure_in(language) if rules else (),
            "land_calls": rules.calls_on(today or timezone.localdate()) if rules else None}


def current(concept, scenario: engine.Scenario | None = None) -> engine.KufResult:
    """The KuF of the current plan (or of ``scenario`` applied to it)."""
    return kuf.current(concept, scenario)


def measure_summary(user, concept, measure) -> dict | None:
    """What the KuF holds for one measure, for its own page: cost and grant in total and per year,
    or None for people who may not see the KuF (the public sees only the measure's estimate)."""
    if not access.allows(user, "kuf", "view", concept):
        return None
    result = kuf.current(concept)
    key = str(measure.pk)
    years = [{"year": y, "cost": c.cost, "grant": c.grant} for y, c in result.measure_years(key)]
    return {"cost": result.measure_total(key), "grant": result.measure_total(key, "grant"), "years": years,
            "has_costs": measure.cost_items.exists(), "can_edit": access.allows(user, "kuf", "edit", concept)}


def estimate_line(measure) -> list[dict]:
    """The first new cost line of a measure without any, filled in from the estimate of the measure
    form (amount, basis "Kostenschätzung", the year it starts): the planner adds the cost group and
    the eligible part. Nothing for a measure with cost lines or without an estimate."""
    if measure.estimated_cost is None or measure.cost_items.exists():
        return []
    year = measure.start.year if measure.start else measure.concept.start_year
    return [{"amount": measure.estimated_cost, "basis": CostItem.Basis.ESTIMATE, "year": year}]


def version_result(version: FinanceVersion) -> engine.KufResult:
    """The KuF as it was frozen in ``version``."""
    return kuf.version_result(version)


def compare(concept, a: FinanceVersion | None, b: FinanceVersion | None) -> tuple[list[engine.Change], dict[str, str]]:
    """What changed from version ``a`` to ``b`` (None: the current plan), with the measures' names."""
    return kuf.compare(concept, a, b)


def hints(concept, result: engine.KufResult) -> list[kuf.Hint]:
    """The KuF's checks in the active language, each with the measure and year it concerns and
    the form that resolves it."""
    return kuf.hints(concept, result)


def open_checks(concept) -> dict[str, list[kuf.Hint]]:
    """The KuF's open checks by item of the readiness checklist ("rates", "measures"): an item is
    not complete while one is open."""
    return kuf.open_checks(concept)


def version_before(concept, day) -> FinanceVersion | None:
    """The newest version frozen on or before ``day``, else the first one (None if there is none)."""
    return (FinanceVersion.objects.filter(concept=concept, created_at__date__lte=day).order_by("-created_at", "-id").first()
            or FinanceVersion.objects.filter(concept=concept).order_by("created_at", "id").first())


def version_by_name(concept, name: str) -> FinanceVersion | None:
    return FinanceVersion.objects.filter(concept=concept, name=name).first()


def version_names(concept) -> list[str]:
    return list(FinanceVersion.objects.filter(concept=concept).values_list("name", flat=True))


def cost_groups(concept, language: str | None = None) -> dict[str, str]:
    """Cost group number → name in ``language`` (default: the active one), in the catalogue of the
    concept's Land."""
    language = language or translation.get_language()
    return {g.number: g.name_in(language) for g in CostGroup.of(concept)}


def cost_groups_by_number(concept) -> dict[str, CostGroup]:
    """Number → cost group of the concept's catalogue, the one lookup of the cost groups; outside
    NRW also NRW's FRL 2023 numbers of older files (exports from before the catalogues), mapped as
    the data migration maps them."""
    groups = {g.number: g for g in CostGroup.of(concept)}
    from_nrw = cost_catalogue(concept).from_nrw or {}
    for number in CostGroup.objects.filter(catalogue="nrw-frl-2023").values_list("number", flat=True):
        target = from_nrw.get(number.split(".")[0])
        if target in groups:
            groups.setdefault(number, groups[target])
    return groups


def cost_catalogue(concept) -> land_rules.CostCatalogue:
    """The catalogue of cost groups the concept's KuF uses (its Land's, or isek's general one)."""
    return CostGroup.catalogue_of(concept)


def ensure_reference_data() -> None:
    """Load the funding programmes and cost groups (they come with the migrations; idempotent)."""
    reference.load(FundingProgramme, CostGroup)


def export_kuf(concept, version: FinanceVersion | None, fmt: str, path) -> None:
    """Write the KuF (current plan or a frozen version) as ``fmt`` "xlsx" or "pdf" to ``path``."""
    if fmt not in ("xlsx", "pdf"):
        raise ValueError(f"unknown KuF export format {fmt!r}")
    result = kuf.version_result(version) if version else kuf.current(concept)
    stand = version.name if version else _("aktueller Plan")
    title = f"{_('Kosten- und Finanzierungsübersicht')} – {concept.name} – {stand}"
    groups = cost_groups(concept, "de")  # the documents are German
    if fmt == "xlsx":
        notes = [*land_rules.summary(rules_of_land(concept)), land_rules.catalogue_line(cost_catalogue(concept))]
        if version is None:  # the current plan: where the approval differs from the request (decision 0058)
            with translation.override("de"):
                notes += [f"Bewilligt statt beantragt: {r['measure'].number} {r['measure'].title}, {r['year']}, "
                          f"{r['source']}: beantragt {numbers.format(r['requested'], 'de', 2)} €, bewilligt "
                          f"{numbers.format(r['approved'], 'de', 2)} € ({r['reason']})"
                          for r in approval_differences(concept)]
                notes += [f"Kosten unter der Bewilligung: {r['measure'].number} {r['measure'].title}, {r['year']}: "
                          f"bewilligt {numbers.format(r['approved'], 'de', 2)} €, aus den förderfähigen Kosten "
                          f"{numbers.format(r['carried'], 'de', 2)} € ({r['reference']})"
                          for r in approval_shortfalls(concept)]  # a cut confirmed on the KuF page (0104)
        excel.write(result, path, title, groups, attribution="isek", notes=notes, labels=source_labels(concept, "de"))
    else:
        pdf.write(concept, result, table(result, labels=source_labels(concept, "de")), title, path, groups)


# --- writing -----------------------------------------------------------------------------------


def cost_form_token() -> str:
    """A fresh one-time token for the cost form's page (``save_costs(once=…)``)."""
    return throttle.form_token()


def _resent(measure) -> ValidationError:
    return invalid(_("Kosten und Finanzierung von %(n)s waren schon gespeichert; das erneute Senden hat nichts "
                     "geändert.") % {"n": measure.number}, "resent")


def refuse_resent_costs(measure, once: str) -> None:
    """Raise ``ValidationError`` (code "resent") if the cost form of ``measure`` with the one-time
    token ``once`` was saved already: the browser went back and sent it again."""
    if throttle.spent(f"costs:{measure.pk}", once):
        raise _resent(measure)


def costs_state(measure) -> str:
    """The token of a measure's stored cost items and financing lines (every column): the KuF
    page of the measure carries it, ``save_costs(state=…)`` compares it (decision 0096)."""
    return versions.state_token(CostItem.objects.filter(measure_id=measure.pk).order_by("pk").values_list(),
                                Financing.objects.filter(measure_id=measure.pk).order_by("pk").values_list())


def changed_message() -> str:
    return _("Diese Maßnahme wurde inzwischen geändert (in einem anderen Fenster oder von einer anderen Person); "
             "das Speichern hätte diese Änderung überschrieben. Bitte die Seite neu laden und die eigene Änderung "
             "dann erneut eintragen.")


def refuse_changed_costs(measure, state: str | None) -> None:
    """Raise ``ValidationError`` (code "changed") if the cost form of ``measure`` was loaded from
    another state of its cost items and financing lines than the stored one (``costs_state``): a
    save in another tab or by another person came between; a form without a state is not checked."""
    if state and state != costs_state(measure):
        raise invalid(changed_message(), "changed")


APPROVED = Financing.Status.APPROVED
LOCKED_FIELDS = ("year", "source", "amount", "status", "reason", "requested", "illustrative")  # of an approved line


def is_locked(financing: Financing | None) -> bool:
    """Did the funding authority's approval write this (stored) financing line? Then it is the
    authority's: only a new approval or an amendment changes it (decision 0065)."""
    return financing is not None and financing.status == APPROVED and financing.requested is not None


def approval_reference(financing: Financing) -> str:
    """The approval that set a locked line ("Zuwendungsbescheid 34.1-2027/07 vom 07.12.2026"):
    ``apply_approval`` writes it first in the line's reason."""
    return (financing.reason or "").split(": ", 1)[0].strip()


def locked_message(financing: Financing) -> str:
    return _("Dieser Betrag ist bewilligt (%(reference)s) und kann nur durch die Bewilligungsbehörde geändert werden "
             "(neuer Bescheid oder Änderungsbescheid): %(year)s, %(source)s.") % {
        "reference": approval_reference(financing) or _("Zuwendungsbescheid"), "year": financing.year,
        "source": SOURCE_LABELS.get(financing.source, financing.source)}


def refuse_term_without_approved_years(sender, *, concept, **_kwargs) -> None:
    """``concepts.signals.term_changing``: a concept's term ("Beginn"/"Ende") may not leave out a
    year an approval granted money for (decision 0075); the refusal names the approval and the years."""
    outside = list(Financing.objects.filter(measure__concept=concept, status=APPROVED, requested__isnull=False)
                   .filter(Q(year__gt=concept.end_year) | Q(year__lt=concept.start_year)).order_by("year"))
    if not outside:
        return
    references = sorted({approval_reference(f) or str(_("Zuwendungsbescheid")) for f in outside})
    years = sorted({f.year for f in outside})
    field = "end_year" if any(y > concept.end_year for y in years) else "start_year"
    raise ValidationError({field: [ValidationError(
        _("Für %(years)s sind Beträge bewilligt (%(approvals)s); der Zeitraum des Konzepts muss diese Jahre "
          "einschließen. Eine Änderung der bewilligten Jahre ist Sache der Bewilligungsbehörde "
          "(Änderungsbescheid).") % {"years": ", ".join(str(y) for y in years), "approvals": "; ".join(references)},
        code="approved_years")]})


def approvals_holding(sender, *, measure, **_kwargs) -> list[str]:
    """``concepts.signals.measure_deleting``: a measure with lines an approval wrote is not deleted –
    the Bescheid still grants it (decision 0095). One phrase naming the approvals, or none."""
    references = sorted({approval_reference(f) or str(_("Zuwendungsbescheid"))
                         for f in measure.financing.filter(status=APPROVED, requested__isnull=False)})
    return [_("bewilligt im %(approvals)s") % {"approvals": ", ".join(references)}] if references else []


def approved_status_refusal() -> str:
    return _("Den Status „bewilligt“ setzt nur der Bescheid der Bewilligungsbehörde. Bitte „gesichert“ wählen und den "
             "Bescheid in der Begründung nennen.")


def _refuse_locked(measure, financings, removed_financings) -> None:
    """Refuse (code "approved") any change or removal of a line an approval wrote, and the status
    "bewilligt" on a line the city sets – nothing of the measure's costs is saved then."""
    stored = {f.pk: f for f in measure.financing.all()}
    for f in removed_financings:
        if is_locked(stored.get(f.pk)):
            raise invalid(locked_message(stored[f.pk]), "approved")
    for f in financings:
        before = stored.get(f.pk) if f.pk else None
        if is_locked(before):
            if any(getattr(f, k) != getattr(before, k) for k in LOCKED_FIELDS):
                raise invalid(locked_message(before), "approved")
        elif f.status == APPROVED and not (before is not None and before.status == APPROVED and f.requested is None):
            raise invalid(approved_status_refusal(), "approved_status", "status")
        elif f.requested is not None and (before is None or f.requested != before.requested):
            raise invalid(approved_status_refusal(), "approved_status", "status")


def year_doubts(concept, measure, cost_items=(), financings=()) -> list[str]:
    """Why a new or re-dated cost item or financing line of ``measure`` is unlikely: its year lies
    outside the concept's period (start to end year). A sentence each, naming the year, the period
    and the way to the concept's period; empty when nothing is to be asked (issue #23, minor 2:
    the readiness check used to be the first to say so)."""
    start, end = concept.start_year, max(concept.end_year, concept.start_year)
    stored = {**{("c", pk): y for pk, y in measure.cost_items.values_list("pk", "year")},
              **{("f", pk): y for pk, y in measure.financing.values_list("pk", "year")}}
    doubts = []
    for kind, objs in (("c", cost_items), ("f", financings)):
        years = sorted({o.year for o in objs if o.year is not None and not start <= o.year <= end
                        and stored.get((kind, o.pk)) != o.year})
        if not years:
            continue
        what = _("Kosten") if kind == "c" else _("Finanzierung")
        doubts.append(_("%(what)s für %(years)s: außerhalb der Laufzeit des Konzepts (%(start)s–%(end)s).") % {
            "what": what, "years": ", ".join(map(str, years)), "start": start, "end": end})
    return doubts


# Sent inside the transaction of ``save_costs`` (and before it, to ask early) when a save lowers the
# eligible cost of some of a measure's years, with ``measure`` and ``years`` (those years): each
# receiver answers a list of {"year": int, "amount": Decimal, "request": str} – the procedure app the
# grant its submitted and released payment requests called off for the measure in those years, each
# request named ("Mittelabruf Nr. 1 (Antrag 2027, Version 1, „freigegeben“)"); finance imports
# nothing of procedure (decision 0104, as ``concepts.signals.measure_deleting``, 0095).
costs_cutting = Signal()


def _eligible_by_year(measure, cost_items=(), removed_cost_items=()) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """The eligible cost per year of ``measure`` as stored and as it would be after the save (its
    changed and new ``cost_items``, without ``removed_cost_items``): every cost group of a year
    together – approvals and payment requests are per measure, year and source, not cost group."""
    zero = engine.ZERO
    stored = list(CostItem.objects.filter(measure_id=measure.pk).values_list("pk", "year", "eligible"))
    gone = {o.pk for o in (*cost_items, *removed_cost_items) if o.pk}
    before: dict[int, Decimal] = {}
    after: dict[int, Decimal] = {}
    for pk, year, eligible in stored:
        before[year] = before.get(year, zero) + eligible
        if pk not in gone:
            after[year] = after.get(year, zero) + eligible
    for o in cost_items:
        if o.year is not None:
            value = o.eligible if o.eligible is not None else o.amount
            after[o.year] = after.get(o.year, zero) + (value or zero)
    return before, after


def cost_cuts(concept, measure, cost_items=(), removed_cost_items=()) -> tuple[list[str], list[str]]:
    """(refusals, questions) of a save that lowers the eligible cost of a year of ``measure``
    (decision 0104), by the grant the year's eligible cost then carries (``engine.grant_of`` at the
    year's rate, Bund and Land – what the KuF computes without the approval's lines):
    below what submitted and released payment requests called off for that year (answered by the
    receivers of ``costs_cutting``) is refused, naming the requests and amounts; below the approved
    lines of the year (``apply_approval``) is a question naming the Bescheid and the amounts. A year
    whose eligible cost does not fall is not asked."""
    before, after = _eligible_by_year(measure, cost_items, removed_cost_items)
    years = sorted(y for y, value in before.items() if after.get(y, engine.ZERO) < value)
    if not years:
        return [], []
    approved: dict[int, Decimal] = {}
    references: dict[int, set[str]] = {}
    for f in Financing.objects.filter(measure_id=measure.pk, status=APPROVED, requested__isnull=False,
                                      source__in=engine.GRANT_SOURCES, year__in=years):
        approved[f.year] = approved.get(f.year, engine.ZERO) + (f.amount or engine.ZERO)
        references.setdefault(f.year, set()).add(approval_reference(f) or str(_("Zuwendungsbescheid")))
    called: dict[int, list[dict]] = {}
    for _receiver, answer in costs_cutting.send(CostItem, measure=measure, years=years):
        for row in answer or ():
            called.setdefault(row["year"], []).append(row)
    if not approved and not called:
        return [], []
    rules = kuf.rules_for(concept)
    language = translation.get_language()
    refusals, questions = [], []
    for year in years:
        rate = rules.rates.get(year, engine.ZERO)
        eligible = after.get(year, engine.ZERO)
        carried = engine.grant_of(eligible, rate, rules)
        words = {"measure": measure.number, "year": year, "eligible": numbers.money(eligible, language),
                 "carried": numbers.money(carried, language), "rate": numbers.rate(rate * 100, language)}
        used = sum((row["amount"] for row in called.get(year, ())), engine.ZERO)
        if used > carried:
            refusals.append(_(
                "Die förderfähigen Kosten von %(measure)s für %(year)s lassen sich nicht unter das bereits Abgerufene "
                "senken: nach dem Speichern %(eligible)s € förderfähig, daraus %(carried)s € Zuwendung (Bund und Land, "
                "Fördersatz %(rate)s %%); abgerufen sind %(used)s € – %(requests)s. Eine Rückforderung erfasst isek "
                "nicht; eine Korrektur ist mit der Bewilligungsbehörde abzustimmen.") % {
                **words, "used": numbers.money(used, language),
                "requests": "; ".join(_("%(request)s: %(amount)s €") % {
                    "request": row["request"], "amount": numbers.money(row["amount"], language)}
                    for row in called[year])})
        elif approved.get(year, engine.ZERO) > carried:
            questions.append(_(
                "%(measure)s, %(year)s: bewilligt sind %(approved)s € (Bund und Land, %(approvals)s); die förderfähigen "
                "Kosten von %(eligible)s € tragen beim Fördersatz %(rate)s %% nur %(carried)s € Zuwendung, %(difference)s € "
                "weniger als bewilligt.") % {
                **words, "approved": numbers.money(approved[year], language),
                "approvals": ", ".join(sorted(references[year])),
                "difference": numbers.money(approved[year] - carried, language)})
    return refusals, questions


def approval_shortfalls(concept) -> list[dict]:
    """Where a measure's eligible cost of a year carries less grant than its approved lines (a cut
    confirmed on its KuF page, decision 0104), per measure and year: "measure", "year", "approved"
    (Bund and Land), "carried" (the grant of the eligible cost at the year's rate), "difference"
    (carried − approved, below 0) and "reference" (the Bescheid) – the rows the KuF page and the
    dashboard show beside "Bewilligt statt beantragt"."""
    approved: dict[tuple[int, int], Decimal] = {}
    references: dict[tuple[int, int], set[str]] = {}
    measures = {}
    for f in (Financing.objects.filter(measure__concept=concept, status=APPROVED, requested__isnull=False,
                                       source__in=engine.GRANT_SOURCES).select_related("measure")):
        key = (f.measure_id, f.year)
        approved[key] = approved.get(key, engine.ZERO) + (f.amount or engine.ZERO)
        references.setdefault(key, set()).add(approval_reference(f) or str(_("Zuwendungsbescheid")))
        measures[f.measure_id] = f.measure
    if not approved:
        return []
    eligible: dict[tuple[int, int], Decimal] = {}
    for measure_id, year, value in CostItem.objects.filter(measure__concept=concept).values_list("measure_id", "year", "eligible"):
        eligible[(measure_id, year)] = eligible.get((measure_id, year), engine.ZERO) + value
    rules = kuf.rules_for(concept)
    rows = []
    for (measure_id, year), amount in approved.items():
        carried = engine.grant_of(eligible.get((measure_id, year), engine.ZERO), rules.rates.get(year, engine.ZERO), rules)
        if carried < amount:
            rows.append({"measure": measures[measure_id], "year": year, "approved": amount, "carried": carried,
                         "difference": carried - amount, "reference": ", ".join(sorted(references[(measure_id, year)]))})
    return sorted(rows, key=lambda r: (r["measure"].sort_key, r["year"]))


def _refuse_cuts(concept, measure, cost_items, removed_cost_items, cut_confirmed: bool, doubts=()) -> None:
    """Raise the refusal of a cut below what was called off (code "called_off"), else the questions –
    ``doubts`` (code "implausible") and a cut below the approval (code "below_approval") unless
    ``cut_confirmed`` – together, so the page asks them at once."""
    refusals, questions = cost_cuts(concept, measure, cost_items, removed_cost_items)
    if refusals:
        raise invalid(" ".join(refusals), "called_off")
    asked = [ValidationError(d, code="implausible") for d in doubts]
    if not cut_confirmed:
        asked += [ValidationError(q, code="below_approval") for q in questions]
    if asked:
        raise ValidationError(asked)


def save_costs(user, concept, measure, *, cost_items=(), removed_cost_items=(), financings=(), removed_financings=(),
               via: str = "web", once: str = "", ask: bool = False, confirmed: bool = False,
               cut_confirmed: bool = False, state: str | None = None) -> None:
    """Save a measure's cost items and financing rows (new and changed instances; removed ones are
    deleted). One financing row per year and source. A line the funding authority's approval wrote
    is refused, changed or removed (code "approved"), and so is the status "bewilligt" on the city's
    own lines (code "approved_status"; decision 0065). ``once``: the form's one-time token; a form
    saved already is refused (code "resent") and nothing changes. ``ask`` (the KuF page): a year
    outside the concept's period (``year_doubts``) is refused with code "implausible" unless
    ``confirmed`` – a year before or after may be right (preparation, final invoices), so it is a
    question, not a refusal (decision 0072). ``state``: the ``costs_state`` the form was loaded
    from; if the stored rows have changed since (another tab, another person), the save is refused
    (code "changed") and nothing changes – a lost update otherwise (decision 0096). Every writer:
    lowering a year's eligible cost below what payment requests called off for it is refused (code
    "called_off"), below the approved amount asked (code "below_approval") unless ``cut_confirmed``
    (``cost_cuts``, decision 0104)."""
    access.require(user, "kuf", "edit", concept)
    if measure.concept_id != concept.pk:
        raise invalid(_("Die Maßnahme gehört nicht zu diesem Konzept."), "foreign_measure")
    refuse_changed_costs(measure, state)
    _refuse_locked(measure, financings, removed_financings)
    doubts = year_doubts(concept, measure, cost_items, financings) if ask and not confirmed else []
    _refuse_cuts(concept, measure, cost_items, removed_cost_items, cut_confirmed, doubts)
    keys = keys_after(measure.financing.all(), financings, removed_financings, lambda f: (f.year, f.source))
    if repeated(keys):
        raise invalid(_("Je Jahr und Quelle ist nur eine Finanzierungszeile möglich."), "duplicate_financing")
    try:
        with change(user, via):
            # the measure's row locked: two saves at once wait for each other; what was called off is
            # read again under the payment requests' lock (the receiver of ``costs_cutting``)
            list(type(measure).objects.select_for_update().filter(pk=measure.pk).values_list("pk", flat=True))
            if state:
                refuse_changed_costs(measure, state)
            _refuse_cuts(concept, measure, cost_items, removed_cost_items, cut_confirmed)
            if once and not throttle.spend(f"costs:{measure.pk}", once):
                raise _resent(measure)
            for obj in (*removed_cost_items, *removed_financings):
                obj.delete()
            for obj in (*cost_items, *financings):
                obj.measure = measure
                obj.save()
    except IntegrityError:
        raise invalid(_("Je Jahr und Quelle ist nur eine Finanzierungszeile möglich."), "duplicate_financing") from None


def cost_items_from(concept, measure, rows, delete=()) -> tuple[list[CostItem], list[CostItem]]:
    """(changed and new, removed) cost items of ``measure`` from plain ``rows`` – each a dict of
    "year", "cost_group" (its number), "amount", optional "eligible" (none: the whole cost), "basis",
    "note" and "id" (a stored item it replaces; none: a new one) – and the ids in ``delete``, checked as
    the cost form checks them (the model's rules), for ``save_costs`` (API v1). Raises
    ``ValidationError`` with the problems by "cost_items[<n>].<field>" or "delete", nothing saved."""
    stored = {c.pk: c for c in CostItem.objects.filter(measure_id=measure.pk).select_related("cost_group")}
    groups = cost_groups_by_number(concept)
    errors: dict[str, list[str]] = {}
    items = []
    seen: set = set()
    for n, row in enumerate(rows):
        where = f"cost_items[{n}]"
        item = stored.get(row["id"]) if row.get("id") is not None else CostItem(measure=measure)
        if item is None:
            errors[f"{where}.id"] = [_("Diese Kostenposition gibt es bei dieser Maßnahme nicht.")]
            continue
        if item.pk is not None and item.pk in seen:  # one stored item twice: checked as two, saved as one
            errors[f"{where}.id"] = [_("Diese Kostenposition steht schon einmal in der Liste.")]
            continue
        seen.add(item.pk)
        group = groups.get(str(row["cost_group"]))
        if group is None:
            errors[f"{where}.cost_group"] = [_("Diese Kostengruppe gibt es im Katalog dieses Konzepts nicht.")]
            continue
        item.measure, item.year, item.cost_group, item.amount = measure, row["year"], group, row["amount"]
        item.eligible = row["amount"] if row.get("eligible") is None else row["eligible"]
        item.basis = row.get("basis") or item.basis or CostItem.Basis.ESTIMATE
        item.note = row.get("note", item.note) or ""
        try:
            item.full_clean(exclude=["measure"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"{where}.{field}" if field != "__all__" else where] = messages
            continue
        items.append(item)
    unknown = sorted({int(pk) for pk in delete} - set(stored))
    if unknown:
        errors["delete"] = [_("Diese Kostenpositionen gibt es bei dieser Maßnahme nicht: %(ids)s.") % {
            "ids": ", ".join(map(str, unknown))}]
    if {i.pk for i in items if i.pk} & {int(pk) for pk in delete}:
        errors["delete"] = [_("Eine Kostenposition kann nicht zugleich geändert und gelöscht werden.")]
    if errors:
        raise ValidationError(errors)
    return items, [stored[int(pk)] for pk in sorted(set(delete))]


def save_rates(user, concept, *, rates=(), removed_rates=(), cap: FundingCap | None = None, via: str = "web") -> None:
    """Save the funding rates per year and the funding cap (``cap`` with amount None removes it)."""
    access.require(user, "kuf", "edit", concept)
    twice = repeated(keys_after(FundingRate.objects.filter(concept=concept), rates, removed_rates, lambda r: r.year))
    if twice:
        raise invalid(_("Jedes Jahr darf nur einen Fördersatz haben (doppelt: %(y)s); nichts wurde gespeichert.")
                              % {"y": ", ".join(twice)}, "duplicate_rate")
    try:
        with change(user, via):
            for obj in removed_rates:
                obj.delete()
            for obj in rates:
                obj.concept = concept
                obj.save()
            if cap is not None:
                cap.concept = concept
                if cap.amount is not None:
                    cap.save()
                elif cap.pk:
                    cap.delete()
    except IntegrityError:
        raise invalid(_("Die Fördersätze konnten nicht gespeichert werden; nichts wurde geändert."), "rates_conflict") from None


def freeze_version(user, concept, name: str, kind: str, note: str = "", scenario: engine.Scenario | None = None,
                   *, via: str = "web") -> FinanceVersion:
    """Freeze the current plan (or a scenario of it) as an immutable version with a unique name."""
    access.require(user, "kuf", "freeze", concept)
    if FinanceVersion.objects.filter(concept=concept, name=name).exists():
        raise invalid(_("Eine Version mit diesem Namen gibt es schon; nichts wurde gespeichert."), "duplicate_version", "name")
    with change(user, via):
        return kuf.freeze(concept, name, kind, None if user.pk is None else user, note, scenario=scenario)


def apply_approval(user, concept, lines, *, reference: str, via: str = "web") -> int:
    """Turn the concept's financing lines into approved ones (decision 0058): for each of ``lines``
    – (measure key, year, source, requested, approved, reason) of the funding authority's approval
    (Zuwendungsbescheid), amounts in Decimal – the measure's financing row of that year and source
    gets the approved amount, status "bewilligt", the requested amount beside it and as its reason
    ``reference`` (the approval's file number and date) and the line's reason. Asked by the
    authority (``("application", "approve")``); inside the caller's recorded change, or its own.
    Returns the number of rows written; a measure no longer in the concept is refused."""
    access.require(user, "application", "approve", concept, submitted=True)
    keys = {str(k) for k in concept.measures.values_list("pk", flat=True)}
    missing = sorted({str(m) for m, *_rest in lines} - keys)
    if missing:
        raise invalid(_("Eine Maßnahme des Bescheids gibt es in diesem Konzept nicht mehr; nichts wurde übernommen."),
                      "unknown_measure")
    with change(user, via):
        for measure, year, source, requested, approved, reason in lines:
            row = Financing.objects.filter(measure_id=int(measure), year=year, source=source).first() or Financing(
                measure_id=int(measure), year=year, source=source)
            text = f"{reference}: {reason}" if reason else reference
            row.amount, row.requested, row.status, row.reason = approved, requested, APPROVED, text[:300]
            row.save()
    return len(lines)


def approval_differences(concept) -> list[dict]:
    """Where the approval differs from the request, per measure, year and source: the rows the KuF
    page, the dashboard and the reports show ("beantragt" against "bewilligt")."""
    found = (Financing.objects.filter(measure__concept=concept, status=APPROVED, requested__isnull=False)
             .select_related("measure"))
    labels = source_labels(concept)
    rank = {s: i for i, s in enumerate(SOURCES)}
    rows = [{"measure": f.measure, "year": f.year, "source": labels.get(f.source, f.source), "requested": f.requested,
             "approved": f.amount or engine.ZERO, "difference": (f.amount or engine.ZERO) - f.requested, "reason": f.reason,
             "order": (f.measure.sort_key, f.year, rank.get(f.source, 99))}
            for f in found if (f.amount or engine.ZERO) != f.requested]
    return sorted(rows, key=lambda r: r["order"])


def rate_groups(concept) -> list[tuple[FundingRate, list[FundingRate]]]:
    """The concept's funding rates as the rate form shows them: (first year, further years) for each
    run of consecutive years with the same rate and basis (2026–2035 at 60 % is one row)."""
    groups: list[tuple[FundingRate, list[FundingRate]]] = []
    for rate in FundingRate.objects.filter(concept=concept).order_by("year"):
        if groups:
            first, rest = groups[-1]
            last = rest[-1] if rest else first
            if last.year + 1 == rate.year and (rate.rate, rate.basis, rate.illustrative) == (first.rate, first.basis, first.illustrative):
                rest.append(rate)
                continue
        groups.append((rate, []))
    return groups


def suggested_rate(concept) -> dict | None:
    """For a concept without any funding rate: the rule rate of its Land (where isek knows one) for
    every year of the concept, with its source as the basis – the initial values of the rate form,
    stored only when the planner saves them. None otherwise."""
    rules = land_rules.for_ags(concept.city.ags)
    if rules is None or rules.rate_standard is None or FundingRate.objects.filter(concept=concept).exists():
        return None
    return {"year": concept.start_year, "until_year": concept.end_year, "rate": rules.rate_standard,
            "basis": _("Regelfördersatz nach %(guideline)s (%(source)s); bitte mit dem Fördersatz des Bescheids "
                       "abgleichen.") % {"guideline": rules.guideline.name, "source": rules.rates_source}}


def save_fund(user, concept, fund: Fund, *, via: str = "web") -> Fund:
    """Create or update a fund (façade programme, disposition fund) of ``concept``."""
    access.require(user, "fund", "edit", concept)
    if fund.measure_id and fund.measure.concept_id != concept.pk:
        raise invalid(_("Die Maßnahme gehört nicht zu diesem Konzept."), "foreign_measure", "measure")
    fund.concept = concept
    with change(user, via):
        fund.save()
    return fund


def save_fund_application(user, concept, fund: Fund, application: FundApplication, *, via: str = "web") -> FundApplication:
    """Create or update an application to a fund of ``concept``."""
    access.require(user, "fund", "edit", concept)
    if fund.concept_id != concept.pk:
        raise invalid(_("Der Fonds gehört nicht zu diesem Konzept."), "foreign_fund")
    application.fund = fund
    with change(user, via):
        application.save()
    return application


def fund_summaries(concept) -> list[dict]:
    """Each fund of ``concept`` with its applications, the approved grants and what remains."""
    out = []
    for fund in concept.funds.all():
        apps = list(fund.applications.all())
        used = sum((a.grant for a in apps if a.decision == "approved"), Decimal(0))
        out.append({"fund": fund, "applications": apps, "used": used, "remaining": fund.budget - used})
    return out


# The entity types other apps (the demo, the coming API) may construct and read.
__all__ = [
    "CostGroup", "CostItem", "FinanceVersion", "Financing", "Fund", "FundApplication", "FundingCap", "FundingRate",
    "APPROVED", "Change", "KufResult", "SOURCE_LABELS", "SOURCES", "compare", "cost_catalogue", "cost_groups",
    "cost_groups_by_number", "current", "hints", "version_before", "version_result", "ensure_reference_data",
    "export_kuf", "freeze_version",
    "approval_shortfalls", "cost_cuts", "cost_items_from", "costs_cutting",
    "changed_message", "commit_measure_import", "cost_form_token", "costs_state", "refuse_changed_costs", "fund_summaries", "plan_measure_import", "refuse_resent_costs", "save_costs", "save_fund", "save_fund_application",
    "measure_table", "rate_bases", "save_rates", "source_rows", "table",
    "version_by_name", "version_names",
]


# --- importing a measure list --------------------------------------------------------------------


def plan_measure_import(user, concept, path, filename=None, mapping: importing.Mapping | None = None) -> importing.Plan:
    """What importing the spreadsheet at ``path`` would do (nothing is written): measures created,
    changed and left alone, cost items per year, every problem at its row and cell. Without
    ``mapping`` the concept's remembered one (same headers) or one guessed from the headers."""
    access.require(user, "measure", "edit", concept)
    access.require(user, "kuf", "edit", concept)
    return importing.read_plan(concept, path, filename, mapping)[1]


def commit_measure_import(user, concept, plan: importing.Plan, *, via: str = "import") -> dict[str, int]:
    """Write ``plan`` – all of it or nothing (one transaction) – and remember its mapping for the
    concept. A plan with problems is refused. Returns the plan's counts."""
    from isek.concepts import services as concepts
    from isek.core.problems import InputError

    access.require(user, "measure", "edit", concept)
    access.require(user, "kuf", "edit", concept)
    if plan.problems:
        raise InputError(plan.problems)
    groups = cost_groups_by_number(concept)
    with change(user, via):
        for p in plan.measures:
            if p.action == "unchanged":
                continue
            m = p.measure or concepts.Measure(concept=concept, number=p.number)
            if p.measure is not None and p.measure.concept_id != concept.pk:
                raise concepts.Measure.DoesNotExist
            for k, v in p.values.items():
                if k == "field":
                    m.primary_field = v
                else:
                    setattr(m, k, v)
            if p.action == "create" or p.changes:
                concepts.save_measure(user, concept, m, via=via)
            items = []
            for year, group, amount, eligible, item in p.writes:
                item = item or CostItem(measure=m, year=year, cost_group=groups[group])
                item.amount, item.eligible = amount, eligible
                items.append(item)
            if items:
                save_costs(user, concept, m, cost_items=items, via=via)
        importing.remember(concept, plan.mapping)
    return plan.counts


def federal_share_of(concept):
    """The federal part of the eligible cost in the concept's programme, as a fraction (one third
    under the VV Städtebauförderung); None where isek does not know the programme."""
    programme = FundingProgramme.objects.filter(code=concept.programme).first()
    return programme.federal_share if programme is not None else None
