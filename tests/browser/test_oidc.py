"""Staff sign in through their city's identity provider (issue 22, point 3), in Debian's Chromium
against a real OpenID Connect provider on loopback (node's oidc-provider, tests/oidc): the sign-in
page offers "Mit <Anbieter> anmelden" (and passes axe); a person whose group the mapping names
gets exactly that role and is not asked for isek's second factor; a local planner with a password
still is; a person whose groups give no role gets no account and is told why; declining at the
provider ends on a clear page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from isek.accounts.models import GroupRole, IdentityProvider
from isek.concepts.models import ConceptRole
from tests.factories import CityFactory, ConceptFactory, member
from tests.oidc import CLIENT_ID, CLIENT_SECRET, running_provider

from .conftest import axe_violations, login

pytestmark = pytest.mark.browser

ACCOUNTS = {
    "anna": {"password": "anna-pw", "groups": ["isek-planung", "kantine"], "email": "anna@testhausen.example",
             "given_name": "Anna", "family_name": "Amt"},
    "bernd": {"password": "bernd-pw", "groups": ["kantine"], "email": "bernd@testhausen.example"},
}


def _provider_sign_in(page, username, password):
    page.fill("#login", username)
    page.fill("#password", password)
    page.click("#sign-in")
    page.wait_for_load_state()


def test_staff_sign_in_through_the_city_provider(pages, live_server, settings):
    settings.ISEK_REQUIRE_SECOND_FACTOR = True
    city = CityFactory(name="Testhausen")
    concept, other = ConceptFactory(city=city, is_public=False), ConceptFactory(city=city, is_public=False)
    with running_provider(f"{live_server.url}/accounts/oidc/callback/", ACCOUNTS) as issuer:
        provider = IdentityProvider(name="Stadt Testhausen", city=city, issuer=issuer, client_id=CLIENT_ID,
                                    scopes="openid profile email groups", groups_claim="groups")
        provider.set_secret(CLIENT_SECRET)
        provider.save()
        GroupRole.objects.create(provider=provider, group="isek-planung", role="planner", concept=concept)

        page = pages.new()
        page.goto(f"{live_server.url}/accounts/login/?next=/concepts/{concept.slug}/edit/")
        assert axe_violations(page) == []
        page.get_by_role("link", name="Mit Stadt Testhausen anmelden").click()
        page.wait_for_load_state()
        assert page.url.startswith(issuer)  # the provider's own sign-in page
        _provider_sign_in(page, "anna", "wrong")
        assert "Benutzer oder Passwort falsch" in page.content()
        _provider_sign_in(page, "anna", "anna-pw")
        # back at isek, signed in, on the page asked for: no second factor asked (the provider's applies)
        assert page.url == f"{live_server.url}/concepts/{concept.slug}/edit/", page.url
        assert page.locator("h1").first.is_visible()
        anna = get_user_model().objects.get(email="anna@testhausen.example")
        assert (anna.username, anna.first_name, anna.has_usable_password()) == ("anna", "Anna", False)
        assert list(ConceptRole.objects.filter(user=anna).values_list("concept__slug", "role")) == [(concept.slug, "planner")]
        assert page.goto(f"{live_server.url}/concepts/{other.slug}/edit/").status == 404  # nothing the mapping does not say

        # a local planner signs in with a password in another browser: asked for the second factor
        local = member(concept, "planner", "lokal")
        local.set_password("pw-browser-123")
        local.save()
        page2 = pages.new()
        login(page2, live_server.url, "lokal")
        page2.goto(f"{live_server.url}/concepts/{concept.slug}/edit/")
        assert page2.url.startswith(f"{live_server.url}/accounts/second-factor/")

        # a person whose groups give no role: no account, a clear message
        page3 = pages.new()
        page3.goto(f"{live_server.url}/accounts/login/")
        page3.get_by_role("link", name="Mit Stadt Testhausen anmelden").click()
        _provider_sign_in(page3, "bernd", "bernd-pw")
        assert "keiner Rolle in isek zugeordnet" in page3.locator("[role=alert]").inner_text()
        assert axe_violations(page3) == []
        assert not get_user_model().objects.filter(email="bernd@testhausen.example").exists()

        # declining at the provider ends on isek's page that says so
        page4 = pages.new()
        page4.goto(f"{live_server.url}/accounts/login/")
        page4.get_by_role("link", name="Mit Stadt Testhausen anmelden").click()
        page4.wait_for_load_state()
        page4.click("#decline")
        page4.wait_for_load_state()
        assert page4.url.startswith(f"{live_server.url}/accounts/oidc/callback/")
        assert "Die Anmeldung bei Stadt Testhausen wurde abgebrochen." in page4.locator("[role=alert]").inner_text()


def test_the_choice_of_city_on_the_sign_in_page_passes_axe(pages, live_server, transactional_db):
    """Where several cities have their own provider and the page to return to names none, the
    sign-in page asks for the city (walk 22) and then shows its button."""
    for name in ("Bochum", "Görlitz"):
        provider = IdentityProvider(name=f"Stadt {name}", city=CityFactory(name=name), issuer="http://127.0.0.1:9",
                                    client_id=CLIENT_ID)
        provider.set_secret(CLIENT_SECRET)
        provider.save()
    page = pages.new()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.get_by_role("link", name="Mit Stadt Görlitz anmelden").count() == 0
    assert axe_violations(page) == []
    page.get_by_label("Ihre Stadt").select_option(label="Görlitz")
    with page.expect_navigation():
        page.get_by_role("button", name="Anmeldung der Stadt zeigen").click()
    assert page.get_by_role("link", name="Mit Stadt Görlitz anmelden").count() == 1
    assert page.get_by_role("link", name="Mit Stadt Bochum anmelden").count() == 0
