"""The evaluation by groups (issue 24, point 3) as planners use it: isek's groups of similar ideas
with their characteristic words on a list and a map; the planner renames, merges, splits, moves,
and each decision is logged with who, is in the change history and survives computing again;
near-duplicates proposed, confirmed (both kept) or rejected; bad input refused changing nothing."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from isek.participation import services
from isek.participation.models import DuplicateReview, GroupDecision, GroupMember, Idea, IdeaGroup, Status
from isek.participation.services import groups as engines
from tests.dbstate import checksum
from tests.factories import ConceptFactory, member

from .conftest import OPERATOR, idea

BENCHES = ["Mehr Bänke zum Sitzen auf dem Platz", "Bänke und Schatten auf dem Platz", "Der Platz braucht Bänke",
           "Sitzbänke am Platz fehlen, bitte Bänke", "Ein schöner Platz mit Bänken"]
BUSES = ["Der Bus fährt zu selten zur Haltestelle", "Busse öfter an der Haltestelle", "Neue Buslinie mit Haltestelle",
         "Haltestelle des Busses barrierefrei umbauen", "Bus und Haltestelle näher"]
COPY = "Mehr Bänke zum Sitzen auf dem Platz!"  # a near-copy of the first bench idea


@pytest.fixture(autouse=True)
def _fresh():
    engines.forget()
    yield
    engines.forget()


@pytest.fixture
def ideas(phase, citizen):
    made = [idea(phase, citizen, title=t[:40], text=t) for t in BENCHES + BUSES]
    return {"benches": made[:5], "buses": made[5:]}


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(user)
    return c


def url(phase) -> str:
    return f"/concepts/{phase.concept.slug}/participation/phases/{phase.pk}/groups/"


def group_of(i: Idea) -> IdeaGroup:
    return GroupMember.objects.select_related("group").get(idea=i).group


def section(html: str, group: IdeaGroup) -> str:
    m = re.search(rf'<section class="isek-group" id="group-{group.pk}".*?</section>', html, re.S)
    assert m, f"group {group.pk} not on the page"
    return m.group(0)


def test_groups_with_their_words_on_the_list_and_the_map(phase, ideas):
    c = client_for(member(phase.concept, "planner"))
    page = c.get(url(phase)).content.decode()
    assert "Auswertung: Gruppen" in page and "2 Gruppen" in page and "Gruppen eben berechnet" in page
    benches, buses = group_of(ideas["benches"][0]), group_of(ideas["buses"][0])
    assert benches != buses and all(group_of(i) == buses for i in ideas["buses"])
    bus_section = section(page, buses)
    assert "(5 Beiträge)" in bus_section and "Haltestelle" in bus_section.split("Charakteristische Wörter:")[1]
    assert buses.proposed_name and buses.proposed_name in bus_section
    assert f"I-{ideas['buses'][0].number}" in bus_section
    assert "Gruppen eben berechnet" not in c.get(url(phase)).content.decode()  # stored: not computed again
    assert 'id="groups-no-place"' not in page and 'id="groups-map"' in page
    fc = json.loads(c.get(url(phase).replace("groups/", "groups.geojson")).content)
    assert len(fc["features"]) == 10
    bus = next(f for f in fc["features"] if f["id"] == ideas["buses"][0].pk)["properties"]
    assert bus["theme"] == buses.title and bus["url"].endswith(f"/ideas/{ideas['buses'][0].pk}/")


def test_rename_is_logged_with_who_and_survives_computing_again(phase, ideas, citizen):
    planner = member(phase.concept, "planner", "petra")
    c = client_for(planner)
    c.get(url(phase))
    buses = group_of(ideas["buses"][0])
    r = c.post(url(phase), {"action": "rename", "group": buses.pk, "name": "  Busverkehr "})
    assert r.status_code == 302
    page = c.get(url(phase)).content.decode()
    assert "Busverkehr" in section(page, buses) and "heißt jetzt „Busverkehr“" in page
    d = GroupDecision.objects.get()
    assert d.by == planner and d.by_name == "petra" and d.action == "rename"
    history = c.get(f"/concepts/{phase.concept.slug}/changes/").content.decode()
    assert "heißt jetzt „Busverkehr“" in history and "petra" in history
    # a new bus idea comes: the groups are computed again, the planner's group stays and takes it
    new = idea(phase, citizen, title="Haltestelle", text="Der Bus hält nicht an der Haltestelle")
    page = c.get(url(phase)).content.decode()
    assert "Gruppen eben berechnet" in page
    assert group_of(new) == buses and IdeaGroup.objects.get(pk=buses.pk).name == "Busverkehr"
    assert "(6 Beiträge)" in section(page, buses)
    r = c.post(url(phase), {"action": "recompute"})  # on request, too
    assert r.status_code == 302 and group_of(new) == buses and group_of(ideas["buses"][0]) == buses


def test_merge_split_and_move(phase, ideas):
    c = client_for(member(phase.concept, "planner", "petra"))
    c.get(url(phase))
    benches, buses = group_of(ideas["benches"][0]), group_of(ideas["buses"][0])
    assert c.post(url(phase), {"action": "merge", "group": benches.pk, "into": buses.pk}).status_code == 302
    assert not IdeaGroup.objects.filter(pk=benches.pk).exists()
    assert GroupMember.objects.filter(group=buses).count() == 10
    # split: two bench ideas into a new group
    two = ideas["benches"][:2]
    r = c.post(url(phase), {"action": "move", "group": buses.pk, "ideas": [i.pk for i in two], "to": "new",
                            "name": "Sitzen"})
    assert r.status_code == 302
    sitzen = IdeaGroup.objects.get(name="Sitzen")
    assert {m.idea_id for m in sitzen.members.all()} == {i.pk for i in two}
    # move one more into it
    third = ideas["benches"][2]
    assert c.post(url(phase), {"action": "move", "group": buses.pk, "ideas": [third.pk], "to": sitzen.pk}).status_code == 302
    assert group_of(third) == sitzen
    assert list(GroupDecision.objects.order_by("at", "pk").values_list("action", flat=True)) == ["merge", "split", "move"]
    page = c.get(url(phase)).content.decode()
    assert f"I-{third.number} von „{buses.title}“ nach „Sitzen“ verschoben." in page
    # fix24c: each group's decisions with it (what, who, when), not only the phase's latest
    mine = re.findall(r"<li>(.*?)</li>", section(page, sitzen).split("data-group-decisions")[1].split("</ul>")[0])
    assert [d.split(":")[0] for d in mine] == ["Gruppe geteilt", "Beitrag verschoben"] and all("petra am" in d for d in mine)
    theirs = section(page, buses).split("data-group-decisions")[1].split("</ul>")[0]
    assert [d.split(":")[0] for d in re.findall(r"<li>(.*?)</li>", theirs)] == [
        "Gruppen zusammengelegt", "Gruppe geteilt", "Beitrag verschoben"]
    assert {g.pk for g in GroupDecision.objects.get(action="split").groups.all()} == {buses.pk, sitzen.pk}
    # all of it survives computing again
    c.post(url(phase), {"action": "recompute"})
    assert {m.idea_id for m in IdeaGroup.objects.get(name="Sitzen").members.all()} == {i.pk for i in [*two, third]}
    assert group_of(ideas["buses"][0]) == buses and group_of(ideas["benches"][4]) == buses


def test_a_near_duplicate_is_confirmed_both_kept_or_rejected(phase, ideas, citizen):
    planner = member(phase.concept, "planner", "petra")
    c = client_for(planner)
    copy = idea(phase, citizen, title="Bänke", text=COPY)
    original = ideas["benches"][0]
    page = c.get(url(phase)).content.decode()
    assert f'data-pair="{original.pk}-{copy.pk}"' in page and "1 mögliches Duplikat" in page
    r = c.post(url(phase), {"action": "duplicate", "a": copy.pk, "b": original.pk})
    assert r.status_code == 302
    review = DuplicateReview.objects.get()
    assert review.idea == copy and review.of == original and review.duplicate and review.by_name == "petra"
    assert Idea.objects.filter(pk__in=[copy.pk, original.pk]).count() == 2  # both kept
    page = c.get(url(phase)).content.decode()
    assert f'data-pair="{original.pk}-{copy.pk}"' not in page
    assert f"I-{copy.number} ist ein Duplikat von I-{original.number}" in page
    assert f'data-duplicate-of="{original.pk}"' in page
    history = c.get(f"/concepts/{phase.concept.slug}/changes/").content.decode()
    assert f"I-{copy.number} ist ein Duplikat von I-{original.number}" in history and COPY not in history
    # the similarity as a percentage, who decided once (walk 24: "entschieden von" twice, 0.9999997615814209)
    entry = history[history.index(f"I-{copy.number} ist ein Duplikat"):]
    entry = entry[:entry.index("</tr>")]
    assert f"{round(review.similarity * 100)} %" in entry and str(review.similarity) not in entry
    assert entry.count("entschieden von") == 1
    # changed her mind: not a duplicate; the proposal stays answered
    c.post(url(phase), {"action": "distinct", "a": original.pk, "b": copy.pk})
    review.refresh_from_db()
    assert not review.duplicate and DuplicateReview.objects.count() == 1
    assert f'data-pair="{original.pk}-{copy.pk}"' not in c.get(url(phase)).content.decode()



def test_no_pair_among_contributions_merged_into_the_same_one(phase, ideas, citizen):
    """Walk 25 (4): after I-345 and I-346 were marked duplicates of I-344, "I-346 and I-345" was
    still proposed."""
    planner = member(phase.concept, "planner")
    first, second = idea(phase, citizen, title="Bänke", text=COPY), idea(phase, citizen, title="Bänke", text=COPY + " Danke")
    original = ideas["benches"][0]
    groups = services.group_evaluation(planner, phase.concept, phase)
    assert frozenset((first.pk, second.pk)) in {frozenset((p.earlier.pk, p.later.pk)) for p in groups.proposals}
    for later in (first, second):
        services.decide_duplicate(planner, phase.concept, phase, original.pk, later.pk, True)
    pairs = {frozenset((p.earlier.pk, p.later.pk)) for p in services.group_evaluation(planner, phase.concept, phase).proposals}
    assert not pairs & {frozenset((first.pk, second.pk)), frozenset((original.pk, first.pk)),
                        frozenset((original.pk, second.pk))}

def other_phase():
    now = timezone.now()
    return services.save_phase(OPERATOR, ConceptFactory(), title_de="Andere", start=now - datetime.timedelta(days=1),
                               end=now + datetime.timedelta(days=9), themes=[("Fremd", "", "#123456")])


def test_bad_input_is_refused_and_changes_nothing(phase, ideas, citizen):
    c = client_for(member(phase.concept, "planner"))
    c.get(url(phase))
    foreign = other_phase()
    foreign_idea = Idea.objects.create(phase=foreign, theme=foreign.themes.get(), title="Fremd", text="Fremd")
    services.group_evaluation(OPERATOR, foreign.concept, foreign)
    foreign_group = IdeaGroup.objects.get(phase=foreign)
    rejected = ideas["buses"][4]
    Idea.objects.filter(pk=rejected.pk).update(status=Status.REJECTED)
    stale = group_of(ideas["buses"][0])
    c.get(url(phase))  # an idea went: computed again, isek's groups are new
    benches, buses = group_of(ideas["benches"][0]), group_of(ideas["buses"][0])
    before = checksum()
    cases = [
        ({"action": "rename", "group": buses.pk, "name": "   "}, "Bitte einen Namen für die Gruppe angeben."),
        ({"action": "rename", "group": buses.pk, "name": "x" * 101}, "höchstens 100 Zeichen"),
        ({"action": "rename", "group": foreign_group.pk, "name": "Fremd"}, "Diese Gruppe gibt es in dieser"),
        ({"action": "rename", "group": "abc", "name": "X"}, "Diese Gruppe gibt es in dieser"),
        ({"action": "rename", "group": stale.pk, "name": "X"}, "bitte die Seite neu laden"),
        ({"action": "merge", "group": benches.pk, "into": benches.pk}, "nur mit einer anderen"),
        ({"action": "merge", "group": benches.pk, "into": foreign_group.pk}, "Diese Gruppe gibt es in dieser"),
        ({"action": "move", "group": benches.pk, "ideas": [ideas["buses"][0].pk], "to": buses.pk},
         "gehört nicht (mehr) zu dieser Gruppe"),
        ({"action": "move", "group": benches.pk, "ideas": [foreign_idea.pk], "to": buses.pk},
         "gehört nicht (mehr) zu dieser Gruppe"),
        ({"action": "move", "group": benches.pk, "ideas": ["x"], "to": buses.pk}, "mindestens einen Beitrag"),
        ({"action": "move", "group": benches.pk, "to": buses.pk}, "mindestens einen Beitrag"),
        ({"action": "move", "group": benches.pk, "ideas": [ideas["benches"][0].pk], "to": "new", "name": ""},
         "Bitte einen Namen"),
        ({"action": "move", "group": benches.pk, "ideas": [i.pk for i in ideas["benches"]], "to": "new", "name": "A"},
         "nicht alle Beiträge"),
        ({"action": "move", "group": benches.pk, "ideas": [ideas["benches"][0].pk], "to": benches.pk},
         "schon in dieser Gruppe"),
        ({"action": "duplicate", "a": ideas["benches"][0].pk, "b": foreign_idea.pk}, "zwei verschiedene Beiträge"),
        ({"action": "duplicate", "a": ideas["benches"][0].pk, "b": ideas["benches"][0].pk}, "zwei verschiedene"),
        ({"action": "duplicate", "a": ideas["benches"][0].pk, "b": rejected.pk}, "zwei verschiedene Beiträge"),
        ({"action": "distinct", "a": "1; drop", "b": ""}, "zwei verschiedene Beiträge"),
        ({"action": "explode"}, "Unbekannte Entscheidung."),
    ]
    for data, message in cases:
        r = c.post(url(phase), data)
        page = r.content.decode()
        assert r.status_code == 400, data
        assert 'id="refusal"' in page and message in page.replace("&quot;", '"'), (data, message, page[page.find("refusal"):][:400])
    assert checksum() == before


def test_who_may_decide(phase, ideas):
    planner = client_for(member(phase.concept, "planner"))
    planner.get(url(phase))
    buses = group_of(ideas["buses"][0])
    reviewer = client_for(member(phase.concept, "reviewer"))
    stranger = client_for(member(ConceptFactory(), "planner"))
    before = checksum()
    assert Client().get(url(phase)).status_code == 302  # to the sign-in
    assert reviewer.get(url(phase)).status_code == 403
    assert reviewer.post(url(phase), {"action": "rename", "group": buses.pk, "name": "X"}).status_code == 403
    assert stranger.post(url(phase), {"action": "rename", "group": buses.pk, "name": "X"}).status_code == 403
    assert checksum() == before
    assert planner.get(url(phase).replace(str(phase.pk), str(phase.pk + 1000))).status_code == 404


def test_the_page_in_english(phase, ideas):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(member(phase.concept, "moderator"))
    c.get(url(phase))
    r = c.post(url(phase), {"action": "rename", "group": group_of(ideas["buses"][0]).pk, "name": ""})
    page = r.content.decode()
    assert r.status_code == 400 and "Please give the group a name." in page
    assert "Evaluation: groups" in page and "2 groups" in page and "Characteristic words:" in page


def test_each_group_and_theme_in_the_citizens_own_words(phase, ideas, citizen):
    from isek.participation.models import Support, ThemeReview

    bus = ideas["buses"][0]
    Idea.objects.filter(pk=bus.pk).update(answer="Wir prüfen den Takt.")
    Support.objects.create(idea=bus, phase=phase, contributor=citizen)
    mobility = phase.themes.get(name_de="Mobilität")
    ThemeReview.objects.create(idea=bus, theme=mobility, by_name="petra", at=timezone.now())
    c = client_for(member(phase.concept, "planner"))
    page = c.get(url(phase)).content.decode()
    buses = section(page, group_of(bus))
    assert "5 Beiträge, 5 mit Ort · 1 Unterstützung · 1 von der Stadt beantwortet" in buses
    quotes = re.findall(r'<q>(.*?)</q> – <a class="kern-link" href="[^"]*/ideas/(\d+)/">I-(\d+)</a>', buses)
    assert len(quotes) == 3 and len({pk for _, pk, _ in quotes}) == 3
    for sentence, pk, number in quotes:
        quoted = Idea.objects.get(pk=int(pk))
        assert sentence in f"{quoted.title}\n{quoted.text}" and quoted.number == int(number)  # as written
        assert quoted in ideas["buses"]
    themes = page.split('id="themes-heading"')[1]
    m = re.search(rf'data-theme-summary="{mobility.pk}".*?</section>', themes, re.S)
    assert m and "1 Beitrag, 1 mit Ort" in m.group(0) and f"/ideas/{bus.pk}/" in m.group(0)  # the confirmed theme
    assert "9 Beiträge, 9 mit Ort" in themes


def test_a_phase_without_ideas_or_with_one(phase, citizen):
    c = client_for(member(phase.concept, "planner"))
    page = c.get(url(phase)).content.decode()
    assert "0 Gruppen" in page and "Keine offenen Vorschläge." in page and not IdeaGroup.objects.exists()
    assert c.post(url(phase), {"action": "recompute"}).status_code == 302
    only = idea(phase, citizen, title="Bänke", text="Mehr Bänke auf dem Platz, bitte schnell.")
    page = c.get(url(phase)).content.decode()
    assert "1 Gruppe" in page and group_of(only).members.count() == 1


def test_groups_without_any_place_say_so_instead_of_an_empty_map(phase, ideas):
    """Walk 24: groups whose ideas have no place left the map empty without a word; fix24e: the map
    still showed the city's box – now the page says so in its place, and shows no map."""
    Idea.objects.filter(phase=phase).update(geometry=None)
    page = client_for(member(phase.concept, "planner")).get(url(phase)).content.decode()
    assert "2 Gruppen" in page and 'id="groups-no-place"' in page and "Keiner der Beiträge hat einen Ort" in page
    assert 'id="groups-map"' not in page


def test_a_decision_opens_the_page_at_the_changed_group_with_its_message_and_duplicates_are_listed(phase, ideas, citizen):
    """Walk 24: rename, merge, split said nothing where the planner was (only "Letzte
    Entscheidungen" at the bottom), duplicate decisions were not among them, and each member's link
    "öffnen" read like the state "offen"."""
    c = client_for(member(phase.concept, "planner", "petra"))
    c.get(url(phase))
    benches, buses = group_of(ideas["benches"][0]), group_of(ideas["buses"][0])
    r = c.post(url(phase), {"action": "move", "group": buses.pk, "ideas": [ideas["buses"][0].pk], "to": "new",
                            "name": "Takt"})
    split = group_of(ideas["buses"][0])
    assert r.status_code == 302 and r["Location"].endswith(f"/groups/#group-{split.pk}")
    page = c.get(r["Location"]).content.decode()
    top = re.search(r'<div class="isek-messages">.*?</div>\s*</div>', page, re.S).group(0)
    assert "geteilt" in top and "„Takt“" in top  # at the top, by the messages framework
    at = section(page, split)
    assert 'id="group-changed"' in at and "geteilt" in at.split('id="group-changed"')[1][:300]
    assert page.count('id="group-changed"') == 1
    assert "Beitrag ansehen" in at and ">öffnen<" not in page
    r = c.post(url(phase), {"action": "merge", "group": split.pk, "into": buses.pk})
    assert r["Location"].endswith(f"#group-{buses.pk}")
    assert 'id="group-changed"' in section(c.get(r["Location"]).content.decode(), buses)
    assert c.get(url(phase)).content.decode().count('id="group-changed"') == 0  # once, after the decision
    copy = idea(phase, citizen, title="Bänke", text=COPY)
    c.get(url(phase))
    r = c.post(url(phase), {"action": "duplicate", "a": ideas["benches"][0].pk, "b": copy.pk})
    assert r["Location"].endswith("#duplicates-heading")
    page = c.get(r["Location"]).content.decode()
    latest = re.search(r'<ul class="kern-body" id="group-decisions">(.*?)</ul>', page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", latest, re.S)
    assert f"I-{copy.number} ist ein Duplikat von I-{ideas['benches'][0].number}." in items[0] and len(items) == 3
    assert "zusammengelegt" in items[1] and "geteilt" in items[2]
    assert benches.pk != buses.pk


def writes_of(c: Client, path: str) -> tuple[str, list[str]]:
    """The page at ``path`` and the SQL statements its GET wrote (the test client's session aside)."""
    with CaptureQueriesContext(connection) as queries:
        r = c.get(path)
    assert r.status_code == 200
    page = r.content.decode() if r["Content-Type"].startswith("text/html") else ""
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))
              and "django_session" not in q["sql"]]
    return page, writes


def test_fix24c_the_reports_get_writes_nothing_and_says_how_many_came_since_the_grouping(phase, ideas, citizen):
    """Second reading of session 32: the evaluation report's GET computed the groups again when
    contributions had come or gone – a write in a GET. It shows the stored groups, says how many
    came since, and grouping again is a POST (for whoever may decide)."""
    report = url(phase).replace("/groups/", "/report/")
    c = client_for(member(phase.concept, "planner", "petra"))
    page, writes = writes_of(c, report)  # never grouped
    assert writes == [] and not IdeaGroup.objects.exists()
    assert "10 Beiträge seit der letzten Gruppierung hinzugekommen – neu gruppieren." in page
    c.get(url(phase))  # the groups page computes them
    grouped = IdeaGroup.objects.count()
    late = idea(phase, citizen, title="Noch mehr Bänke", text="Noch mehr Bänke zum Sitzen auf dem Platz")
    page, writes = writes_of(c, report)
    assert writes == [], writes
    _page, writes = writes_of(c, report[:-1] + ".xlsx")
    assert writes == [], writes
    assert "1 Beitrag seit der letzten Gruppierung hinzugekommen – neu gruppieren." in page and 'id="report-regroup"' in page
    assert not GroupMember.objects.filter(idea=late).exists() and IdeaGroup.objects.count() == grouped
    assert re.search(rf'<tr data-line="{late.pk}">.*?<td>–</td></tr>', page, re.S)  # in no group yet
    reviewer = client_for(member(phase.concept, "reviewer"))
    assert reviewer.post(report, {"action": "regroup"}).status_code == 403
    assert not GroupMember.objects.filter(idea=late).exists()
    r = c.post(report, {"action": "regroup"})
    assert r.status_code == 302 and r["Location"].endswith("/report/#groups-heading")
    assert GroupMember.objects.filter(idea=late).exists()
    assert "seit der letzten Gruppierung" not in c.get(report).content.decode()


def test_fix24c_a_catch_all_group_is_called_verschiedenes_with_its_count_until_the_planner_names_it(phase, ideas):
    """A group isek finds too mixed for a name from its words (``IdeaGroup.mixed``, from the engine's
    catch-all test) is "Verschiedenes (n Beiträge)" on the groups page and in the report, in English
    "Miscellaneous (n contributions)"; the planner's name wins; a decision names it as the page did."""
    planner = member(phase.concept, "planner", "petra")
    c = client_for(planner)
    c.get(url(phase))
    buses = group_of(ideas["buses"][0])
    IdeaGroup.objects.filter(pk=buses.pk).update(mixed=True, proposed_name="")
    page = c.get(url(phase)).content.decode()
    # the heading gives the count once, the rename field none (fix24d: "Verschiedenes (76 Beiträge) (76 Beiträge)")
    assert "<span data-group-name>Verschiedenes</span> (5 Beiträge)</h3>" in section(page, buses)
    assert f'id="group-{buses.pk}-name" value=""' in section(page, buses)
    english = c.get(url(phase), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<span data-group-name>Miscellaneous</span> (5 contributions)</h3>" in section(english, buses)
    with translation.override("de"):
        report = services.evaluation_report(planner, phase.concept, phase)
    assert "Verschiedenes (5 Beiträge)" in [g.name for g in report.groups]
    moved = ideas["buses"][0]
    c.post(url(phase), {"action": "move", "group": buses.pk, "ideas": [moved.pk], "to": "new", "name": "Busse"})
    assert GroupDecision.objects.get().summary.startswith("Gruppe „Verschiedenes (5 Beiträge)“ geteilt")
    assert "<span data-group-name>Verschiedenes</span> (4 Beiträge)</h3>" in section(c.get(url(phase)).content.decode(), buses)
    services.rename_group(planner, phase.concept, phase, buses.pk, "Busverkehr")
    assert IdeaGroup.objects.get(pk=buses.pk).title == "Busverkehr"


def test_fix24d_a_group_decision_is_said_in_the_readers_language(phase, ideas):
    """Walk: decisions taken in German were German sentences on the English page, PDF and XLSX."""
    planner = member(phase.concept, "planner", "petra")
    c = client_for(planner)
    c.get(url(phase))
    buses = group_of(ideas["buses"][0])
    c.post(url(phase), {"action": "rename", "group": buses.pk, "name": "Busse"})
    decision = GroupDecision.objects.get()
    assert decision.summary.endswith("heißt jetzt „Busse“.") and decision.params["b"] == "Busse"
    assert "heißt jetzt „Busse“." in section(c.get(url(phase)).content.decode(), buses)  # and the message is read
    english = section(c.get(url(phase), HTTP_ACCEPT_LANGUAGE="en").content.decode(), buses)
    assert "is now called “Busse”." in english and "heißt jetzt" not in english
    with translation.override("en"):
        assert decision.text.endswith("is now called “Busse”.")
        report = services.evaluation_report(planner, phase.concept, phase)
        assert [d.text for g in report.groups for d in g.decisions] == [decision.text]
    # a decision stored before (no params) is said as it was stored
    GroupDecision.objects.filter(pk=decision.pk).update(params={})
    decision.refresh_from_db()
    with translation.override("en"):
        assert decision.text == decision.summary
