"""The ISEK PDF of a new city (five measures in 4 of the template's 8 fields of action, a long
measure name, a KuF at 60 %): what its text says (pdftotext) and what its charts draw."""

import re
import subprocess
from decimal import Decimal as D

import pytest

from isek.finance import kuf
from isek.monitoring import charts, reports


def pdf_text(path) -> str:
    return " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())


def euro2(x) -> str:
    return f"{x:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


@pytest.fixture
def isek_text(new_city, tmp_path):
    out = tmp_path / "isek.pdf"
    reports.isek_pdf(new_city, out)
    return pdf_text(out)


@pytest.fixture
def drawn(monkeypatch):
    """The matplotlib figures the charts draw (instead of their PNGs)."""
    figs = []

    def keep(fig, dpi=150):
        fig.canvas.draw()
        figs.append(fig)
        return "data:image/png;base64,"

    monkeypatch.setattr(charts, "data_uri", keep)
    return figs


def test_isek_pdf_counts_the_fields_of_action_that_have_measures(isek_text):
    assert "Maßnahmen 5 in 4 Handlungsfeldern" in isek_text
    assert "in 8 Handlungsfeldern" not in isek_text


def test_isek_pdf_totals_the_own_share_under_the_measures(new_city, isek_text):
    result = kuf.current(new_city)
    total = " ".join(euro2(result.total(w)) for w in ("cost", "grant", "municipality"))
    assert f"Summe {total}" in isek_text


def test_isek_pdf_measure_rows_and_sum_add_up_with_the_further_money(new_city, isek_text):
    """A Bautzen planner's walk: EU money was missing, so cost ≠ grant + own share."""
    result = kuf.current(new_city)
    assert result.total("eu") > 0
    section6 = isek_text[isek_text.index("6 Maßnahmen"):isek_text.index("7 Kosten und Finanzierung")]
    assert "Weitere Mittel (€)" in section6
    euro = r"(?<![\d.])(\d{1,3}(?:\.\d{3})*,\d\d)"
    euros = " ".join([euro] * 4) + r"(?![\d.,])"
    rows = [section6[section6.index(f"{m.number} "):] for m in new_city.measures.all()]
    rows.append(section6[section6.index("Summe "):])
    with_further = 0
    for row in rows:
        cost, grant, own, further = (D(n.replace(".", "").replace(",", ".")) for n in re.search(euros, row).groups())
        assert cost == grant + own + further, row[:200]  # to the cent, as printed
        with_further += further > 0
    assert with_further >= 2  # the measure with EU money and the sum


def test_time_plan_shows_the_full_measure_names(new_city, drawn):
    measures = list(new_city.measures.select_related("primary_field").prefetch_related("milestones"))
    charts.gantt(measures, new_city.start_year, new_city.end_year)
    labels = [t.get_text() for t in drawn[0].axes[0].get_yticklabels()]
    assert sorted(" ".join(label.split()) for label in labels) == sorted(f"{m.number} {m.title}" for m in measures)
    long = next(label for label in labels if label.startswith("1.1 "))
    assert "Oberflächen und Straßengrün" in " ".join(long.split()) and "\n" in long  # wrapped, not cut
    assert all(len(line) <= 40 for label in labels for line in label.split("\n"))


def test_chart_axes_use_the_german_decimal_comma(drawn):
    charts.finance_bars([2026, 2027, 2028], [("bund", "Bund", [400_000.0, 1_250_000.0, 900_000.0])])
    ticks = [t.get_text() for t in drawn[0].axes[0].get_yticklabels() if t.get_text()]
    assert any("," in t for t in ticks), ticks
    assert not any(re.search(r"\d\.\d", t) for t in ticks), ticks


def test_map_legend_lies_beside_the_area(new_city, drawn):
    measures = list(new_city.measures.select_related("primary_field"))
    fields = {f.pk: f for f in new_city.fields_of_action.all()}
    charts.concept_map(new_city, measures, fields, ["Test"])
    ax = drawn[0].axes[0]
    legend, area = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert not legend.overlaps(area), (legend, area)
    assert legend.x0 >= area.x1


def test_isek_pdf_cover_title_sources_measures_and_shares_read_cleanly(new_city, tmp_path):
    """A Bayreuth planner's walk: a note that ends in a colon, "ISEK ISEK …" as the title, the
    same source under every field of action, measure headings with nothing under them and "je ein
    Drittel" under a table whose shares differ."""
    from isek.concepts.models import Measure

    new_city.name = "ISEK Altstadt Neu"
    new_city.area_approximated, new_city.area_source = True, ""
    new_city.save()
    sources = {f.source for f in new_city.fields_of_action.all()}
    assert len(sources) == 1 and sources != {""}  # the template's fields share one source
    Measure.objects.filter(concept=new_city).update(description="")
    out = tmp_path / "isek.pdf"
    reports.isek_pdf(new_city, out)
    text = pdf_text(out)
    info = subprocess.run(["pdfinfo", str(out)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Title:\s+ISEK Altstadt Neu$", info, re.M), info
    assert "angenähert:" not in text
    assert "Die Abgrenzung des Fördergebiets (Karte in Abschnitt 1 und Fläche) ist angenähert" in text
    assert text.count("Vorlage nach „Allgemeines ISEK") == 1  # once for all the fields the template gave
    assert "Handlungsfelder 1–8: Vorlage nach „Allgemeines ISEK nach den Zielen der Städtebauförderung“" in text
    section6 = text[text.index("6 Maßnahmen"):text.index("7 Kosten und Finanzierung")]
    for m in Measure.objects.filter(concept=new_city):
        heading = f"{m.number} {m.title}"
        after = section6[section6.rindex(heading) + len(heading):][:200]
        assert after.strip().startswith(f"Handlungsfeld {m.primary_field.number}: {m.primary_field.name}"), after
    assert "je ein Drittel" not in text and "grundsätzlich ein Drittel" not in text
    result = kuf.current(new_city)
    bund = result.total("bund") / result.total("cost") * 100
    assert f"Bund {bund:.1f} %".replace(".", ",") in text


def test_isek_pdf_template_note_only_while_the_structure_is_still_the_proposal(new_city, tmp_path):
    """A Bautzen planner's walk: after renaming a field, deleting one and unticking "illustrativ" on
    every goal, section 5 still called the structure a proposal of isek and cited its source."""
    from isek.concepts import services as concepts
    from isek.demo.loader import DEMO

    before = tmp_path / "before.pdf"
    reports.isek_pdf(new_city, before)
    untouched = pdf_text(before)
    assert "Handlungsfelder 1–8: Vorlage nach „Allgemeines ISEK nach den Zielen der Städtebauförderung“ (Strukturvorlage in isek); Ziele als Vorschlag (illustrativ)" in untouched

    fields = {f.number: f for f in new_city.fields_of_action.all()}
    used = set(new_city.measures.values_list("primary_field__number", flat=True))
    spare = next(n for n in sorted(fields, reverse=True) if n not in used)
    renamed = fields[1]
    renamed.name = "Altstadt und Spreeufer"
    goals = list(new_city.goals.all())
    for g in goals:
        g.illustrative = False
    gone = [g for g in goals if g.field_of_action_id == fields[spare].pk]
    concepts.save_structure(DEMO, new_city, fields=[renamed], goals=[g for g in goals if g not in gone],
                            removed_fields=[fields[spare]], removed_goals=gone)
    renamed.refresh_from_db()
    assert renamed.source == ""  # renamed: no longer the template's field
    after = tmp_path / "after.pdf"
    reports.isek_pdf(new_city, after)
    text = pdf_text(after)
    assert "Altstadt und Spreeufer" in text
    assert "Vorschlag (illustrativ)" not in text and "stadtumbaunetzwerk.nrw" not in text
    cited = re.search(r"Handlungsfelder ([\d–, ]+): Vorlage nach „Allgemeines ISEK", text).group(1)
    numbers = set()
    for part in cited.split(", "):
        low, _dash, high = part.partition("–")
        numbers |= set(range(int(low), int(high or low) + 1))
    assert numbers == set(fields) - {1, spare}  # the template's fields still cited as such, the renamed one not


@pytest.mark.parametrize("numbers", [["1.2"], ["1.1", "1.2", "4.1", "5.1", "7.1"]])
def test_a_very_long_title_in_the_time_plan_does_not_overlap_its_neighbours(new_city, drawn, numbers):
    """A Krautsand planner's walk: a title of 300 characters wrapped to eight lines over the next rows."""
    from isek.concepts.models import Measure

    for long in Measure.objects.filter(concept=new_city, number__in=numbers):
        long.title = " ".join(["Aufwertung des Deichvorlands mit Wegen, Sitzstufen und Rastplätzen"] * 5)[:300]
        long.save()
    measures = list(new_city.measures.select_related("primary_field").prefetch_related("milestones"))
    charts.gantt(measures, new_city.start_year, new_city.end_year)
    fig = drawn[0]
    renderer = fig.canvas.get_renderer()
    boxes = sorted((t.get_window_extent(renderer) for t in fig.axes[0].get_yticklabels()), key=lambda b: b.y0)
    assert all(low.y1 <= high.y0 for low, high in zip(boxes, boxes[1:])), [(b.y0, b.y1) for b in boxes]
    label = next(t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text().startswith("1.2 "))
    assert label.endswith("…") and label.count("\n") <= 2  # shortened at a word, marked
