"""Importing a measure list with costs per year from a spreadsheet (finance.importing): both
shapes planners keep, the dry run's plan, an all-or-nothing commit, a re-import that changes
nothing, the remembered mapping, and bad input – each refused with a message at its cell and
nothing stored."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from django.core.management import CommandError, call_command

from isek import access
from isek.concepts.models import Measure
from isek.core.models import ChangeRecord
from isek.core.problems import InputError
from isek.finance import importing, services
from isek.finance.models import CostItem
from tests.factories import ConceptFactory, FieldFactory, MeasureFactory

OP = access.Operator("test")


@pytest.fixture
def concept(db):
    c = ConceptFactory(start_year=2025, end_year=2028)
    FieldFactory(concept=c, number=1, name="Öffentlicher Raum")
    FieldFactory(concept=c, number=2, name="Wohnen")
    return c


def xlsx(tmp_path, rows, name="liste.xlsx", merge=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    path = tmp_path / name
    wb.save(path)
    return path


def state():
    """What an import could change: every measure, cost item and change record."""
    return (sorted(Measure.objects.values_list("number", "title", "status")),
            sorted(CostItem.objects.values_list("measure__number", "year", "cost_group__number", "amount", "eligible")),
            ChangeRecord.objects.count())


WIDE = [["Nr.", "Maßnahme", "Handlungsfeld", "Kostengruppe", "2025", "2026", "2027"],
        ["1.1", "Umgestaltung Marktplatz", "1", "9.1", 120000, 380000.5, None],
        ["2.1", "Hof- und Fassadenprogramm", "Wohnen", "10.1", None, "25.000,00", "25.000,00"]]


def test_wide_list_dry_run_then_commit_then_again_changes_nothing(concept, tmp_path):
    path = xlsx(tmp_path, WIDE)
    before = state()
    plan = services.plan_measure_import(OP, concept, path)
    assert plan.mapping.shape == "wide" and plan.mapping.years == {"2025": 2025, "2026": 2026, "2027": 2027}
    assert not plan.problems and plan.counts == {"create": 2, "change": 0, "unchanged": 0, "left_alone": 0, "costs": 4}
    assert state() == before  # a plan writes nothing
    services.commit_measure_import(OP, concept, plan)
    m = Measure.objects.get(concept=concept, number="1.1")
    assert m.title == "Umgestaltung Marktplatz" and m.primary_field.number == 1
    assert sorted(CostItem.objects.filter(measure=m).values_list("year", "amount")) == [
        (2025, Decimal("120000.00")), (2026, Decimal("380000.50"))]
    assert CostItem.objects.get(measure__number="2.1", year=2027).cost_group.number == "10.1"
    # The KuF is filled: the engine's plan sees the costs.
    kuf = services.current(concept)
    ref = next(r for r in kuf.measures if r.number == "1.1")
    assert kuf.total() == Decimal("550000.50") and kuf.measure_total(ref.key) == Decimal("500000.50")
    after = state()
    again = services.plan_measure_import(OP, concept, path)
    assert again.counts == {"create": 0, "change": 0, "unchanged": 2, "left_alone": 0, "costs": 0}
    services.commit_measure_import(OP, concept, again)
    assert state() == after  # the same file again: nothing written, nothing recorded


def test_long_csv_from_german_excel_changes_and_leaves_alone(concept, tmp_path):
    MeasureFactory(concept=concept, number="3.1", title="Bleibt", primary_field=concept.fields_of_action.first())
    m = MeasureFactory(concept=concept, number="1.1", title="Marktplatz", primary_field=concept.fields_of_action.first())
    services.commit_measure_import(OP, concept, services.plan_measure_import(OP, concept, xlsx(tmp_path, WIDE)))
    text = ("Nr.;Titel;Jahr;Kosten;Kostengruppe\r\n"
            "1.1;Umgestaltung des Marktplatzes;2025;120.000,00;9.1\r\n"
            "1.1;Umgestaltung des Marktplatzes;2026;400.000,00;9.1\r\n")
    path = tmp_path / "liste.csv"
    path.write_bytes(text.encode("cp1252"))
    plan = services.plan_measure_import(OP, concept, path)
    assert plan.mapping.shape == "long" and not plan.problems
    [p] = [p for p in plan.measures if p.number == "1.1"]
    assert p.action == "change" and p.changes == ["title"]
    assert [(c.year, c.old, c.new) for c in p.costs] == [(2026, Decimal("380000.50"), Decimal("400000.00"))]
    assert sorted(plan.left_alone) == ["2.1", "3.1"]
    services.commit_measure_import(OP, concept, plan)
    m.refresh_from_db()
    assert m.title == "Umgestaltung des Marktplatzes"
    assert CostItem.objects.get(measure=m, year=2026).amount == Decimal("400000.00")
    assert Measure.objects.get(concept=concept, number="3.1").title == "Bleibt"


def test_the_mapping_is_remembered_for_the_next_file(concept, tmp_path):
    rows = [["Maßnahmen-Nr.", "Bezeichnung", "HF", "Notiz", "Kosten 2026"], ["4", "Neue Bänke", "HF 1", "egal", 5000]]
    path = xlsx(tmp_path, rows)
    plan = services.plan_measure_import(OP, concept, path)
    assert [p.render() for p in plan.problems] == [
        "Die Spalte „Notiz“ ist keiner Angabe zugeordnet (zuordnen oder als „nicht importieren“ markieren)."]
    mapping = importing.Mapping.from_json({**plan.mapping.as_json(), "ignore": ["Notiz"], "cost_group": "9.2"})
    plan = services.plan_measure_import(OP, concept, path, mapping=mapping)
    assert not plan.problems
    services.commit_measure_import(OP, concept, plan)
    assert CostItem.objects.get(measure__number="4").cost_group.number == "9.2"
    again = services.plan_measure_import(OP, concept, path)  # no mapping given: the remembered one
    assert again.mapping.ignore == ["Notiz"] and again.counts["unchanged"] == 1 and not again.problems


def test_a_formula_is_read_as_its_stored_value_and_one_without_is_refused(concept, tmp_path):
    path = tmp_path / "formeln.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for col, v in enumerate(["Nr.", "Titel", "Handlungsfeld", "Kostengruppe", "2026"]):
        ws.write(0, col, v)
    ws.write_row(1, 0, ["1", "=HYPERLINK(\"http://x\")", "1", "9.1"])
    ws.write_string(1, 1, "=HYPERLINK(\"http://x\")")  # text that looks like a formula stays text
    ws.write_formula(1, 4, "=1000*2", None, 2000)  # stored value 2000
    wb.close()
    plan = services.plan_measure_import(OP, concept, path)
    assert not plan.problems
    services.commit_measure_import(OP, concept, plan)
    assert Measure.objects.get(number="1").title == "=HYPERLINK(\"http://x\")"
    assert CostItem.objects.get().amount == Decimal("2000.00")
    # openpyxl writes formulas without a stored value: refused, never evaluated.
    before = state()
    with pytest.raises(InputError) as exc:
        services.plan_measure_import(OP, concept, xlsx(tmp_path, [WIDE[0], ["1", "x", "1", "9.1", "=SUM(1,2)"]]))
    assert "E2: eine Formel ohne gespeicherten Wert (=SUM(1,2))" in exc.value.errors[0]
    assert state() == before


def _problems(concept, path):
    before = state()
    try:
        plan = services.plan_measure_import(OP, concept, path)
    except InputError as exc:
        problems = exc.errors
    else:
        problems = [p.render() for p in plan.problems]
        with pytest.raises(InputError):
            services.commit_measure_import(OP, concept, plan)
    assert state() == before
    return problems


def test_bad_spreadsheets_are_refused_at_their_cells_and_change_nothing(concept, tmp_path):
    h = WIDE[0]
    cases = {
        "merged": (xlsx(tmp_path, WIDE, "m.xlsx", merge="B2:B3"), "B2:B3: verbundene Zellen"),
        "date as text": (xlsx(tmp_path, [h, ["1.1", "x", "1", "9.1", "12.05.2026"]], "d.xlsx"),
                         "E2: „12.05.2026“ ist ein Datum; erwartet: Kosten in €."),
        "unknown column": (xlsx(tmp_path, [h + ["Bemerkung"], ["1.1", "x", "1", "9.1", 1]], "u.xlsx"),
                           "Die Spalte „Bemerkung“ ist keiner Angabe zugeordnet"),
        "duplicate number": (xlsx(tmp_path, [h, ["1.1", "x", "1", "9.1", 1], ["1.1", "y", "1", "9.1", 2]], "n.xlsx"),
                             "A3: die Nummer 1.1 steht schon in Zeile 2."),
        "year outside": (xlsx(tmp_path, [["Nr.", "Titel", "Handlungsfeld", "Kostengruppe", "2031"], ["1.1", "x", "1", "9.1", 1]],
                              "y.xlsx"), "E2: das Jahr 2031 liegt außerhalb des Zeitraums 2025–2028."),
        "not a number": (xlsx(tmp_path, [h, ["1.1", "x", "1", "9.1", "viel"]], "v.xlsx"), "E2: „viel“ ist kein Betrag"),
        "unknown field": (xlsx(tmp_path, [h, ["1.1", "x", "7", "9.1", 1]], "f.xlsx"),
                          "C2: das Handlungsfeld „7“ gibt es in diesem Konzept nicht"),
        "no cost group": (xlsx(tmp_path, [["Nr.", "Titel", "Handlungsfeld", "2026"], ["1.1", "x", "1", 1]], "g.xlsx"),
                          "Zeile 2: keine Kostengruppe angegeben; bitte eine Spalte zuordnen"),
        "new without title": (xlsx(tmp_path, [["Nr.", "Handlungsfeld", "Kostengruppe", "2026"], ["1.1", "1", "9.1", 1]],
                                   "t.xlsx"), "Zeile 2: die neue Maßnahme 1.1 braucht „Titel“."),
    }
    for what, (path, expected) in cases.items():
        problems = _problems(concept, path)
        assert any(expected in p for p in problems), (what, problems)


def test_hostile_files_are_refused_before_they_are_unpacked_or_parsed(concept, tmp_path, settings):
    big = tmp_path / "gross.xlsx"
    with open(big, "wb") as fh:
        fh.truncate(50_000_000)
    assert "50,0 MB groß; erlaubt sind höchstens 10,0 MB" in _problems(concept, big)[0]
    bomb = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 30_000_000 + b"</a>")
    assert "auf ein Vielfaches ihrer Größe entpacken" in _problems(concept, bomb)[0]
    # An entity bomb inside an otherwise valid workbook.
    good = xlsx(tmp_path, WIDE, "gut.xlsx")
    evil = tmp_path / "entities.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(evil, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                decl = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
                        b'"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
                data = decl + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
            dst.writestr(item, data)
    assert "XML-Entitäten" in _problems(concept, evil)[0]
    notzip = tmp_path / "kaputt.xlsx"
    notzip.write_bytes(b"PK\x03\x04 this is not a zip")
    assert "keine gültige XLSX-Datei" in _problems(concept, notzip)[0]
    assert "Format wird nicht gelesen" in _problems(concept, _write(tmp_path / "liste.pdf", b"%PDF-1.4"))[0]


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_the_command_shows_the_plan_and_commits_only_without_dry_run(concept, tmp_path):
    path = xlsx(tmp_path, WIDE)
    out = io.StringIO()
    call_command("import_measures", concept.slug, str(path), "--dry-run", stdout=out)
    assert "Probelauf: 2 neu, 0 geändert" in out.getvalue() and not Measure.objects.exists()
    mapping = tmp_path / "zuordnung.json"
    mapping.write_text(json.dumps({"columns": {"number": "Nr.", "title": "Maßnahme", "field": "Handlungsfeld",
                                               "cost_group": "Kostengruppe"}, "years": {"2025": 2025, "2026": 2026,
                                                                                        "2027": 2027}}))
    call_command("import_measures", concept.slug, str(path), "--mapping", str(mapping), stdout=out)
    assert "Importiert: 2 neu" in out.getvalue() and Measure.objects.count() == 2
    with pytest.raises(CommandError, match="A3: die Nummer 1.1 steht schon in Zeile 2"):
        call_command("import_measures", concept.slug, str(xlsx(tmp_path, [WIDE[0], WIDE[1], WIDE[1]], "x.xlsx")),
                     stdout=io.StringIO())
    with pytest.raises(CommandError, match="Konzept „nein“ gibt es nicht"):
        call_command("import_measures", "nein", str(path))
    mapping.write_text("{nicht json")
    with pytest.raises(CommandError, match="Die Zuordnung „.*zuordnung.json“ ist nicht lesbar"):
        call_command("import_measures", concept.slug, str(path), "--mapping", str(mapping))
    mapping.write_text(json.dumps({"values": {"field": "kein Objekt"}}))  # JSON, but no mapping
    with pytest.raises(CommandError) as refused:
        call_command("import_measures", concept.slug, str(path), "--mapping", str(mapping))
    assert "Traceback" not in str(refused.value) and str(refused.value).strip()
    with pytest.raises(CommandError, match="Datei „.*fehlt.xlsx“ gibt es nicht"):
        call_command("import_measures", concept.slug, str(tmp_path / "fehlt.xlsx"))
    assert Measure.objects.count() == 2  # nothing of the refused ones


def _upload(client, concept, path):
    with open(path, "rb") as fh:
        return client.post(f"/concepts/{concept.slug}/kuf/import/", {"step": "upload", "file": fh})


def test_the_page_previews_lets_the_mapping_be_changed_and_commits(concept, tmp_path):
    from django.test import Client

    from tests.factories import member

    url = f"/concepts/{concept.slug}/kuf/import/"
    reviewer, planner = Client(), Client()
    reviewer.force_login(member(concept, "reviewer"))
    planner.force_login(member(concept, "planner"))
    assert Client().get(url).status_code == 302  # sign in first
    assert reviewer.get(url).status_code == 403
    assert "Maßnahmenliste übernehmen" in planner.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    rows = [WIDE[0] + ["Bemerkung"], WIDE[1] + ["bitte prüfen"], WIDE[2] + [""]]
    r = _upload(planner, concept, xlsx(tmp_path, rows))
    page = r.content.decode()
    assert r.status_code == 200 and "Die Spalte „Bemerkung“ ist keiner Angabe zugeordnet" not in page  # guessed: ignored
    assert "2 neu, 0 geändert" in page and not Measure.objects.exists()
    form = {"step": "preview", "col0": "number", "col1": "title", "col2": "field", "col3": "cost_group",
            "col4": "year:2025", "col5": "year:2026", "col6": "-", "col7": "-", "cost_group": ""}
    r = planner.post(url, form)  # 2027 not imported: one cost item fewer
    assert "2 neu" in r.content.decode() and "3 Kostenpositionen neu oder geändert" in r.content.decode()
    r = planner.post(url, {**form, "col1": "number"})  # two columns for one thing
    assert r.status_code == 400 and "ist schon der Spalte „Nr.“ zugeordnet" in r.content.decode()
    assert not Measure.objects.exists()
    r = planner.post(url, {**form, "step": "commit"})
    assert r.status_code == 302 and r["Location"] == f"/concepts/{concept.slug}/kuf/"
    assert Measure.objects.filter(concept=concept).count() == 2 and CostItem.objects.count() == 3
    assert planner.post(url, {**form, "step": "commit"}).status_code == 400  # the file is gone after the commit


def test_the_page_refuses_bad_files_and_commits_nothing_with_problems(concept, tmp_path):
    from django.test import Client

    from tests.factories import member

    url = f"/concepts/{concept.slug}/kuf/import/"
    planner = Client()
    planner.force_login(member(concept, "planner"))
    before = state()
    r = _upload(planner, concept, xlsx(tmp_path, WIDE, "m.xlsx", merge="B2:B3"))
    assert r.status_code == 400 and "B2:B3: verbundene Zellen" in r.content.decode()
    r = _upload(planner, concept, xlsx(tmp_path, [WIDE[0], ["1.1", "x", "1", "9.1", "viel"]], "v.xlsx"))
    assert r.status_code == 200 and "„viel“ ist kein Betrag" in r.content.decode()
    r = planner.post(url, {"step": "commit", "col0": "number", "col1": "title", "col2": "field", "col3": "cost_group",
                           "col4": "year:2025", "col5": "year:2026", "col6": "year:2027", "cost_group": ""})
    assert r.status_code == 400 and "Nicht übernommen" in r.content.decode()
    assert planner.post(url, {"step": "upload"}).status_code == 400  # no file
    assert state() == before


# --- values that match nothing (issue 20, point 3): mapped in the preview, remembered --------------

UNKNOWN = [["Nr.", "Maßnahme", "Handlungsfeld", "Kostengruppe", "Status", "2026"],
           ["5.1", "Platz am Rathaus", "Freiraum", "Straßenbau", "in Umsetzung", 1000],
           ["5.2", "Spielplatz", "freiraum", "9.1", "geplant", 2000]]


def test_values_that_match_nothing_are_mapped_and_remembered(concept, tmp_path):
    path = xlsx(tmp_path, UNKNOWN)
    plan = services.plan_measure_import(OP, concept, path)
    assert {p.render() for p in plan.problems} >= {
        "C2: das Handlungsfeld „Freiraum“ gibt es in diesem Konzept nicht (bekannt: 1 Öffentlicher Raum, 2 Wohnen).",
        "E2: unbekannter Status „in Umsetzung“."}
    assert any("„Straßenbau“ gibt es nicht" in p.render() for p in plan.problems)
    # each value once (compared without case), as the file first writes it; and what it can mean
    assert plan.values == {"field": ["Freiraum"], "cost_group": ["Straßenbau"], "status": ["in Umsetzung"]}
    assert ("1", "1 Öffentlicher Raum") in plan.options["field"] and ("construction", "im Bau / in Umsetzung") in plan.options["status"]
    before = state()
    with pytest.raises(InputError):
        services.commit_measure_import(OP, concept, plan)
    assert state() == before

    values = {"field": {"Freiraum": "1"}, "cost_group": {"Straßenbau": "9.1"}, "status": {"in Umsetzung": "construction"}}
    mapping = importing.Mapping.from_json({**plan.mapping.as_json(), "values": values})
    plan = services.plan_measure_import(OP, concept, path, mapping=mapping)
    assert plan.problems == [] and plan.counts["create"] == 2
    services.commit_measure_import(OP, concept, plan)
    m = Measure.objects.get(concept=concept, number="5.1")
    assert m.primary_field.number == 1 and m.status == "construction"
    assert CostItem.objects.get(measure=m).cost_group.number == "9.1"
    assert Measure.objects.get(concept=concept, number="5.2").primary_field.number == 1

    # The next file – other headers, so the column mapping is guessed again – knows the values.
    later = [["Maßnahmen-Nr.", "Titel", "HF", "KG", "Stand", "Kosten 2027"],
             ["5.3", "Bänke", "FREIRAUM", "Straßenbau", "in Umsetzung", 500]]
    again = services.plan_measure_import(OP, concept, xlsx(tmp_path, later, "neu.xlsx"))
    assert again.problems == [] and again.mapping.columns["field"] == "HF"
    services.commit_measure_import(OP, concept, again)
    assert Measure.objects.get(concept=concept, number="5.3").primary_field.number == 1


@pytest.mark.parametrize("values", [
    {"colour": {"x": "1"}}, {"field": ["1"]}, {"field": {"x": 1}}, "Freiraum",
])
def test_a_malformed_value_mapping_is_refused(values):
    with pytest.raises(InputError) as exc:
        importing.Mapping.from_json({"columns": {}, "values": values})
    assert "„values“ ordnet" in exc.value.errors[0]


def test_a_value_mapped_to_something_that_does_not_exist_stays_a_problem(concept, tmp_path):
    path = xlsx(tmp_path, UNKNOWN)
    plan = services.plan_measure_import(OP, concept, path)
    mapping = importing.Mapping.from_json({**plan.mapping.as_json(), "values": {
        "field": {"freiraum": "99"}, "cost_group": {"straßenbau": "77.7"}, "status": {"in umsetzung": "bald"}}})
    plan = services.plan_measure_import(OP, concept, path, mapping=mapping)
    rendered = " ".join(p.render() for p in plan.problems)
    assert "„Freiraum“ gibt es in diesem Konzept nicht" in rendered and "„in Umsetzung“" in rendered
    assert "„Straßenbau“ gibt es nicht" in rendered


def test_the_page_offers_to_map_unknown_values_and_remembers_them(concept, tmp_path):
    from django.test import Client

    from tests.factories import member

    url = f"/concepts/{concept.slug}/kuf/import/"
    planner = Client()
    planner.force_login(member(concept, "planner"))
    r = _upload(planner, concept, xlsx(tmp_path, UNKNOWN))
    page = r.content.decode()
    assert r.status_code == 200 and "Werte der Datei, die isek nicht kennt" in page
    form = r.context["form"]
    names = {target: dict((v, n) for n, v in pairs) for target, pairs in form.value_names.items()}
    assert set(names) == {"field", "cost_group", "status"}
    assert "„Freiraum“" in page and '<option value="1">1 Öffentlicher Raum</option>' in page
    columns = {f"col{i}": form[f"col{i}"].initial for i in range(6)}
    data = {**columns, "cost_group": "", names["field"]["Freiraum"]: "1",
            names["cost_group"]["Straßenbau"]: "9.1", names["status"]["in Umsetzung"]: "construction"}
    r = planner.post(url, {**data, "step": "preview"})
    assert r.status_code == 200 and "2 neu" in r.content.decode()
    assert 'id="import-errors"' not in r.content.decode()
    r = planner.post(url, {**data, "step": "commit"})
    assert r.status_code == 302
    assert Measure.objects.get(concept=concept, number="5.1").status == "construction"
    # The next upload: the values are mapped as before, shown so they can be changed.
    r = _upload(planner, concept, xlsx(tmp_path, UNKNOWN, "wieder.xlsx"))
    assert r.status_code == 200 and 'id="import-errors"' not in r.content.decode()
    assert r.context["form"][names["field"]["Freiraum"]].value() == "1"


# --- a field of action for rows without one (usability walk, Bautzen) ------------------------------

NO_FIELD = [["Nr.", "Maßnahme", "Handlungsfeld", "Kostengruppe", "2026"],
            ["3.1", "Kornmarkt beleben", "", "9.1", 1000],
            ["3.2", "Reichenturm sanieren", "1", "9.1", 2000],
            ["3.3", "Spreeufer zugänglich machen", None, "9.1", 3000]]


def test_the_preview_offers_a_field_of_action_for_rows_without_one(concept, tmp_path):
    """Every row without a field of action had to be fixed in the file; the preview now offers one
    for them (none by default: such a row is refused with its message, as before)."""
    from django.test import Client

    from tests.factories import member

    url = f"/concepts/{concept.slug}/kuf/import/"
    planner = Client()
    planner.force_login(member(concept, "planner"))
    r = _upload(planner, concept, xlsx(tmp_path, NO_FIELD))
    page = r.content.decode()
    assert "Handlungsfeld für Zeilen ohne eigenes" in page
    assert '<option value="" selected>– keins: solche Zeilen werden abgelehnt –</option>' in page
    assert "Zeile 2: die neue Maßnahme 3.1 braucht „Handlungsfeld“." in page
    assert "Zeile 4: die neue Maßnahme 3.3 braucht „Handlungsfeld“." in page
    form = {"col0": "number", "col1": "title", "col2": "field", "col3": "cost_group", "col4": "year:2026",
            "cost_group": ""}
    before = state()
    r = planner.post(url, {**form, "step": "commit", "default_field": "99"})  # no such field: refused
    assert r.status_code == 400 and "99 ist keine gültige Auswahl" in r.content.decode() and state() == before
    r = planner.post(url, {**form, "step": "preview", "default_field": "2"})
    page = r.content.decode()
    assert r.status_code == 200 and "braucht „Handlungsfeld“" not in page and "3 neu" in page
    r = planner.post(url, {**form, "step": "commit", "default_field": "2"})
    assert r.status_code == 302
    fields = dict(Measure.objects.filter(concept=concept).values_list("number", "primary_field__number"))
    assert fields == {"3.1": 2, "3.2": 1, "3.3": 2}  # a row's own field stays its own


def test_the_field_for_rows_without_one_is_remembered_and_checked(concept, tmp_path):
    path = xlsx(tmp_path, NO_FIELD)
    plan = services.plan_measure_import(OP, concept, path)
    mapping = importing.Mapping.from_json({**plan.mapping.as_json(), "default_field": "2"})
    plan = services.plan_measure_import(OP, concept, path, mapping=mapping)
    assert not plan.problems
    services.commit_measure_import(OP, concept, plan)
    assert importing.remembered_mapping(concept).default_field == "2"
    wrong = importing.Mapping.from_json({**plan.mapping.as_json(), "default_field": "7"})
    plan = services.plan_measure_import(OP, concept, xlsx(tmp_path, [*NO_FIELD, ["3.4", "Neu", "", "9.1", 1]], "b.xlsx"),
                                        mapping=wrong)
    assert [p.render(lambda s: s) for p in plan.problems] == [
        "Das Handlungsfeld „7“ gibt es in diesem Konzept nicht (bekannt: 1 Öffentlicher Raum, 2 Wohnen).",
        "Zeile 5: die neue Maßnahme 3.4 braucht „Handlungsfeld“."]


# --- walk 4 (Berlin): German headers without a cost group, Beginn/Ende, the mapping's markup ---------

BERLIN = [["Nr.", "Maßnahme", "Handlungsfeld", "Jahr", "Beginn", "Ende", "Kosten (€)"]] + [
    [f"1.{i}", f"Maßnahme {i}", "1", 2026, 2026, 2027, "1.250.000,50 €"] for i in range(1, 17)]


def test_rows_without_a_cost_group_are_one_problem_with_their_rows_and_a_default_resolves_them(concept, tmp_path):
    path = xlsx(tmp_path, BERLIN)
    plan = services.plan_measure_import(OP, concept, path)
    texts = [p.render() for p in plan.problems]
    assert texts == ["Zeilen 2–17: keine Kostengruppe angegeben; bitte eine Spalte zuordnen oder eine "
                     "Kostengruppe für alle Zeilen wählen."]
    assert not any("G2" in t for t in texts)  # G2 holds an amount, not a cost group
    mapping = plan.mapping
    mapping.cost_group = "9.1"
    plan = services.plan_measure_import(OP, concept, path, mapping=mapping)
    assert not plan.problems and plan.counts["create"] == 16 and plan.counts["costs"] == 16
    services.commit_measure_import(OP, concept, plan)
    m = Measure.objects.get(concept=concept, number="1.2")
    assert (m.start.year, m.end.year) == (2026, 2027)  # the time plan is kept
    assert CostItem.objects.get(measure=m).amount == Decimal("1250000.50")


def test_an_unknown_cost_group_is_named_once_at_its_column_with_its_rows(concept, tmp_path):
    rows = [["Nr.", "Maßnahme", "Handlungsfeld", "Kostengruppe", "2026"],
            ["1.1", "A", "1", "77", 1000], ["1.2", "B", "1", "9.1", 1000], ["1.3", "C", "1", "77", 1000]]
    texts = [p.render() for p in services.plan_measure_import(OP, concept, xlsx(tmp_path, rows)).problems]
    assert len(texts) == 1 and texts[0].startswith("D2, D4: die Kostengruppe „77“ gibt es nicht")


def test_beginn_and_ende_are_offered_in_the_mapping_and_bad_ones_refused(concept, tmp_path):
    from django.test import Client

    from tests.factories import member

    planner = Client()
    planner.force_login(member(concept, "planner"))
    page = _upload(planner, concept, xlsx(tmp_path, BERLIN)).content.decode()
    assert '<option value="start" selected>Beginn (Jahr)</option>' in page
    assert '<option value="end" selected>Ende (Jahr)</option>' in page
    assert page.count("Zeilen 2–17: keine Kostengruppe angegeben") == 1
    assert '<legend class="kern-label">Was steht in welcher Spalte?</legend><div class="kern-fieldset__body">' in page
    assert page.count('class="kern-form-input__select"') >= len(BERLIN[0]) + 1  # every select styled as KERN's
    rows = [BERLIN[0], ["1.1", "A", "1", 2026, 2027, 2026, 1000], ["1.2", "B", "1", 2026, "bald", 2026, 1000]]
    plan = services.plan_measure_import(OP, concept, xlsx(tmp_path, rows, "b.xlsx"))
    texts = [p.render() for p in plan.problems if "Kostengruppe" not in p.render()]
    assert texts == ["F2: das Ende (2026) liegt vor dem Beginn (2027).", "E3: „bald“ ist keine Jahreszahl."]


def test_costs_without_a_year_are_refused_with_the_reason(concept, tmp_path):
    """A Krautsand planner's walk: a "Kosten" column without years previewed as "0 Kostenpositionen"
    with no reason."""
    rows = [["Nr.", "Maßnahme", "Handlungsfeld", "Kostengruppe", "Beginn", "Ende", "Kosten"],
            ["1.1", "Umgestaltung Marktplatz", "1", "9.1", 2025, 2027, 300000]]
    problems = _problems(concept, xlsx(tmp_path, rows))
    assert any(p.startswith("Kosten ohne Jahr: bitte eine Spalte „Jahr“ zuordnen oder die Kosten in Jahresspalten")
               for p in problems), problems


def test_the_preview_shows_old_and_new_values_and_warns_when_most_titles_change(concept, tmp_path):
    """A Krautsand planner's walk: "geändert: Titel, Handlungsfeld" without values; a sheet that
    numbers the measures differently would have renamed every measure unnoticed."""
    from django.test import Client

    from tests.factories import member

    planner = Client()
    planner.force_login(member(concept, "planner"))
    services.commit_measure_import(OP, concept, services.plan_measure_import(OP, concept, xlsx(tmp_path, WIDE)))
    swapped = [WIDE[0], ["1.1", "Hof- und Fassadenprogramm", "Wohnen", "10.1", None, "25.000,00", "25.000,00"],
               ["2.1", "Umgestaltung Marktplatz", "1", "9.1", 120000, 380000.5, None]]
    page = _upload(planner, concept, xlsx(tmp_path, swapped, "b.xlsx")).content.decode()
    assert "Titel: „Umgestaltung Marktplatz“ → „Hof- und Fassadenprogramm“" in page
    assert "Handlungsfeld: „1 Öffentlicher Raum“ → „2 Wohnen“" in page
    assert "Die Nummern der Tabelle passen vielleicht nicht zu den Maßnahmen in isek" in page
    same = _upload(planner, concept, xlsx(tmp_path, WIDE, "c.xlsx")).content.decode()
    assert "Die Nummern der Tabelle passen vielleicht nicht" not in same
