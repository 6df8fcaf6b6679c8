import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from isek.concepts import services as concepts
from isek.finance import services as finance
from isek.monitoring import reports


class Command(BaseCommand):
    help = ("Write a report of a concept: `isek` (the ISEK as PDF), `sachbericht --year YEAR` (yearly progress "
            "report, PDF), `monitoring` (federal monitoring data as CSV) or `steckbriefe` (one fact sheet per measure, PDF).")

    def create_parser(self, prog_name, subcommand, **kwargs):
        # `--version NAME` (the KuF version a Sachbericht compares with) replaces Django's --version.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("concept", help="slug of the concept")
        parser.add_argument("kind", choices=["isek", "sachbericht", "monitoring", "steckbriefe"])
        parser.add_argument("out", help="file to write")
        parser.add_argument("--year", type=int, help="report year (Sachbericht)")
        parser.add_argument("--version", dest="version_name",
                            help="Sachbericht: the frozen KuF version to compare with (default: the newest one "
                                 "frozen by the end of the year, else the first)")
        parser.add_argument("--mapping", help="monitoring: JSON file {\"columns\": [[header, field], ...], "
                                               "\"delimiter\": \";\", \"decimal_comma\": true} instead of the stored one")

    def handle(self, concept, kind, out, year=None, mapping=None, version_name=None, **opts):
        c = concepts.concept_by_slug(concept)
        if c is None:
            raise CommandError(f"Konzept „{concept}“ gibt es nicht.")
        if kind == "sachbericht" and year is None:
            raise CommandError("Für den Sachbericht bitte --year JAHR angeben.")
        version = None
        if version_name:
            version = finance.version_by_name(c, version_name)
            if version is None:
                names = ", ".join(finance.version_names(c)) or "keine"
                raise CommandError(f"KuF-Version „{version_name}“ gibt es nicht. Vorhanden: {names}")
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(f"Das Verzeichnis {target.parent} gibt es nicht.")
        columns = delimiter = comma = None
        if mapping:
            try:
                spec = json.loads(Path(mapping).read_text(encoding="utf-8"))
                columns = [[str(h), str(k)] for h, k in spec["columns"]]
                delimiter, comma = spec.get("delimiter"), spec.get("decimal_comma")
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise CommandError(f"Die Spaltenzuordnung {mapping} ist nicht lesbar: {exc}") from None

        def progress(pct, label):
            self.stderr.write(f"\r{pct:3d} % {label:<20}", ending="")

        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".isek-", suffix=target.suffix)
        os.close(fd)
        try:
            if kind == "monitoring":
                n = reports.monitoring_csv(c, tmp, columns, delimiter, comma, progress=progress)
                what = f"{n} Spalten"
            else:
                pages = reports.build(c, kind, tmp, year=year, progress=progress, version=version)
                what = f"{pages} Seiten"
            os.replace(tmp, target)
        except reports.ReportError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.stderr.write("")
        limit = reports.max_isek_pages(c) if kind == "isek" else None
        if limit and pages > limit:
            self.stderr.write(self.style.WARNING(f"Das ISEK hat {pages} Seiten; zulässig sind {limit}."))
        self.stdout.write(self.style.SUCCESS(f"{target} geschrieben ({what})"))
