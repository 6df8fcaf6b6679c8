"""The public read path: pages and GeoJSON of public concepts as anonymous visitors see them are
compressed, conditional and cacheable, so that a newspaper link does not take the site down.

- The ETag is made from the concept's version token (core.versions: it changes with every change
  shown there), the language, the URL and the encoding; a request with a matching If-None-Match
  (core.conditional) gets 304 before any query for the content runs.
- The body is built once per tag and kept in a small in-process LRU, with its gzip form; later
  requests of the same tag are answered from memory.
- ``Cache-Control: public, max-age=10, stale-while-revalidate=60`` lets a proxy cache in front
  (nginx, see docs) serve a crowd and revalidate with the cheap conditional request.

Signed-in people, internal concepts and responses carrying a one-time message are not cached."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from isek.core import conditional, versions
from isek.core.kept import Kept

MAX_AGE = 10
STALE = 60
MIN_GZIP = 512
_kept = Kept(max_items=256)  # key → (body, its gzip form or None, content type)


def cacheable(request, concept=None) -> bool:
    """Whether an anonymous visitor reads (without a one-time message) a public concept's page,
    or with ``concept`` None the installation's start page."""
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    if concept is not None and not concept.is_public:
        return False
    return len(messages.get_messages(request)) == 0


def _accepts_gzip(request) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def respond(request, concept, build: Callable[[], HttpResponse], *, extra: str = "") -> HttpResponse:
    """The response of ``build()`` (a view's rendering), served through the public cache when the
    visitor is anonymous and the concept public; else as built, marked private."""
    if not cacheable(request, concept):
        return _private(build())
    return _kept_response(request, f"{concept.pk}|{versions.public_tag(concept.pk)}|{extra}", build)


def respond_site(request, build: Callable[[], HttpResponse], city=None) -> HttpResponse:
    """As ``respond`` for the installation's start page, which lists its public concepts or cities,
    or ``city``'s start page: its tag is made of every version token (core.versions.site_listing_tag),
    so any recorded change of a concept or of the installation (a city's look too) gives a new one;
    a Land's crowd then costs one rendering per change and per 10 s, not one per visitor."""
    if not cacheable(request):
        return _private(build())
    return _kept_response(request, f"site|{city.pk if city else ''}|{versions.site_listing_tag()}", build)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-cache"
    return response


def _kept_response(request, scope: str, build: Callable[[], HttpResponse]) -> HttpResponse:
    key = hashlib.sha1(f"{scope}|{get_language()}|{request.get_full_path()}".encode()).hexdigest()[:24]
    gz = _accepts_gzip(request)
    etag = f'"{key}{"-gz" if gz else ""}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={MAX_AGE}, stale-while-revalidate={STALE}"}
    if conditional.not_modified(request.headers, etag):
        response = HttpResponseNotModified()
    else:
        hit = _kept.get(key)
        if hit is None:
            built = build()
            if built.status_code != 200 or built.streaming:
                return built
            body = built.content
            hit = (body, gzip.compress(body, 6) if len(body) >= MIN_GZIP else None, built["Content-Type"])
            _kept.put(key, hit)
        body, zipped, content_type = hit
        response = HttpResponse(zipped if gz and zipped is not None else body, content_type=content_type)
        if gz and zipped is not None:
            response["Content-Encoding"] = "gzip"
    for k, v in headers.items():
        response[k] = v
    patch_vary_headers(response, ("Accept-Encoding", "Accept-Language", "Cookie"))
    return response


def clear() -> None:
    """Forget the in-process copies (tests)."""
    _kept.clear()


class PublicJsonGzipMiddleware(GZipMiddleware):
    """The JSON of the API and the OGC API gzip-compressed where the client accepts it – only when
    the answer is public (``Cache-Control: public``: an anonymous caller's, which any proxy may
    share): it carries no secret, so compression next to a caller's input reveals nothing (BREACH).
    Signed-in answers and the HTML pages pass unchanged (public pages compress themselves, above)."""

    JSON = ("application/json", "application/geo+json", "application/schema+json", "application/vnd.oai.openapi+json")

    def process_response(self, request, response):
        shared = "public" in (d.strip() for d in response.get("Cache-Control", "").split(","))
        small = not response.streaming and len(response.content) < MIN_GZIP  # as above: not worth it
        if not shared or small or not response.get("Content-Type", "").startswith(self.JSON):
            return response
        return super().process_response(request, response)

