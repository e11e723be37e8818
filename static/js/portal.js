// Portal behaviour that needs JavaScript; every page also works without it.
// Loaded as a file after uswds.min.js: the Content Security Policy forbids inline scripts.
(function () {
  "use strict";

  // A form came back with errors: move focus to its error summary so that a
  // screen reader announces it and the keyboard starts from its links.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  } else {
    // The outcome of an action (a message at the top) is where focus and eyes go next.
    var outcome = document.querySelector(".qpp-messages");
    if (outcome) {
      outcome.setAttribute("tabindex", "-1");
      outcome.focus();
    }
  }
})();
