"""``Authorization: Bearer isek_…`` – a personal token (api.tokens) acts as its owner, with exactly
the owner's permissions from the access policy."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from . import tokens


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _sep, key = header.partition(" ")
        if scheme != self.keyword:
            return None
        user = tokens.user_for(key.strip())
        if user is None:
            raise exceptions.AuthenticationFailed(_("Der API-Schlüssel ist ungültig oder widerrufen."))
        return user, None

    def authenticate_header(self, request):
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session (the docs page), but not a session that still owes its second factor
    (accounts.second_factor): otherwise a password alone could write through the API."""

    def authenticate(self, request):
        from isek import access

        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        from isek.accounts.services import signed_in_by_provider

        verified = getattr(user, "is_verified", lambda: False)() or signed_in_by_provider(request._request)
        if settings.ISEK_REQUIRE_SECOND_FACTOR and not verified and access.needs_second_factor(user):
            return None
        return result


try:  # the OpenAPI document names the schemes (drf-spectacular finds these extensions by their class)
    from drf_spectacular.authentication import SessionScheme
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class VerifiedSessionScheme(SessionScheme):
        target_class = "isek.api.auth.VerifiedSessionAuthentication"

    class TokenScheme(OpenApiAuthenticationExtension):
        target_class = "isek.api.auth.TokenAuthentication"
        name = "bearer"

        def get_security_definition(self, auto_schema):
            return {"type": "http", "scheme": "bearer", "description": "persönlicher API-Schlüssel (isek_…)"}
except ImportError:  # pragma: no cover - drf-spectacular is a dependency
    pass
