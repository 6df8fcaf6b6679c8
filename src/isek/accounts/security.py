"""Signing in, guarded: failed attempts are counted per account and per client (a daily HMAC of
the address, core.clients; no address is kept), and past a limit the login form refuses for a
while without asking the password; every attempt, success or failure, goes into the login log
(accounts.LoginEvent) that administrators read and filter."""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.contrib.auth import signals
from django.contrib.auth.views import LoginView
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import ngettext

from isek.core import clients, throttle
from isek.core.rules import printable

from .models import LoginEvent
from .services import IDP_SESSION_KEY, account_named, login_choice

KEEP_DAYS = 180


def _limits() -> dict[str, tuple[int, int]]:
    return settings.ISEK_LOGIN_LIMITS  # {"user": (failures, seconds), "client": (failures, seconds)}


def _name(username: str) -> str:
    """The name as typed, without control characters."""
    return printable(username, 150)


def _keys(request, username: str) -> dict[str, str]:
    """The throttle's keys: the account's own name whichever form named it (any case, the e-mail
    address: decision 0086), else the name as typed; and the client."""
    account = account_named(_name(username))
    name = account.get_username() if account is not None else _name(username).strip()
    return {"user": f"login-user:{name.lower()}", "client": f"login-client:{clients.key(request, 'login')}"}


def blocked(request, username: str) -> bool:
    return bool(blocked_minutes(request, username))


def blocked_minutes(request, username: str) -> int:
    """For how many minutes at most the sign-in of ``username`` from this client waits (the
    longest window of a limit reached: the failures then age out of the sliding window), 0 where
    it does not. The message names this figure from the setting, as the user guide does (decision 0084)."""
    limits = _limits()
    reached = [limits[kind][1] for kind, k in _keys(request, username).items()
               if throttle.count(k, limits[kind][1]) >= limits[kind][0]]
    return -(-max(reached) // 60) if reached else 0


class ThrottledLoginView(LoginView):
    """Django's login view that refuses, with a message and status 429, once too many attempts
    failed for the account or from the client."""

    def get_context_data(self, **kwargs):
        r = self.request
        choice = login_choice(r.POST.get("next") or r.GET.get("next", ""), r.get_host(), r.GET.get("stadt", ""))
        return {**super().get_context_data(**kwargs), "identity_providers": choice.providers,
                "provider_city": choice.city, "provider_cities": choice.cities}

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        minutes = blocked_minutes(request, username)
        if minutes:  # the password is not even checked
            _log(request, username, None, False, blocked=True)
            refused = ngettext("Zu viele fehlgeschlagene Anmeldungen. Bitte in spätestens %(n)d Minute erneut versuchen.",
                               "Zu viele fehlgeschlagene Anmeldungen. Bitte in spätestens %(n)d Minuten erneut versuchen.",
                               minutes) % {"n": minutes}
            return self.render_to_response(self.get_context_data(refused=refused), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")
        limits = _limits()
        for kind, k in _keys(self.request, username).items():
            throttle.hit(k, limits[kind][1])
        return super().form_invalid(form)


def _log(request, username: str, user, success: bool, blocked: bool = False) -> None:
    LoginEvent.objects.create(username=_name(username), user=user, success=success, blocked=blocked,
                              client_key=clients.key(request, "login-log") if request is not None else "")
    if random.random() < 0.01:
        LoginEvent.objects.filter(timestamp__lt=timezone.now() - datetime.timedelta(days=KEEP_DAYS)).delete()


@receiver(signals.user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):  # whom a password signed in owes the second factor again
        request.session.pop(IDP_SESSION_KEY, None)
    _log(request, user.get_username(), user, True)


@receiver(signals.user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    _log(request, credentials.get("username", ""), None, False)
