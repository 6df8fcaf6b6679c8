"""The 16 Länder by the first two digits of the official municipality key (AGS) (no Django).
What isek knows of each Land's funding rules is in isek.finance.land_rules."""

from __future__ import annotations

LAENDER = {
    "01": "Schleswig-Holstein", "02": "Hamburg", "03": "Niedersachsen", "04": "Bremen",
    "05": "Nordrhein-Westfalen", "06": "Hessen", "07": "Rheinland-Pfalz", "08": "Baden-Württemberg",
    "09": "Bayern", "10": "Saarland", "11": "Berlin", "12": "Brandenburg", "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen", "15": "Sachsen-Anhalt", "16": "Thüringen",
}


def ags_from(text: str) -> str:
    """An AGS as people write it – "14 6 25 020" or "14.6.25.020", as it is often printed – as the
    8 digits it means (spaces, no-break spaces and dots removed; anything else kept to be refused)."""
    return "".join(ch for ch in (text or "") if not ch.isspace() and ch != ".")


def land_of(ags: str) -> str | None:
    """The Land's name for an AGS (None for an unknown prefix)."""
    return LAENDER.get((ags or "")[:2])
