"""A second factor for those who change plans, moderate or administer (access.needs_second_factor):
TOTP (an authenticator app) with ten one-time backup codes, through django-otp. Where the
installation requires it (ISEK_REQUIRE_SECOND_FACTOR, on in production), such a person signed in
with a password only is sent to /accounts/second-factor/ – to set it up the first time, to enter
a code after that – before any other page. Whom a city's identity provider signed in is not asked
(the provider's policy applies, decision 0042); a password sign-in in the same session is."""

from __future__ import annotations

import base64

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from isek import access

from .services import signed_in_by_provider

BACKUP_CODES = 10
OPEN_PATHS = ("/accounts/second-factor/", "/accounts/login/", "/accounts/logout/", "/accounts/oidc/", "/static/", "/jsi18n/",
              "/language/", "/api/", "/ogc/")  # the API authenticates by key, not by session


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (settings.ISEK_REQUIRE_SECOND_FACTOR and user is not None and user.is_authenticated
                and not request.path.startswith(OPEN_PATHS) and not user.is_verified() and not signed_in_by_provider(request)
                and access.needs_second_factor(user)):
            return redirect(f"{reverse('accounts:second-factor')}?next={request.get_full_path()}")
        return self.get_response(request)


def _qr_data_uri(url: str) -> str:
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("web:home")
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else reverse("web:home")


@access.account_view(methods=("GET", "POST"))
def second_factor(request):
    """Set up TOTP (first time) or enter a code (after that)."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    code = "".join((request.POST.get("code") or "").split())
    error = None
    if confirmed is None:  # setting up
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name=_("Authenticator-App"), confirmed=False)
        if request.method == "POST":
            if device.verify_token(code):
                device.confirmed = True
                device.save()
                backup, _created = StaticDevice.objects.get_or_create(user=user, name=_("Ersatzcodes"))
                backup.token_set.all().delete()
                codes = [backup.token_set.create(token=StaticToken.random_token()).token for _n in range(BACKUP_CODES)]
                otp_login(request, device)
                return render(request, "accounts/second_factor.html", {"codes": codes, "next": _next(request)})
            error = _("Der Code stimmt nicht. Bitte den aktuellen Code der App eingeben.")
        secret = base64.b32encode(device.bin_key).decode()
        return render(request, "accounts/second_factor.html", {
            "setup": True, "qr": _qr_data_uri(device.config_url), "secret": secret, "error": error,
            "next": _next(request)}, status=400 if error else 200)
    if request.method == "POST":
        for device in (*TOTPDevice.objects.filter(user=user, confirmed=True), *StaticDevice.objects.filter(user=user)):
            if code and device.verify_token(code):
                otp_login(request, device)
                return redirect(_next(request))
        error = _("Der Code stimmt nicht (oder der Ersatzcode wurde schon benutzt).")
    return render(request, "accounts/second_factor.html", {"error": error, "next": _next(request)},
                  status=400 if error else 200)
