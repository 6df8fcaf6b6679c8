"""A version token per concept (and one for the installation) that changes whenever something
shown on the concept's public pages changes: the recorded change history bumps it (core.audit),
and services whose writes are not in the history (participation) bump it themselves. Public
responses put it into their ETag, so caches revalidate cheaply and never serve old content
under a new tag. One row per scope (core.PublicVersion), shared by every process."""

from __future__ import annotations

import uuid

SITE = "site"


def current(scope) -> str:
    from .models import PublicVersion

    row, _created = PublicVersion.objects.get_or_create(scope=str(scope), defaults={"token": uuid.uuid4().hex[:12]})
    return row.token


def bump(scope) -> None:
    from .models import PublicVersion

    token = uuid.uuid4().hex[:12]
    if not PublicVersion.objects.filter(scope=str(scope)).update(token=token):
        PublicVersion.objects.get_or_create(scope=str(scope), defaults={"token": token})


def public_tag(concept_pk: int) -> str:
    """The concept's token and the installation's (cities, reference layers, base maps)."""
    from .models import PublicVersion

    tokens = dict(PublicVersion.objects.filter(scope__in=[str(concept_pk), SITE]).values_list("scope", "token"))
    if len(tokens) < 2:
        return f"{current(concept_pk)}.{current(SITE)}"
    return f"{tokens[str(concept_pk)]}.{tokens[SITE]}"
