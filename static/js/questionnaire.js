// RoleFit questionnaire: a live "N of M answered" indicator, focus on the error summary, a
// question's error cleared once it is answered, and unsent answers kept in this browser's local
// storage (never sent anywhere) so that a reload or a later visit restores them.
// The form works fully without this script, minus these.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  if (!form) {
    return;
  }
  var summary = document.getElementById("error-summary");
  var draftKey = form.getAttribute("data-draft-key");
  var SENT = "rolefit:draft-sent";
  var TEXT_FIELDS = ["company", "industry", "respondent-name", "respondent-email"];
  var SELECT_FIELDS = ["company-size"];
  var questions = form.querySelectorAll("fieldset[data-question]");

  function storage(kind) {
    try {
      return window[kind];
    } catch (error) {
      return null; // storage disabled by the browser
    }
  }
  var local = storage("localStorage");
  var session = storage("sessionStorage");

  // --- Drafts ----------------------------------------------------------------------------------

  function radios(name) {
    return form.querySelectorAll('input[type=radio][name="' + CSS.escape(name) + '"]');
  }

  function textField(name) {
    var field = form.elements.namedItem(name);
    return field && field.tagName === "INPUT" && field.type !== "radio" ? field : null;
  }

  function selectField(name) {
    var field = form.elements.namedItem(name);
    return field && field.tagName === "SELECT" ? field : null;
  }

  function currentValues() {
    var values = {};
    TEXT_FIELDS.forEach(function (name) {
      var field = textField(name);
      if (field && field.value) {
        values[name] = field.value;
      }
    });
    SELECT_FIELDS.forEach(function (name) {
      var field = selectField(name);
      if (field && field.value) {
        values[name] = field.value;
      }
    });
    questions.forEach(function (fieldset) {
      var checked = fieldset.querySelector("input[type=radio]:checked");
      if (checked) {
        values[checked.name] = checked.value;
      }
    });
    return values;
  }

  function pristine() {
    return !summary && Object.keys(currentValues()).length === 0;
  }

  // The stored draft's values, or null when there is none or it does not fit this questionnaire
  // (a slug or option key it does not have: a draft from an older questionnaire is ignored).
  function storedDraft() {
    var text = local && local.getItem(draftKey);
    if (!text) {
      return null;
    }
    var draft;
    try {
      draft = JSON.parse(text);
    } catch (error) {
      return null;
    }
    if (!draft || draft.version !== 1 || typeof draft.values !== "object" || !draft.values) {
      return null;
    }
    var names = Object.keys(draft.values);
    for (var i = 0; i < names.length; i += 1) {
      var name = names[i];
      var value = draft.values[name];
      if (typeof value !== "string") {
        return null;
      }
      var field = textField(name);
      if (field && TEXT_FIELDS.indexOf(name) !== -1) {
        if (field.maxLength > 0 && value.length > field.maxLength) {
          return null;
        }
        continue;
      }
      var select = selectField(name);
      if (select && SELECT_FIELDS.indexOf(name) !== -1) {
        var listed = Array.prototype.some.call(select.options, function (option) {
          return option.value === value;
        });
        if (!listed) {
          return null;
        }
        continue;
      }
      var known = Array.prototype.some.call(radios(name), function (radio) {
        return radio.value === value;
      });
      if (!known) {
        return null;
      }
    }
    return draft.values;
  }

  function restore(values) {
    Object.keys(values).forEach(function (name) {
      var field = textField(name) || selectField(name);
      if (field) {
        field.value = values[name];
        return;
      }
      radios(name).forEach(function (radio) {
        radio.checked = radio.value === values[name];
      });
    });
  }

  function save() {
    if (!local || !draftKey) {
      return;
    }
    var values = currentValues();
    try {
      if (Object.keys(values).length) {
        local.setItem(draftKey, JSON.stringify({ version: 1, values: values }));
      } else {
        local.removeItem(draftKey);
      }
    } catch (error) {
      // Storage full or disabled: the form still works.
    }
  }

  if (draftKey && local) {
    var note = form.querySelector(".draft-note");
    if (note) {
      note.hidden = false;
    }
    if (session && session.getItem(SENT) === draftKey) {
      // Back on the questionnaire after sending it: the submission did not go through.
      session.removeItem(SENT);
    }
    if (pristine()) {
      var values = storedDraft();
      if (values) {
        restore(values);
      } else {
        local.removeItem(draftKey);
      }
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () {
      save();
      if (session) {
        // The result page forgets the draft (js/result.js) only if this submission succeeds.
        session.setItem(SENT, draftKey);
      }
    });
  }

  // --- Errors ----------------------------------------------------------------------------------

  var countLine = summary && summary.querySelector(".error-summary-count");

  function clearError(fieldset) {
    if (!fieldset.classList.contains("is-invalid")) {
      return;
    }
    var slug = fieldset.id.replace(/^q-/, "");
    fieldset.classList.remove("is-invalid");
    fieldset.querySelectorAll("input.is-invalid").forEach(function (input) {
      input.classList.remove("is-invalid");
    });
    var error = document.getElementById(slug + "-error");
    if (error) {
      error.remove();
    }
    var describedBy = (fieldset.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter(function (id) {
        return id && id !== slug + "-error";
      });
    if (describedBy.length) {
      fieldset.setAttribute("aria-describedby", describedBy.join(" "));
    } else {
      fieldset.removeAttribute("aria-describedby");
    }
    if (!summary) {
      return;
    }
    var item = summary.querySelector('li[data-question="' + CSS.escape(slug) + '"]');
    if (item) {
      item.remove();
    }
    var left = summary.querySelectorAll(".error-summary-unanswered li").length;
    if (countLine) {
      if (left === 0) {
        countLine.remove();
        countLine = null;
      } else {
        var template = countLine.getAttribute(left === 1 ? "data-template-one" : "data-template-many");
        countLine.textContent = template.replace("{count}", String(left));
      }
    }
    if (!summary.querySelector("li")) {
      summary.remove();
      summary = null;
    }
  }

  if (summary) {
    summary.focus();
  }

  // --- Answered count --------------------------------------------------------------------------

  var counter = document.getElementById("answered-count");
  var template = counter && counter.getAttribute("data-template");
  var total = questions.length;

  function update() {
    if (!counter || !questions.length) {
      return;
    }
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

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest && event.target.closest("fieldset[data-question]");
    if (fieldset && event.target.type === "radio") {
      clearError(fieldset);
    }
    update();
  });
  if (counter) {
    counter.hidden = false;
  }
  update();
})();
