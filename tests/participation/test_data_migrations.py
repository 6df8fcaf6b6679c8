"""The participation app's data migrations keep what existing rows meant. One walk (issue 21: each
walk back and forth costs seconds): back once to 0001, then forward step by step; at each state the
rows its data migration must carry are created with that state's historical models, each set in its
own concept, so that per-concept numbering and the checks stay independent. At the leaf, one block
per migration checks its promise and names it when it breaks."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from isek.participation import services
from isek.participation.models import Comment, Decision, Idea, Phase, Support
from tests.factories import ConceptFactory, UserFactory

from .conftest import INSIDE, OPERATOR


def _phase(title):
    now = timezone.now()
    return services.save_phase(OPERATOR, ConceptFactory(), title_de=title, start=now - datetime.timedelta(days=1),
                               end=now + datetime.timedelta(days=30), themes=[("Plätze", "Squares", "#2e7d32")])


def _migrate(target):
    """Migrates to `target` and returns that state's historical models."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    target = target or executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _state(name):
    return [("participation", name)]


def _names_at_0001(old, phase):
    """0002: each idea and comment takes its contributor's name (what it showed), and the
    contributor keeps none."""
    Contributor, OldIdea = old.get_model("participation", "Contributor"), old.get_model("participation", "Idea")
    OldComment = old.get_model("participation", "Comment")
    jonas = Contributor.objects.create(name="Jonas K.", delete_token_hash="n-a")
    nobody = Contributor.objects.create(name="", delete_token_hash="n-b")
    common = {"phase_id": phase.pk, "theme_id": phase.themes.get().pk, "text": "T", "geometry": "POINT(7.2125 51.4815)"}
    a = OldIdea.objects.create(contributor=jonas, title="A", **common)
    b = OldIdea.objects.create(contributor=nobody, title="B", **common)
    k = OldComment.objects.create(contributor=jonas, idea_id=b.pk, phase_id=phase.pk, text="Ja")
    return a.pk, b.pk, k.pk


def _numbers_at_0002(old, a, b):
    """0004: existing ideas, comments and decisions are numbered per concept in id order."""
    OldIdea, OldComment = old.get_model("participation", "Idea"), old.get_model("participation", "Comment")
    OldDecision = old.get_model("participation", "Decision")
    made = []
    for phase, title in ((a, "A1"), (b, "B1"), (a, "A2"), (b, "B2"), (a, "A3")):
        made.append(OldIdea.objects.create(phase_id=phase.pk, theme_id=phase.themes.get().pk, text="T", title=title,
                                           geometry=INSIDE))
    k_b = OldComment.objects.create(phase_id=b.pk, idea_id=made[1].pk, text="zu B1")
    k_a = OldComment.objects.create(phase_id=a.pk, idea_id=made[0].pk, text="zu A1")
    on_b2 = OldDecision.objects.create(phase_id=b.pk, kind="idea", object_id=made[3].pk, action="approve", actor="x")
    gone = OldDecision.objects.create(phase_id=a.pk, kind="idea", object_id=9999, action="delete", actor="isek")
    return k_b.pk, k_a.pk, on_b2.pk, gone.pk


def _supports_at_0005(old):
    """0006: earlier supports with an account count as confirmed, the others as not confirmed; the
    earlier phases need nothing for a support."""
    OldPhase, OldSupport = old.get_model("participation", "Phase"), old.get_model("participation", "Support")
    OldContributor, OldIdea = old.get_model("participation", "Contributor"), old.get_model("participation", "Idea")
    OldTheme = old.get_model("participation", "Theme")
    concept = ConceptFactory()
    p = OldPhase.objects.create(concept_id=concept.pk, title_de="Alt", start="2026-01-01T00:00Z", end="2027-01-01T00:00Z")
    i = OldIdea.objects.create(phase=p, concept_id=concept.pk, number=1, theme=OldTheme.objects.create(phase=p, name_de="T"),
                               title="A", text="B", geometry=INSIDE, status="published")
    user = UserFactory(username="alt")
    with_account = OldContributor.objects.create(user_id=user.pk, delete_token_hash="s-a")
    browser = OldContributor.objects.create(delete_token_hash="s-b")
    for c in (with_account, browser):
        OldSupport.objects.create(phase=p, idea=i, contributor=c)
    return p.pk


def _addresses_at_0006(old, phase):
    """0007: a contributor's address moves onto its contribution only where it is known which one
    it was given with (the contributor sent just one); otherwise it goes."""
    OldIdea, OldComment = old.get_model("participation", "Idea"), old.get_model("participation", "Comment")
    OldContributor = old.get_model("participation", "Contributor")
    once = OldContributor.objects.create(email="anna@example.org", email_consent=True, delete_token_hash="e-a")
    kiosk = OldContributor.objects.create(email="kemal@example.org", email_consent=True, delete_token_hash="e-b")
    made = {}
    for n, (who, title) in enumerate([(once, "Annas"), (kiosk, "Kemals"), (kiosk, "Jemand anderes")], start=1):
        made[title] = OldIdea.objects.create(phase_id=phase.pk, concept_id=phase.concept_id, number=n, title=title,
                                             theme_id=phase.themes.get().pk, text="T", geometry=INSIDE,
                                             contributor_id=who.pk)
    OldComment.objects.create(phase_id=phase.pk, concept_id=phase.concept_id, number=1, text="K",
                              idea_id=made["Annas"].pk, contributor_id=kiosk.pk)


def _merged_at_0008(old, phase):
    """0009: a merged idea stays public only where the log shows it was public (approved)."""
    OldIdea, OldDecision = old.get_model("participation", "Idea"), old.get_model("participation", "Decision")
    made = {}
    for n, title in enumerate(["Ziel", "Freigegeben", "Nie freigegeben"], start=1):
        made[title] = OldIdea.objects.create(phase_id=phase.pk, concept_id=phase.concept_id, number=n, title=title,
                                             theme_id=phase.themes.get().pk, text="T", geometry=INSIDE,
                                             status="merged" if n > 1 else "published")
    OldDecision.objects.create(phase_id=phase.pk, kind="idea", object_id=made["Freigegeben"].pk, action="approve",
                               actor="m")
    for title in ("Freigegeben", "Nie freigegeben"):
        OldDecision.objects.create(phase_id=phase.pk, kind="idea", object_id=made[title].pk, action="merge", actor="m")


def _decisions_at_0017(old, phase):
    """0018: a theme chosen where isek showed no suggestion is "gewählt ohne Vorschlag"; a group
    decision is linked to the groups its sentence names."""
    OldIdea, OldReview = old.get_model("participation", "Idea"), old.get_model("participation", "ThemeReview")
    OldGroup, OldDecision = old.get_model("participation", "IdeaGroup"), old.get_model("participation", "GroupDecision")
    squares = phase.themes.get()
    other = old.get_model("participation", "Theme").objects.create(phase_id=phase.pk, name_de="Verkehr", order=1)
    now = timezone.now()
    made = {}
    for n, (title, fallback, theme) in enumerate([("ohne Thema", False, None), ("Ersatzthema", True, squares.pk),
                                                 ("eigenes", False, squares.pk), ("vorgeschlagen", True, squares.pk)],
                                                start=1):
        made[title] = OldIdea.objects.create(phase_id=phase.pk, concept_id=phase.concept_id, number=n, title=title,
                                             text="T", theme_id=theme, theme_fallback=fallback, geometry=INSIDE)
    for title, proposed, confidence in [("ohne Thema", None, None), ("Ersatzthema", squares.pk, None),
                                        ("eigenes", squares.pk, None), ("vorgeschlagen", squares.pk, 0.8)]:
        OldReview.objects.create(idea_id=made[title].pk, theme_id=other.pk, proposed_id=proposed, confidence=confidence,
                                 by_name="p", at=now)
    sitzen = OldGroup.objects.create(phase_id=phase.pk, name="Sitzen", proposed_name="Bänke, Platz")
    named = OldDecision.objects.create(phase_id=phase.pk, action="rename", by_name="p", at=now,
                                       summary="Gruppe „Bänke, Platz“ heißt jetzt „Sitzen“.")
    gone = OldDecision.objects.create(phase_id=phase.pk, action="merge", by_name="p", at=now,
                                      summary="Gruppe „Weg“ (2 Beiträge) mit „Anderswo“ zusammengelegt.")
    return sitzen.pk, named.pk, gone.pk


def test_the_data_migrations_keep_what_existing_rows_meant(transactional_db):
    # the phases with today's model, before going back (their rows survive the walk)
    names, a, b, addresses, merged, decided = (_phase(t) for t in ("Namen", "Zahlen A", "Zahlen B", "Adressen",
                                                                   "Zusammengeführt", "Entschieden"))
    try:
        idea_a, idea_b, comment = _names_at_0001(_migrate(_state("0001_initial")), names)
        k_b, k_a, on_b2, gone = _numbers_at_0002(_migrate(_state("0002_author_name_per_contribution")), a, b)
        old_phase = _supports_at_0005(_migrate(_state("0005_number_required")))
        _addresses_at_0006(_migrate(_state("0006_support_confirmation")), addresses)
        _merged_at_0008(_migrate(_state("0008_decision_dismiss_reports")), merged)
        sitzen, named, unnamed = _decisions_at_0017(_migrate(_state("0017_minor24_idea_without_theme")), decided)
    finally:
        _migrate(None)

    promise = "0002_author_name_per_contribution: each contribution keeps the name it showed"
    assert Idea.objects.get(pk=idea_a).author == "Jonas K." and Idea.objects.get(pk=idea_b).author == "anonym", promise
    assert Comment.objects.get(pk=comment).author == "Jonas K.", promise
    assert "name" not in {f.name for f in services.Contributor._meta.get_fields()}, promise

    promise = "0004_number_existing: existing rows are numbered per concept in id order"
    refs = {i.title: i.reference for i in Idea.objects.filter(phase__in=(a, b))}
    assert refs == {"A1": "I-1", "A2": "I-2", "A3": "I-3", "B1": "I-1", "B2": "I-2"}, promise
    assert Comment.objects.get(pk=k_b).reference == "K-1" and Comment.objects.get(pk=k_a).reference == "K-1", promise
    assert Decision.objects.get(pk=on_b2).number == 2 and Decision.objects.get(pk=gone).number is None, promise
    assert Idea.objects.get(title="B2").concept_id == b.concept_id, promise

    promise = "0006_support_confirmation: earlier supports with an account count as confirmed"
    assert dict(Support.objects.filter(phase=old_phase).values_list("contributor__delete_token_hash", "confirmation")) == {
        "s-a": "account", "s-b": "none"}, promise
    assert Phase.objects.get(pk=old_phase).support_needs == Phase.SupportNeeds.NOTHING, promise

    promise = "0007_reply_address_per_contribution: an address stays only where its contribution is known"
    assert dict(Idea.objects.filter(phase=addresses).values_list("title", "email")) == {
        "Annas": "anna@example.org", "Kemals": "", "Jemand anderes": ""}, promise
    assert Comment.objects.get(phase=addresses).email == "", promise

    promise = "0009_merged_public: merged ideas are public only where the log shows them public"
    assert dict(Idea.objects.filter(phase=merged).values_list("title", "merged_public")) == {
        "Ziel": False, "Freigegeben": True, "Nie freigegeben": False}, promise

    promise = "0018_fix24c: a theme chosen where isek showed no suggestion is neither confirmed nor corrected"
    from isek.participation.models import GroupDecision, ThemeReview

    states = dict(ThemeReview.objects.filter(idea__phase=decided).values_list("idea__title", "unsuggested"))
    assert states == {"ohne Thema": True, "Ersatzthema": True, "eigenes": False, "vorgeschlagen": False}, promise
    assert ThemeReview.objects.get(idea__phase=decided, idea__title="eigenes").corrected, promise
    promise = "0018_fix24c: a group decision is linked to the groups its sentence names"
    assert [g.pk for g in GroupDecision.objects.get(pk=named).groups.all()] == [sitzen], promise
    assert not GroupDecision.objects.get(pk=unnamed).groups.exists(), promise
