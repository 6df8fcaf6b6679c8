"""The old name of ``isek export`` (export_concept), kept so that scripts keep working: it writes
the same open-data GeoPackage and GeoJSON, and says it is deprecated."""

from django.core.management.base import CommandError

from isek.concepts import services

from .export_concept import Command as ExportConcept


class Command(ExportConcept):
    help = "Deprecated: use export_concept (isek export). " + ExportConcept.help

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--crs", default=None,
                            help="only the official CRS of the city's Land, in which the GeoPackage is always written")

    def handle(self, concept, crs=None, **opts):
        self.stderr.write("export_geodata ist veraltet: bitte export_concept (isek export) verwenden.")
        c = services.concept_by_slug(concept)
        if crs and c is not None and crs.upper() != f"EPSG:{c.working_srid}":
            raise CommandError(f"Das GeoPackage wird immer im amtlichen KBS des Landes geschrieben "
                               f"(EPSG:{c.working_srid}), nicht in {crs}.")
        super().handle(concept, **opts)
