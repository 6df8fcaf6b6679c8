"""Each message of a formset row has an id of its own (issue #21/#23, major 2): with errors in
two cost rows, ``cost_group-error`` and ``amount-error`` were written twice, so the second row's
``aria-describedby`` read the first row's message, and the cost and financing blocks shared them
too. The id is the field's name with its form's prefix (``c-3-amount-error``)."""

from collections import Counter
from html.parser import HTMLParser

from isek.concepts.models import Measure
from tests.finance.test_kuf_pages import _formset, _measure_post

SLUG = "bochum-innenstadt"


class _Page(HTMLParser):
    """Every id (with the fieldset it lies in) and every aria-describedby reference of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.ids, self.where, self.refs, self.fieldsets, self.count = [], {}, [], [], 0
        self.texts, self._open = {}, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "fieldset":
            self.count += 1
            self.fieldsets.append(self.count)
        here = self.fieldsets[-1] if self.fieldsets else None
        if a.get("id"):
            self.ids.append(a["id"])
            self.where[a["id"]] = here
            if a["id"].endswith("-error"):
                self._open, self.texts[a["id"]] = a["id"], ""
        for ref in (a.get("aria-describedby") or "").split():
            self.refs.append((a.get("name") or a.get("id") or tag, ref, here))

    def handle_endtag(self, tag):
        if tag == "fieldset" and self.fieldsets:
            self.fieldsets.pop()
        if tag == "p":
            self._open = None

    def handle_data(self, data):
        if self._open:
            self.texts[self._open] += data


def _check(html: str) -> _Page:
    page = _Page(html)
    twice = [i for i, n in Counter(page.ids).items() if n > 1]
    assert twice == [], twice
    dangling = [r for r in page.refs if r[1] not in page.where]
    assert dangling == [], dangling
    return page


def test_two_cost_rows_with_errors_each_describe_their_own_message(planner_client, bochum):
    m = Measure.objects.get(concept=bochum, number="1.1")
    rows = [{"year": 2026, "cost_group": "", "amount": "", "eligible": "", "basis": "estimate"},
            {"year": 2027, "cost_group": "", "amount": "viel", "eligible": "", "basis": "estimate"}]
    fin = [{"year": 2026, "source": "eu", "amount": "zehn", "status": "applied", "reason": ""}]
    r = planner_client.post(f"/concepts/{SLUG}/kuf/measures/{m.pk}/", _measure_post(m, rows, fin))
    assert r.status_code == 400
    page = _check(r.content.decode())
    n = m.cost_items.count()
    first, second = f"c-{n}", f"c-{n + 1}"
    errors = {i for i in page.ids if i.endswith("-error")}
    assert {f"{first}-cost_group-error", f"{first}-amount-error", f"{second}-cost_group-error",
            f"{second}-amount-error"} <= errors
    financing = f"f-{m.financing.count()}"
    assert {f"{financing}-amount-error", f"{financing}-reason-error"} <= errors
    assert "zwingend erforderlich" in page.texts[f"{first}-amount-error"]
    assert "zwingend erforderlich" not in page.texts[f"{second}-amount-error"]  # its own: "viel" is no number
    # each field with an error refers to the message in its own row (fieldset), never to another row's
    described = {name: (ref, where) for name, ref, where in page.refs if ref.endswith("-error")}
    for name in (f"{first}-amount", f"{second}-amount", f"{second}-cost_group", f"{financing}-amount", f"{financing}-reason"):
        ref, where = described[name]
        assert ref == f"{name}-error" and page.where[ref] == where, name


def test_the_formset_pages_with_errors_in_two_rows_have_unique_ids(planner_client, bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    from tests.concepts.test_pages_and_permissions import _form_data

    milestones = {**_form_data(m), **_formset("ms", [{"title": "Baubeginn", "due": "bald"},
                                                    {"title": "Einweihung", "due": "später"}])}
    rates = _formset("r", [{"year": "20x6", "rate": "viel"}, {"year": "2031", "rate": "mehr"}])
    # two formsets of one page with a field of the same name ("number")
    structure = {**_formset("f", [{"number": "", "name": "Wohnen"}, {"number": "", "name": "Arbeiten"}]),
                 **_formset("g", [{"number": "", "title": "Mehr Grün"}, {"number": "", "title": "Weniger Lärm"}])}
    pages = {f"/concepts/{SLUG}/measures/{m.pk}/edit/": ("ms",), f"/concepts/{SLUG}/kuf/rates/": ("r",),
             f"/concepts/{SLUG}/structure/": ("f", "g")}
    for (url, prefixes), data in zip(pages.items(), (milestones, rates, structure)):
        r = planner_client.post(url, data)
        assert r.status_code == 400, url
        page = _check(r.content.decode())
        for prefix in prefixes:
            shown = [i for i in page.ids if i.endswith("-error") and i.startswith(f"{prefix}-")]
            assert {i.split("-")[1] for i in shown} == {"0", "1"}, (url, prefix, shown)
