from django.core.management.base import BaseCommand, CommandError

from isek.concepts.models import Concept
from isek.finance.models import FinanceVersion
from isek.finance.services import export_kuf


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
        c = Concept.objects.filter(slug=concept).first()
        if c is None:
            raise CommandError(f"Konzept „{concept}“ gibt es nicht.")
        version = None
        if version_name:
            version = FinanceVersion.objects.filter(concept=c, name=version_name).first()
            if version is None:
                names = ", ".join(c.finance_versions.values_list("name", flat=True)) or "keine"
                raise CommandError(f"Version „{version_name}“ gibt es nicht. Vorhanden: {names}")
        for fmt, path in (("xlsx", xlsx), ("pdf", pdf)):
            if path:
                export_kuf(c, version, fmt, path)
                self.stdout.write(self.style.SUCCESS(f"{path} geschrieben"))
