from django import forms
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from isek.core import numbers


def _needed(field, *, aria: bool = True):
    """A field the service requires (it says what is missing, in its own words): not "– optional"
    in its label (web/_field.html reads ``needed``), and aria-required where the widget allows it."""
    field.needed = True
    if aria:
        field.widget.attrs["aria-required"] = "true"
    return field


class VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_kind_display()}, {formats.date_format(timezone.localtime(obj.created_at), 'SHORT_DATE_FORMAT')})"


class ApplicationForm(forms.Form):
    """The values of a draft; whether they make an application is the service's to say
    (services.save_draft), with the same words for the pages and the API."""

    year = forms.IntegerField(label=_("Programmjahr"), required=False, min_value=1900, max_value=2200)
    finance_version = VersionChoice(label=_("KuF-Version"), queryset=None, required=False,
                                    empty_label=_("– keine, jetzt einfrieren –"),
                                    help_text=_("Die eingefrorene Kosten- und Finanzierungsübersicht, deren Zahlen der Antrag enthält."))
    freeze_as = forms.CharField(label=_("Oder die aktuelle KuF jetzt einfrieren als"), required=False, max_length=120,
                                help_text=_("Name der neuen KuF-Version, z. B. „Programmanmeldung 2027“."))
    council_decision = forms.DateField(label=_("Ratsbeschluss am"), required=False,
                                       help_text=_("Nötig für den Entwurf und das Einreichen."),
                                       widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("Anmerkung"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finance_version"].queryset = versions
        _needed(self.fields["year"])
        _needed(self.fields["council_decision"])  # the service requires it: not "– optional" (issue #23)
        self.fields["finance_version"].one_of = self.fields["freeze_as"].one_of = _("eines von beiden")
        for name, field in self.fields.items():
            css = "kern-form-input__select" if name == "finance_version" else "kern-form-input__input"
            field.widget.attrs.setdefault("class", css)


class RemarkForm(forms.Form):
    """The authority's comment or change request; the service says what is wrong with it."""

    kind = forms.ChoiceField(label=_("Art"),
                             choices=[("request", _("Nachforderung (die Stadt antwortet mit einer neuen Version)")),
                                      ("comment", _("Anmerkung"))])
    about = forms.ChoiceField(label=_("Betrifft"), choices=())
    text = forms.CharField(label=_("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, subjects, refusal: str = "", **kwargs):
        """``refusal``: why no change request is possible now ("" where it is) – then only a comment
        is offered, and the reason stands at the field."""
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = subjects
        if refusal:
            kind = self.fields["kind"]
            kind.choices = [("comment", _("Anmerkung"))]
            kind.help_text = kind.error_messages["invalid_choice"] = refusal
        self.fields["kind"].widget.attrs["class"] = self.fields["about"].widget.attrs["class"] = "kern-form-input__select"
        self.fields["text"].widget.attrs["class"] = "kern-form-input__input"


class ApprovalForm(forms.Form):
    """The funding authority's approval: date, file number, and per line of the application
    (``lines``: services.approval_lines) the approved amount – prefilled, so that only what differs
    is typed – with its reason. The amounts are text: the service reads them (German or English
    notation) and says what is wrong with them, the same for the pages and the API."""

    decided_on = forms.DateField(label=_("Bescheid vom"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    file_number = forms.CharField(label=_("Aktenzeichen"), required=False, max_length=80)
    reason = forms.CharField(label=_("Begründung der Änderung"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Nur bei einem Änderungsbescheid: warum der vorige Bescheid geändert wird."))

    def __init__(self, *args, lines, amending: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if amending:
            _needed(self.fields["reason"])
        else:
            del self.fields["reason"]
        _needed(self.fields["decided_on"])
        _needed(self.fields["file_number"])
        self.lines = lines
        for line in lines:
            label = f"{line['label']}, {line['year']}, {line['source_label']}"
            self.fields[f"amount-{line['key']}"] = forms.CharField(
                label=_("bewilligt (€): %(line)s") % {"line": label}, required=False, max_length=40,
                initial=_german(line["approved"]))
            self.fields[f"reason-{line['key']}"] = forms.CharField(
                label=_("Begründung: %(line)s") % {"line": label}, required=False, max_length=250,
                initial=line.get("reason") or "")
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "kern-form-input__input")

    def rows(self):
        """(line, amount field, reason field) for the template's table."""
        return [(line, self[f"amount-{line['key']}"], self[f"reason-{line['key']}"]) for line in self.lines]

    def values(self) -> dict:
        """The service's arguments (``services.approve``)."""
        data = self.cleaned_data
        return {"decided_on": data.get("decided_on"), "file_number": data.get("file_number", ""),
                "reason": data.get("reason", ""),
                "amounts": {line["key"]: data.get(f"amount-{line['key']}", "") for line in self.lines},
                "reasons": {line["key"]: data.get(f"reason-{line['key']}", "") for line in self.lines}}


def _german(amount) -> str:
    """An amount prefilled in a form as the page's notation writes it, thousands grouped: "183.333,50"
    (the services read it back, ``numbers.parse``; decision 0075)."""
    return numbers.format(amount, translation.get_language(), 2)


def _money_field(label, initial=None, placeholder: str = ""):
    field = forms.CharField(label=label, required=False, max_length=40,
                            initial=None if initial is None else _german(initial))
    field.widget.attrs.update({"class": "kern-form-input__input", "inputmode": "decimal"})
    if placeholder:
        field.widget.attrs["placeholder"] = placeholder
    return field


def _payment_label(payment) -> str:
    amount = formats.number_format(payment.amount, 2, use_l10n=True, force_grouping=True)
    note = f" – {payment.note}" if payment.note else ""
    receipt = [formats.date_format(payment.paid_on, "SHORT_DATE_FORMAT") if payment.paid_on else "",
               payment.payee, str(_("Beleg %(receipt)s") % {"receipt": payment.receipt}) if payment.receipt else ""]
    receipt_text = f" ({', '.join(x for x in receipt if x)})" if any(receipt) else ""  # the Belegliste's (0082)
    return f"{payment.measure.number} {payment.measure.title}, {payment.year}: {amount} €{note}{receipt_text}"


class PaymentRequestForm(forms.Form):
    """The city's payment request: the paid expenses it cites and, where it asks less than the
    approval's share, the amount per line (``lines``: services.request_lines of all the payments
    offered; empty: the share). The amounts are text: the service reads them and says what is wrong."""

    payments = forms.MultipleChoiceField(label=_("Bezahlte Ausgaben"), required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Anmerkung"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, payments, lines, requested=None, **kwargs):
        """``requested``: per line key an amount to prefill (a returned request's, opened as a new draft)."""
        super().__init__(*args, **kwargs)
        self.fields["payments"].choices = [(str(p.pk), _payment_label(p)) for p in payments]
        _needed(self.fields["payments"], aria=False)  # aria-required is not allowed on a checkbox
        self.fields["note"].widget.attrs["class"] = "kern-form-input__input"
        self.offered, self.lines = payments, lines
        for line in lines:
            label = f"{line['label']}, {line['year']}, {line['source_label']}"
            self.fields[f"amount-{line['key']}"] = _money_field(
                _("angefordert (€): %(line)s") % {"line": label}, initial=(requested or {}).get(line["key"]),
                placeholder=str(_("Förderanteil")))

    def rows(self):
        return [(line, self[f"amount-{line['key']}"]) for line in self.lines]

    def values(self) -> dict:
        data = self.cleaned_data
        return {"payments": data.get("payments") or [], "note": data.get("note", ""),
                "amounts": {line["key"]: data[f"amount-{line['key']}"] for line in self.lines
                            if (data.get(f"amount-{line['key']}") or "").strip()}}


class ReleaseForm(forms.Form):
    """The authority's release of a payment request: per line the amount released (prefilled with
    the request) and a reason where it is less."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            label = f"{line['label']}, {line['year']}, {line['source_label']}"
            self.fields[f"amount-{line['key']}"] = _money_field(_("freigegeben (€): %(line)s") % {"line": label},
                                                                initial=line["requested"])
            self.fields[f"reason-{line['key']}"] = forms.CharField(
                label=_("Begründung: %(line)s") % {"line": label}, required=False, max_length=250,
                widget=forms.TextInput(attrs={"class": "kern-form-input__input"}))

    def rows(self):
        return [(line, self[f"amount-{line['key']}"], self[f"reason-{line['key']}"]) for line in self.lines]

    def values(self) -> dict:
        data = self.cleaned_data
        return {"amounts": {line["key"]: data.get(f"amount-{line['key']}", "") for line in self.lines},
                "reasons": {line["key"]: data.get(f"reason-{line['key']}", "") for line in self.lines}}


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Begründung der Rückgabe"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "kern-form-input__input"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _needed(self.fields["reason"])


class ProofSubmitForm(forms.Form):
    """The city's submission of the proof of use: the Sachbericht and the confirmation (services.submit_proof)."""

    report = forms.CharField(label=_("Sachbericht"), required=False, max_length=20000,
                             help_text=_("Was mit der Zuwendung erreicht wurde: Ziele, umgesetzte Maßnahmen, "
                                         "Abweichungen vom Plan und ihre Gründe."),
                             widget=forms.Textarea(attrs={"rows": 6, "class": "kern-form-input__input"}))
    confirmed = forms.BooleanField(label=_("Ich bestätige, dass die Angaben vollständig und richtig sind."),
                                   required=False, widget=forms.CheckboxInput(attrs={"class": "kern-form-check__checkbox"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _needed(self.fields["report"])
        _needed(self.fields["confirmed"])


class ProofReturnForm(ReturnForm):
    """The authority's return of the submitted proof of use, with its reason (services.return_proof)."""
