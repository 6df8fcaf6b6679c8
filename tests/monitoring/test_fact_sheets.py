"""The fact sheet per measure (Maßnahmensteckbrief, issue #23 point 2): one PDF page per measure
with what, where (the report map), goals, costs and financing by year, time plan, responsible body
and status; its figures are the KuF's to the cent (pdftotext against the database); one measure's
sheet from its page, all measures as a report from the reports page."""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from decimal import Decimal as D

import pytest

from isek.concepts.models import Measure
from isek.finance import engine, kuf
from isek.finance.models import CostItem, Financing
from isek.monitoring import jobs, reports
from isek.monitoring.models import Report

from ..conftest import client_for

EURO = r"-?\d{1,3}(?:\.\d{3})*,\d\d"


def pdf_pages(path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def euro(text: str) -> D:
    return D(text.replace(".", "").replace(",", "."))


def printed_rows(page: str) -> dict[str, list[D]]:
    """{year or "Summe": the euro figures of its row} from the page's KuF table."""
    rows = {}
    for line in page.splitlines():
        m = re.match(rf"\s*(\d{{4}}|Summe)((?:\s+{EURO})+)\s*$", line)
        if m:
            rows[m.group(1)] = [euro(v) for v in re.findall(EURO, m.group(2))]
    return rows


def expected_rows(measure: Measure, result: engine.KufResult) -> dict[str, list[D]]:
    """The rows the sheet must print: cost and eligible cost summed from the cost lines in the
    database, the explicit financing as entered, the computed sources as the KuF computes them."""
    cost, eligible, entered = defaultdict(D), defaultdict(D), defaultdict(D)
    for item in CostItem.objects.filter(measure=measure):
        cost[item.year] += item.amount
        eligible[item.year] += item.eligible
    for f in Financing.objects.filter(measure=measure, amount__isnull=False):  # None: computed, a status only
        entered[(f.year, f.source)] += f.amount
    cells = dict(result.measure_years(str(measure.pk)))
    for (year, source), amount in entered.items():  # an entered figure is the KuF's, unchanged
        assert cells[year].sources[source] == amount, (measure.number, year, source)
    sources = [s for s in engine.SOURCES if any(c.sources.get(s) for c in cells.values())]
    rows = {str(y): [cost[y], eligible[y], c.grant, *(c.sources.get(s, D(0)) for s in sources)]
            for y, c in cells.items()}
    rows["Summe"] = [sum(col, D(0)) for col in zip(*rows.values())] if rows else []
    return {k: v for k, v in rows.items() if v}


def assert_sheets_equal_the_kuf(concept, path):
    pages = pdf_pages(path)
    measures = list(concept.measures.order_by("sort_key"))
    assert len(pages) == len(measures)  # one page each, in the order of their numbers
    result = kuf.current(concept)
    costed = 0
    for measure, page in zip(measures, pages):
        assert f"{measure.number} " in page and measure.title.split()[0] in page
        assert printed_rows(page) == expected_rows(measure, result), measure.number
        costed += bool(expected_rows(measure, result))
    assert costed >= 3


def test_one_page_per_measure_with_the_kuf_to_the_cent(new_city, tmp_path):
    out = tmp_path / "steckbriefe.pdf"
    assert reports.fact_sheets_pdf(new_city, out) == new_city.measures.count() == 5
    assert_sheets_equal_the_kuf(new_city, out)
    pages = pdf_pages(out)
    # the EU grant of 1.1 and the own share fixed for 4.1 are columns of their sheets
    assert "EU" in pages[0] and "30.000,00" in pages[0]
    assert "Kosten und Finanzierung nach Jahren" in pages[0] and "Fördergebiet (rot)" in pages[0]


def test_one_measure_from_its_page(users, bochum, tmp_path):
    husemann = Measure.objects.get(concept=bochum, number="2.1")
    url = f"/concepts/bochum-innenstadt/reports/measures/{husemann.pk}.pdf"
    for who in ("planner", "reviewer"):
        page = client_for(users[who]).get(husemann.get_absolute_url()).content.decode()
        assert f'href="{url}"' in page
    r = client_for(users["reviewer"]).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == 'attachment; filename="bochum-innenstadt-steckbrief-2.1.pdf"'
    out = tmp_path / "one.pdf"
    out.write_bytes(b"".join(r.streaming_content))
    [sheet] = pdf_pages(out)
    assert "2.1 Umgestaltung des Husemannplatzes" in sheet
    # the KuF is the members' working material: the public page has no link, the file is refused
    assert url not in client_for(None).get(husemann.get_absolute_url()).content.decode()
    assert client_for(None).get(url).status_code == 302  # to the sign-in
    assert client_for(users["stranger"]).get(url).status_code == 403
    other = users["other_concept"]
    assert client_for(users["planner"]).get(
        f"/concepts/bochum-innenstadt/reports/measures/{other.pk + 10_000}.pdf").status_code == 404


def test_all_sheets_as_a_report_from_the_reports_page(users, bochum, settings, tmp_path,
                                                      django_capture_on_commit_callbacks):
    from isek.monitoring import services

    settings.VAR_DIR = tmp_path
    planner = client_for(users["planner"])
    page = planner.get("/concepts/bochum-innenstadt/reports/").content.decode()
    assert 'value="steckbriefe"' in page  # offered in the form
    husemann = Measure.objects.get(concept=bochum, number="2.1")
    assert f'/concepts/bochum-innenstadt/reports/measures/{husemann.pk}.pdf' in page  # and one by one
    with django_capture_on_commit_callbacks(execute=False):
        assert planner.post("/concepts/bochum-innenstadt/reports/", {"r-kind": "steckbriefe"}).status_code == 302
    report = Report.objects.get(concept=bochum, kind="steckbriefe")
    jobs.execute(report)
    report.refresh_from_db()
    assert report.status == "done" and report.pages == bochum.measures.count()
    assert report.filename == "bochum-innenstadt-steckbriefe.pdf"
    r = client_for(users["reviewer"]).get(f"/concepts/bochum-innenstadt/reports/{report.pk}/download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    out = tmp_path / "download.pdf"
    out.write_bytes(b"".join(r.streaming_content))
    # Bochum's sheets (built once here, the slowest report of the suite): each the KuF's figures,
    # what, where, goals, time and who; one measure's own sheet equals its page of all
    assert_sheets_equal_the_kuf(bochum, out)
    page = next(p for p in pdf_pages(out) if "Umgestaltung des Husemannplatzes" in p)
    the_bochum_sheets_say_what_where_goals_time_and_who(husemann, page)
    one = tmp_path / "one.pdf"
    assert services.measure_fact_sheet(users["reviewer"], bochum, husemann, one) == 1
    [single] = pdf_pages(one)
    assert "Maßnahmensteckbrief" in single and "Maßnahmensteckbriefe" in page
    assert printed_rows(single) == printed_rows(page) == expected_rows(husemann, kuf.current(bochum))
    assert _body(single) == _body(page)


def _body(page: str) -> str:
    """A sheet's text below its heading, without its footer (which name the document and its pages)."""
    text = " ".join(page.split())
    return re.sub(r"Maßnahmensteckbriefe? Seite \d+ von \d+$", "", text[text.index("Umgestaltung des Husemannplatzes"):])


def the_bochum_sheets_say_what_where_goals_time_and_who(husemann: Measure, page: str):
    text = " ".join(page.split())
    goal = husemann.goals.get()
    milestone = husemann.milestones.first()
    assert f"Ziele {goal.number} {goal.title}" in text
    assert f"Verantwortlich {husemann.lead_body}" in text
    assert f"Status {husemann.get_status_display()}" in text
    assert f"Zeitplan {husemann.start:%m/%Y} bis {husemann.end:%m/%Y}" in text
    assert f"{milestone.title.split()[0]}" in text and "Meilenstein" in text
    assert "Lage der Maßnahme" in text and "Handlungsfeld 2" in text


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_link_is_in_the_ui_language_and_the_sheet_german(users, bochum, tmp_path, language):
    husemann = Measure.objects.get(concept=bochum, number="2.1")
    c = client_for(users["reviewer"])
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    page = c.get(husemann.get_absolute_url()).content.decode()
    link = {"de": "Maßnahmensteckbrief (PDF, eine Seite)", "en": "Fact sheet of the measure (PDF, one page)"}[language]
    assert link in page
    out = tmp_path / "sheet.pdf"
    out.write_bytes(b"".join(c.get(f"/concepts/bochum-innenstadt/reports/measures/{husemann.pk}.pdf").streaming_content))
    assert "Kosten und Finanzierung nach Jahren" in pdf_pages(out)[0]  # the language of the funding procedure


def test_the_command_writes_all_sheets(new_city, tmp_path):
    import io

    from django.core.management import call_command

    out, said = tmp_path / "steckbriefe.pdf", io.StringIO()
    call_command("report", new_city.slug, "steckbriefe", str(out), stdout=said)
    assert f"({new_city.measures.count()} Seiten)" in said.getvalue()
    assert_sheets_equal_the_kuf(new_city, out)
