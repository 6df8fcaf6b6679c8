"""What citizens, moderators and planners do in a participation phase. Every rule is here, so the
pages, the API and any import obey the same: the phase must be open for the action, an idea must
lie inside the phase's area, texts have limits, one support per person, reports hide a
contribution at the phase's threshold, every moderation decision is logged and its reason shown
to the author. Abuse protection of the web channel (proof of work, honeypot, rate limits) is in
``abuse``; it is the channel's, not a rule of the domain."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import time
import unicodedata
from typing import NamedTuple

from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from isek import access
from isek.concepts.services import Concept, Measure
from isek.core import versions
from isek.core.audit import change
from isek.core.rules import invalid

from . import photos
from .models import (
    COMMENT_MAX,
    FLAG_TEXT_MAX,
    NAME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Comment,
    Contributor,
    Decision,
    Flag,
    Idea,
    Outcome,
    Phase,
    RejectReason,
    Status,
    Support,
    Theme,
)

__all__ = [
    "Comment", "Contributor", "Decision", "Flag", "Idea", "Outcome", "Phase", "RejectReason", "Status",
    "Support", "Theme",
]

MAX_VERTICES = 500  # a drawn line or area; more is not a citizen's sketch
RESEND_WINDOW = datetime.timedelta(minutes=15)  # the same idea again within this time is the same idea
PUBLIC_STATUSES = (Status.PUBLISHED,)


# --- reading -------------------------------------------------------------------------------------


def phases(user, concept: Concept):
    access.require(user, "participation", "view", concept)
    return concept.phases.prefetch_related("themes")


def current_phase(concept: Concept, now=None) -> Phase | None:
    """The phase open now, else the latest one that has begun, else None."""
    now = now or timezone.now()
    qs = concept.phases.filter(start__lte=now).order_by("-start")
    return qs.filter(end__gt=now).first() or qs.first()


# What a submission reads of its concept (the concept, the current phase, its themes), kept per
# process while the concept's public tag stays the same and for at most SETTING_SECONDS (which
# phase is current changes with time alone). A crowd of submissions then asks one small statement
# instead of three queries, and a planner's change reaches every process with its next request.
SETTING_SECONDS = 5
_clock = time.monotonic
_settings: dict[str, tuple[str, float, Concept, Phase | None, list[Theme]]] = {}


def submission_setting(slug: str) -> tuple[Concept, Phase | None, list[Theme]] | None:
    """The concept named ``slug``, its current phase and that phase's themes (None: no such
    concept). Callers check access on the concept, as for any other; the objects are shared
    between the requests of a process and are only read."""
    pk, tag = versions.public_tag_by(Concept, "slug", slug)
    if pk is None:
        _settings.pop(slug, None)
        return None
    kept = _settings.get(slug)
    if tag is not None and kept is not None and kept[0] == tag and kept[1] > _clock():
        return kept[2], kept[3], kept[4]
    concept = Concept.objects.select_related("city").filter(pk=pk, slug=slug).first()
    if concept is None:
        return None
    phase = current_phase(concept)
    themes = list(phase.themes.all()) if phase is not None else []
    if tag is not None:
        if len(_settings) > 500:
            _settings.clear()
        _settings[slug] = (tag, _clock() + SETTING_SECONDS, concept, phase, themes)
    return concept, phase, themes


def published_ideas(user, phase: Phase):
    access.require(user, "participation", "view", phase.concept)
    return (phase.ideas.filter(status__in=PUBLIC_STATUSES).select_related("theme", "contributor", "measure")
            .annotate(support_count=Count("supports", distinct=True)))


def visible_idea(user, phase: Phase, pk: int) -> Idea:
    """An idea as ``user`` may see it: published ones for all; pending, rejected or hidden ones
    for the moderators, and (to read the reason) for their author's browser, see ``idea_for_author``."""
    access.require(user, "participation", "view", phase.concept)
    idea = Idea.objects.select_related("theme", "contributor", "measure", "phase").get(phase=phase, pk=pk)
    if idea.status in PUBLIC_STATUSES or access.allows(user, "moderation", "view", phase.concept):
        return idea
    raise Idea.DoesNotExist


def idea_for_author(contributor: Contributor | None, phase: Phase, pk: int) -> Idea | None:
    """The author's own idea in any state (so that they read why it was rejected), or None."""
    if contributor is None:
        return None
    return Idea.objects.filter(phase=phase, pk=pk, contributor=contributor).first()


def counters(phase: Phase) -> dict:
    """Public counters: ideas received, published, waiting, merged into another, hidden, rejected
    by reason, deleted on request. The states add up to the ideas received."""
    ideas = phase.ideas.values("status").annotate(n=Count("pk"))
    by_status = {row["status"]: row["n"] for row in ideas}
    rejected = dict(phase.ideas.filter(status=Status.REJECTED).values_list("reject_reason").annotate(n=Count("pk")))
    deleted = phase.decisions.filter(action=Decision.Action.DELETE, kind="idea").count()
    return {
        "received": sum(by_status.values()) + deleted,
        "published": by_status.get(Status.PUBLISHED, 0),
        "pending": by_status.get(Status.PENDING, 0),
        "hidden": by_status.get(Status.HIDDEN, 0),
        "merged": by_status.get(Status.MERGED, 0),
        "rejected": sum(rejected.values()),
        "rejected_by_reason": [(RejectReason(code).label, n) for code, n in sorted(rejected.items()) if code],
        "deleted": deleted,
    }


# --- the citizen -------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_text(value: str, limit: int, field: str, label: str, required: bool = True) -> str:
    """Text as the citizen meant it: normalised (NFC), control characters removed, trimmed; HTML
    stays text (every page escapes it). Too long or missing: a message at the field."""
    value = unicodedata.normalize("NFC", value or "")
    value = "".join(c for c in value if c in "\n\t" or unicodedata.category(c)[0] != "C").strip()
    if required and not value:
        raise invalid(_("Bitte %(label)s angeben.") % {"label": label}, "required", field)
    if len(value) > limit:
        raise invalid(_("%(label)s ist %(n)d Zeichen lang; erlaubt sind höchstens %(max)d.")
                      % {"label": label, "n": len(value), "max": limit}, "too_long", field)
    return value


class UnknownContributor(Exception):
    """The contributor a browser's cookie names is gone (its contributions were deleted)."""


def contributor_for(user, known: Contributor | None = None, *, known_id: str | None = None, email: str = "",
                    email_consent: bool = False) -> tuple[Contributor, str | None]:
    """The contributor behind a submission: the signed-in person's, the browser's known one (given
    as ``known``, or by the id of its cookie as ``known_id``), or a new one. Returns it and, for a
    new one, the secret of its one-time deletion link (shown once, stored only hashed). An e-mail
    address is kept only with consent. The public name is not the contributor's: it goes with each
    contribution (``submit_idea``, ``comment``), so that one given once is never shown on another.

    With ``known_id`` and no address to record, the contributor is not read: the insert that names
    it checks it (the foreign key, checked at once outside a transaction), and ``submit_idea``
    raises UnknownContributor if it is gone. One statement less for each idea of a crowd."""
    email = (email or "").strip()
    if email and not email_consent:
        raise invalid(_("Die E-Mail-Adresse wird nur mit Ihrer Einwilligung gespeichert."), "consent", "email_consent")
    if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "pk", None):
        found = Contributor.objects.filter(user=user).first()
        if found is not None:
            return _update_contact(found, email), None
        known = None
    elif known is not None:
        return _update_contact(known, email), None
    elif known_id is not None:
        if not email and not connection.in_atomic_block:
            reference = Contributor(pk=known_id)
            reference._state.adding, reference.unread = False, True
            return reference, None
        found = Contributor.objects.filter(pk=known_id, user=None).first()
        if found is not None:
            return _update_contact(found, email), None
    token = secrets.token_urlsafe(24)
    c = Contributor.objects.create(user=user if getattr(user, "pk", None) else None, email=email,
                                   email_consent=bool(email), delete_token_hash=_hash(token))
    return c, token


def _update_contact(c: Contributor, email: str) -> Contributor:
    if email and email != c.email:
        c.email, c.email_consent = email, True
        c.save(update_fields=["email", "email_consent"])
    return c


def _author_name(name: str) -> str:
    """The public name given with one contribution (empty: anonymous), cleaned like any text."""
    return _clean_text(name, NAME_MAX, "name", _("Name"), required=False)


def _require_open(phase: Phase, flag: str, now=None) -> None:
    if not phase.is_open(now):
        raise invalid(_("Die Beteiligungsphase „%(p)s“ ist nicht geöffnet.") % {"p": phase.title_de}, "closed")
    if not getattr(phase, flag):
        raise invalid(_("In dieser Phase ist das nicht vorgesehen."), "not_open")


def _geometry(value, phase: Phase) -> GEOSGeometry:
    """A point, line or area inside the phase's area (WGS84), or a message at the field."""
    try:
        g = value if isinstance(value, GEOSGeometry) else GEOSGeometry(value, srid=4326)
    except (GEOSException, ValueError, TypeError):
        raise invalid(_("Der Ort ist keine gültige Geometrie."), "invalid_geometry", "geometry") from None
    if g.srid is None:
        g.srid = 4326
    if g.srid != 4326:
        g = g.transform(4326, clone=True)
    if g.geom_type not in ("Point", "LineString", "Polygon") or g.empty:
        raise invalid(_("Ein Ort ist ein Punkt, eine Linie oder eine Fläche."), "geometry_type", "geometry")
    if g.num_coords > MAX_VERTICES:
        raise invalid(_("Der Ort hat %(n)d Punkte; erlaubt sind höchstens %(max)d.")
                      % {"n": g.num_coords, "max": MAX_VERTICES}, "too_many_vertices", "geometry")
    if not g.valid:
        raise invalid(_("Die Fläche überschneidet sich selbst."), "invalid_geometry", "geometry")
    area = phase.area()
    if area is None or not area.contains(g):
        raise invalid(_("Der Ort liegt außerhalb des Gebiets dieser Beteiligung; Ideen können nur innerhalb "
                        "des markierten Gebiets verortet werden."), "outside", "geometry")
    return g


def submit_idea(user, phase: Phase, contributor: Contributor, *, theme: Theme | int, title: str, text: str,
                geometry, name: str = "", photo: str = "", photo_rights: bool = False, now=None,
                illustrative: bool = False) -> Idea:
    """A citizen's idea. Published at once or after review, as the phase says. ``name`` is the
    public name given with this idea (empty: anonymous). ``illustrative`` marks the demo's example
    ideas (labelled on every page).

    The same contributor sending the same title, text and place to the same phase again within
    RESEND_WINDOW (back in the browser, send once more) gets their first idea back, marked
    ``resent``, and nothing is stored."""
    access.require(user, "idea", "create", phase.concept)
    _require_open(phase, "ideas_open", now)
    if isinstance(theme, Theme):
        theme_obj = theme if theme.phase_id == phase.pk else None
    else:
        theme_obj = phase.themes.filter(pk=theme).first()
    if theme_obj is None:
        raise invalid(_("Bitte ein Thema dieser Phase wählen."), "theme", "theme")
    title = _clean_text(title, TITLE_MAX, "title", _("Titel"))
    text = _clean_text(text, TEXT_MAX, "text", _("Beschreibung"))
    name = _author_name(name)
    g = _geometry(geometry, phase)
    if photo and not photo_rights:
        raise invalid(_("Ein Foto kann nur mit der Bestätigung der Nutzungsrechte veröffentlicht werden."),
                      "photo_rights", "photo_rights")
    earlier = _sent_before(phase, contributor, title, text, g)
    if earlier is not None:
        earlier.resent = True
        return earlier
    status = Status.PUBLISHED if phase.moderation == Phase.Moderation.AFTER else Status.PENDING
    # No version bump: the public pages key on the phase's latest idea (phase_state), so a crowd
    # of submissions does not queue on one row.
    try:
        return Idea.objects.create(phase=phase, theme=theme_obj, contributor=contributor, author_name=name, title=title,
                                   text=text,
                                   geometry=g, photo=photo, photo_rights=bool(photo and photo_rights), status=status,
                                   illustrative=illustrative)
    except IntegrityError:
        if getattr(contributor, "unread", False):  # see contributor_for
            raise UnknownContributor from None
        raise


def _sent_before(phase: Phase, contributor: Contributor, title: str, text: str, g: GEOSGeometry) -> Idea | None:
    """The contributor's idea of the same title, text and place sent to ``phase`` within RESEND_WINDOW."""
    if contributor.pk is None or contributor._state.adding:
        return None
    since = timezone.now() - RESEND_WINDOW
    for earlier in Idea.objects.filter(phase=phase, contributor_id=contributor.pk, created_at__gte=since, title=title,
                                       text=text).order_by("pk"):
        if earlier.geometry.equals_exact(g, 1e-9):
            return earlier
    return None


class Sent(NamedTuple):
    """A contribution sent from outside: what was stored, by whom, and the secret of the deletion
    link of a new contributor (None for a known one), which the channel shows once."""

    contribution: Idea | Comment | Support | Flag
    contributor: Contributor
    token: str | None


def _send(user, known: Contributor | None, act, *, known_id: str | None = None, email: str = "",
          email_consent: bool = False) -> Sent:
    """``act(contributor)`` for the contributor behind a submission (``contributor_for``), in one
    transaction: a new contributor or a changed address only together with their contribution."""
    with transaction.atomic():
        contributor, token = contributor_for(user, known, known_id=known_id, email=email, email_consent=email_consent)
        return Sent(act(contributor), contributor, token)


def send_idea(user, phase: Phase, *, known_id: str | None, email: str = "", email_consent: bool = False,
              photo=None, photo_rights: bool = False, **idea) -> Sent:
    """A citizen sends an idea (``idea``: the fields of ``submit_idea``) from a browser whose
    contributor may be known by the id of its cookie (``known_id``), with an uploaded ``photo``
    (checked and re-encoded first: a refused one stores nothing and raises InputError). The
    contribution, its contributor and their deletion link, or nothing.

    The crowd's path – an anonymous browser that sent before, no address to record – takes no
    transaction and does not read the contributor (decision 0011); if the contributions of that
    browser were deleted meanwhile, the idea goes the way of a first one."""
    if photo and not photo_rights:  # before the photo is stored
        raise invalid(_("Ein Foto kann nur mit der Bestätigung der Nutzungsrechte veröffentlicht werden."),
                      "photo_rights", "photo_rights")
    stored = photos.store(photo) if photo else ""

    def submit(contributor):
        return submit_idea(user, phase, contributor, photo=stored, photo_rights=photo_rights, **idea)

    try:
        sent = None
        if known_id is not None and not email and not getattr(user, "is_authenticated", False):
            try:
                contributor, token = contributor_for(user, known_id=known_id)
                sent = Sent(submit(contributor), contributor, token)
            except UnknownContributor:
                pass
        if sent is None:
            sent = _send(user, None, submit, known_id=known_id, email=email, email_consent=email_consent)
    except BaseException:
        photos.remove(stored)
        raise
    if sent.contribution.resent:  # the same idea sent again: the first one's photo stays
        photos.remove(stored)
    return sent


def send_comment(user, concept: Concept, known: Contributor | None, *, text: str, name: str = "", email: str = "",
                 email_consent: bool = False, idea: Idea | None = None, measure: Measure | None = None) -> Sent:
    """A citizen's comment (see ``comment``) with its contributor, or nothing."""
    return _send(user, known, lambda c: comment(user, concept, c, text=text, name=name, idea=idea, measure=measure),
                 email=email, email_consent=email_consent)


def send_support(user, concept: Concept, known: Contributor | None, *, idea: Idea | None = None,
                 measure: Measure | None = None) -> Sent:
    """A citizen's support (see ``support``) with its contributor, or nothing."""
    return _send(user, known, lambda c: support(user, concept, c, idea=idea, measure=measure))


def send_flag(user, concept: Concept, known: Contributor | None, *, reason: str, text: str = "",
              idea: Idea | None = None, comment_obj: Comment | None = None) -> Sent:
    """A citizen's report (see ``flag``) with its contributor, or nothing."""
    return _send(user, known, lambda c: flag(user, concept, c, reason=reason, text=text, idea=idea,
                                             comment_obj=comment_obj))


def _target_phase(concept: Concept, idea: Idea | None, measure: Measure | None, now=None) -> Phase:
    if (idea is None) == (measure is None):
        raise ValueError("exactly one of idea and measure")
    if idea is not None:
        if idea.phase.concept_id != concept.pk or idea.status not in PUBLIC_STATUSES:
            raise Idea.DoesNotExist
        return idea.phase
    if measure.concept_id != concept.pk:
        raise Measure.DoesNotExist
    phase = current_phase(concept, now)
    if phase is None:
        raise invalid(_("Für dieses Konzept läuft keine Beteiligung."), "closed")
    return phase


def comment(user, concept: Concept, contributor: Contributor, *, text: str, name: str = "", idea: Idea | None = None,
            measure: Measure | None = None, now=None, illustrative: bool = False) -> Comment:
    """A comment on a published idea or on a measure; ``name`` as for ``submit_idea``."""
    access.require(user, "comment", "create", concept)
    phase = _target_phase(concept, idea, measure, now)
    _require_open(phase, "comments_open", now)
    text = _clean_text(text, COMMENT_MAX, "text", _("Kommentar"))
    name = _author_name(name)
    status = Status.PUBLISHED if phase.moderation == Phase.Moderation.AFTER else Status.PENDING
    if status == Status.PUBLISHED:
        versions.bump(concept.pk)
    return Comment.objects.create(phase=phase, idea=idea, measure=measure, contributor=contributor, author_name=name,
                                  text=text, status=status, illustrative=illustrative)


def support(user, concept: Concept, contributor: Contributor, *, idea: Idea | None = None,
            measure: Measure | None = None, now=None) -> Support:
    """One support per person and idea or measure; a second one is refused with a message."""
    access.require(user, "support", "create", concept)
    phase = _target_phase(concept, idea, measure, now)
    _require_open(phase, "support_open", now)
    try:
        with transaction.atomic():
            return Support.objects.create(phase=phase, idea=idea, measure=measure, contributor=contributor)
    except IntegrityError:
        raise invalid(_("Sie unterstützen das schon."), "already_supported") from None


def flag(user, concept: Concept, reporter: Contributor, *, reason: str, text: str = "", idea: Idea | None = None,
         comment_obj: Comment | None = None) -> Flag:
    """A citizen reports a contribution. At the phase's threshold of open reports it is hidden
    until a moderator decides (logged as an automatic decision)."""
    access.require(user, "flag", "create", concept)
    target = idea or comment_obj
    if target is None or target.phase.concept_id != concept.pk or target.status not in PUBLIC_STATUSES:
        raise Idea.DoesNotExist
    if reason not in RejectReason.values:
        raise invalid(_("Bitte einen Grund der Liste wählen."), "reason", "reason")
    text = _clean_text(text, FLAG_TEXT_MAX, "text", _("Erläuterung"), required=False)
    kind = "idea" if idea is not None else "comment"
    with transaction.atomic():
        try:
            with transaction.atomic():
                f = Flag.objects.create(idea=idea, comment=comment_obj, reason=reason, text=text, reporter=reporter)
        except IntegrityError:
            raise invalid(_("Sie haben diesen Beitrag schon gemeldet."), "already_flagged") from None
        open_flags = target.flags.filter(resolved=False).count()
        if open_flags >= target.phase.report_threshold:
            type(target).objects.filter(pk=target.pk, status=Status.PUBLISHED).update(status=Status.HIDDEN, reviewed=False)
            versions.bump(concept.pk)
            Decision.objects.create(phase=target.phase, kind=kind, object_id=target.pk, action=Decision.Action.AUTO_HIDE,
                                    actor="isek", text=_("%(n)d Meldungen") % {"n": open_flags})
    return f


def deletion_link_known(token: str) -> bool:
    return Contributor.objects.filter(delete_token_hash=_hash(token or "")).exists()


def delete_contributions(token: str) -> dict | None:
    """Delete everything a contributor gave (ideas with their comments and support, comments,
    support, reports, the name and address) through their one-time link; None if the link is
    unknown or used. The moderation log keeps only that something was deleted."""
    c = Contributor.objects.filter(delete_token_hash=_hash(token or "")).first()
    if c is None:
        return None
    with transaction.atomic():
        ideas = list(Idea.objects.filter(contributor=c).select_related("phase"))
        comments = list(Comment.objects.filter(contributor=c).select_related("phase"))
        for obj, kind in [(i, "idea") for i in ideas] + [(x, "comment") for x in comments]:
            Decision.objects.create(phase=obj.phase, kind=kind, object_id=obj.pk, action=Decision.Action.DELETE, actor="isek")
        for i in ideas:
            photos.remove(i.photo)
        counts = {"ideas": len(ideas), "comments": len(comments), "supports": c.supports.count()}
        touched = {o.phase.concept_id for o in ideas + comments}
        touched |= set(c.supports.values_list("phase__concept_id", flat=True))  # support numbers change too
        for pk in touched:
            versions.bump(pk)
        Idea.objects.filter(pk__in=[i.pk for i in ideas]).delete()
        Comment.objects.filter(pk__in=[x.pk for x in comments]).delete()
        c.delete()  # supports and reports go with it
    return counts


def purge_personal_data(now=None) -> int:
    """After a phase's retention period: the names given with its contributions and the e-mail
    addresses of its contributors are removed (the contributions stay, anonymous). Returns how
    many contributors lost a name or an address."""
    now = now or timezone.now()
    cleared = 0
    for phase in Phase.objects.all():
        if phase.end + datetime.timedelta(days=phase.retention_days) > now:
            continue
        with transaction.atomic():
            named = [qs.exclude(author_name="") for qs in (phase.ideas.all(), phase.comments.all())]
            addressed = Contributor.objects.filter(Q(idea__phase=phase) | Q(comment__phase=phase)).exclude(email="")
            people = set(addressed.values_list("pk", flat=True))
            for qs in named:
                people |= set(qs.exclude(contributor=None).values_list("contributor_id", flat=True))
                qs.update(author_name="")
            Contributor.objects.filter(pk__in=people).update(email="", email_consent=False)
            cleared += len(people)
    return cleared


# --- moderators and planners ---------------------------------------------------------------------


def queue(user, concept: Concept):
    """What waits for the moderators: pending ideas and comments, hidden ones (reported), and
    published ones not yet reviewed (moderation after publication), oldest first. Each idea tells
    where it lies: ``quarters`` (the names of the concept's quarters it touches) and ``point`` (a
    point on it, WGS84)."""
    access.require(user, "moderation", "view", concept)
    waiting = Q(status__in=[Status.PENDING, Status.HIDDEN]) | Q(status=Status.PUBLISHED, reviewed=False)
    ideas = (Idea.objects.filter(waiting, phase__concept=concept).select_related("theme", "contributor", "phase")
             .annotate(open_flags=Count("flags", filter=Q(flags__resolved=False))).order_by("created_at"))
    comments = (Comment.objects.filter(waiting, phase__concept=concept).select_related("idea", "measure", "contributor")
                .annotate(open_flags=Count("flags", filter=Q(flags__resolved=False))).order_by("created_at"))
    ideas = list(ideas)
    quarters = list(concept.quarters.order_by("name")) if ideas else []
    for i in ideas:
        i.quarters = [q.name for q in quarters if q.geometry.intersects(i.geometry)]
        i.point = i.geometry.point_on_surface
    return ideas, list(comments)


def decide(user, target: Idea | Comment, action: str, *, reason: str = "", text: str = "",
           merge_into: Idea | None = None) -> Decision:
    """A moderator's decision on an idea or comment: approve, reject (a reason of the catalogue,
    free text optional), hide, or merge an idea into another. Logged; reports are resolved."""
    concept = target.phase.concept
    access.require(user, "moderation", "decide", concept)
    kind = "idea" if isinstance(target, Idea) else "comment"
    A = Decision.Action
    if action not in (A.APPROVE, A.REJECT, A.HIDE, A.MERGE):
        raise invalid(_("Unbekannte Entscheidung."), "action")
    if action == A.REJECT and reason not in RejectReason.values:
        raise invalid(_("Eine Ablehnung braucht einen Grund aus der Liste."), "reason", "reason")
    if action == A.MERGE:
        if kind != "idea" or merge_into is None or merge_into.pk == target.pk or merge_into.phase_id != target.phase_id:
            raise invalid(_("Zusammenführen geht nur mit einer anderen Idee derselben Phase."), "merge", "merge_into")
    text = _clean_text(text, TEXT_MAX, "text", _("Begründung"), required=False)
    with change(user, "moderation"):
        target.reviewed = True
        target.status = {A.APPROVE: Status.PUBLISHED, A.REJECT: Status.REJECTED, A.HIDE: Status.HIDDEN,
                         A.MERGE: Status.MERGED}[action]
        target.reject_reason = reason if action == A.REJECT else (RejectReason.DUPLICATE if action == A.MERGE else "")
        target.reject_text = text if action != A.APPROVE else ""
        if action == A.MERGE:
            target.merged_into = merge_into
        target.save()
        target.flags.filter(resolved=False).update(resolved=True)
        versions.bump(concept.pk)
        d = Decision.objects.create(phase=target.phase, kind=kind, object_id=target.pk, action=action, reason=reason,
                                    text=text, moderator=user if getattr(user, "pk", None) else None,
                                    actor=user.get_username())
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
    text = _clean_text(text, TEXT_MAX, "answer", _("Antwort"), required=not outcome)
    with change(user, "moderation"):
        idea.answer, idea.outcome, idea.measure = text, outcome, measure
        idea.answered_at = timezone.now()
        idea.save()
        versions.bump(concept.pk)
        d = Decision.objects.create(phase=idea.phase, kind="idea", object_id=idea.pk,
                                    action=Decision.Action.LINK if measure else Decision.Action.ANSWER,
                                    text=text, moderator=user if getattr(user, "pk", None) else None,
                                    actor=user.get_username())
    _tell_author(idea, d)
    return d


def _tell_author(target, decision: Decision) -> None:
    """Tell the author by e-mail where they consented; the idea's page shows it in any case."""
    c = target.contributor
    if c is None or not c.email or not c.email_consent:
        return
    from .mail import decision_mail

    transaction.on_commit(lambda: decision_mail(c.email, target, decision))


def ideas_of_measure(user, measure: Measure):
    """The published ideas that led to a measure (for its page)."""
    access.require(user, "participation", "view", measure.concept)
    return Idea.objects.filter(measure=measure, status__in=PUBLIC_STATUSES).order_by("pk")


def named(kind: str, target: Idea | Comment | None, pk: int) -> str:
    """A contribution as the moderators read it: "Idee I-12 „Mehr Bänke“", "Kommentar K-3 „Ja, …“",
    or, once deleted, "Idee I-12 (gelöscht)"."""
    if kind == "idea":
        ref = f"I-{pk}"
        return (_("Idee %(r)s „%(t)s“") % {"r": ref, "t": target.title} if target is not None
                else _("Idee %(r)s (gelöscht)") % {"r": ref})
    ref = f"K-{pk}"
    if target is None:
        return _("Kommentar %(r)s (gelöscht)") % {"r": ref}
    text = target.text if len(target.text) <= 40 else target.text[:39].rstrip() + "…"
    return _("Kommentar %(r)s „%(t)s“") % {"r": ref, "t": text}


def decided(target: Idea | Comment, decision: Decision) -> str:
    """What a moderator decided, in a sentence: "Idee I-12 „Mehr Bänke“ veröffentlicht."."""
    kind = "idea" if isinstance(target, Idea) else "comment"
    subject = named(kind, target, target.pk)
    if decision.action == Decision.Action.MERGE and target.merged_into is not None:
        return _("%(a)s mit %(b)s zusammengeführt.") % {"a": subject, "b": named("idea", target.merged_into,
                                                                                   target.merged_into.pk)}
    return _("%(what)s %(action)s.") % {"what": subject, "action": decision.get_action_display()}


def log(user, concept: Concept, limit: int = 50) -> list[Decision]:
    """The latest decisions, each with ``subject``: what it was about, named for people."""
    access.require(user, "moderation", "view", concept)
    rows = list(Decision.objects.filter(phase__concept=concept).select_related("moderator")[:limit])
    found = {kind: model.objects.in_bulk([d.object_id for d in rows if d.kind == kind])
             for kind, model in (("idea", Idea), ("comment", Comment))}
    for d in rows:
        d.subject = named(d.kind, found.get(d.kind, {}).get(d.object_id), d.object_id)
    return rows


# --- planners' set-up ----------------------------------------------------------------------------


# Colours for themes given without one, in this order, skipping those other themes of the phase have.
THEME_PALETTE = ("#005ca9", "#2e7d32", "#c62828", "#6a1b9a", "#e65100", "#00838f", "#ad1457", "#5d4037",
                 "#827717", "#283593", "#37474f", "#4e342e")


def _theme_colours(themes: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """``themes`` with each missing colour taken from THEME_PALETTE: distinct from the others'
    where the palette allows, and the same for the same list."""
    taken = {colour.lower() for _de, _en, colour in themes if colour}
    free = [c for c in THEME_PALETTE if c not in taken] or list(THEME_PALETTE)
    out = []
    for de, en, colour in themes:
        if not colour:
            colour = free.pop(0) if len(free) > 1 else free[0]
        out.append((de, en, colour))
    return out


def save_phase(user, concept: Concept, phase: Phase | None = None, *, themes: list[tuple[str, str, str]] | None = None,
               **fields) -> Phase:
    """Create or change a phase; ``themes`` = [(name_de, name_en, colour)] in order (replaces the
    list; themes that have ideas stay; an empty colour: one of THEME_PALETTE not yet used). Start
    before end; the polygon, if given, must touch the area."""
    access.require(user, "phase", "edit", concept)
    phase = phase or Phase(concept=concept)
    if phase.concept_id != concept.pk:
        raise Phase.DoesNotExist
    for k, v in fields.items():
        setattr(phase, k, v)
    if not phase.title_de:
        raise invalid(_("Bitte einen Titel angeben."), "required", "title_de")
    if phase.start and phase.end and phase.end <= phase.start:
        raise invalid(_("Das Ende muss nach dem Beginn liegen."), "period", "end")
    if phase.polygon is None and concept.area is None:
        raise invalid(_("Ohne Fördergebiet braucht die Phase ein eigenes Gebiet für Ideen."), "area", "polygon")
    if not concept.is_public and phase.end and phase.end > timezone.now():
        # Citizens would find neither the phase nor the form (404): refused, not published
        # behind the planner's back (decision 0022).
        raise invalid(_("Das Konzept „%(c)s“ ist nicht öffentlich: Bürgerinnen und Bürger könnten diese Beteiligung "
                        "nicht sehen. Bitte zuerst das Konzept veröffentlichen („Konzept bearbeiten“, „öffentlich "
                        "sichtbar“). Eine Phase, die schon vorbei ist, kann auch so erfasst werden.")
                      % {"c": concept.name}, "not_public")
    names = [t[0].strip() for t in themes or []]
    if themes is not None and (not names or any(not n for n in names)):
        raise invalid(_("Eine Phase braucht mindestens ein Thema, jedes mit Namen."), "themes", "themes")
    if len(set(names)) != len(names):
        raise invalid(_("Jedes Thema nur einmal."), "themes", "themes")
    with change(user, "web"):
        phase.save()
        if themes is not None:
            keep = []
            for order, (de, en, colour) in enumerate(_theme_colours(themes)):
                t, _c = Theme.objects.update_or_create(phase=phase, name_de=de.strip(),
                                                       defaults={"name_en": en.strip(), "colour": colour, "order": order})
                keep.append(t.pk)
            for t in phase.themes.exclude(pk__in=keep):
                if not t.ideas.exists():
                    t.delete()
    return phase


# --- for the map and the keyboard ----------------------------------------------------------------


def ideas_features(user, phase: Phase, url_of) -> dict:
    """The published ideas of ``phase`` as an RFC 7946 FeatureCollection (WGS84); ``url_of(idea)``
    gives each idea's page."""
    import json

    features = []
    for i in published_ideas(user, phase).order_by("pk"):
        features.append({"type": "Feature", "id": i.pk, "geometry": json.loads(i.geometry.geojson), "properties": {
            "id": i.pk, "reference": i.reference, "title": i.title, "theme": i.theme.name, "colour": i.theme.colour,
            "supports": i.support_count, "outcome": i.get_outcome_display() if i.outcome else "", "url": url_of(i),
            "illustrative": i.illustrative}})
    return {"type": "FeatureCollection", "name": f"{phase.concept.slug}-ideas", "features": features}


def places(phase: Phase) -> list[tuple[str, str]]:
    """Named places inside the phase's area to put an idea without a mouse: [(GeoJSON point, label)]:
    the middle of the area, each quarter, each located measure."""
    area = phase.area()
    if area is None:
        return []
    out = []

    def add(point, label):
        if point is not None and area.contains(point):
            out.append((point.json, label))

    add(area.point_on_surface, _("Mitte des Gebiets"))
    for q in phase.concept.quarters.order_by("name"):
        add(q.geometry.intersection(area).point_on_surface if q.geometry.intersects(area) else None,
            _("Teilraum %(n)s") % {"n": q.name})
    for m in phase.concept.measures.exclude(geometry=None).order_by("sort_key"):
        add(m.geometry.point_on_surface, _("bei Maßnahme %(n)s %(t)s") % {"n": m.number, "t": m.title})
    return out


def area_features(phase: Phase) -> dict:
    import json

    area = phase.area()
    return {"type": "FeatureCollection", "features": [] if area is None else [
        {"type": "Feature", "geometry": json.loads(area.geojson), "properties": {"name": phase.title_de}}]}


# --- for planners: statistics and exports --------------------------------------------------------


def statistics(user, phase: Phase) -> dict:
    """Ideas per theme and per quarter (received and published), comments and support in all."""
    access.require(user, "participation", "statistics", phase.concept)
    ideas = list(phase.ideas.select_related("theme").annotate(n_support=Count("supports")))
    themes = []
    for t in phase.themes.all():
        mine = [i for i in ideas if i.theme_id == t.pk]
        themes.append({"theme": t, "received": len(mine), "published": sum(i.status == Status.PUBLISHED for i in mine),
                       "supports": sum(i.n_support for i in mine)})
    quarters = []
    for q in phase.concept.quarters.order_by("name"):
        inside = [i for i in ideas if q.geometry.intersects(i.geometry)]
        quarters.append({"quarter": q, "received": len(inside),
                         "published": sum(i.status == Status.PUBLISHED for i in inside)})
    return {"themes": themes, "quarters": quarters, "ideas": len(ideas),
            "comments": phase.comments.count(), "supports": phase.supports.count()}


EXPORT_COLUMNS = [
    ("reference", _("Nr.")), ("kind", _("Art")), ("theme", _("Thema")), ("title", _("Titel")), ("text", _("Text")),
    ("author", _("Name (öffentlich)")), ("status", _("Stand")), ("reason", _("Grund")), ("outcome", _("Ergebnis")),
    ("measure", _("Maßnahme")), ("answer", _("Antwort der Stadt")), ("supports", _("Unterstützungen")),
    ("on", _("zu")), ("created", _("eingegangen")), ("lon", _("Länge (WGS84)")), ("lat", _("Breite (WGS84)")),
    ("illustrative", _("Beispiel")),
]


def export_rows(user, concept: Concept) -> list[dict]:
    """Every contribution of the concept's phases, one row each (no e-mail addresses), for CSV and
    XLSX; texts as the citizens wrote them (the writers keep formulas from running)."""
    access.require(user, "participation", "export", concept)
    rows = []
    ideas = (Idea.objects.filter(phase__concept=concept).select_related("theme", "contributor", "measure")
             .annotate(n_support=Count("supports")).order_by("pk"))
    for i in ideas:
        c = i.geometry.point_on_surface
        rows.append({"reference": i.reference, "kind": _("Idee"), "theme": i.theme.name_de, "title": i.title, "text": i.text,
                     "author": i.author_name, "status": i.get_status_display(),
                     "reason": i.get_reject_reason_display() if i.reject_reason else "",
                     "outcome": i.get_outcome_display() if i.outcome else "",
                     "measure": i.measure.number if i.measure else "", "answer": i.answer, "supports": i.n_support,
                     "on": "", "created": timezone.localtime(i.created_at).strftime("%Y-%m-%d %H:%M"),
                     "lon": round(c.x, 6), "lat": round(c.y, 6), "illustrative": i.illustrative})
    comments = Comment.objects.filter(phase__concept=concept).select_related("idea", "measure", "contributor").order_by("pk")
    for x in comments:
        rows.append({"reference": f"K-{x.pk}", "kind": _("Kommentar"), "theme": "", "title": "", "text": x.text,
                     "author": x.author_name, "status": x.get_status_display(),
                     "reason": x.get_reject_reason_display() if x.reject_reason else "", "outcome": "", "measure": "",
                     "answer": "", "supports": "",
                     "on": x.idea.reference if x.idea_id else _("Maßnahme %(n)s") % {"n": x.measure.number},
                     "created": timezone.localtime(x.created_at).strftime("%Y-%m-%d %H:%M"), "lon": None, "lat": None,
                     "illustrative": x.illustrative})
    return rows


def export_features(user, concept: Concept) -> dict:
    """All ideas of the concept (every state) as GeoJSON for the planners' GIS."""
    import json

    access.require(user, "participation", "export", concept)
    rows = {r["reference"]: r for r in export_rows(user, concept)}
    features = [{"type": "Feature", "id": i.pk, "geometry": json.loads(i.geometry.geojson),
                 "properties": {k: v for k, v in rows[i.reference].items() if k not in ("lon", "lat")}}
                for i in Idea.objects.filter(phase__concept=concept).order_by("pk")]
    return {"type": "FeatureCollection", "name": f"{concept.slug}-beitraege", "features": features}


def phase_state(concept: Concept) -> str:
    """A short key of what the public pages show of the current phase, part of their cache key:
    which phase, open or not (it opens and closes without a write), and its latest idea and
    support (new ones change the counters and the support numbers without bumping the concept's
    version, so that a crowd of submissions does not queue on one row)."""
    phase = current_phase(concept)
    if phase is None:
        return ""
    last_idea = phase.ideas.order_by("-pk").values_list("pk", flat=True).first()
    last_support = phase.supports.order_by("-pk").values_list("pk", flat=True).first()
    return f"{phase.pk}:{int(phase.is_open())}:{last_idea}:{last_support}"


def phase_summary(concept: Concept) -> dict:
    """For the concept page: the current phase (or None) and whether it is open."""
    phase = current_phase(concept)
    return {"phase": phase, "phase_open": phase is not None and phase.is_open()}


def measure_participation(user, measure: Measure) -> dict:
    """What a measure's page shows of participation: the ideas that led to it, published comments,
    the number of supports, and what the open phase allows (the same for every visitor, so that
    the page can be cached)."""
    concept = measure.concept
    access.require(user, "participation", "view", concept)
    phase = current_phase(concept)
    is_open = phase is not None and phase.is_open()
    return {
        "phase": phase, "ideas": list(ideas_of_measure(user, measure)),
        "comments": list(measure.comments.filter(status__in=PUBLIC_STATUSES).select_related("contributor")),
        "supports": measure.supports.count(),
        "may_comment": is_open and phase.comments_open and access.allows(user, "comment", "create", concept),
        "may_support": is_open and phase.support_open and access.allows(user, "support", "create", concept),
    }
