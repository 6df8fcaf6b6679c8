from __future__ import annotations

import hashlib
from decimal import Decimal

from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from isek.core import numbers
from isek.core.problems import InputError
from isek.web.forms import KernFormMixin, NumberField

from .models import CostGroup, CostItem, FinanceVersion, Financing, Fund, FundApplication, FundingCap, FundingRate


class CostItemForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = CostItem
        fields = ["year", "cost_group", "amount", "eligible", "basis", "note"]
        help_texts = {"eligible": _("leer = gesamte Kosten förderfähig")}

    def __init__(self, *args, measure=None, **kwargs):
        super().__init__(*args, **kwargs)
        if measure is not None:
            self.instance.measure = measure
        self.fields["cost_group"].queryset = CostGroup.of(measure.concept) if measure is not None else CostGroup.objects.none()
        self.fields["eligible"].required = False
        # A line whose whole cost is eligible shows the field empty ("all"), so a later change of
        # the cost keeps it whole instead of a stale figure (walk 9).
        if self.instance.pk and self.instance.eligible is not None and self.instance.eligible == self.instance.amount:
            self.initial["eligible"] = None

    def has_changed(self):
        """A new line filled in from the estimate (services.estimate_line) and sent with its amount is
        meant to be saved: unchanged, Django would skip it as an empty extra row — silently, even
        without a cost group (found by a walk)."""
        if self.instance.pk is None and self.initial.get("amount") is not None:
            amount = self.data.get(self.add_prefix("amount"), "")
            if str(amount).strip():
                return True
        return super().has_changed()

    def clean(self):
        data = super().clean()
        if data.get("eligible") is None and "eligible" not in self.errors:  # left empty (0 stays 0)
            data["eligible"] = data.get("amount")
        return data


class ConfirmYearsForm(KernFormMixin, forms.Form):
    """The box that confirms years outside the concept's period (``services.year_doubts``); the page
    shows it beside the question only (decision 0072)."""

    confirm_years = forms.BooleanField(label=_("Die Jahre stimmen – trotzdem speichern"), required=False)


class ConfirmCutForm(KernFormMixin, forms.Form):
    """The box that confirms eligible costs cut below the approval (``services.cost_cuts``); the page
    shows it beside the question only (decision 0104)."""

    confirm_cut = forms.BooleanField(label=_("Die Kosten stimmen – trotzdem unter der Bewilligung speichern"),
                                     required=False)


class FinancingForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = Financing
        fields = ["year", "source", "amount", "status", "reason"]

    def __init__(self, *args, measure=None, source_labels: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if measure is not None:
            self.instance.measure = measure
        if source_labels:  # a city-state's words for the own share and the Land's part
            self.fields["source"].choices = [(k, source_labels.get(k, label)) for k, label in self.fields["source"].choices]
        self.fields["reason"].required = True
        self.fields["reason"].error_messages["required"] = _(
            "Eine Abweichung von der berechneten Finanzierung braucht eine Begründung.")
        from .services import approved_status_refusal, is_locked, locked_message

        # A line the authority's approval wrote is read-only; "bewilligt" is the approval's to set,
        # not a status the city chooses (decision 0065).
        self.locked = is_locked(self.instance) if self.instance.pk else False
        self.locked_message = locked_message(self.instance) if self.locked else ""
        if self.locked:
            for field in self.fields.values():
                field.disabled = True
        elif self.instance.status != Financing.Status.APPROVED or self.instance.pk is None:
            status = self.fields["status"]
            status.choices = [(k, label) for k, label in status.choices if k != Financing.Status.APPROVED]
            status.error_messages["invalid_choice"] = approved_status_refusal()


    def clean(self):
        """A locked line's inputs are disabled, so a browser sends none of them; values that come
        anyway (a page shown before the approval arrived, or made up) are refused with the reason,
        not silently ignored."""
        data = super().clean()
        if self.locked:
            sent = any(self.add_prefix(k) in self.data and self._sent_differs(k) for k in ("year", "source", "amount", "status"))
            if sent or self.data.get(self.add_prefix("DELETE")) not in (None, "", "off", "false"):
                self.add_error("amount", self.locked_message)
        else:
            self._refuse_second_line(data)
        return data

    def _refuse_second_line(self, data) -> None:
        """A new (or moved) line for a year and source the measure already has: said at the line's
        source, naming the line there (an approved one with its Bescheid), not left as an error of
        the whole row that the page does not show (usability walk, decision 0065)."""
        from .services import is_locked, locked_message

        year, source, measure = data.get("year"), data.get("source"), getattr(self.instance, "measure", None)
        if year is None or not source or measure is None or "source" in self.errors:
            return
        other = Financing.objects.filter(measure=measure, year=year, source=source).exclude(pk=self.instance.pk).first()
        if other is None:
            return
        if is_locked(other):
            self.add_error("source", _("Für %(year)s gibt es schon diese Quelle in einer bewilligten Zeile. %(locked)s "
                                       "Weitere Mittel bitte mit einer anderen Quelle oder einem anderen Jahr erfassen.")
                           % {"year": year, "locked": locked_message(other)})
        else:
            self.add_error("source", _("Für %(year)s gibt es schon eine Finanzierung aus dieser Quelle. Bitte den Betrag "
                                       "dort ändern statt eine zweite Zeile anzulegen.") % {"year": year})

    def validate_unique(self):
        if "source" not in self.errors:  # a second line of a year and source is said at its source (clean)
            super().validate_unique()

    def _sent_differs(self, name: str) -> bool:
        try:
            return self.fields[name].clean(self.data.get(self.add_prefix(name))) != getattr(self.instance, name)
        except forms.ValidationError:
            return True


class FinancingBaseFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if getattr(form, "locked", False) and "DELETE" in form.fields:  # an approved line cannot be removed
            form.fields["DELETE"].disabled = True


CostItemFormSet = forms.inlineformset_factory(
    CostItem._meta.get_field("measure").related_model, CostItem, form=CostItemForm, extra=2, can_delete=True)
FinancingFormSet = forms.inlineformset_factory(
    Financing._meta.get_field("measure").related_model, Financing, form=FinancingForm, formset=FinancingBaseFormSet,
    extra=1, can_delete=True)


RATE_HELP = _("Auch als Bruch: „66 2/3“ oder „66 ⅔“ (Prozent mit Bruch), „2/3“ allein ist ein Anteil am Ganzen "
               "(= 66 ⅔ %).")


class RateField(NumberField):
    """A funding rate in percent, also written with a fraction ("66 2/3", "66⅔", "2/3": see
    numbers.parse_rate), shown so that it can be sent again unchanged ("66 2/3")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", RATE_HELP)
        kwargs.setdefault("max_digits", 3 + numbers.RATE_PLACES)
        kwargs.setdefault("decimal_places", numbers.RATE_PLACES)
        super().__init__(percent=True, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return Decimal(value)
        try:
            return numbers.parse_rate(str(value), get_language())
        except InputError as exc:
            raise forms.ValidationError(exc.messages(gettext), code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return numbers.rate(value, get_language(), typed=True)
        return value


class RateForm(KernFormMixin, forms.ModelForm):
    """A rate for one year, or for every year of a range (``until_year``): a concept of ten years needs
    one row, not ten saves (found by a new user's walk). A saved range comes back as one row (its
    first year with ``group``, the further years: services.rate_groups), changed or removed as one."""

    group: list[FundingRate] | tuple = ()  # the saved further years of this row's range

    until_year = forms.IntegerField(label=_("bis Jahr (optional, für mehrere Jahre)"), required=False,
                                    min_value=1971, max_value=2100)

    class Meta:
        model = FundingRate
        fields = ["year", "until_year", "rate", "basis"]
        field_classes = {"rate": RateField}
        widgets = {"basis": forms.TextInput()}

    def has_changed(self):
        """A new row filled in with the Land's rule rate (services.suggested_rate) and sent unchanged
        is the planner's confirmation (without this, Django would skip it as an empty extra row); with
        the rate emptied, the row is not wanted."""
        if self.instance.pk is None and self.initial.get("rate") is not None:
            return bool(str(self.data.get(self.add_prefix("rate"), "")).strip())  # rate emptied: not wanted
        return super().has_changed()

    def clean(self):
        data = super().clean()
        year, until = data.get("year"), data.get("until_year")
        if year and until is not None and not year <= until <= year + 50:
            self.add_error("until_year", _("„bis Jahr“ muss zwischen %(y)s und %(z)s liegen.") % {"y": year, "z": year + 50})
        return data

    def change(self) -> tuple[list[FundingRate], list[FundingRate]]:
        """(rates to save, rates to remove): the row's first year and, for a range, one rate per further
        year – the range's saved rows where their year stays in it, new ones (not yet stored) for the
        others –; the saved further years the row no longer covers are removed."""
        first = self.instance
        until = self.cleaned_data.get("until_year") or first.year
        saved = {r.year: r for r in self.group}
        out = [first]
        for year in range(first.year + 1, until + 1):
            rate = saved.pop(year, None) or FundingRate(concept_id=first.concept_id, year=year)
            rate.rate, rate.basis, rate.illustrative = first.rate, first.basis, first.illustrative
            out.append(rate)
        return out, list(saved.values())


class CapForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = FundingCap
        fields = ["amount", "basis"]
        widgets = {"basis": forms.TextInput()}


class ScenarioForm(KernFormMixin, forms.Form):
    """What-if parameters, passed as GET parameters; nothing is saved."""

    shift_measure = forms.ChoiceField(label=_("Maßnahme verschieben"), required=False)
    shift_years = forms.IntegerField(label=_("um Jahre (+ später, − früher)"), required=False, min_value=-20, max_value=20)
    rate = RateField(label=_("Fördersatz für alle Jahre (%)"), required=False, min_value=Decimal(0), max_value=Decimal(100))
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


class FundForm(KernFormMixin, forms.ModelForm):
    """A new fund of a concept (Verfügungsfonds or Hof- und Fassadenprogramm)."""

    class Meta:
        model = Fund
        fields = ["kind", "name", "measure", "budget", "grant_rate", "max_per_m2", "rules", "source"]
        help_texts = {
            "grant_rate": _("Verfügungsfonds: in der Regel höchstens 50 % aus Städtebauförderung, mindestens 50 % aus "
                            "Mitteln von Wirtschaft, Privaten oder zusätzlichen Mitteln der Gemeinde (VV "
                            "Städtebauförderung, Artikel „Verfügungsfonds“ Abs. 1)."),
            "max_per_m2": _("Nur für das Hof- und Fassadenprogramm."),
            "measure": _("Die Maßnahme der KuF, deren Kosten den Fonds tragen."),
        }
        widgets = {"rules": forms.Textarea(attrs={"rows": 3}), "source": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, concept=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = concept.measures.all() if concept is not None else self.fields["measure"].queryset.none()


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
    imported); the cost group for rows without one, the field of action for new measures without
    one (``fields``: choices); and for each value of the file that names no
    field of action, cost group or status by itself, which one it means (``values``: target →
    values of the file, ``options``: target → choices; from the plan)."""

    def __init__(self, *args, header: list[str], mapping, years: list[int], groups: list[tuple[str, str]],
                 fields: list[tuple[str, str]] = (), values: dict[str, list[str]] | None = None, options: dict[str, list[tuple[str, str]]] | None = None,
                 **kwargs):
        from .importing import LABELS

        super().__init__(*args, **kwargs)
        self.header = header
        self.values = values or {}
        self.value_names: dict[str, list[tuple[str, str]]] = {}  # target → [(field name, value of the file)]
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
            help_text=_("Gilt für jede Zeile, in der keine Kostengruppe steht."),
            choices=[("", _("– keine –"))] + groups)
        self.fields["default_field"] = forms.ChoiceField(
            label=_("Handlungsfeld für Zeilen ohne eigenes"), required=False, initial=mapping.default_field,
            choices=[("", _("– keins: solche Zeilen werden abgelehnt –"))] + list(fields),
            help_text=_("Für neue Maßnahmen, deren Zeile kein Handlungsfeld nennt; bestehende behalten ihres."))
        self.remembered = mapping.values
        for target, found in (values or {}).items():
            for value in found:
                name = f"value-{target}-{hashlib.sha256(value.lower().encode()).hexdigest()[:12]}"
                self.fields[name] = forms.ChoiceField(
                    label=f"„{value}“", required=False, initial=mapping.value(target, value) or "",
                    choices=[("", _("– nicht zugeordnet –"))] + list((options or {}).get(target, [])))
                self.value_names.setdefault(target, []).append((name, value))
        self.style_widgets()
        if self.is_bound:  # a value met first in this preview (another column chosen) starts as remembered
            self.data = self.data.copy()
            for pairs in self.value_names.values():
                for name, _value in pairs:
                    if name not in self.data:
                        self.data[name] = self.fields[name].initial

    def column_fields(self):
        return [self[f"col{i}"] for i in range(len(self.header))]

    def value_fields(self):
        """[(what the values are, [their fields])] for the preview."""
        from .importing import LABELS

        return [(_(LABELS[target]), [self[name] for name, _v in pairs]) for target, pairs in self.value_names.items()]

    def mapping(self):
        """The mapping chosen (a form that is not valid gives the initial one)."""
        from .importing import Mapping

        data = self.cleaned_data if self.is_valid() else {k: f.initial for k, f in self.fields.items()}
        m = Mapping(cost_group=data.get("cost_group") or "", default_field=data.get("default_field") or "", values={k: dict(v) for k, v in self.remembered.items()})
        for target, pairs in self.value_names.items():
            chosen = m.values.setdefault(target, {})
            for name, value in pairs:
                if data.get(name):
                    chosen[value.lower()] = data[name]
                else:
                    chosen.pop(value.lower(), None)
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
