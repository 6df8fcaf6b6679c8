from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from isek import access
from isek.concepts import geoio, services
from isek.concepts.models import Concept


class Command(BaseCommand):
    help = ("Start a concept: `isek concept create SLUG --city NAME --ags AGS --name NAME [--programme CODE] "
            "[--legal-basis CODE] [--start YEAR] [--end YEAR] [--area FILE] [--template NAME]` (the same service "
            "as the wizard in the browser); `isek concept templates` lists the structure templates.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a concept (an internal draft)")
        create.add_argument("slug", help="short name in its URL, e.g. hoyerswerda-altstadt")
        create.add_argument("--city", required=True, help="name of the city")
        create.add_argument("--ags", required=True, help="8-digit official municipality key (AGS)")
        create.add_argument("--name", required=True, help="name of the concept")
        create.add_argument("--programme", default=Concept.Programme.LEBENDIGE_ZENTREN,
                            choices=Concept.Programme.values)
        create.add_argument("--legal-basis", dest="legal_basis", default=Concept.LegalBasis.UNTERSUCHUNGSGEBIET,
                            choices=Concept.LegalBasis.values)
        create.add_argument("--start", type=int, default=None, help="first year (default: this year)")
        create.add_argument("--end", type=int, default=None, help="last year (default: start + 8)")
        create.add_argument("--area", help="funding area as GeoJSON, GeoPackage or zipped Shapefile (any CRS)")
        create.add_argument("--confirm-area", action="store_true", dest="confirm_area",
                            help="take an area that isek questions (larger than 20 km², outside the city's Land; decision 0066)")
        create.add_argument("--template", default="", help="structure template (see `isek concept templates`)")
        sub.add_parser("templates", help="list the structure templates")

    def handle(self, action, **o):
        if action == "templates":
            for key, t in services.templates().items():
                self.stdout.write(f"{key}: {t.label_de} ({len(t.fields)} Handlungsfelder)\n    Quelle: {t.source}")
            return
        import datetime

        start = o["start"] or datetime.date.today().year
        operator = access.Operator("isek concept")
        try:
            with transaction.atomic():  # the concept and its area, or nothing
                concept = services.start_concept(
                    operator, ags=o["ags"], city_name=o["city"], slug=o["slug"], name=o["name"],
                    programme=o["programme"], legal_basis=o["legal_basis"], start_year=start,
                    end_year=o["end"] or start + 8, template=o["template"], via="isek concept")
                report = services.import_path(operator, concept, o["area"], "area",
                                              confirmed=o["confirm_area"]) if o["area"] else None
        except ValidationError as exc:
            lines = [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()] if hasattr(exc, "error_dict") else exc.messages
            raise CommandError("Kein Konzept angelegt:\n" + "\n".join(f"  - {m}" for m in lines)) from None
        except FileNotFoundError:
            raise CommandError(f"Kein Konzept angelegt: Datei nicht gefunden: {o['area']}") from None
        except geoio.GeoFileError as exc:
            lines = "\n".join(f"  - {e}" for e in exc.errors)
            raise CommandError(f"Kein Konzept angelegt, das Gebiet ist nicht lesbar:\n{lines}") from None
        self.stdout.write(self.style.SUCCESS(
            f"Konzept {concept.slug} angelegt ({concept.city.name}, {concept.city.land}, EPSG:{concept.working_srid})"))
        if report is not None:
            self.stdout.write(self.style.SUCCESS(report.summary()))
