"""Money and decimal inputs (issue 20, point 1): every number field of every form reads the notation
of the UI's language – "1.250.000,50" in German, "1,250,000.50" in English – and answers a number
in the other notation, an ambiguous one or no number with isek's own message. Before, German input
ended as "1.250000" with "höchstens 2 Dezimalstellen"."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django import forms
from django.utils import translation

from isek.web.forms import KernFormMixin, NumberField
from tests.factories import ConceptFactory, MeasureFactory


def _concept():
    return ConceptFactory()


def _measure():
    return MeasureFactory()


def _fund():
    from isek.finance.models import Fund

    return Fund(concept=_concept(), kind=Fund.Kind.DISPOSITION, name="Verfügungsfonds", budget=D(10000))


def _forms():
    """(form class, how to make one from data, its number fields, each with its decimal places)."""
    from isek.concepts.forms import MeasureForm
    from isek.finance.forms import (
        CapForm,
        CostItemForm,
        FinancingForm,
        FundApplicationForm,
        FundForm,
        RateForm,
        ScenarioForm,
    )
    from isek.monitoring.forms import IndicatorForm, PaymentForm, ValueForm

    return [
        (CostItemForm, lambda d: CostItemForm(d, measure=_measure()), {"amount": 2, "eligible": 2}),
        (FinancingForm, lambda d: FinancingForm(d, measure=_measure()), {"amount": 2}),
        (RateForm, lambda d: RateForm(d), {"rate": 2}),
        (CapForm, lambda d: CapForm(d), {"amount": 2}),
        (ScenarioForm, lambda d: ScenarioForm(d), {"rate": 2}),
        (FundApplicationForm, lambda d: FundApplicationForm(d, fund=_fund()), {"eligible_cost": 2, "facade_m2": 2}),
        (FundForm, lambda d: FundForm(d, concept=_concept()), {"budget": 2, "grant_rate": 2, "max_per_m2": 2}),
        (MeasureForm, lambda d: MeasureForm(d, concept=_concept()), {"estimated_cost": 2, "progress_weight": 2}),
        (IndicatorForm, lambda d: IndicatorForm(d, concept=_concept()), {"baseline_value": None, "target_value": None}),
        (ValueForm, lambda d: ValueForm(d, concept=_concept()), {"value": None}),
        (PaymentForm, lambda d: PaymentForm(d, concept=_concept()), {"amount": 2}),
    ]


CASES = [(form, make, name, places) for form, make, fields in _forms() for name, places in fields.items()]
IDS = [f"{form.__name__}.{name}" for form, _m, name, _p in CASES]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_with_a_number_field_is_tested_here():
    import importlib
    import pkgutil

    import isek

    for module in pkgutil.walk_packages(isek.__path__, "isek."):
        if module.name.endswith((".forms", ".views")) and ".demo" not in module.name:
            importlib.import_module(module.name)

    # isek's own forms; the classes Django's formset factories derive from them at request time
    # (module django.forms.models) live on only until they are collected
    with_numbers = {(f.__name__, name) for f in _subclasses(KernFormMixin)
                    if issubclass(f, forms.BaseForm) and f.__module__.startswith("isek.")
                    for name, field in f.base_fields.items() if isinstance(field, (forms.DecimalField, forms.FloatField))}
    assert with_numbers == {(form.__name__, name) for form, _m, name, _p in CASES}


def _clean(make, name, text, language):
    with translation.override(language):
        form = make({name: text})
        form.is_valid()
        return form.cleaned_data.get(name), [str(e) for e in form.errors.get(name, [])], form


@pytest.mark.django_db
@pytest.mark.parametrize("form, make, name, places", CASES, ids=IDS)
@pytest.mark.parametrize("language, text", [("de", "1.250.000,50"), ("en", "1,250,000.50")])
def test_german_and_english_input(form, make, name, places, language, text):
    if name in ("rate", "grant_rate", "progress_weight", "facade_m2", "max_per_m2"):  # a percentage, a weight, per m²: small
        text, want = {"de": "12,5", "en": "12.5"}[language], D("12.5")
    else:
        want = D("1250000.50")
    value, errors, f = _clean(make, name, text, language)
    assert errors == [] and value == (float(want) if places is None else want)
    field = f[name]
    assert isinstance(field.field, NumberField)
    html = str(field)
    assert 'type="text"' in html and 'inputmode="decimal"' in html and "step=" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("form, make, name, places", CASES, ids=IDS)
@pytest.mark.parametrize("language, text, says", [
    ("de", "1,250,000.50", "ist im englischen Zahlenformat geschrieben. Bitte so schreiben: 1.250.000,50"),
    ("en", "1.250.000", "is written in German notation. Please write it like this: 1,250,000.50"),
    ("de", "1.250,000", "ist nicht eindeutig"),
    ("en", "1,250.000", "is ambiguous"),
    ("de", "viel", "„viel“ ist keine Zahl. Beispiel: 1.250.000,50"),
    ("en", "lots", "“lots” is not a number. Example: 1,250,000.50"),
])
def test_other_notation_ambiguous_and_invalid_input(form, make, name, places, language, text, says):
    if name in ("rate", "grant_rate", "baseline_value", "target_value", "value"):  # a percentage (or an indicator value, often one)
        says = says.replace("1.250.000,50", "60 oder 60,5").replace("1,250,000.50", "60 or 60.5")
    if name == "rate" and text in ("viel", "lots"):  # a funding rate: what isek reads, fractions too (walk 10)
        says = {"viel": "„viel“ ist kein Fördersatz, den isek lesen kann. Möglich sind Prozent mit höchstens 10 "
                        "Nachkommastellen (60 oder 66,6667), Prozent mit Bruch (66 2/3 oder 66 ⅔)",
                "lots": "“lots” is not a funding rate isek can read. Possible are percentages with at most 10 decimals "
                        "(60 or 66.6667), percentages with a fraction (66 2/3 or 66 ⅔)"}[text]
    value, errors, _f = _clean(make, name, text, language)
    assert value is None and len(errors) == 1 and says in errors[0], errors


PERCENT_CASES = [c for c, i in zip(CASES, IDS, strict=True) if c[2] == "rate"]


@pytest.mark.django_db
@pytest.mark.parametrize("form, make, name, places", PERCENT_CASES)
@pytest.mark.parametrize("language, text, want", [("de", "60 %", D("60")), ("de", "60,5%", D("60.5")),
                                                  ("en", "60.5 %", D("60.5"))])
def test_a_percentage_may_end_in_a_percent_sign(form, make, name, places, language, text, want):
    """A new user typed "60 %" as a rate and was refused with a euro example."""
    value, errors, _f = _clean(make, name, text, language)
    assert errors == [] and value == want


@pytest.mark.django_db
def test_an_amount_takes_no_percent_sign():
    from isek.finance.forms import CapForm

    value, errors, _f = _clean(lambda d: CapForm(d), "amount", "60 %", "de")
    assert value is None and errors == ["„60 %“ ist keine Zahl. Beispiel: 1.250.000,50"]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["2.400.000,- €", "2.400.000,–"])
def test_an_amount_may_end_in_a_dash_for_no_cents(text):
    """Usability test (Köln): "2.400.000,- €" was refused with "ist keine Zahl"."""
    from isek.finance.forms import CapForm

    value, errors, _f = _clean(lambda d: CapForm(d), "amount", text, "de")
    assert errors == [] and value == D("2400000")


@pytest.mark.django_db
def test_too_many_decimals_still_name_the_limit():
    from isek.finance.forms import CapForm

    _value, errors, _f = _clean(lambda d: CapForm(d), "amount", "1250,555", "de")
    assert errors == ["Zu viele Stellen: möglich sind höchstens 12 Stellen vor und 2 nach dem Komma."]
    _value, errors, _f = _clean(lambda d: CapForm(d), "amount", "1250.555", "en")
    assert errors == ["Too many digits: at most 12 digits before and 2 after the decimal point are possible."]


@pytest.mark.django_db
def test_a_stored_amount_is_shown_in_the_notation_of_the_language():
    from isek.finance.forms import CapForm
    from isek.finance.models import FundingCap

    cap = FundingCap(amount=D("82000000.50"))
    for language, shown in (("de", "82.000.000,50"), ("en", "82,000,000.50")):
        with translation.override(language):
            assert f'value="{shown}"' in str(CapForm(instance=cap)["amount"])
            assert CapForm({"amount": shown, "basis": "x"}).is_valid()


# --- the pages: what the planner sends, what is saved, what the browser is told -------------------


def _only_whole_numbers_are_number_inputs(page: str) -> bool:
    """Years and counts may stay number inputs (in forms with novalidate); money never."""
    names = re.findall(r'<input type="number" name="([^"]+)"', page)
    return all(n.endswith(("year", "years")) for n in names)


SLUG = "bochum-innenstadt"


def test_german_amounts_are_saved_on_the_measure_finance_page(planner_client, bochum):
    from isek.concepts.models import Measure
    from isek.finance.models import CostGroup, CostItem
    from tests.finance.test_kuf_pages import _measure_post

    m = Measure.objects.get(concept=bochum, number="1.1")
    g = CostGroup.objects.get(number="9.1")
    page = planner_client.get(f"/concepts/{SLUG}/kuf/measures/{m.pk}/").content.decode()
    assert re.search(r'<form method="post" class="isek-form" novalidate autocomplete="off">', page)
    assert _only_whole_numbers_are_number_inputs(page)
    data = _measure_post(m, [{"year": 2026, "cost_group": g.pk, "amount": "1.250.000,50", "eligible": "1.000.000",
                              "basis": "tender"}], [])
    r = planner_client.post(f"/concepts/{SLUG}/kuf/measures/{m.pk}/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    item = CostItem.objects.get(measure=m, year=2026, cost_group=g)
    assert item.amount == D("1250000.50") and item.eligible == D("1000000.00")


def test_english_amounts_on_the_fund_page_and_a_clear_message_for_german_ones(planner_client, bochum):
    from isek.finance.models import Fund

    fund = Fund.objects.get(concept=bochum, kind="facade")
    url = f"/concepts/{SLUG}/funds/{fund.pk}/applications/new/"
    planner_client.get("/language/en/")
    data = {"applicant": "Y", "project": "Hof", "eligible_cost": "1.250.000", "facade_m2": "100", "decision": "pending"}
    bad = planner_client.post(url, data)
    assert bad.status_code == 400 and "is written in German notation" in bad.content.decode()
    assert not fund.applications.filter(applicant="Y").exists()
    ok = planner_client.post(url, {**data, "eligible_cost": "1,250,000.50", "facade_m2": "1,200.5"})
    assert ok.status_code == 302
    a = fund.applications.get(applicant="Y")
    assert a.eligible_cost == D("1250000.50") and a.facade_m2 == D("1200.50")


@pytest.mark.parametrize("url", ["kuf/", "indicators/new/", "payments/", "kuf/rates/"])
def test_forms_with_number_inputs_leave_validation_to_isek(planner_client, bochum, url):
    page = planner_client.get(f"/concepts/{SLUG}/{url}").content.decode()
    number_inputs = re.findall(r'<input[^>]*inputmode="decimal"[^>]*>', page)
    assert number_inputs and _only_whole_numbers_are_number_inputs(page)
    for form in re.findall(r"<form[^>]*>(?:(?!</form>).)*inputmode=\"decimal\"", page, re.S):
        assert "novalidate" in form.split(">", 1)[0], form[:200]


MONEY = {("CostItemForm", "amount"), ("CostItemForm", "eligible"), ("FinancingForm", "amount"), ("CapForm", "amount"),
         ("FundApplicationForm", "eligible_cost"), ("MeasureForm", "estimated_cost"), ("PaymentForm", "amount")}
MONEY_CASES = [c for c in CASES if (c[0].__name__, c[2]) in MONEY]
MONEY_IDS = [f"{c[0].__name__}.{c[2]}" for c in MONEY_CASES]


@pytest.mark.django_db
@pytest.mark.parametrize("form, make, name, places", MONEY_CASES, ids=MONEY_IDS)
@pytest.mark.parametrize("language, text, want", [
    ("de", "2.000.000 €", D("2000000")), ("de", "750 000 €", D("750000")), ("de", "750\u00a0000\u00a0€", D("750000")),
    ("de", "750\u202f000 €", D("750000")), ("de", "€ 2.000.000,50", D("2000000.50")), ("de", "2.000.000 EUR", D("2000000")),
    ("de", "2.000.000€", D("2000000")), ("en", "€2,000,000.50", D("2000000.50")), ("en", "750 000 EUR", D("750000")),
])
def test_an_amount_may_carry_its_currency(form, make, name, places, language, text, want):
    """A usability tester (Bautzen) typed "2.000.000 €" and "750 000 €" into money fields and was refused."""
    value, errors, _f = _clean(make, name, text, language)
    assert errors == [] and value == want


@pytest.mark.django_db
@pytest.mark.parametrize("language, text, says", [
    ("de", "viel €", "„viel €“ ist keine Zahl. Beispiel: 1.250.000,50"),
    ("de", "ca. 300 T€", "„ca. 300 T€“ ist keine Zahl. Beispiel: 1.250.000,50"),  # quoted as typed (Krautsand walk)
    ("de", "€ 2,000,000.50", "„€ 2,000,000.50“ ist im englischen Zahlenformat geschrieben"),
    ("de", "2.000.000 $", "„2.000.000 $“ ist keine Zahl. Beispiel: 1.250.000,50"),
    ("de", "€ 2,000,000.50", "ist im englischen Zahlenformat geschrieben"),
    ("en", "2.000.000 €", "is written in German notation"),
])
def test_an_amount_with_currency_keeps_the_rules_of_the_language(language, text, says):
    from isek.finance.forms import CapForm

    value, errors, _f = _clean(lambda d: CapForm(d), "amount", text, language)
    assert value is None and len(errors) == 1 and says in errors[0], errors


@pytest.mark.django_db
def test_only_amounts_take_a_currency():
    from isek.finance.forms import RateForm

    value, errors, _f = _clean(lambda d: RateForm(d), "rate", "60 €", "de")
    assert value is None and len(errors) == 1 and errors[0].startswith("„60 €“ ist kein Fördersatz, den isek lesen kann.")
