"""isek addresses people as "Sie" (sup22, point 6): the German messages of the form fields isek
uses are formal. Django REST framework's German catalogue, installed with the API, translates
Django's "Enter a valid URL." and "Enter a valid email address." as "Gib … ein"; KernFormMixin
gives every such field isek's own message."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils import translation

from isek.web.forms import KernFormMixin

INFORMAL = re.compile(r"\b(gib|du|dein\w*|wähle|lade)\b", re.IGNORECASE)

FIELDS = {"url": forms.URLField(assume_scheme="https"), "email": forms.EmailField(), "text": forms.CharField(max_length=5),
          "number": forms.IntegerField(), "date": forms.DateField(), "choice": forms.ChoiceField(choices=[("a", "A")]),
          "multi": forms.MultipleChoiceField(choices=[("a", "A")]), "time": forms.TimeField(),
          "datetime": forms.DateTimeField(), "uuid": forms.UUIDField(), "json": forms.JSONField(),
          "file": forms.FileField(), "slug": forms.SlugField(), "bool": forms.BooleanField()}


class _Everything(KernFormMixin, forms.Form):
    locals().update({name: field for name, field in FIELDS.items()})


def test_every_field_message_isek_shows_in_german_is_formal():
    with translation.override("de"):
        form = _Everything()
        informal = {f"{name}.{code}": str(message) for name, field in form.fields.items()
                    for code, message in field.error_messages.items() if INFORMAL.search(str(message))}
    assert informal == {}


@pytest.mark.parametrize("value", ["keine Adresse", "http://"])
def test_an_invalid_address_is_refused_with_isek_s_formal_message(value):
    with translation.override("de"):
        form = _Everything(data={"url": value})
        assert form.errors["url"] == ["Bitte eine gültige Adresse (URL) angeben."]
    with translation.override("en"):
        assert _Everything(data={"url": value}).errors["url"] == ["Please enter a valid address (URL)."]
