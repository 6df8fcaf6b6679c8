"""isek import-measures CONCEPT FILE [--mapping FILE] [--dry-run]: a measure list with costs per
year from XLSX or CSV (finance.importing). Prints what would be created, changed and left alone;
without --dry-run writes all of it or nothing."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from isek import access
from isek.concepts import services as concepts
from isek.core import commandline
from isek.finance import services
from isek.finance.importing import Mapping

ACTIONS = {"create": "neu", "change": "geändert", "unchanged": "unverändert"}


class Command(BaseCommand):
    help = "Import a measure list with costs per year from a spreadsheet (XLSX or CSV)."

    def add_arguments(self, parser):
        parser.add_argument("concept")
        parser.add_argument("file")
        parser.add_argument("--mapping", help="JSON file: {\"columns\": {target: header}, \"years\": {header: year}, "
                                              "\"cost_group\": \"9.1\", \"default_field\": \"2\", \"ignore\": [header], "
                                              "\"values\": {\"field\"|\"cost_group\"|\"status\": {value: key}}}")
        parser.add_argument("--dry-run", action="store_true", help="only show what would happen")

    def handle(self, concept, file, mapping=None, dry_run=False, **opts):
        c = concepts.concept_by_slug(concept)
        if c is None:
            raise CommandError(f"Konzept „{concept}“ gibt es nicht.")
        path = commandline.existing_file(file)
        m = commandline.mapping_file(mapping, Mapping.from_json)
        operator = access.Operator("isek import-measures")
        with commandline.refused():
            plan = services.plan_measure_import(operator, c, path, mapping=m)
        self.stdout.write(f"Zuordnung ({'eine Zeile je Maßnahme und Jahr' if plan.mapping.shape == 'long' else 'Jahre als Spalten'}): "
                          + json.dumps(plan.mapping.as_json(), ensure_ascii=False))
        for p in plan.measures:
            detail = ", ".join(p.changes)
            costs = "; ".join(f"{k.year} KG {k.group}: {k.old if k.old is not None else '–'} → {k.new} €" for k in p.costs)
            self.stdout.write(f"  {p.number:<8} {ACTIONS[p.action]:<12} {detail} {costs}".rstrip())
        if plan.left_alone:
            self.stdout.write(f"  nicht in der Datei, bleiben unverändert: {', '.join(plan.left_alone)}")
        if plan.problems:
            raise CommandError("\n".join(p.render(_) for p in plan.problems))
        counts = plan.counts
        summary = (f"{counts['create']} neu, {counts['change']} geändert, {counts['unchanged']} unverändert, "
                   f"{counts['left_alone']} nicht in der Datei; {counts['costs']} Kostenpositionen neu oder geändert")
        if dry_run:
            self.stdout.write(f"Probelauf: {summary}. Nichts gespeichert.")
            return
        services.commit_measure_import(operator, c, plan)
        self.stdout.write(self.style.SUCCESS(f"Importiert: {summary}."))
