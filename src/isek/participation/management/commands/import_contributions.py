"""isek import-contributions CONCEPT PHASE FILE [--mapping FILE] [--dry-run]: contributions
collected elsewhere (CSV, XLSX, GeoJSON, the CIMT corpora, Decidim's or CONSUL's export) into a
phase of a concept (``participation.importing``). Prints the mapping and what would be imported;
without --dry-run imports all of it or nothing. PHASE is the phase's id or its German title."""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from isek import access
from isek.concepts import services as concepts
from isek.core import commandline
from isek.participation import services
from isek.participation.importing import Mapping


class Command(BaseCommand):
    help = "Import contributions collected elsewhere into a participation phase (pending until moderated)."

    def add_arguments(self, parser):
        parser.add_argument("concept")
        parser.add_argument("phase", help="the phase's id or German title")
        parser.add_argument("file")
        parser.add_argument("--mapping", help="JSON file: {\"columns\": {target: header}, \"crs\": \"EPSG:25832\", "
                                              "\"source\": \"…\", \"licence\": \"CC BY 4.0\", \"credit\": \"…\", "
                                              "\"default_theme\": \"…\", \"without_bad_places\": false, \"new_themes\": null, "
                                              "\"theme_columns\": [header], \"column_themes\": {header: theme or \"+\"}}; new_themes: "
                                              "unknown theme values become themes (true) or problems (false; null: "
                                              "new themes only if no value is a theme of the phase); targets: "
                                              "external_id, title, text, date, theme, author, url, x, y")
        parser.add_argument("--licence", default="", help="the licence, where no mapping file gives one")
        parser.add_argument("--theme", default="", help="the phase's theme for rows without one, where no mapping file gives "
                                                        "one; \"*\": rows without one stay without a theme, isek suggests one")
        parser.add_argument("--without-bad-places", action="store_true",
                            help="import rows whose place is unusable without a place (else the file is refused)")
        parser.add_argument("--new-themes", action="store_true",
                            help="theme values and yes/no columns naming no theme of the phase become new themes "
                                 "(else problems, unless none names one), where no mapping file says")
        parser.add_argument("--dry-run", action="store_true", help="only show what would happen")

    def handle(self, concept, phase, file, mapping=None, licence="", theme="", without_bad_places=False, dry_run=False,
               new_themes=False, **opts):
        operator = access.Operator("isek import-contributions")
        c = concepts.concept_by_slug(concept)
        if c is None:
            raise CommandError(f"Konzept „{concept}“ gibt es nicht.")
        phases = services.phases(operator, c)
        p = phases.filter(pk=int(phase)).first() if phase.isdigit() else phases.filter(title_de=phase).first()
        if p is None:
            raise CommandError(f"Eine Phase „{phase}“ gibt es in „{concept}“ nicht.")
        path = commandline.existing_file(file)
        m = commandline.mapping_file(mapping, Mapping.from_json)
        started = time.perf_counter()
        with commandline.refused():
            plan = services.plan_import(operator, p, path, mapping=m)
            if m is None and (licence or theme or without_bad_places or new_themes):  # the guessed mapping with these
                guessed = plan.mapping
                guessed.new_themes = True if new_themes else guessed.new_themes
                guessed.licence = licence or guessed.licence
                guessed.default_theme = theme or guessed.default_theme
                guessed.without_bad_places = without_bad_places
                plan = services.plan_import(operator, p, path, mapping=guessed)
        self.stdout.write("Zuordnung: " + json.dumps(plan.mapping.as_json(), ensure_ascii=False))
        for w in plan.warnings:
            self.stdout.write(f"  Hinweis: {w.render(_)}")
        if plan.problems:
            raise CommandError("\n".join(x.render(_) for x in plan.problems))
        if dry_run:
            self.stdout.write(f"Probelauf: {services.import_summary(plan.counts, plan)} Nichts gespeichert. "
                              f"({time.perf_counter() - started:.1f} s)")
            return
        with commandline.refused():
            counts = services.commit_import(operator, p, plan, via="import")
        self.stdout.write(self.style.SUCCESS(f"Importiert: {services.import_summary(counts, plan)} "
                                             f"({time.perf_counter() - started:.1f} s)"))
