"""The legal pages (issue 22, point 1) as the public, the installation's administrator and a
planner see them (Django's test client): the accessibility statement with the parts of the EU
model statement, its feedback form (stored, reported to the city's address, guarded like
participation's forms, refused with a clear message and nothing changed), the pages in Leichte
Sprache and sign language, the Impressum with its fallback, editing with the German and English
defaults, and the list where feedback is answered and deleted."""

from __future__ import annotations

import datetime
import re

import altcha
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from isek import access
from isek.concepts import services as concepts
from isek.legal import services
from isek.legal.models import Feedback, LegalTexts
from tests.dbstate import checksum
from tests.factories import CityFactory, ConceptFactory, UserFactory, member

PAGES = ("accessibility", "leichte-sprache", "sign-language", "imprint")


@pytest.fixture(autouse=True)
def _cheap_work(db, settings):
    settings.ISEK_POW_COST = 20


@pytest.fixture
def city(db):
    return CityFactory(name="Bochum", ags="05911000")


@pytest.fixture
def admin(db):
    user = UserFactory(is_superuser=True, is_staff=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(user)
    return client


def solved(client) -> str:
    """What the ALTCHA widget puts into the form: a solved challenge fetched from isek."""
    challenge = altcha.v2.Challenge.from_dict(client.get("/about/accessibility/challenge/").json())
    return altcha.v2.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()


def _feedback(client, **kw):
    return {"name": "", "email": "anna@example.org", "message": "Der Kontrast der Karte ist zu schwach.",
            "altcha": solved(client), **kw}


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_each_page_exists_for_the_installation_and_per_city(client, city, page):
    assert client.get(f"/about/{page}/").status_code == 200
    assert client.get(f"/cities/{city.ags}/about/{page}/").status_code == 200
    assert client.get(f"/cities/99999999/about/{page}/").status_code == 404


def test_the_statement_carries_the_parts_of_the_eu_model(client, city):
    page = text(client.get(f"/cities/{city.ags}/about/accessibility/"))
    assert 'data-compliance="partial"' in page and "teilweise vereinbar" in page  # compliance status
    assert 'id="barriers"' in page and "Karten:" in page  # what is not accessible, and why
    assert "erstellt oder zuletzt überprüft" in page  # date of the statement
    summary = services.assessment()
    assert f"axe-core {summary['axe']}" in page and summary["date"].strftime("%Y") in page  # method and date
    assert f"{summary['clean']} von {len(summary['pages'])} Seiten ohne Befund" in page  # its result
    assert {f"/about/{name}/" for name in PAGES} <= {p["path"] for p in summary["pages"]}  # these pages are checked
    assert 'id="feedback-form"' in page and 'name="email"' in page and 'name="message"' in page
    assert "<altcha-widget" in page  # the feedback form, guarded
    assert "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen" in page  # NRW
    assert "https://www.lbbp.nrw.de/ombudsstelle" in page


# A city in each Land (its AGS), and what its statement names for the enforcement procedure: the
# body and its page, or, where isek found no page of the body, the visible "bitte ergänzen".
CITY_IN_LAND = {
    "01": ("Kiel", "01002000", "Beschwerdestelle für barrierefreie Informationstechnik Schleswig-Holstein",
           "https://www.landtag.ltsh.de/beauftragte/beschwerdestelle-fuer-barrieren"),
    "02": ("Hamburg", "02000000", None, None),
    "03": ("Hannover", "03241001", "Schlichtungsstelle nach § 9d Niedersächsisches Behindertengleichstellungsgesetz",
           "https://www.behindertenbeauftragte-niedersachsen.de/DE/Schlichtungsstelle/"),
    "04": ("Bremen", "04011000", "Zentralstelle für barrierefreie Informationstechnik der Freien Hansestadt Bremen",
           "https://www.service.bremen.de/dienstleistungen/"),
    "05": ("Bochum", "05911000", "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen",
           "https://www.lbbp.nrw.de/ombudsstelle"),
    "06": ("Kassel", "06611000", "Durchsetzungs- und Überwachungsstelle für barrierefreie IT des Landes Hessen",
           "https://lbit.hessen.de/Durchsetzungs-und-Ueberwachungsstelle/Durchsetzungsverfahren-beantragen"),
    "07": ("Mainz", "07315000", "Durchsetzungsstelle zur digitalen Barrierefreiheit von öffentlichen Stellen in Rheinland-Pfalz",
           "https://behindertenbeauftragte.rlp.de/landesbeauftragte/aufgaben-1"),
    "08": ("Freiburg im Breisgau", "08311000", "Schlichtungsstelle beim Landeszentrum Barrierefreiheit Baden-Württemberg",
           "https://barrierefreiheit-bw.de/barrierefreiheitdurchsetzen/schlichtungsantrag"),
    "09": ("Bamberg", "09461000", "Durchsetzungs- und Überwachungsstelle am Landesamt für Digitalisierung, Breitband und Vermessung",
           "https://www.finanzministerium.bayern/digitalisierung/barrierefreiheit/"),
    "10": ("Saarbrücken", "10041100", None, None),
    "11": ("Berlin", "11000000", "Landesbeauftragte für digitale Barrierefreiheit (Berlin)",
           "https://www.berlin.de/lb/digitale-barrierefreiheit/"),
    "12": ("Potsdam", "12054000", "Durchsetzungsstelle für digitale Barrierefreiheit des Landes Brandenburg",
           "https://msgiv.brandenburg.de/msgiv/de/beauftragte/landesbehindertenbeauftragte/durchsetzungsstelle"),
    "13": ("Rostock", "13003000", None, None),
    "14": ("Leipzig", "14713000", "Durchsetzungsstelle für digitale Barrierefreiheit des Freistaates Sachsen",
           "https://www.durchsetzungsstelle.sachsen.de/"),
    "15": ("Halle (Saale)", "15002000", "Ombudsstelle des Landes Sachsen-Anhalt",
           "https://lf-barrierefreiheit-st.de/ueber-uns/ombudsstelle"),
    "16": ("Erfurt", "16051000", "Landesdurchsetzungsstelle für digitale Barrierefreiheit",
           "https://tlmb-thueringen.de/themen/barrierefreiheit/landesdurchsetzungsstelle"),
}

# and the data protection supervisory authority its privacy page names (Art. 77 DSGVO)
AUTHORITY_IN_LAND = {
    "01": ("Unabhängiges Landeszentrum für Datenschutz Schleswig-Holstein", "https://www.datenschutzzentrum.de/"),
    "02": ("Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit", "https://datenschutz-hamburg.de/"),
    "03": ("Der Landesbeauftragte für den Datenschutz Niedersachsen", "https://www.lfd.niedersachsen.de/"),
    "04": ("Die Landesbeauftragte für Datenschutz und Informationsfreiheit der Freien Hansestadt Bremen",
           "https://www.datenschutz.bremen.de/"),
    "05": ("Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen", "https://www.ldi.nrw.de/"),
    "06": ("Der Hessische Beauftragte für Datenschutz und Informationsfreiheit", "https://datenschutz.hessen.de/"),
    "07": ("Der Landesbeauftragte für den Datenschutz und die Informationsfreiheit Rheinland-Pfalz",
           "https://www.datenschutz.rlp.de/"),
    "08": ("Der Landesbeauftragte für den Datenschutz und die Informationsfreiheit Baden-Württemberg",
           "https://www.baden-wuerttemberg.datenschutz.de/"),
    "09": ("Der Bayerische Landesbeauftragte für den Datenschutz", "https://www.datenschutz-bayern.de/"),
    "10": ("Unabhängiges Datenschutzzentrum Saarland", "https://datenschutz.saarland.de/"),
    "11": ("Die Berliner Beauftragte für Datenschutz und Informationsfreiheit", "https://www.datenschutz-berlin.de/"),
    "12": ("Die Landesbeauftragte für den Datenschutz und für das Recht auf Akteneinsicht Brandenburg",
           "https://www.lda.brandenburg.de/"),
    "13": ("Der Landesbeauftragte für Datenschutz und Informationsfreiheit Mecklenburg-Vorpommern",
           "https://www.datenschutz-mv.de/"),
    "14": ("Sächsische Datenschutz- und Transparenzbeauftragte", "https://www.datenschutz.sachsen.de/"),
    "15": ("Die Landesbeauftragte für den Datenschutz Sachsen-Anhalt", "https://datenschutz.sachsen-anhalt.de/"),
    "16": ("Der Thüringer Landesbeauftragte für den Datenschutz und die Informationsfreiheit", "https://www.tlfdi.de/"),
}

LAND_NAMES = {"02": "Hamburg", "10": "Saarland", "13": "Mecklenburg-Vorpommern"}


@pytest.mark.parametrize("land", sorted(CITY_IN_LAND))
def test_the_statement_of_a_city_in_each_land_names_its_enforcement_body_or_says_what_is_missing(client, db, land):
    name, ags, body, url = CITY_IN_LAND[land]
    page = text(client.get(f"/cities/{CityFactory(name=name, ags=ags).ags}/about/accessibility/"))
    if body is None:
        assert 'id="enforcement-missing"' in page and f"{LAND_NAMES[land]}: bitte ergänzen" in page
        assert 'id="enforcement-body"' not in page
    else:
        assert 'id="enforcement-body"' in page and body in page and f'href="{url}' in page
        assert 'id="enforcement-missing"' not in page


@pytest.mark.parametrize("land", sorted(AUTHORITY_IN_LAND))
def test_the_privacy_page_of_a_city_in_each_land_names_its_supervisory_authority_and_the_rights(client, db, land):
    name, ags, _body, _url = CITY_IN_LAND[land]
    authority, url = AUTHORITY_IN_LAND[land]
    page = text(client.get(f"/cities/{CityFactory(name=name, ags=ags).ags}/about/privacy/"))
    assert 'id="supervisory-authority"' in page and authority in page and f'href="{url}"' in page
    for right in ("Auskunft", "Art. 15", "Berichtigung", "Art. 16", "Löschung", "Art. 17", "Einschränkung der Verarbeitung",
                  "Art. 18", "Datenübertragbarkeit", "Art. 20", "Widerspruch", "Art. 21", "Art. 7 Abs. 3", "Art. 77"):
        assert right in page, right
    others = {a for key, (a, _u) in AUTHORITY_IN_LAND.items() if key != land}
    assert not [a for a in others if a in page]  # no other Land's authority


def test_the_privacy_page_gives_the_authoritys_address_where_isek_knows_it(client, db):
    page = text(client.get(f"/cities/{CityFactory(name='Kiel', ags='01002000').ags}/about/privacy/"))
    assert "Holstenstraße 98<br>24103 Kiel" in page


def test_the_installations_privacy_page_names_the_federal_commissioner(client, db):
    page = text(client.get("/about/privacy/"))
    assert 'id="supervisory-authority"' in page
    assert "Bundesbeauftragte für den Datenschutz und die Informationsfreiheit" in page
    assert 'href="https://www.bfdi.bund.de/"' in page and "Graurheindorfer Straße 153" in page


def test_an_english_privacy_page_has_the_rights_in_english(db):
    city = CityFactory(name="Leipzig", ags="14713000")
    page = text(Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/cities/{city.ags}/about/privacy/"))
    assert 'id="rights"' in page and "Your rights" in page
    for right in ("access", "rectification", "erasure", "restriction of processing", "data portability", "object",
                  "withdraw your consent", "lodge a complaint"):
        assert right in page, right
    assert "Auskunft über" not in page and "Sächsische Datenschutz- und Transparenzbeauftragte" in page


def test_the_installation_names_the_federal_schlichtungsstelle(client, db):
    page = text(client.get("/about/accessibility/"))
    assert "Schlichtungsstelle nach § 16 Behindertengleichstellungsgesetz" in page


def test_feedback_is_stored_and_reaches_the_citys_address(client, admin, city):
    texts = services.texts_for(city)
    texts.contact_email = "barrierefrei@bochum.example"
    services.save_texts(access.Operator("test"), texts)
    assert 'href="mailto:barrierefrei@bochum.example"' in text(client.get(f"/cities/{city.ags}/about/accessibility/"))
    r = client.post(f"/cities/{city.ags}/about/accessibility/", _feedback(client, name="Anna"), follow=True)
    assert r.status_code == 200 and "Ihre Nachricht ist angekommen" in text(r)
    fb = Feedback.objects.get()
    assert (fb.city, fb.name, fb.email, fb.status) == (city, "Anna", "anna@example.org", "open")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["barrierefrei@bochum.example"] and sent.reply_to == ["anna@example.org"]
    assert "Der Kontrast der Karte ist zu schwach." in sent.body and "Bochum" in sent.body
    # the staff page lists it as open; answered, then deleted
    listing = text(admin.get("/about/accessibility/feedback/"))
    assert f'data-feedback="{fb.pk}" data-status="open"' in listing and "anna@example.org" in listing
    admin.post("/about/accessibility/feedback/", {"pk": fb.pk, "action": "answered"})
    fb.refresh_from_db()
    assert fb.status == "answered" and fb.answered_at is not None
    admin.post("/about/accessibility/feedback/", {"pk": fb.pk, "action": "delete"})
    assert not Feedback.objects.exists()


def test_feedback_without_any_address_is_kept_for_the_list(client, city):
    client.post(f"/cities/{city.ags}/about/accessibility/", _feedback(client))
    assert Feedback.objects.count() == 1 and mail.outbox == []


@pytest.mark.parametrize("change, message", [
    ({"email": ""}, "Bitte Ihre E-Mail-Adresse angeben, damit die Stadt antworten kann."),
    ({"email": "keine-adresse"}, "Bitte eine gültige E-Mail-Adresse angeben."),
    ({"message": ""}, "Bitte schreiben Sie Ihre Nachricht."),
    ({"message": "x" * 4001}, "höchstens 4000 Zeichen"),
    ({"altcha": ""}, "Die Prüfung gegen automatische Einsendungen fehlt oder ist abgelaufen."),
    ({"website": "http://spam.example"}, "ein verstecktes Feld war ausgefüllt"),
])
def test_bad_feedback_is_refused_with_a_clear_message_and_changes_nothing(client, city, change, message):
    data = _feedback(client, **change)
    r = client.post(f"/cities/{city.ags}/about/accessibility/", data)
    assert r.status_code == 400 and message in text(r)
    assert not Feedback.objects.exists() and mail.outbox == []


def test_a_used_proof_is_not_accepted_twice(client, city):
    data = _feedback(client)
    client.post(f"/cities/{city.ags}/about/accessibility/", data)
    r = client.post(f"/cities/{city.ags}/about/accessibility/", data)
    assert r.status_code == 400 and Feedback.objects.count() == 1


def test_the_rate_limit(client, city, settings):
    settings.ISEK_PARTICIPATION_RATE = {**settings.ISEK_PARTICIPATION_RATE, "feedback": (2, 600)}
    for n in range(2):  # different messages: the same one twice is refused anyway (decision 0084)
        assert client.post("/about/accessibility/", _feedback(client, message=f"Nachricht {n}")).status_code == 302
    r = client.post("/about/accessibility/", _feedback(client, message="Nachricht 2"))
    assert r.status_code == 400 and "sehr viele Nachrichten" in text(r)
    assert Feedback.objects.count() == 2


def test_leichte_sprache_default_in_german_and_plain_english(client, city):
    de = text(client.get(f"/cities/{city.ags}/about/leichte-sprache/"))
    assert "<h2" in de and "Wie können Sie mitmachen?" in de and "<ol" in de and "Sie klicken auf: Idee senden." in de
    en = text(Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/cities/{city.ags}/about/leichte-sprache/"))
    assert "How can you take part?" in en and "Click on: Send idea." in en


def test_leichte_sprache_default_follows_its_rules():
    from isek.legal import defaults

    for kind, content in defaults.blocks(defaults.EASY["de"]):
        lines = [content] if kind == "h" else content
        for line in lines:
            assert len(line.split()) <= 15, line  # short sentences
            assert line.count(". ") == 0, line  # one statement a line
            assert not any(w.isupper() and len(w) > 1 for w in line.replace(":", " ").split()), line  # no abbreviations


def test_sign_language_without_a_video_says_so_and_links_the_contact(client, city):
    page = text(client.get(f"/cities/{city.ags}/about/sign-language/"))
    assert 'id="sign-missing"' in page and "Bochum" in page
    assert f'href="/cities/{city.ags}/about/accessibility/#feedback" id="sign-contact"' in page


def test_sign_language_with_the_citys_video(client, city):
    texts = services.texts_for(city)
    texts.sign_video_url = "https://www.bochum.example/dgs/isek.mp4"
    services.save_texts(access.Operator("test"), texts)
    page = text(client.get(f"/cities/{city.ags}/about/sign-language/"))
    assert '<video class="isek-video" controls preload="none" src="https://www.bochum.example/dgs/isek.mp4"' in page
    assert 'id="sign-missing"' not in page


def test_imprint_falls_back_to_the_operator_with_a_notice_to_staff_only(client, admin, city):
    operator = services.texts_for(None)
    operator.imprint_body = "Betreiber GmbH"
    operator.imprint_address = "Hauptstraße 1\n12345 Musterstadt"
    services.save_texts(access.Operator("test"), operator)
    public = text(client.get(f"/cities/{city.ags}/about/imprint/"))
    assert "Betreiber GmbH" in public and "Betreiber der Installation" in public
    assert "noch nicht ausgefüllt" not in public
    staff = text(admin.get(f"/cities/{city.ags}/about/imprint/"))
    assert 'id="imprint-missing"' in staff and "noch nicht ausgefüllt" in staff
    texts = services.texts_for(city)
    texts.imprint_body, texts.imprint_represented_by = "Stadt Bochum", "den Oberbürgermeister"
    texts.imprint_vat_id = "DE123456789"
    services.save_texts(access.Operator("test"), texts)
    public = text(client.get(f"/cities/{city.ags}/about/imprint/"))
    assert "Stadt Bochum" in public and "den Oberbürgermeister" in public and "DE123456789" in public
    assert "Betreiber GmbH" not in public


def test_an_empty_imprint_shows_no_staff_notice_to_the_public(client, admin, city):
    page = text(client.get("/about/imprint/"))
    assert 'id="imprint-pending"' in page and "noch nicht ausgefüllt" not in page
    staff = text(admin.get(f"/cities/{city.ags}/about/imprint/"))
    assert "noch nicht ausgefüllt, und der Betreiber der Installation hat keines eingetragen" in staff


def test_the_administrator_edits_with_the_defaults_filled_in(admin, city):
    url = f"/cities/{city.ags}/about/legal-texts/"
    page = text(admin.get(url))
    assert 'id="defaults-note"' in page and "Was ist ein Stadt-Entwicklungs-Konzept?" in page
    assert "What is an urban development concept?" in page
    assert not LegalTexts.objects.exists()  # showing the defaults writes nothing
    form = {"compliance": "full", "barriers_de": "", "barriers_en": "", "assessment_de": "BITV-Test 2026",
            "assessment_en": "", "prepared_on": "2026-12-01", "contact_email": "a11y@bochum.example", "land": "05",
            "easy_de": "# Titel\nEin Satz.", "easy_en": "# Title\nA sentence.", "sign_video_url": "",
            "imprint_body": "Stadt Bochum", "imprint_address": "", "imprint_represented_by": "", "imprint_contact": "",
            "imprint_vat_id": "", "imprint_supervisory": ""}
    assert admin.post(url, form).status_code == 302
    saved = LegalTexts.objects.get(city=city)
    assert (saved.compliance, saved.contact_email, saved.imprint_body) == ("full", "a11y@bochum.example", "Stadt Bochum")
    statement = text(Client().get(f"/cities/{city.ags}/about/accessibility/"))
    assert "vollständig vereinbar" in statement and "BITV-Test 2026" in statement and 'id="barriers"' not in statement


TEXTS_FORM = {"compliance": "partial", "barriers_de": "Karte", "barriers_en": "Map", "assessment_de": "", "assessment_en": "",
              "prepared_on": "2026-12-01", "contact_email": "a11y@bochum.example", "land": "05", "easy_de": "# Titel\nEin Satz.",
              "easy_en": "# Title\nA sentence.", "sign_video_url": "", "imprint_body": "Stadt Bochum", "imprint_address": "",
              "imprint_represented_by": "", "imprint_contact": "", "imprint_vat_id": "", "imprint_supervisory": ""}


def _state(page: str) -> str:
    return re.search(r'name="state" value="([^"]*)"', page).group(1)


def test_a_form_opened_before_another_save_is_refused_and_changes_nothing(admin, city):
    """Walk 22 (Göttingen): two tabs of the legal texts – the one opened before the other's save
    overwrote it silently. The form carries the state of the texts it was loaded from (decision
    0096): stale, it is refused with 409 and a message, nothing saved, also before the first save
    (no row yet) and when sent again from the refused page; loaded anew, it saves."""
    url = f"/cities/{city.ags}/about/legal-texts/"
    tab_a, tab_b = _state(text(admin.get(url))), _state(text(admin.get(url)))
    assert tab_a == tab_b and len(tab_a) >= 16
    assert admin.post(url, {**TEXTS_FORM, "imprint_body": "Stadt Bochum, Amt 61", "state": tab_a}).status_code == 302
    before = checksum()
    refused = admin.post(url, {**TEXTS_FORM, "contact_email": "b@bochum.example", "state": tab_b})
    page = text(refused)
    assert refused.status_code == 409 and checksum() == before
    assert "Die Texte wurden inzwischen geändert" in page and "Es wurde nichts gespeichert." in page
    assert 'id="texts-reload"' in page and 'value="b@bochum.example"' in page  # the sent values stay in the form
    assert admin.post(url, {**TEXTS_FORM, "state": _state(page)}).status_code == 409 and checksum() == before
    saved = LegalTexts.objects.get(city=city)
    assert (saved.imprint_body, saved.contact_email) == ("Stadt Bochum, Amt 61", "a11y@bochum.example")

    tab_c, tab_d = _state(text(admin.get(url))), _state(text(admin.get(url)))  # the stored row this time
    assert tab_c != tab_a
    assert admin.post(url, {**TEXTS_FORM, "imprint_body": "Stadt Bochum", "state": tab_c}).status_code == 302
    assert admin.post(url, {**TEXTS_FORM, "imprint_body": "alt", "state": tab_d}).status_code == 409
    assert LegalTexts.objects.get(city=city).imprint_body == "Stadt Bochum"
    with pytest.raises(ValidationError) as refused_by_service:  # the service itself, for its other callers
        services.save_texts(UserFactory(is_superuser=True), saved, state=tab_d)
    assert refused_by_service.value.code == "changed"
    assert admin.post(url, {**TEXTS_FORM, "contact_email": "b@bochum.example",
                            "state": _state(text(admin.get(url)))}).status_code == 302
    assert LegalTexts.objects.get(city=city).contact_email == "b@bochum.example"


def test_bad_texts_are_refused_and_change_nothing(admin, city):
    url = f"/cities/{city.ags}/about/legal-texts/"
    before = checksum()
    r = admin.post(url, {"compliance": "full", "prepared_on": "gestern", "contact_email": "nein", "easy_de": "",
                         "easy_en": "x", "sign_video_url": "javascript:alert(1)"})
    page = text(r)
    assert r.status_code == 400 and "Bitte die markierten Angaben prüfen. Es wurde nichts gespeichert." in page
    assert "Bitte eine gültige E-Mail-Adresse angeben." in page
    assert "Bitte eine gültige Adresse (URL) angeben." in page and "Gib eine" not in page  # "Sie", not "du"
    assert checksum() == before


def test_only_the_administrator_edits_and_answers(db, city):
    concept = ConceptFactory(city=city)
    planner = Client()
    planner.force_login(member(concept, "planner"))
    assert planner.get(f"/cities/{city.ags}/about/legal-texts/").status_code == 403
    assert planner.get("/about/accessibility/feedback/").status_code == 403
    assert 'id="edit-legal"' not in text(planner.get(f"/cities/{city.ags}/about/accessibility/"))


def test_an_unknown_feedback_action_changes_nothing(admin, city):
    fb = Feedback.objects.create(city=city, email="a@example.org", message="Hallo")
    r = admin.post("/about/accessibility/feedback/", {"pk": fb.pk, "action": "drop"})
    assert r.status_code == 400 and "nichts geändert" in text(r)
    r = admin.post("/about/accessibility/feedback/", {"pk": "abc", "action": "delete"})
    assert r.status_code == 400 and Feedback.objects.filter(pk=fb.pk, status="open").exists()


def test_every_page_links_the_legal_pages_in_its_footer(client, city):
    concept = ConceptFactory(city=city, is_public=True)
    home = text(client.get("/"))
    for page in PAGES:
        assert f'href="/about/{page}/"' in home
    assert 'id="access-links"' in home  # the start page: Leichte Sprache and sign language, visibly
    on_concept = text(client.get(f"/concepts/{concept.slug}/"))
    for page in PAGES:
        assert f'href="/cities/{city.ags}/about/{page}/"' in on_concept


def test_the_privacy_page_lists_the_feedbacks_data(client, db):
    page = text(client.get("/about/privacy/"))
    assert 'id="feedback-data"' in page and "Ihre Nachricht, Ihre E-Mail-Adresse, Ihr Name (freiwillig)" in page


def _phase_form():
    now = timezone.localtime()
    return {"title_de": "Ideen für den Platz", "title_en": "", "start": (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "end": (now + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"), "ideas_open": "on",
            "comments_open": "on", "support_open": "on", "moderation": "before", "report_threshold": "3",
            "retention_days": "90", "polygon": "", "themes": "Plätze | Squares | #2e7d32"}


def test_publishing_warns_and_opening_a_phase_is_refused_while_the_citys_legal_texts_are_missing(db):
    """A Köln planner published and opened a participation while the city's Impressum said only
    "werden derzeit ergänzt" and the privacy page named no controller: nothing warned. An Offenbach
    planner (walk 10) then opened one after the warning: a public participation collects personal
    data (Art. 13 DSGVO, § 5 DDG), so opening it is refused, publishing the concept only warned."""
    city = CityFactory(name="Offenbach am Main", ags="06413000")
    UserFactory(is_superuser=True, email="admin@isek.example")
    concept = ConceptFactory(city=city, is_public=False)
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    edit_url = f"/cities/{city.ags}/about/legal-texts/"
    who = "die Administration von isek (ein Konto mit Administrationsrechten; erreichbar unter admin@isek.example)"
    for page in (f"/concepts/{concept.slug}/edit/", f"/concepts/{concept.slug}/participation/phases/new/"):
        html = text(planner.get(page))
        assert 'id="legal-missing"' in html and "Impressum und Datenschutzkontakt der Stadt Offenbach am Main sind nicht vollständig" in html
        assert "Impressum (Anbieter nach § 5 DDG); Datenschutz: verantwortliche Stelle" in html
        # the edit page is named only to those who may edit it (issue #23, decision 0072): not to the planner
        assert f"Eintragen kann das nur {who}." in html and edit_url not in html
    assert "isek hält die Veröffentlichung des Konzepts nicht auf" in text(planner.get(f"/concepts/{concept.slug}/edit/"))
    concept.is_public = True
    concept.save()
    assert "lässt sich erst speichern, wenn Impressum und verantwortliche Stelle eingetragen sind" in text(
        planner.get(f"/concepts/{concept.slug}/participation/phases/new/"))
    before = checksum()
    r = planner.post(f"/concepts/{concept.slug}/participation/phases/new/", _phase_form())
    page = text(r)
    assert r.status_code == 400 and "Bitte die markierten Angaben prüfen. Es wurde nichts gespeichert." in page
    assert ("Für die Stadt Offenbach am Main fehlt noch: Impressum (Anbieter nach § 5 DDG); Datenschutz: verantwortliche "
            f"Stelle. Eintragen kann das nur {who}. Die Phase") in page
    assert 'id="fix-legal"' not in page and edit_url not in page
    assert checksum() == before
    # the administration, who may edit them, gets the link
    admin = Client(HTTP_ACCEPT_LANGUAGE="de")
    admin.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = text(admin.get(f"/concepts/{concept.slug}/edit/"))
    assert f'href="{edit_url}#imprint">Rechtliche Seiten der Stadt Offenbach am Main bearbeiten</a>' in html
    r = admin.post(f"/concepts/{concept.slug}/participation/phases/new/", _phase_form())
    assert f'id="fix-legal" href="{edit_url}#imprint">Rechtliche Seiten der Stadt bearbeiten</a>' in text(r)
    assert f"unter {edit_url}#imprint." in text(r)
    # a phase that is already over collects nothing: it may be recorded
    past = {**_phase_form(), "start": "2025-01-01T10:00", "end": "2025-02-01T10:00"}
    assert planner.post(f"/concepts/{concept.slug}/participation/phases/new/", past).status_code == 302
    # the installation's texts are the fallback: with its provider and controller the phase opens,
    # the missing officer stays a warning
    operator = services.texts_for(None)
    operator.imprint_body, operator.privacy_controller = "Betreiber GmbH", "Betreiber GmbH, Hauptstraße 1"
    services.save_texts(access.Operator("test"), operator)
    r = planner.post(f"/concepts/{concept.slug}/participation/phases/new/", _phase_form(), follow=True)
    assert r.redirect_chain and "Datenschutz: Kontakt der oder des Datenschutzbeauftragten" in text(r)
    assert "Betreiber GmbH" in text(Client().get(f"/cities/{city.ags}/about/imprint/"))
    privacy = text(Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/cities/{city.ags}/about/privacy/"))
    assert "Betreiber GmbH, Hauptstraße 1" in privacy
    # labelled as the operator's, as the imprint does (walk 22e)
    assert "<dt>Verantwortliche Stelle (Betreiber der Installation)</dt>" in privacy and 'id="privacy-operator"' in privacy
    assert "<dt>Verantwortliche Stelle</dt>" in text(Client(HTTP_ACCEPT_LANGUAGE="de").get("/about/privacy/"))
    # filled in for the city: no warning, and the privacy page names the controller and officer
    texts = services.texts_for(city)
    texts.imprint_body, texts.privacy_controller, texts.privacy_dpo = "Stadt Offenbach", "Stadt Offenbach, Rathaus", "dsb@offenbach.de"
    services.save_texts(access.Operator("test"), texts)
    assert 'id="legal-missing"' not in text(planner.get(f"/concepts/{concept.slug}/edit/"))
    privacy = text(Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/cities/{city.ags}/about/privacy/"))
    assert "Stadt Offenbach, Rathaus" in privacy and "dsb@offenbach.de" in privacy
    assert "Betreiber der Installation" not in privacy and "<dt>Verantwortliche Stelle</dt>" in privacy


def test_a_planner_refused_the_legal_texts_page_is_sent_to_the_administration_not_to_the_planners(city):
    """The 403 told the planner to ask "die Planerinnen und Planer des Konzepts" – that is the planner."""
    UserFactory(is_superuser=True, email="admin@isek.example")
    concept = ConceptFactory(city=city)
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    r = planner.get(f"/cities/{city.ags}/about/legal-texts/")
    page = text(r)
    assert r.status_code == 403 and "Planerinnen und Planer des Konzepts" not in page
    assert (f"Diese Seite ist der Administration der Stadt {city.name} vorbehalten. Wenn Sie hier etwas ändern lassen "
            "möchten, wenden Sie "
            "sich bitte an die Administration von isek (ein Konto mit Administrationsrechten).") in page
    assert "admin@isek.example" not in page  # the refused person may be anyone signed in (decision 0046)


def test_the_installations_403_page_names_its_administration_without_addresses(db):
    """The installation's own pages refused to a signed-in person listed the superusers' e-mail
    addresses (issue 22): anyone with an account could collect them. It names the administration
    as the city's 403 page does (decision 0046), without addresses or user names."""
    UserFactory(is_superuser=True, username="root-anna", email="admin@isek.example")
    citizen = Client(HTTP_ACCEPT_LANGUAGE="de")
    citizen.force_login(UserFactory())
    r = citizen.get("/about/legal-texts/")
    page = text(r)
    assert r.status_code == 403
    assert ("Diese Seite ist der Administration von isek vorbehalten. Wenn Sie hier etwas ändern lassen möchten, wenden "
            "Sie sich bitte an die Administration von isek (ein Konto mit Administrationsrechten).") in page
    assert "admin@isek.example" not in page and "root-anna" not in page


def test_the_privacy_page_says_the_controller_is_pending_and_shows_staff_where_to_fill_it(client, admin, city):
    assert 'id="privacy-pending"' in text(client.get(f"/cities/{city.ags}/about/privacy/"))
    staff = text(admin.get(f"/cities/{city.ags}/about/privacy/"))
    assert 'id="privacy-missing"' in staff and f'href="/cities/{city.ags}/about/legal-texts/#imprint"' in staff
    assert client.get("/cities/99999999/about/privacy/").status_code == 404


def test_the_sign_language_barrier_goes_with_a_video_and_the_tested_pages_exist_here(client, city):
    page = text(client.get(f"/cities/{city.ags}/about/accessibility/"))
    assert "Gebärdensprache: Ein Video in Deutscher Gebärdensprache gibt es noch nicht." in page
    # Swagger UI's unlabelled fields after "Try it out" (decision 0102) are named, with the accessible page
    assert "API interaktiv ausprobieren (Swagger UI, /api/docs/swagger/)" in page and "barrierefrei auf /api/docs/" in page
    assert "/concepts/beispielstadt/" not in page and "<code>/concepts/…/participation/</code> (ein Konzept)" in page
    texts = services.texts_for(city)
    texts.sign_video_url = "https://www.bochum.example/dgs/isek.mp4"
    services.save_texts(access.Operator("test"), texts)
    concept = ConceptFactory(city=city, is_public=True, slug="bochum-innenstadt")
    page = text(client.get(f"/cities/{city.ags}/about/accessibility/"))
    assert "Gebärdensprache:" not in page and "PDF-Berichte:" in page  # the other barriers stay
    assert '<a class="kern-link" href="/concepts/bochum-innenstadt/">' in page  # its participation: none yet
    assert "<code>/concepts/…/participation/</code> (ein Konzept)" in page
    assert client.get(f"/concepts/{concept.slug}/").status_code == 200
    html = client.get(f"/cities/{city.ags}/about/accessibility/").content.decode()
    tested = re.findall(r'<a class="kern-link" href="([^"]+)"><code>', html[html.index('id="axe-pages"'):])
    assert f"/cities/{city.ags}/about/privacy/" in tested and "/about/privacy/" not in tested  # the city's own
    assert {path: client.get(path).status_code for path in tested} == {path: 200 for path in tested}
    english = text(Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/cities/{city.ags}/about/accessibility/"))
    assert "Sign language:" not in english and "PDF reports:" in english


def test_feedback_without_a_city_address_reaches_its_administrators_else_the_installations(client, city):
    anna = UserFactory(username="anna", email="anna@bochum.example")
    r = client.post("/about/accessibility/", _feedback(client), follow=True)
    assert "die zuständige Verwaltung liest sie in isek" in text(r) and mail.outbox == []  # nobody to tell
    UserFactory(username="root", email="root@isek.example", is_superuser=True)
    r = client.post("/about/accessibility/", _feedback(client, message="Eine zweite Nachricht."), follow=True)
    assert "an die zuständige Verwaltung weitergeleitet" in text(r) and mail.outbox[-1].to == ["root@isek.example"]
    concepts.grant_city_role(access.Operator("test"), city, anna, concepts.CityRole.Role.ADMIN)
    r = client.post(f"/cities/{city.ags}/about/accessibility/", _feedback(client), follow=True)
    assert "weitergeleitet; sie antwortet Ihnen per E-Mail" in text(r)
    assert mail.outbox[-1].to == ["anna@bochum.example"] and len(mail.outbox) == 2


def test_a_citys_feedback_sent_to_the_operator_says_so_and_the_city_is_warned(client, admin, city):
    """A city without a feedback address and without administrators: its citizens' feedback goes to
    the installation's operator; the thanks says so instead of "die zuständige Verwaltung", and the
    legal-texts page warns (sup22, point 9)."""
    UserFactory(username="root", email="root@isek.example", is_superuser=True)
    r = client.post(f"/cities/{city.ags}/about/accessibility/", _feedback(client), follow=True)
    page = text(r)
    assert "an den Betrieb der Plattform weitergeleitet" in page and "zuständige Verwaltung" not in page
    assert "Die Stadt Bochum hat keine Adresse für Rückmeldungen hinterlegt" in page
    assert mail.outbox[-1].to == ["root@isek.example"]
    edit = text(admin.get(f"/cities/{city.ags}/about/legal-texts/"))
    assert 'id="no-feedback-address"' in edit and "gehen darum an den Betrieb der Plattform" in edit
    texts = services.texts_for(city)
    texts.contact_email = "a11y@bochum.example"
    services.save_texts(access.Operator("test"), texts)
    assert 'id="no-feedback-address"' not in text(admin.get(f"/cities/{city.ags}/about/legal-texts/"))
    r = client.post(f"/cities/{city.ags}/about/accessibility/", _feedback(client, message="Eine zweite Nachricht."), follow=True)
    assert "an die zuständige Verwaltung weitergeleitet" in text(r) and mail.outbox[-1].to == ["a11y@bochum.example"]


def test_the_feedback_list_is_named_as_the_citys_and_linked_from_its_settings(db, city, settings):
    """Planners refused at the feedback list read that the city's administration uses it too; the
    city's settings page links it (sup22, point 10)."""
    from tests.factories import city_admin

    settings.ISEK_REQUIRE_SECOND_FACTOR = False
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(ConceptFactory(city=city), "planner"))
    r = planner.get("/about/accessibility/feedback/")
    assert r.status_code == 403 and "der Administration der Stadt oder von isek vorbehalten" in text(r)
    boss = Client(HTTP_ACCEPT_LANGUAGE="de")
    boss.force_login(city_admin(city, "b.admin"))
    page = text(boss.get(f"/cities/{city.ags}/settings/"))
    assert 'id="feedback-link"' in page and 'href="/about/accessibility/feedback/"' in page
    assert boss.get("/about/accessibility/feedback/").status_code == 200


def test_the_statements_date_stays_empty_until_the_administrator_enters_it(client, admin, city):
    """The date the statement was prepared is a mandatory part of the EU model statement: it was
    prefilled with today's date, as if the city had checked it today (sup22, point 7)."""
    url = f"/cities/{city.ags}/about/legal-texts/"
    page = text(admin.get(url))
    field = re.search(r'<input[^>]*name="prepared_on"[^>]*>', page).group(0)
    assert "value=" not in field and "required" in field
    public = text(client.get(f"/cities/{city.ags}/about/accessibility/"))
    assert "ist noch nicht eingetragen" in public and "erstellt oder zuletzt überprüft." not in public
    form = {"compliance": "full", "prepared_on": "", "easy_de": "# Titel\nEin Satz.", "easy_en": "x", "land": "05",
            "imprint_body": "Stadt Bochum"}
    r = admin.post(url, form)
    assert r.status_code == 400 and "Bitte das Datum angeben, an dem die Erklärung erstellt" in text(r)
    assert not LegalTexts.objects.exists()
    assert admin.post(url, {**form, "prepared_on": "2026-12-01"}).status_code == 302
    assert "1. Dezember 2026 erstellt oder zuletzt überprüft" in text(client.get(f"/cities/{city.ags}/about/accessibility/"))


def test_a_land_without_a_known_enforcement_body_gets_the_citys_entry_with_address_and_link(client, admin, db):
    """isek lists only enforcement bodies it found on their own pages (legal.bodies); for another
    Land the city enters the body's name, address and page, shown on the statement (sup22, point 8)."""
    saar = CityFactory(name="Saarbrücken", ags="10041100")
    url = f"/cities/{saar.ags}/about/legal-texts/"
    page = text(admin.get(url))
    assert "isek kennt die Stelle von Saarland nicht" in page and 'name="enforcement_address"' in page
    assert 'id="enforcement-missing"' in text(client.get(f"/cities/{saar.ags}/about/accessibility/"))
    form = {"compliance": "partial", "prepared_on": "2026-12-01", "easy_de": "# Titel\nEin Satz.", "easy_en": "x",
            "land": "10", "enforcement_name": "Schlichtungsstelle (Beispiel)", "enforcement_address": "Straße 1\n66111 Ort",
            "enforcement_url": "ftp://nein"}
    r = admin.post(url, form)
    assert r.status_code == 400 and "Bitte eine gültige Adresse (URL) angeben." in text(r)
    assert admin.post(url, {**form, "enforcement_url": "https://schlichtung.example/verfahren"}).status_code == 302
    statement = text(client.get(f"/cities/{saar.ags}/about/accessibility/"))
    assert 'id="enforcement-missing"' not in statement
    assert '<a class="kern-link" href="https://schlichtung.example/verfahren">Schlichtungsstelle (Beispiel)</a>' in statement
    assert "Straße 1<br>66111 Ort" in statement
    # a Land whose body isek knows keeps isek's sourced entry, whatever the city entered
    texts = LegalTexts.objects.get(city=saar)
    texts.land = "05"
    texts.save()
    statement = text(client.get(f"/cities/{saar.ags}/about/accessibility/"))
    assert "Ombudsstelle für barrierefreie Informationstechnik" in statement and "Schlichtungsstelle (Beispiel)" not in statement


def test_an_edited_german_text_beside_the_english_default_is_hinted_and_english_readers_get_the_german(admin, city):
    """Walk 22: the administrator edited the German Leichte Sprache and barriers; English readers
    still read isek's English default, which said something else. Decision 0078: the edit page
    says which English texts are behind, English readers get the German text (lang="de") with a
    note that it is binding; translated, the English is shown again."""
    from isek.legal import defaults

    url = f"/cities/{city.ags}/about/legal-texts/"
    form = {"compliance": "partial", "barriers_de": "Die Karte der Innenstadt ist nicht barrierefrei.",
            "barriers_en": defaults.BARRIERS["en"], "assessment_de": "", "assessment_en": "", "prepared_on": "2026-12-01",
            "contact_email": "a11y@bochum.example", "land": "05", "easy_de": "# Bochum\nDie Stadt plant.",
            "easy_en": defaults.EASY["en"].replace("\n", "\r\n"), "sign_video_url": "", "imprint_body": "Stadt Bochum",
            "imprint_address": "", "imprint_represented_by": "", "imprint_contact": "", "imprint_vat_id": "",
            "imprint_supervisory": ""}
    assert admin.post(url, form).status_code == 302
    hint = text(admin.get(url)).split('id="english-behind"', 1)[1].split("</div>", 1)[0]
    assert "Nicht barrierefreie Inhalte und Gründe (Englisch)" in hint and "Text in einfachem Englisch" in hint
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    easy = text(en.get(f"/cities/{city.ags}/about/leichte-sprache/"))
    assert 'id="easy-german"' in easy and 'lang="de">' in easy and "Die Stadt plant." in easy
    assert "the German text is binding" in easy
    statement = text(en.get(f"/cities/{city.ags}/about/accessibility/"))
    assert 'id="barriers-german"' in statement and "Die Karte der Innenstadt ist nicht barrierefrei." in statement
    de = text(Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/cities/{city.ags}/about/leichte-sprache/"))
    assert 'id="easy-german"' not in de and "Die Stadt plant." in de
    # translated: the English again, no note, no hint
    assert admin.post(url, {**form, "easy_en": "# Bochum\nThe city plans.", "barriers_en": "The map is not accessible."}).status_code == 302
    easy = text(en.get(f"/cities/{city.ags}/about/leichte-sprache/"))
    assert "The city plans." in easy and 'id="easy-german"' not in easy
    assert 'id="english-behind"' not in text(admin.get(url))


def test_the_privacy_page_lists_a_citizens_account_data(client, db):
    page = text(client.get("/about/privacy/"))
    part = page.split('id="konto"', 1)[1].split("</table>", 1)[0]
    assert "Ihre E-Mail-Adresse, ein Anzeigename (freiwillig), Ihr Passwort als Prüfwert" in part
    assert "bis Sie das Konto löschen" in part


@pytest.mark.parametrize("url, origin", [
    ("https://www.speyer.de/media/dgs.mp4", "https://www.speyer.de"),
    ("https://Video.Speyer.de:8443/dgs.webm?v=2", "https://video.speyer.de:8443"),
    ("http://www.speyer.de/media/dgs.mp4", ""), ("https://www.speyer.de/dgs/", ""),
    ("https://user:pw@www.speyer.de/dgs.mp4", ""), ("https://www.spe;yer.de/dgs.mp4", "")])
def test_the_origin_of_a_playable_video_is_https_and_a_plain_host(url, origin):
    assert services.video_origin(url) == origin


def test_the_sign_language_page_alone_allows_media_from_the_citys_video_origin(client, city):
    """Issue 22 walk: the city's DGS video (an MP4 on its own site) was blocked by the
    Content-Security-Policy (no media-src, default-src 'self'); decision 0084."""
    texts = services.texts_for(city)
    texts.sign_video_url = "https://www.speyer.de/media/dgs.mp4"
    services.save_texts(access.Operator("test"), texts)
    policy = client.get(f"/cities/{city.ags}/about/sign-language/")["Content-Security-Policy"]
    media = [d.strip() for d in policy.split(";") if d.strip().startswith("media-src")]
    assert media == ["media-src 'self' https://www.speyer.de"]
    for other in (f"/cities/{city.ags}/about/accessibility/", f"/cities/{city.ags}/about/imprint/", "/about/sign-language/"):
        policy = client.get(other)["Content-Security-Policy"]
        assert "media-src" not in policy and "speyer.de" not in policy and "default-src 'self'" in policy


def test_a_city_named_stadt_is_not_called_die_stadt_stadt(client, db):
    """Issue 22 walk: "Die Stadt Stadt Speyer" on the accessibility statement (decision 0084)."""
    speyer = CityFactory(name="Stadt Speyer", ags="07318000")
    for url in (f"/cities/{speyer.ags}/about/accessibility/", f"/cities/{speyer.ags}/about/sign-language/"):
        page = text(client.get(url))
        assert "Stadt Stadt" not in page and "Stadt Speyer" in page
    assert CityFactory(name="Stadtallendorf", ags="06534017").name_after_stadt == "Stadtallendorf"


def test_the_same_feedback_sent_again_after_back_is_not_stored_twice(client, city):
    """Issue 22 walk: sending the form again after "back" stored a second identical message
    (decision 0084); another message, or the same after the time, is stored."""
    url = f"/cities/{city.ags}/about/accessibility/"
    assert client.post(url, _feedback(client)).status_code == 302
    sent = len(mail.outbox)
    r = client.post(url, _feedback(client, email="Anna@example.org"))
    assert r.status_code == 400 and "Diese Nachricht ist vor wenigen Minuten schon angekommen" in text(r)
    assert Feedback.objects.count() == 1 and len(mail.outbox) == sent
    assert client.post(url, _feedback(client, message="Die Schrift ist zu klein.")).status_code == 302
    Feedback.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=services.FEEDBACK_TWICE_MINUTES + 1))
    assert client.post(url, _feedback(client)).status_code == 302 and Feedback.objects.count() == 3
