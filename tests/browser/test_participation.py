"""Participation in Debian's Chromium, as the issue tells it: a citizen places an idea on the map
and sends it; a second citizen supports it and comments; a moderator rejects one idea with a
reason and approves another; the approved one is on the public map and in the list; a third
citizen sends an idea with the keyboard only, through the list of places; the author reads the
reason. Every participation page is checked with axe-core. The proof of work is real (ALTCHA
in the page, solved by the browser), made cheap for the test."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from isek import access
from isek.participation import services
from isek.participation.models import Comment, Idea, Status
from tests.factories import ConceptFactory, QuarterFactory, UserFactory, legal_texts_filled, member, multipolygon, square

from .conftest import axe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step


@pytest.fixture
def setup(transactional_db, live_server, settings):
    settings.ISEK_POW_COST = 50
    concept = ConceptFactory(slug="beispielstadt", name="ISEK Beispielstadt", area=multipolygon(square(7.21, 51.48, 800)))
    QuarterFactory(concept=concept, name="Nordviertel", geometry=multipolygon(square(7.21, 51.4836, 800 / 2)))
    legal_texts_filled(concept.city)
    now = timezone.now()
    services.save_phase(access.Operator("test"), concept, title_de="Ideen für die Innenstadt", start=now - datetime.timedelta(days=1),
                        end=now + datetime.timedelta(days=10),
                        themes=[("Plätze & Freiräume", "Squares", "#2e7d32"), ("Mobilität", "Mobility", "#1565c0")])
    moderator = member(concept, "moderator", username="moderatorin")
    planner = member(concept, "planner", username="planerin")
    assert moderator.pk and planner.pk and UserFactory(username="unbeteiligt").pk
    return live_server.url, concept


def _wait_for_proof(page):
    page.wait_for_function("() => { const i = document.querySelector('input[name=altcha]'); return i && i.value.length > 20; }",
                           timeout=30000)


def _send_idea_with_the_mouse(page, base, title):
    page.goto(f"{base}/concepts/beispielstadt/participation/ideas/new/")
    page.wait_for_selector(".isek-map[data-ready='true']", timeout=30000)
    page.select_option("#id_theme", label="Plätze & Freiräume")
    page.fill("#id_title", title)
    page.fill("#id_text", "Mehr Schatten und Bänke auf dem Platz.")
    page.locator(".mapbox-gl-draw_point").click()
    page.locator("#map").scroll_into_view_if_needed()  # as a person scrolls to the map
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 15, box["y"] + box["height"] / 2 + 10)
    _wait_for_proof(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Idee senden").click()


def test_citizens_moderator_and_the_public_map(pages, setup):
    base, concept = setup
    anna = pages.new()
    anna.goto(f"{base}/concepts/beispielstadt/participation/")
    assert axe_violations(anna) == []
    _send_idea_with_the_mouse(anna, base, "Schatten am Platz")
    assert "Ihre Idee I-" in anna.inner_text("main") and anna.locator("#delete-link").count() == 1
    assert axe_violations(anna) == []
    _send_idea_with_the_mouse(anna, base, "Kaufen Sie jetzt!")
    first, spam = Idea.objects.order_by("pk")
    assert first.status == Status.PENDING and concept.area.contains(first.geometry)

    # The moderator approves one and rejects the other with a reason.
    mod = pages.new()
    login(mod, base, "moderatorin", "pw-test-123")
    mod.goto(f"{base}/concepts/beispielstadt/moderation/")
    assert axe_violations(mod) == []
    item = mod.locator(f"[data-queue-idea='{first.pk}']")
    item.locator("select[name=action]").select_option("approve")
    with mod.expect_navigation():
        item.get_by_role("button", name="Entscheiden").click()
    item = mod.locator(f"[data-queue-idea='{spam.pk}']")
    item.locator("select[name=action]").select_option("reject")
    with mod.expect_navigation():  # without a reason: refused at this idea, the choice kept
        item.get_by_role("button", name="Entscheiden").click()
    assert "Eine Ablehnung braucht einen Grund aus der Liste." in item.get_by_role("alert").inner_text()
    assert item.get_by_label("Entscheidung").input_value() == "reject"
    assert axe_violations(mod) == []
    item.locator("select[name=reason]").select_option("advertising")
    item.locator("textarea[name=text]").fill("Werbung ist hier nicht erlaubt.")
    with mod.expect_navigation():
        item.get_by_role("button", name="Entscheiden").click()
    assert "Werbung oder Spam" in mod.inner_text("#decision-log")

    # The author reads the reason on the idea's page.
    anna.goto(f"{base}/concepts/beispielstadt/participation/ideas/{spam.pk}/")
    assert "Werbung oder Spam" in anna.inner_text("#idea-status") and "nicht erlaubt" in anna.inner_text("#idea-status")

    # A second citizen finds the approved idea on the map and in the list, supports and comments.
    ben = pages.new()
    ben.goto(f"{base}/concepts/beispielstadt/participation/")
    ben.wait_for_selector(".isek-map[data-ready='true']", timeout=30000)
    assert ben.locator(f"#idea-list [data-idea='{first.pk}']").count() == 1
    assert ben.locator(f"#idea-list [data-idea='{spam.pk}']").count() == 0
    on_map = ben.evaluate("() => window.isekMaps.map.queryRenderedFeatures({layers: ['ideas-point']}).map(f => f.properties.id)")
    assert on_map == [first.pk]
    with ben.expect_navigation():
        ben.locator(f"#idea-list [data-idea='{first.pk}'] a").click()
    assert axe_violations(ben) == []
    _wait_for_proof(ben)  # supports pass the proof of work too
    with ben.expect_navigation():
        ben.get_by_role("button", name="Idee unterstützen").click()
    assert ben.inner_text("#support-count") == "1 Unterstützung (nicht bestätigt)"
    assert "1 Unterstützungen" not in ben.inner_text("main")
    # what "nicht bestätigt" means, one click away (sup22), and the page still passes axe
    ben.locator("#supports-note summary").click()
    assert "eine Person kann mehrfach zählen" in ben.inner_text("#supports-note") and axe_violations(ben) == []
    ben.fill("#id_text", "Und ein Trinkbrunnen!")
    _wait_for_proof(ben)
    with ben.expect_navigation():
        ben.get_by_role("button", name="Kommentar senden").click()
    assert Comment.objects.get().status == Status.PENDING and first.supports.count() == 1

    # The map's popup names the idea by its number and counts in the singular.
    ben.goto(f"{base}/concepts/beispielstadt/participation/")
    ben.wait_for_selector(".isek-map[data-ready='true']", timeout=30000)
    lon, lat = first.geometry.transform(4326, clone=True).coords
    ben.locator("#map").scroll_into_view_if_needed()  # as a person scrolls to the map
    box = ben.locator("#map").bounding_box()
    xy = ben.evaluate(f"() => window.isekMaps.map.project([{lon}, {lat}])")
    ben.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
    popup = ben.locator(".maplibregl-popup-content")
    popup.wait_for(timeout=5000)
    assert f"{first.reference} " in popup.inner_text() and "· 1 Unterstützung (nicht bestätigt)\n" in popup.inner_text()
    assert axe_violations(ben) == []

    for url in ("participation/ideas/new/",):
        ben.goto(f"{base}/concepts/beispielstadt/{url}")
        assert axe_violations(ben) == []
    ben.goto(f"{base}/about/privacy/")
    assert axe_violations(ben) == [] and "Keine IP-Adresse" in ben.inner_text("main")

    # The planner's pages: statistics with the density map (a line idea counts at its middle), the phase form.
    line = services.submit_idea(None, first.phase, first.contributor, theme=first.theme, title="Radweg", text="Entlang",
                                geometry="LINESTRING(7.2110 51.4810, 7.2130 51.4820)")
    services.decide(access.Operator("test"), line, "approve")
    planner = pages.new()
    login(planner, base, "planerin", "pw-test-123")
    planner.goto(f"{base}/concepts/beispielstadt/participation/statistics/")
    planner.wait_for_selector(".isek-map[data-ready='true']", timeout=30000)
    assert planner.evaluate("() => !!window.isekMaps.map.getLayer('ideas-heat')")
    kinds = planner.evaluate("() => window.isekMaps.map.getSource('ideas').serialize().data.features.map(f => f.geometry.type)")
    assert kinds == ["Point", "Point"]
    assert axe_violations(planner) == []
    planner.goto(f"{base}/concepts/beispielstadt/participation/phases/new/")
    assert axe_violations(planner) == []


def test_a_support_confirmed_by_e_mail(pages, setup):
    """Where the phase asks for a confirmed address: a wrong address is refused at its field, a
    right one gets a link by e-mail; the support counts only once the link's page is confirmed,
    and the count says how many are confirmed. Every page of the way passes axe."""
    from django.core import mail

    base, concept = setup
    phase = concept.phases.get()
    phase.support_needs = services.Phase.SupportNeeds.EMAIL
    phase.save(update_fields=["support_needs"])
    citizen, _token = services.contributor_for(None)
    i = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="Bänke", text="Mehr Bänke.",
                             geometry="POINT(7.2125 51.4815)")
    services.decide(access.Operator("test"), i, "approve")
    page = pages.new()
    page.goto(f"{base}/concepts/beispielstadt/participation/ideas/{i.pk}/")
    assert axe_violations(page) == []
    page.get_by_label("Ihre E-Mail-Adresse").fill("clara@")
    _wait_for_proof(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Idee unterstützen").click()
    assert "„clara@“ ist keine gültige E-Mail-Adresse" in page.inner_text("#support-form")
    assert axe_violations(page) == []
    page.get_by_label("Ihre E-Mail-Adresse").fill("clara@example.org")
    _wait_for_proof(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Idee unterstützen").click()
    assert "Wir haben eine E-Mail an clara@example.org geschickt" in page.inner_text("main")
    assert page.inner_text("#support-count") == "0 Unterstützungen" and page.locator("#support-pending").count() == 1
    assert axe_violations(page) == []
    link = next(word for word in mail.outbox[-1].body.split() if "/participation/supports/" in word)
    other = pages.new()  # the mail may be read anywhere
    other.goto(link.replace("http://testserver", base))
    assert axe_violations(other) == []
    with other.expect_navigation():
        other.get_by_role("button", name="Unterstützung bestätigen").click()
    assert other.inner_text("#support-count") == "1 Unterstützung, davon 1 bestätigt"
    assert "Ihre Unterstützung ist bestätigt" in other.inner_text("main") and axe_violations(other) == []
    other.goto(f"{base}/participation/supports/unbekannt/")
    assert "kennt isek nicht" in other.inner_text("#link-problem") and axe_violations(other) == []


def test_a_citizen_signs_up_confirms_and_supports_once_with_the_account(pages, setup):
    """Walk 22: "/accounts/signup/ is 404" – a phase whose supports need an account admitted staff
    only (decision 0078). From the idea: "Konto anlegen", the link from the mail confirms and comes
    back to the idea signed in, the support counts as confirmed by the account, a second one (from a
    second tab) is refused. Every page of the way passes axe."""
    from django.core import mail

    base, concept = setup
    phase = concept.phases.get()
    phase.support_needs = services.Phase.SupportNeeds.ACCOUNT
    phase.save(update_fields=["support_needs"])
    citizen, _token = services.contributor_for(None)
    i = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="Bänke", text="Mehr Bänke.",
                             geometry="POINT(7.2125 51.4815)")
    services.decide(access.Operator("test"), i, "approve")
    idea_url = f"{base}/concepts/beispielstadt/participation/ideas/{i.pk}/"
    page = pages.new()
    page.goto(idea_url)
    assert "Anmelden oder Konto anlegen" in page.inner_text("#support-needs-account") and axe_violations(page) == []
    with page.expect_navigation():
        page.locator("#support-needs-account").get_by_role("link", name="Konto anlegen").click()
    page.get_by_label("E-Mail-Adresse").fill("dora@example.org")
    page.get_by_label("Passwort", exact=True).fill("Gruene-Wiese-42")
    page.get_by_label("Passwort wiederholen").fill("Gruene-Wiese-42")
    _wait_for_proof(page)
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Konto anlegen").click()
    assert "Wir haben eine E-Mail an dora@example.org geschickt" in page.inner_text("main") and axe_violations(page) == []
    link = next(word for word in mail.outbox[-1].body.split() if "/accounts/signup/confirm/" in word)
    page.goto(link.replace("http://testserver", base))
    page.get_by_label("Ihr Passwort").fill("Gruene-Wiese-42")
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Konto bestätigen").click()
    assert page.url == idea_url and "Ihr Konto ist bestätigt" in page.inner_text("main")
    second = page.context.new_page()  # the same person in a second tab
    second.goto(idea_url)
    _wait_for_proof(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Idee unterstützen").click()
    assert page.inner_text("#support-count") == "1 Unterstützung, davon 1 bestätigt" and axe_violations(page) == []
    _wait_for_proof(second)
    with second.expect_navigation():
        second.get_by_role("button", name="Idee unterstützen").click()
    assert "Sie unterstützen das schon." in second.inner_text("main") and axe_violations(second) == []
    assert i.supports.get().confirmation == "account"


def test_an_idea_with_the_keyboard_only(pages, setup):
    base, concept = setup
    page = pages.new()
    page.goto(f"{base}/concepts/beispielstadt/participation/")
    # From the page's "Idee einbringen" link to the sent form, only keys.
    page.locator("a", has_text="Idee einbringen").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector(".isek-map[data-ready='true']", timeout=30000)
    page.locator("#id_theme").focus()
    page.keyboard.press("ArrowDown")  # the first theme
    page.keyboard.press("Tab")
    page.keyboard.type("Querung am Ring")
    page.keyboard.press("Tab")
    page.keyboard.type("Eine sichere Fußgängerquerung fehlt.")
    page.locator("#id_place").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # "Teilraum Nordviertel"
    assert "Nordviertel" in page.evaluate("() => document.getElementById('id_place').selectedOptions[0].text")
    assert page.input_value("#id_geometry").startswith('{"type": "Point"') or '"Point"' in page.input_value("#id_geometry")
    _wait_for_proof(page)
    page.locator("button[type=submit]", has_text="Idee senden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Idea.objects.exists(), page.inner_text("main")[:1500]
    idea = Idea.objects.get()
    assert idea.title == "Querung am Ring" and concept.quarters.get().geometry.contains(idea.geometry)

    # Or with the crosshair: move the map with the arrow keys and take its middle.
    page.goto(f"{base}/concepts/beispielstadt/participation/ideas/new/")
    page.wait_for_selector(".isek-map[data-ready='true']", timeout=30000)
    page.locator("#map canvas").focus()
    before = page.evaluate("() => window.isekMaps.map.getCenter().toArray()")
    for _n in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => window.isekMaps.map.getCenter().lng > {before[0]}", timeout=5000)
    page.locator("#use-centre").focus()
    page.keyboard.press("Enter")
    value = page.input_value("#id_geometry")
    assert '"Point"' in value
    lng = float(value.split("[")[1].split(",")[0])
    assert lng > before[0]


def test_on_a_phone_the_deletion_link_wraps_and_error_pages_pass_axe(pages, setup):
    """A citizen on a 390 px wide phone sends an idea with the list of places: the one-time
    deletion link breaks inside the screen (nothing wider than the page). The error pages are
    checked with axe, in German and in English."""
    base, concept = setup
    phone = pages.new()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{base}/concepts/beispielstadt/participation/ideas/new/")
    phone.select_option("#id_theme", label="Plätze & Freiräume")
    phone.fill("#id_title", "Bänke am Brunnen")
    phone.fill("#id_text", "Am Brunnen fehlen Bänke im Schatten.")
    phone.select_option("#id_place", index=1)
    _wait_for_proof(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Idee senden").click()
    link = phone.locator("#delete-link a")
    assert link.count() == 1, phone.inner_text("main")[:1500]
    width = phone.evaluate("() => document.documentElement.clientWidth")
    assert width == 390
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= width
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert axe_violations(phone) == []

    for lang, title in (("de-DE", "Seite nicht gefunden"), ("en-US", "Page not found")):
        context = pages.browser.new_context(locale=lang)
        pages.contexts.append(context)
        page = context.new_page()
        response = page.goto(f"{base}/concepts/beispielstadt/participation/ideas/999999/")
        assert response.status == 404 and page.inner_text("h1") == title
        assert axe_violations(page) == []


def test_the_idea_list_and_map_tell_ideas_themes_and_measures_apart(pages, setup):
    """A new user's walk (Bayreuth): in the list the idea's number stays on the line of its theme's
    mark, each theme has its own colour, and on the map ideas are diamonds, measures circles, as
    the legend says."""
    from tests.factories import MeasureFactory

    base, concept = setup
    phase = concept.phases.get()
    citizen, _token = services.contributor_for(None)
    MeasureFactory(concept=concept, number="1.1", geometry="POINT(7.2135 51.4825)")
    for title in ("Schattenspendende Bäume und Trinkbrunnen am Marktplatz", "Bänke"):
        i = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title=title, text="Mehr davon.",
                                 geometry="POINT(7.2125 51.4815)")
        services.decide(access.Operator("test"), i, "approve")
    page = pages.new()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/concepts/beispielstadt/participation/")
        page.wait_for_selector(".isek-map[data-ready='true']", timeout=30000)
        for item in page.locator("#idea-list li[data-idea]").all():
            mark, ref = item.locator(".isek-swatch").bounding_box(), item.locator(".isek-ref").bounding_box()
            assert ref["y"] < mark["y"] + mark["height"] and mark["y"] < ref["y"] + ref["height"], (width, mark, ref)
            assert ref["height"] < 2 * mark["height"] + 8  # "I-7" on one line
    legend = page.inner_text("#map-legend")
    assert "Ideen: Rauten in der Farbe ihres Themas" in legend and "Maßnahmen: Kreise" in legend
    assert "Plätze & Freiräume" in legend and "Mobilität" in legend
    kinds = page.evaluate("() => ['ideas-point', 'measures-point'].map(id => window.isekMaps.map.getLayer(id).type)")
    assert kinds == ["symbol", "circle"]
    shown = page.evaluate("() => window.isekMaps.map.queryRenderedFeatures({layers: ['ideas-point']}).length")
    assert shown >= 1
    assert axe_violations(page) == []


def test_the_author_sees_the_own_pending_idea_on_its_map_and_another_citizen_does_not(pages, setup):
    """Walk 8 (Köln): the author's idea waiting for the moderation was listed on its page but not
    on the page's map. It is drawn there, pale, for the author; another citizen's map lacks it."""
    base, concept = setup
    anna = pages.new()
    _send_idea_with_the_mouse(anna, base, "Schatten am Platz")
    assert Idea.objects.get().status == Status.PENDING
    anna.wait_for_selector(".isek-map[data-ready='true']", timeout=30000)
    drawn = anna.evaluate("() => window.isekMaps.map.queryRenderedFeatures({layers: ['ideas-point']})"
                          ".map(f => [f.properties.title, f.properties.pending])")
    assert drawn == [["Schatten am Platz", True]]
    assert anna.evaluate("() => window.isekMaps.map.hasImage('idea-pending-#2e7d32')")
    assert "hell eingezeichnet, weil sie noch geprüft wird" in anna.inner_text("main")
    assert axe_violations(anna) == []
    ben = pages.new()
    ben.goto(f"{base}/concepts/beispielstadt/participation/")
    ben.wait_for_selector(".isek-map[data-ready='true']", timeout=30000)
    assert ben.evaluate("() => window.isekMaps.map.getSource('ideas').serialize().data.features.length") == 0


def test_the_moderator_sees_reports_and_a_pending_ideas_place_and_the_citys_privacy_notice(pages, setup):
    """A stranger's walk (Offenbach): a citizen's report reached no moderator; a pending idea's map
    did not draw it for the moderator; a merged idea's text was nowhere at its target; "Datenschutz"
    led to the installation's notice, not the city's."""
    base, concept = setup
    phase = concept.phases.get()
    citizen, _token = services.contributor_for(None)
    reported = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="Bank am Brunnen",
                                    text="Bitte eine Bank.", geometry="POINT(7.2125 51.4815)")
    services.decide(access.Operator("test"), reported, "approve")
    waiting = services.submit_idea(None, phase, citizen, theme=phase.themes.last(), title="Trinkbrunnen",
                                   text="Am Platz.", geometry="POINT(7.2130 51.4818)")
    ben = pages.new()
    ben.goto(f"{base}/concepts/beispielstadt/participation/ideas/{reported.pk}/")
    ben.get_by_text("Diesen Beitrag melden").click()
    ben.select_option("#id_flag_reason", "personal_data")
    ben.fill("#id_flag_text", "Die Handynummer einer Nachbarin steht im Text.")
    with ben.expect_navigation():
        ben.get_by_role("button", name="Melden").click()
    assert "die Moderation sieht sich den Beitrag an" in ben.inner_text("main")

    mod = pages.new()
    login(mod, base, "moderatorin", "pw-test-123")
    mod.goto(f"{base}/concepts/beispielstadt/participation/")
    mod.get_by_role("link", name="Moderation (1 gemeldeter Beitrag)").click()
    item = mod.locator(f"[data-reported='idea-{reported.pk}']")
    assert "enthält persönliche Daten anderer: 1" in item.inner_text()
    assert "Die Handynummer einer Nachbarin steht im Text." in item.inner_text()
    assert axe_violations(mod) == []
    item.locator("select[name=action]").select_option("dismiss")
    with mod.expect_navigation():
        item.get_by_role("button", name="Entscheiden").click()
    assert "sind zurückgewiesen" in mod.inner_text("main") and "0 gemeldete Beiträge" in mod.inner_text("main")

    mod.goto(f"{base}/concepts/beispielstadt/participation/ideas/{waiting.pk}/")
    mod.wait_for_selector(".isek-map[data-ready='true']", timeout=30000)
    drawn = mod.evaluate("() => window.isekMaps.map.queryRenderedFeatures({layers: ['ideas-point']})"
                         ".map(f => [f.properties.title, f.properties.pending])")
    assert ["Trinkbrunnen", True] in drawn
    assert "wartet auf die Moderation" in mod.inner_text("#own-idea-hint")
    assert axe_violations(mod) == []

    # merged into the reported one, its text is at the target – for the moderators only, never public
    mod.goto(f"{base}/concepts/beispielstadt/moderation/")
    item = mod.locator(f"[data-queue-idea='{waiting.pk}']")
    item.locator("select[name=action]").select_option("merge")
    item.locator("input[name=merge_into]").fill(reported.reference)
    with mod.expect_navigation():
        item.get_by_role("button", name="Entscheiden").click()
    mod.goto(f"{base}/concepts/beispielstadt/participation/ideas/{reported.pk}/")
    merged = mod.inner_text("#merged")
    assert f"{waiting.reference} Trinkbrunnen" in merged and "nur für die Moderation sichtbar" in merged
    assert axe_violations(mod) == []

    ben.goto(f"{base}/concepts/beispielstadt/participation/")
    with ben.expect_navigation():
        ben.locator("main").get_by_role("link", name="Datenschutz").click()
    assert ben.url.endswith(f"/cities/{concept.city.ags}/about/privacy/")
    assert axe_violations(ben) == []


def test_the_phase_form_of_a_concept_not_yet_public_says_so_and_passes_axe(pages, transactional_db, live_server):
    from .conftest import sign_in_planner

    concept = ConceptFactory(slug="ottensen", name="FreiRaum Ottensen", is_public=False,
                             area=multipolygon(square(9.93, 53.55, 500)))
    page = pages.new()
    base = sign_in_planner(page, live_server, concept, "planerin-hh")
    page.goto(f"{base}/concepts/ottensen/participation/phases/new/")
    assert "Das Konzept „FreiRaum Ottensen“ ist noch nicht öffentlich" in page.inner_text("#not-public")
    assert axe_violations(page) == []


def test_the_support_button_waits_until_the_proof_of_work_is_solved(pages, setup):
    """An early click was answered 400 "Die Prüfung … fehlt" (walk 22): the button says „Prüfung
    läuft …“ and cannot be pressed until the browser has solved the task (its challenge held back
    here until the state is read)."""
    base, concept = setup
    phase = concept.phases.get()
    citizen, _token = services.contributor_for(None)
    i = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="Bänke", text="Mehr Bänke.",
                             geometry="POINT(7.2125 51.4815)")
    services.decide(access.Operator("test"), i, "approve")
    page = pages.new()
    held = []
    page.route("**/participation/challenge/**", lambda route: held.append(route))
    page.goto(f"{base}/concepts/beispielstadt/participation/ideas/{i.pk}/")
    page.wait_for_function("() => document.querySelector('#support-form button[type=submit]').disabled")
    button = page.locator("#support-form button[type=submit]")
    assert button.inner_text() == "Prüfung läuft …" and button.is_disabled()
    assert axe_violations(page) == []
    page.wait_for_function("() => true")  # lets the route handler run
    assert held, "the page asked for no challenge"
    held[0].continue_()
    _wait_for_proof(page)
    page.wait_for_function("() => !document.querySelector('#support-form button[type=submit]').disabled")
    with page.expect_navigation():
        page.get_by_role("button", name="Idee unterstützen").click()
    assert "Sie unterstützen diese Idee." in page.inner_text("main")
