"""Numbers as people type them, in the notation of the UI's language. No Django.

German: a point between thousands, a comma before the decimals (1.250.000,50); English the other
way round (1,250,000.50). Spaces between thousands (1 250 000) are read in both. A number written
in the other language's notation is refused with a message saying so, never silently misread
("1.250.000" in the English UI is not 1.25); one whose three digits after the decimal separator
look like thousands ("1.250,000") is refused as ambiguous. ``parse`` raises InputError with one
Problem (German message id, translated where it is shown); ``format`` writes a number back in
the same notation, so what a form shows can be sent again unchanged. A percentage may end in
"%" ("60 %"); its messages give a percent example ("60 oder 60,5"), not an amount. An amount of
money may carry its currency before or after it ("2.000.000 €", "€ 750 000", "750.000 EUR"), and in
German end in ",-" or ",–" for no cents ("2.400.000,- €" is 2.400.000,00).
"""

from __future__ import annotations

import contextvars
import re
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .problems import InputError, Problem, gettext_noop

SPACES = (" ", "\u00a0", "\u202f", "\u2009")  # space, no-break space, narrow no-break space, thin space
MAX_LENGTH = 40
CURRENCY = re.compile(r"^(?:€|EUR)\s*|\s*(?:€|EUR)$", re.IGNORECASE)
NO_NUMBER = gettext_noop("„%(value)s“ ist keine Zahl. Beispiel: %(example)s")
NO_CENTS = (",-", ",\u2013")  # German whole euros: "2.400.000,-" (hyphen) or "2.400.000,–" (en dash)


@dataclass(frozen=True)
class Notation:
    decimal: str
    group: str
    example: str
    percent_example: str

    @property
    def pattern(self) -> re.Pattern:
        d, g = re.escape(self.decimal), re.escape(self.group)
        return re.compile(rf"^([0-9]{{1,3}}(?:{g}[0-9]{{3}})+|[0-9]+)(?:{d}([0-9]+))?$")


GERMAN = Notation(",", ".", "1.250.000,50", "60 oder 60,5")
ENGLISH = Notation(".", ",", "1,250,000.50", "60 or 60.5")


# Decimal places of an indicator's values by its unit (2 for any other): counts are whole, the
# Shannon index has 3. The one precision values are stored, shown and written with (docs/indicators.md).
UNIT_DIGITS = {"count": 0, "index": 3, "m²/resident": 1}
# A count as planners type its unit: whole like the code "count".
COUNT_WORDS = {"anzahl", "stück", "stk", "stk.", "zahl", "number", "pieces", "pcs"}


def digits(unit: str) -> int:
    """The decimal places of values in ``unit`` (a count typed as "Anzahl" or "Stück" is whole)."""
    if unit.strip().lower() in COUNT_WORDS:
        return 0
    return UNIT_DIGITS.get(unit, 2)


def notation(language: str | None) -> Notation:
    return ENGLISH if (language or "de").lower().startswith("en") else GERMAN


def _read(text: str, n: Notation) -> tuple[str, str] | None:
    """(whole digits, decimal digits) if ``text`` (unsigned, spaces as group separators) is written
    in notation ``n``."""
    m = n.pattern.match(text)
    if not m:
        return None
    return m.group(1).replace(n.group, ""), m.group(2) or ""


def _spaced(text: str, n: Notation) -> str:
    """Spaces between thousands read as the notation's group separator."""
    for space in SPACES:
        text = text.replace(space, n.group)
    return text


def _sign(text: str) -> tuple[str, str]:
    if text[:1] in ("-", "+", "\u2212"):
        return ("" if text[0] == "+" else "-"), text[1:].lstrip()
    return "", text


def guess(text: str) -> Decimal | None:
    """A number of unknown notation (a cell of a file): German if it reads as German, else
    English; None if neither."""
    sign, body = _sign(text.strip())
    for n in (GERMAN, ENGLISH):
        read = _read(_spaced(body, n), n)
        if read is not None:
            return Decimal(f"{sign}{read[0]}.{read[1]}" if read[1] else sign + read[0])
    return None


def parse(text: str, language: str | None, percent: bool = False, money: bool = False) -> Decimal:
    """The number ``text`` means in the notation of ``language``; InputError if it is no number,
    is written in the other notation, or is ambiguous. A ``percent`` may end in "%", an amount of
    ``money`` carry "€" or "EUR" before or after it."""
    value = typed = text.strip()  # messages quote the input as typed, with its unit
    own = notation(language)
    example = own.percent_example if percent else own.example
    if percent and value.endswith("%"):
        value = value[:-1].rstrip()
    if money:
        value = CURRENCY.sub("", value, count=1).strip()
    if money and own is GERMAN and value.endswith(NO_CENTS):
        value = value[:-1] + "00"
    other = GERMAN if own is ENGLISH else ENGLISH
    sign, body = _sign(value)
    read = _read(_spaced(body, own), own) if len(value) <= MAX_LENGTH else None
    if read is not None:
        whole, decimals = read
        if len(decimals) == 3 and whole != _spaced(body, own).split(own.decimal)[0] and money:
            # an amount in euros has cents: "5.000,005" is no amount of 5.000,005 € to suggest back
            raise InputError([Problem(gettext_noop(
                "„%(value)s“ ist nicht eindeutig: ein Betrag in Euro hat höchstens zwei Nachkommastellen. Bitte "
                "%(thousands)s schreiben oder auf den Cent genau, z. B. %(cents)s."), {
                "value": typed, "thousands": format(Decimal(sign + whole + decimals), language),
                "cents": format(Decimal(f"{sign}{whole}.{decimals}").quantize(Decimal("0.01"), ROUND_HALF_UP),
                                language, 2)})])
        if len(decimals) == 3 and whole != _spaced(body, own).split(own.decimal)[0]:
            raise InputError([Problem(gettext_noop(
                "„%(value)s“ ist nicht eindeutig: die drei Ziffern nach dem Dezimaltrennzeichen sehen wie "
                "Tausender aus. Bitte %(thousands)s oder %(decimal)s schreiben."), {
                "value": typed, "thousands": format(Decimal(sign + whole + decimals), language),
                "decimal": format(Decimal(f"{sign}{whole}.{decimals}").normalize(), language)})])
        return Decimal(f"{sign}{whole}.{decimals}" if decimals else sign + whole)
    if len(value) <= MAX_LENGTH and _read(_spaced(body, other), other) is not None:
        msgid = (gettext_noop("„%(value)s“ ist im englischen Zahlenformat geschrieben. Bitte so schreiben: "
                              "%(example)s (Punkt zwischen den Tausendern, Komma vor den Dezimalstellen).")
                 if own is GERMAN else
                 gettext_noop("„%(value)s“ ist im deutschen Zahlenformat geschrieben. Bitte so schreiben: "
                              "%(example)s (Komma zwischen den Tausendern, Punkt vor den Dezimalstellen)."))
        raise InputError([Problem(msgid, {"value": typed, "example": example})])
    raise InputError([Problem(NO_NUMBER, {"value": typed[:MAX_LENGTH], "example": example})])


def format(value, language: str | None, places: int | None = None) -> str:  # noqa: A001 - the module's verb
    """``value`` (Decimal, int or float) in the notation of ``language``, with thousands
    separated; ``places`` decimal places, or as many as the value has."""
    d = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places))
    if d == d.to_integral_value() and d.as_tuple().exponent > 0:
        d = d.quantize(Decimal(1))
    text = f"{d:,f}"
    n = notation(language)
    return text.translate(str.maketrans({",": n.group, ".": n.decimal}))


MINUS = "\u2212"  # the typographic minus of every amount shown (decision 0087): "−1.000,00", not "-1.000,00"


def signed(text: str) -> str:
    """A formatted number with the typographic minus in place of a leading hyphen-minus."""
    return MINUS + text[1:] if text.startswith("-") else text


def money(value, language: str | None) -> str:
    """An amount in euros as messages and mails write it: to the cent, thousands separated, a
    negative one with the typographic minus (as the pages' ``money`` filter)."""
    return signed(format(value, language, places=2))


# An amount inside an object's name (its ``str``) while the change history records the name: kept as
# a neutral mark, formatted when the history is read, in the reader's language (decision 0104).
_neutral_names: contextvars.ContextVar = contextvars.ContextVar("isek_neutral_names", default=False)
_MARKED = re.compile("\x02(-?[0-9]+(?:[.][0-9]+)?)\x03")


@contextmanager
def neutral_names():
    """Inside the block ``money_in_name`` marks amounts instead of formatting them."""
    token = _neutral_names.set(True)
    try:
        yield
    finally:
        _neutral_names.reset(token)


def money_in_name(value, language: str | None) -> str:
    """An amount as an object's name writes it: ``money`` in ``language`` – or, inside
    ``neutral_names`` (the change history recording the name), a neutral mark that ``named`` formats."""
    if _neutral_names.get():
        return f"\x02{Decimal(str(value)):f}\x03"
    return money(value, language)


def named(text: str, language: str | None) -> str:
    """A name recorded with ``neutral_names`` as people read it in ``language``: each marked amount
    written as ``money`` does ("20000.00" → "20.000,00" / "20,000.00"); a mark cut off by the name's
    length limit is dropped."""
    shown = _MARKED.sub(lambda m: money(Decimal(m.group(1)), language), text)
    return shown.replace("\x02", "").replace("\x03", "")


def figure(value, language: str | None, places: int, fixed: bool = False) -> str:
    """A figure shown to users (a length, an area): rounded to ``places`` decimals, written with
    that many or, for a whole number, none; thousands separated. ``fixed`` always writes ``places``
    decimals: an indicator's baseline, target and values side by side ("24,00 %", "18,50 %")."""
    d = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)
    d = d.quantize(Decimal(1).scaleb(-places))
    d = abs(d) if d == 0 else d  # no "-0"
    return format(d, language, places if fixed or d != d.to_integral_value() else 0)


@dataclass(frozen=True)
class Figure:
    """A number in a message ("3,0 MB" in German, "3.0 MB" in English), written in the notation of
    the language the message is shown in, with ``places`` decimals. A ``Problem`` parameter."""

    value: float
    places: int

    def in_language(self, language: str | None) -> str:
        return format(round(self.value, self.places), language, self.places)

    def __str__(self) -> str:
        return self.in_language("de")


@dataclass(frozen=True)
class Coordinates:
    """Coordinate pairs in a message ("14.236, 51.408 – 14.257, 51.462" in English), written in
    the notation of the language the message is shown in: German "14,236 / 51,408 – 14,257 /
    51,462" (a decimal comma, so the pair is parted by a slash). A ``Problem`` parameter."""

    pairs: tuple[tuple[float, float], ...]
    places: int = 3

    def in_language(self, language: str | None) -> str:
        part = " / " if notation(language) is GERMAN else ", "
        return " – ".join(part.join(format(round(v, self.places), language, self.places) for v in pair)
                          for pair in self.pairs)

    def __str__(self) -> str:
        return self.in_language("de")


# --- rates: a percentage with a fraction ------------------------------------------------------

RATE_PLACES = 10  # decimals of a stored rate in percent: two thirds of 10^9 € still come out to the exact cent
VULGAR = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4)}
# at most 3 digits before a fraction and 6 in it: a rate is 0–100 %, and Decimal stays exact
FRACTION = re.compile(r"^(?:([0-9]{1,3})\s*)?(?:([0-9]{1,6})\s*/\s*([0-9]{1,6})|([½⅓⅔¼¾]))$")
THIRDS = {1: "⅓", 2: "⅔"}
RATE_ALLOWED = gettext_noop(
    "„%(value)s“ ist kein Fördersatz, den isek lesen kann. Möglich sind Prozent mit höchstens 10 "
    "Nachkommastellen (60 oder 66,6667), Prozent mit Bruch (66 2/3 oder 66 ⅔) oder ein Bruch allein als "
    "Anteil am Ganzen (2/3 = 66 ⅔ %%).")


def parse_rate(text: str, language: str | None) -> Decimal:
    """A funding rate in percent as planners write it: a number ("60", "66,6667", "60 %"), a whole
    percentage with a fraction ("66 2/3", "66⅔", "66 ⅔ %"), or a fraction alone ("2/3"), which is
    that share of the whole (66 ⅔ %; "2/3 %" is refused as ambiguous). A fraction is taken to
    ``RATE_PLACES`` decimals (half up); a number keeps the decimals it has (the form limits them)."""
    typed = text.strip()
    value = typed
    for space in SPACES:
        value = value.replace(space, " ")
    percent = value.endswith("%")
    if percent:
        value = value[:-1].rstrip()
    m = FRACTION.match(value) if len(value) <= MAX_LENGTH else None
    if m is None:
        try:
            number = parse(typed, language, percent=True)
        except InputError as exc:
            if exc.problems[0].msgid == NO_NUMBER:
                raise InputError([Problem(RATE_ALLOWED, {"value": typed[:MAX_LENGTH]})]) from None
            raise
        if number.as_tuple().exponent < -RATE_PLACES:
            raise InputError([Problem(RATE_ALLOWED, {"value": typed[:MAX_LENGTH]})])
        return number
    whole, num, den, glyph = m.groups()
    num, den = VULGAR[glyph] if glyph else (int(num), int(den))
    if den == 0:
        raise InputError([Problem(gettext_noop("„%(value)s“: ein Bruch durch 0 ist keine Zahl."), {"value": typed})])
    if whole is None and glyph is None:  # "2/3": a share of the whole
        if percent:
            raise InputError([Problem(gettext_noop(
                "„%(value)s“ ist nicht eindeutig: ein Bruch allein ist ein Anteil am Ganzen und steht ohne „%%“ "
                "(zwei Drittel: „2/3“ oder „66 2/3“); einen Bruchteil eines Prozents bitte als Dezimalzahl schreiben "
                "(0,5)."), {"value": typed})])
        fraction = Decimal(100) * num / den
    else:
        fraction = Decimal(int(whole or 0)) + Decimal(num) / den
    return fraction.quantize(Decimal(1).scaleb(-RATE_PLACES), rounding=ROUND_HALF_UP)


def thirds(value) -> tuple[int, int] | None:
    """(whole, thirds) if the percentage ``value`` is a whole number and one or two thirds (66 ⅔ is
    (66, 2)), as stored to ``RATE_PLACES`` decimals; None otherwise."""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    n = (d * 3).to_integral_value(rounding=ROUND_HALF_UP)
    if n % 3 == 0 or abs(d * 3 - n) > Decimal(1).scaleb(-RATE_PLACES + 1):
        return None
    return int(n) // 3, int(n) % 3


def rate(value, language: str | None, typed: bool = False) -> str:
    """A rate in percent without its unit: "66 ⅔" (``typed``: "66 2/3", as a form shows it to be sent
    again), otherwise as few decimals as it has ("60", "62,5", "66,6667")."""
    t = thirds(value)
    if t is not None:
        whole, k = t
        part = f"{k}/3" if typed else THIRDS[k]
        return f"{whole} {part}" if whole else part
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return format(d.normalize(), language)
