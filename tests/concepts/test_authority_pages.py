"""The funding authorities' pages of the installation's administrator (decision 0070): the list
with the districts, creating and editing an authority (bad prefixes refused, naming the other
authority, nothing saved), its staff granted and taken back by user name or invited by e-mail –
the invitation grants the role when accepted. Everything through concepts.services, in the
change history; nobody else gets the pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from isek.accounts import services as accounts
from isek.concepts import services
from isek.concepts.models import AuthorityRole, FundingAuthority
from isek.core.models import ChangeRecord
from tests.conftest import client_for
from tests.dbstate import checksum
from tests.factories import CityFactory, UserFactory, authority_staff, city_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, is_staff=True, username="root")


@pytest.fixture
def arnsberg(admin):
    return services.save_authority(admin, FundingAuthority(name="Bezirksregierung Arnsberg", land="05"), ["059"])


def text(response) -> str:
    return response.content.decode()


def test_the_list_shows_each_authority_with_its_district_and_links_from_the_start_page(admin, arnsberg):
    services.save_authority(admin, FundingAuthority(name="Thüringer Landesverwaltungsamt", land="16"), ["16"])
    client = client_for(admin)
    page = text(client.get("/authorities/"))
    rows = re.findall(r'<tr class="kern-table__row">\s*<td class="kern-table__cell"><a [^>]*>([^<]+)</a></td>\s*'
                      r'<td class="kern-table__cell">([^<]+)</td>\s*<td class="kern-table__cell">([^<]+)</td>', page)
    assert rows == [("Bezirksregierung Arnsberg", "Nordrhein-Westfalen", "059"),
                    ("Thüringer Landesverwaltungsamt", "Thüringen", "16")]
    assert 'href="/authorities/"' in text(client.get("/"))
    city = CityFactory(ags="05911000", name="Bochum")
    # with its article (decision 0085)
    assert "Die Anträge der Stadt prüft die Bezirksregierung Arnsberg." in text(client.get(f"/cities/{city.ags}/administration/"))


def test_an_authority_is_named_with_its_article_in_a_sentence():
    """Walk (Landshut): "Die Anträge der Stadt prüft Regierung von Niederbayern" (decision 0085)."""
    named = services.authority_in_sentence
    assert named("Regierung von Niederbayern") == "die Regierung von Niederbayern"
    assert named("Thüringer Landesverwaltungsamt") == "das Thüringer Landesverwaltungsamt"
    assert named("Landesamt für Bauen und Verkehr") == "das Landesamt für Bauen und Verkehr"
    assert named("Sächsische Aufbaubank") == "die Sächsische Aufbaubank"
    assert named("Die Senatorin für Bau, Mobilität und Stadtentwicklung") == (
        "die Senatorin für Bau, Mobilität und Stadtentwicklung")
    assert named("Regierung von Niederbayern", "en") == "Regierung von Niederbayern"


def test_a_new_authority_with_bad_prefixes_is_refused_with_a_clear_message_and_nothing_saved(admin, arnsberg):
    client = client_for(admin)
    form = {"save": "1", "name": "Bezirksregierung Münster", "land": "05", "source": "Destatis"}
    before = checksum()
    for land, prefixes, message in (
            ("05", "05x", "„05x“ ist kein AGS-Präfix: nur Ziffern, 2 bis 5 Stellen"),
            ("05", "0591", "„0591“ überschneidet sich mit „059“ von Bezirksregierung Arnsberg"),
            ("16", "055", "„055“ liegt nicht in Thüringen: dort beginnt jeder AGS mit 16."),
            ("05", "", "Dieses Feld ist zwingend erforderlich.")):
        response = client.post("/authorities/new/", form | {"land": land, "prefixes": prefixes})
        assert response.status_code == 400 and message in text(response), (prefixes, text(response))
        assert "Es wurde nichts gespeichert." in text(response)
    # a name that exists: isek's words, not Django's generic "… existiert bereits" (walk of Landshut, decision 0105)
    response = client.post("/authorities/new/", form | {"name": "Bezirksregierung Arnsberg", "prefixes": "055"})
    assert response.status_code == 400 and "existiert bereits" not in text(response)
    assert ("Eine Bewilligungsbehörde mit diesem Namen gibt es schon: „Bezirksregierung Arnsberg“. Bitte einen anderen "
            "Namen wählen; nichts wurde gespeichert.") in text(response)
    client.cookies["django_language"] = "en"
    english = text(client.post("/authorities/new/", form | {"name": "Bezirksregierung Arnsberg", "prefixes": "055"}))
    assert "A funding authority with this name exists already: “Bezirksregierung Arnsberg”." in english
    del client.cookies["django_language"]
    with translation.override("de"), pytest.raises(ValidationError, match="Eine Bewilligungsbehörde mit diesem Namen gibt"):
        services.save_authority(admin, FundingAuthority(name="Bezirksregierung Arnsberg", land="05"), ["055"])
    assert checksum() == before
    response = client.post("/authorities/new/", form | {"prefixes": "055, 0554"})
    assert response.status_code == 400 and "„055“ enthält schon „0554“" in text(response)
    response = client.post("/authorities/new/", form | {"prefixes": "055; 057"})
    muenster = FundingAuthority.objects.get(name="Bezirksregierung Münster")
    assert response.status_code == 302 and response["Location"] == f"/authorities/{muenster.pk}/administration/"
    assert sorted(muenster.prefixes.values_list("prefix", flat=True)) == ["055", "057"]
    assert ChangeRecord.objects.filter(user=admin, model="concepts.FundingAuthority", object_id=str(muenster.pk)).exists()


def test_editing_an_authority_checks_the_prefixes_against_the_land_chosen_and_keeps_the_stored_one(admin, arnsberg):
    client = client_for(admin)
    url = f"/authorities/{arnsberg.pk}/administration/"
    assert 'value="059"' in text(client.get(url))
    before = checksum()
    response = client.post(url, {"save": "1", "name": "BR Arnsberg", "land": "16", "prefixes": "059"})
    assert response.status_code == 400 and "„059“ liegt nicht in Thüringen" in text(response)
    assert "<h1 class=\"kern-heading-large\">Bezirksregierung Arnsberg</h1>" in text(response)  # the stored name
    assert checksum() == before
    response = client.post(url, {"save": "1", "name": "Bezirksregierung Arnsberg", "land": "05", "prefixes": "059, 053"})
    assert response.status_code == 302
    assert sorted(arnsberg.prefixes.values_list("prefix", flat=True)) == ["053", "059"]


def test_staff_granted_and_taken_back_by_user_name_unknown_names_change_nothing(admin, arnsberg):
    client = client_for(admin)
    url = f"/authorities/{arnsberg.pk}/administration/"
    UserFactory(username="anna", email="anna@example.org")
    before = checksum()
    response = client.post(url, {"grant": "1", "person": "niemand"})
    assert response.status_code == 400 and "Keinen Zugang mit diesem Namen oder dieser E-Mail gefunden" in text(response)
    response = client.post(url, {"revoke": "anna"})
    assert response.status_code == 400 and "„anna“ gehört nicht zur Prüfung von Bezirksregierung Arnsberg; nichts geändert." \
        in text(response)
    assert checksum() == before
    assert client.post(url, {"grant": "1", "person": "anna@example.org"}).status_code == 302
    assert list(AuthorityRole.objects.filter(authority=arnsberg).values_list("user__username", flat=True)) == ["anna"]
    assert '<td class="kern-table__cell">anna</td>' in text(client.get(url))
    assert client.post(url, {"revoke": "anna"}).status_code == 302
    assert not AuthorityRole.objects.filter(authority=arnsberg).exists()
    assert ChangeRecord.objects.filter(user=admin, model="concepts.AuthorityRole", action="delete").exists()


def test_an_invitation_by_e_mail_grants_the_authority_role_when_accepted(admin, arnsberg):
    client = client_for(admin)
    url = f"/authorities/{arnsberg.pk}/administration/"
    UserFactory(username="bert", email="bert@example.org")
    before = checksum()
    for email, message in (("kein-mail", "Bitte eine gültige E-Mail-Adresse angeben."),
                           ("bert@example.org", "Für bert@example.org gibt es schon einen Zugang.")):
        response = client.post(url, {"invite": "1", "email": email})
        assert response.status_code == 400 and message in text(response)
    assert checksum() == before and not mail.outbox
    assert client.post(url, {"invite": "1", "email": "Clara@Example.org"}).status_code == 302
    assert "clara@example.org" in text(client.get(url))
    body = mail.outbox[0].body
    assert "für die Bewilligungsbehörde Bezirksregierung Arnsberg, in der Rolle „Prüfung der Bewilligungsbehörde“" in body
    token = re.search(r"/accounts/invitation/([\w-]+)/", body)[1]
    clara = accounts.accept(token, "clara", "ein-langes-Passwort-2026")
    assert list(AuthorityRole.objects.filter(user=clara).values_list("authority__name", flat=True)) == [
        "Bezirksregierung Arnsberg"]
    assert not clara.has_perm("concepts.add_concept")  # an authority's invitation gives nothing else


def test_nobody_but_the_installations_administrator_gets_the_pages_or_invites_onto_the_staff(arnsberg):
    city = CityFactory(ags="05911000")
    users = (city_admin(city), authority_staff("059"), UserFactory())
    carla = city_admin(city, "carla")
    clients = [client_for(user) for user in users]  # signing in changes last_login: before the checksum
    before = checksum()
    for user, client in zip(users, clients, strict=True):
        for url in ("/authorities/", "/authorities/new/", f"/authorities/{arnsberg.pk}/administration/"):
            assert client.get(url).status_code == 403, url
        assert client.post(f"/authorities/{arnsberg.pk}/administration/", {"grant": "1", "person": user.username}).status_code == 403
    with pytest.raises(PermissionDenied):  # a city's administrator invites into the city, not onto a staff
        accounts.invite(carla, "x@example.org", base_url="http://x/", city=city, authority=arnsberg)
    assert checksum() == before and not mail.outbox


def test_the_pages_are_in_english_for_english_readers(admin, arnsberg):
    client = client_for(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "New funding authority" in text(client.get("/authorities/"))
    response = client.post(f"/authorities/{arnsberg.pk}/administration/", {"grant": "1", "person": "niemand"})
    assert "No account with this name or e-mail found; invite the person by e-mail." in text(response)
