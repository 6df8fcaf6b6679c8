"""One CRS rule: areas and lengths in the official CRS of the area's Land (UTM 33 in Berlin,
Brandenburg, Mecklenburg-Vorpommern, Sachsen; UTM 32 elsewhere; by longitude without a city)."""

import re

import geopandas as gpd
import pyogrio
import pytest
import shapely
from django.test import Client
from pyproj import Geod

from isek.analysis import run
from isek.api import package
from isek.concepts.models import City
from isek.core import geo
from tests.factories import ConceptFactory, multipolygon

# About 1.56 km² just west of Görlitz (Sachsen, AGS 14626110): far enough east that UTM 32 is 0.35 % off.
GOERLITZ = shapely.box(14.95, 51.14, 14.9679, 51.1511)


def geodesic_m2(poly) -> float:
    return abs(Geod(ellps="GRS80").geometry_area_perimeter(poly)[0])


@pytest.mark.database_independent
@pytest.mark.parametrize("ags, srid", [("11000000", 25833), ("12054000", 25833), ("13003000", 25833),
                                      ("14625240", 25833), ("05911000", 25832), ("09574138", 25832),
                                      ("16051000", 25832), ("01002000", 25832)])
def test_official_srid_by_land(ags, srid):
    assert geo.official_srid(ags) == srid


@pytest.mark.database_independent
def test_without_a_city_the_longitude_decides():
    assert geo.official_srid(None, 14.9) == 25833 and geo.official_srid(None, 7.2) == 25832
    assert geo.srid_of(GOERLITZ) == 25833


@pytest.mark.database_independent
def test_utm32_would_be_off_by_a_third_of_a_percent_near_goerlitz():
    truth = geodesic_m2(GOERLITZ)
    assert truth == pytest.approx(1.56e6, rel=0.01)
    assert geo.area_m2(GOERLITZ, 25832) / truth - 1 == pytest.approx(0.0035, abs=0.0005)
    assert abs(geo.area_m2(GOERLITZ, 25833) / truth - 1) < 0.001


def test_goerlitz_area_is_the_same_on_page_in_export_and_in_analysis(db, tmp_path):
    truth = geodesic_m2(GOERLITZ)
    concept = ConceptFactory(city=City.objects.create(name="Görlitz", ags="14626110"), slug="goerlitz",
                             area=multipolygon(GOERLITZ))
    assert concept.working_srid == 25833
    assert abs(concept.area_m2 / truth - 1) < 0.001

    page = Client(HTTP_ACCEPT_LANGUAGE="de").get("/concepts/goerlitz/").content.decode()
    shown = re.search(r"([\d,]+) km² \(berechnet in EPSG:25833\)", page)
    assert shown, "the concept page names the CRS of the area"
    assert float(shown.group(1).replace(",", ".")) == pytest.approx(truth / 1e6, abs=0.005)

    path = tmp_path / "goerlitz.gpkg"
    package.export_gpkg(concept, path)
    frame = gpd.read_file(path, layer="area", engine="pyogrio")
    assert frame.crs.to_epsg() == 25833
    assert abs(frame["area_m2"].iloc[0] / truth - 1) < 0.001
    assert abs(frame.geometry.area.iloc[0] / truth - 1) < 0.001
    assert pyogrio.read_info(path, layer="area")["crs"] == "EPSG:25833"

    areas = run.prepare_areas(gpd.GeoDataFrame({"area_id": ["area"]}, geometry=[GOERLITZ], crs="EPSG:4326"),
                              ags=concept.city.ags)
    assert areas.crs.to_epsg() == 25833
    assert abs(areas.geometry.area.iloc[0] / truth - 1) < 0.001
