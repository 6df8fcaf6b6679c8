"""Roll-up rules: weights, children without weight, cancelled measures, 100 % only when all are done."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isek.monitoring.rollup import BELOW_DONE, Item, roll

pytestmark = pytest.mark.database_independent

progress = st.integers(0, 100).map(D)
weight = st.one_of(st.none(), st.just(D(0)), st.integers(1, 10**8).map(D))
items = st.lists(st.builds(Item, key=st.text(min_size=1, max_size=3), label=st.just("m"), progress=progress,
                           weight=weight, cancelled=st.booleans()), max_size=12)


def test_weighted_mean_with_explicit_weights():
    node = roll("f", "F", [Item("a", "A", D(100), D(3)), Item("b", "B", D(0), D(1))])
    assert node.progress == D(75)
    assert node.weight == D(4)


def test_children_without_weight_make_the_parent_not_measurable():
    node = roll("f", "F", [Item("a", "A", D(100), None), Item("b", "B", D(0), D(0))])
    assert node.progress is None and not node.measurable
    assert [c.key for c in node.unweighted] == ["a", "b"]
    assert roll("f", "F", []).progress is None


def test_cancelled_measures_leave_the_rollup_and_are_listed():
    node = roll("f", "F", [Item("a", "A", D(50), D(1)), Item("x", "X", D(0), D(100), cancelled=True)])
    assert node.progress == D(50)
    assert [c.key for c in node.dropped] == ["x"]
    only_cancelled = roll("f", "F", [Item("x", "X", D(100), D(1), cancelled=True)])
    assert only_cancelled.progress is None and not only_cancelled.done


def test_not_100_while_an_unweighted_measure_is_open():
    node = roll("f", "F", [Item("a", "A", D(100), D(5)), Item("b", "B", D(20), None)])
    assert node.progress == BELOW_DONE
    assert not node.done


def test_display_rounds_down_and_open_work_stays_below_100():
    nearly = roll("f", "F", [Item("a", "A", D(100), D(9999)), Item("b", "B", D(99), D(1))])  # 99.9999 %
    assert nearly.progress == BELOW_DONE and nearly.shown == D("99.9")
    two_thirds = roll("f", "F", [Item("a", "A", D(100), D(2)), Item("b", "B", D(0), D(1))])
    assert two_thirds.shown == D("66.6")


def test_nested_fields_weigh_with_their_counted_weights():
    f1 = roll("1", "F1", [Item("a", "A", D(100), D(300))])
    f2 = roll("2", "F2", [Item("b", "B", D(0), D(100)), Item("c", "C", D(0), None)])
    f3 = roll("3", "F3", [Item("d", "D", D(40), None)])  # not measurable: left out, listed
    concept = roll("c", "C", [f1, f2, f3])
    assert concept.progress == D(75)
    assert [n.key for n in concept.unweighted] == ["3"]


@given(items)
def test_properties(children):
    node = roll("f", "F", children)
    active = [c for c in children if not c.cancelled]
    counted = [c for c in active if c.weight]
    if not counted:
        assert node.progress is None
        return
    assert node.progress is not None
    lo, hi = min(c.progress for c in counted), max(c.progress for c in counted)
    assert min(lo, BELOW_DONE) <= node.progress <= hi
    # 100 % exactly when every measure that is not cancelled is done.
    assert (node.progress == 100) == all(c.progress == 100 for c in active)
    assert node.done == all(c.progress == 100 for c in active)
    assert {c.key for c in node.dropped} <= {c.key for c in children if c.cancelled}
