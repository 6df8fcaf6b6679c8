"""OGC API – Features on the Bochum demo through Django's test client: landing page, conformance,
collections with what GDAL and QGIS need, items with paging, bbox, CRS (Part 2), single features,
OPTIONS, the access policy, and bad parameters as 400 with a message."""

from __future__ import annotations

import pytest
import shapely
import shapely.geometry
from django.contrib.gis.geos import GEOSGeometry
from django.test import Client

from isek.concepts.models import Measure

OGC = "/ogc"


def js(response):
    """The JSON of an answer, streamed (items) or not."""
    import json

    if response.streaming:
        return json.loads(b"".join(response.streaming_content))
    return response.json()
M = "bochum-innenstadt.measures"


def test_landing_conformance_and_collections(bochum):
    c = Client()
    landing = js(c.get(f"{OGC}/"))
    rels = {link["rel"]: link for link in landing["links"]}
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    api = c.get(rels["service-desc"]["href"])
    assert js(api)["openapi"].startswith("3.0")
    items_params = {p["name"]: p for p in js(api)["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]}
    assert items_params["limit"]["schema"]["maximum"] >= 1000
    conf = js(c.get(f"{OGC}/conformance"))["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf and len(conf) == 4
    cols = {col["id"]: col for col in js(c.get(f"{OGC}/collections"))["collections"]}
    assert {"bochum-innenstadt.area", "bochum-innenstadt.quarters", M, "bochum-innenstadt.ideas"} <= set(cols)
    assert any(k.startswith("bochum-innenstadt.layer.") for k in cols)
    m = cols[M]
    assert isinstance(m["extent"]["spatial"]["bbox"][0], list) and len(m["extent"]["spatial"]["bbox"][0]) == 4
    assert "http://www.opengis.net/def/crs/EPSG/0/25832" in m["crs"] and m["storageCrs"].endswith("CRS84")
    link_types = {link["rel"]: link["type"] for link in m["links"]}
    assert link_types["items"] == "application/geo+json" and "describedby" in link_types
    assert any(rel.endswith("/queryables") for rel in link_types)
    assert js(c.get(f"{OGC}/collections/{M}/queryables"))["properties"]["number"]["type"] == "string"


def test_items_pages_and_single_features(bochum):
    c = Client()
    located = Measure.objects.filter(concept=bochum).exclude(geometry=None)
    r = c.get(f"{OGC}/collections/{M}/items?limit=3")
    assert r["Content-Type"] == "application/geo+json" and r["Content-Crs"].endswith("CRS84>")
    fc = js(r)
    assert fc["numberMatched"] == located.count() and fc["numberReturned"] == 3
    assert all(isinstance(f["id"], int) for f in fc["features"])
    nxt = next(link["href"] for link in fc["links"] if link["rel"] == "next")
    assert js(c.get(nxt))["features"][0]["id"] not in {f["id"] for f in fc["features"]}
    big = js(c.get(f"{OGC}/collections/{M}/items?limit=100000"))  # above the maximum: the maximum
    assert big["numberReturned"] == located.count()
    one = located.order_by("pk").first()
    f = js(c.get(f"{OGC}/collections/{M}/items/{one.pk}"))
    assert f["properties"]["number"] == one.number
    assert GEOSGeometry(str(f["geometry"]).replace("'", '"')).equals_exact(one.geometry, 1e-9)
    assert c.get(f"{OGC}/collections/{M}/items/999999").status_code == 404
    options = c.options(f"{OGC}/collections/{M}/items")
    assert options["Allow"] == "GET, HEAD"


def test_items_and_features_answer_304_until_the_concept_changes(bochum):
    """core.conditional, as on the public pages and the API: a matching (weak) tag gets 304."""
    from isek import access
    from isek.concepts import services as concepts

    c = Client()
    one = Measure.objects.filter(concept=bochum).exclude(geometry=None).order_by("pk").first()
    for url in (f"{OGC}/collections/{M}/items?limit=5", f"{OGC}/collections/{M}/items/{one.pk}"):
        first = c.get(url)
        tag = first["ETag"]
        assert js(first)["type"] in ("Feature", "FeatureCollection")  # read to its end: the request is over
        again = c.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{tag}')
        assert again.status_code == 304 and again["ETag"] == tag and again["Cache-Control"] == "public, max-age=10"
    other = c.get(f"{OGC}/collections/{M}/items?limit=6", HTTP_IF_NONE_MATCH=tag)  # another URL
    assert other.status_code == 200 and js(other)["numberReturned"] == 6
    one.title = "Geändert"
    concepts.save_measure(access.Operator("test"), bochum, one)
    r = c.get(f"{OGC}/collections/{M}/items/{one.pk}", HTTP_IF_NONE_MATCH=tag)
    assert r.status_code == 200 and js(r)["properties"]["title"] == "Geändert" and r["ETag"] != tag


def test_crs_and_bbox(bochum):
    c = Client()
    one = Measure.objects.filter(concept=bochum).exclude(geometry=None).order_by("pk").first()
    utm = c.get(f"{OGC}/collections/{M}/items/{one.pk}?crs=http://www.opengis.net/def/crs/EPSG/0/25832")
    assert utm["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/25832>"
    expected = one.geometry.transform(25832, clone=True)
    got = shapely.geometry.shape(js(utm)["geometry"])
    assert got.equals_exact(shapely.from_wkt(expected.wkt), 0.001)  # within 1 mm
    latlon = js(c.get(f"{OGC}/collections/{M}/items/{one.pk}?crs=http://www.opengis.net/def/crs/EPSG/0/4326"))
    first = latlon["geometry"]["coordinates"]
    while isinstance(first[0], list):
        first = first[0]
    assert 51 < first[0] < 52 and 7 < first[1] < 8  # latitude first
    x1, y1, x2, y2 = bochum.area.extent
    inside = js(c.get(f"{OGC}/collections/{M}/items?bbox={x1},{y1},{x2},{y2}"))["numberMatched"]
    assert inside == Measure.objects.filter(concept=bochum).exclude(geometry=None).count()
    assert js(c.get(f"{OGC}/collections/{M}/items?bbox=0,0,1,1"))["numberMatched"] == 0
    e1, n1 = GEOSGeometry(f"SRID=4326;POINT({x1} {y1})").transform(25832, clone=True).coords
    e2, n2 = GEOSGeometry(f"SRID=4326;POINT({x2} {y2})").transform(25832, clone=True).coords
    utm_box = js(c.get(f"{OGC}/collections/{M}/items?bbox={e1},{n1},{e2},{n2}"
                       "&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/25832"))["numberMatched"]
    assert utm_box == inside


@pytest.mark.parametrize("query, message", [
    ("crs=EPSG:3857", "unbekanntes Koordinatenreferenzsystem"),
    ("bbox=1,2,3", "„bbox“ sind vier Zahlen"),
    ("bbox=a,b,c,d", "„bbox“ sind vier Zahlen"),
    ("bbox=10,60,5,50", "liegt nicht links unter"),
    ("bbox-crs=urn:foo&bbox=1,2,3,4", "„bbox-crs“: unbekanntes"),
    ("limit=0", "„limit“ muss mindestens 1 sein."),
    ("limit=viele", "„limit“ muss eine ganze Zahl sein."),
    ("offset=-5", "„offset“ muss mindestens 0 sein."),
])
def test_bad_parameters_are_400(bochum, query, message):
    r = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"{OGC}/collections/{M}/items?{query}")
    assert r.status_code == 400 and message in js(r)["description"]


def test_only_visible_concepts_are_collections(users, bochum):
    c = Client()
    ids = {col["id"] for col in js(c.get(f"{OGC}/collections"))["collections"]}
    assert not any(i.startswith("lauf-altstadt.") for i in ids)
    assert c.get(f"{OGC}/collections/lauf-altstadt.area").status_code == 404
    assert c.get(f"{OGC}/collections/lauf-altstadt.measures/items").status_code == 404
    planner = Client()
    planner.force_login(users["stranger"])
    quarters = planner.get(f"{OGC}/collections/lauf-altstadt.quarters/items")
    assert quarters.status_code == 200 and js(quarters)["type"] == "FeatureCollection"  # read to its end: the request is over


def test_anonymous_answers_may_be_cached_by_a_proxy_signed_in_ones_not(users, bochum):
    from tests.conftest import client_for

    url = "/ogc/collections/bochum-innenstadt.measures/items?limit=5"
    anonymous, planner = Client().get(url), client_for(users["planner"]).get(url)
    assert js(anonymous) and js(planner)  # read to their end: a streamed answer's request ends only then
    assert anonymous["Cache-Control"] == "public, max-age=10"
    assert Client().get("/ogc/collections")["Cache-Control"] == "public, max-age=10"
    assert planner["Cache-Control"] == "private, no-cache"
    assert Client().get("/ogc/collections/gibt-es-nicht.measures/items")["Cache-Control"] == "private, no-cache"


def test_collections_are_paged_with_next_and_prev_links(bochum):
    """OGC API - Common Part 2: /collections takes limit and offset and links the next and previous
    page; following the next links gives every collection of the single page once."""
    c = Client()
    everything = [col["id"] for col in js(c.get(f"{OGC}/collections"))["collections"]]
    assert len(everything) > 4
    first = js(c.get(f"{OGC}/collections?limit=2"))
    assert first["numberReturned"] == 2 and "prev" not in {link["rel"] for link in first["links"]}
    seen, page = [], first
    while True:
        seen += [col["id"] for col in page["collections"]]
        rels = {link["rel"]: link["href"] for link in page["links"]}
        if "next" not in rels:
            break
        page = js(c.get(rels["next"]))
        assert "limit=2" in rels["next"] and "prev" in {link["rel"] for link in page["links"]}
    assert seen == everything
    last = js(c.get(f"{OGC}/collections?limit=2&offset={len(everything) - 1}"))
    assert [col["id"] for col in last["collections"]] == everything[-1:]
    assert "next" not in {link["rel"] for link in last["links"]}
    assert js(c.get(f"{OGC}/collections?offset=9999"))["collections"] == []



def test_a_deep_collections_page_loads_only_its_own_concepts(bochum):
    """Issue 22 (Land scale): ?offset= described every concept before the page (a phase and layer
    query each). Now the page's start is counted in a few queries and only its concepts are read:
    a deep page asks no more than the first, and the pages still give every collection once, in
    order, with numberMatched; signed in, a draft of one's own is among them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CityFactory, ConceptFactory, member

    for n in range(12):
        ConceptFactory(city=bochum.city if n % 2 else CityFactory(), is_public=True, slug=f"land-{n:02d}")
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(member(ConceptFactory(is_public=False, slug="zz-entwurf"), "planner"))
    for c in (anonymous, signed_in):
        everything = [col["id"] for col in js(c.get(f"{OGC}/collections?limit=1000"))["collections"]]
        assert len(everything) > 40 and len(set(everything)) == len(everything)
        assert ("zz-entwurf.area" in everything) == (c is signed_in)
        pages = [js(c.get(f"{OGC}/collections?limit=7&offset={o}")) for o in range(0, len(everything) + 7, 7)]
        assert [col["id"] for p in pages for col in p["collections"]] == everything
        assert {p["numberMatched"] for p in pages} == {len(everything)}
    # the last page costs as many queries however many concepts come before it
    counted = []
    for more in (0, 10):
        for n in range(more):
            ConceptFactory(city=CityFactory(), is_public=True, slug=f"aa-{n:02d}")
        everything = [col["id"] for col in js(anonymous.get(f"{OGC}/collections?limit=1000"))["collections"]]
        with CaptureQueriesContext(connection) as queries:
            page = js(anonymous.get(f"{OGC}/collections?limit=1&offset={len(everything) - 1}"))
        assert [col["id"] for col in page["collections"]] == everything[-1:] and everything[-1].startswith("land-11.")
        counted.append(len(queries))
    assert counted[0] == counted[1], counted


@pytest.mark.parametrize("path", ["collections", "collections/bochum-innenstadt.measures/items"])
def test_paging_keeps_any_other_parameter_even_one_called_name_or_request(bochum, path):
    """Second reader: ?name=… reached the link builder as its own argument and answered 500."""
    r = Client().get(f"{OGC}/{path}?limit=1&offset=1&name=x&request=y")
    assert r.status_code == 200
    hrefs = {link["rel"]: link["href"] for link in js(r)["links"]}
    assert "name=x" in hrefs["prev"] and "request=y" in hrefs["prev"] and "offset=0" in hrefs["prev"]


@pytest.mark.parametrize("query, message", [
    ("limit=0", "„limit“ muss mindestens 1 sein."),
    ("limit=alle", "„limit“ muss eine ganze Zahl sein."),
    ("offset=-1", "„offset“ muss mindestens 0 sein."),
])
def test_bad_collections_paging_is_400_json(bochum, query, message):
    r = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"{OGC}/collections?{query}")
    assert r.status_code == 400 and r["Content-Type"] == "application/json"
    assert js(r)["code"] == "InvalidParameterValue" and message in js(r)["description"]
