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


def site_listing_tag() -> str:
    """One tag of every scope's token: it changes when any concept's or the installation's does
    (for pages that list all concepts); one short query, also for a Land's thousands of concepts."""
    import hashlib

    from .models import PublicVersion

    current(SITE)
    rows = PublicVersion.objects.order_by("scope").values_list("scope", "token")
    return hashlib.sha1("|".join(f"{s}:{t}" for s, t in rows).encode()).hexdigest()[:16]


def public_tag_by(model, field: str, value) -> tuple[int, str | None]:
    """The primary key of the ``model`` row whose ``field`` is ``value`` and its public tag (as
    ``public_tag``), in one statement: for paths that run under a crowd and keep what they read
    of the row while the tag stays the same. (None, None) if there is no such row; a tag of None
    if a token does not exist yet (then ``public_tag`` makes it)."""
    from django.db import connection

    from .models import PublicVersion

    q = connection.ops.quote_name
    rows, versions = q(model._meta.db_table), q(PublicVersion._meta.db_table)
    pk, column = q(model._meta.pk.column), q(model._meta.get_field(field).column)
    with connection.cursor() as cur:
        cur.execute(f"SELECT r.{pk}, v.token, s.token FROM {rows} r "
                    f"LEFT JOIN {versions} v ON v.scope = CAST(r.{pk} AS VARCHAR(40)) "
                    f"LEFT JOIN {versions} s ON s.scope = %s WHERE r.{column} = %s", [SITE, value])
        row = cur.fetchone()
    if row is None:
        return None, None
    return row[0], (f"{row[1]}.{row[2]}" if row[1] and row[2] else None)


def state_token(*rows) -> str:
    """A short token of stored rows – each of ``rows`` a ``values_list()`` query (ordered) or a list
    of tuples – for optimistic concurrency (decision 0096): a form carries the token of the rows it
    was loaded from, and the service refuses to save when the rows' token is no longer that one (a
    save from another tab or person in between), instead of writing the form's stale values back."""
    import decimal
    import hashlib

    digest = hashlib.sha256()
    for part in rows:
        digest.update(b"\x1e")
        for row in part:
            plain = tuple(v.normalize() if isinstance(v, decimal.Decimal) else getattr(v, "hexewkb", v) for v in row)
            digest.update(repr(plain).encode())
    return digest.hexdigest()[:24]
