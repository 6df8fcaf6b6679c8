// A form that changes something is sent once. Pressed again while its first request is on the way
// (the impatient double click), the browser would send it a second time and show the second
// answer – for a measure the first request has just saved, "the number is already taken". The
// second press does nothing; the page that answers the first one follows. A form shown again
// from the browser's history (back button) may be sent again: the server decides then.
document.addEventListener("submit", (event) => {
  const form = event.target;
  // Cancelled by the form's own script (a confirmation, an upload in pieces): not sent.
  if (event.defaultPrevented || form.method !== "post") return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "true";
  form.setAttribute("aria-busy", "true");
});

window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll("form[data-sent]")) {
    delete form.dataset.sent;
    form.removeAttribute("aria-busy");
  }
});
