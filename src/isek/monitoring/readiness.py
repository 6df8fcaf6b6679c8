"""What is still missing before a concept can go into a funding application.

Each item is one part that isek's ISEK report and the application outline expect: the Land's
outline where isek knows it (isek.finance.land_rules; NRW: area, SWOT, population, retail where
relevant, goals and fields of action, measures with cost, financing and time plan, steering,
continuation, monitoring where relevant; DOMAIN.md §3 [34]), otherwise the general outline. An item is complete, incomplete (with
what is missing and where to fix it) or not applicable. The readiness page and the ISEK PDF (which
marks open parts "noch offen") read the same list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.dispatch import Signal
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from isek.analysis import services as analysis
from isek.concepts.services import Concept
from isek.core import geo, numbers
from isek.finance import services as finance
from isek.legal import services as legal

from .models import Indicator, ReportText

COMPLETE, INCOMPLETE, NOT_APPLICABLE = "complete", "incomplete", "not_applicable"


# Sent by ``council_decision_of`` with ``concept``: a receiver answers the date of the council
# decision it holds for the concept (the procedure app: the newest application's, which the city must
# give), so the readiness page, the ISEK PDF and the application's readiness agree (decision 0075).
council_decision_given = Signal()


def council_decision_of(concept):
    """The date of the council decision on ``concept``: its own, else the newest one an application
    of it gives (None where neither has one)."""
    if concept.council_decision_date is not None:
        return concept.council_decision_date
    dates = [answer for _receiver, answer in council_decision_given.send(Concept, concept=concept) if answer]
    return max(dates, default=None)


@dataclass(frozen=True)
class Gap:
    """One missing part and the form that fills it in (its text reads as the part's text)."""

    text: str
    url: str
    admin: bool = False  # filled in by isek's administration, not by the concept's planners

    def __str__(self) -> str:
        return str(self.text)


@dataclass
class Item:
    key: str
    label: str
    status: str
    missing: list[Gap] = field(default_factory=list)
    url: str = ""
    application: bool = True  # part of the application; False: needed before going public (not counted, not in the PDF)

    @property
    def open(self) -> bool:
        return self.status == INCOMPLETE


def _item(key, label, missing, url, applicable=True) -> Item:
    """An item; a missing part given as plain text is filled in on the item's own page ``url``."""
    if not applicable:
        return Item(key, label, NOT_APPLICABLE, [], url)
    gaps = [m if isinstance(m, Gap) else Gap(m, url) for m in missing]
    return Item(key, label, INCOMPLETE if gaps else COMPLETE, gaps, url)


def check(concept: Concept, council_decision=None) -> list[Item]:
    """The readiness checklist of ``concept``; ``council_decision``: the date an application gives
    for the council decision, which counts where the concept has none (the application's page and
    its snapshot say what the application holds, decision 0065)."""
    slug = concept.slug
    edit = reverse("concepts:concept-edit", args=[slug])
    texts_url = reverse("monitoring:report-texts", args=[slug])
    texts = {t.section: t.text.strip() for t in ReportText.objects.filter(concept=concept)}

    def text_missing(*sections):  # each to its field on the texts page
        return [Gap(_("Text „%(s)s“") % {"s": ReportText.Section(s).label}, f"{texts_url}#id_{s}-text")
                for s in sections if not texts.get(s)]

    items = []
    missing = []
    if concept.area is None:
        missing.append(Gap(_("Fördergebiet (auf der Karte zeichnen oder hochladen)"),
                           reverse("concepts:concept-import", args=[slug])))
    if not concept.legal_basis:
        missing.append(_("Rechtsgrundlage des Gebiets"))
    decision = finance.decision_words(concept)  # a city-state's Senat or Bezirksamt, not a council
    if concept.council_decision_date is None and council_decision is None:
        missing.append(decision["decision_missing"])
    if concept.area is not None and concept.area_approximated:  # "Abgrenzung angenähert": not the decided boundary
        missing.append(Gap(_("beschlossene Abgrenzung des Fördergebiets (die jetzige ist als angenähert markiert)"),
                           reverse("concepts:concept-import", args=[slug])))
    missing += _quarter_gaps(concept)
    missing += text_missing("area")
    items.append(_item("area", _("Fördergebiet, Rechtsgrundlage und %(decision)s") % {"decision": decision["decision"]},
                       missing, edit))

    runs = analysis.has_finished_run(concept)
    covered = analysis.coverage_note(concept) if runs else None
    gaps = [] if runs else [_("eine abgeschlossene Analyse")] if analysis.has_input(concept) else [
        Gap(_("eine abgeschlossene Analyse: zuerst einen OSM-Extrakt hochladen (oder städtische Ebenen eintragen)"),
            reverse("geodata:basemap", args=[slug]))]
    if covered is not None:  # the values hold for part of the area only: a fuller extract is missing
        gaps.append(Gap(covered, reverse("geodata:basemap", args=[slug])))
    items.append(_item("analysis", _("Bestandsanalyse"), gaps, reverse("analysis:analysis", args=[slug])))
    items.append(_item("population", _("Bevölkerung"), text_missing("population"), texts_url))
    items.append(_item("retail", _("Einzelhandel und Zentrenfunktion"), text_missing("retail"), texts_url,
                       applicable=concept.programme == Concept.Programme.LEBENDIGE_ZENTREN))
    items.append(_item("swot", _("Stärken, Schwächen, Chancen, Risiken"),
                       text_missing("strengths", "weaknesses", "opportunities", "threats"), texts_url))
    items.append(_item("mission", _("Leitbild"), [] if concept.mission.strip() else [_("Leitbild")], edit))

    fields = list(concept.fields_of_action.prefetch_related("goals"))
    missing = [] if fields else [_("mindestens ein Handlungsfeld")]
    missing += [_("Ziele im Handlungsfeld %(n)s") % {"n": f.number} for f in fields if not f.goals.all()]
    goals = [g for f in fields for g in f.goals.all()]
    if proposed := sum(1 for g in goals if g.illustrative):  # a template's suggestions, not yet the city's goals
        missing.append(ngettext("%(n)s von %(total)s Zielen ist noch ein Vorschlag der Vorlage (illustrativ): "
                                "übernehmen oder ändern", "%(n)s von %(total)s Zielen sind noch Vorschläge der Vorlage "
                                "(illustrativ): übernehmen oder ändern", proposed) % {"n": proposed, "total": len(goals)})
    items.append(_item("structure", _("Handlungsfelder und Ziele"), missing, reverse("concepts:concept-structure", args=[slug])))

    kuf = {item: [Gap(h.text, h.url) for h in found] for item, found in finance.open_checks(concept).items()}
    measures = list(concept.measures.prefetch_related("cost_items").order_by("sort_key"))
    missing = [] if measures else [Gap(_("mindestens eine Maßnahme"), reverse("concepts:measure-new", args=[slug]))]
    for m in measures:
        gaps = []  # the measure form places it and plans its time
        if m.geometry is None:  # a measure without a place of its own: "gilt für das ganze Fördergebiet"
            gaps.append(_("Verortung (oder „gilt für das ganze Fördergebiet“)"))
        if not (m.start and m.end):
            gaps.append(_("Zeitplan"))
        m.concept = concept  # one concept (with its area) for all its measures
        if outside := m.outside:  # funding goes to the funding area: a location beyond it is to be checked
            gaps.append(_("Verortung prüfen (%(outside)s)") % {"outside": outside})
        if gaps:
            missing.append(Gap(_("Maßnahme %(n)s: %(gaps)s") % {"n": m.number, "gaps": ", ".join(str(g) for g in gaps)},
                               reverse("concepts:measure-edit", args=[slug, m.pk])))
        if not m.cost_items.all():  # an estimate alone is not in the KuF; grants follow from the rates
            missing.append(Gap(_("Maßnahme %(n)s: %(gaps)s") % {"n": m.number, "gaps": _("Kosten je Jahr in der KuF")},
                               reverse("finance:kuf-measure", args=[slug, m.pk])))
    missing += kuf.get("measures", [])
    items.append(_item("measures", _("Maßnahmen mit Kosten, Finanzierung und Zeitplan"), missing,
                       reverse("finance:kuf", args=[slug])))
    # Checked against the concept's own years, whether or not isek knows the Land's rules: each
    # year of the concept needs its rate (a new user's walk in Baden-Württemberg read "nicht
    # zutreffend" with every rate set).
    rated = set(concept.funding_rates.values_list("year", flat=True))
    unrated = [y for y in range(concept.start_year, concept.end_year + 1) if y not in rated]
    missing = ([_("Fördersatz je Jahr")] if not rated else
               [_("Fördersatz für %(years)s") % {"years": ", ".join(map(str, unrated))}] if unrated else [])
    missing += kuf.get("rates", [])  # e.g. the grant above the cap
    items.append(_item("rates", _("Fördersätze der Jahre"), missing, reverse("finance:kuf-rates", args=[slug])))
    items.append(_item("steering", _("Steuerung und Beteiligung"), text_missing("steering"), texts_url))
    items.append(_item("continuation", _("Verstetigung"), text_missing("continuation"), texts_url))

    indicators = list(Indicator.objects.filter(concept=concept))
    missing = [] if indicators else [Gap(_("mindestens ein Indikator"), reverse("monitoring:indicator-new", args=[slug]))]
    missing += [Gap(_("Ausgangs- und Zielwert von „%(n)s“") % {"n": i.name}, reverse("monitoring:indicator-edit", args=[slug, i.pk]))
                for i in indicators
                if i.kind != Indicator.Kind.CONTEXT and (i.baseline_value is None or i.target_value is None)]
    missing += text_missing("monitoring")
    items.append(_item("monitoring", _("Monitoring: Indikatoren mit Ausgangs- und Zielwert"), missing,
                       reverse("monitoring:indicators", args=[slug])))
    # Before the concept or a participation goes public: the city's Impressum and privacy contact,
    # which the city's administration or isek's fills in (policy cell ("legal", "edit"): ADM, CA) –
    # as the concept's form and the phase's say it (walk of Landshut: this said isek's alone; decision 0105)
    missing = [Gap(_("%(gap)s – eintragen kann das nur die Administration der Stadt oder die von isek") % {
        "gap": g["text"]}, g["url"], admin=True) for g in legal.missing(concept.city)]
    legal_item = _item("legal", _("Impressum und Datenschutzkontakt der Stadt (für öffentliche Seiten und die Beteiligung)"),
                       missing, missing[0].url if missing else "")
    legal_item.application = False
    items.append(legal_item)
    return items


# An overlap thinner than this on average (twice its area over its perimeter) is where two quarters
# share an edge drawn or reprojected a little differently, not an overlap (walk 11, Gera: two
# quarters meeting at one line were reported as overlapping "ca. 1 m²").
SLIVER_WIDTH_M = 0.5


def _quarter_gaps(concept: Concept) -> list[Gap]:
    """Quarters that reach beyond the funding area or overlap another (parts below 1 m² or thinner
    than SLIVER_WIDTH_M are drawing slivers), each to the quarter's form."""
    quarters = list(concept.quarters.all())
    srid = concept.working_srid if quarters else None
    shapes = {q.pk: geo.from_django(q.geometry) for q in quarters}
    gaps = []
    for i, q in enumerate(quarters):
        url = reverse("concepts:quarter-edit", args=[concept.slug, q.pk])
        q.concept = concept
        if outside := q.outside:
            gaps.append(Gap(_("Teilraum „%(q)s“: %(outside)s") % {"q": q.name, "outside": outside}, url))
        for other in quarters[i + 1:]:
            both = shapes[q.pk].intersection(shapes[other.pk])
            shared = geo.area_m2(both, srid)
            if shared >= 1 and 2 * shared / geo.length_m(both, srid) >= SLIVER_WIDTH_M:
                gaps.append(Gap(_("Teilräume „%(q)s“ und „%(o)s“ überschneiden sich (ca. %(m2)s m²)") % {
                    "q": q.name, "o": other.name, "m2": numbers.figure(shared, get_language(), 0)}, url))
    return gaps


def summary(items: list[Item]) -> dict:
    """How many parts of the application are complete (the items needed before going public are not counted)."""
    applicable = [i for i in items if i.status != NOT_APPLICABLE and i.application]
    done = sum(1 for i in applicable if i.status == COMPLETE)
    return {"done": done, "total": len(applicable), "ready": done == len(applicable)}

