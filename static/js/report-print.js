// The report's "Print" button: shown only where scripts run (without them, the browser's own
// print command does the same).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});

// The printed footer's brand and company (print.css's @page margin box reads --report-footer).
// Set through the CSSOM: the pages' content security policy allows no inline style.
const report = document.querySelector(".report[data-footer]");
if (report) {
  document.documentElement.style.setProperty(
    "--report-footer",
    JSON.stringify(report.dataset.footer),
  );
}
