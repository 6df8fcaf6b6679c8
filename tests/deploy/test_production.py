"""The production stack as an operator brings it up (docs/deploy.md), below a scratch prefix on
loopback: `isek production install` creates the PostGIS database through a superuser connection
(the suite's PostgreSQL), writes settings, TLS certificate, nginx site and systemd units, collects
and compresses the static files, checks `check --deploy` and loads the demo; `isek production run`
starts exactly what the units say (gunicorn, the worker) and nginx; the demo is then served over
HTTPS through nginx, and a report is built by the worker process."""

from __future__ import annotations

import gzip
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from isek.deploy import stack
from tests.deploy import free_port

PG_PORT = int(os.environ.get("ISEK_PG_PORT", 54329))
DB = "isek_deploy_test"
pytestmark = pytest.mark.database_independent



def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith(("ISEK_MODE", "DATABASE_URL", "ISEK_VAR_DIR"))}


def _isek(*args: str, env=None, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "isek.cli", *args], env=env or {**_clean_env(), "ISEK_MODE": "demo",
                          "ISEK_VAR_DIR": "/tmp/isek-deploy-caller"}, capture_output=True, text=True, timeout=900)
    if check:
        assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
    return done


def _drop_database():
    with psycopg.connect(f"host=127.0.0.1 port={PG_PORT} user=postgres dbname=postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        db.execute(f"DROP ROLE IF EXISTS {DB}")


class Https:
    """HTTPS requests to the stack, checking the certificate it made, following no redirects."""

    def __init__(self, port: int, cert: Path):
        self.base = f"https://localhost:{port}"
        self.context = ssl.create_default_context(cafile=str(cert))

    def get(self, path: str, **headers):
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=self.context), NoRedirect)
        try:
            with opener.open(urllib.request.Request(self.base + path, headers=headers), timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    _drop_database()
    prefix = tmp_path_factory.mktemp("prod")
    ports = {"http": free_port(), "https": free_port(), "app": free_port()}
    done = _isek("production", "install", "--server-name", "localhost", "--self-signed", "--prefix", str(prefix),
                 "--pg-admin-url", f"postgresql://postgres@127.0.0.1:{PG_PORT}/postgres", "--db-name", DB,
                 "--listen", "127.0.0.1", "--http-port", str(ports["http"]), "--https-port", str(ports["https"]),
                 "--app-port", str(ports["app"]), "--demo")
    yield prefix, ports, done.stdout
    _drop_database()


@pytest.fixture(scope="module")
def running(installed):
    prefix, ports, _ = installed
    log = open(prefix / "run.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "isek.cli", "production", "run", "--prefix", str(prefix)],
                            env={**_clean_env(), "ISEK_MODE": "demo", "ISEK_VAR_DIR": "/tmp/isek-deploy-caller"},
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    https = Https(ports["https"], prefix / "etc/isek/tls/isek.crt")
    end = time.time() + 60
    while True:
        try:
            if https.get("/")[0] == 200:
                break
        except OSError:
            pass
        assert time.time() < end and proc.poll() is None, (prefix / "run.log").read_text()[-3000:]
        time.sleep(0.5)
    yield prefix, ports, https
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=90)
    log.close()


def test_install_writes_a_complete_installation(installed):
    prefix, ports, stdout = installed
    env = stack.read_env(prefix / "etc/isek/isek.env")
    assert env["ISEK_MODE"] == "production" and env["ISEK_ALLOWED_HOSTS"] == "localhost"
    assert env["DATABASE_URL"].startswith(f"postgis://{DB}:") and len(env["ISEK_SECRET_KEY"]) >= 50
    assert env["ISEK_CSRF_TRUSTED_ORIGINS"] == env["ISEK_BASE_URL"] == f"https://localhost:{ports['https']}"  # 0093: the port
    assert oct((prefix / "etc/isek/isek.env").stat().st_mode & 0o777) == "0o640"
    assert oct((prefix / "etc/isek/tls/isek.key").stat().st_mode & 0o777) == "0o600"
    # the demo is in the new PostGIS database, loaded through the installation's settings
    with psycopg.connect(f"host=127.0.0.1 port={PG_PORT} user=postgres dbname={DB}") as db:
        assert db.execute("SELECT count(*) FROM concepts_measure").fetchone()[0] > 10
        assert db.execute("SELECT postgis_version()").fetchone()[0]
    # static files collected, each text file compressed beside it
    css = prefix / "var/lib/isek/static/isek/isek.css"
    assert gzip.decompress(css.with_name("isek.css.gz").read_bytes()) == css.read_bytes()
    # nginx accepts the site, systemd the units (and both can say no)
    conf = prefix / "etc/nginx/nginx.conf"
    assert subprocess.run(["nginx", "-t", "-q", "-c", str(conf)], capture_output=True).returncode == 0
    units = [str(u) for u in sorted((prefix / "etc/systemd/system").iterdir())]
    assert len(units) == 4
    verified = subprocess.run(["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    broken = prefix / "broken.service"
    broken.write_text((prefix / "etc/systemd/system/isek-web.service").read_text().replace("ExecStart=", "ExecStart=/no/such/"))
    assert subprocess.run(["systemd-analyze", "verify", "--man=no", str(broken)], capture_output=True).returncode != 0
    cmd, unit_env, cwd = stack.unit_process(prefix / "etc/systemd/system/isek-web.service")
    assert cmd[1:3] == ["serve", "--bind"] and cmd[3] == f"127.0.0.1:{ports['app']}"
    assert unit_env["DATABASE_URL"] == env["DATABASE_URL"] and cwd == str(prefix / "var/lib/isek")


def test_install_again_keeps_secret_and_database(installed):
    prefix, ports, _ = installed
    before = stack.read_env(prefix / "etc/isek/isek.env")
    (prefix / "etc/isek/isek.env").write_text((prefix / "etc/isek/isek.env").read_text() + "ISEK_POW_COST=2000\n")
    _isek("production", "install", "--server-name", "localhost", "--prefix", str(prefix), "--db-name", DB,
          "--listen", "127.0.0.1", "--http-port", str(ports["http"]), "--https-port", str(ports["https"]),
          "--app-port", str(ports["app"]))
    after = stack.read_env(prefix / "etc/isek/isek.env")
    assert after["ISEK_SECRET_KEY"] == before["ISEK_SECRET_KEY"]
    assert after["DATABASE_URL"] == before["DATABASE_URL"]
    assert after["ISEK_TLS"] == before["ISEK_TLS"]  # the certificate is remembered too
    assert after["ISEK_POW_COST"] == "2000"  # what the operator added stays


@pytest.mark.parametrize("args, message", [
    (["--server-name", "isek bochum"], "kein Hostname"),
    (["--server-name", "localhost", "--https-port", "70000"], "Ungültiger Port 70000"),
    (["--server-name", "localhost", "--http-port", "8443", "--https-port", "8443"], "verschieden"),
    (["--server-name", "localhost", "--tls-cert", "/no/cert.pem"], "gehören zusammen"),
    (["--server-name", "localhost", "--tls-cert", "/no/cert.pem", "--tls-key", "/no/key.pem"], "gibt es nicht"),
    (["--server-name", "localhost", "--self-signed", "--db-name", "isek; DROP"], "Datenbank- und Benutzernamen"),
    (["--server-name", "localhost", "--self-signed", "--database-url", "mysql://x/y"], "PostgreSQL-Adresse"),
    (["--server-name", "localhost", "--database-url", "postgis://a@127.0.0.1:1/x"], "Zertifikat fehlt"),
])
def test_bad_options_are_refused_and_write_nothing(tmp_path, args, message, capsys):
    # in this process, as `isek` runs it (isek.cli.main): refused before anything is touched, so no
    # installation's process is needed to prove it (each one cost ~3 s CPU)
    assert _in_process("production", "install", "--prefix", str(tmp_path / "p"), *args) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "p").exists()


def test_run_without_an_installation_says_so(tmp_path, capsys):
    assert _in_process("production", "run", "--prefix", str(tmp_path)) == 1
    assert "Keine Installation" in capsys.readouterr().err


def _in_process(*args: str) -> int:
    """``isek *args`` in this process: its exit status (an exception other than SystemExit fails the test)."""
    from isek import cli

    with pytest.raises(SystemExit) as exit_:
        cli.main(list(args))
    return exit_.value.code


def test_the_demo_is_served_through_nginx_over_https(running):
    prefix, ports, https = running
    status, headers, body = https.get("/concepts/bochum-innenstadt/")
    assert status == 200 and "Bochum" in body.decode()
    assert headers["Server"] == "nginx" and headers["X-Cache-Status"] in ("MISS", "HIT", "EXPIRED", "REVALIDATED")
    assert "max-age=3600" in headers["Strict-Transport-Security"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    # anonymous public GeoJSON, cached by nginx on the second request
    https.get("/concepts/bochum-innenstadt/measures.geojson")
    status, headers, body = https.get("/concepts/bochum-innenstadt/measures.geojson")
    assert status == 200 and headers["X-Cache-Status"] == "HIT" and b'"FeatureCollection"' in body
    # static files from nginx itself, the pre-compressed copy when the browser takes gzip
    status, headers, body = https.get("/static/isek/isek.css", **{"Accept-Encoding": "gzip"})
    gz = (prefix / "var/lib/isek/static/isek/isek.css.gz").read_bytes()
    assert status == 200 and headers["Content-Encoding"] == "gzip" and body == gz
    status, headers, _ = https.get("/static/vendor/maplibre/maplibre-gl.mjs")
    assert status == 200 and headers["Content-Type"] == "text/javascript"
    # plain HTTP only redirects to HTTPS
    conn = socket.create_connection(("127.0.0.1", ports["http"]))
    conn.sendall(b"GET /concepts/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    answer = conn.recv(4096).decode()
    conn.close()
    assert answer.startswith("HTTP/1.1 301") and f"Location: https://localhost:{ports['https']}/concepts/" in answer
    # a session cookie only over HTTPS; a planner must set up the second factor
    status, headers, _ = https.get("/accounts/login/")
    assert status == 200 and "Secure" in headers["Set-Cookie"]
    # an unknown host name is refused by Django (ALLOWED_HOSTS), without a traceback
    status, _, body = https.get("/", Host="evil.example")
    assert status == 400 and b"Traceback" not in body


def test_the_worker_process_builds_a_report(running):
    prefix, _, _ = running
    _, env, _ = stack.unit_process(prefix / "etc/systemd/system/isek-web.service")
    code = ("from isek import access; from isek.concepts import services as c; from isek.monitoring import services as m; "
            "r = m.start_report(access.Operator('test'), c.concept_by_slug('bochum-innenstadt'), 'monitoring', year=2025); "
            "print(r.pk)")
    pk = _isek("shell", "-c", code, env=env).stdout.strip().splitlines()[-1]
    end = time.time() + 120
    while time.time() < end:
        status = _isek("shell", "-c", f"from isek.monitoring.models import Report; print(Report.objects.get(pk={pk}).status)",
                       env=env).stdout.strip().splitlines()[-1]
        if status in ("done", "failed"):
            break
        time.sleep(1)
    assert status == "done"


def test_manage_runs_a_command_with_the_installation_settings(installed):
    prefix, _, _ = installed
    done = _isek("production", "manage", "--prefix", str(prefix), "shell", "-c",
                 "from django.conf import settings; print(settings.ISEK_MODE, settings.DATABASES['default']['NAME'])")
    assert done.stdout.split()[-2:] == ["production", DB]
