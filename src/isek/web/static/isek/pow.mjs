// The submit buttons of a form with the proof of work (ALTCHA) wait until the browser has solved it:
// a click before would only be answered "Die Prüfung … fehlt" (walk 22). They say "Prüfung läuft …"
// meanwhile (the text comes translated from the page). Without JavaScript nothing changes here.
for (const widget of document.querySelectorAll("altcha-widget")) {
  const form = widget.closest("form");
  if (!form) continue;
  const buttons = [...form.querySelectorAll('button[type="submit"], button:not([type])')];
  const pending = widget.closest(".isek-pow")?.dataset.pending || "…";
  const labels = buttons.map((b) => b.querySelector(".kern-label") || b);
  const texts = labels.map((l) => l.textContent);
  const solved = () => (form.querySelector("input[name=altcha]")?.value || "").length > 20;
  const waiting = (on) => {
    buttons.forEach((b, n) => {
      b.disabled = on;
      labels[n].textContent = on ? pending : texts[n];
    });
  };
  waiting(!solved());
  widget.addEventListener("statechange", (event) => {
    const state = event.detail?.state;
    if (state === "verifying") waiting(true);
    else if (state === "verified" || state === "error") waiting(false); // an error: the server says why
  });
}
