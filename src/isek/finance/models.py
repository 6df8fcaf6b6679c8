"""Funding rules as data, cost items, financing, frozen KuF versions, and local funds.

Every legal number (rates, shares, caps, fund rules) is a field here, shipped as fixtures for NRW
and editable by administrators; the engine (isek.finance.engine) only combines them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from isek.core import numbers
from isek.core.numbering import number_sort_key
from isek.core.numbers import RATE_PLACES

from . import land_rules


def euros(amount) -> str:
    """An amount as the pages write it, in the language of the request ("20.000,00 €"): the change
    history names objects by their ``str`` (decision 0095; it showed "20000.00 €") and records it
    neutrally, to be written in the reader's language (``numbers.money_in_name``, decision 0104)."""
    return "" if amount is None or amount == "" else f"{numbers.money_in_name(amount, translation.get_language())} €"

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
YEAR = [MinValueValidator(1971), MaxValueValidator(2100)]


def money_field(label, **kwargs):
    return models.DecimalField(label, max_digits=14, decimal_places=2, validators=NON_NEGATIVE, **kwargs)


class FundingProgramme(models.Model):
    """A Städtebauförderung programme with the rate rules of a Land."""

    code = models.SlugField(_("Kennung"), max_length=40, unique=True)
    name = models.CharField(_("Name"), max_length=200)
    land = models.CharField(_("Land"), max_length=2, default="NW")
    federal_share = models.DecimalField(
        _("Bundesanteil an den förderfähigen Kosten"), max_digits=9, decimal_places=8,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("Anteil (0–1), grundsätzlich ein Drittel."),
    )
    rate_standard = models.DecimalField(_("Regelfördersatz (%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    rate_min = models.DecimalField(_("kleinster Fördersatz (%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    rate_max = models.DecimalField(_("größter Fördersatz (%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    rate_step = models.DecimalField(_("Zu-/Abschlag je Kriterium (%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    basis = models.TextField(_("Rechtsgrundlage"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Förderprogramm")
        verbose_name_plural = _("Förderprogramme")

    def __str__(self):
        return self.name


class CostGroup(models.Model):
    """Fördergegenstand with sub-items, in the catalogue of a Land (NRW: FRL 2023 sections 7–11) or
    isek's general catalogue for Länder whose own isek does not know (finance.land_rules)."""

    catalogue = models.CharField(_("Katalog"), max_length=20, default="nrw-frl-2023", db_index=True)
    number = models.CharField(_("Nr."), max_length=10)
    sort_key = models.CharField(max_length=40, editable=False, db_index=True, default="")
    name = models.CharField(_("Name"), max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    illustrative = models.BooleanField(_("illustrativ"), default=False)
    source = models.TextField(_("Quelle"), blank=True)

    class Meta:
        ordering = ["catalogue", "sort_key"]
        unique_together = [("catalogue", "number")]
        verbose_name = _("Kostengruppe")
        verbose_name_plural = _("Kostengruppen")

    def __str__(self):
        return f"{self.number} {self.name_in(translation.get_language())}"

    def name_in(self, language: str | None) -> str:
        """The group's name in ``language`` (its catalogue's English name on English pages; German
        where the data has none, e.g. a group added in the admin)."""
        cat = land_rules.catalogue(self.catalogue)
        return cat.group_name(self.number, self.name, (language or "de")[:2]) if cat else self.name

    def save(self, *args, **kwargs):
        self.sort_key = number_sort_key(self.number)
        super().save(*args, **kwargs)

    @property
    def section(self) -> str:
        return self.number.split(".")[0]

    @classmethod
    def catalogue_of(cls, concept) -> land_rules.CostCatalogue:
        return land_rules.catalogue_for_ags(concept.city.ags)

    @classmethod
    def of(cls, concept):
        """The cost groups of the catalogue of the concept's Land."""
        return cls.objects.filter(catalogue=cls.catalogue_of(concept).key)


class FundingRate(models.Model):
    concept = models.ForeignKey("concepts.Concept", on_delete=models.CASCADE, related_name="funding_rates")
    year = models.PositiveSmallIntegerField(_("Jahr"), validators=YEAR)
    # 10 decimals: a rate of two thirds ("66 2/3") gives the exact cent of any amount up to 10^9 €
    rate = models.DecimalField(_("Fördersatz (%)"), max_digits=13, decimal_places=RATE_PLACES, validators=PERCENT)
    basis = models.TextField(_("Grundlage"), blank=True)
    illustrative = models.BooleanField(_("illustrativ"), default=False)

    class Meta:
        ordering = ["year"]
        unique_together = [("concept", "year")]
        verbose_name = _("Fördersatz")
        verbose_name_plural = _("Fördersätze")

    def __str__(self):
        return f"{self.year}: {numbers.rate(self.rate, 'de')} %"


class FundingCap(models.Model):
    """Förderobergrenze of a concept: the grant is secured only up to this amount."""

    concept = models.OneToOneField("concepts.Concept", on_delete=models.CASCADE, related_name="funding_cap")
    amount = money_field(_("Förderobergrenze (€)"))
    basis = models.TextField(_("Grundlage"), blank=True)
    illustrative = models.BooleanField(_("illustrativ"), default=False)

    class Meta:
        verbose_name = _("Förderobergrenze")
        verbose_name_plural = _("Förderobergrenzen")

    def __str__(self):
        return f"{self.concept}: {euros(self.amount)}"


class CostItem(models.Model):
    audit_parent = "measure"  # the change log files changes under this parent's concept
    class Basis(models.TextChoices):
        ESTIMATE = "estimate", _("Kostenschätzung")
        TENDER = "tender", _("Ausschreibung")
        INVOICE = "invoice", _("Rechnung")

    measure = models.ForeignKey("concepts.Measure", on_delete=models.CASCADE, related_name="cost_items")
    year = models.PositiveSmallIntegerField(_("Jahr"), validators=YEAR)
    cost_group = models.ForeignKey(CostGroup, on_delete=models.PROTECT, verbose_name=_("Kostengruppe"))
    amount = money_field(_("Kosten (€)"))
    eligible = money_field(_("davon förderfähig (€)"))
    basis = models.CharField(_("Grundlage"), max_length=10, choices=Basis.choices, default=Basis.ESTIMATE)
    note = models.CharField(_("Anmerkung"), max_length=300, blank=True)
    illustrative = models.BooleanField(_("illustrativ"), default=False)

    class Meta:
        ordering = ["measure", "year", "cost_group"]
        verbose_name = _("Kostenposition")
        verbose_name_plural = _("Kostenpositionen")

    def __str__(self):
        return f"{self.measure.number} {self.year} {self.cost_group.number}: {euros(self.amount)}"

    def clean(self):
        errors = {}
        if self.amount is not None and self.eligible is not None and self.eligible > self.amount:
            errors["eligible"] = _("Der förderfähige Teil ist größer als die Kosten.")
        if self.measure_id and self.year:
            c = self.measure.concept
            if not (c.start_year - 10 <= self.year <= c.end_year + 10):
                errors["year"] = _("Das Jahr %(y)s liegt weit außerhalb des Zeitraums %(a)s–%(b)s.") % {
                    "y": self.year, "a": c.start_year, "b": c.end_year}
            cat = CostGroup.catalogue_of(c)
            if self.cost_group_id and self.cost_group.catalogue != cat.key:
                errors["cost_group"] = _("Die Kostengruppe gehört nicht zum Katalog dieses Konzepts (%(catalogue)s).") % {
                    "catalogue": cat.name}
        if errors:
            raise ValidationError(errors)


class Financing(models.Model):
    """An explicit figure for one source of a measure and year: an override of the computed
    default (with a reason) or an extra source such as EU or private money."""
    audit_parent = "measure"  # the change log files changes under this parent's concept

    class Source(models.TextChoices):
        BUND = "bund", _("Städtebauförderung Bund")
        LAND = "land", _("Städtebauförderung Land")
        EU = "eu", _("EU")
        MUNICIPALITY = "municipality", _("Eigenanteil der Gemeinde")
        PRIVATE = "private", _("Private / Dritte")
        OTHER = "other", _("andere Programme")
        UNIDENTIFIED = "unidentified", _("ungeklärt")

    class Status(models.TextChoices):
        APPROVED = "approved", _("bewilligt")  # by the funding authority's approval (decision 0058)
        SECURED = "secured", _("gesichert")
        APPLIED = "applied", _("beantragt")
        PLANNED = "planned", _("geplant")
        UNIDENTIFIED = "unidentified", _("ungeklärt")

    measure = models.ForeignKey("concepts.Measure", on_delete=models.CASCADE, related_name="financing")
    year = models.PositiveSmallIntegerField(_("Jahr"), validators=YEAR)
    source = models.CharField(_("Quelle"), max_length=20, choices=Source.choices)
    amount = money_field(_("Betrag (€)"), null=True, blank=True,
                         help_text=_("Leer: berechneter Betrag, nur der Status wird gesetzt."))
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    reason = models.CharField(_("Begründung"), max_length=300)
    # what the city requested where the funding authority's approval set ``amount`` (decision 0058)
    requested = money_field(_("beantragt (€)"), null=True, blank=True)
    illustrative = models.BooleanField(_("illustrativ"), default=False)

    class Meta:
        ordering = ["measure", "year", "source"]
        unique_together = [("measure", "year", "source")]
        verbose_name = _("Finanzierung")
        verbose_name_plural = _("Finanzierungen")

    def __str__(self):
        return f"{self.measure.number} {self.year} {self.get_source_display()}: {euros(self.amount)}"

    def clean(self):
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("Eine Abweichung von der berechneten Finanzierung braucht eine Begründung.")})


class FinanceVersion(models.Model):
    """A frozen KuF (first application, each yearly update): immutable once saved."""

    class Kind(models.TextChoices):
        FIRST = "first_application", _("Erstantrag")
        UPDATE = "update", _("Fortschreibung")
        OTHER = "other", _("Stand / Szenario")

    concept = models.ForeignKey("concepts.Concept", on_delete=models.CASCADE, related_name="finance_versions")
    name = models.CharField(_("Name"), max_length=120)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("Anmerkung"), blank=True)
    created_at = models.DateTimeField(_("eingefroren am"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    snapshot = models.JSONField(_("Eingaben"))
    figures = models.JSONField(_("Ergebnis"))

    class Meta:
        ordering = ["concept", "created_at", "id"]
        unique_together = [("concept", "name")]
        verbose_name = _("KuF-Version")
        verbose_name_plural = _("KuF-Versionen")

    def __str__(self):
        return f"{self.concept}: {self.name}"

    def save(self, *args, **kwargs):
        if self.pk is not None and FinanceVersion.objects.filter(pk=self.pk).exists():
            raise ValidationError(_("Eine eingefrorene KuF-Version kann nicht geändert werden."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Eine eingefrorene KuF-Version kann nicht gelöscht werden."))


class Fund(models.Model):
    """A local fund with its own grant rules: Verfügungsfonds or façade and courtyard programme."""

    class Kind(models.TextChoices):
        DISPOSITION = "disposition", _("Verfügungsfonds")
        FACADE = "facade", _("Hof- und Fassadenprogramm")

    concept = models.ForeignKey("concepts.Concept", on_delete=models.CASCADE, related_name="funds")
    measure = models.ForeignKey("concepts.Measure", null=True, blank=True, on_delete=models.SET_NULL, related_name="funds")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("Name"), max_length=200)
    budget = money_field(_("Budget (€)"))
    grant_rate = models.DecimalField(
        _("Zuschuss / öffentlicher Anteil (%)"), max_digits=5, decimal_places=2, validators=PERCENT, default=Decimal(50))
    max_per_m2 = models.DecimalField(
        _("höchstens je m² Fassade (€)"), max_digits=8, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE)
    rules = models.TextField(_("Regeln"), blank=True)
    source = models.TextField(_("Quelle"), blank=True)

    class Meta:
        ordering = ["concept", "name"]
        verbose_name = _("Fonds")
        verbose_name_plural = _("Fonds")

    def __str__(self):
        return self.name


class FundApplication(models.Model):
    audit_parent = "fund"  # the change log files changes under this parent's concept
    class Decision(models.TextChoices):
        PENDING = "pending", _("offen")
        APPROVED = "approved", _("bewilligt")
        REJECTED = "rejected", _("abgelehnt")

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="applications")
    applicant = models.CharField(_("Antragsteller"), max_length=200)
    project = models.CharField(_("Vorhaben"), max_length=300)
    address = models.CharField(_("Ort / Adresse"), max_length=300, blank=True)
    location = models.PointField(_("Lage"), srid=4326, null=True, blank=True)
    eligible_cost = money_field(_("förderfähige Kosten (€)"))
    facade_m2 = models.DecimalField(_("Fassadenfläche (m²)"), max_digits=10, decimal_places=2, null=True, blank=True,
                                    validators=NON_NEGATIVE)
    decision = models.CharField(_("Entscheidung"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_on = models.DateField(_("entschieden am"), null=True, blank=True)
    illustrative = models.BooleanField(_("illustrativ"), default=False)

    class Meta:
        ordering = ["fund", "id"]
        verbose_name = _("Fondsantrag")
        verbose_name_plural = _("Fondsanträge")

    def __str__(self):
        return f"{self.applicant}: {self.project}"

    def clean(self):
        if self.fund_id and self.fund.kind == Fund.Kind.FACADE and self.facade_m2 is None:
            raise ValidationError({"facade_m2": _("Für das Fassadenprogramm wird die Fassadenfläche gebraucht.")})

    @property
    def grant(self) -> Decimal:
        from .engine import fund_grant

        return fund_grant(self.fund.kind, self.eligible_cost, self.fund.grant_rate, self.fund.max_per_m2, self.facade_m2)


class ImportMapping(models.Model):
    """The column mapping of a concept's last measure-list import, offered again for the next
    file with the same headers (finance.importing)."""

    concept = models.OneToOneField("concepts.Concept", on_delete=models.CASCADE, related_name="import_mapping")
    mapping = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Zuordnung für den Import")
        verbose_name_plural = _("Zuordnungen für den Import")
