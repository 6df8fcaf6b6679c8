"""Who a browser is in the participation, without an account: a random contributor id in a
signed, HTTP-only cookie (listed on the privacy page). Signed-in people are their account."""

from __future__ import annotations

import uuid

from django.core.signing import BadSignature
from django.urls import reverse

from .models import Contributor

COOKIE = "isek_contributor"
COOKIE_SALT = "isek.participation.contributor"
COOKIE_AGE = 365 * 24 * 3600


def known_contributor_id(request) -> str | None:
    """The contributor id in the browser's cookie (without an account), not looked up."""
    if request.user.is_authenticated:
        return None
    try:
        cid = request.get_signed_cookie(COOKIE, salt=COOKIE_SALT)
    except (KeyError, BadSignature):
        return None
    try:
        return str(uuid.UUID(cid)) if cid else None
    except ValueError:
        return None


def known_contributor(request) -> Contributor | None:
    if request.user.is_authenticated:
        return Contributor.objects.filter(user=request.user).first()
    cid = known_contributor_id(request)
    return Contributor.objects.filter(pk=cid, user=None).first() if cid else None


def remember(response, request, contributor: Contributor, token: str | None):
    """Set the browser's cookie and keep a new deletion link for the next page – both without an
    account only: a signed-in person deletes what they gave on their account's page."""
    if not request.user.is_authenticated:
        response.set_signed_cookie(COOKIE, str(contributor.pk), salt=COOKIE_SALT, max_age=COOKIE_AGE, httponly=True,
                                   samesite="Lax", secure=request.is_secure())
    if token and not request.user.is_authenticated:  # an account deletes its contributions on its own page (decision 0084)
        request.session["participation_delete_link"] = request.build_absolute_uri(
            reverse("participation-delete", args=[token]))
    return response
