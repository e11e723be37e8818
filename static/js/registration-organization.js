/*
 * Review Organization Information [2020 §IV.4]: "A green checkmark will appear
 * after you enter each piece of required information. Once all required
 * information has been entered, you will be able to select Update."
 * The server draws the check marks for what it accepted and validates every
 * submit; this keeps them current while the person types. A field may carry
 * data-pattern (the ZIP code's format) so that a mark appears only once the
 * value has that form.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-required-checks]");
  if (!form) {
    return;
  }
  var submit = form.querySelector("[data-enable-when-complete]");
  var hint = document.getElementById("update-hint");
  var fields = Array.prototype.slice.call(form.querySelectorAll("[data-required-field]"));

  function complete(field) {
    var value = field.value.trim();
    var pattern = field.getAttribute("data-pattern");
    return value !== "" && (!pattern || new RegExp(pattern).test(value));
  }

  function mark(field) {
    var check = document.getElementById(field.id + "-check");
    if (check) {
      check.hidden = !complete(field);
    }
  }

  function updateButton() {
    var all = fields.every(complete);
    if (submit) {
      submit.disabled = !all;
    }
    if (hint) {
      hint.hidden = all;
    }
  }

  fields.forEach(function (field) {
    function changed() {
      mark(field);
      updateButton();
    }
    field.addEventListener("input", changed);
    field.addEventListener("change", changed);
  });
  // The marks start as the server drew them (a value it refused has none).
  updateButton();
})();
