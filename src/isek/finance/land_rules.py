"""The funding rules of the 16 Länder as data (no Django).

fixtures/land_rules.json holds, per Land (by the AGS prefix), what isek knows of its rules for the
federal programmes of the VV Städtebauförderung: the guideline (name, date, citation, source URL),
the names of the programmes in that Land, the standard rate and range where public, the outline of
the ISEK in an application, the procedure and the authority – each with its source. What is not
known is empty (no rate is guessed); a Land without a guideline is reported as "rules unknown",
and its ISEK follows isek's general outline (docs/decisions/0020-land-rules-as-data.md).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from isek.core import numbers

FIXTURE = Path(__file__).with_name("fixtures") / "land_rules.json"
COUNCILS = Path(__file__).with_name("fixtures") / "council_words.json"
APPLICATIONS = Path(__file__).with_name("fixtures") / "application_words.json"


@dataclass(frozen=True)
class Source:
    name: str
    citation: str
    url: str
    date: datetime.date | None = None


@dataclass(frozen=True)
class CostCatalogue:
    """A catalogue of cost groups (Fördergegenstände): a Land's own where isek knows it, otherwise
    isek's general one, which carries no Land's numbering."""

    key: str  # "nrw-frl-2023", "general"
    name: str
    source: str
    groups: tuple[tuple[str, str], ...] = ()  # (number, name); the Land catalogues' groups are in the database
    from_nrw: dict[str, str] | None = None  # NRW section → general group (data migration of old concepts)
    name_en: str = ""  # the name in English (the source, a legal citation, stays German)
    groups_en: dict[str, str] | None = None  # number → the group's name in English
    disposition_fund_groups: tuple[str, ...] = ()  # the groups that are a Verfügungsfonds (checked by the KuF)
    note: str = ""  # e.g. that the sub-items' numbers are illustrative, in German and English
    note_en: str = ""
    source_en: str = ""  # the source in English where it is prose, not a citation (the general catalogue's)
    # where the disposition fund groups hold other funds too (the general catalogue's "4 Verfügungsfonds
    # und andere Fonds"): why the KuF checks only the measures that are a Verfügungsfonds ("" = all)
    disposition_fund_shared: str = ""

    def title(self, language: str) -> str:
        """The catalogue's name in ``language`` ("de", "en"; German where it has none)."""
        return self.name_en if language == "en" and self.name_en else self.name

    def source_in(self, language: str) -> str:
        """The catalogue's source in ``language`` ("de", "en"; German where it has none: a citation)."""
        return self.source_en if language == "en" and self.source_en else self.source

    def note_in(self, language: str) -> str:
        """The catalogue's note in ``language`` ("de", "en"; German where it has none)."""
        return self.note_en if language == "en" and self.note_en else self.note

    def group_name(self, number: str, german: str, language: str) -> str:
        """The name of group ``number`` (``german`` in the database) in ``language``."""
        return (self.groups_en or {}).get(number, german) if language == "en" else german


GENERAL_CATALOGUE = "general"


@dataclass(frozen=True)
class DispositionFund:
    """The federal rule on a Verfügungsfonds: at most ``max_share`` % of it from Städtebauförderung,
    in general; up to 100 % in the ``full_programmes``. ``short``: the citation a check names."""

    max_share: Decimal
    full_programmes: tuple[str, ...]
    source: str
    short: str


@dataclass(frozen=True)
class CityState:
    """A city-state, where the Land is the Gemeinde (Berlin, Hamburg; in Bremen the city of Bremen,
    not Bremerhaven): the words that replace the municipal ones – ``words`` key → {language → text}
    for "municipality" (the own share), "land" (the Land's part of the grant), "decision" (in place
    of "Ratsbeschluss"), "decision_date" and "decision_missing" –, for the municipality keys
    starting with ``ags_prefix``, and the constitution that says so."""

    ags_prefix: str
    words: dict[str, dict[str, str]]
    source: str


@dataclass(frozen=True)
class Call:
    """One call for applications of a Land with its dates (the first and the last day)."""

    start: datetime.date
    end: datetime.date
    source: str = ""


@dataclass(frozen=True)
class Calls:
    """Where the Land's calls stand on a day: the last one that has ended (None if none) and the
    next or running one (None where the data does not know it yet)."""

    past: Call | None
    next: Call | None
    running: bool = False  # the next one has started


@dataclass(frozen=True)
class LandRules:
    key: str  # AGS prefix, e.g. "09"
    land: str  # the Land's name
    guideline: Source | None  # None: isek knows no rules of this Land
    federal_basis: Source
    programmes: dict[str, str]  # programme code → its name in this Land
    rate_standard: Decimal | None = None
    rate_min: Decimal | None = None
    rate_max: Decimal | None = None
    rate_step: Decimal | None = None
    rates_source: str = ""
    authority: str = ""
    authority_source: str = ""
    land_outline: tuple[str, ...] = ()  # the Land's outline of the ISEK in an application; () = unknown
    general_outline: tuple[str, ...] = ()
    max_pages: int | None = None
    outline_source: str = ""
    procedure: tuple[str, ...] = ()
    procedure_source: str = ""
    authority_en: str = ""  # the authority and the steps of the procedure in English (German where none)
    procedure_en: tuple[str, ...] = ()
    calls: tuple[Call, ...] = ()  # the calls for applications with dates, oldest first
    cost_catalogue: str = GENERAL_CATALOGUE  # key of the catalogue of cost groups used in this Land
    city_state: CityState | None = None  # the Land is (also) the Gemeinde of the keys it names

    @property
    def known(self) -> bool:
        return self.guideline is not None

    @property
    def outline(self) -> tuple[str, ...]:
        """The Land's outline where isek knows it, otherwise the general one – never another Land's."""
        return self.land_outline or self.general_outline

    @property
    def has_range(self) -> bool:
        return self.rate_min is not None and self.rate_max is not None

    def programme(self, code: str) -> str:
        return self.programmes.get(code, "")

    def authority_in(self, language: str) -> str:
        """The approving authority in ``language`` ("de", "en"; German where there is no English)."""
        return self.authority_en if language == "en" and self.authority_en else self.authority

    def procedure_in(self, language: str) -> tuple[str, ...]:
        """The steps of the procedure in ``language`` ("de", "en"; German where there is no English)."""
        return self.procedure_en if language == "en" and self.procedure_en else self.procedure

    def calls_on(self, day: datetime.date) -> Calls | None:
        """Where the calls for applications stand on ``day``; None where the data knows no dates."""
        if not self.calls:
            return None
        ended = [c for c in self.calls if c.end < day]
        coming = [c for c in self.calls if c.end >= day]
        return Calls(ended[-1] if ended else None, coming[0] if coming else None,
                     bool(coming) and coming[0].start <= day)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


@cache
def _all() -> dict[str, LandRules]:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    federal = Source(**data["federal_basis"])
    general = tuple(data["general_outline"])
    out = {}
    for e in data["laender"]:
        g = e.get("guideline")
        rates = e.get("rates") or {}
        out[e["key"]] = LandRules(
            key=e["key"], land=e["name"], federal_basis=federal, general_outline=general,
            guideline=Source(g["name"], g["citation"], g["url"], datetime.date.fromisoformat(g["date"])) if g else None,
            programmes=dict(e["programmes"]),
            rate_standard=_decimal(rates.get("standard")), rate_min=_decimal(rates.get("min")),
            rate_max=_decimal(rates.get("max")), rate_step=_decimal(rates.get("step")), rates_source=rates.get("source", ""),
            authority=e.get("authority", ""), authority_source=e.get("authority_source", ""),
            land_outline=tuple(e.get("outline") or ()), max_pages=e.get("max_pages"),
            outline_source=e.get("outline_source", ""),
            procedure=tuple(e.get("procedure") or ()), procedure_source=e.get("procedure_source", ""),
            authority_en=e.get("authority_en", ""), procedure_en=tuple(e.get("procedure_en") or ()),
            calls=tuple(sorted((Call(datetime.date.fromisoformat(c["start"]), datetime.date.fromisoformat(c["end"]),
                                     c.get("source", "")) for c in e.get("calls") or ()), key=lambda c: c.start)),
            cost_catalogue=e.get("cost_groups", GENERAL_CATALOGUE),
            city_state=CityState(**e["city_state"]) if e.get("city_state") else None,
        )
    return out


@cache
def _catalogues() -> dict[str, CostCatalogue]:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {k: CostCatalogue(k, c["name"], c["source"], tuple(tuple(g) for g in c.get("groups", ())), c.get("from_nrw"),
                             c.get("name_en", ""), c.get("groups_en"), tuple(c.get("disposition_fund_groups", ())),
                             c.get("note", ""), c.get("note_en", ""), c.get("source_en", ""),
                             c.get("disposition_fund_shared", ""))
            for k, c in data["cost_group_catalogues"].items()}


@cache
def _checks() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["kuf_checks"]


def disposition_fund() -> DispositionFund:
    """The Verfügungsfonds rule of the VV Städtebauförderung, with its source."""
    r = _checks()["disposition_fund"]
    return DispositionFund(Decimal(r["max_share"]), tuple(r["full_programmes"]), r["source"], r["short"])


def third_party_source() -> str:
    """What the check naming third-party money before the eligible costs cites (a hint to verify)."""
    return _checks()["third_party_first"]["source"]


def catalogue(key: str) -> CostCatalogue | None:
    """The catalogue ``key`` (None for one the data does not have)."""
    return _catalogues().get(key)


def catalogue_for_ags(ags: str) -> CostCatalogue:
    """The cost-group catalogue of the Land of ``ags``: its own where isek knows it, otherwise the
    general one – never another Land's."""
    rules = for_ags(ags)
    return catalogue(rules.cost_catalogue if rules else GENERAL_CATALOGUE)


def every() -> list[LandRules]:
    """All 16 Länder in the order of their keys."""
    return [r for _k, r in sorted(_all().items())]


def for_ags(ags: str) -> LandRules | None:
    """The rules of the Land of an official municipality key (None for an unknown prefix)."""
    return _all().get((ags or "")[:2])


@cache
def _councils() -> dict[str, dict]:
    return {k: v for k, v in json.loads(COUNCILS.read_text(encoding="utf-8")).items() if not k.startswith("_")}


def council(ags: str) -> dict | None:
    """How the Gemeindeordnung of the Land of ``ags`` names the council where it is not a "Rat"
    (fixtures/council_words.json: ``words`` for "decision", "decision_date", "decision_missing" and
    the ``source``); the longest matching AGS prefix; None where the default words hold."""
    found = [k for k in _councils() if (ags or "").startswith(k)]
    return _councils()[max(found, key=len)] if found else None


def wording(ags: str, language: str) -> dict[str, str]:
    """The words for the municipality key ``ags`` in ``language`` ("de", "en"; German where the
    language has none), keyed as ``CityState.words``: a city-state's own, else the council's name of
    the Land's Gemeindeordnung (``council``); {} where the general words hold."""
    rules = for_ags(ags)
    cs = rules.city_state if rules else None
    if cs is not None and (ags or "").startswith(cs.ags_prefix):
        words = cs.words
    elif (found := council(ags)) is not None:
        words = found["words"]
    else:
        return {}
    return {k: texts.get(language) or texts["de"] for k, texts in words.items()}


@cache
def _applications() -> dict[str, dict]:
    return {k: v for k, v in json.loads(APPLICATIONS.read_text(encoding="utf-8")).items() if not k.startswith("_")}


def application_words(land: str, language: str) -> dict[str, str]:
    """How the guideline of the Land ``land`` (its AGS prefix, e.g. "09") names the city's
    application ("application", "applications") and, where checked, the council decision
    ("decision_date"), in ``language`` (German where it has none); {} for a Land isek has not
    checked (fixtures/application_words.json with the sources, decision 0087)."""
    found = _applications().get((land or "")[:2])
    if found is None:
        return {}
    return {k: texts.get(language) or texts["de"] for k, texts in found["words"].items()}


def application_source(land: str) -> str:
    """Where the words of ``application_words`` come from ("" for a Land without its own)."""
    return (_applications().get((land or "")[:2]) or {}).get("source", "")


def percent(value: Decimal) -> str:
    """60 → "60 %", 62.5 → "62,5 %" (German, as in the documents of the funding procedure)."""
    return numbers.rate(value, "de") + " %"


def summary(rules: LandRules) -> list[str]:
    """The Land's rules in a few German lines, for the KuF's PDF and Excel exports."""
    if not rules.known:
        return [f"Für {rules.land} sind in isek keine Förderregeln des Landes hinterlegt (Grundlage: "
                f"{rules.federal_basis.name} des Bundes)"]
    g = rules.guideline
    lines = [f"Förderregeln {rules.land}: {g.name} vom {g.date:%d.%m.%Y} ({g.url})"]
    if rules.rate_standard is None:
        lines.append(f"Regelfördersatz nach {g.name}: in isek nicht hinterlegt")
    else:
        span = f" ({percent(rules.rate_min)[:-2]}–{percent(rules.rate_max)})" if rules.has_range else ""
        lines.append(f"Regelfördersatz nach {g.name}: {percent(rules.rate_standard)}{span}")
    return lines


def catalogue_line(cat: CostCatalogue) -> str:
    """The sentence naming the catalogue of cost groups, for the KuF's PDF and Excel exports."""
    return f"Kostengruppen: {cat.name} ({cat.source}{'; ' + cat.note if cat.note else ''})"
