"""The legal pages (namespace "legal"): the installation's below /about/, a city's below
/cities/<ags>/about/ (the same views)."""

from django.urls import path

from . import views

app_name = "legal"

PAGES = [
    ("accessibility/", views.accessibility, "accessibility"),
    ("leichte-sprache/", views.easy_language, "leichte-sprache"),
    ("sign-language/", views.sign_language, "sign-language"),
    ("imprint/", views.imprint, "imprint"),
    ("legal-texts/", views.edit, "edit"),
]

urlpatterns = [
    *(path(f"about/{route}", view, name=name) for route, view, name in PAGES),
    *(path(f"cities/<str:ags>/about/{route}", view, name=f"city-{name}") for route, view, name in PAGES),
    path("about/accessibility/challenge/", views.challenge, name="challenge"),
    path("about/accessibility/feedback/", views.feedback, name="feedback"),
]
