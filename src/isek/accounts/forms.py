from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from isek.web.forms import KernFormMixin


class InviteForm(KernFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-Mail"))
    may_start_concepts = forms.BooleanField(label=_("darf Konzepte anlegen"), required=False, initial=True,
                                            help_text=_("Wer ein Konzept anlegt, plant es und kann andere hinzunehmen."))


class AcceptForm(KernFormMixin, forms.Form):
    username = forms.RegexField(label=_("Benutzername"), max_length=150, regex=r"^[\w.@+-]+$",
                                help_text=_("Buchstaben, Ziffern und . @ + - _"))
    password1 = forms.CharField(label=_("Passwort"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Passwort wiederholen"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        return data
