"""Counting and one-time tokens in the database, shared by every web process and app server:
rate limits (one upsert per request: INSERT … ON CONFLICT DO UPDATE, on PostgreSQL and SQLite
alike) and used tokens (a primary key: a second use fails). Old rows go as new ones come.

A form that must not be saved twice (back in the browser, sent again) carries a one-time token
(``form_token``, a hidden field): its save spends it (``spend``, in the save's transaction), and
a form sent with a spent token (``spent``) is answered "already saved" instead of being read."""

from __future__ import annotations

import random
import secrets
import time

from django.db import connection

from .models import RateCount, UsedToken

PURGE_CHANCE = 0.01


def hit(key: str, seconds: int) -> int:
    """Count one request for ``key`` in the current window of ``seconds``; the count over the last
    ``seconds`` (``_sliding``). A row's ``window`` is the time until which its count matters – the
    end of the window after its own, which still weighs it –, so the clean-up removes only what no
    count reads any more, whatever the windows' lengths (a minute's clean-up once removed the hour's
    counts)."""
    now = time.time()
    window = int(now // seconds)
    q = connection.ops.quote_name  # "window" and "key" are reserved words in PostgreSQL
    table, k, w, c = q(RateCount._meta.db_table), q("key"), q("window"), q("count")
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} ({k}, {w}, {c}) VALUES (%s, %s, 1) "
                    f"ON CONFLICT ({k}) DO UPDATE SET {c} = {table}.{c} + 1 RETURNING {c}",
                    [f"{key}:{window}", (window + 2) * seconds])
        count = cur.fetchone()[0]
    if random.random() < PURGE_CHANCE:
        RateCount.objects.filter(window__lt=int(now)).delete()
    return _sliding(key, seconds, now, count)


def count(key: str, seconds: int) -> int:
    """How often ``key`` was counted over the last ``seconds`` (``_sliding``), without counting."""
    now = time.time()
    row = RateCount.objects.filter(key=f"{key}:{int(now // seconds)}").values_list("count", flat=True).first()
    return _sliding(key, seconds, now, row or 0)


def _sliding(key: str, seconds: int, now: float, current: int) -> int:
    """The count over the last ``seconds``: the current window's and the part of the previous
    window's that the last ``seconds`` still cover (as if its requests were spread evenly). A fixed
    window alone let a burst through twice at a window's end: five before, five after (found by a
    supports test that ran across a ten-minute mark)."""
    window = int(now // seconds)
    previous = RateCount.objects.filter(key=f"{key}:{window - 1}").values_list("count", flat=True).first()
    if not previous:
        return current
    return current + int(previous * (1 - (now - window * seconds) / seconds))


def use_once(token: str, expires: int) -> bool:
    """True the first time ``token`` is used (until ``expires``, unix time), False after: one
    INSERT … ON CONFLICT DO NOTHING, which inserts a row only for a token not seen before."""
    q = connection.ops.quote_name
    table = q(UsedToken._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} ({q('token')}, {q('expires')}) VALUES (%s, %s) "
                    f"ON CONFLICT ({q('token')}) DO NOTHING RETURNING {q('token')}", [token[:128], expires])
        first = cur.fetchone() is not None
    if not first:
        return False
    if random.random() < PURGE_CHANCE:
        UsedToken.objects.filter(expires__lt=int(time.time())).delete()
    return True


FORM_TOKEN_SECONDS = 7 * 24 * 3600  # how long a form's page can be gone back to and sent again


def form_token() -> str:
    """A fresh one-time token for a form page."""
    return secrets.token_urlsafe(16)


def _form_key(scope: str, token: str) -> str:
    return f"form:{scope}:{token}"


def spent(scope: str, token: str) -> bool:
    """Whether the form of ``scope`` (e.g. "costs:12") with ``token`` was saved already."""
    return bool(token) and UsedToken.objects.filter(token=_form_key(scope, token)[:128]).exists()


def spend(scope: str, token: str) -> bool:
    """Spend ``token`` of the form of ``scope``: True the first time, False if it was saved already."""
    return use_once(_form_key(scope, token), int(time.time()) + FORM_TOKEN_SECONDS)
