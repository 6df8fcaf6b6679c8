"""Invitations and accepting them, below /accounts/ (namespace "accounts")."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("invite/", views.invite_page, name="invite"),
    path("invitation/<str:token>/", views.accept_page, name="accept"),
]
