"""Participation phases and their themes: which phase is current, what a submission reads of its
concept (kept per process), the planners' set-up, the area and the places inside it."""

from __future__ import annotations

import time

from django.utils import timezone
from django.utils.translation import gettext as _

from isek import access
from isek.concepts.services import Concept
from isek.core import versions
from isek.core.audit import change
from isek.core.rules import invalid
from isek.legal import services as legal

from ..models import Phase, Theme


def phases(user, concept: Concept):
    access.require(user, "participation", "view", concept)
    return concept.phases.prefetch_related("themes")


def current_phase(concept: Concept, now=None) -> Phase | None:
    """The phase open now, else the latest one that has begun, else None."""
    now = now or timezone.now()
    qs = concept.phases.filter(start__lte=now).order_by("-start")
    return qs.filter(end__gt=now).first() or qs.first()


def concepts_with_current_phase(concepts, now=None) -> set[int]:
    """The ids of those of ``concepts`` (a queryset) that have a current phase (one has begun), in one query."""
    now = now or timezone.now()
    return set(Phase.objects.filter(concept__in=concepts, start__lte=now).values_list("concept_id", flat=True))


# What a submission reads of its concept (the concept, the current phase, its themes), kept per
# process while the concept's public tag stays the same and for at most SETTING_SECONDS (which
# phase is current changes with time alone). A crowd of submissions then asks one small statement
# instead of three queries, and a planner's change reaches every process with its next request.
SETTING_SECONDS = 5


_clock = time.monotonic


_settings: dict[str, tuple[str, float, Concept, Phase | None, list[Theme]]] = {}


def submission_setting(slug: str) -> tuple[Concept, Phase | None, list[Theme]] | None:
    """The concept named ``slug``, its current phase and that phase's themes (None: no such
    concept). Callers check access on the concept, as for any other; the objects are shared
    between the requests of a process and are only read."""
    pk, tag = versions.public_tag_by(Concept, "slug", slug)
    if pk is None:
        _settings.pop(slug, None)
        return None
    kept = _settings.get(slug)
    if tag is not None and kept is not None and kept[0] == tag and kept[1] > _clock():
        return kept[2], kept[3], kept[4]
    concept = Concept.objects.select_related("city").filter(pk=pk, slug=slug).first()
    if concept is None:
        return None
    phase = current_phase(concept)
    themes = list(phase.themes.all()) if phase is not None else []
    if tag is not None:
        if len(_settings) > 500:
            _settings.clear()
        _settings[slug] = (tag, _clock() + SETTING_SECONDS, concept, phase, themes)
    return concept, phase, themes


# Colours for themes given without one, in this order, skipping those like a colour other themes of
# the phase have; the last a neutral grey. 24, no two alike (_distance above SIMILAR): a phase of 20
# themes has a key for each (walk 24: from the 13th on the colours came again).
THEME_PALETTE = ("#005ca9", "#2e7d32", "#c62828", "#6a1b9a", "#e65100", "#00838f", "#ad1457", "#5d4037",
                 "#827717", "#283593", "#37474f", "#f9a825", "#7cb342", "#4fc3f7", "#f06292", "#9575cd",
                 "#ff8a65", "#4db6ac", "#a1887f", "#90a4ae", "#1b5e20", "#212121", "#d4e157", "#757575")
SIMILAR = 60  # colours closer than this (_distance) look alike on the map: "#1565c0" and "#005ca9" (53)


def _distance(a: str, b: str) -> float:
    """How different two colours "#rrggbb" look: the "redmean" weighted RGB distance (0 … 765)."""
    (r1, g1, b1), (r2, g2, b2) = ([int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in (a, b))
    r = (r1 + r2) / 2
    return ((2 + r / 256) * (r1 - r2) ** 2 + 4 * (g1 - g2) ** 2 + (2 + (255 - r) / 256) * (b1 - b2) ** 2) ** 0.5


def _theme_colours(themes: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """``themes`` with each missing colour taken from THEME_PALETTE: one that looks like no other
    theme's (walk 9: "#005ca9" beside a typed "#1565c0" was the same blue on the map) – where the
    palette has none left, the one least like them –, and the same for the same list."""
    taken = [colour.lower() for _de, _en, colour in themes if colour]
    out = []
    for de, en, colour in themes:
        if not colour:
            colour = max(THEME_PALETTE, key=lambda c: min([_distance(c, t) for t in taken] + [SIMILAR]))
            taken.append(colour)
        out.append((de, en, colour))
    return out


def save_phase(user, concept: Concept, phase: Phase | None = None, *, themes: list[tuple[str, str, str]] | None = None,
               **fields) -> Phase:
    """Create or change a phase; ``themes`` = [(name_de, name_en, colour)] in order (replaces the
    list; themes that have ideas stay; an empty colour: one of THEME_PALETTE not yet used). Start
    before end; the polygon, if given, must touch the area."""
    access.require(user, "phase", "edit", concept)
    phase = phase or Phase(concept=concept)
    if phase.concept_id != concept.pk:
        raise Phase.DoesNotExist
    now = timezone.now()
    was_collecting = phase.pk is not None and Phase.objects.filter(pk=phase.pk, end__gt=now).exists()
    for k, v in fields.items():
        setattr(phase, k, v)
    if not phase.title_de:
        raise invalid(_("Bitte einen Titel angeben."), "required", "title_de")
    if phase.start and phase.end and phase.end <= phase.start:
        raise invalid(_("Das Ende muss nach dem Beginn liegen."), "period", "end")
    if phase.polygon is None and concept.area is None:
        raise invalid(_("Ohne Fördergebiet braucht die Phase ein eigenes Gebiet für Ideen."), "area", "polygon")
    if not concept.is_public and phase.end and phase.end > now:
        # Citizens would find neither the phase nor the form (404): refused, not published
        # behind the planner's back (decision 0022).
        raise invalid(_("Das Konzept „%(c)s“ ist nicht öffentlich: Bürgerinnen und Bürger könnten diese Beteiligung "
                        "nicht sehen. Bitte zuerst das Konzept veröffentlichen („Konzept bearbeiten“, „öffentlich "
                        "sichtbar“). Eine Phase, die schon vorbei ist, kann auch so erfasst werden.")
                      % {"c": concept.name}, "not_public")
    if phase.end and phase.end > now and not was_collecting and not phase.illustrative:
        # opening a public participation: it collects personal data (decision 0045); the demo's
        # example phase (illustrative, made by its loader) is exempt
        legal.require_for_participation(concept.city, user)
    names = [t[0].strip() for t in themes or []]
    if themes is not None and (not names or any(not n for n in names)):
        raise invalid(_("Eine Phase braucht mindestens ein Thema, jedes mit Namen."), "themes", "themes")
    if len(set(names)) != len(names):
        raise invalid(_("Jedes Thema nur einmal."), "themes", "themes")
    with change(user, "web"):
        phase.save()
        if themes is not None:
            keep = []
            for order, (de, en, colour) in enumerate(_theme_colours(themes)):
                t, _c = Theme.objects.update_or_create(phase=phase, name_de=de.strip(),
                                                       defaults={"name_en": en.strip(), "colour": colour, "order": order})
                keep.append(t.pk)
            for t in phase.themes.exclude(pk__in=keep):
                if not t.ideas.exists():
                    t.delete()
    return phase


def phase_state(concept: Concept) -> str:
    """A short key of what the public pages show of the current phase, part of their cache key:
    which phase, open or not (it opens and closes without a write), and its latest idea and
    support (new ones change the counters and the support numbers without bumping the concept's
    version, so that a crowd of submissions does not queue on one row)."""
    phase = current_phase(concept)
    if phase is None:
        return ""
    last_idea = phase.ideas.order_by("-pk").values_list("pk", flat=True).first()
    last_support = phase.supports.order_by("-pk").values_list("pk", flat=True).first()
    return f"{phase.pk}:{int(phase.is_open())}:{last_idea}:{last_support}"


def phase_summary(concept: Concept) -> dict:
    """For the concept page: the current phase (or None) and whether it is open."""
    phase = current_phase(concept)
    return {"phase": phase, "phase_open": phase is not None and phase.is_open()}


def places(phase: Phase) -> list[tuple[str, str]]:
    """Named places inside the phase's area to put an idea without a mouse: [(GeoJSON point, label)]:
    the middle of the area, each quarter, each located measure."""
    area = phase.area()
    if area is None:
        return []
    out = []

    def add(point, label):
        if point is not None and area.contains(point):
            out.append((point.json, label))

    add(area.point_on_surface, _("Mitte des Gebiets"))
    for q in phase.concept.quarters.order_by("name"):
        add(q.geometry.intersection(area).point_on_surface if q.geometry.intersects(area) else None,
            _("Teilraum %(n)s") % {"n": q.name})
    for m in phase.concept.measures.exclude(geometry=None).order_by("sort_key"):
        add(m.geometry.point_on_surface, _("bei Maßnahme %(n)s %(t)s") % {"n": m.number, "t": m.title})
    return out


def area_features(phase: Phase) -> dict:
    import json

    area = phase.area()
    return {"type": "FeatureCollection", "features": [] if area is None else [
        {"type": "Feature", "geometry": json.loads(area.geojson), "properties": {"name": phase.title_de}}]}
