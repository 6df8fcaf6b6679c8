"""Every command, worker and server process loads the settings, the apps, their services and the
URLs at start. What only drawing, signing in or the evaluation of contributions (SciPy, scikit-learn,
simplemma) needs is imported there, not at start: the suite
starts some hundred processes, an installation's housekeeping and workers start many."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.database_independent

CHECK = """
import sys, django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
import isek.monitoring.reports, isek.analysis.services, isek.accounts.oidc
print(" ".join(sorted(m for m in ("matplotlib", "authlib", "joserfc", "scipy", "sklearn", "simplemma") if m in sys.modules)))
"""


def test_a_process_starts_without_the_plotting_and_sign_in_libraries():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "isek.config.settings"}
    out = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"imported at start: {out.stdout.strip()}"
