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
    path("signup/", views.signup_page, name="signup"),
    path("signup/challenge/", views.challenge, name="signup-challenge"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup-confirm"),
    path("account/", views.account_page, name="account"),
    path("password/reset/", views.password_reset, name="password-reset"),
    path("password/reset/<str:uidb64>/<str:token>/", views.password_reset_confirm, name="password-reset-confirm"),
]
