"""Many cities on one installation (issue 22, point 2; decision 0046): the administrator of a city
invites and manages the people of its concepts, edits its legal texts and look and sees all its
concepts – and nothing of another city beyond what is public. Per city a logo (a checked image),
an accent colour (at least 4.5:1 on white), a start page /<city>/ and, optionally, a host name."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from isek import access
from isek.accounts import services as accounts
from isek.accounts.models import Invitation
from isek.concepts import services
from isek.concepts.models import CityRole, ConceptRole, contrast_on_white
from isek.legal.models import LegalTexts
from tests.conftest import client_for
from tests.dbstate import checksum
from tests.factories import PNG, CityFactory, ConceptFactory, UserFactory, authority_staff, city_admin, member, png

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def two(settings):
    """City A with a draft and a public concept, city B with a draft; an administrator of each."""
    settings.ISEK_REQUIRE_SECOND_FACTOR = False
    a, b = CityFactory(name="Altstadt", ags="05911000"), CityFactory(name="Bergdorf", ags="05913000")
    return {
        "a": a, "b": b,
        "draft_a": ConceptFactory(city=a, is_public=False, name="Entwurf Altstadt"),
        "public_a": ConceptFactory(city=a, is_public=True, name="Öffentlich Altstadt"),
        "draft_b": ConceptFactory(city=b, is_public=False, name="Entwurf Bergdorf"),
        "admin_a": city_admin(a, "anna"), "admin_b": city_admin(b, "bernd"),
    }


# --- the role and its separation -------------------------------------------------------------------


NOT_ADDABLE = "Keinen Zugang mit diesem Namen oder dieser E-Mail in der Stadt Altstadt gefunden"


def test_a_concepts_team_takes_people_of_its_city_only_and_the_answer_names_no_other_citys_account(two):
    """Walk 22 (Schwäbisch Gmünd): a planner of one city added any account of the installation by
    its name – another city's planner, a funding authority's reviewer – and the answers told which
    names exist. Addable are the city's people (decision 0077); every other name, existing or not,
    gets the same answer and changes nothing."""
    from django.utils import timezone

    from isek.accounts.models import ExternalIdentity, IdentityProvider

    a, concept = two["a"], two["draft_a"]
    planner = member(concept, "planner", "plana")
    outsiders = [member(two["draft_b"], "planner", "bochum"), authority_staff("059", username="bezreg"),
                 UserFactory(username="fremd", email="fremd@example.org"), city_admin(two["b"], "bertha")]
    now = timezone.now()
    invited = UserFactory(username="eingeladen", email="eingeladen@altstadt.example")
    Invitation.objects.create(email=invited.email, token_hash="x" * 64, city=a, expires_at=now, accepted_at=now,
                              user=invited)
    provider = IdentityProvider.objects.create(name="Altstadt", city=a, issuer="https://login.altstadt.example",
                                               client_id="isek")
    signed_in = UserFactory(username="keycloak-1")
    ExternalIdentity.objects.create(provider=provider, subject="1", user=signed_in)
    insiders = [member(two["public_a"], "reviewer", "kollegin"), two["admin_a"], invited, signed_in]
    CityRole.objects.create(city=a, user=UserFactory(username="starterin"), role=CityRole.Role.STARTER)
    team = f"/concepts/{concept.slug}/members/"
    c = client_for(planner)
    before = checksum()
    answers = set()
    for name in [u.username for u in outsiders] + ["fremd@example.org", "niemand"]:
        r = c.post(team, {"person": name, "role": "reviewer"})
        body = text(r)
        assert r.status_code == 400 and NOT_ADDABLE in body, name
        answers.add(body.replace(name, "NAME").split('name="csrfmiddlewaretoken"')[0])
        r = c.post(team, {"revoke": name})  # another account's name to take away: nothing said about it
        assert r.status_code == 302 and "gehört nicht mehr" not in text(c.get(team)), name
    assert len(answers) == 1  # one answer for every name not addable
    assert checksum() == before
    for person in [*insiders, "starterin", "eingeladen@altstadt.example"]:
        name = person if isinstance(person, str) else person.username
        assert c.post(team, {"person": name, "role": "reviewer"}).status_code == 302, name
    assert ConceptRole.objects.filter(concept=concept, role="reviewer").count() == 5  # the invited one twice
    # the installation's administrator, who sees every account anyway, adds any
    root = client_for(UserFactory(is_superuser=True))
    assert root.post(team, {"person": "fremd", "role": "reviewer"}).status_code == 302


def test_the_city_administrator_has_the_administrators_role_on_the_citys_concepts_only(two):
    assert access.role_of(two["admin_a"], two["draft_a"]) is access.Role.CITY_ADMIN
    assert access.role_of(two["admin_a"], two["draft_b"]) is access.Role.CITIZEN
    assert set(access.visible_concepts(two["admin_a"])) == {two["draft_a"], two["public_a"]}
    assert set(access.visible_concepts(two["admin_b"])) == {two["draft_b"], two["public_a"]}


def test_city_b_administrator_gets_404_on_city_a_draft_and_its_members_page(two):
    b = client_for(two["admin_b"])
    slug = two["draft_a"].slug
    for url in (f"/concepts/{slug}/", f"/concepts/{slug}/members/", f"/concepts/{slug}/kuf/", f"/concepts/{slug}/edit/"):
        assert b.get(url).status_code == 404, url
    assert b.post(f"/concepts/{slug}/members/", {"person": "bernd", "role": "planner"}).status_code == 404
    assert not ConceptRole.objects.filter(concept=two["draft_a"]).exists()
    # city A's own administrator sees and manages it
    a = client_for(two["admin_a"])
    assert a.get(f"/concepts/{slug}/").status_code == 200
    planner = UserFactory(username="paula")
    CityRole.objects.create(city=two["a"], user=planner, role=CityRole.Role.STARTER)  # a person of city A (decision 0077)
    assert a.post(f"/concepts/{slug}/members/", {"person": "paula", "role": "planner"}).status_code == 302
    assert ConceptRole.objects.get(concept=two["draft_a"], user=planner).role == "planner"
    # city A's public concept: city B's administrator reads it as anyone does, and changes nothing
    assert b.get(f"/concepts/{two['public_a'].slug}/").status_code == 200
    assert b.get(f"/concepts/{two['public_a'].slug}/members/").status_code == 403


def test_the_city_start_page_shows_drafts_to_its_administrator_only(two):
    page_a = text(client_for(two["admin_a"]).get("/altstadt/"))
    assert "Entwurf Altstadt" in page_a and "Öffentlich Altstadt" in page_a and "Entwurf Bergdorf" not in page_a
    assert 'id="city-settings-link"' in page_a
    page_b = text(client_for(two["admin_b"]).get("/altstadt/"))
    assert "Öffentlich Altstadt" in page_b and "Entwurf Altstadt" not in page_b and 'id="city-settings-link"' not in page_b
    public = text(Client().get("/altstadt/"))
    assert "Öffentlich Altstadt" in public and "Entwurf" not in public
    assert Client().get("/nirgendwo/").status_code == 404


def test_the_installation_looks_as_before_and_existing_urls_keep_working(two):
    home = text(Client().get("/"))
    assert "Integrierte städtebauliche Entwicklungskonzepte" in home and "Öffentlich Altstadt" in home
    for url in ("/about/privacy/", "/about/help/", "/about/accessibility/", f"/concepts/{two['public_a'].slug}/",
                f"/cities/{two['a'].ags}/about/imprint/", "/concepts/new/"):
        assert Client().get(url).status_code in (200, 302), url


def test_a_city_slug_that_is_a_path_of_isek_is_refused(two):
    admin = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(ValidationError) as refused:
        services.save_city_addresses(admin, two["a"], name="Altstadt", slug="concepts", host="")
    assert "concepts" in str(refused.value)
    assert services.city_by_ags(two["a"].ags).slug == "altstadt"


def test_a_city_slug_in_capitals_is_another_citys_and_refused(two):
    """Walk 22c: "BOCHUM" passed as Neustadt's short name beside Bochum's "bochum" – /BOCHUM/ showed
    Neustadt's start page under Bochum's name; "ADMIN" passed the reserved words. The short name is
    kept in lower case; taken and reserved ones are refused in any case, on the page too."""
    admin = UserFactory(is_superuser=True, is_staff=True)
    root = client_for(admin)
    before = checksum()
    for taken in ("ALTSTADT", "Altstadt", "CONCEPTS"):
        with pytest.raises(ValidationError):
            services.save_city_addresses(admin, two["b"], name="Bergdorf", slug=taken, host="")
    r = root.post(f"/cities/{two['b'].ags}/administration/", {"save": "1", "name": "Bergdorf", "slug": "ALTSTADT",
                                                               "host": ""})
    assert r.status_code == 400 and "Den Kurznamen „altstadt“ hat schon eine andere Stadt" in text(r)
    assert checksum() == before
    services.save_city_addresses(admin, two["b"], name="Bergdorf", slug="Berg-DORF", host="")
    assert services.city_by_ags(two["b"].ags).slug == "berg-dorf"


def test_a_new_city_gets_its_short_name_from_its_name(db):
    assert CityFactory(name="Mülheim an der Ruhr", ags="05117000").slug == "muelheim-an-der-ruhr"
    assert CityFactory(name="Mülheim an der Ruhr!", ags="05117001").slug == "muelheim-an-der-ruhr-05117001"
    assert CityFactory(name="About", ags="05117002").slug == "about-05117002"


def test_a_citys_host_name_shows_its_start_page(two, settings):
    settings.ALLOWED_HOSTS = ["testserver", "isek.altstadt.example"]
    admin = UserFactory(is_superuser=True, is_staff=True)
    services.save_city_addresses(admin, two["a"], name="Altstadt", slug="altstadt", host="ISEK.Altstadt.example")
    page = text(Client(HTTP_HOST="isek.altstadt.example:443").get("/"))
    assert "Integrierte Stadtentwicklung in Altstadt" in page and "Öffentlich Altstadt" in page
    assert "Integrierte Stadtentwicklung in" not in text(Client().get("/"))
    with pytest.raises(ValidationError, match="Hostnamen"):
        services.save_city_addresses(admin, two["b"], name="Bergdorf", slug="bergdorf", host="https://x/")
    with pytest.raises(ValidationError, match="Ein Hostname trägt keinen Pfad"):
        services.save_city_addresses(admin, two["b"], name="Bergdorf", slug="bergdorf", host="https://x.example/y")


def test_a_pasted_address_gives_the_host_name_and_a_path_is_refused_saying_why(two, settings):
    """Walk 22 (Göttingen): the host-name field refused "https://beispiel.de/" instead of taking the
    host name from it."""
    settings.ALLOWED_HOSTS = ["testserver", "isek.altstadt.example"]
    root = client_for(UserFactory(is_superuser=True, is_staff=True))
    url = f"/cities/{two['a'].ags}/administration/"
    form = {"save": "1", "name": "Altstadt", "slug": "altstadt"}
    for pasted in ("https://isek.altstadt.example/", "HTTP://Isek.Altstadt.Example:443", "isek.altstadt.example."):
        assert root.post(url, {**form, "host": ""}).status_code == 302
        assert root.post(url, {**form, "host": pasted}).status_code == 302, pasted
        assert services.city_by_ags(two["a"].ags).host == "isek.altstadt.example", pasted
    before = checksum()
    r = root.post(url, {**form, "host": "https://isek.altstadt.example/isek/"})
    assert r.status_code == 400 and checksum() == before
    assert "Ein Hostname trägt keinen Pfad" in text(r) and "Bitte den Pfad „/isek/“ weglassen." in text(r)


def test_a_host_name_the_installation_does_not_serve_is_saved_and_the_page_says_the_operator_must_add_it(two, settings):
    """Issue 22 walk: a host name saved on the city's page answered "Bad Request (400)" and nothing
    said why. It is saved; the page says that ISEK_ALLOWED_HOSTS must name it (decision 0086)."""
    settings.ALLOWED_HOSTS = ["testserver", ".stadt.example"]
    root = client_for(UserFactory(is_superuser=True, is_staff=True))
    url = f"/cities/{two['a'].ags}/administration/"
    r = root.post(url, {"save": "1", "name": "Altstadt", "slug": "altstadt", "host": "isek.altstadt.example"}, follow=True)
    page = text(r)
    assert r.status_code == 200 and services.city_by_ags(two["a"].ags).host == "isek.altstadt.example"
    assert "Die Angaben der Stadt sind gespeichert." in page and 'id="host-not-served"' in page
    assert ("Diese Installation nimmt den Hostnamen isek.altstadt.example noch nicht an: der Betrieb der Installation "
            "muss ihn in ISEK_ALLOWED_HOSTS eintragen") in page
    assert Client(HTTP_HOST="isek.altstadt.example").get("/").status_code == 400
    # a name the installation serves (here by its domain's wildcard) is not warned about
    r = root.post(url, {"save": "1", "name": "Altstadt", "slug": "altstadt", "host": "isek.stadt.example"}, follow=True)
    assert "Die Angaben der Stadt sind gespeichert." in text(r) and "host-not-served" not in text(r)
    assert "Integrierte Stadtentwicklung in Altstadt" in text(Client(HTTP_HOST="isek.stadt.example").get("/"))


# --- who grants what ---------------------------------------------------------------------------------


def test_only_the_installation_administrator_names_city_administrators(two):
    a = client_for(two["admin_a"])
    paula = UserFactory(username="paula")
    url = f"/cities/{two['a'].ags}/administration/"
    assert a.get(url).status_code == 403
    assert a.post(url, {"grant": "1", "person": "paula"}).status_code == 403
    admin = client_for(UserFactory(is_superuser=True, is_staff=True))
    assert admin.post(url, {"grant": "1", "person": "paula"}).status_code == 302
    assert CityRole.objects.filter(city=two["a"], user=paula, role="admin").exists()
    r = admin.post(url, {"grant": "1", "person": "niemand"})
    assert r.status_code == 400 and "Keinen Zugang mit diesem Namen" in text(r)
    assert admin.post(url, {"revoke": "paula"}).status_code == 302
    assert not CityRole.objects.filter(user=paula).exists()


def test_the_city_administrator_invites_into_the_city_only_and_the_invited_starts_concepts_there_only(two):
    a = client_for(two["admin_a"])
    page = text(a.get("/accounts/invite/"))
    assert "Altstadt" in page and "Bergdorf" not in page and "city_admin" not in page
    before = checksum()
    r = a.post("/accounts/invite/", {"email": "p@altstadt.example", "city": two["b"].pk, "may_start_concepts": "on"})
    assert r.status_code == 400 and checksum() == before  # not a choice of theirs
    r = a.post("/accounts/invite/", {"email": "p@altstadt.example", "may_start_concepts": "on"})
    assert r.status_code == 400 and checksum() == before  # the city is required
    assert a.post("/accounts/invite/", {"email": "p@altstadt.example", "city": two["a"].pk,
                                        "may_start_concepts": "on"}).status_code == 302
    invitation = Invitation.objects.get(email="p@altstadt.example")
    assert invitation.city == two["a"] and not invitation.city_admin and len(mail.outbox) == 1
    assert [i.email for i in accounts.open_invitations(two["admin_b"])] == []
    token = mail.outbox[0].body.split("/accounts/invitation/")[1].split("/")[0]
    person = accounts.accept(token, "petra", "ein-langes-passwort-2026")
    assert not person.has_perm("concepts.add_concept") and services.may_start_in(person, two["a"])
    fields = dict(city_name="Bergdorf", name="Neu", programme="lebendige_zentren", legal_basis="baugb_142",
                  start_year=2026, end_year=2034)
    with pytest.raises(ValidationError) as refused:
        services.start_concept(person, ags=two["b"].ags, slug="neu-b", **fields)
    assert "Sie dürfen Konzepte nur für Altstadt (05 911 000) anlegen." in refused.value.error_dict["ags"][0].message
    concept = services.start_concept(person, ags=two["a"].ags, slug="neu-a", **(fields | {"city_name": "Altstadt"}))
    assert concept.city == two["a"] and access.role_of(person, concept) is access.Role.PLANNER
    # a new city is the installation's to create
    with pytest.raises(ValidationError) as refused:
        services.start_concept(person, ags="05314000", slug="neu-c", **(fields | {"city_name": "Bonn"}))
    assert refused.value.error_dict["ags"][0].code == "city_not_allowed"


def test_the_installation_administrator_invites_a_city_administrator(two):
    admin = UserFactory(is_superuser=True, is_staff=True)
    inv, link = accounts.invite(admin, "c@bergdorf.example", base_url="http://testserver/", may_start_concepts=False,
                                city=two["b"], city_admin=True)
    person = accounts.accept(link.rstrip("/").rsplit("/", 1)[1], "carla", "ein-langes-passwort-2026")
    assert access.role_of(person, two["draft_b"]) is access.Role.CITY_ADMIN
    with pytest.raises(ValidationError, match="nur die Administration von isek"):  # a city's administrator names none
        accounts.invite(two["admin_a"], "d@altstadt.example", base_url="http://testserver/", city=two["a"], city_admin=True)
    assert not Invitation.objects.filter(email="d@altstadt.example").exists()


def test_the_city_administrator_edits_the_citys_legal_texts_not_another_citys(two):
    a = client_for(two["admin_a"])
    assert a.get(f"/cities/{two['b'].ags}/about/legal-texts/").status_code == 403
    assert a.get("/about/legal-texts/").status_code == 403  # the installation's own
    url = f"/cities/{two['a'].ags}/about/legal-texts/"
    form = {"compliance": "partial", "prepared_on": "2026-12-01", "easy_de": "# Titel\nEin Satz.", "easy_en": "x",
            "imprint_body": "Stadt Altstadt", "privacy_controller": "Stadt Altstadt, Rathaus",
            "privacy_dpo": "datenschutz@altstadt.example", "land": "05"}
    assert a.post(url, form).status_code == 302
    saved = LegalTexts.objects.get(city=two["a"])
    assert (saved.imprint_body, saved.privacy_controller) == ("Stadt Altstadt", "Stadt Altstadt, Rathaus")
    assert client_for(two["admin_b"]).post(url, form | {"imprint_body": "Bergdorf"}).status_code == 403
    assert LegalTexts.objects.get(city=two["a"]).imprint_body == "Stadt Altstadt"


# --- the look: accent colour and logo ---------------------------------------------------------------


def test_contrast_by_the_wcag_formula():
    assert contrast_on_white("#ffffff") == pytest.approx(1.0)
    assert contrast_on_white("#000000") == pytest.approx(21.0)
    assert contrast_on_white("#777777") == pytest.approx(4.48, abs=0.01)  # the classic just-too-light grey
    assert contrast_on_white("#767676") == pytest.approx(4.54, abs=0.01)


def test_an_accent_colour_below_4_5_to_1_is_refused_naming_the_ratio(two):
    a = client_for(two["admin_a"])
    url = f"/cities/{two['a'].ags}/settings/"
    before = checksum()
    r = a.post(url, {"accent": "#777777"})
    assert r.status_code == 400 and "nur ein Kontrastverhältnis von 4,47:1" in text(r) and "4,5:1" in text(r)
    r = a.post(url, {"accent": "blau"})
    assert r.status_code == 400 and ("„blau“ liest isek nicht als Farbe. Bitte als #RRGGBB (z. B. #004b87), kurz als "
                                     "#RGB oder als rgb(0, 75, 135) angeben.") in text(r)
    r = a.post(url, {"accent": "rgb(300, 0, 0)"})
    assert r.status_code == 400 and "„rgb(300, 0, 0)“ liest isek nicht als Farbe" in text(r)
    assert checksum() == before
    # walk 22: the field cut "rgb(0, 75, 135)" at 7 characters; CSS's rgb() is read whole
    assert 'maxlength="7"' not in text(a.get(url))
    assert a.post(url, {"accent": "rgb(0, 75, 135)"}).status_code == 302
    assert services.city_by_ags(two["a"].ags).accent == "#004b87"
    assert a.post(url, {"accent": "#004B87"}).status_code == 302
    assert services.city_by_ags(two["a"].ags).accent == "#004b87"
    page = text(Client().get(f"/concepts/{two['public_a'].slug}/"))
    assert "--isek-accent: #004b87" in page and 'id="city-brand"' in page
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    en.force_login(two["admin_a"])
    r = en.post(url, {"accent": "#777777"})
    assert "contrast ratio of only 4.47:1" in text(r)


def test_a_settings_form_opened_before_another_save_is_refused_and_changes_nothing(two):
    """Walk 22 (Göttingen): two tabs of the city's settings – the one opened before the other's
    save overwrote its colour silently. Both forms of the page (look, name) carry the state of the
    city they were loaded from (decision 0096): stale, refused with 409 and a message, nothing saved
    (not even a logo sent with it); loaded anew, they save."""
    import re

    a = client_for(two["admin_a"])
    url = f"/cities/{two['a'].ags}/settings/"

    def state(page) -> str:
        states = set(re.findall(r'name="state" value="([^"]*)"', text(page)))
        assert len(states) == 1  # the look's form and the name's
        return states.pop()

    tab_a, tab_b = state(a.get(url)), state(a.get(url))
    assert a.post(url, {"accent": "#004b87", "state": tab_a}).status_code == 302
    before = checksum()
    for sent in ({"accent": "#8a1538", "logo": SimpleUploadedFile("logo.png", png(), "image/png")},
                 {"rename": "1", "name": "Altstadt an der Aue"}):
        refused = a.post(url, {**sent, "state": tab_b})
        assert refused.status_code == 409 and checksum() == before, sent
        assert "Die Stadt wurde inzwischen geändert" in text(refused) and 'id="city-reload"' in text(refused)
        assert state(refused) == tab_b  # sent again from the refused page: refused again
    city = services.city_by_ags(two["a"].ags)
    assert (city.accent, city.name, city.has_logo) == ("#004b87", "Altstadt", False)
    with pytest.raises(ValidationError) as by_service:
        services.save_city_look(two["admin_a"], city, accent="#8a1538", state=tab_b)
    assert by_service.value.code == "changed" and services.city_by_ags(two["a"].ags).accent == "#004b87"
    fresh = state(a.get(url))
    assert a.post(url, {"rename": "1", "name": "Altstadt an der Aue", "state": fresh}).status_code == 302
    assert a.post(url, {"accent": "#8a1538", "state": fresh}).status_code == 409  # the renaming changed the city
    assert a.post(url, {"accent": "#8a1538", "state": state(a.get(url))}).status_code == 302
    assert services.city_by_ags(two["a"].ags).accent == "#8a1538"


def test_the_city_b_administrator_cannot_change_city_a_look(two):
    two["admin_a"].email = "anna@altstadt.example"
    two["admin_a"].save()
    b = client_for(two["admin_b"])
    before = checksum()
    assert b.post(f"/cities/{two['a'].ags}/settings/", {"accent": "#004b87"}).status_code == 403
    refused = b.get(f"/cities/{two['a'].ags}/settings/")
    assert refused.status_code == 403
    assert "Diese Seite ist der Administration der Stadt Altstadt vorbehalten." in text(refused)
    assert "wenden Sie sich bitte an die Administration der Stadt Altstadt." in text(refused)
    # the city's administrators' addresses and names are nobody's business on a refusal
    assert "anna@altstadt.example" not in text(refused) and "(anna)" not in text(refused)
    assert checksum() == before


def test_a_city_page_refused_names_the_city_also_where_it_has_no_administrator(two):
    c = CityFactory(name="Halberstadt", ags="15085135")
    refused = client_for(two["admin_b"]).get(f"/cities/{c.ags}/settings/")
    assert refused.status_code == 403
    assert "Diese Seite ist der Administration der Stadt Halberstadt vorbehalten." in text(refused)
    assert "wenden Sie sich bitte an die Administration von isek" in text(refused)
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    en.force_login(two["admin_b"])
    assert "reserved for the administration of the city of Halberstadt" in text(en.get(f"/cities/{c.ags}/settings/"))


def test_a_logo_is_a_checked_png_or_jpeg_re_encoded(two):
    a = client_for(two["admin_a"])
    url = f"/cities/{two['a'].ags}/settings/"
    before = checksum()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for name, data in (("logo.svg", svg), ("logo.png", b"kein Bild, nur Text"), ("logo.gif", b"GIF89a\x01\x00\x01\x00")):
        r = a.post(url, {"accent": "", "logo": SimpleUploadedFile(name, data, "image/png")})
        assert r.status_code == 400 and "Das Logo muss eine PNG- oder JPEG-Datei sein" in text(r), name
    r = a.post(url, {"accent": "", "logo": SimpleUploadedFile("gross.png", b"\x89PNG" + b"0" * 1_100_000, "image/png")})
    assert r.status_code == 400 and "höchstens 1,0 MB" in text(r)
    assert checksum() == before
    big = png(1200, 300)
    assert a.post(url, {"accent": "", "logo": SimpleUploadedFile("logo.png", big, "image/png")}).status_code == 302
    served = Client().get(f"/cities/{two['a'].ags}/logo.png")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(served.content)) as img:
        assert img.format == "PNG" and img.size == (600, 150)  # scaled down into 600 × 200
    page = text(Client().get(f"/concepts/{two['public_a'].slug}/"))
    assert f"/cities/{two['a'].ags}/logo.png" in page and 'alt="Logo: Altstadt"' in page
    assert Client().get(f"/cities/{two['b'].ags}/logo.png").status_code == 404  # none
    jpeg = BytesIO()
    Image.new("RGB", (100, 100), (200, 30, 30)).save(jpeg, "JPEG")
    assert a.post(url, {"accent": "", "logo": SimpleUploadedFile("wappen.jpg", jpeg.getvalue(), "image/jpeg")}).status_code == 302
    assert Client().get(f"/cities/{two['a'].ags}/logo.png").content.startswith(b"\x89PNG")  # re-encoded
    assert a.post(url, {"accent": "", "remove_logo": "on"}).status_code == 302
    assert Client().get(f"/cities/{two['a'].ags}/logo.png").status_code == 404
    assert PNG  # the matrix's logo is a real PNG too


def test_the_city_administrator_needs_a_second_factor(two, settings):
    assert access.needs_second_factor(two["admin_a"])
    assert not access.needs_second_factor(member(two["draft_a"], "reviewer"))


def test_a_planner_missing_legal_texts_is_sent_to_the_citys_administration(two):
    two["admin_a"].email = "anna@altstadt.example"
    two["admin_a"].save()
    planner = member(two["draft_a"], "planner")
    page = text(client_for(planner).get(f"/concepts/{two['draft_a'].slug}/edit/"))
    assert "die Administration der Stadt Altstadt (anna@altstadt.example) oder die Administration von isek" in page
    other = text(client_for(member(two["draft_b"], "planner")).get(f"/concepts/{two['draft_b'].slug}/edit/"))
    assert "Eintragen kann das nur die Administration der Stadt Bergdorf (bernd) oder die Administration von isek" in other


def test_the_administrations_addresses_are_named_to_the_citys_staff_only(two):
    """Issue 22: ``administration(city)`` put the city administrators' and the superusers' e-mail
    addresses into every text that named it, whoever read it. The missing-legal-texts notices are
    shown to the city's staff (planners of its concepts, its administrators, the installation's);
    they keep the addresses, anybody else gets the names without them."""
    two["admin_a"].email = "anna@altstadt.example"
    two["admin_a"].save()
    UserFactory(is_superuser=True, username="root-rita", email="root@isek.example")
    staff = (member(two["draft_a"], "planner"), two["admin_a"], UserFactory(is_superuser=True))
    for viewer in staff:
        said = accounts.administration(two["a"], viewer)
        assert "anna@altstadt.example" in said and "root@isek.example" in said, viewer
    outsiders = (None, UserFactory(), member(two["draft_b"], "planner"), two["admin_b"],
                 member(two["draft_a"], "reviewer"), member(two["draft_a"], "moderator"))
    for viewer in outsiders:
        said = accounts.administration(two["a"], viewer)
        assert said == "die Administration der Stadt Altstadt oder die Administration von isek (ein Konto mit " \
                       "Administrationsrechten)", viewer
    assert "@" not in accounts.administration(None, two["admin_a"])  # the installation's: its administrators only

def test_the_logo_goes_into_a_backup_and_back(two):
    from django.core import serializers

    city = services.save_city_look(access.Operator("test"), two["a"], accent="#004b87", logo=png(80, 40))
    data = serializers.serialize("isekjson", [services.city_by_ags(city.ags)])
    restored = next(serializers.deserialize("isekjson", data)).object
    assert bytes(restored.logo) == bytes(services.city_by_ags(city.ags).logo) and bytes(restored.logo).startswith(b"\x89PNG")
    assert restored.accent == "#004b87"


def test_the_installation_administrator_sees_a_citys_roles_in_djangos_admin(two):
    admin = client_for(UserFactory(is_superuser=True, is_staff=True))
    page = text(admin.get(f"/admin/concepts/city/{two['a'].pk}/change/"))
    assert 'name="roles-0-user"' in page and 'name="slug"' in page and 'name="accent"' not in page
    add = admin.get("/admin/concepts/city/add/")
    assert add.status_code == 200
    # the empty row's person and role say what to do (issue 22 walk: "---------")
    for shown in (page, text(add)):
        assert "---------" not in shown and '<option value="" selected>– bitte wählen –</option>' in shown
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    en.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert "– please choose –" in text(en.get("/admin/concepts/city/add/"))


def test_the_wizard_names_the_one_city_a_city_administrator_may_start_concepts_in(two):
    page = text(client_for(two["admin_a"]).get("/concepts/new/"))
    assert 'value="05911000"' in page and 'value="Altstadt"' in page
    assert 'value="05911000"' not in text(client_for(UserFactory(is_superuser=True, is_staff=True)).get("/concepts/new/"))


def test_a_logo_too_large_in_pixels_says_so_and_sizes_are_written_as_in_german():
    """Walk 12: a valid 30,000 × 30,000 PNG was called "keine PNG- oder JPEG-Datei" (Pillow's own
    limit stops it before isek's), and "3.0 MB" stood in German text."""
    import io

    from PIL import Image

    from isek.concepts import logos
    from isek.core.problems import InputError

    big = io.BytesIO()
    Image.new("1", (30000, 30000)).save(big, "PNG")  # a few kB, 900 million pixels
    with pytest.raises(InputError) as exc:
        logos.checked_png(big.getvalue())
    assert exc.value.errors == ["Das Logo hat zu viele Bildpunkte (höchstens 25 Millionen)."]
    with pytest.raises(InputError) as exc:
        logos.checked_png(b"\x89PNG" + bytes(3_000_000))
    assert exc.value.messages(str) == ["Die Datei ist 3,0 MB groß; erlaubt sind höchstens 1,0 MB."]
    assert exc.value.messages(str, "en") == ["Die Datei ist 3.0 MB groß; erlaubt sind höchstens 1.0 MB."]


# --- the change history of a city's people and look ------------------------------------------------


def test_a_city_role_granted_and_revoked_is_in_the_change_history_with_who_did_it(two):
    from isek.core.models import ChangeRecord

    root = UserFactory(username="root", is_superuser=True)
    clara = UserFactory(username="clara")
    since = ChangeRecord.objects.order_by("pk").last().pk  # the fixture's administrators came before
    services.grant_city_role(root, two["a"], clara, CityRole.Role.ADMIN)
    services.allow_starting(two["admin_a"], UserFactory(username="dora"), two["a"], True)
    services.revoke_city_role(root, two["a"], clara, CityRole.Role.ADMIN)
    history = [(r.action, r.actor, r.changes.get("user_id", [None, None])[1], r.changes.get("role", [None, None])[1])
               for r in ChangeRecord.objects.filter(model="concepts.CityRole", pk__gt=since).order_by("pk")]
    assert history == [("create", "root", clara.pk, "admin"), ("create", "anna", history[1][2], "starter"),
                       ("delete", "root", None, None)]


def test_the_logo_is_in_the_change_history_as_its_size_and_fingerprint_and_an_unchanged_save_records_nothing(two):
    import hashlib

    from isek.core.models import ChangeRecord

    logo = png(300, 100)
    services.save_city_look(two["admin_a"], two["a"], accent="", logo=logo)
    stored = bytes(type(two["a"]).objects.get(pk=two["a"].pk).logo)
    change = ChangeRecord.objects.filter(model="concepts.City", object_id=str(two["a"].pk)).latest("pk").changes
    assert change["logo"] == ["", f"{len(stored)} B, SHA-256 {hashlib.sha256(stored).hexdigest()[:16]}"]
    assert all(not isinstance(v, str) or len(v) < 100 for pair in change.values() for v in pair)
    count = ChangeRecord.objects.filter(model="concepts.City").count()
    city = type(two["a"]).objects.get(pk=two["a"].pk)  # the logo read back (a memoryview on PostgreSQL)
    city.save()
    assert ChangeRecord.objects.filter(model="concepts.City").count() == count


def test_the_city_administrator_takes_back_may_start_concepts_city_b_cannot(two):
    """A button per person on the city's administration page (POST only, checked by the policy):
    A's administrator takes A's starter role back; B's administrator is refused (403, as the
    matrix's SITE_POLICY cell says) and
    nothing changes; a person who is no starter of A is said so."""
    starter = UserFactory(username="stella")
    services.grant_city_role(access.Operator("test"), two["a"], starter, CityRole.Role.STARTER)
    url = f"/cities/{two['a'].ags}/starters/revoke/"
    page = client_for(two["admin_a"]).get(f"/cities/{two['a'].ags}/settings/")
    assert f'action="{url}"' in text(page) and 'name="person" value="stella"' in text(page)

    b = client_for(two["admin_b"])
    assert b.post(url, {"person": "stella"}).status_code == 403
    assert b.get(url).status_code == 405
    assert services.may_start_in(starter, two["a"])

    a = client_for(two["admin_a"])
    assert a.get(url).status_code == 405 and services.may_start_in(starter, two["a"])
    r = a.post(url, {"person": "stella"}, follow=True)
    assert "stella darf in Altstadt keine Konzepte mehr anlegen." in text(r)
    assert not services.may_start_in(starter, two["a"]) and 'value="stella"' not in text(r)
    r = a.post(url, {"person": "niemand-da"}, follow=True)
    assert "„niemand-da“ darf in Altstadt keine Konzepte anlegen; nichts geändert." in text(r)


def _city_in_admin(admin, ags):
    return admin.post("/admin/concepts/city/add/", {
        "name": "Halberstadt", "ags": ags, "slug": "", "host": "",
        "roles-TOTAL_FORMS": "0", "roles-INITIAL_FORMS": "0", "roles-MIN_NUM_FORMS": "0", "roles-MAX_NUM_FORMS": "1000"})


def test_djangos_admin_takes_the_ags_as_printed_and_refuses_a_wrong_one_in_german(two):
    """Issue 22 walk: the admin's AGS field was 8 characters wide; "15 085 135" was cut."""
    admin = client_for(UserFactory(is_superuser=True, is_staff=True))
    page = text(admin.get("/admin/concepts/city/add/"))
    assert 'maxlength="8"' not in page.split('name="ags"')[1].split(">")[0]
    before = checksum()
    r = _city_in_admin(admin, "15 085 13X")
    assert r.status_code == 200 and "Der Amtliche Gemeindeschlüssel besteht nur aus Ziffern; „1508513X“" in text(r)
    r = _city_in_admin(admin, "05 911 000")  # Altstadt's
    assert r.status_code == 200 and "Eine Stadt mit dem Gemeindeschlüssel 05911000 gibt es schon." in text(r)
    assert checksum() == before
    assert _city_in_admin(admin, "15 085 135").status_code == 302
    assert services.city_by_ags("15085135").name == "Halberstadt"


def test_a_taken_short_name_or_host_and_a_forged_city_get_isek_messages_not_djangos(two):
    """Issue 22 walk: Django's "… existiert bereits" and "Wählen Sie eine gültige Option" appeared."""
    root = client_for(UserFactory(is_superuser=True, is_staff=True))
    url = f"/cities/{two['b'].ags}/administration/"
    services.save_city_addresses(access.Operator("test"), two["a"], name="Altstadt", slug="altstadt",
                                 host="isek.altstadt.example")
    a = client_for(two["admin_a"])
    before = checksum()
    r = root.post(url, {"save": "1", "name": "Bergdorf", "slug": "altstadt", "host": "isek.altstadt.example"})
    assert r.status_code == 400 and "existiert bereits" not in text(r) and "Bedingung" not in text(r)
    assert "Den Kurznamen „altstadt“ hat schon eine andere Stadt; bitte einen anderen wählen." in text(r)
    assert "Den Hostnamen „isek.altstadt.example“ hat schon eine andere Stadt." in text(r)
    with pytest.raises(ValidationError, match="Den Kurznamen „altstadt“ hat schon eine andere Stadt"):
        services.save_city_addresses(access.Operator("test"), two["b"], name="Bergdorf", slug="altstadt", host="")
    forged = a.post("/accounts/invite/", {"email": "x@bergdorf.example", "city": two["b"].pk})
    assert forged.status_code == 400 and "Wählen Sie eine gültige Option" not in text(forged)
    assert "In diese Stadt können Sie nicht einladen; bitte eine Stadt aus der Liste wählen." in text(forged)
    assert checksum() == before
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    en.force_login(UserFactory(is_superuser=True, is_staff=True))
    r = en.post(url, {"save": "1", "name": "Bergdorf", "slug": "altstadt", "host": ""})
    assert "The short name “altstadt” is already taken by another city; please choose another." in text(r)


def test_the_city_administrators_lists_come_in_pages(two):
    """Issue 22 (Land scale): a city's identity provider can make thousands of people starters of
    the city or members of a concept; the administrator's lists show 100 at a time, with links."""
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.bulk_create(get_user_model()(username=f"p{n:03d}") for n in range(150))
    CityRole.objects.bulk_create(CityRole(city=two["a"], user=u, role=CityRole.Role.STARTER) for u in people)
    ConceptRole.objects.bulk_create(ConceptRole(concept=two["draft_a"], user=u, role="reviewer") for u in people)
    a = client_for(two["admin_a"])
    first = text(a.get(f"/cities/{two['a'].ags}/settings/"))
    assert "p099" in first and "p100" not in first and "Seite 1 von 2" in first
    assert 'rel="next" href="?personen=2#city-starters"' in first
    second = text(a.get(f"/cities/{two['a'].ags}/settings/?personen=2"))
    assert "p100" in second and "p149" in second and "p099" not in second and 'rel="prev" href="?personen=1#city-starters"' in second
    assert "Entwurf Altstadt" in second and "?konzepte=" not in second  # the city's two concepts: one page
    ConceptFactory.create_batch(100, city=two["a"], is_public=False)
    concepts = text(a.get(f"/cities/{two['a'].ags}/settings/?konzepte=2"))
    assert concepts.count('>Team verwalten<') == 2 and 'rel="prev" href="?konzepte=1#city-concepts"' in concepts
    team = f"/concepts/{two['draft_a'].slug}/members/"
    page = text(a.get(team))
    assert page.count('data-user="') == 100 and 'rel="next" href="?seite=2#members"' in page
    assert text(a.get(team + "?seite=2")).count('data-user="') == 50
    for odd in ("?seite=abc", "?seite=-3", "?seite=99"):  # the first, the first, the last page
        assert text(a.get(team + odd)).count('data-user="') == (50 if odd.endswith("99") else 100)
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(two["admin_a"])
    assert "Page 1 of 2" in text(english.get(team)) and 'aria-label="Pages of the team"' in text(english.get(team))


def test_a_colour_in_a_wrong_format_gets_the_format_error_alone_and_a_valid_logo_is_saved_and_said(two):
    """Walk 22e: the valid logo was lost with a refused colour, and the next save said "Logo und
    Farbe … gespeichert" though only the colour changed. The logo is saved alone, and each save
    says exactly what it saved (decision 0090)."""
    a = client_for(two["admin_a"])
    url = f"/cities/{two['a'].ags}/settings/"
    for wrong in ("ffdd0", "#ffdd0g", "gelb"):
        r = a.post(url, {"accent": wrong, "logo": SimpleUploadedFile("logo.png", png(60, 20), "image/png")})
        assert r.status_code == 400 and "liest isek nicht als Farbe. Bitte als #RRGGBB" in text(r), wrong
        assert "Kontrastverhältnis" not in text(r) and "erneut wählen" not in text(r)
        assert "Das Logo der Stadt Altstadt ist gespeichert, die Farbe nicht" in text(r)
        assert services.city_by_ags(two["a"].ags).has_logo and services.city_by_ags(two["a"].ags).accent == ""
    city = services.city_by_ags(two["a"].ags)
    stored = bytes(city.logo)
    r = a.post(url, {"accent": "#777777", "logo": SimpleUploadedFile("neu.png", png(90, 30), "image/png")})
    assert r.status_code == 400 and "nur ein Kontrastverhältnis von 4,47:1" in text(r)
    city.refresh_from_db()
    assert bytes(city.logo) != stored and city.accent == ""  # the new logo saved, the colour not
    before = checksum()
    r = a.post(url, {"accent": "#777777"})  # no file chosen: nothing saved, nothing to say about a file
    assert r.status_code == 400 and "erneut wählen" not in text(r) and "ist gespeichert" not in text(r)
    r = a.post(url, {"accent": "blau", "logo": SimpleUploadedFile("logo.svg", b"<svg/>", "image/png")})
    assert r.status_code == 400 and "ist gespeichert" not in text(r)  # a bad file is not saved either
    assert checksum() == before
    said = text(a.get(a.post(url, {"accent": "#004b87"})["Location"]))
    assert "Die Farbe der Stadt Altstadt ist gespeichert." in said and "Logo und Farbe" not in said
    said = text(a.get(a.post(url, {"accent": "#004b87", "logo": SimpleUploadedFile("l.png", png(60, 20), "image/png")})["Location"]))
    assert "Das Logo der Stadt Altstadt ist gespeichert." in said
    said = text(a.get(a.post(url, {"accent": "#004b87"})["Location"]))
    assert "Logo und Farbe sind unverändert; nichts geändert." in said
    said = text(a.get(a.post(url, {"accent": "#8a2be2", "logo": SimpleUploadedFile("l.png", png(60, 20), "image/png")})["Location"]))
    assert "Logo und Farbe der Stadt Altstadt sind gespeichert." in said
    said = text(a.get(a.post(url, {"accent": "#8a2be2", "remove_logo": "on"})["Location"]))
    assert "Das Logo der Stadt Altstadt ist entfernt." in said


@pytest.mark.parametrize("typed, stored", [("004b87", "#004b87"), ("#004B87", "#004b87"), (" #05a ", "#0055aa"),
                                           ("05A", "#0055aa")])
def test_a_colour_without_its_hash_in_capitals_or_short_is_taken_as_rrggbb(two, typed, stored):
    """Issue 22 walk: "ffcc00", "#FFCC00" and "#0a5" were refused as no #RRGGBB (decision 0086)."""
    r = client_for(two["admin_a"]).post(f"/cities/{two['a'].ags}/settings/", {"accent": typed})
    assert r.status_code == 302 and services.city_by_ags(two["a"].ags).accent == stored


def test_a_short_or_bare_colour_below_4_5_to_1_is_still_refused(two):
    a = client_for(two["admin_a"])
    before = checksum()
    for typed in ("ffcc00", "#FC0", "#fc0"):
        r = a.post(f"/cities/{two['a'].ags}/settings/", {"accent": typed})
        assert r.status_code == 400 and "Die Farbe #ffcc00 hat auf Weiß nur ein Kontrastverhältnis von 1,51:1" in text(r), typed
    assert checksum() == before


def test_a_starter_right_from_the_citys_identity_provider_says_where_it_comes_from(two):
    from isek.accounts.models import GroupRole, IdentityProvider

    provider = IdentityProvider(name="Landkreis Görlitz", city=two["a"], issuer="http://127.0.0.1:9", client_id="isek")
    provider.set_secret("geheim")
    provider.save()
    GroupRole.objects.create(provider=provider, group="GL-Konzepte", role="starter")
    kranz = accounts.external_sign_in(provider, {"sub": "k", "preferred_username": "m.kranz", "groups": ["GL-Konzepte"]})
    services.allow_starting(access.Operator("test"), UserFactory(username="lokal"), two["a"], True)
    a = client_for(two["admin_a"])
    url = f"/cities/{two['a'].ags}/settings/"
    listed = text(a.get(url)).split('id="city-starters"')[1].split("</ul>")[0]
    assert "m.kranz" in listed and listed.count("Identitätsanbieters „Landkreis Görlitz“") == 1
    assert "kommt das Recht bei der nächsten Anmeldung dort wieder" in listed
    r = a.post(f"/cities/{two['a'].ags}/starters/revoke/", {"person": "m.kranz"}, follow=True)
    assert "m.kranz darf in" in text(r) and "kommt bei der nächsten Anmeldung dort wieder" in text(r)
    assert not services.may_start_in(kranz, two["a"])


# --- the city's name and its AGS (walk 22, decision 0078) -------------------------------------------


def test_the_city_administrator_changes_the_citys_name_not_its_ags_recorded_in_the_history(two):
    from isek.core.models import ChangeRecord

    url = f"/cities/{two['a'].ags}/settings/"
    a = client_for(two["admin_a"])
    page = text(a.get(url))
    assert "Amtlicher Gemeindeschlüssel: 05911000 – Land laut AGS: Nordrhein-Westfalen" in page
    r = a.post(url, {"rename": "1", "name": "  Altstadt   an der Ruhr ", "ags": "08111000"})
    assert r.status_code == 302
    two["a"].refresh_from_db()
    assert (two["a"].name, two["a"].ags) == ("Altstadt an der Ruhr", "05911000")
    record = ChangeRecord.objects.filter(model="concepts.City", object_id=str(two["a"].pk)).latest("pk")
    assert record.user == two["admin_a"] and "Altstadt an der Ruhr" in str(record.changes)
    assert "Die Stadt heißt jetzt Altstadt an der Ruhr (vorher Altstadt)." in text(a.get(url))
    before = checksum()
    for name, message in (("", "Dieses Feld ist zwingend erforderlich."), ("bergdorf", "Bergdorf hat in isek die AGS"),
                          ("Neustadt in Sachsen", "liegt in Sachsen, der Gemeindeschlüssel 05911000 beginnt aber mit 05")):
        r = a.post(url, {"rename": "1", "name": name})
        assert r.status_code == 400 and message in text(r)
    assert checksum() == before
    # another city's administrator: refused
    assert client_for(two["admin_b"]).post(url, {"rename": "1", "name": "Gekapert"}).status_code == 403
    two["a"].refresh_from_db()
    assert two["a"].name == "Altstadt an der Ruhr"


@pytest.mark.parametrize("name, key", [("Berlin", "11"), ("bremerhaven", "04"), ("Neustadt in Sachsen", "14"),
                                       ("Halle (Saale), Sachsen-Anhalt", "15"), ("Sachsenheim", None),
                                       ("Frankfurt (Oder)", None), ("Hamburg-Nord", None)])
def test_the_land_a_name_names(name, key):
    from isek.core.laender import land_named_in

    assert land_named_in(name) == key


def test_a_key_of_another_land_than_the_name_names_is_refused_and_the_wizard_says_the_keys_land(two):
    """Walk 22: a wrong AGS silently gave the wrong Land and enforcement body. The wizard shows the
    Land the key gives; a name that names a Land (a city-state, an official addition) must agree."""
    with pytest.raises(ValidationError) as refused:
        services.city_for("08111000", "Berlin")
    assert "„Berlin“ liegt in Berlin, der Gemeindeschlüssel 08111000 beginnt aber mit 08 (Baden-Württemberg)" in str(
        refused.value)
    assert services.city_for("11000000", "Berlin").land == "Berlin"
    a = client_for(two["admin_a"])
    r = a.post("/concepts/new/", {"city_name": "Altstadt", "ags": "05 911 000", "name": ""})
    assert r.status_code == 400 and "Land laut AGS: Nordrhein-Westfalen" in text(r)
    r = a.post("/concepts/new/", {"city_name": "Altstadt", "ags": "17000000", "name": ""})
    assert r.status_code == 400 and "bezeichnen kein Land (01–16)" in text(r) and "Land laut AGS:" not in text(r)


def test_no_two_cities_bear_one_name_on_any_path_of_the_installation_administrator(two):
    """Issue 22 walk: "Speyer" was created twice in Django's admin, and the installation administrator
    renamed a city to another's name on the city's administration page and in Django's admin – while
    the city administrator's rename was refused. Now ``City.clean`` refuses it on every path, case
    and spaces aside, with the same message (decision 0084)."""
    root, b = client_for(UserFactory(is_superuser=True, is_staff=True)), client_for(two["admin_b"])
    message = "Altstadt hat in isek die AGS 05 911 000. Ist Ihre Gemeinde eine andere gleichen Namens"
    before = checksum()
    r = root.post(f"/cities/{two['b'].ags}/administration/", {"save": "1", "name": " altstadt ", "slug": "bergdorf", "host": ""})
    assert r.status_code == 400 and message in text(r)
    r = root.post("/admin/concepts/city/add/", {
        "name": "ALTSTADT", "ags": "05 315 000", "slug": "", "host": "",
        "roles-TOTAL_FORMS": "0", "roles-INITIAL_FORMS": "0", "roles-MIN_NUM_FORMS": "0", "roles-MAX_NUM_FORMS": "1000"})
    assert r.status_code == 200 and message in text(r)
    r = root.post(f"/admin/concepts/city/{two['b'].pk}/change/", {
        "name": "Altstadt  ", "ags": two["b"].ags, "slug": "bergdorf", "host": "",
        "roles-TOTAL_FORMS": "0", "roles-INITIAL_FORMS": "0", "roles-MIN_NUM_FORMS": "0", "roles-MAX_NUM_FORMS": "1000"})
    assert r.status_code == 200 and message in text(r)
    r = b.post(f"/cities/{two['b'].ags}/settings/", {"rename": "1", "name": "ALTSTADT"})
    assert r.status_code == 400 and message in text(r)
    with pytest.raises(ValidationError, match="Altstadt hat in isek die AGS"):
        services.save_city(access.Operator("test"), "05315000", "altstadt")
    assert checksum() == before
    # the city's own name, written otherwise, is no other city's
    services.save_city_addresses(access.Operator("test"), two["a"], name="ALTSTADT", slug="altstadt", host="")
    two["a"].refresh_from_db()
    assert two["a"].name == "ALTSTADT"
    # two cities named alike from before this check: a save that leaves name and key as they are
    # (the look, the addresses) is not refused for it; a change of the name is
    city = type(two["b"])
    city.objects.filter(pk=two["b"].pk).update(name="Altstadt")
    two["b"].refresh_from_db()
    two["b"].full_clean()
    two["b"].name = "altstadt "
    with pytest.raises(ValidationError, match="Altstadt hat in isek die AGS|ALTSTADT hat in isek die AGS"):
        two["b"].full_clean()


def test_the_invitation_page_says_whom_it_invites(two):
    """Issue 22 walk: the page was titled "Planerinnen und Planer einladen" also where the installation's
    administrator invites a city's administration (decision 0084)."""
    root = client_for(UserFactory(is_superuser=True, is_staff=True))
    page = text(root.get(f"/accounts/invite/?city={two['b'].pk}"))
    assert "<h1 class=\"kern-heading-large\">Administration der Stadt Bergdorf einladen</h1>" in page
    r = root.post("/accounts/invite/", {"email": "kaputt@", "city": two["b"].pk, "city_admin": "on"})
    assert r.status_code == 400 and "Administration der Stadt Bergdorf einladen</h1>" in text(r)
    for client in (root, client_for(two["admin_a"])):
        assert "<h1 class=\"kern-heading-large\">Planerinnen und Planer einladen</h1>" in text(client.get("/accounts/invite/"))
