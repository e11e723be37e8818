// The progress bar of "Register many at once": asks the server how far the registration has got
// every second and a half, moves the bar and its text, and shows the result once every
// organization is done. Without JavaScript the page refreshes itself (a meta refresh in
// <noscript>), so this only makes the wait smoother.
(function () {
  "use strict";

  var box = document.getElementById("bulk-progress");
  if (!box) {
    return;
  }
  var bar = document.getElementById("bulk-progress-bar");
  var text = document.getElementById("bulk-progress-text");
  var url = box.getAttribute("data-progress-url");

  function describe(counts) {
    var parts = [counts.registered + " registered"];
    if (counts.automatic) {
      parts.push(counts.automatic + " automatically registered");
    }
    if (counts.refused) {
      parts.push(counts.refused + " not registered");
    }
    return counts.done + " of " + counts.total + " done: " + parts.join(", ") + ".";
  }

  function ask() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (counts) {
        bar.max = counts.total;
        bar.value = counts.done;
        bar.textContent = counts.percent + "%";
        text.textContent = describe(counts);
        document.title = document.title.replace(/^Registering \d+ of \d+/, "Registering " + counts.done + " of " + counts.total);
        if (counts.state === "done") {
          window.location.reload();
        } else {
          window.setTimeout(ask, 1500);
        }
      })
      .catch(function () {
        window.setTimeout(ask, 5000); // the server is busy or away for a moment: try again later
      });
  }

  window.setTimeout(ask, 1000);
})();
