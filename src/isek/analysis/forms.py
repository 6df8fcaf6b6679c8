from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from isek.web.forms import KernFormMixin

from . import jobs


class RunForm(KernFormMixin, forms.Form):
    extract = forms.ChoiceField(label=gettext_lazy("OSM-Extrakt"), required=False)
    city_layers = forms.BooleanField(label=gettext_lazy("städtische Ebenen verwenden"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["extract"].choices = [("", _("ohne OSM-Extrakt"))] + [(str(p), p.name) for p in jobs.available_extracts()]
