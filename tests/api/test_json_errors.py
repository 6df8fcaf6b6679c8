"""Interfaces: the OGC landing page answers at /ogc and /ogc/ (QGIS 3.22 does not follow the 301
Django would send from /ogc), and every path below /api/ and /ogc/ answers JSON – malformed paths
and wrong methods included – where Django would send its HTML error pages."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_ogc_landing_answers_without_the_slash_with_the_same_links():
    c = Client()
    bare, slashed = c.get("/ogc"), c.get("/ogc/")
    assert bare.status_code == 200 and bare["Content-Type"] == "application/json"
    assert bare.json() == slashed.json()
    hrefs = {link["rel"]: link["href"] for link in bare.json()["links"]}
    assert hrefs["self"].endswith("/ogc/") and hrefs["data"].endswith("/ogc/collections")


MALFORMED = [
    "/api/v1/concepts/kein%20slug!/",
    "/api/v1/concepts/%C3%BCber/measures/",
    "/api/v1/concepts/x/unknown/",
    "/api/v1/concepts/x/measures/1/unknown/",
    "/api/v1/nothing",
    "/api/v2/",
    "/api/",
    "/api/v1/concepts/a/b/c/d/e/f/",
    "/ogc/collections/",
    "/ogc/collections/x/items/abc",
    "/ogc/collections/x/items/-1",
    "/ogc/nothing",
    "/ogc//",
    "/ogc/collections/%00/items",
    # a NUL byte in a path value: PostgreSQL refuses it in a query (was a 500 there)
    "/api/v1/concepts/bochum-innenstadt/measures/%00/",
    "/api/v1/concepts/bochum-innenstadt/measures/1.1%00/milestones/",
    "/api/v1/concepts/bochum-innenstadt/indicators/%00/values/",
    "/api/v1/concepts/bochum-innenstadt/export.%00",
    "/ogc/collections/bochum-innenstadt.layer.%00",
    "/ogc/collections/bochum-innenstadt.measures%00/items/1",
]


@pytest.mark.parametrize("path", MALFORMED)
def test_malformed_paths_answer_json(bochum, path):
    r = Client().get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code)
    assert r["Content-Type"].startswith("application/json"), (path, r["Content-Type"])
    body = r.json()
    assert body.get("detail") or body.get("description")  # the API's and OGC's error shapes


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/ogc/", "/ogc", "/ogc/conformance", "/api/v1/cities/"])
def test_wrong_methods_answer_json_with_allow(path):
    r = Client().delete(path)
    assert r.status_code == 405 and r["Content-Type"].startswith("application/json")
    assert "GET" in r["Allow"] and r.json()["detail"]


@pytest.mark.parametrize("path", ["/concepts/kein%20slug!/", "/concepts/bochum-innenstadt/measures/%00/"])
def test_pages_outside_the_api_keep_html_errors(bochum, path):
    r = Client().get(path)
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")
