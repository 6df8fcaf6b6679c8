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

// A municipality key (AGS) says its Land while it is typed (decision 0078): the Land decides the
// funding rules and the enforcement body, so a wrong key must not pass unnoticed. The names come
// with the field (data-laender), the words in the page's language (data-land-label, data-land-unknown).
for (const input of document.querySelectorAll("input[data-laender]")) {
  const laender = JSON.parse(input.dataset.laender);
  const said = document.createElement("p");
  said.className = "kern-body kern-body--small";
  said.id = `${input.id}-land`;
  said.setAttribute("aria-live", "polite");
  input.insertAdjacentElement("afterend", said);
  const show = () => {
    const digits = input.value.replace(/[\s.\u00a0]/g, "");
    const land = laender[digits.slice(0, 2)];
    if (/^\d{8}$/.test(digits) && land) said.textContent = `${input.dataset.landLabel}: ${land}`;
    else if (/^\d{2}/.test(digits) && !land) said.textContent = input.dataset.landUnknown;
    else said.textContent = "";
  };
  input.addEventListener("input", show);
  show();
}
