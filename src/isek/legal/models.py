"""The legal pages of a city – or of the installation (no city) – and the accessibility feedback
that reaches it. One row of texts per city at most; until its administrator saves the first time
there is none and the pages show the defaults (services.texts_for)."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from isek.core.laender import LAENDER

MESSAGE_MAX = 4000
NAME_MAX = 200


class Compliance(models.TextChoices):
    FULL = "full", _("vollständig vereinbar")
    PARTIAL = "partial", _("teilweise vereinbar")
    NONE = "none", _("nicht vereinbar")


class LegalTexts(models.Model):
    """What a city's administrator writes on its accessibility statement, Leichte Sprache and sign
    language pages and its Impressum. German and English where the text is prose."""

    city = models.ForeignKey("concepts.City", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("Stadt"))
    # the statement (EU model statement, Implementing Decision (EU) 2018/1523)
    land = models.CharField(_("Durchsetzungsverfahren nach dem Recht von"), max_length=2, blank=True,
                            choices=[("", _("Bund"))] + sorted(LAENDER.items(), key=lambda kv: kv[1]))
    # the Land's enforcement body where isek lists none (legal.bodies: only checked, sourced entries):
    # the city enters it from the body's own page (sup22)
    enforcement_name = models.CharField(_("Durchsetzungsstelle: Name"), max_length=300, blank=True)
    enforcement_address = models.TextField(_("Durchsetzungsstelle: Anschrift und Kontakt"), blank=True)
    enforcement_url = models.URLField(_("Durchsetzungsstelle: Adresse ihrer Seite zum Verfahren"), blank=True)
    compliance = models.CharField(_("Stand der Vereinbarkeit"), max_length=10, choices=Compliance.choices,
                                  default=Compliance.PARTIAL)
    barriers_de = models.TextField(_("Nicht barrierefreie Inhalte und Gründe (Deutsch)"), blank=True)
    barriers_en = models.TextField(_("Nicht barrierefreie Inhalte und Gründe (Englisch)"), blank=True)
    assessment_de = models.TextField(_("Eigene Prüfung: Methode und Ergebnis (Deutsch)"), blank=True)
    assessment_en = models.TextField(_("Eigene Prüfung: Methode und Ergebnis (Englisch)"), blank=True)
    prepared_on = models.DateField(_("Erklärung erstellt oder zuletzt überprüft am"))
    contact_email = models.EmailField(_("E-Mail-Adresse für Rückmeldungen"), blank=True,
                                      help_text=_("Neue Rückmeldungen zur Barrierefreiheit werden hierhin gemeldet."))
    # Leichte Sprache and German Sign Language (BITV 2.0 § 4)
    easy_de = models.TextField(_("Text in Leichter Sprache (Deutsch)"))
    easy_en = models.TextField(_("Text in einfachem Englisch"))
    sign_video_url = models.URLField(_("Video in Deutscher Gebärdensprache (Adresse)"), blank=True,
                                     help_text=_("Die Adresse eines Videos der Stadt; eine MP4- oder WebM-Datei wird auf "
                                                 "der Seite abgespielt, jede andere Adresse verlinkt."))
    # Impressum (§ 5 DDG)
    imprint_body = models.CharField(_("Name der öffentlichen Stelle"), max_length=300, blank=True)
    imprint_address = models.TextField(_("Anschrift"), blank=True)
    imprint_represented_by = models.CharField(_("Vertreten durch"), max_length=300, blank=True)
    imprint_contact = models.TextField(_("Kontakt (Telefon, E-Mail)"), blank=True)
    imprint_vat_id = models.CharField(_("Umsatzsteuer-Identifikationsnummer"), max_length=30, blank=True)
    imprint_supervisory = models.TextField(_("Zuständige Aufsichtsbehörde"), blank=True)
    # Datenschutz (Art. 13 DSGVO): who answers for the personal data of the participation
    privacy_controller = models.TextField(_("Verantwortliche Stelle (Name, Anschrift, Kontakt)"), blank=True)
    privacy_dpo = models.TextField(_("Datenschutzbeauftragte oder Datenschutzbeauftragter (Kontakt)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    PRIVACY = ("privacy_controller", "privacy_dpo")
    IMPRINT = ("imprint_body", "imprint_address", "imprint_represented_by", "imprint_contact", "imprint_vat_id",
               "imprint_supervisory")

    class Meta:
        verbose_name = _("Rechtliche Texte")
        verbose_name_plural = _("Rechtliche Texte")
        # one row per city, one for the installation (no city)
        constraints = [models.UniqueConstraint(Coalesce("city", 0, output_field=models.BigIntegerField()),
                                               name="legal_texts_one_per_city")]

    def __str__(self):
        return str(self.city) if self.city_id else str(_("Installation"))

    @property
    def has_imprint(self) -> bool:
        return bool(self.imprint_body.strip())


class Feedback(models.Model):
    """A message sent with the feedback form of an accessibility statement (BITV 2.0 § 7): kept
    for the city until it is answered and deleted. Personal data: the name (optional) and the
    e-mail address, to answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        ANSWERED = "answered", _("beantwortet")

    city = models.ForeignKey("concepts.City", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("Stadt"))
    name = models.CharField(_("Name"), max_length=NAME_MAX, blank=True)
    email = models.EmailField(_("E-Mail-Adresse"))
    message = models.TextField(_("Nachricht"), validators=[MaxLengthValidator(MESSAGE_MAX)])
    status = models.CharField(_("Stand"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("Eingegangen"), auto_now_add=True)
    answered_at = models.DateTimeField(_("Beantwortet am"), null=True, blank=True)

    class Meta:
        ordering = ["-status", "-created_at"]  # open ones first ("open" sorts after "answered")
        verbose_name = _("Rückmeldung zur Barrierefreiheit")
        verbose_name_plural = _("Rückmeldungen zur Barrierefreiheit")
