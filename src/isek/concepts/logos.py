"""A city's logo: checked by its content – Pillow must read it as PNG or JPEG (the file name and
type the browser sends say nothing) – and re-encoded as a PNG without metadata, at most
``MAX_WIDTH`` × ``MAX_HEIGHT`` pixels. SVG is refused: a vector file can carry scripts and
references to other servers (decision 0046). No Django."""

from __future__ import annotations

import io

from isek.core.problems import InputError, Problem, gettext_noop, too_large

FORMATS = {"PNG", "JPEG"}
MAX_BYTES = 1_000_000  # the uploaded file
MAX_PIXELS = 25_000_000  # before decoding: no decompression bomb
MAX_WIDTH, MAX_HEIGHT = 600, 200  # what the page header shows at most (a larger logo is scaled down)


def checked_png(data: bytes) -> bytes:
    """The logo in ``data`` as a PNG; InputError where it is no PNG or JPEG image or too large."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_BYTES:
        raise InputError([too_large(len(data), MAX_BYTES)])
    not_an_image = InputError([Problem(gettext_noop(
        "Das Logo muss eine PNG- oder JPEG-Datei sein; diese Datei ist keine (SVG und andere Formate werden nicht "
        "angenommen)."))])
    too_many_pixels = InputError([Problem(gettext_noop("Das Logo hat zu viele Bildpunkte (höchstens 25 Millionen)."))])
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise not_an_image
            if probe.width * probe.height > MAX_PIXELS:
                raise too_many_pixels
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img = img.convert("RGBA")
            img.thumbnail((MAX_WIDTH, MAX_HEIGHT))
            out = io.BytesIO()
            img.save(out, "PNG", optimize=True)  # nothing of the original's metadata is carried over
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours: opening it says so
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_an_image from None
    return out.getvalue()
