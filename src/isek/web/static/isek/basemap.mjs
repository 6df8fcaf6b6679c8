// The base-map page. With JavaScript the extract goes up in pieces through the tus protocol
// (vendored tus-js-client): progress is shown, a broken connection is retried, and a closed tab
// or a reload resumes where the upload stopped when the same file is chosen again. Once all
// pieces are there, the form is sent with the upload's id instead of the file. Without
// JavaScript the form posts the file as usual. Then the page follows the build until it is done.
const gettext = window.gettext || ((s) => s);
const interpolate = window.interpolate || ((f, o) => f.replace(/%\((\w+)\)s/g, (_m, k) => o[k]));

const form = document.getElementById("extract-form");
if (form && window.tus && window.tus.isSupported) {
  const input = form.querySelector("input[type=file]");
  const idField = form.querySelector("input[name=upload]");
  const wrap = document.getElementById("upload-progress-wrap");
  const bar = document.getElementById("upload-progress");
  const text = document.getElementById("upload-progress-text");
  const cancel = document.getElementById("upload-cancel");
  const submit = form.querySelector("button[type=submit]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  let running = null;

  const show = (pct, message) => {
    wrap.hidden = false;
    bar.value = pct;
    text.textContent = message;
  };

  form.addEventListener("submit", async (ev) => {
    if (!input.files.length || idField.value) return; // nothing chosen: the server says so
    ev.preventDefault();
    const file = input.files[0];
    submit.disabled = true;
    const upload = new window.tus.Upload(file, {
      endpoint: form.dataset.uploadUrl,
      chunkSize: Number(form.dataset.chunkSize),
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream" },
      headers: { "X-CSRFToken": csrf },
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => {
        const pct = Math.floor((100 * sent) / total);
        show(pct, interpolate(gettext("%(pct)s %% (%(sent)s von %(total)s MB)"),
          { pct, sent: (sent / 1e6).toFixed(1), total: (total / 1e6).toFixed(1) }, true));
      },
      onError: (err) => {
        const body = err.originalResponse ? err.originalResponse.getBody() : "";
        show(bar.value, body || gettext("Das Hochladen ist unterbrochen. Dieselbe Datei erneut wählen und hochladen setzt es fort."));
        text.setAttribute("role", "alert");
        submit.disabled = false;
        cancel.hidden = true;
      },
      onSuccess: () => {
        idField.value = upload.url.split("/").pop();
        input.disabled = true; // the bytes are on the server already
        cancel.hidden = true; // nothing uploads any more: the server checks the extract
        show(100, gettext("Hochgeladen; der Extrakt wird geprüft …"));
        form.submit();
      },
    });
    running = upload;
    const previous = await upload.findPreviousUploads();
    if (previous.length) {
      upload.resumeFromPreviousUpload(previous[0]);
      show(0, gettext("Der frühere Upload dieser Datei wird fortgesetzt …"));
    } else {
      show(0, gettext("Das Hochladen beginnt …"));
    }
    cancel.hidden = false;
    upload.start();
  });

  cancel.addEventListener("click", async () => {
    if (!running) return;
    await running.abort(true); // also removes what arrived on the server
    running = null;
    cancel.hidden = true;
    submit.disabled = false;
    show(0, gettext("Das Hochladen wurde abgebrochen."));
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
