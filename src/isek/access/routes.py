"""Every URL of isek (outside Django's admin) with the methods it answers and the rule each method
follows – the policy table (``policy.POLICY``) seen from the URLs.

``MethodMiddleware`` enforces the methods: any other method is answered 405 with an ``Allow``
header before a view runs (HEAD wherever GET is). The rules are checked by the views and services
themselves (``access.concept_for``/``require``); tests/access/test_matrix.py sends every method of
every URL as every role and compares each answer with this table, and checks that no refused
request changed the database.

A rule is one of
  ``(resource, action)``   a cell of POLICY on the concept the URL names,
  ``Site(resource, action)`` a cell of SITE_POLICY (the installation),
  ``OPEN``                 anyone (public pages, sign-in, token links, the OGC/API documents),
  ``ACCOUNT``              any signed-in person (their own keys, their second factor).

``login``: anonymous people are sent to the sign-in page (pages for an account) rather than
refused; ``api``: anonymous writes are answered 401 (the JSON API); ``ids``: what the URL's
numbers name (for the matrix: each filled with a real id of the concept, and with one of
another concept, which must be 404).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404, HttpResponseNotAllowed

OPEN, ACCOUNT = "open", "account"
MACHINE_PATHS = ("/api/", "/ogc/")  # the JSON API and OGC API – Features


@dataclass(frozen=True)
class Site:
    resource: str
    action: str


@dataclass(frozen=True)
class Route:
    methods: dict[str, object]
    login: bool = False
    api: bool = False
    ids: dict[str, str] = field(default_factory=dict)

    def allowed_methods(self) -> list[str]:
        names = list(self.methods)
        if "GET" in names and "HEAD" not in names:
            names.append("HEAD")
        return names


def page(get=None, post=None, *, login: bool = True, ids: dict | None = None, **other) -> Route:
    methods = {m: r for m, r in (("GET", get), ("POST", post)) if r is not None}
    methods.update(other)
    return Route(methods, login=login, ids=ids or {})


def public(get, *, ids: dict | None = None, post=None) -> Route:
    """A page or file anyone may ask for (subject to the concept's rule)."""
    return page(get, post, login=False, ids=ids)


def api(get=None, post=None, patch=None, ids: dict | None = None) -> Route:
    methods = {m: r for m, r in (("GET", get), ("POST", post), ("PATCH", patch)) if r is not None}
    return Route(methods, api=True, ids=ids or {})


READ_CONCEPT = ("concept", "view")
PLAN = ("concept", "edit")

ROUTES: dict[str, Route] = {
    # the site
    "web:home": public(OPEN),
    "web:data-sources": public(OPEN),
    "web:privacy": public(OPEN),
    "web:indicators": public(OPEN),
    "web:language": public(OPEN),
    "set_language": page(post=OPEN, login=False),
    "javascript-catalog": public(OPEN),
    "login": page(OPEN, OPEN, login=False),
    "logout": page(post=OPEN, login=False),
    "accounts:second-factor": page(ACCOUNT, ACCOUNT),
    "accounts:invite": page(Site("member", "invite"), Site("member", "invite")),
    "accounts:accept": page(OPEN, OPEN, login=False),  # the invitation's token is the key
    "concept-new": page(Site("concept", "create"), Site("concept", "create")),
    "participation-delete": page(OPEN, OPEN, login=False),  # the deletion link's token is the key
    "api-tokens": page(ACCOUNT, ACCOUNT),
    "api-schema": public(OPEN),
    "api-docs": public(OPEN),
    # a concept: the plan
    "concepts:concept": public(READ_CONCEPT),
    "concepts:concept-edit": page(PLAN, PLAN),
    "concepts:concept-structure": page(("structure", "edit"), ("structure", "edit")),
    "concepts:concept-setup": page(PLAN),
    "concepts:concept-members": page(("member", "view"), ("member", "edit")),
    "concepts:concept-changes": page(("concept", "history")),
    "concepts:concept-import": page(("geodata", "import"), ("geodata", "import")),
    "concepts:concept-export": public(("concept", "export")),
    "concepts:concept-geojson": public(READ_CONCEPT),
    "concepts:measure": public(("measure", "view"), ids={"pk": "measure"}),
    "concepts:measure-new": page(("measure", "edit"), ("measure", "edit")),
    "concepts:measure-edit": page(("measure", "edit"), ("measure", "edit"), ids={"pk": "measure"}),
    "concepts:measure-delete": page(post=("measure", "delete"), ids={"pk": "measure"}),
    "concepts:quarter-new": page(("quarter", "edit"), ("quarter", "edit")),
    "concepts:quarter-edit": page(("quarter", "edit"), ("quarter", "edit"), ids={"pk": "quarter"}),
    # reference layers and the base map
    "geodata:layer-geojson": public(("reference_layer", "view")),
    "geodata:layers": public(("reference_layer", "view"), post=("reference_layer", "upload")),
    "geodata:layer-delete": page(post=("reference_layer", "delete"), ids={"pk": "layer"}),
    "geodata:basemap": public(("basemap", "view"), post=("basemap", "build")),
    "geodata:basemap-uploads": Route({"OPTIONS": ("basemap", "build"), "POST": ("basemap", "build")}),
    "geodata:basemap-upload": Route({m: ("basemap", "build") for m in ("OPTIONS", "HEAD", "PATCH", "DELETE")},
                                    ids={"upload": "upload"}),
    "geodata:basemap-status": public(("basemap", "view")),
    "geodata:basemap-cancel": page(post=("basemap", "build")),
    "geodata:basemap-retry": page(post=("basemap", "build")),
    "geodata:basemap-style": public(("basemap", "view")),
    "geodata:basemap-tile": public(("basemap", "view")),
    # costs and financing
    "finance:kuf": page(("kuf", "view")),
    "finance:kuf-freeze": page(post=("kuf", "freeze")),
    "finance:kuf-rates": page(("kuf", "edit"), ("kuf", "edit")),
    "finance:measure-import": page(("kuf", "edit"), ("kuf", "edit")),
    "finance:kuf-measure": page(("kuf", "edit"), ("kuf", "edit"), ids={"pk": "measure"}),
    "finance:kuf-export": page(("kuf", "export")),
    "finance:funds": page(("fund", "view")),
    "finance:fund-application-new": page(("fund", "edit"), ("fund", "edit"), ids={"fund_pk": "fund"}),
    "finance:fund-application-edit": page(("fund", "edit"), ("fund", "edit"),
                                          ids={"fund_pk": "fund", "pk": "fund_application"}),
    # analysis and monitoring
    "analysis:analysis": page(("analysis", "view"), ("analysis", "run")),
    "analysis:analysis-run": page(("analysis", "view"), ids={"pk": "run"}),
    "analysis:analysis-cancel": page(post=("analysis", "run"), ids={"pk": "run"}),
    "analysis:analysis-retry": page(post=("analysis", "run"), ids={"pk": "run"}),
    "analysis:analysis-current": page(post=("analysis", "run"), ids={"pk": "run"}),
    "analysis:analysis-delete": page(("analysis", "run"), ("analysis", "run"), ids={"pk": "run"}),
    "monitoring:dashboard": page(("dashboard", "view")),
    "monitoring:readiness": page(("readiness", "view")),
    "monitoring:indicators": page(("indicator", "view"), ("indicator", "edit")),
    "monitoring:indicator-new": page(("indicator", "edit"), ("indicator", "edit")),
    "monitoring:indicator": page(("indicator", "view"), ("indicator", "edit"), ids={"pk": "indicator"}),
    "monitoring:indicator-edit": page(("indicator", "edit"), ("indicator", "edit"), ids={"pk": "indicator"}),
    "monitoring:indicator-delete": page(post=("indicator", "edit"), ids={"pk": "indicator"}),
    "monitoring:payments": page(("payment", "view"), ("payment", "edit")),
    "monitoring:reports": page(("report", "view"), ("report", "create")),
    "monitoring:report-texts": page(("report_text", "edit"), ("report_text", "edit")),
    "monitoring:year-notes": page(("report_text", "edit"), ("report_text", "edit")),
    "monitoring:report-status": page(("report", "view"), ids={"pk": "report"}),
    "monitoring:report-download": page(("report", "view"), ids={"pk": "report"}),
    "monitoring:report-delete": page(post=("report", "delete"), ids={"pk": "report"}),
    "monitoring:report-cancel": page(post=("report", "create"), ids={"pk": "report"}),
    "monitoring:report-retry": page(post=("report", "create"), ids={"pk": "report"}),
    # participation
    "participation:phase": public(("participation", "view")),
    "participation:area-geojson": public(("participation", "view")),
    "participation:challenge": public(OPEN),  # the same proof-of-work puzzle for every concept
    "participation:idea-new": public(("idea", "create"), post=("idea", "create")),
    "participation:idea": public(("participation", "view"), ids={"pk": "idea"}),
    "participation:idea-comment": page(post=("comment", "create"), login=False, ids={"pk": "idea"}),
    "participation:idea-support": page(post=("support", "create"), login=False, ids={"pk": "idea"}),
    "participation:idea-flag": page(post=("flag", "create"), login=False, ids={"pk": "idea"}),
    "participation:idea-answer": page(post=("moderation", "decide"), login=False, ids={"pk": "idea"}),
    "participation:idea-photo": public(("participation", "view"), ids={"pk": "idea"}),
    "participation:idea-link": page(post=("idea", "link"), ids={"pk": "idea"}),
    "participation:phase-new": page(("phase", "edit"), ("phase", "edit")),
    "participation:phase-edit": page(("phase", "edit"), ("phase", "edit"), ids={"pk": "phase"}),
    "participation:statistics": page(("participation", "statistics")),
    "participation:export": page(("participation", "export")),
    "participation:measure-comment": public(("comment", "create"), post=("comment", "create"), ids={"pk": "measure"}),
    "participation:measure-support": public(("support", "create"), post=("support", "create"), ids={"pk": "measure"}),
    "participation:ideas-geojson": public(("participation", "view")),
    "participation:moderation": page(("moderation", "view"), ("moderation", "decide")),
    # open data, the JSON API and OGC API – Features
    "open-data": public(("concept", "export")),
    "api-v1:cities": api(OPEN),
    "api-v1:concepts": api(OPEN),
    "api-v1:concept": api(READ_CONCEPT),
    "api-v1:area": api(READ_CONCEPT),
    "api-v1:quarters": api(READ_CONCEPT),
    "api-v1:fields": api(READ_CONCEPT),
    "api-v1:goals": api(READ_CONCEPT),
    "api-v1:measures": api(("measure", "view"), ("measure", "edit")),
    "api-v1:measure": api(("measure", "view"), patch=("measure", "edit"), ids={"number": "measure"}),
    "api-v1:milestones": api(("measure", "view"), ("measure", "edit"), ids={"number": "measure"}),
    "api-v1:kuf": api(("kuf", "view")),
    "api-v1:indicators": api(("indicator", "view")),
    "api-v1:indicator-values": api(("indicator", "view"), ("indicator", "edit"), ids={"code": "indicator"}),
    "api-v1:payments": api(("payment", "view"), ("payment", "edit")),
    "api-v1:ideas": api(("participation", "view")),
    "ogc-landing": public(OPEN),
    "ogc-root": public(OPEN),  # the landing page without the slash (QGIS 3.22 follows no redirect)
    "ogc-openapi": public(OPEN),
    "ogc-conformance": public(OPEN),
    "ogc-collections": public(OPEN),  # lists what the asker may see
    "ogc-collection": public(("measure", "view"), ids={"cid": "collection"}),
    "ogc-schema": public(("measure", "view"), ids={"cid": "collection"}),
    "ogc-queryables": public(("measure", "view"), ids={"cid": "collection"}),
    # OPTIONS says which methods items answer (QGIS asks), the same for every collection
    "ogc-items": Route({"GET": ("measure", "view"), "OPTIONS": OPEN}, ids={"cid": "collection"}),
    "ogc-item": public(("measure", "view"), ids={"cid": "collection", "fid": "measure"}),
}


class MethodMiddleware:
    """405 (with ``Allow``) for a method the URL does not answer, and 404 for an API or OGC URL
    whose values hold a control character, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        route = ROUTES.get(match.view_name) if match else None
        if route is None:
            return None
        if request.method not in route.allowed_methods():
            return HttpResponseNotAllowed(route.allowed_methods())
        if request.path_info.startswith(MACHINE_PATHS) and any(
                isinstance(v, str) and not v.isprintable() for v in view_kwargs.values()):
            # No id, number or code of the API holds a control character; PostgreSQL refuses NUL in a
            # query. (Pages check their own values and say what is wrong: "Dieser Löschlink ist unbekannt".)
            raise Http404
        if request.method == "HEAD" and "HEAD" not in route.methods:
            # HEAD is GET without the body (the server drops it): the view answers it as a GET
            request.method = "GET"
        return None
