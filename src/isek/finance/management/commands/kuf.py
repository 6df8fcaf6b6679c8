from django.core.management.base import BaseCommand, CommandError

from isek.concepts import services as concepts
from isek.finance import services


class Command(BaseCommand):
    help = "Export the cost and finance overview (KuF) of a concept as Excel (live formulas) and/or PDF."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # `--version NAME` is part of the stable interface; it replaces Django's own --version.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("concept")
        parser.add_argument("--xlsx", help="Excel file to write")
        parser.add_argument("--pdf", help="PDF file to write (A4 landscape)")
        parser.add_argument("--version", dest="version_name", help="a frozen version instead of the current plan")

    def handle(self, concept, xlsx=None, pdf=None, version_name=None, **opts):
        if not xlsx and not pdf:
            raise CommandError("Bitte --xlsx DATEI und/oder --pdf DATEI angeben.")
        c = concepts.concept_by_slug(concept)
        if c is None:
            raise CommandError(f"Konzept „{concept}“ gibt es nicht.")
        version = None
        if version_name:
            version = services.version_by_name(c, version_name)
            if version is None:
                names = ", ".join(services.version_names(c)) or "keine"
                raise CommandError(f"Version „{version_name}“ gibt es nicht. Vorhanden: {names}")
        for fmt, path in (("xlsx", xlsx), ("pdf", pdf)):
            if path:
                services.export_kuf(c, version, fmt, path)
                self.stdout.write(self.style.SUCCESS(f"{path} geschrieben"))
