"""Conditional GET (RFC 9110 § 13): one rule for every channel that answers 304 – the public
pages (web.public), the JSON API and the OGC API.

- ``If-None-Match`` is a list of entity tags or ``*``; it is compared weakly (``W/"x"`` matches
  ``"x"``), and ``*`` matches any current answer (§ 13.1.2).
- ``If-Modified-Since`` counts only when the request has no ``If-None-Match`` and the answer has
  a time of last change; an unreadable date is ignored (§ 13.1.3, § 13.2.2).

Pure: it reads the request's headers from any mapping (Django's ``request.headers``); only
``etag_for`` asks Django for the language."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text (a comma is allowed)
_MEMBER = re.compile(r'\s*(?:(W/)?("[\x21\x23-\x7e\x80-\xff]*")|([^,]*))\s*(?:,|$)')


def entity_tags(header: str) -> list[str]:
    """The opaque tags (with their quotes, without ``W/``) of an ``If-None-Match`` value, in
    order; ``["*"]`` for ``*``; members that are no entity tag are left out."""
    if header.strip() == "*":
        return ["*"]
    tags, pos = [], 0
    while pos < len(header):
        m = _MEMBER.match(header, pos)
        if m.end() == pos:  # nothing consumed: only possible at the very end
            break
        if m.group(2):
            tags.append(m.group(2))
        pos = m.end()
    return tags


def opaque(etag: str) -> str:
    """The tag without its weakness marker: what the weak comparison compares."""
    return etag.strip().removeprefix("W/")


def none_match(header: str, etag: str) -> bool:
    """True if ``If-None-Match: header`` matches the answer's ``etag`` (weak comparison)."""
    tags = entity_tags(header)
    return tags == ["*"] or opaque(etag) in tags


def _seconds(http_date: str) -> int | None:
    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:  # HTTP dates are GMT; anything else is not one
        return None
    return int(when.timestamp())


def not_modified(headers: Mapping[str, str], etag: str, last_modified: int | None = None) -> bool:
    """True if a GET or HEAD with these request ``headers`` is answered 304: the client's copy
    has the answer's ``etag`` or, without If-None-Match, is not older than ``last_modified``
    (seconds since the epoch)."""
    given = headers.get("If-None-Match")
    if given is not None:
        return none_match(given, etag)
    since = headers.get("If-Modified-Since")
    if since is None or last_modified is None:
        return False
    seconds = _seconds(since)
    return seconds is not None and last_modified <= seconds


def etag(*parts: object) -> str:
    """A strong entity tag made of ``parts`` (they must name everything the answer depends on)."""
    return '"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32] + '"'


def etag_for(request, version: str, extra: str = "") -> str:
    """The tag of an answer that depends on a ``version`` token (core.versions), the person asking
    (their permissions shape it), the URL, the language and ``extra``."""
    from django.utils.translation import get_language

    who = request.user.pk if request.user.is_authenticated else "-"
    return etag(version, who, request.get_full_path(), get_language(), extra)
