"""The staff's "Ihr Konto": their roles (per concept, per city, per funding authority), how they
signed in (the city's identity provider or isek's password) and the state of their second factor
with the way to set it up (decision 0097); a citizen's own account shows what it showed before."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from isek.accounts.models import CitizenAccount, ExternalIdentity, IdentityProvider
from isek.accounts.services import IDP_SESSION_KEY
from isek.concepts.models import CityRole
from tests.factories import ConceptFactory, UserFactory, authority_staff, city_admin, member

pytestmark = pytest.mark.django_db


def _page(user, language="de", *, by_provider=False) -> str:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(user)
    if by_provider:
        session = c.session
        session[IDP_SESSION_KEY] = user.pk
        session.save()
    c.cookies["django_language"] = language
    r = c.get("/accounts/account/")
    assert r.status_code == 200
    return r.content.decode()


@override_settings(ISEK_REQUIRE_SECOND_FACTOR=False)
def test_a_planner_sees_the_concepts_with_role_and_link_and_how_to_set_up_the_second_factor():
    concept = ConceptFactory(name="ISEK Altstadt Nord")
    other = ConceptFactory(name="ISEK Bahnhofsviertel", city=concept.city)
    planner = member(concept, "planner", username="planerin")
    from isek.concepts.models import ConceptRole

    ConceptRole.objects.create(concept=other, user=planner, role="reviewer")
    ConceptFactory(name="ISEK Fremd")  # no role there
    page = _page(planner)
    assert f'Planung (bearbeiten): <a class="kern-link" href="/concepts/{concept.slug}/">ISEK Altstadt Nord</a>' in page
    assert f'Prüfung (lesen): <a class="kern-link" href="/concepts/{other.slug}/">ISEK Bahnhofsviertel</a>' in page
    assert "ISEK Fremd" not in page
    assert "mit Benutzername und Passwort bei isek" in page and "nicht eingerichtet" in page
    assert 'href="/accounts/second-factor/?next=/accounts/account/">Zweiten Faktor einrichten</a>' in page
    # set up: the state with the backup codes left, no set-up link any more
    TOTPDevice.objects.create(user=planner, name="App", confirmed=True)
    backup = StaticDevice.objects.create(user=planner, name="Ersatzcodes")
    for _n in range(3):
        backup.token_set.create(token=StaticToken.random_token())
    page = _page(planner)
    assert "eingerichtet (Authenticator-App), 3 Ersatzcodes übrig" in page and "Zweiten Faktor einrichten" not in page
    assert "Code des zweiten Faktors eingeben" in page
    english = _page(planner, "en")
    assert "Your roles" in english and "set up (authenticator app), 3 backup codes left" in english
    assert "Planner (edit)" in english and "Ihre Rollen" not in english


def test_a_city_administrator_signed_in_by_the_citys_provider():
    concept = ConceptFactory()
    city = concept.city
    admin = city_admin(city, username="stadtadmin")
    CityRole.objects.create(city=city, user=admin, role=CityRole.Role.STARTER)
    provider = IdentityProvider.objects.create(name="Keycloak Musterstadt", city=city, issuer="https://login.example",
                                               client_id="isek")
    ExternalIdentity.objects.create(provider=provider, subject="42", user=admin)
    page = _page(admin, by_provider=True)
    assert (f'Administration der Stadt: {city.name} (<a class="kern-link" href="/cities/{city.ags}/administration/">'
            in page)
    assert f"darf Konzepte anlegen in: {city.name}" in page
    assert "über den Anmeldedienst Ihrer Stadt (Keycloak Musterstadt, OpenID Connect)" in page
    assert "es gilt die Richtlinie des Anmeldedienstes" in page and "Zweiten Faktor einrichten" not in page
    # the same person with isek's password: asked to set it up
    page = _page(admin)
    assert "mit Benutzername und Passwort bei isek" in page and "Zweiten Faktor einrichten" in page
    assert "Keycloak Musterstadt" not in page


def test_an_authoritys_staff_and_a_person_without_roles():
    reviewer = authority_staff("059", name="Bezirksregierung Arnsberg", username="pruefer")
    from isek.concepts.models import AuthorityRole

    authority = AuthorityRole.objects.get(user=reviewer).authority
    page = _page(reviewer)
    assert (f'Mitarbeit bei der Bewilligungsbehörde: <a class="kern-link" href="/authorities/{authority.pk}/">'
            f"Bezirksregierung Arnsberg</a>") in page
    assert "Für Ihre Rollen verlangt isek keinen zweiten Faktor." in page
    page = _page(UserFactory(username="neu"))
    assert "Sie haben noch keine Rolle in isek." in page and 'id="account-roles"' in page


def test_a_citizen_sees_their_own_account_as_before_and_no_staff_items():
    user = UserFactory(username="eva@example.org", email="eva@example.org")
    CitizenAccount.objects.create(user=user, display_name="Eva", confirmed_at=user.date_joined)
    page = _page(user)
    assert 'id="account-data"' in page and "eva@example.org" in page and 'id="delete-account"' in page
    for staff_item in ("Ihre Rollen", "account-roles", "Zweiter Faktor", "second-factor", "Anmeldedienst"):
        assert staff_item not in page
