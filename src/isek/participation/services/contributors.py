"""Who contributes: the signed-in person's, the browser's known or a new contributor with the
secret of its deletion link, and the one transaction of a contribution sent from outside."""

from __future__ import annotations

import hashlib
import secrets
from typing import NamedTuple

from django.db import connection, transaction

from ..models import Comment, Contributor, Flag, Idea, Support


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UnknownContributor(Exception):
    """The contributor a browser's cookie names is gone (its contributions were deleted)."""


def contributor_for(user, known: Contributor | None = None, *,
                    known_id: str | None = None) -> tuple[Contributor, str | None]:
    """The contributor behind a submission: the signed-in person's, the browser's known one (given
    as ``known``, or by the id of its cookie as ``known_id``), or a new one. Returns it and, for a
    new one, the secret of its one-time deletion link (shown once, stored only hashed). The public
    name and the address for replies are not the contributor's: they go with each contribution
    (``submit_idea``, ``comment``), so that one given once is never used for another.

    With ``known_id``, the contributor is not read outside a transaction: the insert that names it
    checks it (the foreign key, checked at once outside a transaction), and ``submit_idea`` raises
    UnknownContributor if it is gone. One statement less for each idea of a crowd."""
    if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "pk", None):
        found = Contributor.objects.filter(user=user).first()
        if found is not None:
            return found, None
    elif known is not None:
        return known, None
    elif known_id is not None:
        if not connection.in_atomic_block:
            reference = Contributor(pk=known_id)
            reference._state.adding, reference.unread = False, True
            return reference, None
        found = Contributor.objects.filter(pk=known_id, user=None).first()
        if found is not None:
            return found, None
    token = secrets.token_urlsafe(24)
    c = Contributor.objects.create(user=user if getattr(user, "pk", None) else None, delete_token_hash=token_hash(token))
    return c, token


class Sent(NamedTuple):
    """A contribution sent from outside: what was stored, by whom, and the secret of the deletion
    link of a new contributor (None for a known one), which the channel shows once."""

    contribution: Idea | Comment | Support | Flag
    contributor: Contributor
    token: str | None


def send(user, known: Contributor | None, act, *, known_id: str | None = None) -> Sent:
    """``act(contributor)`` for the contributor behind a submission (``contributor_for``), in one
    transaction: a new contributor only together with their contribution."""
    with transaction.atomic():
        contributor, token = contributor_for(user, known, known_id=known_id)
        return Sent(act(contributor), contributor, token)
