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
