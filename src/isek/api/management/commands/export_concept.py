"""isek export CONCEPT --gpkg FILE | --geojson FILE | --csv ZIP | --xlsx FILE: the whole concept
as open data (api.package): the GeoPackage with its spatial layers and non-spatial tables, CSV for
German Excel in a zip with a README, the measure list as XLSX; GeoJSON of area, quarters and
measures (WGS84)."""

from django.core.management.base import BaseCommand, CommandError

from isek.api import package
from isek.concepts import services


class Command(BaseCommand):
    help = "Export a whole concept: GeoPackage (layers and tables), GeoJSON, CSV zip, measure list XLSX."

    def add_arguments(self, parser):
        parser.add_argument("concept")
        parser.add_argument("--gpkg", help="GeoPackage: area, quarters, measures and the non-spatial tables")
        parser.add_argument("--geojson", help="GeoJSON (WGS84, RFC 7946): area, quarters, measures")
        parser.add_argument("--csv", help="zip with one CSV per table (German Excel) and a README")
        parser.add_argument("--xlsx", help="the measure list as XLSX")

    def handle(self, concept, gpkg=None, geojson=None, csv=None, xlsx=None, **opts):
        if not any((gpkg, geojson, csv, xlsx)):
            raise CommandError("Bitte --gpkg, --geojson, --csv und/oder --xlsx DATEI angeben.")
        c = services.concept_by_slug(concept)
        if c is None:
            raise CommandError(f"Konzept „{concept}“ gibt es nicht.")
        for path, write in ((gpkg, package.export_gpkg), (csv, package.export_csv_zip)):
            if path:
                counts = write(c, path)
                self.stdout.write(self.style.SUCCESS(f"{path}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
                                                     + f" (EPSG:{c.working_srid})"))
        if geojson:
            n = services.export_geojson(c, geojson)
            self.stdout.write(self.style.SUCCESS(f"{geojson}: {n} Objekte (EPSG:4326)"))
        if xlsx:
            n = package.export_measures_xlsx(c, xlsx)
            self.stdout.write(self.style.SUCCESS(f"{xlsx}: {n} Maßnahmen"))
