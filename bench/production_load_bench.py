"""Benchmark: mixed public and planner traffic against the production stack on loopback.

The stack is installed as an operator would (`isek production install --prefix` into a scratch
directory: PostgreSQL + PostGIS on the benchmark's own cluster, gunicorn 2 workers × 4 threads
behind nginx with TLS, the worker, the Bochum demo) and run with `isek production run`.

1. The bars of issue #13: the concept page and the public measures GeoJSON through the stack
   (HTTPS, keep-alive, gzip) against nginx serving the same bytes as files with gzip_static over
   the same TLS, wrk with 64 connections for DURATION s each: requests/s, p99.
2. Mixed traffic for MIXED s: wrk (64 connections) over concept page, measure pages, GeoJSON, the
   API's measure list and OGC items, while 4 citizens submit ideas (challenge, proof of work, form)
   and 2 planners read KuF, dashboard and reports (a signed-in session with its second factor):
   throughput, p50/p99, errors, and the largest resident memory of isek's processes, nginx and
   PostgreSQL seen during the run.

The citizens' rate limit is raised for the run in the installation's settings (all clients come
from 127.0.0.1 through nginx; a real crowd has many addresses).

Run:  .venv/bin/python bench/production_load_bench.py   (needs wrk, nginx-light, openssl)
"""

from __future__ import annotations

import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
from _servers import PG_PORT, free_port, nginx_conf, run_wrk, start_nginx, start_postgis, stop, stop_postgis, wait_port  # noqa: E402

DURATION = int(os.environ.get("ISEK_BENCH_SECONDS", 15))
MIXED = int(os.environ.get("ISEK_BENCH_MIXED_SECONDS", 30))
CONNECTIONS = 64
CERT = [""]  # the stack's self-signed certificate, set once it exists
SLUG = "bochum-innenstadt"
DB = "isek_prodbench"
CALLER = {**{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "ISEK_MODE", "ISEK_VAR_DIR"))},
          "ISEK_MODE": "demo", "ISEK_VAR_DIR": "/tmp/isek-bench-caller",
          "ISEK_DATA_DIRS": os.environ.get("ISEK_DATA_DIRS", str(ROOT.parent / "shared" / "data"))}


def isek(*args: str, env=None) -> str:
    done = subprocess.run([sys.executable, "-m", "isek.cli", *args], env=env or CALLER, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"isek {' '.join(args[:3])}: {done.stderr[-2000:]}")
    return done.stdout


def wrk(url: str, seconds: int, script: Path | None = None) -> dict:
    return run_wrk(url, seconds, CONNECTIONS, script)


MIX_LUA = """
local paths = {{{paths}}}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
"""


class Citizen(threading.Thread):
    """One citizen after another submitting ideas over HTTPS (challenge, proof of work, form)."""

    def __init__(self, base: str, theme: int, until: float, n: int):
        super().__init__(daemon=True)
        self.base, self.theme, self.until, self.n = base, theme, until, n
        self.accepted, self.errors, self.latencies = 0, [], []

    def run(self):
        import altcha
        import requests

        s = requests.Session()
        s.trust_env, s.verify = False, CERT[0]  # the stack's own certificate (REQUESTS_CA_BUNDLE would win otherwise)
        form = f"{self.base}/concepts/{SLUG}/participation/ideas/new/"
        page = s.get(form)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        i = 0
        while time.time() < self.until:
            start = time.perf_counter()
            ch = altcha.v2.Challenge.from_dict(s.get(f"{self.base}/concepts/{SLUG}/participation/challenge/").json())
            payload = altcha.v2.Payload(ch, altcha.solve_challenge(ch)).to_base64()
            lon, lat = POINTS[(self.n * 7 + i) % len(POINTS)]
            r = s.post(form, data={"csrfmiddlewaretoken": token, "theme": self.theme, "title": f"Lasttest {self.n}-{i}",
                                   "text": "Eine Idee aus dem Lasttest.", "altcha": payload,
                                   "geometry": json.dumps({"type": "Point", "coordinates": [lon, lat]})},
                       headers={"Referer": form}, allow_redirects=False)
            self.latencies.append(time.perf_counter() - start)
            if r.status_code == 302:
                self.accepted += 1
            elif len(self.errors) < 5:
                said = re.findall(r'(?:kern-error[^>]*>|kern-alert__header"><span class="kern-title">)([^<]+)', r.text)
                self.errors.append(f"{r.status_code} {said[-1:] }")
            i += 1


class Planner(threading.Thread):
    """A signed-in planner (second factor done) reading KuF, dashboard and reports in turn."""

    PAGES = ("kuf/", "dashboard/", "reports/", "")

    def __init__(self, base: str, session: str, until: float):
        super().__init__(daemon=True)
        self.base, self.session, self.until = base, session, until
        self.ok, self.errors, self.latencies = 0, [], []

    def run(self):
        import requests

        s = requests.Session()
        s.trust_env, s.verify = False, CERT[0]
        i = 0
        while time.time() < self.until:
            start = time.perf_counter()
            r = s.get(f"{self.base}/concepts/{SLUG}/{self.PAGES[i % len(self.PAGES)]}",
                      headers={"Cookie": f"sessionid={self.session}"}, allow_redirects=False)
            self.latencies.append(time.perf_counter() - start)
            if r.status_code == 200:
                self.ok += 1
            elif len(self.errors) < 5:
                self.errors.append(f"{r.status_code} {r.headers.get('Location', '')}")
            i += 1


POINTS: list[tuple[float, float]] = []  # inside the demo's participation area
FACTS = textwrap.dedent("""
    import json, random
    from isek.concepts import services as c
    from isek.participation import services as p
    k = c.concept_by_slug("bochum-innenstadt")
    phase = p.current_phase(k)
    area = phase.area()
    x0, y0, x1, y1 = area.extent
    from django.contrib.gis.geos import Point
    random.seed(1)
    points = []
    while len(points) < 200:
        pt = Point(random.uniform(x0, x1), random.uniform(y0, y1), srid=4326)
        if area.contains(pt):
            points.append((pt.x, pt.y))
    print(json.dumps({"theme": phase.themes.first().pk, "measures": [m.pk for m in c.measures_of(k)[:8]],
                      "points": points}))
""")
SESSION = textwrap.dedent("""
    from django.contrib.auth import get_user_model, BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_otp import DEVICE_ID_SESSION_KEY
    user = get_user_model().objects.get(username="planerin")
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="Lasttest", defaults={"confirmed": True})
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s[DEVICE_ID_SESSION_KEY] = device.persistent_id
    s.create()
    print(s.session_key)
""")


def rss_mb(pids) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    kids = [int(p) for p in out]
    return kids + [g for k in kids for g in descendants(k)]


def main() -> int:
    for tool in ("wrk", "nginx", "openssl"):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            print(f"{tool} is missing (make setup installs it)")
            return 1
    start_postgis()
    tmp = Path(tempfile.mkdtemp(prefix="isek-prodbench-"))
    procs: list[subprocess.Popen] = []
    run = None
    try:
        with psycopg.connect(f"host=127.0.0.1 port={PG_PORT} user=postgres dbname=postgres", autocommit=True) as db:
            db.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            db.execute(f"DROP ROLE IF EXISTS {DB}")
        prefix = tmp / "stack"
        http, https, app = free_port(), free_port(), free_port()
        t0 = time.time()
        isek("production", "install", "--server-name", "localhost", "--self-signed", "--prefix", str(prefix),
             "--pg-admin-url", f"postgresql://postgres@127.0.0.1:{PG_PORT}/postgres", "--db-name", DB,
             "--listen", "127.0.0.1", "--http-port", str(http), "--https-port", str(https), "--app-port", str(app),
             "--demo")
        print(f"installed in {time.time() - t0:.0f} s (database, static files, demo)")
        env_file = prefix / "etc/isek/isek.env"
        env_file.write_text(env_file.read_text() + "ISEK_RATE_IDEAS=1000000\nISEK_LOG_LEVEL=WARNING\n")
        cert = prefix / "etc/isek/tls/isek.crt"
        run = subprocess.Popen([sys.executable, "-m", "isek.cli", "production", "run", "--prefix", str(prefix)],
                               env=CALLER, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_port(https)
        base = f"https://localhost:{https}"
        import requests

        CERT[0] = str(cert)
        probe = requests.Session()
        probe.trust_env, probe.verify = False, CERT[0]
        for _ in range(120):
            try:
                if probe.get(base + "/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)

        # 1. the bars: concept page and public GeoJSON against the same bytes from nginx
        static = tmp / "static"
        static.mkdir()
        bars = {"concept page": f"/concepts/{SLUG}/", "measures GeoJSON": f"/concepts/{SLUG}/measures.geojson"}
        for name, path in bars.items():
            r = probe.get(base + path, headers={"Accept-Encoding": "gzip", "Accept-Language": "de"},
                             stream=True)
            raw = r.raw.read()  # the bytes as sent
            target = static / (name.replace(" ", "-") + ".bin")
            if r.headers.get("Content-Encoding") == "gzip":
                target.write_bytes(b"")
                target.with_name(target.name + ".gz").write_bytes(raw)
            else:
                target.write_bytes(raw)
            print(f"{name}: {len(raw):,} bytes, Content-Encoding {r.headers.get('Content-Encoding', 'none')}, "
                  f"X-Cache-Status {r.headers.get('X-Cache-Status')}")
        ref_port = free_port()
        conf = nginx_conf(tmp, f"""
            server {{
              listen 127.0.0.1:{ref_port} ssl;
              ssl_certificate {cert}; ssl_certificate_key {prefix / "etc/isek/tls/isek.key"};
              ssl_protocols TLSv1.2 TLSv1.3; ssl_session_cache shared:ref:10m;
              location / {{ root {static}; gzip_static on; default_type text/html; }}
            }}""", connections=1024)
        procs.append(start_nginx("nginx", conf))
        wait_port(ref_port)
        results = []
        for name, path in bars.items():
            ref = wrk(f"https://localhost:{ref_port}/{name.replace(' ', '-')}.bin", DURATION)
            got = wrk(base + path, DURATION)
            results.append((name, got, ref))
        stop(procs)
        procs.clear()

        # 2. mixed traffic
        session = isek("production", "manage", "--prefix", str(prefix), "shell", "-c", SESSION).split()[-1]
        facts = json.loads(isek("production", "manage", "--prefix", str(prefix), "shell", "-c", FACTS).splitlines()[-1])
        theme, measures, POINTS[:] = facts["theme"], facts["measures"], facts["points"]
        collection = f"{SLUG}.measures"
        paths = [f"/concepts/{SLUG}/", f"/concepts/{SLUG}/measures.geojson", f"/api/v1/concepts/{SLUG}/measures/",
                 f"/ogc/collections/{collection}/items?limit=100", *(f"/concepts/{SLUG}/measures/{m}/" for m in measures)]
        script = tmp / "mix.lua"
        script.write_text(MIX_LUA.format(paths=", ".join(json.dumps(p) for p in paths)))
        until = time.time() + MIXED
        citizens = [Citizen(base, theme, until, n) for n in range(4)]
        planners = [Planner(base, session, until) for _ in range(2)]
        peak = {"isek": 0.0, "nginx": 0.0, "postgres": 0.0}
        sampling = True

        def sample():
            from _servers import PG_DIR

            postmaster = int(Path(PG_DIR, "data", "postmaster.pid").read_text().split()[0])
            pg = [postmaster]
            while sampling:
                family = descendants(run.pid)
                ngx = [p for p in family if Path(f"/proc/{p}/comm").exists() and
                       Path(f"/proc/{p}/comm").read_text().strip() == "nginx"]
                peak["nginx"] = max(peak["nginx"], rss_mb(ngx))
                peak["isek"] = max(peak["isek"], rss_mb([p for p in family if p not in ngx] + [run.pid]))
                peak["postgres"] = max(peak["postgres"], rss_mb(pg + descendants(postmaster)))
                time.sleep(1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        for t in citizens + planners:
            t.start()
        mixed = wrk(base + "/", MIXED, script)
        for t in citizens + planners:
            t.join(timeout=60)
        sampling = False
        sampler.join(timeout=5)

        def pct(values, q):
            values = sorted(values)
            return 1000 * values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

        ideas = sum(c.accepted for c in citizens)
        idea_lat = [x for c in citizens for x in c.latencies]
        plan_ok = sum(p.ok for p in planners)
        plan_lat = [x for p in planners for x in p.latencies]
        errors = [e for c in citizens for e in c.errors] + [e for p in planners for e in p.errors]

        print()
        print(f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}")
        print(f"Stack: isek production install --prefix (nginx TLS + gunicorn 2×4 + worker, PostGIS); wrk -t2 -c{CONNECTIONS}")
        print()
        print("| URL (HTTPS, gzip) | through the stack req/s | p99 ms | nginx, same bytes req/s | p99 ms | ratio |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, got, ref in results:
            print(f"| {name} | {got['rps']:,.0f} | {got['p99']:.1f} | {ref['rps']:,.0f} | {ref['p99']:.1f} | "
                  f"{got['rps'] / ref['rps']:.2f} |")
        print()
        print(f"Mixed traffic for {MIXED} s:")
        print(f"- public reads (wrk, {len(paths)} URLs in turn): {mixed['rps']:,.0f} req/s, p50 {mixed['p50']:.1f} ms, "
              f"p99 {mixed['p99']:.1f} ms, {mixed['requests']:,} requests, errors {mixed['errors']} "
              f"{mixed['socket_errors']}")
        print(f"- ideas (4 citizens): {ideas} accepted ({ideas / MIXED:.1f}/s), p50 {pct(idea_lat, .5):.0f} ms, "
              f"p99 {pct(idea_lat, .99):.0f} ms")
        print(f"- planner pages (2 planners): {plan_ok} ({plan_ok / MIXED:.1f}/s), p50 {pct(plan_lat, .5):.0f} ms, "
              f"p99 {pct(plan_lat, .99):.0f} ms")
        print(f"- errors of citizens and planners: {len(errors)} {errors[:5]}")
        print(f"- peak resident memory: isek (gunicorn, worker, supervisor) {peak['isek']:.0f} MB, nginx "
              f"{peak['nginx']:.0f} MB, PostgreSQL {peak['postgres']:.0f} MB")
        bad = [n for n, got, ref in results if got["rps"] < 0.5 * ref["rps"] or got["p99"] >= 50 or got["errors"]]
        if bad or mixed["errors"] or errors:
            print(f"NOT MET: {bad or ''} {'errors in the mixed run' if mixed['errors'] or errors else ''}")
            return 1
        print("Bars met: ≥ 0.5 × nginx and p99 < 50 ms for both; no errors.")
        return 0
    finally:
        stop(procs)
        if run is not None:
            os.killpg(run.pid, signal.SIGTERM)
            try:
                run.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(run.pid, signal.SIGKILL)
        with psycopg.connect(f"host=127.0.0.1 port={PG_PORT} user=postgres dbname=postgres", autocommit=True) as db:
            db.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        stop_postgis()


if __name__ == "__main__":
    sys.exit(main())
