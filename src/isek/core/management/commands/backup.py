"""isek backup FILE: the whole installation (database and uploaded files) in one file (core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Back up the whole installation (database and uploaded files) into FILE, consistent while isek runs."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **opts):
        from isek.core import backup

        path = Path(file)
        if not path.parent.is_dir():
            raise CommandError(f"Das Verzeichnis „{path.parent}“ gibt es nicht.")
        try:
            manifest = backup.backup(path)
        except OSError as exc:
            raise CommandError(f"Die Sicherung konnte nicht geschrieben werden: {exc.strerror or exc}") from None
        rows = sum(t["count"] for t in manifest["tables"].values())
        self.stdout.write(self.style.SUCCESS(
            f"{path}: {len(manifest['tables'])} Tabellen, {rows} Zeilen, {len(manifest['files'])} Dateien "
            f"({manifest['engine']}, Format {manifest['format']})"))
