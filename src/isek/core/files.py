"""Files on disk: checksums and the real data files of the data directories."""

from __future__ import annotations

import hashlib
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
