from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from isek.web.forms import KernFormMixin, crs_help

from .models import ReferenceLayer


class LayerUploadForm(KernFormMixin, forms.ModelForm):
    file = forms.FileField(label=_("Datei"), help_text=_(
        "GeoJSON, GeoPackage oder Shapefile als ZIP, in beliebigem Koordinatenreferenzsystem; nur Punkte, nur Linien oder nur Flächen."))
    crs = forms.CharField(label=_("Koordinatenreferenzsystem, falls die Datei keins angibt"), required=False)

    class Meta:
        model = ReferenceLayer
        fields = ["name", "label_de", "label_en", "colour", "basemap", "analysis_input", "name_field", "licence", "attribution"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}
        help_texts = {
            "name": _("Buchstaben, Ziffern und Bindestriche, z. B. „schulen“; erscheint in der Adresse der Ebene."),
            "licence": _("z. B. CC0-1.0, CC-BY-4.0, ODbL-1.0, dl-de/by-2-0"),
            "attribution": _("Die Namensnennung, die die Lizenz verlangt; sie steht unter jeder Karte."),
            "analysis_input": _("Welche Indikatoren der Bestandsanalyse diese Ebene speist."),
        }

    def __init__(self, *args, concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["crs"].help_text = crs_help(concept)


class ExtractUploadForm(KernFormMixin, forms.Form):
    """The extract as a file of the form, or (with JavaScript) the id of a resumable upload that
    has already arrived in pieces."""

    file = forms.FileField(label=_("OpenStreetMap-Extrakt (.osm.pbf)"), help_text=_(
        "Z. B. der Download eines Regierungsbezirks oder Landes; isek schneidet das Fördergebiet mit Rand heraus."),
        error_messages={"required": _("Bitte eine Datei wählen.")})
    upload = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def full_clean(self):
        # The file is required, unless it has arrived in pieces already (then the form carries its id);
        # only while checking: the field shown again after an error is required, not "optional".
        field = self.fields["file"]
        field.required = not self.data.get("upload")
        try:
            super().full_clean()
        finally:
            field.required = True
