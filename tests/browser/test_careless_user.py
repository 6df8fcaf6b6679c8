"""The mistakes users make (issue 20), made on purpose in Debian's Chromium: forms sent empty or
twice, sent again after going back, the wrong file at every upload, German numbers and garbage in
money fields.

Every answer is checked the same way (``send``): the browser sends the form – no validation bubble
of its own, which would speak "du" in a "Sie" UI –, the answer is a page in German, never a failure
page or a traceback, and it shows the message the user needs in an alert. A refused form changes
nothing in the database: the number of rows of every isek table is the same before and after."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from tests.data import data_dir
from tests.factories import (
    ConceptFactory,
    FieldFactory,
    MeasureFactory,
    UserFactory,
    legal_texts_filled,
    member,
    multipolygon,
    square,
)

from .conftest import axe_violations, login

pytestmark = pytest.mark.browser

EXTRACT = data_dir("osm") / "osm" / "hoyerswerda_altstadt.osm.pbf"
REQUIRED_DATA = [EXTRACT]

PASSWORD = "pw-test-123"  # the factories' password
REQUIRED = "Dieses Feld ist zwingend erforderlich."
# Would the browser stop this form with its own bubble? (no novalidate, and a field it finds invalid)
BROWSER_STOPS = "b => !!b.form && !b.form.noValidate && !b.formNoValidate && !b.form.checkValidity()"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
CSV = "Name;Fläche in ha\nAltstadt;12,5\n".encode()
GEOJSON = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Altstadt"}, ' \
          b'"geometry": {"type": "Point", "coordinates": [7.21, 51.48]}}]}'
# English in a German message (e.g. a library's reason passed on): a few words that give it away.
ENGLISH = re.compile(r"\b(the|is|not|no|expecting|expected|error|invalid|must|value|file|line|column)\b", re.IGNORECASE)
NOT_STORED = re.compile(r"nichts? (gespeichert|übernommen|importiert)")


# --- shared checks ------------------------------------------------------------------------------


# The abuse protection counts every attempt and spends each proof of work once, refused or not:
# its bookkeeping, not the user's data.
BOOKKEEPING = {"core.RateCount", "core.UsedToken"}


def rows() -> dict[str, int]:
    """The number of rows of every isek table."""
    return {m._meta.label: m.objects.count() for m in apps.get_models()
            if m.__module__.startswith("isek.") and m._meta.label not in BOOKKEEPING}


def assert_unchanged(before: dict[str, int]) -> None:
    after = rows()
    assert {k: (before[k], n) for k, n in after.items() if before[k] != n} == {}, "a refused form changed the database"


def alerts(page) -> str:
    """What the page says in its alerts (form errors, upload problems, messages)."""
    return "\n".join(page.locator("[role=alert]").all_inner_texts())


def send(page, button="main form button[type=submit]", *, twice: bool = False) -> int:
    """Press ``button`` as a user does and check the answer: the browser sent the form itself, the
    answer is a German page, neither a failure nor a traceback. ``twice``: pressed again while the
    first request is on its way (the impatient double click). Returns the last answer's status."""
    button = page.locator(button) if isinstance(button, str) else button
    assert not button.evaluate(BROWSER_STOPS), "the browser stops this form with a validation bubble of its own"
    answers = []
    listener = lambda r: answers.append(r.status) if r.request.resource_type == "document" else None  # noqa: E731
    page.on("response", listener)
    try:
        with page.expect_event("load"):  # the answer's page (not a navigation the browser gave up)
            press_twice(page, button) if twice else button.click()
        page.wait_for_load_state()
    finally:
        page.remove_listener("response", listener)
    return answered(page, answers)


def press_twice(page, button) -> None:
    """The impatient double click on a slow line: the first request reaches the server, and before
    its answer is back the button is pressed again."""
    held = []

    def hold(route):
        if route.request.method == "POST" and route.request.resource_type == "document" and not held:
            held.append(route)
        else:
            route.fallback()

    page.route("**/*", hold)
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    button.click(no_wait_after=True)
    while not held:
        page.wait_for_timeout(10)
    first = held[0].fetch(max_redirects=0)  # the server handles the first request
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the same spot again
    try:
        held[0].fulfill(response=first)
    except PlaywrightError:
        pass  # the browser gave the first request up for the second
    # Only now: with no route left the browser stops intercepting and sends a held request itself
    page.unroute("**/*", hold)


def answered(page, statuses: list[int]) -> int:
    assert statuses and all(s < 500 for s in statuses), f"answers {statuses}"
    body = page.content()
    assert "Traceback" not in body and "Server Error" not in body
    assert page.get_attribute("html", "lang").startswith("de")
    return statuses[-1]


def refused(page, before, *messages, button="main form button[type=submit]", status=400):
    """Send the form; it must be refused with each of ``messages`` (text or pattern) in an alert,
    nothing stored."""
    assert send(page, button) == status
    said = alerts(page)
    assert not ENGLISH.search(said), f"English in a German message: {said!r}"
    for m in messages:
        assert (m.search(said) if isinstance(m, re.Pattern) else m in said), f"{m!r} not in the alerts: {said!r}"
    assert_unchanged(before)


def fill(page, **values: str) -> None:
    """Fill fields by name (``id_<name>``; formset prefixes with ``__`` for ``-``): text or a select's value."""
    for name, value in values.items():
        field = page.locator(f"#id_{name.replace('__', '-')}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def wrong_files(tmp_path, name: str, other=("tabelle.csv", CSV)) -> list:
    """What a careless user picks instead of ``name``: a PDF renamed to ``name``, a file of another
    kind (``other``: name and content), an empty file named ``name``."""
    files = [tmp_path / "pdf" / name, tmp_path / "other" / other[0], tmp_path / "empty" / name]
    for path, content in zip(files, (PDF, other[1], b"")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def upload_refused(page, before, path, field="#id_file", button="main form button[type=submit]"):
    """Upload ``path``: refused, the page says it was not stored and why, nothing stored."""
    page.set_input_files(field, str(path))
    refused(page, before, NOT_STORED, button=button)
    reasons = page.locator("[role=alert] li, .kern-error").all_inner_texts()
    assert reasons, f"no reason for {path.name}: {alerts(page)!r}"
    print(f"\n{path.parent.name}/{path.name}: {' | '.join(reasons)}")


def planner_on(concept, username="planerin"):
    user = member(concept, "planner", username=username)
    assert user.pk
    return user


# --- the wizard "Neues Konzept anlegen" -------------------------------------------------------


WIZARD = {"city_name": "Hoyerswerda", "ags": "14625240", "name": "Altstadt Hoyerswerda", "slug": "hoyerswerda-altstadt",
          "programme": "lebendige_zentren", "legal_basis": "baugb_141", "start_year": "2026", "end_year": "2034"}


@pytest.fixture
def wizard(page, live_server):
    user = UserFactory(username="hplanung")
    user.user_permissions.add(Permission.objects.get(codename="add_concept"))
    login(page, live_server.url, "hplanung", PASSWORD)
    page.goto(f"{live_server.url}/concepts/new/")
    return page, live_server.url


def test_wizard_empty_fields_and_a_seven_digit_ags(wizard):
    page, base = wizard
    before = rows()
    refused(page, before, "Bitte die markierten Angaben prüfen. Es wurde nichts gespeichert.", REQUIRED)
    for name in ("city_name", "ags", "name", "start_year", "end_year"):
        assert page.inner_text(f"#{name}-error") == REQUIRED
    assert page.locator("#slug-error").count() == 0  # optional: made from the name (walk 4)
    assert axe_violations(page) == []

    fill(page, **{**WIZARD, "ags": "1462524"})
    assert page.inner_text("#id_ags-land") == ""  # no whole key: no Land yet
    page.fill("#id_ags", "17 625 240")  # said while typed (decision 0078)
    assert page.inner_text("#id_ags-land") == "Die ersten beiden Ziffern bezeichnen kein Land (01–16)."
    page.fill("#id_ags", "1462524")
    refused(page, before, "Der Amtliche Gemeindeschlüssel hat 8 Ziffern, „1462524“ hat 7.")
    assert page.input_value("#id_name") == WIZARD["name"]  # what was typed stays

    # Corrected, then sent twice: one concept, and the user lands on its next step.
    fill(page, ags=WIZARD["ags"])
    assert page.inner_text("#id_ags-land") == "Land laut AGS: Sachsen"
    send(page, "#concept-new button[type=submit]", twice=True)
    assert page.url == f"{base}/concepts/hoyerswerda-altstadt/setup/"
    assert rows()["concepts.Concept"] == before["concepts.Concept"] + 1


def test_wizard_double_click_before_the_pages_script_is_there(wizard):
    """A Köln planner's double click on "Konzept anlegen" (the page's script, which holds a second
    press back, not loaded yet on a slow line) created the concept and showed "Der Kurzname … ist
    schon vergeben … Es wurde nichts gespeichert." The server knows the page: one concept, and the
    planner lands on it."""
    page, base = wizard
    page.route("**/forms.mjs", lambda route: route.abort())
    page.reload()
    fill(page, **WIZARD)
    before = rows()
    send(page, "#concept-new button[type=submit]", twice=True)
    assert page.url == f"{base}/concepts/hoyerswerda-altstadt/setup/"
    main = page.inner_text("main")
    assert "schon vergeben" not in main and not NOT_STORED.search(main) and "Altstadt Hoyerswerda" in main
    assert rows()["concepts.Concept"] == before["concepts.Concept"] + 1
    assert axe_violations(page) == []


def test_wizard_short_name_in_use(wizard):
    page, base = wizard
    ConceptFactory(slug="altstadt", name="Altstadt (eine andere Stadt)")
    fill(page, **{**WIZARD, "slug": "altstadt"})
    before = rows()
    refused(page, before, "Der Kurzname „altstadt“ ist schon vergeben.")

    # The user's own concept, started, then back in the browser and sent again: one concept, and the
    # user is led to its setup. (Chromium restores the page it goes back to from its cache, with the
    # one-time token already used, and the server knows the form; a page fetched anew would carry a
    # new token and be refused with the hint below, whose link leads there too.)
    fill(page, slug=WIZARD["slug"])
    send(page)
    assert page.url.endswith("/concepts/hoyerswerda-altstadt/setup/")
    before = rows()
    page.go_back()
    page.wait_for_load_state()
    fill(page, **WIZARD)
    send(page)
    if page.locator("#own-concept a").count():
        page.locator("#own-concept a").click()
    page.wait_for_url(f"{base}/concepts/hoyerswerda-altstadt/setup/")
    assert_unchanged(before)

    # A new form with the same short name: refused, saying whose short name it is, with the way there.
    page.goto(f"{base}/concepts/new/")
    fill(page, **WIZARD)
    refused(page, before, "Der Kurzname „hoyerswerda-altstadt“ ist schon vergeben.")
    assert "Den Kurznamen „hoyerswerda-altstadt“ hat Ihr Konzept „Altstadt Hoyerswerda“." in page.inner_text("#own-concept")
    page.locator("#own-concept a").click()
    page.wait_for_url(f"{base}/concepts/hoyerswerda-altstadt/setup/")


# --- the measure form -----------------------------------------------------------------------------


def test_measure_form_empty_name_and_double_click(page, live_server):
    concept = ConceptFactory(slug="altstadt")
    field = FieldFactory(concept=concept, name="Öffentlicher Raum")
    planner_on(concept)
    login(page, live_server.url, "planerin", PASSWORD)
    page.goto(f"{live_server.url}/concepts/altstadt/measures/new/")
    before = rows()
    fill(page, number="4.1", primary_field=str(field.pk))
    refused(page, before, REQUIRED)
    assert page.inner_text("#title-error") == REQUIRED
    assert axe_violations(page, exclude_map=True) == []

    fill(page, title="Umgestaltung des Marktplatzes")
    send(page, twice=True)
    assert concept.measures.count() == 1 and concept.measures.get().number == "4.1"
    assert "Die Maßnahme 4.1 wurde gespeichert." in alerts(page) or "Die Maßnahme 4.1 wurde gespeichert." in page.inner_text("main")
    assert "schon vergeben" not in page.inner_text("main")

    # Back in the browser and sent again: the number is taken, said in German; still one measure.
    before = rows()
    page.go_back()
    page.wait_for_load_state()
    fill(page, number="4.1", title="Umgestaltung des Marktplatzes", primary_field=str(field.pk))
    refused(page, before, "Die Nummer 4.1 ist in diesem Konzept schon vergeben.")


# --- uploads of geodata, the extract, the measure list, reference layers ---------------------


@pytest.fixture
def planner_page(page, live_server):
    """A planner of the concept "altstadt" (in Bochum, with a measure), logged in."""
    concept = ConceptFactory(slug="altstadt")
    MeasureFactory(concept=concept, number="2.1")
    planner_on(concept)
    login(page, live_server.url, "planerin", PASSWORD)
    return page, f"{live_server.url}/concepts/altstadt"


def test_geodata_import_with_wrong_files(planner_page, tmp_path):
    page, url = planner_page
    before = rows()
    for kind in ("area", "quarters", "measures"):
        for path in wrong_files(tmp_path / kind, f"{kind}.geojson"):
            page.goto(f"{url}/import/")
            fill(page, kind=kind)
            upload_refused(page, before, path)
    assert axe_violations(page) == []


def test_basemap_extract_wrong_files(planner_page, settings, tmp_path):
    """A PDF renamed .osm.pbf, a CSV, an empty .osm.pbf, each going up in pieces: refused at once
    with the reason, nothing queued, no piece left on the server."""
    settings.VAR_DIR = str(tmp_path / "var")
    page, url = planner_page
    before = rows()
    for path in wrong_files(tmp_path, "bochum.osm.pbf"):
        page.goto(f"{url}/basemap/")
        upload_refused(page, before, path)
    assert axe_violations(page) == []


def test_basemap_extract_of_another_city(planner_page, settings, tmp_path):
    """Hoyerswerda's extract for a concept in Bochum: refused at once, not queued to fail later."""
    settings.VAR_DIR = str(tmp_path / "var")
    page, url = planner_page
    before = rows()
    page.goto(f"{url}/basemap/")
    upload_refused(page, before, EXTRACT)


def test_measure_list_import_with_wrong_files(planner_page, tmp_path):
    page, url = planner_page
    before = rows()
    for path in [*wrong_files(tmp_path / "xlsx", "massnahmen.xlsx", ("massnahmen.geojson", GEOJSON)),
                 tmp_path / "csv" / "massnahmen.csv"]:
        if not path.exists():
            path.parent.mkdir(parents=True)
            path.write_bytes(b"")
        page.goto(f"{url}/kuf/import/")
        upload_refused(page, before, path)
    assert axe_violations(page) == []


def test_reference_layer_with_wrong_files(planner_page, tmp_path):
    page, url = planner_page
    before = rows()
    for path in wrong_files(tmp_path, "schulen.geojson"):
        page.goto(f"{url}/layers/")
        fill(page, name="schulen", label_de="Schulen", licence="CC0-1.0", attribution="Stadt Musterstadt")
        upload_refused(page, before, path)
    assert axe_violations(page) == []


# --- the KuF: cost and financing of a measure -------------------------------------------------


@pytest.fixture
def kuf_measure(page, live_server):

    concept = ConceptFactory(slug="altstadt")
    measure = MeasureFactory(concept=concept, number="2.1")
    planner_on(concept)
    login(page, live_server.url, "planerin", PASSWORD)
    page.goto(f"{live_server.url}/concepts/altstadt/kuf/measures/{measure.pk}/")
    return page, measure


def _cost(**amounts):
    from isek.finance.models import CostGroup

    return {"c__0__year": "2026", "c__0__cost_group": str(CostGroup.objects.get(number="9.1").pk), **amounts}


def test_kuf_costs_in_german_numbers_garbage_and_empty(kuf_measure):
    page, measure = kuf_measure
    before = rows()
    for garbage in ("abc", "1.250,000"):
        fill(page, **_cost(c__0__amount=garbage, c__0__eligible="1.000.000"))
        refused(page, before, f"„{garbage}“")
    fill(page, **_cost(c__0__amount="", c__0__eligible=""))
    refused(page, before, REQUIRED)
    assert axe_violations(page) == []

    fill(page, **_cost(c__0__amount="1.250.000,50", c__0__eligible="1.000.000"))
    assert send(page) == 200
    item = measure.cost_items.get()
    assert (item.amount, item.eligible) == (D("1250000.50"), D("1000000"))


def test_kuf_costs_sent_twice_and_again_after_going_back(kuf_measure):
    """The cost form pressed twice stored its row twice, and sent again after going back it answered
    "Dieses Feld ist ein Pflichtfeld" (a tester's walk). Its one-time token saves it once; the same
    token sent again (the page as the browser kept it) is told the costs are saved already. (The
    suite's browser re-loads a page on going back: its routes turn the cache off.)"""
    page, measure = kuf_measure
    kept = page.locator("input[name=once]").get_attribute("value")
    fill(page, **_cost(c__0__amount="1.250.000,50", c__0__eligible="1.000.000"))
    send(page, twice=True)
    assert measure.cost_items.count() == 1
    before = rows()
    page.go_back()
    page.wait_for_load_state()
    page.locator("input[name=once]").evaluate("(e, kept) => e.value = kept", kept)
    # the row once more, in the page's new row (the saved one is shown above it)
    fill(page, **{k.replace("c__0", "c__1"): v for k, v in _cost(c__0__amount="1.250.000,50", c__0__eligible="1.000.000").items()})
    assert send(page) == 200
    said = page.inner_text("main")
    assert "Kosten und Finanzierung von 2.1 waren schon gespeichert; das erneute Senden hat nichts geändert." in said
    assert REQUIRED not in said
    assert_unchanged(before)
    assert axe_violations(page) == []


def test_kuf_costs_after_going_back_keep_their_years(kuf_measure):
    """A walk in Lauf: a 2026 line added beside a saved 2027 line, saved, then Back and "Speichern"
    again moved the saved line to 2026: the browser put the typed values back into the re-loaded
    page, whose lines stand in another order. The form is not restored (autocomplete off), so
    sending it again sends what is saved."""
    from isek.finance.models import CostGroup, CostItem

    page, measure = kuf_measure
    CostItem.objects.create(measure=measure, year=2027, cost_group=CostGroup.objects.get(number="9.1"),
                            amount=D("250000"), eligible=D("250000"))
    page.reload()
    fill(page, **{k.replace("c__0", "c__1"): v for k, v in _cost(c__0__amount="1.250.000,50").items()})
    assert send(page) == 200
    saved = sorted(measure.cost_items.values_list("year", "amount"))
    assert saved == [(2026, D("1250000.50")), (2027, D("250000"))]
    page.go_back()
    page.wait_for_load_state()
    send(page)
    assert sorted(measure.cost_items.values_list("year", "amount")) == saved


def test_kuf_financing_in_german_numbers_garbage_and_empty(kuf_measure):
    page, measure = kuf_measure
    before = rows()
    fin = {"f__0__year": "2026", "f__0__source": "municipality", "f__0__reason": "Eigenanteil erhöht (Ratsbeschluss)"}
    for garbage in ("abc", "1.250,000"):
        fill(page, **fin, f__0__amount=garbage)
        refused(page, before, f"„{garbage}“")
    fill(page, **{**fin, "f__0__amount": "125.000,50", "f__0__reason": ""})
    refused(page, before, "Eine Abweichung von der berechneten Finanzierung braucht eine Begründung.")

    fill(page, **fin, f__0__amount="125.000,50")
    assert send(page) == 200
    assert measure.financing.get().amount == D("125000.50")


# --- a citizen's idea -----------------------------------------------------------------------------


@pytest.fixture
def idea_form(page, live_server, settings):
    from isek import access
    from isek.participation import services

    settings.ISEK_POW_COST = 50
    concept = ConceptFactory(slug="beispielstadt", area=multipolygon(square(7.21, 51.48, 800)))
    legal_texts_filled(concept.city)
    now = timezone.now()
    services.save_phase(access.Operator("test"), concept, title_de="Ideen für die Innenstadt",
                        start=now - datetime.timedelta(days=1), end=now + datetime.timedelta(days=10),
                        themes=[("Plätze & Freiräume", "Squares", "#2e7d32")])
    page.goto(f"{live_server.url}/concepts/beispielstadt/participation/ideas/new/")
    return page


def _idea(page, text="Mehr Schatten und Bänke auf dem Platz."):
    page.select_option("#id_theme", label="Plätze & Freiräume")
    page.fill("#id_title", "Schatten am Platz")
    page.fill("#id_text", text)
    page.select_option("#id_place", index=1)
    page.wait_for_function("() => { const i = document.querySelector('input[name=altcha]'); return i && i.value.length > 20; }",
                           timeout=30000)


IDEA_BUTTON = "main form button[type=submit]:has-text('Idee senden')"


def test_idea_empty_text(idea_form):
    page = idea_form
    before = rows()
    _idea(page, text="")
    refused(page, before, REQUIRED, button=IDEA_BUTTON)
    assert page.inner_text("#text-error") == REQUIRED
    assert axe_violations(page, exclude_map=True) == []


def test_idea_sent_twice_and_again_after_going_back(idea_form):
    from isek.participation.models import Idea

    page = idea_form
    _idea(page)
    send(page, IDEA_BUTTON, twice=True)
    assert Idea.objects.count() == 1
    assert "Ihre Idee I-" in page.inner_text("main")
    page.go_back()
    page.wait_for_load_state()
    _idea(page)  # what the browser kept, or typed again
    send(page, IDEA_BUTTON)
    if page.locator("#idea-form").count():  # refused (the proof of work spent): sent once more, as the page asks
        assert alerts(page)
        _idea(page)
        send(page, IDEA_BUTTON)
    assert Idea.objects.count() == 1
    assert "nur einmal gespeichert" in page.inner_text("main")
