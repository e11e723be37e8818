/*
 * Main registration page [2020 §IV.2]: "Register" under the CMS Web Interface
 * only displays if the organization size allows it. The server lists the sizes
 * each Register button accepts in data-allowed-sizes (from the rules); this
 * hides a button while another size is chosen. Without JavaScript every button
 * stays and the server explains a size that does not fit.
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
      wrapper.hidden = size !== "" && allowed.indexOf(size) === -1;
    });
  }

  document.querySelectorAll("select[data-register-size]").forEach(function (select) {
    select.addEventListener("change", function () {
      update(select);
    });
    update(select);
  });
})();
