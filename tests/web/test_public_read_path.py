"""The public read path: anonymous visitors of a public concept get compressed, conditional,
cacheable pages and GeoJSON; a change of the concept (recorded) or a moderation decision
(participation) changes the ETag at once; signed-in people and internal concepts are never cached;
public pages carry no per-person token."""

from __future__ import annotations

import gzip
import json

import pytest
from django.test import Client

from isek.participation import services as participation
from isek.web import public
from tests.factories import CityFactory, ConceptFactory, MeasureFactory, member
from tests.participation.conftest import INSIDE, OPERATOR, _legal_texts, phase  # noqa: F401  (fixtures; _legal_texts autouse)


@pytest.fixture(autouse=True)
def _fresh():
    public.clear()


@pytest.fixture
def concept(db):
    c = ConceptFactory()
    MeasureFactory(concept=c, title="Platz umgestalten")
    return c


URLS = ["/concepts/{slug}/", "/concepts/{slug}/area.geojson", "/concepts/{slug}/measures.geojson"]


@pytest.mark.parametrize("url", URLS)
def test_conditional_and_compressed(concept, url):
    url = url.format(slug=concept.slug)
    client = Client(HTTP_ACCEPT_ENCODING="gzip, br", HTTP_ACCEPT_LANGUAGE="de")
    r = client.get(url)
    assert r.status_code == 200 and r["Cache-Control"].startswith("public, max-age=") and "Accept-Encoding" in r["Vary"]
    body = gzip.decompress(r.content) if r.get("Content-Encoding") == "gzip" else r.content
    assert r.get("Content-Encoding") == ("gzip" if len(body) >= public.MIN_GZIP else None)
    assert "Set-Cookie" not in r.headers and not r.cookies
    again = client.get(url, HTTP_IF_NONE_MATCH=r["ETag"])
    assert again.status_code == 304 and again.content == b""
    plain = Client(HTTP_ACCEPT_LANGUAGE="de").get(url)
    assert plain.content == body and plain["ETag"] != r["ETag"] and "Content-Encoding" not in plain


def test_a_change_changes_the_tag(concept):
    from isek import access
    from isek.concepts import services as concepts

    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    url = f"/concepts/{concept.slug}/measures.geojson"
    first = client.get(url)
    measure = concept.measures.get()
    measure.title = "Platz neu gestalten"
    concepts.save_measure(access.Operator("test"), concept, measure)
    r = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert r.status_code == 200 and r["ETag"] != first["ETag"]
    assert json.loads(r.content)["features"][0]["properties"]["title"] == "Platz neu gestalten"


def test_moderation_changes_the_public_ideas(phase, concept):  # noqa: F811
    c, _t = participation.contributor_for(None)
    idea = participation.submit_idea(None, phase, c, theme=phase.themes.first(), title="Bänke", text="Mehr Bänke",
                                     geometry=INSIDE)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    url = f"/concepts/{phase.concept.slug}/ideas.geojson"
    first = client.get(url)
    assert json.loads(first.content)["features"] == []
    participation.decide(OPERATOR, idea, "approve")
    r = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert r.status_code == 200 and [f["id"] for f in json.loads(r.content)["features"]] == [idea.pk]


def test_languages_are_cached_apart(concept):
    de = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/concepts/{concept.slug}/")
    en = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/concepts/{concept.slug}/")
    assert '<html lang="de">' in de.content.decode() and '<html lang="en">' in en.content.decode()
    assert de["ETag"] != en["ETag"]


def test_signed_in_and_internal_are_not_cached(concept):
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    r = planner.get(f"/concepts/{concept.slug}/")
    assert r["Cache-Control"] == "private, no-cache" and "ETag" not in r and "Konzept bearbeiten" in r.content.decode()
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/concepts/{concept.slug}/")
    assert "Konzept bearbeiten" not in anonymous.content.decode()  # the planner's page was not shared
    internal = ConceptFactory(is_public=False)
    reviewer = Client()
    reviewer.force_login(member(internal, "reviewer"))
    assert reviewer.get(f"/concepts/{internal.slug}/")["Cache-Control"] == "private, no-cache"


def test_public_pages_carry_no_token(concept):
    html = Client().get(f"/concepts/{concept.slug}/measures/{concept.measures.get().pk}/").content.decode()
    assert "csrfmiddlewaretoken" not in html
    html = Client().get(f"/concepts/{concept.slug}/").content.decode()
    assert "csrfmiddlewaretoken" not in html and "/language/en/?next=" in html


def test_a_new_idea_or_support_changes_the_tag_without_a_version_bump(phase, concept):  # noqa: F811
    c, _t = participation.contributor_for(None)
    first_idea = participation.submit_idea(None, phase, c, theme=phase.themes.first(), title="A", text="B", geometry=INSIDE)
    participation.decide(OPERATOR, first_idea, "approve")
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    urls = [f"/concepts/{phase.concept.slug}/ideas.geojson", f"/concepts/{phase.concept.slug}/participation/"]
    before = [client.get(u)["ETag"] for u in urls]
    participation.support(None, phase.concept, c, idea=first_idea)
    after_support = [client.get(u, HTTP_IF_NONE_MATCH=t) for u, t in zip(urls, before)]
    assert [r.status_code for r in after_support] == [200, 200]
    assert json.loads(after_support[0].content)["features"][0]["properties"]["supports"] == 1
    participation.submit_idea(None, phase, c, theme=phase.themes.first(), title="C", text="D", geometry=INSIDE)  # pending
    page = client.get(urls[1], HTTP_IF_NONE_MATCH=after_support[1]["ETag"])
    assert page.status_code == 200 and 'data-counter="pending">1<' in page.content.decode()


def test_deleting_someones_support_changes_the_tag(phase, concept):  # noqa: F811
    author, _t = participation.contributor_for(None)
    i = participation.submit_idea(None, phase, author, theme=phase.themes.first(), title="A", text="B", geometry=INSIDE)
    participation.decide(OPERATOR, i, "approve")
    fan, token = participation.contributor_for(None)
    participation.support(None, phase.concept, fan, idea=i)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    url = f"/concepts/{phase.concept.slug}/ideas.geojson"
    before = client.get(url)
    assert json.loads(before.content)["features"][0]["properties"]["supports"] == 1
    assert participation.delete_contributions(token) == {"ideas": 0, "comments": 0, "supports": 1}
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and json.loads(after.content)["features"][0]["properties"]["supports"] == 0


def test_a_list_with_the_weak_tag_answers_304(concept):
    """core.conditional: If-None-Match is a list compared weakly (RFC 9110)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    url = f"/concepts/{concept.slug}/"
    tag = client.get(url)["ETag"]
    r = client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{tag}')
    assert r.status_code == 304 and r["ETag"] == tag
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_the_start_page_is_cached_until_a_concept_changes(concept):
    """A Land's start page lists every public concept: anonymous visitors get a cacheable,
    conditional copy whose tag changes with any recorded change; signed-in people a private one."""
    from isek import access
    from isek.concepts import services as concepts

    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    first = client.get("/")
    assert first.status_code == 200 and first["Cache-Control"].startswith("public, max-age=")
    assert concept.name in first.content.decode() and "Set-Cookie" not in first.headers
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    concept.name = "Neue Mitte (umbenannt)"
    concepts.save_concept(access.Operator("test"), concept)
    again = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "Neue Mitte (umbenannt)" in again.content.decode()
    planner = Client()
    planner.force_login(member(concept, "planner"))
    assert planner.get("/")["Cache-Control"] == "private, no-cache"


def test_a_citys_start_page_is_cached_until_a_concept_changes(concept, settings):
    """Issue 22 (Land scale): a city's start page (/<city>/, or "/" on its own host name) was
    rendered for every anonymous visitor (158 req/s behind nginx, p99 1.5 s): now as the
    installation's start page, each city and host its own copy."""
    from isek import access
    from isek.concepts import services as concepts

    settings.ALLOWED_HOSTS = ["testserver", "isek.altstadt.example"]
    ConceptFactory(city=CityFactory(name="Bergdorf"), name="Konzept in Bergdorf")
    concept.city.host = "isek.altstadt.example"
    concept.city.save()
    url = f"/{concept.city.slug}/"
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    first = client.get(url)
    assert first.status_code == 200 and first["Cache-Control"].startswith("public, max-age=")
    assert concept.name in first.content.decode() and "Konzept in Bergdorf" not in first.content.decode()
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert "Konzept in Bergdorf" in client.get("/bergdorf/").content.decode()
    on_host = Client(HTTP_ACCEPT_LANGUAGE="de", HTTP_HOST="isek.altstadt.example").get("/")
    assert on_host["Cache-Control"].startswith("public") and concept.name in on_host.content.decode()
    assert 'id="cities"' in client.get("/").content.decode()  # the installation's: its two cities
    concept.name = "Neue Mitte (umbenannt)"
    concepts.save_concept(access.Operator("test"), concept)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "Neue Mitte (umbenannt)" in again.content.decode()
    planner = Client()
    planner.force_login(member(concept, "planner"))
    assert planner.get(url)["Cache-Control"] == "private, no-cache"

def test_the_cache_in_front_keeps_each_host_apart():
    """Second reader: "/" is kept for anonymous visitors, and a city's own host name answers "/" with
    the city's start page: nginx's cache key must name the host, or one would get the other's page."""
    from pathlib import Path

    import isek.web

    conf = (Path(isek.web.__file__).parent / "nginx" / "public-cache-location.conf").read_text()
    key = next(line for line in conf.splitlines() if line.startswith("proxy_cache_key"))
    assert "$host" in key and "$request_uri" in key
