"""City layers for the analysis: GeoJSON, GeoPackage, Shapefile (.shp or zipped), CSV with
coordinate columns. No Django imports."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

X_NAMES = ("x", "lon", "lng", "longitude", "rechtswert", "rechts_utm", "easting", "stop_lon", "x_coord")
Y_NAMES = ("y", "lat", "latitude", "hochwert", "hoch_utm", "northing", "stop_lat", "y_coord")


class LayerError(Exception):
    pass


def read_layer(path: str | Path, crs: str | None = None) -> gpd.GeoDataFrame:
    """Read a layer; CSV needs coordinate columns (e.g. lon/lat, Rechtswert/Hochwert) and, unless
    they are lon/lat, ``crs``."""
    path = Path(path)
    if not path.exists():
        raise LayerError(f"Ebene nicht gefunden: {path}")
    if path.suffix.lower() in (".csv", ".txt"):
        return _read_csv(path, crs)
    try:
        frame = gpd.read_file(path if path.suffix.lower() != ".zip" else f"zip://{path}", engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 – GDAL raises many kinds
        raise LayerError(f"{path.name} lässt sich nicht als Geodaten lesen: {str(exc).splitlines()[0][:200]}") from None
    if frame.crs is None:
        if not crs:
            raise LayerError(f"{path.name} hat kein Koordinatenreferenzsystem; bitte angeben (z. B. EPSG:25832).")
        frame = frame.set_crs(crs)
    return frame[~frame.geometry.is_empty & frame.geometry.notna()]


def _read_csv(path: Path, crs: str | None) -> gpd.GeoDataFrame:
    for enc in ("utf-8-sig", "latin-1"):
        try:
            df = pd.read_csv(path, sep=None, engine="python", encoding=enc)
            break
        except UnicodeDecodeError:
            continue
        except Exception as exc:  # noqa: BLE001
            raise LayerError(f"{path.name} ist keine lesbare CSV-Datei: {exc}") from None
    cols = {c.lower().strip(): c for c in df.columns}
    x = next((cols[n] for n in X_NAMES if n in cols), None)
    y = next((cols[n] for n in Y_NAMES if n in cols), None)
    if x is None or y is None:
        raise LayerError(f"{path.name}: keine Koordinatenspalten gefunden (erwartet z. B. lon/lat oder "
                         f"Rechtswert/Hochwert); vorhanden: {', '.join(map(str, df.columns))}.")
    xs = pd.to_numeric(df[x].astype(str).str.replace(",", ".", regex=False), errors="coerce")
    ys = pd.to_numeric(df[y].astype(str).str.replace(",", ".", regex=False), errors="coerce")
    bad = xs.isna() | ys.isna()
    if bad.all():
        raise LayerError(f"{path.name}: die Spalten {x}/{y} enthalten keine Zahlen.")
    df = df[~bad]
    xs, ys = xs[~bad], ys[~bad]
    if crs is None:
        if xs.between(-180, 180).all() and ys.between(-90, 90).all():
            crs = "EPSG:4326"
        else:
            raise LayerError(f"{path.name}: die Koordinaten sind keine Längen/Breiten; bitte das KBS angeben (z. B. EPSG:25832).")
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(xs, ys), crs=crs)
