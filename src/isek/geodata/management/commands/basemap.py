from django.core.management.base import BaseCommand, CommandError

from isek import access
from isek.concepts import services as concepts
from isek.geodata import services


class Command(BaseCommand):
    help = ("Build the offline base map of a concept's city from an OSM extract (.osm.pbf, e.g. a whole "
            "Regierungsbezirk: the area plus a margin is cut out first) and register it: "
            "`isek basemap build CONCEPT EXTRACT [--analyse]`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="build and register the base map")
        build.add_argument("concept", help="slug of the concept")
        build.add_argument("extract", help=".osm.pbf file")
        build.add_argument("--analyse", action="store_true",
                           help="then queue the inventory analysis of the concept from the cut extract")

    def handle(self, action, concept, extract, analyse=False, **opts):
        c = concepts.concept_by_slug(concept)
        if c is None:
            raise CommandError(f"Konzept „{concept}“ gibt es nicht. Vorhanden: {', '.join(concepts.concept_slugs()) or 'keins'}")

        try:
            bm = services.start_basemap(access.Operator("isek basemap"), c, extract, analyse=analyse, now=True)
        except services.BaseMapError as exc:
            raise CommandError("Keine Grundkarte erstellt:\n" + "\n".join(f"  - {e}" for e in exc.errors)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Grundkarte {c.city.name}: {bm.tiles} Kacheln (Zoom {bm.minzoom}–{bm.maxzoom}), {bm.size_bytes / 1e6:.1f} MB, "
            f"aus {bm.extract_name}"))
