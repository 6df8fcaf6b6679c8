"""Supports that mean one per person (issue 22, decision 0041), through the pages as citizens use
them: each phase chooses what a support needs – nothing (counted, "nicht bestätigt"), an e-mail
address confirmed through a link (one support per address), or an account; every support passes
the proof of work and the rate limit; the counts say how many are confirmed wherever they appear."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.test import Client

from isek.participation import services
from isek.participation.models import Contributor, Phase, Support
from tests.factories import MeasureFactory, UserFactory, member

from .conftest import INSIDE, OPERATOR
from .test_pages import solved

Needs = Phase.SupportNeeds


@pytest.fixture(autouse=True)
def _cheap_work(db, settings):
    settings.ISEK_POW_COST = 20


@pytest.fixture
def published(phase, citizen):
    i = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="Bänke", text="Mehr Bänke",
                             geometry=INSIDE)
    services.decide(OPERATOR, i, "approve")
    return i


def _needs(phase, needs):
    phase.support_needs = needs
    phase.save(update_fields=["support_needs"])


def _url(idea) -> str:
    return f"/concepts/{idea.phase.concept.slug}/participation/ideas/{idea.pk}/"


def _support(client, idea, **data):
    return client.post(_url(idea) + "support/", {"altcha": solved(client, idea.phase.concept), **data})


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())


def _counts(client, idea) -> str:
    page = client.get(_url(idea)).content.decode()
    return re.sub(r"<[^>]+>", "", page.split('id="support-count">')[1].split("</span>")[0])


def _link(message) -> str:
    return re.search(r"http://testserver(/participation/supports/\S+/)", message.body)[1]


def test_a_client_that_drops_its_cookies_cannot_add_a_second_confirmed_support(phase, published):
    _needs(phase, Needs.EMAIL)
    anna = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = _support(anna, published, support_email="anna@example.org")
    assert r.status_code == 302
    page = _text(anna.get(r["Location"]))
    assert "Wir haben eine E-Mail an anna@example.org geschickt" in page and "wartet auf die Bestätigung" in page
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anna@example.org"]
    link = _link(mail.outbox[0])
    with_button = anna.get(link)
    assert with_button.status_code == 200 and "Unterstützung bestätigen" in _text(with_button)
    assert anna.post(link).status_code == 302
    assert _counts(anna, published) == "1 Unterstützung, davon 1 bestätigt"

    # The same person in a browser without cookies, the address written otherwise: nothing is added,
    # and within the hour no second mail (walk 22 M12a); after it, the mail says why nothing is added.
    for _attempt in range(2):
        fresh = Client(HTTP_ACCEPT_LANGUAGE="de")
        r = _support(fresh, published, support_email="  Anna@Example.ORG ")
        assert r.status_code == 302 and "Wir haben Ihnen bereits einen Link" in _text(fresh.get(r["Location"]))
    assert len(mail.outbox) == 1
    services.supports.MAIL_WINDOW, window = 1, services.supports.MAIL_WINDOW
    try:
        time.sleep(1.1)
        fresh = Client(HTTP_ACCEPT_LANGUAGE="de")
        r = _support(fresh, published, support_email="  Anna@Example.ORG ")
        assert r.status_code == 302 and "Wir haben eine E-Mail" in _text(fresh.get(r["Location"]))
    finally:
        services.supports.MAIL_WINDOW = window
    assert len(mail.outbox) == 2 and "unterstützen Sie die Idee" in mail.outbox[-1].body
    assert "bereits" in mail.outbox[-1].body and "/participation/supports/" not in mail.outbox[-1].body
    assert anna.post(link).status_code == 302  # the link a second time changes nothing
    assert Support.objects.count() == 1 and _counts(Client(), published) == "1 Unterstützung, davon 1 bestätigt"
    # Of the address only a keyed hash is kept, nowhere the address itself.
    stored = str(list(Support.objects.values())) + str(list(Contributor.objects.values()))
    assert "anna" not in stored.lower() and Support.objects.get().email_hash


def test_an_unconfirmed_support_does_not_count_until_the_link_is_opened(phase, published, concept):
    _needs(phase, Needs.EMAIL)
    ben = Client(HTTP_ACCEPT_LANGUAGE="de")
    assert _support(ben, published, support_email="ben@example.org").status_code == 302
    geojson = f"/concepts/{concept.slug}/ideas.geojson"
    public = Client(HTTP_ACCEPT_LANGUAGE="de")
    assert _counts(public, published) == "0 Unterstützungen"
    assert public.get(geojson).json()["features"][0]["properties"].items() >= {"supports": 0, "supports_confirmed": 0}.items()
    assert "0 Unterstützungen" in _text(public.get(f"/concepts/{concept.slug}/participation/"))
    link = _link(mail.outbox[0])
    assert ben.get(link).status_code == 200 and _counts(public, published) == "0 Unterstützungen"  # opened, not confirmed
    assert Client().post(link).status_code == 302  # in any browser: the link is what counts
    assert _counts(public, published) == "1 Unterstützung, davon 1 bestätigt"
    assert public.get(geojson).json()["features"][0]["properties"].items() >= {"supports": 1, "supports_confirmed": 1}.items()
    assert "1 Unterstützung, davon 1 bestätigt" in _text(public.get(f"/concepts/{concept.slug}/participation/"))
    api = public.get(f"/api/v1/concepts/{concept.slug}/ideas/").json()["features"][0]["properties"]
    assert (api["supports"], api["supports_confirmed"]) == (1, 1)
    streamed = public.get(f"/ogc/collections/{concept.slug}.ideas/items", HTTP_ACCEPT="application/geo+json")
    ogc = json.loads(b"".join(streamed.streaming_content))
    assert ogc["features"][0]["properties"]["supports_confirmed"] == 1
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    csv = planner.get(f"/concepts/{concept.slug}/participation/export.csv").content.decode("utf-8-sig").splitlines()
    assert "Unterstützungen;davon bestätigt" in csv[0] and ";1;1;" in csv[1]
    stats = _text(planner.get(f"/concepts/{concept.slug}/participation/statistics/"))
    assert "1 Unterstützung, davon 1 bestätigt" in stats and "davon bestätigt" in stats


def test_an_expired_or_invalid_link_says_so_and_changes_nothing(phase, published, monkeypatch):
    _needs(phase, Needs.EMAIL)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    assert _support(client, published, support_email="cem@example.org").status_code == 302
    link = _link(mail.outbox[0])
    token = link.split("/")[-2]
    for wrong in (link.replace(token, token[:-3] + "abc"), "/participation/supports/unbekannt/"):
        for method in (client.get, client.post):
            r = method(wrong)
            assert r.status_code == 404 and "Diesen Bestätigungslink kennt isek nicht" in _text(r)
            assert "Es wurde nichts geändert." in _text(r)

    class Later:
        @staticmethod
        def time():
            return time.time() + (services.supports.LINK_DAYS * 24 + 1) * 3600

    monkeypatch.setattr(signing, "time", Later)
    for method in (client.get, client.post):
        r = method(link)
        assert r.status_code == 404 and "Dieser Bestätigungslink ist abgelaufen" in _text(r)
    assert Support.objects.get().confirmation == Support.Confirmation.PENDING
    monkeypatch.undo()
    # Asked again, a new link goes out for the same support, and it works.
    assert _support(Client(), published, support_email="cem@example.org").status_code == 302
    assert Client().post(_link(mail.outbox[-1])).status_code == 302
    assert Support.objects.get().confirmation == Support.Confirmation.EMAIL
    # A link of a phase that has closed since confirms nothing.
    assert _support(Client(), published, support_email="dora@example.org").status_code == 302
    Phase.objects.filter(pk=phase.pk).update(end=phase.start + (phase.end - phase.start) / 1000)
    r = Client(HTTP_ACCEPT_LANGUAGE="de").post(_link(mail.outbox[-1]))
    assert r.status_code == 400 and "ist nicht geöffnet" in _text(r)
    assert Support.objects.filter(confirmation=Support.Confirmation.PENDING).count() == 1


def test_a_changed_address_makes_the_older_link_useless(phase, published):
    _needs(phase, Needs.EMAIL)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    assert _support(client, published, support_email="tipfehler@exmaple.org").status_code == 302
    assert _support(client, published, support_email="dana@example.org").status_code == 302
    old, new = _link(mail.outbox[0]), _link(mail.outbox[1])
    assert client.post(old).status_code == 404 and Support.objects.get().confirmation == Support.Confirmation.PENDING
    assert client.post(new).status_code == 302 and Support.objects.get().confirmation == Support.Confirmation.EMAIL
    r = _support(client, published, support_email="dana2@example.org")  # this browser's support is confirmed
    assert r.status_code == 400 and "Sie unterstützen das schon." in _text(r) and Support.objects.count() == 1
    assert "Sie unterstützen diese Idee." in _text(client.get(_url(published))) and len(mail.outbox) == 2


def test_bad_input_gets_a_clear_message_and_changes_nothing(phase, published):
    _needs(phase, Needs.EMAIL)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    before = Contributor.objects.count()
    r = _support(client, published)
    assert r.status_code == 400 and "Bitte geben Sie Ihre E-Mail-Adresse an" in _text(r)
    assert "Es wurde nichts gespeichert" in _text(r)
    r = _support(client, published, support_email="anna@")
    assert r.status_code == 400 and "„anna@“ ist keine gültige E-Mail-Adresse" in _text(r)
    r = _support(client, published, support_email="a" * 300 + "@example.org")
    assert r.status_code == 400
    r = client.post(_url(published) + "support/", {"support_email": "anna@example.org"})  # no proof of work
    assert r.status_code == 400 and "Prüfung gegen automatische Einsendungen" in _text(r)
    r = _support(client, published, support_email="anna@example.org", website="http://spam.example")
    assert r.status_code == 400 and "verstecktes Feld" in _text(r)
    assert not Support.objects.exists() and Contributor.objects.count() == before and not mail.outbox
    assert "isek_contributor" not in client.cookies


def test_with_account_an_anonymous_person_is_sent_to_sign_in(phase, published, citizen):
    _needs(phase, Needs.ACCOUNT)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="de")
    page = anonymous.get(_url(published)).content.decode()
    said = page.split('id="support-needs-account">', 1)[1].split("</p>", 1)[0]
    assert ">Anmelden</a> oder <a" in said and ">Konto anlegen</a>" in said and 'id="support-form"' not in page
    assert f'/accounts/login/?next=%2Fconcepts%2F{phase.concept.slug}%2F' in said
    assert f'/accounts/signup/?next=%2Fconcepts%2F{phase.concept.slug}%2F' in said  # both come back to the idea
    r = _support(anonymous, published)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=") and not Support.objects.exists()
    with pytest.raises(ValidationError, match="unterstützen nur angemeldete Personen"):  # the service's rule too
        services.support(None, phase.concept, citizen, idea=published)
    person = Client(HTTP_ACCEPT_LANGUAGE="de")
    person.force_login(UserFactory(username="eva"))
    assert 'id="support-form"' in person.get(_url(published)).content.decode()
    assert _support(person, published).status_code == 302
    r = _support(person, published)
    assert r.status_code == 400 and "Sie unterstützen das schon." in _text(r)
    assert Support.objects.get().confirmation == Support.Confirmation.ACCOUNT
    assert _counts(anonymous, published) == "1 Unterstützung, davon 1 bestätigt"


def test_without_confirmation_supports_are_counted_as_not_confirmed(phase, published):
    assert phase.support_needs == Needs.NOTHING  # as before this choice existed
    assert _support(Client(), published).status_code == 302
    signed_in = Client()
    signed_in.force_login(UserFactory(username="fritz"))
    assert _support(signed_in, published).status_code == 302  # with an account: confirmed by it
    # the kind of every part of the count where it is shown (walk 22): the idea, the phase's list
    assert _counts(Client(), published) == "2 Unterstützungen, davon 1 bestätigt und 1 nicht bestätigt"
    listed = _text(Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/concepts/{phase.concept.slug}/participation/"))
    assert "2 Unterstützungen, davon 1 bestätigt und 1 nicht bestätigt" in listed
    assert _counts(Client(HTTP_ACCEPT_LANGUAGE="en"), published) == "2 supports, 1 of them confirmed and 1 not confirmed"
    Support.objects.exclude(contributor__user=None).delete()
    for _n in range(3):  # a walker who drops his cookies: each time another browser
        assert _support(Client(), published).status_code == 302
    assert _counts(Client(), published) == "4 Unterstützungen (nicht bestätigt)"
    listed = _text(Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/concepts/{phase.concept.slug}/participation/"))
    assert "4 Unterstützungen (nicht bestätigt)" in listed and "Was heißt „nicht bestätigt“?" in listed
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert _counts(english, published) == "4 supports (not confirmed)"


def test_the_burst_from_one_client_is_refused_after_the_limit(phase, published, settings):
    settings.ISEK_PARTICIPATION_RATE = {**settings.ISEK_PARTICIPATION_RATE, "support": (3, 600)}
    codes, pages = [], []
    for _n in range(5):  # one address, a browser that drops its cookie each time
        r = _support(Client(HTTP_ACCEPT_LANGUAGE="de"), published)
        codes.append(r.status_code)
        pages.append(_text(r))
    assert codes == [302, 302, 302, 400, 400]
    assert "Von Ihrem Anschluss kamen gerade sehr viele Beiträge" in pages[-1]
    assert Support.objects.count() == 3
    other = Client(HTTP_ACCEPT_LANGUAGE="de", REMOTE_ADDR="192.0.2.7")
    assert _support(other, published).status_code == 302  # another address is another client


def test_a_measure_takes_confirmed_supports_the_same_way(phase, concept):
    _needs(phase, Needs.EMAIL)
    measure = MeasureFactory(concept=concept, number="2.3", title="Radwege")
    base = f"/concepts/{concept.slug}/participation/measures/{measure.pk}/support/"
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    form = client.get(base).content.decode()
    assert 'name="support_email"' in form and "altcha-widget" in form
    r = client.post(base, {"altcha": solved(client, concept), "support_email": "kein-at"})
    assert r.status_code == 400 and "keine gültige E-Mail-Adresse" in _text(r) and not Support.objects.exists()
    r = client.post(base, {"altcha": solved(client, concept), "support_email": "guel@example.org"})
    assert r.status_code == 302 and "die Maßnahme 2.3 „Radwege“" in mail.outbox[0].body
    measure_page = f"/concepts/{concept.slug}/measures/{measure.pk}/"
    assert "0 Unterstützungen" in _text(client.get(measure_page))
    assert client.post(_link(mail.outbox[0])).status_code == 302
    assert "1 Unterstützung, davon 1 bestätigt" in _text(Client(HTTP_ACCEPT_LANGUAGE="de").get(measure_page))


def _chosen_needs(page: str) -> str:
    select = page.split('name="support_needs"', 1)[1].split("</select>", 1)[0]
    return re.search(r'<option value="(\w+)" selected>', select)[1]


def test_a_new_phase_asks_for_a_confirmed_address_where_the_installation_sends_mail(concept, settings):
    """Walk 22 (Göttingen): supports in a phase that asked nothing were inflated by a browser that
    dropped its cookies. A new phase's form proposes the confirmed e-mail address wherever isek sends
    mail (SMTP with a host, the demo's files, the tests' outbox), nothing where it does not – and
    says what "nichts" costs; "nichts" stays choosable."""
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    url = f"/concepts/{concept.slug}/participation/phases/new/"
    for backend, host, proposed in (("django.core.mail.backends.locmem.EmailBackend", "", "email"),
                                    ("django.core.mail.backends.filebased.EmailBackend", "", "email"),
                                    ("django.core.mail.backends.smtp.EmailBackend", "mail.stadt.example", "email"),
                                    ("django.core.mail.backends.smtp.EmailBackend", "", "nothing"),
                                    ("django.core.mail.backends.dummy.EmailBackend", "", "nothing")):
        settings.EMAIL_BACKEND, settings.EMAIL_HOST = backend, host
        page = planner.get(url).content.decode()
        assert _chosen_needs(page) == proposed, backend
        assert "wer seine Cookies löscht, zählt noch einmal" in page
        assert ("Diese Installation versendet keine E-Mails" in page) == (proposed == "nothing"), backend
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    data = {"title_de": "Ideen", "start": "2026-11-01T00:00", "end": "2027-02-01T00:00", "support_open": "on",
            "moderation": "before", "report_threshold": "3", "retention_days": "90", "polygon": "",
            "themes": "Plätze | Squares | #2e7d32", "support_needs": "nothing"}
    assert planner.post(url, data).status_code == 302 and concept.phases.get().support_needs == Needs.NOTHING
    edit = planner.get(f"/concepts/{concept.slug}/participation/phases/{concept.phases.get().pk}/").content.decode()
    assert _chosen_needs(edit) == "nothing"  # a phase's own choice stays as it is


def test_the_planner_chooses_what_a_support_needs(concept):
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    url = f"/concepts/{concept.slug}/participation/phases/new/"
    form = planner.get(url).content.decode()
    assert "Eine Unterstützung braucht" in form and "eine bestätigte E-Mail-Adresse" in form
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(member(concept, "planner", username="planner-en"))
    assert "A support needs" in english.get(url).content.decode()
    data = {"title_de": "Ideen", "start": "2026-11-01T00:00", "end": "2027-02-01T00:00", "support_open": "on",
            "moderation": "before", "report_threshold": "3", "retention_days": "90", "polygon": "",
            "themes": "Plätze | Squares | #2e7d32"}
    r = planner.post(url, {**data, "support_needs": "blind"})
    assert r.status_code == 400 and "gültige" in _text(r) and not concept.phases.exists()
    assert planner.post(url, {**data, "support_needs": "email"}).status_code == 302
    assert concept.phases.get().support_needs == Needs.EMAIL


def test_after_the_retention_period_the_address_hashes_go(phase, published):
    import datetime

    from django.utils import timezone

    _needs(phase, Needs.EMAIL)
    assert _support(Client(), published, support_email="anna@example.org").status_code == 302
    assert Client().post(_link(mail.outbox[0])).status_code == 302
    assert _support(Client(), published, support_email="ben@example.org").status_code == 302  # never confirmed
    later = phase.end + datetime.timedelta(days=phase.retention_days + 1)
    assert later > timezone.now()
    services.purge_personal_data(now=later)
    assert list(Support.objects.values_list("confirmation", "email_hash")) == [("email", "")]


def test_the_privacy_page_says_what_a_confirmed_support_keeps(db):
    page = _text(Client(HTTP_ACCEPT_LANGUAGE="de").get("/about/privacy/"))
    assert "ein Prüfwert (Hash) Ihrer Adresse, nicht die Adresse selbst" in page
    assert "unbestätigte Unterstützungen werden dann gelöscht" in page


def test_asking_again_sends_no_second_link_and_one_address_gets_a_few_mails_at_most(phase, published, monkeypatch):
    _needs(phase, Needs.EMAIL)
    for address in ("bo@example.org", "BO@example.org", " bo@EXAMPLE.org", "bo@example.org"):
        client = Client(HTTP_ACCEPT_LANGUAGE="de")
        r = _support(client, published, support_email=address)
        assert r.status_code == 302
    assert len(mail.outbox) == 1, [(m.subject, m.to) for m in mail.outbox]
    assert Support.objects.count() == 1
    assert "Wir haben Ihnen bereits einen Link an bo@example.org geschickt" in _text(client.get(r["Location"]))
    monkeypatch.setattr(services.supports, "MAILS_PER_ADDRESS", 2)
    others = [services.submit_idea(None, phase, services.contributor_for(None)[0], theme=phase.themes.first(),
                                   title=f"Idee {n}", text="Text", geometry=INSIDE) for n in (2, 3)]
    for other in others:
        services.decide(OPERATOR, other, "approve")
    assert _support(Client(), others[0], support_email="bo@example.org").status_code == 302
    r = _support(Client(HTTP_ACCEPT_LANGUAGE="de"), others[1], support_email="Bo@example.org")
    assert r.status_code == 400 and "schon mehrere Links geschickt" in _text(r)
    assert len(mail.outbox) == 2 and Support.objects.count() == 2  # the refused one saved nothing


def test_a_burst_on_one_idea_from_one_connection_is_refused_where_a_support_needs_nothing(phase, published):
    codes = [_support(Client(HTTP_ACCEPT_LANGUAGE="de"), published).status_code for _n in range(7)]
    assert codes == [302] * 5 + [400] * 2
    r = _support(Client(HTTP_ACCEPT_LANGUAGE="de"), published)
    assert "sehr viele Unterstützungen für dasselbe" in _text(r) and Support.objects.count() == 5
    assert _support(Client(HTTP_ACCEPT_LANGUAGE="de", REMOTE_ADDR="192.0.2.7"), published).status_code == 302


@pytest.mark.parametrize("contributions", [False, True])
def test_a_citizen_deletes_the_account_its_supports_stay_counted_unless_asked(contributions, phase, published):
    """Decision 0078: deleting a citizen's own account removes the address, display name, password
    and its lines of the login log; its supports keep counting (linked to nobody) unless the
    citizen asks to delete them too; a staff account is not deleted there."""
    from django.contrib.auth import get_user_model

    from isek.accounts.models import CitizenAccount, LoginEvent
    from tests.dbstate import checksum

    _needs(phase, Needs.ACCOUNT)
    user = get_user_model().objects.create_user("ida@example.org", "ida@example.org", "Gruene-Wiese-42")
    CitizenAccount.objects.create(user=user, confirmed_at=user.date_joined)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(user)
    assert _support(c, published).status_code == 302
    given = Support.objects.get(contributor__user=user)
    assert given.confirmation == "account" and "1" in _counts(c, published)
    LoginEvent.objects.create(username="ida@example.org", user=user, success=True)
    before = checksum()
    r = c.post("/accounts/account/", {"password": "falsch-falsch"})
    assert r.status_code == 400 and "Das Passwort stimmt nicht" in r.content.decode() and checksum() == before
    r = c.post("/accounts/account/", {"password": "Gruene-Wiese-42", **({"contributions": "on"} if contributions else {})})
    assert r.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists() and not CitizenAccount.objects.exists()
    assert not LoginEvent.objects.filter(username="ida@example.org").exists()
    if contributions:
        assert not Support.objects.filter(pk=given.pk).exists()
    else:  # still counted, confirmed by an account, linked to nobody
        given.refresh_from_db()
        assert given.confirmation == "account" and Contributor.objects.get(pk=given.contributor_id).user_id is None
    staff = UserFactory(username="planer2")
    c.force_login(staff)
    assert "verwaltet die Administration" in c.get("/accounts/account/").content.decode()
    assert c.post("/accounts/account/", {"password": "x"}).status_code == 400
    assert get_user_model().objects.filter(pk=staff.pk).exists()


def test_a_support_with_an_account_shows_no_deletion_link_one_without_does(phase, published):
    """Issue 22 walk: after supporting with an account the page showed the anonymous "Ihr Löschlink –
    bitte aufbewahren" box; an account deletes its contributions on its own page (decision 0084)."""
    from django.contrib.auth import get_user_model

    from isek.accounts.models import CitizenAccount

    _needs(phase, Needs.ACCOUNT)
    user = get_user_model().objects.create_user("ida@example.org", "ida@example.org", "Gruene-Wiese-42")
    CitizenAccount.objects.create(user=user, confirmed_at=user.date_joined)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(user)
    r = _support(c, published)
    assert r.status_code == 302 and 'id="delete-link"' not in c.get(r["Location"]).content.decode()
    _needs(phase, Needs.NOTHING)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = _support(anonymous, published)
    assert r.status_code == 302 and 'id="delete-link"' in anonymous.get(r["Location"]).content.decode()
