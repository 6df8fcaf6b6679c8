"""A stranger's walk with the real DIPAS file of Hamburg-Ottensen (fix24e): a row shorter than the
header is refused, not read with empty cells; the licence and credit of a recognised corpus are
prefilled; a yes/no column goes to any theme of the phase."""

from __future__ import annotations

import re

from django.urls import reverse

from isek.participation import services
from isek.participation.importing import Mapping
from isek.participation.models import Idea, Theme
from tests.factories import member

from .conftest import OPERATOR
from .test_import import KOELN_POINTS, KOELN_THEMES, LICENCE, OTTENSEN, imported, plan, refused, write_csv


def test_a_row_shorter_than_the_header_is_refused_with_its_row_and_the_missing_columns(phase, tmp_path):
    """Walk (fix24e): a line cut after the text was imported with an empty theme and no place."""
    path = write_csv(tmp_path, [["id", "text", "thema", "lat", "lon"],
                                ["1", "Mehr Bänke", "Mobilität", "51.4815", "7.2125"],
                                ["2", "Radweg fehlt"],
                                ["3", "Bus zu selten", "Mobilität", "51.4815"]])
    text = refused(phase, path)
    assert "Zeile 3 hat nur 2 von 5 Spalten; es fehlen „thema“, „lat“, „lon“." in text, text
    assert "Zeile 4 hat nur 4 von 5 Spalten; es fehlen „lon“." in text
    assert "Zeile 2" not in text  # the whole row is there: no problem of its own, and nothing imported
    # complete, the file imports
    path = write_csv(tmp_path, [["id", "text", "thema"], ["1", "Mehr Bänke", "Mobilität"], ["2", "Radweg fehlt", ""]])
    counts, _p = imported(phase, path, default_theme="Mobilität")
    assert counts["create"] == 2
