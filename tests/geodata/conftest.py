"""Fixtures of the geodata tests."""

import pytest

from tests.factories import CityFactory, ConceptFactory, multipolygon, square


@pytest.fixture
def hoyerswerda(db, settings, tmp_path):
    """The Altstadt of Hoyerswerda (AGS 14625240, Sachsen), a square of 600 m inside the extract;
    the installation's files (base maps, extracts) in a directory of its own."""
    settings.VAR_DIR = str(tmp_path / "var")
    city = CityFactory(ags="14625240", name="Hoyerswerda")
    return ConceptFactory(city=city, slug="hoyerswerda-altstadt", area=multipolygon(square(14.2465, 51.4345, 600)))
