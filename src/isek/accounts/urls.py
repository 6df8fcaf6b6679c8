"""Invitations and accepting them, below /accounts/ (namespace "accounts")."""

from django.urls import path

from . import second_factor, views

app_name = "accounts"

urlpatterns = [
    path("invite/", views.invite_page, name="invite"),
    path("invitation/<str:token>/", views.accept_page, name="accept"),
    path("second-factor/", second_factor.second_factor, name="second-factor"),
]
