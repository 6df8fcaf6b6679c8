"""Invitations and accepting them, signing in through an identity provider, below /accounts/ (namespace "accounts")."""

from django.urls import path

from . import oidc, second_factor, views

app_name = "accounts"

urlpatterns = [
    path("invite/", views.invite_page, name="invite"),
    path("invitation/<str:token>/", views.accept_page, name="accept"),
    path("second-factor/", second_factor.second_factor, name="second-factor"),
    path("oidc/<int:provider>/", oidc.start, name="oidc-start"),
    path("oidc/callback/", oidc.callback, name="oidc-callback"),
]
