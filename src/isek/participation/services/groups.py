"""Groups of similar ideas and near-duplicates in the evaluation (issue 24, point 3; decision 0054).

isek computes the groups of a phase (``participation.evaluation.groups``) when the page is first
opened and again whenever ideas came or went since (or the planner asks for it), and stores them
(``IdeaGroup``, ``GroupMember``): the page reads them without computing (computing took 0.4–0.6 s
for Köln's 366 ideas, 0.6–1.4 s for Ottensen's 697). The planner merges, splits, renames, moves; each decision pins the
ideas of the groups it touches, is logged (``GroupDecision``, in the change history) and survives
computing again. Near-duplicate pairs (``evaluation.duplicates``) are proposed until a person
confirms one ("Duplikat": the later idea is marked a duplicate of the earlier, both stay) or
rejects it (``DuplicateReview``)."""

from __future__ import annotations

import datetime
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from isek import access
from isek.concepts.services import Concept
from isek.core.audit import change
from isek.core.rules import invalid

from ..models import (
    GROUP_NAME_MAX,
    DuplicateReview,
    GroupDecision,
    GroupMember,
    Idea,
    IdeaGroup,
    Phase,
    ThemeReview,
    decision_sentence,
)
from .evaluation import _evaluated, _ideas, _of_phase

PALETTE = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#ad1457", "#4e342e", "#283593",
           "#558b2f", "#d84315", "#37474f"]
KEPT = 8  # results (duplicate proposals, quotes) a process keeps
QUOTES = 3  # sentences per group or theme
SUPPORT_KINDS = ("email", "account", "none")  # the kinds of supports that count (Support.Confirmation)
_kept: OrderedDict[tuple, tuple[object, object]] = OrderedDict()
_lock = threading.Lock()


@dataclass
class Quote:
    idea: Idea
    sentence: str


@dataclass
class Figures:
    """What a group or theme holds: contributions, how many with a place, their supports, how many
    the city answered."""

    ideas: int = 0
    placed: int = 0
    supports: int = 0
    answered: int = 0
    # ``supports`` by kind where the caller knows it (the evaluation report, decision 0074):
    # confirmed by e-mail, with an account, not confirmed (decision 0041)
    kinds: dict = field(default_factory=lambda: dict.fromkeys(SUPPORT_KINDS, 0))

    def add(self, idea: Idea, supports: int, kinds: dict | None = None) -> None:
        self.ideas += 1
        self.placed += idea.geometry is not None
        self.supports += supports
        self.answered += bool(idea.answer or idea.outcome)
        for kind, n in (kinds or {}).items():
            self.kinds[kind] += n


@dataclass
class GroupRow:
    group: IdeaGroup
    ideas: list[Idea]
    colour: str
    figures: Figures = field(default_factory=Figures)
    quotes: list[Quote] = field(default_factory=list)
    decisions: list[GroupDecision] = field(default_factory=list)  # the planner's on this group, oldest first


@dataclass
class ThemeRow:
    theme: object  # Theme
    figures: Figures = field(default_factory=Figures)
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class Proposal:
    earlier: Idea
    later: Idea
    similarity: float
    distance_m: float | None

    @property
    def percent(self) -> int:
        """The similarity in whole per cent; 100 only for equal texts (fix24g: two texts differing in a
        street name were rounded to "100 % ähnlich")."""
        pct = round(self.similarity * 100)
        if pct < 100:
            return pct
        same = [" ".join(f"{i.title}\n{i.text}".split()).casefold() for i in (self.earlier, self.later)]
        return 100 if same[0] == same[1] else 99


@dataclass
class Groups:
    phase: Phase
    groups: list[GroupRow]
    proposals: list[Proposal]  # near-duplicate pairs nobody decided on, most similar first
    duplicates: list[DuplicateReview]  # confirmed ones
    themes: list[ThemeRow] = field(default_factory=list)  # the citizens' words per theme
    decisions: list[GroupDecision] = field(default_factory=list)  # the latest
    seconds: float | None = None  # computing took this long in this request (None: stored groups shown)
    problem: str = ""
    others: list[GroupDecision] = field(default_factory=list)  # decisions of groups no longer there, newest first

    @property
    def placed(self) -> int:
        """The grouped ideas with a place (none: the map has nothing to show, and the page says so)."""
        return sum(row.figures.placed for row in self.groups)


def group_evaluation(user, concept: Concept, phase: Phase) -> Groups:
    """The phase's groups (computed first if ideas came or went since), the open near-duplicate
    proposals and the confirmed duplicates."""
    access.require(user, "moderation", "view", concept)
    ideas = _ideas(phase, "geometry", "illustrative", "answer", "outcome")
    groups, seconds, problem = _grouped(phase, ideas)
    by_pk = {i.pk: i for i in ideas}
    reviews = list(DuplicateReview.objects.filter(idea__phase=phase).select_related("idea", "of"))
    decided = {frozenset((r.idea_id, r.of_id)) for r in reviews}
    duplicates = [r for r in reviews if r.duplicate]
    for r in duplicates:
        if r.idea_id in by_pk:
            by_pk[r.idea_id].duplicate_of = r.of
    of = {r.idea_id: r.of_id for r in duplicates}

    def root(pk, seen=()):  # the contribution a chain of duplicates was merged into
        return root(of[pk], (*seen, pk)) if pk in of and of[pk] not in seen else pk

    proposals = []
    for p in _near_duplicates(phase, ideas):
        # walk 25: after I-345 and I-346 were marked duplicates of I-344, "I-346 and I-345" was still proposed
        if (p.a in of or p.b in of) and root(p.a) == root(p.b):
            continue
        if frozenset((p.a, p.b)) not in decided:
            a, b = sorted((by_pk[p.a], by_pk[p.b]), key=lambda i: i.number)
            proposals.append(Proposal(a, b, p.similarity, p.distance_m))
    themes = _by_theme(phase, ideas)
    _summaries(phase, ideas, groups, themes)
    # the latest decisions of the page: on groups and on duplicates (walk 24: the duplicates' were missing)
    latest = list(GroupDecision.objects.filter(phase=phase)[:LATEST]) + [
        Latest(str(r) + ".", r.by_name, r.at) for r in sorted(reviews, key=lambda r: r.at, reverse=True)[:LATEST]]
    latest = sorted(latest, key=lambda d: d.at, reverse=True)[:LATEST]
    shown = {d.pk for r in groups for d in r.decisions}
    others = [d for d in GroupDecision.objects.filter(phase=phase) if d.pk not in shown]
    return Groups(phase, groups, proposals, duplicates, themes, latest, seconds, problem, others)


LATEST = 10  # decisions the page lists


@dataclass
class Latest:
    """A decision on a duplicate, as the list of the latest decisions shows it."""

    summary: str
    by_name: str
    at: datetime.datetime

    @property
    def text(self) -> str:  # said when the page is made: in the reader's language
        return self.summary


def _grouped(phase: Phase, ideas: list[Idea], compute: bool = True) -> tuple[list[GroupRow], float | None, str]:
    """The groups with their ideas, largest first, computed first if ideas came or went since
    (``compute``; the report reads only what is stored: decision 0081); how long computing took
    (None: not computed) and why it could not (the engine's message). Each row with the planner's
    decisions on its group, oldest first."""
    seconds, problem = None, ""
    if compute and _stale(phase, ideas):
        try:
            seconds = _compute(phase, ideas)
        except ValueError as exc:  # EvaluationError: the engine's German message
            problem = str(exc)
    by_pk = {i.pk: i for i in ideas}
    rows: dict[int, GroupRow] = {}
    for g in IdeaGroup.objects.filter(phase=phase):
        rows[g.pk] = GroupRow(g, [], PALETTE[len(rows) % len(PALETTE)])
    for m in GroupMember.objects.filter(group__phase=phase).order_by("idea__number"):
        if m.idea_id in by_pk and m.group_id in rows:
            rows[m.group_id].ideas.append(by_pk[m.idea_id])
    for r in rows.values():
        r.group.size = len(r.ideas)  # "Verschiedenes (n Beiträge)" without a query
    through = GroupDecision.groups.through
    decisions = {d.pk: d for d in GroupDecision.objects.filter(phase=phase)}
    for d_pk, g_pk in through.objects.filter(groupdecision__phase=phase).values_list("groupdecision_id", "ideagroup_id"):
        if g_pk in rows:
            rows[g_pk].decisions.append(decisions[d_pk])
    for r in rows.values():
        r.decisions.sort(key=lambda d: (d.at, d.pk))
    return sorted((r for r in rows.values() if r.ideas), key=lambda r: (-len(r.ideas), r.group.pk)), seconds, problem


def _by_theme(phase: Phase, ideas: list[Idea]) -> list[ThemeRow]:
    """The ideas per theme: the one a person confirmed in the theme review, else the idea's own (a
    person's "no theme fits": its own as well, as on the map)."""
    rows = {t.pk: ThemeRow(t) for t in phase.themes.all()}
    confirmed = dict(ThemeReview.objects.filter(idea__phase=phase, theme__isnull=False).values_list("idea_id", "theme_id"))
    for i in ideas:
        i.evaluated_theme = confirmed.get(i.pk, i.theme_id)
    return list(rows.values())


def _summaries(phase: Phase, ideas: list[Idea], groups: list[GroupRow], themes: list[ThemeRow]) -> None:
    """Each group's and theme's figures and its most representative sentences (the citizens' own)."""
    from django.db.models import Count

    from ..evaluation.summaries import representative_sentences

    supports = dict(phase.ideas.filter(supports__isnull=False).annotate(n=Count("supports")).values_list("pk", "n"))
    by_theme = {r.theme.pk: r for r in themes}
    for r in groups:
        for i in r.ideas:
            r.figures.add(i, supports.get(i.pk, 0))
    members = {("group", r.group.pk): [i.pk for i in r.ideas] for r in groups}
    for i in ideas:
        if i.evaluated_theme is None:  # imported without a theme, no person's decision yet (minor24)
            continue
        by_theme[i.evaluated_theme].figures.add(i, supports.get(i.pk, 0))
        members.setdefault(("theme", i.evaluated_theme), []).append(i.pk)
    key = (frozenset((i.pk, i.title, i.text) for i in ideas), frozenset((k, tuple(v)) for k, v in members.items()))
    quotes = _remember(("quotes", phase.pk), key, lambda: representative_sentences(
        [_text(i) for i in ideas], members, per_group=QUOTES))
    by_pk = {i.pk: i for i in ideas}
    for (kind, pk), found in quotes.items():
        row = next(r for r in groups if r.group.pk == pk) if kind == "group" else by_theme[pk]
        row.quotes = [Quote(by_pk[q.id], q.sentence) for q in found]


def _stale(phase: Phase, ideas: list[Idea]) -> bool:
    """Ideas came or went since the groups were computed."""
    return any(changed_since_grouping(phase, ideas))


def changed_since_grouping(phase: Phase, ideas: list[Idea]) -> tuple[int, int]:
    """How many of ``ideas`` (the evaluated) came since the groups were last computed (in no group),
    and how many grouped ones went (rejected, merged, deleted): read only (decision 0081)."""
    grouped = set(GroupMember.objects.filter(group__phase=phase).values_list("idea_id", flat=True))
    present = {i.pk for i in ideas}
    return len(present - grouped), len(grouped - present)


def _text(i: Idea):
    from ..evaluation import Contribution

    point = i.geometry.point_on_surface if i.geometry is not None else None
    return Contribution(i.pk, f"{i.title}\n{i.text}", (point.x, point.y) if point is not None else None)


def _compute(phase: Phase, ideas: list[Idea], force: bool = False) -> float:
    """Compute the groups again, keeping the planner's: their pinned ideas stay, new ideas like
    them join them; isek's own groups are replaced. Returns the seconds it took."""
    from ..evaluation.groups import group_contributions

    started = time.perf_counter()
    with transaction.atomic():
        Phase.objects.select_for_update().filter(pk=phase.pk).first()  # one computation per phase at a time
        if not force and not _stale(phase, ideas):
            return time.perf_counter() - started  # another request just did it
        present = {i.pk for i in ideas}
        fixed = {m.idea_id: m.group_id for m in GroupMember.objects.filter(group__phase=phase, pinned=True)
                 if m.idea_id in present}
        found = group_contributions([_text(i) for i in ideas], fixed=fixed)
        GroupMember.objects.filter(group__phase=phase, pinned=False).delete()
        GroupMember.objects.filter(group__phase=phase).exclude(idea_id__in=present).delete()
        IdeaGroup.objects.filter(phase=phase, kept=False).delete()
        kept = IdeaGroup.objects.in_bulk([g.key for g in found if g.key is not None])
        members = []
        for g in found:
            group = kept.get(g.key) or IdeaGroup(phase=phase)
            group.proposed_name, group.words, group.mixed = g.name[:300], "; ".join(g.words)[:1000], g.mixed
            group.save()
            members += [GroupMember(idea_id=m, group=group) for m in g.members if m not in fixed]
        GroupMember.objects.bulk_create(members)
        IdeaGroup.objects.filter(phase=phase, members=None).delete()
    return time.perf_counter() - started


def recompute(user, concept: Concept, phase: Phase) -> float:
    """Compute the groups again on the planner's request (their decisions stay)."""
    access.require(user, "moderation", "decide", concept)
    return _compute(phase, _ideas(phase, "geometry"), force=True)


def _near_duplicates(phase: Phase, ideas: list[Idea]):
    """isek's near-duplicate pairs of the phase's ideas, kept per process while the ideas stay."""
    from ..evaluation.duplicates import near_duplicates

    key = frozenset((i.pk, i.title, i.text) for i in ideas)
    return _remember(("pairs", phase.pk), key, lambda: near_duplicates([_text(i) for i in ideas]))


def _remember(name: tuple, key, compute):
    """``compute()``, kept per process under ``name`` while ``key`` (what it is computed from) stays."""
    with _lock:
        kept = _kept.get(name)
        if kept is None or kept[0] != key:
            kept = (key, compute())
            _kept[name] = kept
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
        _kept.move_to_end(name)
        return kept[1]


def forget() -> None:
    """Drop what this process kept (duplicate proposals, quotes): tests."""
    with _lock:
        _kept.clear()


# --- the planner's decisions ------------------------------------------------------------------------


def _group(phase: Phase, pk, field_name: str = "group") -> IdeaGroup:
    group = _of_phase(IdeaGroup.objects.filter(phase=phase), pk)
    if group is None:
        raise invalid(_("Diese Gruppe gibt es in dieser Beteiligungsphase nicht (mehr); bitte die Seite neu laden."),
                      "group", field_name)
    return group


def _name(name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise invalid(_("Bitte einen Namen für die Gruppe angeben."), "name", "name")
    if len(name) > GROUP_NAME_MAX:
        raise invalid(_("Der Name einer Gruppe hat höchstens %(n)s Zeichen.") % {"n": GROUP_NAME_MAX}, "name", "name")
    return name


def _members(phase: Phase, group: IdeaGroup, idea_pks) -> list[GroupMember]:
    """The members of ``group`` named by ``idea_pks`` (every one of them must be)."""
    try:
        pks = {int(p) for p in idea_pks}
    except (TypeError, ValueError):
        pks = None
    if not pks:
        raise invalid(_("Bitte mindestens einen Beitrag der Gruppe auswählen."), "ideas", "ideas")
    found = list(GroupMember.objects.filter(group=group, idea_id__in=pks, idea__phase=phase).select_related("idea"))
    if len(found) != len(pks):
        raise invalid(_("Ein ausgewählter Beitrag gehört nicht (mehr) zu dieser Gruppe; bitte die Seite neu laden."),
                      "ideas", "ideas")
    return found


def _keep(*groups: IdeaGroup) -> None:
    """The planner touched these groups: they and their members stay when computed again."""
    for g in groups:
        g.kept = True
        g.save()
        GroupMember.objects.filter(group=g).update(pinned=True)


def _log(user, phase: Phase, action: str, params: dict, group: IdeaGroup | None = None,
         *others: IdeaGroup) -> GroupDecision:
    """The decision, stored with the groups it changed that still exist (``group`` and ``others``),
    what it says (``params``: said in each reader's language) and its sentence in the language of
    who decided (the change history); ``group_pk`` (not stored): the group it changed, where the page goes."""
    params = {k: v if isinstance(v, int) else str(v) for k, v in params.items()}
    summary = decision_sentence(action, params)
    decision = GroupDecision.objects.create(phase=phase, action=action, summary=summary[:500], params=params,
                                            by=user if getattr(user, "pk", None) else None,
                                            by_name=user.get_username(), at=timezone.now())
    decision.groups.set([g for g in (group, *others) if g is not None and g.pk])
    decision.group_pk = group.pk if group is not None and group.pk else None
    return decision


def _named(key: str, group: IdeaGroup) -> dict:
    """A group as the page names it now, for a decision's ``params``: its name under ``key``, and
    where the name is a fixed phrase of isek's – "Verschiedenes (n Beiträge)", "ohne Namen" – a code
    said in each reader's language (``key``_mixed: the count, ``key``_unnamed), not the decider's
    words (fix24e)."""
    out: dict = {key: group.title}
    if not group.name and group.mixed:
        out[f"{key}_mixed"] = group.size
    elif not group.name and not group.proposed_name:
        out[f"{key}_unnamed"] = 1
    return out


def _numbers(members: list[GroupMember]) -> str:
    return ", ".join(f"I-{m.idea.number}" for m in sorted(members, key=lambda m: m.idea.number))


def rename_group(user, concept: Concept, phase: Phase, group_pk, name) -> GroupDecision:
    access.require(user, "moderation", "decide", concept)
    group, name = _group(phase, group_pk), _name(name)
    with change(user):
        before = _named("a", group)
        group.name = name
        _keep(group)
        return _log(user, phase, GroupDecision.Action.RENAME, {**before, "b": name}, group)


def merge_groups(user, concept: Concept, phase: Phase, group_pk, into_pk) -> GroupDecision:
    """All ideas of one group into another; the first group is gone."""
    access.require(user, "moderation", "decide", concept)
    group, into = _group(phase, group_pk), _group(phase, into_pk, "into")
    if group.pk == into.pk:
        raise invalid(_("Eine Gruppe lässt sich nur mit einer anderen zusammenlegen."), "group", "into")
    with change(user):
        title = _named("a", group)  # as the page named it (a mixed group's count before the merge)
        n = GroupMember.objects.filter(group=group).update(group=into)
        into.words = "; ".join(dict.fromkeys(into.word_list + group.word_list))[:1000]
        into.size = None
        _keep(into)
        group.delete()
        return _log(user, phase, GroupDecision.Action.MERGE, {**title, "n": n, **_named("b", into)}, into)


def move_ideas(user, concept: Concept, phase: Phase, group_pk, idea_pks, *, to_pk=None, name="") -> GroupDecision:
    """Ideas of a group into another group (``to_pk``), or into a new group named ``name`` (the
    group is split). A group left without ideas is gone."""
    access.require(user, "moderation", "decide", concept)
    group = _group(phase, group_pk)
    to = _group(phase, to_pk, "to") if to_pk not in (None, "", "new") else None
    if to is None:
        name = _name(name)
    elif to.pk == group.pk:
        raise invalid(_("Die Beiträge sind schon in dieser Gruppe; bitte eine andere wählen."), "group", "to")
    members = _members(phase, group, idea_pks)
    if to is None and len(members) == GroupMember.objects.filter(group=group).count():
        raise invalid(_("Zum Teilen bitte nicht alle Beiträge auswählen; eine Gruppe umbenennen geht mit „Umbenennen“."),
                      "ideas", "ideas")
    with change(user):
        before = _named("a", group)  # as the page named it (a mixed group's count before the move)
        split = to is None
        if split:
            to = IdeaGroup.objects.create(phase=phase, name=name, kept=True)
        GroupMember.objects.filter(pk__in=[m.pk for m in members]).update(group=to)
        _keep(group, to)
        group.size, to.size = None, None  # counted again for a name "Verschiedenes (n Beiträge)"
        what = {"ideas": _numbers(members), **before, **_named("b", to)}
        if not GroupMember.objects.filter(group=group).exists():
            group.delete()
        if split:
            return _log(user, phase, GroupDecision.Action.SPLIT, what, to, group)
        return _log(user, phase, GroupDecision.Action.MOVE, what, to, group)


def decide_duplicate(user, concept: Concept, phase: Phase, a_pk, b_pk, duplicate: bool) -> DuplicateReview:
    """A person confirms (``duplicate``) or rejects isek's proposal that two ideas of the phase are
    near-duplicates: the later is marked a duplicate of the earlier (both stay), or the proposal is
    not made again."""
    access.require(user, "moderation", "decide", concept)
    a, b = _of_phase(_evaluated(phase), a_pk), _of_phase(_evaluated(phase), b_pk)
    if a is None or b is None or a.pk == b.pk:
        raise invalid(_("Ein Duplikat braucht zwei verschiedene Beiträge dieser Beteiligungsphase; bitte die Seite neu "
                        "laden."), "duplicate", "duplicate")
    earlier, later = sorted((a, b), key=lambda i: i.number)
    similarity = next((p.similarity for p in _kept.get(("pairs", phase.pk), (None, []))[1]
                       if {p.a, p.b} == {a.pk, b.pk}), None)
    with change(user):
        review = (DuplicateReview.objects.filter(idea=later, of=earlier).first()
                  or DuplicateReview(idea=later, of=earlier))
        review.duplicate, review.similarity = bool(duplicate), similarity
        review.by = user if getattr(user, "pk", None) else None
        review.by_name, review.at = user.get_username(), timezone.now()
        review.save()
    return review


def groups_features(user, concept: Concept, phase: Phase, url_of) -> dict:
    """The phase's grouped ideas with a place as GeoJSON, coloured by group (the map of the page)."""
    import json

    from django.db.models import Count

    access.require(user, "moderation", "view", concept)
    groups, _seconds, _problem = _grouped(phase, _ideas(phase, "geometry", "illustrative"))
    supports = dict(phase.ideas.annotate(n=Count("supports")).values_list("pk", "n"))
    features = []
    for row in groups:
        for i in row.ideas:
            if i.geometry is None:
                continue
            features.append({"type": "Feature", "id": i.pk, "geometry": json.loads(i.geometry.geojson), "properties": {
                "id": i.pk, "reference": i.reference, "title": i.title, "theme": row.group.title, "colour": row.colour,
                "group": row.group.pk, "supports": supports.get(i.pk, 0), "url": url_of(i), "illustrative": i.illustrative, "pending": False}})
    return {"type": "FeatureCollection", "name": f"{concept.slug}-groups", "features": features}
