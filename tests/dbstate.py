"""The state of the whole database as checksums, to prove that a refused or rejected request
changed nothing (the permission matrix, the hostile inputs)."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.db import connection

# not part of what a request may change: the sign-ins of the test clients themselves
UNCHECKED_TABLES = frozenset({"django_session"})


def table_digests(unchecked=UNCHECKED_TABLES) -> dict[str, str]:
    """{table: SHA-256 of its rows (sorted)} for every model's table except ``unchecked``."""
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)} - set(unchecked)
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            digest = hashlib.sha256()
            for row in sorted(repr(row) for row in cursor.fetchall()):
                digest.update(row.encode())
            digests[table] = digest.hexdigest()
    return digests


def checksum(unchecked=UNCHECKED_TABLES) -> str:
    """One SHA-256 over ``table_digests``."""
    return hashlib.sha256(repr(sorted(table_digests(unchecked).items())).encode()).hexdigest()


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
