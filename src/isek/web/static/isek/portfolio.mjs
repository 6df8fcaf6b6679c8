// The funding authority's portfolio map: the funding areas of its district's applications (from the
// page: a GeoJSON FeatureCollection in the script named by data-areas), each linking its application.
// No base map: the district's areas on a plain background, as the table beside them lists them.
import { Map, Popup, NavigationControl, ScaleControl } from "../vendor/maplibre/maplibre-gl.mjs";
import { MAP_LOCALE, bboxOf } from "./map.mjs";

const gettext = window.gettext || ((s) => s);

function escapeHtml(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function initPortfolioMap(el) {
  const areas = JSON.parse(document.getElementById(el.dataset.areas).textContent);
  const map = new Map({
    container: el,
    style: { version: 8, sources: {}, layers: [{ id: "bg", type: "background", paint: { "background-color": "#f7f8fa" } }] },
    center: [10.4, 51.1], zoom: 5, attributionControl: false, fadeDuration: 0, locale: MAP_LOCALE,
  });
  map.addControl(new NavigationControl({ showCompass: false }), "top-left");
  map.addControl(new ScaleControl({ unit: "metric" }), "bottom-left");
  map.on("load", () => {
    map.addSource("areas", { type: "geojson", data: areas });
    map.addLayer({ id: "areas-fill", type: "fill", source: "areas", paint: { "fill-color": "#004b87", "fill-opacity": 0.25 } });
    map.addLayer({ id: "areas-line", type: "line", source: "areas", paint: { "line-color": "#004b87", "line-width": 1.5 } });
    const bounds = bboxOf(areas);
    if (bounds) map.fitBounds(bounds, { padding: 30, duration: 0, maxZoom: 14 });
    map.on("click", "areas-fill", (e) => {
      const p = e.features[0].properties;
      new Popup().setLngLat(e.lngLat).setHTML(
        `<strong>${escapeHtml(p.city)}</strong><br>${escapeHtml(p.concept)}<br>` +
        `<a class="kern-link" href="${escapeHtml(p.url)}">${escapeHtml(gettext("Antrag öffnen"))}</a>`).addTo(map);
    });
    map.once("idle", () => { el.dataset.ready = "true"; });
  });
}

for (const el of document.querySelectorAll(".isek-map[data-areas]")) initPortfolioMap(el);
