"""Browser tests: Debian's Chromium driven by Playwright against a live server; pages are
checked with axe-core (vendored from npm, injected from node_modules)."""

from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
LOOPBACK = ("http://localhost", "http://127.0.0.1", "data:", "blob:")
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # Nothing may leave loopback: every other host name is unknown to this browser (no request
    # reaches the network). The pages record each such request and the test fails (Pages.close).
    # Not a route on every request: routing sends each one through Python and turns the HTTP
    # cache off, so every page would fetch its scripts, styles and tiles anew from the live server.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


class Pages:
    """Browser contexts (separate people: own cookies) whose pages may not leave loopback and may
    not raise JavaScript errors; checked when the test ends."""

    def __init__(self, browser):
        self.browser, self.contexts, self.errors, self.outside = browser, [], [], []

    def new(self):
        context = self.browser.new_context(locale="de-DE", viewport={"width": 1024, "height": 768})
        self.contexts.append(context)
        pg = context.new_page()
        pg.on("pageerror", lambda e: self.errors.append(str(e)))
        # The content security policy is checked on every page a test opens.
        pg.on("console", lambda m: self.errors.append(f"CSP: {m.text}")
              if m.type == "error" and "Content Security Policy" in m.text else None)
        # Nothing may leave loopback (CHROMIUM_ARGS): a request to another host fails the test.
        pg.on("request", lambda r: None if r.url.startswith(LOOPBACK) else self.outside.append(r.url))
        return pg

    def close(self):
        for c in self.contexts:
            c.close()
        assert not self.errors, f"JavaScript errors: {self.errors}"
        assert not self.outside, f"requests outside loopback: {self.outside}"


@pytest.fixture
def pages(browser, transactional_db, live_server):
    # Depends on the database and the live server so that its browser contexts close (and stop
    # sending requests) before the test database is flushed, whatever order a test names them in.
    p = Pages(browser)
    yield p
    p.close()


@pytest.fixture
def page(pages):
    return pages.new()


@pytest.fixture
def kuf_city(transactional_db, live_server, request):
    """The concept of ``make_new_city`` (tests/conftest.py) for a browser test: made after the live
    server's transactional database, which reloads the reference data a flush emptied."""
    return request.getfixturevalue("new_city")


@pytest.fixture
def live_bochum(transactional_db, live_server):
    from isek.demo import loader

    concept = loader.load(analyse_layers=False)
    loader.ensure_users(concept, "pw-browser-123")
    return live_server.url, concept


def axe_violations(page, exclude_map=False):
    """Run axe-core (WCAG 2.1 A/AA rules, and the best practices "region" and "landmark-unique") on
    the page; return the violations."""
    assert AXE.exists(), "axe-core missing: run `npm ci`"
    # Evaluated through the DevTools protocol, not as a script tag: the page's content security
    # policy forbids inline scripts, and the tests keep it on.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                                               // two best practices a stranger's axe found (walk 22): every content in a
                                               // landmark, no two landmarks of one name
                                               rules: {'region': {enabled: true}, 'landmark-unique': {enabled: true}}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )


def login(page, base, username, password="pw-browser-123"):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def sign_in_planner(page, live_server, concept, username) -> str:
    """A new user who plans ``concept`` (password pw-browser-123), signed in on ``page``; the live
    server's address."""
    from isek.concepts.models import ConceptRole
    from tests.factories import UserFactory

    user = UserFactory(username=username)
    user.set_password("pw-browser-123")
    user.save()
    ConceptRole.objects.create(concept=concept, user=user, role="planner")
    login(page, live_server.url, username)
    return live_server.url


def koeln_phase(path, *, without_bad_places: bool = False):
    """A concept "ehrenfeld" with a closed phase into which the Raddialog Köln-Ehrenfeld
    contributions of ``path`` (a CIMT corpus file) were imported, credited; (concept, phase)."""
    import datetime

    import shapely
    from django.utils import timezone

    from isek import access
    from isek.participation import services
    from tests.factories import ConceptFactory, legal_texts_filled, multipolygon

    concept = ConceptFactory(slug="ehrenfeld", name="ISEK Ehrenfeld", area=multipolygon(shapely.box(6.84, 50.93, 6.95, 51.0)))
    legal_texts_filled(concept.city)
    now = timezone.now()
    op = access.Operator("test")
    phase = services.save_phase(op, concept, title_de="Raddialog Ehrenfeld", start=now - datetime.timedelta(days=400),
                                end=now - datetime.timedelta(days=300), themes=[("Radverkehr", "Cycling", "")])
    plan = services.plan_import(op, phase, path, path.name)
    plan.mapping.source, plan.mapping.licence = "Raddialog Ehrenfeld 2017 (Stadt Köln)", "CC BY 4.0"
    plan.mapping.without_bad_places = without_bad_places
    plan = services.plan_import(op, phase, path, path.name, mapping=plan.mapping)
    services.commit_import(op, phase, plan, via="test")
    assert phase.ideas.count() == 366
    return concept, phase


CUT = """() => {
  // What of the page lies beyond the viewport's right edge or beyond the box that holds it without
  // scrolling: each as "where: how many px". A wide table must scroll in its own container
  // (.kern-table-responsive, overflow-x: auto) or wrap; the page itself never scrolls sideways.
  const width = document.documentElement.clientWidth, out = [];
  if (document.documentElement.scrollWidth > width) out.push(`page: ${document.documentElement.scrollWidth - width}`);
  for (const el of document.querySelectorAll("main *")) {
    const r = el.getBoundingClientRect();
    if (!r.width || getComputedStyle(el).visibility === "hidden" || el.closest(".kern-sr-only")) continue;
    const box = el.parentElement.closest(".kern-table-responsive");
    const limit = box ? box.getBoundingClientRect().right : width;
    const scrolls = box && getComputedStyle(box).overflowX === "auto";
    if (box && scrolls) continue;  // reachable by scrolling its container
    if (r.right > limit + 1) out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}: ${Math.round(r.right - limit)}`);
  }
  for (const box of document.querySelectorAll("main .kern-table-responsive")) {
    const r = box.getBoundingClientRect();
    if (r.right > width + 1) out.push(`container of ${box.querySelector("table")?.id}: ${Math.round(r.right - width)}`);
  }
  return out;
}"""


def cut_off(page) -> list[str]:
    """What ``page`` cuts off at its viewport's width (``CUT``); [] where nothing."""
    return page.evaluate(CUT)
