// Buttons with data-confirm ask before they submit (an inline onclick would break the content
// security policy, which allows scripts from isek's own files only).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
