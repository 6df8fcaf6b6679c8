"""The funding area as XPlanung (XPlanGML 6.0): one ``SO_Gebiet`` in an ``SO_Bereich`` of an
``SO_Plan``, in an ``XPlanAuszug``; and the check of such a file against the official schema.

Pure module (no Django): the service hands in plain values and a shapely geometry in the official
CRS of the Land (EPSG:25832 or 25833, metres); each polygon is written with its exterior ring
counter-clockwise and its interior rings clockwise (decision 0094). The codes come from the schema's enumerations
``SO_GebietsArt`` and ``SO_RechtsstandGebietTyp`` (schemas/xplan60, see SOURCES.md there); how
isek's legal basis, programme and status map to them is decision 0048.
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

XPLAN = "http://www.xplanung.de/xplangml/6/0"
GML = "http://www.opengis.net/gml/3.2"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Where XPlanung publishes the schema: named in the file, never fetched (validate() reads the local copy)
SCHEMA_LOCATION = "http://repository.gdi-de.org/schemas/de.xleitstelle.xplanung/6.0/XPlanung-Operationen.xsd"

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "xplan60"
ROOT_SCHEMA = SCHEMAS / "XPlanGML_6_0" / "XPlanung-Operationen.xsd"
# The one address the official files import from the network, answered by a local file (SOURCES.md)
CATALOGUE = {"http://schemas.opengis.net/wfs/2.0/wfs.xsd": SCHEMAS / "offline" / "wfs-2.0-not-used.xsd"}

# SO_GebietsArt (XPlanGML_SonstigePlanwerke.xsd)
SANIERUNG, ENTWICKLUNG, STADTUMBAU, SOZIALE_STADT, ERHALTUNG, INNENENTWICKLUNG, SONSTIGES = (
    "1100", "1200", "1300", "1400", "1700", "2300", "9999")
# isek's legal basis (concepts.models.Concept.LegalBasis) → gebietsArt; "council" depends on the programme
BY_LEGAL_BASIS = {
    "baugb_142": SANIERUNG,  # Sanierungsgebiet: "Gebiet nach § 136 ff BauGB"
    "baugb_141": SANIERUNG,  # Untersuchungsgebiet: the preparatory study of a Sanierung (§ 141 BauGB)
    "baugb_165": ENTWICKLUNG,  # "Gebiet nach § 165 ff BauGB"
    "baugb_171b": STADTUMBAU,  # "Gebiet nach § 171 a-d BauGB"
    "baugb_171e": SOZIALE_STADT,  # "Gebiet nach § 171 e BauGB"
    "baugb_172": ERHALTUNG,  # "Allgemeines Erhaltungsgebiet nach § 172 BauGB"
}
# An area fixed by council decision: §§ 171b and 171e BauGB are themselves designations by council
# decision; Lebendige Zentren rests on the concept for the inner development (§ 176a BauGB)
BY_PROGRAMME = {
    "sozialer_zusammenhalt": SOZIALE_STADT,
    "wachstum_erneuerung": STADTUMBAU,
    "lebendige_zentren": INNENENTWICKLUNG,
}
# SO_RechtsstandGebietTyp
VORBEREITENDE_UNTERSUCHUNG, AUFSTELLUNG, FESTLEGUNG, ABGESCHLOSSEN = "1000", "2000", "3000", "4000"
BY_STATUS = {"draft": AUFSTELLUNG, "adopted": FESTLEGUNG, "in_progress": FESTLEGUNG, "closed": ABGESCHLOSSEN}
# XP_Rechtscharakter: the file carries over the city's designation; it makes none itself
NACHRICHTLICHE_UEBERNAHME = "2000"


def gebiets_art(legal_basis: str, programme: str) -> str:
    """The ``SO_GebietsArt`` code of a funding area (e.g. "1100" for a Sanierungsgebiet)."""
    if legal_basis in BY_LEGAL_BASIS:
        return BY_LEGAL_BASIS[legal_basis]
    return BY_PROGRAMME.get(programme, SONSTIGES)


def rechtsstand_gebiet(legal_basis: str, status: str) -> str:
    """The ``SO_RechtsstandGebietTyp`` code: an Untersuchungsgebiet is under preparatory study;
    otherwise by the concept's status (draft: Aufstellung; adopted, in progress: Festlegung;
    closed: Abgeschlossen)."""
    if legal_basis == "baugb_141" and status != "closed":
        return VORBEREITENDE_UNTERSUCHUNG
    return BY_STATUS.get(status, AUFSTELLUNG)


@dataclass(frozen=True)
class FundingArea:
    """What the file says of one concept's funding area; ``geometry`` in ``srid`` (metres)."""

    plan_name: str
    area_name: str
    ags: str
    city: str
    legal_basis: str
    programme: str
    status: str
    legal_basis_text: str
    geometry: BaseGeometry
    srid: int
    start_year: int | None = None
    end_year: int | None = None
    council_decision: datetime.date | None = None
    description: str = ""
    made_on: datetime.date | None = None
    key: str = ""  # a stable name for the gml:ids (the concept's slug); random without one


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


# what XML 1.0 allows in a document (§ 2.2 Char): tab, line feed, carriage return and the rest of
# Unicode but surrogates, U+FFFE and U+FFFF; other control characters make the file unreadable
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text) -> str:
    """``text`` without the characters XML 1.0 does not allow (e.g. a vertical tab pasted into a
    summary)."""
    return _NOT_XML.sub("", str(text))


def _sub(parent, ns: str, tag: str, text=None, **attrs):
    el = ET.SubElement(parent, _q(ns, tag), attrs)
    if text is not None:
        el.text = xml_text(text)
    return el


def _polygons(g: BaseGeometry) -> list[Polygon]:
    if isinstance(g, Polygon):
        return [g]
    if isinstance(g, MultiPolygon):
        return list(g.geoms)
    raise ValueError(f"a funding area is a polygon or multipolygon, not {g.geom_type}")


def _pos_list(ring) -> str:
    return " ".join(f"{x:.3f} {y:.3f}" for x, y in ring.coords)


class _Ids:
    def __init__(self, key: str):
        self.base = uuid.uuid5(uuid.NAMESPACE_URL, f"isek:{key}") if key else uuid.uuid4()

    def __call__(self, what: str) -> str:  # gml:id is an NCName: starts with a letter
        return f"GML_{uuid.uuid5(self.base, what)}"


def _oriented(poly: Polygon) -> Polygon:
    """``poly`` with the rings' orientation XPlanGML asks for, as seen in the CRS (easting, northing):
    the exterior counter-clockwise, each interior clockwise – xPlanBox's geometric check
    ("Laufrichtung") refuses the other way round; a funding area drawn or uploaded clockwise is turned."""
    return orient(poly, sign=1.0)


def _multi_surface(parent, g: BaseGeometry, srs: str, ids: _Ids, name: str):
    ms = _sub(parent, GML, "MultiSurface", srsName=srs, **{_q(GML, "id"): ids(name)})
    for i, poly in enumerate(_oriented(p) for p in _polygons(g)):
        member = _sub(ms, GML, "surfaceMember")
        p = _sub(member, GML, "Polygon", srsName=srs, **{_q(GML, "id"): ids(f"{name}-{i}")})
        for tag, ring in [("exterior", poly.exterior)] + [("interior", r) for r in poly.interiors]:
            lr = _sub(_sub(p, GML, tag), GML, "LinearRing")
            _sub(lr, GML, "posList", _pos_list(ring), srsDimension="2")
    return ms


def _bounded_by(parent, g: BaseGeometry, srs: str):
    x0, y0, x1, y1 = g.bounds
    env = _sub(_sub(parent, GML, "boundedBy"), GML, "Envelope", srsName=srs)
    _sub(env, GML, "lowerCorner", f"{x0:.3f} {y0:.3f}")
    _sub(env, GML, "upperCorner", f"{x1:.3f} {y1:.3f}")


def _gemeinde(parent, area: FundingArea):
    g = _sub(_sub(parent, XPLAN, "gemeinde"), XPLAN, "XP_Gemeinde")
    _sub(g, XPLAN, "ags", area.ags)
    _sub(g, XPLAN, "gemeindeName", area.city)


def xplangml(area: FundingArea) -> bytes:
    """The XPlanGML 6.0 document (UTF-8) of ``area``: an ``XPlanAuszug`` holding the ``SO_Plan``, its
    ``SO_Bereich`` and the ``SO_Gebiet`` with gebietsArt, rechtsstandGebiet and the dates isek has."""
    for prefix, ns in (("xplan", XPLAN), ("gml", GML), ("xlink", XLINK), ("xsi", XSI)):
        ET.register_namespace(prefix, ns)
    g = area.geometry
    _polygons(g)
    srs = f"EPSG:{area.srid}"
    ids = _Ids(area.key)
    plan_id, bereich_id, gebiet_id = ids("plan"), ids("bereich"), ids("gebiet")
    root = ET.Element(_q(XPLAN, "XPlanAuszug"), {_q(GML, "id"): ids("auszug"),
                                                 _q(XSI, "schemaLocation"): f"{XPLAN} {SCHEMA_LOCATION}"})
    _bounded_by(root, g, srs)

    plan = _sub(_sub(root, GML, "featureMember"), XPLAN, "SO_Plan", **{_q(GML, "id"): plan_id})
    _bounded_by(plan, g, srs)
    _sub(plan, XPLAN, "name", area.plan_name)
    if area.description:
        _sub(plan, XPLAN, "beschreibung", area.description)
    if area.made_on:
        _sub(plan, XPLAN, "technHerstellDatum", area.made_on.isoformat())
    _sub(plan, XPLAN, "technischerPlanersteller", "isek")
    _multi_surface(_sub(plan, XPLAN, "raeumlicherGeltungsbereich"), g, srs, ids, "plan-geometry")
    _gemeinde(plan, area)
    # SO_PlanArt is a code list kept outside the schema (the XLeitstelle's registry): the kind of
    # plan is said in words rather than with a code guessed here
    _sub(plan, XPLAN, "planArt", "Fördergebiet der Städtebauförderung")
    _sub(plan, XPLAN, "bereich", **{_q(XLINK, "href"): f"#{bereich_id}"})

    bereich = _sub(_sub(root, GML, "featureMember"), XPLAN, "SO_Bereich", **{_q(GML, "id"): bereich_id})
    _bounded_by(bereich, g, srs)
    _sub(bereich, XPLAN, "nummer", "0")
    _sub(bereich, XPLAN, "name", area.area_name)
    _multi_surface(_sub(bereich, XPLAN, "geltungsbereich"), g, srs, ids, "bereich-geometry")
    _sub(bereich, XPLAN, "planinhalt", **{_q(XLINK, "href"): f"#{gebiet_id}"})
    _sub(bereich, XPLAN, "gehoertZuPlan", **{_q(XLINK, "href"): f"#{plan_id}"})

    gebiet = _sub(_sub(root, GML, "featureMember"), XPLAN, "SO_Gebiet", **{_q(GML, "id"): gebiet_id})
    _bounded_by(gebiet, g, srs)
    _sub(gebiet, XPLAN, "text", f"{area.area_name} ({area.legal_basis_text})")
    if area.council_decision:
        attr = _sub(_sub(gebiet, XPLAN, "hatGenerAttribut"), XPLAN, "XP_DatumAttribut")
        _sub(attr, XPLAN, "name", "Ratsbeschluss")
        _sub(attr, XPLAN, "wert", area.council_decision.isoformat())
    _sub(gebiet, XPLAN, "gehoertZuBereich", **{_q(XLINK, "href"): f"#{bereich_id}"})
    _sub(gebiet, XPLAN, "rechtscharakter", NACHRICHTLICHE_UEBERNAHME)
    _multi_surface(_sub(gebiet, XPLAN, "position"), g, srs, ids, "gebiet-geometry")
    _sub(gebiet, XPLAN, "flaechenschluss", "false")  # an area overlays the plan (Konformitätsbedingung 6.4.1.2)
    _gemeinde(gebiet, area)
    _sub(gebiet, XPLAN, "gebietsArt", gebiets_art(area.legal_basis, area.programme))
    _sub(gebiet, XPLAN, "rechtsstandGebiet", rechtsstand_gebiet(area.legal_basis, area.status))
    if area.start_year:
        _sub(gebiet, XPLAN, "durchfuehrungStartDatum", datetime.date(area.start_year, 1, 1).isoformat())
    if area.end_year:
        _sub(gebiet, XPLAN, "durchfuehrungEndDatum", datetime.date(area.end_year, 12, 31).isoformat())
    _sub(gebiet, XPLAN, "traegerMassnahme", area.city)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- the check against the official schema (lxml; offline) ---------------------------------------


def _offline_parser():
    from lxml import etree

    class Catalogue(etree.Resolver):
        """Local files as they are; the one network import from CATALOGUE; any other address
        refused, so that no schema is ever fetched."""

        def resolve(self, url, pubid, context):
            if url in CATALOGUE:
                return self.resolve_filename(str(CATALOGUE[url]), context)
            if "://" in url and not url.startswith("file://"):
                raise OSError(f"schema from the network refused (offline): {url}")
            return None  # libxml2 reads the local file itself

    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(Catalogue())
    return parser


_schema = None


def schema():
    """The XPlanGML 6.0 schema (root XPlanung-Operationen.xsd, which declares XPlanAuszug), loaded
    once from the local files."""
    global _schema
    if _schema is None:
        from lxml import etree

        _schema = etree.XMLSchema(etree.parse(str(ROOT_SCHEMA), _offline_parser()))
    return _schema


def validate(document: bytes) -> list[str]:
    """The schema's complaints about ``document`` ("line N: message"); empty when it is valid."""
    from lxml import etree

    s = schema()
    doc = etree.fromstring(document, etree.XMLParser(no_network=True, resolve_entities=False))
    if s.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in s.error_log]
