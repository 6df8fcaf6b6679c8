// The theme review list (participation evaluation): j/k move between the open contributions,
// Enter confirms the theme shown (the button's own behaviour), 1–9 choose that theme and confirm.
// Without this script every row is a plain form. After a confirmation the page opens at the
// contribution to label next (its anchor): its button gets the focus.
const buttons = () => [...document.querySelectorAll("[data-review-confirm]")];

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
  const row = e.target.closest?.(".isek-review");
  const typing = e.target.tagName === "SELECT" || e.target.tagName === "INPUT";
  if (e.key === "j" || e.key === "k") {
    if (!row && document.activeElement !== document.body) return;
    e.preventDefault();
    move(row ? row.querySelector("[data-review-confirm]") : null, e.key === "j" ? 1 : -1);
  } else if (row && /^[1-9]$/.test(e.key) && !typing) {
    const select = row.querySelector("select[name=theme]");
    const option = select?.options[Number(e.key) - 1];
    if (!option || option.value === "none") return;  // "kein Thema passt" is no numbered theme: its own button
    e.preventDefault();
    select.value = option.value;
    select.form.requestSubmit();
  }
});

function start() {
  const target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
  (target?.querySelector("[data-review-confirm]") || buttons()[0])?.focus({preventScroll: Boolean(target)});
}
// After the load: the browser's own move to the page's anchor would take the focus back.
if (document.readyState === "complete") setTimeout(start); else addEventListener("load", () => setTimeout(start));
