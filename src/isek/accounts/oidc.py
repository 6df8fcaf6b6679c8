"""Signing staff in through a city's identity provider with OpenID Connect (decision 0042).

The protocol is Authlib's (authorization code flow with PKCE; it keeps state and nonce in the
session and checks them, fetches the provider's discovery document and keys, checks the ID
token's signature, issuer, audience, expiry and nonce). isek adds where the configuration comes
from (accounts.IdentityProvider, edited by administrators) and what a signed-in person may do
(accounts.services.external_sign_in: the provider's groups mapped to isek's roles). Whatever goes
wrong – the person declines, a forged or stale state, the provider unreachable, a bad token, no
role – ends on a page that says so (status 400/502), never in a traceback."""

from __future__ import annotations

import logging

import requests
from cryptography.fernet import InvalidToken
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from isek import access

from . import services

log = logging.getLogger(__name__)
PROVIDER_KEY, NEXT_KEY = "isek_oidc_provider", "isek_oidc_next"
TIMEOUT = 10  # seconds for each request to the provider


def _protocol_errors() -> tuple[type[Exception], ...]:
    # Authlib and joserfc only where someone signs in: every command and worker loads this module
    # with the URLs, and they take a tenth of a second to import.
    from authlib.integrations.base_client.errors import OAuthError
    from joserfc.errors import JoseError

    return (OAuthError, JoseError, requests.RequestException, ValueError, KeyError, RuntimeError)


def _no_token(description: str) -> Exception:
    from authlib.integrations.base_client.errors import OAuthError

    return OAuthError(description=description)


def _client(provider):
    from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App

    return DjangoOAuth2App(
        DjangoIntegration("isek-oidc"), name="isek-oidc", client_id=provider.client_id,
        client_secret=provider.secret(), server_metadata_url=provider.discovery_url,
        client_kwargs={"scope": provider.scope, "code_challenge_method": "S256", "default_timeout": TIMEOUT})


def _failed(request, message: str, status: int = 400):
    return render(request, "accounts/oidc_failed.html", {"message": message}, status=status)


@access.open_view()
def start(request, provider: int):
    """To the provider's sign-in page; it sends the person back to ``callback``."""
    provider = services.login_provider(provider)
    if provider is None:
        return _failed(request, _("Diese Anmeldung ist nicht (mehr) eingerichtet."), 404)
    target = request.GET.get("next") or ""
    request.session[PROVIDER_KEY] = provider.pk
    request.session[NEXT_KEY] = target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else ""
    try:
        return _client(provider).authorize_redirect(request, request.build_absolute_uri(reverse("accounts:oidc-callback")))
    except InvalidToken:
        log.error("The client secret of identity provider %s cannot be decrypted (ISEK_SECRET_KEY changed?)", provider.pk)
        return _failed(request, _("Die Anmeldung über %(p)s ist falsch eingerichtet. Bitte wenden Sie sich an die "
                                  "Administration.") % {"p": provider.name}, 502)
    except _protocol_errors() as exc:
        log.warning("Identity provider %s unreachable or unusable at %s: %r", provider.pk, provider.discovery_url, exc)
        problem = services.provider_problem(exc)
        if problem == "outage":  # it answered with a server error: down for a while, nothing to mend here
            message = _("%(p)s ist gerade nicht erreichbar (der Anbieter meldet eine Störung). Bitte später erneut "
                        "versuchen.") % {"p": provider.name}
        else:  # isek gets no answer, or not a provider's: the setting or the network between them
            message = _("%(p)s ist gerade nicht erreichbar: isek kann den Anbieter nicht erreichen. Das liegt meist an "
                        "der Einrichtung, nicht an Ihrem Konto – bitte melden Sie es der Administration Ihrer Stadt.") % {
                "p": provider.name}
        if access.allows_site(request.user, "provider", "edit", provider.city):  # who can mend it learns where isek looked
            message += " " + _("isek hat die Beschreibung des Anbieters unter %(u)s nicht lesen können; bitte den "
                               "Aussteller (Issuer) in der Einrichtung des Anbieters prüfen.") % {"u": provider.discovery_url}
        return _failed(request, message, 502)


@access.open_view()
def callback(request):
    """Back from the provider: check its answer, find or create the person, sign them in."""
    provider = services.login_provider(request.session.get(PROVIDER_KEY))
    if provider is None:
        return _failed(request, _("Diese Anmeldung wurde nicht hier begonnen oder ist abgelaufen. Bitte erneut anmelden."))
    if request.GET.get("error"):
        declined = request.GET["error"] == "access_denied"
        return _failed(request, _("Die Anmeldung bei %(p)s wurde abgebrochen.") % {"p": provider.name} if declined else
                       _("%(p)s hat die Anmeldung abgelehnt (%(e)s).") % {"p": provider.name, "e": request.GET["error"][:100]})
    client = _client(provider)
    try:
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise _no_token("no ID token")
        groups_top = provider.groups_claim.split(".")[0]
        if groups_top not in claims and "userinfo_endpoint" in client.load_server_metadata():
            info = client.userinfo(token=token)  # some providers send the groups only there
            if info.get("sub") != claims.get("sub"):  # OpenID Connect Core 5.3.2: then it must not be used
                raise _no_token("userinfo of another subject")
            claims = {**info, **claims}
    except _protocol_errors() as exc:
        log.warning("Sign-in through identity provider %s failed: %r", provider.pk, exc)
        if getattr(exc, "error", None) == "invalid_client":
            # the provider refused isek itself (a wrong client secret or ID): nothing the person can mend
            services.note_setup_error(provider, "invalid_client", str(getattr(exc, "description", "") or ""))
            return _failed(request, _("Die Anmeldung über %(p)s ist in isek falsch eingerichtet: der Anbieter hat die "
                                      "Zugangsdaten von isek abgelehnt. An Ihrem Konto liegt es nicht; bitte wenden Sie "
                                      "sich an %(who)s.") % {"p": provider.name, "who": services.administration(provider.city)},
                           502)
        return _failed(request, _("Die Anmeldung über %(p)s ließ sich nicht bestätigen (abgelaufen, schon benutzt "
                                  "oder unvollständig). Bitte erneut anmelden.") % {"p": provider.name})
    try:
        user = services.external_sign_in(provider, claims)
    except ValidationError as exc:
        return _failed(request, exc.messages[0], 403)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    services.mark_signed_in_by_provider(request, user)
    awaited = services.awaited_roles(provider, user)
    if awaited:  # the IT set the sign-in up before the city's first concept (decision 0090)
        messages.info(request, _("Sie sind über %(p)s angemeldet. Ihre Gruppe gibt Ihnen in isek die Rolle „%(r)s“ auf "
                                 "jedem Konzept der Stadt %(c)s; die Stadt hat aber noch kein Konzept. Sobald eines "
                                 "angelegt ist, haben Sie diese Rolle darin.")
                      % {"p": provider.name, "r": awaited, "c": provider.city.name_after_stadt})
    target = request.session.pop(NEXT_KEY, "") or reverse("web:home")
    request.session.pop(PROVIDER_KEY, None)
    return redirect(target)
