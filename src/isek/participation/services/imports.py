"""Contributions from other platforms and files into a phase (issue 24, decision 0049): the plan
(nothing written; every problem at its row and column) and the import – all of it or nothing.
Imported ideas wait for the moderators (never public before a decision), carry their source,
licence, original address and key; a second import of the same file finds every key and changes
nothing. Reading and checking is ``participation.importing``."""

from __future__ import annotations

from pathlib import Path

from django.db import IntegrityError
from django.utils.translation import gettext as _

from isek import access
from isek.core import versions
from isek.core.audit import change
from isek.core.problems import InputError, Problem, gettext_noop

from .. import importing
from ..models import Decision, Idea, ImportSource, Phase, Status, Theme, next_number
from .phase import _theme_colours

BATCH = 1000


def plan_import(user, phase: Phase, path: Path, filename: str | None = None,
                mapping: importing.Mapping | None = None, defaults: importing.Mapping | None = None) -> importing.Plan:
    """What importing the file at ``path`` into ``phase`` would do (nothing is written): the
    contributions it would add and those imported before, new themes, every problem at its row
    and column. Without ``mapping`` one guessed from the headers (``defaults``: licence, credit,
    theme)."""
    access.require(user, "participation", "import", phase.concept)
    filename = filename or Path(path).name
    source = importing.read(path, filename)
    if mapping is None:
        before = phase.import_sources.filter(filename=filename).order_by("-pk").first()
        if before is not None and defaults is None:  # the same file again: as it was imported
            defaults = importing.Mapping(licence=before.licence, credit=before.credit)
        mapping = importing.guess_mapping(source, filename, defaults)
        if before is not None:
            mapping.source = before.name
        themes = list(phase.themes.all()[:2])
        if "theme" not in mapping.columns and not mapping.default_theme and len(themes) == 1:
            mapping.default_theme = themes[0].name_de  # the phase's only theme
    plan = importing.plan(phase, source, mapping)
    plan.filename = filename
    return plan


def _fallback(plan: importing.Plan) -> str | None:
    """The theme (name) the plan gave rows without one, if no row named it itself: those rows got it
    as a fallback, not by the citizen's choice (decision 0068). A fallback some rows also name is
    left unmarked (the plan does not say which rows named it)."""
    name = plan.mapping.default_theme
    if not name or name == importing.SUGGEST:
        return None
    key = importing.theme_key(name)
    named = {importing.theme_key(theme) for theme, n in plan.theme_values.values() if n}
    named |= {importing.theme_key(column) for column, n in plan.column_counts.items() if n}
    if key in named:
        return None
    return next((p.theme for p in plan.items if importing.theme_key(p.theme) == key), None)


def commit_import(user, phase: Phase, plan: importing.Plan, *, via: str = "import") -> dict[str, int]:
    """Write ``plan`` into ``phase`` in one transaction: its source, new themes, and each new
    contribution as a pending idea (logged as imported by ``user``). A plan with problems is
    refused. Returns the plan's counts."""
    access.require(user, "participation", "import", phase.concept)
    if plan.problems:
        raise InputError(plan.problems)
    m = plan.mapping
    try:
        with change(user, via):
            wanted_source = {"licence": m.licence.strip(), "credit": m.credit.strip(), "filename": plan.filename[:255]}
            source, created = ImportSource.objects.get_or_create(phase=phase, name=m.source.strip(), defaults=wanted_source)
            if not created and any(getattr(source, k) != v for k, v in wanted_source.items()):
                for k, v in wanted_source.items():
                    setattr(source, k, v)
                source.save()
            there = set(Idea.objects.filter(phase=phase, source_key__in=[p.key for p in plan.items])
                        .values_list("source_key", flat=True))
            # a row planned as imported before is not checked (decision 0069): never created here
            new = [p for p in plan.items if p.action == "create" and p.key not in there]
            themes = {t.name_de: t for t in phase.themes.all()}
            wanted = [name for name in plan.new_themes if name not in themes and any(p.theme == name for p in new)]
            if wanted:
                order = max([t.order for t in themes.values()], default=-1) + 1
                existing = [(t.name_de, t.name_en, t.colour) for t in themes.values()]
                coloured = _theme_colours(existing + [(name, "", "") for name in wanted])[len(existing):]
                for i, (name, _en, colour) in enumerate(coloured):
                    themes[name] = Theme.objects.create(phase=phase, name_de=name, colour=colour, order=order + i)
            number = next_number(Idea, phase.concept_id)
            fallback = _fallback(plan)
            ideas = []
            for p in new:
                # no theme: the import chose "ohne Thema (isek schlägt vor)" for rows without one (minor24)
                ideas.append(Idea(phase=phase, concept_id=phase.concept_id, number=number, theme=themes.get(p.theme),
                                  theme_fallback=p.theme == fallback or not p.theme,
                                  title=p.title, text=p.text, author_name=p.author, geometry=p.geometry,
                                  status=Status.PENDING, reviewed=False, source=source, source_url=p.url,
                                  source_key=p.key, source_date=p.date))
                number += 1
            Idea.objects.bulk_create(ideas, batch_size=BATCH)
            stored = dict(Idea.objects.filter(phase=phase, source_key__in=[i.source_key for i in ideas])
                          .values_list("source_key", "pk"))
            actor = user.get_username()
            moderator = user if getattr(user, "pk", None) else None
            Decision.objects.bulk_create(
                [Decision(phase=phase, kind="idea", object_id=stored[i.source_key], number=i.number,
                          action=Decision.Action.IMPORT, text=source.name, moderator=moderator, actor=actor)
                 for i in ideas], batch_size=BATCH)
            if wanted:
                versions.bump(phase.concept_id)  # the phase's themes changed
    except IntegrityError:
        raise InputError([Problem(gettext_noop("Während des Imports kamen andere Beiträge hinzu; es wurde nichts "
                                               "gespeichert. Bitte erneut importieren."))]) from None
    counts = plan.counts
    counts["create"], counts["unchanged"] = len(new), len(plan.items) - len(new)
    counts["themes"] = len(wanted)
    return counts


def import_sources(user, phase: Phase) -> list[ImportSource]:
    """The sources of the phase's imported contributions (for the moderators' page)."""
    access.require(user, "moderation", "view", phase.concept)
    return list(phase.import_sources.all())


def shown_problems(problems: list[Problem]) -> list[Problem]:
    """The problems as the import page lists them: the whole file's first, then by row, at most
    ``importing.SHOWN`` and a line "… und N weitere" (walk 24)."""
    return importing.capped(problems)


def summary(counts: dict[str, int], plan: importing.Plan | None = None) -> str:
    """What an import did (or would do), in the active language; with ``plan``, also how many
    contributions had several themes and which column's each took (fix24c)."""
    said = _("%(create)s Beiträge neu (davon %(located)s mit Ort), %(unchanged)s schon importiert (bleiben, wie sie "
             "sind); %(themes)s Themen neu angelegt.") % counts
    several = plan.several_problem if plan is not None else None
    return f"{said} {several.render(_)}" if several is not None else said
