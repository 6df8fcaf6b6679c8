"""Accounts: invitations by e-mail and the one-time link that sets a password."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from isek import access
from isek.core.audit import change
from isek.core.rules import invalid

from .models import Invitation

VALID_DAYS = 14


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(user, email: str, *, base_url: str, may_start_concepts: bool = True) -> tuple[Invitation, str]:
    """Invite ``email``: a mail with a one-time link (valid VALID_DAYS days); returns the
    invitation and the link. Someone who already has an account is not invited again."""
    access.require_site(user, "member", "invite")
    email = email.strip().lower()
    if get_user_model().objects.filter(email__iexact=email).exists():
        raise invalid(_("Für %(e)s gibt es schon einen Zugang.") % {"e": email}, "has_account", "email")
    token = secrets.token_urlsafe(32)
    with change(user, "web"):
        inv = Invitation.objects.create(
            email=email, token_hash=_hash(token), may_start_concepts=may_start_concepts,
            created_by=None if user.pk is None else user, expires_at=timezone.now() + datetime.timedelta(days=VALID_DAYS))
    link = base_url.rstrip("/") + reverse("accounts:accept", args=[token])
    send_mail(
        _("Einladung zu isek"),
        _("Guten Tag,\n\nSie sind zu isek eingeladen, der Plattform für integrierte städtebauliche "
          "Entwicklungskonzepte. Über diesen Link legen Sie Ihren Zugang an (gültig bis %(until)s, nur einmal):\n\n"
          "%(link)s\n\nWenn Sie die Einladung nicht erwartet haben, ignorieren Sie diese E-Mail.")
        % {"until": date_format(timezone.localtime(inv.expires_at), "SHORT_DATE_FORMAT"), "link": link},
        settings.DEFAULT_FROM_EMAIL, [email])
    return inv, link


def invitation_for(token: str) -> Invitation | None:
    """The open invitation of ``token`` (None if unknown, used or expired)."""
    inv = Invitation.objects.filter(token_hash=_hash(token)).first()
    return inv if inv is not None and inv.open else None


def accept(token: str, username: str, password: str):
    """Create the invited person's account with their own password; the link is used up."""
    inv = invitation_for(token)
    if inv is None:
        raise invalid(_("Dieser Link ist ungültig, abgelaufen oder schon benutzt."), "bad_token")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise invalid(_("Den Benutzernamen „%(u)s“ gibt es schon.") % {"u": username}, "duplicate_username", "username")
    candidate = User(username=username, email=inv.email)
    candidate.full_clean(exclude=["password"])
    password_validation.validate_password(password, candidate)
    with change(None, "invitation"):
        candidate.set_password(password)
        candidate.save()
        if inv.may_start_concepts:
            candidate.user_permissions.add(Permission.objects.get(codename="add_concept", content_type__app_label="concepts"))
        inv.accepted_at, inv.user = timezone.now(), candidate
        inv.save(update_fields=["accepted_at", "user"])
    return candidate


def open_invitations():
    return [i for i in Invitation.objects.all()[:100] if i.open]
