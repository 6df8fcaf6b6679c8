"""The one format of euro amounts on pages: German grouping, cents where there are any
(1.250.000,50 – 1.250.000), never rounded to whole euros."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def money(value):
    """An amount without its unit: ``{{ amount|money }} €``; empty for None."""
    return "" if value is None or value == "" else floatformat(value, "-2g")
