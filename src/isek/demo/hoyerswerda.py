"""The second example city: Hoyerswerda (Sachsen, AGS 14625240 [45], official CRS ETRS89/UTM33
[47]), built the way a new city would build it – through the services behind the wizard, from the
real OSM extract of its Altstadt (ODbL). No ISEK of Hoyerswerda is used: the area, the structure
(isek's general template) and the measures are illustrative and labelled so (DOMAIN.md §5)."""

from __future__ import annotations

import shapely

SLUG = "hoyerswerda-altstadt-beispiel"
EXTRACT = "osm/hoyerswerda_altstadt.osm.pbf"
CITY = {"ags": "14625240", "name": "Hoyerswerda"}
CONCEPT = {
    "slug": SLUG, "name": "Altstadt Hoyerswerda – Beispiel", "programme": "lebendige_zentren",
    "legal_basis": "baugb_141", "start_year": 2026, "end_year": 2034,
}
SUMMARY = ("Illustratives Beispiel einer zweiten Stadt: kein ISEK der Stadt Hoyerswerda. Gebiet, Handlungsfelder, "
           "Ziele und Maßnahmen sind angenommen; Grundkarte und Bestandsanalyse stammen aus dem echten "
           "OpenStreetMap-Extrakt der Altstadt (© OpenStreetMap contributors, ODbL 1.0).")
# The extent of the Altstadt extract (its header box), a little inside: approximated, not an adopted boundary.
AREA = shapely.box(14.2433, 51.4336, 14.2598, 51.4400)
AREA_SOURCE = "Angenähert: Ausdehnung des OSM-Extrakts der Altstadt; keine beschlossene Abgrenzung (illustrativ)."
GEOM_NOTE = "Lage nach Objekten im OSM-Extrakt (© OpenStreetMap contributors, ODbL 1.0); Maßnahme illustrativ."
NOTE = "Illustrative Maßnahme des Beispiels, kein Vorhaben der Stadt Hoyerswerda."

# number, title, field, geometry (WGS84), estimated cost (illustrative), start, end
MEASURES = [
    ("4.1", "Umgestaltung des Marktplatzes", 4, shapely.Point(14.2441, 51.4389), 2_400_000, "2027-01-01", "2029-12-31"),
    ("1.1", "Schloss und Schlossgarten: Zugang und Aufenthalt", 1, shapely.Point(14.2471, 51.4384), 1_200_000,
     "2028-01-01", "2030-12-31"),
    ("7.1", "Bürgerwiese: Entsiegeln, Bäume, Spiel", 7, shapely.Point(14.2545, 51.4358), 850_000, "2027-04-01", "2028-10-31"),
    ("5.1", "Fuß- und Radweg Markt – Zentralpark", 5,
     shapely.LineString([(14.2451, 51.4387), (14.2500, 51.4381), (14.2560, 51.4378), (14.2595, 51.4376)]), 1_600_000,
     "2029-01-01", "2031-12-31"),
    ("8.1", "Quartiersmanagement Altstadt", 8, shapely.Point(14.2434, 51.4390), 600_000, "2026-07-01", "2034-12-31"),
]
