from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from isek.web.forms import KernFormMixin


class InviteForm(KernFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-Mail"))
    city = forms.ModelChoiceField(label=_("Stadt"), queryset=None, required=False,
                                  help_text=_("In diese Stadt einladen: Konzepte anlegen darf die Person dann nur dort."),
                                  error_messages={"invalid_choice": _("In diese Stadt können Sie nicht einladen; bitte eine "
                                                                      "Stadt aus der Liste wählen.")})
    may_start_concepts = forms.BooleanField(label=_("darf Konzepte anlegen"), required=False, initial=True,
                                            help_text=_("Wer ein Konzept anlegt, plant es und kann andere hinzunehmen."))
    city_admin = forms.BooleanField(label=_("Administration der Stadt"), required=False,
                                    help_text=_("Lädt ein und verwaltet die Rollen in den Konzepten der Stadt, bearbeitet ihre "
                                                "rechtlichen Texte und ihr Aussehen und sieht alle ihre Konzepte."))

    def __init__(self, *args, cities, everywhere: bool, **kwargs):
        """``cities``: those the inviting person may invite into; ``everywhere``: the installation's
        administrator (no city needed; may name a city's administrator)."""
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities
        self.fields["city"].empty_label = _("keine (die ganze Installation)") if everywhere else None
        self.fields["city"].required = not everywhere
        if not everywhere:
            del self.fields["city_admin"]
        self.style_widgets()


class AcceptForm(KernFormMixin, forms.Form):
    username = forms.CharField(label=_("Benutzername"), max_length=150,
                               help_text=_("Buchstaben, Ziffern und . @ + - _, keine Leerzeichen"))
    password1 = forms.CharField(label=_("Passwort"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Passwort wiederholen"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_username(self):
        """Django's rule for user names (letters, digits, . @ + - _), said with the signs that break
        it: a name with a space got Django's bare "Bitte einen gültigen Wert eingeben." (walk 8)."""
        name = self.cleaned_data["username"]
        wrong = list(dict.fromkeys(c for c in name if not re.fullmatch(r"[\w.@+-]", c)))
        if wrong:
            signs = ", ".join(str(_("Leerzeichen")) if c.isspace() else str(_("„%(c)s“")) % {"c": c} for c in wrong)
            raise forms.ValidationError(
                _("Ein Benutzername darf nur Buchstaben, Ziffern und die Zeichen . @ + - _ enthalten, nicht: %(signs)s.")
                % {"signs": signs}, "invalid")
        return name

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        return data
