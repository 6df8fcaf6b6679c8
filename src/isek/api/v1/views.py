"""API v1: the public plan for anyone, working material and writes under the access policy.

Each view names the cell each method follows (``route``; ``ConceptView`` loads and checks the
concept once: 404 where it may not be seen, 403 where it may be seen but not this) and reads or
writes through the apps' services:
the API has no rule of its own. GET answers carry an ETag and Last-Modified and answer 304 to a
matching If-None-Match or If-Modified-Since before anything is built."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers as drf
from rest_framework.exceptions import APIException, NotAuthenticated, ParseError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from isek import access
from isek.access.routes import OPEN, Route, api
from isek.concepts import services as concepts
from isek.core import conditional, versions
from isek.core.kept import Kept
from isek.core.models import ChangeRecord
from isek.finance import services as finance
from isek.monitoring import services as monitoring
from isek.participation import services as participation
from isek.procedure import services as procedure

from . import serializers as s

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
ERRORS = {code: OpenApiResponse(s.ErrorSerializer, description=text) for code, text in (
    (400, "ungültige Anfrage"), (401, "Anmeldung (API-Schlüssel) nötig oder ungültig"),
    (403, "nicht erlaubt"), (404, "nicht gefunden oder nicht sichtbar"))}
NOT_MODIFIED = {304: OpenApiResponse(description="unverändert seit dem ETag oder Last-Modified der Anfrage")}
PAGING = [
    OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                     description=f"höchstens so viele (1–{MAX_LIMIT}, Vorgabe {DEFAULT_LIMIT})"),
    OpenApiParameter("offset", {"type": "integer", "minimum": 0, "maximum": 10**9}, description="so viele überspringen"),
]
SLUG = OpenApiParameter("slug", str, OpenApiParameter.PATH, description="Kurzname des Konzepts")


class ConceptView(APIView):
    """An API view of one concept: ``route`` names the cell each method follows (isek.access.routes),
    and before the method runs the concept named by the URL is loaded and checked once
    (``self.concept``); anonymous writes are answered 401."""

    route: Route

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in WRITES and not request.user.is_authenticated:
            raise NotAuthenticated(_("Schreiben nur mit einem API-Schlüssel (Authorization: Bearer …)."))
        rule = self.route.rule(request.method)
        if isinstance(rule, tuple):
            self.concept = access.concept_for(request.user, kwargs["slug"], *rule,
                                              submitted=self.route.submitted_of(kwargs))


def _int(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ParseError(_("„%(name)s“ muss eine ganze Zahl von %(low)s bis %(high)s sein.")
                         % {"name": name, "low": low, "high": high})
    return value


def _page(request, items: list) -> tuple[list, dict]:
    limit = _int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int(request, "offset", 0, 0, 10**9)
    total = len(items)
    links = {}
    if offset + limit < total:
        links["next"] = request.build_absolute_uri(_with(request, offset=offset + limit, limit=limit))
    if offset > 0:
        links["prev"] = request.build_absolute_uri(_with(request, offset=max(offset - limit, 0), limit=limit))
    return items[offset:offset + limit], {"count": total, **links}


def _with(request, **params) -> str:
    q = request.query_params.copy()
    for k, v in params.items():
        q[k] = str(v)
    return f"{request.path}?{q.urlencode()}"


_kept = Kept(max_items=10_000, max_bytes=32 * 1024 * 1024)  # per process


def _remembered(etag: str, build) -> bytes:
    """The rendered answer for ``etag``: kept per process (core.kept), else built, rendered and kept."""
    body = _kept.get(etag)
    if body is None:
        body = JSONRenderer().render(build())
        _kept.put(etag, body, len(body))
    return body


def _conditional(request, concept, build, extra: str = "", etag: str | None = None):
    """Answer 304 if the client's copy is current (core.conditional), else the answer (kept per
    process under its tag). The tag changes with every recorded change of the concept
    (core.versions), the person asking (their permissions shape the answer), the URL and ``extra`` –
    or is ``etag``, where the answer has its own (a measure's, ``_measure_tag``)."""
    etag = etag or conditional.etag_for(request, versions.public_tag(concept.pk), extra)
    last = (ChangeRecord.objects.filter(concept_pk=concept.pk).order_by("-timestamp")
            .values_list("timestamp", flat=True).first())
    modified = int((last or timezone.make_aware(datetime.datetime(2020, 1, 1))).timestamp())
    if conditional.not_modified(request.headers, etag, modified):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(_remembered(etag, build), content_type="application/json")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "private, no-cache" if request.user.is_authenticated else "public, max-age=10"
    return response


def _features(request, items, serializer_class, **extra) -> dict:
    page, info = _page(request, list(items))
    data = serializer_class(page, many=True).data
    links = [{"rel": rel, "href": info[rel], "type": "application/geo+json"} for rel in ("next", "prev") if rel in info]
    return {"type": "FeatureCollection", "features": data["features"], "numberMatched": info["count"],
            "numberReturned": len(page), "links": links, **extra}


def _list(request, items, serializer_class) -> dict:
    page, info = _page(request, list(items))
    return {**info, "results": serializer_class(page, many=True).data}


def _paged(name: str, item) -> drf.Serializer:
    return inline_serializer(name, {"count": drf.IntegerField(), "next": drf.URLField(required=False),
                                    "prev": drf.URLField(required=False), "results": item(many=True)})


def _collection(name: str) -> drf.Serializer:
    return inline_serializer(name, {
        "type": drf.CharField(help_text="FeatureCollection"), "features": drf.ListField(child=drf.DictField()),
        "numberMatched": drf.IntegerField(), "numberReturned": drf.IntegerField(),
        "links": drf.ListField(child=drf.DictField())})


READ = ("concept", "view")


# --- reading ---------------------------------------------------------------------------------------


class CityList(ConceptView):
    route = api(OPEN)

    @extend_schema(summary="Städte", parameters=PAGING, responses={200: _paged("CityPage", s.CitySerializer), **ERRORS})
    def get(self, request):
        cities = {c.city.ags: c.city for c in access.visible_concepts(request.user)}
        return Response(_list(request, [cities[k] for k in sorted(cities)], s.CitySerializer))


class ConceptList(ConceptView):
    route = api(OPEN)

    @extend_schema(operation_id="concepts_list", summary="Konzepte, die der Anfragende sehen darf", parameters=PAGING,
                   responses={200: _paged("ConceptPage", s.ConceptSerializer), **ERRORS})
    def get(self, request):
        return Response(_list(request, access.visible_concepts(request.user).order_by("slug"), s.ConceptSerializer))


class ConceptDetail(ConceptView):
    route = api(READ)

    @extend_schema(summary="Ein Konzept", parameters=[SLUG], responses={200: s.ConceptSerializer, **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug):
        concept = self.concept
        return _conditional(request, concept, lambda: s.ConceptSerializer(concept).data)


class AreaDetail(ConceptView):
    route = api(READ)

    @extend_schema(summary="Das Fördergebiet (GeoJSON-Feature, WGS84)", parameters=[SLUG],
                   responses={200: s.AreaSerializer, **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug):
        concept = self.concept
        return _conditional(request, concept, lambda: s.AreaSerializer(concept).data)


class QuarterList(ConceptView):
    route = api(READ)

    @extend_schema(summary="Teilräume (GeoJSON, WGS84)", parameters=[SLUG, *PAGING],
                   responses={200: _collection("QuarterCollection"), **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug):
        concept = self.concept
        return _conditional(request, concept, lambda: _features(request, concept.quarters.order_by("name"),
                                                                s.QuarterSerializer))


class FieldList(ConceptView):
    route = api(READ)

    @extend_schema(summary="Handlungsfelder", parameters=[SLUG, *PAGING],
                   responses={200: _paged("FieldPage", s.FieldOfActionSerializer), **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug):
        concept = self.concept
        return _conditional(request, concept, lambda: _list(request, concept.fields_of_action.all(),
                                                            s.FieldOfActionSerializer))


class GoalList(ConceptView):
    route = api(READ)

    @extend_schema(summary="Ziele", parameters=[SLUG, *PAGING],
                   responses={200: _paged("GoalPage", s.GoalSerializer), **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug):
        concept = self.concept
        return _conditional(request, concept, lambda: _list(
            request, concept.goals.select_related("field_of_action", "parent").order_by("number"), s.GoalSerializer))


MEASURE_FILTERS = [
    OpenApiParameter("field", {"type": "integer", "minimum": 1, "maximum": 32767},
                     description="Nummer des Handlungsfelds (Haupt- oder weiteres)"),
    OpenApiParameter("status", str, enum=list(concepts.Measure.Status.values)),
    OpenApiParameter("quarter", {"type": "integer", "minimum": 1},
                     description="Teilraum (id) des Konzepts: Maßnahmen, deren Verortung ihn berührt"),
    OpenApiParameter("bbox", {"type": "string", "pattern": r"^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$"},
                     description="minLon,minLat,maxLon,maxLat (WGS84): Maßnahmen, deren Verortung ihn berührt"),
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="nur seit diesem Zeitpunkt (ISO 8601) "
                                                                           "angelegte oder geänderte"),
]


def bbox_polygon(raw: str):
    """A bbox parameter as a WGS84 polygon, or ParseError with the reason."""
    from django.contrib.gis.geos import Polygon

    parts = raw.split(",")
    try:
        x1, y1, x2, y2 = (float(p) for p in parts)
    except ValueError:
        raise ParseError(_("„bbox“ sind vier Zahlen: minLon,minLat,maxLon,maxLat.")) from None
    if not (-180 <= x1 <= x2 <= 180 and -90 <= y1 <= y2 <= 90):
        raise ParseError(_("„bbox“: Längen von −180 bis 180, Breiten von −90 bis 90, das Minimum vor dem Maximum."))
    return Polygon.from_bbox((x1, y1, x2, y2))


def _measures_asked(request, concept):
    """The measures the query asks for (concepts.filtered_measures); a parameter that cannot be
    read is a 400 with the reason."""
    q = request.query_params
    status = q.get("status")
    if status is not None and status not in concepts.Measure.Status.values:
        raise ParseError(_("„status“ ist einer von: %(values)s.") % {"values": ", ".join(concepts.Measure.Status.values)})
    quarter = None
    if "quarter" in q:
        pk = _int(request, "quarter", 0, 1, 2**62)
        quarter = concepts.quarter_of(concept, pk)
        if quarter is None:
            raise ParseError(_("Den Teilraum %(pk)s gibt es in diesem Konzept nicht.") % {"pk": pk})
    since = None
    if "updated_since" in q:
        since = parse_datetime(q["updated_since"].replace(" ", "+"))
        if since is None:
            raise ParseError(_("„updated_since“ ist ein Zeitpunkt nach ISO 8601, z. B. 2026-01-31T12:00:00Z."))
        if timezone.is_naive(since):
            since = timezone.make_aware(since)
        try:  # in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows (schemathesis sent -18:03)
            since = since.astimezone(datetime.timezone.utc)
        except OverflowError:
            raise ParseError(_("„updated_since“ ist ein Zeitpunkt nach ISO 8601, z. B. 2026-01-31T12:00:00Z.")) from None
    return concepts.filtered_measures(
        concept, field=_int(request, "field", 0, 1, 32767) if "field" in q else None, status=status, quarter=quarter,
        within=bbox_polygon(q["bbox"]) if "bbox" in q else None, changed_since=since).prefetch_related("goals")


class MeasureList(ConceptView):
    route = api(("measure", "view"), ("measure", "edit"))

    @extend_schema(operation_id="concepts_measures_list", summary="Maßnahmen (GeoJSON, WGS84), gefiltert und seitenweise", parameters=[SLUG, *MEASURE_FILTERS, *PAGING],
                   responses={200: _collection("MeasureCollection"), **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug):
        concept = self.concept
        return _conditional(request, concept, lambda: _features(request, _measures_asked(request, concept).distinct(),
                                                                s.MeasureSerializer))

    @extend_schema(summary="Eine Maßnahme anlegen", parameters=[SLUG], request=s.MeasureWriteSerializer,
                   responses={201: s.MeasureSerializer, **ERRORS})
    def post(self, request, slug):
        concept = self.concept
        data = _valid(s.MeasureWriteSerializer, request.data)
        measure = concepts.Measure(concept=concept)
        _apply(concept, measure, data)
        concepts.save_measure(request.user, concept, measure, via="api")
        return Response(s.MeasureSerializer(measure).data, status=201)


def _valid(serializer_class, data, partial: bool = False) -> dict:
    ser = serializer_class(data=data, partial=partial)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _apply(concept, measure, data: dict) -> None:
    if "primary_field" in data:
        field = concept.fields_of_action.filter(number=data.pop("primary_field")).first()
        if field is None:
            raise ValidationError({"primary_field": [_("Dieses Handlungsfeld gibt es in diesem Konzept nicht.")]})
        measure.primary_field = field
    if "geometry" in data and data["geometry"] is not None:
        g = data["geometry"]
        if g.srid is None:
            g.srid = 4326
        if g.empty:
            raise ValidationError({"geometry": [_("Die Geometrie ist leer.")]})
        if not g.valid:
            raise ValidationError({"geometry": [_("Die Geometrie ist ungültig: %(r)s") % {"r": g.valid_reason}]})
    for k, v in data.items():
        setattr(measure, k, v)


def _measure(concept, number: str):
    measure = concepts.measures_of(concept).filter(number=number).first()
    if measure is None:
        raise Http404(_("Diese Maßnahme gibt es in diesem Konzept nicht."))
    return measure


NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH, description="Maßnahmennummer")


class PreconditionFailed(APIException):
    status_code = 412
    default_code = "changed"


IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False,
                            description="das ETag der Maßnahme, wie GET es gab: ist sie seitdem geändert, "
                                        "antwortet die API 412 und speichert nichts")
PRECONDITION = {412: OpenApiResponse(s.ErrorSerializer, description="seit dem ETag (If-Match) geändert; nichts gespeichert")}


def _measure_tag(request, measure) -> str:
    """A measure's own entity tag (decision 0104): its state token (``concepts.measure_state``: its
    row, further fields of action, goals, milestones – what the service compares under its lock),
    then a digest of what else its answer shows (the numbers of its fields of action and goals) and
    of the person, URL and language asking. A change elsewhere in the concept (an idea, another
    measure) leaves it as it is; before, the concept's tag made such a change a 412."""
    shown = (measure.primary_field.number, sorted(measure.further_fields.values_list("number", flat=True)),
             sorted(measure.goals.values_list("number", flat=True)))
    rest = conditional.etag_for(request, "measure", repr(shown)).strip('"')[:16]
    return f'"{concepts.measure_state(measure)}.{rest}"'


def _matched(request, measure) -> str | None:
    """The measure state the request's If-Match names – the first part of the tag a GET gave, for
    ``save_measure(state=…)`` to compare under the lock of its save; None without If-Match or with
    ``*``. Of several tags the one of the measure's current state (412 where none is)."""
    given = request.headers.get("If-Match")
    tags = conditional.entity_tags(given) if given is not None else ["*"]
    if tags == ["*"]:
        return None
    states = [tag.strip('"').split(".", 1)[0] for tag in tags]
    if len(states) == 1:
        return states[0]
    current = concepts.measure_state(measure)
    if current not in states:
        raise PreconditionFailed(concepts.measure_changed_message())
    return current


class MeasureDetail(ConceptView):
    route = api(("measure", "view"), patch=("measure", "edit"), ids={"number": "measure"})

    @extend_schema(summary="Eine Maßnahme (GeoJSON-Feature)", parameters=[SLUG, NUMBER],
                   responses={200: s.MeasureSerializer, **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug, number):
        concept = self.concept
        measure = _measure(concept, number)
        return _conditional(request, concept, lambda: s.MeasureSerializer(measure).data,
                            etag=_measure_tag(request, measure))

    @extend_schema(summary="Eine Maßnahme ändern (nur die gesendeten Angaben)", parameters=[SLUG, NUMBER, IF_MATCH],
                   request=s.MeasureWriteSerializer, responses={200: s.MeasureSerializer, **ERRORS, **PRECONDITION})
    def patch(self, request, slug, number):
        concept = self.concept
        measure = _measure(concept, number)
        # If-Match (decisions 0096, 0104): the ETag of the GET the client changed names the measure's
        # state; the service compares it with the stored one under the lock of its save – changed
        # since: 412, nothing saved
        state = _matched(request, measure)
        _apply(concept, measure, _valid(s.MeasureWriteSerializer, request.data, partial=True))
        try:
            concepts.save_measure(request.user, concept, measure, via="api", state=state)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "changed":
                raise PreconditionFailed(concepts.measure_changed_message()) from None
            raise
        response = Response(s.MeasureSerializer(measure).data)
        response["ETag"] = _measure_tag(request, measure)  # as a GET now gives
        return response


class MilestoneList(ConceptView):
    route = api(("measure", "view"), ("measure", "edit"), ids={"number": "measure"})

    @extend_schema(summary="Meilensteine einer Maßnahme", parameters=[SLUG, NUMBER, *PAGING],
                   responses={200: _paged("MilestonePage", s.MilestoneSerializer), **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug, number):
        concept = self.concept
        measure = _measure(concept, number)
        return _conditional(request, concept, lambda: _list(request, measure.milestones.all(), s.MilestoneSerializer))

    @extend_schema(summary="Einen Meilenstein anlegen", parameters=[SLUG, NUMBER], request=s.MilestoneSerializer,
                   responses={201: s.MilestoneSerializer, **ERRORS})
    def post(self, request, slug, number):
        concept = self.concept
        measure = _measure(concept, number)
        milestone = concepts.Milestone(**_valid(s.MilestoneSerializer, request.data))
        concepts.save_measure(request.user, concept, measure, milestones=[milestone], via="api")
        return Response(s.MilestoneSerializer(milestone).data, status=201)


class CostList(ConceptView):
    """A measure's cost items: read with the KuF, written through the KuF page's service
    (``finance.save_costs``) with its rules – a cut below what payment requests called off refused,
    below the approval only with ``confirm_below_approval`` (decision 0104)."""

    route = api(("kuf", "view"), patch=("kuf", "edit"), ids={"number": "measure"})

    @staticmethod
    def _answer(measure) -> dict:
        items = measure.cost_items.select_related("cost_group").order_by("year", "cost_group__sort_key", "pk")
        return s.CostsSerializer({"measure": measure.number, "cost_items": items}).data

    @extend_schema(summary="Kostenpositionen einer Maßnahme", parameters=[SLUG, NUMBER],
                   responses={200: s.CostsSerializer, **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug, number):
        concept = self.concept
        measure = _measure(concept, number)
        return _conditional(request, concept, lambda: self._answer(measure))

    @extend_schema(summary="Kostenpositionen einer Maßnahme ändern, anlegen oder löschen", parameters=[SLUG, NUMBER],
                   request=s.CostsWriteSerializer, responses={200: s.CostsSerializer, **ERRORS})
    def patch(self, request, slug, number):
        concept = self.concept
        measure = _measure(concept, number)
        data = _valid(s.CostsWriteSerializer, request.data)
        items, removed = finance.cost_items_from(concept, measure, data.get("cost_items", []), data.get("delete", []))
        finance.save_costs(request.user, concept, measure, cost_items=items, removed_cost_items=removed, via="api",
                           cut_confirmed=data["confirm_below_approval"])
        return Response(self._answer(measure))


class KufView(ConceptView):
    route = api(("kuf", "view"))

    @extend_schema(summary="Kosten und Finanzierung je Maßnahme und Jahr (der aktuelle Plan)", parameters=[SLUG],
                   responses={200: s.KufSerializer, **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug):
        concept = self.concept

        def build():
            result = finance.current(concept)
            numbers = {m.key: m.number for m in result.measures}
            rows = []
            for (key, year), c in sorted(result.cells.items(), key=lambda kv: (numbers.get(kv[0][0], ""), kv[0][1])):
                f = c.figures()
                rows.append({"measure": numbers.get(key, key), "year": year, "cost": f["cost"], "eligible": f["eligible"],
                             "grant": f["grant"], "sources": {s: f[s] for s in finance.SOURCES}})
            financing = finance.Financing.objects.filter(measure__concept=concept).select_related("measure")
            return s.KufSerializer({"rows": rows, "financing": financing.order_by("measure__sort_key", "year", "source")}).data

        return _conditional(request, concept, build)


class IndicatorList(ConceptView):
    route = api(("indicator", "view"))

    @extend_schema(summary="Indikatoren", parameters=[SLUG, *PAGING],
                   responses={200: _paged("IndicatorPage", s.IndicatorSerializer), **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug):
        concept = self.concept
        return _conditional(request, concept, lambda: _list(request, concept.indicators.order_by("code"),
                                                            s.IndicatorSerializer))


CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="Kürzel des Indikators")


def _indicator(concept, code):
    indicator = concept.indicators.filter(code=code).first()
    if indicator is None:
        raise Http404(_("Diesen Indikator gibt es in diesem Konzept nicht."))
    return indicator


class IndicatorValues(ConceptView):
    route = api(("indicator", "view"), ("indicator", "edit"), ids={"code": "indicator"})

    @extend_schema(summary="Werte eines Indikators, neueste zuerst", parameters=[SLUG, CODE, *PAGING],
                   responses={200: _paged("IndicatorValuePage", s.IndicatorValueSerializer), **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug, code):
        concept = self.concept
        indicator = _indicator(concept, code)

        def build():
            rows = [{"year": v.date.year, "area": v.quarter.name if v.quarter else None, "value": v.value,
                     "source": v.source} for v in monitoring.value_rows(concept, indicator)]
            page, info = _page(request, rows)
            return {**info, "results": s.IndicatorValueSerializer(page, many=True).data}

        return _conditional(request, concept, build)

    @extend_schema(summary="Einen Wert eintragen (ersetzt den eingetragenen Wert desselben Jahrs und Gebiets)",
                   parameters=[SLUG, CODE], request=s.IndicatorValueWriteSerializer,
                   responses={201: s.IndicatorValueSerializer, **ERRORS})
    def post(self, request, slug, code):
        concept = self.concept
        indicator = _indicator(concept, code)
        d = _valid(s.IndicatorValueWriteSerializer, request.data)
        quarter = None
        if d.get("quarter") is not None:
            quarter = concept.quarters.filter(pk=d["quarter"]).first()
            if quarter is None:
                raise ValidationError({"quarter": [_("Den Teilraum gibt es in diesem Konzept nicht.")]})
        monitoring.add_value(request.user, concept, indicator, quarter, d["year"], d["value"], d["source"], via="api")
        return Response({"year": d["year"], "area": quarter.name if quarter else None, "value": d["value"],
                         "source": d["source"]}, status=201)


class PaymentList(ConceptView):
    route = api(("payment", "view"), ("payment", "edit"))

    @extend_schema(summary="Mittelabrufe / Auszahlungen", parameters=[SLUG, *PAGING],
                   responses={200: _paged("PaymentPage", s.PaymentSerializer), **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug):
        concept = self.concept
        payments = monitoring.Payment.objects.filter(measure__concept=concept).select_related("measure")
        return _conditional(request, concept, lambda: _list(request, payments.order_by("year", "id"), s.PaymentSerializer))

    @extend_schema(summary="Eine Auszahlung eintragen", parameters=[SLUG], request=s.PaymentWriteSerializer,
                   responses={201: s.PaymentSerializer, **ERRORS})
    def post(self, request, slug):
        concept = self.concept
        d = _valid(s.PaymentWriteSerializer, request.data)
        measure = concepts.measures_of(concept).filter(number=d.pop("measure")).first()
        if measure is None:
            raise ValidationError({"measure": [_("Diese Maßnahme gibt es in diesem Konzept nicht.")]})
        payment = monitoring.save_payment(request.user, concept, monitoring.Payment(measure=measure, **d), via="api")
        return Response(s.PaymentSerializer(payment).data, status=201)


class IdeaList(ConceptView):
    route = api(("participation", "view"))

    @extend_schema(summary="Veröffentlichte Ideen der aktuellen Beteiligungsphase (GeoJSON, WGS84)",
                   parameters=[SLUG, *PAGING], responses={200: _collection("IdeaCollection"), **NOT_MODIFIED, **ERRORS})
    def get(self, request, slug):
        concept = self.concept

        def build():
            phase = participation.current_phase(concept)
            ideas = participation.published_ideas(request.user, phase).order_by("pk") if phase else []
            return _features(request, ideas, s.IdeaSerializer)

        return _conditional(request, concept, build, extra=participation.phase_state(concept))


# --- the funding application (issue #23, decision 0053) -------------------------------------------


class ApplicationList(ConceptView):
    route = api(("application", "view"), ("application", "edit"), submitted=lambda concept: procedure.has_submitted(concept))

    @extend_schema(operation_id="applications_list", summary="Förderanträge (die Bewilligungsbehörde sieht die eingereichten)",
                   parameters=[SLUG, *PAGING],
                   responses={200: _paged("ApplicationPage", s.ApplicationSerializer), **ERRORS})
    def get(self, request, slug):
        return Response(_list(request, procedure.applications_of(request.user, self.concept), s.ApplicationSerializer))

    @extend_schema(summary="Einen Antrag zusammenstellen und einreichen", parameters=[SLUG],
                   request=s.ApplicationSubmitSerializer, responses={201: s.ApplicationSerializer, **ERRORS})
    def post(self, request, slug):
        data = _valid(s.ApplicationSubmitSerializer, request.data)
        app = procedure.submit_new(request.user, self.concept, via="api", **data)
        return Response(s.ApplicationSerializer(app).data, status=201)


class ApplicationDetail(ConceptView):
    route = api(("application", "view"), ids={"application": "application"}, submitted=procedure.is_submitted)

    @extend_schema(operation_id="application_retrieve", summary="Ein Förderantrag", parameters=[SLUG],
                   responses={200: s.ApplicationSerializer, **ERRORS})
    def get(self, request, slug, application):
        return Response(s.ApplicationSerializer(procedure.application_of(request.user, self.concept, application)).data)


# --- payment requests and the proof of use (issue #23 point 5, decision 0059) ----------------------


def _proof_json(proof: dict) -> dict:
    def plain(row, figures):
        check = row["check"]
        return {"key": row["key"], "measure": row["number"], "year": row["year"], **(
            {"source": row["source"]} if "source" in row else {}), **{w: str(row[w]) for w in figures},
            **({"flags": row["flags"]} if "flags" in row else {}),
            "check": None if check is None else {"state": check.state, "remark": check.remark},
            "status": row["status"] or None,  # the newest word on the line (decision 0063)
            "history": [{"kind": e.kind, "text": e.text, "at": e.created_at.isoformat(),
                         "by": e.created_by.get_username() if e.created_by else None,
                         "earlier": e.earlier} for e in row["history"]]}

    def submitted(found):
        # interim: a Zwischennachweis; closes: accepted, it ends the proof of use (decision 0085)
        return {"version": found.version, "state": found.state, "interim": found.interim, "closes": found.closes,
                "report": found.report,
                "submitted_at": found.submitted_at.isoformat(),
                "decided_at": found.decided_at and found.decided_at.isoformat(), "reason": found.reason,
                "documents": [{"kind": d.kind, "filename": d.filename, "sha256": d.sha256, "size": d.size}
                              for d in found.documents.all()]}

    return {"approval": proof["approval"] and proof["approval"].file_number,
            "state": proof["submission"].state if proof["submission"] else None,
            "submissions": [submitted(found) for found in proof["submissions"]],
            "grant": [plain(r, procedure.PROOF_GRANT) for r in proof["grant"]],
            "grant_total": {w: str(v) for w, v in proof["grant_total"].items()},
            "expenses": [plain(r, procedure.PROOF_EXPENSES) for r in proof["expenses"]],
            "expenses_total": {w: str(v) for w, v in proof["expenses_total"].items()},
            # a submitted or accepted proof shows its figures; expenses recorded since, apart (decision 0075)
            "later": [{"key": r["key"], "number": r["number"], "year": r["year"], "before": str(r["before"]),
                       "now": str(r["now"]), "delta": str(r["delta"])} for r in proof.get("later", [])],
            # the Belegliste (decision 0082): every expense; null where a proof submitted before it kept none
            "receipts": None if proof.get("receipts") is None else [
                {"no": r["no"], "line": r["key"], "measure": r["number"], "year": r["year"],
                 "paid_on": r["paid_on"].isoformat() if r["paid_on"] else None, "payee": r["payee"],
                 "note": r["note"], "receipt": r["receipt"], "amount": str(r["amount"])} for r in proof["receipts"]]}


class PaymentRequestList(ConceptView):
    route = api(("application", "view"), ("payment_request", "edit"), ids={"application": "application"},
                submitted=procedure.is_submitted)

    @extend_schema(operation_id="payment_requests_list", summary="Mittelabrufe eines Antrags (die Bewilligungsbehörde "
                   "sieht die eingereichten)", parameters=[SLUG, *PAGING],
                   responses={200: _paged("PaymentRequestPage", s.PaymentRequestSerializer), **ERRORS})
    def get(self, request, slug, application):
        app = procedure.application_of(request.user, self.concept, application)
        return Response(_list(request, procedure.requests_of(request.user, self.concept, app), s.PaymentRequestSerializer))

    @extend_schema(summary="Einen Mittelabruf anlegen und einreichen", parameters=[SLUG],
                   request=s.PaymentRequestSubmitSerializer, responses={201: s.PaymentRequestSerializer, **ERRORS})
    def post(self, request, slug, application):
        app = procedure.application_of(request.user, self.concept, application)
        data = _valid(s.PaymentRequestSubmitSerializer, request.data)
        found = procedure.submit_new_request(request.user, self.concept, app, via="api", **data)
        return Response(s.PaymentRequestSerializer(found).data, status=201)


class PaymentRequestDetail(ConceptView):
    route = api(("application", "view"), ids={"application": "application", "payment_request": "payment_request"},
                submitted=procedure.request_is_submitted)

    @extend_schema(operation_id="payment_request_retrieve", summary="Ein Mittelabruf, benannt mit seiner Nummer im "
                   "Antrag (number, nicht id)", parameters=[SLUG],
                   responses={200: s.PaymentRequestSerializer, **ERRORS})
    def get(self, request, slug, application, payment_request):
        found = procedure.request_of(request.user, self.concept, application, payment_request)
        return Response(s.PaymentRequestSerializer(found).data)


class ProofDetail(ConceptView):
    route = api(("application", "view"), ids={"application": "application"}, submitted=procedure.is_submitted)

    @extend_schema(operation_id="proof_retrieve", summary="Der Verwendungsnachweis eines Antrags (zahlenmäßiger "
                   "Nachweis; ohne Zeilen und mit approval null, solange er nicht bewilligt ist; state und submissions: die "
                   "eingereichten Versionen (interim: ein Zwischennachweis; closes: angenommen, beendet er den Nachweis), je Zeile status und history: Rückfragen, Antworten, Prüfungen – earlier: zu einem angenommenen "
                   "Zwischennachweis, zählt nicht mehr; receipts: die "
                   "Belegliste, jede bezahlte Ausgabe mit laufender Nummer, Datum, Empfänger, Gegenstand, Belegnummer "
                   "und Betrag)", parameters=[SLUG], responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def get(self, request, slug, application):
        app = procedure.application_of(request.user, self.concept, application)
        return Response(_proof_json(procedure.proof_of(request.user, self.concept, app, empty=True)))
