"""The evaluation report counts supports by kind (sup22, point 1; decision 0041): the council read
"Unterstützungen 5" where one person had raised the count by clearing cookies. The page, the PDF
and the XLSX say how many were confirmed by e-mail, with an account, and not at all; supports
waiting for their e-mail confirmation count in no number; the themes' column is "Thema bestätigt".
The public idea page explains "nicht bestätigt"."""

from __future__ import annotations

import io
import re
import subprocess

import openpyxl
import pytest

from isek.participation import services
from isek.participation.models import Idea, Status, Support

from .conftest import OPERATOR
from .test_evaluation_report import _fresh, built_pdf, cells, client_for, evaluated, url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def supported(evaluated):  # noqa: F811  (the imported fixture)
    """On the first published idea: 5 unconfirmed supports (cookies cleared), 2 confirmed by e-mail,
    1 with an account, 1 still waiting for its link."""
    idea = Idea.objects.filter(phase=evaluated, status=Status.PUBLISHED).order_by("number").first()
    C = Support.Confirmation
    for n, kind in enumerate([C.NONE] * 5 + [C.EMAIL] * 2 + [C.ACCOUNT, C.PENDING]):
        contributor, _token = services.contributor_for(None)
        Support.objects.create(phase=evaluated, idea=idea, contributor=contributor, confirmation=kind,
                               email_hash=f"h{n}" if kind in (C.EMAIL, C.PENDING) else "")
    return evaluated, idea


def test_the_report_page_pdf_and_xlsx_count_supports_by_kind(supported, tmp_path):
    phase, _idea = supported
    c = client_for(phase.concept)
    page = c.get(url(phase)).content.decode()
    figure = {k: page.split(f'data-figure="{k}">')[1].split("<")[0] for k in
              ("supports", "supports-email", "supports-account", "supports-none")}
    assert figure == {"supports": "8", "supports-email": "2", "supports-account": "1", "supports-none": "5"}
    assert "davon nicht bestätigt (eine Person kann mehrfach zählen)" in page
    assert '<th scope="col">Thema bestätigt</th>' in page and '<th scope="col">bestätigt</th>' not in page
    path = tmp_path / "r.pdf"
    path.write_bytes(built_pdf(c, phase))
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert "Unterstützungen 8" in text and "davon bestätigt per E-Mail 2" in text
    assert "davon bestätigt mit Konto 1" in text and "davon nicht bestätigt (eine Person kann mehrfach zählen) 5" in text
    wb = openpyxl.load_workbook(io.BytesIO(c.get(url(phase, "report.xlsx")).content))
    assert "Thema bestätigt" in [cell.value for cell in wb["Themen"][1]]
    method = dict(wb["Methode"].iter_rows(min_row=2, values_only=True))
    assert (method["Unterstützungen"], method["davon bestätigt per E-Mail"], method["davon bestätigt mit Konto"],
            method["davon nicht bestätigt (eine Person kann mehrfach zählen)"]) == (8, 2, 1, 5)
    c.cookies["django_language"] = "en"
    english = c.get(url(phase), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Theme confirmed" in english and "of which not confirmed" in english


def test_the_public_idea_page_explains_not_confirmed(supported):
    from django.test import Client

    phase, idea = supported
    page = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/concepts/{phase.concept.slug}/participation/ideas/{idea.pk}/")
    html = page.content.decode()
    assert page.status_code == 200, html[:300]
    assert "8 Unterstützungen, davon 3 bestätigt" in html
    assert "Was heißt „nicht bestätigt“?" in html and "eine Person kann mehrfach zählen" in html


def test_the_tables_per_theme_and_quarter_split_the_supports_by_kind(supported, tmp_path):
    """Decision 0074: beside each theme's and quarter's total the supports by kind – on the page
    and in the XLSX, counted as the idea pages count them (one waiting for its link nowhere); the
    PDF's theme table keeps the total and says so under it."""
    phase, first = supported
    second = Idea.objects.get(phase=phase, title="Radweg")  # another theme, the other quarter
    C = Support.Confirmation
    for n, kind in enumerate([C.ACCOUNT, C.NONE, C.PENDING]):
        contributor, _token = services.contributor_for(None)
        Support.objects.create(phase=phase, idea=second, contributor=contributor, confirmation=kind,
                               email_hash=f"r{n}" if kind == C.PENDING else "")
    report = services.evaluation_report(OPERATOR, phase.concept, phase)
    # what the database says, per theme and quarter: the kinds of the supports of their ideas
    want = {}
    for part in [*report.themes, *report.quarters]:
        ideas = [li.idea.pk for li in report.lines if (li.theme == part.name or part.name in li.quarters)
                 and not li.reviewed.startswith("Duplikat")]
        got = Support.objects.filter(idea__in=ideas).exclude(confirmation=C.PENDING)
        want[part.key] = [got.count(), *(got.filter(confirmation=k).count() for k in (C.EMAIL, C.ACCOUNT, C.NONE))]
    assert sorted(w for w in want.values() if w[0]) == [[2, 0, 1, 1], [2, 0, 1, 1], [8, 2, 1, 5], [8, 2, 1, 5]]
    c = client_for(phase.concept)
    page = c.get(url(phase)).content.decode()
    for t in report.themes:
        assert [int(v) for v in cells(page, "data-theme", t.key)[3:7]] == want[t.key], t.name
    for q in report.quarters:
        assert [int(v) for v in cells(page, "data-quarter", q.key)[2:6]] == want[q.key], q.name
    head = re.search(r'id="report-quarters".*?</thead>', page, re.S).group(0)
    assert re.findall(r'<th scope="col">([^<]*)</th>', head)[1:6] == [
        "Beiträge", "Unterstützungen", "davon bestätigt per E-Mail", "davon bestätigt mit Konto", "davon nicht bestätigt"]
    # as the idea page counts them: "n Unterstützungen, davon m bestätigt" (m: by e-mail and with an account)
    idea_page = c.get(f"/concepts/{phase.concept.slug}/participation/ideas/{second.pk}/").content.decode()
    n, m = map(int, re.search(r"(\d+) Unterstützungen?, davon (\d+) bestätigt", idea_page).groups())
    mobility = next(t for t in report.themes if t.name == second.theme.name)
    assert [n, m] == [want[mobility.key][0], want[mobility.key][1] + want[mobility.key][2]]
    wb = openpyxl.load_workbook(io.BytesIO(c.get(url(phase, "report.xlsx")).content))
    for sheet, parts in (("Themen", report.themes), ("Teilräume", report.quarters)):
        head = [cell.value for cell in wb[sheet][1]]
        columns = [head.index(h) for h in ("Unterstützungen", "davon bestätigt per E-Mail", "davon bestätigt mit Konto",
                                           "davon nicht bestätigt")]
        rows = {row[0]: row for row in wb[sheet].iter_rows(min_row=2, values_only=True)}
        for part in parts:
            assert [rows[part.name][i] for i in columns] == want[part.key], (sheet, part.name)
    path = tmp_path / "r.pdf"
    path.write_bytes(built_pdf(c, phase))
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout.split())
    assert "„Unterst.“: alle Unterstützungen zusammen. Nach Art" in text and "auf A4 zu schmal" in text
