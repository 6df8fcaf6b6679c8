"""Signing in with a password: the user name in any case, or the e-mail address (decision 0086)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .services import account_named


class NameOrEmailBackend(ModelBackend):
    """Django's ModelBackend, but the account is found by ``accounts.services.account_named``:
    "Planerin" signs in "planerin", and so does "planerin@stadt.example" where exactly one active
    account has that address. Django's permissions are the ModelBackend's."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = account_named(username)
        if user is None:
            get_user_model()().set_password(password)  # as long as for an account (ModelBackend does the same)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
