"""An administrator invites a planner by e-mail; the one-time link sets a password; the new
planner may start concepts. The token is stored only as a hash and works once."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from isek.accounts.models import Invitation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _invite(client, email="planung@hoyerswerda.example"):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    r = client.post("/accounts/invite/", {"email": email, "may_start_concepts": "on"})
    assert r.status_code == 302, r.content.decode()[:500]
    client.logout()
    body = mail.outbox[-1].body
    return re.search(r"http://testserver(/accounts/invitation/[^\s]+/)", body).group(1)


def test_invited_planner_sets_a_password_and_may_start_a_concept(client):
    link = _invite(client)
    assert mail.outbox[-1].to == ["planung@hoyerswerda.example"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()  # only its hash is stored
    page = client.get(link)
    assert page.status_code == 200 and "planung@hoyerswerda.example" in page.content.decode()
    r = client.post(link, {"username": "hplanerin", "password1": "Stadtumbau-2026!", "password2": "Stadtumbau-2026!"})
    assert r.status_code == 302 and r["Location"] == "/concepts/new/"
    user = get_user_model().objects.get(username="hplanerin")
    assert user.email == "planung@hoyerswerda.example" and user.has_perm("concepts.add_concept")
    assert client.get("/concepts/new/").status_code == 200  # signed in
    client.logout()
    again = client.get(link)  # the link works once
    assert again.status_code == 404 and "ungültig, abgelaufen oder schon benutzt" in again.content.decode()


@pytest.mark.parametrize("data, message", [
    ({"username": "x", "password1": "kurz", "password2": "kurz"}, "zu kurz"),
    ({"username": "x", "password1": "planung.hoyerswerda", "password2": "planung.hoyerswerda"},
     "Das Passwort ähnelt zu sehr dem Eintrag „E-Mail-Adresse“."),
    ({"username": "x", "password1": "Stadtumbau-2026!", "password2": "anders-2026!"}, "stimmen nicht überein"),
    ({"username": "hat leerzeichen", "password1": "Stadtumbau-2026!", "password2": "Stadtumbau-2026!"}, "Benutzername"),
])
def test_bad_passwords_and_names_are_refused_and_the_link_stays(client, data, message):
    link = _invite(client)
    r = client.post(link, data, HTTP_ACCEPT_LANGUAGE="de")
    assert r.status_code == 400 and message in r.content.decode()
    assert not get_user_model().objects.filter(username=data["username"]).exists()
    assert client.get(link).status_code == 200


def test_taken_username_is_refused(client):
    UserFactory(username="vergeben")
    link = _invite(client)
    r = client.post(link, {"username": "vergeben", "password1": "Stadtumbau-2026!", "password2": "Stadtumbau-2026!"})
    assert r.status_code == 400 and "gibt es schon" in r.content.decode()


def test_only_administrators_invite(client):
    client.force_login(UserFactory())
    assert client.get("/accounts/invite/").status_code == 403
    assert client.post("/accounts/invite/", {"email": "a@b.example"}).status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox


def test_unknown_token_is_a_clear_404(client):
    r = client.get("/accounts/invitation/nichtda/")
    assert r.status_code == 404 and "ungültig" in r.content.decode()


def test_existing_account_is_not_invited_again(client):
    UserFactory(email="schon@da.example")
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    r = client.post("/accounts/invite/", {"email": "schon@da.example"})
    assert r.status_code == 400 and "gibt es schon einen Zugang" in r.content.decode()
    assert not mail.outbox


@pytest.mark.parametrize("lang, message", [("de", "Bitte eine gültige E-Mail-Adresse angeben."),
                                           ("en", "Please enter a valid email address.")])
def test_a_bad_address_gets_isek_s_own_message(client, lang, message):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    r = client.post("/accounts/invite/", {"email": "planung-at-hoyerswerda"}, HTTP_ACCEPT_LANGUAGE=lang)
    assert r.status_code == 400 and message in r.content.decode()
    assert "Gib " not in r.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


@pytest.mark.parametrize("lang, username, message", [
    ("de", "Anna Schmidt", "Ein Benutzername darf nur Buchstaben, Ziffern und die Zeichen . @ + - _ enthalten, nicht: Leerzeichen."),
    ("de", "anna#1 !", "Ein Benutzername darf nur Buchstaben, Ziffern und die Zeichen . @ + - _ enthalten, "
                       "nicht: „#“, Leerzeichen, „!“."),
    ("en", "Anna Schmidt", "A user name may contain only letters, digits and the signs . @ + - _, not: space."),
    ("en", "anna#1", "A user name may contain only letters, digits and the signs . @ + - _, not: “#”."),
])
def test_a_user_name_with_a_space_is_refused_saying_which_signs_are_allowed(client, lang, username, message):
    """Walk 8 (Köln): "Anna Schmidt" as user name got Django's vague "Bitte einen gültigen Wert eingeben."."""
    import html

    link = _invite(client)
    r = client.post(link, {"username": username, "password1": "Stadtumbau-2026!", "password2": "Stadtumbau-2026!"},
                    HTTP_ACCEPT_LANGUAGE=lang)
    page = html.unescape(r.content.decode())
    assert r.status_code == 400 and message in page
    assert "gültigen Wert" not in page and "valid value" not in page
    assert not get_user_model().objects.filter(username=username).exists()
    r = client.post(link, {"username": "anna.schmidt", "password1": "Stadtumbau-2026!", "password2": "Stadtumbau-2026!"})
    assert r.status_code == 302 and get_user_model().objects.filter(username="anna.schmidt").exists()


def test_the_invitation_mail_and_page_name_the_city_and_the_role(client):
    """Issue 22 walk: an invitation did not say for which city and role someone was invited."""
    from tests.factories import CityFactory

    city = CityFactory(name="Halberstadt", ags="15085135")
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.post("/accounts/invite/", {"email": "it@halberstadt.example", "city": city.pk,
                                             "city_admin": "on"}).status_code == 302
    assert client.post("/accounts/invite/", {"email": "p@halberstadt.example", "city": city.pk,
                                             "may_start_concepts": "on"}).status_code == 302
    assert client.post("/accounts/invite/", {"email": "p@bund.example", "may_start_concepts": "on"}).status_code == 302
    client.logout()
    said = "für die Stadt Halberstadt, in der Rolle „Administration der Stadt“"
    admin_mail, planner_mail, anywhere_mail = mail.outbox[-3:]
    assert f"Entwicklungskonzepte: {said}. Über diesen Link" in admin_mail.body
    assert "für die Stadt Halberstadt, mit dem Recht, dort Konzepte anzulegen." in planner_mail.body
    assert "für die ganze Installation, mit dem Recht, Konzepte anzulegen." in anywhere_mail.body
    link = re.search(r"http://testserver(/accounts/invitation/[^\s]+/)", admin_mail.body).group(1)
    assert f"Sie sind zu isek eingeladen: {said}." in client.get(link).content.decode()
    en = client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You are invited to isek: for the city of Halberstadt, in the role “city administration”." in en


def test_the_open_invitations_name_their_city_and_role(client):
    """The list showed only the address and the expiry (sup22, point 5)."""
    from isek import access
    from isek.accounts import services
    from isek.concepts.models import FundingAuthority
    from tests.factories import CityFactory

    gotha = CityFactory(name="Gotha", ags="16067029")
    services.invite(access.Operator("test"), "chefin@gotha.example", base_url="http://testserver", city=gotha,
                    city_admin=True, may_start_concepts=False)
    services.invite(access.Operator("test"), "planer@gotha.example", base_url="http://testserver", city=gotha)
    services.invite(access.Operator("test"), "gast@isek.example", base_url="http://testserver", may_start_concepts=False)
    # a reviewer of a funding authority was listed "Zugang ohne Rolle" (walk of Landshut, decision 0087)
    regierung = FundingAuthority.objects.create(name="Regierung von Niederbayern", land="09")
    services.invite(access.Operator("test"), "pruefung@reg-nb.example", base_url="http://testserver",
                    authority=regierung)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get("/accounts/invite/").content.decode()
    items = dict(re.findall(r'<li data-invitation="\d+">(\S+) – (.+?) \(gültig bis', page))
    assert items == {"chefin@gotha.example": "Stadt Gotha: Administration der Stadt",
                     "planer@gotha.example": "Stadt Gotha: darf Konzepte anlegen",
                     "gast@isek.example": "ganze Installation: Zugang ohne Rolle (Rollen in Konzepten vergibt deren Team-Seite)",
                     "pruefung@reg-nb.example": "Bewilligungsbehörde Regierung von Niederbayern: Prüfung der "
                                                "Bewilligungsbehörde"}


def test_the_same_address_is_not_invited_twice_and_an_open_invitation_is_withdrawn(client):
    """Walk 22 (Schwäbisch Gmünd): inviting the same address twice sent two mails and listed it
    twice; an open invitation could not be withdrawn (decision 0077)."""
    from tests.conftest import client_for
    from tests.dbstate import checksum
    from tests.factories import CityFactory, city_admin

    gmuend, other = CityFactory(name="Schwäbisch Gmünd", ags="08136065"), CityFactory(name="Aalen", ags="08136088")
    admin = client_for(city_admin(gmuend, "gd-admin"))
    form = {"email": "planung@gmuend.example", "city": gmuend.pk, "may_start_concepts": "on"}
    assert admin.post("/accounts/invite/", form).status_code == 302
    link = re.search(r"http://testserver(/accounts/invitation/[^\s]+/)", mail.outbox[-1].body).group(1)
    before, sent = checksum(), len(mail.outbox)
    r = admin.post("/accounts/invite/", {**form, "email": "Planung@gmuend.example "})
    assert r.status_code == 400 and "An planung@gmuend.example ist schon eine Einladung unterwegs" in r.content.decode()
    assert checksum() == before and len(mail.outbox) == sent
    page = admin.get("/accounts/invite/").content.decode()
    assert page.count('data-invitation="') == 1
    inv = Invitation.objects.get()
    # another city's administration neither sees nor withdraws it
    aalen = client_for(city_admin(other, "aa-admin"))
    aalen.post("/accounts/invite/", {"withdraw": inv.pk})
    assert Invitation.objects.filter(pk=inv.pk).exists()
    r = admin.post("/accounts/invite/", {"withdraw": inv.pk})
    assert r.status_code == 302 and not Invitation.objects.exists()
    assert "Die Einladung an planung@gmuend.example ist zurückgezogen" in admin.get(r["Location"]).content.decode()
    assert client.get(link).status_code == 404  # its link no longer works
    assert admin.post("/accounts/invite/", form).status_code == 302  # invited anew


def test_the_acceptance_form_says_every_problem_at_once(client):
    """Walk 22: the name taken, the password too short and the two passwords unequal were reported
    one after the other, one per sending (decision 0077)."""
    UserFactory(username="vergeben")
    link = _invite(client)
    r = client.post(link, {"username": "vergeben", "password1": "kurz", "password2": "anders"}, HTTP_ACCEPT_LANGUAGE="de")
    page = r.content.decode()
    assert r.status_code == 400
    assert "Den Benutzernamen „vergeben“ gibt es schon." in page and "zu kurz" in page and "stimmen nicht überein" in page
    assert get_user_model().objects.count() == 2 and client.get(link).status_code == 200


def test_the_city_invitation_mail_names_every_role_it_gives(client):
    """Issue 23 walk: an invitation as city administration that also allowed starting concepts named
    only "Administration der Stadt"."""
    from tests.factories import CityFactory

    city = CityFactory(name="Speyer", ags="07318000")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.post("/accounts/invite/", {"email": "it@speyer.example", "city": city.pk, "city_admin": "on",
                                             "may_start_concepts": "on"}).status_code == 302
    client.logout()
    said = ("für die Stadt Speyer, in der Rolle „Administration der Stadt“ und mit dem Recht, dort Konzepte "
            "anzulegen")
    body = mail.outbox[-1].body
    assert f"Entwicklungskonzepte: {said}. Über diesen Link" in body, body
    link = re.search(r"http://testserver(/accounts/invitation/[^\s]+/)", body).group(1)
    en = client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ("for the city of Speyer, in the role “city administration” and with the right to start concepts "
            "there.") in en


def test_a_second_tab_accepting_again_is_told_the_invitation_is_accepted(db):
    """Issue 23 walk: the same form sent again from a second tab answered 403 "Formular abgelaufen … nach
    langer Pause" (signing in in the first tab rotated the CSRF token)."""
    from django.test import Client

    from isek import access
    from isek.accounts import services

    _inv, link = services.invite(access.Operator("test"), "planung@speyer.example", base_url="http://testserver")
    link = link.removeprefix("http://testserver")
    first, second = Client(enforce_csrf_checks=True), None
    first.get(link)
    form_token = first.cookies["csrftoken"].value  # the token both tabs' forms carry
    data = {"username": "splanerin", "password1": "Stadtumbau-2026!", "password2": "Stadtumbau-2026!",
            "csrfmiddlewaretoken": form_token}
    # a forged form (no valid token) for the open invitation is still refused, and creates nothing
    second = Client(enforce_csrf_checks=True)
    refused = second.post(link, {**data, "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403 and "Formular ist abgelaufen" in refused.content.decode()
    assert not get_user_model().objects.filter(username="splanerin").exists()
    assert first.post(link, data).status_code == 302  # the first tab: accepted and signed in
    users = get_user_model().objects.count()
    for lang, said, go_on in (("de", "Diese Einladung ist schon angenommen", "Weiter: ein Konzept anlegen"),
                              ("en", "This invitation has already been accepted", "Next: start a concept")):
        again = first.post(link, {**data, "username": "zweiter"}, HTTP_ACCEPT_LANGUAGE=lang)  # the second tab
        page = again.content.decode()
        assert again.status_code == 200 and said in page and "abgelaufen" not in page, page[:2000]
        assert re.search(rf'<a class="kern-link" href="/concepts/new/" id="go-on">{go_on}</a>', page)
    assert get_user_model().objects.count() == users  # nothing more created
    signed_out = Client(enforce_csrf_checks=True).post(link, data)  # another browser: sign in to go on
    assert signed_out.status_code == 200 and 'href="/accounts/login/" id="go-on"' in signed_out.content.decode()
