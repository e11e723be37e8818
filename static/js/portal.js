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

  // Print: the button appears once it can work; the page says when it was printed.
  var printedAt = document.querySelector("[data-printed-at]");
  function stampPrintTime() {
    if (!printedAt) {
      return;
    }
    var text = new Date().toLocaleString("en-US", {
      timeZone: "America/New_York",
      weekday: "long",
      year: "numeric",
      month: "long",
      day: "numeric",
      hour: "numeric",
      minute: "2-digit",
    });
    printedAt.textContent = text.replace(" AM", " a.m.").replace(" PM", " p.m.") + " ET";
  }
  window.addEventListener("beforeprint", stampPrintTime);
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      stampPrintTime();
      window.print();
    });
  });
})();
