"""The Bochum demo's reference layers: real open data (the city's own layers, VRR stops, OSM
boundaries and routes), registered as records of ``isek.geodata`` from the data manifest.

Files stay in the data directories (../shared/data, else var/data filled by ``isek data fetch``);
each layer names its licence and the attribution shown on the map.
"""

from __future__ import annotations

from dataclasses import dataclass

from isek.geodata import services as geodata

from . import data

ATTR_BOCHUM = "Stadt Bochum, Open-Data-Repository (github.com/StadtBochum/OpenData), CC0 1.0"
ATTR_VRR = "Verkehrsverbund Rhein-Ruhr AöR (VRR), Soll-Fahrplandaten (GTFS), opendata-oepnv.de, CC BY 4.0"
ATTR_OSM = "© OpenStreetMap contributors, ODbL 1.0"


@dataclass(frozen=True)
class DemoLayer:
    name: str
    label_de: str
    label_en: str
    path: str  # relative to a data directory, as in the data manifest
    kind: str  # point | line | polygon
    colour: str
    attribution: str
    licence: str
    basemap: bool = False
    name_field: str = ""
    analysis_input: str = ""


SHP = "bochum/stadt_bochum_opendata/shapefiles_epsg25832/"
LAYERS = [
    DemoLayer("boroughs", "Stadtbezirke", "City districts", "bochum/osm_boundaries/bochumBoroughZones.osm.geojson",
              "polygon", "#8a8f98", ATTR_OSM, "ODbL-1.0", basemap=True, name_field="label"),
    DemoLayer("routes", "ÖPNV-Linien", "Transit routes", "bochum/osm_pt_routes/osm_pt_routes_bochum_innenstadt.geojson",
              "line", "#b9c0c8", ATTR_OSM, "ODbL-1.0", basemap=True, name_field="ref"),
    DemoLayer("stops", "Haltestellen", "Public transport stops", "bochum/vrr_gtfs_stops/stops_bochum.txt",
              "point", "#005ca9", ATTR_VRR, "CC-BY-4.0", name_field="stop_name", analysis_input="stops"),
    DemoLayer("schools", "Schulen", "Schools", SHP + "bochum_schools.shp",
              "point", "#b35c00", ATTR_BOCHUM, "CC0-1.0", name_field="name", analysis_input="schools"),
    DemoLayer("daycare", "Kitas", "Daycare centres", SHP + "bochum_daycare_centers.shp",
              "point", "#8f3f97", ATTR_BOCHUM, "CC0-1.0", name_field="name", analysis_input="daycare"),
    DemoLayer("playgrounds", "Spielplätze", "Playgrounds", SHP + "bochum_playgrounds.shp",
              "point", "#2e7d32", ATTR_BOCHUM, "CC0-1.0", name_field="name", analysis_input="playgrounds"),
    DemoLayer("stolpersteine", "Stolpersteine", "Stolpersteine (memorial stones)", SHP + "bochum_stolpersteine.shp",
              "point", "#6d4c41", ATTR_BOCHUM, "CC0-1.0", name_field="name", analysis_input="heritage"),
]


def register(user, city) -> list:
    """Register the demo layers for ``city`` (Bochum) with the checksums of the data manifest."""
    sums = {e.path: e.sha256 for e in data.entries()}
    return [geodata.register_data_layer(
        user, city, layer.name, path=layer.path, sha256=sums.get(layer.path, ""), label_de=layer.label_de,
        label_en=layer.label_en, kind=layer.kind, colour=layer.colour, basemap=layer.basemap,
        name_field=layer.name_field, analysis_input=layer.analysis_input, licence=layer.licence,
        attribution=layer.attribution) for layer in LAYERS]
