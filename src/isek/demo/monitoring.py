"""Monitoring data of the Bochum demo: indicator catalogue (real values with their source, the
rest labelled illustrative), illustrative measure progress and payments, and the report texts
(summaries of the public sources, labelled illustrative where they go beyond them)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from isek.concepts import services as concepts
from isek.finance import services as finance
from isek.monitoring import services as monitoring
from isek.monitoring.services import Indicator, Payment, ReportText

from .bochum import SRC

# code, name, name_en, kind, unit, goals, baseline (value, year), target (value, year), source, illustrative
INDICATORS = [
    ("population_residents", "Einwohnerinnen und Einwohner im Gleisdreieck", "Residents of the Gleisdreieck", "context",
     "Personen", [], None, None, f"Presse: rund 9.303 Einwohner im Gleisdreieck (2022), {SRC[28]}", False),
    ("pt_coverage_300m", "Fläche in 300 m Reichweite einer Haltestelle", "Area within 300 m of a stop", "context",
     "%", ["3.1"], None, None, "Bestandsanalyse aus VRR-Haltestellen (GTFS, CC BY 4.0); Definition in docs/indicators.md", False),
    ("playgrounds_count", "Spielplätze im Gebiet", "Playgrounds in the area", "context", "count", ["4.1"], None, None,
     "Bestandsanalyse aus dem Spielplatz-Datensatz der Stadt Bochum (CC0)", False),
    ("qm_grant_eur", "Städtebaufördermittel für das Quartiersmanagement", "Urban development funding for the district management",
     "input", "€", ["4.1"], None, None, f"Bezirksregierung Arnsberg: 976.000 € aus Lebendige Zentren (2020), {SRC[26]}", False),
    ("facade_grants_eur", "Bewilligte Zuschüsse im Hof- und Fassadenprogramm", "Grants approved in the courtyard and façade programme",
     "input", "€", ["1.1"], (0, 2020), (400000, 2026),
     f"Presse: bis September 2023 rund 140.000 € bewilligt, {SRC[23]}. Zielwert illustrativ.", True),
    ("facades_funded", "Geförderte Gebäude im Hof- und Fassadenprogramm", "Buildings funded in the façade programme",
     "output", "Gebäude", ["1.1"], (0, 2020), (30, 2026),
     f"Presse: bis September 2023 zehn Gebäude, {SRC[23]}. Zielwert illustrativ.", True),
    ("square_redesigned_m2", "Neu gestaltete Platzfläche (Husemannplatz)", "Redesigned square (Husemannplatz)", "output",
     "m²", ["2.1"], (0, 2019), (6500, 2027),
     f"Presse: Husemannplatz rund 6.500 m², {SRC[21]}; {SRC[22]}. Zieljahr illustrativ.", True),
]
# code, area (None = funding area), year, value, source
VALUES = [
    ("population_residents", 2022, 9303, f"Presse (die-stadtgestalter.de), {SRC[28]}"),
    ("qm_grant_eur", 2020, 976000, f"Bezirksregierung Arnsberg, {SRC[26]}"),
    ("facade_grants_eur", 2023, 140000, f"Presse (bochum-journal.de, 30.09.2023), {SRC[23]}"),
    ("facades_funded", 2023, 10, f"Presse (bochum-journal.de, 30.09.2023), {SRC[23]}"),
]
PROGRESS = {"1.2": 45, "2.1": 15, "2.2": 10, "4.2": 70, "5.1": 60, "5.2": 55, "5.3": 80}
PAYMENT_SHARE = {"1.2": Decimal("0.85"), "2.1": Decimal("0.6"), "4.2": Decimal("1.0"), "5.1": Decimal("0.9"),
                 "5.2": Decimal("0.7"), "5.3": Decimal("1.05")}
PAID_UNTIL = 2025

ILL = "illustrativ"
TEXTS = {
    "area": (
        "Das Fördergebiet umfasst im Wesentlichen das Gleisdreieck der Bochumer Innenstadt, rund 1,25 km² zwischen "
        "den Bahntrassen und dem Innenstadtring. Das ISEK wurde 2018–2019 von steg NRW erarbeitet, die Beteiligung "
        "begleitete urbanista. Es folgt der „Vision Innenstadt“ von 2017 mit ihren drei Perspektiven: Stadt des "
        "produktiven Wissens, Neue Heimaten, Vernetztes Stadterleben.\n\n"
        "Die Abgrenzung in isek ist angenähert (das amtliche Gebiet ist nicht öffentlich als Geodatensatz verfügbar); "
        "die vier Teilräume sind illustrativ.",
        f"{SRC[13]}; {SRC[11]}; {SRC[12]}; {SRC[28]}", False),
    "population": (
        "Im Gleisdreieck leben rund 9.303 Menschen (2022). Auf die angenäherte Fläche von 1,25 km² bezogen sind das "
        "rund 7.400 Einwohnerinnen und Einwohner je km². Zum Vergleich: die innerstädtischen Bezirke der "
        "Innerstädtischen Raumbeobachtung des BBSR haben im Mittel rund 7.900 Einwohner.\n\n"
        "Weitere Merkmale (Altersstruktur, Haushalte, Transferbezug) liegen der Demo nicht vor; sie gehören als "
        "Kontextindikatoren in den Katalog.",
        f"{SRC[28]}; {SRC[40]}", False),
    "retail": (
        "Die Innenstadt ist das Oberzentrum Bochums. Handel und Kultur war einer der sechs Themenblöcke der "
        "Online-Beteiligung 2018/19. Das Bundesprogramm „Zukunftsfähige Innenstädte und Zentren“ fördert das Projekt "
        "„Upgrade Bochum City“; Bochum Marketing führt seit 2021 den City-Fonds (Verfügungsfonds) und den "
        "Stadtteilfonds.\n\n"
        "Der Strukturwandel im Handel (Leerstand, Online-Handel) ist eine illustrative Einordnung der Demo; belastbare "
        "Leerstandszahlen liegen nicht vor.",
        f"{SRC[16]}; {SRC[27]}; {SRC[24]}", True),
    "strengths": (
        "- Haus des Wissens als neuer Anker in der Innenstadt (rund 90 Mio. €)\n"
        "- dichtes Netz von Bus, Straßenbahn und Stadtbahn (Bestandsanalyse: Haltestellen-Reichweite)\n"
        "- gemeinsames Leitbild aus der Vision Innenstadt 2017\n"
        "- breite Beteiligung 2018/19 („Bo wird Bäm!“)",
        f"{SRC[20]}; {SRC[11]}; {SRC[15]}", True),
    "weaknesses": (
        "- Innenstadtring als Barriere zwischen Innenstadt und Quartieren\n"
        "- Plätze mit geringer Aufenthaltsqualität (z. B. Husemannplatz vor der Umgestaltung)\n"
        "- wenig Wohnen in der nördlichen Innenstadt",
        f"{SRC[19]}; {SRC[21]}", True),
    "opportunities": (
        "- Förderung von Bund, Land und EU für die Gesamtmaßnahme\n"
        "- Verfügungsfonds und Hof- und Fassadenprogramm aktivieren private Investitionen\n"
        "- neue Nutzungen: Marktplatz für urbane Produktion, Skatepark im Westpark (ab 2027 erhofft)",
        f"{SRC[14]}; {SRC[23]}; {SRC[19]}", True),
    "threats": (
        "- Kostensteigerungen: Husemannplatz von 2–2,7 Mio. € (erste Schätzung) auf rund 12 Mio. € einschließlich Tiefgarage\n"
        "- Strukturwandel im Einzelhandel\n"
        "- Förderung nur innerhalb der Förderobergrenze gesichert",
        f"{SRC[21]}; {SRC[22]}", True),
    "steering": (
        "Im Rahmen von „Bochum 2030 – Mission Innenstadt“ gibt es ein ISEK-Büro und Eigentümerforen. Bochum Marketing "
        "führt seit 2021 den City-Fonds (bis 50 %) und den Stadtteilfonds (bis 100 %).\n\n"
        "Beteiligung: Online-Kartierung vom 6. November 2018 bis 4. Januar 2019 in sechs Themenblöcken (Stadtbild & "
        "Image, Plätze & Freiräume, Mobilität, Wohnen & Quartier, Handel & Kultur, Gesundheit & Bildung), zwei "
        "Zukunftsforen, Stadtspaziergänge und drei Werkstätten mit Interessengruppen.",
        f"{SRC[25]}; {SRC[24]}; {SRC[15]}; {SRC[16]}; {SRC[17]}", False),
    "continuation": (
        "Fonds, ISEK-Büro und Eigentümerforen sollen über die Förderung hinaus von Stadt, Bochum Marketing und "
        "Eigentümern getragen werden. Dies ist eine illustrative Annahme der Demo.",
        "", True),
    "monitoring": (
        "Die Gesamtmaßnahme wird mit Input-, Output- und Kontextindikatoren beobachtet, wie im Monitoring der "
        "Städtebauförderung des Bundes seit 2014. Die Stadt meldet die Begleitinformationen über das Land an den Bund; "
        "der jährliche Sachbericht geht an die Bewilligungsbehörde. isek erzeugt beides aus demselben Datenbestand.",
        f"{SRC[37]}; {SRC[38]}; {SRC[35]}", False),
}

# year, measure number (None = overview), text, source: only facts with a public source
YEAR_NOTES = [
    (2020, None, "Beginn der Gesamtmaßnahme im Programm Lebendige Zentren. Für das Quartiersmanagement wurden "
                 "976.000 € bewilligt; der freiraumplanerische Wettbewerb für den Husemannplatz ist entschieden.",
     f"{SRC[26]}; {SRC[21]}"),
    (2020, "2.1", f"Wettbewerb entschieden (Sieger: sinai, „Clouds“); erste Kostenschätzung 2–2,7 Mio. € (Quelle: {SRC[21]}).", ""),
    (2020, "4.2", f"976.000 € aus Lebendige Zentren bewilligt (Quelle: {SRC[26]}).", ""),
    (2023, None, "Das Hof- und Fassadenprogramm nimmt Fahrt auf; die Kosten des Husemannplatzes werden mit der "
                 "Tiefgarage neu geschätzt und die KuF fortgeschrieben.", f"{SRC[23]}; {SRC[22]}"),
    (2023, "1.2", f"Bis September 2023 zehn Gebäude mit rund 140.000 € Zuschuss bewilligt (Quelle: {SRC[23]}).", ""),
    (2023, "2.1", f"Kosten nach Presse rund 12 Mio. € einschließlich Tiefgarage (Quelle: {SRC[22]}).", ""),
]


def _cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def load(user, concept) -> None:
    goals = {g.number: g for g in concept.goals.all()}
    catalogue = {}
    for code, name, name_en, kind, unit, goal_numbers, base, target, source, illustrative in INDICATORS:
        catalogue[code] = monitoring.save_indicator(user, concept, Indicator(
            code=code, name=name, name_en=name_en, kind=kind, unit=unit, source=source, illustrative=illustrative,
            baseline_value=base[0] if base else None, baseline_year=base[1] if base else None,
            target_value=target[0] if target else None, target_year=target[1] if target else None),
            goals=[goals[n] for n in goal_numbers if n in goals])
    for code, year, value, source in VALUES:
        monitoring.add_value(user, concept, catalogue[code], None, year, value, source)
    measures = {m.number: m for m in concept.measures.all()}
    for number, pct in PROGRESS.items():
        concepts.set_progress(user, concept, measures[number], pct, illustrative=True)
    result = finance.current(concept)
    receipts: dict[int, int] = {}
    for number, share in PAYMENT_SHARE.items():
        key = str(measures[number].pk)
        for (mkey, year), cell in sorted(result.cells.items()):
            if mkey == key and year <= PAID_UNTIL and cell.cost:
                receipts[year] = receipts.get(year, 0) + 1  # illustrative, labelled so (decision 0082)
                monitoring.save_payment(user, concept, Payment(
                    measure=measures[number], year=year, amount=_cents(cell.cost * share),
                    note="illustrative Auszahlung (Demo)", illustrative=True, paid_on=datetime.date(year, 11, 30),
                    receipt=f"Beispielbeleg {year}/{receipts[year]:03d} (illustrativ)"))
    by_year: dict[int, dict] = {}
    for year, number, text, source in YEAR_NOTES:
        notes = by_year.setdefault(year, {"overview": "", "source": "", "measures": {}})
        if number is None:
            notes["overview"], notes["source"] = text, source
        else:
            notes["measures"][measures[number].pk] = text
    for year, notes in by_year.items():
        monitoring.save_year_notes(user, concept, year, notes["overview"], notes["source"], notes["measures"])
    monitoring.save_report_texts(user, concept, [
        ReportText(section=section, text=text, source=source, illustrative=illustrative)
        for section, (text, source, illustrative) in TEXTS.items()])
