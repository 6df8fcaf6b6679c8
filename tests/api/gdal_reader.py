"""Run in a subprocess (never in a process with a SpatiaLite connection): read every layer of an
OGC API – Features endpoint with GDAL's OAPIF driver (the pyogrio wheel's GDAL) and print, per
layer, the feature ids and geometries as WKB hex, in CRS84 – or with CRS=… in that CRS."""

import json
import sys

import pyogrio
from pyogrio import raw

url, crs = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
only = sys.argv[3] if len(sys.argv) > 3 else ""
source = "OAPIF:" + url
out = {}
for name, _type in pyogrio.list_layers(source):
    if only and name != only:
        continue
    options = {"crs": crs} if crs else {}
    meta, fids, geoms, _fields = raw.read(source, layer=name, return_fids=True, **options)
    out[name] = {"crs": meta.get("crs"), "fids": [int(f) for f in fids],
                 "wkb": [g.hex() if g is not None else None for g in geoms]}
print(json.dumps(out))
