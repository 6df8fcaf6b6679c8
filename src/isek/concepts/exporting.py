"""Area, quarters and measures of a concept as GeoJSON rows: the map layers of the pages and the
GeoJSON export. (The GeoPackage is the open-data package, isek.api.package.)"""

from __future__ import annotations

import json

from isek.core import geo

from .models import Concept, is_whole_area


def area_rows(concept: Concept):
    if concept.area is None:
        return [], []
    g = geo.from_django(concept.area)
    return [{
        "kind": "area",
        "concept": concept.slug,
        "name": concept.area_name or concept.name,
        "legal_basis": concept.get_legal_basis_display(),
        "approximated": concept.area_approximated,
        "source": concept.area_source,
        "area_m2": round(geo.area_m2(g, concept.working_srid), 1),
    }], [g]


def quarter_rows(concept: Concept):
    rows, geoms = [], []
    srid = concept.working_srid
    for q in concept.quarters.all():
        g = geo.from_django(q.geometry)
        rows.append({
            "kind": "quarter", "concept": concept.slug, "name": q.name, "colour": q.colour,
            "description": q.description, "approximated": q.approximated, "source": q.source,
            "area_m2": round(geo.area_m2(g, srid), 1),
        })
        geoms.append(g)
    return rows, geoms


def measure_rows(concept: Concept, measures=None):
    rows, geoms = [], []
    measures = measures if measures is not None else concept.measures.all()
    for m in measures.select_related("primary_field").prefetch_related("further_fields"):
        g = geo.from_django(m.geometry)
        rows.append({
            "kind": "measure", "concept": concept.slug, "id": m.pk, "number": m.number, "title": m.title,
            "field": m.primary_field.number, "field_name": m.primary_field.name,
            "colour": m.primary_field.colour,
            "further_fields": ",".join(str(f.number) for f in m.further_fields.all()),
            "status": m.status, "status_label": str(m.get_status_display()),
            "priority": m.priority, "lead_body": m.lead_body,
            "start": m.start.isoformat() if m.start else None,
            "end": m.end.isoformat() if m.end else None,
            "progress": m.progress,
            "estimated_cost": str(m.estimated_cost) if m.estimated_cost is not None else None,
            "geometry_approximated": m.geometry_approximated,
            "figures_approximated": m.figures_approximated,
            "whole_area": is_whole_area(m.geometry, concept.area),
        })
        geoms.append(g)
    return rows, geoms


def feature_collection(rows, geoms, **members) -> dict:
    import shapely

    features = []
    for row, g in zip(rows, geoms):
        features.append({
            "type": "Feature",
            "id": row.get("id"),
            "properties": row,
            "geometry": json.loads(shapely.to_geojson(g)) if g is not None else None,
        })
    return {"type": "FeatureCollection", **members, "features": features}


def export_geojson(concept: Concept, path) -> int:
    """Write area, quarters and measures as one RFC 7946 FeatureCollection (WGS84)."""
    rows, geoms = [], []
    for r, g in (area_rows(concept), quarter_rows(concept), measure_rows(concept)):
        rows += r
        geoms += g
    fc = feature_collection(rows, geoms, name=concept.slug)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(fc, fh, ensure_ascii=False)
    return len(rows)
