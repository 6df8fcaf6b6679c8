"""Rate counts (core.throttle): the rows of ended windows are removed as new ones come, whatever
the length of the windows (found by a flaky supports test: a one-minute count's clean-up removed
the hour's count of the confirmation mails, so a second mail went out)."""

from __future__ import annotations

import pytest

from isek.core import throttle
from isek.core.models import RateCount


@pytest.mark.django_db
def test_the_clean_up_after_a_short_window_keeps_the_counts_of_longer_windows(monkeypatch):
    assert throttle.hit("mail:x", 3600) == 1
    assert throttle.hit("burst:x", 600) == 1
    monkeypatch.setattr(throttle, "PURGE_CHANCE", 1.0)  # every hit cleans up
    assert throttle.hit("login:x", 60) == 1
    assert throttle.hit("mail:x", 3600) == 2 and throttle.count("mail:x", 3600) == 2
    assert throttle.hit("burst:x", 600) == 2


@pytest.mark.django_db
def test_the_clean_up_removes_what_has_ended(monkeypatch):
    RateCount.objects.create(key="old:x:1", window=1, count=7)  # a window that ended long ago
    monkeypatch.setattr(throttle, "PURGE_CHANCE", 1.0)
    throttle.hit("new:x", 60)
    assert not RateCount.objects.filter(key="old:x:1").exists()
    assert RateCount.objects.filter(key__startswith="new:x:").exists()


@pytest.mark.django_db
def test_a_burst_across_a_windows_end_is_counted_whole(monkeypatch):
    """Five requests just before a ten-minute mark and two just after: the count over the last ten
    minutes, not the new window's alone (a fixed window let the burst through twice)."""
    mark = 1_800_000_000  # a multiple of 600
    monkeypatch.setattr(throttle.time, "time", lambda: mark - 1.0)
    assert [throttle.hit("burst:y", 600) for _n in range(5)] == [1, 2, 3, 4, 5]
    monkeypatch.setattr(throttle.time, "time", lambda: mark + 1.0)
    assert throttle.hit("burst:y", 600) == 1 + 4 and throttle.count("burst:y", 600) == 5  # 5 × 599/600, floored
    monkeypatch.setattr(throttle.time, "time", lambda: mark + 300.0)  # half the window on: half of the old five
    assert throttle.count("burst:y", 600) == 1 + 2
    monkeypatch.setattr(throttle.time, "time", lambda: mark + 600.0)  # a window on: the five no longer count,
    assert throttle.count("burst:y", 600) == 1 and throttle.hit("burst:y", 600) == 1 + 1  # the one after the mark does
