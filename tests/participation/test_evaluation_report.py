"""The evaluation report (issue 24, point 5) as planners attach it: per theme and quarter the counts
of the database, the confirmed and corrected themes, the citizens' quotes linked to their
contributions, the city's answers and linked measures, the imported ones credited by their
original's address – the same figures on the page, in the PDF (pdftotext) and in the XLSX; an
unknown phase or another concept's is refused with a message."""

from __future__ import annotations

import datetime
import errno
import html
import io
import json
import re
import subprocess

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import formats, timezone, translation

from isek.participation import services
from isek.participation.models import Idea, ImportSource, Status, ThemeReview
from isek.participation.services import groups as engines
from tests.factories import ConceptFactory, MeasureFactory, QuarterFactory, UserFactory, member, multipolygon

from .conftest import OPERATOR, idea

# the factory's area: a square of 500 m from (7.21, 51.48); its western and eastern halves
WEST_EAST = 7.2136
CREDIT = "Beiträge: Raddialog Ehrenfeld 2017 (Stadt Köln), je Beitrag verlinkt"
ORIGINAL = "https://www.raddialog-ehrenfeld.koeln/dialoge/ehrenfelder-raddialog/bruecke-endlich-bauen"


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the PDFs the jobs write
    engines.forget()
    yield
    engines.forget()


@pytest.fixture
def evaluated(phase, citizen):
    """Seven ideas in two quarters (one without a place outside both is impossible: the phase's
    area is the concept's), one rejected, one confirmed, one corrected, one answered with a
    measure, one imported with its original's address."""
    import shapely

    concept = phase.concept
    QuarterFactory(concept=concept, name="Westviertel", geometry=multipolygon(shapely.box(7.21, 51.48, WEST_EAST, 51.4845)))
    QuarterFactory(concept=concept, name="Ostviertel", geometry=multipolygon(shapely.box(WEST_EAST, 51.48, 7.2173, 51.4845)))
    squares, mobility = phase.themes.order_by("order", "pk")
    made = [
        idea(phase, citizen, theme=squares, title="Bänke am Platz", text="Auf dem Platz fehlen Bänke zum Sitzen im Schatten.",
             geometry="POINT(7.211 51.481)"),
        idea(phase, citizen, theme=squares, title="Schatten", text="Der Platz braucht Bäume und Schatten für den Sommer.",
             geometry="POINT(7.212 51.482)"),
        idea(phase, citizen, theme=squares, title="Brunnen", text="Ein Trinkbrunnen auf dem Platz wäre im Sommer schön.",
             geometry="POINT(7.215 51.481)"),
        idea(phase, citizen, theme=mobility, title="Radweg", text="Der Radweg an der Hauptstraße ist viel zu schmal.",
             geometry="POINT(7.216 51.483)"),
        idea(phase, citizen, theme=mobility, title="Busse", text="Die Busse fahren abends viel zu selten zur Haltestelle.",
             geometry="POINT(7.2165 51.4835)"),
        idea(phase, citizen, theme=mobility, title="Werbung", text="Kaufen Sie jetzt unser tolles Angebot im Laden.",
             geometry="POINT(7.216 51.482)"),
    ]
    for i in made[:5]:
        services.decide(OPERATOR, i, "approve")
    services.decide(OPERATOR, made[5], "reject", reason="advertising")
    now = timezone.now()
    ThemeReview.objects.create(idea=made[0], theme=squares, proposed=squares, by_name="planerin", at=now)  # confirmed
    ThemeReview.objects.create(idea=made[4], theme=squares, proposed=mobility, by_name="planerin", at=now)  # corrected
    Idea.objects.filter(pk=made[4].pk).update(theme=squares)
    measure = MeasureFactory(concept=concept, number="2.1", title="Radweg Hauptstraße")
    services.answer(OPERATOR, Idea.objects.get(pk=made[3].pk), text="Wird mit der Maßnahme umgesetzt.", outcome="measure",
                    measure=measure)
    source = ImportSource.objects.create(phase=phase, name="Raddialog Ehrenfeld", licence="CC BY 4.0", credit=CREDIT)
    Idea.objects.filter(pk=made[2].pk).update(source=source, source_url=ORIGINAL, source_key="id:E1453")
    return phase


def expected(phase) -> dict:
    """What the database says, asked independently of the report: per theme the evaluated ideas
    (not rejected, not merged) by confirmed theme, else own; per quarter (the database's spatial
    test) per theme; the reviews confirmed and corrected."""
    from isek.concepts.services import Quarter

    ideas = Idea.objects.filter(phase=phase, merged_into=None).exclude(status__in=[Status.REJECTED, Status.MERGED])
    reviews = {r.idea_id: r for r in ThemeReview.objects.filter(idea__phase=phase)}
    theme_of = {i.pk: (reviews[i.pk].theme_id if i.pk in reviews else i.theme_id) for i in ideas}
    themes = {t.pk: {"name": t.name_de, "ideas": 0, "confirmed": 0, "corrected": 0, "unsuggested": 0, "open": 0}
              for t in phase.themes.all()}
    for pk, t in theme_of.items():
        themes[t]["ideas"] += 1
        r = reviews.get(pk)
        themes[t]["open" if r is None else "unsuggested" if r.unsuggested
                  else "corrected" if r.theme_id != r.proposed_id else "confirmed"] += 1
    quarters = {}
    for q in Quarter.objects.filter(concept=phase.concept):
        inside = ideas.filter(geometry__within=q.geometry)
        quarters[q.name] = {themes[t]["name"]: sum(1 for i in inside if theme_of[i.pk] == t) for t in themes}
    return {"ideas": ideas.count(), "themes": themes, "quarters": quarters,
            "confirmed": sum(t["confirmed"] for t in themes.values()),
            "corrected": sum(t["corrected"] for t in themes.values()),
            "rejected": Idea.objects.filter(phase=phase, status=Status.REJECTED).count()}


def client_for(concept, role="moderator") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(member(concept, role))
    return c


def url(phase, tail="report/") -> str:
    return f"/concepts/{phase.concept.slug}/participation/phases/{phase.pk}/{tail}"


def built_pdf(c, phase, lang="de") -> bytes:
    """The PDF as a planner gets it (decision 0061): started on the report page, built by the
    worker (here: at once), served at the old address report.pdf (the newest in the page's language)."""
    r = c.post(url(phase), HTTP_ACCEPT_LANGUAGE=lang)  # its task is queued on commit: not in a test's transaction
    assert r.status_code == 302 and r["Location"].endswith("/report/#report-pdfs")
    job = phase.report_pdfs.filter(status="queued").get()
    assert job.language == lang
    assert services.run_report_pdf(job)
    r = c.get(url(phase, "report.pdf"), HTTP_ACCEPT_LANGUAGE=lang)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    return b"".join(r.streaming_content)


def cells(page: str, attr: str, key) -> list[str]:
    m = re.search(rf'<tr {attr}="{key}">(.*?)</tr>', page, re.S)
    assert m, f"{attr}={key} not on the page"
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", m.group(1), re.S)]


def test_the_page_shows_the_databases_figures_quotes_answers_and_credits(evaluated):
    want = expected(evaluated)
    assert want["ideas"] == 5 and want["confirmed"] == 1 and want["corrected"] == 1 and want["rejected"] == 1
    moderation = client_for(evaluated.concept).get(f"/concepts/{evaluated.concept.slug}/moderation/").content.decode()
    assert f'href="{url(evaluated)}"' in moderation.split('id="report-links"')[1]  # where the moderators find it
    page = client_for(evaluated.concept).get(url(evaluated)).content.decode()
    assert "Auswertung der Beteiligung" in page
    figure = dict(re.findall(r'<td data-figure="(\w+)">([^<]*)</td>', page))
    assert figure["ideas"] == str(want["ideas"]) and figure["confirmed"] == "1" and figure["corrected"] == "1"
    assert figure["open"] == str(want["ideas"] - 2) and figure["excluded"] == "1 / 0" and figure["measures"] == "1"
    for pk, t in want["themes"].items():
        row = cells(page, "data-theme", pk)
        assert row[0] == t["name"] and row[1] == str(t["ideas"])
        assert row[8:12] == [str(t["confirmed"]), str(t["corrected"]), str(t["unsuggested"]), str(t["open"])]  # after 4 supports columns
    # of each theme's open ones, those isek puts in it too; "–" while isek has no own suggestion
    # (2 decisions: fewer than TRUST_LABELS)
    assert [cells(page, "data-theme", pk)[12] for pk in want["themes"]] == ["–"] * len(want["themes"])
    names = [t["name"] for t in want["themes"].values()]
    for q in evaluated.concept.quarters.all():
        row = cells(page, "data-quarter", f"q{q.pk}")
        assert row[0] == q.name and row[6:] == [str(want["quarters"][q.name][n]) for n in names]  # after the supports
        assert row[1] == str(sum(want["quarters"][q.name].values()))
    assert "Radweg Hauptstraße" in page and "Wird mit der Maßnahme umgesetzt." in page
    assert f'href="{ORIGINAL}"' in page and CREDIT in page and "Lizenz: CC BY 4.0" in page
    quoted = re.findall(r"<q>(.*?)</q> – <a class=\"kern-link\" href=\"/concepts/[^\"]+/participation/ideas/(\d+)/\"", page)
    assert quoted, "no quote linked to its contribution"
    for sentence, pk in quoted:
        i = Idea.objects.get(pk=pk)
        assert html.unescape(sentence) in " ".join(f"{i.title} {i.text}".split())
    assert "Werbung" not in page  # the rejected idea is not evaluated
    fc = json.loads(client_for(evaluated.concept).get(url(evaluated, "report.geojson")).content)
    themes = {t["name"] for t in want["themes"].values()}
    assert len(fc["features"]) == want["ideas"] and {f["properties"]["theme"] for f in fc["features"]} <= themes
    busse = next(f for f in fc["features"] if f["properties"]["title"] == "Busse")["properties"]
    assert busse["theme"] == "Plätze & Freiräume"  # as the person corrected it


def pdf_text(c, phase, tmp_path) -> str:
    path = tmp_path / f"{phase.pk}.pdf"
    path.write_bytes(built_pdf(c, phase))
    return " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())


def assert_quarter_section(text: str, want: dict) -> None:
    """Section 3 of the PDF: themes as rows, quarters as columns (walk 16), every figure there."""
    section = text[text.index("3 Nach Teilräumen"):text.index("4 Gruppen ähnlicher Beiträge")]
    quarters = list(want["quarters"])
    assert "Thema " + " ".join(quarters) in section
    assert "Beiträge " + " ".join(str(sum(want["quarters"][q].values())) for q in quarters) in section
    for t in want["themes"].values():
        figures = " ".join(str(want["quarters"][q][t["name"]]) for q in quarters)
        assert f"{t['name']} {figures}" in section, t["name"]


def test_walk16_the_quarter_table_fits_with_14_themes_and_is_left_out_without_places(evaluated, tmp_path):
    now = timezone.now()
    names = [f"Handlungsfeld {n:02d}" for n in range(1, 15)]
    many = services.save_phase(OPERATOR, evaluated.concept, title_de="Viele Themen", start=now - datetime.timedelta(days=90),
                               end=now - datetime.timedelta(days=60), themes=[(n, "", "#2e7d32") for n in names])
    for k, theme in enumerate(many.themes.order_by("order", "pk")):
        for geometry in ["POINT(7.211 51.481)"] * (k % 3 + 1) + ["POINT(7.216 51.483)"] * (k % 4):
            Idea.objects.create(phase=many, theme=theme, title=theme.name_de, text="Mehr Grün", geometry=geometry,
                                status=Status.PUBLISHED)
    c = client_for(evaluated.concept)
    want = expected(many)
    assert len(want["themes"]) == 14
    assert_quarter_section(pdf_text(c, many, tmp_path), want)
    placeless = services.save_phase(OPERATOR, evaluated.concept, title_de="Ohne Orte", start=now - datetime.timedelta(days=50),
                                    end=now - datetime.timedelta(days=40), themes=[("Grün", "", "#2e7d32")])
    Idea.objects.create(phase=placeless, theme=placeless.themes.get(), title="Grün", text="Mehr Grün", geometry=None,
                        status=Status.PUBLISHED)
    text = pdf_text(c, placeless, tmp_path)
    section = text[text.index("3 Nach Teilräumen"):text.index("4 Gruppen ähnlicher Beiträge")]
    assert "Kein ausgewerteter Beitrag hat einen Ort: Eine Auswertung nach Teilräumen entfällt." in section
    assert "Teilraum" not in section.replace("Nach Teilräumen", "").replace("nach Teilräumen", "")


def test_the_pdf_and_the_xlsx_say_the_same_figures(evaluated, tmp_path):
    # fix24c: a theme chosen where isek showed no suggestion (imported without one) is a third kind
    # of decision, on the page, in the PDF and the XLSX – neither "bestätigt" nor "korrigiert"
    squares = evaluated.themes.order_by("order", "pk").first()
    ThemeReview.objects.create(idea=Idea.objects.get(phase=evaluated, title="Schatten"), theme=squares, proposed=None,
                               unsuggested=True, by_name="planerin", at=timezone.now())
    want = expected(evaluated)
    assert (want["confirmed"], want["corrected"], want["themes"][squares.pk]["unsuggested"]) == (1, 1, 1)
    c = client_for(evaluated.concept)
    page = c.get(url(evaluated)).content.decode()
    figure = dict(re.findall(r'<td data-figure="(\w+)">([^<]*)</td>', page))
    assert (figure["confirmed"], figure["corrected"], figure["unsuggested"]) == ("1", "1", "1")
    assert cells(page, "data-theme", squares.pk)[8:12] == ["1", "1", "1", "1"]
    assert ("1 wählten ein anderes Thema, 1 wählten ein Thema, wo isek keinen Vorschlag zeigte (gewählt ohne "
            "Vorschlag)") in html.unescape(page)
    assert "Schatten" in page and "(gewählt ohne Vorschlag)" in page
    path = tmp_path / "a.pdf"
    path.write_bytes(built_pdf(c, evaluated))
    text, plain = (" ".join(subprocess.run(["pdftotext", *layout, str(path), "-"], check=True, capture_output=True,
                                           text=True).stdout.split()) for layout in (["-layout"], []))
    assert "Auswertung der Beteiligung" in text and f"ausgewertete Beiträge {want['ideas']}" in text
    assert "Thema von einer Person bestätigt 1" in text and "Thema von einer Person korrigiert 1" in text
    assert "Thema von einer Person gewählt ohne Vorschlag (isek zeigte keinen) 1" in text
    for t in want["themes"].values():
        assert re.search(rf"{re.escape(t['name'])} {t['ideas']} \d+ \d+ \d+ {t['confirmed']} {t['corrected']} "
                         rf"{t['unsuggested']} {t['open']}", text), text[text.index("2 Nach Themen"):][:600]
    assert_quarter_section(text, want)
    assert "verknüpfte Maßnahmen: 2.1 Radweg Hauptstraße" in plain and f"Original: {ORIGINAL}" in plain
    # fix24c: each contribution with its own date (an imported one without a date in its file: the import's)
    own = Idea.objects.get(phase=evaluated, title="Bänke am Platz")
    assert f"Bänke am Platz · {timezone.localtime(own.created_at):%d.%m.%Y} · Plätze & Freiräume (bestätigt)" in plain
    assert "Schatten · " in plain and "Plätze & Freiräume (gewählt ohne Vorschlag)" in plain
    brunnen = Idea.objects.get(phase=evaluated, title="Brunnen")
    assert f"Brunnen · Datum: Import am {timezone.localtime(brunnen.created_at):%d.%m.%Y} ·" in plain
    assert "wurde zur Maßnahme: Wird mit der Maßnahme umgesetzt." in plain
    assert "CC BY 4.0" in text and "logistische Regression" in text
    # the confirmed idea kept its own theme (isek had no suggestion): not an accepted suggestion (walk 24)
    assert ("Von 3 Entscheidungen über ein Thema übernahmen 0 den Vorschlag von isek (0 % der 2 Entscheidungen, bei denen "
            "isek einen Vorschlag zeigte), 1 bestätigten das "
            "eingereichte oder importierte Thema, 1 wählten ein anderes Thema, 1 wählten ein Thema, wo isek keinen "
            "Vorschlag zeigte (gewählt ohne Vorschlag)") in plain

    r = c.get(url(evaluated, "report.xlsx"))
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    rows = {row[0]: row for row in wb["Themen"].iter_rows(min_row=2, values_only=True)}
    for t in want["themes"].values():
        assert rows[t["name"]][1] == t["ideas"] and rows[t["name"]][8:12] == (t["confirmed"], t["corrected"],
                                                                              t["unsuggested"], t["open"])
    header = [c.value for c in wb["Teilräume"][1]]
    for row in wb["Teilräume"].iter_rows(min_row=2, values_only=True):
        for name, n in want["quarters"][row[0]].items():
            assert row[header.index(name)] == n
    lines = list(wb["Beiträge"].iter_rows(min_row=2, values_only=True))
    assert len(lines) == want["ideas"]
    assert any(li[9] == "2.1 Radweg Hauptstraße" for li in lines) and any(li[10] == ORIGINAL for li in lines)
    method = dict(wb["Methode"].iter_rows(min_row=2, values_only=True))
    assert method["Thema bestätigt"] == 1 and method["Thema korrigiert"] == 1
    assert method["Thema gewählt ohne Vorschlag (isek zeigte keinen)"] == 1
    assert [li[4] for li in lines if li[1] == "Schatten"] == ["gewählt ohne Vorschlag"]
    # "Stand" in Berlin time as the PDF says it, not UTC (walk 24)
    stand = method["Stand"]  # a date cell (fix24i), local time
    assert isinstance(stand, datetime.datetime), stand
    assert abs(timezone.make_aware(stand) - timezone.now()) < datetime.timedelta(minutes=2)
    # every figure of the sheet a number, not a text (fix24i)
    assert all(isinstance(v, int) for k, v in method.items() if k not in ("Konzept", "Beteiligungsphase", "Stand",
                                                                           "Methode", "Quelle", "Hinweis")), method


def test_an_unknown_phase_or_another_concepts_is_refused_with_a_message(evaluated):
    c = client_for(evaluated.concept)
    other = services.save_phase(OPERATOR, ConceptFactory(), title_de="Andere", start=timezone.now(),
                                end=timezone.now() + timezone.timedelta(days=3), themes=[("A", "A", "")])
    for tail in ("report/", "report.pdf", "report.xlsx"):
        r = c.get(url(evaluated, tail).replace(f"/phases/{evaluated.pk}/", f"/phases/{other.pk}/"))
        assert r.status_code == 404 and "Diese Beteiligungsphase gibt es in diesem Konzept nicht" in r.content.decode()
    r = c.get(url(evaluated, "report.docx"))
    assert r.status_code == 404 and "Die Auswertung gibt es als PDF und XLSX." in r.content.decode()
    # fix24d: a PDF that is gone is said, not "No ReportPdf matches the given query."
    for tail in ("report/pdf/987654/download/", "report/pdf/987654.json"):
        r = c.get(url(evaluated, tail))
        assert r.status_code == 404 and "Diese PDF-Auswertung gibt es nicht (mehr)" in r.content.decode()
        assert "ReportPdf" not in r.content.decode()
    with pytest.raises(ValidationError, match="gibt es in diesem Konzept nicht"):
        services.report_phase(OPERATOR, evaluated.concept, "x")
    with pytest.raises(ValidationError, match="gehört nicht zu diesem Konzept"):
        services.evaluation_report(OPERATOR, evaluated.concept, other)


def test_the_page_in_english(evaluated):
    c = client_for(evaluated.concept)
    page = c.get(url(evaluated), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Evaluation of the participation" in page and "By quarter" in page and "theme corrected by a person" in page
    # walk 24 (7): "open" in the table and the list, never "pending"; the phase's dates in English
    assert "pending" not in page and ">open</th>" in page and "(open)" in page
    with translation.override("en"):
        assert formats.date_format(timezone.localtime(evaluated.start), "SHORT_DATE_FORMAT") in page


ENGLISH = re.compile(r"\b(pending|Supports?|Supp|Contributions?|Theme|Quarters?|confirmed|corrected|answered|Method|"
                     r"Sources?|licence|Page|of|linked|open|Quotes|Evaluation|Overview|Sum)\b")


def test_the_files_speak_the_pages_language_without_leftovers(evaluated, tmp_path):
    """Walk 24: English "pending" and "Supports" in the German report; every label of the PDF and
    the XLSX is translated, German from the German page (no English word), English from the English."""
    c = client_for(evaluated.concept)
    text = {}
    for lang in ("de", "en"):
        path = tmp_path / f"{lang}.pdf"
        path.write_bytes(built_pdf(c, evaluated, lang))
        text[lang] = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
        wb = openpyxl.load_workbook(io.BytesIO(c.get(url(evaluated, "report.xlsx"), HTTP_ACCEPT_LANGUAGE=lang).content))
        headers = [str(cell.value) for ws in wb for cell in ws[1]] + wb.sheetnames
        labels = [row[0] for row in wb.worksheets[-1].iter_rows(min_row=2, values_only=True)]
        if lang == "de":
            assert not ENGLISH.findall(" ".join(headers + labels)), headers + labels
            # the citizens' and the city's words aside (quotes, titles, answers), the PDF says nothing in English
            assert not ENGLISH.findall(text["de"]), ENGLISH.findall(text["de"])
            assert "Unterstützungen" in headers and "offen" in headers and "Seite 1 von" in text["de"]
        else:
            assert {"Theme", "Contributions", "Quotes", "Quarter"} <= set(headers), headers
            assert "Theme confirmed" in labels and "Evaluation of the participation" in text["en"]
            assert "Page 1 of" in text["en"] and "Überblick" not in text["en"]
            # walk 24 (7): "open" throughout (not "pending"), English dates, a file name of its own
            assert "pending" not in text["en"] and "(open)" in text["en"]
            with translation.override("en"):
                start = formats.date_format(timezone.localtime(evaluated.start), "SHORT_DATE_FORMAT")
            assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", start) and start in text["en"]
            assert timezone.localtime(evaluated.start).strftime("%d.%m.%Y") not in text["en"]
            stand = next(row[1] for row in wb.worksheets[-1].iter_rows(min_row=2) if row[0].value == "Status")
            # a date cell (fix24i) shown in English order
            assert isinstance(stand.value, datetime.datetime) and stand.number_format == "d mmm yyyy, hh:mm", stand
        for fmt in ("pdf", "xlsx"):
            name = c.get(url(evaluated, f"report.{fmt}"), HTTP_ACCEPT_LANGUAGE=lang)["Content-Disposition"]
            # fix24b (6): the English file is named in English
            base = "participation-evaluation" if lang == "en" else "auswertung-beteiligung"
            assert name.endswith(f'{evaluated.concept.slug}-{base}-{evaluated.pk}-{lang}.{fmt}"'), name
            assert ("auswertung" in name) == (lang == "de"), name


def test_every_theme_has_a_key_of_its_own_on_the_map_and_in_the_legend(evaluated):
    """Walk 24: from the 10th theme on, themes shared a colour (the palette had 12, some alike);
    24 colours now, none like another, and on the PDF's map a theme whose colour is like an
    earlier one's gets another marker shape."""
    from types import SimpleNamespace

    from isek.participation import reporting
    from isek.participation.services.phase import SIMILAR, _distance

    many = services.save_phase(OPERATOR, evaluated.concept, title_de="Viele Themen", start=timezone.now(),
                               end=timezone.now() + datetime.timedelta(days=3),
                               themes=[(f"Thema {n}", f"Theme {n}", "") for n in range(1, 21)])
    colours = [t.colour for t in many.themes.all()]
    assert len(colours) == 20 and all(_distance(a, b) >= SIMILAR for n, a in enumerate(colours) for b in colours[n + 1:])
    page = client_for(evaluated.concept).get(url(many)).content.decode()
    swatches = re.findall(r'<tr data-theme="\d+"><th scope="row"><span class="isek-swatch" style="background: (#\w+)"', page)
    assert swatches == colours  # the page's legend: each theme its own colour
    # more themes than colours, or a planner's colours alike: the PDF map's keys still differ
    themes = [SimpleNamespace(colour=c) for c in [*colours, *colours, "#005cab"]]
    keys = reporting.theme_keys(themes)
    assert len(set(keys)) == len(keys) == 41
    assert not [(k1, k2) for n, k1 in enumerate(keys) for k2 in keys[n + 1:]
                if _distance(k1[0], k2[0]) < SIMILAR and k1[1] == k2[1]]
    assert keys[-1] == ("#005cab", "^")  # like the first theme's colour, the third time: the third shape


def test_the_pdf_job_one_at_a_time_its_progress_file_and_refusals(evaluated, django_capture_on_commit_callbacks):
    """Issue #24 point 6: the PDF is a background job – started on the report page, one at a time
    per phase (a second start shows the running one), its progress polled, its file for those who
    may see the report; cancel and retry as other jobs; a citizen or a reviewer is refused, an
    unknown phase or job is 404. (The job's build and the file it serves: ``built_pdf`` above.)"""
    from isek.core import jobs as core_jobs
    from isek.participation import jobs
    from isek.participation.models import ReportPdf

    c = client_for(evaluated.concept)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        c.post(url(evaluated))
        job = ReportPdf.objects.get(phase=evaluated)
        ReportPdf.objects.filter(pk=job.pk).update(status="running", progress=40, worker="elsewhere:1",
                                                   heartbeat_at=timezone.now())
        again = c.post(url(evaluated), follow=True)
    assert len(queued) == 1 and ReportPdf.objects.filter(phase=evaluated).count() == 1  # one task, one job
    page = again.content.decode()
    assert "entsteht gerade schon ein PDF" in page and f'data-report-pdf="{job.pk}" data-status="running"' in page
    assert 'id="report-pdf"' not in page and "isek/jobs.mjs" in page  # no second start; the progress is polled
    status = c.get(url(evaluated, f"report/pdf/{job.pk}.json")).json()
    assert status == {"status": "running", "status_label": "läuft", "progress": 40, "message": "", "pages": None,
                      "cancel_requested": False}
    # the status is a live region (walk 24): jobs.mjs writes status_label into it while it polls
    assert f'<span class="isek-run-status" aria-live="polite" id="report-pdf-{job.pk}-status">läuft</span>' in page
    assert c.get(url(evaluated, f"report/pdf/{job.pk}/download/")).status_code == 404  # not finished
    assert c.get(url(evaluated, "report.pdf"))["Location"].endswith("/report/#report-pdfs")  # none finished yet
    assert not services.run_report_pdf(ReportPdf.objects.get(pk=job.pk))  # a second worker does not take the running job
    page = c.post(url(evaluated, f"report/pdf/{job.pk}/cancel/"), follow=True).content.decode()
    assert "Wird beim nächsten Arbeitsschritt abgebrochen." in page and "wird abgebrochen …" in page
    with pytest.raises(core_jobs.Cancelled):  # the running job's next progress step stops it
        core_jobs.progress(ReportPdf, job.pk, 60)
    core_jobs.cancelled(ReportPdf, job.pk)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        c.post(url(evaluated, f"report/pdf/{job.pk}/retry/"))
    job.refresh_from_db()
    assert job.status == "queued" and len(queued) == 1

    def disk_full(job, path, progress):  # the worker's disk fills while it writes
        path.write_bytes(b"%PDF-")
        raise OSError(errno.ENOSPC, "No space left on device")

    assert not jobs.execute(job, disk_full)
    job.refresh_from_db()
    assert job.status == "failed" and job.shown_message.startswith("Der Speicherplatz ist voll")
    with translation.override("en"):
        assert job.shown_message.startswith("The disk is full; the PDF was not written.")
    assert list(jobs.pdf_dir().iterdir()) == []  # no half file

    # refused: a citizen and a reviewer may not start it, see its state, or download it
    for who in (UserFactory(), member(evaluated.concept, "reviewer")):
        other = Client()
        other.force_login(who)
        assert other.post(url(evaluated)).status_code == 403
        assert other.get(url(evaluated, f"report/pdf/{job.pk}.json")).status_code == 403
        assert other.post(url(evaluated, f"report/pdf/{job.pk}/cancel/")).status_code == 403
    assert ReportPdf.objects.filter(phase=evaluated).count() == 1
    # bad input: an unknown job, another phase's, an unknown phase
    assert c.get(url(evaluated, f"report/pdf/{job.pk + 999}.json")).status_code == 404
    assert c.post(url(evaluated, f"report/pdf/{job.pk + 999}/cancel/")).status_code == 404
    r = c.post(url(evaluated).replace(f"/phases/{evaluated.pk}/", f"/phases/{evaluated.pk + 999}/"))
    assert r.status_code == 404 and "Diese Beteiligungsphase gibt es in diesem Konzept nicht" in r.content.decode()
    assert ReportPdf.objects.filter(phase=evaluated).count() == 1



def test_a_duplicate_counts_once_under_the_earlier_contribution(evaluated):
    """Walk 24 (4): "Duplikat" changed no count – both were counted under their theme and quarter.
    Now the later one is counted in the total and said ("davon … als Duplikat"), not again in the
    themes and quarters; a rejected proposal ("kein Duplikat") counts as before."""
    earlier, later = Idea.objects.filter(phase=evaluated, title__in=["Bänke am Platz", "Schatten"]).order_by("number")
    concept = evaluated.concept

    def squares(r):
        return next(t for t in r.themes if t.name == "Plätze & Freiräume")

    before = services.evaluation_report(OPERATOR, concept, evaluated)
    services.decide_duplicate(OPERATOR, concept, evaluated, earlier.pk, later.pk, True)
    r = services.evaluation_report(OPERATOR, concept, evaluated)
    assert (r.total.ideas, r.duplicates, r.counted.ideas) == (5, 1, 4) and before.duplicates == 0
    assert squares(r).figures.ideas == squares(before).figures.ideas - 1
    assert sum(t.figures.ideas for t in r.themes) == sum(q.figures.ideas for q in r.quarters) == 4
    assert r.open + r.confirmed + r.corrected + r.no_fit == 4
    assert next(li for li in r.lines if li.idea.pk == later.pk).reviewed == f"Duplikat von {earlier.reference}"
    page = client_for(concept).get(url(evaluated)).content.decode()
    figure = dict(re.findall(r'<td data-figure="([\w-]+)">([^<]*)</td>', page))
    assert figure["ideas"] == "5" and figure["duplicates"] == "1"
    assert "1 Beitrag ist als Duplikat eines früheren markiert und zählt nur unter diesem" in page
    wb = openpyxl.load_workbook(io.BytesIO(client_for(concept).get(url(evaluated, "report.xlsx")).content))
    assert sum(row[1] for row in wb["Themen"].iter_rows(min_row=2, values_only=True)) == 4
    # walk 25 (3): "davon von isek vorgeschlagen" counts no duplicate and never exceeds "offen"
    assert all((t.suggested or 0) <= t.open for t in r.themes)
    head = [c.value for c in wb["Themen"][1]]
    for values in wb["Themen"].iter_rows(min_row=2, values_only=True):
        row = dict(zip(head, values, strict=False))
        assert (row["offen: Vorschlag isek"] or 0) <= row["offen"], row
    method = dict(wb["Methode"].iter_rows(min_row=2, values_only=True))
    assert method["davon als Duplikat eines früheren Beitrags markiert (nur unter diesem gezählt)"] == 1
    services.decide_duplicate(OPERATOR, concept, evaluated, earlier.pk, later.pk, False)
    r = services.evaluation_report(OPERATOR, concept, evaluated)
    assert r.duplicates == 0 and squares(r).figures.ideas == squares(before).figures.ideas


def test_a_finished_pdf_is_outdated_once_the_evaluation_changed_after_it(evaluated):
    """Walk 24 (5): a PDF finished before a decision on the evaluation is flagged "veraltet"."""
    from isek.participation.models import ReportPdf

    job = ReportPdf.objects.create(phase=evaluated, language="de", status="done", progress=100)
    c = client_for(evaluated.concept)

    def flagged() -> bool:
        page = c.get(url(evaluated)).content.decode()
        item = page.split(f'data-report-pdf="{job.pk}"', 1)[1].split("</li>", 1)[0]
        assert 'aria-live="polite"' in item
        return "data-outdated" in item and "veraltet" in item and "Die Auswertung hat sich geändert" in item

    assert not flagged()
    earlier, later = Idea.objects.filter(phase=evaluated, title__in=["Bänke am Platz", "Schatten"]).order_by("number")
    services.decide_duplicate(OPERATOR, evaluated.concept, evaluated, earlier.pk, later.pk, True)
    assert services.evaluation_changed_at(evaluated) > job.created_at
    assert flagged()


def test_only_the_newest_pdfs_per_phase_and_language_are_kept(evaluated):
    """Walk 24 (6): old PDFs were never deleted. When one is done, the phase's finished PDFs in its
    language beyond the newest three go, file and row; the other language's stay."""
    from pathlib import Path

    from isek.participation import jobs
    from isek.participation.models import ReportPdf

    def build(job, path, progress):
        path.write_bytes(b"%PDF-1.4 " + str(job.pk).encode())
        return 1

    made = []
    for lang in ("de", "en", "de", "de", "de"):
        job = ReportPdf.objects.create(phase=evaluated, language=lang)
        assert jobs.execute(job, build)
        made.append(ReportPdf.objects.get(pk=job.pk))
    assert services.KEEP_PDFS == 3
    gone = made[0]
    assert not ReportPdf.objects.filter(pk=gone.pk).exists() and not Path(gone.file).exists()
    assert list(ReportPdf.objects.filter(phase=evaluated).order_by("pk")) == made[1:]
    assert all(Path(j.file).is_file() for j in made[1:]) and len(list(jobs.pdf_dir().iterdir())) == 4
    # a failed job (no file) is not counted among the finished and stays to be retried
    failed = ReportPdf.objects.create(phase=evaluated, language="de", status="failed")
    job = ReportPdf.objects.create(phase=evaluated, language="de")
    assert jobs.execute(job, build)
    assert ReportPdf.objects.filter(pk=failed.pk).exists() and not ReportPdf.objects.filter(pk=made[2].pk).exists()
    assert ReportPdf.objects.filter(phase=evaluated, language="de", status="done").count() == 3


def test_the_method_text_claims_no_theme_descriptions():
    """Walk 25 (4): the method said "the themes' descriptions serve as examples"; isek's themes have
    no description, and the engine learns from the persons' decisions alone."""
    text = services.method_text()
    assert "Beschreibungen" not in text and "doppelt so wahrscheinlich" in text
    with translation.override("en"):
        assert "descriptions" not in services.method_text() and "twice as likely" in services.method_text()


def test_fix24b_the_planners_groups_are_in_the_report_page_pdf_and_xlsx(evaluated, tmp_path):
    """Stranger's walk fix24b (2): renamed and split groups and moved contributions did not appear
    in the report. Now the page, the XLSX (sheet "Gruppen", a group column of every contribution)
    and the PDF (a short table) show each group with its name, count, characteristic words and the
    planner's decision, and the page and XLSX list the decisions."""
    concept = evaluated.concept
    planner = member(concept, "planner", "gunda")
    first = services.group_evaluation(planner, concept, evaluated).groups[0]
    ideas = first.ideas
    proposed = first.group.proposed_name
    services.rename_group(planner, concept, evaluated, first.group.pk, "Sitzen im Grünen")
    split = len(ideas) > 1
    if split:  # the first group's last contribution into a group of its own
        services.move_ideas(planner, concept, evaluated, first.group.pk, [ideas[-1].pk], name="Trinkwasser")
    r = services.evaluation_report(planner, concept, evaluated)
    by_name = {g.name: g for g in r.groups}
    renamed = by_name["Sitzen im Grünen"]
    assert renamed.proposed == proposed and renamed.kept and renamed.ideas == len(ideas) - split
    assert sum(g.ideas for g in r.groups) == r.total.ideas
    assert [d.by_name for d in r.group_decisions] == ["gunda"] * (1 + split)
    line = next(li for li in r.lines if li.idea.pk == ideas[0].pk)
    assert line.group == "Sitzen im Grünen"
    page = client_for(concept).get(url(evaluated)).content.decode()
    assert "Gruppen ähnlicher Beiträge" in page and f"umbenannt (von isek: „{proposed}“)" in html.unescape(page)
    row = next(cells(page, "data-group", n) for n in range(1, len(r.groups) + 1)
               if cells(page, "data-group", n)[0] == "Sitzen im Grünen")
    assert row[1] == str(renamed.ideas) and row[2] == ", ".join(renamed.words)
    assert cells(page, "data-line", ideas[0].pk)[-1] == "Sitzen im Grünen"
    # fix24c: each group's decisions with it (who, when), not one list for the phase
    assert "gunda" in row[3] and "heißt jetzt „Sitzen im Grünen“" in row[3]
    assert 'id="report-group-decisions"' not in page  # every decision is with its group
    wb = openpyxl.load_workbook(io.BytesIO(client_for(concept).get(url(evaluated, "report.xlsx")).content))
    head = [c.value for c in wb["Gruppen"][1]]
    assert head == ["Gruppe", "Beiträge", "kennzeichnende Wörter", "Entscheidung der Planung", "Name von isek",
                    "Entscheidungen der Planung über die Gruppe"]
    rows = {row[0]: row for row in wb["Gruppen"].iter_rows(min_row=2, values_only=True) if row and row[0]}
    assert rows["Sitzen im Grünen"][1:5] == (renamed.ideas, ", ".join(renamed.words),
                                             f"umbenannt (von isek: „{proposed}“)", proposed)
    contributions = list(wb["Beiträge"].iter_rows(values_only=True))
    column = contributions[0].index("Gruppe")
    assert {row[0]: row[column] for row in contributions[1:]}[ideas[0].reference] == "Sitzen im Grünen"
    assert "heißt jetzt „Sitzen im Grünen“. – gunda, " in rows["Sitzen im Grünen"][5]
    if split:
        assert rows["Trinkwasser"][3] == "von der Planung bearbeitet"
        assert "geteilt" in rows["Trinkwasser"][5] and "geteilt" in rows["Sitzen im Grünen"][5]
    path = tmp_path / "r.pdf"
    path.write_bytes(built_pdf(client_for(concept), evaluated))
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    section = " ".join(text[text.index("4 Gruppen ähnlicher Beiträge"):text.index("5 Methode")].split())
    assert "Sitzen im Grünen" in section and f"umbenannt (von isek: „{proposed}“)" in section
    assert "heißt jetzt „Sitzen im Grünen“. – gunda," in section


def test_fix24b_an_imported_contribution_shows_its_own_date_or_says_it_has_none(evaluated):
    """Stranger's walk fix24b (3): imported contributions showed the import's time as their date
    (the Köln file's "created" is stored as the date in the original). Now the pages and the XLSX
    show the original's date, and where a file had none "Datum: Import am …"."""
    concept = evaluated.concept
    dated = Idea.objects.get(phase=evaluated, title="Brunnen")  # imported (the fixture), no date yet
    undated = Idea.objects.get(phase=evaluated, title="Radweg")
    source = dated.source
    Idea.objects.filter(pk=dated.pk).update(source_date=datetime.datetime(2017, 9, 20, 10, 13, tzinfo=datetime.UTC))
    Idea.objects.filter(pk=undated.pk).update(source=source, source_key="id:x", source_date=None)
    today = timezone.localtime(Idea.objects.get(pk=undated.pk).created_at)
    c = client_for(concept)
    page = c.get(f"/concepts/{concept.slug}/participation/ideas/{dated.pk}/").content.decode()
    assert '<span data-idea-date="own">20. September 2017</span>' in page, re.findall(r"data-idea-date.{0,80}", page)
    page = c.get(f"/concepts/{concept.slug}/participation/ideas/{undated.pk}/").content.decode()
    assert f"Datum: Import am {today.day}. " in page and 'data-idea-date="own"' not in page
    listed = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/concepts/{concept.slug}/participation/").content.decode()
    assert '<span data-idea-date="own">20.9.2017</span>' in listed and f"Datum: Import am {today:%-d.%-m.%Y}" in listed
    wb = openpyxl.load_workbook(io.BytesIO(c.get(url(evaluated, "report.xlsx")).content))
    rows = list(wb["Beiträge"].iter_rows(values_only=True))
    column, imported = rows[0].index("Datum"), rows[0].index("importiert am")
    dates = {row[0]: (row[column], row[imported]) for row in rows[1:]}
    # date cells (fix24i: "Datum" held the text "Datum: Import am …"); the import's day in its own column
    assert dates[dated.reference] == (datetime.datetime(2017, 9, 20), datetime.datetime.combine(today.date(), datetime.time()))
    assert dates[undated.reference] == (None, datetime.datetime.combine(today.date(), datetime.time()))
    own = Idea.objects.get(title="Bänke am Platz")
    assert dates[own.reference] == (datetime.datetime.combine(timezone.localtime(own.created_at).date(), datetime.time()), None)
    sheet = wb["Beiträge"]
    assert sheet.cell(2, column + 1).number_format == "dd.mm.yyyy" or sheet.cell(2, column + 1).value is None
