"""Money in one table in one format (issue 23, decision 0098): every amount in the numeric cells of the
application page, the authority's portfolio and the Plan/Ist page carries its cents, as the KuF does
("840.000,00 | 263.333,33 | 0,00", not "840.000 | 263.333,33 | 0"); German on the German page,
English on the English one."""

from __future__ import annotations

import re

from isek.concepts.models import FundingAuthority
from tests.conftest import client_for

GERMAN = re.compile(r"−?\d{1,3}(?:\.\d{3})*,\d{2}")
ENGLISH = re.compile(r"−?\d{1,3}(?:,\d{3})*\.\d{2}")
NUMERIC_CELL = re.compile(r'<td\b[^>]*kern-table__cell--numeric[^>]*>(.*?)</td>', re.S)


def _money_cells(html: str) -> list[str]:
    """The figures of every numeric table cell (a Plan/Ist cell holds two, one a line); "–" means none."""
    cells = []
    for cell in NUMERIC_CELL.findall(html):
        for part in re.split(r"<br\s*/?>", cell):
            text = " ".join(re.sub(r"<[^>]+>", " ", part).split())
            if text not in ("", "–"):
                cells.append(text)
    return cells


def _assert_one_format(client, url: str, pattern: re.Pattern, least: int) -> None:
    page = client.get(url)
    assert page.status_code == 200, url
    cells = _money_cells(page.content.decode())
    assert len(cells) >= least, (url, cells)
    wrong = [c for c in cells if not pattern.fullmatch(c)]
    assert wrong == [], (url, wrong)


def test_every_money_cell_carries_its_cents_german_and_english(paid):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    authority = FundingAuthority.objects.get(staff__user=staff)
    pages = [(planner, f"/concepts/{concept.slug}/applications/{app.pk}/", 10),
             (staff, f"/concepts/{concept.slug}/applications/{app.pk}/", 10),
             (staff, f"/authorities/{authority.pk}/portfolio/", 5),
             (planner, f"/concepts/{concept.slug}/payments/", 10)]
    for user, url, least in pages:
        _assert_one_format(client_for(user), url, GERMAN, least)
        english = client_for(user)
        english.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        _assert_one_format(english, url, ENGLISH, least)
