"""Shared form presentation: the KERN UX classes on every widget, and service errors on a form."""

from __future__ import annotations

import json

from django import forms
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.utils.translation import gettext_lazy as _

from isek.core import geo


class KernFormMixin:
    """Put the KERN UX classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                w.attrs.setdefault("class", "kern-form-check__checkbox")
            elif isinstance(w, (forms.Select, forms.SelectMultiple)):
                w.attrs.setdefault("class", "kern-form-input__select")
            else:
                w.attrs.setdefault("class", "kern-form-input__input")

    def full_clean(self):
        super().full_clean()
        for name in self._errors or {}:
            if name in self.fields:
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"{name}-error"})


def add_errors(form, exc, field: str | None = None) -> None:
    """Show a service's ValidationError on ``form``: at the field it names where the form has that
    field, else above the form; an error that names no field at ``field`` (default: above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, exc.messages)


class GeoJSONGeometryField(forms.CharField):
    """A geometry edited on the map and kept as GeoJSON (WGS84) text in a form field."""

    widget = forms.Textarea(attrs={"rows": 3, "class": "kern-form-input__input isek-geojson"})

    def __init__(self, *args, allowed=None, **kwargs):
        self.allowed = allowed
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, GEOSGeometry):
            return value.json
        return value

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            data = json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            raise forms.ValidationError(_("Die Geometrie ist kein gültiges GeoJSON.")) from None
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry")
        try:
            g = GEOSGeometry(json.dumps(data), srid=4326)
        except (GEOSException, ValueError, TypeError):
            raise forms.ValidationError(_("Die Geometrie ist kein gültiges GeoJSON.")) from None
        if g.empty:
            raise forms.ValidationError(_("Die Geometrie ist leer."))
        if self.allowed and g.geom_type not in self.allowed:
            raise forms.ValidationError(
                _("Geometrietyp %(t)s ist hier nicht erlaubt.") % {"t": g.geom_type}
            )
        if not g.valid:
            raise forms.ValidationError(_("Die Geometrie ist ungültig: %(r)s") % {"r": g.valid_reason})
        if not geo.inside_germany(geo.from_django(g)):
            raise forms.ValidationError(_("Die Geometrie liegt außerhalb Deutschlands."))
        if g.geom_type == "Polygon" and self.allowed == ("MultiPolygon", "Polygon"):
            from django.contrib.gis.geos import MultiPolygon

            g = MultiPolygon(g, srid=4326)
        return g
