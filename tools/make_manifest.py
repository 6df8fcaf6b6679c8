"""Regenerate src/isek/demo/data_manifest.json from the files in ../shared/data.

The origins (repository, pinned commit, path) and licences come from SOURCES.md in
../shared/data; this script only adds each file's sha256 and size."""

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "src" / "isek" / "demo" / "data_manifest.json"

RAW = "https://raw.githubusercontent.com"
BOCHUM_OD = f"{RAW}/StadtBochum/OpenData/07a7db3ca55cf3d2cbfd7b80cac3fa1a7aa0168c/data/EDUC"
ATTR_BOCHUM = "Datenquelle: Stadt Bochum, Open-Data-Repository (github.com/StadtBochum/OpenData), CC0 1.0"
ATTR_OSM = "© OpenStreetMap contributors, ODbL 1.0 (openstreetmap.org/copyright)"
ATTR_VRR = "Datenquelle: Verkehrsverbund Rhein-Ruhr AöR (VRR), Soll-Fahrplandaten (GTFS), opendata-oepnv.de, CC BY 4.0"

entries = []


def add(path, url, licence, attribution, derive=None, note="", optional=False):
    p = SHARED / path
    data = p.read_bytes()
    entries.append({
        "path": path, "url": url, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
        "licence": licence, "attribution": attribution, **({"derive": derive} if derive else {}),
        **({"note": note} if note else {}), **({"optional": True} if optional else {}),
    })


for layer, folder in (("schools", "schools"), ("daycare_centers", "daycare_centers"),
                      ("playgrounds", "playgrounds"), ("stolpersteine", "stolpersteine")):
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        path = f"bochum/stadt_bochum_opendata/shapefiles_epsg25832/bochum_{layer}.{ext}"
        if (SHARED / path).exists():
            add(path, f"{BOCHUM_OD}/{folder}/bochum_{layer}.{ext}", "CC0-1.0", ATTR_BOCHUM)
add("bochum/vrr_gtfs_stops/stops_bochum.txt",
    f"{RAW}/Oeffis/location-analyzer/c3debf42a754f0cef05f6b42c3060879d3282f95/raw/stops.txt",
    "CC-BY-4.0", ATTR_VRR, derive="gtfs_stops_bochum",
    note="rows of the VRR GTFS stops.txt whose stop_id starts with de:05911: (AGS 05911 = Bochum)")
for name in ("bochumBoroughZones", "bochumCityBoundary"):
    add(f"bochum/osm_boundaries/{name}.osm.geojson",
        f"{RAW}/ngbui101/BochumSmartCitySimulation/be8691ee5c614b6d688411e29610ec6e008e00c1/frontend/src/data/{name}.osm.geojson",
        "ODbL-1.0", ATTR_OSM)
add("bochum/osm_pt_routes/osm_pt_routes_bochum_innenstadt.geojson", "", "ODbL-1.0", ATTR_OSM,
    note="derived by the data collector from sections.csv.zlib and routes.csv.zlib of Oeffis/location-analyzer "
         "(commits b79d25b7 and eada3321); no pinned public copy of the derived file exists, so only a mirror "
         "(ISEK_DATA_MIRROR) can provide it. The demo runs without it (no transit lines in the base map).", optional=True)
add("osm/lauf_an_der_pegnitz_2020-01-15.osm.pbf",
    f"{RAW}/graphhopper/graphhopper/9c458be52aa763a221eda1585e7ce96a2df812bb/core/files/lauf-200115.osm.pbf",
    "ODbL-1.0", ATTR_OSM)
add("osm/hoyerswerda_altstadt.osm.pbf",
    f"{RAW}/graphhopper/graphhopper/2fb4b62672bc6f478a5547c53c13bac29a749d51/core/files/Hoyerswerda.osm.pbf",
    "ODbL-1.0", ATTR_OSM)
add("osm/heidelberg_routing_filtered.osm.pbf",
    f"{RAW}/GIScience/openrouteservice/944fc82bd172ff5c5948973f4e66fca049355048/ors-api/src/test/files/heidelberg.test.pbf",
    "ODbL-1.0", ATTR_OSM)
ATTR_CIMT = ("Beiträge: Raddialog Ehrenfeld 2017 (Stadt Köln) / FreiRaum Ottensen 2021 (Bezirksamt Altona), CC BY 4.0, "
             "je Beitrag verlinkt; Themen-Annotation: CIMT-Korpus (HHU Düsseldorf, Romberg et al. 2022), CC BY-SA 4.0")
add("participation/raddialog_koeln_ehrenfeld_2017_themes.csv",
    f"{RAW}/juliaromberg/egov-2022/f151b8608ad4f5b0cc0ac5286e9ddd233dd3df5b/data/Cycling-Dialogues/dataset.csv",
    "CC-BY-SA-4.0", ATTR_CIMT, derive="cimt_koeln_ehrenfeld",
    note="rows of the Cycling Dialogues dataset whose ID starts with E (Raddialog Köln-Ehrenfeld)")
add("participation/raddialog_koeln_ehrenfeld_2017_locations.csv",
    f"{RAW}/juliaromberg/cimt-geographic-location-dataset/5ae9d415048ed434e75ae5987efee0f9a413fc9b/"
    "Cycling-Dialogue-Cologne/dataset_location_CDC.csv", "CC-BY-SA-4.0", ATTR_CIMT)
add("participation/dipas_hamburg_freiraum_ottensen_2021_themes.csv",
    f"{RAW}/juliaromberg/cimt-thematic-categorization-dataset/20b63219aaec65e36464c00d5eef68ffed60ecb2/"
    "FreiRaum%20Ottensen/dataset-Ottensen-thematic-d1a.csv", "CC-BY-SA-4.0", ATTR_CIMT)

OUT.write_text(json.dumps({"version": 1, "files": entries}, indent=1, ensure_ascii=False) + "\n")
print(f"{len(entries)} files → {OUT}")
