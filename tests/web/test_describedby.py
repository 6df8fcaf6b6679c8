"""Every aria-describedby of the main forms names an element of the page (sup22, point 13): a
field's hint is written with Django's id for it (``id_<name>_helptext``), which Django's widgets
refer to; a field with an error refers to its hint and its message."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.conftest import client_for
from tests.factories import CityFactory, ConceptFactory, UserFactory, city_admin, member

pytestmark = pytest.mark.django_db


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.refs = set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for ref in (a.get("aria-describedby") or "").split():
            self.refs.append((tag, a.get("name") or a.get("id") or "", ref))


def dangling(html: str) -> list:
    p = _Refs()
    p.feed(html)
    return [r for r in p.refs if r[2] not in p.ids]


@pytest.fixture
def gotha(settings):
    settings.ISEK_REQUIRE_SECOND_FACTOR = False
    city = CityFactory(name="Gotha", ags="16067029")
    concept = ConceptFactory(city=city, is_public=True, name="ISEK Gotha")
    return city, concept, client_for(city_admin(city, "g.admin")), client_for(member(concept, "planner", "g.planer"))


def test_every_aria_describedby_of_the_main_forms_names_an_element_of_the_page(gotha):
    city, concept, admin, planner = gotha
    root = client_for(UserFactory(is_superuser=True, is_staff=True))
    pages = {
        "/concepts/new/": admin, f"/cities/{city.ags}/administration/": root,
        f"/cities/{city.ags}/about/legal-texts/": admin, "/accounts/invite/": admin,
        f"/concepts/{concept.slug}/edit/": planner, f"/concepts/{concept.slug}/measures/new/": planner,
        f"/concepts/{concept.slug}/members/": admin, "/accounts/login/": client_for(None),
    }
    checked = 0
    for url, client in pages.items():
        r = client.get(url)
        assert r.status_code == 200, url
        html = r.content.decode()
        assert dangling(html) == [], url
        checked += html.count("aria-describedby")
    assert checked >= 5
    # the finding: the AGS field's hint on the new concept's page
    html = admin.get("/concepts/new/").content.decode()
    assert 'id="id_ags_helptext"' in html and 'aria-describedby="id_ags_helptext"' in html


def test_a_field_with_an_error_refers_to_its_hint_and_its_message(gotha):
    city, concept, admin, _ = gotha
    r = admin.post("/concepts/new/", {"ags": "kein Schlüssel", "name": ""})
    html = r.content.decode()
    assert dangling(html) == []
    assert 'aria-describedby="id_ags_helptext ags-error"' in html


def test_a_form_without_isek_s_mixin_names_the_ids_the_field_template_writes():
    """The funding procedure's forms are plain Django forms: with an error, Django's own reference
    (``id_<name>_error``) pointed nowhere; isek's renderer gives every form the same references."""
    from django import forms
    from django.template.loader import render_to_string

    class Plain(forms.Form):
        year = forms.IntegerField(help_text="Das Programmjahr")

    form = Plain(data={"year": "x"})
    html = "".join(render_to_string("web/_field.html", {"field": form[name]}) for name in form.fields)
    assert dangling(html) == [] and 'aria-describedby="id_year_helptext year-error"' in html
