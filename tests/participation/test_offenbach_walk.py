"""The defects a stranger's walk through the participation (a planner and citizens of Offenbach am
Main) found, each reproduced: the address one person gave got the notices about other people's
ideas sent from the same browser; the participation pages linked the installation's privacy notice,
not the city's; citizens' reports never reached the moderators; a moderator did not see where a
pending idea lies; merging hid the merged idea's text."""

from __future__ import annotations

import pytest
from django.test import Client

from isek.participation import services
from isek.participation.models import Comment, Idea
from tests.factories import member

from .test_pages import _post_idea


@pytest.fixture(autouse=True)
def _cheap_work(db, settings):
    settings.ISEK_POW_COST = 20


def _moderator(concept):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(member(concept, "moderator"))
    return client


def _moderate(client, concept, target, **data):
    kind = "idea" if isinstance(target, Idea) else "comment"
    r = client.post(f"/concepts/{concept.slug}/moderation/", {"kind": kind, "pk": target.pk, **data}, follow=True)
    assert r.status_code == 200, r.content.decode()[:3000]
    return r.content.decode()


# --- M1. the address belongs to the contribution it was given with --------------------------------


def test_the_address_given_with_one_idea_gets_the_notices_of_that_idea_only(
        phase, mailoutbox, django_capture_on_commit_callbacks):
    kiosk = Client(HTTP_ACCEPT_LANGUAGE="de")  # a Stadtteilbüro's kiosk: one browser, several people
    for title, extra in [("Idee zwei", {"name": "Gül"}), ("Idee drei", {}),
                         ("Idee vier", {"email": "kemal@example.org", "email_consent": "on"}), ("Idee fünf", {})]:
        assert _post_idea(kiosk, phase, title=title, **extra).status_code == 302
    two, three, four, five = Idea.objects.order_by("number")
    moderator = _moderator(phase.concept)
    with django_capture_on_commit_callbacks(execute=True):
        for i in (two, three, four):
            _moderate(moderator, phase.concept, i, action="approve")
        _moderate(moderator, phase.concept, five, action="merge", merge_into=three.reference)
    assert [m.to for m in mailoutbox] == [["kemal@example.org"]]
    assert f"Ihre Idee {four.reference} „Idee vier“: veröffentlicht." in mailoutbox[0].body
    privacy = Client(HTTP_ACCEPT_LANGUAGE="de").get("/about/privacy/").content.decode()
    assert "Antworten und Entscheidungen nur zu dem Beitrag, zu dem Sie sie angeben" in privacy


def test_a_comment_with_an_address_does_not_give_it_to_the_browsers_ideas(
        phase, citizen, mailoutbox, django_capture_on_commit_callbacks):
    from .conftest import OPERATOR, idea

    mine = idea(phase, citizen)
    services.decide(OPERATOR, mine, "approve")
    sent = services.send_comment(None, phase.concept, citizen, text="Ja, bitte.", email="kemal@example.org",
                                 email_consent=True, idea=mine)
    other = idea(phase, citizen, title="Noch eine")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(OPERATOR, other, "reject", reason="off_topic")
        services.decide(OPERATOR, sent.contribution, "approve")
    assert [m.to for m in mailoutbox] == [["kemal@example.org"]]
    assert Comment.objects.get().email == "kemal@example.org" and Idea.objects.get(pk=other.pk).email == ""


# --- M2. the participation pages link the city's privacy notice -----------------------------------


def _privacy_links(page: str) -> set[str]:
    import re

    return set(re.findall(r'href="(/(?:cities/[0-9]+/)?about/privacy/[^"]*)"', page))


def test_the_participation_pages_link_the_citys_privacy_notice(phase, citizen):
    from .conftest import OPERATOR, idea

    concept = phase.concept
    ags = concept.city.ags
    mine = idea(phase, citizen)
    services.decide(OPERATOR, mine, "approve")
    measure = __import__("tests.factories", fromlist=["x"]).MeasureFactory(concept=concept)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    base = f"/concepts/{concept.slug}"
    for url in (f"{base}/participation/", f"{base}/participation/ideas/new/", f"{base}/participation/ideas/{mine.pk}/",
                f"{base}/participation/measures/{measure.pk}/comment/", f"{base}/measures/{measure.pk}/",
                f"/cities/{ags}/about/accessibility/", f"/cities/{ags}/about/imprint/", f"/cities/{ags}/about/privacy/"):
        r = client.get(url)
        assert r.status_code == 200, url
        links = _privacy_links(r.content.decode())
        assert f"/cities/{ags}/about/privacy/" in links and all(
            link.startswith(f"/cities/{ags}/about/privacy/") for link in links), (url, links)
    # the installation's pages keep the installation's notice
    assert _privacy_links(client.get("/about/accessibility/").content.decode()) == {
        "/about/privacy/", "/about/privacy/#feedback-data"}


# --- M3. every citizen's report reaches the moderators ---------------------------------------------


def _report(concept, target, reason, text=""):
    """A report from a new browser (a citizen without an account)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = client.post(f"/concepts/{concept.slug}/participation/ideas/{target.pk}/flag/", {"reason": reason, "text": text})
    assert r.status_code == 302, r.content.decode()[:2000]
    return client


@pytest.fixture
def published(phase, citizen, mailoutbox):
    from .conftest import OPERATOR, idea

    i = idea(phase, citizen, title="Bank am Brunnen", email="autorin@example.org", email_consent=True)
    services.decide(OPERATOR, i, "approve")
    mailoutbox.clear()
    return i


def _text(response) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_report_below_the_threshold_is_listed_for_the_moderators_with_reasons_and_counts(phase, published):
    concept = phase.concept
    phase.report_threshold = 5
    phase.save()
    _report(concept, published, "personal_data", "Da steht die Handynummer von Frau M.")
    _report(concept, published, "personal_data")
    reporter = services.Flag.objects.first().reporter_id
    _report(concept, published, "insult")
    published.refresh_from_db()
    assert published.status == "published"  # below the phase's threshold: still public
    moderator = _moderator(concept)
    r = moderator.get(f"/concepts/{concept.slug}/moderation/")
    page = _text(r)
    assert "1 gemeldeter Beitrag" in page and f"{published.reference} Bank am Brunnen" in page
    assert "enthält persönliche Daten anderer: 2" in page and "beleidigend oder diskriminierend: 1" in page
    assert "Da steht die Handynummer von Frau M." in page
    assert str(reporter) not in r.content.decode()  # the reporter stays anonymous
    idea_page = _text(moderator.get(f"/concepts/{concept.slug}/participation/ideas/{published.pk}/"))
    assert "3 offene Meldungen" in idea_page and "enthält persönliche Daten anderer: 2" in idea_page
    assert "Moderation (1 gemeldeter Beitrag)" in _text(moderator.get(f"/concepts/{concept.slug}/participation/"))
    assert "Meldung" not in _text(Client(HTTP_ACCEPT_LANGUAGE="de").get(
        f"/concepts/{concept.slug}/participation/")).split("Stand der Beteiligung")[0]


def test_the_dashboard_counts_open_reports(phase, published):
    concept = phase.concept
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    before = _text(planner.get(f"/concepts/{concept.slug}/dashboard/"))
    _report(concept, published, "personal_data")
    page = _text(planner.get(f"/concepts/{concept.slug}/dashboard/"))
    hints = lambda text: int(text.split("Hinweise (")[1].split(")")[0])  # noqa: E731
    assert hints(page) == hints(before) + 1
    assert "1 gemeldeter Beitrag wartet auf die Moderation" in page
    assert f'href="/concepts/{concept.slug}/moderation/#reported"' in planner.get(
        f"/concepts/{concept.slug}/dashboard/").content.decode()


def test_dismissing_the_reports_keeps_the_idea_and_is_logged(phase, published, mailoutbox,
                                                             django_capture_on_commit_callbacks):
    concept = phase.concept
    _report(concept, published, "advertising")
    moderator = _moderator(concept)
    with django_capture_on_commit_callbacks(execute=True):
        page = _moderate(moderator, concept, published, action="dismiss")
    assert f"Die Meldungen zu Idee {published.reference} „Bank am Brunnen“ sind zurückgewiesen" in _text_of(page)
    published.refresh_from_db()
    assert published.status == "published" and not published.flags.filter(resolved=False).exists()
    assert "0 gemeldete Beiträge" in _text_of(page)
    log = _text_of(page).split("Protokoll der Entscheidungen")[1]
    decision = services.Decision.objects.get(action="dismiss")
    assert f"{decision.actor} Idee {published.reference} „Bank am Brunnen“ Meldungen zurückgewiesen" in log
    assert mailoutbox == []  # nothing changed for the author
    # without an open report there is nothing to dismiss, and nothing changes
    r = moderator.post(f"/concepts/{concept.slug}/moderation/", {"kind": "idea", "pk": published.pk, "action": "dismiss"})
    assert r.status_code == 400 and "keine offenen Meldungen" in r.content.decode()
    assert services.Decision.objects.filter(action="dismiss").count() == 1


def test_a_reported_idea_hidden_at_the_threshold_comes_back_when_its_reports_are_dismissed(phase, published):
    concept = phase.concept
    for _n in range(3):
        _report(concept, published, "insult")
    published.refresh_from_db()
    assert published.status == "hidden"
    _moderate(_moderator(concept), concept, published, action="dismiss")
    published.refresh_from_db()
    assert published.status == "published" and published.reviewed


def test_hiding_a_reported_idea_resolves_its_reports(phase, published):
    concept = phase.concept
    _report(concept, published, "personal_data")
    page = _moderate(_moderator(concept), concept, published, action="hide", text="Telefonnummer entfernt?")
    published.refresh_from_db()
    assert published.status == "hidden" and not published.flags.filter(resolved=False).exists()
    assert "0 gemeldete Beiträge" in _text_of(page)


def test_a_reported_comment_is_listed_too(phase, published):
    from .conftest import OPERATOR

    concept = phase.concept
    other, _t = services.contributor_for(None)
    k = services.comment(None, concept, other, text="Die wohnt doch da oben, Nr. 5.", idea=published)
    services.decide(OPERATOR, k, "approve")
    reporter, _t = services.contributor_for(None)
    services.flag(None, concept, reporter, reason="personal_data", comment_obj=k)
    page = _text(_moderator(concept).get(f"/concepts/{concept.slug}/moderation/"))
    reported = page.split("gemeldeter Beitrag")[1].split("Protokoll")[0]
    assert k.reference in reported and "Die wohnt doch da oben" in reported and "enthält persönliche Daten anderer: 1" in reported


def _text_of(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- Minor 6. the moderators see where a pending idea lies -----------------------------------------


def test_the_map_of_a_pending_ideas_page_draws_it_for_those_who_moderate(phase, citizen):
    from .conftest import idea
    from .test_koeln_walk import _own_idea

    pending = idea(phase, citizen, title="Trinkbrunnen am Wilhelmsplatz")
    url = f"/concepts/{phase.concept.slug}/participation/ideas/{pending.pk}/"
    for role in ("moderator", "planner"):
        client = Client(HTTP_ACCEPT_LANGUAGE="de")
        client.force_login(member(phase.concept, role))
        page = client.get(url).content.decode()
        drawn = _own_idea(page)
        assert drawn["properties"]["reference"] == pending.reference, role
        assert drawn["properties"]["pending"] is True and drawn["properties"]["moderation"] is True
        assert drawn["geometry"] == {"type": "Point", "coordinates": [7.2125, 51.4815]}
        assert "hell eingezeichnet, weil sie nicht öffentlich ist: Sie wartet auf die Moderation" in page
    reviewer = Client(HTTP_ACCEPT_LANGUAGE="de")
    reviewer.force_login(member(phase.concept, "reviewer"))
    assert reviewer.get(url).status_code == 404  # not theirs to see, nor to draw
    moderator = _moderator(phase.concept)
    queue = moderator.get(f"/concepts/{phase.concept.slug}/moderation/").content.decode()
    assert f'href="{url}#idea-map-heading"' in queue  # "auf der Karte" for a pending idea too
    services.decide(member(phase.concept, "moderator"), pending, "approve")
    assert _own_idea(moderator.get(url).content.decode()) is None  # published: on the map like every other


# --- Minor 7. a merged idea's text stays readable at the idea it was merged into -------------------


def test_the_target_shows_the_merged_ideas_and_the_mail_names_it(phase, citizen, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    from .conftest import idea

    concept = phase.concept
    target = idea(phase, citizen, title="Mehr Bänke am Markt", text="Bänke fehlen.")
    public_one = idea(phase, citizen, title="Sitzplätze", text="Zum Ausruhen beim Einkaufen.",
                      email="kemal@example.org", email_consent=True)
    never_public = idea(phase, citizen, title="Bänke!", text="Meine Nachbarin Frau M. braucht eine Bank.")
    moderator = _moderator(concept)
    for i in (target, public_one):
        _moderate(moderator, concept, i, action="approve")
    with django_capture_on_commit_callbacks(execute=True):
        _moderate(moderator, concept, public_one, action="merge", merge_into=target.reference)
        _moderate(moderator, concept, never_public, action="merge", merge_into=target.reference)
    [notice] = mailoutbox
    assert (f"Ihre Idee {public_one.reference} „Sitzplätze“: mit Idee {target.reference} „Mehr Bänke am Markt“ "
            "zusammengeführt.") in notice.body
    url = f"/concepts/{concept.slug}/participation/ideas/{target.pk}/"
    public = _text(Client(HTTP_ACCEPT_LANGUAGE="de").get(url))
    merged = public.split("Zusammengeführte Ideen")[1].split("Kommentare")[0]
    assert f"{public_one.reference} Sitzplätze" in merged and "Zum Ausruhen beim Einkaufen." in merged
    assert "Frau M." not in public and never_public.reference not in merged  # never public: not shown now
    seen = _text(moderator.get(url)).split("Zusammengeführte Ideen")[1].split("Kommentare")[0]
    assert "Zum Ausruhen beim Einkaufen." in seen and "Meine Nachbarin Frau M. braucht eine Bank." in seen
    assert "nur für die Moderation sichtbar" in seen
