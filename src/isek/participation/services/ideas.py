"""Citizens' ideas: inside the phase's area, sent once, read as each person may see them, and as a
map's features."""

from __future__ import annotations

import datetime

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from isek import access
from isek.concepts.services import Measure
from isek.core.rules import invalid

from .. import photos
from ..models import TEXT_MAX, TITLE_MAX, Contributor, Decision, DuplicateReview, Idea, Phase, Status, Theme, ThemeReview
from .contributors import Sent, UnknownContributor, contributor_for, send
from .rules import PUBLIC_STATUSES, author_name, clean_text, reply_address, require_open
from .supports import annotations as support_annotations

MAX_VERTICES = 500  # a drawn line or area; more is not a citizen's sketch


RESEND_WINDOW = datetime.timedelta(minutes=15)  # the same idea again within this time is the same idea


def published_ideas(user, phase: Phase):
    access.require(user, "participation", "view", phase.concept)
    return (phase.ideas.filter(status__in=PUBLIC_STATUSES).select_related("theme", "contributor", "measure")
            .annotate(**support_annotations()))


def visible_idea(user, phase: Phase, pk: int) -> Idea:
    """An idea as ``user`` may see it: published ones for all; pending, rejected or hidden ones
    for the moderators, and (to read the reason) for their author's browser, see ``idea_for_author``."""
    access.require(user, "participation", "view", phase.concept)
    idea = Idea.objects.select_related("theme", "contributor", "measure", "phase", "source").get(phase=phase, pk=pk)
    if idea.status in PUBLIC_STATUSES or access.allows(user, "moderation", "view", phase.concept):
        return idea
    raise Idea.DoesNotExist


def idea_for_author(contributor: Contributor | None, phase: Phase, pk: int) -> Idea | None:
    """The author's own idea in any state (so that they read why it was rejected), or None."""
    if contributor is None:
        return None
    return Idea.objects.filter(phase=phase, pk=pk, contributor=contributor).first()


def _geometry(value, phase: Phase) -> GEOSGeometry:
    """A point, line or area inside the phase's area (WGS84), or a message at the field."""
    try:
        g = value if isinstance(value, GEOSGeometry) else GEOSGeometry(value, srid=4326)
    except (GEOSException, GDALException, ValueError, TypeError):
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
                geometry, name: str = "", email: str = "", email_consent: bool = False, photo: str = "",
                photo_rights: bool = False, now=None, illustrative: bool = False) -> Idea:
    """A citizen's idea. Published at once or after review, as the phase says. ``name`` is the
    public name given with this idea (empty: anonymous), ``email`` the address for the replies on
    this idea alone, kept only with ``email_consent`` (``reply_address``). ``illustrative`` marks the demo's example
    ideas (labelled on every page).

    The same contributor sending the same title, text and place to the same phase again within
    RESEND_WINDOW (back in the browser, send once more) gets their first idea back, marked
    ``resent``, and nothing is stored."""
    access.require(user, "idea", "create", phase.concept)
    require_open(phase, "ideas_open", now)
    if isinstance(theme, Theme):
        theme_obj = theme if theme.phase_id == phase.pk else None
    else:
        theme_obj = phase.themes.filter(pk=theme).first()
    if theme_obj is None:
        raise invalid(_("Bitte ein Thema dieser Phase wählen."), "theme", "theme")
    title = clean_text(title, TITLE_MAX, "title", _("Titel"))
    text = clean_text(text, TEXT_MAX, "text", _("Beschreibung"))
    name = author_name(name)
    email = reply_address(email, email_consent)
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
        return Idea.objects.create(phase=phase, theme=theme_obj, contributor=contributor, author_name=name, email=email,
                                   title=title, text=text,
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


def send_idea(user, phase: Phase, *, known_id: str | None, email: str = "", email_consent: bool = False,
              photo=None, photo_rights: bool = False, **idea) -> Sent:
    """A citizen sends an idea (``idea``: the fields of ``submit_idea``) from a browser whose
    contributor may be known by the id of its cookie (``known_id``), with an uploaded ``photo``
    (checked and re-encoded first: a refused one stores nothing and raises InputError). The
    contribution, its contributor and their deletion link, or nothing.

    The crowd's path – an anonymous browser that sent before – takes no
    transaction and does not read the contributor (decision 0011); if the contributions of that
    browser were deleted meanwhile, the idea goes the way of a first one."""
    if photo and not photo_rights:  # before the photo is stored
        raise invalid(_("Ein Foto kann nur mit der Bestätigung der Nutzungsrechte veröffentlicht werden."),
                      "photo_rights", "photo_rights")
    stored = photos.store(photo) if photo else ""

    def submit(contributor):
        return submit_idea(user, phase, contributor, email=email, email_consent=email_consent, photo=stored,
                           photo_rights=photo_rights, **idea)

    try:
        sent = None
        if known_id is not None and not getattr(user, "is_authenticated", False):
            try:
                contributor, token = contributor_for(user, known_id=known_id)
                sent = Sent(submit(contributor), contributor, token)
            except UnknownContributor:
                pass
        if sent is None:
            sent = send(user, None, submit, known_id=known_id)
    except BaseException:
        photos.remove(stored)
        raise
    if sent.contribution.resent:  # the same idea sent again: the first one's photo stays
        photos.remove(stored)
    return sent


def ideas_features(user, phase: Phase, url_of) -> dict:
    """The published ideas of ``phase`` as an RFC 7946 FeatureCollection (WGS84); ``url_of(idea)``
    gives each idea's page."""
    features = [_feature(i, url_of(i)) for i in published_ideas(user, phase).exclude(geometry=None).order_by("pk")]
    return {"type": "FeatureCollection", "name": f"{phase.concept.slug}-ideas", "features": features}


def _feature(idea: Idea, url: str) -> dict:
    import json

    return {"type": "Feature", "id": idea.pk, "geometry": json.loads(idea.geometry.geojson), "properties": {
        "id": idea.pk, "reference": idea.reference, "title": idea.title, "theme": idea.theme.name if idea.theme else "",
        "colour": idea.theme.colour if idea.theme else "#757575", "supports": getattr(idea, "support_count", 0),
        "supports_confirmed": getattr(idea, "supports_confirmed", 0),
        "outcome": idea.get_outcome_display() if idea.outcome else "", "url": url, "illustrative": idea.illustrative,
        "pending": idea.status == Status.PENDING}}


def pending_feature(user, contributor: Contributor | None, idea: Idea, url: str) -> dict | None:
    """An idea not public (yet) as a GeoJSON Feature marked ``pending``, for the map of its page,
    which draws only published ones otherwise: the author's own waiting for the moderation (walk 8),
    and, for those who moderate, one waiting for them (pending, or hidden by reports), marked
    ``moderation`` (Offenbach walk); None for anyone else."""
    if idea.geometry is None:  # imported without a place: nothing to draw
        return None
    if idea.status == Status.PENDING and contributor is not None and idea.contributor_id == contributor.pk:
        return _feature(idea, url)
    if idea.status in (Status.PENDING, Status.HIDDEN) and access.allows(user, "moderation", "view", idea.phase.concept):
        feature = _feature(idea, url)
        feature["properties"].update(pending=True, moderation=True)
        return feature
    return None


def ideas_of_measure(user, measure: Measure):
    """The published ideas that led to a measure (for its page)."""
    access.require(user, "participation", "view", measure.concept)
    return Idea.objects.filter(measure=measure, status__in=PUBLIC_STATUSES).order_by("pk")


def _theme_changes(review: ThemeReview) -> list[dict]:
    """The earlier theme decisions a person changed (fix24d), from the change history: from what to what."""
    from isek.core.models import ChangeRecord

    names = {t.pk: t.name for t in Theme.objects.filter(phase_id=review.idea.phase_id)}
    out = []
    for r in ChangeRecord.objects.filter(model=ThemeReview._meta.label, object_id=str(review.pk),
                                         action="update").order_by("timestamp", "pk"):
        old, new = (r.changes or {}).get("theme_id", [None, None])
        if old == new:
            continue
        what = _("Thema-Entscheidung geändert: „%(old)s“ → „%(new)s“") % {
            "old": names.get(old, _("kein Thema passt")), "new": names.get(new, _("kein Thema passt"))}
        out.append({"at": r.timestamp, "actor": r.actor, "what": what, "detail": ""})
    return out


def idea_decisions(user, idea: Idea) -> list[dict]:
    """What people decided on ``idea``, oldest first, for the moderators' part of its page: the
    moderation's decisions (import, publication, rejection, merge) and the evaluation's – the
    theme a person confirmed, corrected or found none fitting, and duplicates (walk 24: only the
    import was listed). Each: ``at``, ``actor``, ``what``, ``detail``."""
    access.require(user, "moderation", "view", idea.concept)
    out = []
    for d in Decision.objects.filter(kind="idea", object_id=idea.pk).order_by("created_at", "pk"):
        what = d.get_action_display() + (f" ({d.get_reason_display()})" if d.reason else "")
        out.append({"at": d.created_at, "actor": d.actor, "what": what, "detail": d.text})
    review = ThemeReview.objects.filter(idea=idea).select_related("theme", "proposed").first()
    if review is not None:
        if review.no_fit:
            what, detail = _("Thema: keins passt"), ""
        elif review.unsuggested:
            what, detail = _("Thema gewählt ohne Vorschlag: „%(theme)s“") % {"theme": review.theme.name}, ""
        elif review.corrected:
            what = _("Thema korrigiert: „%(theme)s“") % {"theme": review.theme.name}
            detail = _("Vorschlag war „%(theme)s“") % {"theme": review.proposed.name} if review.proposed else ""
        else:
            what, detail = _("Thema bestätigt: „%(theme)s“") % {"theme": review.theme.name}, ""
        out.append({"at": review.at, "actor": review.by_name, "what": what, "detail": detail})
        out += _theme_changes(review)
    for dup in DuplicateReview.objects.filter(idea=idea).select_related("of"):
        what = (_("Duplikat von I-%(n)s") if dup.duplicate else _("kein Duplikat von I-%(n)s")) % {"n": dup.of.number}
        out.append({"at": dup.at, "actor": dup.by_name, "what": what, "detail": ""})
    return sorted(out, key=lambda e: e["at"])
