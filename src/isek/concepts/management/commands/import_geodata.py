from django.core.management.base import BaseCommand, CommandError

from isek import access
from isek.concepts import geoio, importing, services

# A message about many quarters or measures names the first ones and how many there are: 1,500
# blocks beyond the funding area were 1,500 lines (decision 0080); --verbose names them all.
LISTED = 5


class Command(BaseCommand):
    help = "Import the funding area, quarters or measure geometries of a concept (GeoJSON, GPKG, zipped Shapefile; any CRS). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("concept", help="slug of the concept, e.g. bochum-innenstadt")
        parser.add_argument("file")
        parser.add_argument("--as", dest="kind", required=True, choices=sorted(importing.KINDS))
        parser.add_argument("--crs", help="CRS to assume when the file declares none, e.g. EPSG:25832")
        parser.add_argument("--layer", help="layer of a multi-layer file (default: the layer named like --as, else the first)")
        parser.add_argument("--confirm-area", action="store_true",
                            help="import an area or quarters that isek questions (larger than 20 km², outside the city's "
                                 "Land or base map; decision 0066)")
        parser.add_argument("--verbose", action="store_true",
                            help=f"name every quarter or measure a message is about (default: the first {LISTED} "
                                 "and how many there are; decision 0080)")

    def handle(self, concept, file, kind, crs=None, layer=None, confirm_area=False, verbose=False, **opts):
        c = services.concept_by_slug(concept)
        if c is None:
            raise CommandError(f"Konzept „{concept}“ gibt es nicht. Vorhanden: {', '.join(services.concept_slugs()) or 'keins'}")
        try:
            report = services.import_path(access.Operator("isek import"), c, file, kind, crs=crs, layer=layer,
                                          confirmed=confirm_area, listed=None if verbose else LISTED)
        except FileNotFoundError:
            raise CommandError(f"Datei nicht gefunden: {file}") from None
        except geoio.GeoFileError as exc:
            lines = "\n".join(f"  - {e}" for e in _shortened(exc.problems, verbose))
            raise CommandError(f"Nicht importiert, nichts gespeichert:\n{lines}") from None
        for w in _shortened(report.warnings, verbose):
            self.stderr.write(self.style.WARNING(f"Hinweis: {w}"))
        self.stdout.write(self.style.SUCCESS(f"{kind}: {report.summary()}"))


def _shortened(problems, verbose: bool) -> list[str]:
    """``problems`` as lines: of those about one object of the file (``row``: "Objekt 7: …") the
    first LISTED and how many more, unless ``verbose``; the others all."""
    about_one = [p for p in problems if p.row is not None]
    if verbose or len(about_one) <= LISTED:
        return [p.render() for p in problems]
    kept = {id(p) for p in about_one[:LISTED]}
    lines = [p.render() for p in problems if p.row is None or id(p) in kept]
    return lines + [f"… und {len(about_one) - LISTED} weitere Meldungen zu einzelnen Objekten (alle mit --verbose)"]
