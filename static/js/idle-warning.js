// "Are you still there?" before the idle sign-out (templates/includes/idle_warning.html).
// The portal keeps the clock. The page says when the portal ends the session and what the
// portal's clock read (accounts.two_factor.idle_clock); this script counts to that moment on
// the browser's own clock, less the difference between the two clocks, so a browser whose
// clock is wrong still agrees with the portal. Shortly before the warning is due it asks
// again (GET, which does not count as activity): activity in another tab or an auto-save on
// this page moves the end back. The countdown reaches 0 when the portal ends the session; the
// page then reloads and the portal signs the user out with its message. The warning is a
// <dialog> opened with showModal(): focus moves into it and the page behind is inert.
(function () {
  "use strict";

  var modal = document.querySelector("[data-idle-warning]");
  if (!modal || !window.fetch || typeof modal.showModal !== "function") {
    return;
  }
  var statusUrl = modal.getAttribute("data-status-url");
  var warningMs = (parseInt(modal.getAttribute("data-warning-seconds"), 10) || 120) * 1000;
  var countdown = modal.querySelector("[data-idle-countdown]");
  var stay = modal.querySelector("[data-idle-stay]");
  var csrf = modal.querySelector("input[name=csrfmiddlewaretoken]");
  // The portal ends the session just after its moment, and the clocks' difference is known only
  // to within a request's travel time: the page asks (and reloads) this much after the end.
  var afterEndMs = 250;
  // Unreachable for a moment: look again this much later, never sign anyone out for it.
  var retryMs = 15000;
  var endsAt = 0; // the portal's end of the session, on this browser's clock
  var timer = null;
  var ticker = null;

  function learn(clock) {
    endsAt = Date.now() + (clock.ends_at - clock.now);
  }

  function msLeft() {
    return endsAt - Date.now();
  }

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

  function at(delay, then) {
    window.clearTimeout(timer);
    timer = window.setTimeout(then, Math.max(delay, 0));
  }

  function retry() {
    var end = msLeft() + afterEndMs;
    at(end > 0 && end < retryMs ? end : retryMs, check);
  }

  // The whole seconds left, shown again as each second passes (on the second, not a
  // second-long interval from whenever the warning opened).
  function tick() {
    window.clearTimeout(ticker);
    var left = msLeft();
    countdown.textContent = describe(Math.max(Math.ceil(left / 1000), 0));
    if (left > 0) {
      ticker = window.setTimeout(tick, left % 1000 || 1000);
    }
  }

  function hide() {
    window.clearTimeout(ticker);
    if (modal.open) {
      modal.close();
    }
  }

  // What the portal last said: the warning closed until it is due, or open counting down.
  function follow() {
    if (msLeft() > warningMs) {
      hide();
      at(msLeft() - warningMs, check);
      return;
    }
    tick();
    if (!modal.open) {
      modal.showModal();
    }
    // At the end, the portal is asked: it has signed out, unless the session was used elsewhere.
    at(msLeft() + afterEndMs, check);
  }

  function check() {
    ask("GET")
      .then(function (clock) {
        if (!clock || clock.seconds_left <= 0) {
          signedOut();
          return;
        }
        learn(clock);
        follow();
      })
      .catch(retry);
  }

  function staySignedIn() {
    ask("POST")
      .then(function (clock) {
        if (!clock) {
          signedOut();
          return;
        }
        learn(clock); // the new end, a full idle limit from now
        follow();
      })
      .catch(function (error) {
        if (error && error.message === "unavailable") {
          retry(); // the warning stays open
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
  // A hidden tab's timers run late (at most once a minute in Chromium after a while): back in
  // view, catch up at once. A page restored from the back/forward cache asks afresh.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && msLeft() <= warningMs) {
      check();
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      check();
    }
  });

  // What the portal said when it drew this page.
  var drawn = {
    ends_at: parseInt(modal.getAttribute("data-idle-ends-at"), 10),
    now: parseInt(modal.getAttribute("data-idle-now"), 10),
  };
  if (isNaN(drawn.ends_at) || isNaN(drawn.now)) {
    check();
  } else {
    learn(drawn);
    follow();
  }
})();
