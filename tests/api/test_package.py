"""The concept as open data: GeoPackage with layers, tables and licence metadata; CSV for German
Excel in a zip with a README; the measure list as XLSX with formula-like text as text; and the
round trip – export the Bochum demo, import it into an installation without it, export again:
every table and every geometry the same."""

from __future__ import annotations

import io
import sqlite3
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from isek import access
from isek.api import package
from isek.concepts.models import City, Concept, Measure

OP = access.Operator("test")


def test_the_geopackage_holds_layers_tables_and_licence(bochum, tmp_path):
    path = tmp_path / "bochum.gpkg"
    call_command("export_concept", "bochum-innenstadt", gpkg=str(path), stdout=io.StringIO())
    data = package.read_gpkg(path)
    assert set(package.SPATIAL) | set(package.TABLES) <= set(data)
    assert len(data["measures"]) == bochum.measures.count() and data["cost_items"] and data["indicators"]
    assert data["concept"][0]["crs"] == "EPSG:25832"
    with sqlite3.connect(path) as db:
        kinds = dict(db.execute("SELECT table_name, data_type FROM gpkg_contents"))
        metadata = " ".join(r[0] for r in db.execute("SELECT metadata FROM gpkg_metadata"))
        srs = {r[0] for r in db.execute("SELECT srs_id FROM gpkg_geometry_columns")}
    assert kinds["measures"] == "features" and kinds["cost_items"] == "attributes"
    assert "dl-de/by-2-0" in metadata and "Bochum" in metadata and srs == {25832}


def test_the_old_command_name_writes_the_same_package_and_says_it_is_deprecated(bochum, tmp_path):
    """export_geodata is an alias of export_concept: one GeoPackage exporter (api.package)."""
    old, new, err = tmp_path / "old.gpkg", tmp_path / "new.gpkg", io.StringIO()
    call_command("export_geodata", "bochum-innenstadt", gpkg=str(old), crs="EPSG:25832", stdout=io.StringIO(), stderr=err)
    assert "export_geodata ist veraltet" in err.getvalue()
    call_command("export_concept", "bochum-innenstadt", gpkg=str(new), stdout=io.StringIO())
    assert package.read_gpkg(old) == package.read_gpkg(new)
    data = package.read_gpkg(old)
    assert {m["number"] for m in data["measures"]} == set(bochum.measures.values_list("number", flat=True))
    assert [q["name"] for q in data["quarters"]] == sorted(bochum.quarters.values_list("name", flat=True))
    assert data["area"][0]["slug"] == "bochum-innenstadt" and data["concept"][0]["crs"] == "EPSG:25832"
    with pytest.raises(CommandError, match="immer im amtlichen KBS des Landes"):
        call_command("export_geodata", "bochum-innenstadt", gpkg=str(tmp_path / "x.gpkg"), crs="EPSG:3857",
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert not (tmp_path / "x.gpkg").exists()


def test_round_trip_gives_the_same_content(bochum, tmp_path):
    first, second = tmp_path / "1.gpkg", tmp_path / "2.gpkg"
    package.export_gpkg(bochum, first)
    before = package.read_gpkg(first)
    Concept.objects.filter(pk=bochum.pk).delete()  # an installation without it
    City.objects.filter(ags="05911000").delete()
    imported = package.import_gpkg(OP, first)
    assert imported.slug == "bochum-innenstadt" and imported.pk != bochum.pk
    package.export_gpkg(imported, second)
    after = package.read_gpkg(second)
    assert set(after) == set(before)
    for name in before:
        for a, b in zip(after[name], before[name]):
            diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
            assert not diff, (name, {k: (str(v[0])[:80], str(v[1])[:80]) for k, v in diff.items()})
        assert len(after[name]) == len(before[name]), name  # every row, every geometry (WKB, to the millimetre)


def test_import_refuses_what_it_cannot_take(bochum, tmp_path):
    path = tmp_path / "b.gpkg"
    package.export_gpkg(bochum, path)
    with pytest.raises(CommandError, match="Das Konzept „bochum-innenstadt“ gibt es hier schon."):
        call_command("import_concept", str(path))
    other = tmp_path / "x.gpkg"
    import geopandas as gpd
    import shapely

    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(7, 51)], crs="EPSG:4326").to_file(other, layer="x", driver="GPKG")
    with pytest.raises(CommandError, match="kein isek-Export"):
        call_command("import_concept", str(other))
    (tmp_path / "kaputt.gpkg").write_bytes(b"not a geopackage")
    with pytest.raises(CommandError, match="kein lesbares GeoPackage"):
        call_command("import_concept", str(tmp_path / "kaputt.gpkg"))
    with pytest.raises(CommandError, match="Datei „.*fehlt.gpkg“ gibt es nicht"):
        call_command("import_concept", str(tmp_path / "fehlt.gpkg"))
    assert Concept.objects.count() == 1


def test_csv_zip_for_german_excel_with_a_readme(bochum, tmp_path):
    m = Measure.objects.filter(concept=bochum).first()
    m.title = '=HYPERLINK("http://x","klick")'
    m.save()
    path = tmp_path / "b.zip"
    package.export_csv_zip(bochum, path)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        assert "bochum-innenstadt/README.txt" in names and "bochum-innenstadt/cost_items.csv" in names
        readme = z.read("bochum-innenstadt/README.txt").decode()
        measures = z.read("bochum-innenstadt/measures.csv")
        costs = z.read("bochum-innenstadt/cost_items.csv").decode("utf-8-sig")
    assert "dl-de/by-2-0" in readme and "EPSG:25832" in readme
    assert measures.startswith(b"\xef\xbb\xbf") and b";" in measures.splitlines()[0]
    assert "'=HYPERLINK" in measures.decode("utf-8-sig")
    amount = costs.splitlines()[1].split(";")[3]
    assert "," in amount and "." not in amount  # decimal comma
    number = costs.splitlines()[1].split(";")[0]
    assert Measure.objects.filter(concept=bochum, number=number).exists() and "." in number  # "2.1" stays text


def test_measure_list_xlsx_writes_text_as_text(bochum, tmp_path):
    m = Measure.objects.filter(concept=bochum).first()
    m.title = "=1+1"
    m.save()
    path = tmp_path / "m.xlsx"
    n = package.export_measures_xlsx(bochum, path)
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert n == bochum.measures.count() and ws.max_row == n + 1
    titles = [c.value for c in ws["B"]]
    cell = next(c for c in ws["B"] if c.value == "=1+1")
    assert cell.data_type == "s" and "=1+1" in titles


def test_anonymous_export_leaves_out_working_material(bochum, tmp_path):
    from django.contrib.auth.models import AnonymousUser

    tables = package.table_rows(bochum, AnonymousUser())
    assert tables["cost_items"] == [] and tables["financing"] == [] and tables["indicators"] == []
    assert tables["fields_of_action"] and tables["milestones"] is not None


def test_downloads_from_the_concept_page(users, bochum):
    from django.test import Client

    page = Client().get("/concepts/bochum-innenstadt/").content.decode()
    assert "/api/v1/concepts/bochum-innenstadt/export.gpkg" in page and "/ogc/" in page
    r = Client().get("/api/v1/concepts/bochum-innenstadt/export.zip")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content))) as z:
        costs = z.read("bochum-innenstadt/cost_items.csv").decode("utf-8-sig")
    assert costs.strip() == ""  # the KuF is working material: not for anonymous visitors
    planner = Client()
    planner.force_login(users["planner"])
    r = planner.get("/api/v1/concepts/bochum-innenstadt/export.zip")
    with zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content))) as z:
        assert len(z.read("bochum-innenstadt/cost_items.csv").decode("utf-8-sig").splitlines()) > 1
    assert Client().get("/api/v1/concepts/bochum-innenstadt/export.exe").status_code == 404
    assert Client().get("/api/v1/concepts/lauf-altstadt/export.gpkg").status_code == 404
    xlsx = Client().get("/api/v1/concepts/bochum-innenstadt/export.xlsx")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_a_concept_without_measures_goes_and_comes_back(db, tmp_path):
    from tests.factories import ConceptFactory

    concept = ConceptFactory(slug="leer")
    path = tmp_path / "leer.gpkg"
    counts = package.export_gpkg(concept, path)
    assert "measures" not in counts and counts["fields_of_action"] == 0
    Concept.objects.filter(pk=concept.pk).delete()
    again = package.import_gpkg(OP, path)
    assert again.slug == "leer" and again.measures.count() == 0 and again.area is not None


def test_a_bavarian_package_with_nrw_group_numbers_comes_back_in_the_general_catalogue(db, tmp_path):
    from decimal import Decimal

    from isek.core.problems import InputError
    from isek.finance.models import CostGroup, CostItem
    from tests.factories import ConceptFactory, MeasureFactory

    concept = ConceptFactory(slug="bayreuth", city__ags="09462000")
    m = MeasureFactory(concept=concept, number="1.1")
    CostItem.objects.create(measure=m, year=2026, cost_group=CostGroup.of(concept).get(number="3"),
                            amount=Decimal("1000"), eligible=Decimal("800"))
    path = tmp_path / "b.gpkg"
    package.export_gpkg(concept, path)
    Concept.objects.filter(pk=concept.pk).delete()
    with sqlite3.connect(path) as db:  # as exported before the catalogues
        db.execute("UPDATE cost_items SET cost_group = '9.1'")
    # the factory's area lies in Bochum, not in Bavaria: confirmed, as the command's --confirm-area does
    again = package.import_gpkg(OP, path, confirmed=True)
    assert list(CostItem.objects.filter(measure__concept=again).values_list("cost_group__catalogue", "cost_group__number")) \
        == [("general", "3")]
    Concept.objects.filter(pk=again.pk).delete()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE cost_items SET cost_group = '99'")
    with pytest.raises(InputError) as err:
        package.import_gpkg(OP, path, confirmed=True)
    assert "99" in str(err.value.problems) and not Concept.objects.filter(slug="bayreuth").exists()


@pytest.mark.parametrize(("language", "headers", "status"), [
    ("de", ["Nr.", "Titel", "Beschreibung", "Handlungsfeld"], "geplant"),
    ("en", ["No.", "Title", "Description", "Field of action"], "planned")])
def test_measure_list_xlsx_reads_in_the_users_language(new_city, language, headers, status):
    from decimal import Decimal

    from django.test import Client

    m = new_city.measures.get(number="4.1")
    m.estimated_cost = Decimal("400000.00")
    m.save()
    planner = Client(HTTP_ACCEPT_LANGUAGE=language)
    planner.force_login(new_city.roles.get().user)
    r = planner.get(f"/api/v1/concepts/{new_city.slug}/export.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).worksheets[0]
    head = [c.value for c in ws[1]]
    assert head[:4] == headers
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "4.1")
    cells = dict(zip(head, row, strict=True))
    assert cells[head[7]].value == status  # the status column, by its label
    cost = next(c for h, c in cells.items() if "€" in h)
    assert cost.value == 400000 and cost.data_type == "n" and "€" in cost.number_format
    assert cells[head[10]].is_date


def test_csv_download_is_labelled_as_a_zip(users, bochum):
    from django.test import Client

    page = Client(HTTP_ACCEPT_LANGUAGE="de").get("/concepts/bochum-innenstadt/").content.decode()
    assert "CSV-Dateien (ZIP)" in page and "CSV (Excel)" not in page
