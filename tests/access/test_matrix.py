"""The permission matrix: every URL pattern of isek (outside Django's admin) × every method × the
eleven roles – anonymous, citizen, reviewer, planner of concept A, planner of concept B,
moderator, administrator of A's city, administrator of B's city, the staff of the funding authority
of A's district and of another district (B's), administrator –, filled with real ids. A and B lie
in two cities of two districts. Each URL is asked of A (public), of B (internal) and of A with B's
ids (a city's URL of A's city and of B's); every answer must be what the URL's declaration
(beside its view, assembled by isek.access.routes.routes()) and the policy table say, and the requests that were refused must
leave the database exactly as it was (a checksum of every row of every table before and after)."""

from __future__ import annotations

import datetime
import hashlib
import re
import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from isek import access
from isek.access.policy import SUBMITTED
from isek.access.routes import ACCOUNT, OPEN, Site, routes, url_kwargs, url_table
from isek.analysis.models import AnalysisRun
from isek.core.models import Upload
from isek.finance import services as finance
from isek.finance.models import Fund, FundApplication
from isek.geodata.models import ReferenceLayer
from isek.monitoring.models import Indicator, Report
from isek.participation import services as participation
from isek.participation.models import Idea, ReportPdf, Status
from isek.procedure.models import Application, Document, PaymentRequest, ProofDocument, ProofSubmission, Remark
from tests.conftest import _SHARED, client_for, client_with, shared_world
from tests.dbstate import checksum
from tests.factories import (
    PNG,
    CityFactory,
    ConceptFactory,
    MeasureFactory,
    QuarterFactory,
    UserFactory,
    authority_staff,
    city_admin,
    legal_texts_filled,
    member,
)

ROLES = ("anonymous", "citizen", "reviewer", "planner", "planner_b", "moderator", "city_admin", "city_admin_b",
         "authority", "authority_b", "admin")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# past the policy: an answer, or the input's own problem (empty forms, tus without its headers)
ALLOWED = {200, 201, 204, 302, 304, 400, 409, 412, 415}


def url_patterns() -> dict[str, str]:
    """{view name: route} for every named URL pattern outside the admin."""
    return {name: pattern for name, (pattern, _route) in url_table().items()}


ROUTES = routes()  # assembled from the views' declarations (isek.access.routes)


def test_every_url_is_declared():
    assert sorted(ONE_ALLOWED) == sorted(ROLES) == sorted(ONE_REFUSED)
    patterns = url_patterns()
    assert set(patterns) - set(ROUTES) == set(), "URLs without a declared rule"
    assert len(patterns) >= 110


def test_every_concept_rule_is_in_the_policy_table():
    for name, route in ROUTES.items():
        for rule in route.methods.values():
            if isinstance(rule, tuple):
                assert rule in access.POLICY, (name, rule)
            elif isinstance(rule, Site):
                assert (rule.resource, rule.action) in access.SITE_POLICY, (name, rule)
            else:
                assert rule in (OPEN, ACCOUNT), (name, rule)


def test_a_declaration_naming_a_cell_not_in_the_policy_fails_at_once():
    with pytest.raises(KeyError, match="kuf.edti"):
        access.concept_view("kuf", "edti")
    with pytest.raises(KeyError, match="member.invte"):
        access.site_view("member", "invte")


# --- the world: two concepts with one of everything --------------------------------------------


def _concept(public: bool, number: str, ags: str):
    concept = ConceptFactory(is_public=True, city=CityFactory(name=f"Stadt {number}", ags=ags, logo=PNG,
                                                              logo_updated=timezone.now()))
    measure = MeasureFactory(concept=concept, number=number)
    legal_texts_filled(concept.city)
    now = timezone.now()
    phase = participation.save_phase(access.Operator("test"), concept, title_de="Beteiligung",
                                     start=now - timedelta(days=1), end=now + timedelta(days=1),
                                     themes=[("Mobilität", "", "#1565c0")])
    # an internal concept gets no open phase (participation.services.save_phase): made internal after
    concept.is_public = public
    concept.save()
    idea = Idea.objects.create(phase=phase, theme=phase.themes.get(), title="Bänke", text="Mehr Bänke",
                               geometry=concept.area.point_on_surface, status=Status.PUBLISHED)
    fund = Fund.objects.create(concept=concept, kind="disposition", name="Verfügungsfonds", budget=10000)
    layer = ReferenceLayer.objects.create(city=concept.city, name=f"schulen-{number.replace('.', '-')}",
                                          label_de="Schulen", kind="point", licence="CC0-1.0", attribution="Test",
                                          path="none.geojson", sha256="")
    return {
        "concept": concept, "measure": measure, "idea": idea, "phase": phase, "fund": fund, "layer": layer,
        "quarter": QuarterFactory(concept=concept),
        "indicator": Indicator.objects.create(concept=concept, code=f"I{number.replace('.', '')}", name="Leerstand",
                                              kind="context", unit="%"),
        "report": Report.objects.create(concept=concept, kind="isek", status="failed"),
        "run": AnalysisRun.objects.create(concept=concept, status="failed"),
        "report_pdf": ReportPdf.objects.create(phase=phase, status="failed"),  # the evaluation report's PDF job
        "fund_application": FundApplication.objects.create(fund=fund, applicant="Haus", project="Fassade", eligible_cost=1000),
        **_submitted_application(concept),
    }


def _submitted_application(concept) -> dict:
    """A funding application the city has submitted, with one document (issue #23): the rows as
    procedure.services.submit leaves them, without writing the PDFs."""
    version = finance.freeze_version(access.Operator("test"), concept, "Anmeldung", "first_application")
    application = Application.objects.create(concept=concept, year=concept.start_year, finance_version=version,
                                             council_decision=datetime.date(2026, 1, 15), state="submitting",
                                             submitted_at=timezone.now())
    # as its documents job leaves it (decision 0079): the documents written, then the state moved
    document = Document.objects.create(application=application, kind="kuf-pdf", filename="kuf.pdf", content=b"%PDF-1.7",
                                       sha256=hashlib.sha256(b"%PDF-1.7").hexdigest(), size=8)
    Application.objects.filter(pk=application.pk).update(
        state=Application.State.SUBMITTED,
        snapshot={"measures": [], "figures": [], "readiness": {"items": [], "done": 0, "total": 0}})
    application.refresh_from_db()
    remark = Remark.objects.create(application=application, kind="request", about="application",
                                   about_label="den Antrag insgesamt", text="Bitte ergänzen.")  # the authority's (decision 0056)
    # a payment request the city has submitted against it (decision 0059: the rows, not the approval it needs)
    payment_request = PaymentRequest.objects.create(application=application, number=1, state="submitted",
                                                    submitted_at=timezone.now())
    # a proof of use the city has submitted, with its PDF (decision 0063: the rows, not the approval it needs)
    proof = ProofSubmission.objects.create(application=application, version=1, report="Sachbericht")
    proof_document = ProofDocument.objects.create(submission=proof, kind="pdf", filename="nachweis.pdf",
                                                  content=b"%PDF-1.7", sha256=hashlib.sha256(b"%PDF-1.7").hexdigest(),
                                                  size=8)
    return {"application": application, "application_document": document, "remark": remark,
            "payment_request": payment_request, "proof_document": proof_document}


def _file_rows(side: dict) -> None:
    """The rows that name the files some URLs serve: the layer's GeoJSON, the idea's photo, the
    finished report, the city's base map (written by ``_files``)."""
    from isek.geodata.models import BaseMap
    from isek.monitoring import jobs as report_jobs
    from isek.participation import jobs as participation_jobs

    layer = side["layer"]
    ReferenceLayer.objects.filter(pk=layer.pk).update(path=f"{layer.name}.geojson")
    Idea.objects.filter(pk=side["idea"].pk).update(photo=f"idea-{side['idea'].pk}.jpg")
    report = side["report"]
    Report.objects.filter(pk=report.pk).update(status="done", progress=100,
                                               file=str(report_jobs.report_dir() / f"{report.pk}-isek.pdf"))
    ReportPdf.objects.filter(pk=side["report_pdf"].pk).update(
        status="done", progress=100, file=str(participation_jobs.pdf_dir() / f"{side['report_pdf'].pk}-auswertung.pdf"))
    BaseMap.objects.create(city=side["concept"].city, status="done", progress=100, extract="x.osm.pbf", extract_name="x",
                           path=f"{side['concept'].city.ags}.mbtiles", concept=side["concept"])


def _files(side: dict) -> None:
    """What ``_file_rows`` names, on disk (again before each test: an allowed request may have
    deleted a file; the database is rolled back, the disk not): the layer's GeoJSON, the idea's
    photo, the report, the base map (an MBTiles file with no tiles)."""
    import sqlite3

    from isek.geodata import jobs as geodata_jobs
    from isek.geodata import services as geodata
    from isek.monitoring import jobs as report_jobs
    from isek.participation import jobs as participation_jobs
    from isek.participation import photos

    geodata.store_dir().mkdir(parents=True, exist_ok=True)
    (geodata.store_dir() / f"{side['layer'].name}.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    photos.directory().mkdir(parents=True, exist_ok=True)
    (photos.directory() / f"idea-{side['idea'].pk}.jpg").write_bytes(b"\xff\xd8\xff\xe0 JFIF")
    (report_jobs.report_dir() / f"{side['report'].pk}-isek.pdf").write_bytes(b"%PDF-1.7 test")
    (participation_jobs.pdf_dir() / f"{side['report_pdf'].pk}-auswertung.pdf").write_bytes(b"%PDF-1.7 test")
    tiles = geodata_jobs.basemap_store() / f"{side['concept'].city.ags}.mbtiles"
    with sqlite3.connect(tiles) as db:
        db.execute("CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
                   "tile_data BLOB)")
        db.execute("CREATE TABLE IF NOT EXISTS metadata (name TEXT, value TEXT)")


def _var_dir():
    """The var directory of the matrix's files: one for the run (the world is shared)."""
    from django.conf import settings

    return settings.VAR_DIR / "matrix"


@shared_world("matrix_world")
def _load_world() -> dict:
    """Two concepts with one of everything and a user per role: loaded once for the module's tests
    (tests/conftest.py, _SharedWorld); each test's changes are rolled back."""
    with override_settings(VAR_DIR=_var_dir()):
        # two districts: A's city in the Regierungsbezirk Arnsberg (059), B's in Köln (053)
        a, b = _concept(True, "1.1", "05911000"), _concept(False, "9.9", "05315000")
        for side in (a, b):
            _file_rows(side)
    users = {
        "anonymous": None,
        "citizen": UserFactory(),
        "reviewer": member(a["concept"], "reviewer"),
        "planner": member(a["concept"], "planner"),
        "planner_b": member(b["concept"], "planner"),
        "moderator": member(a["concept"], "moderator"),
        "city_admin": city_admin(a["concept"].city),
        "city_admin_b": city_admin(b["concept"].city),
        "authority": authority_staff("059"),  # the funding authority of A's district
        "authority_b": authority_staff("053"),  # of another district (B's)
        "admin": UserFactory(is_superuser=True, is_staff=True),
    }
    from isek.concepts.models import FundingAuthority

    for side, prefix in ((a, "059"), (b, "053")):
        side["authority"] = FundingAuthority.objects.get(prefixes__prefix=prefix)  # its district's
    for side in (a, b):
        planner = users["planner" if side is a else "planner_b"]
        side["upload"] = Upload.objects.create(user=planner, scope=f"basemap:{side['concept'].pk}", filename="x.osm.pbf",
                                               length=10)
    # each role signed in once, with the world: a test's client gets a copy of these cookies (the
    # session rows belong to the world, so they outlive each test's rollback)
    cookies = {role: client_for(user).cookies for role, user in users.items()}
    return {"a": a, "b": b, "users": users, "cookies": cookies}


@pytest.fixture
def matrix_world(db):
    return _SHARED.value_for("matrix_world") or _load_world()


@pytest.fixture
def world(matrix_world, settings):
    shared = matrix_world
    settings.VAR_DIR = _var_dir()  # the files below, and what allowed requests write
    for side in (shared["a"], shared["b"]):
        _files(side)
        # the roles on the world's concepts, worked out once per test (isek.access.role_of keeps
        # them on the instance as concept_for does): the expectations ask thousands of times
        side["concept"]._roles = {}
    return shared | {"clients": {role: client_with(cookies) for role, cookies in shared["cookies"].items()}}


# --- filling a URL ------------------------------------------------------------------------------

FIXED = {"code": "en", "year": "2026", "z": "14", "x": "8529", "y": "5448", "token": "unbekannt", "layer": "measures", "action": "", "provider": "1",
         "uidb64": "MQ"}  # uidb64: the id 1 of a password reset link (decision 0086)
FORMATS = {"concepts:concept-export": "geojson", "finance:kuf-export": "xlsx", "participation:export": "csv",
           "open-data": "gpkg", "participation:report-file": "xlsx"}


def _value(kind: str, side: dict, name: str) -> str:
    if kind == "collection":
        return f"{side['concept'].slug}.measures"
    if kind == "measure" and name == "number":
        return side["measure"].number
    if kind == "indicator" and name == "code":
        return side["indicator"].code
    if kind == "payment_request":  # named by its number in the application, not its id (decision 0072)
        return str(side[kind].number)
    return str(side[kind].pk)


def fill(name: str, route_pattern: str, concept_side: dict, id_side: dict) -> str:
    """The URL of ``name`` on ``concept_side``'s concept with the ids of ``id_side``."""
    route = ROUTES[name]

    def value(kwarg: str) -> str:
        if kwarg == "slug":
            return concept_side["concept"].slug
        if kwarg in route.ids:
            kind = route.ids[kwarg]
            return _value(kind, concept_side if kind == "collection" else id_side, kwarg)
        if kwarg == "fmt":
            return FORMATS[name]
        if kwarg == "name":
            return id_side["layer"].name
        if kwarg == "upload":
            return str(id_side["upload"].pk)
        if kwarg == "ags":  # a city's legal pages and its administration
            return id_side["concept"].city.ags
        if kwarg == "city":  # a city's start page
            return id_side["concept"].city.slug
        if kwarg == "authority":  # a funding authority's portfolio: of A's district, of B's
            return str(id_side["authority"].pk)
        return FIXED[kwarg]

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m[1]), route_pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m[1]), path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


# --- what the table says --------------------------------------------------------------------------


def ids_of(name: str, side: dict) -> dict[str, str]:
    """The values of the ids in ``name``'s URL, taken from ``side``."""
    return {k: _value(kind, side, k) for k, kind in ROUTES[name].ids.items()}


def _submitted(route, ids: dict | None):
    """The route's ``submitted`` for a cell: its own rule for a cell with ids, and for one without where
    the rule asks for the concept alone (a collection's: ApplicationList); else not submitted."""
    import inspect

    if route.submitted is None:
        return False
    if ids:
        return route.submitted_of(ids)
    wanted = [n for n, p in list(inspect.signature(route.submitted).parameters.items())[1:]
              if n != "slug" and p.default is inspect.Parameter.empty]
    return False if wanted else route.submitted_of({})


def expected(name: str, method: str, user, concept, cross: bool, upload_owner=None, ids: dict | None = None,
             authority=None) -> set[int] | str:
    """What ``user`` gets for ``method`` on ``name`` filled with ``concept`` (and its city) and
    ``ids`` (what the URL's numbers name: a submitted application opens to its district's funding
    authority, ``Route.submitted``); ``authority``: the funding authority an authority's URL names."""
    route = ROUTES[name]
    if method not in route.allowed_methods():
        return {405}
    rule = route.methods.get(method, route.methods.get("GET"))
    if "token" in route_kwargs(name):
        return {404}  # an unknown token: nothing to show, nothing done
    if "provider" in route_kwargs(name):
        return {404}  # the world has no identity provider (tests/accounts/test_oidc.py signs in through one)
    if rule == OPEN:
        allowed = True
    elif rule == ACCOUNT:
        allowed = user is not None
    elif isinstance(rule, Site) and rule.somewhere:
        allowed = access.allows_site_somewhere(user, rule.resource, rule.action)
    elif isinstance(rule, Site):  # of the city the URL names, else of the installation
        city = concept.city if "ags" in route_kwargs(name) else None
        allowed = access.allows_site(user, rule.resource, rule.action, city,
                                     authority if "authority" in route_kwargs(name) else None)
    else:
        allowed = access.allows(user, *rule, concept, submitted=route.submitted_of(ids or {}))
    # OPTIONS of a resumable upload states the protocol; it names no upload
    cross = cross and method != "OPTIONS"
    if allowed:
        if cross:
            return {404}
        if "upload" in route.ids.values() and method != "OPTIONS" and user != upload_owner:
            return {404}  # an upload is its sender's alone
        return ALLOWED
    if user is None and route.login:
        # a concept's URL: the sign-in page only where the concept is public; for an internal one
        # the 404 of a slug that names none (decision 0074)
        hidden = "slug" in route_kwargs(name) and not access.allows(None, "concept", "view", concept)
        return {404} if hidden else "login"
    if user is None and route.api and method in WRITES:
        return {401}
    if isinstance(rule, tuple) and not access.allows(user, "concept", "view", concept):
        # its moderators know an internal concept: 403, a page leading to the moderation (decision 0077)
        return {403} if access.role_of(user, concept) is access.Role.MODERATOR else {404}
    if (isinstance(rule, tuple) and rule[0] in access.PROCEDURE and access.role_of(user, concept) is not access.Role.MODERATOR
            and not access.allows(user, "application", "view", concept, submitted=_submitted(route, ids))):
        return {404}  # an application one may not see: a number that names none (decision 0087)
    if user is None and rule == ACCOUNT:
        return "login"
    # refused on a concept one may see: 403, or 404 where the view finds another concept's id first
    return {403, 404} if cross else {403}


def route_kwargs(name: str) -> list[str]:
    return url_kwargs(url_patterns()[name])


def _send(client: Client, method: str, name: str, url: str):
    """An empty request: JSON to the API, the tus header to the resumable uploads, a form elsewhere."""
    headers = {"HTTP_TUS_RESUMABLE": "1.0.0"} if name.startswith("geodata:basemap-upload") else {}
    if ROUTES[name].api and method in WRITES:
        return getattr(client, method.lower())(url, "{}", content_type="application/json")
    return getattr(client, method.lower())(url, **headers)


def _check(response, want, where) -> str | None:
    if want == "login":
        ok = response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        ok = response.status_code in want
        if ok and response.status_code == 302 and want is ALLOWED:
            ok = not response["Location"].startswith("/accounts/login/")
    return None if ok else f"{where}: {response.status_code} (expected {want})"


# A method a URL does not declare is refused (405) before anyone's role is looked at: asked of
# the one without an account and the one with every right, not of all eleven. The same two ask HEAD
# where a URL does not declare it: routes.MethodMiddleware hands such a HEAD to the view as the GET
# it is (the view never sees "HEAD"), so the other roles' GET already decides what they get.
UNDECLARED_BY = ("anonymous", "admin")


# Every cell is asked on SpatiaLite: every allowed one – a page rendered, a form answered, for each
# role the table lets in – and every refusal with the unchanged database, the separation the matrix
# proves; on PostGIS one role per URL, side and method, in this order of
# preference (the roles' rights are decided in Python, by the table and the declarations; what a
# page does on PostGIS for each role, its own tests ask there). Decision 0038: the matrix was a
# quarter of the suite's CPU.
EVERY_ALLOWED_ROLE = connection.vendor != "postgresql"
ONE_ALLOWED = ("planner", "planner_b", "city_admin", "city_admin_b", "authority", "authority_b", "moderator",
               "reviewer", "citizen", "anonymous", "admin")
# Every refusal likewise on SpatiaLite; on PostGIS one refused role per URL, side, method and answer
# (login, 401, 403, 404, 405), the one nearest to the rights first: each kind of refusal and the
# unchanged database asked on both engines, which role gets which kind decided in Python as above
# (decision 0038, seventh step: the refusals were two thirds of the PostGIS matrix's requests).
EVERY_REFUSED_ROLE = EVERY_ALLOWED_ROLE
ONE_REFUSED = ("planner_b", "city_admin_b", "authority_b", "authority", "city_admin", "reviewer", "moderator",
               "planner", "citizen", "anonymous", "admin")


def one_per_answer(refused: list) -> list:
    """Of the refusals (where, role, method, URL, expected answer): one per where, method and
    answer, the role first in ``ONE_REFUSED``."""
    kept = {}
    for item in sorted(refused, key=lambda r: ONE_REFUSED.index(r[1])):
        kept.setdefault((item[0], item[2], str(item[4])), item)
    return list(kept.values())


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_matrix(world, name):
    pattern = url_patterns()[name]
    a, b = world["a"], world["b"]
    concept_route = ("slug" in route_kwargs(name) or "collection" in ROUTES[name].ids.values()
                     or {"ags", "city", "authority"} & set(route_kwargs(name)))  # a concept's, a city's, an authority's
    swappable = [k for k, kind in ROUTES[name].ids.items() if kind != "collection"]
    declared = tuple(ROUTES[name].allowed_methods())
    variants = [("A", a, a, False, METHODS)]
    if concept_route:
        variants.append(("B", b, b, False, declared))
    if swappable:
        variants.append(("A with B's ids", a, b, True, declared))
    problems = []
    refused = []  # (where, role, method, URL, expected answer)
    allowed = {}  # (where, method): [(role, URL)]
    for label, concept_side, id_side, cross, methods in variants:
        url = fill(name, pattern, concept_side, id_side)
        for role in ROLES:
            user = world["users"][role]
            for method in methods:
                if role not in UNDECLARED_BY and (method not in declared or (
                        method == "HEAD" and "HEAD" not in ROUTES[name].methods)):
                    continue
                want = expected(name, method, user, concept_side["concept"], cross, id_side["upload"].user,
                                ids_of(name, id_side), id_side["authority"])
                if want is ALLOWED:
                    allowed.setdefault((label, method), []).append((role, url))
                else:
                    refused.append((label, role, method, url, want))
    for (label, method), asked in allowed.items():
        for role, url in asked if EVERY_ALLOWED_ROLE else [min(asked, key=lambda a: ONE_ALLOWED.index(a[0]))]:
            with transaction.atomic():  # may change things: on its own, undone afterwards
                problems.append(_check(_send(world["clients"][role], method, name, url), ALLOWED,
                                       f"{label} {role} {method} {url}"))
                transaction.set_rollback(True)
    refused = refused if EVERY_REFUSED_ROLE else one_per_answer(refused)
    # everything refused together: the database before and after must be equal
    with transaction.atomic():
        before = checksum()
        for label, role, method, url, want in refused:
            problems.append(_check(_send(world["clients"][role], method, name, url), want, f"{label} {role} {method} {url}"))
        changed = checksum() != before
        transaction.set_rollback(True)
    if changed:  # find who did it
        for label, role, method, url, _want in refused:
            with transaction.atomic():
                before = checksum()
                _send(world["clients"][role], method, name, url)
                if checksum() != before:
                    problems.append(f"{label} {role} {method} {url}: refused, but the database changed")
                transaction.set_rollback(True)
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_an_undeclared_method_is_405_with_allow():
    response = Client().put("/about/privacy/")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("name", ["finance:kuf", "participation:moderation", "api-v1:kuf", "concepts:concept-members"])
def test_a_head_the_url_does_not_declare_is_answered_as_its_get_for_every_role(world, name):
    """Why the matrix asks HEAD of two roles only: every role's HEAD gets its GET's answer (the
    server, not the view, leaves out the body)."""
    assert "GET" in ROUTES[name].methods and "HEAD" not in ROUTES[name].methods
    for side in (world["a"], world["b"]):
        url = fill(name, url_patterns()[name], side, side)
        for role in ROLES:
            got, head = world["clients"][role].get(url), world["clients"][role].head(url)
            assert (head.status_code, head.get("Location")) == (got.status_code, got.get("Location")), (role, url)


def test_uuid_upload_ids_are_not_guessable_from_another_concept(world):
    # a made-up upload id under a concept the planner works on: nothing there
    url = f"/concepts/{world['a']['concept'].slug}/basemap/uploads/{uuid.uuid4()}"
    assert world["clients"]["planner"].head(url, HTTP_TUS_RESUMABLE="1.0.0").status_code == 404


def concept_cells():
    """(name, method) of each method of a concept's URL that the policy table decides."""
    for name, route in ROUTES.items():
        if "slug" in route_kwargs(name):
            for method, rule in route.methods.items():
                if isinstance(rule, tuple):
                    yield name, method


def test_the_matrix_holds_the_cities_apart(world):
    """Not vacuous: by the table the matrix checks, the administrator of A's city is answered 404 on
    every concept URL of B (internal, another city) and may do all there that B's administrator may – except
    the review of a submitted application, which is its funding authority's alone (decision 0056)."""
    b, users = world["b"], world["users"]
    cells = list(concept_cells())
    for name, method in cells:
        assert expected(name, method, users["city_admin"], b["concept"], False) == {404}, (name, method)
        # the review of a submitted application is its funding authority's alone (decision 0056)
        authority_only = set(access.POLICY[ROUTES[name].methods[method]]) == {access.Role.AUTHORITY}
        assert expected(name, method, users["city_admin_b"], b["concept"], False, upload_owner=users["city_admin_b"]) == (
            {403} if authority_only else ALLOWED), (name, method)
    assert len(cells) > 100


def test_the_matrix_holds_the_funding_authorities_apart(world):
    """Not vacuous: the staff of A's district's funding authority have that role on A (and the
    others' staff on B), and by the table the matrix checks they get on every concept URL what a
    citizen gets – on B (internal) a 404 everywhere, drafts and the KuF included –, except the
    applications the city has submitted to its own district's authority (issue #23, decisions 0050
    and 0053), which open to it on the internal B as on A, and to no other authority."""
    a, b, users = world["a"], world["b"], world["users"]
    assert access.role_of(users["authority"], a["concept"]) == access.Role.AUTHORITY
    assert access.role_of(users["authority_b"], a["concept"]) == access.Role.CITIZEN
    assert access.role_of(users["authority_b"], b["concept"]) == access.Role.AUTHORITY
    cells = list(concept_cells())
    submitted = [(name, method) for name, method in cells
                 if access.POLICY[ROUTES[name].methods[method]].get(access.Role.AUTHORITY) == SUBMITTED]
    for name, method in cells:
        if (name, method) in submitted:
            continue
        rule = ROUTES[name].methods[method]
        for staff in ("authority", "authority_b"):
            for side in (a, b):
                answer = expected(name, method, users[staff], side["concept"], False)
                citizen = expected(name, method, users["citizen"], side["concept"], False)
                if (isinstance(rule, tuple) and rule[0] in access.PROCEDURE and access.allows(
                        users[staff], "application", "view", side["concept"], submitted=_submitted(ROUTES[name], None))):
                    # the district's staff see the city's submitted applications (the list): on a public
                    # concept making one is refused with 403, not a citizen's 404 – nothing is hidden (0087)
                    assert answer in ({403}, citizen), (name, method, staff)
                else:
                    assert answer == citizen, (name, method, staff)
            assert expected(name, method, users[staff], b["concept"], False) == {404}, (name, method, staff)
    assert len(cells) > 100
    assert {name for name, _m in submitted} == {"procedure:applications", "procedure:application",
                                                 "procedure:application-document", "api-v1:applications",
                                                 "api-v1:application", "procedure:application-review",
                                                 "procedure:remark-new", "procedure:remark-close",
                                                 "procedure:application-approve",
                                                 # payment requests and the proof of use (decision 0059)
                                                 "procedure:payment-requests", "procedure:payment-request",
                                                 "procedure:payment-request-release", "procedure:payment-request-return",
                                                 "procedure:proof", "procedure:proof-xlsx", "procedure:proof-pdf",
                                                 "procedure:proof-check", "api-v1:payment-requests",
                                                 "api-v1:payment-request", "api-v1:proof",
                                                 # the submitted proof of use and its decision (decision 0063)
                                                 "procedure:proof-accept", "procedure:proof-return",
                                                 "procedure:proof-document",
                                                 # a GET on a step that asks first leads to its page (0067 amended)
                                                 "procedure:application-submit", "procedure:payment-request-submit",
                                                 # the documents job's state, of a submitted application: done (0079)
                                                 "procedure:application-documents-status",
                                                 # the funding area as XPlanGML, part of what the city submitted (0094)
                                                 "open-data-xplan"}
    for name, method in submitted:
        for staff, own, other in (("authority", a, b), ("authority_b", b, a)):
            assert expected(name, method, users[staff], own["concept"], False, ids=ids_of(name, own)) is ALLOWED
            # another district's application: 404 on the public A as on the internal B (decision 0087); the
            # funding area of the public A is the public's, another district's staff get what a citizen gets
            other_gets = expected(name, method, users["citizen"], other["concept"], False, ids=ids_of(name, other)) if (
                name == "open-data-xplan") else {404}
            assert expected(name, method, users[staff], other["concept"], False, ids=ids_of(name, other)) == other_gets, (
                name, staff)
    # issue 23: the funding area of the internal B, whose city submitted an application, opens to its
    # district's staff (they see the application) and to nobody else outside B's people
    assert expected("open-data-xplan", "GET", users["authority_b"], b["concept"], False) is ALLOWED
    assert expected("open-data-xplan", "GET", users["authority"], b["concept"], False) == {404}
    assert expected("open-data-xplan", "GET", users["citizen"], b["concept"], False) == {404}


def test_drafts_stay_with_the_city(world):
    """A draft of an application is the city's alone: its district's funding authority is refused
    every URL of it with a 404, on the public A as on the internal B (decision 0087: an unsubmitted
    number is not told from one that names none), the city's planner is not."""
    from isek.procedure import services as procedure

    drafts = {}
    for key in ("a", "b"):
        concept = world[key]["concept"]
        drafts[key] = Application.objects.create(concept=concept, year=concept.start_year + 1,
                                                 finance_version=world[key]["application"].finance_version,
                                                 council_decision=datetime.date(2026, 1, 15))
    names = [n for n, r in ROUTES.items() if "application" in r.ids.values()]
    assert len(names) >= 5
    for name in names:
        for key, staff, planner, want in (("a", "authority", "planner", {404}), ("b", "authority_b", "planner_b", {404})):
            side = world[key] | {"application": drafts[key]}
            url = fill(name, url_patterns()[name], side, side)
            if {"document", "remark", "payment_request", "proof_document"} & set(ROUTES[name].ids):
                continue  # a draft has no documents, no remarks, no payment requests, no proof of use
            for method in [m for m in ROUTES[name].methods if m in ("GET", "POST")]:
                assert expected(name, method, world["users"][staff], side["concept"], False, ids=ids_of(name, side)) == want
                with transaction.atomic():
                    got = _send(world["clients"][staff], method, name, url)
                    transaction.set_rollback(True)
                assert got.status_code in want, (name, method, staff, got.status_code)
                if method == "GET" and access.Role.PLANNER in access.POLICY[ROUTES[name].methods[method]]:
                    assert world["clients"][planner].get(url).status_code in (200, 302), (name, planner)
    # the list the authority sees holds the submitted application, not the draft
    a = world["a"]
    assert procedure.applications_of(world["users"]["authority"], a["concept"]) == [a["application"]]
    page = world["clients"]["authority"].get(fill("procedure:applications", url_patterns()["procedure:applications"], a, a))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-application="{a["application"].pk}"' in html and f'data-application="{drafts["a"].pk}"' not in html


def test_an_anonymous_request_cannot_tell_an_internal_concept_from_none(world):
    """Decision 0074: every concept URL that sends anonymous people to sign in does so only on a
    public concept; on an internal one (B) the answer is that of a slug that names no concept –
    404 with the same page – for each declared method. The 404 page offers to sign in and come back."""
    from types import SimpleNamespace

    anonymous, b = world["clients"]["anonymous"], world["b"]
    nothing = b | {"concept": SimpleNamespace(slug="gibt-es-nicht", city=b["concept"].city)}
    names = [n for n, r in ROUTES.items() if r.login and "slug" in route_kwargs(n)]
    assert len(names) > 80
    text = re.compile(r'<p[^>]*id="error-text">(.*?)</p>', re.S)
    for name in names:
        for method in ROUTES[name].methods:
            answers = []
            for side in (b, nothing):
                url = fill(name, url_patterns()[name], side, b)
                with transaction.atomic():
                    answer = _send(anonymous, method, name, url)
                    transaction.set_rollback(True)
                body = answer.content.decode() if method not in ("HEAD", "OPTIONS") else ""
                answers.append((answer.status_code, text.findall(body)))
                if method == "GET":  # the error page's own offer, not only the header's
                    assert f'id="error-sign-in" href="/accounts/login/?next={quote(url)}"' in body, (name, url)
            assert answers[0] == answers[1] and answers[0][0] == 404, (name, method, answers)


LEGAL = ("accessibility", "leichte-sprache", "sign-language", "privacy", "imprint")


def legal_links(ags: str | None) -> list[str]:
    """The footer's five links: of the city ``ags``, else of the installation."""
    from django.urls import reverse

    def name(page):
        return ("web:" if page == "privacy" else "legal:") + (f"city-{page}" if ags else page)

    return [reverse(name(page), args=[ags] if ags else []) for page in LEGAL]


def test_every_page_links_the_legal_pages_of_its_city_or_else_the_installations(world):
    """Issue #22: every page's footer links the accessibility statement, Leichte Sprache, DGS, the
    privacy page and the Impressum – the city's on a page of a concept or a city (its URL names the
    concept, the city's AGS or its start page), the installation's elsewhere and on error pages
    (which do not say whose a refused address is, decision 0074). Every GET of the declarations
    (isek.access.routes) filled as the matrix fills it, asked by the one who may see everything;
    each HTML answer is checked (files, JSON, empty answers and redirects have no footer)."""
    a, admin = world["a"], world["clients"]["admin"]
    footer = re.compile(r'<nav aria-label="[^"]*" class="isek-footer__legal">(.*?)</nav>', re.S)
    checked, problems = set(), []
    for name, route in sorted(ROUTES.items()):
        if "GET" not in route.methods or route.api:
            continue
        url = fill(name, url_patterns()[name], a, a)
        with transaction.atomic():
            response = admin.get(url)
            transaction.set_rollback(True)
        admin.cookies.pop("django_language", None)  # /language/en/ chose English: the next page in German again
        if not response.get("Content-Type", "").startswith("text/html") or response.status_code in (204, 301, 302, 304):
            continue
        city_page = response.status_code == 200 and {"slug", "ags", "city"} & set(route_kwargs(name))
        found = footer.findall(response.content.decode())
        links = re.findall(r'href="([^"]+)"', found[0]) if len(found) == 1 else []
        checked.add(name)
        if links != legal_links(a["concept"].city.ags if city_page else None):
            problems.append(f"{name} {url} ({response.status_code}): {links or 'no footer'}")
    assert not problems, "\n".join(problems)
    assert len(checked) > 80 and {"api-docs", "web:privacy", "concepts:concept", "legal:city-imprint"} <= checked
