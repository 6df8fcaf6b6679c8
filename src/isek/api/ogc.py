"""OGC API – Features at /ogc/: Part 1 Core with GeoJSON and OpenAPI 3.0, Part 2 CRS – a thin
layer over the services and the access policy (decision 0013), declaring only what it does.

Collections per concept the asker may see: ``<slug>.area``, ``<slug>.quarters``,
``<slug>.measures``, ``<slug>.ideas`` (published ideas of the current phase) and
``<slug>.layer.<name>`` for each reference layer of its city. Feature ids are integers (the
records' ids; a layer's position in its file). Geometries are stored in WGS84 (CRS84 order);
answers are in CRS84, EPSG:4326 (latitude first, as that CRS defines), EPSG:25832 or 25833."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import shapely
import shapely.geometry
import shapely.prepared
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from pyproj import Transformer

from isek import access
from isek.access.routes import OPEN, Route, public
from isek.concepts import services as concepts
from isek.core import conditional, versions
from isek.geodata import services as geodata
from isek.participation import services as participation

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CRS_LIST = [CRS84, EPSG + "4326", EPSG + "25832", EPSG + "25833"]
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
GEOJSON, JSON = "application/geo+json", "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
DEFAULT_LIMIT, MAX_LIMIT = 100, 10_000
# /collections is paged as the items are (OGC API - Common Part 2 suggests limit and next/prev links):
# a Land's installation lists four or more collections per public concept, thousands in all
COLLECTIONS_LIMIT, COLLECTIONS_MAX = 100, 1000


class BadRequest(Exception):
    pass


@dataclass
class Collection:
    """One collection: backed by a queryset (counted, filtered and paged in the database, each row's
    geometry as GeoJSON text from the database) or by a list of features (a reference layer's file)."""

    id: str
    title: str
    description: str
    concept: object
    properties: dict  # name → JSON schema type, for queryables and the schema
    bbox: list[float] | None
    queryset: object = None
    row: Callable | None = None  # record → (id, properties)
    features: Callable[[], list[tuple[int, dict, dict]]] | None = None  # → [(id, CRS84 geometry, properties)]
    attribution: str = ""
    licence: str = ""

    def select(self, box, offset: int, limit: int) -> tuple[int, Iterator[tuple[int, str, dict]]]:
        """(number matched, the page as (id, CRS84 GeoJSON geometry text, properties))."""
        if self.queryset is not None:
            from django.contrib.gis.db.models.functions import AsGeoJSON
            from django.contrib.gis.geos import GEOSGeometry

            qs = self.queryset
            if box is not None:
                qs = qs.filter(geometry__intersects=GEOSGeometry(box.wkt, srid=4326))
            page = qs.annotate(geojson_text=AsGeoJSON("geometry", precision=15))[offset:offset + limit]
            def rows():
                for o in page.iterator(chunk_size=2000):
                    fid, properties = self.row(o)
                    yield fid, o.geojson_text, properties

            return qs.count(), rows()
        rows = self.features()
        if box is not None:
            prepared = shapely.prepared.prep(box)
            rows = [r for r in rows if prepared.intersects(shapely.geometry.shape(r[1]))]
        return len(rows), ((i, json.dumps(g), p) for i, g, p in rows[offset:offset + limit])

    def one(self, fid: int) -> tuple[int, str, dict] | None:
        if self.queryset is not None:
            _n, rows = Collection.select(dataclasses.replace(self, queryset=self.queryset.filter(pk=fid)), None, 0, 1)
            return next(rows, None)
        return next(((i, json.dumps(g), p) for i, g, p in self.features() if i == fid), None)


def _geojson(g) -> dict:
    return json.loads(g.geojson)


def _collections(user, concept) -> list[Collection]:
    slug = concept.slug
    bbox = list(concept.area.extent) if concept.area is not None else None
    out = [Collection(f"{slug}.area", _("Fördergebiet: %(c)s") % {"c": concept.name},
                      _("Die Abgrenzung des Fördergebiets."), concept,
                      {"slug": "string", "name": "string", "area_name": "string"}, bbox,
                      features=lambda: [(concept.pk, _geojson(concept.area), {
                          "slug": slug, "name": concept.name, "area_name": concept.area_name})]
                      if concept.area is not None else []),
           Collection(f"{slug}.quarters", _("Teilräume: %(c)s") % {"c": concept.name}, _("Teilräume des Fördergebiets."),
                      concept, {"name": "string", "description": "string", "approximated": "boolean"}, bbox,
                      queryset=concept.quarters.order_by("pk"),
                      row=lambda q: (q.pk, {"name": q.name, "description": q.description, "approximated": q.approximated}))]
    if access.allows(user, "measure", "view", concept):
        out.append(Collection(
            f"{slug}.measures", _("Maßnahmen: %(c)s") % {"c": concept.name}, _("Die verorteten Maßnahmen des Konzepts."),
            concept, {"number": "string", "title": "string", "status": "string", "field_of_action": "integer",
                      "priority": "integer", "start": "string", "end": "string", "geometry_approximated": "boolean"}, bbox,
            queryset=concepts.measures_of(concept).exclude(geometry=None).order_by("pk"),
            row=lambda m: (m.pk, {
                "number": m.number, "title": m.title, "status": m.status, "field_of_action": m.primary_field.number,
                "priority": m.priority, "start": m.start.isoformat() if m.start else None,
                "end": m.end.isoformat() if m.end else None, "geometry_approximated": m.geometry_approximated})))
    phase = participation.current_phase(concept) if access.allows(user, "participation", "view", concept) else None
    if phase is not None:
        out.append(Collection(
            f"{slug}.ideas", _("Ideen: %(c)s") % {"c": concept.name}, _("Veröffentlichte Ideen der Beteiligung."),
            concept, {"reference": "string", "title": "string", "theme": "string", "supports": "integer",
                      "supports_confirmed": "integer", "illustrative": "boolean"}, bbox,
            queryset=participation.published_ideas(user, phase).exclude(geometry=None).order_by("pk"),  # imported without a place
            row=lambda i: (i.pk, {"reference": i.reference, "title": i.title, "theme": i.theme.name if i.theme else "",
                                  "supports": i.support_count,
                                  "supports_confirmed": i.supports_confirmed, "illustrative": i.illustrative})))
    if access.allows(user, "reference_layer", "view", concept):
        for layer in geodata.map_layers(concept)[0]:
            out.append(Collection(
                f"{slug}.layer.{layer.name}", f"{layer.label} ({concept.city.name})",
                _("Referenzebene der Stadt; %(a)s") % {"a": layer.attribution}, concept,
                {"layer": "string", "name": "string"}, geodata.layer_bounds(user, concept, layer),
                features=(lambda layer=layer: [(n, f["geometry"], f["properties"]) for n, f in
                                               enumerate(geodata.layer_features(user, concept, layer) or [], start=1)]),
                attribution=layer.attribution, licence=layer.licence))
    return out


def _find(user, collection_id: str) -> Collection:
    slug = collection_id.split(".", 1)[0]
    concept = concepts.concept_by_slug(slug)
    if concept is None or not access.allows(user, "concept", "view", concept):
        raise Http404
    for c in _collections(user, concept):
        if c.id == collection_id:
            return c
    raise Http404


def _url(request, name: str, *args, query: dict | None = None) -> str:
    """The absolute URL of ``name`` with the query's parameters (any names a caller sent, "name" too)."""
    from urllib.parse import urlencode

    url = request.build_absolute_uri(reverse(name, args=args))
    return url + ("?" + urlencode(query) if query else "")


def _describe(request, c: Collection) -> dict:
    bbox = c.bbox
    d = {
        "id": c.id, "title": c.title, "description": c.description, "itemType": "feature",
        "crs": CRS_LIST, "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [bbox] if bbox else [[-180, -90, 180, 90]], "crs": CRS84}},
        "links": [
            {"rel": "self", "type": JSON, "title": c.title, "href": _url(request, "ogc-collection", c.id)},
            {"rel": "items", "type": GEOJSON, "title": c.title, "href": _url(request, "ogc-items", c.id)},
            {"rel": "describedby", "type": "application/schema+json", "href": _url(request, "ogc-schema", c.id)},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "type": "application/schema+json",
             "href": _url(request, "ogc-queryables", c.id)},
        ],
    }
    if c.attribution:
        d["attribution"] = c.attribution
    if c.licence:
        d["links"].append({"rel": "license", "type": "text/html", "title": c.licence,
                           "href": request.build_absolute_uri(reverse("web:data-sources"))})
    return d


def _json(data, status=200, content_type=JSON) -> JsonResponse:
    return JsonResponse(data, status=status, content_type=content_type, json_dumps_params={"ensure_ascii": False})


def shared(view):
    """What anonymous callers get is public data: a proxy in front (isek's nginx cache) may keep it
    for 10 s, as it keeps the public pages and the API; signed-in callers' answers stay private."""
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if "Cache-Control" not in response:
            response["Cache-Control"] = ("private, no-cache" if request.user.is_authenticated
                                         or response.status_code not in (200, 304)
                                         else "public, max-age=10")
        return response
    return wrapper


# A collection's URLs find their concept in the collection's id (``_find``), each checking its cell.
_IN_COLLECTION = access.declare(public(("measure", "view"), ids={"cid": "collection"}))


def _error(status: int, text: str) -> JsonResponse:
    return _json({"code": {400: "InvalidParameterValue", 404: "NotFound"}.get(status, "Error"), "description": text},
                 status)


def _conditional(request, c: Collection, answer: Callable[[], HttpResponse]) -> HttpResponse:
    """304 if the client's copy of this collection's features is current (core.conditional), else
    ``answer()``; the tag changes with every change of the concept or the installation's layers
    (core.versions), the asker, the URL and the language."""
    etag = conditional.etag_for(request, versions.public_tag(c.concept.pk))
    response = HttpResponseNotModified() if conditional.not_modified(request.headers, etag) else answer()
    if response.status_code in (200, 304):
        response["ETag"] = etag
    return response


@access.open_view()
def landing(request):
    return _json({
        "title": "isek – OGC API Features",
        "description": _("Fördergebiete, Teilräume, Maßnahmen, Ideen und Referenzebenen der sichtbaren Konzepte."),
        "links": [
            {"rel": "self", "type": JSON, "href": _url(request, "ogc-landing")},
            {"rel": "service-desc", "type": OPENAPI, "href": _url(request, "ogc-openapi")},
            {"rel": "conformance", "type": JSON, "href": _url(request, "ogc-conformance")},
            {"rel": "data", "type": JSON, "href": _url(request, "ogc-collections")},
        ]})


@access.open_view()
def conformance(request):
    return _json({"conformsTo": CONFORMANCE})


def _numbers(concepts) -> list[tuple[int, int]]:
    """(pk, number of collections) of ``concepts`` in their order, without describing them (three
    queries for all): as ``_collections`` makes them – area, quarters and measures (a concept one
    may see, one may see its measures: the same cell), ideas where a phase has begun, one per
    available layer of its city."""
    phased = participation.concepts_with_current_phase(concepts)
    layers: dict[int, int] = {}
    for st in geodata.all_layers():
        layers[st.layer.city_id] = layers.get(st.layer.city_id, 0) + st.available
    return [(pk, 3 + (pk in phased) + layers.get(city, 0)) for pk, city in concepts.values_list("pk", "city_id")]


@access.open_view()
def collections(request):
    """One page of the collections, concept by concept in slug order. Where the page begins is
    counted (``_numbers``), so only the page's concepts are loaded and described, a deep page as
    cheaply as the first; ``next``/``prev`` links as the items have them."""
    try:
        limit = _int(request, "limit", COLLECTIONS_LIMIT, 1, COLLECTIONS_MAX)
        offset = _int(request, "offset", 0, 0, None)
    except BadRequest as exc:
        return _error(400, str(exc))
    visible = access.visible_concepts(request.user).order_by("slug")
    numbers = _numbers(visible)
    matched = sum(n for _pk, n in numbers)
    before, end, wanted = 0, 0, []  # collections before the page's concepts, up to their end; those concepts
    for pk, n in numbers:
        if end + n <= offset:
            before = end = end + n
        elif end < offset + limit:
            wanted.append(pk)
            end += n
        else:
            break
    page = [c for concept in visible.filter(pk__in=wanted)
            for c in _collections(request.user, concept)][offset - before:offset - before + limit]
    links = [{"rel": "self", "type": JSON, "href": request.build_absolute_uri()}]
    base = {k: v for k, v in request.GET.items() if k not in ("offset", "limit")}
    if offset + limit < matched:
        links.append({"rel": "next", "type": JSON,
                      "href": _url(request, "ogc-collections", query=base | {"offset": offset + limit, "limit": limit})})
    if offset > 0:
        links.append({"rel": "prev", "type": JSON,
                      "href": _url(request, "ogc-collections", query=base | {"offset": max(0, offset - limit), "limit": limit})})
    out = [_describe(request, c) for c in page]
    return _json({"links": links, "numberMatched": matched, "numberReturned": len(out), "collections": out,
                  "crs": CRS_LIST})


@_IN_COLLECTION
def collection(request, cid):
    try:
        return _json(_describe(request, _find(request.user, cid)))
    except Http404:
        return _error(404, _("Die Sammlung „%(c)s“ gibt es nicht oder sie ist nicht sichtbar.") % {"c": cid})


def _schema(request, c: Collection, queryables: bool) -> dict:
    props = {k: {"type": t, "title": k} for k, t in c.properties.items()}
    if not queryables:
        props["geometry"] = {"format": "geometry-any"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": request.build_absolute_uri(),
            "type": "object", "title": c.title, "properties": props}


@_IN_COLLECTION
def schema(request, cid):
    try:
        return _json(_schema(request, _find(request.user, cid), False), content_type="application/schema+json")
    except Http404:
        return _error(404, _("Die Sammlung „%(c)s“ gibt es nicht oder sie ist nicht sichtbar.") % {"c": cid})


@_IN_COLLECTION
def queryables(request, cid):
    try:
        return _json(_schema(request, _find(request.user, cid), True), content_type="application/schema+json")
    except Http404:
        return _error(404, _("Die Sammlung „%(c)s“ gibt es nicht oder sie ist nicht sichtbar.") % {"c": cid})


def _crs(value: str | None, what: str) -> str:
    if not value:
        return CRS84
    value = value.strip("<>")
    if value not in CRS_LIST:
        raise BadRequest(_("„%(what)s“: unbekanntes Koordinatenreferenzsystem; möglich sind %(list)s.")
                         % {"what": what, "list": ", ".join(CRS_LIST)})
    return value


_TRANSFORMERS: dict[str, Transformer] = {}


def _to(crs: str):
    """A function from a CRS84 shapely geometry to ``crs`` in that CRS's axis order."""
    if crs == CRS84:
        return lambda g: g
    if crs == EPSG + "4326":
        return lambda g: shapely.transform(g, lambda x, y: (y, x), interleaved=False)
    code = int(crs.rsplit("/", 1)[1])
    t = _TRANSFORMERS.setdefault(crs, Transformer.from_crs("OGC:CRS84", f"EPSG:{code}", always_xy=True))
    return lambda g: shapely.transform(g, t.transform, interleaved=False)


def _bbox(request) -> shapely.Geometry | None:
    raw = request.GET.get("bbox")
    if raw is None:
        return None
    try:
        nums = [float(x) for x in raw.split(",")]
    except ValueError:
        nums = []
    if len(nums) not in (4, 6) or any(n != n for n in nums):
        raise BadRequest(_("„bbox“ sind vier Zahlen: untere linke und obere rechte Ecke."))
    if len(nums) == 6:
        nums = [nums[0], nums[1], nums[3], nums[4]]
    crs = _crs(request.GET.get("bbox-crs"), "bbox-crs")
    x1, y1, x2, y2 = nums
    if crs == EPSG + "4326":  # latitude first
        x1, y1, x2, y2 = y1, x1, y2, x2
    if x1 > x2 or y1 > y2:
        raise BadRequest(_("„bbox“: die untere linke Ecke liegt nicht links unter der oberen rechten."))
    box = shapely.box(x1, y1, x2, y2)
    if crs in (EPSG + "25832", EPSG + "25833"):
        t = Transformer.from_crs(f"EPSG:{crs.rsplit('/', 1)[1]}", "OGC:CRS84", always_xy=True)
        box = shapely.transform(shapely.segmentize(box, max(x2 - x1, y2 - y1) / 16 or 1), t.transform, interleaved=False)
    return box


def _int(request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(_("„%(name)s“ muss eine ganze Zahl sein.") % {"name": name}) from None
    if value < low:
        raise BadRequest(_("„%(name)s“ muss mindestens %(low)s sein.") % {"name": name, "low": low})
    return min(value, high) if high else value  # a limit above the maximum is the maximum (Part 1)


def _feature_text(fid: int, geometry: str, properties: dict, crs: str) -> str:
    """One feature as JSON text; the geometry text from the database goes through as it is in
    CRS84, else it is transformed."""
    if crs != CRS84:
        geometry = json.dumps(shapely.geometry.mapping(_to(crs)(shapely.from_geojson(geometry))))
    return (f'{{"type":"Feature","id":{int(fid)},"geometry":{geometry},'
            f'"properties":{json.dumps(properties, ensure_ascii=False)}}}')


# OPTIONS says which methods items answer (QGIS asks), the same for every collection
@access.declare(Route({"GET": ("measure", "view"), "OPTIONS": OPEN}, ids={"cid": "collection"}))
def items(request, cid):
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Allow"] = "GET, HEAD"
        return response
    try:
        c = _find(request.user, cid)
    except Http404:
        return _error(404, _("Die Sammlung „%(c)s“ gibt es nicht oder sie ist nicht sichtbar.") % {"c": cid})
    try:
        crs = _crs(request.GET.get("crs"), "crs")
        box = _bbox(request)
        limit = _int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _int(request, "offset", 0, 0, None)
    except BadRequest as exc:
        return _error(400, str(exc))
    return _conditional(request, c, lambda: _items(request, c, cid, crs, box, limit, offset))


def _items(request, c: Collection, cid: str, crs: str, box, limit: int, offset: int) -> HttpResponse:
    matched, page = c.select(box, offset, limit)
    returned = max(0, min(limit, matched - offset))
    links = [{"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri()},
             {"rel": "collection", "type": JSON, "href": _url(request, "ogc-collection", cid)}]
    base = {k: v for k, v in request.GET.items() if k not in ("offset", "limit")}
    if offset + limit < matched:
        links.append({"rel": "next", "type": GEOJSON,
                      "href": _url(request, "ogc-items", cid, query=base | {"offset": offset + limit, "limit": limit})})
    if offset > 0:
        links.append({"rel": "prev", "type": GEOJSON,
                      "href": _url(request, "ogc-items", cid, query=base | {"offset": max(0, offset - limit), "limit": limit})})

    def stream():
        head = {"type": "FeatureCollection", "numberMatched": matched, "numberReturned": returned,
                "timeStamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "links": links}
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "features": ['
        chunk = []
        for n, row in enumerate(page):
            chunk.append(("," if n else "") + _feature_text(*row, crs))
            if len(chunk) >= 200:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk) + "]}"

    response = StreamingHttpResponse(stream(), content_type=GEOJSON)
    response["Content-Crs"] = f"<{crs}>"
    return response


@access.declare(public(("measure", "view"), ids={"cid": "collection", "fid": "measure"}))
def item(request, cid, fid):
    try:
        c = _find(request.user, cid)
        crs = _crs(request.GET.get("crs"), "crs")
    except Http404:
        return _error(404, _("Die Sammlung „%(c)s“ gibt es nicht oder sie ist nicht sichtbar.") % {"c": cid})
    except BadRequest as exc:
        return _error(400, str(exc))
    return _conditional(request, c, lambda: _item(request, c, cid, fid, crs))


def _item(request, c: Collection, cid: str, fid: int, crs: str) -> HttpResponse:
    row = c.one(fid)
    if row is not None:
        feature = json.loads(_feature_text(*row, crs))
        feature["links"] = [{"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri()},
                            {"rel": "collection", "type": JSON, "href": _url(request, "ogc-collection", cid)}]
        response = _json(feature, content_type=GEOJSON)
        response["Content-Crs"] = f"<{crs}>"
        return response
    return _error(404, _("Das Objekt %(f)s gibt es in „%(c)s“ nicht.") % {"f": fid, "c": cid})


@access.open_view()
def openapi(request):
    """The OpenAPI 3.0 description of these endpoints (GDAL reads the items' limit from it)."""
    err = {"description": "error", "content": {JSON: {"schema": {"type": "object"}}}}
    cid = {"name": "collectionId", "in": "path", "required": True, "schema": {"type": "string"}}
    crs = {"name": "crs", "in": "query", "schema": {"type": "string", "enum": CRS_LIST, "default": CRS84}}
    paths = {
        "/": {"get": {"operationId": "landing", "responses": {"200": {"description": "landing page"}}}},
        "/conformance": {"get": {"operationId": "conformance", "responses": {"200": {"description": "conformance"}}}},
        "/collections": {"get": {"operationId": "collections", "parameters": [
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": COLLECTIONS_MAX,
                                                         "default": COLLECTIONS_LIMIT}},
            {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}}],
            "responses": {"200": {"description": "collections"}, "400": err}}},
        "/collections/{collectionId}": {"get": {"operationId": "collection", "parameters": [cid],
                                                "responses": {"200": {"description": "collection"}, "404": err}}},
        "/collections/{collectionId}/items": {"get": {"operationId": "items", "parameters": [
            cid, crs,
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                         "default": DEFAULT_LIMIT}},
            {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
            {"name": "bbox", "in": "query", "style": "form", "explode": False,
             "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
            {"name": "bbox-crs", "in": "query", "schema": {"type": "string", "enum": CRS_LIST, "default": CRS84}}],
            "responses": {"200": {"description": "features", "content": {GEOJSON: {"schema": {"type": "object"}}}},
                          "400": err, "404": err}}},
        "/collections/{collectionId}/items/{featureId}": {"get": {"operationId": "item", "parameters": [
            cid, crs, {"name": "featureId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "feature"}, "400": err, "404": err}}},
    }
    return _json({"openapi": "3.0.3", "info": {"title": "isek – OGC API Features", "version": "1.0"},
                  "servers": [{"url": _url(request, "ogc-landing").rstrip("/")}], "paths": paths}, content_type=OPENAPI)
