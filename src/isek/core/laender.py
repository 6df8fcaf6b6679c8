"""The 16 Länder by the first two digits of the official municipality key (AGS) (no Django).
What isek knows of each Land's funding rules is in isek.finance.land_rules."""

from __future__ import annotations

LAENDER = {
    "01": "Schleswig-Holstein", "02": "Hamburg", "03": "Niedersachsen", "04": "Bremen",
    "05": "Nordrhein-Westfalen", "06": "Hessen", "07": "Rheinland-Pfalz", "08": "Baden-Württemberg",
    "09": "Bayern", "10": "Saarland", "11": "Berlin", "12": "Brandenburg", "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen", "15": "Sachsen-Anhalt", "16": "Thüringen",
}

# Each Land's extent in WGS84 [west, south, east, north], rounded outward to 0.01° (the mainland of
# Hamburg, without Neuwerk): where a map of a city of the Land starts before isek knows more of it.
LAND_BOUNDS = {
    "01": (7.86, 53.35, 11.32, 55.06), "02": (9.73, 53.39, 10.33, 53.74), "03": (6.65, 51.29, 11.6, 53.9),
    "04": (8.48, 53.01, 8.99, 53.61), "05": (5.86, 50.32, 9.46, 52.53), "06": (7.77, 49.39, 10.24, 51.66),
    "07": (6.11, 48.96, 8.51, 50.94), "08": (7.51, 47.53, 10.5, 49.79), "09": (8.97, 47.27, 13.84, 50.57),
    "10": (6.35, 49.11, 7.41, 49.64), "11": (13.08, 52.33, 13.77, 52.68), "12": (11.26, 51.36, 14.77, 53.56),
    "13": (10.59, 53.11, 14.42, 54.69), "14": (11.87, 50.17, 15.04, 51.69), "15": (10.56, 50.93, 13.19, 53.05),
    "16": (9.87, 50.2, 12.66, 51.65),
}


def ags_from(text: str) -> str:
    """An AGS as people write it – "14 6 25 020" or "14.6.25.020", as it is often printed – as the
    8 digits it means (spaces, no-break spaces and dots removed; anything else kept to be refused)."""
    return "".join(ch for ch in (text or "") if not ch.isspace() and ch != ".")


def land_of(ags: str) -> str | None:
    """The Land's name for an AGS (None for an unknown prefix)."""
    return LAENDER.get((ags or "")[:2])


# The keys the city-states have (decision 0086): Berlin and Hamburg are one municipality each,
# Bremen two (Bremen, Bremerhaven). Any other key of these Länder names no municipality.
CITY_STATE_KEYS = {"11": ("11000000",), "02": ("02000000",), "04": ("04011000", "04012000")}


def ags_structure_problem(ags: str) -> str | None:
    """What the structure of an 8-digit AGS rules out, as a code, or None. isek has no register of
    municipalities, so it cannot know that a key exists; it refuses only keys that cannot: a Land
    part outside 01–16 (``unknown_land``), a city-state's key other than its municipalities'
    (``not_city_state_key``), and elsewhere a district part 00 (``no_district``: "05000000" is the
    key of the Land, "05900000" of a Regierungsbezirk). The municipality part 000 is a kreisfreie
    Stadt's ("05911000" Bochum) and stays allowed."""
    land = ags[:2]
    if land not in LAENDER:
        return "unknown_land"
    if land in CITY_STATE_KEYS:
        return None if ags in CITY_STATE_KEYS[land] else "not_city_state_key"
    if ags[3:5] == "00":
        return "no_district"
    return None


CITY_STATES = {"berlin": "11", "hamburg": "02", "bremen": "04", "bremerhaven": "04"}


def land_named_in(name: str) -> str | None:
    """The key of the Land a municipality's name names – a city-state by its name ("Berlin"), or a
    Land as the official addition ("Neustadt in Sachsen", "Frankfurt (Oder)" names none) – or None.
    A Land's name counts as a whole word only ("Sachsenheim" names no Land)."""
    import re

    plain = " ".join((name or "").split()).casefold()
    if plain in CITY_STATES:
        return CITY_STATES[plain]
    for key, land in sorted(LAENDER.items(), key=lambda kv: -len(kv[1])):  # "Sachsen-Anhalt" before "Sachsen"
        if key in ("02", "04", "11"):
            continue  # "Hamburg" or "Berlin" in a name is a street or a district more often than the Land
        if re.search(rf"(?<![\w-]){re.escape(land.casefold())}(?![\w-])", plain):
            return key
    return None
