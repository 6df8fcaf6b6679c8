"""Files on disk: checksums and the real data files of the data directories."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def find_data_file(relpath: str) -> Path | None:
    """A data file by its manifest path in the configured data directories (ISEK_DATA_DIRS), or None."""
    from django.conf import settings

    for base in settings.ISEK_DATA_DIRS:
        p = Path(base) / relpath
        if p.exists():
            return p
    return None


def extract_dir(ags: str | None = None) -> Path:
    """Where uploaded OSM extracts (and their cuts to an area) are kept: $ISEK_VAR_DIR/extracts[/AGS]."""
    from django.conf import settings

    d = Path(settings.VAR_DIR) / "extracts"
    if ags:
        d = d / ags
    d.mkdir(parents=True, exist_ok=True)
    return d


@contextmanager
def upload_on_disk(upload) -> Iterator[str]:
    """The path of a temporary copy of an uploaded file (anything with ``name`` and ``chunks()``,
    e.g. Django's UploadedFile), with the upload's suffix, so that readers that go by it (GDAL)
    can open it; removed afterwards."""
    suffix = os.path.splitext(upload.name)[1].lower()[:10]
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        yield tmp.name


KEEP_SECONDS = 24 * 3600


def keep_upload(upload, folder: str) -> str:
    """Keep an uploaded file for a later step (a preview, then a commit) under
    $ISEK_VAR_DIR/<folder>/; the name to find it again (random, with the upload's suffix). Kept
    files older than a day are removed as new ones come."""
    import secrets
    import time

    from django.conf import settings

    d = Path(settings.VAR_DIR) / folder
    d.mkdir(parents=True, exist_ok=True)
    for old in d.iterdir():
        if old.is_file() and old.stat().st_mtime < time.time() - KEEP_SECONDS:
            old.unlink(missing_ok=True)
    suffix = "".join(c for c in os.path.splitext(upload.name)[1].lower()[:10] if c.isalnum() or c == ".")
    name = secrets.token_hex(16) + suffix
    with open(d / name, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return name


def kept_upload(folder: str, name: str) -> Path | None:
    """The file ``keep_upload`` kept as ``name``, or None (unknown, expired or not a name of ours)."""
    from django.conf import settings

    if not name or not all(c.isalnum() or c == "." for c in name) or name.startswith("."):
        return None
    p = Path(settings.VAR_DIR) / folder / name
    return p if p.is_file() else None
