/*
 * Main registration page [2020 §IV.2]: "Register" under the CMS Web Interface
 * only displays if the organization size allows it. The server lists the sizes
 * each Register button accepts in data-allowed-sizes (from the rules); this
 * hides a button until a size it allows is chosen, and its hint once one is.
 * Without JavaScript every button stays and the server explains, next to the
 * organization, a size that does not fit.
 */
(function () {
  "use strict";

  function update(select) {
    var form = select.form;
    if (!form) {
      return;
    }
    var size = select.value;
    form.querySelectorAll("[data-allowed-sizes]").forEach(function (button) {
      var allowed = button.getAttribute("data-allowed-sizes").split(" ");
      var wrapper = button.closest("[data-register-action]") || button;
      // A program every size allows (CAHPS) shows before a size is chosen; one that needs a
      // particular size (the Web Interface: 25 or more) only once that size is chosen. Its
      // hint says which size, until one that fits is chosen.
      var everySize = select.querySelectorAll("option[value]:not([value=''])").length === allowed.length;
      button.hidden = size === "" ? !everySize : allowed.indexOf(size) === -1;
      var hint = wrapper.querySelector("[data-size-hint]");
      if (hint) {
        hint.hidden = allowed.indexOf(size) !== -1;
      }
    });
  }

  document.querySelectorAll("select[data-register-size]").forEach(function (select) {
    select.addEventListener("change", function () {
      update(select);
    });
    update(select);
  });
})();
