// Background jobs on a page (analysis runs, reports): every list item with data-status-url whose
// data-status is queued or running is polled; its progress bar follows, its status text too where
// the answer names it (status_label; the report's PDF: a live region, aria-live="polite", so a
// screen reader hears "läuft"), and the page reloads once none is busy any more (to show results,
// downloads and messages).
const busyStates = new Set(["queued", "running"]);
const items = [...document.querySelectorAll("[data-status-url]")].filter((el) => busyStates.has(el.dataset.status));

async function poll() {
  let busy = false;
  for (const el of items) {
    const r = await fetch(el.dataset.statusUrl, {credentials: "same-origin"});
    const s = await r.json();
    const bar = el.querySelector("progress");
    if (bar) bar.value = s.progress;
    const label = el.querySelector(".isek-run-status");
    if (label && s.status_label && label.textContent !== s.status_label) label.textContent = s.status_label;
    el.dataset.status = s.status;
    if (busyStates.has(s.status)) busy = true;
  }
  if (busy) setTimeout(poll, 1000); else location.reload();
}

if (items.length) setTimeout(poll, 800);
