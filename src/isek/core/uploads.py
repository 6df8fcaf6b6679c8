"""Large uploads in pieces that survive a broken connection or a closed tab (the storage behind
web.tus, the tus 1.0 protocol). A piece is appended where the last one ended; the offset is the
size of the part file, so bytes that arrived before a connection broke are kept. A finished upload
is claimed by the service it was meant for (moved, not copied); unfinished ones are removed after
``STALE_AFTER``. Only the user who started an upload sees it."""

from __future__ import annotations

import datetime
import errno
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import Upload
from .problems import InputError, Problem, gettext_noop, too_large
from .rules import printable

STALE_AFTER = datetime.timedelta(days=1)


class OffsetMismatch(Exception):
    """A piece was sent for another offset than the one the upload is at (tus: 409)."""


class DiskFull(OSError):
    """The server's disk has no room for the piece; what arrived before is kept."""


def directory() -> Path:
    d = Path(settings.VAR_DIR) / "uploads"
    d.mkdir(parents=True, exist_ok=True)
    return d


def part_path(upload: Upload) -> Path:
    return directory() / f"{upload.id}.part"


def offset(upload: Upload) -> int:
    try:
        return part_path(upload).stat().st_size
    except FileNotFoundError:
        return 0


def complete(upload: Upload) -> bool:
    return offset(upload) == upload.length


def purge_stale(now: datetime.datetime | None = None) -> int:
    """Remove uploads started more than ``STALE_AFTER`` ago (they were never claimed)."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    stale = list(Upload.objects.filter(created_at__lt=cutoff))
    for u in stale:
        discard(u)
    return len(stale)


def create(user, scope: str, length: int, filename: str, limit: int) -> Upload:
    """Start an upload of ``length`` bytes (at most ``limit``)."""
    if length < 0:
        raise InputError([Problem(gettext_noop("Die Länge des Uploads fehlt oder ist ungültig."))])
    if length > limit:
        raise InputError([too_large(length, limit)])
    purge_stale()
    name = printable(Path(filename or "upload").name, 255) or "upload"  # from the client's metadata
    upload = Upload.objects.create(user=user, scope=scope, filename=name, length=length)
    part_path(upload).touch()
    return upload


def find(user, scope: str, upload_id) -> Upload | None:
    """The user's upload for ``scope``, or None (also for someone else's or a malformed id)."""
    try:
        key = uuid.UUID(str(upload_id))
    except ValueError:
        return None
    return Upload.objects.filter(pk=key, user_id=getattr(user, "pk", None), scope=scope).first()


def append(upload: Upload, at: int, pieces: Iterable[bytes]) -> int:
    """Write ``pieces`` at offset ``at`` (which must be where the upload is); the new offset. More
    bytes than announced are refused before anything beyond the length is kept."""
    current = offset(upload)
    if at != current:
        raise OffsetMismatch(current)
    fd = os.open(part_path(upload), os.O_WRONLY | os.O_APPEND)
    try:
        for piece in pieces:
            if current + len(piece) > upload.length:
                raise InputError([Problem(gettext_noop("Es kamen mehr Daten an als angekündigt."))])
            try:
                os.write(fd, piece)
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise DiskFull(exc.errno, "no space left for the upload") from exc
                raise
            current += len(piece)
    finally:
        os.close(fd)
    return current


def finished(user, scope: str, upload_id) -> Upload:
    """The user's complete upload for ``scope``; an InputError if it is unknown or not complete."""
    upload = find(user, scope, upload_id)
    if upload is None:
        raise InputError([Problem(gettext_noop("Der Upload wurde nicht gefunden; bitte die Datei erneut wählen."))])
    if not complete(upload):
        raise InputError([Problem(gettext_noop("Der Upload ist noch nicht vollständig (%(got)s von %(of)s Bytes)."),
                                  {"got": offset(upload), "of": upload.length})])
    return upload


def claim(upload: Upload, target: str | os.PathLike) -> Path:
    """Move the finished upload's bytes to ``target`` (same file system) and forget the upload."""
    target = Path(target)
    shutil.move(part_path(upload), target)  # a rename on the same file system
    upload.delete()
    return target


def discard(upload: Upload) -> None:
    part_path(upload).unlink(missing_ok=True)
    upload.delete()
