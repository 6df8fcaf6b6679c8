"""Shared fixtures. The same tests run on SpatiaLite (default) and on PostGIS (DATABASE_URL set
by tools/test.sh)."""

import gc
import os
import threading

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Hypothesis's checks of wall time (a draw or an example too slow) fail under the suite's own load –
# four processes on two cores – and say nothing about isek (a run beside helpers: one draw of a few rows took 1.1 s; the
# test_rollup's check failed). Its other health checks stay.
hypothesis_settings.register_profile("isek-suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("isek-suite")


def _served_by_the_live_server() -> bool:
    """Is this signal sent in one of the live server's request threads? Requests a test makes in
    its own thread (the test client, schemathesis calling the WSGI application in-process) are not
    counted: a streamed answer such a test never reads is never closed and would count as in
    flight for ever."""
    return threading.current_thread() is not threading.main_thread()


class _RequestsInFlight:
    """Counts the requests the live server's threads are serving, through Django's
    request_started/request_finished signals."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()

    def started(self, **kwargs):
        if _served_by_the_live_server():
            with self.changed:
                self.count += 1

    def finished(self, **kwargs):
        if _served_by_the_live_server():
            with self.changed:
                self.count -= 1
                self.changed.notify_all()

    def wait_idle(self, timeout):
        with self.changed:
            return self.changed.wait_for(lambda: self.count <= 0, timeout)


@pytest.fixture(autouse=True, scope="session")
def _requests_in_flight():
    from django.core.signals import request_finished, request_started

    requests = _RequestsInFlight()
    request_started.connect(requests.started, dispatch_uid="tests-in-flight-started")
    request_finished.connect(requests.finished, dispatch_uid="tests-in-flight-finished")
    yield requests
    request_started.disconnect(dispatch_uid="tests-in-flight-started")
    request_finished.disconnect(dispatch_uid="tests-in-flight-finished")


def _reference_data_loaded() -> None:
    """The reference data the migrations load (funding programmes, cost groups), loaded again when
    the flush after a transactional test emptied it."""
    from isek.finance import services
    from isek.finance.models import CostGroup

    if not CostGroup.objects.exists():
        services.ensure_reference_data()


@pytest.fixture
def db(db, request):
    """pytest-django's fixture; a test marked ``django_db(transaction=True)`` gets its transactional
    database through this one, not through ``transactional_db`` (CI 12-08: a PostGIS-only
    transactional test after another found no cost groups): it, too, finds the reference data."""
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        _reference_data_loaded()
    return db


@pytest.fixture
def transactional_db(transactional_db, _requests_in_flight):
    """pytest-django's fixture, whose database is flushed only once no request is still being
    served: a live-server request still running during the flush failed it on SpatiaLite's
    shared-cache test database ("database table is locked", issue 21). Browser contexts close
    before this (tests/browser/conftest.py: `pages` depends on this fixture). The flush after a
    transactional test also empties the reference data the migrations load (funding programmes, cost
    groups): a transactional test finds it loaded again."""
    _reference_data_loaded()
    yield transactional_db
    assert _requests_in_flight.wait_idle(30), (
        f"{_requests_in_flight.count} request(s) still being served 30 s after the test ended"
    )


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Tests create and log in users by the hundred: a fast hasher instead of PBKDF2's 1,000,000
    rounds (about 0.5 s per password). Production settings are untouched."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _static_files_listed_once():
    """Every test client loads the middleware anew, and WhiteNoise (WHITENOISE_USE_FINDERS) then
    lists and stats every static file – a fifth of the permission matrix's time, thousands of
    clients in a run. The list is made once and kept until a setting the finders read changes (a
    test's ``settings`` or ``override_settings``: Django's ``setting_changed``; other settings –
    VAR_DIR, rate limits – leave the list as it is). A process serving pages loads its middleware
    once; nothing changes for it."""
    from django.core.signals import setting_changed
    from whitenoise.middleware import WhiteNoiseMiddleware

    original = WhiteNoiseMiddleware.add_files_from_finders
    listed = {}

    def add_files_from_finders(self):
        if not listed:
            before = dict(self.files)
            original(self)
            listed.update({url: f for url, f in self.files.items() if before.get(url) is not f})
        else:
            self.files.update(listed)

    def forget(setting="", **_kwargs):
        if setting.startswith(("STATIC", "WHITENOISE", "STORAGES", "INSTALLED_APPS")):
            listed.clear()

    setting_changed.connect(forget, weak=False)
    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders
    yield
    WhiteNoiseMiddleware.add_files_from_finders = original
    setting_changed.disconnect(forget)


@pytest.fixture(autouse=True)
def _german_to_start():
    """Each test starts in isek's source language: a request in English leaves its language
    active in the thread (LocaleMiddleware does not reset it), which would leak into the next test."""
    from django.utils import translation

    translation.activate("de")
    yield
    translation.activate("de")


@pytest.fixture(autouse=True)
def _nothing_kept():
    """Each test starts with no answer kept in the process (core.kept): a test sharing the demo
    (_SharedWorld) sees the same version tags as the one before it."""
    from isek.core import kept

    kept.forget_everything()


@pytest.fixture(autouse=True)
def _required_data(request):
    """A module that reads real data names it in REQUIRED_DATA; a missing file fails its tests
    with the file's name and the command that brings it (never a collection error or a skip)."""
    from tests.data import missing

    gone = missing(getattr(request.module, "REQUIRED_DATA", ()))
    if gone:
        pytest.fail(f"data file(s) missing: {', '.join(gone)}; `isek data fetch` downloads and verifies them", pytrace=False)


# {fixture name: loader}: worlds a row of consecutive tests may share (``shared_world`` below)
SHARED_LOADERS = {}


def shared_world(name):
    """Register ``loader`` (a function without arguments that fills the database and returns what
    the tests need) as the world of the fixture ``name``: consecutive non-transactional tests that
    ask for that fixture share one load of it (_SharedWorld); the fixture returns
    ``_SHARED.value``."""

    def register(loader):
        SHARED_LOADERS[name] = loader
        return loader

    return register


class _SharedWorld:
    """A world – the Bochum demo, the permission matrix's two concepts – loaded once for a row of
    consecutive tests that ask for it, instead of once per test (the demo about 0.3 s, a fifth of
    the suite's non-transactional tests; the matrix's world once instead of 133 times).

    Before such a test's set-up (``pytest_runtest_setup`` below, ahead of pytest-django's
    transaction), the world is loaded inside a transaction of its own, left open; the test's own
    transaction nests in it as a savepoint and is rolled back to the freshly loaded world after the
    test, as Django's ``TestCase.setUpTestData`` does for a class. Before a test that does not
    ask for this world, or asks for it in a transactional test (whose database is committed and
    flushed), that transaction is rolled back. A test thus sees exactly what loading the world in
    it would give (the same rows, the same primary keys as on SpatiaLite, whose sequences roll
    back), and nothing another test did."""

    def __init__(self):
        self.blocker = None  # pytest-django's, once the test database exists
        self.atomic = None
        self.name = self.value = None

    @staticmethod
    def wanted(item) -> str | None:
        """The shared world ``item`` asks for, if it may share one."""
        from pytest_django.fixtures import validate_django_db

        names = getattr(item, "fixturenames", ())
        marker = item.get_closest_marker("django_db")
        transaction, reset_sequences, *_ = validate_django_db(marker) if marker else (False, False)
        transactional = transaction or reset_sequences or any(
            n in names for n in ("transactional_db", "live_server", "django_db_reset_sequences",
                                 "django_db_serialized_rollback"))
        if transactional:
            return None
        return next((n for n in names if n in SHARED_LOADERS), None)

    def healthy(self) -> bool:
        """Still open, and nothing a test did closed or broke the connection."""
        from django.db import connection

        return (self.atomic is not None and connection.connection is not None and len(connection.atomic_blocks) == 1
                and connection.atomic_blocks[0] is self.atomic and not connection.needs_rollback
                and not connection.closed_in_transaction)

    def prepare(self, item) -> None:
        if self.blocker is None:
            return  # no test database yet: the first test loads its world itself
        name = self.wanted(item)
        if name is None:
            self.close()
        elif name != self.name or not self.healthy():
            self.close()
            self.open(name)

    def open(self, name: str) -> None:
        from django.db import transaction

        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.name, self.value = name, SHARED_LOADERS[name]()

    def close(self) -> None:
        if self.atomic is None:
            return
        from django.db import transaction

        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = self.name = self.value = None

    def value_for(self, name: str):
        """The shared world ``name`` if it is the one loaded, else None (the test loads its own)."""
        return self.value if self.name == name else None


_SHARED = _SharedWorld()


@shared_world("bochum")
def _load_bochum() -> int:
    from isek.demo import loader

    return loader.load(analyse_layers=False).pk


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    _SHARED.blocker = django_db_blocker
    yield
    _SHARED.close()
    _SHARED.blocker = None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Within each module, the tests that share a world run one after another (otherwise in the
    order the module names them): a module whose tests alternate between two worlds – the review
    world and the payment world – loaded them anew at every switch (_SharedWorld keeps a world
    for a row of consecutive tests only). pytest-django's order, which this hook runs after
    (tests in a transaction, then transactional ones, then those without a database), is kept: a
    test moves only among the tests of its module in its group. Every test starts from its world
    as loaded, so the order cannot change what a test sees. (First: the ``postgis_only`` tests
    left out on SpatiaLite.)"""
    _postgis_only_left_out(config, items)
    keys = []
    first = {}
    for index, item in enumerate(items):
        segment = first.setdefault((item.nodeid.split("::")[0], _db_group(item)), index)
        world = _SharedWorld.wanted(item)
        keys.append((segment, first.setdefault((segment, world), index), index))
    order = sorted(range(len(items)), key=keys.__getitem__)
    items[:] = [items[i] for i in order]


def _db_group(item) -> int:
    """The group pytest-django runs ``item`` in: 0 in a transaction, 1 transactional, 2 without a
    database."""
    from pytest_django.fixtures import validate_django_db

    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transaction, reset_sequences, *_ = validate_django_db(marker) if marker else (False, False)
    if transaction or reset_sequences or "transactional_db" in names or "live_server" in names:
        return 1
    return 0 if marker is not None or "db" in names else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    """The garbage collector, tuned for a test process (decision 0038): what is loaded by now
    (Django, the apps, every test module) lives to the end, so it is frozen out of the
    collections, and the youngest generation is collected every 50,000 allocations instead of
    700 – each collection walks the heap of a Django process serving pages. Measured on the
    permission matrix: 13–18 % less CPU."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _SHARED.prepare(item)


@pytest.fixture
def bochum(db):
    """The Bochum demo concept, loaded as `isek demo` loads it (the city-layer analysis, about
    1.5 s, only where a test asks for it: tests/analysis/test_platform.py); shared by consecutive
    non-transactional tests as _SharedWorld says."""
    from isek.concepts.models import Concept

    pk = _SHARED.value_for("bochum")
    return Concept.objects.get(pk=pk if pk is not None else _load_bochum())


@pytest.fixture
def users(bochum):
    """Planner and reviewer of the demo (password 'pw-test-123'), a planner of another concept,
    and an outsider without any role."""
    from django.contrib.auth import get_user_model

    from isek.concepts.models import City, Concept, ConceptRole
    from isek.demo import loader

    loader.ensure_users(bochum, "pw-test-123")
    User = get_user_model()
    other = Concept.objects.create(
        city=City.objects.create(name="Lauf a.d.Pegnitz", ags="09574138"), name="ISEK Altstadt Lauf",
        slug="lauf-altstadt", programme="lebendige_zentren", legal_basis="baugb_142",
        start_year=2022, end_year=2030, is_public=False,
    )
    stranger = User.objects.create_user("fremd", password="pw-test-123")
    ConceptRole.objects.create(concept=other, user=stranger, role="planner")
    outsider = User.objects.create_user("aussen", password="pw-test-123")
    return {
        "planner": User.objects.get(username=loader.PLANNER),
        "reviewer": User.objects.get(username=loader.REVIEWER),
        "stranger": stranger,
        "outsider": outsider,
        "other_concept": other,
    }


def client_for(user):
    from django.test import Client

    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    if user is not None:
        c.force_login(user)
    return c


def client_with(cookies):
    """A client with a copy of ``cookies`` (those of a ``client_for`` made when a shared world was
    loaded: its session row belongs to the world and outlives each test's rollback, so the
    world's tests need not sign their users in again)."""
    from http.cookies import SimpleCookie

    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.cookies = SimpleCookie()
    client.cookies.load({key: morsel.value for key, morsel in cookies.items()})
    return client


@pytest.fixture
def planner_client(users):
    return client_for(users["planner"])


@pytest.fixture
def reviewer_client(users):
    return client_for(users["reviewer"])


@pytest.fixture
def geofile(tmp_path):
    """Write a geodata file from (geometry, properties) rows: geofile('x.gpkg', rows, crs=...)."""
    import geopandas as gpd

    def write(name, rows, crs="EPSG:4326", layer=None, **kwargs):
        path = tmp_path / name
        frame = gpd.GeoDataFrame([p for _, p in rows], geometry=[g for g, _ in rows], crs=crs)
        driver = {"gpkg": "GPKG", "geojson": "GeoJSON", "shp": "ESRI Shapefile"}[name.rsplit(".", 1)[1]]
        frame.to_file(path, driver=driver, layer=layer, engine="pyogrio", **kwargs)
        return path

    return write


@pytest.fixture(scope="session")
def migrated(tmp_path_factory):
    """Migrated, empty databases for installations in processes of their own
    (tests/installations.py): each engine migrated once a run, then copied."""
    from tests.installations import Migrated

    databases = Migrated(tmp_path_factory.mktemp("migrated"))
    yield databases
    databases.close()


def pytest_report_header(config):
    from django.conf import settings

    return f"isek database: {settings.DATABASES['default']['ENGINE']}"


def _on_spatialite() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("spatialite")


def _postgis_only_left_out(config, items):
    """A ``postgis_only`` test (threads racing for row locks, decision 0093) is left out on SpatiaLite
    – said in the summary with the command that runs it, never a skip without a word."""
    if not _on_spatialite():
        return
    left = [item for item in items if item.get_closest_marker("postgis_only")]
    if left:
        items[:] = [item for item in items if not item.get_closest_marker("postgis_only")]
        config.hook.pytest_deselected(items=left)
        config._isek_postgis_only = [item.nodeid for item in left]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    left = getattr(config, "_isek_postgis_only", [])
    if left:
        terminalreporter.write_line(f"{len(left)} test(s) run on PostGIS only, left out on SpatiaLite (run them with "
                                    f"DATABASE_URL=postgis://…, as tools/test.sh does): " + ", ".join(left), yellow=True)


@shared_world("new_city")
def _load_new_city() -> int:
    return make_new_city().pk


@pytest.fixture
def new_city(db):
    """The concept of ``make_new_city``, shared by consecutive tests (_SharedWorld)."""
    from isek.concepts.models import Concept

    pk = _SHARED.value_for("new_city")
    return Concept.objects.get(pk=pk) if pk is not None else make_new_city()


def make_new_city():
    """A concept as a new city starts it (the general template's 8 fields of action) with a KuF:
    a funding rate of 60 % for every year, five measures in 4 of the fields (one with a long
    title), eligible and non-eligible cost, an EU grant, and an own share fixed below the
    remainder (so part of the financing is unidentified). Its planner is ``planer-neu``."""
    import datetime
    from decimal import Decimal as D

    import shapely
    from django.contrib.auth import get_user_model

    from isek.concepts import services as concepts
    from isek.concepts.models import ConceptRole, Measure
    from isek.core import geo
    from isek.demo.loader import DEMO
    from isek.finance import services as finance

    concept = concepts.start_concept(DEMO, ags="14625240", city_name="Hoyerswerda", slug="neu", name="Altstadt Neu",
                                     programme="lebendige_zentren", legal_basis="baugb_141", start_year=2026,
                                     end_year=2030, template="isek-allgemein")
    concept.area = geo.to_django(shapely.MultiPolygon([shapely.box(14.2433, 51.4336, 14.2598, 51.4400)]))
    concepts.save_concept(DEMO, concept)
    fields = {f.number: f for f in concept.fields_of_action.all()}
    groups = {g.number: g for g in finance.CostGroup.of(concept)}  # the general catalogue
    finance.save_rates(DEMO, concept, rates=[finance.FundingRate(year=y, rate=D("60")) for y in range(2026, 2031)])
    measures = [
        # number, field, title, point, start, end, [(year, group, cost, eligible)], [(year, source, amount)]
        ("1.1", 1, "Altstadtstraßen: Beläge, Beleuchtung, Möblierung, Oberflächen und Straßengrün", (14.245, 51.4389),
         "2027-01-01", "2029-12-31", [(2027, "3", "100000.00", "100000.00"), (2028, "3", "250000.01", "200000.00")],
         [(2028, "eu", "30000.00")]),
        ("1.2", 1, "Schloss und Schlossgarten: Zugang und Aufenthalt", (14.2471, 51.4384), "2028-01-01", "2030-12-31",
         [(2028, "3", "80000.00", "80000.00"), (2029, "3", "120000.00", "90000.00")], []),
        ("4.1", 4, "Umgestaltung des Marktplatzes", (14.2441, 51.4389), "2027-01-01", "2029-12-31",
         [(2027, "1", "33333.33", "33333.33"), (2028, "3", "400000.00", "400000.00")],
         [(2028, "municipality", "100000.00")]),
        ("5.1", 5, "Fuß- und Radweg Markt – Zentralpark", (14.2500, 51.4381), "2029-01-01", "2030-12-31",
         [(2029, "3", "150000.00", "150000.00"), (2030, "3", "50000.00", "0.00")], []),
        ("7.1", 7, "Quartiersmanagement Altstadt", (14.2434, 51.4390), "2026-07-01", "2030-12-31",
         [(y, "1", "60000.00", "60000.00") for y in range(2026, 2031)], []),
    ]
    for number, field, title, point, start, end, costs, extra in measures:
        m = concepts.save_measure(DEMO, concept, Measure(
            number=number, title=title, primary_field=fields[field], status="planned",
            geometry=geo.to_django(shapely.Point(*point)), start=datetime.date.fromisoformat(start),
            end=datetime.date.fromisoformat(end)))
        finance.save_costs(DEMO, concept, m, cost_items=[
            finance.CostItem(year=y, cost_group=groups[g], amount=D(a), eligible=D(e)) for y, g, a, e in costs],
            financings=[finance.Financing(year=y, source=s, amount=D(a), status="planned", reason="Test")
                        for y, s, a in extra])
    planner = get_user_model().objects.create_user("planer-neu", password="pw-test-123")
    ConceptRole.objects.create(concept=concept, user=planner, role=ConceptRole.Role.PLANNER)
    concept.refresh_from_db()
    return concept
