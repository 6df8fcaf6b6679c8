import functools

from django import forms
from django.utils.translation import gettext_lazy as _

from isek.web.forms import Honeypot, KernFormMixin

from . import bodies
from .models import MESSAGE_MAX, NAME_MAX, LegalTexts


class FeedbackForm(KernFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX, required=False)
    email = forms.EmailField(label=_("E-Mail-Adresse"), help_text=_("Nur für die Antwort; nie öffentlich."))
    message = forms.CharField(label=_("Ihre Nachricht"), max_length=MESSAGE_MAX,
                              help_text=_("Welche Seite, welcher Inhalt, was ist das Hindernis?"),
                              widget=forms.Textarea(attrs={"rows": 6}))
    website = Honeypot()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["required"] = _("Bitte Ihre E-Mail-Adresse angeben, damit die Stadt antworten kann.")
        self.fields["message"].error_messages["required"] = _("Bitte schreiben Sie Ihre Nachricht.")


class TextsForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = LegalTexts
        exclude = ["city"]
        field_classes = {"sign_video_url": functools.partial(forms.URLField, assume_scheme="https"),
                         "enforcement_url": functools.partial(forms.URLField, assume_scheme="https")}
        widgets = {
            "prepared_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{name: forms.Textarea(attrs={"rows": 4}) for name in (
                "barriers_de", "barriers_en", "assessment_de", "assessment_en", "imprint_address", "imprint_contact",
                "imprint_supervisory", "privacy_controller", "privacy_dpo", "enforcement_address")},
            "easy_de": forms.Textarea(attrs={"rows": 16}),
            "easy_en": forms.Textarea(attrs={"rows": 16}),
        }

    SECTIONS = (
        (_("Erklärung zur Barrierefreiheit"), ("compliance", "barriers_de", "barriers_en", "assessment_de",
                                               "assessment_en", "prepared_on", "contact_email", "land",
                                               "enforcement_name", "enforcement_address", "enforcement_url")),
        (_("Leichte Sprache und Gebärdensprache"), ("easy_de", "easy_en", "sign_video_url")),
        (_("Impressum"), LegalTexts.IMPRINT),
        (_("Datenschutz"), LegalTexts.PRIVACY),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the date the statement was prepared or last reviewed is a mandatory part of the EU model
        # statement (Implementing Decision (EU) 2018/1523, annex, "Preparation of this accessibility
        # statement"): empty until the administrator enters it, never today's date by default (sup22)
        if self.instance.pk is None and not self.is_bound:
            self.initial["prepared_on"] = None
        self.fields["prepared_on"].help_text = _("Pflichtangabe der Erklärung (EU-Mustererklärung): das Datum, an dem Sie "
                                                 "die Erklärung erstellt oder zuletzt überprüft haben.")
        self.fields["prepared_on"].error_messages["required"] = _(
            "Bitte das Datum angeben, an dem die Erklärung erstellt oder zuletzt überprüft wurde.")
        known = bodies.body_for(self.instance.land)
        hint = (_("isek kennt die Stelle von %(land)s nicht: bitte von deren eigener Seite übernehmen.")
                % {"land": self.instance.get_land_display()} if known is None else
                _("isek kennt die Stelle für das gewählte Land (%(name)s); diese Felder gelten nur für ein Land ohne "
                  "bekannte Stelle.") % {"name": known.name})
        for name in ("enforcement_name", "enforcement_address", "enforcement_url"):
            self.fields[name].help_text = hint if name == "enforcement_name" else ""
        self.fields["easy_de"].help_text = _("Leichte Sprache: eine Zeile je Satz; eine Zeile mit „# “ am Anfang ist eine "
                                             "Überschrift, eine mit „1. “ ein Schritt einer Liste.")

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]
