"""Every contribution of a concept for the planners: rows for CSV and XLSX, features for their GIS."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from isek import access
from isek.concepts.services import Concept

from ..models import Comment, Idea
from .supports import annotations as support_annotations

EXPORT_COLUMNS = [
    ("reference", _("Nr.")), ("kind", _("Art")), ("theme", _("Thema")), ("title", _("Titel")), ("text", _("Text")),
    ("author", _("Name (öffentlich)")), ("status", _("Stand")), ("reason", _("Grund")), ("outcome", _("Ergebnis")),
    ("measure", _("Maßnahme")), ("answer", _("Antwort der Stadt")), ("supports", _("Unterstützungen")),
    ("supports_confirmed", _("davon bestätigt")),
    ("on", _("zu")), ("created", _("eingegangen")), ("lon", _("Länge (WGS84)")), ("lat", _("Breite (WGS84)")),
    ("illustrative", _("Beispiel")), ("source", _("importiert aus")), ("source_url", _("Original")),
]


def export_rows(user, concept: Concept) -> list[dict]:
    """Every contribution of the concept's phases, one row each (no e-mail addresses), for CSV and
    XLSX; texts as the citizens wrote them (the writers keep formulas from running)."""
    access.require(user, "participation", "export", concept)
    rows = []
    ideas = (Idea.objects.filter(phase__concept=concept).select_related("theme", "contributor", "measure", "source")
             .annotate(**support_annotations()).order_by("number"))
    for i in ideas:
        c = i.geometry.point_on_surface if i.geometry is not None else None
        rows.append({"reference": i.reference, "kind": _("Idee"), "theme": i.theme.name_de if i.theme else "", "title": i.title, "text": i.text,
                     "author": i.author_name, "status": i.get_status_display(),
                     "reason": i.get_reject_reason_display() if i.reject_reason else "",
                     "outcome": i.get_outcome_display() if i.outcome else "",
                     "measure": i.measure.number if i.measure else "", "answer": i.answer, "supports": i.support_count,
                     "supports_confirmed": i.supports_confirmed,
                     "on": "", "created": timezone.localtime(i.created_at).strftime("%Y-%m-%d %H:%M"),
                     "lon": round(c.x, 6) if c else None, "lat": round(c.y, 6) if c else None,
                     "illustrative": i.illustrative, "source": i.source.name if i.source_id else "",
                     "source_url": i.source_url})
    comments = Comment.objects.filter(phase__concept=concept).select_related("idea", "measure", "contributor").order_by("number")
    for x in comments:
        rows.append({"reference": x.reference, "kind": _("Kommentar"), "theme": "", "title": "", "text": x.text,
                     "author": x.author_name, "status": x.get_status_display(),
                     "reason": x.get_reject_reason_display() if x.reject_reason else "", "outcome": "", "measure": "",
                     "answer": "", "supports": "", "supports_confirmed": "",
                     "on": x.idea.reference if x.idea_id else _("Maßnahme %(n)s") % {"n": x.measure.number},
                     "created": timezone.localtime(x.created_at).strftime("%Y-%m-%d %H:%M"), "lon": None, "lat": None,
                     "illustrative": x.illustrative, "source": "", "source_url": ""})
    return rows


def export_features(user, concept: Concept) -> dict:
    """All ideas of the concept (every state) as GeoJSON for the planners' GIS."""
    import json

    access.require(user, "participation", "export", concept)
    rows = {r["reference"]: r for r in export_rows(user, concept)}
    features = [{"type": "Feature", "id": i.pk, "geometry": json.loads(i.geometry.geojson) if i.geometry else None,
                 "properties": {k: v for k, v in rows[i.reference].items() if k not in ("lon", "lat")}}
                for i in Idea.objects.filter(phase__concept=concept).order_by("pk")]
    return {"type": "FeatureCollection", "name": f"{concept.slug}-beitraege", "features": features}
