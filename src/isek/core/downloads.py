"""File downloads produced by a writer function (exports): written to a temporary file, streamed,
and removed once the response holds the open handle."""

import os
import tempfile
from collections.abc import Callable

from django.http import FileResponse


def temporary_download(write: Callable[[str], object], filename: str, content_type: str) -> FileResponse:
    """Call ``write(path)`` and stream the file it wrote as ``filename``."""
    suffix = os.path.splitext(filename)[1]
    fd, path = tempfile.mkstemp(suffix=suffix, prefix="isek-")
    os.close(fd)
    try:
        write(path)
        fh = open(path, "rb")
    finally:
        os.unlink(path)
    return FileResponse(fh, as_attachment=True, filename=filename, content_type=content_type)
