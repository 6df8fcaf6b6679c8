"""isek import-concept FILE: create the concept of an isek GeoPackage export in this installation
(all layers and tables, through the services, all or nothing)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from isek import access
from isek.api import package
from isek.core import commandline


class Command(BaseCommand):
    help = "Import a concept from an isek GeoPackage export."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--confirm-area", action="store_true",
                            help="take an area or quarters that isek questions (larger than 20 km², outside the city's "
                                 "Land or base map; decision 0066)")

    def handle(self, file, confirm_area=False, **opts):
        commandline.existing_file(file)
        try:
            with commandline.refused():
                concept = package.import_gpkg(access.Operator("isek import-concept"), file, confirmed=confirm_area)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        except Exception as exc:  # a GeoPackage that is not one: GDAL's message
            if exc.__class__.__module__.startswith(("pyogrio", "shapely")):
                raise CommandError(f"Die Datei ist kein lesbares GeoPackage: {exc}") from None
            raise
        self.stdout.write(self.style.SUCCESS(f"Konzept „{concept.slug}“ angelegt: {concept.measures.count()} Maßnahmen."))
