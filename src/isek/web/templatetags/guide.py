"""``{% guide_url "kuf" %}``: the address of a section of the user guide (isek.web.guide.SECTIONS)
in the UI's language."""

from django import template
from django.urls import reverse
from django.utils.translation import get_language

from isek.web import guide

register = template.Library()


@register.simple_tag
def guide_url(section: str = "") -> str:
    url = reverse("web:guide")
    return f"{url}#{guide.anchor(section, guide.language_of(get_language()))}" if section else url
