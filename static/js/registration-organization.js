/*
 * Review Organization Information [2020 §IV.4]: "A green checkmark will appear
 * after you enter each piece of required information. Once all required
 * information has been entered, you will be able to select Update."
 * The server draws the check marks for what it accepted and validates every
 * submit; this keeps them current while the person types. A field may carry
 * data-pattern (the ZIP code's format) so that a mark appears only once the
 * value has that form; a value that does not have it is named by the field,
 * in the server's words (data-pattern-message, data-pattern-count-message:
 * registrations/web_interface/forms.py zip_code_problem), and the hint under Update says
 * which field to correct rather than to complete every field.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-required-checks]");
  if (!form) {
    return;
  }
  var submit = form.querySelector("[data-enable-when-complete]");
  var hint = document.getElementById("update-hint");
  var incompleteText = hint ? hint.textContent : "";
  var fields = Array.prototype.slice.call(form.querySelectorAll("[data-required-field]"));

  function filled(field) {
    return field.value.trim() !== "";
  }

  function wellFormed(field) {
    var pattern = field.getAttribute("data-pattern");
    return !pattern || new RegExp(pattern).test(field.value.trim());
  }

  function complete(field) {
    return filled(field) && wellFormed(field);
  }

  function malformed(field) {
    return filled(field) && !wellFormed(field);
  }

  // What is wrong with the value, as registrations/web_interface/forms.py zip_code_problem says it.
  function problem(field) {
    var value = field.value.trim();
    if (/^[0-9]+$/.test(value)) {
      var count = value.length === 1 ? "1 digit" : value.length + " digits";
      return field.getAttribute("data-pattern-count-message").replace("{count}", count);
    }
    return field.getAttribute("data-pattern-message");
  }

  function describedBy(field, id, add) {
    var ids = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (each) {
      return each && each !== id;
    });
    if (add) {
      ids.push(id);
    }
    if (ids.length) {
      field.setAttribute("aria-describedby", ids.join(" "));
    } else {
      field.removeAttribute("aria-describedby");
    }
  }

  // The message next to the field, where the server draws its own (includes/forms.html hint_error).
  function showProblem(field, message) {
    var id = field.id + "_error";
    var error = document.getElementById(id);
    var group = field.closest(".usa-form-group");
    var label = group ? group.querySelector(".usa-label") : null;
    if (message) {
      if (!error) {
        error = document.createElement("span");
        error.className = "usa-error-message";
        error.id = id;
        field.parentNode.insertBefore(error, field);
      }
      error.textContent = message;
      field.setAttribute("aria-invalid", "true");
    } else {
      if (error) {
        error.parentNode.removeChild(error);
      }
      field.removeAttribute("aria-invalid");
    }
    describedBy(field, id, Boolean(message));
    field.classList.toggle("usa-input--error", Boolean(message));
    if (group) {
      group.classList.toggle("usa-form-group--error", Boolean(message));
    }
    if (label) {
      label.classList.toggle("usa-label--error", Boolean(message));
    }
  }

  function mark(field) {
    var check = document.getElementById(field.id + "-check");
    if (check) {
      check.hidden = !complete(field);
    }
  }

  function updateButton() {
    var empty = fields.some(function (field) {
      return !filled(field);
    });
    var wrong = fields.filter(malformed).map(function (field) {
      return field.getAttribute("data-pattern-label") || field.name;
    });
    if (submit) {
      submit.disabled = empty || wrong.length > 0;
    }
    if (hint) {
      if (wrong.length) {
        var template = hint.getAttribute(empty ? "data-incomplete-and-malformed" : "data-malformed");
        hint.textContent = template.replace("{fields}", wrong.join(" and "));
      } else {
        hint.textContent = incompleteText;
      }
      hint.hidden = !empty && !wrong.length;
    }
  }

  fields.forEach(function (field) {
    var patterned = field.hasAttribute("data-pattern");
    field.addEventListener("input", function () {
      mark(field);
      // A message shown already follows the typing; a new one waits until the field is left.
      if (patterned && document.getElementById(field.id + "_error")) {
        showProblem(field, malformed(field) ? problem(field) : "");
      }
      updateButton();
    });
    field.addEventListener("change", function () {
      mark(field);
      if (patterned) {
        showProblem(field, malformed(field) ? problem(field) : "");
      }
      updateButton();
    });
  });
  // The marks start as the server drew them (a value it refused has none).
  updateButton();
})();
