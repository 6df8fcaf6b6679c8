"""Wording a new user's walk (a Bayreuth planner) found wrong or unclear: the readiness summary's
grammar, a concept without an area name or measures, the set-up step of fields and goals."""

import pytest

from tests.factories import ConceptFactory, FieldFactory, member

pytestmark = pytest.mark.django_db


def _page(client, concept, path="", query=""):
    client.force_login(member(concept, "planner"))
    answer = client.get(f"/concepts/{concept.slug}/{path}{query}")
    assert answer.status_code == 200
    return answer.content.decode()


def test_a_concept_without_area_or_measures_says_so(client):
    concept = ConceptFactory(area=None, area_name="")
    html = _page(client, concept)
    assert "noch nicht festgelegt" in html and "–, " not in html
    assert "Noch keine Maßnahmen." in html and "Keine Maßnahme passt zu den Filtern." not in html
    filtered = _page(client, concept, query="?q=Markt")
    assert "Keine Maßnahme passt zu den Filtern." in filtered


def test_the_readiness_summary_agrees_in_number(client):
    html = _page(client, ConceptFactory(mission=""), "readiness/")
    summary = html.split('id="readiness-summary">', 1)[1].split("</p>", 1)[0]
    done = int(summary.split()[0])
    assert ("Teilen ist vollständig" if done == 1 else "Teilen sind vollständig") in summary


def test_the_setup_step_names_fields_and_goals(client):
    concept = ConceptFactory()
    FieldFactory(concept=concept)
    html = _page(client, concept, "setup/")
    assert "(Handlungsfelder: 1, Ziele: 0)" in html
    assert "(1 / 0)" not in html
