"""Monitoring: the indicator catalogue of a concept, payments against the KuF plan, the texts
planners write for the reports, report jobs and the column mapping of the federal monitoring CSV.

Indicator values themselves are ``isek.analysis.models.IndicatorValue`` rows (dated, per funding
area or quarter): analysis runs, manual entries and CSV imports all add to the same series, linked
by the indicator's code."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from isek.core import numbers
from isek.core.i18n import pick, unit_label
from isek.core.models import BackgroundJob

year_validators = [MinValueValidator(1971), MaxValueValidator(2100)]
code_validator = RegexValidator(r"^[a-z0-9_]+$", _("Nur Kleinbuchstaben, Ziffern und _."))


class Indicator(models.Model):
    class Kind(models.TextChoices):
        INPUT = "input", _("Input")
        OUTPUT = "output", _("Output")
        CONTEXT = "context", _("Kontext")

    concept = models.ForeignKey("concepts.Concept", on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(
        _("Kennung"), max_length=60, validators=[code_validator],
        help_text=_("Kennung der Werte; eine Kennung der Bestandsanalyse übernimmt deren Werte."),
    )
    name = models.CharField(_("Name"), max_length=200)
    name_en = models.CharField(_("Name (englisch)"), max_length=200, blank=True)
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    unit = models.CharField(_("Einheit"), max_length=40)
    goals = models.ManyToManyField("concepts.Goal", blank=True, related_name="indicators", verbose_name=_("Ziele"))
    description = models.TextField(_("Definition"), blank=True)
    baseline_value = models.FloatField(_("Ausgangswert"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("Ausgangsjahr"), null=True, blank=True, validators=year_validators)
    target_value = models.FloatField(_("Zielwert"), null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("Zieljahr"), null=True, blank=True, validators=year_validators)
    source = models.TextField(_("Quelle"), blank=True)
    illustrative = models.BooleanField(
        _("illustrativ"), default=False, help_text=_("Ausgangs- oder Zielwert sind illustrativ, nicht aus einer Quelle."))

    class Meta:
        ordering = ["concept", "kind", "name"]
        unique_together = [("concept", "code")]
        verbose_name = _("Indikator")
        verbose_name_plural = _("Indikatoren")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("monitoring:indicator", args=[self.concept.slug, self.pk])

    def clean(self):
        errors = {}  # a missing half of a pair is named at its own field
        if (self.baseline_value is None) != (self.baseline_year is None):
            errors["baseline_year" if self.baseline_year is None else "baseline_value"] = _(
                "Ausgangswert und Ausgangsjahr gehören zusammen.")
        if (self.target_value is None) != (self.target_year is None):
            errors["target_year" if self.target_year is None else "target_value"] = _("Zielwert und Zieljahr gehören zusammen.")
        if self.baseline_year and self.target_year and self.target_year <= self.baseline_year:
            errors["target_year"] = _("Das Zieljahr liegt nicht nach dem Ausgangsjahr.")
        if errors:
            raise ValidationError(errors)

    @property
    def label(self) -> str:
        """The name in the active language (English where given)."""
        return pick(self.name, self.name_en)

    @property
    def digits(self) -> int:
        """The decimal places its values are shown with on every page (by its unit, as the
        inventory analysis stores them: docs/indicators.md)."""
        return numbers.digits(self.unit)

    @property
    def unit_label(self) -> str:
        """The unit in the active language (a known code such as "count" as a word)."""
        return unit_label(self.unit)


PAYEE_MAX, RECEIPT_MAX, NOTE_MAX = 200, 60, 300  # Empfänger, Belegnummer, Vermerk (Gegenstand)


class Payment(models.Model):
    """An actual payment (Ist-Ausgabe) for a measure in a year."""
    audit_parent = "measure"  # the change log files changes under this parent's concept

    measure = models.ForeignKey("concepts.Measure", on_delete=models.CASCADE, related_name="payments", verbose_name=_("Maßnahme"))
    year = models.PositiveSmallIntegerField(_("Jahr"), validators=year_validators)
    amount = models.DecimalField(_("Betrag (€)"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    note = models.CharField(_("Vermerk"), max_length=NOTE_MAX, blank=True,
                            help_text=_("Grund der Zahlung (Gegenstand), wie ihn die Belegliste nennt."))
    # the Belegliste's columns (decision 0082): optional, blank for payments recorded without them
    paid_on = models.DateField(_("Datum der Zahlung"), null=True, blank=True,
                               help_text=_("Der Tag, an dem bezahlt wurde; er liegt im Jahr der Auszahlung."))
    payee = models.CharField(_("Empfänger"), max_length=PAYEE_MAX, blank=True)
    receipt = models.CharField(_("Belegnummer"), max_length=RECEIPT_MAX, blank=True)
    illustrative = models.BooleanField(_("illustrativ"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measure__sort_key", "year", "id"]
        verbose_name = _("Auszahlung")
        verbose_name_plural = _("Auszahlungen")

    def __str__(self):
        shown = "" if self.amount in (None, "") else numbers.money_in_name(self.amount, get_language())
        return f"{self.measure.number} {self.year}: {shown} €"


class ReportText(models.Model):
    """A text section planners write for the ISEK document (SWOT, population, steering, …)."""

    class Section(models.TextChoices):
        AREA = "area", _("Gebiet und Ausgangslage")
        POPULATION = "population", _("Bevölkerung")
        RETAIL = "retail", _("Einzelhandel und Zentrenfunktion")
        STRENGTHS = "strengths", _("Stärken")
        WEAKNESSES = "weaknesses", _("Schwächen")
        OPPORTUNITIES = "opportunities", _("Chancen")
        THREATS = "threats", _("Risiken")
        STEERING = "steering", _("Steuerung und Beteiligung")
        CONTINUATION = "continuation", _("Verstetigung")
        MONITORING = "monitoring", _("Monitoring und Evaluation")

    concept = models.ForeignKey("concepts.Concept", on_delete=models.CASCADE, related_name="report_texts")
    section = models.CharField(_("Abschnitt"), max_length=20, choices=Section.choices)
    text = models.TextField(_("Text"), blank=True, help_text=_("Absätze durch Leerzeilen; Zeilen mit „- “ werden Aufzählungen."))
    source = models.TextField(_("Quellen"), blank=True)
    illustrative = models.BooleanField(_("illustrativ"), default=False)

    class Meta:
        unique_together = [("concept", "section")]
        verbose_name = _("Berichtstext")
        verbose_name_plural = _("Berichtstexte")

    def __str__(self):
        return f"{self.concept}: {self.get_section_display()}"


class YearNote(models.Model):
    """A planner's explanation for the Sachbericht of a year: for the whole concept (no measure)
    or for one measure (what was done, why it deviates from the plan)."""

    concept = models.ForeignKey("concepts.Concept", on_delete=models.CASCADE, related_name="year_notes")
    year = models.PositiveSmallIntegerField(_("Jahr"), validators=year_validators)
    measure = models.ForeignKey("concepts.Measure", null=True, blank=True, on_delete=models.CASCADE, related_name="year_notes",
                                verbose_name=_("Maßnahme"))
    text = models.TextField(_("Erläuterung"))
    source = models.TextField(_("Quelle"), blank=True)

    class Meta:
        ordering = ["concept", "year", "measure__sort_key"]
        verbose_name = _("Erläuterung zum Sachbericht")
        verbose_name_plural = _("Erläuterungen zum Sachbericht")

    def __str__(self):
        return f"{self.year} {self.measure or self.concept}"


class MonitoringMapping(models.Model):
    """Columns of the federal monitoring CSV (Begleitinformationen) for a concept."""

    concept = models.OneToOneField("concepts.Concept", on_delete=models.CASCADE, related_name="monitoring_mapping")
    columns = models.JSONField(default=list)  # [[header, field], ...]
    delimiter = models.CharField(_("Trennzeichen"), max_length=1, default=";")
    decimal_comma = models.BooleanField(_("Dezimalkomma"), default=True)

    class Meta:
        verbose_name = _("Spaltenzuordnung Monitoring")
        verbose_name_plural = _("Spaltenzuordnungen Monitoring")


def report_years(concept) -> range:
    """The years a Sachbericht can be made for: the concept's period (after it, up to the current year)."""
    return range(concept.start_year, max(concept.end_year, datetime.date.today().year) + 1)


def report_year_error(concept, year: int) -> str:
    """Why no Sachbericht can be made for ``year`` ("" if one can), in the active language."""
    if year in report_years(concept):
        return ""
    return gettext("Das Berichtsjahr %(year)s liegt außerhalb der Laufzeit %(start)s–%(end)s.") % {
        "year": year, "start": concept.start_year, "end": concept.end_year}


def preliminary_note(year: int | None) -> str:
    """The notice on a Sachbericht for a year that is not over yet ("" for one that is)."""
    today = datetime.date.today()
    if year is None or year < today.year:
        return ""
    if year > today.year:
        return gettext("Vorläufig: das Berichtsjahr hat noch nicht begonnen.")
    return gettext("Vorläufig: das Berichtsjahr ist noch nicht abgeschlossen.")


class Report(BackgroundJob):
    """A report built in the background (django-tasks), with progress and a file to download."""

    class Kind(models.TextChoices):
        ISEK = "isek", _("ISEK als PDF")
        SACHBERICHT = "sachbericht", _("Sachbericht")
        MONITORING = "monitoring", _("Begleitinformationen (CSV)")
        FACT_SHEETS = "steckbriefe", _("Maßnahmensteckbriefe (PDF)")

    concept = models.ForeignKey("concepts.Concept", on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("Bericht"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("Berichtsjahr"), null=True, blank=True, validators=year_validators)
    version = models.ForeignKey("finance.FinanceVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                verbose_name=_("verglichen mit KuF-Version"))
    file = models.CharField(max_length=500, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("Bericht")
        verbose_name_plural = _("Berichte")

    def __str__(self):
        return f"{self.concept} {self.kind} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @property
    def retryable(self) -> bool:
        """Not for a Sachbericht whose year lies outside the concept's period: it cannot succeed."""
        return super().retryable and not (self.kind == self.Kind.SACHBERICHT and self.year is not None
                                          and report_year_error(self.concept, self.year))

    @property
    def preliminary(self) -> str:
        return preliminary_note(self.year) if self.kind == self.Kind.SACHBERICHT else ""

    @property
    def filename(self) -> str:
        ext = "csv" if self.kind == self.Kind.MONITORING else "pdf"
        year = f"-{self.year}" if self.year else ""
        return f"{self.concept.slug}-{self.kind}{year}.{ext}"
