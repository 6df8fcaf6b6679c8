"""Signing staff in through a city's identity provider (issue 22, point 3; decision 0042).

The protocol runs against a real OpenID Connect provider on loopback (node's oidc-provider,
tests/oidc), here through Django's test client: what the callback does with a good answer, a
forged state, a replayed code, a declined sign-in, an unreachable provider. The mapping of groups
to roles is tested on the service (accounts.services.external_sign_in) with the claims a
provider would send. And the configuration: the client secret is stored encrypted and never shown."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from isek import access
from isek.accounts import services
from isek.accounts.models import ExternalIdentity, GroupRole, IdentityProvider
from isek.concepts import services as concepts
from isek.concepts.models import ConceptRole
from tests.factories import CityFactory, ConceptFactory, MeasureFactory, UserFactory, member
from tests.oidc import CLIENT_ID, CLIENT_SECRET, running_provider, through_provider

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/accounts/oidc/callback/"
ACCOUNTS = {
    "anna": {"password": "anna-pw", "groups": ["isek-planung"], "email": "anna@testhausen.example"},
    "bernd": {"password": "bernd-pw", "groups": ["kantine"], "email": "bernd@testhausen.example"},
}


@pytest.fixture(scope="module")
def issuer():
    with running_provider(CALLBACK, ACCOUNTS) as url:
        yield url


def _provider(issuer="http://127.0.0.1:9", city=None, **fields) -> IdentityProvider:
    fields = {"name": "Stadt Testhausen", **fields}
    provider = IdentityProvider(city=city, issuer=issuer, client_id=CLIENT_ID, scopes="openid profile email groups", **fields)
    provider.set_secret(CLIENT_SECRET)
    provider.save()
    return provider


def _start(client, provider, next_url=""):
    r = client.get(f"/accounts/oidc/{provider.pk}/" + (f"?next={next_url}" if next_url else ""))
    assert r.status_code == 302, r.content.decode()[:500]
    return r["Location"]


# --- the protocol, against the real provider ------------------------------------------------------


@override_settings(ISEK_REQUIRE_SECOND_FACTOR=True)
def test_signed_in_by_the_provider_without_isek_second_factor_a_local_planner_still_asked(issuer):
    concept = ConceptFactory(is_public=False)
    provider = _provider(issuer, city=concept.city)
    GroupRole.objects.create(provider=provider, group="isek-planung", role="planner", concept=concept)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    assert "Mit Stadt Testhausen anmelden" in c.get("/accounts/login/").content.decode()
    # the internal concept's address answers 404 to anyone signed out (decision 0074), and offers
    # to sign in and come back: through the provider to the page
    gone = c.get(f"/concepts/{concept.slug}/edit/")
    assert gone.status_code == 404
    assert f'id="error-sign-in" href="/accounts/login/?next=/concepts/{concept.slug}/edit/"' in gone.content.decode()
    authorize = _start(c, provider, f"/concepts/{concept.slug}/edit/")
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(issuer) and query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"] and query["state"] and query["nonce"]
    back = through_provider(authorize, CALLBACK, "anna", "anna-pw")
    r = c.get(back)
    assert r.status_code == 302 and r["Location"] == f"/concepts/{concept.slug}/edit/"
    assert c.get(f"/concepts/{concept.slug}/edit/").status_code == 200  # no second factor asked
    measure = MeasureFactory(concept=concept)
    r = c.post(f"/api/v1/concepts/{concept.slug}/measures/{measure.number}/milestones/",
               json.dumps({"title": "über den Anbieter"}), content_type="application/json")
    assert r.status_code == 201, r.content  # nor by the API on this session
    anna = get_user_model().objects.get(username="anna")
    assert ConceptRole.objects.get(user=anna).role == "planner" and not anna.has_usable_password()

    local = member(concept, "planner", "lokal")  # a local planner, password only
    c2 = Client(HTTP_ACCEPT_LANGUAGE="de")
    assert c2.post("/accounts/login/", {"username": "lokal", "password": "pw-test-123"}).status_code == 302
    r = c2.get(f"/concepts/{concept.slug}/edit/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/second-factor/")
    assert local.pk != anna.pk

    # the same browser then signs in with a password as the local planner: asked again
    assert c.post("/accounts/login/", {"username": "lokal", "password": "pw-test-123"}).status_code == 302
    assert c.get(f"/concepts/{concept.slug}/edit/")["Location"].startswith("/accounts/second-factor/")


def test_forged_state_replayed_code_and_a_callback_nobody_started_end_on_a_clear_page(issuer):
    concept = ConceptFactory()
    provider = _provider(issuer, city=concept.city)
    GroupRole.objects.create(provider=provider, group="isek-planung", role="reviewer", concept=concept)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    back = through_provider(_start(c, provider), CALLBACK, "anna", "anna-pw")
    forged = back.replace("state=", "state=x")
    r = c.get(forged)
    assert r.status_code == 400 and "ließ sich nicht bestätigen" in r.content.decode()
    assert "_auth_user_id" not in c.session

    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    back = through_provider(_start(c, provider), CALLBACK, "anna", "anna-pw")
    assert c.get(back).status_code == 302 and "_auth_user_id" in c.session
    c.post("/accounts/logout/")
    r = c.get(back)  # the same answer once more
    assert r.status_code == 400 and "_auth_user_id" not in c.session

    stranger = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = stranger.get(back)
    assert r.status_code == 400 and "nicht hier begonnen" in r.content.decode()


def test_user_info_of_another_person_is_not_used():
    """The groups come from the user info where the ID token lacks them, but only if it is about
    the same person (OpenID Connect Core 5.3.2); the provider's answers mocked here."""
    from unittest import mock

    from authlib.integrations.django_client import DjangoOAuth2App

    concept = ConceptFactory()
    provider = _provider(city=concept.city)
    GroupRole.objects.create(provider=provider, group="isek-planung", role="planner", concept=concept)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    session = c.session
    session["isek_oidc_provider"] = provider.pk
    session.save()
    token = {"access_token": "a", "userinfo": {"sub": "anna"}}
    with (mock.patch.object(DjangoOAuth2App, "authorize_access_token", return_value=token),
          mock.patch.object(DjangoOAuth2App, "load_server_metadata", return_value={"userinfo_endpoint": "x"}),
          mock.patch.object(DjangoOAuth2App, "userinfo", return_value={"sub": "eve", "groups": ["isek-planung"]})):
        r = c.get("/accounts/oidc/callback/?code=c&state=s")
    assert r.status_code == 400 and not get_user_model().objects.exists()
    with (mock.patch.object(DjangoOAuth2App, "authorize_access_token", return_value=token),
          mock.patch.object(DjangoOAuth2App, "load_server_metadata", return_value={"userinfo_endpoint": "x"}),
          mock.patch.object(DjangoOAuth2App, "userinfo", return_value={"sub": "anna", "groups": ["isek-planung"]})):
        r = c.get("/accounts/oidc/callback/?code=c&state=s")
    assert r.status_code == 302 and ConceptRole.objects.get(user__username="anna").role == "planner"


def test_declined_at_the_provider(issuer):
    provider = _provider(issuer)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    back = through_provider(_start(c, provider), CALLBACK, "anna", "", decline=True)
    assert "error=access_denied" in back
    r = c.get(back)
    assert r.status_code == 400 and "Die Anmeldung bei Stadt Testhausen wurde abgebrochen." in r.content.decode()
    assert "_auth_user_id" not in c.session


def test_groups_without_a_role_give_no_account(issuer):
    concept = ConceptFactory()
    provider = _provider(issuer, city=concept.city)
    GroupRole.objects.create(provider=provider, group="isek-planung", role="planner", concept=concept)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = c.get(through_provider(_start(c, provider), CALLBACK, "bernd", "bernd-pw"))
    assert r.status_code == 403
    assert "keiner Rolle in isek zugeordnet" in r.content.decode() and "Administration" in r.content.decode()
    assert not get_user_model().objects.filter(email="bernd@testhausen.example").exists()


def test_an_unreachable_provider_an_unknown_or_switched_off_one():
    provider = _provider("http://127.0.0.1:9")  # nothing listens on the discard port
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = c.get(f"/accounts/oidc/{provider.pk}/")
    assert r.status_code == 502 and "ist gerade nicht erreichbar" in r.content.decode()
    r = c.get("/accounts/oidc/999999/")
    assert r.status_code == 404 and "nicht (mehr) eingerichtet" in r.content.decode()
    provider.enabled = False
    provider.save()
    assert c.get(f"/accounts/oidc/{provider.pk}/").status_code == 404
    assert "anmelden</span>" not in c.get("/accounts/login/").content.decode().split("</form>")[1]


def test_login_page_in_english():
    _provider()
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/").content.decode()
    assert "Sign in with Stadt Testhausen" in page


# --- the mapping ------------------------------------------------------------------------------


def test_roles_only_as_the_mapping_says_and_taken_back_when_it_no_longer_does():
    city, elsewhere = CityFactory(name="Testhausen"), CityFactory(name="Anderswo")
    a, b, far = ConceptFactory(city=city), ConceptFactory(city=city), ConceptFactory(city=elsewhere)
    provider = _provider(city=city)
    GroupRole.objects.create(provider=provider, group="planung-a", role="planner", concept=a)
    GroupRole.objects.create(provider=provider, group="stadtweit-pruefung", role="reviewer")  # every concept of the city
    GroupRole.objects.create(provider=provider, group="konzepte", role="starter")
    GroupRole.objects.create(provider=provider, group="planung-a", role="planner", concept=far)  # saved past its check

    def roles(user):
        return dict(ConceptRole.objects.filter(user=user).values_list("concept__slug", "role"))

    user = services.external_sign_in(provider, {"sub": "42", "preferred_username": "carla",
                                                "groups": ["planung-a", "stadtweit-pruefung", "kantine"]})
    assert roles(user) == {a.slug: "planner", b.slug: "reviewer"}  # the stronger role wins on a; nothing in Anderswo
    assert not concepts.may_start_in(user, city) and far.slug not in roles(user)
    member(b, "planner")  # b keeps a planner of its own

    user = services.external_sign_in(provider, {"sub": "42", "groups": ["konzepte"]})  # groups changed at the provider
    user = get_user_model().objects.get(pk=user.pk)
    assert roles(user) == {a.slug: "planner"}  # a's last planner stays (an administrator decides), b's review is gone
    # a city's provider lets start concepts in its city only (decision 0046), not everywhere
    assert concepts.may_start_in(user, city) and not user.has_perm("concepts.add_concept")
    assert access.allows_site(user, "concept", "create", city)
    assert not access.allows_site(user, "concept", "create", elsewhere) and not access.allows_site(user, "concept", "create")
    assert ExternalIdentity.objects.get(user=user).granted == {"concepts": {str(a.pk): "planner"}, "starter": True}

    ConceptRole.objects.filter(user=user, concept=a).update(role="moderator")  # given in isek itself
    user = services.external_sign_in(provider, {"sub": "42", "groups": []})
    user = get_user_model().objects.get(pk=user.pk)
    assert roles(user) == {a.slug: "moderator"} and not concepts.may_start_in(user, city)


def test_no_role_no_account_and_the_same_person_again_without_one():
    concept = ConceptFactory()
    provider = _provider(city=concept.city, groups_claim="realm_access.roles")  # Keycloak's realm roles
    GroupRole.objects.create(provider=provider, group="isek-moderation", role="moderator", concept=concept)
    with pytest.raises(ValidationError) as refused:
        services.external_sign_in(provider, {"sub": "7", "groups": ["isek-moderation"]})  # another claim
    assert refused.value.code == "no_role" and not ExternalIdentity.objects.exists()
    user = services.external_sign_in(provider, {"sub": "7", "preferred_username": "dora",
                                                "realm_access": {"roles": ["isek-moderation"]}})
    assert ConceptRole.objects.get(user=user).role == "moderator"
    UserFactory(username="dora-x")
    other = services.external_sign_in(provider, {"sub": "8", "preferred_username": "dora",
                                                 "realm_access": {"roles": "isek-moderation"}})
    # a name taken is not taken over, and the new one is no look-alike "dora-2" (walk 22, decision 0078)
    assert other.username == "dora-via-stadt-testhausen"
    third = services.external_sign_in(provider, {"sub": "9", "preferred_username": "Dora",
                                                 "realm_access": {"roles": "isek-moderation"}})
    assert third.username == "Dora-via-stadt-testhausen-2"
    with pytest.raises(ValidationError):
        services.external_sign_in(provider, {"groups": ["isek-moderation"]})  # no subject
    user.is_active = False
    user.save()
    with pytest.raises(ValidationError) as refused:
        services.external_sign_in(provider, {"sub": "7", "realm_access": {"roles": ["isek-moderation"]}})
    assert refused.value.code == "inactive"


def test_a_mapping_line_is_checked():
    city = CityFactory(name="Testhausen")
    installation, own = _provider(), _provider(city=city)
    foreign = ConceptFactory(city=CityFactory(name="Anderswo"))
    for provider, role, concept, message in (
            (installation, "planner", None, "gehört zu keiner Stadt"),
            (own, "planner", foreign, "nicht zur Stadt des Anbieters"),
            (own, "starter", ConceptFactory(city=city), "für kein einzelnes Konzept")):
        with pytest.raises(ValidationError) as refused:
            GroupRole(provider=provider, group="g", role=role, concept=concept).full_clean()
        assert message in str(refused.value)


# --- the configuration ------------------------------------------------------------------------------


def test_the_client_secret_is_stored_encrypted_and_never_shown():
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(admin)
    form = {"name": "Keycloak", "issuer": "https://login.testhausen.example/realms/stadt", "client_id": "isek",
            "client_secret": "", "scopes": "openid profile email", "groups_claim": "groups", "enabled": "on",
            "mappings-TOTAL_FORMS": "0", "mappings-INITIAL_FORMS": "0", "unchecked": "on"}  # not reachable here
    r = c.post("/admin/accounts/identityprovider/add/", form)
    assert r.status_code == 200 and "Bitte das Client-Geheimnis angeben" in r.content.decode()
    assert not IdentityProvider.objects.exists()
    r = c.post("/admin/accounts/identityprovider/add/", {**form, "client_secret": "streng-geheim"})
    assert r.status_code == 302
    provider = IdentityProvider.objects.get()
    assert "streng-geheim" not in provider.client_secret_encrypted and provider.secret() == "streng-geheim"
    assert provider.discovery_url == "https://login.testhausen.example/realms/stadt/.well-known/openid-configuration"
    page = c.get(f"/admin/accounts/identityprovider/{provider.pk}/change/").content.decode()
    assert "die Gruppen nur, wenn der Scope „groups“ angefragt wird" in page
    assert "streng-geheim" not in page and provider.client_secret_encrypted not in page
    assert c.post(f"/admin/accounts/identityprovider/{provider.pk}/change/", {**form, "name": "Keycloak 2"}).status_code == 302
    provider.refresh_from_db()
    assert provider.name == "Keycloak 2" and provider.secret() == "streng-geheim"  # kept


def test_the_admins_provider_form_checks_the_issuer_as_the_citys_page_does():
    """Walk 22: the Django admin's installation-wide provider form saved any issuer unchecked
    (decision 0078): it reads the discovery document as the city's page does, refuses an unreadable
    one unless "Trotzdem speichern" is ticked, another issuer always, and says why."""
    from tests.dbstate import checksum
    from tests.oidc import discovery_server

    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(admin)
    with discovery_server() as base:
        form = {"name": "Land", "client_id": "isek", "client_secret": "geheim", "scopes": "openid", "groups_claim": "groups",
                "enabled": "on", "mappings-TOTAL_FORMS": "0", "mappings-INITIAL_FORMS": "0"}
        before = checksum()
        for issuer, confirmed, said in (("http://127.0.0.1:1/realms/x", {}, "keine Antwort"),
                                        (f"{base}/realms/falsch", {}, "login.anders.example"),
                                        (f"{base}/realms/falsch", {"unchecked": "on"}, "login.anders.example")):
            r = c.post("/admin/accounts/identityprovider/add/", {**form, "issuer": issuer, **confirmed})
            assert r.status_code == 200 and said in r.content.decode() and "Trotzdem speichern" in r.content.decode()
        assert checksum() == before
        r = c.post("/admin/accounts/identityprovider/add/", {**form, "issuer": "http://127.0.0.1:1/realms/x", "unchecked": "on"})
        assert r.status_code == 302
        r = c.post("/admin/accounts/identityprovider/add/", {**form, "name": "Land 2", "issuer": f"{base}/realms/stadt"})
        assert r.status_code == 302
    assert sorted(IdentityProvider.objects.values_list("name", flat=True)) == ["Land", "Land 2"]


def test_a_secret_that_no_longer_decrypts_is_said_not_a_500(settings):
    provider = _provider()
    settings.SECRET_KEY = "another-key-" * 4
    r = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/accounts/oidc/{provider.pk}/")
    assert r.status_code == 502 and "falsch eingerichtet" in r.content.decode()


def test_the_installations_provider_lets_start_concepts_everywhere():
    provider = _provider(city=None)
    GroupRole.objects.create(provider=provider, group="konzepte", role="starter")
    user = services.external_sign_in(provider, {"sub": "9", "preferred_username": "emil", "groups": ["konzepte"]})
    user = get_user_model().objects.get(pk=user.pk)
    assert user.has_perm("concepts.add_concept") and access.allows_site(user, "concept", "create", CityFactory())
    user = services.external_sign_in(provider, {"sub": "9", "groups": []})
    assert not get_user_model().objects.get(pk=user.pk).has_perm("concepts.add_concept")


def test_the_migration_turns_a_city_providers_global_start_permission_into_the_citys_starter_role(transactional_db):
    """Before decision 0046 a city's provider gave 'may start concepts' everywhere; the migration
    makes it the starter role of that city, and a later sign-in without the group takes it back."""
    from django.contrib.auth.models import Permission
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from isek.concepts.models import CityRole

    before = [("accounts", "0004_invitation_city")]
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        city, other = CityFactory(name="Testhausen"), CityFactory(name="Anderswo")
        # the providers as the schema then had them (a field added since has no column yet)
        then = executor.loader.project_state(before).apps.get_model("accounts", "IdentityProvider")
        provider, provider_b = (IdentityProvider(pk=then.objects.create(
            name="Stadt Testhausen", city_id=c.pk, issuer="http://127.0.0.1:9", client_id=CLIENT_ID).pk) for c in (city, other))
        GroupRole.objects.create(provider=provider, group="konzepte", role="starter")
        everywhere = Permission.objects.get(codename="add_concept", content_type__app_label="concepts")
        by_city, invited, two_cities = UserFactory(), UserFactory(), UserFactory()
        for user in (by_city, invited, two_cities):
            user.user_permissions.add(everywhere)  # as the former code left them
        ExternalIdentity.objects.create(provider=provider, subject="1", user=by_city, granted={"concepts": {}, "starter": True})
        ExternalIdentity.objects.create(provider=provider, subject="2", user=two_cities, granted={"starter": True})
        ExternalIdentity.objects.create(provider=provider_b, subject="2", user=two_cities, granted={"starter": True})
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)

    def fresh(user):
        return get_user_model().objects.get(pk=user.pk)

    provider = IdentityProvider.objects.get(pk=provider.pk)

    assert concepts.may_start_in(fresh(by_city), city) and not fresh(by_city).has_perm("concepts.add_concept")
    assert not concepts.may_start_in(fresh(by_city), other)
    assert fresh(invited).has_perm("concepts.add_concept") and fresh(two_cities).has_perm("concepts.add_concept")
    assert not CityRole.objects.filter(user__in=[invited, two_cities]).exists()

    services.external_sign_in(provider, {"sub": "1", "groups": ["kantine"]})  # no longer in the group
    assert not concepts.may_start_in(fresh(by_city), city) and not fresh(by_city).has_perm("concepts.add_concept")
    assert not access.allows_site(fresh(by_city), "concept", "create", city)


def _admin_client():
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(UserFactory(username="admin", is_superuser=True, is_staff=True))
    return c


def test_the_add_form_refuses_a_mapping_to_another_citys_concept_as_the_change_form_does():
    goerlitz, bochum = CityFactory(name="Görlitz"), CityFactory(name="Bochum")
    foreign = ConceptFactory(city=bochum)
    c = _admin_client()
    form = {"name": "Landkreis Görlitz", "city": goerlitz.pk, "issuer": "https://login.goerlitz.example/realms/stadt",
            "client_id": "isek", "client_secret": "geheim", "scopes": "openid", "groups_claim": "groups",
            "enabled": "on", "mappings-TOTAL_FORMS": "1", "mappings-INITIAL_FORMS": "0",
            "mappings-0-group": "GL-Stadtplanung", "mappings-0-role": "planner", "mappings-0-concept": foreign.pk,
            "unchecked": "on"}  # not reachable from here (decision 0078)
    r = c.post("/admin/accounts/identityprovider/add/", form)
    assert r.status_code == 200 and "Das Konzept gehört nicht zur Stadt des Anbieters." in r.content.decode()
    assert not IdentityProvider.objects.exists() and not GroupRole.objects.exists()
    r = c.post("/admin/accounts/identityprovider/add/", {**form, "city": "", "mappings-0-concept": ""})
    assert r.status_code == 200 and "gehört zu keiner Stadt" in r.content.decode()
    r = c.post("/admin/accounts/identityprovider/add/", {**form, "mappings-0-concept": ConceptFactory(city=goerlitz).pk})
    assert r.status_code == 302 and GroupRole.objects.get().provider.city == goerlitz


def test_help_texts_show_no_empty_placeholder():
    c = _admin_client()
    page = c.get("/admin/accounts/identityprovider/add/").content.decode()
    assert "„Mit Stadt Bochum (Keycloak) anmelden“" in page and "„Mit  anmelden“" not in page and "<Name>" not in page
    assert "https://login.stadt.example/realms/stadt" in page and "<Issuer>" not in page
    page = c.get("/admin/concepts/city/add/").content.decode()
    assert "/bochum/ für „bochum“" in page and "<Kurzname>" not in page


def test_an_issuer_without_scheme_is_refused_and_who_can_mend_it_learns_where_isek_looked(caplog):
    c = _admin_client()
    form = {"name": "Görlitz", "issuer": "127.0.0.1:8020", "client_id": "isek", "client_secret": "geheim",
            "scopes": "openid", "groups_claim": "groups", "enabled": "on",
            "mappings-TOTAL_FORMS": "0", "mappings-INITIAL_FORMS": "0"}
    r = c.post("/admin/accounts/identityprovider/add/", form)
    assert r.status_code == 200 and "Bitte die Adresse mit https://" in r.content.decode()
    assert "z. B. https://127.0.0.1:8020" in r.content.decode() and not IdentityProvider.objects.exists()
    assert c.post("/admin/accounts/identityprovider/add/",
                  {**form, "issuer": "http://127.0.0.1:9", "unchecked": "on"}).status_code == 302
    provider = IdentityProvider.objects.get()
    assert provider.issuer == "http://127.0.0.1:9"  # nothing listens on the discard port
    r = c.get(f"/accounts/oidc/{provider.pk}/")
    assert r.status_code == 502 and "http://127.0.0.1:9/.well-known/openid-configuration" in r.content.decode()
    assert "http://127.0.0.1:9/.well-known/openid-configuration" in caplog.text
    citizen = Client(HTTP_ACCEPT_LANGUAGE="de")
    citizen.force_login(UserFactory())
    page = citizen.get(f"/accounts/oidc/{provider.pk}/").content.decode()
    assert "ist gerade nicht erreichbar" in page and ".well-known" not in page


def test_the_refusal_names_the_groups_sent_and_the_citys_administration():
    city = CityFactory(name="Görlitz")
    admin = UserFactory(username="stadtadmin", email="admin@goerlitz.example")
    concepts.grant_city_role(access.Operator("test"), city, admin, concepts.CityRole.Role.ADMIN)
    provider = _provider(city=city)
    GroupRole.objects.create(provider=provider, group="GL-Stadtplanung", role="planner")  # every concept of the city
    with pytest.raises(ValidationError) as refused:
        services.external_sign_in(provider, {"sub": "1", "groups": ["GL-Stadplanung"]})  # a typo at the provider
    message = refused.value.messages[0]
    assert refused.value.code == "no_role" and "Geschickte Gruppen: „GL-Stadplanung“" in message
    assert "prüfen Sie die Scopes" in message and "Scope „groups“" in message
    assert "Administration der Stadt Görlitz" in message and "Administration von isek." not in message
    GroupRole.objects.create(provider=provider, group="GL-Stadtplanung", role="starter")
    user = services.external_sign_in(provider, {"sub": "1", "groups": ["GL-Stadtplanung"]})
    assert concepts.may_start_in(user, city)  # the starter right given, the city's first concept to come


def test_the_sign_in_page_offers_the_providers_of_the_city_it_is_for(settings):
    settings.ALLOWED_HOSTS = ["testserver", "isek.goerlitz.example"]
    bochum, goerlitz = CityFactory(name="Bochum", slug="bochum"), CityFactory(name="Görlitz", host="isek.goerlitz.example")
    _provider(city=bochum, name="Stadt Bochum")
    c = Client(HTTP_ACCEPT_LANGUAGE="de")

    def buttons(url, **extra):
        page = c.get(url, **extra).content.decode()
        return re.findall(r"Mit (.+?) anmelden</span>", page), 'id="provider-city"' in page

    assert buttons("/accounts/login/") == (["Stadt Bochum"], False)  # one city's provider: as before
    # ... but not on the way back to another city's pages (sup22: Bochum's people saw Gotha's)
    gotha = CityFactory(name="Gotha", slug="gotha", ags="16067029")
    gotha_concept = ConceptFactory(city=gotha)
    for back in ("/gotha/", f"/concepts/{gotha_concept.slug}/", f"/cities/{gotha.ags}/settings/"):
        assert buttons(f"/accounts/login/?next={back}") == ([], False), back
    assert buttons("/accounts/login/?next=/bochum/") == (["Stadt Bochum"], False)
    assert buttons("/accounts/login/?next=/hilfe/") == (["Stadt Bochum"], False)  # no city known: as before
    _provider(city=goerlitz, name="Landkreis Görlitz")
    _provider(name="Land (für alle)")
    concept = ConceptFactory(city=bochum)
    assert buttons(f"/accounts/login/?next=/concepts/{concept.slug}/members/") == (["Land (für alle)", "Stadt Bochum"], False)
    # an internal concept is none to the (anonymous) sign-in page: its city's button would tell that
    # it exists (decision 0074); the page answers as for a slug that names nothing
    draft = ConceptFactory(city=bochum, is_public=False)
    assert buttons(f"/accounts/login/?next=/concepts/{draft.slug}/members/") == buttons(
        "/accounts/login/?next=/concepts/gibt-es-nicht/members/") == (["Land (für alle)"], True)
    assert buttons(f"/accounts/login/?next=/cities/{goerlitz.ags}/settings/")[0] == ["Land (für alle)", "Landkreis Görlitz"]
    assert buttons("/accounts/login/?next=/bochum/")[0] == ["Land (für alle)", "Stadt Bochum"]
    assert buttons("/accounts/login/", HTTP_HOST="isek.goerlitz.example")[0] == ["Land (für alle)", "Landkreis Görlitz"]
    shown, choice = buttons("/accounts/login/?next=/hilfe/")
    assert shown == ["Land (für alle)"] and choice  # no city in context: a choice, not every button
    page = c.get("/accounts/login/?next=/hilfe/").content.decode()
    assert f'<option value="{bochum.ags}">Bochum</option>' in page and "Görlitz</option>" in page
    assert buttons(f"/accounts/login/?stadt={goerlitz.ags}&next=/hilfe/")[0] == ["Land (für alle)", "Landkreis Görlitz"]


def test_the_team_page_shows_the_persons_name_and_the_roles_from_the_citys_sign_in(settings):
    """The team page showed the user name (m.schulz) only and not where a role came from (sup22,
    point 11): the name the provider sent, the user name beside it, and a role the group mapping
    gave marked so."""
    settings.ISEK_REQUIRE_SECOND_FACTOR = False
    city = CityFactory(name="Gotha", ags="16067029")
    concept = ConceptFactory(city=city)
    provider = _provider(city=city, name="Stadt Gotha (Keycloak)")
    GroupRole.objects.create(provider=provider, group="Planung", role="planner", concept=concept)
    maria = services.external_sign_in(provider, {"sub": "7", "preferred_username": "m.schulz", "given_name": "Maria",
                                                 "family_name": "Schulz", "groups": ["Planung"]})
    boss = member(concept, "planner", "chefin")
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(boss)
    page = c.get(f"/concepts/{concept.slug}/members/").content.decode()
    row = page.split(f'data-user="{maria.username}"')[1].split("</tr>")[0]
    assert f'Maria Schulz <span class="kern-body--small">({maria.username})</span>' in row
    assert "über die Anmeldung der Stadt („Stadt Gotha (Keycloak)“)" in row
    own = page.split('data-user="chefin"')[1].split("</tr>")[0]
    assert "über die Anmeldung der Stadt" not in own
    # who signs in through a provider is marked so (decision 0078: a "-via-" name is not the only sign)
    assert "meldet sich über „Stadt Gotha (Keycloak)“ an" in row and "meldet sich über" not in own
    # a role changed in isek is no longer the provider's
    ConceptRole.objects.filter(concept=concept, user=maria).update(role="reviewer")
    row = c.get(f"/concepts/{concept.slug}/members/").content.decode().split(f'data-user="{maria.username}"')[1]
    assert "über die Anmeldung der Stadt" not in row.split("</tr>")[0]


def test_staff_sign_in_before_the_citys_first_concept_and_get_their_city_wide_role_when_it_comes(issuer):
    """Walk 22e (Jena): the IT sets up the sign-in before any concept exists. The first sign-in
    through the real provider creates the account and signs the person in, with no concept role
    and a page that says what the mapping will give; the city's first concept gives it (decision 0090)."""
    city = CityFactory(name="Jena", ags="16053000")
    provider = _provider(issuer, city=city, name="Stadt Jena")
    GroupRole.objects.create(provider=provider, group="isek-planung", role="planner")  # every concept of the city
    GroupRole.objects.create(provider=provider, group="isek-planung", role="reviewer")
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = c.get(through_provider(_start(c, provider), CALLBACK, "anna", "anna-pw"))
    assert r.status_code == 302 and "_auth_user_id" in c.session, r.content.decode()[:800]
    anna = get_user_model().objects.get(username="anna")
    assert not ConceptRole.objects.filter(user=anna).exists()
    page = c.get(r["Location"]).content.decode()
    assert ("Ihre Gruppe gibt Ihnen in isek die Rolle „Planung (bearbeiten)“ auf jedem Konzept der Stadt Jena; die "
            "Stadt hat aber noch kein Konzept.") in page
    starter = UserFactory(username="starterin")
    concepts.allow_starting(access.Operator("test"), starter, city, True)
    first = concepts.start_concept(starter, ags=city.ags, city_name=city.name, slug="jena-lobeda", name="Lobeda",
                                   programme="lebendige_zentren", legal_basis="baugb_142", start_year=2027, end_year=2032)
    assert ConceptRole.objects.get(user=anna, concept=first).role == "planner"
    assert ConceptRole.objects.get(user=starter, concept=first).role == "planner"  # the starter's own stays
    second = concepts.create_concept(access.Operator("test"), city, slug="jena-nord", name="Jena-Nord", programme="lebendige_zentren", legal_basis="baugb_142",
                                     start_year=2027, end_year=2032)
    assert ConceptRole.objects.get(user=anna, concept=second).role == "planner"
    # the next sign-in keeps them, without the notice; a person whose group lost the mapping loses them
    r = c.get(through_provider(_start(c, provider), CALLBACK, "anna", "anna-pw"))
    assert r.status_code == 302 and "noch kein Konzept" not in c.get(r["Location"]).content.decode()
    assert set(ConceptRole.objects.filter(user=anna).values_list("concept__slug", flat=True)) == {"jena-lobeda", "jena-nord"}
    GroupRole.objects.filter(provider=provider).delete()
    services.external_sign_in(provider, {"sub": ExternalIdentity.objects.get(user=anna).subject, "groups": ["isek-planung"]})
    # taken back, except where she is the concept's last planner (as for every mapped role: an administrator decides)
    assert list(ConceptRole.objects.filter(user=anna).values_list("concept__slug", flat=True)) == ["jena-nord"]
    third = concepts.create_concept(access.Operator("test"), city, slug="jena-west", name="Jena-West", programme="lebendige_zentren", legal_basis="baugb_142",
                                    start_year=2027, end_year=2032)
    assert not ConceptRole.objects.filter(concept=third).exists()


def test_a_city_wide_mapping_gives_nothing_on_another_citys_new_concept():
    city, other = CityFactory(name="Jena", ags="16053000"), CityFactory(name="Weimar", ags="16055000")
    provider = _provider(city=city)
    GroupRole.objects.create(provider=provider, group="GL", role="reviewer")
    user = services.external_sign_in(provider, {"sub": "7", "groups": ["GL"]})
    assert services.awaited_roles(provider, user) == "Prüfung (lesen)"
    concepts.create_concept(access.Operator("test"), other, slug="weimar", name="Weimar", programme="lebendige_zentren", legal_basis="baugb_142", start_year=2027, end_year=2032)
    assert not ConceptRole.objects.filter(user=user).exists()


def test_a_new_concept_gets_the_city_wide_role_of_the_mapping_of_now_not_of_the_last_sign_in():
    """Decision 0093 (second reading): a new concept gave the role stored at the person's last
    sign-in, though the city's administration had changed the mapping since – a group taken out of
    it, or lowered from planning to review, still gave planning on every new concept."""
    city = CityFactory(name="Jena", ags="16053000")
    admin = UserFactory(username="jena-admin")
    concepts.grant_city_role(access.Operator("test"), city, admin, concepts.CityRole.Role.ADMIN)
    provider = _provider(city=city)
    GroupRole.objects.create(provider=provider, group="GL", role="planner")
    GroupRole.objects.create(provider=provider, group="Amt", role="reviewer")
    gl = services.external_sign_in(provider, {"sub": "7", "groups": ["GL", "Kantine"]})
    amt = services.external_sign_in(provider, {"sub": "8", "groups": ["Amt"]})
    assert services.awaited_roles(provider, gl) == "Planung (bearbeiten)"

    def remap(*lines):
        services.save_city_provider(admin, city, provider.pk, name=provider.name, issuer=provider.issuer,
                                    client_id=CLIENT_ID, client_secret="", scopes=provider.scopes,
                                    groups_claim="groups", enabled=True,
                                    lines=[services.MappingLine(g, r, None) for g, r in lines])

    def new_concept(slug):
        return concepts.create_concept(access.Operator("test"), city, slug=slug, name=slug, programme="lebendige_zentren",
                                       legal_basis="baugb_142", start_year=2027, end_year=2032)

    remap(("GL", "reviewer"))  # GL lowered to review, Amt taken out
    assert services.awaited_roles(provider, gl) == "Prüfung (lesen)" and services.awaited_roles(provider, amt) == ""
    first = new_concept("jena-nord")
    assert dict(ConceptRole.objects.filter(concept=first).values_list("user__username", "role")) == {gl.username: "reviewer"}
    remap(("Amt", "planner"))  # GL out too, Amt back: Amt's person gets planning again, GL's nothing
    second = new_concept("jena-sued")
    assert dict(ConceptRole.objects.filter(concept=second).values_list("user__username", "role")) == {amt.username: "planner"}
    remap()
    assert not ConceptRole.objects.filter(concept=new_concept("jena-west")).exists()


def test_a_wrong_client_secret_says_the_sign_in_is_set_up_wrongly_and_the_city_administration_sees_when(issuer, settings):
    """Walk 22e: the provider answers invalid_client at its token endpoint – not the person's
    fault, nor an expired link: the page says so, and the city's sign-in page shows the error with
    its time (decision 0090)."""
    settings.ISEK_REQUIRE_SECOND_FACTOR = False
    city = CityFactory(name="Jena", ags="16053000")
    admin = UserFactory(username="jena-admin")
    concepts.grant_city_role(access.Operator("test"), city, admin, concepts.CityRole.Role.ADMIN)
    provider = _provider(issuer, city=city, name="Stadt Jena")
    provider.set_secret("falsch")
    provider.save()
    GroupRole.objects.create(provider=provider, group="isek-planung", role="starter")
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = c.get(through_provider(_start(c, provider), CALLBACK, "anna", "anna-pw"))
    page = r.content.decode()
    assert r.status_code == 502 and "_auth_user_id" not in c.session
    assert "ist in isek falsch eingerichtet: der Anbieter hat die Zugangsdaten von isek abgelehnt" in page
    assert "Administration der Stadt Jena" in page and "abgelaufen, schon benutzt" not in page
    provider.refresh_from_db()
    assert provider.last_error.startswith("invalid_client") and provider.last_error_at is not None
    a = Client(HTTP_ACCEPT_LANGUAGE="de")
    a.force_login(admin)
    shown = a.get(f"/cities/{city.ags}/sign-in/").content.decode()
    assert f'id="provider-error-{provider.pk}"' in shown and "der Anbieter hat die Zugangsdaten von isek abgelehnt" in shown
    # the secret entered anew: the error is about the old setting and goes
    services.save_city_provider(admin, city, provider.pk, name=provider.name, issuer=issuer, client_id=CLIENT_ID,
                                client_secret=CLIENT_SECRET, scopes=provider.scopes, groups_claim="groups", enabled=True,
                                lines=[services.MappingLine("isek-planung", "starter", None)])
    provider.refresh_from_db()
    assert provider.last_error == "" and provider.last_error_at is None
    r = c.get(through_provider(_start(c, provider), CALLBACK, "anna", "anna-pw"))
    assert r.status_code == 302 and "_auth_user_id" in c.session
