"""Reports of the Bochum demo: text extracted with pdftotext holds the sections, figures and
sources; the ISEK has at most 25 pages; the monitoring CSV equals the KuF; jobs and downloads."""

import csv
import datetime
import json
import re
import subprocess
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from isek.finance import kuf
from isek.monitoring import figures, jobs, reports
from isek.monitoring.models import MonitoringMapping, Payment, Report

from ..conftest import client_for


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def euro0(x: D) -> str:
    return f"{x:,.0f}".replace(",", ".")


def euro2(x: D) -> str:
    return f"{x:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def test_isek_pdf_follows_the_nrw_outline(bochum, tmp_path):
    out = tmp_path / "isek.pdf"
    call_command("report", "bochum-innenstadt", "isek", str(out))
    pages = pdf_pages(out)
    assert 5 <= pages <= reports.max_isek_pages(bochum) == 25
    text = " ".join(pdf_text(out).split())
    assert "ISEK im Förderantrag in Nordrhein" in text and "(FRL Städtebauförderung NRW 2023, höchstens 25 Seiten)" in text
    assert "nach FRL Städtebauförderung NRW 2023: 60 % (40–80 %)" in text
    for section in ("1 Gebiet und Ausgangslage", "2 Bevölkerung", "3 Einzelhandel und Zentrenfunktion",
                    "4 Stärken, Schwächen, Chancen und Risiken (SWOT)", "5 Leitbild, Handlungsfelder und Ziele",
                    "6 Maßnahmen", "7 Kosten und Finanzierung", "8 Zeitplan", "9 Steuerung und Beteiligung",
                    "10 Verstetigung", "11 Monitoring und Evaluation", "Quellen und Hinweise"):
        assert section in text, section
    result = kuf.current(bochum)
    assert euro0(result.total("cost")) in text and euro0(result.total("grant")) in text
    assert "9.303" in text and "die-stadtgestalter.de" in text  # population with its source
    assert "Husemannplatz" in text and "12 Mio. €" in text
    assert "illustrativ" in text and "angenähert" in text
    assert f"Seite {pages} von {pages}" in text


def test_sachbericht_reports_the_year(bochum, tmp_path):
    out = tmp_path / "sb.pdf"
    call_command("report", "bochum-innenstadt", "sachbericht", "--year", "2024", str(out))
    text = " ".join(pdf_text(out).split())
    for section in ("Sachbericht 2024", "1 Angaben zur Gesamtmaßnahme", "2 Umsetzung im Berichtsjahr 2024", "3 Ausgaben",
                    "4 Änderungen gegenüber der festgeschriebenen KuF", "5 Meilensteine", "6 Indikatoren", "7 Hinweise"):
        assert section in text, section
    result = kuf.current(bochum)
    paid = sum(p.amount for p in Payment.objects.filter(measure__concept=bochum, year=2024))
    plan = result.year_total(2024)
    assert f"Summe 2024 {euro2(plan)} {euro2(paid)}" in text
    assert "KuF-Version „Erstantrag 2019 (illustrativ)“" in text  # all demo versions are frozen now: the first one
    assert "2.1 Umgestaltung des Husemannplatzes" in text  # its cost changed since the first application
    assert "Geförderte Gebäude im Hof- und Fassadenprogramm" in text and "nicht im Plan" in text
    # the demo's (illustrative) design milestone of 1.1, due mid-2025, is not overdue yet at the end of 2024
    assert "1.1 Wetterschutz auf dem Boulevard: Entwurfsplanung abgeschlossen" not in text.split("Überfällig")[1].split("Geplant für 2025")[0]
    assert "Entwurfsplanung abgeschlossen (30.06.2025)" in text.split("Geplant für 2025")[1]


def test_monitoring_csv_equals_the_kuf(bochum, tmp_path):
    out = tmp_path / "m.csv"
    call_command("report", "bochum-innenstadt", "monitoring", str(out))
    rows = list(csv.reader(out.open(encoding="utf-8-sig"), delimiter=";"))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    result = kuf.current(bochum)
    assert row["AGS"] == "05911000" and row["Beginn"] == "2020" and row["Ende"] == "2026"
    assert row["Bundesmittel_EUR"] == f"{result.total('bund'):.2f}".replace(".", ",")
    assert row["Landesmittel_EUR"] == f"{result.total('land'):.2f}".replace(".", ",")
    assert row["Kontext_population_residents"] == "9303" and row["Kontext_population_residents_Jahr"] == "2022"
    assert row["Output_facades_funded"] == "10"
    assert float(row["Gebietsgröße_ha"].replace(",", ".")) == pytest.approx(bochum.area_m2 / 10_000, abs=0.01)


def test_monitoring_csv_with_a_column_mapping(bochum, tmp_path):
    spec = tmp_path / "map.json"
    spec.write_text(json.dumps({"columns": [["GEMEINDE", "municipality"], ["FLAECHE", "area_ha"],
                                            ["BUND", "federal_funds"], ["ZIEL_FASSADEN", "indicator:facades_funded:target"]],
                                "delimiter": ",", "decimal_comma": False}))
    out = tmp_path / "m.csv"
    call_command("report", "bochum-innenstadt", "monitoring", str(out), "--mapping", str(spec))
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0] == ["GEMEINDE", "FLAECHE", "BUND", "ZIEL_FASSADEN"]
    assert rows[1][0] == "Bochum" and rows[1][2] == f"{kuf.current(bochum).total('bund'):.2f}" and rows[1][3] == "30"


def test_bad_report_requests_write_nothing(bochum, tmp_path):
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="außerhalb der Laufzeit"):
        call_command("report", "bochum-innenstadt", "sachbericht", "--year", "1999", str(out))
    with pytest.raises(CommandError, match="--year"):
        call_command("report", "bochum-innenstadt", "sachbericht", str(out))
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command("report", "gibt-es-nicht", "isek", str(out))
    spec = tmp_path / "map.json"
    spec.write_text(json.dumps({"columns": [["X", "einwohner"]]}))
    with pytest.raises(CommandError, match="Unbekanntes Feld „einwohner“"):
        call_command("report", "bochum-innenstadt", "monitoring", str(tmp_path / "m.csv"), "--mapping", str(spec))
    assert list(tmp_path.iterdir()) == [spec]


def test_report_job_and_download_permissions(users, bochum, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    report = Report.objects.create(concept=bochum, kind="sachbericht", year=2023, created_by=users["planner"])
    jobs.execute(report)
    report.refresh_from_db()
    assert report.status == "done" and report.progress == 100 and report.pages >= 2
    url = f"/concepts/bochum-innenstadt/reports/{report.pk}/download/"
    r = client_for(users["reviewer"]).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    assert client_for(users["stranger"]).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302  # to the login
    status = client_for(users["reviewer"]).get(f"/concepts/bochum-innenstadt/reports/{report.pk}.json").json()
    assert status["status"] == "done" and status["pages"] == report.pages
    failed = Report.objects.create(concept=bochum, kind="sachbericht", year=1990)
    jobs.execute(failed)
    failed.refresh_from_db()
    assert failed.status == "failed" and "außerhalb der Laufzeit" in failed.message


def test_reports_page_starts_a_job_and_checks_the_mapping(users, bochum, django_capture_on_commit_callbacks):
    planner = client_for(users["planner"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = planner.post("/concepts/bochum-innenstadt/reports/", {"r-kind": "isek"})
    assert r.status_code == 302 and len(callbacks) == 1
    assert Report.objects.get(concept=bochum).status == "queued"
    r = planner.post("/concepts/bochum-innenstadt/reports/", {"r-kind": "sachbericht", "r-year": ""})
    assert "bitte das Berichtsjahr angeben" in r.content.decode()
    r = planner.post("/concepts/bochum-innenstadt/reports/", {"m-columns": "AGS = ags\nFoo = bar", "m-delimiter": ";"})
    assert "Unbekanntes Feld „bar“" in r.content.decode()
    assert not MonitoringMapping.objects.filter(concept=bochum).exists()
    assert client_for(users["reviewer"]).post("/concepts/bochum-innenstadt/reports/", {"r-kind": "isek"}).status_code == 403


def test_overview_figures(bochum):
    ov = figures.overview(bochum)
    result = ov["result"]
    assert ov["key"]["cost"] == result.total("cost")
    assert ov["key"]["paid"] == sum(p.amount for p in Payment.objects.filter(measure__concept=bochum))
    assert ov["key"]["progress"] is not None and 0 < ov["key"]["progress"] < 100
    states = {s.indicator.code: s for s in ov["indicators"]}
    assert states["facades_funded"].state == "off_target"  # 10 of 30 by 2023 on a straight path from 0 in 2020
    assert states["population_residents"].state == "no_target"
    assert states["square_redesigned_m2"].state == "no_data"
    kinds = {w.kind for w in ov["warnings"]}
    assert {"kuf", "indicator", "spending", "milestone"} <= kinds  # 5.3 is paid at 105 % of plan in the demo
    late = figures.milestones(bochum, today=datetime.date(2030, 1, 1))["concept"]
    assert late.total >= 1


def test_sachbericht_against_a_chosen_version(bochum, tmp_path):
    out = tmp_path / "sb.pdf"
    name = "Fortschreibung 2023 (illustrativ)"
    call_command("report", "bochum-innenstadt", "sachbericht", "--year", "2025", "--version", name, str(out))
    text = " ".join(pdf_text(out).split())
    assert f"KuF-Version „{name}“" in text
    assert "Keine Änderungen." in text  # the current plan is this version
    overdue = text.split("Überfällig (geplant bis Ende 2025, nicht erreicht)")[1].split("Geplant für 2026")[0]
    assert "1.1 Wetterschutz auf dem Boulevard: Entwurfsplanung abgeschlossen (geplant 30.06.2025)" in overdue
    with pytest.raises(CommandError, match="Vorhanden: "):
        call_command("report", "bochum-innenstadt", "sachbericht", "--year", "2025", "--version", "2099", str(out))


def test_reference_version_is_the_newest_frozen_by_the_year_end(bochum):
    from isek.finance.models import FinanceVersion

    first, update = FinanceVersion.objects.filter(concept=bochum).order_by("created_at", "id")
    FinanceVersion.objects.filter(pk=first.pk).update(created_at=datetime.datetime(2019, 9, 1, tzinfo=datetime.UTC))
    FinanceVersion.objects.filter(pk=update.pk).update(created_at=datetime.datetime(2023, 10, 1, tzinfo=datetime.UTC))
    assert reports.reference_version(bochum, 2022).pk == first.pk
    assert reports.reference_version(bochum, 2024).pk == update.pk


def test_year_notes_reach_the_sachbericht(users, bochum, tmp_path):
    from isek.concepts.models import Measure
    from isek.monitoring.models import YearNote

    planner = client_for(users["planner"])
    url = f"/concepts/{bochum.slug}/reports/notes/2024/"
    assert client_for(users["reviewer"]).get(url).status_code == 403
    assert planner.get(f"/concepts/{bochum.slug}/reports/notes/1850/").status_code == 404
    ring = Measure.objects.get(concept=bochum, number="3.1")
    form = {"overview": "Die Bauarbeiten am Haus des Wissens liefen planmäßig.", "source": "Amt 61, Jahresbilanz",
            f"m{ring.pk}": "Planung um ein Jahr verschoben:\nFördermittel erst 2027."}
    assert planner.post(url, form).status_code == 302
    assert YearNote.objects.filter(concept=bochum, year=2024).count() == 2
    out = tmp_path / "sb.pdf"
    call_command("report", bochum.slug, "sachbericht", "--year", "2024", str(out))
    text = " ".join(pdf_text(out).split())
    assert "Die Bauarbeiten am Haus des Wissens liefen planmäßig." in text and "Quellen: Amt 61, Jahresbilanz" in text
    assert "3.1 Umgestaltung des Innenstadtrings: Planung um ein Jahr verschoben: Fördermittel erst 2027." in text
    form["overview"] = ""  # an empty field removes the note
    planner.post(url, form)
    assert not YearNote.objects.filter(concept=bochum, year=2024, measure=None).exists()
    # the demo's notes carry their sources
    demo2023 = " ".join(pdf_text(_sachbericht(bochum, 2023, tmp_path)).split())
    assert "zehn Gebäude mit rund 140.000 € Zuschuss bewilligt" in demo2023 and "bochum-journal.de" in demo2023


def _sachbericht(concept, year, tmp_path):
    out = tmp_path / f"sb{year}.pdf"
    reports.build(concept, "sachbericht", out, year=year)
    return out


def test_monitoring_csv_keeps_formula_like_text_as_text(bochum, tmp_path):
    bochum.name = "=HYPERLINK(\"http://example.invalid\")"
    bochum.save()
    out = tmp_path / "m.csv"
    reports.monitoring_csv(bochum, out)
    row = dict(zip(*csv.reader(out.open(encoding="utf-8-sig"), delimiter=";")))
    assert row["Gesamtmaßnahme"] == "'=HYPERLINK(\"http://example.invalid\")"


def test_deleting_a_report_removes_its_file(users, bochum, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    report = Report.objects.create(concept=bochum, kind="monitoring")
    jobs.execute(report)
    report.refresh_from_db()
    path = tmp_path / "reports" / report.file.rsplit("/", 1)[-1]
    assert path.is_file()
    url = f"/concepts/{bochum.slug}/reports/{report.pk}/delete/"
    assert client_for(users["reviewer"]).post(url).status_code == 403
    page = client_for(users["planner"]).get(f"/concepts/{bochum.slug}/reports/").content.decode()
    assert url in page
    assert client_for(users["planner"]).post(url).status_code == 302
    assert not path.exists() and not Report.objects.filter(pk=report.pk).exists()


def test_monitoring_csv_is_german_whatever_the_ui_language(bochum, tmp_path):
    from django.utils import translation

    out = tmp_path / "m.csv"
    with translation.override("en"):
        reports.monitoring_csv(bochum, out)
        described = reports.monitoring_fields(bochum)["federal_funds"][0]
    row = dict(zip(*csv.reader(out.open(encoding="utf-8-sig"), delimiter=";")))
    assert row["Programm"] == "Lebendige Zentren"
    assert described == "Federal funds (€)"  # the page describing the fields follows the UI language


def test_only_the_demo_sachbericht_calls_its_payments_demo(bochum, new_city, tmp_path):
    """A Bautzen planner's walk: a real concept's report called its figures the demo's."""
    texts = {}
    for concept in (bochum, new_city):
        out = tmp_path / f"{concept.slug}.pdf"
        reports.sachbericht_pdf(concept, 2026, out)
        texts[concept] = " ".join(pdf_text(out).split())
    assert "die als Annahme / illustrativ erfasst sind (nicht belegt)" in texts[bochum]  # the demo's payments
    assert "gezahlt = erfasste Auszahlungen (Ist)." in texts[new_city] and "Demo" not in texts[new_city]


def test_sachbericht_uses_only_data_up_to_the_report_year(new_city, tmp_path):
    """A Krautsand planner's walk: the Sachbericht 2027 showed in §7 a hint from a value of 2029
    (and in §6 no value); every hint of a report for year Y uses data up to the end of Y only."""
    from isek.analysis.models import IndicatorValue
    from isek.concepts.models import Measure, Milestone
    from isek.monitoring.models import Indicator

    Indicator.objects.create(concept=new_city, code="vacancy", name="Leerstandsquote", kind="context", unit="%",
                             baseline_value=25, baseline_year=2026, target_value=18.5, target_year=2030)
    IndicatorValue.objects.create(concept=new_city, indicator="vacancy", value=22, date=datetime.date(2029, 12, 31))
    m = Measure.objects.get(concept=new_city, number="4.1")
    Milestone.objects.create(measure=m, title="Bauende", due=datetime.date(2029, 6, 30))
    Payment.objects.create(measure=m, year=2029, amount=D("999999.00"))
    text = " ".join(pdf_text(_sachbericht(new_city, 2027, tmp_path)).split())
    hints = text.split("7 Hinweise")[1]
    assert "Leerstandsquote" in text.split("6 Indikatoren")[1].split("7 Hinweise")[0]
    assert "Indikator nicht im Plan" not in hints and "Auszahlungen über Plan" not in hints and "Bauende" not in hints
    # the same facts as at the end of 2029 are in the report for 2029
    hints2029 = " ".join(pdf_text(_sachbericht(new_city, 2029, tmp_path)).split()).split("7 Hinweise")[1]
    assert "Indikator nicht im Plan: Leerstandsquote – 22,00 %" in hints2029
    assert "Auszahlungen über Plan: 4.1 Umgestaltung des Marktplatzes 2029" in hints2029
    assert "Meilenstein überfällig seit 30.06.2029: Bauende" in hints2029  # as §5 lists it at the end of 2029


def test_sachbericht_year_outside_the_period_is_refused_in_the_form(new_city, django_capture_on_commit_callbacks):
    """A Krautsand planner's walk: 1999 for a concept of 2027–2034 was queued, failed in the
    background and offered "erneut starten", which could not succeed."""
    this_year = timezone.localdate().year
    new_city.start_year, new_city.end_year = this_year - 1, this_year + 3
    new_city.save()
    planner = client_for(django_user("planer-neu"))
    url = f"/concepts/{new_city.slug}/reports/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = planner.post(url, {"r-kind": "sachbericht", "r-year": "1999"}).content.decode()
    assert f"Das Berichtsjahr 1999 liegt außerhalb der Laufzeit {this_year - 1}–{this_year + 3}." in page
    assert not callbacks and not Report.objects.filter(concept=new_city).exists()
    offered = [int(y) for y in re.findall(r'<option value="(\d+)"', page.split('name="r-year"')[1].split("</select>")[0])]
    assert offered == list(range(this_year - 1, this_year + 4))
    # a report that failed on such a year (from before) offers no retry: it cannot succeed
    failed = Report.objects.create(concept=new_city, kind="sachbericht", year=1999, status="failed",
                                   message=f"Das Berichtsjahr 1999 liegt außerhalb der Laufzeit {this_year - 1}–{this_year + 3}.")
    assert "erneut starten" not in planner.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = planner.post(reverse("monitoring:report-retry", args=[new_city.slug, failed.pk]), follow=True).content.decode()
    assert "liegt außerhalb der Laufzeit" in page and not callbacks
    failed.refresh_from_db()
    assert failed.status == "failed"


@pytest.mark.parametrize("ahead, says", [(1, "Vorläufig: das Berichtsjahr hat noch nicht begonnen"),
                                         (0, "Vorläufig: das Berichtsjahr ist noch nicht abgeschlossen"),
                                         (-1, None)])
def test_a_sachbericht_for_a_year_not_over_says_it_is_preliminary(new_city, tmp_path, ahead, says):
    this_year = timezone.localdate().year
    new_city.start_year, new_city.end_year = this_year - 1, this_year + 3
    new_city.save()
    year = this_year + ahead
    text = " ".join(pdf_text(_sachbericht(new_city, year, tmp_path)).split())
    Report.objects.create(concept=new_city, kind="sachbericht", year=year, status="done", file="x.pdf")
    page = client_for(django_user("planer-neu")).get(f"/concepts/{new_city.slug}/reports/").content.decode()
    if says:
        assert says in text and says in page
    else:
        assert "Vorläufig" not in text and "Vorläufig" not in page


def django_user(name):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)
