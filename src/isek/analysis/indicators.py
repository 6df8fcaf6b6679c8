"""The indicator registry of the inventory analysis (Bestandsanalyse). No Django imports.

Each indicator has an id, German and English names, a unit, a definition, the inputs it needs,
and a function of one area's context. All lengths and areas are computed in the area's
ETRS89/UTM zone (EPSG:25832 for most of Germany, 25833 east of 12° E).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import shapely

from isek.core import numbers

# --- tag classes (documented in docs/indicators.md through the definitions) --------------------

GREEN_LANDUSE = {"grass", "meadow", "forest", "recreation_ground", "village_green", "allotments", "cemetery",
                 "orchard", "flowerbed"}
GREEN_LEISURE = {"park", "garden", "playground", "pitch", "dog_park", "nature_reserve"}
GREEN_NATURAL = {"wood", "scrub", "grassland", "heath", "wetland", "tree_row"}
RESIDENTIAL = {"residential"}
COMMERCIAL = {"commercial", "retail"}
TRANSPORT_LANDUSE = {"railway"}
FOOD_SHOPS = {"supermarket", "convenience", "bakery", "butcher", "greengrocer", "beverages", "deli", "kiosk",
              "confectionery", "pastry", "organic", "farm", "seafood", "cheese", "coffee", "tea", "wine", "alcohol"}
FASHION_SHOPS = {"clothes", "shoes", "fashion", "boutique", "jewelry", "bag", "fashion_accessories", "tailor", "watches"}
GASTRONOMY = {"restaurant", "cafe", "fast_food", "bar", "pub", "ice_cream", "biergarten", "food_court"}
SERVICES = {"bank", "post_office", "townhall", "courthouse", "police", "fire_station", "bureau_de_change",
            "post_box", "library", "coworking_space"}
HEALTH = {"doctors", "dentist", "pharmacy", "clinic", "hospital", "nursing_home", "veterinary"}
CULTURE = {"theatre", "cinema", "arts_centre", "library", "community_centre", "concert_hall", "music_venue"}
CULTURE_TOURISM = {"museum", "gallery"}
SCHOOL = {"school"}
DAYCARE = {"kindergarten", "childcare"}
WALKABLE = {"primary", "secondary", "tertiary", "unclassified", "residential", "living_street", "pedestrian",
            "service", "footway", "path", "steps", "track", "cycleway", "primary_link", "secondary_link",
            "tertiary_link", "trunk", "trunk_link", "road", "bridleway", "corridor"}
# Carriageway widths (m) by highway class for the sealing proxy (typical German cross-sections).
ROAD_WIDTH = {"motorway": 25, "trunk": 20, "primary": 14, "secondary": 12, "tertiary": 10, "unclassified": 7,
              "residential": 7, "living_street": 6, "pedestrian": 8, "service": 4, "footway": 2.5, "path": 2,
              "cycleway": 2.5, "steps": 2, "track": 3, "primary_link": 8, "secondary_link": 7, "tertiary_link": 6,
              "trunk_link": 8, "road": 6}


def utm_crs_for(lon: float, ags: str | None = None) -> str:
    """The official CRS of the Land (by the city's AGS where known, else by longitude):
    the one rule of ``isek.core.geo.official_srid``."""
    from isek.core.geo import official_srid

    return f"EPSG:{official_srid(ags, lon)}"


@dataclass
class Sources:
    """Inputs of an analysis run. Every layer is a GeoDataFrame in the working CRS."""

    osm: object | None = None  # isek.analysis.osm.OsmData
    layers: dict[str, gpd.GeoDataFrame] | None = None  # city layers: stops, schools, daycare, …
    population: dict[str, float] | None = None  # area id → residents

    _graph_cache: dict | None = None
    _stop_cache: np.ndarray | None = None

    def stop_locations(self) -> np.ndarray:
        """The OSM stops of the whole extract (see stop_locations), grouped once per run."""
        if self._stop_cache is None:
            self._stop_cache = stop_locations(_where(self.osm.points, _is_stop_part), self.osm.stop_areas)
        return self._stop_cache

    def street_graph(self):
        """The walkable street graph of the whole extract, built once per run."""
        if self._graph_cache is None:
            lines = self.osm.lines
            self._graph_cache = {"g": _graph(lines[lines["tags"].map(_walkable)]) if not lines.empty else None}
        return self._graph_cache["g"]

    def has(self, name: str) -> bool:
        if name == "osm":
            return self.osm is not None
        if name == "population":
            return bool(self.population)
        return bool(self.layers) and name in self.layers


def _where(frame: gpd.GeoDataFrame, test: Callable[[dict], bool]) -> gpd.GeoDataFrame:
    """The rows of ``frame`` whose tags pass ``test`` (an empty frame stays one: indexing it with
    an empty mask would select columns and lose its geometry)."""
    return frame if frame.empty else frame[frame["tags"].map(test)]


class AreaContext:
    """One area and the inputs clipped to it, computed lazily."""

    def __init__(self, area_id: str, geom, sources: Sources):
        self.id = area_id
        self.geom = geom
        self.sources = sources
        self.m2 = float(geom.area)
        self._counts: dict[str, int] = {}

    # OSM subsets (see _where) ---------------------------------------------------------------------------
    def _clip(self, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        if frame is None or frame.empty:
            return frame
        idx = frame.sindex.query(self.geom, predicate="intersects")
        return frame.iloc[idx]

    @cached_property
    def polygons(self):
        return self._clip(self.sources.osm.polygons)

    @cached_property
    def lines(self):
        return self._clip(self.sources.osm.lines)

    @cached_property
    def points(self):
        return self._clip(self.sources.osm.points)

    def poly_where(self, test: Callable[[dict], bool]):
        return _where(self.polygons, test)

    @cached_property
    def points_inside(self):
        """Tagged points within the area (the point-in-polygon test done once per area)."""
        p = self.points
        return p if p.empty else p[p.within(self.geom)]

    def points_where(self, test: Callable[[dict], bool]):
        return _where(self.points_inside, test)

    def covered_m2(self, frame) -> float:
        """Area of the union of ``frame``'s polygons inside the area (m²)."""
        if frame is None or frame.empty:
            return 0.0
        return union_area(frame.geometry.values, self.geom)

    def share(self, frame) -> float:
        return self.percent(self.covered_m2(frame))

    def percent(self, m2: float) -> float:
        return 100.0 * m2 / self.m2 if self.m2 else float("nan")

    @cached_property
    def landuse_m2(self) -> dict[str, float]:
        """m² of the area in each land-use class (LANDUSE_CLASSES), where overlapping polygons
        count once: see ``landuse_partition``."""
        p = self.polygons
        if p is None or p.empty:
            return dict.fromkeys(LANDUSE_CLASSES, 0.0)
        classes = p["tags"].map(landuse_class)
        chosen = classes.notna().to_numpy()
        return landuse_partition(p.geometry.values[chosen], classes.to_numpy()[chosen], self.geom)

    def layer_points(self, name: str):
        layer = self.sources.layers[name]
        idx = layer.sindex.query(self.geom, predicate="intersects")
        return layer.iloc[idx]

    @cached_property
    def streets(self):
        """Walkable street segments clipped to the area (see WALKABLE)."""
        lines = self.lines
        if lines.empty:
            return lines
        walk = lines[lines["tags"].map(_walkable)]
        clipped = walk.copy()
        clipped["geometry"] = shapely.intersection(walk.geometry.values, self.geom)
        return clipped[~clipped.geometry.is_empty]

    @property
    def street_graph(self):
        return self.sources.street_graph()

    def count(self, kind: str) -> int:
        """How many objects of a PRESENT kind the extract holds in the area."""
        if kind not in self._counts:
            self._counts[kind] = PRESENT[kind][3](self) if self.sources.has("osm") else 0
        return self._counts[kind]

    def inventory(self) -> dict[str, int]:
        """The counts of the key object kinds in the area (the completeness note of a run)."""
        return {kind: self.count(kind) for kind in PRESENT}


TILE_M = 250.0


def union_area(geoms, area, tile: float = TILE_M) -> float:
    """Area (m²) of the union of ``geoms`` inside ``area``, computed tile by tile: overlapping
    polygons count once, and small unions are much faster than one big one."""
    geoms = np.asarray([g for g in geoms if g is not None and not g.is_empty], dtype=object)
    if len(geoms) == 0:
        return 0.0
    total = 0.0
    for box, idx, inside in _tiles(geoms, area, tile):
        merged = shapely.union_all(shapely.clip_by_rect(geoms[idx], *box.bounds))
        total += (merged if inside else shapely.intersection(merged, area)).area
    return float(total)


def _tiles(geoms, area, tile: float):
    """(box, indices of the ``geoms`` meeting it, whether the box lies wholly inside ``area``) for
    each ``tile`` × ``tile`` m box over ``area``'s bounds that some geometry meets."""
    tree = shapely.STRtree(geoms)
    x0, y0, x1, y1 = area.bounds
    shapely.prepare(area)
    for x in np.arange(x0, x1, tile):
        for y in np.arange(y0, y1, tile):
            box = shapely.box(x, y, min(x + tile, x1), min(y + tile, y1))
            idx = tree.query(box, predicate="intersects")
            if len(idx):
                yield box, idx, shapely.contains(area, box)


LANDUSE_CLASSES = ("water", "green", "transport", "commercial", "residential")
LANDUSE_RULE = (
    "Land-use polygons often overlap (a district-wide landuse=residential polygon under commercial, retail and "
    "park polygons is common in large centres). Every m² of an area counts for one land-use class only: where "
    "polygons overlap, the smaller (more specific) polygon wins. Each polygon has one class, the first that "
    "applies in the order water, green, transport, commercial, residential (see the definitions above). So the "
    "five land-use shares add up to at most 100 % (up to their rounding to two decimal places); the rest of the "
    "area has no land-use polygon. The parking share counts every parking polygon and is a part of the "
    "transport share.")


def landuse_class(tags: dict) -> str | None:
    """The land-use class of a polygon (the first that applies, in the order of LANDUSE_CLASSES),
    or None."""
    for name, test in (("water", _is_water), ("green", _is_green), ("transport", _is_transport),
                       ("commercial", lambda t: t.get("landuse") in COMMERCIAL),
                       ("residential", lambda t: t.get("landuse") in RESIDENTIAL)):
        if test(tags):
            return name
    return None


def landuse_partition(geoms, classes, area, tile: float = TILE_M) -> dict[str, float]:
    """m² of ``area`` in each land-use class (``classes[i]`` is the class of ``geoms[i]``) by
    LANDUSE_RULE: where polygons overlap, the smaller polygon wins. Computed tile by tile like
    ``union_area``."""
    totals = dict.fromkeys(LANDUSE_CLASSES, 0.0)
    geoms = np.asarray(geoms, dtype=object)
    keep = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    geoms, classes = geoms[keep], np.asarray(classes, dtype=object)[keep]
    if len(geoms) == 0:
        return totals
    rank = np.empty(len(geoms), dtype=int)
    rank[np.argsort(shapely.area(geoms), kind="stable")] = np.arange(len(geoms))  # smallest first
    for box, idx, inside in _tiles(geoms, area, tile):
        idx = idx[np.argsort(rank[idx])]
        parts = shapely.clip_by_rect(geoms[idx], *box.bounds)
        if not inside:
            parts = shapely.intersection(parts, area)
        taken = None
        for part, cls in zip(parts, classes[idx]):
            if part.is_empty:
                continue
            own = part if taken is None else shapely.difference(part, taken)
            totals[cls] += own.area
            taken = part if taken is None else shapely.union(taken, part)
    return {k: float(v) for k, v in totals.items()}


def _walkable(tags: dict) -> bool:
    """Street network rule (documented): highway in WALKABLE, not area=yes, and not closed to the
    public on foot (access=no/private without foot=yes, or foot=no/private)."""
    hw = tags.get("highway")
    if hw not in WALKABLE or tags.get("area") == "yes":
        return False
    if tags.get("foot") in ("no", "private"):
        return False
    if tags.get("access") in ("no", "private") and tags.get("foot") not in ("yes", "designated", "permissive"):
        return False
    return True


def _graph(lines: gpd.GeoDataFrame):
    """Undirected street graph: nodes at segment ends (coordinates rounded to 1 cm)."""
    import scipy.sparse as sp

    coords = [np.asarray(g.coords) for g in lines.geometry.values if g is not None and not g.is_empty]
    if not coords:
        return None
    keys, starts, ends, lengths = {}, [], [], []
    for c in coords:
        r = np.round(c, 2)
        seg = np.hypot(np.diff(c[:, 0]), np.diff(c[:, 1]))
        for i in range(len(r) - 1):
            a = keys.setdefault((r[i, 0], r[i, 1]), len(keys))
            b = keys.setdefault((r[i + 1, 0], r[i + 1, 1]), len(keys))
            if a != b:
                starts.append(a)
                ends.append(b)
                lengths.append(seg[i])
    n = len(keys)
    s, e = np.array(starts), np.array(ends)
    m = sp.coo_matrix((lengths, (s, e)), shape=(n, n)).tocsr()
    xy = np.array(list(keys.keys()))
    # Streets per node as OSMnx counts them: every incident segment, parallel ones included.
    degree = np.bincount(s, minlength=n) + np.bincount(e, minlength=n)
    return {"matrix": m.maximum(m.T), "xy": xy, "edges": (s, e), "degree": degree}


@dataclass(frozen=True)
class Indicator:
    id: str
    name_de: str
    name_en: str
    unit: str
    family: str
    definition: str
    needs: tuple[tuple[str, ...], ...]  # each tuple: alternatives (any one suffices)
    fn: Callable[[AreaContext], float]
    # The kind of OSM object (a PRESENT key) without which a 0 would not be a real zero: an area
    # with none of them in the extract gets no value (the extract lacks them, see ``gap``).
    present: str | None = None

    @property
    def definition_de(self) -> str:
        """The definition in German (``definition`` is the English one)."""
        return DEFINITIONS_DE[self.id]

    @property
    def digits(self) -> int:
        """The precision values are stored and written with (decimal places)."""
        return numbers.digits(self.unit)

    def rounded(self, value: float) -> float:
        """``value`` at the indicator's precision; NaN (not available) stays NaN."""
        value = ensure_number(value)
        return value if value != value else round(value, self.digits) + 0.0

    def missing(self, sources: Sources) -> str | None:
        for alternatives in self.needs:
            if not any(sources.has(a) for a in alternatives):
                # German, as every message a run stores (the UI's first language)
                return "braucht " + " oder ".join(INPUTS_DE.get(a, f"die Ebene „{a}“") for a in alternatives)
        return None

    def gap(self, ctx: AreaContext) -> str | None:
        """Why the indicator has no value in ``ctx``'s area although its inputs are there: the
        extract holds none of the objects it counts (German, as ``missing``); None otherwise."""
        if self.present is None or not ctx.sources.has("osm") or ctx.count(self.present):
            return None
        label, tag = PRESENT[self.present][:2]
        return f"der Extrakt enthält im Gebiet keine {label} ({tag})"


# The inputs by their German names (as the reference layers page names them), for ``missing``.
INPUTS_DE = {"osm": "einen OSM-Extrakt", "population": "Einwohnerzahlen je Gebiet (Einwohner)",
             "stops": "die Ebene „Haltestellen“", "schools": "die Ebene „Schulen“", "daycare": "die Ebene „Kitas“",
             "playgrounds": "die Ebene „Spielplätze“", "heritage": "die Ebene „Denkmäler, Gedenkorte“",
             "trees": "die Ebene „Bäume“"}
REGISTRY: dict[str, Indicator] = {}


def indicator(id, name_de, name_en, unit, family, definition, needs=(("osm",),), present=None):
    def wrap(fn):
        REGISTRY[id] = Indicator(id, name_de, name_en, unit, family, definition, tuple(needs), fn, present)
        return fn
    return wrap


# --- area and land use ------------------------------------------------------------------------


@indicator("area_ha", "Fläche", "Area", "ha", "area", "Size of the area, computed in its UTM zone.", needs=())
def _area(c):
    return c.m2 / 10_000


def _landuse(values_landuse=(), values_leisure=(), values_natural=(), amenity=(), extra=None):
    def test(t):
        return (t.get("landuse") in values_landuse or t.get("leisure") in values_leisure
                or t.get("natural") in values_natural or t.get("amenity") in amenity or (extra(t) if extra else False))
    return test


_is_green = _landuse(GREEN_LANDUSE, GREEN_LEISURE, GREEN_NATURAL)
_is_water = _landuse(("reservoir", "basin"), (), ("water",), extra=lambda t: t.get("waterway") == "riverbank")
_is_parking = _landuse(amenity=("parking",))
_is_transport = _landuse(TRANSPORT_LANDUSE, amenity=("parking",), extra=lambda t: "area:highway" in t
                         or (t.get("highway") is not None and t.get("area") == "yes"))


@indicator("landuse_residential_share", "Anteil Wohnbaufläche", "Residential land share", "%", "landuse",
           "Share of the area covered by landuse=residential polygons."
           " Where land-use polygons overlap, the smaller one counts (see the land-use rule).", present="landuse")
def _res(c):
    return c.percent(c.landuse_m2["residential"])


@indicator("landuse_commercial_share", "Anteil Gewerbe- und Handelsfläche", "Commercial and retail land share", "%",
           "landuse", "Share of the area covered by landuse=commercial or landuse=retail polygons."
           " Where land-use polygons overlap, the smaller one counts (see the land-use rule).", present="landuse")
def _com(c):
    return c.percent(c.landuse_m2["commercial"])


@indicator("landuse_green_share", "Grünflächenanteil", "Green space share", "%", "landuse",
           "Share of the area covered by green polygons: landuse in {grass, meadow, forest, recreation_ground, "
           "village_green, allotments, cemetery, orchard, flowerbed}, leisure in {park, garden, playground, pitch, "
           "dog_park, nature_reserve}, natural in {wood, scrub, grassland, heath, wetland}."
           " Where land-use polygons overlap, the smaller one counts (see the land-use rule).")
def _green(c):
    return c.percent(c.landuse_m2["green"])


@indicator("landuse_water_share", "Wasserflächenanteil", "Water share", "%", "landuse",
           "Share of the area covered by natural=water, waterway=riverbank, landuse=reservoir/basin polygons."
           " Where land-use polygons overlap, the smaller one counts (see the land-use rule).")
def _water(c):
    return c.percent(c.landuse_m2["water"])


@indicator("landuse_transport_share", "Verkehrsflächenanteil", "Transport land share", "%", "landuse",
           "Share of the area covered by landuse=railway, amenity=parking and highway area polygons "
           "(area:highway=*, highway=* with area=yes)."
           " Where land-use polygons overlap, the smaller one counts (see the land-use rule).")
def _transport(c):
    return c.percent(c.landuse_m2["transport"])


@indicator("parking_area_share", "Anteil Parkplatzfläche", "Parking area share", "%", "transport",
           "Share of the area covered by amenity=parking polygons (all of them, also where they lie within "
           "other land use; a part of the transport share).")
def _parking(c):
    return c.share(c.poly_where(_is_parking))


# --- buildings --------------------------------------------------------------------------------


def _buildings(c):
    return c.poly_where(lambda t: "building" in t and t.get("building") != "no")


@indicator("building_count", "Gebäude", "Buildings", "count", "buildings",
           "Number of building polygons (building=* except no) whose representative point lies in the area.", present="building")
def _bcount(c):
    b = _buildings(c)
    return float(b.representative_point().within(c.geom).sum()) if not b.empty else 0.0


@indicator("building_coverage", "Überbauungsgrad", "Building coverage", "%", "buildings",
           "Share of the area covered by the union of building footprints.", present="building")
def _bcov(c):
    return c.share(_buildings(c))


@indicator("ground_floor_mix", "Nutzungsmischung im Erdgeschoss", "Ground-floor use mix", "%", "buildings",
           "Share of buildings in the area that contain at least one shop, gastronomy, service, health or office "
           "point (a proxy for an active ground floor).", present="building")
def _gfm(c):
    b = _buildings(c)
    if b.empty:
        return float("nan")
    b = b[b.representative_point().within(c.geom)]
    pois = c.points_where(lambda t: _category(t) in ("shop_food", "shop_fashion", "shop_other", "gastronomy",
                                                      "services", "health"))
    if b.empty:
        return float("nan")
    if pois.empty:
        return 0.0
    hit = gpd.sjoin(b[["geometry"]], pois[["geometry"]], predicate="contains", how="inner").index.unique()
    return 100.0 * len(hit) / len(b)


# --- points of interest -----------------------------------------------------------------------


def _category(t: dict) -> str | None:
    shop, amenity = t.get("shop"), t.get("amenity")
    if shop and shop not in ("vacant", "no"):
        if shop in FOOD_SHOPS:
            return "shop_food"
        if shop in FASHION_SHOPS:
            return "shop_fashion"
        return "shop_other"
    if amenity in GASTRONOMY:
        return "gastronomy"
    if amenity in HEALTH or "healthcare" in t:
        return "health"
    if amenity in CULTURE or t.get("tourism") in CULTURE_TOURISM:
        return "culture"
    if amenity in SCHOOL or amenity in DAYCARE:
        return "education"
    if amenity in SERVICES or "office" in t or "craft" in t:
        return "services"
    return None


def _count(category):
    def fn(c):
        return float(len(c.points_where(lambda t: _category(t) == category)))
    return fn


for _cat, _de, _en, _def in (
    ("shop_food", "Läden: Nahversorgung", "Shops: food", "shop in {supermarket, convenience, bakery, butcher, greengrocer, …}"),
    ("shop_fashion", "Läden: Mode", "Shops: fashion", "shop in {clothes, shoes, fashion, boutique, jewelry, …}"),
    ("shop_other", "Läden: sonstige", "Shops: other", "any other shop=* except vacant"),
    ("gastronomy", "Gastronomie", "Gastronomy", "amenity in {restaurant, cafe, fast_food, bar, pub, ice_cream, biergarten}"),
    ("services", "Dienstleistungen", "Services", "amenity in {bank, post_office, townhall, police, library, …}, office=*, craft=*"),
    ("health", "Gesundheit", "Health", "amenity in {doctors, dentist, pharmacy, clinic, hospital, …} or healthcare=*"),
    ("culture", "Kultureinrichtungen", "Cultural venues", "amenity in {theatre, cinema, arts_centre, library, community_centre} or tourism in {museum, gallery}"),
):
    indicator(f"{_cat}_count", _de, _en, "count", "pois",
              f"Number of points of interest in the area with {_def} (tagged nodes and the representative points of tagged areas).")(_count(_cat))


@indicator("shops_count", "Läden", "Shops", "count", "pois", "Number of shop=* points (except vacant) in the area.")
def _shops(c):
    return float(len(c.points_where(lambda t: _category(t) in ("shop_food", "shop_fashion", "shop_other"))))


def _inside(frame, geom) -> int:
    return int(frame.intersects(geom).sum()) if not frame.empty else 0


# The kinds of OSM objects whose absence makes an indicator not available (``Indicator.present``)
# or is worth a word (the run's completeness note): German label (plural, singular), tag, count.
PRESENT: dict[str, tuple[str, str, str, Callable[[AreaContext], int]]] = {
    # the building_count rule (representative point in the area), so the page shows one count
    "building": ("Gebäude", "building=*", "Gebäude", lambda c: int(_bcount(c))),
    "shop": ("Läden", "shop=*", "Laden", lambda c: int(_shops(c))),
    "landuse": ("Landnutzungsflächen", "landuse=*", "Landnutzungsfläche",
                lambda c: _inside(c.poly_where(lambda t: "landuse" in t), c.geom)),
    "way": ("Wege", "highway=*", "Weg", lambda c: _inside(_where(c.lines, lambda t: "highway" in t), c.geom)),
}


def inventory_note(counts: dict[str, int], where: str = "im Gebiet") -> str:
    """"im Gebiet: 0 Gebäude, 1 Laden, 0 Landnutzungsflächen, 1.234 Wege" (German, as run messages)."""
    parts = [f"{n:,}".replace(",", ".") + " " + (PRESENT[kind][2] if n == 1 else PRESENT[kind][0])
             for kind, n in counts.items()]
    return f"{where}: " + ", ".join(parts)


@indicator("shops_per_ha", "Läden je Hektar", "Shops per hectare", "1/ha", "pois", "shops_count divided by area_ha.")
def _shops_ha(c):
    return _shops(c) / (c.m2 / 10_000)


@indicator("diversity_shannon", "Nutzungsvielfalt (Shannon)", "Diversity of uses (Shannon)", "index", "pois",
           "Shannon index H = −Σ p·ln p over the shares p of the POI categories (food, fashion, other shops, "
           "gastronomy, services, health, culture, education); 0 with one category, ln 8 ≈ 2.08 at most.")
def _shannon(c):
    cats = [x for x in c.points_where(lambda t: _category(t) is not None)["tags"].map(_category)] if not c.points.empty else []
    if not cats:
        return 0.0
    _, counts = np.unique(cats, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


# --- green, trees -----------------------------------------------------------------------------


@indicator("green_m2_per_resident", "Grünfläche je Einwohner", "Green space per resident", "m²/resident", "landuse",
           "Green area (see landuse_green_share) in m² divided by the residents of the area (given as input).",
           needs=(("osm",), ("population",)))
def _green_per_res(c):
    pop = c.sources.population.get(c.id)
    if not pop:
        return float("nan")
    return c.landuse_m2["green"] / pop


@indicator("trees_count", "Bäume", "Trees", "count", "green",
           "Number of trees: natural=tree nodes from OSM, plus the points of a city tree layer 'trees' if given.",
           needs=(("osm", "trees"),))
def _trees(c):
    return _osm_and_layer_count(c, lambda t: t.get("natural") == "tree", "trees")


def _osm_and_layer_count(c, osm_test, layer: str) -> float:
    """OSM points passing ``osm_test`` plus the points of a city layer, inside the area."""
    n = 0
    if c.sources.has("osm"):
        n += len(c.points_where(osm_test))
    if c.sources.has(layer):
        n += int(c.layer_points(layer).within(c.geom).sum())
    return float(n)


# --- streets and mobility ---------------------------------------------------------------------


@indicator("street_length_km", "Länge des Wegenetzes", "Street network length", "km", "streets",
           "Length of walkable highway segments inside the area: highway in {primary … residential, living_street, "
           "pedestrian, service, footway, path, steps, track, cycleway, …}, without area=yes, foot=no/private, or "
           "access=no/private unless foot=yes/designated/permissive.")
def _street_len(c):
    s = c.streets
    return float(s.length.sum()) / 1000 if not s.empty else 0.0


def _intersections(c):
    g = c.street_graph
    if g is None:
        return 0
    xy = g["xy"][g["degree"] >= 3]
    if len(xy) == 0:
        return 0
    return int(shapely.contains_xy(c.geom, xy[:, 0], xy[:, 1]).sum())


@indicator("intersection_count", "Knotenpunkte", "Intersections", "count", "streets",
           "Number of street network nodes inside the area where three or more walkable segments meet "
           "(the network of the whole extract, so streets leaving the area count).")
def _inter(c):
    return float(_intersections(c))


@indicator("intersection_density", "Knotenpunktdichte", "Intersection density", "1/km²", "streets",
           "intersection_count divided by the area in km².")
def _inter_d(c):
    return _intersections(c) / (c.m2 / 1e6)


@indicator("pedestrian_zone_share", "Anteil Fußgängerzone", "Pedestrian zone share", "%", "streets",
           "Length of highway=pedestrian and highway=living_street segments as a share of the street network length.")
def _ped(c):
    s = c.streets
    total = s.length.sum() if not s.empty else 0
    if not total:
        return float("nan")
    ped = s[s["tags"].map(lambda t: t.get("highway") in ("pedestrian", "living_street"))]
    return 100.0 * ped.length.sum() / total


@indicator("cycleway_length_km", "Länge der Radwege", "Cycleway length", "km", "streets",
           "Length inside the area of highway=cycleway, and of paths and footways with bicycle=designated.")
def _cyc(c):
    lines = c.lines
    if lines.empty:
        return 0.0
    cyc = lines[lines["tags"].map(lambda t: t.get("highway") == "cycleway"
                                  or (t.get("highway") in ("path", "footway") and t.get("bicycle") == "designated"))]
    if cyc.empty:
        return 0.0
    return float(shapely.length(shapely.intersection(cyc.geometry.values, c.geom)).sum()) / 1000


def _is_stop_part(t: dict) -> bool:
    return (t.get("highway") == "bus_stop" or t.get("public_transport") in ("platform", "stop_position")
            or t.get("railway") in ("tram_stop", "halt", "station"))


def _stops(c):
    """Every point of a stop (OSM maps one stop as a stop position and a platform per side)."""
    pts = []
    if c.sources.has("stops"):
        pts.append(c.sources.layers["stops"].geometry.values)
    elif c.sources.has("osm"):
        pts.append(_where(c.sources.osm.points, _is_stop_part).geometry.values)
    return np.concatenate(pts) if pts else np.array([])


STOP_NAME_DISTANCE = 100.0  # m: parts with the same name this close are one stop
STOP_NEAR_DISTANCE = 5.0  # m: an unnamed part this close to a stop's part belongs to it


def stop_locations(points: gpd.GeoDataFrame, stop_areas: dict[str, str]) -> np.ndarray:
    """One point per stop (the centroid of its parts) from the OSM stop parts ``points``: parts of
    the same public_transport=stop_area relation are one stop; other named parts join a stop with
    a part of the same name within STOP_NAME_DISTANCE; an unnamed part joins the stop of a part
    within STOP_NEAR_DISTANCE, else it is a stop of its own."""
    n = len(points)
    if n == 0:
        return np.array([])
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i, j):
        parent[find(i)] = find(j)

    geoms = points.geometry.values
    names = [t.get("name") or "" for t in points["tags"]]
    areas = [stop_areas.get(oid) for oid in points["osm_id"]]
    first: dict[str, int] = {}
    for i, rel in enumerate(areas):
        if rel is not None:
            join(i, first.setdefault(rel, i))
    pairs = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=STOP_NAME_DISTANCE)
    for i, j in zip(*pairs):
        if i < j and names[i] and names[i] == names[j] and not (areas[i] and areas[j]):
            join(i, j)
    grouped = np.array([bool(nm) or a is not None for nm, a in zip(names, areas)])
    if grouped.any() and not grouped.all():
        lone, kept = np.flatnonzero(~grouped), np.flatnonzero(grouped)
        near = shapely.STRtree(geoms[kept]).query_nearest(geoms[lone], max_distance=STOP_NEAR_DISTANCE,
                                                          all_matches=False)
        for k, m in zip(*near):
            join(int(lone[k]), int(kept[m]))
    roots = np.array([find(i) for i in range(n)])
    x, y = shapely.get_x(geoms), shapely.get_y(geoms)
    keys = np.unique(roots)
    return shapely.points([x[roots == r].mean() for r in keys], [y[roots == r].mean() for r in keys])


@indicator("pt_stops_count", "ÖPNV-Haltestellen", "Public transport stops", "count", "mobility",
           "Number of stops in the area: the points of the city layer 'stops' if given; else the stops of OSM, "
           "whose parts (highway=bus_stop, public_transport=platform/stop_position, railway=tram_stop/halt/station) "
           "are grouped into one stop: the parts of one public_transport=stop_area relation; else parts of the same "
           "name within 100 m; an unnamed part within 5 m of another stop's part belongs to that stop, else it is "
           "a stop of its own. A stop counts where the centroid of its parts lies in the area.", needs=(("stops", "osm"),))
def _stops_count(c):
    if c.sources.has("stops"):
        s = c.sources.layers["stops"].geometry.values
    else:
        s = c.sources.stop_locations()
    return float(shapely.within(s, c.geom).sum()) if len(s) else 0.0


GRID_POINTS = 40_000


def _grid(c):
    """Sample points filling the area (a square grid of at most GRID_POINTS, at least 4 m apart)."""
    cell = max(4.0, (c.m2 / GRID_POINTS) ** 0.5)
    x0, y0, x1, y1 = c.geom.bounds
    xs, ys = np.meshgrid(np.arange(x0 + cell / 2, x1, cell), np.arange(y0 + cell / 2, y1, cell))
    xs, ys = xs.ravel(), ys.ravel()
    inside = shapely.contains_xy(c.geom, xs, ys)
    return shapely.points(xs[inside], ys[inside])


def _share_within(c, geoms, distance: float) -> float:
    """Share (%) of the area within ``distance`` m of ``geoms``, estimated on the sample grid."""
    if len(geoms) == 0:
        return 0.0
    grid = _grid(c)
    if len(grid) == 0:
        return float("nan")
    tree = shapely.STRtree(geoms)
    # The nearest geometry within the distance is enough to know a point is covered.
    hit = np.unique(tree.query_nearest(grid, max_distance=distance, all_matches=False)[0])
    return 100.0 * len(hit) / len(grid)


def _coverage(c, points, radius, network=True):
    """Share (%) of the area within ``radius`` m of ``points``: along the street network where the
    extract has one (street segments reached within the radius, plus 50 m to the plots beside
    them), else as the crow flies. Estimated on a grid of at most 40,000 sample points (at least 4 m apart)."""
    if len(points) == 0:
        return 0.0
    # Only points that can reach the area matter.
    points = points[shapely.dwithin(points, c.geom, radius)]
    if len(points) == 0:
        return 0.0
    g = c.street_graph if (network and c.sources.has("osm")) else None
    if g is None:
        return _share_within(c, points, radius)
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree

    tree = cKDTree(g["xy"])
    xy = shapely.get_coordinates(points)
    dist0, nearest = tree.query(xy)
    ok = dist0 <= radius
    if not ok.any():
        return 0.0
    d = dijkstra(g["matrix"], directed=False, indices=np.unique(nearest[ok]), limit=radius, min_only=True)
    a, b = g["edges"]
    reached = np.isfinite(d[a]) & np.isfinite(d[b])
    segs = shapely.linestrings(np.stack([g["xy"][a[reached]], g["xy"][b[reached]]], axis=1))
    return _share_within(c, np.concatenate([segs, points[ok]]), 50.0)


@indicator("pt_coverage_300m", "Fläche im 300-m-Einzugsbereich des ÖPNV", "Area within 300 m of a stop", "%", "mobility",
           "Share of the area within 300 m walking distance of a stop: streets reached from the stops within "
           "300 m along the walkable network, plus 50 m to the plots beside them; where no OSM street network is "
           "given, a 300 m circle around each stop. Estimated on a grid of at most 40,000 sample points (at least 4 m apart).",
           needs=(("stops", "osm"),))
def _pt_cov(c):
    return _coverage(c, _stops(c), 300.0)


def _layer_or_osm(c, layer, amenities):
    if c.sources.has(layer):
        return c.sources.layers[layer].geometry.values
    if c.sources.has("osm"):
        p = c.sources.osm.points
        return _where(p, lambda t: t.get("amenity") in amenities or t.get("leisure") in amenities).geometry.values
    return np.array([])


for _id, _de, _en, _layer, _am in (
    ("schools_count", "Schulen", "Schools", "schools", SCHOOL),
    ("daycare_count", "Kitas", "Daycare centres", "daycare", DAYCARE),
    ("playgrounds_count", "Spielplätze", "Playgrounds", "playgrounds", {"playground"}),
):
    def _fn(c, _layer=_layer, _am=_am):
        pts = _layer_or_osm(c, _layer, _am)
        return float(shapely.within(pts, c.geom).sum()) if len(pts) else 0.0
    indicator(_id, _de, _en, "count", "social",
              f"Number of {_en.lower()} in the area: the city layer '{_layer}' if given, else OSM amenity/leisure in "
              f"{{{', '.join(sorted(_am))}}}.", needs=((_layer, "osm"),))(_fn)


@indicator("social_infra_coverage_500m", "Fläche im 500-m-Umkreis sozialer Infrastruktur",
           "Area within 500 m of a school, daycare or playground", "%", "social",
           "Share of the area within 500 m (as the crow flies) of a school, daycare centre or playground, "
           "estimated on a grid of at most 40,000 sample points (at least 4 m apart).",
           needs=(("schools", "daycare", "playgrounds", "osm"),))
def _social_cov(c):
    pts = [_layer_or_osm(c, "schools", SCHOOL), _layer_or_osm(c, "daycare", DAYCARE), _layer_or_osm(c, "playgrounds", {"playground"})]
    pts = np.concatenate([p for p in pts if len(p)]) if any(len(p) for p in pts) else np.array([])
    return _coverage(c, pts, 500.0, network=False)


@indicator("heritage_count", "Denkmale und Erinnerungsorte", "Heritage objects", "count", "culture",
           "Number of heritage objects in the area: OSM heritage=* or historic=* points, plus the city layer "
           "'heritage' (e.g. Stolpersteine) if given.", needs=(("osm", "heritage"),))
def _heritage(c):
    return _osm_and_layer_count(c, lambda t: "heritage" in t or "historic" in t, "heritage")


@indicator("sealing_proxy", "Versiegelung (Näherung)", "Sealing proxy", "%", "landuse",
           "Share of the area covered by building footprints, street surfaces (highway lines widened by half a "
           "typical width per class) or parking polygons, estimated on a grid of at most 40,000 sample points (at least 4 m apart). "
           "A proxy, not a measured sealing degree.", present="building")
def _sealing(c):
    grid = _grid(c)
    if len(grid) == 0:
        return float("nan")
    parts = [g for g in (_buildings(c).geometry.values, c.poly_where(_is_parking).geometry.values) if len(g)]
    lines = c.lines
    if not lines.empty:
        roads = lines[lines["tags"].map(lambda t: t.get("highway") in ROAD_WIDTH)]
        if not roads.empty:
            half = roads["tags"].map(lambda t: ROAD_WIDTH[t["highway"]] / 2).to_numpy()
            parts.append(shapely.buffer(roads.geometry.values, half, cap_style="flat", quad_segs=2))
    if not parts:
        return 0.0
    hit = np.unique(shapely.STRtree(np.concatenate(parts)).query(grid, predicate="intersects")[0])
    return 100.0 * len(hit) / len(grid)


def completeness_rule() -> str:
    """The rule for extracts that lack kinds of objects (docs/indicators.md, from the registry)."""
    by_kind: dict[str, list[str]] = {}
    for i in REGISTRY.values():
        if i.present:
            by_kind.setdefault(i.present, []).append(f"`{i.id}`")
    needs = "; ".join(f"{', '.join(ids)} need at least one {PRESENT[k][1]} object in the area"
                      for k, ids in by_kind.items())
    return ("Extracts filtered to some tags (e.g. routing extracts) may hold no buildings or no land use at all; "
            "there a 0 would not be a real zero. So " + needs + ": where the extract holds none, the indicator is "
            "reported as not available with its reason (e.g. \"der Extrakt enthält im Gebiet keine Gebäude "
            "(building=*)\"), shown as \"–\" with the reason on the analysis page and in the ISEK PDF, not as 0. "
            "Counts that can be real zeros (shops, trees, stops, schools, …) keep their 0; instead every run "
            "with an OSM extract notes how complete the extract is in the funding area: " +
            ", ".join(f"the number of {PRESENT[k][1]} objects" for k in PRESENT) +
            " (e.g. \"im Fördergebiet: 0 Gebäude, 1 Laden, 0 Landnutzungsflächen, 1.234 Wege\").")


def describe() -> list[dict]:
    return [{"id": i.id, "name_de": i.name_de, "name_en": i.name_en, "unit": i.unit, "family": i.family,
             "definition": i.definition, "definition_de": i.definition_de, "digits": i.digits,
             "inputs": "; ".join(" or ".join(alts) for alts in i.needs) or "the areas"} for i in REGISTRY.values()]


def ensure_number(x) -> float:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return x if math.isfinite(x) else float("nan")


_POI_DE = " (getaggte Punkte und die repräsentativen Punkte getaggter Flächen)."
_LANDUSE_RULE_DE = " Wo sich Landnutzungsflächen überlagern, zählt die kleinere (siehe die Landnutzungsregel)."
_GRID_DE = "geschätzt auf einem Raster von höchstens 40.000 Stichprobenpunkten (mindestens 4 m Abstand)"

# The German definitions (the pages in German show them; the registry's ``definition`` is the
# English one): every indicator has one (tests/analysis/test_analysis.py).
DEFINITIONS_DE = {
    "area_ha": "Größe des Gebiets, berechnet in seiner UTM-Zone.",
    "landuse_residential_share": "Anteil des Gebiets, den Flächen mit landuse=residential bedecken." + _LANDUSE_RULE_DE,
    "landuse_commercial_share": "Anteil des Gebiets, den Flächen mit landuse=commercial oder landuse=retail bedecken."
                                + _LANDUSE_RULE_DE,
    "landuse_green_share": "Anteil des Gebiets, den Grünflächen bedecken: landuse in {grass, meadow, forest, "
                           "recreation_ground, village_green, allotments, cemetery, orchard, flowerbed}, leisure in "
                           "{park, garden, playground, pitch, dog_park, nature_reserve}, natural in {wood, scrub, "
                           "grassland, heath, wetland}." + _LANDUSE_RULE_DE,
    "landuse_water_share": "Anteil des Gebiets, den Flächen mit natural=water, waterway=riverbank, "
                           "landuse=reservoir/basin bedecken." + _LANDUSE_RULE_DE,
    "landuse_transport_share": "Anteil des Gebiets, den Flächen mit landuse=railway, amenity=parking und "
                               "Straßenflächen (area:highway=*, highway=* mit area=yes) bedecken." + _LANDUSE_RULE_DE,
    "parking_area_share": "Anteil des Gebiets, den Flächen mit amenity=parking bedecken (alle, auch innerhalb "
                          "anderer Landnutzung; ein Teil des Verkehrsflächenanteils).",
    "building_count": "Anzahl der Gebäudeflächen (building=* außer no), deren repräsentativer Punkt im Gebiet liegt.",
    "building_coverage": "Anteil des Gebiets, den die Vereinigung der Gebäudegrundflächen bedeckt.",
    "ground_floor_mix": "Anteil der Gebäude im Gebiet mit mindestens einem Laden-, Gastronomie-, Dienstleistungs-, "
                        "Gesundheits- oder Büropunkt (Näherung für ein belebtes Erdgeschoss).",
    "shop_food_count": "Anzahl der Punkte im Gebiet mit shop in {supermarket, convenience, bakery, butcher, "
                       "greengrocer, …}" + _POI_DE,
    "shop_fashion_count": "Anzahl der Punkte im Gebiet mit shop in {clothes, shoes, fashion, boutique, jewelry, …}"
                          + _POI_DE,
    "shop_other_count": "Anzahl der Punkte im Gebiet mit einem anderen shop=* außer vacant" + _POI_DE,
    "gastronomy_count": "Anzahl der Punkte im Gebiet mit amenity in {restaurant, cafe, fast_food, bar, pub, ice_cream, "
                        "biergarten}" + _POI_DE,
    "services_count": "Anzahl der Punkte im Gebiet mit amenity in {bank, post_office, townhall, police, library, …}, "
                      "office=*, craft=*" + _POI_DE,
    "health_count": "Anzahl der Punkte im Gebiet mit amenity in {doctors, dentist, pharmacy, clinic, hospital, …} "
                    "oder healthcare=*" + _POI_DE,
    "culture_count": "Anzahl der Punkte im Gebiet mit amenity in {theatre, cinema, arts_centre, library, "
                     "community_centre} oder tourism in {museum, gallery}" + _POI_DE,
    "shops_count": "Anzahl der shop=*-Punkte (außer vacant) im Gebiet.",
    "shops_per_ha": "shops_count geteilt durch area_ha.",
    "diversity_shannon": "Shannon-Index H = −Σ p·ln p über die Anteile p der Kategorien (Nahversorgung, Mode, sonstige "
                         "Läden, Gastronomie, Dienstleistungen, Gesundheit, Kultur, Bildung); 0 bei einer Kategorie, "
                         "höchstens ln 8 ≈ 2,08.",
    "green_m2_per_resident": "Grünfläche (siehe landuse_green_share) in m² geteilt durch die Einwohner des Gebiets "
                             "(als Eingabe angegeben).",
    "trees_count": "Anzahl der Bäume: natural=tree-Punkte aus OSM, dazu die Punkte einer städtischen Baumebene "
                   "„trees“, falls angegeben.",
    "street_length_km": "Länge der begehbaren Wegeabschnitte im Gebiet: highway in {primary … residential, "
                        "living_street, pedestrian, service, footway, path, steps, track, cycleway, …}, ohne area=yes, "
                        "foot=no/private oder access=no/private, außer bei foot=yes/designated/permissive.",
    "intersection_count": "Anzahl der Knoten des Wegenetzes im Gebiet, an denen drei oder mehr begehbare Abschnitte "
                          "zusammentreffen (das Netz des ganzen Extrakts, Wege aus dem Gebiet hinaus zählen also mit).",
    "intersection_density": "intersection_count geteilt durch die Fläche in km².",
    "pedestrian_zone_share": "Länge der Abschnitte mit highway=pedestrian und highway=living_street als Anteil an der "
                             "Länge des Wegenetzes.",
    "cycleway_length_km": "Länge im Gebiet von highway=cycleway sowie von Wegen (path, footway) mit bicycle=designated.",
    "pt_stops_count": "Anzahl der Haltestellen im Gebiet: die Punkte der städtischen Ebene „stops“, falls angegeben; "
                      "sonst die Haltestellen aus OSM, deren Teile (highway=bus_stop, public_transport=platform/"
                      "stop_position, railway=tram_stop/halt/station) zu einer Haltestelle zusammengefasst werden: die "
                      "Teile einer Relation public_transport=stop_area; sonst Teile gleichen Namens im Umkreis von "
                      "100 m; ein Teil ohne Namen gehört zur Haltestelle eines Teils im Umkreis von 5 m, sonst ist er "
                      "eine eigene Haltestelle. Eine Haltestelle zählt, wenn der Mittelpunkt ihrer Teile im Gebiet liegt.",
    "pt_coverage_300m": "Anteil des Gebiets in 300 m Fußweg von einer Haltestelle: die von den Haltestellen aus "
                        "innerhalb von 300 m über das begehbare Wegenetz erreichten Wege, dazu 50 m zu den Grundstücken "
                        "daneben; ohne OSM-Wegenetz ein Kreis von 300 m um jede Haltestelle. " + _GRID_DE[0].upper()
                        + _GRID_DE[1:] + ".",
    "schools_count": "Anzahl der Schulen im Gebiet: die städtische Ebene „schools“, falls angegeben, sonst OSM "
                     "amenity/leisure in {school}.",
    "daycare_count": "Anzahl der Kitas im Gebiet: die städtische Ebene „daycare“, falls angegeben, sonst OSM "
                     "amenity/leisure in {childcare, kindergarten}.",
    "playgrounds_count": "Anzahl der Spielplätze im Gebiet: die städtische Ebene „playgrounds“, falls angegeben, "
                         "sonst OSM amenity/leisure in {playground}.",
    "social_infra_coverage_500m": "Anteil des Gebiets im Umkreis von 500 m (Luftlinie) einer Schule, Kita oder eines "
                                  "Spielplatzes, " + _GRID_DE + ".",
    "heritage_count": "Anzahl der Denkmalobjekte im Gebiet: OSM-Punkte mit heritage=* oder historic=*, dazu die "
                      "städtische Ebene „heritage“ (z. B. Stolpersteine), falls angegeben.",
    "sealing_proxy": "Anteil des Gebiets, den Gebäudegrundflächen, Straßenflächen (highway-Linien, um die halbe "
                     "typische Breite je Klasse verbreitert) oder Parkplatzflächen bedecken, " + _GRID_DE
                     + ". Eine Näherung, kein gemessener Versiegelungsgrad.",
}
