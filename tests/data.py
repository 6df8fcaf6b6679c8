"""Real data files of the tests (the data manifest), found without failing at collection.

A module lists what it reads in ``REQUIRED_DATA``; tests/conftest.py fails each of its tests with
the names of missing files and how to get them, instead of the module failing to import.
"""

from pathlib import Path

from django.conf import settings


def data_dir(sub: str) -> Path:
    """The first data directory that holds ``sub`` (e.g. "osm"), else the first configured one."""
    for d in settings.ISEK_DATA_DIRS:
        if (Path(d) / sub).exists():
            return Path(d)
    return Path(settings.ISEK_DATA_DIRS[0])


def missing(paths) -> list[str]:
    return [str(p) for p in paths if not Path(p).exists()]
