"""A version token per concept (and one for the installation) that changes whenever something
shown on the concept's public pages changes: the recorded change history bumps it (core.audit),
and services whose writes are not in the history (participation) bump it themselves. Public
responses put it into their ETag, so caches revalidate cheaply and never serve old content
under a new tag. Kept in the shared cache: if an entry is evicted a new token is made, which
only costs a cache miss."""

from __future__ import annotations

import uuid

from django.core.cache import cache

SITE = "site"


def _key(scope) -> str:
    return f"isek:version:{scope}"


def current(scope) -> str:
    token = cache.get(_key(scope))
    if token is None:
        cache.add(_key(scope), uuid.uuid4().hex[:12], timeout=None)
        token = cache.get(_key(scope)) or "0"
    return token


def bump(scope) -> None:
    cache.set(_key(scope), uuid.uuid4().hex[:12], timeout=None)


def public_tag(concept_pk: int) -> str:
    """The concept's token and the installation's (cities, reference layers, base maps)."""
    return f"{current(concept_pk)}.{current(SITE)}"
