"""When an OSM extract's data were taken (pure: no Django). One rule for every reader: the header's
replication timestamp (or its ``timestamp``) first; else the newest object's, if the objects carry
any (files stripped of metadata give them all the epoch, 1970-01-01); else unknown (None)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

_EPOCH_END = datetime.datetime(1970, 1, 2, tzinfo=datetime.UTC)  # objects without timestamps read as 0 or 1 s


def _parse(value) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        stamp = value
    elif isinstance(value, str) and value.strip():
        try:
            stamp = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.UTC)
    return stamp if stamp >= _EPOCH_END else None


def data_time(header: Mapping[str, str], newest=None) -> datetime.datetime | None:
    """The data's time from the header options and the newest object's timestamp (datetime or ISO
    8601 string); None when neither tells it."""
    for key in ("osmosis_replication_timestamp", "timestamp"):
        stamp = _parse(header.get(key))
        if stamp is not None:
            return stamp
    return _parse(newest)


def data_time_iso(header: Mapping[str, str], newest=None) -> str:
    """:func:`data_time` as ISO 8601 (``2024-09-08T20:21:00Z``), or "" when unknown."""
    stamp = data_time(header, newest)
    return stamp.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if stamp else ""


def day(iso: str) -> datetime.date | None:
    """The day of a stored ISO 8601 data time; None for "", the unreadable and the epoch (stored
    before this rule, from objects without timestamps)."""
    try:
        value = datetime.date.fromisoformat((iso or "")[:10])
    except ValueError:
        return None
    return value if value >= _EPOCH_END.date() else None
