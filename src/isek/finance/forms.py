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
