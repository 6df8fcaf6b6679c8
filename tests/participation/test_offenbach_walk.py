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


def test_the_migration_keeps_an_address_only_where_its_contribution_is_known(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.factories import ConceptFactory

    from .conftest import INSIDE
    from .test_numbers import _phase

    before = [("participation", "0006_support_confirmation")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldIdea, OldComment = old.get_model("participation", "Idea"), old.get_model("participation", "Comment")
        OldContributor = old.get_model("participation", "Contributor")
        phase = _phase(ConceptFactory())
        once = OldContributor.objects.create(email="anna@example.org", email_consent=True, delete_token_hash="a")
        kiosk = OldContributor.objects.create(email="kemal@example.org", email_consent=True, delete_token_hash="b")
        made = {}
        for n, (who, title) in enumerate([(once, "Annas"), (kiosk, "Kemals"), (kiosk, "Jemand anderes")], start=1):
            made[title] = OldIdea.objects.create(phase_id=phase.pk, concept_id=phase.concept_id, number=n, title=title,
                                                 theme_id=phase.themes.get().pk, text="T", geometry=INSIDE,
                                                 contributor_id=who.pk)
        OldComment.objects.create(phase_id=phase.pk, concept_id=phase.concept_id, number=1, text="K",
                                  idea_id=made["Annas"].pk, contributor_id=kiosk.pk)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert dict(Idea.objects.values_list("title", "email")) == {"Annas": "anna@example.org", "Kemals": "",
                                                                  "Jemand anderes": ""}
    assert Comment.objects.get().email == ""


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
