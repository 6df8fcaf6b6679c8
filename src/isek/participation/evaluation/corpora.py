"""Readers for the CIMT PartEval corpora with human theme labels (benchmarks and tests; the files
stay in the data directories, see ../shared/data/participation/SOURCES.md). Pure: no Django.

Each reader returns ``(contributions, labels)``: ``Contribution`` objects (title and text joined)
and contribution id → theme key.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .themes import Contribution

KOELN = "participation/raddialog_koeln_ehrenfeld_2017_themes.csv"
KOELN_POINTS = "participation/raddialog_koeln_ehrenfeld_2017_locations.csv"
OTTENSEN = "participation/dipas_hamburg_freiraum_ottensen_2021_themes.csv"

ATTRIBUTION = ("Beiträge: Raddialog Ehrenfeld 2017 (Stadt Köln) / FreiRaum Ottensen 2021 (Bezirksamt Altona), "
               "CC BY 4.0, je Beitrag verlinkt; Themen-Annotation: CIMT-Korpus (HHU Düsseldorf, Romberg et al. 2022), "
               "CC BY-SA 4.0")

# Short descriptions a planner might give the Köln themes (written here, in German; the seed examples).
KOELN_THEMES = {
    "cycling_traffic_management": "Radverkehrsführung: neuer Radweg, Radfahrstreifen, Einbahnstraße öffnen, Fahrradstraße, Tempo",
    "cycle_path_quality": "Zustand des Radwegs: zu schmal, Schlaglöcher, Risse, uneben, Bordstein, Pfützen, Schmutz",
    "obstacles": "Hindernisse: parkende Autos auf dem Radweg, zugeparkt, Mülltonnen, Poller, Baustelle blockiert",
    "traffic_lights": "Ampel: Schaltung, Wartezeit, grüne Welle, Bedarfsampel, Ampel entfernen",
    "signage": "Beschilderung und Markierung: Schild, Wegweiser, Markierung fehlt, schlecht sichtbar",
    "bicycle_parking": "Fahrradparken: Fahrradständer, Abstellanlage, Bügel, Stellplätze für Räder fehlen",
    "lighting": "Beleuchtung: Straßenlaterne, dunkel, Licht fehlt oder defekt",
    "misc": "Sonstiges: allgemeiner Hinweis ohne Ortsbezug",
}

OTTENSEN_LABELS = ["motorized transport", "non-motorized transport", "cycling", "walking", "scooters",
                   "public transport (local)", "public transport (long-distance)", "commercial transport",
                   "stationary traffic (parking)", "moving traffic", "inter- and multimodality", "new services"]
NO_LABEL = "none"


def read_koeln(path: Path, points: Path | None = None) -> tuple[list[Contribution], dict[str, str]]:
    """Raddialog Köln-Ehrenfeld 2017: one main theme per contribution (8 themes), with the point
    each citizen placed when ``points`` (the cp1252 ``;`` locations file) is given."""
    where: dict[str, tuple[float, float]] = {}
    if points:
        with open(points, encoding="cp1252", newline="") as f:
            for r in csv.DictReader(f, delimiter=";"):
                where[r["document_id"]] = (float(r["lon"].replace(",", ".")), float(r["lat"].replace(",", ".")))
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    contributions = [Contribution(r["ID"], f"{r['title']}\n{r['text']}", where.get(r["ID"])) for r in rows]
    labels = {r["ID"]: r["main_category_level1"].removeprefix("level1_") for r in rows}
    return contributions, labels


def read_koeln_subthemes(path: Path) -> dict[str, list[str]]:
    """The Köln contributions' sub-themes (level 2, several per contribution possible)."""
    with open(path, encoding="utf-8", newline="") as f:
        return {r["ID"]: [k.removeprefix("level2_") for k, v in r.items() if k.startswith("level2_") and v == "1"]
                for r in csv.DictReader(f)}


def read_ottensen(path: Path) -> tuple[list[Contribution], dict[str, str]]:
    """FreiRaum Ottensen 2021: 12 binary labels per contribution (several or none). A planner
    sorting into one theme each is simulated by the contribution's most specific label, i.e. the
    rarest in the corpus among those it has, and ``none`` when it has none."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    freq = {lab: sum(r[lab] == "1" for r in rows) for lab in OTTENSEN_LABELS}
    contributions = [Contribution(r["document_id"], f"{r['title']}\n{r['text']}") for r in rows]
    labels = {}
    for r in rows:
        has = [lab for lab in OTTENSEN_LABELS if r[lab] == "1"]
        labels[r["document_id"]] = min(has, key=lambda lab: (freq[lab], lab)) if has else NO_LABEL
    return contributions, labels

def read_ottensen_all(path: Path) -> dict[str, list[str]]:
    """FreiRaum Ottensen 2021 as annotated: each contribution's labels (several or none; ``none``
    when it has none), for a multi-label model (one-vs-rest)."""
    with open(path, encoding="utf-8", newline="") as f:
        return {r["document_id"]: [lab for lab in OTTENSEN_LABELS if r[lab] == "1"] or [NO_LABEL]
                for r in csv.DictReader(f)}


# Short descriptions a planner might give the Ottensen themes (written here, in German).
OTTENSEN_THEMES = {
    "motorized transport": "Autos und Kfz-Verkehr",
    "non-motorized transport": "Verkehr ohne Motor allgemein",
    "cycling": "Radverkehr: Fahrrad, Radweg, Radfahrer",
    "walking": "Fußverkehr: Fußgänger, Gehweg, Bürgersteig, zu Fuß",
    "scooters": "E-Scooter und Roller",
    "public transport (local)": "Bus und Bahn im Stadtteil, Haltestelle, HVV",
    "public transport (long-distance)": "Fernverkehr, Fernbahnhof, Fernzug",
    "commercial transport": "Lieferverkehr, Lieferdienste, Gewerbe, Anlieferung",
    "stationary traffic (parking)": "Parken: Parkplätze, Anwohnerparken, parkende Autos",
    "moving traffic": "fließender Verkehr, Durchgangsverkehr, Tempo",
    "inter- and multimodality": "Umsteigen zwischen Verkehrsmitteln, Mobilitätsstation",
    "new services": "neue Angebote: Carsharing, Leihräder, Lastenrad-Verleih",
    NO_LABEL: "",
}
