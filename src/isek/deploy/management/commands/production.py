"""isek production install: PostgreSQL/PostGIS, gunicorn behind nginx, the worker and the daily
housekeeping as systemd units on a Debian machine (isek.deploy.stack; docs/deploy.md)."""

import argparse
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Install or update isek's production stack on this Debian machine (as root; docs/deploy.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("install", help="install or update the stack (safe to run again)")
        p.add_argument("--server-name", required=True, help="the public host name, e.g. isek.bochum.de")
        p.add_argument("--tls-cert", type=Path, help="certificate (full chain), e.g. from certbot")
        p.add_argument("--tls-key", type=Path, help="its private key")
        p.add_argument("--self-signed", action="store_true", help="make a self-signed certificate (to try it out)")
        p.add_argument("--database-url", default="", help="an existing PostgreSQL/PostGIS database (else one is created)")
        p.add_argument("--pg-admin-url", default="",
                       help="a superuser connection to create the database with (else the local cluster as postgres)")
        p.add_argument("--db-name", default="isek", help="name of the database and its role (default isek)")
        p.add_argument("--user", default="isek", help="system user of the services (default isek)")
        p.add_argument("--workers", type=int, default=2, help="gunicorn processes (default 2)")
        p.add_argument("--app-port", type=int, default=8001, help="gunicorn's loopback port (default 8001)")
        p.add_argument("--http-port", type=int, default=80)
        p.add_argument("--https-port", type=int, default=443)
        p.add_argument("--listen", default="", help="address nginx listens on (default: all)")
        p.add_argument("--backup-keep", type=int, default=14, help="daily backups kept (default 14)")
        p.add_argument("--demo", action="store_true", help="also load the demo concepts")
        p.add_argument("--prefix", type=Path, default=Path("/"),
                       help="write everything below this directory and start nothing (to inspect or test)")

        r = sub.add_parser("run", help="run the installed services in the foreground, without systemd (containers)")
        r.add_argument("--prefix", type=Path, default=Path("/"), help="the --prefix of the installation")

        m = sub.add_parser("manage", help="run an isek command with the installation's settings, as its user "
                                          "(e.g. isek production manage createsuperuser)")
        m.add_argument("--prefix", type=Path, default=Path("/"), help="the --prefix of the installation")
        m.add_argument("command", nargs=argparse.REMAINDER, help="the command and its arguments")

    def handle(self, action, **o):
        from isek.deploy import stack

        if action == "run":
            return self._run(stack, o["prefix"].resolve())
        if action == "manage":
            if not o["command"]:
                raise CommandError("Welcher Befehl? z. B. isek production manage createsuperuser")
            try:
                code = stack.manage(o["prefix"].resolve(), o["command"])
            except stack.DeployError as exc:
                raise CommandError(str(exc)) from None
            if code:
                raise SystemExit(code)
            return

        opts = stack.Options(
            server_name=o["server_name"], prefix=o["prefix"].resolve(), listen=o["listen"], http_port=o["http_port"],
            https_port=o["https_port"], app_port=o["app_port"], workers=o["workers"], tls_cert=o["tls_cert"],
            tls_key=o["tls_key"], self_signed=o["self_signed"], database_url=o["database_url"],
            pg_admin_url=o["pg_admin_url"], db_name=o["db_name"], user=o["user"], backup_keep=o["backup_keep"],
            demo=o["demo"], data_dirs=list(settings.ISEK_DATA_DIRS))
        try:
            done = stack.install(opts, out=self.stdout.write)
        except stack.DeployError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"isek läuft unter {done['url']}" if done["started"]
                                             else f"Geschrieben (nichts gestartet): {opts.prefix}"))
        self.stdout.write(f"Einstellungen: {done['env_file']} · nginx: {done['site']}")
        self.stdout.write("Units: " + ", ".join(str(u) for u in done["units"]))
        if done["started"]:
            self.stdout.write("Protokolle: journalctl -u isek-web -u isek-worker · /var/log/nginx/isek.*.log")
            self.stdout.write("Erste Verwaltung anlegen: isek production manage createsuperuser")

    def _run(self, stack, prefix):
        import signal

        layout = stack.Layout(prefix)
        if not (layout.units / "isek-web.service").is_file():
            raise CommandError(f"Keine Installation unter {prefix}: zuerst isek production install.")
        supervisor = stack.Supervisor(prefix, out=self.stdout.write)

        def stop(signum, frame):
            supervisor.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        supervisor.start()
        try:
            supervisor.watch()
        finally:
            supervisor.stop()
            self.stdout.write("beendet")
