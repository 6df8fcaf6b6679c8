"""The Bochum demo concept: public facts with their sources, and what is approximated or
illustrative, labelled so. Sources: ../shared/docs/DOMAIN.md (numbers there in brackets)."""

from __future__ import annotations

from decimal import Decimal

SLUG = "bochum-innenstadt"

SRC = {
    11: "https://bochum-wirtschaft.de/flaechen-objekte/projekte/vision-innenstadt/",
    12: "https://mission-bochum2030.de/isek/",
    14: "https://bochum.de/stadterneuerung-innenstadt",
    15: "https://xn--bo-wird-bm-y5a.de",
    16: "https://mieterforum-ruhr.de/32.html?&tx_ttnews%5Btt_news%5D=2811",
    17: "https://bochum.de/amt-fuer-stadtplanung-und-wohnen/Dienstleistungen-und-Infos/Stadterneuerung/ISEK-Innenstadt/Erstellungsprozess-ISEK-Innenstadt",
    19: "https://app-webview.sparknews.funkemedien.de/nrw-waz/staedte/bochum/article227301513/Bochums-grosser-Wurf-kostet-weit-mehr-als-100-Millionen-Euro.html",
    20: "https://app-webview.sparknews.funkemedien.de/nrw-waz/staedte/bochum/article226998757/Politik-beraet-ueber-staedtebauliche-Entwicklungskonzepte.html",
    21: "https://waz.de/staedte/bochum/bochum-baut-um-buerger-begutachten-entwuerfe-zum-husemanplatz-id229303320.html",
    22: "https://bochumer-post.de/panorama/bochum-geplante-umgestaltung-des-husemannplatzes-so-wird-er-aussehen",
    23: "https://bochum-journal.de/2023/09/30/innenstadtentwicklung-hof-und-fassadenprogramm-nimmt-fahrt-auf",
    24: "https://mission-bochum2030.de/bochums-stadtoekonomie-staerken/",
    25: "https://mission-bochum2030.de/bochum-kommunikativ-denken/",
    26: "https://bra.nrw.de/presse/rund-19-millionen-euro-foerdermittel-fuer-bochum",
    27: "https://innenstadtprogramm.bund.de/SharedDocs/textbaustein/Webs/ZIZ/DE/projekte/Bochum.html",
    28: "https://die-stadtgestalter.de/category/ideen/page/2/",
    13: "https://steg-nrw.de/projekte/konzepte-und-machbarkeitsstudien/erftstadt-integriertes-handlungskonzept-lechenich/erftstadt-integriertes-handlungskonzept-lechenich/index.html",
    34: "https://staedtebaufoerderung.nrw/13-1-6-wieso-wird-der-umfang-der-isek-in-den-foerderrichtlinien-angesprochen/",
    35: "https://staedtebaufoerderung.nrw/13-4-7-koennen-grundlegende-daten-aus-der-kuf-oder-dem-antrag-in-automatisch-in-andere-muster-z-b-sachbericht-uebertragen-werden/",
    37: "https://bbsr.bund.de/BBSR/DE/Stadtentwicklung/Staedtebaufoerderung/Informationen/Monitoring/monitoring_node.html",
    38: "https://staedtebaufoerderung.info/DE/Grundlagen/MonitoringEvaluierung/monitoringevaluierung_node.html",
    40: "https://bbsr.bund.de/BBSR/DE/forschung/raumbeobachtung/Komponenten/VergleichendeStadtbeobachtung/innerstaedtische-entwicklung/innerstaedtische-entwicklung.html",
}

CITY = {"name": "Bochum", "ags": "05911000"}
# Bochum's funding authority and its district: the Regierungsbezirk Arnsberg, whose municipalities'
# AGS all begin with 059 (Destatis, Gemeindeverzeichnis GV-ISys). Its reviewer in the demo is invented.
AUTHORITY = {
    "name": "Bezirksregierung Arnsberg", "land": "05", "prefixes": ["059"],
    "source": "Bezirk: Regierungsbezirk Arnsberg, AGS-Präfix 059 (Destatis, Gemeindeverzeichnis). "
              "Demo: die Zugänge der Behörde sind erfunden (illustrativ).",
}

CONCEPT = {
    "name": "ISEK Innenstadt Bochum",
    "slug": SLUG,
    "programme": "lebendige_zentren",
    "legal_basis": "council",
    "start_year": 2020,
    "end_year": 2026,
    "status": "in_progress",
    "council_decision_date": None,  # about September 2019, unverified: not shown as a fact
    "summary": (
        "Integriertes städtebauliches Entwicklungskonzept für die Bochumer Innenstadt (Gleisdreieck), "
        "erarbeitet 2018–2019 (steg NRW, Beteiligung urbanista) auf Grundlage der „Vision Innenstadt“ 2017. "
        "Laut Presse 28 Maßnahmen und rund 122 Mio. € öffentliche Investitionen 2020–2026, davon rund "
        "82 Mio. € erhoffte Fördermittel."
    ),
    "mission": (
        "Die drei Perspektiven der „Vision Innenstadt“ (2017): Stadt des produktiven Wissens, Neue Heimaten, "
        "Vernetztes Stadterleben. Der Weg der Stadt: Vision → ISEK → „Mission Bochum 2030“.\n"
        f"Quellen: {SRC[11]} · {SRC[12]}"
    ),
    "area_name": "Gleisdreieck",
    "area_approximated": True,
    "area_source": (
        "Angenäherte Abgrenzung (illustrativ): eine amtliche Grenze des Fördergebiets ist nicht veröffentlicht. "
        "Gezeichnet innerhalb des Bahn-Dreiecks um die City, auf rund 1,25 km² skaliert (Presse: Gleisdreieck "
        f"etwa 1,25 km², 9.303 Einwohner 2022, {SRC[28]})."
    ),
    "is_public": True,
}

# The funding area's outline before scaling to 1.25 km² (WGS84 lon/lat), drawn by hand around
# the rail triangle with VRR stops as landmarks (Rathaus, Hbf, Südring, Nordring).
AREA_OUTLINE = [
    (7.2075, 51.4805), (7.2125, 51.4862), (7.2200, 51.4885), (7.2265, 51.4850),
    (7.2262, 51.4795), (7.2225, 51.4772), (7.2150, 51.4762), (7.2075, 51.4805),
]
AREA_TARGET_M2 = 1_250_000

QUARTERS = [
    # name, colour, description; the polygons are the area cut at its centre (illustrative).
    ("Nördliche Innenstadt", "#7b1fa2", "Wohnen und Kunstmuseum rund um den Nordring (illustrativer Teilraum)."),
    ("Rathausviertel", "#1565c0", "Rathaus, Haus des Wissens, Husemannplatz (illustrativer Teilraum)."),
    ("Bahnhofsviertel", "#ef6c00", "Hauptbahnhof, Boulevard und Kortumstraße (illustrativer Teilraum)."),
    ("Bermuda3eck / Südliche Innenstadt", "#2e7d32", "Gastronomie und Kultur um das Bermuda3eck (illustrativer Teilraum)."),
]

# The fields of action are isek's structure template "bochum-2018" (src/isek/concepts/structures/).

GOALS = [
    # number, field, title (all illustrative: the ISEK's goal list is not public)
    ("1.1", 1, "Die Innenstadt als unverwechselbaren, gepflegten Ort gestalten"),
    ("2.1", 2, "Plätze und Grünräume aufwerten, begrünen und bespielen"),
    ("3.1", 3, "Den Innenstadtring vom Verkehrsband zum Stadtraum entwickeln"),
    ("4.1", 4, "Wohnen in der Innenstadt stärken, besonders im Norden"),
    ("5.1", 5, "Handel, Kultur und Wissen als Frequenzbringer verbinden"),
    ("6.1", 6, "Bildungs- und Gesundheitsangebote in der Innenstadt sichern"),
]

# Geometries are approximations drawn from landmarks (VRR stops); each is labelled so.
GEOM_NOTE = "Lage angenähert anhand von Haltestellen und Stadtplan-Kenntnis; keine Planunterlage."


def _poly(cx, cy, w_m, h_m):
    """A rectangle of w_m × h_m metres centred at lon/lat (cx, cy); built in EPSG:25832."""
    import shapely

    from isek.core import geo

    c = geo.transform(shapely.Point(cx, cy), "EPSG:4326", "EPSG:25832")
    rect = shapely.box(c.x - w_m / 2, c.y - h_m / 2, c.x + w_m / 2, c.y + h_m / 2)
    return geo.transform(rect, "EPSG:25832", "EPSG:4326")


ILLUSTRATIVE_MILESTONE = "illustrativ (Demo): Termin angenommen, nicht aus einer Quelle der Stadt"


def measures():
    import shapely

    ring = shapely.LineString([
        (7.2118, 51.4797), (7.2116, 51.4848), (7.2190, 51.4856), (7.2248, 51.4846),
        (7.2250, 51.4800), (7.2200, 51.4784), (7.2150, 51.4782), (7.2118, 51.4797),
    ])
    return [
        {
            "number": "1.1", "title": "Wetterschutz auf dem Boulevard", "field": 1, "further": [5],
            "goals": ["1.1"], "priority": 2, "status": "planned",
            "description": "Witterungsschutz entlang des Boulevards zwischen Hauptbahnhof und City.",
            "geometry": shapely.LineString([(7.2222, 51.4796), (7.2201, 51.4801), (7.2181, 51.4807)]),
            "lead_body": "Stadt Bochum", "start": "2022-01-01", "end": "2026-12-31",
            "milestones": [("Entwurfsplanung abgeschlossen", "2025-06-30", None, ILLUSTRATIVE_MILESTONE),
                           ("Baubeginn", "2026-04-01", None, ILLUSTRATIVE_MILESTONE)],
            "sources": [("Wetterschutz auf dem Boulevard als Maßnahme des ISEK genannt.", SRC[19], "press")],
        },
        {
            "number": "1.2", "title": "Hof- und Fassadenprogramm", "field": 1, "further": [4],
            "goals": ["1.1"], "priority": 2, "status": "construction",
            "description": "Zuschuss für private Eigentümer zur Gestaltung von Fassaden und Höfen: 50 % der "
                           "förderfähigen Kosten, höchstens 30 € je m² Fassade.",
            "geometry": None, "lead_body": "Stadt Bochum", "start": "2021-01-01", "end": "2026-12-31",
            "sources": [
                ("Zuschuss 50 %, höchstens 30 €/m² Fassade; bis September 2023 zehn Gebäude und rund 140.000 € bewilligt.", SRC[23], "press"),
            ],
        },
        {
            "number": "2.1", "title": "Umgestaltung des Husemannplatzes", "field": 2, "further": [1],
            "goals": ["2.1"], "priority": 1, "status": "preparation",
            "description": "Neugestaltung des rund 6.500 m² großen Platzes; Wettbewerb 2020, Siegerentwurf "
                           "„Clouds“ von sinai. Erste Schätzung 2–2,7 Mio. €, später rund 12 Mio. € einschließlich "
                           "der Tiefgarage.",
            "geometry": _poly(7.21905, 51.48205, 95, 68),
            "estimated_cost": Decimal("12000000.00"),
            "figures_source": f"Presse: rund 12 Mio. € einschließlich Tiefgarage ({SRC[22]})",
            "lead_body": "Stadt Bochum", "start": "2020-01-01", "end": "2026-12-31",
            "milestones": [("Freiraumplanerischer Wettbewerb entschieden (Sieger: sinai, „Clouds“)", "2020-12-31", "2020-12-31", SRC[21])],
            "sources": [
                ("Platzfläche etwa 6.500 m²; Wettbewerb 2020, Sieger sinai („Clouds“).", SRC[21], "press"),
                ("Erste Schätzung 2–2,7 Mio. €, später rund 12 Mio. € inklusive Tiefgarage.", SRC[22], "press"),
            ],
        },
        {
            "number": "2.2", "title": "Freiraumkonzept „begrünt/bespielt“", "field": 2, "further": [6],
            "goals": ["2.1"], "priority": 2, "status": "preparation",
            "description": "Konzept für Begrünung und Bespielung der öffentlichen Räume der Innenstadt.",
            "geometry": None, "lead_body": "Stadt Bochum",
            "sources": [("Freiraumkonzept „begrünt/bespielt“ als ISEK-Maßnahme genannt.", SRC[19], "press")],
        },
        {
            "number": "3.1", "title": "Umgestaltung des Innenstadtrings", "field": 3, "further": [2],
            "goals": ["3.1"], "priority": 2, "status": "planned",
            "description": "Umbau des Rings um die City; nach Presseberichten ab 2027 mit weiteren erhofften "
                           "25 Mio. € (gemeinsam mit Skatepark im Westpark und Marktplatz für urbane Produktion).",
            "geometry": ring, "lead_body": "Stadt Bochum", "start": "2027-01-01", "end": "2030-12-31",
            "sources": [("Ab 2027 weitere 25 Mio. € erhofft (Innenstadtring, Skatepark Westpark, Marktplatz urbane Produktion).", SRC[19], "press")],
        },
        {
            "number": "4.1", "title": "Wohnen in der nördlichen Innenstadt", "field": 4, "further": [],
            "goals": ["4.1"], "priority": 2, "status": "planned",
            "description": "Neue Wohnangebote und Aufwertung des Wohnumfelds im Norden der Innenstadt.",
            "geometry": _poly(7.2180, 51.4858, 420, 240), "lead_body": "Stadt Bochum",
            "sources": [("Wohnen in der nördlichen Innenstadt als ISEK-Maßnahme genannt.", SRC[19], "press")],
        },
        {
            "number": "4.2", "title": "Quartiersmanagement und ISEK-Büro", "field": 4, "further": [5],
            "goals": ["4.1", "5.1"], "priority": 1, "status": "construction",
            "description": "Quartiersmanagement und ISEK-Büro als Anlaufstelle; Eigentümerforen im Rahmen von "
                           "„Bochum 2030 – Mission Innenstadt“.",
            "geometry": shapely.Point(7.2172, 51.4812), "lead_body": "Stadt Bochum",
            "estimated_cost": Decimal("976000.00"),
            "figures_source": f"Amtlich: 2020 976.000 € aus Lebendige Zentren für das Quartiersmanagement ({SRC[26]})",
            "start": "2020-01-01", "end": "2026-12-31",
            "sources": [
                ("2020: 976.000 € aus Lebendige Zentren für das Quartiersmanagement.", SRC[26], "official"),
                ("ISEK-Büro und Eigentümerforen („Bochum 2030 – Mission Innenstadt“).", SRC[25], "official"),
                ("Standort des Büros auf der Karte: illustrativ.", "", "illustrative"),
            ],
        },
        {
            "number": "5.1", "title": "Haus des Wissens", "field": 5, "further": [6],
            "goals": ["5.1", "6.1"], "priority": 1, "status": "construction",
            "description": "Umbau des ehemaligen Telekom-Blocks am Rathaus zum Haus des Wissens (Stadtbücherei, "
                           "Volkshochschule, Universität, Markthalle).",
            "geometry": _poly(7.2146, 51.4806, 110, 90), "lead_body": "Stadt Bochum",
            "estimated_cost": Decimal("90000000.00"),
            "figures_source": f"Presse: 170 Mio. € öffentliche Mittel insgesamt, davon 90 Mio. € Haus des Wissens ({SRC[20]})",
            "start": "2021-01-01", "end": "2027-12-31",
            "sources": [
                ("Haus des Wissens als Schlüsselprojekt; rund 90 Mio. € von 170 Mio. € öffentlichen Mitteln.", SRC[20], "press"),
            ],
        },
        {
            "number": "5.2", "title": "City-Fonds (Verfügungsfonds)", "field": 5, "further": [1],
            "goals": ["5.1"], "priority": 2, "status": "construction",
            "description": "Verfügungsfonds für Projekte von Akteuren der Innenstadt, bis zu 50 % gefördert; "
                           "geführt von Bochum Marketing seit 2021 (daneben der Stadtteilfonds bis 100 %).",
            "geometry": None, "lead_body": "Bochum Marketing GmbH", "start": "2021-01-01", "end": "2026-12-31",
            "sources": [("City-Fonds (bis 50 %) und Stadtteilfonds (bis 100 %), Bochum Marketing seit 2021.", SRC[24], "official")],
        },
        {
            "number": "5.3", "title": "Upgrade Bochum City (Bundesprogramm Zukunftsfähige Innenstädte und Zentren)",
            "field": 5, "further": [], "goals": ["5.1"], "priority": 2, "status": "construction",
            "description": "Projekt im Bundesprogramm „Zukunftsfähige Innenstädte und Zentren“; ergänzt das ISEK, "
                           "eigene Förderung außerhalb der Städtebauförderung.",
            "geometry": None, "lead_body": "Stadt Bochum",
            "estimated_cost": Decimal("2086893.58"),
            "figures_source": f"Amtlich: förderfähige Kosten 2.086.893,58 €, Bundeszuschuss 1.514.302,13 €, Eigenanteil 504.767,38 € ({SRC[27]})",
            "sources": [("Förderfähige Kosten 2.086.893,58 €, Bund 1.514.302,13 €, Stadt 504.767,38 €.", SRC[27], "official")],
        },
    ]
