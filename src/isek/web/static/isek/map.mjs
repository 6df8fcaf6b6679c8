// Concept maps: funding area, quarters, measures coloured by field of action, context layers.
// Works offline: the base map is the city's own vector tiles served by isek (data-basemap-style,
// labels in a vendored font), else the city's background layers drawn from its own data.
import { Map, Popup, NavigationControl, ScaleControl, LngLatBounds } from "../vendor/maplibre/maplibre-gl.mjs";

// UI texts come from Django's JavaScript catalogue (the page loads it before this module).
const gettext = window.gettext || ((s) => s);
const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
const TEXT = {
  open: gettext("Maßnahme öffnen"), approx: gettext("Lage angenähert"), openIdea: gettext("Idee öffnen"),
  example: gettext("Beispiel"), pending: gettext("wird geprüft – nur Sie sehen diese Idee"),
  pendingModeration: gettext("nicht öffentlich – wartet auf die Moderation"),
};
// MapLibre's own UI strings (buttons' titles and aria-labels), in the page's language.
export const MAP_LOCALE = {
  "AttributionControl.ToggleAttribution": gettext("Quellenangaben ein- oder ausblenden"),
  "AttributionControl.MapFeedback": gettext("Rückmeldung zur Karte"),
  "FullscreenControl.Enter": gettext("Vollbild"),
  "FullscreenControl.Exit": gettext("Vollbild beenden"),
  "GeolocateControl.FindMyLocation": gettext("Meinen Standort finden"),
  "GeolocateControl.LocationNotAvailable": gettext("Standort nicht verfügbar"),
  "LogoControl.Title": gettext("MapLibre-Logo"),
  "Map.Title": gettext("Interaktive Karte"),  // not "Karte": the section around it is named so (axe landmark-unique)
  "Marker.Title": gettext("Kartenmarkierung"),
  "NavigationControl.ResetBearing": gettext("Ziehen, um die Karte zu drehen; klicken, um nach Norden auszurichten"),
  "NavigationControl.ZoomIn": gettext("Vergrößern"),
  "NavigationControl.ZoomOut": gettext("Verkleinern"),
  "Popup.Close": gettext("Schließen"),
  "GlobeControl.Enable": gettext("Globus einschalten"),
  "GlobeControl.Disable": gettext("Globus ausschalten"),
  "TerrainControl.Enable": gettext("Gelände einschalten"),
  "TerrainControl.Disable": gettext("Gelände ausschalten"),
  "CooperativeGesturesHandler.WindowsHelpText": gettext("Zum Zoomen der Karte Strg und Mausrad verwenden"),
  "CooperativeGesturesHandler.MacHelpText": gettext("Zum Zoomen der Karte ⌘ und Mausrad verwenden"),
  "CooperativeGesturesHandler.MobileHelpText": gettext("Die Karte mit zwei Fingern verschieben"),
};

// Reference layers come from the page (data-layers: name, kind, colour, basemap, url); base
// layers are drawn beneath the funding area, the others as points above it.
function baseLayerSpecs(layer) {
  if (layer.kind === "polygon") {
    return [
      { type: "fill", paint: { "fill-color": layer.colour, "fill-opacity": 0.12 } },
      { type: "line", paint: { "line-color": layer.colour, "line-width": 1 } },
    ];
  }
  if (layer.kind === "line") return [{ type: "line", paint: { "line-color": layer.colour, "line-width": 1.5 } }];
  return [{ type: "circle", paint: { "circle-radius": 2.5, "circle-color": layer.colour } }];
}

export function bboxOf(geojson) {
  const b = new LngLatBounds();
  const walk = (c) => (typeof c[0] === "number" ? b.extend(c) : c.forEach(walk));
  for (const f of geojson.features || []) if (f.geometry) walk(f.geometry.coordinates);
  return b.isEmpty() ? null : b;
}

async function getJSON(url) {
  const r = await fetch(url, { credentials: "same-origin" });
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

// "1 Unterstützung", "3 Unterstützungen": the count with its noun in the right number, and how
// many of them are confirmed (decision 0041), as the pages say it (participation/_supports.html).
function supportsText(n, confirmed) {
  const total = ngettext("%s Unterstützung", "%s Unterstützungen", n).replace("%s", n);
  if (!n) return total;
  if (!confirmed) return `${total} ${gettext("(nicht bestätigt)")}`;
  return confirmed < n
    ? total + gettext(", davon %(m)s bestätigt und %(u)s nicht bestätigt").replace("%(m)s", confirmed).replace("%(u)s", n - confirmed)
    : total + gettext(", davon %s bestätigt").replace("%s", confirmed);
}

function escapeHtml(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

async function initMap(el) {
  const t = TEXT;
  const layers = JSON.parse(el.dataset.layers || "[]");
  const basemap = layers.filter((l) => l.basemap);
  const context = layers.filter((l) => !l.basemap);
  const focus = el.dataset.measure ? Number(el.dataset.measure) : null;

  // Every layer's data is asked for at once, while the map loads its style: the layers are added
  // in their order as their data is there (one after another, each waited for, took a second or
  // two on a map with five context layers). A layer that fails is left out with a warning.
  const pending = (list) => list.map((l) => getJSON(l.url).catch((e) => e));
  const basemapData = pending(basemap), contextData = pending(context);
  const ideasData = el.dataset.ideasUrl ? getJSON(el.dataset.ideasUrl).catch((e) => e) : null;
  const [area, quarters, measures] = await Promise.all([
    getJSON(el.dataset.areaUrl), getJSON(el.dataset.quartersUrl), getJSON(el.dataset.measuresUrl),
  ]);
  const blank = { version: 8, sources: {}, layers: [{ id: "bg", type: "background", paint: { "background-color": "#f7f8fa" } }] };
  const map = new Map({
    container: el,
    style: el.dataset.basemapStyle || blank,
    center: [10.4, 51.1], zoom: 5, attributionControl: false, fadeDuration: 0, locale: MAP_LOCALE,
  });
  window.isekMaps = window.isekMaps || {};
  window.isekMaps[el.id] = map;
  map.addControl(new NavigationControl({ showCompass: false }), "top-left");
  map.addControl(new ScaleControl({ unit: "metric" }), "bottom-left");
  await new Promise((resolve) => map.on("load", resolve));

  const data = async (promise) => { const d = await promise; if (d instanceof Error) throw d; return d; };
  for (const [i, layer] of basemap.entries()) {
    try {
      map.addSource(`ctx-${layer.name}`, { type: "geojson", data: await data(basemapData[i]) });
      baseLayerSpecs(layer).forEach((spec, i) => map.addLayer({ id: `ctx-${layer.name}-${i}`, source: `ctx-${layer.name}`, ...spec }));
    } catch (e) { console.warn(e); }
  }
  if (el.dataset.land) addOrientation(map, el, JSON.parse(el.dataset.land));
  map.addSource("area", { type: "geojson", data: area });
  map.addLayer({ id: "area-fill", type: "fill", source: "area", paint: { "fill-color": "#ffffff", "fill-opacity": 0.75 } });
  map.addLayer({ id: "area-line", type: "line", source: "area", paint: { "line-color": "#1d1d1b", "line-width": 2.5, "line-dasharray": [3, 1.5] } });
  map.addSource("quarters", { type: "geojson", data: quarters });
  map.addLayer({ id: "quarters-fill", type: "fill", source: "quarters", paint: { "fill-color": ["get", "colour"], "fill-opacity": 0.18 } });
  map.addLayer({ id: "quarters-line", type: "line", source: "quarters", paint: { "line-color": ["get", "colour"], "line-width": 1.5 } });
  for (const [i, layer] of context.entries()) {
    try {
      map.addSource(`ctx-${layer.name}`, { type: "geojson", data: await data(contextData[i]) });
      if (layer.kind === "point") {
        map.addLayer({ id: `ctx-${layer.name}`, type: "circle", source: `ctx-${layer.name}`, minzoom: 13,
          paint: { "circle-radius": 3, "circle-color": layer.colour, "circle-stroke-color": "#fff", "circle-stroke-width": 1 } });
      } else if (layer.kind === "line") {
        map.addLayer({ id: `ctx-${layer.name}`, type: "line", source: `ctx-${layer.name}`, paint: { "line-color": layer.colour, "line-width": 2 } });
      } else {
        map.addLayer({ id: `ctx-${layer.name}`, type: "line", source: `ctx-${layer.name}`, paint: { "line-color": layer.colour, "line-width": 1.5 } });
      }
    } catch (e) { console.warn(e); }
  }
  if (!el.dataset.editTarget) {
    map.addSource("measures", { type: "geojson", data: measures, promoteId: "id" });
    const width = focus ? ["case", ["==", ["get", "id"], focus], 5, 2.5] : 3;
    // A measure for the whole funding area (Quartiersmanagement) is its outline only, beneath the
    // area's line and everything else, so that the measures inside stay visible and clickable.
    const own = ["!=", ["get", "whole_area"], true];
    map.addLayer({ id: "measures-whole", type: "line", source: "measures", filter: ["==", ["get", "whole_area"], true],
      paint: { "line-color": ["get", "colour"], "line-width": focus ? ["case", ["==", ["get", "id"], focus], 9, 6] : 6,
        "line-opacity": 0.6 } }, "area-line");
    map.addLayer({ id: "measures-fill", type: "fill", source: "measures", filter: ["all", ["==", ["geometry-type"], "Polygon"], own],
      paint: { "fill-color": ["get", "colour"], "fill-opacity": focus ? ["case", ["==", ["get", "id"], focus], 0.7, 0.25] : 0.55 } });
    map.addLayer({ id: "measures-line", type: "line", source: "measures", filter: ["all", ["!=", ["geometry-type"], "Point"], own],
      paint: { "line-color": ["get", "colour"], "line-width": width } });
    map.addLayer({ id: "measures-point", type: "circle", source: "measures", filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-radius": focus ? ["case", ["==", ["get", "id"], focus], 10, 6] : 7, "circle-color": ["get", "colour"],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } });
    const clickable = ["measures-point", "measures-line", "measures-fill", "measures-whole"];
    map.on("click", (e) => {
      const hits = map.queryRenderedFeatures(e.point, { layers: clickable });
      if (!hits.length) return;
      const p = hits[0].properties;
      const approx = p.geometry_approximated ? `<br><em>${t.approx}</em>` : "";
      new Popup({ closeButton: true, maxWidth: "280px" }).setLngLat(e.lngLat)
        .setHTML(`<strong>${escapeHtml(p.number)} ${escapeHtml(p.title)}</strong><br>${escapeHtml(p.field_name)} · ${escapeHtml(p.status_label)}${approx}<br><a class="kern-link" href="${escapeHtml(p.url)}">${t.open}</a>`)
        .addTo(map);
    });
    for (const id of clickable) {
      map.on("mouseenter", id, () => { map.getCanvas().style.cursor = "pointer"; });
      map.on("mouseleave", id, () => { map.getCanvas().style.cursor = ""; });
    }
  } else {
    setupEditing(map, el);
  }
  if (ideasData) {
    const ideas = await data(ideasData);
    // an idea not public, on its page: the author's own (drawn pale, "wird geprüft"), or one
    // waiting for the moderators, for them
    if (el.dataset.ownIdea) ideas.features.push(JSON.parse(el.dataset.ownIdea));
    await addIdeas(map, ideas, el.dataset.heatmap === "true");
  }
  if (el.dataset.crosshair) setupCrosshair(map, el);

  let bounds = null;
  if (focus) bounds = bboxOf({ features: measures.features.filter((f) => f.properties.id === focus) });
  if (!bounds) bounds = bboxOf(area) || bboxOf(quarters) || bboxOf(measures);
  // Nothing of its own yet: the city, or its Land, as the page knows it (not all of Germany).
  if (!bounds && el.dataset.extent) bounds = JSON.parse(el.dataset.extent);
  if (bounds) map.fitBounds(bounds, { padding: 30, maxZoom: 17, duration: 0 });
  map.once("idle", () => { el.dataset.ready = "true"; });
  return map;
}

// Without a base map (data-land: the Land's extent, WGS84 [west, south, east, north]) the map
// orients by itself, offline: a graticule in degrees, labelled at the map's top and right edges,
// and the Land's extent as a rectangle, named at its north-west corner (decision 0066).
const STEPS = [10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005];

export function graticuleStep(span) {
  return STEPS.find((s) => span / s >= 3) ?? STEPS[STEPS.length - 1];
}

export function graticuleLines(west, south, east, north, step) {
  const lines = [];
  const from = (v) => Math.floor(v / step) * step, round = (v) => Number(v.toFixed(6));
  for (let x = from(west); x <= east + step; x += step) {
    lines.push({ type: "Feature", properties: { axis: "lon", value: round(x) },
      geometry: { type: "LineString", coordinates: [[round(x), Math.max(-85, south - step)], [round(x), Math.min(85, north + step)]] } });
  }
  for (let y = from(south); y <= north + step; y += step) {
    if (Math.abs(y) > 85) continue;
    lines.push({ type: "Feature", properties: { axis: "lat", value: round(y) },
      geometry: { type: "LineString", coordinates: [[west - step, round(y)], [east + step, round(y)]] } });
  }
  return { type: "FeatureCollection", features: lines };
}

function addOrientation(map, el, land) {
  const [w, s, e, n] = land;
  map.addSource("land", { type: "geojson", data: { type: "Feature", properties: {},
    geometry: { type: "Polygon", coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] } } });
  map.addLayer({ id: "land-line", type: "line", source: "land",
    paint: { "line-color": "#7a1e3a", "line-width": 3, "line-dasharray": [4, 2] } });
  map.addSource("graticule", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addLayer({ id: "graticule", type: "line", source: "graticule", paint: { "line-color": "#8592a3", "line-width": 1 } }, "land-line");
  const labels = document.createElement("div");
  labels.className = "isek-graticule";
  labels.setAttribute("aria-hidden", "true"); // the notice above the map says what it shows
  el.appendChild(labels);
  const lang = el.dataset.lang || "de";
  const landName = el.dataset.landName ? gettext("Umgebungsrechteck %s").replace("%s", el.dataset.landName) : "";
  const update = () => {
    const b = map.getBounds();
    const step = graticuleStep(Math.min(b.getEast() - b.getWest(), b.getNorth() - b.getSouth()));
    const grid = graticuleLines(b.getWest(), b.getSouth(), b.getEast(), b.getNorth(), step);
    map.getSource("graticule").setData(grid);
    const places = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
    const number = new Intl.NumberFormat(lang, { minimumFractionDigits: places, maximumFractionDigits: places });
    const { width, height } = map.getContainer().getBoundingClientRect();
    const c = map.getCenter();
    // elements with their position set through the CSSOM: the content security policy allows no style attribute
    const spans = [];
    const label = (cls, text, left, top) => {
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = text;
      if (left !== null) span.style.left = `${left.toFixed(0)}px`;
      if (top !== null) span.style.top = `${top.toFixed(0)}px`;
      spans.push(span);
    };
    for (const f of grid.features) {
      const v = f.properties.value;
      if (f.properties.axis === "lon") {
        const x = map.project([v, c.lat]).x;
        if (x > 40 && x < width - 40) {
          label("isek-graticule__lon", (v < 0 ? gettext("%s° W") : gettext("%s° O")).replace("%s", number.format(Math.abs(v))), x, null);
        }
      } else {
        const y = map.project([c.lng, v]).y;
        if (y > 40 && y < height - 40) label("isek-graticule__lat", gettext("%s° N").replace("%s", number.format(v)), null, y);
      }
    }
    const corner = map.project([w, n]);
    if (landName && corner.x > -10 && corner.x < width - 60 && corner.y > -10 && corner.y < height - 20) {
      label("isek-graticule__land", landName, Math.max(4, corner.x), Math.max(4, corner.y));
    }
    labels.replaceChildren(...spans);
  };
  map.on("move", update);
  update();
}

// Citizens' published ideas, coloured by theme; a click opens a popup with a link to the idea.
async function addIdeas(map, ideas, heatmap) {
  if (heatmap) { // the planners' density map: where ideas lie, weighted by support; lines and
    // areas count at the mean of their vertices (a heatmap draws points only)
    const middle = (g) => {
      const pts = [];
      const walk = (c) => (typeof c[0] === "number" ? pts.push(c) : c.forEach(walk));
      walk(g.coordinates);
      return [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];
    };
    const points = { type: "FeatureCollection", features: ideas.features.map((f) => ({ ...f,
      geometry: f.geometry.type === "Point" ? f.geometry : { type: "Point", coordinates: middle(f.geometry) } })) };
    map.addSource("ideas", { type: "geojson", data: points });
    map.addLayer({ id: "ideas-heat", type: "heatmap", source: "ideas", paint: {
      "heatmap-weight": ["+", 1, ["min", 4, ["get", "supports"]]],
      "heatmap-radius": ["interpolate", ["linear"], ["zoom"], 12, 12, 17, 40],
      "heatmap-opacity": 0.75 } });
    return;
  }
  map.addSource("ideas", { type: "geojson", data: ideas });
  map.addLayer({ id: "ideas-fill", type: "fill", source: "ideas", filter: ["==", ["geometry-type"], "Polygon"],
    paint: { "fill-color": ["get", "colour"], "fill-opacity": ["case", ["==", ["get", "pending"], true], 0.12, 0.35] } });
  map.addLayer({ id: "ideas-line", type: "line", source: "ideas", filter: ["!=", ["geometry-type"], "Point"],
    paint: { "line-color": ["get", "colour"], "line-width": 3, "line-dasharray": [2, 1] } });
  // Point ideas are diamonds in their theme's colour, so that they differ from the measures' circles.
  // A pending one (the author's own, on its page) is pale with a dashed outline in that colour.
  const image = (p) => `idea-${p.pending ? "pending-" : ""}${p.colour}`;
  for (const p of ideas.features.map((f) => f.properties)) {
    if (!map.hasImage(image(p))) map.addImage(image(p), diamond(p.colour, p.pending), { pixelRatio: 2 });
  }
  map.addLayer({ id: "ideas-point", type: "symbol", source: "ideas", filter: ["==", ["geometry-type"], "Point"],
    layout: { "icon-image": ["concat", "idea-", ["case", ["==", ["get", "pending"], true], "pending-", ""], ["get", "colour"]],
      "icon-allow-overlap": true, "icon-ignore-placement": true } });
  const clickable = ["ideas-point", "ideas-line", "ideas-fill"];
  map.on("click", (e) => {
    const hits = map.queryRenderedFeatures(e.point, { layers: clickable });
    if (!hits.length) return;
    const p = hits[0].properties;
    const example = p.illustrative ? ` <em>(${TEXT.example})</em>` : "";
    new Popup({ closeButton: true, maxWidth: "280px" }).setLngLat(e.lngLat)
      .setHTML(`<strong>${escapeHtml(p.reference)} ${escapeHtml(p.title)}</strong>${example}<br>${escapeHtml(p.theme)} · ${escapeHtml(p.pending ? (p.moderation ? TEXT.pendingModeration : TEXT.pending) : supportsText(p.supports, p.supports_confirmed))}<br><a class="kern-link" href="${escapeHtml(p.url)}">${TEXT.openIdea}</a>`)
      .addTo(map);
  });
  for (const id of clickable) {
    map.on("mouseenter", id, () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", id, () => { map.getCanvas().style.cursor = ""; });
  }
}

// A diamond of 18 px (36 pixels at pixelRatio 2) in ``colour`` with a dark outline, as ImageData;
// ``pending``: white with a dashed outline in ``colour``.
function diamond(colour, pending = false) {
  const size = 36;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  const g = canvas.getContext("2d");
  g.beginPath();
  g.moveTo(size / 2, 2); g.lineTo(size - 2, size / 2); g.lineTo(size / 2, size - 2); g.lineTo(2, size / 2);
  g.closePath();
  g.fillStyle = pending ? "#ffffff" : colour; g.fill();
  if (pending) g.setLineDash([5, 3]);
  g.lineWidth = pending ? 4 : 3; g.strokeStyle = pending ? colour : "#1d1d1b"; g.stroke();
  return g.getImageData(0, 0, size, size);
}

// Placing without a mouse: a crosshair marks the middle of the map, which moves with the arrow
// keys (MapLibre's keyboard control once the map has the focus); a button takes the middle as
// the place (the button's id is in data-crosshair).
function setupCrosshair(map, el) {
  const mark = document.createElement("div");
  mark.className = "isek-crosshair";
  mark.setAttribute("aria-hidden", "true");
  el.appendChild(mark);
  const button = document.getElementById(el.dataset.crosshair);
  const target = document.getElementById(el.dataset.editTarget);
  if (!button || !target) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const c = map.getCenter();
    target.value = JSON.stringify({ type: "Point", coordinates: [Number(c.lng.toFixed(7)), Number(c.lat.toFixed(7))] });
    target.dispatchEvent(new Event("change"));
  });
}

function setupEditing(map, el) {
  const target = document.getElementById(el.dataset.editTarget);
  const Draw = window.MapboxDraw;
  if (!target || !Draw) return;
  // mapbox-gl-draw styles its buttons with Mapbox class names; give them MapLibre's.
  Draw.constants.classes.CONTROL_BASE = "maplibregl-ctrl";
  Draw.constants.classes.CONTROL_PREFIX = "maplibregl-ctrl-";
  Draw.constants.classes.CONTROL_GROUP = "maplibregl-ctrl-group";
  const polygonOnly = el.dataset.editKind === "polygon";
  const draw = new Draw({
    displayControlsDefault: false,
    controls: polygonOnly ? { polygon: true, trash: true } : { point: true, line_string: true, polygon: true, trash: true },
  });
  map.addControl(draw, "top-right");
  // The drawing library names its buttons in English ("Marker tool", "Delete"): name them in the UI's language.
  const toolNames = {
    "mapbox-gl-draw_point": gettext("Punkt setzen (Taste 1)"),
    "mapbox-gl-draw_line": gettext("Linie zeichnen (Taste 2)"),
    "mapbox-gl-draw_polygon": gettext("Fläche zeichnen (Taste 3)"),
    "mapbox-gl-draw_trash": gettext("Auswahl löschen"),
  };
  for (const [cls, name] of Object.entries(toolNames)) {
    for (const b of el.querySelectorAll(`.${cls}`)) {
      b.title = name;
      b.setAttribute("aria-label", name);
    }
  }
  const load = () => {
    draw.deleteAll();
    const text = target.value.trim();
    if (!text) return;
    try {
      const g = JSON.parse(text);
      const parts = g.type && g.type.startsWith("Multi")
        ? g.coordinates.map((c) => ({ type: g.type.slice(5), coordinates: c }))
        : g.type === "GeometryCollection" ? g.geometries : [g];
      for (const p of parts) draw.add({ type: "Feature", properties: {}, geometry: p });
      const b = bboxOf({ features: parts.map((geometry) => ({ geometry })) });
      if (b) map.fitBounds(b, { padding: 40, maxZoom: 18, duration: 0 });
    } catch (e) { console.warn("geometry not shown", e); }
  };
  const single = el.dataset.editKind === "single"; // one point, line or area (a citizen's idea)
  const save = (e) => {
    if (single && e && e.type === "draw.create") {
      const keep = new Set(e.features.map((f) => f.id));
      for (const f of draw.getAll().features) if (!keep.has(f.id)) draw.delete(f.id);
    }
    const geoms = draw.getAll().features.map((f) => f.geometry);
    let out = null;
    if (polygonOnly) {
      const polys = geoms.filter((g) => g.type === "Polygon");
      out = polys.length ? { type: "MultiPolygon", coordinates: polys.map((g) => g.coordinates) } : null;
    } else if (geoms.length === 1) {
      out = geoms[0];
    } else if (geoms.length > 1) {
      const types = new Set(geoms.map((g) => g.type));
      out = types.size === 1
        ? { type: `Multi${geoms[0].type}`, coordinates: geoms.map((g) => g.coordinates) }
        : { type: "GeometryCollection", geometries: geoms };
    }
    target.value = out ? JSON.stringify(out) : "";
  };
  load();
  map.on("draw.create", save);
  map.on("draw.update", save);
  map.on("draw.delete", save);
  target.addEventListener("change", load);
}

for (const el of document.querySelectorAll(".isek-map[data-area-url]")) {
  initMap(el).catch((e) => {
    el.dataset.ready = "error";
    console.error(e);
  });
}
