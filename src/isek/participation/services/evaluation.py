"""The evaluation of a phase's ideas by theme (issue 24, point 2): isek's suggestion for every idea
with its confidence and the words that led to it, the ideas isek learns most from ("Als Nächstes
beschriften"), and the planner's confirmation or correction, which alone makes a theme final
(``ThemeReview``, in the change history).

The engine (``participation.evaluation.ThemeSuggester``) is built once per phase and process and
kept while its ideas and themes stay the same: building it and the first training take seconds
for hundreds of ideas, training afresh on the confirmations a few tenths of a second. Every request
brings it in line with the stored confirmations (another process may have added some), so the page
never shows suggestions that ignore a confirmation; the suggestions are a function of the stored
confirmations alone, the same in every process (walk 24)."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from isek import access
from isek.concepts.services import Concept
from isek.core import versions
from isek.core.audit import change
from isek.core.rules import invalid

from ..models import DuplicateReview, Idea, Phase, Status, Theme, ThemeReview

NEXT = 10  # how many ideas "Als Nächstes beschriften" proposes
NO_THEME = "none"  # the review form's value for "kein Thema passt" (walk 24)
KEPT = 4  # engines kept per process (phases being evaluated at the same time)
# Walk 16: the engine learns only from the persons' decisions; after one correction it put all 696
# open ideas of a phase in that theme at 15 % and Enter replaced good imported themes with it.
# Until it knows enough, what the page proposes (and Enter confirms) is the idea's own theme,
# the one it was submitted or imported under (decision 0047, amendment of walk 16):
TRUST_LABELS = 5  # decisions the engine must have learnt from …
TRUST_THEMES = 2  # … in at least this many themes (one theme: nothing to tell apart)
# To replace the theme the idea was submitted or imported under, isek's own must be at least twice
# as likely as that theme (``Suggestion.versus`` ≥ 2/3). Walk 25: a bar of 50 % on the probability
# itself, spread over 12 themes, was rarely reached, so isek never replaced an imported theme
# (decision 0068). Below it, isek's own is shown beside the idea's own theme, which Enter confirms.
TRUST_CONFIDENCE = 2 / 3


def _no_street_names(concept: Concept) -> list[str]:
    return []


# The street names of a concept's area (fix24h): geodata's ``street_names``, set by this app's ready()
# – geodata's services reach the concepts' and, through them, this package: imported here, they would
# close a loop the layer contracts forbid (geodata.jobs → concepts → accounts → participation → geodata)
street_names = _no_street_names

# The engine (numpy, SciPy, scikit-learn) is imported where it is used, not with the services every
# process loads at start (tests/config/test_startup.py).
_engines: OrderedDict[int, tuple[str, object]] = OrderedDict()
_lock = threading.RLock()  # one engine answers one request at a time

REASON_TEXTS = {  # the engine's reasons (REASONS) as the page says them
    "kaltstart": lambda: _("typisch für eine Gruppe ähnlicher Beiträge"),
    "unerkundet": lambda: _("aus einer Gruppe, in der noch nichts zugeordnet ist"),
    "unsicher": lambda: _("isek ist zwischen zwei Themen unsicher"),
    "selten": lambda: _("könnte zu einem Thema mit wenigen Beispielen gehören"),
}


def selten_theme(theme: str, n: int, shown: str = "") -> str:
    """The reason "selten" naming the theme and its decisions so far (walk 25); beside a proposal of
    another theme (``shown``), one sentence naming both (fix24g: "könnte zu X gehören" beside
    "Vorschlag: Y" read as a contradiction)."""
    if shown and shown != theme:
        return ngettext("isek schlägt „%(shown)s“ vor, doch der Beitrag könnte auch zu „%(theme)s“ gehören, einem "
                        "Thema mit erst %(n)s Entscheidung – Ihre Antwort klärt beides",
                        "isek schlägt „%(shown)s“ vor, doch der Beitrag könnte auch zu „%(theme)s“ gehören, einem "
                        "Thema mit erst %(n)s Entscheidungen – Ihre Antwort klärt beides", n) % {
            "theme": theme, "n": n, "shown": shown}
    return ngettext("könnte zu „%(theme)s“ gehören, einem Thema mit erst %(n)s Entscheidung",
                    "könnte zu „%(theme)s“ gehören, einem Thema mit erst %(n)s Entscheidungen", n) % {"theme": theme, "n": n}


@dataclass
class Row:
    idea: Idea
    proposed: Theme | None  # what confirming takes: isek's suggestion, else the idea's own theme (None: it has none)
    suggested: Theme | None = None  # isek's suggestion (None before any confirmation)
    confidence: float | None = None
    words: tuple[str, ...] = ()
    review: ThemeReview | None = None
    reason: str = ""  # for "Als Nächstes beschriften": why isek asks
    alternative: Theme | None = None  # isek's own, shown beside the idea's own theme it does not replace

    @property
    def fallback(self) -> bool:
        """The idea's theme is the import's theme for rows without one (no citizen's choice), or it has
        none: the import chose "ohne Thema (isek schlägt vor)" (minor24)."""
        return bool(getattr(self.idea, "theme_fallback", False)) or self.idea.theme_id is None

    @property
    def percent(self) -> int | None:
        return None if self.confidence is None else round(self.confidence * 100)

    @property
    def decided(self) -> str:
        """The token of the row's decision (none: ``OPEN``), for its form (fix24i)."""
        return decision_token(self.review)

    @property
    def shown(self) -> str:
        """What the row proposes, signed, for its form (fix24d): the decision is classified against the
        proposal the planner saw, not against one computed again by the time the form arrives."""
        if self.suggested is not None:
            return shown_token(self.idea.pk, self.suggested.pk, self.confidence, False)
        return shown_token(self.idea.pk, getattr(self.proposed, "pk", None), None, self.fallback)


@dataclass
class ThemeCount:
    theme: Theme
    confirmed: int = 0
    corrected: int = 0
    unsuggested: int = 0  # chosen where isek showed no suggestion (decision 0081)
    open: int = 0  # open ideas isek (else the idea) puts in this theme


@dataclass
class Evaluation:
    phase: Phase
    themes: list[Theme]
    rows: list[Row]  # every idea: open ones first, then the reviewed
    next: list[Row]  # what to label next, most useful first
    per_theme: list[ThemeCount]
    confirmed: int = 0
    corrected: int = 0
    open: int = 0
    unsuggested: int = 0  # chosen where isek showed no suggestion: neither confirmed nor corrected (decision 0081)
    no_fit: int = 0  # a person decided that no theme fits
    unthemed: int = 0  # open ideas without a theme that isek does not suggest one for yet (minor24)
    # marked a duplicate of an earlier one by a person: counted once, under the earlier one, as in
    # the report (decisions 0064, 0076) – in none of the counts above, whatever its theme decision
    duplicates: int = 0
    problem: str = ""  # why isek cannot suggest (e.g. no idea has words)


def _evaluated(phase: Phase):
    """The ideas an evaluation sorts: all of the phase but rejected ones and those merged into another."""
    return phase.ideas.exclude(status__in=[Status.REJECTED, Status.MERGED]).filter(merged_into=None)


def _ideas(phase: Phase, *fields: str) -> list[Idea]:
    """The evaluated ideas with only what the page shows (hundreds of rows on every answer) and ``fields``."""
    return list(_evaluated(phase).only("pk", "number", "title", "text", "theme_id", "theme_fallback", "phase_id",
                                       "concept_id", *fields)
                .order_by("number"))


def _reviews(phase: Phase) -> dict[int, ThemeReview]:
    return {r.idea_id: r for r in ThemeReview.objects.filter(idea__phase=phase)}


def _labels(ideas: list[Idea], reviews: dict[int, ThemeReview]) -> dict[int, str]:
    """The persons' answers the engine learns from (contribution → theme key); "no theme fits"
    teaches it nothing."""
    return {i.pk: str(reviews[i.pk].theme_id) for i in ideas if i.pk in reviews and not reviews[i.pk].no_fit}


def _trusted(labels: dict) -> bool:
    """Whether the engine has learnt from enough decisions for its suggestions to be proposed."""
    return len(labels) >= TRUST_LABELS and len(set(labels.values())) >= TRUST_THEMES


def _offered(s, idea: Idea, by_pk: dict, trusted: bool) -> Theme | None:
    """isek's suggestion ``s`` for ``idea`` if the page proposes it, else None (the idea's own theme
    is proposed): not before the engine is trusted, nor when it would replace the theme the idea
    was submitted or imported under while it is less than twice as likely as that one
    (``TRUST_CONFIDENCE``). A theme the import gave rows without one is no one's choice: isek's own
    replaces it once trusted (decision 0068)."""
    theme = by_pk.get(int(s.theme)) if s is not None and trusted else None
    if theme is not None and idea.theme_id is not None and theme.pk != idea.theme_id \
            and not getattr(idea, "theme_fallback", False) and s.versus(str(idea.theme_id)) < TRUST_CONFIDENCE:
        return None
    return theme


def _beside(s, idea: Idea, by_pk: dict, trusted: bool, offered: Theme | None) -> Theme | None:
    """isek's own theme where it differs from the idea's own and is not proposed: shown beside it."""
    theme = by_pk.get(int(s.theme)) if s is not None and trusted else None
    return theme if theme is not None and offered is None and theme.pk != idea.theme_id else None


def _fingerprint(ideas: list[Idea], themes: list[Theme]) -> str:
    h = hashlib.sha256()
    for i in ideas:
        h.update(f"{i.pk}\x00{i.title}\x00{i.text}\x01".encode())
    h.update(",".join(str(t.pk) for t in themes).encode())
    return h.hexdigest()


def _engine(phase: Phase, ideas: list[Idea], themes: list[Theme], labels: dict[int, str]):
    """The phase's engine (a ``ThemeSuggester``), built if its ideas or themes changed, taught every
    stored confirmation."""
    from ..evaluation import Contribution as Text
    from ..evaluation import Theme as Key
    from ..evaluation import ThemeSuggester

    # the street names of the area, where the city has an OSM extract cut to it: no reasons (fix24h)
    places = street_names(phase.concept)
    key = _fingerprint(ideas, themes) + hashlib.sha256("\n".join(places).encode()).hexdigest()
    with _lock:
        kept = _engines.get(phase.pk)
        if kept is None or kept[0] != key:
            engine = ThemeSuggester([Text(i.pk, f"{i.title}\n{i.text}") for i in ideas], [Key(str(t.pk)) for t in themes],
                                    places=places)
            _engines[phase.pk] = (key, engine)
            while len(_engines) > KEPT:
                _engines.popitem(last=False)
        engine = _engines[phase.pk][1]
        _engines.move_to_end(phase.pk)
        if engine.labels != labels:
            engine.fit(labels)  # the same answers, the same suggestions, however many are new (walk 24)
        return engine


def forget(phase_pk: int | None = None) -> None:
    """Drop the kept engines (of one phase): tests, and after deleting a phase."""
    with _lock:
        if phase_pk is None:
            _engines.clear()
        else:
            _engines.pop(phase_pk, None)


def theme_evaluation(user, concept: Concept, phase: Phase) -> Evaluation:
    """Every idea of ``phase`` with isek's suggestion, what to label next and the counts."""
    access.require(user, "moderation", "view", concept)
    themes = list(phase.themes.all())
    by_pk = {t.pk: t for t in themes}
    ideas = _ideas(phase)
    reviews = _reviews(phase)
    for r in reviews.values():
        r.theme = by_pk.get(r.theme_id)  # the page names it: no query per row (None: no theme fits)
    labels = _labels(ideas, reviews)
    from ..evaluation import EvaluationError

    suggestions, picks, problem = {}, [], ""
    if ideas and themes:
        try:
            with _lock:
                engine = _engine(phase, ideas, themes, labels)
                suggestions = {s.id: s for s in engine.suggest()}
                # decided "no theme fits" is not a label the engine knows: not proposed again
                picks = [p for p in engine.next_to_label(NEXT + len(reviews) - len(labels)) if p.id not in reviews][:NEXT]
        except EvaluationError as exc:
            problem = str(exc)
    rows, trusted = {}, _trusted(labels)
    for i in ideas:
        s = suggestions.get(i.pk)
        suggested = _offered(s, i, by_pk, trusted)
        beside = _beside(s, i, by_pk, trusted, suggested)
        rows[i.pk] = Row(i, suggested or by_pk.get(i.theme_id), suggested, s.confidence if suggested or beside else None,
                         s.words if suggested or beside else (), reviews.get(i.pk), alternative=beside)
    counts = {t.pk: ThemeCount(t) for t in themes}
    no_fit = unthemed = duplicates = 0
    later = duplicates_of(phase, rows)
    for r in rows.values():
        if r.idea.pk in later:
            duplicates += 1
        elif r.review is not None and r.review.no_fit:
            no_fit += 1
        elif r.review is None and r.proposed is None:
            unthemed += 1
        elif r.review is None:
            counts[r.proposed.pk].open += 1
        elif r.review.unsuggested:
            counts[r.review.theme_id].unsuggested += 1
        elif r.review.corrected:
            counts[r.review.theme_id].corrected += 1
        else:
            counts[r.review.theme_id].confirmed += 1
    ordered = sorted(rows.values(), key=lambda r: (r.review is not None, r.idea.number))
    following = []
    decided = Counter(labels.values())
    for p in picks:
        r = rows[p.id]
        reason = REASON_TEXTS[p.reason]()
        if p.reason == "selten" and p.theme is not None and int(p.theme) in by_pk:
            shown = r.suggested or r.proposed
            reason = selten_theme(by_pk[int(p.theme)].name, decided[p.theme], shown.name if shown is not None else "")
        following.append(Row(**{**r.__dict__, "reason": reason}))
    per_theme = list(counts.values())
    return Evaluation(phase, themes, ordered, following, per_theme,
                      confirmed=sum(c.confirmed for c in per_theme), corrected=sum(c.corrected for c in per_theme),
                      unsuggested=sum(c.unsuggested for c in per_theme),
                      open=sum(c.open for c in per_theme) + unthemed, no_fit=no_fit, unthemed=unthemed,
                      duplicates=duplicates, problem=problem)


def duplicates_of(phase: Phase, evaluated) -> dict[int, int]:
    """The evaluated ideas a person marked a duplicate of an earlier evaluated one (later → earlier):
    the themes page and the report count them once, under the earlier one (decisions 0064, 0076)."""
    return {later: earlier for later, earlier in DuplicateReview.objects.filter(
        idea__phase=phase, duplicate=True).values_list("idea_id", "of_id") if later in evaluated and earlier in evaluated}


OPEN = "open"  # the decision token of an idea not decided yet


def decision_token(review: ThemeReview | None) -> str:
    """The token of an idea's theme decision as a form shows it (``OPEN``: none yet); the form carries
    it, ``confirm_theme(decided=…)`` compares it with the stored one (decision 0096's pattern, fix24i)."""
    if review is None:
        return OPEN
    return versions.state_token([(review.pk, review.theme_id, review.unsuggested, review.by_name,
                                  review.at.isoformat())])


def decision_text(review: ThemeReview) -> str:
    """An idea's theme decision in words, as its row on the themes page shows it: what, who, when."""
    values = {"theme": getattr(review.theme, "name", ""), "who": review.by_name,
              "when": dateformat.format(timezone.localtime(review.at), "j.n.Y H:i")}
    if review.no_fit:
        return _("Kein Thema passt – entschieden von %(who)s am %(when)s") % values
    if review.unsuggested:
        return _("„%(theme)s“ gewählt ohne Vorschlag (isek zeigte keinen) von %(who)s am %(when)s") % values
    if review.corrected:
        return _("Korrigiert zu „%(theme)s“ von %(who)s am %(when)s") % values
    return _("„%(theme)s“ bestätigt von %(who)s am %(when)s") % values


def confirm_theme(user, concept: Concept, phase: Phase, idea_pk, theme_pk, shown=None, decided=None) -> ThemeReview:
    """A person confirms isek's proposal for an idea or chooses another of the phase's themes: the
    idea takes that theme, the decision is stored with who and when (change history). ``NO_THEME``:
    no theme fits – the idea keeps its own theme, the report counts it as "kein Thema passt", the
    engine learns nothing from it. An idea or theme not of this phase is refused with a message and
    changes nothing. ``shown``: the proposal the page showed (``Row.shown``, signed): a first decision is
    classified against it – confirmed, corrected or chosen without a suggestion – not against isek's
    suggestion by the time the form arrives (fix24d: recomputed after another decision, a confirmation
    was stored as a correction); missing, forged or of another idea: the stored proposal counts.
    ``decided``: the ``decision_token`` of the decision the form was read from (``OPEN``: none); an idea
    decided or decided anew since is refused (code "changed", naming the decision and who made it),
    nothing changed – a second tab no longer overwrites the first one's decision (fix24i). Without it
    (other callers) not checked."""
    access.require(user, "moderation", "decide", concept)
    idea = _of_phase(_evaluated(phase), idea_pk)
    if idea is None:
        raise invalid(_("Diesen Beitrag gibt es in dieser Beteiligungsphase nicht (mehr)."), "idea", "idea")
    if theme_pk in (None, ""):  # an idea without a theme shows no theme chosen (minor24)
        raise invalid(_("Bitte ein Thema wählen – oder „Kein Thema passt“."), "theme", "theme")
    theme = None if theme_pk == NO_THEME else _of_phase(phase.themes.all(), theme_pk)
    if theme is None and theme_pk != NO_THEME:
        raise invalid(_("Das gewählte Thema gehört nicht zu dieser Beteiligungsphase; bitte eines ihrer Themen wählen."),
                      "theme", "theme")
    earlier = ThemeReview.objects.filter(idea=idea).exists()  # a later decision keeps what was proposed then
    seen = None if earlier else _shown(phase, idea, shown)
    proposed, confidence, unsuggested = seen if seen is not None else _proposal(phase, idea)
    with change(user):
        if decided is not None:  # compared under the idea's lock: two answers at once cannot both pass
            Idea.objects.select_for_update().filter(pk=idea.pk).first()
            now = ThemeReview.objects.filter(idea=idea).select_related("theme", "proposed", "idea").first()
            if str(decided) != decision_token(now):
                if now is None:
                    raise invalid(_("I-%(number)s: die Entscheidung, von der dieses Formular ausging, wurde inzwischen "
                                    "geändert. Nichts wurde geändert; bitte die Seite neu laden.") % {"number": idea.number},
                                  "changed")
                raise invalid(_("I-%(number)s wurde inzwischen entschieden: %(decision)s. Nichts wurde geändert. Um "
                                "diese Entscheidung zu ändern, bitte die Seite neu laden und „Entscheidung ändern“ "
                                "wählen.") % {"number": idea.number, "decision": decision_text(now)}, "changed")
        review = ThemeReview.objects.filter(idea=idea).first() or ThemeReview(idea=idea)
        review.theme, review.proposed, review.confidence = theme, proposed, confidence
        review.unsuggested = unsuggested
        review.by = user if getattr(user, "pk", None) else None
        review.by_name = user.get_username()
        review.at = timezone.now()
        review.save()
        if theme is not None and idea.theme_id != theme.pk:
            Idea.objects.filter(pk=idea.pk).update(theme=theme, updated_at=review.at)
    if theme is not None:
        transaction.on_commit(lambda: _learn(phase.pk, idea.pk, str(theme.pk)))
    return review


_SHOWN = signing.TimestampSigner(salt="isek.participation.themes.shown")
SHOWN_HOURS = 24  # a page left open longer: its proposal is not taken as shown (second reading); the stored one counts


def shown_token(idea_pk: int, theme_pk: int | None, confidence: float | None, unsuggested: bool) -> str:
    """The proposal a row of the themes page shows, signed (fix24d, decision 0083): the idea, the theme
    proposed (none: nothing proposed), isek's confidence in it (none: the idea's own theme) and
    whether nothing was suggested ("gewählt ohne Vorschlag")."""
    value = f"{idea_pk}:{theme_pk or ''}:{'' if confidence is None else repr(float(confidence))}:{int(bool(unsuggested))}"
    return _SHOWN.sign(value)


def _shown(phase: Phase, idea: Idea, token) -> tuple[Theme | None, float | None, bool] | None:
    """The proposal the form says the page showed, if it is one the page signed for this idea within
    ``SHOWN_HOURS`` and its theme is still the phase's; else None (the stored proposal counts)."""
    try:
        idea_pk, theme_pk, confidence, unsuggested = _SHOWN.unsign(str(token or ""), max_age=SHOWN_HOURS * 3600).split(":")
    except (signing.BadSignature, ValueError):  # SignatureExpired included
        return None
    if idea_pk != str(idea.pk):
        return None
    theme = phase.themes.filter(pk=int(theme_pk)).first() if theme_pk else None
    if theme_pk and theme is None:
        return None
    return theme, float(confidence) if confidence else None, unsuggested == "1"


def _proposal(phase: Phase, idea: Idea) -> tuple[Theme | None, float | None, bool]:
    """What the page offered for ``idea``: isek's suggestion (learnt from every other confirmation)
    if it is trusted (``_offered``), else the idea's own theme; for an idea confirmed before, what was
    proposed then. Third: whether nothing was suggested – no suggestion of isek's and no theme of the
    idea's own but the import's fallback or none ("gewählt ohne Vorschlag", decision 0081)."""
    old = ThemeReview.objects.filter(idea=idea).select_related("proposed").first()
    if old is not None:
        if old.unsuggested:
            return old.proposed, old.confidence, True
        return old.proposed or idea.theme, old.confidence, False
    from ..evaluation import EvaluationError

    themes = list(phase.themes.all())
    try:
        with _lock:
            # what the page shows now: the engine brought in line with the stored decisions (fix24d:
            # a kept engine of this process may lack another process's latest decision – the page,
            # shown by that process, knew it; the form's ``shown`` is what counts, this only without it)
            ideas = _ideas(phase)
            engine = _engine(phase, ideas, themes, _labels(ideas, _reviews(phase)))
            s = next((s for s in engine.suggest() if s.id == idea.pk), None)
            trusted = _trusted(engine.labels)
    except EvaluationError:
        s, trusted = None, False
    theme = _offered(s, idea, {t.pk: t for t in themes}, trusted)
    if theme:
        return theme, s.confidence, False
    return idea.theme, None, idea.theme_id is None or idea.theme_fallback


def _learn(phase_pk: int, idea_pk: int, theme: str) -> None:
    """The kept engine learns the answer at once (the next page would, too; this keeps it quick)."""
    with _lock:
        kept = _engines.get(phase_pk)
        if kept is not None and idea_pk in kept[1].index and kept[1].labels.get(idea_pk) != theme:
            kept[1].update(idea_pk, theme)


def _of_phase(queryset, pk):
    try:
        return queryset.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None
