"""The same computation over many areas on dask.distributed: locally on a LocalCluster, or on a
remote cluster given by its scheduler address. No Django imports.

The inputs (OSM data and city layers) are scattered once to every worker; the areas are split
into chunks, each chunk is computed by ``run.compute`` on a worker, and the tables are joined in
the order of the areas, so the result equals the serial run.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from . import indicators as ind
from .run import compute


def _chunk(areas: gpd.GeoDataFrame, sources: ind.Sources, only):
    return compute(areas, sources, only=only)


def compute_parallel(areas: gpd.GeoDataFrame, sources: ind.Sources, scheduler: str | None = None,
                     n_workers: int = 2, chunk_size: int | None = None, only: list[str] | None = None):
    """Like ``run.compute``, on Dask. ``scheduler``: address of a running cluster
    (e.g. "tcp://10.0.0.5:8786"); None starts a LocalCluster of ``n_workers`` processes."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, host="127.0.0.1")
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        workers = max(1, len(client.scheduler_info()["workers"]))
        size = chunk_size or max(1, -(-len(areas) // (workers * 2)))
        chunks = [areas.iloc[i:i + size] for i in range(0, len(areas), size)]
        shared = client.scatter(sources, broadcast=True)
        futures = [client.submit(_chunk, c, shared, only, pure=False) for c in chunks]
        results = client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    table = pd.concat([r[0] for r in results]).loc[list(areas["area_id"])]
    missing = results[0][1] if results else {}
    table.attrs = {key: {k: v for r in results for k, v in r[0].attrs.get(key, {}).items()} for key in ("gaps", "inventory")}
    return table, missing
