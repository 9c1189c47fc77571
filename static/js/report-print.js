// The report's "Print" button: shown only where scripts run (without them, the browser's own
// print command does the same).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
