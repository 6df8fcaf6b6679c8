"""The Django admin in German names the third-party apps and models it lists in German: django-otp's
devices of the second factor and django-tasks' results, and isek's own core app (decision 0097)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

# what the packages call them (app label title-cased where they give no name, model verbose names)
ENGLISH = ("Otp_Totp", "Otp_Static", "Tasks Database Backend", "TOTP device", "Static device", "Static token",
           "Task Result", "Task result", "Core")


def _index(language: str) -> str:
    admin = get_user_model().objects.create_superuser(f"chef-{language}", password="pw-test-123")
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(admin)
    c.cookies["django_language"] = language
    r = c.get("/admin/")
    assert r.status_code == 200
    return r.content.decode()


def _labels(page: str) -> str:
    """The app captions and model links of the admin index, as text."""
    return " | ".join(re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r"<caption>(.*?)</caption>|<th scope=\"row\"[^>]*>(.*?)</th>", page, re.S) for m in m if m)


def test_the_german_admin_index_names_the_second_factor_and_the_background_tasks_in_german():
    labels = _labels(_index("de"))
    for english in ENGLISH:  # a label that is or begins with the English name ("TOTP devices")
        assert not any(label.lower().startswith(english.lower()) for label in labels.split(" | ")), (english, labels)
    for german in ("Zweiter Faktor: Authenticator-Apps", "Authenticator-Apps (TOTP)", "Zweiter Faktor: Ersatzcodes",
                   "Sätze Ersatzcodes", "Hintergrundaufgaben", "Hintergrundaufgaben (Ergebnisse)", "Allgemeines"):
        assert german in labels, (german, labels)


def test_the_english_admin_names_them_in_english():
    labels = _labels(_index("en"))
    for english in ("Second factor: authenticator apps", "Authenticator apps (TOTP)", "Second factor: backup codes",
                    "Sets of backup codes", "Background tasks", "Background tasks (results)", "General"):
        assert english in labels, (english, labels)
