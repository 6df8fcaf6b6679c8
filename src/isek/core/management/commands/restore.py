"""isek restore FILE [--replace]: put a backup (core.backup) into this installation, on either engine."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from isek.core.problems import InputError


class Command(BaseCommand):
    help = "Restore a backup into this installation; a non-empty installation only with --replace."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--replace", action="store_true", help="replace everything this installation holds")

    def handle(self, file, replace=False, **opts):
        from isek.core import backup

        if not Path(file).is_file():
            raise CommandError(f"Datei „{file}“ gibt es nicht.")
        try:
            manifest = backup.restore(file, replace=replace)
        except InputError as exc:
            raise CommandError("\n".join(exc.messages(_))) from None
        rows = sum(t["count"] for t in manifest["tables"].values())
        self.stdout.write(self.style.SUCCESS(
            f"Wiederhergestellt: {len(manifest['tables'])} Tabellen, {rows} Zeilen, {len(manifest['files'])} Dateien "
            f"(gesichert auf {manifest['engine']} am {manifest['created']}); alle Prüfsummen stimmen."))
