/*
 * Eligibility checker: once every question is answered, each change asks the
 * server again (the same GET the Check eligibility button sends) and shows the
 * new answer below the form without reloading the page. The address bar keeps
 * the query, so the answer can still be bookmarked and shared. Without
 * JavaScript the button submits the form and the page comes back with the answer.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-eligibility-form]");
  var results = document.getElementById("eligibility-results");
  if (!form || !results || !window.fetch) {
    return;
  }

  function complete() {
    var year = form.elements.year.value;
    var kind = form.querySelector("input[name=kind]:checked");
    var size = form.querySelector("input[name=size]:checked");
    return Boolean(year && kind && size);
  }

  function check() {
    var query = new URLSearchParams(new FormData(form)).toString();
    var url = form.action + "?" + query;
    fetch(url, { headers: { "X-Requested-With": "eligibility" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        results.innerHTML = html;
        window.history.replaceState(null, "", url);
      })
      .catch(function () {
        form.submit();
      });
  }

  form.addEventListener("change", function () {
    if (complete()) {
      check();
    }
  });
})();
