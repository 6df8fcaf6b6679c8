"""The wizard in the browser's requests: a planner allowed to start concepts creates one with a
template or a copy, resumes its steps, and gives others roles on the members page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from isek import access
from isek.concepts.models import City, Concept
from tests.factories import ConceptFactory, FieldFactory, UserFactory, member

pytestmark = pytest.mark.django_db

FORM = {"city_name": "Hoyerswerda", "ags": "14625240", "name": "Altstadt Hoyerswerda", "slug": "altstadt",
        "programme": "lebendige_zentren", "legal_basis": "baugb_141", "start_year": "2026", "end_year": "2034",
        "structure": "template:isek-allgemein"}


@pytest.fixture
def starter(client):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="add_concept", content_type__app_label="concepts"))
    client.force_login(user)
    return user


def test_wizard_creates_the_concept_and_shows_its_steps(client, starter):
    r = client.post("/concepts/new/", FORM)
    assert r.status_code == 302 and r["Location"] == "/concepts/altstadt/setup/"
    concept = Concept.objects.get(slug="altstadt")
    assert access.role_of(starter, concept) == access.Role.PLANNER
    assert concept.fields_of_action.count() == 8
    html = client.get("/concepts/altstadt/setup/").content.decode()
    assert 'data-step="area" data-done="false"' in html and 'data-step="structure" data-done="true"' in html
    assert "EPSG:25833" in html and "Sachsen" in html


def test_wizard_says_the_short_name_is_taken_even_for_the_planners_own_concept(client, starter):
    """Sending the wizard with a short name in use never opens that concept silently: the form says
    the name is taken, nothing is created, and the planner's own concept is offered by name."""
    assert client.post("/concepts/new/", FORM).status_code == 302
    again = client.post("/concepts/new/", {**FORM, "name": "Neustadt Hoyerswerda"})
    html = again.content.decode()
    assert again.status_code == 400 and "Der Kurzname „altstadt“ ist schon vergeben." in html
    assert 'id="own-concept"' in html and 'href="/concepts/altstadt/setup/"' in html and "Altstadt Hoyerswerda" in html
    same = client.post("/concepts/new/", FORM)  # the very same step sent twice: the same answer
    assert same.status_code == 400 and "schon vergeben" in same.content.decode()
    assert Concept.objects.count() == 1 and Concept.objects.get().name == "Altstadt Hoyerswerda"


def test_the_setup_steps_stay_reachable_from_the_concept_and_the_home_page(client, starter, geofile):
    """After the area upload the planner lands on the concept page: it and the home page lead back
    to the setup steps while area, fields of action or measures are missing, and no longer after."""
    from shapely.geometry import box

    from isek.concepts import services
    from isek.concepts.models import Measure

    client.post("/concepts/new/", FORM)
    path = geofile("gebiet.geojson", [(box(14.24, 51.43, 14.25, 51.44), {"name": "Altstadt"})])
    with path.open("rb") as f:
        r = client.post("/concepts/altstadt/import/", {"file": f, "kind": "area"})
    assert r.status_code == 302 and r["Location"] == "/concepts/altstadt/"
    setup = 'href="/concepts/altstadt/setup/"'
    page = client.get("/concepts/altstadt/").content.decode()
    assert 'id="setup-note"' in page and "Einrichtung fortsetzen" in page
    # only the measures are missing (the FORM's template brought fields of action): it says so
    assert "Die Einrichtung des Konzepts ist noch nicht abgeschlossen: es fehlen noch Maßnahmen." in page
    home = client.get("/").content.decode()
    assert setup in home and "Einrichtung fortsetzen" in home
    concept = Concept.objects.get(slug="altstadt")
    # A reviewer sees the draft among their concepts, but no setup to continue.
    client.force_login(member(concept, "reviewer"))
    assert "Altstadt Hoyerswerda" in client.get("/").content.decode()
    assert setup not in client.get("/").content.decode() and setup not in client.get("/concepts/altstadt/").content.decode()
    client.force_login(starter)
    services.save_measure(starter, concept, Measure(number="1", title="Marktplatz", primary_field=concept.fields_of_action.first()))
    page = client.get("/concepts/altstadt/").content.decode()
    assert 'id="setup-note"' not in page and setup in page  # the steps stay one click away
    assert setup not in client.get("/").content.decode()


@pytest.mark.parametrize("change, message", [
    ({"ags": "1462524"}, "8 Ziffern"),
    ({"ags": "17625240"}, "bezeichnen kein Land"),
    ({"structure": "template:gibt-es-nicht"}, "keine gültige Auswahl"),
    ({"end_year": "2020"}, "Das Ende liegt vor dem Beginn"),
])
def test_wizard_bad_input_changes_nothing(client, starter, change, message):
    r = client.post("/concepts/new/", {**FORM, **change})
    assert r.status_code == 400 and message in r.content.decode()
    assert not Concept.objects.exists() and not City.objects.exists()


def test_empty_wizard_form_asks_for_the_name_not_for_the_optional_short_name(client, starter):
    """The short name is made from the name: an empty form names the missing name, not the short name."""
    r = client.post("/concepts/new/", {})
    html = r.content.decode()
    assert r.status_code == 400 and "Name des Konzepts" in html and "Bitte einen Kurznamen angeben." not in html
    assert not Concept.objects.exists()


def test_wizard_refuses_a_slug_of_someone_elses_concept(client, starter):
    ConceptFactory(slug="altstadt")
    r = client.post("/concepts/new/", FORM)
    assert r.status_code == 400 and "schon vergeben" in r.content.decode()
    assert Concept.objects.count() == 1


def test_wizard_copies_a_visible_concept(client, starter):
    source = ConceptFactory(is_public=True, slug="vorbild")
    FieldFactory(concept=source, number=4, name="Wohnen")
    r = client.post("/concepts/new/", {**FORM, "structure": "copy:vorbild"})
    assert r.status_code == 302
    assert list(Concept.objects.get(slug="altstadt").fields_of_action.values_list("name", flat=True)) == ["Wohnen"]


def test_people_without_the_right_see_403(client):
    client.force_login(UserFactory())
    assert client.get("/concepts/new/").status_code == 403
    assert client.post("/concepts/new/", FORM).status_code == 403
    assert not Concept.objects.exists()


def test_members_page_grants_and_revokes(client):
    concept = ConceptFactory()
    planner = member(concept, "planner")
    colleague = UserFactory(username="kollege", email="kollege@stadt.example")
    from isek.concepts.models import ConceptRole

    ConceptRole.objects.create(concept=ConceptFactory(city=concept.city), user=colleague, role="planner")  # of the city (0077)
    client.force_login(planner)
    r = client.post(f"/concepts/{concept.slug}/members/", {"person": "kollege@stadt.example", "role": "reviewer"})
    assert r.status_code == 302 and access.role_of(colleague, concept) == access.Role.REVIEWER
    r = client.post(f"/concepts/{concept.slug}/members/", {"person": "niemand", "role": "reviewer"})
    assert r.status_code == 400 and "Keinen Zugang" in r.content.decode()
    r = client.post(f"/concepts/{concept.slug}/members/", {"revoke": "kollege"})
    assert r.status_code == 302 and access.role_of(colleague, concept) == access.Role.CITIZEN
    r = client.post(f"/concepts/{concept.slug}/members/", {"revoke": planner.username})
    assert r.status_code == 400 and "mindestens eine Person in der Planung" in r.content.decode()
    assert access.role_of(planner, concept) == access.Role.PLANNER



def test_the_only_planner_is_not_given_another_role_by_adding_them_again(client):
    """Walk 12 (Halberstadt): the city's administrator added the only planner's address again with
    the preselected role "Prüfung (lesen)"; the concept was left with nobody to plan it."""
    from isek.concepts.models import ConceptRole

    concept = ConceptFactory()
    planner = member(concept, "planner")
    planner.email = "planung@stadt.example"
    planner.save()
    client.force_login(UserFactory(is_superuser=True))
    for role in ("reviewer", "moderator"):
        r = client.post(f"/concepts/{concept.slug}/members/", {"person": "planung@stadt.example", "role": role})
        assert r.status_code == 400 and "mindestens eine Person in der Planung" in r.content.decode()
        assert access.role_of(planner, concept) == access.Role.PLANNER
    colleague = member(concept, "planner")  # with a second planner, the first may change roles
    r = client.post(f"/concepts/{concept.slug}/members/", {"person": "planung@stadt.example", "role": "reviewer"})
    assert r.status_code == 302 and access.role_of(planner, concept) == access.Role.REVIEWER
    assert list(ConceptRole.objects.filter(concept=concept, role="planner").values_list("user", flat=True)) == [colleague.pk]


def test_the_short_name_is_made_from_the_name_when_left_empty(client, starter):
    r = client.post("/concepts/new/", {**FORM, "slug": "", "name": "ISEK Innenstadt Bayreuth – Südstadt"})
    assert r.status_code == 302 and r["Location"] == "/concepts/isek-innenstadt-bayreuth-suedstadt/setup/"


def test_a_taken_short_name_is_said_with_the_other_mistakes(client, starter):
    assert client.post("/concepts/new/", FORM).status_code == 302
    count = Concept.objects.count()
    r = client.post("/concepts/new/", {**FORM, "start_year": "", "end_year": ""})  # a new user's first try
    html = r.content.decode()
    assert r.status_code == 400 and "Der Kurzname „altstadt“ ist schon vergeben." in html
    assert html.count("Dieses Feld ist zwingend erforderlich.") == 2 and Concept.objects.count() == count


def test_wizard_copies_the_catalogue_with_the_structure_or_nothing(client, starter, monkeypatch):
    """Starting a concept as a copy is one service call: the concept, the copied structure and the
    indicator catalogue (the monitoring app's), or – when a step fails – none of them."""
    from isek.monitoring import services as monitoring

    source = ConceptFactory(is_public=True, slug="vorbild")
    FieldFactory(concept=source, number=4, name="Wohnen")
    monitoring.save_indicator(access.Operator("t"), source, monitoring.Indicator(
        code="wohnungen", name="Wohnungen", kind="output", unit="Anzahl", baseline_value=0, baseline_year=2024,
        target_value=40, target_year=2030))

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(monitoring.Indicator, "save", broken)
    with pytest.raises(RuntimeError):
        client.post("/concepts/new/", {**FORM, "structure": "copy:vorbild"})
    assert not Concept.objects.filter(slug="altstadt").exists() and not City.objects.filter(ags="14625240").exists()
    monkeypatch.undo()
    assert client.post("/concepts/new/", {**FORM, "structure": "copy:vorbild"}).status_code == 302
    copied = Concept.objects.get(slug="altstadt")
    assert list(copied.indicators.values_list("code", flat=True)) == ["wohnungen"]
    assert list(copied.fields_of_action.values_list("name", flat=True)) == ["Wohnen"]


@pytest.mark.parametrize("printed", ["14 6 25 240", "14.6.25.240", "14625\u00a0240", " 14625240 "])
def test_wizard_takes_an_ags_as_it_is_printed(client, starter, printed):
    """A planner of Bautzen typed the AGS with the spaces of print and was refused with a wrong message."""
    r = client.post("/concepts/new/", {**FORM, "ags": printed})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert Concept.objects.get(slug="altstadt").city.ags == "14625240"


@pytest.mark.parametrize("ags, message", [
    ("14 6 25 02", "Der Amtliche Gemeindeschlüssel hat 8 Ziffern, „1462502“ hat 7. Beispiel: 14625240."),
    ("14 6 25 240 1", "Der Amtliche Gemeindeschlüssel hat 8 Ziffern, „146252401“ hat 9. Beispiel: 14625240."),
    ("14 6 25 O20", "Der Amtliche Gemeindeschlüssel besteht nur aus Ziffern; „14625O20“ enthält andere Zeichen."),
    ("Bautzen", "Der Amtliche Gemeindeschlüssel besteht nur aus Ziffern; „Bautzen“ enthält andere Zeichen."),
])
def test_wizard_says_clearly_what_is_wrong_with_an_ags(client, starter, ags, message):
    r = client.post("/concepts/new/", {**FORM, "ags": ags})
    page = r.content.decode()
    assert r.status_code == 400 and message in page, page[:3000]
    assert "höchstens" not in page and not Concept.objects.exists() and not City.objects.exists()


def test_wizard_in_english_says_what_is_wrong_with_an_ags(client, starter):
    client.get("/language/en/")
    r = client.post("/concepts/new/", {**FORM, "ags": "14 6 25 02"})
    assert r.status_code == 400 and "The official municipality key has 8 digits" in r.content.decode()


def test_setup_does_not_call_the_analysis_done_when_only_the_citys_base_map_is(client, starter, monkeypatch):
    """A walk in Hoyerswerda: the city's base map (made for another concept of the city) was ready, and
    the new concept's setup said "✓ Grundkarte und Bestandsanalyse … (fertig)" before any analysis."""
    from types import SimpleNamespace

    from isek.geodata import services as geodata

    ready = SimpleNamespace(ready=True, status="done", get_status_display=lambda: "fertig")
    monkeypatch.setattr(geodata, "base_map_of", lambda city: ready)
    assert client.post("/concepts/new/", FORM).status_code == 302
    html = client.get("/concepts/altstadt/setup/").content.decode()
    assert 'data-step="basemap" data-done="false"' in html and "Bestandsanalyse: noch keine" in html
    assert 'href="/concepts/altstadt/analysis/"' in html


# --- the city and its AGS agree (a Köln planner typed Bochum's AGS) ----------------------------


KOELN = {**FORM, "city_name": "Köln", "ags": "05911000", "name": "ISEK Mülheim", "slug": "muelheim"}


def test_an_ags_of_another_city_is_refused_naming_that_city(client, starter):
    """The AGS 05911000 is Bochum's: "Köln" with it was saved silently under Bochum, whose base map
    the Köln planner could then replace."""
    bochum = City.objects.create(ags="05911000", name="Bochum")
    r = client.post("/concepts/new/", KOELN)
    html = r.content.decode()
    assert r.status_code == 400
    assert "Die AGS 05 911 000 gehört zu Bochum. Bitte die AGS Ihrer Stadt prüfen, oder „Bochum“ als Stadt eintragen." in html
    assert not Concept.objects.exists() and list(City.objects.all()) == [bochum] and bochum.name == "Bochum"


@pytest.mark.parametrize("name, ags", [("Bochum", "05 911 000"), ("bochum ", "05911000"), ("Bochum", "05.9.11.000")])
def test_the_citys_own_name_with_its_ags_as_printed_is_that_city(client, starter, name, ags):
    bochum = City.objects.create(ags="05911000", name="Bochum")
    r = client.post("/concepts/new/", {**KOELN, "city_name": name, "ags": ags})
    assert r.status_code == 302 and Concept.objects.get(slug="muelheim").city == bochum
    assert City.objects.count() == 1 and City.objects.get().name == "Bochum"


def test_a_known_citys_name_with_another_ags_is_refused_saying_its_ags(client, starter):
    """Two municipalities rarely share a name; a second one enters its name with its official addition."""
    City.objects.create(ags="05911000", name="Bochum")
    r = client.post("/concepts/new/", {**KOELN, "city_name": "Bochum", "ags": "05315000"})
    html = r.content.decode()
    assert r.status_code == 400 and "Bochum hat in isek die AGS 05 911 000." in html
    assert "mit seinem amtlichen Zusatz" in html and not Concept.objects.exists() and City.objects.count() == 1
    assert client.post("/concepts/new/", {**KOELN, "city_name": "Köln", "ags": "05315000"}).status_code == 302
    assert Concept.objects.get(slug="muelheim").city.name == "Köln"


def test_an_ags_of_another_city_is_refused_in_english_too(client, starter):
    City.objects.create(ags="05911000", name="Bochum")
    client.get("/language/en/")
    r = client.post("/concepts/new/", KOELN)
    assert r.status_code == 400 and "The AGS 05 911 000 belongs to Bochum." in r.content.decode()


def test_the_service_refuses_an_ags_of_another_city_for_every_channel(starter):
    """The check is the service's: the command and the API (which call it) refuse alike."""
    from django.core.exceptions import ValidationError

    from isek.concepts import services

    City.objects.create(ags="05911000", name="Bochum")
    with pytest.raises(ValidationError) as exc:
        services.start_concept(access.Operator("t"), ags="05911000", city_name="Köln", slug="muelheim", name="ISEK Mülheim",
                               programme="lebendige_zentren", legal_basis="baugb_141", start_year=2026, end_year=2034)
    assert exc.value.error_dict["ags"][0].code == "ags_of_other_city" and not Concept.objects.exists()


# --- the same page sent twice (a double click, back in the browser) -----------------------------


def test_the_same_wizard_page_sent_twice_ends_on_the_created_concept(client, starter):
    """A double click sent the form twice: the second answer said the short name was taken and
    "nothing saved", while the first had created the concept."""
    page = client.get("/concepts/new/").content.decode()
    once = page.split('name="once" value="')[1].split('"')[0]
    assert len(once) > 16
    assert client.post("/concepts/new/", {**FORM, "once": once}).status_code == 302
    again = client.post("/concepts/new/", {**FORM, "once": once}, follow=True)
    html = again.content.decode()
    assert again.redirect_chain == [("/concepts/altstadt/setup/", 302)] and again.status_code == 200
    assert "Das Konzept mit dem Kurznamen „altstadt“ wurde mit diesem Formular schon angelegt" in html
    assert "nichts gespeichert" not in html and "schon vergeben" not in html
    assert Concept.objects.count() == 1 and City.objects.count() == 1
    # A fresh page with the same short name is another concept asked for: refused, as before.
    fresh = client.get("/concepts/new/").content.decode().split('name="once" value="')[1].split('"')[0]
    assert fresh != once
    r = client.post("/concepts/new/", {**FORM, "once": fresh})
    assert r.status_code == 400 and "Der Kurzname „altstadt“ ist schon vergeben." in r.content.decode()
    assert Concept.objects.count() == 1


def test_a_resent_wizard_page_is_refused_by_the_service_too(starter):
    """Whichever request spends the page's token first creates the concept; the other is told so."""
    from django.core.exceptions import ValidationError

    from isek.concepts import services

    args = dict(ags="14625240", city_name="Hoyerswerda", slug="altstadt", name="Altstadt", programme="lebendige_zentren",
                legal_basis="baugb_141", start_year=2026, end_year=2034, once="token-of-the-page")
    services.start_concept(starter, **args)
    with pytest.raises(ValidationError) as exc:
        services.start_concept(starter, **args)
    assert exc.value.code == "resent" and Concept.objects.count() == 1


# --- the structures offered: whose they are ------------------------------------------------------


def _options(html: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of the structure select's options, in order."""
    import re

    select = html.split('name="structure"')[1].split("</select>")[0]
    return [(v, label.strip(), "selected" in attrs) for v, attrs, label in
            re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)]


def test_the_general_template_comes_first_and_others_say_their_city(client, starter):
    """A Köln planner was offered "Vorlage: Sechs Themenblöcke der Bochumer Beteiligung 2018" and
    "wie Konzept: ISEK Innenstadt Bochum" without a word that they are Bochum's."""
    bochum = City.objects.create(ags="05911000", name="Bochum")
    FieldFactory(concept=ConceptFactory(city=bochum, slug="innenstadt", name="ISEK Innenstadt Bochum", is_public=True))
    options = _options(client.get("/concepts/new/").content.decode())
    assert options[0] == ("template:isek-allgemein", "Vorlage: Allgemeines ISEK nach den Zielen der Städtebauförderung", True)
    labels = dict((v, label) for v, label, _ in options)
    assert labels["template:bochum-2018"] == "Vorlage: Sechs Themenblöcke der Bochumer Beteiligung 2018 (aus Bochum)"
    assert labels["copy:innenstadt"] == "wie Konzept: ISEK Innenstadt Bochum (aus Bochum)"
    assert [s for _, _, s in options].count(True) == 1


def test_only_public_concepts_and_ones_own_are_offered_to_copy_even_to_an_administrator(client, starter):
    """An administrator may read every concept, but the wizard offers another's draft to nobody."""
    from django.contrib.auth import get_user_model

    for slug, public in (("oeffentlich", True), ("entwurf", False), ("meins", False)):
        FieldFactory(concept=ConceptFactory(slug=slug, name=slug, is_public=public))
    admin = get_user_model().objects.create_superuser("chefin", "chefin@stadt.example", "pw-test-123")
    Concept.objects.get(slug="meins").roles.create(user=admin, role="planner")
    for user in (starter, admin):
        client.force_login(user)
        offered = {v for v, _, _ in _options(client.get("/concepts/new/").content.decode())}
        assert "copy:oeffentlich" in offered and "copy:entwurf" not in offered
        assert ("copy:meins" in offered) == (user == admin)
        r = client.post("/concepts/new/", {**FORM, "structure": "copy:entwurf"})
        assert r.status_code == 400 and not Concept.objects.filter(slug="altstadt").exists()


# --- the area map of a new concept: where it starts ---------------------------------------------


def test_the_area_map_starts_on_the_citys_land_or_on_the_city(client):
    """Before any area the edit map showed all of Germany at a 100 km scale, without a word how to
    draw: it starts on the Land the AGS names – on the city once its base map says where it is – and
    says how to draw or import the area."""
    import json

    from isek.geodata.models import BaseMap
    from tests.factories import CityFactory

    koeln = CityFactory(ags="05315000", name="Köln")
    concept = ConceptFactory(slug="muelheim", city=koeln, area=None)
    client.force_login(member(concept, "planner"))
    html = client.get("/concepts/muelheim/edit/").content.decode()
    extent = json.loads(html.split('data-extent="')[1].split('"')[0].replace("&quot;", '"'))
    assert extent == [5.86, 50.32, 9.46, 52.53]  # Nordrhein-Westfalen
    hint = html.split('id="area-start-hint"')[1].split("</p>")[0]
    assert "Die Karte zeigt Nordrhein-Westfalen" in hint and "Fläche zeichnen" in hint
    assert 'href="/concepts/muelheim/import/"' in hint and 'href="/concepts/muelheim/basemap/"' in hint
    BaseMap.objects.create(city=koeln, extract="/x/koeln.osm.pbf", extract_name="koeln", bounds=[6.77, 50.83, 7.16, 51.08])
    html = client.get("/concepts/muelheim/edit/").content.decode()
    assert json.loads(html.split('data-extent="')[1].split('"')[0].replace("&quot;", '"')) == [6.77, 50.83, 7.16, 51.08]
    assert "Die Karte zeigt Köln" in html


def _legal_basis_options(html: str) -> dict[str, str]:
    import re

    select = html.split('name="legal_basis"')[1].split("</select>")[0]
    return {v: label.strip() for v, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)}


@pytest.mark.parametrize("ags, decision", [("02000000", "Senats- oder Bezirksamtsbeschluss"),  # Hamburg (walk 9)
                                           ("11000000", "Senats- oder Bezirksamtsbeschluss"),  # Berlin
                                           ("04011000", "Senatsbeschluss"),  # the city of Bremen
                                           ("04012000", "Beschluss der Stadtverordnetenversammlung"),  # Bremerhaven
                                           ("06413000", "Beschluss der Stadtverordnetenversammlung"),  # Offenbach (walk 10)
                                           ("14625240", "Ratsbeschluss")])
def test_the_wizard_names_the_decision_on_the_area_as_the_land_does(client, starter, ags, decision):
    """Walk 9 (Hamburg): the wizard offered "Ratsbeschluss" where the concept's edit page says
    "Senats- oder Bezirksamtsbeschluss". Sent back with a mistake, the form names the decision as
    the typed AGS's Land does; before an AGS is known it names both."""
    r = client.post("/concepts/new/", {**FORM, "ags": ags, "name": ""})
    assert r.status_code == 400
    assert _legal_basis_options(r.content.decode())["council"] == decision
    shown = _legal_basis_options(client.get("/concepts/new/").content.decode())["council"]
    assert shown == "Ratsbeschluss (in Stadtstaaten: Senats- oder Bezirksamtsbeschluss)"


def test_the_wizard_reports_every_problem_in_one_round(client, starter):
    """Walk 10 (Offenbach): a 7-digit AGS, an empty name and an end before the start showed the AGS
    and name errors first, "Das Ende liegt vor dem Beginn." only after those were fixed."""
    from tests.dbstate import checksum

    before = checksum()
    r = client.post("/concepts/new/", {**FORM, "ags": "0641300", "name": "", "start_year": "2030", "end_year": "2026"})
    page = r.content.decode()
    assert r.status_code == 400
    assert 'id="ags-error"' in page and 'id="name-error"' in page
    assert '<p class="kern-error" id="end_year-error" role="alert">Das Ende liegt vor dem Beginn.</p>' in page
    assert checksum() == before


def test_the_wizard_preselects_no_legal_basis_and_asks_for_one(client, starter):
    """Walk of Landshut (decision 0105): "/concepts/new/" preselected "§ 141 BauGB" silently; a
    planner who did not look got an Untersuchungsgebiet. Now nothing is chosen, and a form without a
    legal basis is refused with a clear message, nothing saved – on the page and in the service."""
    import re

    from django.core.exceptions import ValidationError

    from isek.concepts import services

    page = client.get("/concepts/new/").content.decode()
    select = page.split('name="legal_basis"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"[^>]*selected', select) == [""], select
    assert "– bitte wählen –" in select
    r = client.post("/concepts/new/", {**FORM, "legal_basis": ""})
    text = r.content.decode()
    assert r.status_code == 400 and 'id="legal_basis-error"' in text
    assert "Bitte wählen Sie die Rechtsgrundlage des Gebiets (z. B. Sanierungsgebiet nach § 142 BauGB oder " \
           "Ratsbeschluss); isek wählt sie nicht vor." in text
    assert not Concept.objects.exists() and not City.objects.exists()
    with pytest.raises(ValidationError, match="Rechtsgrundlage des Gebiets"):
        services.start_concept(starter, ags="14625240", city_name="Hoyerswerda", slug="altstadt", name="Altstadt",
                               programme="lebendige_zentren", legal_basis="", start_year=2026, end_year=2034)
    assert not Concept.objects.exists() and not City.objects.exists()
