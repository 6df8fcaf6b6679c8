"""Shared form presentation: the KERN UX classes on every widget, one number field for every money
and decimal input, and service errors on a form."""

from __future__ import annotations

from decimal import Decimal

import shapely
from django import forms
from django.contrib.gis.geos import GEOSGeometry
from django.forms.renderers import DjangoTemplates
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from isek.core import geo, geotext, numbers
from isek.core.problems import InputError


class NumberField(forms.DecimalField):
    """Every money and decimal input of isek: a text input (inputmode="decimal", so phones show
    the number pad) read in the notation of the UI's language – German 1.250.000,50, English
    1,250,000.50 – with isek's own message for a number in the other notation, an ambiguous one or
    no number (isek.core.numbers); the browser's own number validation, which speaks another
    register than the UI, never runs. Gives a Decimal, or a float where the model keeps a float
    (``as_float``). A ``percent`` field (one labelled "(%)") also takes "60 %" and gives a percent
    example in its messages; an amount (one labelled "(€)") also takes "2.000.000 €", "€ 750 000"
    or "750.000 EUR". KernFormMixin puts it in place of every DecimalField and FloatField."""

    widget = forms.TextInput

    def __init__(self, *, as_float: bool = False, percent: bool | None = None, **kwargs):
        self.as_float = as_float
        super().__init__(**kwargs)
        self.percent = "(%)" in str(self.label or "") if percent is None else percent
        self.money = "(€)" in str(self.label or "")
        if self.max_digits is not None and self.decimal_places is not None:
            # Django's "höchstens 5 Ziffern" does not say that only two of them may follow the comma
            sizes = {"whole": self.max_digits - self.decimal_places, "places": self.decimal_places}
            digits = lazy(lambda: gettext("Zu viele Stellen: möglich sind höchstens %(whole)s Stellen vor und "
                                          "%(places)s nach dem Komma.") % sizes, str)()
            for code in ("max_digits", "max_decimal_places", "max_whole_digits"):
                self.error_messages.setdefault(code, digits)

    @classmethod
    def replacing(cls, field: forms.Field) -> NumberField:
        new = cls(as_float=isinstance(field, forms.FloatField), required=field.required, label=field.label,
                  initial=field.initial, help_text=field.help_text, disabled=field.disabled,
                  max_digits=getattr(field, "max_digits", None), decimal_places=getattr(field, "decimal_places", None),
                  min_value=field.min_value, max_value=field.max_value)
        new.validators = list(field.validators)
        new.error_messages.update({k: v for k, v in field.error_messages.items() if k != "invalid"})
        return new

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return Decimal(repr(value) if isinstance(value, float) else value)
        try:
            return numbers.parse(str(value), get_language(), percent=self.percent, money=self.money)
        except InputError as exc:
            raise forms.ValidationError(exc.messages(gettext), code="invalid") from None

    def clean(self, value):
        value = super().clean(value)
        return float(value) if self.as_float and value is not None else value

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return numbers.format(value, get_language())
        return value


def error_id(bound) -> str:
    """The id of a field's message as web/_field.html writes it: ``<html name>-error`` – the name
    with the form's prefix, so the rows of a formset (``c-0-amount-error``, ``c-1-amount-error``) and
    two formsets of one page never share one (issue #21); a form without a prefix keeps ``<name>-error``."""
    return f"{bound.html_name}-error"


class BoundField(forms.BoundField):
    """A field as web/_field.html writes it: its hint has Django's id (``id_<prefix-name>_helptext``),
    its message the id ``error_id`` (all its messages in one element); ``aria-describedby`` names
    those that are on the page."""

    @property
    def error_id(self) -> str:
        return error_id(self)

    @property
    def aria_describedby(self):
        if self.field.widget.attrs.get("aria-describedby"):
            return None
        ids = []
        if self.auto_id and not self.is_hidden:
            if self.help_text:
                ids.append(f"{self.auto_id}_helptext")
            if self.errors:
                ids.append(self.error_id)
        return " ".join(ids)


class Renderer(DjangoTemplates):
    """isek's form renderer (settings.FORM_RENDERER): Django's, with ``BoundField`` for every form,
    also those without KernFormMixin."""

    bound_field_class = BoundField


class KernFormMixin:
    """Put the KERN UX classes on every widget, NumberField in place of every decimal and float
    field (those a ModelForm makes from the model as well as declared ones), and isek's own message
    on every e-mail and URL field (the German ones isek gets, Django REST framework's, say "du", isek
    says "Sie": tests/web/test_formal_messages.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in list(self.fields.items()):
            if isinstance(field, (forms.DecimalField, forms.FloatField)) and not isinstance(field, NumberField):
                self.fields[name] = field = NumberField.replacing(field)
            if isinstance(field, forms.EmailField):
                field.error_messages["invalid"] = _("Bitte eine gültige E-Mail-Adresse angeben.")
            elif isinstance(field, forms.URLField):  # Django REST framework's German catalogue says "Gib … ein"
                field.error_messages["invalid"] = _("Bitte eine gültige Adresse (URL) angeben.")
            if name == "title" and isinstance(field, forms.CharField) and field.max_length:
                # the input's maxlength cuts a pasted title without a word: say the limit
                limit = _("höchstens %(n)s Zeichen") % {"n": field.max_length}
                field.help_text = f"{field.help_text} ({limit})" if field.help_text else limit
                field.error_messages["max_length"] = _(
                    "Der Titel darf höchstens %(limit_value)d Zeichen lang sein; er hat %(show_value)d.")
        self.style_widgets()

    def style_widgets(self):
        """KERN's class on each widget without one (again after fields are added in a form's __init__)."""
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                w.attrs.setdefault("class", "kern-form-check__checkbox")
            elif isinstance(w, (forms.Select, forms.SelectMultiple)):
                w.attrs.setdefault("class", "kern-form-input__select")
            else:
                w.attrs.setdefault("class", "kern-form-input__input")

    def add_error(self, field, error):
        """As Django's, but a model's clean() adds nothing at a field that already has a message:
        neither the same rule again (a required reason the form field checked first) nor a
        follow-on error (a pair "value and year belong together" whose value could not be read)."""
        if field is None and isinstance(error, forms.ValidationError) and hasattr(error, "error_dict"):
            shown = self._errors or {}
            kept = {name: [] if shown.get(name) else errors for name, errors in error.error_dict.items()}
            kept = {name: errors for name, errors in kept.items() if errors}
            if not kept:
                return
            error = forms.ValidationError(kept)
        super().add_error(field, error)

    def full_clean(self):
        super().full_clean()
        for name in self._errors or {}:
            if name in self.fields:
                # the hint (Django's id for it, as web/_field.html writes it) and the message
                bound = self[name]
                hint = f"{bound.auto_id}_helptext " if self.fields[name].help_text and bound.auto_id else ""
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"{hint}{error_id(bound)}"})


def crs_help(concept) -> str:
    """The example under a "CRS, if the file declares none" field: the official CRS of the
    concept's Land (``Concept.working_srid``), where files of its city mostly come from."""
    land = concept.city.land if concept.city_id else ""
    if land:
        return _("z. B. EPSG:%(srid)s, das amtliche KBS in %(land)s") % {"srid": concept.working_srid, "land": land}
    return _("z. B. EPSG:%(srid)s") % {"srid": concept.working_srid}


def add_errors(form, exc, field: str | None = None) -> None:
    """Show a service's ValidationError on ``form``: at the field it names where the form has that
    field, else above the form; an error that names no field at ``field`` (default: above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, exc.messages)


class GeoJSONGeometryField(forms.CharField):
    """A geometry edited on the map and kept as GeoJSON (WGS84) text in a form field. The text is
    read by ``isek.core.geotext`` (a geometry, a Feature, a FeatureCollection or, where the field
    takes a point, "Breite, Länge"); ``public`` fields (the citizens' forms) say in plain words what
    to do with text that is none. Pasted coordinates that are no longitudes and latitudes but look
    like UTM metres (``geo.looks_like_utm``, as the geodata upload recognises them) are read in
    ``srid`` – the official CRS of the concept's Land, which the form sets – when they lie in
    Germany so; ``read_in`` then says so, for a notice."""

    widget = forms.Textarea(attrs={"rows": 3, "class": "kern-form-input__input isek-geojson"})

    def __init__(self, *args, allowed=None, srid: int | None = None, public: bool = False, **kwargs):
        self.allowed = allowed
        self.srid = srid
        self.public = public
        self.read_in: int | None = None
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, GEOSGeometry):
            return value.json
        return value

    def to_python(self, value):
        if isinstance(value, GEOSGeometry):
            return value
        value = (value or "").strip()
        if not value:
            return None
        try:
            shape = geotext.read(value, allowed=self.allowed, public=self.public)
        except InputError as exc:
            raise forms.ValidationError(exc.messages(gettext, get_language())) from None
        if shape.is_empty:
            raise forms.ValidationError(_("Die Geometrie ist leer."))
        if self.allowed and shape.geom_type not in self.allowed:
            raise forms.ValidationError(
                _("Geometrietyp %(t)s ist hier nicht erlaubt.") % {"t": shape.geom_type}
            )
        if not shape.is_valid:
            raise forms.ValidationError(_("Die Geometrie ist ungültig: %(r)s") % {"r": shapely.is_valid_reason(shape)})
        if not geo.lon_lat(shape) and geo.looks_like_utm(shape.centroid.x, shape.centroid.y):
            shape = self._utm(shape)
        elif not geo.inside_germany(shape):
            raise forms.ValidationError(_("Die Geometrie liegt außerhalb Deutschlands."))
        if shape.geom_type == "Polygon" and self.allowed == ("MultiPolygon", "Polygon"):
            shape = shapely.MultiPolygon([shape])
        return geo.to_django(shape)

    def _utm(self, shape):
        """UTM coordinates pasted without "crs": read in the Land's official CRS where they lie in
        Germany so, else the message says what they look like and how they were read."""
        c = shape.centroid
        where = numbers.Coordinates(((c.x, c.y),), 0).in_language(get_language())
        if self.srid:
            read = geo.transform(shape, f"EPSG:{self.srid}", f"EPSG:{geo.STORAGE_SRID}")
            if geo.inside_germany(read):
                self.read_in = self.srid
                return read
            raise forms.ValidationError(_(
                "Die Koordinaten (um %(where)s) sind keine Längen und Breiten, sondern sehen aus wie UTM-Koordinaten. "
                "Gelesen im amtlichen KBS des Landes (EPSG:%(srid)s) liegen sie außerhalb Deutschlands. Bitte die "
                "Geometrie in WGS84 (EPSG:4326) oder in EPSG:%(srid)s angeben.") % {"where": where, "srid": self.srid})
        raise forms.ValidationError(_(
            "Die Koordinaten (um %(where)s) sind keine Längen und Breiten, sondern sehen aus wie UTM-Koordinaten "
            "(EPSG:25832 oder 25833?). GeoJSON ohne „crs“ wird als WGS84 (EPSG:4326) gelesen; bitte die Geometrie "
            "in WGS84 angeben.") % {"where": where})


class Honeypot(forms.CharField):
    """A field people do not see (hidden by CSS, skipped by screen readers and the tab order);
    programs that fill every field fill it, and the submission is refused."""

    def __init__(self):
        super().__init__(required=False, label=_("Bitte dieses Feld leer lassen"), widget=forms.TextInput(
            attrs={"autocomplete": "off", "tabindex": "-1", "class": "isek-hp"}))
