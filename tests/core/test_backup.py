"""Backup and restore (core.backup): a whole installation into one file and back, refusing a
non-empty installation without --replace, refusing damaged or foreign files with a message and
nothing changed; and the round trip across engines, SpatiaLite → PostGIS → SpatiaLite, with
every table's checksum and every file's equal."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from isek.concepts.models import Measure
from isek.core import backup
from tests.installations import isek_env

ROOT = Path(__file__).resolve().parents[2]


def _photo() -> Path:
    p = Path(settings.VAR_DIR) / "media" / "participation" / "test-backup.jpg"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(b"\xff\xd8 ein Foto")
    return p


def _state():
    return sorted(Measure.objects.values_list("number", "title"))


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_replaces_everything(bochum, tmp_path):
    photo = _photo()
    from isek.core.models import ChangeRecord

    first = ChangeRecord.objects.order_by("pk").first()  # below a millisecond: Django's JSON would lose it
    ChangeRecord.objects.filter(pk=first.pk).update(timestamp=first.timestamp.replace(microsecond=500))
    path = tmp_path / "b.tar"
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert "Tabellen" in out.getvalue()
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("isek-backup.json"))
        assert manifest["format"] == 1 and "files/media/participation/test-backup.jpg" in tar.getnames()
    assert manifest["tables"]["concepts.measure"]["count"] == bochum.measures.count()
    before = _state()
    with pytest.raises(CommandError, match="nicht leer"):
        call_command("restore", str(path))
    Measure.objects.filter(concept=bochum, number="2.1").delete()
    photo.unlink()
    call_command("restore", str(path), "--replace", stdout=out)
    assert _state() == before and photo.read_bytes() == b"\xff\xd8 ein Foto"
    assert ChangeRecord.objects.get(pk=first.pk).timestamp.microsecond == 500
    assert "alle Prüfsummen stimmen" in out.getvalue()
    photo.unlink()


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.django_db(transaction=True)
def test_bad_backup_files_are_refused_and_change_nothing(bochum, tmp_path):
    good = tmp_path / "good.tar"
    _photo()
    backup.backup(good)
    with tarfile.open(good) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = json.loads(members["isek-backup.json"])
    before = _state()
    cases = {
        "not a tar": (tmp_path / "x.tar", None, "keine isek-Sicherung"),
        "no manifest": (_tar(tmp_path / "n.tar", {"data.json": b"[]"}), None, "keine isek-Sicherung"),
        "other format": (_tar(tmp_path / "f.tar", {**members, "isek-backup.json": json.dumps({**manifest, "format": 99}).encode()}),
                         None, "Sicherungsformat 99 wird nicht gelesen"),
        "file missing": (_tar(tmp_path / "m.tar", {k: v for k, v in members.items() if not k.startswith("files/")}),
                         None, "unvollständig"),
        "file changed": (_tar(tmp_path / "c.tar", {**members, "files/media/participation/test-backup.jpg": b"anders"}),
                         None, "beschädigt"),
        "table changed": (_tar(tmp_path / "t.tar", {**members, "data.json": json.dumps(
            [o for o in json.loads(members["data.json"]) if o["model"] != "concepts.milestone"]).encode()}),
                          None, "weichen Tabellen von der Sicherung ab: concepts.milestone"),
        "path outside": (_tar(tmp_path / "p.tar", {**members, "isek-backup.json": json.dumps(
            {**manifest, "files": {"../../etc/passwd": "0"}}).encode()}), None, "unvollständig"),
    }
    (tmp_path / "x.tar").write_bytes(b"kein tar")
    cases["no such file"] = (tmp_path / "fehlt.tar", None, "Datei „.*fehlt.tar“ gibt es nicht")
    for what, (path, _unused, message) in cases.items():
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(path), "--replace")
        assert _state() == before, what
    # the database refuses to be emptied (a lock, a lost connection): its own answer, nothing changed
    from django.db import OperationalError, connection

    def refuse(statements):
        raise OperationalError("canceling statement due to lock timeout")

    kept = connection.ops.execute_sql_flush
    connection.ops.execute_sql_flush = refuse
    try:
        with pytest.raises(CommandError, match="Datenbank ließ sich nicht leeren: canceling statement due to lock timeout "
                                               "Es wurde nichts geändert"):
            call_command("restore", str(good), "--replace")
    finally:
        connection.ops.execute_sql_flush = kept
    assert _state() == before
    (Path(settings.VAR_DIR) / "media" / "participation" / "test-backup.jpg").unlink()


def _python(env: dict, *args: str) -> str:
    """Python in a process of its own (from the checkout), which must succeed; its output."""
    done = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (args[:3], done.stdout[-2000:], done.stderr[-3000:])
    return done.stdout


def _run(env: dict, *args: str) -> str:
    return _python(env, "-m", "isek.cli", *args)


# `isek demo --no-serve` in its own process, its applications' PDFs a few bytes each (more than half
# of the demo's CPU; their writing is tests/procedure's): the backup carries them as any other rows
DEMO_WITHOUT_PDFS = """
import django
django.setup()
from django.core.management import call_command
from tests.procedure import cheap_documents
with cheap_documents():
    call_command("demo", no_serve=True)
"""




@pytest.mark.database_independent
def test_round_trip_spatialite_postgis_spatialite(tmp_path, migrated):
    """Each installation in its own process (never two engines in one): the demo on SpatiaLite
    with an uploaded photo, backed up; restored into a fresh PostGIS database (on the PostgreSQL
    tools/pg.sh runs for the suite), backed up; restored into a fresh SpatiaLite, backed up. All
    three backups have the same table checksums and the same files."""
    lite1, lite2 = isek_env(tmp_path / "lite1"), isek_env(tmp_path / "lite2")
    pg = isek_env(tmp_path / "pg", migrated.postgis("isek_backup_test"))
    for env in (lite1, lite2):
        migrated.spatialite(Path(env["ISEK_VAR_DIR"]))
    _python(lite1, "-c", DEMO_WITHOUT_PDFS)
    photo = tmp_path / "lite1" / "media" / "participation" / "foto.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8 Foto")
    b1, b2, b3 = tmp_path / "1.tar", tmp_path / "2.tar", tmp_path / "3.tar"
    _run(lite1, "backup", str(b1))
    assert "alle Prüfsummen stimmen" in _run(pg, "restore", str(b1))
    _run(pg, "backup", str(b2))
    assert "alle Prüfsummen stimmen" in _run(lite2, "restore", str(b2))
    _run(lite2, "backup", str(b3))
    manifests = [json.load(tarfile.open(b).extractfile("isek-backup.json")) for b in (b1, b2, b3)]
    assert [m["engine"] for m in manifests] == ["sqlite", "postgresql", "sqlite"]
    assert manifests[0]["tables"] == manifests[1]["tables"] == manifests[2]["tables"]
    assert manifests[0]["tables"]["concepts.measure"]["count"] > 10
    assert manifests[0]["files"] == manifests[1]["files"] == manifests[2]["files"]
    assert "media/participation/foto.jpg" in manifests[0]["files"]
    assert (tmp_path / "lite2" / "media" / "participation" / "foto.jpg").read_bytes() == b"\xff\xd8 Foto"


def test_backup_into_a_directory_keeps_the_newest(bochum, tmp_path):
    """The daily timer's form: a dated file in the directory, older dated ones beyond --keep
    removed, other files left alone; --keep without a directory is refused."""
    for stamp in ("20261101-031500", "20261102-031500", "20261103-031500"):
        (tmp_path / f"isek-{stamp}.tar").write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("mine")
    call_command("backup", str(tmp_path), "--keep", "2")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 3 and names[0] == "isek-20261103-031500.tar" and names[2] == "notes.txt"
    assert names[1].startswith("isek-" + backup.dated_name()[5:13])  # today's
    assert json.load(tarfile.open(tmp_path / names[1]).extractfile("isek-backup.json"))["format"] == backup.FORMAT
    with pytest.raises(CommandError, match="nur, wenn ein Verzeichnis"):
        call_command("backup", str(tmp_path / "x.tar"), "--keep", "2")
    assert not (tmp_path / "x.tar").exists()
