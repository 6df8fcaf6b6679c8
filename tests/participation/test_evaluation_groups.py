"""Groups of similar contributions (isek.participation.evaluation.groups): by text, split by place
where the same words lie far apart, named by their characteristic words, the same for the same
input, and the planner's decisions kept when computed again."""

import pytest

from isek.participation.evaluation import Contribution, EvaluationError
from isek.participation.evaluation.groups import group_contributions

pytestmark = pytest.mark.database_independent

BENCHES = ["Mehr Bänke zum Sitzen auf dem Platz", "Bänke und Schatten auf dem Platz", "Der Platz braucht Bänke",
           "Sitzbänke am Platz fehlen, bitte Bänke", "Ein schöner Platz mit Bänken"]
BUSES = ["Der Bus fährt zu selten zur Haltestelle", "Busse öfter an der Haltestelle", "Neue Buslinie mit Haltestelle",
         "Haltestelle des Busses barrierefrei umbauen", "Bus und Haltestelle näher"]
HERE, FAR = (6.9125, 50.9414), (6.9725, 50.9414)  # about 4 km apart


def corpus():
    return ([Contribution(f"b{i}", t) for i, t in enumerate(BENCHES)]
            + [Contribution(f"u{i}", t) for i, t in enumerate(BUSES)])


def by_member(groups):
    return {m: g for g in groups for m in g.members}


def test_similar_texts_share_a_group_named_by_their_words():
    groups = group_contributions(corpus(), k=2)
    assert sorted(len(g.members) for g in groups) == [5, 5]
    found = by_member(groups)
    benches, buses = found["b0"], found["u0"]
    assert set(benches.members) == {f"b{i}" for i in range(5)} and set(buses.members) == {f"u{i}" for i in range(5)}
    assert "Haltestelle" in buses.words[:3] and buses.name == ", ".join(buses.words[:3])
    assert any(w.startswith("Bänk") for w in benches.words[:3])
    assert all(g.key is None for g in groups)
    assert group_contributions(corpus(), k=2) == groups  # deterministic


def test_the_same_words_far_apart_are_two_groups():
    cs = ([Contribution(f"h{i}", BENCHES[i % 5], (HERE[0] + i * 0.0002, HERE[1])) for i in range(6)]
          + [Contribution(f"f{i}", BENCHES[i % 5], (FAR[0] + i * 0.0002, FAR[1])) for i in range(6)]
          + [Contribution("nowhere", BENCHES[0])])
    groups = group_contributions(cs, k=1, min_place=5, radius_m=1000)
    assert sorted(len(g.members) for g in groups) == [6, 7]
    found = by_member(groups)
    assert found["h0"] is not found["f0"] and len(found["nowhere"].members) == 7  # without a point: the larger part


def test_the_planners_groups_stay_and_take_new_similar_contributions():
    cs = corpus()
    # the planner put the bench ideas into her group "sitzen" and one bus idea into "benches" too
    fixed = {**{f"b{i}": "sitzen" for i in range(4)}, "u4": "sitzen"}
    groups = group_contributions(cs, k=2, fixed=fixed)
    found = by_member(groups)
    assert found["b0"].key == "sitzen" and set(found["b0"].members) == {"b0", "b1", "b2", "b3", "b4", "u4"}
    assert found["u0"].key is None and "u4" not in found["u0"].members


def test_bad_input_is_refused_with_a_message():
    with pytest.raises(EvaluationError, match="mehrfach"):
        group_contributions([Contribution("a", "x"), Contribution("a", "y")])
    with pytest.raises(EvaluationError, match="gibt es in dieser Auswertung nicht: zz"):
        group_contributions(corpus(), fixed={"zz": "g"})
    assert group_contributions([]) == []
    only = group_contributions([Contribution("a", ""), Contribution("b", "!!")])
    assert [set(g.members) for g in only] == [{"a", "b"}] and only[0].name == ""


def test_names_fold_case_and_keep_gendered_forms_whole():
    """Walk 24: "Verkehr" and "verkehr" (two lemmas for simplemma) were both in a name, and
    "Bürger*innen" gave the word "innen"."""
    traffic = ["Zu viel Verkehr für die Anwohner:innen", "Der Verkehr stört die Bürger*innen", "viel verkehr nachts",
               "Verkehr beruhigen für Anwohner:innen", "Weniger Verkehr, sagen die Bürger*innen"]
    cs = corpus() + [Contribution(f"v{i}", t) for i, t in enumerate(traffic)]
    groups = group_contributions(cs, k=3)
    words = by_member(groups)["v0"].words
    assert "Verkehr" in words[:3]  # the spelling written most often
    folded = [w.casefold() for w in words]
    assert len(folded) == len(set(folded)), words
    assert not any(p == "innen" for w in words for p in w.casefold().split()), words
    assert {"Anwohner:innen", "Bürger*innen"} & set(words), words


def test_names_leave_out_anonymisation_placeholders_and_pieces_of_addresses():
    """minor24: a group's name was proposed as "Name, entfernt, …" and "http, www, de" (the corpora's
    "[Name entfernt]" and links in the text)."""
    trees = ["[Name entfernt] wünscht mehr Bäume https://www.hamburg.de/baeume.html",
             "Bäume pflanzen, sagt xxx, siehe http://www.koeln.de/gruen.html", "[Name entfernt]: Bäume fehlen xxx",
             "Mehr Bäume [entfernt] www.stadt.de", "Bäume statt Beton, [Name entfernt] http://www.bund.de/a.html"]
    cs = corpus() + [Contribution(f"t{i}", t) for i, t in enumerate(trees)]
    words = by_member(group_contributions(cs, k=3))["t0"].words
    assert any(w.startswith("Bäum") for w in words), words
    parts = {p.casefold() for w in words for p in w.split()}
    assert not parts & {"name", "entfernt", "xxx", "http", "https", "www", "de", "html"}, words



def test_fix24c_a_catch_all_group_gets_no_name_from_its_words_on_ottensen():
    """Walk 24: a group of Ottensen's contributions that have little in common was named by words
    ("Stadtteil, Ottensen, Busse") that claim a topic it does not have. A group of at least
    MIXED_MIN whose pairs are on average hardly more alike than any two of the phase is ``mixed``:
    no name from its words (the pages say "Verschiedenes (n Beiträge)"; Köln has none, decision 0081)."""
    import numpy as np
    from sklearn.preprocessing import normalize

    from isek.participation.evaluation import corpora
    from isek.participation.evaluation.groups import MIXED_MIN, MIXED_RATIO
    from isek.participation.evaluation.themes import _Features
    from tests.data import data_dir

    cs = corpora.read_ottensen(data_dir("participation") / corpora.OTTENSEN)[0]
    groups = group_contributions(cs)
    X = normalize(_Features([c.text for c in cs], char_weight=1.0, word_weight=0.3).X)
    sims = (X @ X.T).toarray()
    index = {c.id: i for i, c in enumerate(cs)}

    def mean_pair(rows):  # the mean cosine of distinct pairs, counted pair by pair
        block = sims[np.ix_(rows, rows)]
        return (block.sum() - np.trace(block)) / (len(rows) * (len(rows) - 1))

    phase = mean_pair(list(range(len(cs))))
    for g in groups:
        rows = [index[m] for m in g.members]
        assert g.mixed == (len(rows) >= MIXED_MIN and mean_pair(rows) <= MIXED_RATIO * phase), (g.words[:3], len(rows))
        assert (g.name == "") == g.mixed and (g.mixed or g.name == ", ".join(g.words[:3]))
    mixed = [g for g in groups if g.mixed]
    assert len(mixed) == 1 and len(mixed[0].members) >= 50, [(len(g.members), g.words[:3]) for g in mixed]
