"""isek restore FILE [--replace]: put a backup (core.backup) into this installation, on either engine."""

from django.core.management.base import BaseCommand

from isek.core import commandline


class Command(BaseCommand):
    help = "Restore a backup into this installation; a non-empty installation only with --replace."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--replace", action="store_true", help="replace everything this installation holds")

    def handle(self, file, replace=False, **opts):
        from isek.core import backup

        commandline.existing_file(file)
        with commandline.refused():
            manifest = backup.restore(file, replace=replace)
        rows = sum(t["count"] for t in manifest["tables"].values())
        self.stdout.write(self.style.SUCCESS(
            f"Wiederhergestellt: {len(manifest['tables'])} Tabellen, {rows} Zeilen, {len(manifest['files'])} Dateien "
            f"(gesichert auf {manifest['engine']} am {manifest['created']}); alle Prüfsummen stimmen."))
