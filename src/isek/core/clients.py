"""Who is sending a request, without keeping their address: the client's address (behind a
proxy the header it sets, ISEK_CLIENT_ADDRESS_HEADER, believed only when configured) and a key
made from it, HMAC(address, a secret of today and the purpose). Tomorrow the same address gives
another key, and nothing maps a key back to an address."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.utils import timezone


def address(request) -> str:
    header = settings.ISEK_CLIENT_ADDRESS_HEADER
    if header:
        given = request.headers.get(header, "").split(",")[0].strip()
        if given:
            return given
    return request.META.get("REMOTE_ADDR", "")


def secret(purpose: str, day=None) -> bytes:
    label = f"isek:{purpose}:{day.isoformat() if day else ''}"
    return hmac.new(settings.SECRET_KEY.encode(), label.encode(), hashlib.sha256).digest()


def key(request, purpose: str) -> str:
    """32 hex characters that stand for the client today, for ``purpose``."""
    return hmac.new(secret(purpose, timezone.now().date()), address(request).encode(), hashlib.sha256).hexdigest()[:32]
