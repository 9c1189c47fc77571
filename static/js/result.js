// RoleFit result page: the "Copy link" button, and forgetting the questionnaire's draft once it
// has been sent (js/questionnaire.js marks the sending tab). The page works without this script.
(function () {
  "use strict";

  // The questionnaire's answers were sent from this tab and this result is their outcome.
  try {
    var sent = window.sessionStorage.getItem("rolefit:draft-sent");
    if (sent) {
      window.sessionStorage.removeItem("rolefit:draft-sent");
      if (sent.indexOf("rolefit:") === 0) {
        window.localStorage.removeItem(sent);
      }
    }
  } catch (error) {
    // Storage disabled: there is no draft either.
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById("copy-status");
    if (!input) {
      return;
    }
    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }
    function copied() {
      say(button.getAttribute("data-copied"));
    }
    function fallback() {
      input.focus();
      input.select();
      var done = false;
      try {
        done = document.execCommand("copy");
      } catch (error) {
        done = false;
      }
      if (done) {
        copied();
      } else {
        say(button.getAttribute("data-copy-failed"));
      }
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(copied, fallback);
      } else {
        fallback();
      }
    });
  });
})();
