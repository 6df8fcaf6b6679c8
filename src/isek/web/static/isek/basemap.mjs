// The base-map page: shows upload progress (the form posts as usual without JavaScript) and
// follows the build until it is done.
const gettext = window.gettext || ((s) => s);

const form = document.getElementById("extract-form");
if (form) {
  form.addEventListener("submit", (ev) => {
    const input = form.querySelector("input[type=file]");
    if (!input || !input.files.length || !window.XMLHttpRequest) return;
    ev.preventDefault();
    const wrap = document.getElementById("upload-progress-wrap");
    const bar = document.getElementById("upload-progress");
    const text = document.getElementById("upload-progress-text");
    wrap.hidden = false;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((100 * e.loaded) / e.total);
      bar.value = pct;
      text.textContent = `${pct} %`;
    });
    xhr.addEventListener("load", () => {
      // Success is a redirect (followed by XHR) to this page; errors come back as the page with messages.
      if (xhr.status < 400) { window.location.assign(xhr.responseURL || window.location.href); return; }
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", () => { text.textContent = gettext("Das Hochladen ist fehlgeschlagen."); });
    xhr.send(new FormData(form));
  });
}

const state = document.getElementById("basemap-state");
if (state && ["queued", "running"].includes(state.dataset.status)) {
  const poll = async () => {
    const r = await fetch(state.dataset.statusUrl, { credentials: "same-origin" });
    const s = await r.json();
    const bar = document.getElementById("basemap-progress");
    if (bar) bar.value = s.progress;
    if (s.status === "queued" || s.status === "running") setTimeout(poll, 1500);
    else window.location.reload();
  };
  setTimeout(poll, 1500);
}
