"""Backup and restore of a whole installation (issue #13): the database and the uploaded files in
one file, restorable into either engine (SpatiaLite ↔ PostGIS).

A backup is a tar file with ``isek-backup.json`` (format version, isek version, engine, a
checksum and count per table, a checksum per file), ``data.json`` (Django's serialization of
every table, natural keys for content types and permissions, so that another installation's
ids for those do not matter) and ``files/…`` (what people uploaded and what was built from it:
reference layers, photos, reports, base maps, OSM extracts). Left out: sessions, rate counters,
used challenges and unfinished uploads (transient), content types and permissions (made by the
migrations), the secret key (it stays in the environment) and fetched public data.

The database is read in one transaction (REPEATABLE READ on PostgreSQL; SQLite's read
transaction), so a backup taken while isek runs is consistent. A restore loads everything in one
transaction and checks every table's checksum against the backup's before it commits; it
refuses a non-empty installation unless told to replace it."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

from . import audit
from .files import sha256_of
from .problems import InputError, Problem, gettext_noop

FORMAT = 1
FILE_DIRS = ("layers", "media", "reports", "basemaps", "extracts")
EXCLUDE = ("contenttypes", "auth.permission", "sessions", "core.ratecount", "core.usedtoken", "core.upload")
MANIFEST, DATA = "isek-backup.json", "data.json"


def _var() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR)


def _dump(path: Path) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    fresh = not connection.in_atomic_block  # inside a restore's transaction it is that snapshot
    with transaction.atomic():
        if fresh and connection.vendor == "postgresql":
            with connection.cursor() as cur:  # one snapshot for every table
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        call_command("dumpdata", exclude=list(EXCLUDE), natural_foreign=True, format="isekjson", output=str(path),
                     verbosity=0)


def table_checksums(data: list[dict]) -> dict[str, dict]:
    """{model: {"count", "sha256"}} of serialized objects, independent of their order and of the
    key order inside JSON values (PostgreSQL's jsonb sorts keys, SQLite keeps them)."""
    rows = defaultdict(list)
    for obj in data:
        rows[obj["model"]].append(json.dumps([obj.get("pk"), obj["fields"]], sort_keys=True, ensure_ascii=False))
    return {model: {"count": len(r), "sha256": hashlib.sha256("\n".join(sorted(r)).encode()).hexdigest()}
            for model, r in sorted(rows.items())}


def _files() -> dict[str, Path]:
    out = {}
    for d in FILE_DIRS:
        base = _var() / d
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file() and not p.is_symlink():
                    out[str(p.relative_to(_var()))] = p
    return out


def backup(path) -> dict:
    """Write the backup of this installation to ``path``; returns its manifest."""
    import datetime

    from django.conf import settings
    from django.db import connection

    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="isek-backup-") as tmp:
        data_file = Path(tmp) / "data.isekjson"
        _dump(data_file)
        data = json.loads(data_file.read_text(encoding="utf-8"))
        files = _files()
        manifest = {
            "format": FORMAT, "isek": getattr(settings, "ISEK_VERSION", ""), "engine": connection.vendor,
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "tables": table_checksums(data), "files": {rel: sha256_of(p) for rel, p in files.items()},
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            blob = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
            tar.add(data_file, DATA)
            for rel, p in files.items():
                tar.add(p, f"files/{rel}")
        partial.replace(path)  # a backup file is whole or absent
    return manifest


DATED = "isek-{:%Y%m%d-%H%M%S}.tar"


def dated_name(now=None) -> str:
    """The name of a backup written into a directory (local time, sorts by age)."""
    import datetime

    return DATED.format(now or datetime.datetime.now())


def rotate(directory, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` dated backups in ``directory``; the removed paths. Other
    files there are left alone."""
    import re

    dated = sorted(p for p in Path(directory).iterdir()
                   if p.is_file() and re.fullmatch(r"isek-\d{8}-\d{6}\.tar", p.name))
    old = dated[:-keep] if keep else []
    for p in old:
        p.unlink()
    return old


def _empty() -> bool:
    from django.contrib.auth import get_user_model

    from .models import ChangeRecord

    return not get_user_model().objects.exists() and not ChangeRecord.objects.exists() and not _files()


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, ValueError, AttributeError):
        raise InputError([Problem(gettext_noop("Die Datei ist keine isek-Sicherung."))]) from None
    if manifest.get("format") != FORMAT:
        raise InputError([Problem(gettext_noop("Sicherungsformat %(got)s wird nicht gelesen (erwartet: %(want)s)."),
                                  {"got": manifest.get("format"), "want": FORMAT})])
    return manifest


def _empty_tables() -> None:
    """Empty every table of isek's models and make the content types and permissions again (what
    ``manage.py flush`` does, without its message that hides the database's own: a failure here
    says what the database answered)."""
    from django.core.management.color import no_style
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import DatabaseError, connection

    statements = connection.ops.sql_flush(no_style(), connection.introspection.django_table_names(
        only_existing=True, include_views=False), reset_sequences=True, allow_cascade=False)
    try:
        connection.ops.execute_sql_flush(statements)
    except DatabaseError as exc:
        raise InputError([Problem(gettext_noop("Die Datenbank ließ sich nicht leeren: %(e)s Es wurde nichts geändert."),
                                  {"e": str(exc).strip()})]) from exc
    emit_post_migrate_signal(0, False, connection.alias)


def restore(path, replace: bool = False) -> dict:
    """Restore the backup at ``path`` into this installation (database and files); returns its
    manifest. Refuses a non-empty installation unless ``replace``. All or nothing for the
    database; the files are put in place after it committed."""
    from django.core.management import call_command
    from django.db import transaction

    try:
        tar = tarfile.open(path, "r")
    except (tarfile.TarError, OSError):
        raise InputError([Problem(gettext_noop("Die Datei ist keine isek-Sicherung."))]) from None
    with tar, tempfile.TemporaryDirectory(prefix="isek-restore-") as tmp:
        manifest = read_manifest(tar)
        if not replace and not _empty():
            raise InputError([Problem(gettext_noop("Diese Installation ist nicht leer. Eine Wiederherstellung ersetzt "
                                                   "alles: nur mit --replace."))])
        members = {m.name: m for m in tar.getmembers()}
        wanted = [DATA] + [f"files/{rel}" for rel in manifest["files"]]
        for name in wanted:  # only regular files at plain relative paths, as a backup writes them
            m = members.get(name)
            if m is None or not m.isfile() or ".." in Path(name).parts or Path(name).is_absolute():
                raise InputError([Problem(gettext_noop("Die Sicherung ist unvollständig: „%(f)s“ fehlt."), {"f": name})])
        for name in wanted:
            target = Path(tmp) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(members[name]) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        data_file = Path(tmp) / "data.isekjson"  # loaddata knows the format by the name
        (Path(tmp) / DATA).rename(data_file)
        for rel, sha in manifest["files"].items():
            if sha256_of(Path(tmp) / "files" / rel) != sha:
                raise InputError([Problem(gettext_noop("Die Sicherung ist beschädigt: „%(f)s“ stimmt nicht."), {"f": rel})])
        with transaction.atomic(), audit.suspended():
            _empty_tables()
            call_command("loaddata", str(data_file), verbosity=0)
            check = Path(tmp) / "check.isekjson"
            _dump(check)
            restored = table_checksums(json.loads(check.read_text(encoding="utf-8")))
            if restored != manifest["tables"]:
                wrong = [f"{k} ({manifest['tables'].get(k, {}).get('count', 0)} → {restored.get(k, {}).get('count', 0)})"
                         for k in sorted(set(restored) | set(manifest["tables"]))
                         if restored.get(k) != manifest["tables"].get(k)]
                raise InputError([Problem(gettext_noop("Nach dem Laden weichen Tabellen von der Sicherung ab: %(t)s. "
                                                       "Es wurde nichts geändert."), {"t": ", ".join(wrong)})])
        for d in FILE_DIRS:
            shutil.rmtree(_var() / d, ignore_errors=True)
        for rel in manifest["files"]:
            target = _var() / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(Path(tmp) / "files" / rel), target)
    return manifest
