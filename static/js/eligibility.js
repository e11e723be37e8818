/*
 * Eligibility checker: once every question is answered, each change asks the
 * server again (the same GET the Check eligibility button sends) and shows the
 * new answer below the form without reloading the page. The address bar keeps
 * the query, so the answer can still be bookmarked and shared. Without
 * JavaScript the button submits the form and the page comes back with the answer.
 * A newer question cancels the request still on its way for the older one, so an
 * answer that arrives late never replaces the answer to the latest question.
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

  var pending = null; // the AbortController of the request on its way, if any

  function check() {
    var query = new URLSearchParams(new FormData(form)).toString();
    var url = form.action + "?" + query;
    if (pending) {
      pending.abort();
    }
    var request = new AbortController();
    pending = request;
    fetch(url, {
      headers: { "X-Requested-With": "eligibility" },
      credentials: "same-origin",
      signal: request.signal,
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (pending !== request) {
          return; // a newer question was asked meanwhile: its answer is the one to show
        }
        pending = null;
        results.innerHTML = html;
        window.history.replaceState(null, "", url);
      })
      .catch(function () {
        if (request.signal.aborted) {
          return; // cancelled by a newer question
        }
        form.submit();
      });
  }

  form.addEventListener("change", function () {
    if (complete()) {
      check();
    }
  });
})();
