"""The legal pages in Debian's Chromium (issue 22, point 1): each passes axe-core for the public
and for the administrator who edits them; a person sends accessibility feedback through the form
with its real proof of work and the administrator marks it answered. And the summary of isek's
own automated check that the accessibility statement shows (src/isek/legal/axe_summary.json) is
what axe-core finds on isek's public pages now (decision 0031): a change that adds a finding, or
a new axe-core, fails here until the summary is written again with

    ISEK_WRITE_AXE_SUMMARY=1 python -m pytest tests/browser/test_legal.py -k summary
"""

from __future__ import annotations

import datetime
import json
import os

import pytest
from django.core import mail
from django.utils import timezone

from isek import access
from isek.legal import services
from isek.legal.models import Feedback
from isek.participation import services as participation
from tests.factories import CityFactory, ConceptFactory, UserFactory, legal_texts_filled

from .conftest import AXE, axe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step

LEGAL = ("accessibility", "leichte-sprache", "sign-language", "imprint", "privacy")
# isek's public pages (those a citizen reads and writes on), as the summary lists them
SUMMARY_PAGES = ("/", "/about/data/", "/about/privacy/", "/about/indicators/", "/about/help/", "/about/accessibility/",
                 "/about/leichte-sprache/", "/about/sign-language/", "/about/imprint/", "/accounts/login/",
                 "/concepts/beispielstadt/", "/concepts/beispielstadt/participation/",
                 "/concepts/beispielstadt/participation/ideas/new/")


@pytest.fixture
def world(transactional_db, live_server, settings):
    settings.ISEK_POW_COST = 50
    city = CityFactory(name="Bochum", ags="05911000")
    concept = ConceptFactory(slug="beispielstadt", name="ISEK Beispielstadt", city=city, is_public=True)
    legal_texts_filled(city)  # a public phase opens only with provider and controller (decision 0045)
    now = timezone.now()
    participation.save_phase(access.Operator("test"), concept, title_de="Ideen für die Innenstadt",
                             start=now - datetime.timedelta(days=1), end=now + datetime.timedelta(days=10),
                             themes=[("Plätze & Freiräume", "Squares", "#2e7d32")])
    UserFactory(username="admin", is_superuser=True, is_staff=True, password="pw-browser-123")
    return live_server.url, city


def _settled(page):
    """Wait for what the page draws after loading (its map, the proof-of-work widget), so axe sees
    the finished page. Not "network idle": the feedback form's widget solves its challenge in
    workers loaded from blob: addresses, which Chromium may count as requests never finished."""
    page.wait_for_load_state("load")
    if page.locator("altcha-widget").count():
        page.wait_for_function("() => customElements.get('altcha-widget') !== undefined")
    if page.locator(".isek-map").count():
        page.wait_for_selector(".isek-map[data-ready='true']", timeout=30000)


def test_the_legal_pages_pass_axe_for_the_public_and_the_administrator(pages, world):
    base, city = world
    public = pages.new()
    for prefix in ("", f"/cities/{city.ags}"):
        for name in LEGAL:
            public.goto(f"{base}{prefix}/about/{name}/")
            assert public.locator("footer a[href$='/about/imprint/']").count() == 1
            assert axe_violations(public) == [], f"{prefix}/about/{name}/"
    # a Land whose enforcement body the city adds itself (the visible notice), and the privacy page in English
    hamburg = CityFactory(name="Hamburg", ags="02000000")
    public.goto(f"{base}/cities/{hamburg.ags}/about/accessibility/")
    assert public.locator("#enforcement-missing").count() == 1 and axe_violations(public) == []
    public.goto(f"{base}/language/en/?next=/cities/{hamburg.ags}/about/privacy/")
    assert "Your rights" in public.inner_text("main") and public.locator("#supervisory-authority").count() == 1
    assert axe_violations(public) == []
    admin = pages.new()
    login(admin, base, "admin")
    for path in (f"/cities/{city.ags}/about/legal-texts/", "/about/legal-texts/", f"/cities/{city.ags}/about/imprint/",
                 "/about/accessibility/feedback/"):
        admin.goto(base + path)
        assert axe_violations(admin) == [], path
    assert admin.locator("#no-feedback").count() == 1
    # sup22: a city without a feedback address is warned, its statement's date is empty until entered,
    # and the enforcement body of a Land isek does not know is the city's entry, with address and page
    admin.goto(f"{base}/cities/{hamburg.ags}/about/legal-texts/")
    assert admin.locator("#no-feedback-address").count() == 1 and admin.input_value("#id_prepared_on") == ""
    assert admin.locator("#id_enforcement_address").count() == 1 and axe_violations(admin) == []
    texts = services.texts_for(hamburg)
    texts.prepared_on = datetime.date(2026, 12, 1)
    texts.enforcement_name, texts.enforcement_address = "Ombudsstelle (Beispiel)", "Straße 1\n20095 Hamburg"
    texts.enforcement_url = "https://ombudsstelle.example/"
    services.save_texts(access.Operator("test"), texts)
    public.goto(f"{base}/cities/{hamburg.ags}/about/accessibility/")
    assert public.locator("#enforcement-body a").inner_text() == "Ombudsstelle (Beispiel)"
    assert "20095 Hamburg" in public.inner_text("#enforcement-address") and axe_violations(public) == []


def test_feedback_through_the_form_reaches_the_city_and_is_answered(pages, world):
    base, city = world
    texts = services.texts_for(city)
    texts.contact_email = "barrierefrei@bochum.example"
    services.save_texts(access.Operator("test"), texts)
    anna = pages.new()
    anna.goto(f"{base}/")
    anna.get_by_role("link", name="Informationen in Leichter Sprache").click()
    assert "Wie können Sie mitmachen?" in anna.inner_text("main")
    anna.goto(f"{base}/concepts/beispielstadt/")
    anna.locator("footer").get_by_role("link", name="Barrierefreiheit").click()
    assert anna.url.endswith(f"/cities/{city.ags}/about/accessibility/")
    anna.fill("#id_email", "anna@example.org")
    anna.fill("#id_message", "Die Karte ist mit der Tastatur schwer zu bedienen.")
    anna.wait_for_function("() => { const i = document.querySelector('input[name=altcha]'); return i && i.value.length > 20; }",
                           timeout=30000)
    with anna.expect_navigation():
        anna.get_by_role("button", name="Nachricht senden").click()
    assert "Ihre Nachricht ist angekommen" in anna.inner_text("main")
    assert axe_violations(anna) == []
    assert Feedback.objects.get().city == city and mail.outbox[0].to == ["barrierefrei@bochum.example"]

    admin = pages.new()
    login(admin, base, "admin")
    admin.goto(f"{base}/about/accessibility/feedback/")
    assert "Die Karte ist mit der Tastatur schwer zu bedienen." in admin.inner_text("main")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Als beantwortet markieren").click()
    assert "Als beantwortet markiert." in admin.inner_text("main")
    assert Feedback.objects.get().status == "answered"


def _summary(page, base) -> dict:
    found = []
    for path in SUMMARY_PAGES:
        page.goto(base + path)
        _settled(page)
        found.append({"path": path, "violations": sorted({v["id"] for v in axe_violations(page)})})
    version = json.loads((AXE.parent / "package.json").read_text())["version"]
    return {"axe": version, "rules": "WCAG 2.1 A, AA", "pages": found}


def test_the_axe_summary_on_the_statement_is_current(pages, world):
    base, _city = world
    now = _summary(pages.new(), base)
    if os.environ.get("ISEK_WRITE_AXE_SUMMARY"):
        services.AXE_SUMMARY.write_text(json.dumps({"date": timezone.localdate().isoformat(), **now}, indent=1,
                                                   ensure_ascii=False) + "\n", encoding="utf-8")
    committed = json.loads(services.AXE_SUMMARY.read_text(encoding="utf-8"))
    committed.pop("date")
    assert committed == now, "the statement's summary is out of date: write it again (see this module's docstring)"
