"""Reports of a contribution: at the phase's threshold it is hidden until a moderator decides."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from isek import access
from isek.concepts.services import Concept
from isek.core import versions
from isek.core.rules import invalid

from ..models import FLAG_TEXT_MAX, Comment, Contributor, Decision, Flag, Idea, RejectReason, Status
from .contributors import Sent, send
from .rules import PUBLIC_STATUSES, clean_text


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
    text = clean_text(text, FLAG_TEXT_MAX, "text", _("Erläuterung"), required=False)
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
            Decision.objects.create(phase=target.phase, kind=kind, object_id=target.pk, number=target.number, action=Decision.Action.AUTO_HIDE,
                                    actor="isek", text=_("%(n)d Meldungen") % {"n": open_flags})
    return f


def send_flag(user, concept: Concept, known: Contributor | None, *, reason: str, text: str = "",
              idea: Idea | None = None, comment_obj: Comment | None = None) -> Sent:
    """A citizen's report (see ``flag``) with its contributor, or nothing."""
    return send(user, known, lambda c: flag(user, concept, c, reason=reason, text=text, idea=idea,
                                             comment_obj=comment_obj))
