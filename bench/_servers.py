"""What the server benchmarks share: free loopback ports, waiting for a server, isek served by
gunicorn as `isek demo` serves it, an nginx configuration with its temporary paths in the run's
directory, a throw-away PostgreSQL + PostGIS (tools/pg.sh on its own port and directory), and
stopping what was started."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_PORT = int(os.environ.get("ISEK_BENCH_PG_PORT", 54339))
PG_DIR = os.environ.get("ISEK_BENCH_PG_DIR", "/tmp/isek-pg-bench")
_PG_ENV = {**os.environ, "ISEK_PG_PORT": str(PG_PORT), "ISEK_PG_DIR": PG_DIR}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def serve_isek(port: int, env: dict, workers: int = 2) -> subprocess.Popen:
    """isek on loopback as `isek demo` serves it (gunicorn, ``workers`` × 4 threads), in its own
    process group so that ``stop`` ends the workers too."""
    code = (f"import django; django.setup(); from isek.deploy.serving import serve; "
            f"serve('127.0.0.1', {port}, {workers})")
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def nginx_conf(tmp: Path, http: str, connections: int = 256) -> Path:
    """An nginx configuration (2 workers, no access log, every temporary path below ``tmp``) with
    ``http`` inside its http block; the file's path."""
    conf = tmp / "nginx.conf"
    conf.write_text(textwrap.dedent(f"""
        worker_processes 2;
        pid {tmp}/nginx.pid;
        error_log {tmp}/nginx-error.log;
        events {{ worker_connections {connections}; }}
        http {{
          access_log off;
          client_body_temp_path {tmp}/nginx-body;
          proxy_temp_path {tmp}/nginx-proxy;
          fastcgi_temp_path {tmp}/nginx-fastcgi;
          uwsgi_temp_path {tmp}/nginx-uwsgi;
          scgi_temp_path {tmp}/nginx-scgi;
        """) + textwrap.indent(textwrap.dedent(http).strip(), "  ") + "\n}\n")
    return conf


def run_wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> dict:
    """wrk (2 threads, keep-alive, gzip, German) against ``url``: requests/s, requests, p50 and p99
    in ms, non-2xx/3xx answers, socket errors, and wrk's own output."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Accept-Encoding: gzip",
           "-H", "Accept-Language: de"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout

    def ms(label):
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", out)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)), "p50": ms("50"), "p99": ms("99"),
            "errors": int(errors.group(1)) if errors else 0, "socket_errors": socket_errors.group(1) if socket_errors else "",
            "raw": out}


def start_nginx(nginx: str, conf: Path) -> subprocess.Popen:
    return subprocess.Popen([nginx, "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.DEVNULL)


def stop(procs: list[subprocess.Popen]) -> None:
    """End what was started: isek's process groups with SIGTERM, nginx by terminating it; what is
    still busy after 30 s (gunicorn finishing requests queued by a load test) is killed."""
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGTERM) if p.args[0] == sys.executable else p.terminate()
        except ProcessLookupError:
            pass
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL) if p.args[0] == sys.executable else p.kill()
            p.wait(timeout=30)


# An existing database to use instead of the throw-away server (e.g. a session's own database on a
# shared server, where starting a PostgreSQL is not allowed); it is emptied by the benchmarks.
EXISTING_DB = os.environ.get("ISEK_BENCH_DATABASE_URL", "")


def start_postgis() -> None:
    if EXISTING_DB:
        return
    subprocess.run(["bash", str(ROOT / "tools/pg.sh"), "start"], env=_PG_ENV, check=True, stdout=subprocess.DEVNULL)


def stop_postgis() -> None:
    if EXISTING_DB:
        return
    subprocess.run(["bash", str(ROOT / "tools/pg.sh"), "stop"], env=_PG_ENV, check=False, stdout=subprocess.DEVNULL)


def postgis_env(var_dir: Path, **extra: str) -> dict:
    """The environment of isek on the benchmark's PostGIS, with its files in ``var_dir``."""
    return {**os.environ, "DATABASE_URL": EXISTING_DB or f"postgis://postgres@127.0.0.1:{PG_PORT}/isek", "ISEK_MODE": "demo",
            "ISEK_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "isek.config.settings",
            "ISEK_DATA_DIRS": os.environ.get("ISEK_DATA_DIRS", str(ROOT.parent / "shared" / "data")), **extra}


def fresh_database(env: dict) -> None:
    """Empty the benchmark's database and bring it to the current schema."""
    subprocess.run([sys.executable, "-m", "isek.cli", "flush", "--noinput", "-v0"], env=env, check=False)
    subprocess.run([sys.executable, "-m", "isek.cli", "migrate", "-v0"], env=env, check=True)


def public_concept_code(slug: str, name: str, box: tuple[float, float, float, float]) -> str:
    """Python for a benchmark's set-up script (run with the benchmark's environment): Django set
    up, ``op`` an operator and ``c`` a public concept in Bochum with ``box`` (WGS84) as its area."""
    return textwrap.dedent(f"""
        import django; django.setup()
        import shapely
        from isek import access
        from isek.concepts import services as concepts
        from isek.core import geo
        op = access.Operator("bench")
        c = concepts.start_concept(op, ags="05911000", city_name="Bochum", slug={slug!r}, name={name!r},
                                   programme="lebendige_zentren", legal_basis="baugb_141", start_year=2026, end_year=2030)
        c.area = geo.to_django(shapely.MultiPolygon([shapely.box(*{tuple(box)!r})]))
        c.is_public = True
        concepts.save_concept(op, c)
    """)
