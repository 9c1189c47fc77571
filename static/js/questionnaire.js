// RoleFit questionnaire: a live "N of M answered" indicator and focus on the error summary.
// The form works fully without this script.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  if (!form) {
    return;
  }
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  var counter = document.getElementById("answered-count");
  var questions = form.querySelectorAll("fieldset[data-question]");
  if (!counter || !questions.length) {
    return;
  }
  var template = counter.getAttribute("data-template");
  var total = questions.length;

  function update() {
    var answered = 0;
    questions.forEach(function (fieldset) {
      if (fieldset.querySelector("input[type=radio]:checked")) {
        answered += 1;
      }
    });
    counter.textContent = template
      .replace("{answered}", String(answered))
      .replace("{total}", String(total));
    counter.classList.toggle("is-complete", answered === total);
  }

  form.addEventListener("change", update);
  counter.hidden = false;
  update();
})();
