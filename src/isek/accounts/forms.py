from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from isek.web.forms import Honeypot, KernFormMixin


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


def _model_field(name):
    from .models import IdentityProvider

    return IdentityProvider._meta.get_field(name)


class CityProviderForm(KernFormMixin, forms.Form):
    """A city's identity provider as its administration sets it up (the mapping lines are read
    beside it: accounts.views.city_providers). The client secret is written, never shown."""

    name = forms.CharField(label=_model_field("name").verbose_name, max_length=100, help_text=_model_field("name").help_text)
    issuer = forms.CharField(label=_model_field("issuer").verbose_name, max_length=500,
                             help_text=_model_field("issuer").help_text)
    client_id = forms.CharField(label=_model_field("client_id").verbose_name, max_length=255)
    client_secret = forms.CharField(label=_("Client-Geheimnis"), required=False, strip=True,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                                    help_text=_("Wird verschlüsselt gespeichert und nie wieder angezeigt; bei einem "
                                                "gespeicherten Anbieter leer lassen, um das gespeicherte Geheimnis zu "
                                                "behalten."))
    scopes = forms.CharField(label=_model_field("scopes").verbose_name, max_length=255, initial="openid profile email",
                             help_text=_model_field("scopes").help_text)
    groups_claim = forms.CharField(label=_model_field("groups_claim").verbose_name, max_length=100, initial="groups",
                                   help_text=_model_field("groups_claim").help_text)
    enabled = forms.BooleanField(label=_model_field("enabled").verbose_name, required=False, initial=True)

    def keep_secret(self) -> None:
        """Say that the secret typed into the refused save is kept for the next (decision 0086)."""
        self.fields["client_secret"].help_text = _("Das eingegebene Client-Geheimnis ist für das nächste Speichern "
                                                   "dieses Formulars gemerkt (verschlüsselt, nicht in der Seite): leer "
                                                   "lassen, um es zu verwenden, oder ein anderes eingeben.")
        self["client_secret"].help_text = self.fields["client_secret"].help_text  # the bound field read it already

    def offer_unchecked(self) -> None:
        """Add the confirmation to save a provider whose description isek cannot read from here
        (offered once the check failed: decision 0077)."""
        self.fields["unchecked"] = forms.BooleanField(
            label=_("Trotzdem speichern: der Anbieter ist von hier aus noch nicht erreichbar"), required=False,
            help_text=_("Zum Beispiel, solange die Firewall isek noch nicht durchlässt. Bis der Anbieter erreichbar ist, "
                        "sehen Mitarbeiterinnen und Mitarbeiter beim Anmelden, dass isek ihn nicht erreicht."))


class SignupForm(KernFormMixin, forms.Form):
    """A citizen's own account (decision 0078): the address, an optional display name, a password."""

    email = forms.CharField(label=_("E-Mail-Adresse"), max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                            help_text=_("Mit ihr melden Sie sich an; wir schicken einen Link, der das Konto bestätigt."))
    display_name = forms.CharField(label=_("Anzeigename"), max_length=60, required=False,
                                   help_text=_("Nur für Sie sichtbar in Ihrem Konto; leer lassen ist in Ordnung."))
    password1 = forms.CharField(label=_("Passwort"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("Mindestens 8 Zeichen, nicht nur Ziffern, kein häufiges Passwort."))
    password2 = forms.CharField(label=_("Passwort wiederholen"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    website = Honeypot()

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        return data


class DeleteAccountForm(KernFormMixin, forms.Form):
    password = forms.CharField(label=_("Ihr Passwort"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                               help_text=_("Zur Bestätigung, dass Sie es sind."))
    contributions = forms.BooleanField(
        label=_("Auch meine Ideen, Kommentare und Unterstützungen löschen"), required=False,
        help_text=_("Ohne dieses Häkchen bleiben sie ohne Bezug zu Ihnen stehen: Unterstützungen zählen weiter, Ideen "
                    "und Kommentare stehen ohne Namen und ohne E-Mail-Adresse."))


class PasswordResetRequestForm(KernFormMixin, forms.Form):
    """The address to send the link for a new password to (decision 0086)."""

    email = forms.EmailField(label=_("E-Mail-Adresse"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                             help_text=_("Die Adresse Ihres Kontos. Wer sich über das Konto seiner Verwaltung (einen "
                                         "Identitätsanbieter) anmeldet, ändert sein Passwort dort."))
    website = Honeypot()  # with the proof of work, as the sign-up's form (decision 0093)


def new_password_form():
    """Django's SetPasswordForm in KERN's look (built on first use: django.contrib.auth's forms
    import the user model)."""
    from django.contrib.auth.forms import SetPasswordForm

    class NewPasswordForm(KernFormMixin, SetPasswordForm):
        # isek's own words, not Django's German ("Bitte das selbe Passwort …", walk 22e)
        error_messages = {**SetPasswordForm.error_messages,
                          "password_mismatch": _("Die beiden Passwörter stimmen nicht überein.")}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["new_password2"].help_text = _("Zur Bestätigung dasselbe Passwort noch einmal eingeben.")

    return NewPasswordForm
