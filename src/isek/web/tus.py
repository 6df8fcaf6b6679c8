"""The tus 1.0 protocol (https://tus.io/protocols/resumable-upload) for large uploads, as used by
the vendored tus-js-client: core protocol, creation and termination. Views of the apps check the
policy and name the scope and the size limit; the bytes are kept by core.uploads. Errors answer
with a status and a plain message (the client shows it), never a traceback."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from isek.core import uploads
from isek.core.problems import InputError

VERSION = "1.0.0"
EXTENSIONS = "creation,termination"
PIECE = 1 << 20  # read the request body in pieces of 1 MiB


def _answer(status: int, text: str = "", **headers) -> HttpResponse:
    r = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    r["Tus-Resumable"] = VERSION
    r["Cache-Control"] = "no-store"
    for k, v in headers.items():
        r[k.replace("_", "-")] = v
    return r


def metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated "key base64(value)" pairs; undecodable values are dropped."""
    out = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _sep, value = pair.partition(" ")
        try:
            out[key] = base64.b64decode(value, validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError):
            continue
    return out


def _version_refused(request: HttpRequest) -> HttpResponse | None:
    if request.headers.get("Tus-Resumable") != VERSION:
        return _answer(412, _("Nur das tus-Protokoll %(v)s wird unterstützt.") % {"v": VERSION}, Tus_Version=VERSION)
    return None


def _options(limit: int) -> HttpResponse:
    return _answer(204, Tus_Version=VERSION, Tus_Extension=EXTENSIONS, Tus_Max_Size=str(limit))


def collection(request: HttpRequest, scope: str, limit: int, location: Callable[[object], str]) -> HttpResponse:
    """OPTIONS (what the server supports) and POST (start an upload) at the endpoint."""
    if request.method == "OPTIONS":
        return _options(limit)
    refused = _version_refused(request)
    if refused:
        return refused
    try:
        length = int(request.headers.get("Upload-Length", ""))
    except ValueError:
        length = -1
    meta = metadata(request.headers.get("Upload-Metadata", ""))
    try:
        upload = uploads.create(request.user, scope, length, meta.get("filename", ""), limit)
    except InputError as exc:
        return _answer(413 if length > limit else 400, " ".join(exc.messages(_, get_language())))
    return _answer(201, Location=location(upload.pk), Upload_Offset="0")


def resource(request: HttpRequest, scope: str, upload_id, limit: int) -> HttpResponse:
    """HEAD (where is it), PATCH (the next piece) and DELETE (give up) of one upload."""
    if request.method == "OPTIONS":
        return _options(limit)
    refused = _version_refused(request)
    if refused:
        return refused
    upload = uploads.find(request.user, scope, upload_id)
    if upload is None:
        return _answer(404, _("Der Upload wurde nicht gefunden; bitte die Datei erneut wählen."))
    if request.method == "HEAD":
        return _answer(200, Upload_Offset=str(uploads.offset(upload)), Upload_Length=str(upload.length))
    if request.method == "DELETE":
        uploads.discard(upload)
        return _answer(204)
    if request.content_type != "application/offset+octet-stream":
        return _answer(415, _("Teile eines Uploads werden als application/offset+octet-stream gesendet."))
    try:
        at = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        return _answer(400, _("Der Versatz (Upload-Offset) fehlt oder ist ungültig."))
    try:
        new = uploads.append(upload, at, iter(lambda: request.read(PIECE), b""))
    except uploads.OffsetMismatch as exc:
        return _answer(409, _("Der Upload steht bei %(n)s Bytes.") % {"n": exc.args[0]}, Upload_Offset=str(exc.args[0]))
    except InputError as exc:
        return _answer(400, " ".join(exc.messages(_, get_language())))
    except uploads.DiskFull:
        return _answer(507, _("Auf dem Server ist kein Platz mehr; bitte später fortsetzen oder den Betrieb verständigen."))
    return _answer(204, Upload_Offset=str(new))
