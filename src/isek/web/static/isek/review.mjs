// The theme review list (participation evaluation): j/k move between the open contributions,
// Enter confirms the theme shown (the button's own behaviour; in the theme's choice too, minor24 –
// on the title, a link, Enter opens the contribution as every link does), a theme's number chooses that theme
// and confirms: 1–9 at once; with 10 themes or more (walk 24: a phase had 14) two digits typed one
// after the other make one number ("1" then "4": theme 14) – a digit that could still begin a
// theme's number waits WAIT ms for the next. Without this script every row is a plain form. After
// a confirmation the page opens at the contribution to label next (its anchor): its first control gets
// the focus, announced (see start).
const buttons = () => [...document.querySelectorAll("[data-review-confirm]")];
const WAIT = 1000;
let typed = "";
let timer = null;

// Only the open row's form: a decided row's "Entscheidung ändern" is changed by its own button (fix24d).
const openSelect = (row) => row.querySelector(".isek-review-form select[name=theme]");

function choose(row, number) {
  const select = openSelect(row);
  // "kein Thema passt" is no numbered theme (its own button), nor "– Thema wählen –" (minor24)
  const option = number > 0 ? [...(select?.options || [])].filter((o) => o.value && o.value !== "none")[number - 1] : null;
  if (!option) return;
  select.value = option.value;
  select.form.requestSubmit();
}

function digit(row, key) {
  const select = openSelect(row);
  if (!select) return false;
  const themes = [...select.options].filter((o) => o.value && o.value !== "none").length;
  if (!typed && (key === "0" || Number(key) > themes)) return false;
  clearTimeout(timer);
  typed += key;
  const number = Number(typed);
  if (typed.length === 1 && number * 10 <= themes) {  // "1" of 14 themes: 1, or the start of 10–14
    timer = setTimeout(() => { typed = ""; choose(row, number); }, WAIT);
  } else {
    typed = "";
    choose(row, number);
  }
  return true;
}

function move(from, step) {
  const all = buttons();
  const i = all.indexOf(from);
  const to = all[i < 0 ? 0 : Math.min(all.length - 1, Math.max(0, i + step))];
  if (to) {
    to.focus();
    to.closest("li").scrollIntoView({block: "nearest"});
  }
}

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  if (typed && !/^[0-9]$/.test(e.key)) {  // another key (Enter, j, k …) drops a digit that waits
    clearTimeout(timer);
    typed = "";
  }
  const row = e.target.closest?.(".isek-review");
  const typing = e.target.tagName === "SELECT" || e.target.tagName === "INPUT";
  if (e.key === "j" || e.key === "k") {
    if (!row && document.activeElement !== document.body) return;
    e.preventDefault();
    move(row ? row.querySelector("[data-review-confirm]") : null, e.key === "j" ? 1 : -1);
  } else if (e.key === "Enter" && row && e.target.tagName === "SELECT") {
    e.preventDefault();  // the theme chosen in the row is confirmed (or changed), as by its button
    e.target.form?.querySelector("[data-review-confirm], [data-review-change]")?.click();
  } else if (row && /^[0-9]$/.test(e.key) && !typing) {
    if (digit(row, e.key)) e.preventDefault();
  }
});

// A row's first control: "Bestätigen" of an open row (Enter, j/k and the digits act from it), "Entscheidung
// ändern" of a decided one.
const control = (row) => row?.querySelector("[data-review-confirm]") || row?.querySelector("summary");

// fix24h: after an answer the focus went to the top of the page or was lost. The page opens at the row
// to answer next (its anchor, on its page of the list; set by the server), or stays at the row answered
// when the answer was refused (data-review-focus); the row's first control gets the focus, and screen
// readers hear what was decided and where the focus is (a live region, filled after the load: one
// already filled when the page loads is not announced).
function start() {
  const live = document.getElementById("review-live");
  const id = location.hash ? location.hash.slice(1) : live?.dataset.reviewFocus;
  // a row of "Als Nächstes beschriften" no longer asked about: the same contribution in the list of all
  const target = id ? document.getElementById(id) || document.getElementById(id.replace(/^next-/, "idea-")) : null;
  const focused = control(target) || buttons()[0];
  focused?.focus({preventScroll: Boolean(target)});
  const said = [...document.querySelectorAll(".isek-messages [role=status], #refusal")].map((m) => m.textContent.trim());
  if (!live || !target || !focused || !said.length) return;
  const title = target.querySelector("h3")?.textContent.trim() || "";
  setTimeout(() => { live.textContent = `${said.join(" ")} ${live.dataset.next}: ${title}`; }, 100);
}
// After the load: the browser's own move to the page's anchor would take the focus back.
if (document.readyState === "complete") setTimeout(start); else addEventListener("load", () => setTimeout(start));
