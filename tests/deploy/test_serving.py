"""isek's gunicorn (isek.deploy.serving): each worker, once started, loads its URL configuration and
freezes what it holds out of the garbage collector (decision 0103: a full collection of a worker's
~175,000 objects stopped its threads for 80–140 ms of CPU – the tail of the signed-in pages)."""

from __future__ import annotations

import gc

import pytest
from django.urls import get_resolver
from gunicorn.app.base import BaseApplication

from isek.deploy import serving

pytestmark = pytest.mark.database_independent


def test_each_worker_settles_after_loading_the_application(monkeypatch):
    hooks = []
    monkeypatch.setattr(BaseApplication, "run", lambda app: hooks.append(app.cfg.post_worker_init))
    settled = []
    monkeypatch.setattr(serving, "settle", lambda: settled.append(True))
    serving.serve("127.0.0.1", 8001, 2)
    assert len(hooks) == 1 and not settled  # nothing settles in the master
    hooks[0](object())  # gunicorn calls it with the worker, after its application was loaded
    assert settled == [True]


def test_settling_loads_the_urls_then_collects_and_freezes(monkeypatch):
    resolver = get_resolver()
    monkeypatch.setattr(resolver, "_reverse_dict", {})  # as in a worker before its first request
    monkeypatch.setattr(resolver, "_populated", False)
    steps = []
    monkeypatch.setattr(gc, "collect", lambda *a: steps.append(("collect", bool(resolver._reverse_dict))) or 0)
    monkeypatch.setattr(gc, "freeze", lambda: steps.append(("freeze", bool(resolver._reverse_dict))))
    serving.settle()
    assert steps == [("collect", True), ("freeze", True)]
