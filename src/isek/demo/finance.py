"""Costs, financing and funds of the Bochum demo.

Consistent with the public figures (about 122 M€ public investment 2020–2026, about 82 M€ hoped
for from funding [press]; 976,000 € from Lebendige Zentren in 2020 for the Quartiersmanagement
[official]; Haus des Wissens about 90 M€ [press]; Husemannplatz first 2–2.7 M€, later about
12 M€ with the car park [press]; Upgrade Bochum City figures [official]); everything else is
illustrative and flagged so on every row.
"""

from __future__ import annotations

from decimal import Decimal as D

from isek.finance import services as finance
from isek.finance.services import CostItem, Financing, Fund, FundApplication, FundingCap, FundingRate

from .bochum import SRC

# number → [(year, cost group, amount, eligible)]; all illustrative unless a source says otherwise.
COSTS = {
    "5.1": [(y, "9.3", D(a), D(a) * D("0.7")) for y, a in
            ((2021, "5000000"), (2022, "10000000"), (2023, "20000000"), (2024, "25000000"), (2025, "20000000"), (2026, "10000000"))],
    "2.1": [(2023, "9.1", D("1000000"), D("600000")), (2024, "9.1", D("3000000"), D("700000")),
            (2025, "9.1", D("4000000"), D("700000")), (2026, "9.1", D("4000000"), D("700000"))],
    "1.1": [(2023, "9.1", D("500000"), D("500000")), (2024, "9.1", D("1500000"), D("1500000")), (2025, "9.1", D("2000000"), D("2000000"))],
    "1.2": [(y, "10.1", D("300000"), D("300000")) for y in range(2021, 2027)],
    "2.2": [(2020, "7.1", D("150000"), D("150000")), (2021, "7.1", D("150000"), D("150000"))],
    "3.1": [(2026, "7.1", D("1000000"), D("1000000")), (2027, "9.1", D("8000000"), D("8000000"))],
    "4.1": [(y, "8.1", D("600000"), D("600000")) for y in range(2022, 2027)],
    "4.2": [(2020, "7.3", D("1626666.67"), D("1626666.67"))] + [(y, "7.3", D("250000"), D("250000")) for y in range(2021, 2027)],
    "5.2": [(y, "10.2", D("100000"), D("50000")) for y in range(2021, 2027)],
    "5.3": [(2022, "11.1", D("2086893.58"), D("0"))],
}
# Husemannplatz in the first application: the first estimate of 2.7 M€ for the square alone.
FIRST_HUSEMANN = [(2023, "9.1", D("700000"), D("700000")), (2024, "9.1", D("1000000"), D("1000000")),
                  (2025, "9.1", D("1000000"), D("1000000"))]

FINANCING = [
    # number, year, source, amount, status, reason, illustrative
    ("4.2", 2020, "bund", None, "secured", f"2020 bewilligt: 976.000 € aus Lebendige Zentren für das Quartiersmanagement ({SRC[26]})", False),
    ("4.2", 2020, "land", None, "secured", f"2020 bewilligt: 976.000 € aus Lebendige Zentren für das Quartiersmanagement ({SRC[26]})", False),
    ("5.3", 2022, "other", D("1514302.13"), "secured", f"Bundesprogramm Zukunftsfähige Innenstädte und Zentren: Bundeszuschuss ({SRC[27]})", False),
    ("5.3", 2022, "municipality", D("504767.38"), "secured", f"Eigenanteil der Stadt laut Projektseite ({SRC[27]})", False),
    *[("5.2", y, "private", D("50000"), "planned", "Verfügungsfonds: 50 % privat (illustrativ)", True) for y in range(2021, 2027)],
    ("5.1", 2023, "eu", D("2000000"), "applied", "EFRE-Mittel beantragt (illustrativ)", True),
]

FACADE_APPLICATIONS = [
    # applicant, address, eligible cost, façade m² (all illustrative; total of grants about 140 k€ as reported)
    ("Eigentümergemeinschaft A", "Kortumstraße (illustrativ)", "32000", "520"),
    ("Eigentümer B", "Brückstraße (illustrativ)", "28000", "560"),
    ("Eigentümerin C", "Viktoriastraße (illustrativ)", "41000", "610"),
    ("Eigentümer D", "Bongardstraße (illustrativ)", "22000", "380"),
    ("Eigentümergemeinschaft E", "Hellweg (illustrativ)", "26000", "450"),
    ("Eigentümer F", "Kreuzstraße (illustrativ)", "30000", "520"),
    ("Eigentümerin G", "Massenbergstraße (illustrativ)", "30000", "500"),
    ("Eigentümer H", "Huestraße (illustrativ)", "27000", "420"),
    ("Eigentümergemeinschaft I", "Große Beckstraße (illustrativ)", "36000", "560"),
    ("Eigentümer J", "Südring (illustrativ)", "20000", "300"),
]


def _cost_items(measure, rows, group_by_number) -> list:
    return [CostItem(year=year, cost_group=group_by_number[group], amount=amount, eligible=eligible.quantize(D("0.01")),
                     illustrative=True, note="illustrativ" if measure.number not in ("4.2", "5.3") else "")
            for year, group, amount, eligible in rows]


def load(user, concept) -> None:
    # The reference data comes with the migrations; load it again in case a database was
    # flushed since (idempotent).
    finance.ensure_reference_data()
    groups = finance.cost_groups_by_number(concept)
    measures = {m.number: m for m in concept.measures.all()}
    finance.save_rates(user, concept, rates=[
        FundingRate(year=y, rate=D("60"), illustrative=True,
                    basis="Regelfördersatz NRW 60 % (FRL 2023); Bochums eigener Satz ist nicht belegt: illustrativ.")
        for y in range(concept.start_year, concept.end_year + 2)], cap=FundingCap(
        amount=D("82000000"), illustrative=True,
        basis=f"Illustrativ: entspricht den laut Presse erhofften rund 82 Mio. € Fördermitteln ({SRC[19]})."))
    financings: dict[str, list] = {}
    for number, year, source, amount, status, reason, illustrative in FINANCING:
        financings.setdefault(number, []).append(Financing(year=year, source=source, amount=amount, status=status,
                                                           reason=reason, illustrative=illustrative))
    for number in dict.fromkeys([*COSTS, *financings]):
        rows = FIRST_HUSEMANN if number == "2.1" else COSTS.get(number, [])
        finance.save_costs(user, concept, measures[number], cost_items=_cost_items(measures[number], rows, groups),
                           financings=financings.get(number, []))
    finance.freeze_version(user, concept, "Erstantrag 2019 (illustrativ)", "first_application",
                           note="Illustrativer Stand: Husemannplatz mit der ersten Schätzung von 2,7 Mio. €.")
    husemann = measures["2.1"]
    finance.save_costs(user, concept, husemann, removed_cost_items=list(husemann.cost_items.all()),
                       cost_items=_cost_items(husemann, COSTS["2.1"], groups))
    finance.freeze_version(user, concept, "Fortschreibung 2023 (illustrativ)", "update",
                           note="Husemannplatz nach Presse rund 12 Mio. € einschließlich Tiefgarage.")

    facade = finance.save_fund(user, concept, Fund(
        measure=measures["1.2"], kind="facade", name="Hof- und Fassadenprogramm Innenstadt",
        budget=D("1800000"), grant_rate=D("50"), max_per_m2=D("30"),
        rules="Zuschuss 50 % der förderfähigen Kosten, höchstens 30 € je m² Fassadenfläche.",
        source=f"Presse: Zuschuss 50 %, höchstens 30 €/m²; bis September 2023 zehn Gebäude, rund 140.000 € bewilligt ({SRC[23]}). Einzelanträge illustrativ."))
    for applicant, address, cost, m2 in FACADE_APPLICATIONS:
        finance.save_fund_application(user, concept, facade, FundApplication(
            applicant=applicant, project="Fassadensanierung", address=address, eligible_cost=D(cost),
            facade_m2=D(m2), decision="approved", illustrative=True))
    city = finance.save_fund(user, concept, Fund(
        measure=measures["5.2"], kind="disposition", name="City-Fonds (Verfügungsfonds)",
        budget=D("300000"), grant_rate=D("50"),
        rules="Öffentlicher Anteil bis 50 %, Rest privat; ein lokales Gremium entscheidet.",
        source=f"Amtlich: City-Fonds bis 50 %, Bochum Marketing seit 2021 ({SRC[24]}). Einzelanträge illustrativ."))
    for applicant, project, cost, decision in (
        ("Werbegemeinschaft City (illustrativ)", "Sitzmöbel und Pflanzkübel", "24000", "approved"),
        ("Kulturverein (illustrativ)", "Sommerbühne auf dem Dr.-Ruer-Platz", "18000", "approved"),
        ("Händlerinitiative (illustrativ)", "Weihnachtsbeleuchtung Kortumstraße", "40000", "pending"),
    ):
        finance.save_fund_application(user, concept, city, FundApplication(
            applicant=applicant, project=project, eligible_cost=D(cost), decision=decision, illustrative=True))
