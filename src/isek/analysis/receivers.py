"""The analysis reacts to other apps: a city's extract cut to a concept's area is analysed."""

from __future__ import annotations

from isek import access


def analyse_cut_extract(sender, concept, path, user=None, **kwargs) -> None:
    from . import services

    services.start_run(user or access.Operator("isek basemap"), concept, extract=str(path))
