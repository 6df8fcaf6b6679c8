"""A stranger's walk with the DIPAS file of Hamburg-Ottensen (fix24e), the pages: the evaluation
report names the paper a city-state's council decides on, not a "Ratsvorlage"; the phase's area
is labelled as needed where the concept has no funding area; a group decision's fixed phrases are
said in the reader's language, also those stored before decision 0083."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone, translation

from isek.concepts.models import City
from isek.participation import services
from isek.participation.models import GroupDecision, IdeaGroup, Phase
from isek.participation.services.report import council_paper
from tests.factories import ConceptFactory, member

from .conftest import OPERATOR
from .test_bayreuth_walk import _phase_form
from .test_evaluation_groups_pages import _fresh, group_of, ideas  # noqa: F401 - fixtures


def test_the_report_names_the_paper_of_a_city_state_and_a_ratsvorlage_elsewhere(phase):
    """Walk (fix24e): Hamburg has no Stadtrat; the report said "zum Anhängen an … eine Ratsvorlage"."""
    assert council_paper("02000000") == "Drucksache für die Bezirksversammlung"
    assert council_paper("11000000") == "Vorlage für die Bezirksverordnetenversammlung"
    assert council_paper("04011000") == "Vorlage für die Stadtbürgerschaft"
    assert council_paper("04012000") == "Vorlage für die Stadtverordnetenversammlung"  # Bremerhaven
    assert council_paper("05911000") == council_paper("") == "Ratsvorlage"
    with translation.override("en"):
        assert council_paper("02000000") == "paper for the district assembly (Drucksache für die Bezirksversammlung)"
        assert council_paper("05911000") == "council paper"
    City.objects.filter(pk=phase.concept.city_id).update(ags="02000000")
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(member(phase.concept, "moderator"))
    page = c.get(f"/concepts/{phase.concept.slug}/participation/phases/{phase.pk}/report/").content.decode()
    assert "zum Anhängen an das ISEK oder eine Drucksache für die Bezirksversammlung:" in page
    assert "Ratsvorlage" not in page and "Rat " not in page
    phase.concept.city.refresh_from_db()
    report = services.evaluation_report(OPERATOR, phase.concept, phase)
    with translation.override("de"):
        pdf = render_to_string("participation/report_pdf.html", {"r": report, "method": "", "map": None})
    assert "zur Anlage an das ISEK oder eine Drucksache für die Bezirksversammlung." in pdf and "Ratsvorlage" not in pdf


def _label(html: str) -> str:
    import re

    return re.search(r'<label class="kern-label" for="id_polygon">(.*?)</label>', html, re.S).group(1)


def test_the_phase_area_is_labelled_as_needed_where_the_concept_has_no_funding_area(db):
    """Walk (fix24e): "Gebiet für Ideen – optional", then refused as needed when the concept has no funding area."""
    concept = ConceptFactory(area=None)
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    new = f"/concepts/{concept.slug}/participation/phases/new/"
    label = _label(planner.get(new).content.decode())
    assert "nötig, das Konzept hat kein Fördergebiet" in label and "– optional" not in label and "leer: das Fördergebiet" not in label
    r = planner.post(new, _phase_form("%Y-%m-%dT%H:%M"))
    assert r.status_code == 400 and not Phase.objects.exists()
    assert "Ohne Fördergebiet braucht die Phase ein eigenes Gebiet für Ideen." in r.content.decode()
    # with a funding area it is optional (empty: the funding area)
    with_area = ConceptFactory()
    planner.force_login(member(with_area, "planner"))
    label = _label(planner.get(f"/concepts/{with_area.slug}/participation/phases/new/").content.decode())
    assert "– optional" in label and "nötig" not in label


MIGRATION = "isek.participation.migrations.0021_fix24e_group_decision_codes"


def test_group_decisions_stored_before_0083_are_said_in_the_readers_language_after_the_migration(phase):
    """Walk (fix24e): decisions taken before 0083 stayed in the decider's language, German and
    English side by side on one page; the migration parses their fixed sentences back."""
    import importlib

    from django.apps import apps

    now = timezone.now()
    stored = {
        "rename": ("Gruppe „Bänke, Platz“ heißt jetzt „Sitzen“.", "Group “Bänke, Platz” is now called “Sitzen”."),
        "merge": ("Group “Verschiedenes (7 Beiträge)” (7 contributions) merged into “Busse”.",
                  "Group “Miscellaneous (7 contributions)” (7 contributions) merged into “Busse”."),
        "split": ("Gruppe „ohne Namen“ geteilt: I-3, I-12 in die neue Gruppe „Bäume“.",
                  "Group “without a name” split: I-3, I-12 into the new group “Bäume”."),
        "move": ("I-4 moved from “Ampel” to “Miscellaneous (1 contribution)”.",
                 "I-4 moved from “Ampel” to “Miscellaneous (1 contribution)”."),
    }
    made = {action: GroupDecision.objects.create(phase=phase, action=action, summary=summary, by_name="petra", at=now)
            for action, (summary, _en) in stored.items()}
    # a name holding the format's own words reads two ways: it stays as stored
    odd = GroupDecision.objects.create(phase=phase, action="rename", summary="Gruppe „A“ heißt jetzt „B“ heißt jetzt „C“.",
                                       by_name="petra", at=now)
    with translation.override("en"):
        assert made["rename"].text == stored["rename"][0]  # before: as stored, German on the English page
    importlib.import_module(MIGRATION).forward(apps, None)
    for action, (_summary, english) in stored.items():
        d = GroupDecision.objects.get(pk=made[action].pk)
        with translation.override("en"):
            assert d.text == english, action
        with translation.override("de"):
            german = d.text
        assert "”" not in german and "Miscellaneous" not in german and "contribution" not in german, german
    with translation.override("de"):
        assert GroupDecision.objects.get(pk=made["merge"].pk).text == \
            "Gruppe „Verschiedenes (7 Beiträge)“ (7 Beiträge) mit „Busse“ zusammengelegt."
        assert GroupDecision.objects.get(pk=made["move"].pk).text == "I-4 von „Ampel“ nach „Verschiedenes (1 Beitrag)“ verschoben."
    odd.refresh_from_db()
    assert odd.params == {} and odd.text == odd.summary
    importlib.import_module(MIGRATION).forward(apps, None)  # again: nothing changes
    assert GroupDecision.objects.get(pk=made["split"].pk).params == {
        "a": "ohne Namen", "a_unnamed": 1, "ideas": "I-3, I-12", "b": "Bäume"}


def test_a_new_decision_on_a_catch_all_group_stores_a_code_for_its_name(phase, ideas):  # noqa: F811
    """fix24d stored "Verschiedenes (5 Beiträge)" as the group's name: German on the English page."""
    planner = member(phase.concept, "planner", "petra")
    with translation.override("de"):
        services.group_evaluation(planner, phase.concept, phase)
    buses, benches = group_of(ideas["buses"][0]), group_of(ideas["benches"][0])
    IdeaGroup.objects.filter(pk=buses.pk).update(mixed=True, proposed_name="")
    with translation.override("de"):
        decision = services.merge_groups(planner, phase.concept, phase, buses.pk, benches.pk)
    assert decision.summary.startswith("Gruppe „Verschiedenes (5 Beiträge)“ (5 Beiträge) mit")
    assert decision.params["a_mixed"] == 5
    with translation.override("en"):
        assert decision.text.startswith("Group “Miscellaneous (5 contributions)” (5 contributions) merged into “")
