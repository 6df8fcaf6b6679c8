"""Numbers in the notation of the UI's language (isek.core.numbers, no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isek.core import numbers
from isek.core.problems import InputError


@pytest.mark.parametrize("language, text, value", [
    ("de", "1.250.000", D("1250000")),
    ("de", "1.250.000,50", D("1250000.50")),
    ("de", "1250000,5", D("1250000.5")),
    ("de", "1.250", D("1250")),
    ("de", " 1 250 000,50 ", D("1250000.50")),
    ("de", "1\u202f250,5", D("1250.5")),
    ("de", "-3,5", D("-3.5")),
    ("de", "0,07", D("0.07")),
    ("en", "1,250,000.50", D("1250000.50")),
    ("en", "1,250,000", D("1250000")),
    ("en", "1250000.5", D("1250000.5")),
    ("en", "1,250", D("1250")),
    ("en", "1 250 000.50", D("1250000.50")),
    ("en", "−3.5", D("-3.5")),
])
def test_numbers_in_the_notation_of_the_language(language, text, value):
    assert numbers.parse(text, language) == value


@pytest.mark.parametrize("language, text, says", [
    ("de", "1,250,000.50", "im englischen Zahlenformat"),
    ("de", "1,250,000", "im englischen Zahlenformat"),
    ("de", "1.5", "im englischen Zahlenformat"),
    ("de", "250000.50", "im englischen Zahlenformat"),
    ("en", "1.250.000", "im deutschen Zahlenformat"),
    ("en", "1.250.000,50", "im deutschen Zahlenformat"),
    ("en", "1,5", "im deutschen Zahlenformat"),
    ("de", "1.250,000", "nicht eindeutig"),
    ("en", "1,250.000", "nicht eindeutig"),
    ("de", "viel", "keine Zahl"),
    ("de", "1.2.3", "keine Zahl"),
    ("de", "1e400", "keine Zahl"),
    ("de", "NaN", "keine Zahl"),
    ("de", "٣", "keine Zahl"),  # an Arabic-Indic digit: \d would take it
    ("en", "12.34.56", "keine Zahl"),
    ("de", "9" * 41, "keine Zahl"),
])
def test_other_notation_ambiguity_and_no_number_are_refused_with_a_reason(language, text, says):
    with pytest.raises(InputError) as exc:
        numbers.parse(text, language)
    assert says in exc.value.errors[0] and f"„{text[:40]}“" in exc.value.errors[0]


def test_the_ambiguous_message_offers_both_readings():
    with pytest.raises(InputError) as exc:
        numbers.parse("1.250,000", "de")
    assert "1.250.000 oder 1.250 schreiben" in exc.value.errors[0]


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2), st.sampled_from(["de", "en"]))
def test_what_format_writes_parse_reads_back(value, language):
    assert numbers.parse(numbers.format(value, language), language) == value


def test_format_groups_thousands():
    assert numbers.format(D("1250000.50"), "de") == "1.250.000,50"
    assert numbers.format(D("1250000.50"), "en") == "1,250,000.50"
    assert numbers.format(12.5, "de") == "12,5"
    assert numbers.format(D("3"), "de", 2) == "3,00"


def test_spreadsheet_cells_keep_guessing_the_notation():
    assert numbers.guess("1.234,56") == D("1234.56") and numbers.guess("1,234.56") == D("1234.56")
    assert numbers.guess("abc") is None


@pytest.mark.parametrize("text, value", [
    ("2.400.000,- €", D("2400000")), ("2.400.000,–", D("2400000")), ("€ 750,-", D("750")), ("-5,-", D("-5")),
])
def test_an_amount_of_money_may_end_in_a_dash_for_no_cents(text, value):
    """A Köln planner typed "2.400.000,- €" (the usual German way of writing whole euros) and was
    told it is no number."""
    assert numbers.parse(text, "de", money=True) == value


@pytest.mark.parametrize("text, language, money", [("2.400.000,-", "de", False), ("60,-", "de", False),
                                                   ("2,400,000.-", "en", True), ("2.400.000,-,-", "de", True)])
def test_the_dash_for_no_cents_is_only_for_german_money(text, language, money):
    with pytest.raises(InputError):
        numbers.parse(text, language, money=money)


@pytest.mark.parametrize("language, text, says", [
    ("de", "5.000,005", "„5.000,005“ ist nicht eindeutig: ein Betrag in Euro hat höchstens zwei Nachkommastellen. "
                        "Bitte 5.000.005 schreiben oder auf den Cent genau, z. B. 5.000,01."),
    ("en", "5,000.005 €", "„5,000.005 €“ ist nicht eindeutig: ein Betrag in Euro hat höchstens zwei Nachkommastellen. "
                          "Bitte 5,000,005 schreiben oder auf den Cent genau, z. B. 5,000.01."),
])
def test_an_ambiguous_amount_of_money_is_never_suggested_back_with_three_decimals(language, text, says):
    """Walk (Speyer): "5.000,005" was refused with the advice "Bitte 5.000.005 oder 5.000,005 schreiben"."""
    with pytest.raises(InputError) as exc:
        numbers.parse(text, language, money=True)
    assert exc.value.errors == [says]
