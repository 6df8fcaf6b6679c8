"""isek serve: the web application under gunicorn (what the isek-web unit runs behind nginx)."""

import re

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve isek with gunicorn on HOST:PORT (behind nginx in production; docs/deploy.md)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8001", help="HOST:PORT (default 127.0.0.1:8001)")
        parser.add_argument("--workers", type=int, default=2, help="processes (default 2; about one per core)")
        parser.add_argument("--threads", type=int, default=4, help="threads per process (default 4)")
        parser.add_argument("--access-log", action="store_true", help="log every request to stdout (nginx does already)")

    def handle(self, bind, workers, threads, access_log, **opts):
        match = re.fullmatch(r"(\[[0-9a-fA-F:]+\]|[\w.-]+):(\d{1,5})", bind)
        if not match or not 1 <= int(match[2]) <= 65535:
            raise CommandError(f"--bind {bind!r}: HOST:PORT erwartet, z. B. 127.0.0.1:8001.")
        if not 1 <= workers <= 64 or not 1 <= threads <= 64:
            raise CommandError("--workers und --threads: 1 bis 64.")
        from django.db import connections

        from isek.deploy.serving import serve

        connections.close_all()  # the check's connection is not inherited by the workers
        serve(match[1].strip("[]"), int(match[2]), workers, threads, access_log)
