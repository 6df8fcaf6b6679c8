"""Photos of ideas: checked by their content (Pillow must read them as JPEG, PNG or WebP; the
file name says nothing), re-encoded as JPEG without any metadata (no EXIF, no GPS position of
the phone), at most 1600 px wide or high. Kept in $ISEK_VAR_DIR/media/participation/."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from django.conf import settings

from isek.core.problems import InputError, Problem, gettext_noop, too_large

FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_SIDE = 1600


def directory() -> Path:
    d = Path(settings.VAR_DIR) / "media" / "participation"
    d.mkdir(parents=True, exist_ok=True)
    return d


def store(upload) -> str:
    """Check and re-encode an uploaded photo; its stored file name. InputError if it is none."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    limit = settings.ISEK_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise InputError([too_large(upload.size, limit)])
    data = b"".join(upload.chunks())
    not_a_photo = InputError([Problem(gettext_noop("Die Datei ist kein Foto (JPEG, PNG oder WebP)."))])
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise not_a_photo
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > 60_000_000:
                raise InputError([Problem(gettext_noop("Das Foto hat zu viele Bildpunkte."))])
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            name = f"{uuid.uuid4().hex}.jpg"
            img.save(directory() / name, "JPEG", quality=85, optimize=True)  # no exif= : nothing carried over
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_a_photo from None
    return name


def path_of(name: str) -> Path | None:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    p = directory() / name
    return p if p.is_file() else None


def remove(name: str) -> None:
    p = path_of(name)
    if p is not None:
        p.unlink(missing_ok=True)
