/*
 * Auto-save for the Register for CAHPS page [2023 §III.8, §IV]: "Changes made within
 * the registration form will automatically be saved as the registration is completed
 * in real time."
 *
 * Progressive enhancement. Without this script each group of fields (the size, one
 * contact) is an ordinary form with its own Save button. With it, a change in a group
 * posts that form with fetch (the form's own CSRF token goes with it), the Save
 * buttons are hidden, the registration header (contacts receiving updates, status,
 * Delete Registration, the summary download) updates in place, and the result is
 * announced in the page's aria-live region. "+ Add another contact" adds a blank
 * contact form from a <template>; it is created on the server when a field changes.
 *
 * When the portal is briefly unavailable (503 while its database is down, 502/504 from a
 * load balancer) or the connection fails, the group says "not saved yet, trying again" and is
 * sent again, with what its fields hold by then, after 5, 10, 20 and then every 30 seconds
 * until it is saved; leaving the page meanwhile asks first, so nothing typed is lost.
 *
 * A new contact's form carries a one-time key (the server draws one for its own new-contact
 * form; this script gives each copy of the template one), kept across those retries: a save
 * whose answer was lost after the contact was added finds that contact instead of adding another.
 * The answer then says "repeated" and nothing was saved: the fields go again, now to the contact's
 * own address with the edit token it was added with (a change someone made since is not undone).
 */
(function () {
  "use strict";

  var live = document.querySelector("[data-autosave-status]");
  if (!live || !window.fetch || !window.FormData) {
    return;
  }

  var newContacts = 0;
  var RETRY_SECONDS = [5, 10, 20, 30];
  var UNAVAILABLE = [502, 503, 504];

  document.querySelectorAll("[data-autosave-submit], [data-no-js-only]").forEach(function (element) {
    element.hidden = true;
  });
  document.querySelectorAll("[data-js-only]").forEach(function (element) {
    element.hidden = false;
  });

  // ``link``: {text, url} of a next step the answer offers (Update this contact everywhere).
  function announce(text, link) {
    // Clear first so that the same words twice are announced twice.
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = text;
      if (link && link.url) {
        var anchor = document.createElement("a");
        anchor.className = "usa-link";
        anchor.href = link.url;
        anchor.textContent = link.text;
        live.appendChild(document.createTextNode(" "));
        live.appendChild(anchor);
      }
    }, 50);
  }

  // The session ended (idle sign-out, signed out in another tab): the save was answered with
  // the Sign In page. Say so, with the way back, rather than blame fields that are fine.
  function announceSignedOut(form) {
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = label(form) + " not saved: you were signed out. ";
      var link = document.createElement("a");
      link.className = "usa-link";
      link.href = live.getAttribute("data-sign-in-url") || "/accounts/login/";
      link.textContent = "Sign in again";
      live.appendChild(link);
      live.appendChild(document.createTextNode(" to go on; the page will show what was saved."));
    }, 50);
  }

  function isSignInPage(response) {
    var signIn = (live.getAttribute("data-sign-in-url") || "/accounts/login/").split("?")[0];
    return response.redirected && new URL(response.url, window.location.href).pathname === signIn;
  }

  function fieldOf(form, name) {
    return form.querySelector('[name="' + name + '"]');
  }

  function describedBy(input, id, add) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    ids = ids.filter(function (value) {
      return value !== id;
    });
    if (add) {
      ids.push(id);
    }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  function showErrors(form, errors) {
    form.querySelectorAll("[data-error-for]").forEach(function (element) {
      var name = element.getAttribute("data-error-for");
      var messages = errors[name] || [];
      element.textContent = messages.join(" ");
      // The wrapper carries hidden: .usa-error-message's display would override it.
      element.parentElement.hidden = messages.length === 0;
      var input = fieldOf(form, name);
      if (input) {
        var group = input.closest("[data-field-group]");
        if (group) {
          group.classList.toggle("usa-form-group--error", messages.length > 0);
        }
        input.classList.toggle("usa-input--error", messages.length > 0);
        if (messages.length) {
          input.setAttribute("aria-invalid", "true");
        } else {
          input.removeAttribute("aria-invalid");
        }
        describedBy(input, element.id, messages.length > 0);
      }
    });
  }

  function toggleAll(selector, show) {
    document.querySelectorAll(selector).forEach(function (element) {
      element.hidden = !show;
    });
  }

  function updateHeader(data) {
    var count = document.querySelector("[data-contact-count]");
    if (count) {
      count.textContent = String(data.contact_count);
    }
    var status = document.querySelector("[data-cahps-status]");
    if (status && data.status_html) {
      // Rendered by the server from the page's own status template.
      status.innerHTML = data.status_html;
    }
    toggleAll("[data-delete-registration]", data.can_delete_registration);
    toggleAll("[data-summary-link]", data.can_download);
    // The deadline-reminder box, only while a reminder is still to be sent (registrations/reminders.py).
    if (typeof data.reminders === "boolean") {
      toggleAll("[data-reminders]", data.reminders);
    }
    document.querySelectorAll("form[data-autosave='contact'] [data-delete-contact]").forEach(function (link) {
      link.hidden = !data.can_delete_contacts;
    });
  }

  // 128 random bits as 32 hex digits: what the server draws (qpp_registration/core/submission_keys.py).
  function newSubmissionKey() {
    if (!window.crypto || !window.crypto.getRandomValues) {
      return ""; // saved without the protection, as before keys
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    var key = "";
    for (var i = 0; i < bytes.length; i += 1) {
      key += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return key;
  }

  // ``sent``: the form data of the save answered; null when the answer is of an earlier save
  // ("repeated"), whose values the fields no longer need to show.
  function updateContact(form, contact, sent) {
    if (form.getAttribute("data-autosave") === "new-contact") {
      // From now on this form edits the contact the server created.
      form.setAttribute("data-autosave", "contact");
      form.setAttribute("action", contact.update_url);
      form.id = "contact-" + contact.id;
      var link = form.querySelector("[data-delete-contact] a");
      if (link) {
        link.setAttribute("href", contact.delete_url);
      }
    }
    form.querySelectorAll("[data-contact-number]").forEach(function (element) {
      if (contact.number) {
        element.textContent = String(contact.number);
      }
    });
    // Show the cleaned values (a phone number as (410) 555-0123) in the fields that still
    // hold what was sent: never over something typed since, nor in the field being typed in.
    // After a repeated add only the edit token is taken: the fields are sent next as they are.
    Object.keys(contact.values || {}).forEach(function (name) {
      var input = fieldOf(form, name);
      var shown = sent ? input && input.value === sent.get(name) : name === "edit_token";
      if (input && input !== document.activeElement && shown) {
        input.value = contact.values[name];
      }
    });
    var missing = form.querySelector("[data-contact-missing]");
    if (missing) {
      if (contact.missing.length) {
        missing.textContent = "This contact counts once these are filled in: " + contact.missing.join(", ") + ".";
        missing.hidden = false;
      } else {
        missing.textContent = "";
        missing.hidden = true;
      }
    }
  }

  function label(form) {
    if (form.getAttribute("data-autosave") === "size") {
      return "Organization Size";
    }
    var legend = form.querySelector("[data-contact-legend]");
    return legend ? legend.textContent.trim() : "Contact";
  }

  // Not saved yet: send the form again later, with whatever its fields hold by then.
  function retryLater(form, reason) {
    var attempt = parseInt(form.dataset.retries || "0", 10);
    var seconds = RETRY_SECONDS[Math.min(attempt, RETRY_SECONDS.length - 1)];
    form.dataset.retries = String(attempt + 1);
    announce(label(form) + " not saved yet, trying again in " + seconds + " seconds: " + reason);
    window.clearTimeout(form.retryTimer);
    form.retryTimer = window.setTimeout(function () {
      form.retryTimer = null;
      save(form);
    }, seconds * 1000);
  }

  function unsaved() {
    return Array.prototype.some.call(document.querySelectorAll("form[data-autosave]"), function (form) {
      return form.dataset.retries !== undefined && form.dataset.retries !== "0";
    });
  }

  // A change still waiting to be saved: the browser asks before the page is left.
  window.addEventListener("beforeunload", function (event) {
    if (unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  function save(form) {
    // One request per form at a time: a change made while saving is sent right after,
    // so a new contact is created once and the last change wins.
    if (form.dataset.saving === "true") {
      form.dataset.pending = "true";
      return;
    }
    // A change made while a retry waits is sent now, and the retry with it.
    window.clearTimeout(form.retryTimer);
    form.retryTimer = null;
    form.dataset.saving = "true";
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    var body = new FormData(form);
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "X-CSRFToken": token ? token.value : "",
      },
    })
      .then(function (response) {
        // First: the Sign In page (which answers a JSON request in JSON too) after the session ended.
        if (response.status === 401 || isSignInPage(response)) {
          return { saved: false, signedOut: true, errors: {} };
        }
        // Briefly unavailable: nothing of this save was kept; it goes again shortly.
        if (UNAVAILABLE.indexOf(response.status) !== -1) {
          return { saved: false, retry: "the portal is briefly unavailable.", errors: {} };
        }
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === 0) {
          return response.json();
        }
        // Not an answer of the save itself: a refusal page (403/404) for a registration this
        // user cannot change, or another page the save was sent to.
        var ended = response.redirected || response.status === 200;
        return {
          saved: false,
          message: ended
            ? "your session may have ended. Reload the page to sign in again."
            : "the change was refused (error " + response.status + "). Reload the page and try again.",
          errors: {},
        };
      })
      .then(function (data) {
        if (data.retry) {
          retryLater(form, data.retry);
          return;
        }
        form.dataset.retries = "0";
        showErrors(form, data.errors || {});
        if (data.signedOut) {
          announceSignedOut(form);
        } else if (data.saved) {
          if (data.contact) {
            updateContact(form, data.contact, data.repeated ? null : body);
          }
          if (data.repeated) {
            // Sent right after this one, to the contact's own address: what the fields hold now.
            form.dataset.pending = "true";
          }
          updateHeader(data);
          announce(label(form) + " saved. Contacts receiving updates: " + data.contact_count + ". Status: " + data.status_text + ".", data.link);
        } else {
          announce(label(form) + " not saved: " + (data.message || "check the fields marked in red."));
        }
      })
      .catch(function () {
        retryLater(form, "the connection failed.");
      })
      .then(function () {
        form.dataset.saving = "false";
        if (form.dataset.pending === "true") {
          form.dataset.pending = "false";
          save(form);
        }
      });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosave]");
    if (form) {
      save(form);
    }
  });

  // Enter in a field saves in place instead of leaving the page.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-autosave]");
    if (form) {
      event.preventDefault();
      save(form);
    }
  });

  var template = document.getElementById("contact-template");
  var addLink = document.querySelector("[data-add-contact]");
  var list = document.querySelector("[data-contacts]");
  if (template && addLink && list) {
    addLink.addEventListener("click", function (event) {
      event.preventDefault();
      newContacts += 1;
      var number = list.querySelectorAll("form[data-autosave]").length + 1;
      var html = template.innerHTML.split("__n__").join(String(newContacts)).split("__number__").join(String(number));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var form = holder.querySelector("form");
      var key = form.querySelector("[name=submission_key]");
      if (key) {
        key.value = newSubmissionKey();
      }
      list.appendChild(form);
      form.querySelectorAll("[data-autosave-submit]").forEach(function (button) {
        button.hidden = true;
      });
      var first = form.querySelector("input:not([type=hidden])");
      if (first) {
        first.focus();
      }
      announce("Contact " + number + " added. Its fields are saved as you fill them in.");
    });
  }
})();
