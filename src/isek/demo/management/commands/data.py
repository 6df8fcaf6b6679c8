import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from isek.demo import data


class Command(BaseCommand):
    help = "Real data of the demo, tests and benchmarks: `status` lists them, `fetch` downloads and verifies what is missing into var/data."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "fetch"])
        parser.add_argument("--verify", action="store_true", help="status: also check every sha256")
        parser.add_argument("--mirror", default=os.environ.get("ISEK_DATA_MIRROR"),
                            help="base URL of a mirror holding the same file tree")

    def handle(self, action, verify=False, mirror=None, **opts):
        dirs = [Path(d) for d in settings.ISEK_DATA_DIRS]
        if action == "status":
            bad = 0
            for e, where, ok in data.status(dirs, verify=verify):
                mark = "fehlt" if where is None else ("ok" if ok in (True, None) else "PRÜFSUMME FALSCH")
                bad += where is not None and ok is False
                self.stdout.write(f"{mark:17} {e.path}  ({e.licence}){'  ' + str(where.parent) if where else ''}")
            if bad:
                raise CommandError(f"{bad} Datei(en) mit falscher Prüfsumme")
            return
        dest = settings.VAR_DIR / "data"
        result = data.fetch(dest, dirs, mirror=mirror, progress=lambda s: self.stdout.write(s))
        self.stdout.write(f"vorhanden: {len(result['present'])}, geladen: {len(result['fetched'])} nach {dest}")
        for f in result["skipped"]:
            self.stderr.write(self.style.WARNING(f"optional, nicht geladen: {f}"))
        for f in result["failed"]:
            self.stderr.write(self.style.ERROR(f"nicht geladen: {f}"))
        if result["failed"]:
            raise CommandError(f"{len(result['failed'])} Datei(en) nicht geladen")
