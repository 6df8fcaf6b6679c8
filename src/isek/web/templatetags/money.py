"""The one format of euro amounts on pages: German grouping, cents where there are any
(1.250.000,50 – 1.250.000), never rounded to whole euros, a negative one with the typographic
minus (−1.000,00, as the KuF's PDF; decision 0087); and of other figures at a given
precision (an indicator's values)."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import get_language

from isek.core import numbers

register = template.Library()


@register.filter
def money(value, places=None):
    """An amount without its unit: ``{{ amount|money }} €``; empty for None. ``{{ amount|money:2 }}``
    always shows the cents (840.000,00 beside 263.333,33 and 0,00): a table's money column uses it,
    as the KuF does, so the figures of one row read alike (issue #23)."""
    if value is None or value == "":
        return ""
    return numbers.signed(floatformat(value, "2g" if places is not None and int(places) == 2 else "-2g"))


@register.filter
def percent(value):
    """A rate without its unit, as few decimals as it has: ``{{ rate|percent }} %`` gives 60 % and
    60,5 % side by side (not 60 % and 60,50 %), a rate of two thirds as 66 ⅔ %; empty for None."""
    if value is None or value == "":
        return ""
    return numbers.rate(Decimal(str(value)), get_language())


@register.filter
def figure(value, places):
    """A figure with thousands grouped and ``places`` decimals, none for a whole number:
    empty for None."""
    return "" if value is None or value == "" else numbers.figure(value, get_language(), int(places))


@register.filter
def indicator_figure(value, places):
    """An indicator's value at its precision, always with ``places`` decimals, on every page
    (baseline, target and values alike): ``{{ value|indicator_figure:ind.digits }}``; empty for None."""
    return "" if value is None or value == "" else numbers.figure(value, get_language(), int(places), fixed=True)


@register.filter
def minus(value, other):
    """``{{ n|minus:confirmed }}``: a count less another (the supports not confirmed)."""
    return int(value or 0) - int(other or 0)
