"""Thematic maps (PNG) per indicator family: areas coloured by the family's first indicator,
the family's features drawn on top, with legend, scale bar and attribution. Offline (no tiles)."""

from __future__ import annotations

from pathlib import Path

from . import indicators as ind


def _features(family: str, data, city):
    """(frame, style) pairs to draw for a family."""
    out = []
    if data is not None:
        P, L, Pt = data.polygons, data.lines, data.points
        if family == "buildings":
            out.append((P[P["tags"].map(lambda t: "building" in t)], {"color": "#7a5c3e", "linewidth": 0}))
        elif family == "landuse":
            out.append((P[P["tags"].map(ind._is_green)], {"color": "#4caf50", "alpha": 0.6, "linewidth": 0}))
            out.append((P[P["tags"].map(ind._is_water)], {"color": "#2196f3", "alpha": 0.6, "linewidth": 0}))
        elif family == "streets":
            out.append((L[L["tags"].map(ind._walkable)], {"color": "#555555", "linewidth": 0.4}))
        elif family == "pois":
            out.append((Pt[Pt["tags"].map(lambda t: ind._category(t) is not None)], {"color": "#b0003a", "markersize": 3}))
        elif family == "green":
            out.append((Pt[Pt["tags"].map(lambda t: t.get("natural") == "tree")], {"color": "#2e7d32", "markersize": 3}))
    for name in {"mobility": ["stops"], "social": ["schools", "daycare", "playgrounds"], "culture": ["heritage"],
                 "green": ["trees"]}.get(family, []):
        if name in (city or {}):
            out.append((city[name], {"color": "#005ca9", "markersize": 4}))
    return out


def scale_bar(ax):
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    span = (x1 - x0) / 5
    nice = max(v for v in (10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000) if v <= max(span, 10))
    bx, by = x0 + (x1 - x0) * 0.05, y0 + (y1 - y0) * 0.06
    ax.plot([bx, bx + nice], [by, by], color="black", linewidth=3)
    ax.text(bx + nice / 2, by + (y1 - y0) * 0.015, f"{nice:g} m" if nice < 1000 else f"{nice / 1000:g} km",
            ha="center", va="bottom", fontsize=8)


def write_all(areas, data, city, outdir: Path, attribution: str) -> list[Path]:
    # matplotlib only where maps are drawn: every command and worker imports this module at start
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outdir.mkdir(parents=True, exist_ok=True)
    files = []
    families: dict[str, list[str]] = {}
    for i in ind.REGISTRY.values():
        families.setdefault(i.family, []).append(i.id)
    for family, ids in families.items():
        column = next((c for c in ids if c in areas.columns and areas[c].notna().any()), None)
        if column is None:
            continue
        fig, ax = plt.subplots(figsize=(8, 7), dpi=110)
        areas.plot(column=column, ax=ax, cmap="viridis", alpha=0.55, edgecolor="black", linewidth=0.8, legend=True,
                   legend_kwds={"label": f"{ind.REGISTRY[column].name_de} ({ind.REGISTRY[column].unit})", "shrink": 0.6})
        xmin, ymin, xmax, ymax = areas.total_bounds
        pad = max(xmax - xmin, ymax - ymin) * 0.05
        for frame, style in _features(family, data, city):
            if frame is not None and not frame.empty:
                frame.cx[xmin - pad:xmax + pad, ymin - pad:ymax + pad].plot(ax=ax, **style)
        ax.set_xlim(xmin - pad, xmax + pad)
        ax.set_ylim(ymin - pad, ymax + pad)
        ax.set_axis_off()
        ax.set_title(f"{family}: {ind.REGISTRY[column].name_de}")
        scale_bar(ax)
        fig.text(0.01, 0.01, attribution or "", fontsize=7)
        path = outdir / f"{family}.png"
        fig.savefig(path, bbox_inches="tight")
        plt.close(fig)
        files.append(path)
    return files
