"""Near-duplicate proposals (isek.participation.evaluation.duplicates): copies with typos,
re-ordered or cut off are proposed, different ideas and the same idea far away are not."""

import pytest

from isek.participation.evaluation import Contribution, EvaluationError
from isek.participation.evaluation.duplicates import distance_m, near_duplicates

pytestmark = pytest.mark.database_independent

IDEA = ("Der Radweg an der Venloer Straße ist viel zu schmal. Autos parken ständig darauf. "
        "Bitte einen breiten, geschützten Radfahrstreifen anlegen.")
OTHER = "Am Bahnhof Ehrenfeld fehlen überdachte Fahrradständer, alle Bügel sind morgens belegt."
HERE = (6.9125, 50.9414)


def ids(pairs):
    return {frozenset((p.a, p.b)) for p in pairs}


def test_copies_with_typos_reordered_or_cut_off_are_proposed():
    cs = [Contribution("orig", IDEA), Contribution("other", OTHER),
          Contribution("typos", IDEA.replace("schmal", "shcmal").replace("ständig", "stänidg")),
          Contribution("reordered", " ".join(reversed(IDEA.split(". ")))),
          Contribution("cut", IDEA[: int(len(IDEA) * 0.6)])]
    pairs = near_duplicates(cs)
    found = ids(pairs)
    for copy in ("typos", "reordered", "cut"):
        assert frozenset(("orig", copy)) in found
    assert not any("other" in pair for pair in found)
    assert pairs == sorted(pairs, key=lambda p: -p.similarity) and all(0.5 <= p.similarity <= 1 for p in pairs)


def test_the_same_words_far_apart_are_not_a_duplicate():
    near = (HERE[0] + 0.0005, HERE[1])  # about 35 m east
    far = (HERE[0] + 0.03, HERE[1])  # about 2 km east
    cs = [Contribution("a", IDEA, HERE), Contribution("b", IDEA, near), Contribution("c", IDEA, far),
          Contribution("d", IDEA)]  # without a point: the text decides
    pairs = {frozenset((p.a, p.b)): p for p in near_duplicates(cs, max_distance_m=200)}
    assert set(pairs) == {frozenset("ab"), frozenset("ad"), frozenset("bd"), frozenset("cd")}
    assert 30 < pairs[frozenset("ab")].distance_m < 40 and pairs[frozenset("ad")].distance_m is None
    assert 2000 < distance_m(HERE, far) < 2200


def test_nothing_to_compare_and_bad_input():
    assert near_duplicates([Contribution("a", IDEA)]) == []
    assert near_duplicates([Contribution("a", ""), Contribution("b", " ")]) == []
    with pytest.raises(EvaluationError, match="mehrfach"):
        near_duplicates([Contribution("a", IDEA), Contribution("a", OTHER)])
