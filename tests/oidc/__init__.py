"""A real OpenID Connect provider (node's oidc-provider, tests/oidc/provider.mjs) on loopback."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID, CLIENT_SECRET = "isek", "s3cr3t-for-the-tests-only"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_provider(redirect_uri: str, accounts: dict):
    """Start the provider; yield its issuer URL; stop it."""
    assert (ROOT / "node_modules" / "oidc-provider").exists(), "oidc-provider missing: run `npm ci` (make setup)"
    version = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert int(version.lstrip("v").split(".")[0]) >= 18, f"oidc-provider 8 needs Node.js 18 or newer, not {version}"
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                                      "redirect_uri": redirect_uri, "accounts": accounts}))
        process = subprocess.Popen(["node", str(SCRIPT), str(_free_port()), str(config)], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            line = process.stdout.readline()
            while line and not line.startswith("ready "):  # oidc-provider warns about its development keys
                line = process.stdout.readline()
            assert line.startswith("ready "), f"the provider did not start: {line!r}"
            yield line.split()[1]
        finally:
            process.terminate()
            process.wait(timeout=10)


def through_provider(authorize_url: str, redirect_uri: str, username: str, password: str, *, decline: bool = False) -> str:
    """Follow isek's redirect at the provider as a browser would (without one: requests), sign in
    as ``username`` (or decline); return the URL the provider sends back to isek."""
    from urllib.parse import urljoin

    import requests

    with requests.Session() as http:
        url = authorize_url
        for _step in range(10):
            if url.startswith(redirect_uri):
                return url
            r = http.get(url, allow_redirects=False, timeout=10)
            if r.status_code == 200 and "/interaction/" in url:
                action = "abort" if decline else "login"
                r = http.post(f"{url}/{action}", data={"login": username, "password": password}, allow_redirects=False,
                              timeout=10)
            assert r.status_code in (302, 303), (r.status_code, r.text[:500])
            url = urljoin(url, r.headers["Location"])
    raise AssertionError(f"the provider did not send back to isek: {url}")


@contextlib.contextmanager
def discovery_server():
    """A loopback server with three providers' discovery documents: ``/realms/stadt`` describes
    itself, ``/realms/falsch`` names another issuer, ``/realms/stoerung`` answers 503 (a provider
    down for a while), ``/realms/ohne-ende`` sends a megabyte. Yields its base URL."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            base = f"http://127.0.0.1:{self.server.server_port}"
            realm = self.path.removesuffix("/.well-known/openid-configuration")
            if realm == "/realms/stoerung":
                self.send_response(503)
                self.end_headers()
                return
            if realm == "/realms/ohne-ende":  # sends without end: isek stops reading
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                try:
                    self.wfile.write(b'{"issuer": "' + b"x" * (1 << 20))
                except OSError:
                    pass
                return
            if realm not in ("/realms/stadt", "/realms/falsch"):
                self.send_response(404)
                self.end_headers()
                return
            issuer = base + realm if realm == "/realms/stadt" else "https://login.anders.example/realms/falsch"
            body = json.dumps({"issuer": issuer, "authorization_endpoint": issuer + "/auth"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
