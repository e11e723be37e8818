// "Are you still there?" before the idle sign-out (templates/includes/idle_warning.html).
// The portal keeps the clock: this script asks it how long the session has left
// (GET, which does not count as activity), so activity in another tab or an
// auto-save on this page moves the warning back. When the time is up it reloads
// the page and the portal signs the user out with its message. The warning is a
// <dialog> opened with showModal(): focus moves into it and the page behind is inert.
(function () {
  "use strict";

  var modal = document.querySelector("[data-idle-warning]");
  if (!modal || !window.fetch || typeof modal.showModal !== "function") {
    return;
  }
  var statusUrl = modal.getAttribute("data-status-url");
  var warningSeconds = parseInt(modal.getAttribute("data-warning-seconds"), 10) || 120;
  var countdown = modal.querySelector("[data-idle-countdown]");
  var stay = modal.querySelector("[data-idle-stay]");
  var csrf = modal.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null;
  var ticker = null;
  var deadline = 0;

  function describe(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    var parts = [];
    if (minutes) {
      parts.push(minutes + (minutes === 1 ? " minute" : " minutes"));
    }
    if (rest || !minutes) {
      parts.push(rest + (rest === 1 ? " second" : " seconds"));
    }
    return parts.join(" ");
  }

  function ask(method) {
    var options = { method: method, credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } };
    if (method === "POST") {
      options.headers["X-CSRFToken"] = csrf ? csrf.value : "";
    }
    return fetch(statusUrl, options).then(function (response) {
      // Briefly unavailable (503 while the database is down, 502/504 from a load balancer):
      // ask again later, never reload the page over what is typed in it.
      if (response.status === 502 || response.status === 503 || response.status === 504) {
        throw new Error("unavailable");
      }
      // A redirect means the session already ended (signed out in another tab).
      if (!response.ok || response.type === "opaqueredirect") {
        return null;
      }
      return response.json();
    });
  }

  function signedOut() {
    window.location.reload();
  }

  function schedule(secondsLeft) {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, Math.max(secondsLeft - warningSeconds, 0) * 1000);
  }

  function hide() {
    window.clearInterval(ticker);
    if (modal.open) {
      modal.close();
    }
  }

  function tick() {
    var left = Math.max(Math.round((deadline - Date.now()) / 1000), 0);
    countdown.textContent = describe(left);
    if (left <= 0) {
      window.clearInterval(ticker);
      // Time is up, unless the session was used elsewhere in the meantime.
      check();
    }
  }

  function show(secondsLeft) {
    deadline = Date.now() + secondsLeft * 1000;
    countdown.textContent = describe(secondsLeft);
    if (!modal.open) {
      modal.showModal();
    }
    window.clearInterval(ticker);
    ticker = window.setInterval(tick, 1000);
  }

  function check() {
    ask("GET")
      .then(function (status) {
        if (!status || status.seconds_left <= 0) {
          signedOut();
        } else if (status.seconds_left > warningSeconds) {
          hide();
          schedule(status.seconds_left);
        } else {
          show(status.seconds_left);
        }
      })
      .catch(function () {
        // Offline for a moment: look again shortly rather than sign anyone out.
        schedule(warningSeconds + 15);
      });
  }

  function staySignedIn() {
    ask("POST")
      .then(function (status) {
        if (!status) {
          signedOut();
          return;
        }
        hide();
        schedule(status.seconds_left);
      })
      .catch(function (error) {
        if (error && error.message === "unavailable") {
          schedule(warningSeconds + 15); // the warning stays open; look again shortly
        } else {
          signedOut();
        }
      });
  }

  stay.addEventListener("click", staySignedIn);
  // Escape answers the question too: the person is there. The dialog closes once the
  // portal has started the idle time again.
  modal.addEventListener("cancel", function (event) {
    event.preventDefault();
    staySignedIn();
  });

  // This page's own request just started the idle time again.
  schedule(parseInt(modal.getAttribute("data-idle-seconds"), 10) || warningSeconds);
})();
