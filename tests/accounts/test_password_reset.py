"""A new password by mail (decision 0086), for citizens' accounts and local staff accounts – not
for those that sign in through an identity provider: Django's token, valid a day and once; the
same answer for every address; the mails to one address limited with the sign-up's; linked from
the sign-in page. The citizens' mails name the city whose page the citizen came from."""

from __future__ import annotations

import datetime
import re

import altcha
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client

from isek.accounts import services
from isek.accounts.models import CitizenAccount, ExternalIdentity, IdentityProvider
from tests.dbstate import UNCHECKED_TABLES, checksum
from tests.factories import CityFactory, ConceptFactory

pytestmark = pytest.mark.django_db
OLD, NEW = "Alte-Wiese-2026", "Neue-Wiese-2027"
UNCHECKED = UNCHECKED_TABLES | {"core_ratecount", "core_usedtoken"}  # the address's count of mails, the proof of work used: no data


@pytest.fixture(autouse=True)
def _cheap_work(settings):
    settings.ISEK_POW_COST = 20


@pytest.fixture
def people():
    User = get_user_model()
    citizen = User.objects.create_user("eva@example.org", email="eva@example.org", password=OLD)
    CitizenAccount.objects.create(user=citizen)
    staff = User.objects.create_user("planerin", email="planerin@stadt.example", password=OLD)
    external = User.objects.create_user("keycloak-7", email="ina@stadt.example")
    external.set_unusable_password()
    external.save()
    provider = IdentityProvider.objects.create(name="Stadt", issuer="https://login.stadt.example", client_id="isek")
    ExternalIdentity.objects.create(provider=provider, subject="7", user=external)
    # an identity provider's person who also got a password somehow: still not by mail
    both = User.objects.create_user("keycloak-8", email="olaf@stadt.example", password=OLD)
    ExternalIdentity.objects.create(provider=provider, subject="8", user=both)
    return {"citizen": citizen, "staff": staff}


def _solved(client) -> str:
    challenge = altcha.v2.Challenge.from_dict(client.get("/accounts/signup/challenge/").json())
    return altcha.v2.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()


def _ask(client, email, next_url="", **over):
    return client.post("/accounts/password/reset/", {"email": email, "next": next_url, "altcha": _solved(client), **over})


def _main(response, address="") -> str:
    page = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", page).replace(address, "ADRESSE").split())


def _link(message) -> str:
    return re.search(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body).group(1)


def test_a_citizen_and_a_planner_set_a_new_password_through_the_mailed_link_once(people):
    city = CityFactory(name="Altstadt", ags="05911000")
    concept = ConceptFactory(city=city, is_public=True)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    login = c.get(f"/accounts/login/?next=/concepts/{concept.slug}/").content.decode()
    assert f'href="/accounts/password/reset/?next=/concepts/{concept.slug}/"' in login
    for person, address in ((people["citizen"], "eva@example.org"), (people["staff"], "Planerin@Stadt.example")):
        mail.outbox.clear()
        assert _ask(c, address, f"/concepts/{concept.slug}/").status_code == 200
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [person.email]
        message = mail.outbox[0]
        assert message.subject == "Neues Passwort für Ihr Konto bei isek für Altstadt"
        assert f"für das Konto „{person.username}“ bei isek für Altstadt" in message.body and "24 Stunden" in message.body
        link = _link(message)
        form_page = c.get(link, follow=True)
        assert form_page.status_code == 200 and 'name="new_password1"' in form_page.content.decode()
        done = c.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
        assert done.status_code == 302 and done["Location"] == "/accounts/login/"
        person.refresh_from_db()
        assert person.check_password(NEW)
        assert Client().post("/accounts/login/", {"username": person.username, "password": NEW}).status_code == 302
        used = c.get(link)  # once: the token changes with the password
        assert used.status_code == 404 and "Dieser Link gilt nicht (mehr)" in used.content.decode()


def test_every_address_gets_the_same_answer_and_only_isek_passwords_get_a_mail(people):
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    answers = set()
    for address, mails in (("eva@example.org", 1), ("niemand@example.org", 0), ("ina@stadt.example", 0),
                           ("olaf@stadt.example", 0)):
        mail.outbox.clear()
        r = _ask(c, address)
        assert r.status_code == 200 and len(mail.outbox) == mails, address
        answers.add(_main(r, address))
    assert len(answers) == 1 and "Gehört die Adresse ADRESSE zu einem Konto" in answers.pop()
    r = _ask(c, "keine-adresse")
    assert r.status_code == 400 and "Bitte eine gültige E-Mail-Adresse angeben." in r.content.decode()


def test_the_mails_to_one_address_are_limited_apart_from_the_sign_ups_whatever_the_address(people, settings):
    """Second reading: resets and sign-ups shared one count per address, so three anonymous requests an
    hour for someone's address kept their sign-up mails away too. Now counted apart; and one client
    asking for many addresses is limited (ISEK_RATE_PASSWORD_RESET)."""
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    services.sign_up("eva@example.org", OLD, base_url="http://testserver/")  # a sign-up mail: not a reset's
    for address in ("eva@example.org", "niemand@example.org"):
        for _n in range(services.SIGNUP_MAILS):
            assert _ask(c, address).status_code == 200
        before, sent = checksum(UNCHECKED), len(mail.outbox)
        r = _ask(c, address)
        assert r.status_code == 400 and "schon mehrere E-Mails geschickt" in r.content.decode(), address
        assert len(mail.outbox) == sent and checksum(UNCHECKED) == before
    services.sign_up("niemand@example.org", OLD, base_url="http://testserver/")  # its sign-up still gets its mail
    assert mail.outbox[-1].to == ["niemand@example.org"]
    settings.ISEK_PARTICIPATION_RATE = {**settings.ISEK_PARTICIPATION_RATE, "password-reset": (2, 600)}
    other = Client(HTTP_ACCEPT_LANGUAGE="de", REMOTE_ADDR="203.0.113.9")
    assert [_ask(other, f"x{n}@example.org").status_code for n in range(3)] == [200, 200, 400]
    assert "sehr viele Anfragen" in _ask(other, "y@example.org").content.decode()


def test_a_mail_server_that_fails_gives_the_same_answer(people, monkeypatch):
    import smtplib

    def refuse(*_a, **_k):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(services, "send_mail", refuse)
    r = _ask(Client(HTTP_ACCEPT_LANGUAGE="de"), people["citizen"].email)
    assert r.status_code == 200 and 'id="reset-sent"' in r.content.decode()


def test_a_link_holds_one_day(people, monkeypatch):
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    _ask(c, "eva@example.org")
    link = _link(mail.outbox[0])
    later = datetime.datetime.now() + datetime.timedelta(hours=25)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    r = c.get(link, follow=True)
    assert r.status_code == 404 and "Dieser Link gilt nicht (mehr)" in r.content.decode()
    people["citizen"].refresh_from_db()
    assert people["citizen"].check_password(OLD)


def test_the_sign_up_mail_names_the_city_the_citizen_came_from(people):
    """Issue 22 walk: the mails said "isek" alone; a citizen of Altstadt read of a platform they did
    not know. They name the city whose page (a public concept, its start page) the sign-up came from."""
    city = CityFactory(name="Altstadt", ags="05911000")
    concept = ConceptFactory(city=city, is_public=True)
    draft = ConceptFactory(city=CityFactory(name="Bergdorf", ags="05913000"), is_public=False)
    for n, (next_url, site) in enumerate(((f"/concepts/{concept.slug}/", "isek für Altstadt"),
                                          (f"/{city.slug}/", "isek für Altstadt"), (f"/concepts/{draft.slug}/", "isek"),
                                          ("", "isek"))):
        mail.outbox.clear()
        services.sign_up(f"neu{n}@example.org", OLD, base_url="http://testserver/", next_url=next_url)
        assert mail.outbox[0].subject == f"Ihr Konto bei {site}", next_url
        assert f"Ihr Konto bei {site} über diesen Link" in mail.outbox[0].body
    # an address with an account is told so, naming the city too
    mail.outbox.clear()
    services.sign_up("planerin@stadt.example", OLD, base_url="http://testserver/", next_url=f"/{city.slug}/")
    assert "schon ein Konto bei isek für Altstadt" in mail.outbox[0].body


def test_the_new_password_form_speaks_isek_german_not_djangos(people):
    """Walk 22e: Django's "Bitte das selbe Passwort zur Bestätigung erneut eingeben." on the form."""
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    _ask(c, "eva@example.org")
    form_page = c.get(_link(mail.outbox[0]), follow=True)
    page = form_page.content.decode()
    assert "Zur Bestätigung dasselbe Passwort noch einmal eingeben." in page and "das selbe" not in page
    before = checksum(UNCHECKED)
    refused = c.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW + "x"})
    assert refused.status_code == 200 and "Die beiden Passwörter stimmen nicht überein." in refused.content.decode()
    assert checksum(UNCHECKED) == before and people["citizen"].check_password(OLD)


def test_the_reset_form_asks_for_the_proof_of_work_and_has_the_honeypot_like_the_sign_up(people):
    """Decision 0093: the sign-up's form had the proof of work (ALTCHA) and the honeypot, the reset's
    neither – a program could ask for mails to any address as fast as the rate limit allowed."""
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    form = c.get("/accounts/password/reset/").content.decode()
    assert '<altcha-widget challenge="/accounts/signup/challenge/"' in form and 'name="website"' in form
    before = checksum(UNCHECKED)
    for over, said in (({"altcha": ""}, "Prüfung gegen automatische Einsendungen fehlt"),
                       ({"altcha": "kaputt"}, "Prüfung gegen automatische Einsendungen fehlt"),
                       ({"website": "http://spam.example"}, "ein verstecktes Feld war ausgefüllt")):
        r = _ask(c, "eva@example.org", **over)
        assert r.status_code == 400 and said in r.content.decode(), over
    reused = _solved(c)
    assert _ask(c, "eva@example.org", altcha=reused).status_code == 200
    assert len(mail.outbox) == 1
    r = _ask(c, "eva@example.org", altcha=reused)  # a solution counts once
    assert r.status_code == 400 and "Prüfung gegen automatische Einsendungen fehlt" in r.content.decode()
    assert len(mail.outbox) == 1
    assert checksum(UNCHECKED) == before  # the refusals and the one mail changed no data


def test_known_and_unknown_addresses_get_the_same_bytes_and_the_mail_goes_only_after_the_answer(people, monkeypatch):
    """Decision 0093 (timing): the reset mail was sent while the request ran, so the answer to an
    address with an account came later than to one without. Now the page is rendered before any
    mail is sent (the mail goes when the response is closed, after it was written), the pages are
    the same bytes but for the address asked for, and only the known address gets a mail."""
    from isek.accounts import views

    sent_while_answering = []
    render = views.render

    def watching(request, template, context=None, **kw):
        if context and context.get("sent"):
            sent_while_answering.append(len(mail.outbox))
        return render(request, template, context, **kw)

    monkeypatch.setattr(views, "render", watching)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    pages = {}
    for address in ("eva@example.org", "ida@example.org"):  # the same length: the same bytes but for the address
        mail.outbox.clear()
        r = _ask(c, address)
        assert r.status_code == 200
        pages[address] = r.content.replace(address.encode(), b"ADRESSE")
        assert [m.to for m in mail.outbox] == ([[address]] if address == "eva@example.org" else []), address
    assert sent_while_answering == [0, 0]  # no mail yet while the page was made
    assert pages["eva@example.org"] == pages["ida@example.org"]
