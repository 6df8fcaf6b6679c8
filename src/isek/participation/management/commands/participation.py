from django.core.management.base import BaseCommand

from isek.participation import services


class Command(BaseCommand):
    help = ("Participation housekeeping: `isek participation purge` removes names and e-mail addresses "
            "of contributors once a phase's retention period (days after its end) has passed; run it daily.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("purge", help="remove personal data after the retention period")

    def handle(self, action, **opts):
        n = services.purge_personal_data()
        self.stdout.write(self.style.SUCCESS(f"Persönliche Angaben entfernt: {n} Beitragende"))
