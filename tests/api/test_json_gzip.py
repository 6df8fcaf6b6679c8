"""Issue 22 (Land scale): the JSON of the API and the OGC API went out uncompressed while nginx's
reference serves gzip. Public answers (``Cache-Control: public``: anonymous callers, no secret in
them) are compressed where the client accepts gzip; signed-in answers stay as they are (BREACH:
compression next to a secret can leak it)."""

from __future__ import annotations

import gzip
import json

import pytest
from django.test import Client

from tests.factories import member

URLS = ["/ogc/collections", "/ogc/collections/bochum-innenstadt.measures/items?limit=50",
        "/api/v1/concepts/bochum-innenstadt/measures/"]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("url", URLS)
def test_public_json_is_gzipped_where_the_client_accepts_it(bochum, url):
    plain = Client().get(url)
    zipped = Client(HTTP_ACCEPT_ENCODING="gzip, deflate").get(url)
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain and zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"] and zipped["Cache-Control"].startswith("public")
    packed, unpacked = body(zipped), body(plain)
    assert same(json.loads(gzip.decompress(packed)), json.loads(unpacked)) and len(packed) < len(unpacked) / 2


def same(a: dict, b: dict) -> bool:
    """Equal but for the OGC answer's "timeStamp" (the second it was built: two requests may
    straddle a second on a busy machine)."""
    return {k: v for k, v in a.items() if k != "timeStamp"} == {k: v for k, v in b.items() if k != "timeStamp"}


@pytest.mark.parametrize("url", URLS)
def test_signed_in_json_is_not_gzipped(bochum, url):
    planner = Client(HTTP_ACCEPT_ENCODING="gzip")
    planner.force_login(member(bochum, "planner"))
    r = planner.get(url)
    assert r.status_code == 200 and "Content-Encoding" not in r and r["Cache-Control"] == "private, no-cache"
    json.loads(body(r))


def test_an_html_page_of_a_signed_in_person_is_not_gzipped(bochum):
    planner = Client(HTTP_ACCEPT_ENCODING="gzip")
    planner.force_login(member(bochum, "planner"))
    r = planner.get(f"/concepts/{bochum.slug}/edit/")
    assert r.status_code == 200 and "Content-Encoding" not in r and "csrfmiddlewaretoken" in r.content.decode()
