"""Every hint is actionable: a concept started as the wizard starts it (city, concept, area, one
measure from the measure form, no costs). Every hint the planner sees on the KuF page, the
dashboard and the readiness page links to a form that resolves it; following the "no costs" hint,
filling in its form and sending it makes the hint go away. A hint without a link fails the test."""

from __future__ import annotations

import json
import re
from decimal import Decimal as D
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from shapely.geometry import box

from isek.concepts import services as concepts
from isek.concepts.forms import MeasureForm
from isek.concepts.models import Measure
from isek.finance.models import CostGroup
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = {"kuf": "kuf/", "dashboard": "dashboard/", "readiness": "readiness/"}


HINT_TAGS = ("li", "p")  # a hint is a list item or, alone, a paragraph


class Page(HTMLParser):
    """The hints of a page (list items or paragraphs marked data-code, data-kind or data-hint, with
    the links in them) and its forms (method, action, the values a browser would send)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.hints: list[dict] = []
        self.forms: list[dict] = []
        self._open: list[dict | None] = []  # one entry per open hint tag
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in HINT_TAGS:
            marks = {k: a[k] for k in ("data-code", "data-kind", "data-hint") if k in a}
            hint = {"marks": marks, "text": "", "links": []} if marks else None
            self._open.append(hint)
            if hint is not None:
                self.hints.append(hint)
        elif tag == "a" and self._current():
            self._current()["links"].append(a.get("href"))
        elif tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), "action": a.get("action"), "data": {}})
        elif self.forms and tag in ("input", "textarea", "select") and a.get("name"):
            data = self.forms[-1]["data"]
            if tag == "select":
                self._select = a["name"]
                data.setdefault(a["name"], "")
            elif a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    data[a["name"]] = a.get("value", "on")
            elif a.get("type") not in ("submit", "button"):
                data[a["name"]] = a.get("value", "")
        elif tag == "option" and self._select and "selected" in a:
            self.forms[-1]["data"][self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag in HINT_TAGS and self._open:
            self._open.pop()
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._current():
            self._current()["text"] += data

    def _current(self) -> dict | None:
        return next((h for h in reversed(self._open) if h is not None), None)


def _hints(client, slug) -> list[tuple[str, dict]]:
    out = []
    for name, path in PAGES.items():
        r = client.get(f"/concepts/{slug}/{path}")
        assert r.status_code == 200, name
        out += [(name, h) for h in Page(r.content.decode()).hints]
    return out


def _post_forms(client, url) -> list[dict]:
    """The forms of the page at ``url`` that send something (not the layout's sign-out button); a
    link to a field (``#id``) must find it."""
    path, _sep, anchor = url.partition("#")
    r = client.get(path)
    assert r.status_code == 200, url
    html = r.content.decode()
    assert not anchor or f'id="{anchor}"' in html, url
    return [f for f in Page(html).forms
            if f["method"] == "post" and f["action"] != reverse("logout") and set(f["data"]) - {"csrfmiddlewaretoken"}]


@pytest.fixture
def started(client, geofile):
    """A planner's new concept: as the wizard and the measure form make it."""
    planner = UserFactory()
    planner.user_permissions.add(Permission.objects.get(codename="add_concept", content_type__app_label="concepts"))
    concept = concepts.start_concept(  # in NRW, where isek knows the funding rules: the rates count too
        planner, ags="05911000", city_name="Bochum", slug="altstadt", name="Innenstadt Bochum",
        programme="lebendige_zentren", legal_basis="baugb_141", start_year=2026, end_year=2034, template="isek-allgemein")
    concepts.import_path(planner, concept, geofile("gebiet.geojson", [(box(7.21, 51.47, 7.23, 51.49), {"name": "Innenstadt"})]),
                         "area", via="upload")
    form = MeasureForm({"number": "1", "title": "Marktplatz", "primary_field": concept.fields_of_action.first().pk,
                        "priority": "2", "status": "planned", "progress": "0", "estimated_cost": "250000",
                        "geometry": json.dumps({"type": "Point", "coordinates": [7.22, 51.48]})},
                       instance=Measure(concept=concept), concept=concept)
    assert form.is_valid(), form.errors
    measure = concepts.save_measure(planner, concept, form.save(commit=False), further_fields=form.cleaned_data["further_fields"],
                                    goals=form.cleaned_data["goals"])
    client.force_login(planner)
    return concept, measure


def test_every_hint_links_to_a_form_that_resolves_it(client, started):
    concept, measure = started
    hints = _hints(client, concept.slug)
    assert {page for page, _h in hints} == set(PAGES)  # a new concept has something to do on each page
    for page, hint in hints:
        where = f"{page}: {hint['text'].strip()!r}"
        assert hint["links"], f"hint without a link – {where}"
        target = hint["links"][-1]
        assert target.split("?")[0] != f"/concepts/{concept.slug}/{PAGES[page]}", f"links to its own page – {where}"
        assert _post_forms(client, target), f"{target} has no form to resolve {where}"
    # The measure without costs: in the KuF's table with its estimate, and a hint on all three pages
    # that leads to its page of the KuF.
    costs = f"/concepts/{concept.slug}/kuf/measures/{measure.pk}/"
    no_costs = [(p, h) for p, h in hints if costs in h["links"]]
    assert {p for p, _h in no_costs} == set(PAGES), no_costs
    rates = f"/concepts/{concept.slug}/kuf/rates/"  # no rate for any year yet: said once on each page
    assert {p for p, h in hints if h["links"][-1] == rates} == set(PAGES)
    kuf = client.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    row = re.search(rf'<tr[^>]*data-measure="{measure.pk}"[^>]*>(.*?)</tr>', kuf, re.S).group(1)
    assert "1 Marktplatz" in row and "250.000 €" in row and f'href="{costs}"' in row and "Kosten erfassen" in row

    # The planner follows the hint: the first cost line is filled in from the estimate; they add the
    # cost group and the eligible part and send the form as the browser would.
    (form,) = [f for f in _post_forms(client, costs) if "c-TOTAL_FORMS" in f["data"]]
    data = form["data"]
    assert (data["c-0-amount"], data["c-0-basis"], data["c-0-year"]) == ("250.000,00", "estimate", "2026")
    data |= {"c-0-cost_group": str(CostGroup.of(concept).order_by("number").last().pk), "c-0-eligible": "200000"}
    r = client.post(form["action"] or costs, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    after = _hints(client, concept.slug)
    assert not [(p, h) for p, h in after if costs in h["links"]]
    assert "weder Kosten noch Finanzierung" not in client.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    page = client.get(f"/concepts/{concept.slug}/measures/{measure.pk}/").content.decode()
    assert "Kosten 250.000,00 €" in page and "Kosten und Finanzierung bearbeiten" in page


def test_the_measure_page_leads_to_its_kuf_page_for_planners_and_shows_reviewers_the_figures(client, started):
    from tests.factories import member

    concept, measure = started
    url = f"/concepts/{concept.slug}/measures/{measure.pk}/"
    page = client.get(url).content.decode()
    assert f'href="/concepts/{concept.slug}/kuf/measures/{measure.pk}/"' in page and "Kosten erfassen" in page
    assert "noch keine Kosten erfasst" in page and "geschätzten Kosten (250.000 €)" in page
    client.force_login(member(concept, "reviewer"))
    page = client.get(url).content.decode()
    assert 'id="measure-kuf"' in page and "/kuf/measures/" not in page
    client.logout()
    concept.is_public = True
    concept.save()
    page = client.get(url).content.decode()
    assert 'id="measure-kuf"' not in page and "/kuf/" not in page  # the public sees the estimate only


def test_every_kuf_check_has_a_target():
    from isek.finance import kuf

    assert set(kuf.TARGETS) == set(kuf.WARNING_TEXTS)
    assert set(kuf.TARGETS.values()) == set(kuf.ACTIONS)


def test_every_hint_of_the_demo_is_actionable(planner_client, bochum):
    """The same on the Bochum demo, which has hints of every kind the dashboard knows (with a
    payment above the plan added)."""
    from isek.monitoring.models import Payment

    Payment.objects.create(measure=bochum.measures.first(), year=2030, amount=D("99999999"))
    hints = _hints(planner_client, bochum.slug)
    kinds = {h["marks"].get("data-kind") for p, h in hints if p == "dashboard"}
    assert kinds == {"kuf", "milestone", "indicator", "spending"}, kinds
    for page, hint in hints:
        assert hint["links"], f"hint without a link – {page}: {hint['text'].strip()!r}"
        assert _post_forms(planner_client, hint["links"][-1]), f"no form to resolve {page}: {hint['text'].strip()!r}"
