"""The data manifest: real files the demo, tests and benchmarks use, never committed.

Each file has a public origin at a pinned commit and a sha256. ``fetch`` downloads what is
missing from every data directory into the writable one (var/data), verifies the checksum and
only then moves the file into place; a file that fails the check is never installed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from isek.core.files import sha256_of

MANIFEST = Path(__file__).with_name("data_manifest.json")


@dataclass
class Entry:
    path: str
    url: str
    sha256: str
    bytes: int
    licence: str
    attribution: str
    derive: str | None = None
    note: str = ""
    optional: bool = False  # the demo and tests run without it


class DataError(Exception):
    pass


def entries() -> list[Entry]:
    return [Entry(**e) for e in json.loads(MANIFEST.read_text())["files"]]


def locate(entry: Entry, dirs: list[Path]) -> Path | None:
    for d in dirs:
        p = Path(d) / entry.path
        if p.exists():
            return p
    return None


def derive_gtfs_stops_bochum(raw: bytes) -> bytes:
    """Keep the header and the rows of a GTFS stops.txt whose stop_id starts with de:05911:."""
    lines = raw.splitlines(keepends=True)
    if not lines:
        raise DataError("stops.txt ist leer")
    keep = [lines[0]] + [ln for ln in lines[1:] if ln.startswith(b'"de:05911:') or ln.startswith(b"de:05911:")]
    return b"".join(keep)


def derive_cimt_koeln_ehrenfeld(raw: bytes) -> bytes:
    """Keep the header and the rows of the CIMT Cycling Dialogues dataset whose ID starts with E
    (Raddialog Köln-Ehrenfeld), written as the csv module writes them (CRLF)."""
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    if not rows or not rows[0] or rows[0][0] != "ID":
        raise DataError("keine Tabelle des CIMT-Korpus (erste Spalte ID)")
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(rows[0])
    writer.writerows(r for r in rows[1:] if r and r[0].startswith("E"))
    return out.getvalue().encode("utf-8")


DERIVE: dict[str, Callable[[bytes], bytes]] = {"gtfs_stops_bochum": derive_gtfs_stops_bochum,
                                               "cimt_koeln_ehrenfeld": derive_cimt_koeln_ehrenfeld}


def _download(url: str, timeout: float) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise DataError(f"keine Herkunftsadresse: {url!r}")
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (http(s) only, checked above)
        return r.read()


def fetch(dest: Path, dirs: list[Path], mirror: str | None = None, timeout: float = 20,
          progress: Callable[[str], None] = print) -> dict[str, list[str]]:
    """Download and verify every manifest file that no data directory holds.

    ``mirror``: a base URL holding the same tree (files fetched as MIRROR/PATH, no derivation).
    Returns {"present": [...], "fetched": [...], "failed": ["path: reason", ...],
    "skipped": [optional files that could not be fetched, with the reason]}.
    """
    result: dict[str, list[str]] = {"present": [], "fetched": [], "failed": [], "skipped": []}
    unreachable: dict[str, str] = {}  # host → reason: one failed connection is enough to know
    all_entries = entries()
    for i, e in enumerate(all_entries, 1):
        if locate(e, dirs) is not None:
            result["present"].append(e.path)
            continue
        progress(f"[{i}/{len(all_entries)}] {e.path}")
        try:
            if mirror:
                url = mirror.rstrip("/") + "/" + e.path
            elif e.url:
                url = e.url
            else:
                raise DataError("keine öffentliche Quelle; nur über einen Spiegel (ISEK_DATA_MIRROR) erhältlich")
            host = urllib.parse.urlsplit(url).netloc
            if host in unreachable:
                raise DataError(f"{host} nicht erreichbar ({unreachable[host]})")
            try:
                data = _download(url, timeout)
            except urllib.error.HTTPError:
                raise
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                unreachable[host] = str(getattr(exc, "reason", exc))
                raise DataError(f"{host} nicht erreichbar ({unreachable[host]})") from None
            if e.derive and not mirror:
                data = DERIVE[e.derive](data)
            digest = hashlib.sha256(data).hexdigest()
            if digest != e.sha256:
                raise DataError(f"Prüfsumme stimmt nicht (erwartet {e.sha256[:12]}…, erhalten {digest[:12]}…)")
            target = dest / e.path
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
            result["fetched"].append(e.path)
        except (OSError, DataError, ValueError) as exc:
            result["skipped" if e.optional else "failed"].append(f"{e.path}: {exc}")
    return result


def status(dirs: list[Path], verify: bool = False) -> list[tuple[Entry, Path | None, bool | None]]:
    """(entry, where it is or None, checksum ok or None when not verified)."""
    out = []
    for e in entries():
        p = locate(e, dirs)
        ok = (sha256_of(p) == e.sha256) if (p is not None and verify) else None
        out.append((e, p, ok))
    return out

