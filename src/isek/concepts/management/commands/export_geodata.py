from django.core.management.base import BaseCommand, CommandError

from isek.concepts import exporting, services


class Command(BaseCommand):
    help = "Export a whole concept as one GeoPackage (layers area, quarters, measures) and/or GeoJSON."

    def add_arguments(self, parser):
        parser.add_argument("concept")
        parser.add_argument("--gpkg", help="GeoPackage file to write")
        parser.add_argument("--geojson", help="GeoJSON file to write (WGS84, RFC 7946)")
        parser.add_argument("--crs", default=None, help="CRS of the GeoPackage (default: the official CRS of the city's Land)")

    def handle(self, concept, gpkg=None, geojson=None, crs=None, **opts):
        if not gpkg and not geojson:
            raise CommandError("Bitte --gpkg DATEI und/oder --geojson DATEI angeben.")
        c = services.concept_by_slug(concept)
        if c is None:
            raise CommandError(f"Konzept „{concept}“ gibt es nicht.")
        if gpkg:
            counts = exporting.export_gpkg(c, gpkg, crs=crs)
            self.stdout.write(self.style.SUCCESS(f"{gpkg}: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f" ({crs or f'EPSG:{c.working_srid}'})"))
        if geojson:
            n = exporting.export_geojson(c, geojson)
            self.stdout.write(self.style.SUCCESS(f"{geojson}: {n} Objekte (EPSG:4326)"))
