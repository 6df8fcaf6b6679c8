"""Citizens' own accounts (walk 22: "/accounts/signup/ is 404", so a phase whose supports need an
account admitted staff only; decision 0078): sign up with an address and a password, a link by
e-mail confirms, an address with an account is answered alike, the account gives no role, and its
owner deletes it."""

from __future__ import annotations

import re

import altcha
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from isek import access
from isek.accounts import services
from isek.accounts.models import CitizenAccount
from tests.dbstate import UNCHECKED_TABLES, checksum
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Gruene-Wiese-42"
UNCHECKED = UNCHECKED_TABLES | {"core_ratecount", "core_usedtoken"}  # the proof of work used and the client's count: no data


@pytest.fixture(autouse=True)
def _cheap_work(settings):
    settings.ISEK_POW_COST = 20


def _solved(client) -> str:
    challenge = altcha.v2.Challenge.from_dict(client.get("/accounts/signup/challenge/").json())
    return altcha.v2.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()


def _signup(client, **over):
    data = {"email": "eva@example.org", "display_name": "Eva", "password1": PASSWORD, "password2": PASSWORD,
            "next": "/concepts/x/", "altcha": _solved(client), **over}
    return client.post("/accounts/signup/", data)


def _main_text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1].split("</main>", 1)[0]).split())


def _main(response) -> str:
    return _main_text(response.content.decode())


def _link(message) -> str:
    return re.search(r"http://testserver(/accounts/signup/confirm/[^/\s]+/)", message.body).group(1)


def test_sign_up_confirm_sign_in_no_role_and_an_address_with_an_account_answered_alike():
    UserFactory(username="planerin", email="planerin@stadt.example")
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    assert 'name="email"' in c.get("/accounts/signup/?next=/concepts/x/").content.decode()
    r = _signup(c)
    new_page = r.content.decode()
    assert r.status_code == 200 and "Wir haben eine E-Mail an eva@example.org geschickt" in new_page
    assert "gilt nun diese Anmeldung" in new_page  # a second sign-up replaces the first, said to everyone alike
    user = get_user_model().objects.get(email="eva@example.org")
    assert not user.is_active and CitizenAccount.objects.get(user=user).display_name == "Eva"
    # not confirmed: no sign-in (so no support)
    assert not Client().login(username="eva@example.org", password=PASSWORD)
    # the staff member's address: the same answer, the mail tells its owner
    r = _signup(Client(HTTP_ACCEPT_LANGUAGE="de"), email="Planerin@stadt.example")
    assert r.status_code == 200 and _main(r).replace("Planerin@stadt.example", "eva@example.org") == _main_text(new_page)
    assert get_user_model().objects.filter(email__iexact="planerin@stadt.example").count() == 1
    assert [m.to for m in mail.outbox] == [["eva@example.org"], ["Planerin@stadt.example"]]
    assert "gibt es schon ein Konto" in mail.outbox[1].body and "/accounts/signup/confirm/" not in mail.outbox[1].body
    # the link: a page with a button (a mail scanner's GET confirms nothing), the button confirms and signs in
    link = _link(mail.outbox[0])
    assert c.get(link).status_code == 200 and not get_user_model().objects.get(pk=user.pk).is_active
    # the button confirms with the account's password (a wrong one: asked again, nothing changed)
    before = checksum(UNCHECKED)
    r = c.post(link, {"password": "falsch-geraten-1"})
    assert r.status_code == 400 and "Das Passwort passt nicht zu diesem Konto" in r.content.decode()
    assert checksum(UNCHECKED) == before and 'id="confirm-form"' in r.content.decode()
    r = c.post(link, {"password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/concepts/x/"
    user.refresh_from_db()
    assert user.is_active and CitizenAccount.objects.get(user=user).confirmed_at is not None
    assert c.get("/accounts/account/").content.decode().count("eva@example.org") >= 1
    # a citizen gets no role anywhere
    assert not user.is_staff and not user.is_superuser and not user.has_perm("concepts.add_concept")
    assert not access.allows_site_somewhere(user, "concept", "create") and not access.needs_second_factor(user)
    # signs in with the address
    assert Client().login(username="eva@example.org", password=PASSWORD)
    # a wrong link changes nothing, with a message
    before = checksum()
    r = c.post(link[:-5] + "xxxx/")
    assert r.status_code == 404 and "kennt isek nicht" in r.content.decode() and checksum() == before


@pytest.mark.parametrize("over, message", [
    ({"email": "eva@"}, "kann isek nicht als Adresse eines Kontos nutzen"),
    ({"email": "eva hansen@example.org"}, "kann isek nicht als Adresse eines Kontos nutzen"),
    # walk 22: refused without a reason; now the characters named, and what is taken
    ({"email": "Bürger.Müller@example.de"}, "„Bürger.Müller@example.de“ enthält vor dem @ „ü“. Dort nimmt isek nur "
                                            "Buchstaben ohne Umlaut und ß (a–z), Ziffern und die Zeichen . _ - + an."),
    ({"email": "straße@example.de"}, "enthält vor dem @ „ß“."),
    ({"password2": "anders-als-oben-1"}, "Die beiden Passwörter stimmen nicht überein."),
    ({"password1": "12345678", "password2": "12345678"}, "Dieses Passwort ist zu üblich"),
    ({"password1": "kurz", "password2": "kurz"}, "zu kurz"),
    ({"altcha": ""}, "Prüfung gegen automatische Einsendungen"),
    ({"website": "http://spam.example"}, "verstecktes Feld"),
])
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(over, message):
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    before = checksum(UNCHECKED)
    r = _signup(c, **over)
    assert r.status_code == 400 and message in r.content.decode()
    assert checksum(UNCHECKED) == before and not mail.outbox


def test_a_burst_of_mails_to_one_address_stops_and_a_link_not_opened_is_sent_again(settings):
    settings.ISEK_PARTICIPATION_RATE = {**settings.ISEK_PARTICIPATION_RATE, "signup": (100, 600)}
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    for _n in range(services.SIGNUP_MAILS):
        assert _signup(c, password1="Anderes-Passwort-7", password2="Anderes-Passwort-7").status_code == 200
    user = get_user_model().objects.get(email="eva@example.org")
    assert user.check_password(PASSWORD) is False and user.check_password("Anderes-Passwort-7")
    assert len(mail.outbox) == services.SIGNUP_MAILS and all("/accounts/signup/confirm/" in m.body for m in mail.outbox)
    # walk 22: a second sign-up replaced the first without a word – the mail says so (the page says it
    # to everyone alike: whether the address has an account is not told there)
    replaced = "Diese Anmeldung ersetzt die frühere: es gelten das zuletzt angegebene Passwort"
    assert replaced not in mail.outbox[0].body and all(replaced in m.body for m in mail.outbox[1:])
    r = _signup(c)
    assert r.status_code == 400 and "schon mehrere E-Mails geschickt" in r.content.decode()
    assert len(mail.outbox) == services.SIGNUP_MAILS and get_user_model().objects.count() == 1


def test_an_account_not_confirmed_in_time_goes_and_its_link_with_it():
    import datetime

    from django.utils import timezone

    services.sign_up("ole@example.org", PASSWORD, base_url="http://testserver/")
    link = _link(mail.outbox[0])
    assert services.purge_unconfirmed() == 0
    later = timezone.now() + datetime.timedelta(days=services.SIGNUP_LINK_DAYS, minutes=1)
    assert services.purge_unconfirmed(now=later) == 1 and not get_user_model().objects.exists()
    r = Client(HTTP_ACCEPT_LANGUAGE="de").get(link)
    assert r.status_code == 404 and "kennt isek nicht" in r.content.decode()


def test_the_confirmation_link_signs_in_once_and_then_asks_to_sign_in():
    """Issue 22 walk: the link signed anyone in again for its 3 days after the account was confirmed
    (decision 0084): now a fresh client reusing it gets "schon verwendet" with a sign-in link, and
    nobody is signed in."""
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    _signup(c)
    link = _link(mail.outbox[0])
    assert c.post(link, {"password": PASSWORD}).status_code == 302
    before = checksum(UNCHECKED | {"django_session"})
    for method in ("get", "post"):
        other = Client(HTTP_ACCEPT_LANGUAGE="de")
        r = getattr(other, method)(link, {"password": PASSWORD} if method == "post" else None)
        page = r.content.decode()
        assert r.status_code == 410 and "Dieser Link wurde schon verwendet – bitte melden Sie sich an." in page
        assert 'href="/accounts/login/?next=/concepts/x/"' in page and 'id="confirm-form"' not in page
        assert "_auth_user_id" not in other.session and other.get("/accounts/account/").status_code != 200
    assert checksum(UNCHECKED | {"django_session"}) == before
    with pytest.raises(services.LinkUsed):
        services.confirm_signup(link.rstrip("/").rsplit("/", 1)[1], PASSWORD)


def test_who_signed_up_first_with_anothers_address_cannot_take_the_account_over():
    """Second reading of decision 0084: someone signs up with another's address and a password of
    their own; the owner signs up too and confirms from the mail. The newest sign-up's password
    counts, the older link is dead, and confirming asks for the password: the first one gains
    nothing."""
    services.sign_up("ida@example.org", "Des-Fremden-Passwort-9", base_url="http://testserver/", display_name="Fremd")
    first = _link(mail.outbox[0])
    import time

    time.sleep(1.05)  # the links carry the second of joining
    services.sign_up("ida@example.org", PASSWORD, base_url="http://testserver/", display_name="Ida")
    latest = _link(mail.outbox[1])
    user = get_user_model().objects.get(email="ida@example.org")
    assert user.check_password(PASSWORD) and not user.check_password("Des-Fremden-Passwort-9")
    assert CitizenAccount.objects.get(user=user).display_name == "Ida"
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = c.post(first, {"password": PASSWORD})
    assert r.status_code == 404 and "kennt isek nicht" in r.content.decode()
    r = c.post(latest, {"password": "Des-Fremden-Passwort-9"})  # the first one's password: no
    assert r.status_code == 400 and not get_user_model().objects.get(pk=user.pk).is_active
    assert c.post(latest, {"password": PASSWORD}).status_code == 302
    assert not Client().login(username="ida@example.org", password="Des-Fremden-Passwort-9")


def test_two_sign_ups_of_one_new_address_at_once_give_one_account_and_no_error(monkeypatch):
    """Second reading: two sign-ups of one new address at the same moment – both looked and found
    none, the second insert met the first's row and the page answered 500. Now the second counts as
    the newer sign-up: one account, its password, a link in each mail."""
    services.sign_up("jo@example.org", "Erstes-Passwort-77", base_url="http://testserver/")
    real, calls = services.models_q, []

    def first_look_misses(email):  # the other request's row is not visible yet when this one looks
        calls.append(email)
        return real("nobody@invalid") if len(calls) == 1 else real(email)

    monkeypatch.setattr(services, "models_q", first_look_misses)
    services.sign_up("JO@example.org", PASSWORD, base_url="http://testserver/", display_name="Jo")
    assert len(calls) == 2  # it looked, tried to insert, and found the other's account
    user = get_user_model().objects.get(email__iexact="jo@example.org")
    assert get_user_model().objects.filter(email__iexact="jo@example.org").count() == 1
    assert user.check_password(PASSWORD) and not user.is_active
    assert CitizenAccount.objects.get(user=user).display_name == "Jo"
    assert len(mail.outbox) == 2 and all("/accounts/signup/confirm/" in m.body for m in mail.outbox)


def test_a_citizens_account_is_offered_no_api_keys_and_cannot_make_one():
    """Issue 22 walk: citizens' accounts saw "API-Schlüssel" (decision 0084); staff accounts keep it."""
    from isek.api.models import Token

    user = get_user_model().objects.create_user("ida@example.org", "ida@example.org", PASSWORD)
    CitizenAccount.objects.create(user=user, confirmed_at=user.date_joined)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(user)
    assert "API-Schlüssel" not in c.get("/accounts/account/").content.decode()
    refused = c.get("/api/tokens/")  # a page people read: its refusal is a page, not a line of JSON
    assert refused.status_code == 403 and refused["Content-Type"].startswith("text/html")
    page = refused.content.decode()
    assert "Nur für Konten der Verwaltung" in page and "Bürgerkonten" in page and 'href="/api/docs/"' in page
    assert "Planerinnen und Planer" not in page  # not sent to a concept's planners
    assert c.post("/api/tokens/", {"name": "Mein Skript"}).status_code == 403 and not Token.objects.exists()
    staff = Client(HTTP_ACCEPT_LANGUAGE="de")
    staff.force_login(UserFactory(username="planerin"))
    assert 'href="/api/tokens/"' in staff.get("/accounts/account/").content.decode()
    assert staff.post("/api/tokens/", {"name": "Mein Skript"}).status_code == 200 and Token.objects.count() == 1
