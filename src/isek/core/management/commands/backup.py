"""isek backup FILE|DIRECTORY [--keep N]: the whole installation (database and uploaded files) in one
file (core.backup); into a directory as isek-YYYYMMDD-HHMMSS.tar, keeping the newest N there."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Back up the whole installation (database and uploaded files) into FILE, consistent while isek runs."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file, or a directory to write a dated one into")
        parser.add_argument("--keep", type=int, default=0,
                            help="with a directory: keep only the newest N dated backups in it (0: all)")

    def handle(self, file, keep=0, **opts):
        from isek.core import backup

        if keep < 0:
            raise CommandError("--keep muss 0 oder größer sein.")
        path = Path(file)
        directory = path.is_dir()
        if directory:
            path = path / backup.dated_name()
        elif keep:
            raise CommandError("--keep gilt nur, wenn ein Verzeichnis angegeben ist.")
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
        if directory and keep:
            for old in backup.rotate(path.parent, keep):
                self.stdout.write(f"entfernt: {old}")
