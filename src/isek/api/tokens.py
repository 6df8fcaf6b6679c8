"""Making, finding and revoking personal API tokens (api.Token)."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

from isek.core.rules import invalid

from .models import Token

PREFIX = "isek_"
MAX_PER_USER = 20


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(user, name: str) -> tuple[Token, str]:
    """A new token of ``user``; returns it and the key, which is not stored and shown only now."""
    from django.core.exceptions import PermissionDenied

    from isek.accounts import services as accounts

    if not accounts.may_hold_api_keys(user):
        raise PermissionDenied("citizen accounts hold no API keys")  # decision 0084
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise invalid(_("Bitte eine Bezeichnung mit höchstens 100 Zeichen angeben."), "name", "name")
    if Token.objects.filter(user=user).count() >= MAX_PER_USER:
        raise invalid(_("Höchstens %(n)s Schlüssel je Person; bitte einen alten widerrufen.") % {"n": MAX_PER_USER},
                      "too_many")
    key = PREFIX + secrets.token_urlsafe(32)
    token = Token.objects.create(user=user, name=name, prefix=key[:12], key_hash=_hash(key))
    return token, key


def user_for(key: str):
    """The active user of the token ``key``, or None."""
    if not key.startswith(PREFIX) or len(key) > 100:
        return None
    token = Token.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        Token.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def of(user):
    return Token.objects.filter(user=user)


def revoke(user, pk: int) -> bool:
    return Token.objects.filter(user=user, pk=pk).delete()[0] > 0
