"""`isek analyze` and `isek indicators` (no Django needed).

    isek analyze EXTRACT --areas FILE [--id-field NAME] [--layer NAME=FILE ...]
                 [--population FILE] --out DIR [--no-maps]
    isek indicators [--markdown]

EXTRACT is an .osm.pbf file, or "-" to analyse city layers only.
"""

from __future__ import annotations

import argparse
import html
import sys
import time
from pathlib import Path

import pandas as pd

from . import indicators as ind
from . import layers as lyr
from . import osm
from .run import AnalysisError, compute, prepare_areas, terminal_progress

OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0 (openstreetmap.org/copyright)"
LAYER_NAMES = ("stops", "schools", "daycare", "playgrounds", "heritage", "trees")


def markdown() -> str:
    """docs/indicators.md, generated from the registry."""
    lines = ["# Indicators of the inventory analysis", "",
             "Generated from `isek.analysis.indicators.REGISTRY` by `isek indicators --markdown`; do not edit by hand.",
             "All areas and lengths are computed in the area's ETRS89/UTM zone (EPSG:25832, or 25833 east of 12° E).",
             "An indicator whose inputs are missing is reported as not available, with the reason.",
             "Values are stored, shown and written (CSV) rounded to the decimal places in the column *digits*.", "",
             "| id | Name (de) | name (en) | unit | digits | inputs | definition | Definition (de) |",
             "|---|---|---|---|---|---|---|---|"]
    for d in ind.describe():
        lines.append(f"| `{d['id']}` | {d['name_de']} | {d['name_en']} | {d['unit']} | {d['digits']} | {d['inputs']} "
                     f"| {d['definition']} | {d['definition_de']} |")
    lines += ["", "## The land-use rule", "", ind.LANDUSE_RULE, "", "## Extracts without buildings or land use", "",
              ind.completeness_rule(),
              "", "## Geometry rules for OSM extracts", "", osm.__doc__.split("\n\n", 1)[1].strip(), ""]
    return "\n".join(lines)


def _parse_layers(values: list[str]) -> dict[str, Path]:
    out = {}
    for v in values or []:
        if "=" not in v:
            raise AnalysisError(f"--layer erwartet NAME=DATEI, nicht „{v}“.")
        name, path = v.split("=", 1)
        if name not in LAYER_NAMES:
            raise AnalysisError(f"Unbekannte Ebene „{name}“; möglich: {', '.join(LAYER_NAMES)}.")
        out[name] = Path(path)
    return out


def _population(path: Path | None, ids: list[str]) -> dict[str, float] | None:
    if path is None:
        return None
    try:
        df = pd.read_csv(path, sep=None, engine="python")
    except Exception as exc:  # noqa: BLE001
        raise AnalysisError(f"{path.name}: keine lesbare CSV-Datei ({exc}).") from None
    cols = {c.lower(): c for c in df.columns}
    idc = next((cols[c] for c in ("area_id", "id", "name") if c in cols), None)
    popc = next((cols[c] for c in ("population", "residents", "einwohner") if c in cols), None)
    if idc is None or popc is None:
        raise AnalysisError(f"{path.name}: Spalten area_id und population erwartet; vorhanden: {', '.join(df.columns)}.")
    pop = dict(zip(df[idc].astype(str), pd.to_numeric(df[popc], errors="coerce")))
    unknown = sorted(set(pop) - set(ids))
    if unknown:
        raise AnalysisError(f"{path.name}: unbekannte Gebiete {', '.join(unknown)}.")
    return {k: float(v) for k, v in pop.items() if pd.notna(v) and v > 0}


def analyze(extract: str, areas_path: str, out: str, id_field: str | None = None, layers: list[str] | None = None,
            population: str | None = None, maps: bool = True, progress=terminal_progress,
            workers: int = 0, scheduler: str | None = None) -> dict:
    """The whole run; returns a summary (timings, counts)."""
    t0 = time.perf_counter()
    try:
        areas_raw = lyr.read_layer(areas_path)
    except lyr.LayerError as exc:
        raise AnalysisError(str(exc)) from None
    areas = prepare_areas(areas_raw, id_field)
    crs = areas.crs.to_string()
    lon0, lat0, lon1, lat1 = areas.to_crs("EPSG:4326").total_bounds
    data = None
    if extract != "-":
        pad = 0.01
        try:
            data = osm.read(extract, clip_lonlat=(lon0 - pad, lat0 - pad, lon1 + pad, lat1 + pad), crs=crs)
        except osm.ExtractError as exc:
            raise AnalysisError(str(exc)) from None
        if data.bbox is not None:
            bx0, by0, bx1, by1 = data.bbox
            if bx1 < lon0 or bx0 > lon1 or by1 < lat0 or by0 > lat1:
                raise AnalysisError(
                    f"Der Extrakt ({bx0:.3f}, {by0:.3f} – {bx1:.3f}, {by1:.3f}) überdeckt die Gebiete "
                    f"({lon0:.3f}, {lat0:.3f} – {lon1:.3f}, {lat1:.3f}) nicht.")
        if data.polygons.empty and data.lines.empty and data.points.empty:
            raise AnalysisError("Der Extrakt enthält im Bereich der Gebiete keine Objekte.")
    city = {}
    for name, path in _parse_layers(layers).items():
        try:
            city[name] = lyr.read_layer(path).to_crs(crs)
        except lyr.LayerError as exc:
            raise AnalysisError(str(exc)) from None
    sources = ind.Sources(osm=data, layers=city or None,
                          population=_population(Path(population) if population else None, list(areas["area_id"])))
    t1 = time.perf_counter()
    if workers or scheduler:
        from .parallel import compute_parallel

        table, missing = compute_parallel(areas, sources, scheduler=scheduler, n_workers=workers or 2)
    else:
        table, missing = compute(areas, sources, progress=progress)
    t2 = time.perf_counter()

    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    table.reset_index().to_csv(outdir / "indicators.csv", index=False)
    gdf = areas.merge(table.reset_index(), on="area_id")
    gpkg = outdir / "indicators.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    gdf.to_file(gpkg, layer="indicators", driver="GPKG", engine="pyogrio")
    stamp = data.timestamp.isoformat() if data is not None and data.timestamp else None
    map_files = []
    if maps:
        from . import maps as mp

        map_files = mp.write_all(gdf, data, city, outdir / "maps", attribution=_attribution(data, city))
    _report(outdir / "report.html", table, missing, stamp, _attribution(data, city), map_files)
    return {"areas": len(table), "indicators": len(table.columns), "not_available": missing, "osm_timestamp": stamp,
            "seconds_read": round(t1 - t0, 3), "seconds_compute": round(t2 - t1, 3),
            "seconds_total": round(time.perf_counter() - t0, 3)}


def _attribution(data, city) -> str:
    parts = []
    if data is not None:
        parts.append(OSM_ATTRIBUTION)
    if city:
        parts.append("Stadtebenen: siehe Quellenangaben der Dateien")
    return "; ".join(parts)


def _report(path: Path, table: pd.DataFrame, missing: dict, stamp, attribution: str, maps: list[Path]) -> None:
    rows = []
    for d in ind.describe():
        values = "".join(
            f"<td class='n'>{'–' if pd.isna(v) else f'{v:,.2f}'}</td>" for v in table[d["id"]].tolist())
        note = f"<br><em>nicht verfügbar: {html.escape(missing[d['id']])}</em>" if d["id"] in missing else ""
        rows.append(f"<tr><th scope='row'><code>{d['id']}</code><br>{html.escape(d['name_de'])}</th><td>{d['unit']}</td>"
                    f"{values}<td class='def'>{html.escape(d['definition'])}{note}</td></tr>")
    heads = "".join(f"<th scope='col'>{html.escape(str(a))}</th>" for a in table.index)
    imgs = "".join(f"<figure><img src='maps/{m.name}' alt='Karte {html.escape(m.stem)}'><figcaption>{html.escape(m.stem)}</figcaption></figure>"
                   for m in maps)
    path.write_text(f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Bestandsanalyse</title>
<style>body{{font-family:sans-serif;margin:2rem;}} table{{border-collapse:collapse}} th,td{{border-bottom:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}}
td.n{{text-align:right;white-space:nowrap}} td.def{{font-size:.85rem;color:#333;max-width:40rem}} img{{max-width:48%;}} figure{{display:inline-block;width:48%;margin:0}}</style></head>
<body><h1>Bestandsanalyse</h1><p>OSM-Datenstand: {stamp or 'ohne OSM-Extrakt'} · {html.escape(attribution)}</p>
<table><thead><tr><th scope='col'>Indikator</th><th scope='col'>Einheit</th>{heads}<th scope='col'>Definition</th></tr></thead><tbody>{''.join(rows)}</tbody></table>
{imgs}</body></html>""", encoding="utf-8")


def main(argv: list[str]) -> int:
    if argv and argv[0] == "indicators":
        p = argparse.ArgumentParser(prog="isek indicators", description="List the indicator registry.")
        p.add_argument("--markdown", action="store_true", help="print docs/indicators.md")
        a = p.parse_args(argv[1:])
        if a.markdown:
            print(markdown())
        else:
            for d in ind.describe():
                print(f"{d['id']:28} {d['unit']:12} {d['definition']}")
        return 0
    p = argparse.ArgumentParser(prog="isek analyze", description="Inventory analysis of areas from an OSM extract and city layers.")
    p.add_argument("extract", help=".osm.pbf file, or - for city layers only")
    p.add_argument("--areas", required=True, help="areas (GeoJSON, GPKG, Shapefile) in any CRS")
    p.add_argument("--id-field", help="field with the area ids (default: area_id, id or name)")
    p.add_argument("--layer", action="append", default=[], metavar="NAME=FILE",
                   help=f"city layer ({', '.join(LAYER_NAMES)}); CSV with coordinate columns allowed")
    p.add_argument("--population", help="CSV with area_id and population")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--no-maps", action="store_true", help="skip the PNG maps")
    p.add_argument("--workers", type=int, default=0, help="compute on a local Dask cluster of N processes")
    p.add_argument("--scheduler", help="compute on a running Dask cluster (scheduler address, e.g. tcp://host:8786)")
    a = p.parse_args(argv[1:])
    try:
        summary = analyze(a.extract, a.areas, a.out, a.id_field, a.layer, a.population, maps=not a.no_maps,
                          workers=a.workers, scheduler=a.scheduler)
    except AnalysisError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 2
    print(f"{summary['areas']} Gebiete, {summary['indicators']} Indikatoren → {a.out} "
          f"({summary['seconds_total']:.2f} s; OSM-Stand {summary['osm_timestamp'] or '–'})")
    for k, why in summary["not_available"].items():
        print(f"  nicht verfügbar: {k}: {why}")
    return 0
