"""Moderators and planners: the queue, decisions with their reasons (logged, told to the author
with consent), the city's answer and the measure an idea led to, the log in words."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from isek import access
from isek.concepts.services import Concept, Measure
from isek.core import versions
from isek.core.audit import change
from isek.core.rules import invalid

from ..models import TEXT_MAX, Comment, Decision, Flag, Idea, Outcome, RejectReason, Status
from .rules import clean_text


def _reported(model):
    """``model``'s contributions with a citizen's report the moderators have not decided on."""
    return Exists(Flag.objects.filter(**{model.kind: OuterRef("pk")}, resolved=False))


def queue(user, concept: Concept):
    """What waits for the moderators: pending ideas and comments, hidden ones, published ones not
    yet reviewed (moderation after publication), and every one with an open citizen's report,
    oldest first. Each tells its open reports (``open_flags``, ``reports``: see ``attach_reports``);
    where an idea lies, ``locate`` tells for the ideas a page shows."""
    access.require(user, "moderation", "view", concept)
    waiting = Q(status__in=[Status.PENDING, Status.HIDDEN]) | Q(status=Status.PUBLISHED, reviewed=False)
    ideas = list(Idea.objects.filter(waiting | Q(_reported(Idea)), phase__concept=concept)
                 .select_related("theme", "contributor", "phase", "source").order_by("created_at"))
    comments = list(Comment.objects.filter(waiting | Q(_reported(Comment)), phase__concept=concept)
                    .select_related("idea", "measure", "contributor").order_by("created_at"))
    attach_reports(ideas)
    attach_reports(comments)
    return ideas, comments


def locate(concept: Concept, ideas: list[Idea]) -> None:
    """Give each of ``ideas`` (those a page shows) where it lies: ``quarters`` (the names of the
    concept's quarters it touches) and ``point`` (a point on it, WGS84). One query for the
    quarters, whatever the number of ideas; the geometry work only for the page (walk 24: it ran
    for every waiting idea, 697 of them, on each page of 100)."""
    quarters = list(concept.quarters.order_by("name")) if ideas else []
    for i in ideas:
        i.quarters = [q.name for q in quarters if i.geometry is not None and q.geometry.intersects(i.geometry)]
        i.point = i.geometry.point_on_surface if i.geometry is not None else None


def attach_reports(targets: list) -> None:
    """Give each idea or comment its open reports as the moderators read them: ``open_flags`` (how
    many), ``reports`` ([(reason, how many)], most first) and ``report_texts`` (the explanations
    given). Nothing of who reported: reporters stay anonymous to the moderators."""
    if not targets:
        return
    kind = targets[0].kind
    rows = Flag.objects.filter(**{f"{kind}__in": targets}, resolved=False).order_by("created_at", "pk")
    found: dict[int, list] = {}
    for f in rows.values(f"{kind}_id", "reason", "text"):
        found.setdefault(f[f"{kind}_id"], []).append(f)
    labels = dict(RejectReason.choices)
    for t in targets:
        flags = found.get(t.pk, [])
        counts: dict[str, int] = {}
        for f in flags:
            counts[f["reason"]] = counts.get(f["reason"], 0) + 1
        t.open_flags = len(flags)
        t.reports = sorted(((str(labels.get(r, r)), n) for r, n in counts.items()), key=lambda x: -x[1])
        t.report_texts = [f["text"] for f in flags if f["text"]]


def open_reports(user, concept: Concept) -> int:
    """How many ideas and comments of ``concept`` have a citizen's report no moderator has decided on."""
    access.require(user, "moderation", "view", concept)
    return sum(model.objects.filter(_reported(model), phase__concept=concept).count() for model in (Idea, Comment))


IDEA_NUMBER = re.compile(r"^(?:I\s*-?\s*)?([0-9]{1,9})$", re.IGNORECASE)


def idea_numbered(user, phase, typed: str) -> Idea:
    """The idea a moderator names by its number as every page shows it ("I-12" or "12", numbered
    per concept: decision 0035), never by its database id; a message at the field if there is none
    in ``phase`` (one of another phase of the concept is returned: ``decide`` refuses it)."""
    access.require(user, "moderation", "decide", phase.concept)
    m = IDEA_NUMBER.match((typed or "").strip())
    if m is None:
        raise invalid(_("Bitte die Nummer der Idee angeben, z. B. I-1."), "merge", "merge_into")
    found = Idea.objects.filter(concept=phase.concept, number=int(m.group(1))).first()
    if found is None:
        raise invalid(_("Eine Idee I-%(n)s gibt es in dieser Phase nicht.") % {"n": int(m.group(1))}, "merge", "merge_into")
    return found


def decide(user, target: Idea | Comment, action: str, *, reason: str = "", text: str = "",
           merge_into: Idea | None = None) -> Decision:
    """A moderator's decision on an idea or comment: approve, reject (a reason of the catalogue,
    free text optional), hide, merge an idea into another, or dismiss its open reports (it stays, or
    is shown again if the reports hid it; the author is not written to: nothing changed for them).
    Logged; reports are resolved. The text
    for the author goes with a refusal (reject, hide, merge), where the idea's page shows it to them;
    an approval with one is refused rather than dropping it (the public answer is ``answer``)."""
    concept = target.phase.concept
    access.require(user, "moderation", "decide", concept)
    kind = "idea" if isinstance(target, Idea) else "comment"
    A = Decision.Action
    if action not in (A.APPROVE, A.REJECT, A.HIDE, A.MERGE, A.DISMISS):
        raise invalid(_("Unbekannte Entscheidung."), "action")
    if action == A.DISMISS and (target.status not in (Status.PUBLISHED, Status.HIDDEN)
                                or not target.flags.filter(resolved=False).exists()):
        raise invalid(_("Zu diesem Beitrag gibt es keine offenen Meldungen."), "no_reports")
    if action == A.REJECT and reason not in RejectReason.values:
        raise invalid(_("Eine Ablehnung braucht einen Grund aus der Liste."), "reason", "reason")
    if action == A.MERGE:
        if kind != "idea" or merge_into is None or merge_into.pk == target.pk or merge_into.phase_id != target.phase_id:
            raise invalid(_("Zusammenführen geht nur mit einer anderen Idee derselben Phase."), "merge", "merge_into")
    text = clean_text(text, TEXT_MAX, "text", _("Begründung"), required=False)
    if action in (A.APPROVE, A.DISMISS) and text:
        raise invalid(_("Eine Begründung wird nur bei Ablehnen, Ausblenden oder Zusammenführen mitgeteilt; beim "
                        "Veröffentlichen bitte das Feld leeren (eine öffentliche Antwort gibt es auf der Seite der "
                        "Idee)."), "text_on_approve", "text")
    with change(user, "moderation"):
        was_public = target.status == Status.PUBLISHED
        target.reviewed = True
        target.status = {A.APPROVE: Status.PUBLISHED, A.REJECT: Status.REJECTED, A.HIDE: Status.HIDDEN,
                         A.MERGE: Status.MERGED, A.DISMISS: Status.PUBLISHED}[action]
        target.reject_reason = reason if action == A.REJECT else (RejectReason.DUPLICATE if action == A.MERGE else "")
        target.reject_text = text if action not in (A.APPROVE, A.DISMISS) else ""
        if action == A.MERGE:
            target.merged_into = merge_into
            target.merged_public = was_public
        target.save()
        target.flags.filter(resolved=False).update(resolved=True)
        versions.bump(concept.pk)
        d = Decision.objects.create(phase=target.phase, kind=kind, object_id=target.pk, number=target.number, action=action, reason=reason,
                                    text=text, moderator=user if getattr(user, "pk", None) else None,
                                    actor=user.get_username())
    if action != A.DISMISS:
        _tell_author(target, d)
    return d


def answer(user, idea: Idea, *, text: str, outcome: str = "", measure: Measure | None = None) -> Decision:
    """The city's public answer to an idea and its outcome ("became measure 2.3", …). Linking the
    measure is a planner's decision; moderators may answer."""
    concept = idea.phase.concept
    access.require(user, "moderation", "decide", concept)
    if outcome not in Outcome.values:
        raise invalid(_("Unbekanntes Ergebnis."), "outcome", "outcome")
    if outcome == Outcome.MEASURE:
        access.require(user, "idea", "link", concept)
        if measure is None or measure.concept_id != concept.pk:
            raise invalid(_("Bitte die Maßnahme dieses Konzepts wählen, zu der die Idee geführt hat."), "measure", "measure")
    elif measure is not None:
        raise invalid(_("Eine Maßnahme wird nur beim Ergebnis „wurde zur Maßnahme“ verknüpft."), "measure", "measure")
    text = clean_text(text, TEXT_MAX, "answer", _("Antwort"), required=not outcome)
    with change(user, "moderation"):
        idea.answer, idea.outcome, idea.measure = text, outcome, measure
        idea.answered_at = timezone.now()
        idea.save()
        versions.bump(concept.pk)
        d = Decision.objects.create(phase=idea.phase, kind="idea", object_id=idea.pk, number=idea.number,
                                    action=Decision.Action.LINK if measure else Decision.Action.ANSWER,
                                    text=text, moderator=user if getattr(user, "pk", None) else None,
                                    actor=user.get_username())
    _tell_author(idea, d)
    return d


def merged_ideas(user, idea: Idea) -> list[Idea]:
    """The ideas merged into ``idea``, oldest first, as ``user`` may read them at it: those public
    when merged, if ``idea`` is public, for everyone; all of them for the moderators, each marked
    ``moderators_only`` where the public does not see it (its author never saw it public)."""
    concept = idea.phase.concept
    access.require(user, "participation", "view", concept)
    moderator = access.allows(user, "moderation", "view", concept)
    found = []
    for m in idea.merged.filter(status=Status.MERGED).order_by("number"):
        m.moderators_only = not (m.merged_public and idea.status == Status.PUBLISHED)
        if moderator or not m.moderators_only:
            found.append(m)
    return found


def _tell_author(target, decision: Decision) -> None:
    """Tell the author by e-mail if they gave an address, with consent, with this contribution (not
    with another one from the same browser: decision 0044); the idea's page shows it in any case."""
    if not target.email:
        return
    from ..mail import decision_mail

    address = target.email
    transaction.on_commit(lambda: decision_mail(address, target, decision))


def named(kind: str, target: Idea | Comment | None, number: int | None) -> str:
    """A contribution as the moderators read it: "Idee I-12 „Mehr Bänke“", "Kommentar K-3 „Ja, …“",
    or, once deleted, "Idee I-12 (gelöscht)" (the number the log kept; "?" for a decision older
    than numbers per concept on a contribution deleted before them)."""
    ref = target.reference if target is not None else f"{'I' if kind == 'idea' else 'K'}-{number or '?'}"
    if kind == "idea":
        return (_("Idee %(r)s „%(t)s“") % {"r": ref, "t": target.title} if target is not None
                else _("Idee %(r)s (gelöscht)") % {"r": ref})
    if target is None:
        return _("Kommentar %(r)s (gelöscht)") % {"r": ref}
    text = target.text if len(target.text) <= 40 else target.text[:39].rstrip() + "…"
    return _("Kommentar %(r)s „%(t)s“") % {"r": ref, "t": text}


def decided(target: Idea | Comment, decision: Decision) -> str:
    """What a moderator decided, in a sentence: "Idee I-12 „Mehr Bänke“ veröffentlicht."."""
    kind = "idea" if isinstance(target, Idea) else "comment"
    subject = named(kind, target, target.number)
    if decision.action == Decision.Action.DISMISS:
        return _("Die Meldungen zu %(a)s sind zurückgewiesen; der Beitrag bleibt veröffentlicht.") % {"a": subject}
    if decision.action == Decision.Action.MERGE and target.merged_into is not None:
        return _("%(a)s mit %(b)s zusammengeführt.") % {"a": subject, "b": named("idea", target.merged_into,
                                                                                   target.merged_into.number)}
    return _("%(what)s %(action)s.") % {"what": subject, "action": decision.get_action_display()}


def moderated_phases(user, concept: Concept):
    """The concept's phases, for its moderation page – also to moderators of a concept that is not
    public, who do not see its participation's public pages (decision 0077)."""
    access.require(user, "moderation", "view", concept)
    return concept.phases.prefetch_related("themes")


def log(user, concept: Concept, limit: int = 50) -> list[Decision]:
    """The latest decisions, each with ``subject``: what it was about, named for people."""
    access.require(user, "moderation", "view", concept)
    rows = list(Decision.objects.filter(phase__concept=concept).select_related("moderator")[:limit])
    found = {kind: model.objects.in_bulk([d.object_id for d in rows if d.kind == kind])
             for kind, model in (("idea", Idea), ("comment", Comment))}
    for d in rows:
        d.subject = named(d.kind, found.get(d.kind, {}).get(d.object_id), d.number)
    return rows
