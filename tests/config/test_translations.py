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
    # by context and message: one German word may have two English ones ("offen": pending, open)
    po = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(LOCALE / f"{domain}.po")) if not e.msgid_plural}
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(LOCALE / f"{domain}.mo")) if not e.msgid_plural}
    assert po == mo, "run `make messages` (compilemessages) after editing the .po file"


def test_every_message_marked_in_the_sources_is_in_the_english_catalogue(tmp_path):
    """A message marked for translation but never added to the .po stays German in the English UI,
    unnoticed by the tests above (walk 8: the indicator value's "Hinweis" in analysis/models.py).
    Collects the messages as `make messages` does, on a copy of the sources, and finds none missing."""
    import os
    import shutil
    import sys

    copy = tmp_path / "isek"
    shutil.copytree(LOCALE.parents[2], copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "vendor", "fixtures"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "isek.config.settings"}
    for args in (["-l", "en"], ["-d", "djangojs", "-e", "mjs", "-l", "en"]):
        subprocess.run([sys.executable, "-m", "django", "makemessages", "--no-wrap", *args], cwd=copy, env=env,
                       capture_output=True, check=True)
    for domain in ("django", "djangojs"):
        collected = polib.pofile(str(copy / "locale/en/LC_MESSAGES" / f"{domain}.po"))
        missing = [e.msgid for e in collected if e.msgid and not e.obsolete and (not e.translated() or e.fuzzy)]
        assert missing == [], f"{domain}.po lacks the English of {missing}"
