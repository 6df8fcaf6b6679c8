"""Reflow (WCAG 1.4.10; issue #23, major 3): at 390 px an application's page (its SHA-256
checksums), its proof of use and its approval form scrolled sideways; on the authority's portfolio
at 1280 px the last columns of "Beantragte Summen" lay off-screen. Long words break, and a wide
table scrolls inside its own labelled region, never the page (decision 0096)."""

import datetime

import pytest

from tests.factories import authority_staff
from tests.procedure import submit

from .conftest import axe_violations, cut_off, login

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # CSS only: the pages are asked on both engines by tests/procedure (decision 0038)

WIDE = """() => [...document.querySelectorAll('body *')].filter(e => {
  const w = document.documentElement.clientWidth, r = e.getBoundingClientRect();
  return r.right > w + 1 && e.parentElement.getBoundingClientRect().right <= w + 1;
}).slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
  + ': ' + Math.round(e.getBoundingClientRect().right))"""


def _first_view(page, table: str, amount: str) -> bool:
    """Are the first line's measure and amount of ``table`` inside the viewport, its box not scrolled?"""
    box = page.evaluate("""([table, amount]) => {
      const t = document.querySelector(table), row = t.querySelector('tbody tr'), w = document.documentElement.clientWidth;
      const m = row.querySelector('th').getBoundingClientRect(), a = row.querySelector(amount).getBoundingClientRect();
      return [t.parentElement.scrollLeft, m.left, m.right, a.left, a.right, w]; }""", [table, amount])
    scrolled, m_left, m_right, a_left, a_right, width = box
    assert scrolled == 0 and 0 <= m_left < m_right <= width and 0 <= a_left < a_right <= width, box
    return True


def test_the_application_pages_reflow_at_390_px_and_the_portfolio_fits_at_1280(pages, kuf_city, live_server):
    from isek import access
    from isek.concepts.models import FundingAuthority
    from isek.monitoring import services as monitoring
    from isek.procedure import services

    concept, base = kuf_city, live_server.url
    app = submit(concept.roles.get(user__username="planer-neu").user, concept)
    staff = authority_staff("14", name="Sächsische Aufbaubank")
    staff.set_password("pw-browser-123")
    staff.save()
    services.start_review(staff, concept, app)
    services.approve(staff, concept, app, decided_on=app.submitted_at.date(), file_number="34.1-2027/07")
    monitoring.save_payment(access.Operator("test"), concept,
                            monitoring.Payment(measure=concept.measures.get(number="1.1"), year=2027, amount="40000.00",
                                               note="Rechnung Tiefbau 1", receipt="RE-2027-001",
                                               paid_on=datetime.date(2027, 5, 10)), today=datetime.date(2027, 12, 31))
    url = f"{base}/concepts/{concept.slug}/applications/{app.pk}/"

    authority = pages.new()
    login(authority, base, staff.username)
    authority.set_viewport_size({"width": 390, "height": 844})
    # what each page must show: the checksums (broken where needed), the proof's tables, the approval's lines
    for path, shown in (("", "#documents code"), ("proof/", "#proof-grant"), ("approve/", "#approval-lines")):
        authority.goto(url + path)
        assert authority.url == url + path and authority.locator(shown).count() >= 1, path
        assert authority.evaluate("() => document.documentElement.scrollWidth") <= 390, (path, authority.evaluate(WIDE))
        assert cut_off(authority) == [], path
        assert axe_violations(authority) == [], path
    # walk of Landshut: the approval's amounts started off-screen in the table's box (decision 0105)
    assert _first_view(authority, "#approval-lines", "input[name^=amount-]")  # the (amending) approval's form
    authority.goto(url)
    assert _first_view(authority, ".isek-approval-lines", "td[data-approved]")  # the approval on the application's page

    authority.set_viewport_size({"width": 1280, "height": 900})
    district = FundingAuthority.objects.get(prefixes__prefix="14")
    authority.goto(f"{base}/authorities/{district.pk}/portfolio/")
    assert authority.evaluate("() => document.documentElement.scrollWidth") <= 1280
    assert cut_off(authority) == []
    # "Beantragte Summen" fits without scrolling its region: its headers wrap, the amounts do not
    assert authority.locator("#sums tbody tr").count() >= 1
    box = authority.evaluate("() => { const b = document.querySelector('#sums').parentElement;"
                             " return [b.scrollWidth, b.clientWidth]; }")
    assert box[0] <= box[1], box
    assert axe_violations(authority) == []
