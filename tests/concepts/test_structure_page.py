"""The structure page ("Handlungsfelder und Ziele") as a Bautzen planner met it: goal numbers that
follow their field, a refused deletion that keeps the planner's edits, and the template's
"illustrativ" label that goes once the planner edits or confirms a goal."""

from __future__ import annotations

import pytest

from isek.core.models import ChangeRecord
from tests.conftest import client_for
from tests.htmlforms import post_forms

SLUG = "bochum-innenstadt"


def _page(client, slug=SLUG) -> dict:
    r = client.get(f"/concepts/{slug}/structure/")
    assert r.status_code == 200
    (data,) = post_forms(r.content.decode())
    return data


def _index(data, prefix, number) -> str:
    (i,) = [k.split("-")[1] for k, v in data.items() if k.startswith(f"{prefix}-") and k.endswith("-number")
            and str(v) == str(number)]
    return i


def test_goal_moved_to_another_field_takes_that_fields_number(planner_client, bochum):
    """Goal 2.3 moved to field 1 read "2.3" under field 1 – on the page, in the measure form, in the PDF."""
    two = bochum.fields_of_action.get(number=2)
    one = bochum.fields_of_action.get(number=1)
    bochum.goals.create(field_of_action=two, number="2.2", title="Wasser in der Stadt")
    moved = bochum.goals.create(field_of_action=two, number="2.3", title="Plätze beschatten")
    bochum.goals.create(field_of_action=two, number="2.3.1", title="Bäume am Husemannplatz", parent=moved)
    data = _page(planner_client)
    data[f"g-{_index(data, 'g', '2.3')}-field_of_action"] = str(one.pk)
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    moved.refresh_from_db()
    assert (moved.number, moved.field_of_action) == ("1.2", one)  # after 1.1, the field's last goal
    assert bochum.goals.get(title="Bäume am Husemannplatz").number == "1.2.1"  # its sub-goal follows
    assert bochum.goals.get(title="Wasser in der Stadt").number == "2.2"  # the others keep theirs
    page = planner_client.get(f"/concepts/{SLUG}/structure/").content.decode()
    assert "Ziel 1.2</legend>" in page and "Ziel 2.3<" not in page
    form = planner_client.get(f"/concepts/{SLUG}/measures/new/").content.decode()
    assert "1.2 Plätze beschatten" in form and "2.3 Plätze beschatten" not in form
    concept_page = client_for(None).get(f"/concepts/{SLUG}/").content.decode()
    assert "1.2 Plätze beschatten" in concept_page


def test_goals_follow_their_field_when_it_is_renumbered(planner_client, bochum):
    data = _page(planner_client)
    free = 9
    data[f"f-{_index(data, 'f', 4)}-number"] = str(free)
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    field = bochum.fields_of_action.get(number=free)
    assert list(field.goals.values_list("number", flat=True)) == ["9.1"]


def test_refused_deletion_keeps_every_edit_in_the_form(planner_client, bochum):
    """Field 8 still has a goal, so its deletion is refused: the renamed field and the retitled
    goal sent with it are shown again as typed, with "Nichts gespeichert", and nothing is saved."""
    field = bochum.fields_of_action.create(number=8, name="Klima", colour="#336699")
    bochum.goals.create(field_of_action=field, number="8.1", title="Hitze mindern")
    before = (list(bochum.fields_of_action.values_list("number", "name")), list(bochum.goals.values_list("number", "title")),
              ChangeRecord.objects.count())
    data = _page(planner_client)
    data[f"f-{_index(data, 'f', 8)}-DELETE"] = "on"
    data[f"f-{_index(data, 'f', 1)}-name"] = "Stadtbild und Baukultur"
    data[f"g-{_index(data, 'g', '2.1')}-title"] = "Plätze begrünen"
    j = int(data["g-TOTAL_FORMS"]) - 1  # the empty "Neues Ziel" block
    data.update({f"g-{j}-number": "3.9", f"g-{j}-title": "Radwege schließen",
                 f"g-{j}-field_of_action": str(bochum.fields_of_action.get(number=3).pk)})
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    body = r.content.decode()
    assert r.status_code == 400
    assert "Nichts gespeichert: Handlungsfeld 8 hat noch Ziele (8.1 „Hitze mindern“)" in body
    (shown,) = post_forms(body)
    sent = {k: str(v) for k, v in data.items() if k != "csrfmiddlewaretoken"}
    assert {k: v for k, v in shown.items() if k != "csrfmiddlewaretoken"} == sent
    assert (list(bochum.fields_of_action.values_list("number", "name")), list(bochum.goals.values_list("number", "title")),
            ChangeRecord.objects.count()) == before


@pytest.fixture
def neu_planner(new_city):
    from django.contrib.auth import get_user_model

    return client_for(get_user_model().objects.get(username="planer-neu"))


def _goal_badges(client, concept) -> dict[str, bool]:
    """Goal number → whether the concept page labels the goal "illustrativ"."""
    import re

    page = client.get(f"/concepts/{concept.slug}/").content.decode()
    items = re.findall(r'<li class="isek-goal[^"]*">(.*?)</li>', page, re.S)
    return {item.split()[0]: "illustrativ" in item for item in items}


def test_goal_edited_or_confirmed_by_the_planner_is_no_longer_illustrative(neu_planner, new_city):
    assert all(_goal_badges(neu_planner, new_city).values())  # the template's proposal, untouched
    data = _page(neu_planner, new_city.slug)
    data[f"g-{_index(data, 'g', '1.1')}-title"] = "Den Kornmarkt beleben"  # edited, the box left ticked
    data.pop(f"g-{_index(data, 'g', '2.1')}-illustrative")  # confirmed: the box unticked
    r = neu_planner.post(f"/concepts/{new_city.slug}/structure/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    badges = _goal_badges(neu_planner, new_city)
    assert badges["1.1"] is False and badges["2.1"] is False
    assert badges["3.1"] is True  # untouched: still the proposal
    again = _page(neu_planner, new_city.slug)  # saving the page unchanged keeps the others' label
    assert neu_planner.post(f"/concepts/{new_city.slug}/structure/", again).status_code == 302
    assert _goal_badges(neu_planner, new_city)["3.1"] is True


def test_wizard_says_the_structure_is_a_template_proposal_and_what_illustrativ_means(neu_planner, new_city):
    page = neu_planner.get(f"/concepts/{new_city.slug}/setup/").content.decode()
    assert "Vorschlag aus der Vorlage „Allgemeines ISEK nach den Zielen der Städtebauförderung“" in page
    assert "„illustrativ“ heißt: ein Vorschlag, den Sie noch nicht bestätigt haben" in page
