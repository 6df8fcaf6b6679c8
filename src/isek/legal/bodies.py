"""Where people turn when a public body does not answer their accessibility feedback, or not
satisfactorily: the enforcement procedure (Durchsetzungsverfahren, Art. 9 of directive (EU)
2016/2102) of the Land – or of the Bund for the installation outside a Land (no Django).

Only bodies isek could check against their own pages are listed (the source beside each); the
other Länder's entry is missing, and the statement says visibly that the city has to add it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Body:
    name: str  # the body's own German name
    basis: str  # the legal basis as the body names it
    url: str  # the body's page on the procedure (checked; the source of this entry)


BUND = Body(
    "Schlichtungsstelle nach § 16 Behindertengleichstellungsgesetz (BGG) bei dem Beauftragten der Bundesregierung "
    "für die Belange von Menschen mit Behinderungen",
    "§ 16 BGG", "https://www.behindertenbeauftragte.de/DE/SchlichtungsstelleBGG/",
)

BY_LAND: dict[str, Body] = {
    "04": Body("Zentralstelle für barrierefreie Informationstechnik der Freien Hansestadt Bremen",
               "Bremisches Behindertengleichstellungsgesetz",
               "https://www.service.bremen.de/dienstleistungen/beschwerde-gegen-einen-verstoss-gegen-die-"
               "barrierefreiheit-bei-digitalen-angeboten-oeffentlicher-stellen-139830"),
    "05": Body("Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen (bei der Beauftragten "
               "für die Belange der Menschen mit Behinderung)",
               "§§ 10d, 10e BGG NRW, §§ 9 ff. BITVNRW", "https://www.lbbp.nrw.de/ombudsstelle"),
    "11": Body("Landesbeauftragte für digitale Barrierefreiheit (Berlin)", "Barrierefreie-IKT-Gesetz Berlin (BIKTG Bln)",
               "https://www.berlin.de/lb/digitale-barrierefreiheit/aufgaben/durchsetzungsverfahren/"),
    "14": Body("Durchsetzungsstelle für digitale Barrierefreiheit des Freistaates Sachsen (Sächsische Staatskanzlei)",
               "Barrierefreie-Websites-Gesetz (BfWebG)",
               "https://www.durchsetzungsstelle.sachsen.de/beschwerden-an-die-durchsetzungsstelle-3980.html"),
}


def body_for(land_key: str) -> Body | None:
    """The body for a Land's two-digit key, ``BUND`` for "" (the installation, outside a Land), None
    where isek does not know it (to be added by the city)."""
    if not land_key:
        return BUND
    return BY_LAND.get(land_key)
