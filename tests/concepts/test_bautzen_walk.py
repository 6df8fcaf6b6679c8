"""What a planner of Bautzen (Sachsen, official CRS EPSG:25833) met on isek's pages in a usability
test: the CRS example of the imports, UTM coordinates pasted as a measure's place, a measure that
leaves the funding area, and lengths and areas without thousands separators."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import CityFactory, ConceptFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def bautzen():
    return ConceptFactory(city=CityFactory(name="Bautzen", ags="14625020"), slug="bautzen-altstadt")


@pytest.fixture
def planner(bautzen):
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(member(bautzen, "planner"))
    return c


@pytest.mark.parametrize("page", ["import/", "layers/"])
def test_the_import_names_the_official_crs_of_the_land_as_example(bautzen, planner, page):
    html = planner.get(f"/concepts/{bautzen.slug}/{page}").content.decode()
    assert "z. B. EPSG:25833, das amtliche KBS in Sachsen" in html
    assert "EPSG:25832" not in html


def test_the_import_in_a_land_of_utm_32_names_25832(planner, bautzen):
    bautzen.city.ags = "05911000"  # Bochum, Nordrhein-Westfalen
    bautzen.city.save()
    html = planner.get(f"/concepts/{bautzen.slug}/import/").content.decode()
    assert "z. B. EPSG:25832, das amtliche KBS in Nordrhein-Westfalen" in html


def test_the_english_import_names_the_crs_in_english(planner, bautzen):
    planner.get("/language/en/")
    html = planner.get(f"/concepts/{bautzen.slug}/import/").content.decode()
    assert "e.g. EPSG:25833, the official CRS in Sachsen" in html
