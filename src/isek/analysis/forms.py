from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from isek.web.forms import KernFormMixin


class RunForm(KernFormMixin, forms.Form):
    extract = forms.ChoiceField(label=gettext_lazy("OSM-Extrakt"), required=False,
                                help_text=gettext_lazy("Die Extrakte der Stadt (hochgeladen auf der Seite Grundkarte)."))
    city_layers = forms.BooleanField(label=gettext_lazy("städtische Ebenen verwenden"), required=False, initial=True)

    def __init__(self, *args, extracts: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["extract"].choices = [("", _("ohne OSM-Extrakt"))] + list(extracts)
        if extracts:  # the city's newest extract (extract_choices puts it first)
            self.fields["extract"].initial = extracts[0][0]
