"""Abuse protection of the public forms of the web channel (participation, the accessibility feedback),
without storing an IP address anywhere:

- a self-hosted proof of work (ALTCHA): the page fetches a signed challenge from isek, the
  browser solves it, isek checks the solution and remembers it until it expires (no replay);
- a honeypot field (web.forms.Honeypot);
- rate limits per client, keyed by an HMAC of the address with a secret that changes every day,
  counted in a table of counters (core.throttle) whose rows go when their window has passed.

These guard the pages; the API (with tokens) has its own limits. The domain rules are in services.
``after_response`` runs work (a mail that only some addresses get) once the answer is out, so that
its time tells nothing (decision 0093)."""

from __future__ import annotations

import logging
import time

from django.conf import settings

from isek.core import clients, throttle

POW_ALGORITHM = "PBKDF2/SHA-256"
POW_TTL = 600  # seconds a challenge stays valid
log = logging.getLogger(__name__)


def client_key(request) -> str:
    """Who is sending, without keeping the address: HMAC(address, secret of today)."""
    return clients.key(request, "participation-rate")


def over_limit(request, action: str, on: str = "") -> bool:
    """Count this request of the client for ``action`` (``on``: on that one target only); True once
    it exceeds the limit (ISEK_PARTICIPATION_RATE = {action: (number, seconds)})."""
    number, seconds = settings.ISEK_PARTICIPATION_RATE.get(action, (30, 600))
    return throttle.hit(f"{action}:{on}:{client_key(request)}" if on else f"{action}:{client_key(request)}", seconds) > number


def challenge() -> dict:
    """A new signed proof-of-work challenge (the JSON the ALTCHA widget fetches)."""
    import altcha

    c = altcha.create_challenge(POW_ALGORITHM, settings.ISEK_POW_COST, key_prefix=settings.ISEK_POW_PREFIX,
                                expires_at=int(time.time()) + POW_TTL, hmac_secret=clients.secret("participation-pow"))
    return c.to_dict()


def pow_ok(payload: str) -> bool:
    """Is ``payload`` (the widget's hidden field) a correct solution of a challenge of ours that has
    not expired and was not used before? A used one is remembered until its challenge expires."""
    import altcha

    if not payload or len(payload) > 4000:
        return False
    try:
        result = altcha.verify_solution(payload, clients.secret("participation-pow"))
        parsed = altcha.v2.Payload.from_base64(payload)
    except Exception:  # malformed input of any kind is simply not a solution
        return False
    if not result.verified:
        return False
    signature = parsed.challenge.signature or ""
    expires = parsed.challenge.parameters.expires_at or int(time.time()) + POW_TTL
    return throttle.use_once(f"pow:{signature}", int(expires) + 60)  # False if seen before


def after_response(response, work):
    """Run ``work`` once ``response`` has gone out: the WSGI server closes a response after writing
    it (Django's test client too), and ``work`` runs then, before the response's own closing (which
    ends the request and its database connection). An error in ``work`` is logged, never the
    answer's. Returns ``response``."""
    closing = response.close

    def close():
        try:
            work()
        except Exception:  # the answer is out; nobody is left to tell but the log
            log.exception("work after the response failed")
        finally:
            closing()

    response.close = close
    return response
