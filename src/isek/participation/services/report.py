"""The evaluation report of a phase (issue 24, point 5; "Auswertung der Beteiligung"): per theme and
per quarter of the concept what was said – counts, places, the citizens' own sentences, the city's
answers –, what became of each contribution (outcome, linked measure), and the method and figures
of isek's theme suggestions (how many a person confirmed, corrected, how many are still open).

One structure (``EvaluationReport``) feeds the page, the PDF and the XLSX
(``participation.reporting``), so all three show the same figures. The theme of a contribution is
the one a person confirmed in the theme review, else its own (as submitted or imported); isek's
suggestions are proposals and count nowhere. A contribution's quarter is the concept's quarter its
place lies in (a point on its surface; in several overlapping quarters it counts in each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_noop, pgettext
from django.utils.translation import gettext as _
from django_tasks import task

from isek import access
from isek.concepts.services import Concept
from isek.core import geo
from isek.core import jobs as background
from isek.core.rules import invalid

from .. import jobs as pdf_jobs
from ..models import DuplicateReview, GroupDecision, ImportSource, Outcome, Phase, ReportPdf, Status, ThemeReview
from .evaluation import _evaluated, _ideas, duplicates_of, theme_evaluation
from .groups import QUOTES, SUPPORT_KINDS, Figures, Quote, _grouped, _remember, _text, changed_since_grouping

NO_PLACE, OUTSIDE = "ohne-ort", "ausserhalb"
KEEP_PDFS = pdf_jobs.KEEP  # finished PDFs kept per phase and language (walk 24)
NO_FIT, NO_FIT_COLOUR = "kein-thema", "#9e9e9e"  # a person decided that no theme fits (walk 24)


FALLBACK, FALLBACK_COLOUR = "ohne-thema", "#bdbdbd"  # the import's fallback theme, no one's choice (fix24)


def no_fit_label() -> str:
    return _("kein Thema passt")


def unsuggested_label() -> str:
    """A theme a person chose where isek showed no suggestion (decision 0081)."""
    return _("gewählt ohne Vorschlag")


def fallback_label() -> str:
    # fix24d: also the rows imported without any theme ("ohne Thema (isek schlägt vor)"): none was assigned
    return _("ohne Thema (beim Import keins oder nur ersatzweise zugewiesen)")


@dataclass
class Part:
    """A theme or a quarter: its figures, the ideas per theme (quarters) and the citizens' words."""

    key: str
    name: str
    colour: str
    figures: Figures = field(default_factory=Figures)
    confirmed: int = 0  # a person confirmed isek's proposal (themes)
    corrected: int = 0  # a person chose another theme than proposed (themes)
    unsuggested: int = 0  # a person chose a theme where isek showed no suggestion (themes; decision 0081)
    open: int = 0  # nobody decided yet (themes)
    suggested: int | None = None  # open ideas isek suggests for this theme (a proposal, counted nowhere else)
    per_theme: dict = field(default_factory=dict)  # theme key → ideas (quarters)
    counts: list[int] = field(default_factory=list)  # the same in the order of the report's themes
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class Line:
    """One contribution: what it is, where, and what became of it."""

    idea: object  # Idea
    theme: str
    quarters: list[str]
    supports: int
    reviewed: str  # "bestätigt", "korrigiert", "gewählt ohne Vorschlag", "offen", "kein Thema passt" or "Duplikat von I-n"
    outcome: str  # the outcome's label
    measure: str  # the linked measure ("M 1.2 Title"), empty if none
    original: str  # imported: the original's URL
    group: str = ""  # its group in the evaluation (the planner's name, else isek's), empty if none


@dataclass
class ReportGroup:
    """A group of similar contributions as the planner left it (fix24b): its name (the planner's,
    else isek's), isek's proposed name when the planner renamed it, its contributions, its
    characteristic words and whether the planner worked on it (merged, split, moved: its
    contributions stay in it when isek computes again)."""

    name: str
    proposed: str  # isek's name, when the planner gave another; else empty
    ideas: int
    words: list[str]
    kept: bool
    decisions: list = field(default_factory=list)  # the planner's GroupDecision on it, oldest first (decision 0081)


# the paper a council decides on, where it is not a "Ratsvorlage": a city-state has no Stadtrat
# (fix24e); by the longest prefix of the city's AGS. Bremen's city (04011) has its Stadtbürgerschaft,
# Bremerhaven (04012) its Stadtverordnetenversammlung.
PAPERS = {
    "02": gettext_noop("Drucksache für die Bezirksversammlung"),
    "11": gettext_noop("Vorlage für die Bezirksverordnetenversammlung"),
    "04011": gettext_noop("Vorlage für die Stadtbürgerschaft"),
    "04012": gettext_noop("Vorlage für die Stadtverordnetenversammlung"),
}


def council_paper(ags: str) -> str:
    """The paper the evaluation is attached to, for the city of ``ags``, in the active language:
    "Ratsvorlage" but in Hamburg, Berlin and Bremen."""
    found = [k for k in PAPERS if (ags or "").startswith(k)]
    return _(PAPERS[max(found, key=len)]) if found else _("Ratsvorlage")


QUARTER_COLUMNS = 5  # quarters side by side in one table of the PDF (A4 portrait)


@dataclass
class EvaluationReport:
    concept: Concept
    phase: Phase
    themes: list[Part]
    quarters: list[Part]  # the concept's quarters, then "außerhalb der Teilräume" and "ohne Ort" when used
    lines: list[Line]
    sources: list[ImportSource]  # imported contributions' sources (licence, attribution)
    total: Figures
    confirmed: int
    corrected: int
    open: int
    rejected: int  # not evaluated: rejected by the moderation
    merged: int  # not evaluated: merged into another idea
    created_at: object
    measures_linked: int = 0
    no_fit: int = 0  # a person decided that no theme fits: counted so, not under a theme
    problem: str = ""
    accepted: int = 0  # of the confirmed: isek's own suggestion kept (not the idea's own theme; walk 24)  # why isek has no suggestions (the engine's message)
    # of ``total``: marked a duplicate of an earlier one by a person; counted once, under the
    # earlier one – not again in the themes, quarters and theme decisions (walk 24, decision 0064)
    duplicates: int = 0
    counted: Figures = field(default_factory=Figures)  # the themes' sum: ``total`` without the duplicates
    # ``total.supports`` by kind (decision 0041; sup22): {"email", "account", "none"} – ``total.kinds``;
    # each theme's and quarter's ``figures.kinds`` likewise (decision 0074)
    support_kinds: dict = field(default_factory=dict)
    groups: list[ReportGroup] = field(default_factory=list)  # largest first (fix24b)
    group_decisions: list = field(default_factory=list)  # the planner's GroupDecision, oldest first
    # chosen where isek showed no suggestion (imported "ohne Thema", the import's fallback): neither
    # "bestätigt" nor "korrigiert" – confirming nothing of isek's (decision 0081)
    unsuggested: int = 0
    # contributions that came since the groups were last computed (not in a group), and those that
    # went (still counted in a group's stored members): the GET shows the stored groups (decision 0081)
    ungrouped: int = 0
    ungrouped_gone: int = 0

    @property
    def paper(self) -> str:
        """"Ratsvorlage", or the word of a city-state (``council_paper``)."""
        return council_paper(self.concept.city.ags)

    @property
    def suggested(self) -> int | None:
        """The themes' "davon von isek vorgeschlagen" summed (None while isek has no suggestion)."""
        got = [t.suggested for t in self.themes if t.suggested is not None]
        return sum(got) if got else None

    @property
    def fallback(self) -> int:
        """Open ideas whose theme is only the import's fallback: counted without a theme."""
        return next((t.figures.ideas for t in self.themes if t.key == FALLBACK), 0)

    @property
    def other_decisions(self) -> list:
        """The planner's group decisions listed with none of the groups (their groups are gone, or
        decided before decisions were stored with their groups), oldest first."""
        shown = {d.pk for g in self.groups for d in g.decisions}
        return [d for d in self.group_decisions if d.pk not in shown]

    @property
    def reviewed(self) -> int:
        return self.confirmed + self.corrected + self.unsuggested + self.no_fit

    @property
    def own_confirmed(self) -> int:
        """Confirmations of the idea's own theme (as submitted or imported; isek had no suggestion)."""
        return self.confirmed - self.accepted

    @property
    def has_places(self) -> bool:
        """Whether any evaluated contribution has a place (else the PDF leaves "Nach Teilräumen" out)."""
        return any(q.key != NO_PLACE and q.figures.ideas for q in self.quarters)

    @property
    def quarter_tables(self) -> list[dict]:
        """The PDF's table per quarter × theme, themes as rows and at most QUARTER_COLUMNS quarters
        as columns per table (walk 16): it fits A4 however many themes and quarters there are."""
        tables = []
        for start in range(0, len(self.quarters), QUARTER_COLUMNS):
            cols = self.quarters[start:start + QUARTER_COLUMNS]
            tables.append({"quarters": cols, "totals": [q.figures.ideas for q in cols],
                           "rows": [(t.name, [q.counts[n] for q in cols]) for n, t in enumerate(self.themes)]})
        return tables

    @property
    def with_suggestion(self) -> int:
        """The decisions where isek showed a suggestion: all but those "gewählt ohne Vorschlag"."""
        return self.reviewed - self.unsuggested

    @property
    def accepted_percent(self) -> int | None:
        """How often a person kept isek's suggestion, of the decisions where isek showed one (fix24f:
        it divided by all, those without a suggestion too); None before any."""
        return round(100 * self.accepted / self.with_suggestion) if self.with_suggestion else None


def report_phase(user, concept: Concept, phase_pk) -> Phase:
    """The phase of ``concept`` named by ``phase_pk``; a clear message if there is none (another
    concept's phase, an unknown or malformed number)."""
    access.require(user, "moderation", "view", concept)
    try:
        phase = Phase.objects.filter(concept=concept, pk=int(phase_pk)).first()
    except (TypeError, ValueError):
        phase = None
    if phase is None:
        raise invalid(_("Diese Beteiligungsphase gibt es in diesem Konzept nicht; bitte eine Phase aus der Liste der "
                        "Beteiligung wählen."), "phase", "phase")
    return phase


def _quarters_of(concept: Concept, ideas) -> tuple[list[Part], dict[int, list[str]]]:
    """The concept's quarters as parts, and per idea the keys of the quarters its place lies in."""
    from shapely.prepared import prep

    parts, shapes = [], []
    for q in concept.quarters.all():
        parts.append(Part(f"q{q.pk}", q.name, q.colour))
        shapes.append(prep(geo.from_django(q.geometry)))
    where: dict[int, list[str]] = {}
    for i in ideas:
        if i.geometry is None:
            where[i.pk] = [NO_PLACE]
            continue
        point = geo.from_django(i.geometry).representative_point()
        where[i.pk] = [p.key for p, s in zip(parts, shapes) if s.contains(point)] or [OUTSIDE]
    used = {k for keys in where.values() for k in keys}
    if OUTSIDE in used:
        parts.append(Part(OUTSIDE, _("außerhalb der Teilräume"), "#757575"))
    if NO_PLACE in used:
        parts.append(Part(NO_PLACE, _("ohne Ort"), "#9e9e9e"))
    return parts, where


def evaluation_report(user, concept: Concept, phase: Phase) -> EvaluationReport:
    """The report of ``phase`` (of ``concept``): every evaluated idea (all but rejected ones and
    those merged into another) by theme and quarter, with quotes, answers and outcomes."""
    access.require(user, "moderation", "view", concept)
    if phase.concept_id != concept.pk:
        raise invalid(_("Diese Beteiligungsphase gehört nicht zu diesem Konzept."), "phase", "phase")
    ideas = _ideas(phase, "geometry", "illustrative", "answer", "outcome", "measure_id", "source_id", "source_url",
                   "source_date", "created_at",
                   "status")
    measures = {m.pk: m for m in concept.measures.all()}
    themes = {t.pk: Part(str(t.pk), t.name, t.colour) for t in phase.themes.all()}
    no_fit = Part(NO_FIT, no_fit_label(), NO_FIT_COLOUR)
    # an idea whose theme is the import's fallback and no person decided: counted without a theme,
    # open, with isek's suggestion where it has one – as the themes page shows it (walk fix24)
    fallback = Part(FALLBACK, fallback_label(), FALLBACK_COLOUR)
    suggestions = theme_evaluation(user, concept, phase)  # the engine is kept per process (decision 0051)
    isek_of = {r.idea.pk: r.suggested for r in suggestions.rows if r.review is None and r.suggested is not None}
    reviews = {r.idea_id: r for r in ThemeReview.objects.filter(idea__phase=phase).only(
        "idea_id", "theme_id", "proposed_id", "confidence", "unsuggested")}
    kinds_of = _support_kinds_by_idea(phase)
    by_pk = {i.pk: i for i in ideas}
    # the same as the themes page counts (decision 0076)
    duplicate_of = {later: by_pk[earlier] for later, earlier in duplicates_of(phase, by_pk).items()}
    groups, group_of = _groups(phase, ideas)
    came, went = changed_since_grouping(phase, ideas)
    quarters, where = _quarters_of(concept, ideas)
    by_quarter = {q.key: q for q in quarters}
    outcomes = dict(Outcome.choices)
    total, counted, lines = Figures(), Figures(), []
    members: dict[tuple, list[int]] = {}
    used: set[str] = set()  # the parts a line names (a duplicate's too: the map's key needs it)
    for i in ideas:
        review = reviews.get(i.pk)
        if review is None and (i.theme_fallback or i.theme_id is None):  # also imported without one (minor24)
            theme = fallback
        else:
            theme = no_fit if review and review.no_fit else themes[review.theme_id if review else i.theme_id]
        used.add(theme.key)
        kinds = kinds_of.get(i.pk)
        n = sum(kinds.values()) if kinds else 0
        total.add(i, n, kinds)
        if i.pk in duplicate_of:  # counted once: under the earlier contribution it duplicates
            m = measures.get(i.measure_id)
            lines.append(Line(i, theme.name, [by_quarter[k].name for k in where[i.pk]], n,
                              _("Duplikat von %(ref)s") % {"ref": duplicate_of[i.pk].reference},
                              str(outcomes.get(i.outcome, "")) if i.outcome else "", f"{m.number} {m.title}" if m else "",
                              i.source_url, group_of.get(i.pk, "")))
            continue
        counted.add(i, n, kinds)
        theme.figures.add(i, n, kinds)
        if theme is no_fit:
            reviewed = no_fit_label()
        elif review is None:
            theme.open += 1
            reviewed = pgettext("Thema: noch ohne Entscheidung", "offen")
            if theme is fallback and i.pk in isek_of:
                reviewed = _("offen – isek schlägt vor: %(theme)s") % {"theme": isek_of[i.pk].name}
        elif review.unsuggested:
            theme.unsuggested += 1
            reviewed = unsuggested_label()
        elif review.corrected:
            theme.corrected += 1
            reviewed = _("korrigiert")
        else:
            theme.confirmed += 1
            reviewed = _("bestätigt")
        members.setdefault(("theme", theme.key), []).append(i.pk)
        for k in where[i.pk]:
            q = by_quarter[k]
            q.figures.add(i, n, kinds)
            q.per_theme[theme.key] = q.per_theme.get(theme.key, 0) + 1
            members.setdefault(("quarter", k), []).append(i.pk)
        m = measures.get(i.measure_id)
        lines.append(Line(i, theme.name, [by_quarter[k].name for k in where[i.pk]], n, reviewed,
                          str(outcomes.get(i.outcome, "")) if i.outcome else "",
                          f"{m.number} {m.title}" if m else "", i.source_url, group_of.get(i.pk, "")))
    by_key = {t.key: t for t in [*themes.values(), fallback, no_fit]}
    _quotes(phase, ideas, members, by_key, by_quarter)
    if not suggestions.problem and suggestions.confirmed + suggestions.corrected + suggestions.unsuggested:
        # "davon von isek vorgeschlagen": of the theme's open ideas (duplicates counted once, under the
        # earlier one: not here), those isek's own suggestion puts in this theme too – never more than
        # the theme's open ones (walk 25: 655 of 650, duplicates counted)
        if any(r.suggested or r.alternative for r in suggestions.rows):  # else "–": isek has none yet
            for t in [*themes.values(), fallback]:
                t.suggested = 0
        for r in suggestions.rows:
            if r.review is None and r.idea.pk not in duplicate_of and r.suggested is not None:
                if r.fallback:  # counted without a theme: isek's suggestion is all it has
                    fallback.suggested += 1
                elif r.suggested.pk == r.idea.theme_id:
                    themes[r.idea.theme_id].suggested += 1
    themes_list = list(themes.values()) + [p for p in (fallback, no_fit) if p.key in used]
    for q in quarters:
        q.counts = [q.per_theme.get(t.key, 0) for t in themes_list]
    rejected = phase.ideas.filter(status=Status.REJECTED).count()
    merged = phase.ideas.exclude(status=Status.REJECTED).filter(Q(status=Status.MERGED) | ~Q(merged_into=None)).count()
    return EvaluationReport(
        concept, phase, themes_list, quarters, lines, list(ImportSource.objects.filter(ideas__phase=phase).distinct()),
        total, confirmed=sum(t.confirmed for t in themes_list), corrected=sum(t.corrected for t in themes_list),
        open=sum(t.open for t in themes_list), unsuggested=sum(t.unsuggested for t in themes_list),
        rejected=rejected, merged=merged,
        created_at=timezone.now(), measures_linked=sum(1 for li in lines if li.measure), no_fit=no_fit.figures.ideas,
        problem=suggestions.problem,
        # a confirmation with a confidence confirmed isek's suggestion; without, the idea's own theme
        accepted=sum(1 for i in ideas if (r := reviews.get(i.pk)) and r.confirmed
                     and r.confidence is not None and i.pk not in duplicate_of), duplicates=len(duplicate_of), counted=counted,
        support_kinds=total.kinds, groups=groups, ungrouped=came, ungrouped_gone=went,
        group_decisions=list(GroupDecision.objects.filter(phase=phase).order_by("at", "pk")))


GROUP_WORDS = 5  # characteristic words per group in the report


def _groups(phase: Phase, ideas) -> tuple[list[ReportGroup], dict[int, str]]:
    """The phase's groups as the planner left them and as stored – never computed here: the report
    is read (its page a GET; decision 0081), so contributions that came since are in no group and
    the report says how many – and each contribution's group name (fix24b: the planner's group work
    did not reach the report)."""
    rows, _seconds, _problem = _grouped(phase, ideas, compute=False)
    groups, group_of = [], {}
    for r in rows:
        g = r.group
        renamed = bool(g.name) and g.name != g.proposed_name
        groups.append(ReportGroup(g.title, g.proposed_name if renamed else "", len(r.ideas),
                                  g.word_list[:GROUP_WORDS], g.kept, r.decisions))
        for i in r.ideas:
            group_of[i.pk] = g.title
    return groups, group_of


def _quotes(phase: Phase, ideas, members: dict, themes: dict, quarters: dict) -> None:
    # themes: by the part's key
    """Each theme's and quarter's most representative sentences (the citizens' own), kept per
    process while the ideas and their themes and places stay."""
    from ..evaluation.summaries import representative_sentences

    key = (frozenset((i.pk, i.title, i.text) for i in ideas), frozenset((k, tuple(v)) for k, v in members.items()))
    found = _remember(("report-quotes", phase.pk), key, lambda: representative_sentences(
        [_text(i) for i in ideas], members, per_group=QUOTES))
    by_pk = {i.pk: i for i in ideas}
    for (kind, k), quotes in found.items():
        part = themes[k] if kind == "theme" else quarters[k]
        part.quotes = [Quote(by_pk[q.id], q.sentence) for q in quotes]


def _support_counts(phase: Phase) -> dict:
    """{idea pk: supports that count} (those still waiting for their e-mail confirmation count in no
    number, decision 0041)."""
    from ..models import Support

    return dict(phase.ideas.filter(supports__isnull=False).annotate(
        n=Count("supports", filter=~Q(supports__confirmation=Support.Confirmation.PENDING))).values_list("pk", "n"))


def _support_kinds_by_idea(phase: Phase) -> dict:
    """{idea pk: {"email", "account", "none": supports that count}} – confirmed by e-mail, with an
    account, not confirmed; those waiting for their e-mail link count in no number (decision 0041).
    The tables per theme and quarter add them up as the idea pages count them (decision 0074)."""
    from ..models import Support

    kinds: dict[int, dict] = {}
    for idea_pk, confirmation, n in (Support.objects.filter(idea__phase=phase).exclude(
            confirmation=Support.Confirmation.PENDING).values_list("idea_id", "confirmation")
            .annotate(n=Count("pk")).values_list("idea_id", "confirmation", "n")):
        kinds.setdefault(idea_pk, dict.fromkeys(SUPPORT_KINDS, 0))[confirmation] = n
    return kinds


def report_features(user, concept: Concept, phase: Phase, url_of) -> dict:
    """The evaluated ideas with a place as GeoJSON, coloured by their theme (the report's map)."""
    import json

    access.require(user, "moderation", "view", concept)
    themes = {t.pk: t for t in phase.themes.all()}
    confirmed = dict(ThemeReview.objects.filter(idea__phase=phase).values_list("idea_id", "theme_id"))
    supports = _support_counts(phase)
    features = []
    for i in _evaluated(phase).exclude(geometry=None).only("pk", "number", "title", "theme_id", "theme_fallback",
                                                           "geometry", "illustrative", "concept_id").order_by("number"):
        t = themes.get(confirmed.get(i.pk, i.theme_id))  # None: a person decided that no theme fits
        name, colour = (t.name, t.colour) if t else (no_fit_label(), NO_FIT_COLOUR)
        if (i.theme_fallback or i.theme_id is None) and i.pk not in confirmed:  # the import's fallback is no theme
            name, colour = fallback_label(), FALLBACK_COLOUR
        features.append({"type": "Feature", "id": i.pk, "geometry": json.loads(i.geometry.geojson), "properties": {
            "id": i.pk, "reference": i.reference, "title": i.title, "theme": name, "colour": colour,
            "supports": supports.get(i.pk, 0), "url": url_of(i), "illustrative": i.illustrative, "pending": False}})
    return {"type": "FeatureCollection", "name": f"{concept.slug}-report", "features": features}


def method_text() -> str:
    """isek's method of the theme suggestions in one paragraph (in the active language)."""
    return _("isek schlägt für jeden Beitrag ein Thema vor: ein lineares Modell (logistische Regression) über den "
             "Wortstämmen des Titels und Texts (deutsche Grundformen, Wortpaare, TF-IDF), gelernt allein aus den "
             "Themen, die eine Person in der Auswertung bestätigt oder korrigiert hat, nicht aus den eingereichten "
             "oder importierten. Mit jeder Antwort lernt isek neu und schlägt vor, welche Beiträge als Nächstes "
             "zugeordnet werden sollten (die, bei denen es am unsichersten ist, solche aus noch unerkundeten Gruppen "
             "und solche zu Themen mit erst wenigen Entscheidungen). Zu jedem Vorschlag zeigt isek seine Sicherheit "
             "(die Wahrscheinlichkeit, die das Modell seinem Thema unter allen Themen der Phase gibt; ab 40 "
             "Entscheidungen an diesen geeicht, sodass sie sagt, wie oft ein Vorschlag dieser Sicherheit bei den "
             "schon entschiedenen Beiträgen stimmte) und die Wörter, die dazu "
             "geführt haben; das Thema, unter dem ein Beitrag eingereicht oder importiert wurde, ersetzt es erst, "
             "wenn sein eigenes mindestens doppelt so wahrscheinlich ist. Alles läuft auf dem Server der Stadt, ohne externen Dienst. Ein Vorschlag ist "
             "nie endgültig: In diesem Bericht zählt je Beitrag das von einer Person bestätigte Thema, sonst das "
             "Thema, unter dem er eingereicht oder importiert wurde; ein Beitrag, dem der Import nur ersatzweise ein "
             "Thema gab (Zeilen ohne Thema), zählt bis zu einer Entscheidung als „ohne Thema“. Die Zitate sind Sätze der Beiträge selbst, "
             "unverändert und nach ihrer Nähe zum Kern des Themas oder Teilraums ausgewählt; isek erzeugt keinen "
             "Text.")


def report_xlsx(user, concept: Concept, phase: Phase) -> bytes:
    """The report as XLSX in the active language: the figures per theme and quarter, every contribution."""
    from .. import reporting

    return reporting.xlsx_bytes(evaluation_report(user, concept, phase), method_text())


# --- the PDF as a background job (issue #24 point 6, decision 0061) ------------------------------


def _build_pdf(job: ReportPdf, path, progress) -> int:
    """The job's PDF at ``path`` in the language of the page that started it; its pages. The
    installation builds it (the start checked the person's right)."""
    from .. import reporting

    operator = access.Operator("Auswertung als PDF")
    phase = job.phase
    with translation.override(job.language or "de"):
        progress(5)
        content = evaluation_report(operator, phase.concept, phase)
        progress(50)
        picture = reporting.map_png(content)
        progress(70)
        pages = reporting.write_pdf(content, method_text(), path, picture=picture)
        progress(99)
    return pages


@task()
def build_report_pdf(job_id: int) -> None:
    """The worker's task: build the PDF job ``job_id`` (participation.jobs runs it)."""
    pdf_jobs.execute(ReportPdf.objects.select_related("phase", "phase__concept").get(pk=job_id), _build_pdf)


def run_report_pdf(job: ReportPdf) -> bool:
    """Build the queued job here and now (tests, commands); True if it is done."""
    return pdf_jobs.execute(job, _build_pdf)


def _enqueue(job: ReportPdf) -> None:
    transaction.on_commit(lambda: build_report_pdf.enqueue(job.pk))


def _own_phase(user, concept: Concept, phase: Phase) -> None:
    access.require(user, "moderation", "view", concept)
    if phase.concept_id != concept.pk:
        raise invalid(_("Diese Beteiligungsphase gibt es in diesem Konzept nicht; bitte eine Phase aus der Liste der "
                        "Beteiligung wählen."), "phase", "phase")


def _active(phase: Phase) -> ReportPdf | None:
    background.sweep(phase.report_pdfs.all())  # a job whose worker died does not block a new one
    return phase.report_pdfs.filter(status__in=[ReportPdf.Status.QUEUED, ReportPdf.Status.RUNNING]).first()


def start_report_pdf(user, concept: Concept, phase: Phase) -> tuple[ReportPdf, bool]:
    """Queue the phase's evaluation report as PDF, in the active language, for whoever may see
    the report; one job at a time per phase: while one waits or runs, that one (and False)."""
    _own_phase(user, concept, phase)
    with transaction.atomic():
        Phase.objects.select_for_update().filter(pk=phase.pk).first()  # PostgreSQL: starts one after another
        if (running := _active(phase)) is not None:
            return running, False
        try:
            with transaction.atomic():  # SQLite has no row lock: the constraint decides
                job = ReportPdf.objects.create(phase=phase, created_by=None if user.pk is None else user,
                                               language=(get_language() or "de")[:8])
        except IntegrityError:
            return _active(phase), False
        _enqueue(job)
    return job, True


def evaluation_changed_at(phase: Phase):
    """When the phase's evaluation last changed (None if never): a person's theme decision, a
    duplicate confirmed or rejected, a decision on the groups, a moderation decision (an import, a
    rejection, a merge), a support, or a contribution changed (answer, outcome, measure, status)."""
    from django.db.models import Max

    from ..models import GroupDecision, Idea, Support

    times = [ThemeReview.objects.filter(idea__phase=phase).aggregate(t=Max("at"))["t"],
             DuplicateReview.objects.filter(idea__phase=phase).aggregate(t=Max("at"))["t"],
             GroupDecision.objects.filter(phase=phase).aggregate(t=Max("at"))["t"],
             phase.decisions.aggregate(t=Max("created_at"))["t"],
             Support.objects.filter(phase=phase).aggregate(t=Max("created_at"))["t"],
             Idea.objects.filter(phase=phase).aggregate(t=Max("updated_at"))["t"]]
    return max((t for t in times if t is not None), default=None)


def report_pdfs_of(phase: Phase, limit: int = 5) -> list[ReportPdf]:
    """The phase's newest PDF jobs as its report page shows them (one whose worker died failed
    first); a finished one whose phase's evaluation changed after it was started is ``outdated``
    (walk 24: "veraltet" – its figures are not the page's any more)."""
    background.sweep(phase.report_pdfs.all())
    jobs = list(phase.report_pdfs.select_related("phase__concept")[:limit])
    changed = evaluation_changed_at(phase) if any(j.status == ReportPdf.Status.DONE for j in jobs) else None
    for j in jobs:
        j.outdated = j.status == ReportPdf.Status.DONE and changed is not None and changed > j.created_at
    return jobs


def report_pdf_state(job: ReportPdf) -> ReportPdf:
    """The job as its status poll shows it (swept like ``report_pdfs_of``)."""
    return background.current(job)


def cancel_report_pdf(user, concept: Concept, job: ReportPdf) -> str:
    """Cancel a queued or running PDF; the message for the person who asked."""
    _own_phase(user, concept, job.phase)
    return background.cancel_job(job)


def retry_report_pdf(user, concept: Concept, job: ReportPdf) -> None:
    """Queue a failed or cancelled PDF again – not while another of the phase waits or runs."""
    _own_phase(user, concept, job.phase)
    if (running := _active(job.phase)) is not None and running.pk != job.pk:
        raise invalid(_("Für diese Phase entsteht gerade schon ein PDF; sein Fortschritt steht unten."), "job_running")
    background.retry_job(job, lambda: build_report_pdf.enqueue(job.pk))


def report_pdf_file(user, concept: Concept, job: ReportPdf) -> Path | None:
    """The finished PDF's file, if it is still there and inside isek's directory for them."""
    _own_phase(user, concept, job.phase)
    if job.status != ReportPdf.Status.DONE or not job.file:
        return None
    path = Path(job.file)
    if not path.is_file() or pdf_jobs.pdf_dir() not in path.resolve().parents:
        return None
    return path


def newest_report_pdf(user, concept: Concept, phase: Phase) -> ReportPdf | None:
    """The phase's newest finished PDF in the active language (the old address report.pdf serves it)."""
    _own_phase(user, concept, phase)
    return phase.report_pdfs.filter(status=ReportPdf.Status.DONE, language=(get_language() or "de")[:8]).first()
