"""Contributions collected elsewhere, into a phase (issue 24, decision 0049): a table (CSV or XLSX)
with a column mapping, GeoJSON (features with properties), the CIMT corpora's CSV files, and the
proposal exports of Decidim and CONSUL. Every row is checked first, and every problem is named at
its row and column; a plan says what would be imported and what is there already; the service
(``services.imports``) writes all of it or nothing.

Formats, with the source of their columns:

- CSV/XLSX: ``core.sheets`` reads them (size, zip and entity bombs, UTF-8 or Windows-1252, ``;``,
  ``,`` or tab). The headers are recognised (``TARGETS``), the planner corrects the mapping.
- CIMT (HHU Düsseldorf; github.com/juliaromberg: egov-2022 ``ID,title,text,main_category_level1,URL,
  created``, cimt-geographic-location-dataset ``document_id;title;text;url;lat;lon``,
  cimt-thematic-categorization-dataset ``document_id,title,text,url,<labels>``): plain tables,
  recognised by their headers.
- Decidim: the proposals export of the admin (CSV, Excel, JSON) is its ``ProposalSerializer``
  (decidim-proposals/lib/decidim/proposals/proposal_serializer.rb: ``id``, ``category`` {``id``,
  ``name``}, ``title``, ``body``, ``address``, ``latitude``, ``longitude``, ``published_at``,
  ``url``, …), flattened by ``Decidim::Exporters`` with "/" between the keys, translated fields per
  locale: ``category/name/de``, ``title/de``, ``body/de``. Values beginning with = + - @ are written
  with a leading "'" (its ``custom_sanitize``), which is taken off here.
- CONSUL: its GraphQL API (app/graphql/types/proposal_type.rb: ``id``, ``title``, ``description``,
  ``summary``, ``public_created_at``, ``geozone``, ``public_author`` …); the JSON answer of a
  ``proposals`` query (``data.proposals.edges[].node`` or ``.nodes[]``) is read, flattened like
  Decidim's. CONSUL's API gives no address of a proposal; its id is the key.

Imported contributions keep the least personal data: an author's name only if mapped, never an
e-mail address (a name that is one is refused)."""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyproj
import shapely
import shapely.ops
from django.contrib.gis.gdal import CoordTransform, GDALException, SpatialReference
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from isek.core import jsontext, sheets
from isek.core.problems import InputError, Problem, gettext_noop, row_spans, rows_problem

from .models import NAME_MAX, TITLE_MAX, Idea, Phase

MAX_ROWS = 20_000
MAX_BYTES = 20_000_000
TEXT_MAX = 10_000  # a contribution written elsewhere; the citizens' form here allows 2,000
KEY_MAX = 200
URL_MAX = 500
MAX_NEW_THEMES = 40  # more: the column is hardly the themes
MAX_VERTICES = 500
_GEOD = pyproj.Geod(ellps="WGS84")

# What a column can mean, with the headers that name it (lower case; a Decidim locale suffix
# "/de" is taken off first, see _base; compared by ``header_key``: case, spaces and umlauts aside –
# walk 24: DIPAS's "Beitragstext", "Link zum Beitrag", "Eingang" were not recognised).
TARGETS: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "document_id", "kennung", "externe id", "external id", "external_id", "beitrags-id",
                    "beitrag-id", "beitragsid", "beitrags id", "beitragsnummer", "nr", "nr.", "nummer", "lfd. nr.",
                    "lfd nr", "laufende nummer", "kennnummer", "contribution id"),
    "title": ("title", "titel", "überschrift", "betreff", "titel des beitrags", "beitragstitel", "subject",
              "headline"),
    "text": ("text", "body", "beitrag", "beschreibung", "description", "inhalt", "idee", "anmerkung", "beitragstext",
             "text des beitrags", "inhalt des beitrags", "beitragsinhalt", "ihr beitrag", "kommentar", "hinweis",
             "nachricht", "content", "contribution", "comment", "message"),
    "date": ("created", "created_at", "date", "datum", "erstellt", "erstellt am", "eingereicht", "eingereicht am",
             "published_at", "public_created_at", "eingang", "eingangsdatum", "eingegangen", "eingegangen am",
             "erstellungsdatum", "datum des beitrags", "zeitpunkt", "zeitstempel", "timestamp", "created on",
             "submitted", "submitted at", "veröffentlicht", "veröffentlicht am"),
    "theme": ("theme", "thema", "themen", "kategorie", "category", "category/name", "main_category_level1",
              "themenfeld", "themenbereich", "rubrik", "kategorie des beitrags", "topic"),
    "author": ("author", "author/name", "autor", "autorin", "verfasser", "verfasserin", "public_author/username",
               "verfasser*in", "verfasser/in"),
    "url": ("url", "link", "permalink", "original", "adresse des originals", "link zum beitrag", "link zum original",
            "beitragslink", "link des beitrags", "web-adresse", "webadresse", "internetadresse"),
    "x": ("lon", "lng", "long", "longitude", "länge", "längengrad", "geographische länge", "geogr. länge",
          "geografische länge", "lon_wgs84", "lng_wgs84", "x", "rechtswert", "easting"),
    "y": ("lat", "latitude", "breite", "breitengrad", "geographische breite", "geogr. breite", "geografische breite",
          "lat_wgs84", "y", "hochwert", "northing"),
}
LABELS = {
    "external_id": gettext_noop("Kennung im Original"), "title": gettext_noop("Titel"), "text": gettext_noop("Text"),
    "date": gettext_noop("Datum"), "theme": gettext_noop("Thema"), "author": gettext_noop("Name (freiwillig)"),
    "url": gettext_noop("Adresse des Originals (URL)"), "x": gettext_noop("Länge / Rechtswert (x)"),
    "y": gettext_noop("Breite / Hochwert (y)"),
}
WGS84 = "EPSG:4326"
# The mapping's ``default_theme`` "ohne Thema (isek schlägt vor)": rows without a theme stay without
# one (``Idea.theme`` empty, ``theme_fallback``) and get isek's own suggestion (minor24)
SUGGEST = "*"
NEW = "+"  # ``Mapping.column_themes``: a new theme, named like the yes/no column
_LOCALE = re.compile(r"^(.+)/([a-z]{2}(?:[-_][a-z]{2,4})?)$")
_HTML = re.compile(r"</?(?:p|br|div|ul|ol|li|strong|em|b|i|a|span|h[1-6])\b[^>]*>", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:[A-Za-z]+|#[0-9]+|#x[0-9A-Fa-f]+);")
YES = ("1", "ja", "j", "yes", "y", "true", "wahr", "x")  # a yes/no column's "yes" (lower case)
NO = ("0", "nein", "n", "no", "false", "falsch", "")
_DE_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


@dataclass(frozen=True)
class Where:
    """A cell as the planner finds it: "Zeile 7, Spalte „lat“ (E7)", or in a JSON file "Objekt 3,
    Eigenschaft „lat“"; written in the language of the page that shows the problem."""

    row: int
    column: str
    ref: str = ""

    def in_language(self, language=None) -> str:
        if not self.ref:
            return _("Objekt %(n)s, Eigenschaft „%(c)s“") % {"n": self.row, "c": self.column}
        return _("Zeile %(n)s, Spalte „%(c)s“ (%(ref)s)") % {"n": self.row, "c": self.column, "ref": self.ref}

    def __str__(self) -> str:
        return self.in_language()


@dataclass(frozen=True)
class Said:
    """A problem as a parameter of another (the example in a summary), in the page's language."""

    problem: Problem

    def in_language(self, language=None) -> str:
        return self.problem.render(_, language)


@dataclass(frozen=True)
class Day:
    """A date as a parameter of a problem, in the format of the page's language."""

    value: datetime.datetime

    def in_language(self, language=None) -> str:
        from django.utils import formats

        return formats.date_format(timezone.localtime(self.value), "SHORT_DATE_FORMAT")


def theme_key(name: str) -> str:
    """A theme's name as the import matches it: without regard to case and spaces (walk 24:
    "radverkehr " and "Rad verkehr" in a file are the phase's "Radverkehr" only by the first)."""
    return " ".join(name.split()).casefold()


def lemma_key(name: str) -> str:
    """A theme's name by the lemma of each word (simplemma, its German data shipped in the wheel):
    "Ampel" and "Ampeln" are one, a qualifier in brackets stays a word of its own (fix24i)."""
    from .evaluation.text import lemma

    return " ".join(lemma(w) for w in theme_key(name).split())


_QUALIFIER = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")  # a header's unit or note: "Breitengrad (WGS84)"


class ThemeNames(dict):
    """The phase's themes by ``theme_key`` of their German and English names (→ the German one).
    ``find`` matches a name only if it is equal ignoring case and spaces – brackets included: the
    column "public transport (long-distance)" is not the theme "public transport (local)" (fix24i;
    decision 0069 matched them without their qualifiers) – or else equal word by word in its lemmas
    (singular/plural, "Ampel" → "Ampeln"), a proposal each kept in ``near`` for the preview to name."""

    def __init__(self, phase_themes):
        super().__init__()
        self.by_lemma: dict[str, str] = {}
        self.near: dict[str, str] = {}  # a name of the file → the theme its lemmas matched
        for t in phase_themes:
            for name in (t.name_de, t.name_en):
                if name:
                    self.setdefault(theme_key(name), t.name_de)
                    self.by_lemma.setdefault(lemma_key(name), t.name_de)

    def find(self, name: str) -> str | None:
        if not name.strip():
            return None
        exact = self.get(theme_key(name))
        if exact is not None:
            return exact
        near = self.by_lemma.get(lemma_key(name))
        if near is not None:
            self.near[name.strip()] = near
        return near


SHOWN = 50  # problems a page lists; the rest are counted (walk 24: 697 rows, each with a problem)


def capped(problems: list[Problem], limit: int = SHOWN) -> list[Problem]:
    """The problems as a page lists them: those of the whole file first (summaries, source,
    licence …), then those of single rows in the order of the rows; after ``limit`` one line
    "… und N weitere"."""
    ordered = [p for p in problems if p.row is None] + sorted((p for p in problems if p.row is not None),
                                                              key=lambda p: p.row)
    if len(ordered) <= limit:
        return ordered
    return ordered[:limit] + [Problem(gettext_noop("… und %(n)s weitere Probleme (insgesamt %(total)s)."),
                                      {"n": len(ordered) - limit, "total": len(ordered)})]


SAME_SUMMARY = 5  # this many rows with the same error: a line saying so comes first


def _summaries(problems: list[Problem]) -> list[Problem]:
    """For each error that many rows share (366 × "der Ort liegt außerhalb …"), one line first."""
    by_kind: dict[str, list[Problem]] = {}
    for p in problems:
        if p.row is not None:
            by_kind.setdefault(p.msgid, []).append(p)
    return [Problem(gettext_noop("%(n)s Zeilen haben denselben Fehler (%(rows)s), die erste: %(first)s"),
                    {"n": len(same), "rows": row_spans([p.row for p in same]), "first": Said(same[0])})
            for same in by_kind.values() if len(same) >= SAME_SUMMARY]


@dataclass
class Source:
    """What a file holds, as a table: ``header``, rows of cells, and where the file carries the
    place itself (GeoJSON) each row's geometry (a GeoJSON geometry object) – else None."""

    kind: str  # "table", "geojson", "decidim", "consul"
    header: list[str]
    rows: list[list[sheets.Cell]]
    geometries: list[dict | None] | None = None
    crs: str = ""  # the CRS a GeoJSON file names (its legacy "crs" member), else empty
    short: dict[int, int] = field(default_factory=dict)  # CSV rows with fewer cells than the header → cells

    @property
    def json(self) -> bool:
        return self.kind in ("geojson", "decidim", "consul")


def read(path: Path, filename: str | None = None) -> Source:
    """The file as a table; InputError with every problem (nothing is read into the phase)."""
    path = Path(path)
    name = (filename or path.name).lower()
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError([Problem(gettext_noop("Die Datei ist %(size)s MB groß; erlaubt sind höchstens %(max_bytes)s MB."),
                                  {"size": f"{size / 1e6:.1f}", "max_bytes": f"{MAX_BYTES / 1e6:.1f}"})])
    if size == 0:
        raise InputError([Problem(gettext_noop("Die Datei ist leer."))])
    with path.open("rb") as f:
        head = f.read(4096)
    if name.endswith((".geojson", ".json")) or head.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] in (b"{", b"["):
        return _read_json(path.read_bytes())
    if name.endswith((".csv", ".txt")) and b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # NUL bytes: binary – unless UTF-16 marked by its BOM, read as text (fix24i)
        raise InputError([Problem(gettext_noop("Die Datei ist keine Tabelle: sie enthält Binärdaten. Erwartet: CSV, "
                                               "XLSX, GeoJSON oder ein JSON-Export von Decidim oder CONSUL."))])
    if not name.endswith((".csv", ".txt", ".xlsx", ".xlsm")) and not head.startswith(b"PK"):
        raise InputError([Problem(gettext_noop("Das Format wird nicht gelesen; erwartet: CSV, XLSX, GeoJSON oder ein "
                                               "JSON-Export von Decidim oder CONSUL."))])
    table = sheets.read(path, filename, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    kind = "decidim" if any(_LOCALE.match(h.lower()) and h.lower().startswith(("title/", "body/")) for h in table.header) else "table"
    return Source(kind, table.header, table.rows, short=table.short)


def _flatten(value, key: str = "", out: dict | None = None) -> dict:
    """A JSON object as Decidim's exporters flatten it: nested keys joined by "/", lists joined by ", "."""
    out = {} if out is None else out
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{key}/{k}" if key else str(k), out)
    elif isinstance(value, list):
        out[key] = ", ".join(str(v) for v in value if v is not None and not isinstance(v, (dict, list)))
    else:
        out[key] = value
    return out


def _read_json(data: bytes) -> Source:
    try:
        doc = jsontext.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise InputError([Problem(gettext_noop("Die Datei ist kein gültiges JSON (UTF-8)."))]) from None
    geometries = None
    crs = ""
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" and isinstance(doc.get("features"), list):
        kind = "geojson"
        features = [f if isinstance(f, dict) else {} for f in doc["features"]]
        records = [f.get("properties") if isinstance(f.get("properties"), dict) else {} for f in features]
        geometries = [f.get("geometry") if isinstance(f.get("geometry"), dict) else None for f in features]
        named = ((doc.get("crs") or {}).get("properties") or {}).get("name", "") if isinstance(doc.get("crs"), dict) else ""
        m = re.search(r"EPSG:+(\d+)$", str(named))
        crs = f"EPSG:{m.group(1)}" if m else ("" if not named or "CRS84" in str(named) else str(named))
    elif isinstance(doc, dict) and isinstance((doc.get("data") or {}).get("proposals") if isinstance(doc.get("data"), dict) else None, dict):
        kind = "consul"
        proposals = doc["data"]["proposals"]
        nodes = proposals.get("nodes")
        if not isinstance(nodes, list):
            nodes = [e.get("node") for e in proposals.get("edges") or [] if isinstance(e, dict)]
        records = [n if isinstance(n, dict) else {} for n in nodes]
    elif isinstance(doc, list) and doc and all(isinstance(r, dict) for r in doc):
        kind = "decidim"
        records = doc
    else:
        raise InputError([Problem(gettext_noop("Die JSON-Datei ist weder GeoJSON (eine FeatureCollection) noch ein "
                                               "Export der Vorschläge von Decidim oder CONSUL."))])
    if not records:
        raise InputError([Problem(gettext_noop("Die Datei enthält keine Beiträge."))])
    if len(records) > MAX_ROWS:
        raise InputError([Problem(gettext_noop("Mehr als %(n)s Zeilen: bitte aufteilen."), {"n": MAX_ROWS})])
    flat = [_flatten(r) for r in records]
    header: list[str] = []
    seen = set()
    for r in flat:
        for k in r:
            if k not in seen:
                seen.add(k)
                header.append(k)
    rows = [[sheets.Cell(r.get(h) if r.get(h) != "" else None, "", n) for h in header] for n, r in enumerate(flat, start=1)]
    return Source(kind, header, rows, geometries, crs)


# --- the mapping ---------------------------------------------------------------------------------


@dataclass
class Mapping:
    """Which column means what (``columns`` target → header), the CRS of x/y, where the
    contributions come from (``source``: platform or file), their ``licence`` and ``credit`` (the
    attribution shown with each), the theme of rows without one (``default_theme``, a theme's
    name), and whether a row whose place is unusable is imported without a place
    (``without_bad_places``) instead of refusing the file. ``theme_columns``: instead of one theme
    column, yes/no columns, one per theme (the CIMT corpora's labels): each column's name is a
    theme; a row marked in several takes the one marked least often in the file (the most
    specific), on a tie the first. ``new_themes``: whether a value of the theme column that names
    no theme of the phase (matched without regard to case and spaces) becomes a new theme (True)
    or is a problem at its row (False); None: decided by the file – new themes only if none of its
    values names a theme of the phase (the file brings its own themes; decision 0064).
    ``column_themes``: a yes/no column → the phase's theme its rows get (its German or English
    name), or ``NEW`` for a new theme named like the column; a column not in it goes to the theme
    of its name (fix24e: "cycling" could only go to a theme named so, never to "Radverkehr").
    ``value_themes``: the same for the values of the theme column – a value as the file writes it →
    the phase's theme its rows get, or ``NEW`` for a new theme named like the value; a value not in
    it goes to the theme of its name (fix24g: "Radverkehr" could not go to "Mobilität")."""

    columns: dict[str, str] = field(default_factory=dict)
    crs: str = WGS84
    source: str = ""
    licence: str = ""
    credit: str = ""
    default_theme: str = ""
    without_bad_places: bool = False
    theme_columns: list[str] = field(default_factory=list)
    new_themes: bool | None = None
    column_themes: dict[str, str] = field(default_factory=dict)
    value_themes: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"columns": dict(self.columns), "crs": self.crs, "source": self.source, "licence": self.licence,
                "credit": self.credit, "default_theme": self.default_theme,
                "without_bad_places": self.without_bad_places, "theme_columns": list(self.theme_columns),
                "new_themes": self.new_themes, "column_themes": dict(self.column_themes),
                "value_themes": dict(self.value_themes)}

    @classmethod
    def from_json(cls, data) -> Mapping:
        if not isinstance(data, dict):
            raise InputError([Problem(gettext_noop("Die Zuordnung ist kein JSON-Objekt."))])
        columns = data.get("columns", {})
        if not isinstance(columns, dict) or any(k not in TARGETS or not isinstance(v, str) for k, v in columns.items()):
            raise InputError([Problem(gettext_noop("„columns“ ordnet Angaben (%(targets)s) Spaltenüberschriften zu."),
                                      {"targets": ", ".join(TARGETS)})])
        texts = {k: data.get(k, "") for k in ("crs", "source", "licence", "credit", "default_theme")}
        if any(not isinstance(v, str) for v in texts.values()):
            raise InputError([Problem(gettext_noop("„crs“, „source“, „licence“, „credit“ und „default_theme“ sind "
                                                   "Texte."))])
        yes_no = data.get("theme_columns", [])
        if not isinstance(yes_no, list) or any(not isinstance(h, str) for h in yes_no):
            raise InputError([Problem(gettext_noop("„theme_columns“ ist eine Liste von Spaltenüberschriften."))])
        new = data.get("new_themes")
        if new is not None and not isinstance(new, bool):
            raise InputError([Problem(gettext_noop("„new_themes“ ist true, false oder null (aus der Datei erkannt)."))])
        to = data.get("column_themes", {})
        if not isinstance(to, dict) or any(not isinstance(v, str) for v in to.values()):
            raise InputError([Problem(gettext_noop("„column_themes“ ordnet Ja/Nein-Spalten (Überschrift) je ein Thema "
                                                   "der Phase zu (sein Name, oder „%(new)s“ für ein neues Thema mit dem "
                                                   "Namen der Spalte)."), {"new": NEW})])
        values = data.get("value_themes", {})
        if not isinstance(values, dict) or any(not isinstance(v, str) for v in values.values()):
            raise InputError([Problem(gettext_noop("„value_themes“ ordnet Werte der Themen-Spalte je ein Thema der "
                                                   "Phase zu (sein Name, oder „%(new)s“ für ein neues Thema mit dem "
                                                   "Namen des Werts)."), {"new": NEW})])
        return cls(dict(columns), texts["crs"] or WGS84, texts["source"], texts["licence"], texts["credit"],
                   texts["default_theme"], bool(data.get("without_bad_places", False)), list(yes_no), new, dict(to),
                   dict(values))


def _yes_no(source: Source, header: str) -> bool:
    """Whether the column ``header`` holds only yes/no values (0/1, ja/nein …), "yes" at least once."""
    i = source.header.index(header)
    values = {_text(cells[i]).lower() for cells in source.rows if i < len(cells)}
    return bool(values) and values <= set(YES + NO) and bool(values & set(YES)) and len(values - {""}) <= 2


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_PLAIN = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})


def header_key(header: str) -> str:
    """A header as the recognition compares it: spaces collapsed, case and umlauts aside
    ("  Überschrift" and "UEBERSCHRIFT" are the same; an umlaut written as two code points, as
    some Mac exports do, is one)."""
    return " ".join(unicodedata.normalize("NFC", header).split()).casefold().translate(_UMLAUTS)


def _plain_key(word: str) -> str:
    """A header word with its umlauts written without dots ("Langengrad" for "Längengrad", minor24)."""
    return " ".join(unicodedata.normalize("NFC", word).split()).casefold().translate(_PLAIN)


_WORDS = {target: {header_key(w) for w in words} | {_plain_key(w) for w in words} for target, words in TARGETS.items()}


def _base(header: str) -> tuple[str, int]:
    """A header without a Decidim locale suffix, and how much its language is wanted (0 best)."""
    key = header.strip().lower()
    m = _LOCALE.match(key)
    if m and m.group(1) in ("title", "body", "category/name", "scope/name"):
        lang = m.group(2)[:2]
        return m.group(1), 0 if lang == "de" else 1 if lang == "en" else 2
    key = header_key(key)
    if not any(key in words for words in _WORDS.values()):  # "Breitengrad (WGS84)", "Lat." (minor24)
        key = _QUALIFIER.sub(" ", key).strip(" .:;,-–/°")
        key = " ".join(key.split())
    return key, 0


@dataclass(frozen=True)
class Corpus:
    """A published file isek recognises by its columns and the address of its contributions (not
    by its file name: a planner may have renamed it), with the licence and the credit its source
    asks for (../shared/data/participation/SOURCES.md; fix24e: the planner had to type them)."""

    name: str
    header: frozenset[str]  # the headers (``header_key``) the file has, all of them
    host: str  # every contribution's address is on this host
    extra: str = ""  # one more header the file has beginning like this ("level1_")


CIMT = "Themen-Annotation: CIMT-Korpus (HHU Düsseldorf, Romberg et al. 2022), CC BY-SA 4.0"
CORPORA = (
    Corpus("Raddialog Ehrenfeld 2017 (Stadt Köln)",
           frozenset({"id", "title", "text", "main_category_level1", "url", "created"}),
           "www.raddialog-ehrenfeld.koeln", "level1_"),
    Corpus("Raddialog Ehrenfeld 2017 (Stadt Köln)", frozenset({"document_id", "title", "text", "url", "lat", "lon"}),
           "www.raddialog-ehrenfeld.koeln"),
    Corpus("FreiRaum Ottensen 2021 (Bezirksamt Altona)",
           frozenset({"document_id", "title", "text", "url", "motorized transport", "cycling", "walking",
                      "stationary traffic (parking)", "moving traffic"}),
           "freiraumottensen.beteiligung.hamburg"),
)
CORPUS_LICENCE = "CC BY 4.0 (Beiträge), CC BY-SA 4.0 (Annotation)"  # SOURCES.md: the texts CC BY, the themes CC BY-SA


def corpus_credit(corpus: Corpus) -> str:
    """The attribution SOURCES.md asks for, for the file's own platform."""
    return f"Beiträge: {corpus.name}, CC BY 4.0, je Beitrag verlinkt; {CIMT}"


def recognise(source: Source) -> Corpus | None:
    """The published corpus the file is, by its headers and its contributions' addresses, or None."""
    if source.json:
        return None
    keys = {header_key(h) for h in source.header}
    for corpus in CORPORA:
        if not corpus.header <= keys or (corpus.extra and not any(k.startswith(corpus.extra) for k in keys)):
            continue
        i = next(n for n, h in enumerate(source.header) if header_key(h) == "url")
        urls = [_text(cells[i]) for cells in source.rows if i < len(cells) and _text(cells[i])]
        if urls and all(re.match(rf"https?://{re.escape(corpus.host)}/", u) for u in urls):
            return corpus
    return None


def guess_mapping(source: Source, filename: str = "", defaults: Mapping | None = None) -> Mapping:
    """The mapping the headers suggest: each target's header among ``TARGETS`` (a German column
    of Decidim before an English one before others), WGS84 for x/y and GeoJSON, the file name
    (or the platform of an export) as the source; ``defaults`` gives licence, credit and theme."""
    m = Mapping(source=filename, licence=defaults.licence if defaults else "", credit=defaults.credit if defaults else "",
                default_theme=defaults.default_theme if defaults else "")
    if source.kind in ("decidim", "consul") and filename:
        m.source = f"{'Decidim' if source.kind == 'decidim' else 'CONSUL'}: {filename}"
    corpus = recognise(source) if not (m.licence or m.credit) else None
    if corpus is not None:  # prefilled, the planner may change them (fix24e)
        m.licence, m.credit = CORPUS_LICENCE, corpus_credit(corpus)
    best: dict[str, tuple[int, str]] = {}
    for h in source.header:
        key, rank = _base(h)
        for target in TARGETS:
            if key in _WORDS[target] and (target not in best or rank < best[target][0]):
                best[target] = (rank, h)
                break
    m.columns = {t: h for t, (_r, h) in best.items()}
    if source.kind == "geojson":  # the place is the feature's geometry
        m.columns.pop("x", None)
        m.columns.pop("y", None)
        m.crs = source.crs or WGS84
    if source.kind == "consul" and "text" not in m.columns and "summary" in source.header:
        m.columns["text"] = "summary"
    if "theme" not in m.columns and source.kind != "geojson":  # the CIMT layout: one yes/no column per theme
        free = [h for h in source.header if h not in m.columns.values()]
        yes_no = [h for h in free if _yes_no(source, h)]
        if len(yes_no) >= 2:
            m.theme_columns = yes_no
    return m


# --- the plan ------------------------------------------------------------------------------------


@dataclass
class Planned:
    row: int
    key: str
    title: str
    text: str
    theme: str  # the theme's name (an existing one of the phase, or one to create)
    author: str = ""
    url: str = ""
    external_id: str = ""
    date: datetime.datetime | None = None
    geometry: GEOSGeometry | None = None
    action: str = "create"  # "create" | "unchanged" (imported before: the key is there)


@dataclass
class Plan:
    mapping: Mapping
    header: list[str]
    kind: str
    items: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    new_themes: list[str] = field(default_factory=list)
    filename: str = ""
    column_counts: dict[str, int] = field(default_factory=dict)  # yes/no theme column → new contributions it themes
    # the theme column's values as the file writes them → (the phase's theme they go to, or a new one, rows)
    theme_values: dict[str, tuple[str, int]] = field(default_factory=dict)
    # per column that is not yes/no and has at most MAX_NEW_THEMES distinct short values: those
    # values (the choice of a theme per value when the column is the theme column, fix24g)
    column_values: dict[str, list[str]] = field(default_factory=dict)
    outside_period: int = 0  # new contributions dated outside the phase's period (a notice, decision 0064)
    column_themes: dict[str, str] = field(default_factory=dict)  # yes/no column → the theme its rows get
    yes_no: list[str] = field(default_factory=list)  # the file's columns holding only yes/no values (fix24e)
    all_there: bool = False  # every row of the file was imported before: nothing to import
    swapped: bool = False  # the title and text columns look swapped (the preview offers to swap them)
    # new contributions marked in several yes/no theme columns: the column whose theme each took →
    # how many; and how many marks were dropped (a contribution gets one theme; fix24c)
    several: dict[str, int] = field(default_factory=dict)
    dropped: int = 0

    @property
    def several_problem(self) -> Problem | None:
        """"n Beiträge hatten mehrere Themen; übernommen wurde jeweils das erste …" (None if none)."""
        n = sum(self.several.values())
        if not n:
            return None
        columns = ", ".join(f"„{h.strip()}“ ({k})" for h, k in sorted(self.several.items(), key=lambda x: (-x[1], x[0])))
        return Problem(SEVERAL[n != 1], {"n": n, "columns": columns, "dropped": self.dropped})

    @property
    def theme_mapping(self) -> list[tuple[str, str, int, bool]]:
        """The theme column's values with the theme each goes to, its rows, and whether the value
        differs from the theme's name as written (matched without regard to case and spaces)."""
        return [(value, theme, n, value != theme) for value, (theme, n) in self.theme_values.items()]

    @property
    def counts(self) -> dict[str, int]:
        create = sum(p.action == "create" for p in self.items)
        return {"create": create, "unchanged": len(self.items) - create, "themes": len(self.new_themes),
                "located": sum(p.geometry is not None for p in self.items if p.action == "create")}


# the import's summary of rows with several themes (walk 24: collapsed to one without saying so)
SEVERAL = (gettext_noop("1 Beitrag hatte mehrere Themen (mehrere Ja/Nein-Spalten markiert); übernommen wurde jeweils "
                        "das erste – das der am seltensten markierten Spalte: %(columns)s; %(dropped)s weitere "
                        "Zuordnung(en) fielen weg."),
           gettext_noop("%(n)s Beiträge hatten mehrere Themen (mehrere Ja/Nein-Spalten markiert); übernommen wurde "
                        "jeweils das erste – das der am seltensten markierten Spalte: %(columns)s; %(dropped)s weitere "
                        "Zuordnungen fielen weg."))


def _text(cell: sheets.Cell | None) -> str:
    if cell is None or cell.value is None:
        return ""
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":  # Decidim's guard against formulas
        text = text[1:]
    return text


def _clean(text: str) -> str:
    import unicodedata

    if _HTML.search(text):
        text = strip_tags(re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.IGNORECASE))
    if _ENTITY.search(text):  # exported as HTML text ("sichern &amp; sichtbar", DIPAS): shown as plain text
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _short_title(text: str) -> str:
    """A title from a text: its first line, cut at a word before TITLE_MAX with "…"."""
    first = text.splitlines()[0].strip() if text else ""
    if len(first) <= TITLE_MAX:
        return first
    cut = first[:TITLE_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return (cut or first[:TITLE_MAX - 1]) + "…"


def _date(cell: sheets.Cell) -> datetime.datetime:
    value = cell.value
    if isinstance(value, datetime.datetime):
        dt = value
    elif isinstance(value, datetime.date):
        dt = datetime.datetime(value.year, value.month, value.day)
    else:
        text = _text(cell)
        m = _DE_DATE.match(text)
        if m:
            d, mo, y, h, mi, s = m.groups()
            dt = datetime.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        else:
            text = re.sub(r"\s*(?:UTC|Z)$", "+00:00", text)
            text = re.sub(r"\s+([+-]\d{2}):?(\d{2})$", r"\1:\2", text)
            dt = datetime.datetime.fromisoformat(text)
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


def _crs(text: str) -> SpatialReference | None:
    m = re.fullmatch(r"\s*(?:EPSG:)?\s*(\d{4,6})\s*", text or "", re.IGNORECASE)
    if not m:
        return None
    try:
        return SpatialReference(int(m.group(1)))
    except (GDALException, ValueError, TypeError):
        return None


def plan(phase: Phase, source: Source, mapping: Mapping) -> Plan:
    """What importing ``source`` into ``phase`` with ``mapping`` would do; nothing is written."""
    result = Plan(mapping, source.header, source.kind)
    problems, warnings = result.problems, result.warnings
    col = {h: i for i, h in enumerate(source.header)}
    for target, header in mapping.columns.items():
        if header not in col:
            problems.append(Problem(gettext_noop("Die Spalte „%(header)s“ (für %(target)s) fehlt in der Datei."),
                                    {"header": header, "target": _(LABELS[target])}))
    for header in mapping.theme_columns:
        if header not in col:
            problems.append(Problem(gettext_noop("Die Spalte „%(header)s“ (für %(target)s) fehlt in der Datei."),
                                    {"header": header, "target": _("Thema aus Ja/Nein-Spalten")}))
        elif len(header.strip()) > 100:
            problems.append(Problem(gettext_noop("Die Spalte „%(header)s“: ein Thema hat höchstens 100 Zeichen."),
                                    {"header": header[:100] + "…"}))
    if "theme" in mapping.columns and mapping.theme_columns:
        problems.append(Problem(gettext_noop("Bitte das Thema entweder einer Spalte oder Ja/Nein-Spalten entnehmen, "
                                             "nicht beidem.")))
    # a column mapped twice: two marks of one column, or a yes/no column that is also the text, title … (fix24e)
    targets_of = {header: target for target, header in mapping.columns.items()}
    for header, n in Counter(mapping.theme_columns).items():
        if n > 1:
            problems.append(Problem(gettext_noop("Die Spalte „%(header)s“ ist %(n)s-mal als Ja/Nein-Spalte gewählt; "
                                                 "bitte nur einmal (mit einem Thema)."), {"header": header, "n": n}))
        if header in targets_of and targets_of[header] != "theme":
            problems.append(Problem(gettext_noop("Die Spalte „%(header)s“ ist zweimal zugeordnet: für %(target)s und "
                                                 "als Ja/Nein-Spalte eines Themas. Bitte eines von beiden wählen."),
                                    {"header": header, "target": _(LABELS[targets_of[header]])}))
    if "text" not in mapping.columns:
        problems.append(Problem(gettext_noop("Keine Spalte ist dem Text der Beiträge zugeordnet.")))
    if ("x" in mapping.columns) != ("y" in mapping.columns):
        problems.append(Problem(gettext_noop("Für einen Ort braucht es beide Koordinaten: eine Spalte für die Länge "
                                             "bzw. den Rechtswert (x) und eine für die Breite bzw. den Hochwert (y).")))
    located = "x" in mapping.columns or source.kind == "geojson"
    srs = _crs(mapping.crs) if located else None
    if located and srs is None:
        problems.append(Problem(gettext_noop("Das Koordinatensystem „%(crs)s“ ist unbekannt; erwartet: ein EPSG-Code "
                                             "wie EPSG:4326 (Länge/Breite) oder EPSG:25832 (UTM 32N)."), {"crs": mapping.crs}))
    phase_themes = list(phase.themes.all())
    themes = ThemeNames(phase_themes)
    result.yes_no = [h for h in source.header if _yes_no(source, h)] if source.kind != "geojson" else []
    for h, i in col.items():
        if h in result.yes_no:
            continue
        distinct = {v for v in (_clean(_text(cells[i])).replace("\n", " ") for cells in source.rows if i < len(cells))
                    if v}
        if 0 < len(distinct) <= MAX_NEW_THEMES and all(len(v) <= 100 for v in distinct) \
                and len(distinct) < len(source.rows):
            result.column_values[h] = sorted(distinct, key=str.casefold)
    def theme_choices(choices: dict[str, str], unknown: str, name: str) -> dict[str, str]:
        """{column or value: the phase's theme the planner chose for it (German name)}; a theme the
        phase does not have is a problem (``unknown``, with ``name`` the column's or value's key)."""
        found_for = {}
        for key, wanted in choices.items():
            if not wanted.strip() or wanted == NEW:
                continue
            found = themes.get(theme_key(wanted))
            if found is None:
                problems.append(Problem(unknown, {name: key, "theme": wanted}))
            else:
                found_for[key] = found
        return found_for

    chosen = theme_choices(  # yes/no column → theme
        {h: w for h, w in mapping.column_themes.items() if h in mapping.theme_columns},
        gettext_noop("Die Ja/Nein-Spalte „%(header)s“ soll zum Thema „%(theme)s“, das es in dieser Phase nicht gibt."),
        "header")
    by_value = theme_choices(  # a value of the theme column → theme
        mapping.value_themes,
        gettext_noop("Der Wert „%(value)s“ der Themen-Spalte soll zum Thema „%(theme)s“, das es in dieser Phase nicht "
                     "gibt."), "value")
    new_by_value = {v for v, wanted in mapping.value_themes.items() if wanted == NEW}
    new_by_choice = {h for h, wanted in mapping.column_themes.items() if wanted == NEW and h in mapping.theme_columns}
    suggest = mapping.default_theme == SUGGEST
    default_theme = themes.get(theme_key(mapping.default_theme)) if mapping.default_theme and not suggest else None
    if mapping.default_theme and default_theme is None and not suggest:
        problems.append(Problem(gettext_noop("Das Thema „%(theme)s“ gibt es in dieser Phase nicht."),
                                {"theme": mapping.default_theme}))
    if not problems and "theme" in mapping.columns and _yes_no(source, mapping.columns["theme"]):
        # its values would become themes "1" and "0" (walk 24)
        problems.append(Problem(gettext_noop("Die Spalte „%(header)s“ enthält nur Ja/Nein-Werte (wie 0/1) – ist sie "
                                             "eine Ja/Nein-Spalte? Dann bitte sie unter „Thema aus Ja/Nein-Spalten“ "
                                             "wählen (mit den anderen Themen-Spalten); Themen „1“ und „0“ legt isek "
                                             "nicht an."), {"header": mapping.columns["theme"]}))
    if problems:
        # the mapping is wrong elsewhere, too: a swap of title and text is named all the same (fix24c)
        if "title" in mapping.columns and "text" in mapping.columns \
                and mapping.columns["title"] in col and mapping.columns["text"] in col:
            ti, xi = col[mapping.columns["title"]], col[mapping.columns["text"]]
            _swap_hint(result, mapping, [(len(_clean(_text(cells[ti])).replace("\n", " ")) > TITLE_MAX,
                                          len(_clean(_text(cells[xi]))) <= TITLE_MAX)
                                         for cells in source.rows if max(ti, xi) < len(cells)])
        return result
    allow_new = mapping.new_themes
    if "theme" in mapping.columns:
        i = col[mapping.columns["theme"]]
        values = {_clean(_text(cells[i])) for cells in source.rows if i < len(cells)} - {""}
        if allow_new is None:  # the file brings its own themes only if none of its values is the phase's
            allow_new = not any(v in by_value or themes.find(v) for v in values)
        mapping.new_themes = allow_new
    elif mapping.theme_columns:  # the same rule for yes/no columns: each column's name is a value (walk 24)
        if allow_new is None:
            allow_new = not any(h in chosen or themes.find(h) for h in mapping.theme_columns)
        mapping.new_themes = allow_new
    known = ", ".join(f"„{t.name_de}“" for t in phase_themes) or "–"

    # yes/no theme columns: a row's theme is its marked column marked least often in the file
    marks = {h: sum(_text(cells[col[h]]).lower() in YES for cells in source.rows if col[h] < len(cells))
             for h in mapping.theme_columns}
    specific = sorted(mapping.theme_columns, key=lambda h: (marks[h], mapping.theme_columns.index(h)))
    resolved = {h: chosen.get(h) or themes.find(h.strip()) or h.strip() for h in mapping.theme_columns}
    transform = None
    if located and srs.srid != 4326:
        transform = CoordTransform(srs, SpatialReference(4326))
    area = phase.area()
    prepared = area.prepared if area is not None else None
    existing = set(Idea.objects.filter(phase=phase).exclude(source_key="").values_list("source_key", flat=True))
    far: list[GEOSGeometry] = []  # the places outside the phase's area (for the hint what to do)
    placed = 0  # the rows with a usable place
    url_ok = URLValidator(schemes=["http", "https"])
    first_row: dict[str, int] = {}
    new_themes: dict[str, str] = {}
    no_theme: list[int] = []
    shortened: list[int] = []
    placeless: list[int] = []
    marked_new: Counter[str] = Counter()
    unmatched: Counter[str] = Counter()  # yes/no columns naming no theme of the phase → their new rows
    lengths: list[tuple[bool, bool]] = []  # per new row with title and text: title too long, text short
    columns_used: Counter[str] = Counter()  # per yes/no theme column: the new contributions it gives its theme

    def cell(cells, target) -> sheets.Cell | None:
        return cells[col[mapping.columns[target]]] if target in mapping.columns else None

    def at(c, target, msgid, **params) -> Problem:
        return Problem(msgid, {"where": Where(c.row, mapping.columns[target], c.ref), **params}, row=c.row, field=target)

    for index, cells in enumerate(source.rows):
        row = cells[0].row if cells else index + 1
        if row in source.short:  # fix24e: taken as if its last cells were empty, silently
            problems.append(_short_row(row, source.short[row], source.header))
            continue
        bad = len(problems)
        text_cell = cell(cells, "text")
        text = _clean(_text(text_cell))
        title_cell = cell(cells, "title")
        title = _clean(_text(title_cell)).replace("\n", " ") if title_cell is not None else ""
        long_title = len(title) > TITLE_MAX
        title = _short_title(title or text)
        external = _text(cell(cells, "external_id"))
        url_cell = cell(cells, "url")
        url = _text(url_cell)
        if external:
            key = f"id:{external}"
        elif url:  # a long address (tracking parameters) by its hash: the key has KEY_MAX characters
            key = f"url:{url}" if len(url) <= KEY_MAX - 4 else "url#" + hashlib.sha256(url.encode()).hexdigest()
        else:
            key = "text:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:40]
        if key in existing and key not in first_row:
            # imported before: stays as it is, so it is not checked as a new one (walk 24: a second
            # import of the same file was refused for 126 rows "without a theme")
            first_row[key] = row
            result.items.append(Planned(row, key, title, text, "", url=url, external_id=external, action="unchanged"))
            continue
        if title_cell is not None and text_cell is not None:
            lengths.append((long_title, len(text) <= TITLE_MAX))
        if not text:
            problems.append(at(text_cell, "text", gettext_noop("%(where)s: der Text fehlt.")))
        elif len(text) > TEXT_MAX:
            problems.append(at(text_cell, "text", gettext_noop("%(where)s: der Text ist %(n)s Zeichen lang; erlaubt "
                                                               "sind höchstens %(max)s."), n=len(text), max=TEXT_MAX))
        if long_title:
            shortened.append(row)
        if len(external) > KEY_MAX - 3:
            problems.append(at(cell(cells, "external_id"), "external_id", gettext_noop("%(where)s: die Kennung ist länger "
                                                                                      "als %(max)s Zeichen."), max=KEY_MAX - 3))
        if url:
            try:
                if len(url) > URL_MAX:
                    raise ValidationError("long")
                url_ok(url)
            except ValidationError:
                problems.append(at(url_cell, "url", gettext_noop("%(where)s: „%(value)s“ ist keine Adresse (http:// "
                                                                 "oder https://, höchstens %(max)s Zeichen)."),
                                   value=url[:80], max=URL_MAX))
        if key in first_row:
            c = cell(cells, "external_id") or url_cell or text_cell
            target = "external_id" if external else "url" if url else "text"
            problems.append(at(c, target, gettext_noop("%(where)s: derselbe Beitrag (%(key)s) steht schon in Zeile "
                                                       "%(other)s."), key=external or url or _("gleicher Titel und Text"),
                               other=first_row[key]))
        else:
            first_row[key] = row
        date = None
        date_cell = cell(cells, "date")
        if date_cell is not None and date_cell.value not in (None, ""):
            try:
                date = _date(date_cell)
            except (ValueError, TypeError, OverflowError):
                problems.append(at(date_cell, "date", gettext_noop("%(where)s: „%(value)s“ ist kein Datum (erwartet z. B. "
                                                                   "31.12.2024, 2024-12-31 oder 2024-12-31T18:00:00+01:00)."),
                                   value=_text(date_cell)[:40]))
        theme_cell = cell(cells, "theme")
        theme_text = _clean(_text(theme_cell)).replace("\n", " ")
        column = None
        if specific:
            column = next((h for h in specific if col[h] < len(cells) and _text(cells[col[h]]).lower() in YES), None)
            theme_text = column.strip() if column is not None else ""
        if theme_text:
            theme = chosen.get(column) if column is not None else by_value.get(theme_text)
            theme = theme or (themes.find(theme_text) if column is not None or theme_text not in new_by_value else None)
            if theme is None and column is None and theme_text in new_by_value:
                theme = new_themes.setdefault(theme_key(theme_text), theme_text)
            elif theme is None and column in new_by_choice:
                theme = new_themes.setdefault(theme_key(theme_text), theme_text)
            elif theme is None and column is not None and not allow_new:
                theme = ""  # one problem for the column, after the rows
                unmatched[column] += 1
            elif theme is None and not allow_new:
                problems.append(at(theme_cell, "theme", gettext_noop(
                    "%(where)s: das Thema „%(value)s“ gibt es in dieser Phase nicht; ihre Themen: %(themes)s. Soll es "
                    "ein neues Thema werden, bitte „Themen, die es in der Phase nicht gibt, neu anlegen“ wählen."),
                    value=theme_text[:80], themes=known))
                theme = ""
            elif theme is None:
                theme = new_themes.setdefault(theme_key(theme_text), theme_text)
            if len(theme) > 100 and theme_cell is not None:
                problems.append(at(theme_cell, "theme", gettext_noop("%(where)s: ein Thema hat höchstens 100 Zeichen.")))
            elif theme and column is None:
                _theme, n = result.theme_values.get(theme_text, (theme, 0))
                result.theme_values[theme_text] = (theme, n + 1)
        elif default_theme:
            theme = default_theme
        elif suggest:
            theme = ""  # without a theme: isek suggests one
        else:
            theme = ""
            no_theme.append(row)
        author_cell = cell(cells, "author")
        author = _clean(_text(author_cell)).replace("\n", " ")
        if "@" in author:
            problems.append(at(author_cell, "author", gettext_noop("%(where)s: der Name sieht wie eine E-Mail-Adresse "
                                                                   "aus; isek übernimmt keine E-Mail-Adressen.")))
        elif len(author) > NAME_MAX:
            problems.append(at(author_cell, "author", gettext_noop("%(where)s: der Name ist länger als %(max)s Zeichen."),
                               max=NAME_MAX))
        geometry, place_problem = _place(source, index, cells, cell, at, transform, prepared, mapping,
                                         far if key not in existing else [])
        placed += geometry is not None
        if place_problem and key not in existing:  # one imported before stays as it is
            if mapping.without_bad_places:
                placeless.append(row)
            else:
                problems.extend(place_problem if isinstance(place_problem, list) else [place_problem])
        if len(problems) > bad:
            continue
        result.items.append(Planned(row, key, title, text, theme, author, url, external, date, geometry,
                                    "unchanged" if key in existing else "create"))
        if column is not None:
            columns_used[column] += 1
            result.column_themes[column] = theme
            also = sum(1 for h in specific if h != column and col[h] < len(cells) and _text(cells[col[h]]).lower() in YES
                       and theme_key(resolved[h]) != theme_key(theme))  # two columns to one theme: no second one
            if also:  # several themes marked: the first of the more specific columns is taken
                result.several[column] = result.several.get(column, 0) + 1
                result.dropped += also
        for h in mapping.theme_columns:  # the marks of the new rows (the notice below)
            if col[h] < len(cells) and _text(cells[col[h]]).lower() in YES:
                marked_new[h] += 1
    if not mapping.source.strip():
        problems.append(Problem(gettext_noop("Bitte die Quelle angeben (Plattform oder Datei).")))
    if not mapping.licence.strip():
        problems.append(Problem(gettext_noop("Bitte die Lizenz angeben, unter der die Beiträge veröffentlicht wurden "
                                             "(z. B. „CC BY 4.0“); isek zeigt sie bei jedem Beitrag.")))
    for what, value, limit in ((_("Quelle"), mapping.source, 200), (_("Lizenz"), mapping.licence, 200),
                               (_("Namensnennung"), mapping.credit, 500)):
        if len(value.strip()) > limit:
            problems.append(Problem(gettext_noop("%(what)s: höchstens %(max)s Zeichen."), {"what": what, "max": limit}))
    if no_theme:
        problems.append(rows_problem(no_theme, gettext_noop("Zeile %(rows)s: kein Thema; bitte die Spalte mit dem Thema zuordnen "
                                                     "oder ein Thema für alle Zeilen ohne eigenes wählen – oder „ohne "
                                                     "Thema (isek schlägt vor)“."),
                              gettext_noop("Zeilen %(rows)s: kein Thema; bitte die Spalte mit dem Thema zuordnen oder "
                                           "ein Thema für alle Zeilen ohne eigenes wählen – oder „ohne Thema (isek "
                                           "schlägt vor)“.")))
    if len(new_themes) > MAX_NEW_THEMES:
        problems.append(Problem(gettext_noop("Die Spalte „%(header)s“ hat %(n)s verschiedene Themen; höchstens %(max)s "
                                             "werden neu angelegt. Ist es die richtige Spalte?"),
                                {"header": mapping.columns.get("theme", ""), "n": len(new_themes), "max": MAX_NEW_THEMES}))
    if shortened:
        warnings.append(rows_problem(shortened, gettext_noop("Zeile %(rows)s: der Titel ist länger als %(max)s Zeichen und wird "
                                                      "gekürzt („…“)."),
                              gettext_noop("Zeilen %(rows)s: der Titel ist länger als %(max)s Zeichen und wird gekürzt "
                                           "(„…“)."), max=TITLE_MAX))
    if placeless:
        warnings.append(rows_problem(placeless, gettext_noop("Zeile %(rows)s: der Ort ist nicht verwendbar; dieser Beitrag wird "
                                                      "ohne Ort übernommen."),
                              gettext_noop("Zeilen %(rows)s: der Ort ist nicht verwendbar; diese Beiträge werden ohne "
                                           "Ort übernommen.")))
    outside = [p.row for p in result.items if p.action == "create" and p.date is not None
               and not phase.start <= p.date <= phase.end]
    if outside:
        result.outside_period = len(outside)
        one = gettext_noop("1 Beitrag hat ein Datum außerhalb des Zeitraums der Phase (%(start)s–%(end)s): Zeile "
                           "%(rows)s. Er wird mit seinem Datum übernommen (importierte Beiträge können älter als die "
                           "Phase sein).")
        many = gettext_noop("%(n)s Beiträge haben ein Datum außerhalb des Zeitraums der Phase (%(start)s–%(end)s): "
                            "Zeilen %(rows)s. Sie werden mit ihrem Datum übernommen (importierte Beiträge können älter "
                            "als die Phase sein).")
        warnings.append(Problem(one if len(outside) == 1 else many,
                                {"n": len(outside), "rows": row_spans(outside), "start": Day(phase.start),
                                 "end": Day(phase.end)}))
    for h, n in unmatched.items():
        one = gettext_noop("Die Ja/Nein-Spalte „%(header)s“ (1 neuer Beitrag) ist kein Thema dieser Phase; ihre "
                           "Themen: %(themes)s. Soll sie ein neues Thema werden, bitte „Themen, die es in der Phase "
                           "nicht gibt, neu anlegen“ wählen.")
        many = gettext_noop("Die Ja/Nein-Spalte „%(header)s“ (%(n)s neue Beiträge) ist kein Thema dieser "
                            "Phase; ihre Themen: %(themes)s. Soll sie ein neues Thema werden, bitte "
                            "„Themen, die es in der Phase nicht gibt, neu anlegen“ wählen.")
        problems.append(Problem(one if n == 1 else many,
                                {"header": h.strip(), "n": n, "themes": known}))
    problems[:0] = _summaries(problems)
    if far and not mapping.without_bad_places:
        problems.insert(0, _outside_hint(phase, area, far, placed + len(far)))
    used = {p.theme for p in result.items if p.action == "create"}
    # by the column, not the theme's name: a column matching a phase's theme by its English name
    # gives its rows the German one (walk 16: "walking" with 145 rows was said to get none)
    result.column_counts = {h: columns_used[h] for h in mapping.theme_columns}
    # a column marked in new rows only where a more specific one is marked too; marks in rows
    # imported before are no reason (walk 24: a second import said so of every column)
    unused = [h.strip() for h in mapping.theme_columns if marked_new[h] and not columns_used[h]]
    if unused:
        warnings.append(Problem(gettext_noop("Die Ja/Nein-Spalten %(columns)s bekommen keinen Beitrag: jeder dort "
                                             "markierte ist auch in einer spezielleren (seltener markierten) Spalte "
                                             "markiert und kommt zu deren Thema."),
                                {"columns": ", ".join(f"„{h}“" for h in unused)}))
    # a theme proposed by its lemmas only, for a column or value whose contributions take it: named,
    # to be checked (fix24i: "Ampel" → "Ampeln" is likely, "Bänke" → "Bank" may be another bank)
    by_column = {h.strip(): t for h, t in result.column_themes.items()}
    near = {name: theme for name, theme in themes.near.items()
            if by_column.get(name) == theme or result.theme_values.get(name, ("",))[0] == theme}
    if near:
        warnings.append(Problem(gettext_noop("Nur nach der Wortform (Einzahl/Mehrzahl) zugeordnet, bitte prüfen: "
                                             "%(pairs)s. Ist ein anderes Thema gemeint, bitte es in der Zuordnung "
                                             "wählen."),
                                {"pairs": ", ".join(f"„{n}“ → „{t}“" for n, t in sorted(near.items()))}))
    if result.several:
        warnings.append(result.several_problem)
    if result.items and all(p.action == "unchanged" for p in result.items):
        result.all_there = True
        warnings.insert(0, Problem(gettext_noop("Alle %(n)s Beiträge sind schon in dieser Phase, nichts wird importiert."),
                                   {"n": len(result.items)}))
    _swap_hint(result, mapping, lengths)
    _text_column_hint(result, mapping, [p.text for p in result.items if p.action == "create"])
    result.new_themes = [t for t in new_themes.values() if t in used]
    return result


_NOT_WORDS = re.compile(r"[\d\s.,:;/+\-–TZ]*")  # a number, an id, a date or time: no letters but T/Z
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)  # a web address and nothing else


def _text_column_hint(result: Plan, mapping: Mapping, texts: list[str]) -> None:
    """A warning when most texts (more than half) are numbers, dates, ids or web addresses, or all are
    one word: the chosen text column is probably the wrong one (fix24g: an id column chosen as the text
    was imported without a word; fix24i: the column of the contributions' URLs, too). The example is
    the first such text."""
    if not texts:
        return
    odd = [t for t in texts if _NOT_WORDS.fullmatch(t) or _URL.fullmatch(t.strip())]
    short = sum(len(t.split()) == 1 and len(t) <= 25 for t in texts)
    if len(odd) * 2 > len(texts) or short == len(texts) and len(texts) >= 3:
        result.warnings.append(Problem(gettext_noop(
            "Die Texte der Spalte „%(header)s“ sind meist Zahlen, Daten, Kennungen oder Web-Adressen oder nur ein "
            "Wort (z. B. „%(example)s“) – ist es die richtige Spalte für den Text der Beiträge?"),
            {"header": mapping.columns.get("text", ""), "example": (odd or texts)[0][:60]}))


def _short_row(row: int, have: int, header: list[str]) -> Problem:
    """A row with fewer cells than the header: which columns it lacks (the first five named). Such
    a row is refused, not read with empty cells: a line break or separator outside quotes in the
    text above, or a cut-off line, would shift or drop the row's values (fix24e)."""
    missing = header[have:]
    names = ", ".join(f"„{h}“" for h in missing[:5]) + (" …" if len(missing) > 5 else "")
    return Problem(gettext_noop("Zeile %(n)s hat nur %(have)s von %(of)s Spalten; es fehlen %(missing)s. Ist die Zeile "
                                "abgeschnitten, oder steht in einem Text ein Zeilenumbruch oder Trennzeichen ohne "
                                "Anführungszeichen? Bitte die Zeile in der Datei vervollständigen."),
                   {"n": row, "have": have, "of": len(header), "missing": names}, row=row)


def _swap_hint(result: Plan, mapping: Mapping, lengths: list[tuple[bool, bool]]) -> None:
    """Name a likely swap of title and text, first among the hints (shown beside the problems, with
    the button that swaps them): most titles too long for a title, most texts short enough for one
    (walk 24: 90 rows). Also when other columns are wrong (fix24c: the check returned before)."""
    swapped = sum(long and short for long, short in lengths)
    if not lengths or swapped * 2 <= len(lengths):
        return
    result.swapped = True
    hint = Problem(gettext_noop("Titel und Text scheinen vertauscht: in %(n)s von %(m)s Zeilen ist der "
                                "Titel (Spalte „%(title)s“) länger als %(max)s Zeichen und der Text "
                                "(Spalte „%(text)s“) kürzer. Bitte die Zuordnung prüfen."),
                   {"n": swapped, "m": len(lengths), "title": mapping.columns["title"],
                    "text": mapping.columns["text"], "max": TITLE_MAX})
    result.warnings.insert(0, hint)


def _flat(geometry: dict) -> dict:
    """A GeoJSON geometry with each position cut to its first two values (longitude, latitude)."""
    def cut(c):
        return [cut(x) for x in c] if isinstance(c, list) and c and isinstance(c[0], list) else list(c)[:2]

    return {**geometry, "coordinates": cut(geometry["coordinates"])} if "coordinates" in geometry else geometry


def _place(source, index, cells, cell, at, transform, prepared, mapping, far):
    """The row's place (WGS84) or None, and the problem with it, if any (a list: both coordinates);
    a place outside the phase's area is added to ``far``."""
    if source.kind == "geojson":
        raw = source.geometries[index]
        if raw is None:
            return None, None
        try:
            g = GEOSGeometry(json.dumps(_flat(raw)), srid=4326)  # a height, if given, is dropped: the places are 2D
        except (GEOSException, GDALException, ValueError, TypeError, AttributeError):
            return None, Problem(gettext_noop("Objekt %(n)s: die Geometrie ist ungültig."), {"n": index + 1}, row=index + 1)
        if g.geom_type not in ("Point", "LineString", "Polygon") or g.empty or g.num_coords > MAX_VERTICES or not g.valid:
            return None, Problem(gettext_noop("Objekt %(n)s: ein Ort ist ein Punkt, eine Linie oder eine Fläche (höchstens "
                                              "%(max)s Punkte, ohne Selbstüberschneidung)."), {"n": index + 1, "max": MAX_VERTICES},
                                 row=index + 1)
        if transform is None:  # as a table's coordinates (fix24i: lon 6921 ended in a 500, lon 200 was "8013 km" away)
            bad = _out_of_range(index, g.coords, mapping)
            if bad:
                return None, bad
        where, target = None, None
    else:
        xc, yc = cell(cells, "x"), cell(cells, "y")
        if xc is None or (xc.value in (None, "") and yc.value in (None, "")):
            return None, None
        values, bad = [], []
        for c, target in ((xc, "x"), (yc, "y")):
            try:
                values.append(float(sheets.number(c.value)))
            except ValueError:  # each coordinate named (walk 24: problems came one at a time)
                bad.append(at(c, target, gettext_noop("%(where)s: „%(value)s“ ist keine Koordinate (eine Zahl)."),
                              value=_text(c)[:40]))
        if bad:
            return None, bad
        x, y = values
        if transform is None and not (-180 <= x <= 180 and -90 <= y <= 90):
            return None, [at(c, target, gettext_noop("%(where)s: %(value)s ist keine Länge (−180 bis 180) oder Breite "
                                                     "(−90 bis 90) in %(crs)s."), value=_text(c), crs=mapping.crs)
                          for c, target, ok in ((xc, "x", -180 <= x <= 180), (yc, "y", -90 <= y <= 90)) if not ok]
        g = Point(x, y, srid=4326)
        where, target = xc, "x"
    if transform is not None:
        try:
            g.transform(transform)
            g.srid = 4326
        except (GEOSException, GDALException):
            return None, _outside(where, target, at, index, mapping)
        if not all(_on_earth(x, y) for x, y in _positions(g.coords)):  # a far place the projection mapped anywhere
            return None, _outside(where, target, at, index, mapping)
    if prepared is not None and not prepared.contains(g):
        far.append(g)
        return None, _outside(where, target, at, index, mapping)
    return g, None


def _positions(coords):
    """The (x, y) positions of a geometry's ``coords`` (a point's, a line's or a polygon's rings)."""
    if coords and isinstance(coords[0], (int, float)):
        yield coords[0], coords[1]
    else:
        for c in coords:
            yield from _positions(c)


def _on_earth(x: float, y: float) -> bool:
    return -180 <= x <= 180 and -90 <= y <= 90  # false for NaN and infinity too


def _out_of_range(index: int, coords, mapping) -> list[Problem]:
    """A GeoJSON feature's first longitude and first latitude out of range, each named with the
    feature ("Objekt 3"), as a table's cell is (fix24i)."""
    positions = list(_positions(coords))
    bad = []
    x = next((x for x, _y in positions if not -180 <= x <= 180), None)
    if x is not None:
        bad.append(Problem(gettext_noop("Objekt %(n)s: %(value)s ist keine Länge (−180 bis 180) in %(crs)s."),
                           {"n": index + 1, "value": f"{x:g}", "crs": mapping.crs}, row=index + 1))
    y = next((y for _x, y in positions if not -90 <= y <= 90), None)
    if y is not None:
        bad.append(Problem(gettext_noop("Objekt %(n)s: %(value)s ist keine Breite (−90 bis 90) in %(crs)s."),
                           {"n": index + 1, "value": f"{y:g}", "crs": mapping.crs}, row=index + 1))
    return bad


@dataclass(frozen=True)
class Km:
    """A distance as a parameter of a problem: kilometres, in the format of the page's language."""

    value: float

    def in_language(self, language=None) -> str:
        from django.utils import formats

        return formats.number_format(self.value, 1 if self.value < 10 else 0, use_l10n=True)


def _outside_hint(phase: Phase, area, far: list, rows: int) -> Problem:
    """The file's places outside the phase's area: how many, how far (km, the nearest and the
    farthest: geodesic, on the WGS84 ellipsoid, between the nearest points), and how to go on (minor24:
    a Köln file in a phase whose area was the funding area was refused row by row, with no word what
    to do). Any place within −180..180, −90..90 is measured; no projection is involved (fix24i: an
    ETRS89-LAEA transform failed far from Europe, e.g. at 170° W 52° S, and answered 500)."""
    target = shapely.from_wkb(bytes(area.wkb))
    km = []
    for g in far:
        a, b = shapely.ops.nearest_points(shapely.from_wkb(bytes(g.wkb)), target)
        km.append(_GEOD.inv(a.x, a.y, b.x, b.y)[2] / 1000)
    km.sort()
    own = phase.polygon is not None
    msgid = (gettext_noop("%(n)s von %(m)s Orten liegen außerhalb des Gebiets der Phase für Ideen, der nächste etwa "
                          "%(near)s km, der fernste etwa %(far)s km davon entfernt; nichts wurde importiert. Stimmen "
                          "die Orte, bitte das Gebiet der Phase erweitern (Phase bearbeiten, „Gebiet für Ideen“) und "
                          "erneut importieren; sonst „Beiträge mit unbrauchbarem Ort ohne Ort übernehmen“ wählen oder "
                          "die Spalten der Koordinaten auf „– keine –“ stellen, um ohne Orte zu importieren.")
             if own else
             gettext_noop("%(n)s von %(m)s Orten liegen außerhalb des Fördergebiets des Konzepts (die Phase hat kein "
                          "eigenes Gebiet für Ideen, es gilt das Fördergebiet), der nächste etwa %(near)s km, der "
                          "fernste etwa %(far)s km davon entfernt; nichts wurde importiert. Stimmen die Orte, bitte "
                          "der Phase ein größeres Gebiet für Ideen geben (Phase bearbeiten, „Gebiet für Ideen“) und "
                          "erneut importieren; sonst „Beiträge mit unbrauchbarem Ort ohne Ort übernehmen“ wählen oder "
                          "die Spalten der Koordinaten auf „– keine –“ stellen, um ohne Orte zu importieren."))
    return Problem(msgid, {"n": len(far), "m": rows, "near": Km(km[0]), "far": Km(km[-1])})


def _outside(where, target, at, index, mapping) -> Problem:
    if where is None:
        return Problem(gettext_noop("Objekt %(n)s: der Ort liegt außerhalb des Gebiets dieser Beteiligung. Stimmt das "
                                    "Koordinatensystem (%(crs)s)?"), {"n": index + 1, "crs": mapping.crs}, row=index + 1)
    return at(where, target, gettext_noop("%(where)s: der Ort liegt außerhalb des Gebiets dieser Beteiligung. Stimmen das "
                                          "Koordinatensystem (%(crs)s) und die Reihenfolge von x und y?"), crs=mapping.crs)
