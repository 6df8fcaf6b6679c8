"""The production stack on a Debian machine: what ``isek production install`` writes and runs.

Layout (below ``prefix``, which is ``/`` on a real machine and a scratch directory in the test):

    etc/isek/isek.env                  settings of the installation (secret, database, host names)
    etc/isek/tls/                      a self-signed certificate, if asked for one
    etc/nginx/sites-available/isek.conf (linked from sites-enabled)
    etc/systemd/system/isek-web.service, isek-worker.service, isek-daily.service/.timer
    var/lib/isek/                      ISEK_VAR_DIR: static files, media, layers, reports, base maps
    var/backups/isek/                  the daily backups (isek backup --keep)
    var/log/nginx/isek.*.log           nginx's logs (Debian's logrotate covers them); isek's in the journal

Everything is written from the templates in ``files/``; running the command again rewrites them
and keeps the secret and the database of the installation (read back from isek.env).
"""

from __future__ import annotations

import datetime
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

PACKAGE_DIR = Path(__file__).resolve().parent.parent
FILES = Path(__file__).resolve().parent / "files"
UNITS = ("isek-web.service", "isek-worker.service", "isek-daily.service", "isek-daily.timer")
STARTED = ("isek-web.service", "isek-worker.service", "isek-daily.timer")
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,30}$")
_HOST = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
PG_SOCKET = "/var/run/postgresql"


class DeployError(Exception):
    """A step of the installation cannot be done; the message says why and what to do."""


@dataclass
class Options:
    server_name: str
    prefix: Path = Path("/")
    listen: str = ""                  # address nginx listens on ("" = all)
    http_port: int = 80
    https_port: int = 443
    app_port: int = 8001
    workers: int = 2
    tls_cert: Path | None = None
    tls_key: Path | None = None
    self_signed: bool = False
    database_url: str = ""            # an existing database; else one is created
    pg_admin_url: str = ""            # superuser connection to create it with; else the local cluster as "postgres"
    db_name: str = "isek"             # database and role
    user: str = "isek"                # the system user the services run as
    backup_keep: int = 14
    demo: bool = False
    data_dirs: list[Path] = field(default_factory=list)

    @property
    def real(self) -> bool:
        """True when installing into the machine itself (users, systemd, the system's nginx)."""
        return self.prefix.resolve() == Path("/")


@dataclass
class Layout:
    prefix: Path

    def __post_init__(self):
        p = self.prefix
        self.etc = p / "etc/isek"
        self.env_file = self.etc / "isek.env"
        self.tls_dir = self.etc / "tls"
        self.var = p / "var/lib/isek"
        self.static = self.var / "static"
        self.acme = self.var / "acme"
        self.backups = p / "var/backups/isek"
        self.logs = p / "var/log/nginx"
        self.cache = p / "var/cache/nginx/isek"
        self.units = p / "etc/systemd/system"
        self.site = p / "etc/nginx/sites-available/isek.conf"
        self.site_enabled = p / "etc/nginx/sites-enabled/isek.conf"


def validate(opts: Options) -> None:
    if not _HOST.match(opts.server_name):
        raise DeployError(f"„{opts.server_name}“ ist kein Hostname (z. B. isek.bochum.de).")
    for name in ("http_port", "https_port", "app_port"):
        port = getattr(opts, name)
        if not 1 <= port <= 65535:
            raise DeployError(f"Ungültiger Port {port} ({name}).")
    if len({opts.http_port, opts.https_port, opts.app_port}) < 3:
        raise DeployError("HTTP-, HTTPS- und App-Port müssen verschieden sein.")
    if not 1 <= opts.workers <= 64:
        raise DeployError("--workers: 1 bis 64.")
    if opts.self_signed and (opts.tls_cert or opts.tls_key):
        raise DeployError("Entweder --self-signed oder --tls-cert/--tls-key.")
    if bool(opts.tls_cert) != bool(opts.tls_key):
        raise DeployError("--tls-cert und --tls-key gehören zusammen.")
    for path in (opts.tls_cert, opts.tls_key):
        if path and not Path(path).is_file():
            raise DeployError(f"Die Datei {path} gibt es nicht.")
    for name in (opts.db_name, opts.user):
        if not _NAME.match(name):
            raise DeployError(f"„{name}“: Datenbank- und Benutzernamen aus a–z, 0–9 und _.")
    if opts.database_url and urlsplit(opts.database_url).scheme not in ("postgis", "postgres", "postgresql"):
        raise DeployError("--database-url: eine PostgreSQL-Adresse (postgis://benutzer:passwort@host:5432/isek).")
    if opts.backup_keep < 1:
        raise DeployError("--backup-keep: mindestens 1.")


def read_env(path: Path) -> dict[str, str]:
    """The KEY=value lines of an environment file (systemd's EnvironmentFile syntax, quoted)."""
    values = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = " ".join(shlex.split(value)) if value.strip() else ""
    return values


def _https_origin(opts: Options) -> str:
    return f"https://{opts.server_name}" + ("" if opts.https_port == 443 else f":{opts.https_port}")


def environment(opts: Options, layout: Layout, database_url: str, old: dict[str, str]) -> dict[str, str]:
    """The settings of the installation: the secret and database kept from ``old``, the rest from
    the options (anything else an operator added to isek.env is kept as it is)."""
    data_dirs = [str(d) for d in opts.data_dirs if Path(d).is_dir()] + [str(layout.var / "data")]
    env = dict(old)
    env.update({
        "ISEK_MODE": "production",
        "DATABASE_URL": database_url,
        "ISEK_SECRET_KEY": old.get("ISEK_SECRET_KEY") or secrets.token_urlsafe(50),
        "ISEK_ALLOWED_HOSTS": opts.server_name,
        "ISEK_CSRF_TRUSTED_ORIGINS": _https_origin(opts),
        "ISEK_BASE_URL": _https_origin(opts),  # the mails' links, with the port where it is not 443 (decision 0093)
        "ISEK_VAR_DIR": str(layout.var),
        "ISEK_DATA_DIRS": os.pathsep.join(dict.fromkeys(data_dirs)),
        "ISEK_CLIENT_ADDRESS_HEADER": "X-Real-IP",
    })
    env.setdefault("ISEK_LOG_LEVEL", "INFO")
    return env


def render_env(env: dict[str, str]) -> str:
    lines = ["# isek's settings (docs/operations.md lists them all). Written by `isek production install`;",
             "# it keeps the secret and the database when run again. Readable by root and isek only."]
    lines += [f"{key}={shlex.quote(value)}" for key, value in env.items()]
    return "\n".join(lines) + "\n"


def _fill(template: str, values: dict[str, str]) -> str:
    text = (FILES / template).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", str(value))
    left = re.findall(r"@@[A-Z_]+@@", text)
    if left:  # a template names something this module does not fill: a bug, not a user error
        raise RuntimeError(f"{template}: {', '.join(sorted(set(left)))} not filled")
    return text


def isek_command() -> Path:
    """The ``isek`` script of the running installation (the virtual environment's)."""
    return Path(sys.executable).with_name("isek")


def render(opts: Options, layout: Layout, tls: tuple[Path, Path]) -> dict[Path, str]:
    """Every configuration file of the stack, by its path."""
    listen = f"{opts.listen}:" if opts.listen else ""
    values = {
        "STAMP": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "APP_BIND": f"127.0.0.1:{opts.app_port}",
        "WORKERS": str(opts.workers),
        "CACHE_DIR": str(layout.cache),
        "PACKAGE_DIR": str(PACKAGE_DIR),
        "HTTP_LISTEN": f"{listen}{opts.http_port}",
        "HTTPS_LISTEN": f"{listen}{opts.https_port}",
        "HTTPS_SUFFIX": "" if opts.https_port == 443 else f":{opts.https_port}",
        "SERVER_NAME": opts.server_name,
        "LOG_DIR": str(layout.logs),
        "ACME_DIR": str(layout.acme),
        "TLS_CERT": str(tls[0]),
        "TLS_KEY": str(tls[1]),
        "BODY_MAX": "40m",
        "STATIC_ROOT": str(layout.static),
        "MIME_TYPES": "/etc/nginx/mime.types",
        "DOCS": str(PACKAGE_DIR.parent.parent / "docs"),
        "USER": opts.user,
        "ENV_FILE": str(layout.env_file),
        "VAR_DIR": str(layout.var),
        "ISEK": str(isek_command()),
        "BACKUP_DIR": str(layout.backups),
        "BACKUP_KEEP": str(opts.backup_keep),
    }
    files = {layout.site: _fill("nginx-site.conf", values)}
    for unit in UNITS:
        files[layout.units / unit] = _fill(unit, values)
    return files


def database_sql(name: str, password: str) -> str:
    """psql input that creates role and database ``name`` (owner of it) if missing, sets the
    role's password (if any) and enables PostGIS; safe to run again."""
    lines = [
        f"SELECT 'CREATE ROLE {name} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}')\\gexec",
        f"SELECT 'CREATE DATABASE {name} OWNER {name} ENCODING ''UTF8''' "
        f"WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{name}')\\gexec",
    ]
    if password:
        lines.insert(1, f"ALTER ROLE {name} PASSWORD '{password}';")
    lines += [f"\\c {name}", "SET client_min_messages = warning;", "CREATE EXTENSION IF NOT EXISTS postgis;"]
    return "\n".join(lines) + "\n"


def _run(cmd: list[str], what: str, **kw) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    except FileNotFoundError:
        raise DeployError(f"{what}: {cmd[0]} fehlt (make production installiert es).") from None
    if done.returncode:
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise DeployError(f"{what} ist fehlgeschlagen:\n  " + "\n  ".join(detail))
    return done


def create_database(opts: Options, out) -> str:
    """Create (or keep) the installation's database; its DATABASE_URL."""
    name = opts.db_name
    if opts.pg_admin_url:
        admin = urlsplit(opts.pg_admin_url)
        password = secrets.token_urlsafe(24)
        cmd = ["psql", opts.pg_admin_url]
        host = f"{admin.hostname or '127.0.0.1'}:{admin.port or 5432}"
        url = f"postgis://{name}:{password}@{host}/{name}"
    else:
        # Debian's local cluster: the role has no password, the socket's peer authentication
        # lets the system user of the same name in (and nobody else).
        _start_local_cluster(out)
        password = ""
        cmd = ["runuser", "-u", "postgres", "--", "psql"]
        url = f"postgis://{name}@{quote(PG_SOCKET, safe='')}/{name}"
    _run([*cmd, "-v", "ON_ERROR_STOP=1", "-q", "-X"], "Datenbank anlegen", input=database_sql(name, password), cwd="/")
    out(f"Datenbank {name} mit PostGIS bereit.")
    return url


def _start_local_cluster(out) -> None:
    if shutil.which("pg_lsclusters") is None:
        raise DeployError("PostgreSQL fehlt (Debian-Pakete postgresql-15 postgresql-15-postgis-3; make production).")
    listed = _run(["pg_lsclusters", "-h"], "PostgreSQL-Cluster suchen").stdout.split()
    if not listed:
        raise DeployError("Kein PostgreSQL-Cluster vorhanden: pg_createcluster 15 main --start")
    version, cluster, status = listed[0], listed[1], listed[3]
    if status != "online":
        if _systemd():
            _run(["systemctl", "start", f"postgresql@{version}-{cluster}"], "PostgreSQL starten")
        else:
            _run(["pg_ctlcluster", version, cluster, "start"], "PostgreSQL starten")
        out(f"PostgreSQL {version}/{cluster} gestartet.")


def _systemd() -> bool:
    return Path("/run/systemd/system").is_dir()


def self_signed_certificate(layout: Layout, name: str, out) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` (kept when there is one): for trying the stack
    before a real certificate (docs/deploy.md: certbot) replaces it."""
    cert, key = layout.tls_dir / "isek.crt", layout.tls_dir / "isek.key"
    if not (cert.is_file() and key.is_file()):
        layout.tls_dir.mkdir(parents=True, exist_ok=True)
        san = f"IP:{name}" if re.fullmatch(r"[\d.]+", name) else f"DNS:{name}"
        _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825", "-subj", f"/CN={name}",
              "-addext", f"subjectAltName={san}", "-keyout", str(key), "-out", str(cert)], "Zertifikat erzeugen")
        key.chmod(0o600)
        out(f"Selbst signiertes Zertifikat für {name}: {cert}")
    return cert, key


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.chmod(mode)
    partial.replace(path)


def clean_environ() -> dict[str, str]:
    """This process's environment without isek's settings (the caller's are not the installation's)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("ISEK_", "DATABASE_URL", "DJANGO_"))}


def _as_app(opts: Options, env: dict[str, str], args: list[str], what: str) -> None:
    """Run ``isek ARGS`` with the installation's settings, as its system user on a real machine."""
    cmd = [str(isek_command()), *args]
    if opts.real:
        cmd = ["runuser", "-u", opts.user, "--", *cmd]
    full = {**clean_environ(), **env}
    _run(cmd, what, env=full, cwd=env["ISEK_VAR_DIR"])


def manage(prefix: Path, args: list[str]) -> int:
    """Run ``isek ARGS`` interactively with an installation's settings (as its service user on a
    real machine, as the caller below a prefix); its exit code."""
    layout = Layout(prefix)
    unit = layout.units / "isek-web.service"
    if not unit.is_file():
        raise DeployError(f"Keine Installation unter {prefix}: zuerst isek production install.")
    cmd, env, cwd = unit_process(unit)
    user = read_unit(unit).get("User", [""])[0]
    full = [cmd[0], *args]
    if prefix.resolve() == Path("/") and user:
        full = ["runuser", "-u", user, "--", *full]
    return subprocess.run(full, env=env, cwd=cwd).returncode


def _system_user(opts: Options, layout: Layout) -> None:
    import pwd

    try:
        pwd.getpwnam(opts.user)
    except KeyError:
        _run(["adduser", "--system", "--group", "--home", str(layout.var), "--no-create-home", opts.user],
             "Systembenutzer anlegen")
    # can the user run isek's Python and import it? (nothing of the caller's settings: no ISEK_* here)
    probe = ["runuser", "-u", opts.user, "--", sys.executable, "-c", "import django, isek.cli"]
    if not os.access(isek_command(), os.X_OK) or subprocess.run(probe, capture_output=True, env=clean_environ(),
                                                               cwd="/").returncode:
        raise DeployError(f"Der Benutzer {opts.user} kann {isek_command()} nicht ausführen: das Verzeichnis muss für "
                          f"ihn lesbar sein (z. B. /opt/isek, nicht /root).")


def install(opts: Options, out=print) -> dict:
    """Install or update the stack; a summary (URL, paths, what was started)."""
    validate(opts)
    layout = Layout(opts.prefix)
    if opts.real and os.geteuid() != 0:
        raise DeployError("Die Installation in das System braucht root (oder --prefix VERZEICHNIS zum Ausprobieren).")
    if not isek_command().exists():
        raise DeployError(f"{isek_command()} fehlt: zuerst make setup.")
    old = read_env(layout.env_file)
    database_url = opts.database_url or old.get("DATABASE_URL") or create_database(opts, out)
    if opts.self_signed:
        tls = self_signed_certificate(layout, opts.server_name, out)
    elif opts.tls_cert:
        tls = (Path(opts.tls_cert).resolve(), Path(opts.tls_key).resolve())
    elif "ISEK_TLS" in old:
        tls = tuple(Path(p) for p in old["ISEK_TLS"].split(os.pathsep))
    else:
        raise DeployError("Ein Zertifikat fehlt: --tls-cert/--tls-key (z. B. von certbot) oder --self-signed.")
    env = environment(opts, layout, database_url, old)
    env["ISEK_TLS"] = os.pathsep.join(str(p) for p in tls)  # remembered for the next run
    for d in (layout.var, layout.static, layout.acme, layout.backups, layout.logs, layout.cache):
        d.mkdir(parents=True, exist_ok=True)
    layout.var.chmod(0o751)  # nginx (www-data) reaches static/, not the rest
    _write(layout.env_file, render_env(env), 0o640)
    for path, text in render(opts, layout, tls).items():
        _write(path, text)
    if not opts.real:
        _write(layout.prefix / "etc/nginx/nginx.conf", nginx_main_conf(layout))
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (layout.prefix / "var/lib/nginx" / d).mkdir(parents=True, exist_ok=True)
        (layout.prefix / "run").mkdir(exist_ok=True)
    if opts.real:
        _system_user(opts, layout)
        _run(["chown", "-R", f"{opts.user}:{opts.user}", str(layout.var), str(layout.backups)], "Rechte setzen")
        _run(["chgrp", opts.user, str(layout.env_file)], "Rechte setzen")
    out("Datenbank wird auf den neuesten Stand gebracht …")
    _as_app(opts, env, ["migrate", "--noinput", "-v0"], "isek migrate")
    out("Statische Dateien werden gesammelt und komprimiert …")
    _as_app(opts, env, ["collectstatic", "--noinput", "-v0"], "isek collectstatic")
    _run([sys.executable, "-m", "whitenoise.compress", "-q", "--no-brotli", str(layout.static)], "Komprimieren")
    _as_app(opts, env, ["check", "--deploy", "--fail-level", "WARNING"], "isek check --deploy")
    if opts.demo:
        out("Demo-Konzepte werden geladen …")
        _as_app(opts, env, ["demo", "--no-serve"], "isek demo --no-serve")
    started = []
    if opts.real:
        if not layout.site_enabled.exists():
            layout.site_enabled.parent.mkdir(parents=True, exist_ok=True)
            layout.site_enabled.symlink_to(layout.site)
        _run(["nginx", "-t", "-q"], "nginx -t")
        if _systemd():
            _run(["systemctl", "daemon-reload"], "systemctl daemon-reload")
            _run(["systemctl", "enable", "--now", *STARTED], "Dienste starten")
            _run(["systemctl", "restart", "isek-web.service", "isek-worker.service"], "Dienste neu starten")
            _run(["systemctl", "enable", "nginx"], "nginx aktivieren")
            _run(["systemctl", "reload-or-restart", "nginx"], "nginx neu laden")
            started = [*STARTED, "nginx.service"]
        else:
            out("Kein systemd auf diesem Rechner: die Dienste startet `isek production run` "
                "(docs/deploy.md, „Ohne systemd“).")
    return {"url": _https_origin(opts) + "/", "env_file": layout.env_file, "site": layout.site,
            "units": [layout.units / u for u in UNITS], "var": layout.var, "started": started}


# --- running the written units without systemd (containers, the deployment test, the benchmark) ---

def nginx_main_conf(layout: Layout) -> str:
    """nginx's main configuration for an installation below a prefix (a real machine has
    Debian's /etc/nginx/nginx.conf, which includes sites-enabled/)."""
    import pwd

    p = layout.prefix / "var/lib/nginx"
    return "\n".join([
        "# written by `isek production install --prefix`: Debian's nginx.conf in short, everything below the prefix",
        # below a prefix every process runs as the one who installed it (files in a private scratch directory)
        *([f"user {pwd.getpwuid(os.geteuid()).pw_name};"] if os.geteuid() == 0 else []),
        "worker_processes auto;",
        f"pid {layout.prefix}/run/nginx.pid;",
        f"error_log {layout.logs}/error.log;",
        "events { worker_connections 1024; }",
        "http {",
        "    sendfile on; tcp_nopush on; types_hash_max_size 2048;",
        "    include /etc/nginx/mime.types; default_type application/octet-stream;",
        "    gzip on;",
        f"    client_body_temp_path {p}/body; proxy_temp_path {p}/proxy; fastcgi_temp_path {p}/fastcgi;",
        f"    uwsgi_temp_path {p}/uwsgi; scgi_temp_path {p}/scgi;",
        f"    include {layout.site};",
        "}",
    ]) + "\n"


def read_unit(path: Path) -> dict[str, list[str]]:
    """The [Service] settings of a unit file, each with all its values in order."""
    values: dict[str, list[str]] = {}
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


def unit_process(path: Path) -> tuple[list[str], dict[str, str], str]:
    """What a service unit runs: its command, its environment (the EnvironmentFile on top of a
    clean one) and its working directory."""
    unit = read_unit(path)
    env = clean_environ()
    for env_file in unit.get("EnvironmentFile", []):
        env.update(read_env(Path(env_file.lstrip("-"))))
    return shlex.split(unit["ExecStart"][0]), env, unit.get("WorkingDirectory", ["/"])[0]


class Supervisor:
    """The stack's processes without systemd: isek-web and isek-worker as their units say, each
    restarted when it ends (Restart=always), and nginx for an installation below a prefix."""

    def __init__(self, prefix: Path, out=print):
        self.layout = Layout(Path(prefix))
        self.out = out
        self.procs: dict[str, subprocess.Popen] = {}
        self.running = False

    def _start(self, name: str) -> None:
        if name == "nginx":
            conf = self.layout.prefix / "etc/nginx/nginx.conf"
            self.procs[name] = subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"],
                                                start_new_session=True)
        else:
            unit = self.layout.units / f"{name}.service"
            cmd, env, cwd = unit_process(unit)
            user = read_unit(unit).get("User", [""])[0]
            if self.layout.prefix.resolve() == Path("/") and user:  # as systemd would: the unit's user
                cmd = ["runuser", "-u", user, "--", *cmd]
            self.procs[name] = subprocess.Popen(cmd, env=env, cwd=cwd, start_new_session=True)
        self.out(f"{name} gestartet (PID {self.procs[name].pid})")

    def start(self) -> None:
        self.running = True
        below_prefix = self.layout.prefix.resolve() != Path("/")  # a real machine runs Debian's nginx itself
        for name in ("isek-web", "isek-worker", *(("nginx",) if below_prefix else ())):
            self._start(name)

    def watch(self) -> None:
        """Restart what ended, every 2 s, until ``stop``."""
        import time

        while self.running:
            for name, proc in list(self.procs.items()):
                if self.running and proc.poll() is not None:
                    self.out(f"{name} beendet (Code {proc.returncode}), wird neu gestartet")
                    self._start(name)
            time.sleep(2)

    def stop(self) -> None:
        import signal

        self.running = False
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in self.procs.values():
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
