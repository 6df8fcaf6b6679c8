"""The funding area as XPlanung (issue #23, point 6): XPlanGML 6.0 with one SO_Gebiet in an
XPlanAuszug, valid against the official schema (kept offline in concepts/schemas/xplan60), with
the gebietsArt of the concept's legal basis, its legal status and the council's decision, in the
official CRS of the Land; a concept without a funding area gets a clear answer and no file."""

from __future__ import annotations

import datetime

import pytest
import shapely
from django.test import Client
from lxml import etree

from isek.concepts import services, xplan
from isek.concepts.models import Concept
from isek.core import geo
from isek.demo.loader import DEMO

NS = {"xplan": xplan.XPLAN, "gml": xplan.GML, "xlink": xplan.XLINK}


def _get(client, slug):
    return client.get(f"/api/v1/concepts/{slug}/export.gml")


def _area_of(doc) -> shapely.MultiPolygon:
    polys = []
    for p in doc.iterfind(".//xplan:SO_Gebiet/xplan:position//gml:Polygon", NS):
        rings = [[tuple(map(float, pair)) for pair in zip(*[iter(r.text.split())] * 2)]
                 for r in p.iterfind(".//gml:posList", NS)]
        polys.append(shapely.Polygon(rings[0], rings[1:]))
    return shapely.MultiPolygon(polys)


def _schema_codes(simple_type: str) -> set[str]:
    xsd = etree.parse(str(xplan.SCHEMAS / "XPlanGML_6_0" / "XPlanGML_SonstigePlanwerke.xsd"))
    return set(xsd.xpath(f"//xs:simpleType[@name='{simple_type}']//xs:enumeration/@value",
                         namespaces={"xs": "http://www.w3.org/2001/XMLSchema"}))


def test_the_bochum_funding_area_validates_against_the_official_schema(bochum):
    r = _get(Client(), bochum.slug)  # a public concept: what anyone may export
    assert r.status_code == 200 and r["Content-Type"].startswith("application/gml+xml")
    assert r["Content-Disposition"] == 'attachment; filename="bochum-innenstadt-xplan.gml"'
    assert xplan.validate(r.content) == []
    doc = etree.fromstring(r.content)
    assert doc.tag == f"{{{xplan.XPLAN}}}XPlanAuszug"
    gebiet = doc.find(".//xplan:SO_Gebiet", NS)
    # Bochum: an area fixed by council decision in Lebendige Zentren, in progress
    assert gebiet.findtext("xplan:gebietsArt", namespaces=NS) == "2300"
    assert gebiet.findtext("xplan:rechtsstandGebiet", namespaces=NS) == "3000"
    assert gebiet.findtext("xplan:gemeinde/xplan:XP_Gemeinde/xplan:ags", namespaces=NS) == "05911000"
    assert gebiet.findtext("xplan:durchfuehrungStartDatum", namespaces=NS) == f"{bochum.start_year}-01-01"
    assert gebiet.findtext("xplan:durchfuehrungEndDatum", namespaces=NS) == f"{bochum.end_year}-12-31"
    assert gebiet.findtext("xplan:flaechenschluss", namespaces=NS) == "false"
    # the plan holds the area, the area holds the Gebiet, each refers to the other
    bereich = doc.find(".//xplan:SO_Bereich", NS)
    plan = doc.find(".//xplan:SO_Plan", NS)
    ref = "{%s}href" % xplan.XLINK
    assert plan.find("xplan:bereich", NS).get(ref) == "#" + bereich.get(f"{{{xplan.GML}}}id")
    assert bereich.find("xplan:planinhalt", NS).get(ref) == "#" + gebiet.get(f"{{{xplan.GML}}}id")
    assert gebiet.find("xplan:gehoertZuBereich", NS).get(ref) == "#" + bereich.get(f"{{{xplan.GML}}}id")
    # in the official CRS of NRW, the same area as the concept's, to the square metre
    assert {e.get("srsName") for e in doc.iter("{%s}MultiSurface" % xplan.GML)} == {"EPSG:25832"}
    assert abs(_area_of(doc).area - bochum.area_m2) < 1.0
    # the page of the concept offers it
    page = Client().get(bochum.get_absolute_url())
    assert b"/api/v1/concepts/bochum-innenstadt/export.gml" in page.content


def test_a_saxon_untersuchungsgebiet_is_written_in_utm33_with_its_decision(new_city):
    new_city.council_decision_date = datetime.date(2025, 11, 20)
    new_city.save()
    document = services.export_xplan(DEMO, new_city)
    assert xplan.validate(document) == []
    doc = etree.fromstring(document)
    gebiet = doc.find(".//xplan:SO_Gebiet", NS)
    assert gebiet.findtext("xplan:gebietsArt", namespaces=NS) == "1100"  # § 141: preparing a Sanierung
    assert gebiet.findtext("xplan:rechtsstandGebiet", namespaces=NS) == "1000"  # VorbereitendeUntersuchung
    attr = gebiet.find("xplan:hatGenerAttribut/xplan:XP_DatumAttribut", NS)
    assert (attr.findtext("xplan:name", namespaces=NS), attr.findtext("xplan:wert", namespaces=NS)) == (
        "Ratsbeschluss", "2025-11-20")
    assert {e.get("srsName") for e in doc.iter("{%s}MultiSurface" % xplan.GML)} == {"EPSG:25833"}
    expected = geo.area_m2(geo.from_django(new_city.area), 25833)
    assert abs(_area_of(doc).area - expected) < 1.0


EXPECTED = [  # legal basis, programme → gebietsArt (SO_GebietsArt of XPlanGML 6.0)
    ("baugb_142", "lebendige_zentren", "1100"),
    ("baugb_141", "sozialer_zusammenhalt", "1100"),
    ("baugb_165", "wachstum_erneuerung", "1200"),
    ("baugb_171b", "lebendige_zentren", "1300"),
    ("baugb_171e", "lebendige_zentren", "1400"),
    ("baugb_172", "lebendige_zentren", "1700"),
    ("council", "sozialer_zusammenhalt", "1400"),
    ("council", "wachstum_erneuerung", "1300"),
    ("council", "lebendige_zentren", "2300"),
    ("council", "other", "9999"),
]


def test_control_characters_in_the_concepts_texts_are_left_out_and_the_file_still_validates(new_city):
    """A summary pasted from a word processor may hold a vertical tab (\\x0b) or a unit separator
    (\\x1f), which XML 1.0 does not allow: they are left out, tab and line break stay."""
    Concept.objects.filter(pk=new_city.pk).update(summary="Erste Zeile\x0bzweite\x1fZeile\n\tEnde",
                                                  name="Innenstadt\x07 Nord")
    new_city.refresh_from_db()
    document = services.export_xplan(DEMO, new_city)
    assert xplan.validate(document) == []
    plan = etree.fromstring(document).find(".//xplan:SO_Plan", NS)
    assert plan.findtext("xplan:beschreibung", namespaces=NS) == "Erste ZeilezweiteZeile\n\tEnde"
    assert plan.findtext("xplan:name", namespaces=NS) == "Innenstadt Nord"


def test_every_legal_basis_and_programme_is_mapped():
    assert {b for b, _p, _c in EXPECTED} == set(Concept.LegalBasis.values)
    assert {p for b, p, _c in EXPECTED if b == "council"} == set(Concept.Programme.values)


@pytest.mark.parametrize(("legal_basis", "programme", "code"), EXPECTED)
def test_the_gebietsart_follows_the_legal_basis(bochum, legal_basis, programme, code):
    Concept.objects.filter(pk=bochum.pk).update(legal_basis=legal_basis, programme=programme, status="adopted")
    bochum.refresh_from_db()
    document = services.export_xplan(DEMO, bochum)
    assert xplan.validate(document) == []
    gebiet = etree.fromstring(document).find(".//xplan:SO_Gebiet", NS)
    assert gebiet.findtext("xplan:gebietsArt", namespaces=NS) == code
    assert code in _schema_codes("SO_GebietsArt")
    expected = "1000" if legal_basis == "baugb_141" else "3000"
    assert gebiet.findtext("xplan:rechtsstandGebiet", namespaces=NS) == expected


@pytest.mark.parametrize(("status", "code"), [("draft", "2000"), ("adopted", "3000"), ("in_progress", "3000"),
                                              ("closed", "4000")])
def test_the_legal_status_follows_the_concept(status, code):
    assert xplan.rechtsstand_gebiet("baugb_142", status) == code
    assert code in _schema_codes("SO_RechtsstandGebietTyp")


def test_a_concept_without_funding_area_gets_a_clear_answer_and_no_file(bochum):
    Concept.objects.filter(pk=bochum.pk).update(area=None)
    r = _get(Client(), bochum.slug)
    assert r.status_code == 409 and r["Content-Type"].startswith("application/json")
    assert "Content-Disposition" not in r
    assert "hat noch kein Fördergebiet" in r.json()["detail"]
    page = Client().get(bochum.get_absolute_url())
    assert b"export.gml" not in page.content  # no link that could only fail


def test_a_concept_the_person_may_not_see_is_not_exported(bochum):
    Concept.objects.filter(pk=bochum.pk).update(is_public=False)
    r = _get(Client(), bochum.slug)
    assert r.status_code == 404 and b"XPlanAuszug" not in r.content


def test_the_check_never_fetches_a_schema(tmp_path):
    """The official files import WFS 2.0 from schemas.opengis.net: the catalogue answers it
    locally; any other address on the network is refused rather than fetched."""
    assert xplan.schema() is not None  # loads with the one network import answered locally
    other = tmp_path / "other.xsd"
    other.write_text('<schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x">'
                     '<import namespace="urn:y" schemaLocation="http://example.org/y.xsd"/></schema>')
    with pytest.raises(etree.XMLSchemaParseError, match="example.org"):
        etree.XMLSchema(etree.parse(str(other), xplan._offline_parser()))
    assert all(path.is_file() and xplan.SCHEMAS in path.parents for path in xplan.CATALOGUE.values())


def test_an_area_drawn_clockwise_is_written_counter_clockwise_with_clockwise_holes_and_still_validates():
    """Issue 23: XPlanGML (xPlanBox's check "Laufrichtung") wants each polygon's exterior ring
    counter-clockwise and its interior rings clockwise as seen in the CRS (easting, northing); an
    area drawn the other way round – exterior clockwise, hole counter-clockwise – is turned, its
    area unchanged, and the file still validates against the shipped schema."""
    x, y = 385000.0, 5705000.0  # Bochum, EPSG:25832
    outer = [(x, y), (x, y + 400), (x + 600, y + 400), (x + 600, y), (x, y)]  # clockwise
    hole = [(x + 100, y + 100), (x + 200, y + 100), (x + 200, y + 200), (x + 100, y + 200), (x + 100, y + 100)]
    drawn = shapely.MultiPolygon([shapely.Polygon(outer, [hole]), shapely.Polygon(outer[::-1])])  # one each way
    assert not drawn.geoms[0].exterior.is_ccw and drawn.geoms[0].interiors[0].is_ccw
    document = xplan.xplangml(xplan.FundingArea(
        plan_name="Innenstadt", area_name="Innenstadt", ags="05911000", city="Bochum", legal_basis="council",
        programme="lebendige_zentren", status="adopted", legal_basis_text="Ratsbeschluss", geometry=drawn,
        srid=25832, key="orientation"))
    assert xplan.validate(document) == []
    doc = etree.fromstring(document)
    for geometry in ("SO_Plan/xplan:raeumlicherGeltungsbereich", "SO_Bereich/xplan:geltungsbereich",
                     "SO_Gebiet/xplan:position"):
        polygons = doc.findall(f".//xplan:{geometry}//gml:Polygon", NS)
        assert len(polygons) == 2
        for polygon in polygons:
            exterior = polygon.findtext("gml:exterior//gml:posList", namespaces=NS).split()
            assert shapely.LinearRing(list(zip(map(float, exterior[::2]), map(float, exterior[1::2])))).is_ccw
            for interior in polygon.iterfind("gml:interior//gml:posList", NS):
                values = interior.text.split()
                assert not shapely.LinearRing(list(zip(map(float, values[::2]), map(float, values[1::2])))).is_ccw
        assert [len(p.findall("gml:interior", NS)) for p in polygons] == [1, 0]
    assert abs(_area_of(doc).area - drawn.area) < 1e-6
