"""Figures for the PDF reports, drawn with matplotlib from the data (no tile server): the map of
the area, the time plan as a Gantt chart, finance per year and source, indicator series."""

from __future__ import annotations

import base64
import datetime
import functools
import io
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from isek.analysis.services import scale_bar  # noqa: E402
from isek.core import geo  # noqa: E402
from isek.monitoring import figures  # noqa: E402

STYLE = {"font.family": "DejaVu Sans", "font.size": 8}


def _styled(draw):
    """Draw with the reports' style without touching matplotlib's global settings (the analysis
    maps share the worker process)."""
    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with plt.rc_context(STYLE):
            return draw(*args, **kwargs)
    return wrapper


def german_number(value: float, _pos=None) -> str:
    """An axis tick in German: decimal comma, dot between thousands ("1,2", "12.500")."""
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    text = "0" if text in ("-0", "") else text
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _german_axis(axis) -> None:
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(german_number))


def wrapped(label: str, width: int = 40, lines: int = 3) -> str:
    """A long name on up to ``lines`` lines (the time plan's measure names), one longer still
    shortened at a word and ending in "…", so that it never reaches the next row's label."""
    return "\n".join(textwrap.wrap(label, width, break_on_hyphens=False, max_lines=lines, placeholder=" …")) or label


def data_uri(fig, dpi: int = 150) -> str:
    """The figure as a PNG data URI for a PDF report. Compressed lightly: WeasyPrint decodes the
    PNG and compresses the pixels into the PDF anew (the PDF's size does not change)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pil_kwargs={"compress_level": 1})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _plot_geom(ax, g, **style):
    if g.is_empty:
        return
    kind = g.geom_type
    if kind in ("Polygon", "MultiPolygon"):
        for p in getattr(g, "geoms", [g]):
            x, y = p.exterior.xy
            ax.fill(x, y, facecolor=style.get("facecolor", "none"), edgecolor=style.get("edgecolor", "black"),
                    linewidth=style.get("linewidth", 1), alpha=style.get("alpha", 1), zorder=style.get("zorder", 2))
    elif kind in ("LineString", "MultiLineString"):
        for line in getattr(g, "geoms", [g]):
            x, y = line.xy
            ax.plot(x, y, color=style.get("edgecolor", "black"), linewidth=style.get("linewidth", 2),
                    zorder=style.get("zorder", 3))
    elif kind in ("Point", "MultiPoint"):
        for p in getattr(g, "geoms", [g]):
            ax.plot(p.x, p.y, "o", color=style.get("edgecolor", "black"), markersize=style.get("markersize", 6),
                    markeredgecolor="white", zorder=style.get("zorder", 4))
    else:
        for part in g.geoms:
            _plot_geom(ax, part, **style)


class WorkingBase(list):
    """Base-map layers made ready to draw once for many maps of one concept (the fact sheets draw
    the same streets beneath each measure): [(style, areas as matplotlib paths or lines as
    coordinate arrays)] in the working CRS. ``working_base`` makes it; ``concept_map`` takes it
    where it takes the WGS84 ``base_layers``."""


def working_base(base_layers, srid: int) -> WorkingBase:
    """``base_layers`` [(style, WGS84 shapely geometries)] reprojected to ``srid`` and split into
    what ``_base_layer`` draws, with vectorised coordinate reads (not point by point)."""
    import numpy as np
    import shapely
    from matplotlib.path import Path as MplPath

    out = WorkingBase()
    for style, geoms in base_layers:
        parts = shapely.get_parts(np.array(geo.transform_many(geoms, f"EPSG:{geo.STORAGE_SRID}", f"EPSG:{srid}"),
                                           dtype=object))
        parts = parts[~shapely.is_empty(parts)] if len(parts) else parts
        if "facecolor" in style:
            polygons = [p for p in parts if p.geom_type == "Polygon"]
            out.append((style, [MplPath.make_compound_path(*[
                MplPath(shapely.get_coordinates(r), closed=True) for r in (p.exterior, *p.interiors)]) for p in polygons]))
            continue
        lines = parts[np.isin(shapely.get_type_id(parts), (1, 2))] if len(parts) else parts  # LineString, LinearRing
        if not len(lines):
            out.append((style, []))
            continue
        coords, index = shapely.get_coordinates(lines, return_index=True)
        out.append((style, np.split(coords, np.flatnonzero(np.diff(index)) + 1)))
    return out


def _base_layer(ax, drawn: list, style: dict) -> None:
    """Draw many base-map geometries at once (one collection per layer, beneath everything):
    areas filled (holes kept) when the style has a face colour, lines otherwise."""
    from matplotlib.collections import LineCollection, PathCollection

    if not drawn:
        return
    if "facecolor" in style:
        ax.add_collection(PathCollection(drawn, facecolors=style["facecolor"], edgecolors="none", linewidths=0, zorder=1))
        return
    ax.add_collection(LineCollection(drawn, colors=style.get("edgecolor", "#999999"),
                                     linewidths=style.get("linewidth", 0.7), zorder=1))


@_styled
def concept_map(concept, measures, fields: dict, attribution: list[str], base_layers=(), size=(7.2, 6.0)) -> str:
    """The funding area, its quarters and the measures (by field of action) in the official CRS
    of the Land; ``base_layers`` = [(style, [WGS84 shapely geometries])] drawn beneath
    (see ``geodata.services.base_geometries``), or a ``WorkingBase`` made once for many maps."""
    srid = concept.working_srid

    def _working(geoms: list) -> list:
        return geo.transform_many(geoms, f"EPSG:{geo.STORAGE_SRID}", f"EPSG:{srid}")

    fig, ax = plt.subplots(figsize=size)
    area = _working([geo.from_django(concept.area)])[0] if concept.area else None
    if area is not None:
        x0, y0, x1, y1 = area.bounds
        pad = max(x1 - x0, y1 - y0) * 0.12
        ready = base_layers if isinstance(base_layers, WorkingBase) else working_base(base_layers, srid)
        for style, drawn in ready:
            _base_layer(ax, drawn, style)
    quarters = list(concept.quarters.all())
    for q, g in zip(quarters, _working([geo.from_django(q.geometry) for q in quarters])):
        _plot_geom(ax, g, facecolor=q.colour, edgecolor=q.colour, alpha=0.18, linewidth=0.8, zorder=2)
        c = g.representative_point()
        ax.text(c.x, c.y, q.name, fontsize=7, ha="center", color="#333333", zorder=5)
    if area is not None:
        _plot_geom(ax, area, edgecolor="#c00000", linewidth=2.2, zorder=3)
    located = [m for m in measures if m.geometry is not None]
    for m, g in zip(located, _working([geo.from_django(m.geometry) for m in located])):
        colour = m.primary_field.colour
        _plot_geom(ax, g, facecolor=colour, edgecolor=colour, alpha=0.55, linewidth=2.5, markersize=7, zorder=4)
        c = g.representative_point() if g.geom_type != "Point" else g
        ax.annotate(m.number, (c.x, c.y), xytext=(4, 4), textcoords="offset points", fontsize=7, weight="bold", zorder=6)
    if area is not None:
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    scale_bar(ax)
    handles = [Patch(facecolor="none", edgecolor="#c00000", linewidth=2, label="Fördergebiet")]
    handles += [Patch(facecolor=f.colour, label=f"{f.number} {f.name}") for f in fields.values()]
    # Beside the map, never over the area (the figure grows to the right to take it).
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, fontsize=6.5, frameon=False)
    ax.set_title(f"ETRS89 / UTM {32 if srid == geo.WORKING_SRID else 33}N (EPSG:{srid})", fontsize=6, loc="right", color="#555555")
    fig.text(0.01, 0.005, "Karte: " + "; ".join(attribution), fontsize=5.5, color="#444444", wrap=True)
    return data_uri(fig)


@_styled
def gantt(measures, start_year: int, end_year: int, today: datetime.date | None = None) -> str:
    """Time plan: one bar per measure (start–end) in its field's colour, milestones as diamonds."""
    today = today or datetime.date.today()
    rows = [m for m in measures if m.start and m.end]
    labels = [wrapped(f"{m.number} {m.title}") for m in rows]
    # rows are evenly spaced: each as high as the label of most lines needs, so none reaches the next
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    height = 0.9 + (0.16 + 0.12 * lines) * max(len(rows), 1)
    fig, ax = plt.subplots(figsize=(7.2, height))
    for i, m in enumerate(rows):
        y = len(rows) - 1 - i
        start = matplotlib.dates.date2num(m.start)
        end = matplotlib.dates.date2num(m.end)
        hatch = "//" if m.status == "cancelled" else None
        ax.barh(y, end - start, left=start, height=0.6, color=m.primary_field.colour, alpha=0.85, hatch=hatch)
        for ms in m.milestones.all():
            when = ms.done or ms.due
            if when:
                ax.plot(matplotlib.dates.date2num(when), y, marker="D", color="black" if ms.done else "white",
                        markeredgecolor="black", markersize=5)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(list(reversed(labels)), fontsize=7)
    lo = datetime.date(min([start_year] + [m.start.year for m in rows]), 1, 1)
    hi = datetime.date(max([end_year] + [m.end.year for m in rows]) + 1, 1, 1)
    ax.set_xlim(matplotlib.dates.date2num(lo), matplotlib.dates.date2num(hi))
    ax.xaxis.set_major_locator(matplotlib.dates.YearLocator())
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y"))
    ax.axvline(matplotlib.dates.date2num(today), color="#c00000", linewidth=1, linestyle="--")
    ax.grid(axis="x", color="#dddddd")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return data_uri(fig)


@_styled
def finance_bars(years: list[int], series: list[tuple[str, str, list[float]]]) -> str:
    """Stacked bars per year: series = [(source key, label, values in €)]."""
    fig, ax = plt.subplots(figsize=(7.2, 2.8))
    bottom = [0.0] * len(years)
    for key, label, values in series:
        ax.bar(years, [v / 1e6 for v in values], bottom=bottom, label=str(label), color=figures.SOURCE_COLOURS.get(key, "#999999"))
        bottom = [b + v / 1e6 for b, v in zip(bottom, values)]
    ax.set_ylabel("Mio. €")
    _german_axis(ax.yaxis)
    ax.set_xticks(years)
    if ax.get_legend_handles_labels()[0]:  # a concept without located measures has no legend
        ax.legend(fontsize=6.5, ncols=3, frameon=False, loc="upper left", bbox_to_anchor=(0, -0.12))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return data_uri(fig)


@_styled
def indicator_chart(state, quarter_names: dict) -> str:
    """The series of the funding area (and quarters) with baseline and target."""
    ind = state.indicator
    fig, ax = plt.subplots(figsize=(3.4, 1.9))
    for key, points in state.series.items():
        xs = [figures.year_position(d) for d, _v, _s in points]
        ys = [v for _d, v, _s in points]
        label = "Fördergebiet" if key == "area" else quarter_names.get(key, str(key))
        ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.6 if key == "area" else 0.8, label=label)
    if ind.baseline_value is not None:
        ax.plot([ind.baseline_year], [ind.baseline_value], marker="s", color="#555555", label="Ausgangswert")
    if ind.target_value is not None:
        ax.plot([ind.target_year], [ind.target_value], marker="*", markersize=9, color="#c00000", label="Ziel")
        if ind.baseline_value is not None:
            ax.plot([ind.baseline_year, ind.target_year], [ind.baseline_value, ind.target_value], color="#c00000",
                    linewidth=0.8, linestyle=":")
    ax.set_ylabel(ind.unit_label, fontsize=7)
    _german_axis(ax.yaxis)
    ax.tick_params(labelsize=6.5)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%d"))
    ax.legend(fontsize=5.5, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return data_uri(fig, dpi=130)
