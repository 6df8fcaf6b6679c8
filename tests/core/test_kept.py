"""core.kept: least recently used go first, by entries and by bytes; a replaced entry's bytes are
not counted twice; one too large is not kept; every one of the process can be emptied at once."""

import pytest

from isek.core import kept
from isek.core.kept import Kept

pytestmark = pytest.mark.database_independent


def test_entries_bound_drops_the_least_recently_used():
    k = Kept(max_items=2)
    k.put("a", 1)
    k.put("b", 2)
    assert k.get("a") == 1  # now a is recent
    k.put("c", 3)
    assert k.get("b") is None and k.get("a") == 1 and k.get("c") == 3


def test_bytes_bound_and_replacing():
    k = Kept(max_items=100, max_bytes=100)
    for _n in range(4):
        k.put("same", b"x" * 20, 20)  # replaced, not added up
    k.put("b", b"y" * 20, 20)
    k.put("c", b"z" * 20, 20)
    k.put("d", b"w" * 20, 20)
    assert k.get("same") is not None  # 80 bytes kept: nothing had to go
    k.put("e", b"v" * 25, 25)  # 105 > 100: the least recently used goes
    assert k.get("b") is None and k.get("e") is not None
    k.put("big", b"!" * 26, 26)  # above a quarter of the bound
    assert k.get("big") is None
    k.clear()
    assert k.get("e") is None


def test_forget_everything_empties_every_kept_of_the_process():
    """What tests/conftest.py does before each test: nothing an earlier test built is answered."""
    first, second = Kept(max_items=2), Kept(max_items=2, max_bytes=100)
    first.put("a", 1)
    second.put("b", b"x", 1)
    kept.forget_everything()
    assert first.get("a") is None and second.get("b") is None
    second.put("b", b"y", 1)
    assert second.get("b") == b"y"
