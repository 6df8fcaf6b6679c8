// Charts of the dashboard and the indicator pages, drawn with Chart.js (vendored from npm,
// loaded as a classic script before this module). Every chart has a text or table equivalent
// on the page; the canvases carry an aria-label.
const Chart = window.Chart;
const lang = document.documentElement.lang || "de";
const fmt = new Intl.NumberFormat(lang === "en" ? "en-GB" : "de-DE", {maximumFractionDigits: 2});
const read = (id) => {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
};
// A value's place on the axis of the target path, whose baseline and target years stand for the
// end of those years (as isek.monitoring.figures.year_position): 31 December of a year is that year.
const year = (iso) => {
  const d = new Date(iso + "T00:00:00Z");
  const end = Date.UTC(d.getUTCFullYear(), 11, 31);
  return d.getUTCFullYear() + (d - end) / (365.25 * 864e5);
};

function financeChart() {
  const data = read("finance-data");
  const canvas = document.getElementById("finance-chart");
  if (!data || !canvas) return;
  new Chart(canvas, {
    type: "bar",
    data: {labels: data.years, datasets: data.datasets.map((d) => ({label: d.label, data: d.values, backgroundColor: d.colour}))},
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: {x: {stacked: true}, y: {stacked: true, ticks: {callback: (v) => fmt.format(v / 1e6) + " Mio. €"}}},
      plugins: {tooltip: {callbacks: {label: (c) => `${c.dataset.label}: ${fmt.format(c.raw)} €`}}},
    },
  });
}

function seriesDatasets(data, small) {
  const palette = ["#1f4e79", "#6f42c1", "#2e7d32", "#b35c00", "#8f3f97", "#005ca9"];
  const sets = data.series.map((s, i) => ({
    label: s.label, data: s.points.map(([d, v]) => ({x: year(d), y: v})),
    borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length],
    borderWidth: i === 0 ? 2 : 1, pointRadius: small ? 2 : 3, showLine: true,
  }));
  if (data.baseline && data.target) {
    sets.push({label: data.labels.path, data: [{x: data.baseline[0], y: data.baseline[1]}, {x: data.target[0], y: data.target[1]}],
      borderColor: "#c00000", borderDash: [4, 3], borderWidth: 1, pointRadius: 0, showLine: true});
  }
  if (data.baseline) sets.push({label: data.labels.baseline, data: [{x: data.baseline[0], y: data.baseline[1]}], pointStyle: "rect", pointRadius: small ? 3 : 5, borderColor: "#555", backgroundColor: "#555"});
  if (data.target) sets.push({label: data.labels.target, data: [{x: data.target[0], y: data.target[1]}], pointStyle: "star", pointRadius: small ? 5 : 8, borderColor: "#c00000", backgroundColor: "#c00000"});
  return sets;
}

function seriesChart(canvas, data, small) {
  // The x axis spans the years of the values, baseline and target, one year of margin each side.
  const xs = seriesDatasets(data, small).flatMap((d) => d.data.map((p) => p.x));
  const xmin = Math.floor(Math.min(...xs)) - 1, xmax = Math.ceil(Math.max(...xs)) + 1;
  new Chart(canvas, {
    type: "scatter",
    data: {datasets: seriesDatasets(data, small)},
    options: {
      responsive: !small, animation: false, maintainAspectRatio: !small,
      plugins: {legend: {display: !small}, tooltip: {callbacks: {label: (c) => `${c.dataset.label}: ${fmt.format(c.raw.y)} ${data.unit}`}}},
      scales: {
        x: {display: !small, min: xmin, max: xmax, ticks: {stepSize: 1, callback: (v) => Number.isInteger(v) ? String(v) : ""}},
        y: {display: !small, title: {display: !small, text: data.unit}},
      },
    },
  });
}

financeChart();
for (const canvas of document.querySelectorAll("canvas.isek-spark, canvas.isek-series")) {
  const data = read(canvas.id + "-data");
  if (data) seriesChart(canvas, data, canvas.classList.contains("isek-spark"));
}
