from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from isek.web.forms import KernFormMixin

from .models import CostGroup, CostItem, FinanceVersion, Financing, FundApplication, FundingCap, FundingRate


class CostItemForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = CostItem
        fields = ["year", "cost_group", "amount", "eligible", "basis", "note"]

    def __init__(self, *args, measure=None, **kwargs):
        super().__init__(*args, **kwargs)
        if measure is not None:
            self.instance.measure = measure
        self.fields["cost_group"].queryset = CostGroup.objects.all()


class FinancingForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = Financing
        fields = ["year", "source", "amount", "status", "reason"]

    def __init__(self, *args, measure=None, **kwargs):
        super().__init__(*args, **kwargs)
        if measure is not None:
            self.instance.measure = measure
        self.fields["reason"].required = True
        self.fields["reason"].error_messages["required"] = _(
            "Eine Abweichung von der berechneten Finanzierung braucht eine Begründung.")


CostItemFormSet = forms.inlineformset_factory(
    CostItem._meta.get_field("measure").related_model, CostItem, form=CostItemForm, extra=2, can_delete=True)
FinancingFormSet = forms.inlineformset_factory(
    Financing._meta.get_field("measure").related_model, Financing, form=FinancingForm, extra=1, can_delete=True)


class RateForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = FundingRate
        fields = ["year", "rate", "basis"]
        widgets = {"basis": forms.TextInput()}


class CapForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = FundingCap
        fields = ["amount", "basis"]
        widgets = {"basis": forms.TextInput()}


class ScenarioForm(KernFormMixin, forms.Form):
    """What-if parameters, passed as GET parameters; nothing is saved."""

    shift_measure = forms.ChoiceField(label=_("Maßnahme verschieben"), required=False)
    shift_years = forms.IntegerField(label=_("um Jahre (+ später, − früher)"), required=False, min_value=-20, max_value=20)
    rate = forms.DecimalField(label=_("Fördersatz für alle Jahre (%)"), required=False, min_value=Decimal(0),
                              max_value=Decimal(100), decimal_places=2)
    drop = forms.MultipleChoiceField(label=_("Maßnahmen weglassen"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(m.pk), f"{m.number} {m.title}") for m in measures]
        self.fields["shift_measure"].choices = [("", "–")] + choices
        self.fields["drop"].choices = choices

    def is_active(self) -> bool:
        d = self.cleaned_data
        return bool((d.get("shift_measure") and d.get("shift_years")) or d.get("rate") is not None or d.get("drop"))


class FreezeForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = FinanceVersion
        fields = ["name", "kind", "note"]
        widgets = {"note": forms.TextInput()}


class FundApplicationForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = FundApplication
        fields = ["applicant", "project", "address", "eligible_cost", "facade_m2", "decision", "decided_on"]
        widgets = {"decided_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, fund=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fund is not None:
            self.instance.fund = fund


class SpreadsheetForm(KernFormMixin, forms.Form):
    file = forms.FileField(label=_("Maßnahmenliste (XLSX oder CSV)"),
                           help_text=_("Eine Zeile je Maßnahme mit den Jahren als Spalten, oder eine Zeile je "
                                       "Maßnahme und Jahr. Höchstens 10 MB."))


IGNORE = "-"


class MappingForm(KernFormMixin, forms.Form):
    """For each column of the file: what it means (a measure field, the costs of a year, or not
    imported); and the cost group for rows without one."""

    def __init__(self, *args, header: list[str], mapping, years: list[int], groups: list[tuple[str, str]], **kwargs):
        from .importing import LABELS

        super().__init__(*args, **kwargs)
        self.header = header
        choices = [(IGNORE, _("– nicht importieren –"))] + [(k, _(v)) for k, v in LABELS.items()]
        choices += [(f"year:{y}", _("Kosten %(year)s") % {"year": y}) for y in years]
        by_header = {h: t for t, h in mapping.columns.items()}
        for i, h in enumerate(header):
            initial = by_header.get(h) or (f"year:{mapping.years[h]}" if h in mapping.years else IGNORE)
            if initial.startswith("year:") and int(initial[5:]) not in years:
                choices = choices + [(initial, _("Kosten %(year)s") % {"year": initial[5:]})]
            self.fields[f"col{i}"] = forms.ChoiceField(label=h, choices=choices, initial=initial)
        self.fields["cost_group"] = forms.ChoiceField(
            label=_("Kostengruppe für Zeilen ohne eigene"), required=False, initial=mapping.cost_group,
            choices=[("", _("– keine –"))] + groups)

    def column_fields(self):
        return [self[f"col{i}"] for i in range(len(self.header))]

    def mapping(self):
        """The mapping chosen (a form that is not valid gives the initial one)."""
        from .importing import Mapping

        data = self.cleaned_data if self.is_valid() else {k: f.initial for k, f in self.fields.items()}
        m = Mapping(cost_group=data.get("cost_group") or "")
        for i, h in enumerate(self.header):
            choice = data.get(f"col{i}") or IGNORE
            if choice == IGNORE:
                m.ignore.append(h)
            elif choice.startswith("year:"):
                m.years[h] = int(choice[5:])
            elif choice in m.columns:
                self.add_error(f"col{i}", _("„%(target)s“ ist schon der Spalte „%(other)s“ zugeordnet.")
                               % {"target": dict(self.fields[f"col{i}"].choices)[choice], "other": m.columns[choice]})
            else:
                m.columns[choice] = h
        return m
