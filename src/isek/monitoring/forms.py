from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from isek.core import numbers
from isek.web.forms import KernFormMixin, NumberField

from . import reports
from .models import Indicator, Payment, Report, ReportText, YearNote, report_year_error, report_years


class IndicatorForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["code", "name", "name_en", "kind", "unit", "goals", "description", "baseline_value", "baseline_year",
                  "target_value", "target_year", "source", "illustrative"]
        widgets = {"goals": forms.CheckboxSelectMultiple, "description": forms.Textarea(attrs={"rows": 3}),
                   "source": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.concept = concept
        self.instance.concept = concept
        self.fields["goals"].queryset = concept.goals.all()
        for name in ("baseline_value", "target_value"):  # a value may be a share: "18,5 %"
            self.fields[name].percent = True

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Indicator.objects.filter(concept=self.concept, code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Diese Kennung ist im Konzept schon vergeben."))
        return code


class ValueForm(KernFormMixin, forms.Form):
    area = forms.ChoiceField(label=_("Gebiet"))
    year = forms.IntegerField(label=_("Jahr"), min_value=1900, max_value=2100)
    value = NumberField(label=_("Wert"), as_float=True, percent=True)
    source = forms.CharField(label=_("Quelle"), max_length=300)

    def __init__(self, *args, concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("area", _("Fördergebiet"))] + [(str(q.pk), q.name) for q in concept.quarters.all()]
        self.fields["year"].initial = datetime.date.today().year


class ImportForm(KernFormMixin, forms.Form):
    file = forms.FileField(label=_("CSV-Datei"), help_text=_("Spalten: indicator; area; year; value; unit; source"))
    source = forms.CharField(label=_("Quelle für Zeilen ohne Quelle"), max_length=300, required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > settings.ISEK_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("Die Datei ist %(s).1f MB groß; erlaubt sind höchstens %(m).1f MB.") % {
                "s": f.size / 1e6, "m": settings.ISEK_UPLOAD_MAX_BYTES / 1e6})
        return f


class PaymentForm(KernFormMixin, forms.ModelForm):
    """A paid expense. ``spending`` (``figures.spending``: the current KuF's plan and the payments per
    measure and year) lets the form ask before it records an implausible one – in a year the KuF
    plans no cost of the measure, or taking the measure's payments above its planned cost (walk 15:
    999,999,999 € on a 75,000 € measure went into the proof of use unnoticed), or the year's payments
    above the year's planned cost (300,000 € in a year planned at 90,000 €): the planner confirms the
    amount, or corrects it."""
    checked = forms.BooleanField(required=False, label=_("Betrag geprüft – trotzdem speichern"))

    class Meta:
        model = Payment
        fields = ["measure", "year", "amount", "paid_on", "payee", "receipt", "note", "illustrative"]
        widgets = {"paid_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"note": _("Grund der Zahlung (Gegenstand)")}

    def __init__(self, *args, concept, spending: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = concept.measures.all()
        self.fields["year"].initial = datetime.date.today().year
        self.spending = {r["key"]: r for r in (spending or {}).get("rows", [])}
        self.fields["checked"].widget = forms.HiddenInput()  # shown once the form has a doubt (clean)

    def clean_year(self):
        from .services import payment_year_refusal

        year = self.cleaned_data.get("year")
        if refusal := payment_year_refusal(year):  # not asked as a doubt: refused (decisions 0065, 0085)
            raise forms.ValidationError(refusal, code="year")
        return year

    def clean_amount(self):
        from .services import payment_amount_refusal

        amount = self.cleaned_data.get("amount")
        # said at the field, before any doubt is asked; a recorded amount left as it is stays
        if amount != self.instance.amount and (refusal := payment_amount_refusal(amount)):
            raise forms.ValidationError(refusal, code="amount")
        return amount

    def clean(self):
        from .services import paid_on_refusal

        data = super().clean()
        measure, year, amount = data.get("measure"), data.get("year"), data.get("amount")
        if refusal := paid_on_refusal(data.get("paid_on"), year):  # refused, not asked (decision 0082)
            self.add_error("paid_on", forms.ValidationError(refusal, code="paid_on"))
        if self.errors or measure is None or year is None or amount is None or data.get("checked"):
            return data
        row = self.spending.get(str(measure.pk))
        planned_year, paid_year = next(((p, q) for y, p, q in row["years"] if y == year), (None, None)) if row else (None, None)
        language = translation.get_language()
        doubts = []
        if not planned_year:
            doubts.append(_("Die KuF plant für %(number)s im Jahr %(year)s keine Kosten.") % {
                "number": measure.number, "year": year})
        elif paid_year + amount > planned_year:  # the year's plan, not only the measure's (issue #23, minor 1)
            doubts.append(_("Mit dieser Auszahlung lägen die Auszahlungen von %(number)s im Jahr %(year)s "
                            "(%(paid)s €) über den für %(year)s geplanten Kosten (%(plan)s €).") % {
                "number": measure.number, "year": year, "paid": numbers.format(paid_year + amount, language, 2),
                "plan": numbers.format(planned_year, language, 2)})
        if row and row["plan"] and row["paid"] + amount > row["plan"]:
            doubts.append(_("Mit dieser Auszahlung lägen die Auszahlungen von %(number)s (%(paid)s €) über den "
                            "geplanten Kosten der Maßnahme (%(plan)s €).") % {
                "number": measure.number, "paid": numbers.format(row["paid"] + amount, language, 2),
                "plan": numbers.format(row["plan"], language, 2)})
        if doubts:
            self.fields["checked"].widget = forms.CheckboxInput()
            self.add_error("checked", " ".join(str(d) for d in doubts) + " " + str(
                _("Bitte den Betrag prüfen; stimmt er, „Betrag geprüft“ ankreuzen und erneut speichern.")))
        return data


class ReceiptForm(KernFormMixin, forms.ModelForm):
    """The Belegliste's columns of a recorded payment, filled in later (decision 0082): its amount,
    measure and year stay as they are."""

    class Meta:
        model = Payment
        fields = ["paid_on", "payee", "receipt"]
        widgets = {"paid_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self):
        from .services import paid_on_refusal

        data = super().clean()
        if refusal := paid_on_refusal(data.get("paid_on"), self.instance.year):
            self.add_error("paid_on", forms.ValidationError(refusal, code="paid_on"))
        return data


class ReportTextForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = ReportText
        fields = ["text", "source", "illustrative"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6}), "source": forms.Textarea(attrs={"rows": 2})}
        labels = {"illustrative": _("Annahme / illustrativ")}
        help_texts = {"illustrative": _("Der Text ist eine Annahme und nicht durch eine Quelle belegt; das ISEK-PDF kennzeichnet ihn so.")}


class ReportForm(KernFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Bericht"), choices=Report.Kind.choices)
    year = forms.IntegerField(label=_("Berichtsjahr (Sachbericht)"), min_value=1971, max_value=2100, required=False)
    version = forms.ModelChoiceField(
        label=_("verglichen mit KuF-Version (Sachbericht)"), queryset=None, required=False,
        empty_label=_("automatisch: die neueste bis Ende des Berichtsjahres festgeschriebene"))

    def __init__(self, *args, concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.concept = concept
        self.fields["version"].queryset = concept.finance_versions.all()
        # only the years a Sachbericht can be made for
        self.fields["year"].widget = forms.Select(choices=[("", "–")] + [(y, y) for y in report_years(concept)],
                                                  attrs={"class": "kern-form-input__select"})

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year is not None and (error := report_year_error(self.concept, year)):
            raise forms.ValidationError(error)
        return year

    def clean(self):
        data = super().clean()
        if data.get("kind") == Report.Kind.SACHBERICHT and not data.get("year"):
            self.add_error("year", _("Für den Sachbericht bitte das Berichtsjahr angeben."))
        return data


class MappingForm(KernFormMixin, forms.Form):
    columns = forms.CharField(
        label=_("Spalten"), widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Eine Spalte je Zeile: „Spaltenname = Feld“. Die Felder stehen in der Liste daneben."))
    delimiter = forms.ChoiceField(label=_("Trennzeichen"), choices=[(";", ";"), (",", ","), ("\t", "Tab")])
    decimal_comma = forms.BooleanField(label=_("Dezimalkomma"), required=False)

    def __init__(self, *args, concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.concept = concept

    def clean_columns(self):
        cols = []
        for n, line in enumerate(self.cleaned_data["columns"].splitlines(), start=1):
            if not line.strip():
                continue
            if "=" not in line:
                raise forms.ValidationError(_("Zeile %(n)s: „Spaltenname = Feld“ erwartet.") % {"n": n})
            header, key = (p.strip() for p in line.split("=", 1))
            if not header:
                raise forms.ValidationError(_("Zeile %(n)s: der Spaltenname fehlt.") % {"n": n})
            cols.append([header, key])
        errors = reports.check_columns(self.concept, cols)
        if errors:
            raise forms.ValidationError(errors)
        return cols


TEXT = "kern-form-input__input"  # KernFormMixin styles the fields declared on the class; these are added per measure


class YearNotesForm(KernFormMixin, forms.Form):
    """Explanations for one year's Sachbericht: an overview and one text per measure."""

    def __init__(self, *args, concept, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.concept, self.year = concept, year
        existing = {n.measure_id: n for n in YearNote.objects.filter(concept=concept, year=year)}
        self.measures = list(concept.measures.all())
        self.fields["overview"] = forms.CharField(
            label=_("Überblick über das Berichtsjahr"), required=False, widget=forms.Textarea(attrs={"rows": 4, "class": TEXT}),
            initial=existing[None].text if None in existing else "")
        self.fields["source"] = forms.CharField(
            label=_("Quellen"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": TEXT}),
            initial=existing[None].source if None in existing else "")
        for m in self.measures:
            self.fields[f"m{m.pk}"] = forms.CharField(
                label=str(m), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": TEXT}),
                initial=existing[m.pk].text if m.pk in existing else "")
