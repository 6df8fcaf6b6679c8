"""The .po files are the source of the English UI: every message translated, none fuzzy, and the
compiled catalogues up to date (`make messages` collects and compiles)."""

import subprocess
from pathlib import Path

import polib
import pytest

pytestmark = pytest.mark.database_independent

LOCALE = Path(__file__).resolve().parents[2] / "src/isek/locale/en/LC_MESSAGES"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_msgfmt_reports_no_untranslated_or_fuzzy_message(domain):
    out = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(LOCALE / f"{domain}.po")],
                         capture_output=True, text=True, check=True).stderr
    assert "translated message" in out
    assert "untranslated" not in out and "fuzzy" not in out, out


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_compiled_catalogue_matches_po(domain):
    po = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE / f"{domain}.po")) if not e.msgid_plural}
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(LOCALE / f"{domain}.mo")) if not e.msgid_plural}
    assert po == mo, "run `make messages` (compilemessages) after editing the .po file"
