"""What every contribution obeys: texts as the citizen meant them and within their limits, the
public name and the address for replies given with one contribution, an open phase, the target (a published idea or a
measure) of this concept."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from isek.concepts.services import Concept, Measure
from isek.core.rules import invalid

from ..models import NAME_MAX, Idea, Phase, Status
from .phase import current_phase

PUBLIC_STATUSES = (Status.PUBLISHED,)


def clean_text(value: str, limit: int, field: str, label: str, required: bool = True) -> str:
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


def author_name(name: str) -> str:
    """The public name given with one contribution (empty: anonymous), cleaned like any text."""
    return clean_text(name, NAME_MAX, "name", _("Name"), required=False)


def reply_address(email: str, consent: bool) -> str:
    """The address for the replies on one contribution, kept only with the consent given with it
    (empty: none). It is that contribution's alone: never used for another one sent from the same
    browser, which may be a kiosk's or a family's (decision 0044)."""
    email = (email or "").strip()
    if email and not consent:
        raise invalid(_("Die E-Mail-Adresse wird nur mit Ihrer Einwilligung gespeichert."), "consent", "email_consent")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise invalid(_("Bitte eine gültige E-Mail-Adresse angeben."), "email", "email") from None
    return email


def require_open(phase: Phase, flag: str, now=None) -> None:
    if not phase.is_open(now):
        raise invalid(_("Die Beteiligungsphase „%(p)s“ ist nicht geöffnet.") % {"p": phase.title_de}, "closed")
    if not getattr(phase, flag):
        raise invalid(_("In dieser Phase ist das nicht vorgesehen."), "not_open")


def target_phase(concept: Concept, idea: Idea | None, measure: Measure | None, now=None) -> Phase:
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
