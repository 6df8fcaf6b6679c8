"""Benchmark: citizens submitting ideas, sustained for a minute, on PostGIS.

PostgreSQL + PostGIS on loopback (tools/pg.sh, own port and directory), a concept with an open
phase, isek served by gunicorn (2 workers × 4 threads) on loopback. CLIENTS keep-alive clients
each loop: fetch a proof-of-work challenge, solve it, send the idea form (CSRF token, honeypot,
place inside the area) and count a redirect as accepted. The proof of work is made cheap
(ISEK_POW_COST=1, prefix "0": the client's cost, which the bench does not measure) and the rate
limit high (each client has its own loopback address, 127.0.1.n, but sends far more than a
citizen would); everything else is what a citizen's submission does.
At the end the ideas stored are counted: none lost, none twice.

Run:  .venv/bin/python bench/participation_write_bench.py   (or `make bench`)
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from _servers import (  # noqa: E402
    free_port,
    fresh_database,
    postgis_env,
    public_concept_code,
    serve_isek,
    start_postgis,
    stop,
    stop_postgis,
    wait_port,
)

SECONDS = int(os.environ.get("ISEK_BENCH_SECONDS", 60))
CLIENTS = int(os.environ.get("ISEK_BENCH_CLIENTS", 16))
WORKERS = int(os.environ.get("ISEK_BENCH_WORKERS", 2))
SLUG = "schreibtest"

SETUP = public_concept_code(SLUG, "Schreibtest (Beispiel)", (7.20, 51.47, 7.23, 51.49)) + textwrap.dedent("""
    import datetime, json
    from django.utils import timezone
    from isek.participation import services
    now = timezone.now()
    phase = services.save_phase(op, c, title_de="Lasttest", start=now - datetime.timedelta(days=1),
                                end=now + datetime.timedelta(days=1), themes=[("Mobilität", "Mobility", "#1565c0")],
                                illustrative=True)
    print(json.dumps({"theme": phase.themes.get().pk}))
""")


class Connection:
    """A keep-alive HTTP/1.1 connection that does no more than the bench needs (the server's
    answers carry Content-Length), so that the client takes little of the machine it shares."""

    def __init__(self, port: int, source: str):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(source, 0))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def request(self, head: str, body: bytes = b"") -> tuple[int, dict[str, list[str]], bytes]:
        self.sock.sendall(head.encode() + body)
        while b"\r\n\r\n" not in self.buf:
            self._read()
        raw, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = raw.decode("latin-1").split("\r\n")
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            k, _sep, v = line.partition(":")
            headers.setdefault(k.strip().lower(), []).append(v.strip())
        length = int(headers.get("content-length", ["0"])[0])
        while len(self.buf) < length:
            self._read()
        content, self.buf = self.buf[:length], self.buf[length:]
        return int(lines[0].split()[1]), headers, content

    def _read(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk


class Citizen(threading.Thread):
    def __init__(self, port: int, theme: int, until: float, n: int):
        super().__init__(daemon=True)
        self.port, self.theme, self.until, self.n = port, theme, until, n
        self.accepted = self.refused = 0
        self.errors: list[str] = []

    def run(self):
        import altcha

        # Each client is another citizen: its own address on the loopback network (127.0.0.0/8),
        # hence its own rate-limit key.
        conn = Connection(self.port, f"127.0.1.{self.n + 1}")
        base = f"/concepts/{SLUG}/participation/"
        host = f"Host: 127.0.0.1:{self.port}\r\n"
        status, headers, page = conn.request(f"GET {base}ideas/new/ HTTP/1.1\r\n{host}\r\n")
        cookie = "; ".join(c.split(";")[0] for c in headers.get("set-cookie", []))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode()).group(1)
        i = 0
        while time.time() < self.until:
            _s, _h, content = conn.request(f"GET {base}challenge/ HTTP/1.1\r\n{host}Cookie: {cookie}\r\n\r\n")
            ch = altcha.v2.Challenge.from_dict(json.loads(content))
            payload = altcha.v2.Payload(ch, altcha.solve_challenge(ch)).to_base64()
            lon, lat = 7.201 + (self.n * 0.001) % 0.028, 51.471 + (i * 0.0001) % 0.018
            body = urllib.parse.urlencode({
                "csrfmiddlewaretoken": token, "theme": self.theme, "title": f"Idee {self.n}-{i}", "altcha": payload,
                "text": "Eine Idee aus dem Lasttest.", "geometry": json.dumps({"type": "Point", "coordinates": [lon, lat]})}
            ).encode()
            status, headers, _c = conn.request(
                f"POST {base}ideas/new/ HTTP/1.1\r\n{host}Cookie: {cookie}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
                f"Referer: http://127.0.0.1:{self.port}{base}ideas/new/\r\n\r\n", body)
            for c in headers.get("set-cookie", []):  # the contributor cookie comes with the first idea
                if c.startswith("isek_contributor=") and "isek_contributor" not in cookie:
                    cookie += "; " + c.split(";")[0]
            if status == 302:
                self.accepted += 1
            else:
                self.refused += 1
                if len(self.errors) < 3:
                    self.errors.append(str(status))
            i += 1
        conn.sock.close()


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="isek-write-"))
    start_postgis()
    env = postgis_env(tmp / "var", ISEK_POW_COST="1", ISEK_POW_PREFIX="0", ISEK_RATE_IDEAS="100000000")
    os.chdir(ROOT)
    procs = []
    try:
        fresh_database(env)
        theme = json.loads(subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, capture_output=True,
                                          text=True).stdout.strip().splitlines()[-1])["theme"]
        port = free_port()
        procs.append(serve_isek(port, env, WORKERS))
        wait_port(port)
        until = time.time() + SECONDS
        clients = [Citizen(port, theme, until, n) for n in range(CLIENTS)]
        t0 = time.perf_counter()
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        elapsed = time.perf_counter() - t0
        count = ("import django; django.setup(); from isek.participation.models import Contributor, Idea; "
                 "print(Idea.objects.count(), Idea.objects.values('title').distinct().count(), Contributor.objects.count())")
        stored, distinct, contributors = map(int, subprocess.run([sys.executable, "-c", count], env=env, check=True, capture_output=True,
                                                   text=True).stdout.split())
    finally:
        stop(procs)
        stop_postgis()
    accepted = sum(c.accepted for c in clients)
    refused = sum(c.refused for c in clients)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; PostGIS, "
          f"gunicorn {WORKERS}×4, {CLIENTS} clients on the same machine, {SECONDS} s")
    print(f"accepted {accepted} ideas in {elapsed:.1f} s = {accepted / elapsed:.0f} per second; refused {refused} "
          f"{sorted({e for c in clients for e in c.errors})}")
    print(f"stored {stored}, distinct titles {distinct}: {'none lost, none twice' if stored == accepted == distinct else 'MISMATCH'}")
    print(f"contributors {contributors} (one per client, as each keeps its cookie: {contributors == CLIENTS})")
    print(f"bar: 300 per second sustained — {'met' if accepted / elapsed >= 300 else 'NOT met'}")
    return 0 if stored == accepted == distinct and refused == 0 and contributors == CLIENTS else 1


if __name__ == "__main__":
    sys.exit(main())
