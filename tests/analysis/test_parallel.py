"""Many areas on a 2-worker Dask LocalCluster give the same table as the serial run."""


import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from isek.analysis import indicators as ind
from isek.analysis import osm, run
from isek.analysis.parallel import compute_parallel
from tests.data import data_dir

pytestmark = pytest.mark.database_independent

DATA = data_dir("osm")
REQUIRED_DATA = [DATA / "osm" / "lauf_an_der_pegnitz_2020-01-15.osm.pbf"]


def test_dask_local_cluster_equals_serial_run():
    # A 4 × 3 grid of quarters over Lauf's centre.
    cells = [shapely.box(11.268 + i * 0.006, 49.500 + j * 0.005, 11.274 + i * 0.006, 49.505 + j * 0.005)
             for i in range(4) for j in range(3)]
    areas = run.prepare_areas(gpd.GeoDataFrame({"area_id": [f"q{k}" for k in range(len(cells))]},
                                               geometry=cells, crs="EPSG:4326"))
    data = osm.read(DATA / "osm" / "lauf_an_der_pegnitz_2020-01-15.osm.pbf", crs=areas.crs.to_string())
    sources = ind.Sources(osm=data)
    serial, missing = run.compute(areas, sources)
    parallel, missing_p = compute_parallel(areas, sources, n_workers=2, chunk_size=3)
    assert list(parallel.index) == list(serial.index) and missing_p == missing
    pd.testing.assert_frame_equal(parallel, serial, check_exact=False, rtol=1e-12)
    assert np.isfinite(serial["building_coverage"]).all() and serial["building_count"].sum() > 500
