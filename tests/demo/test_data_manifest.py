"""The data manifest: pinned origins and checksums; fetch verifies before installing."""

import functools
import http.server
import shutil
import threading

import pytest
from django.core.management import CommandError, call_command

from isek.demo import data
from tests.data import data_dir

SHARED = data_dir("bochum")
REQUIRED_DATA = [SHARED / "bochum/vrr_gtfs_stops/stops_bochum.txt",
                 SHARED / "participation/raddialog_koeln_ehrenfeld_2017_themes.csv"]


def test_manifest_matches_the_shared_data():
    entries = data.entries()
    assert len(entries) >= 20
    for e in entries:
        p = SHARED / e.path
        assert p.exists(), e.path
        assert data.sha256_of(p) == e.sha256, e.path
        assert e.licence in ("CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "ODbL-1.0") and e.attribution
        assert e.url.startswith("https://raw.githubusercontent.com/") or e.note


def test_gtfs_derivation_keeps_only_bochum_rows():
    raw = (SHARED / "bochum/vrr_gtfs_stops/stops_bochum.txt").read_bytes()
    header, first, rest = raw.split(b"\n", 2)
    mixed = header + b"\n" + b'"de:05913:1:1","","Dortmund Hbf","51.5","7.4","","0","","0","",""\n' + first + b"\n" + rest
    assert data.derive_gtfs_stops_bochum(raw) == raw
    assert data.derive_gtfs_stops_bochum(mixed) == raw


def test_koeln_derivation_keeps_only_the_ehrenfeld_rows():
    """The Köln themes file is the Ehrenfeld part (IDs E…) of the CIMT Cycling Dialogues table."""
    shared = (SHARED / "participation/raddialog_koeln_ehrenfeld_2017_themes.csv").read_bytes()
    header, first, rest = shared.split(b"\r\n", 2)
    # a row of Bonn whose quoted text has a line starting with E (a line filter would keep it)
    bonn = b'B1,"Ampel, bitte","Text \xc3\xbcber zwei Zeilen:\r\nEingang Kreuzung",x,y'
    mixed = header + b"\r\n" + bonn + b"\r\n" + first + b"\r\n" + rest
    assert data.derive_cimt_koeln_ehrenfeld(mixed) == shared
    with pytest.raises(data.DataError, match="CIMT"):
        data.derive_cimt_koeln_ehrenfeld(b"name,text\r\nE1,x\r\n")


@pytest.fixture
def mirror(tmp_path):
    """A loopback HTTP server serving a copy of the data tree."""
    root = tmp_path / "mirror"
    shutil.copytree(SHARED / "bochum", root / "bochum")
    shutil.copytree(SHARED / "participation", root / "participation")
    (root / "osm").mkdir()
    for f in (SHARED / "osm").glob("*.pbf"):
        shutil.copy2(f, root / "osm" / f.name)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_fetch_downloads_and_verifies(mirror, tmp_path):
    root, url = mirror
    dest = tmp_path / "var-data"
    result = data.fetch(dest, [dest], mirror=url, progress=lambda s: None)
    assert result["failed"] == [] and len(result["fetched"]) == len(data.entries())
    for e in data.entries():
        assert data.sha256_of(dest / e.path) == e.sha256
    again = data.fetch(dest, [dest], mirror=url, progress=lambda s: None)
    assert again["fetched"] == [] and len(again["present"]) == len(data.entries())


def test_fetch_refuses_a_tampered_file(mirror, tmp_path):
    root, url = mirror
    target = "bochum/osm_boundaries/bochumCityBoundary.osm.geojson"
    (root / target).write_bytes((root / target).read_bytes().replace(b"Bochum", b"Bochun", 1))
    dest = tmp_path / "var-data"
    result = data.fetch(dest, [dest], mirror=url, progress=lambda s: None)
    assert [f for f in result["failed"] if f.startswith(target)]
    assert "Prüfsumme stimmt nicht" in result["failed"][0]
    assert not (dest / target).exists()
    assert not list((dest / target).parent.glob(".part-*"))


def test_fetch_command_reports_failures(tmp_path, settings, capsys, monkeypatch):
    settings.ISEK_DATA_DIRS = [tmp_path / "nothing"]
    settings.VAR_DIR = tmp_path
    calls = []
    real = data._download
    monkeypatch.setattr(data, "_download", lambda url, timeout: (calls.append(url), real(url, timeout))[1])
    with pytest.raises(CommandError, match="nicht geladen"):
        call_command("data", "fetch", mirror="http://127.0.0.1:9/")
    err = capsys.readouterr().err
    assert err.count("nicht erreichbar") == len(data.entries())
    # One refused connection marks the host unreachable; the rest is not tried again.
    assert len(calls) == 1


def test_status_command_lists_files(capsys):
    call_command("data", "status", verify=True)
    out = capsys.readouterr().out
    assert out.count("ok ") == len(data.entries())
