/*
 * "Use an existing contact" [issue 27 #3] (templates/registrations/_existing_contact.html).
 *
 * Without this script the chooser is a form sent with GET that draws the page again with the
 * contact form filled in. With it, "Use this contact" fills the contact form's fields in place.
 * Either way nothing is saved: the person still selects the contact form's own button. On the
 * Register for CAHPS page, whose contacts save as they change, the fields are filled without a
 * change event, and the new contact's "Save contact" button is shown for that.
 */
(function () {
  "use strict";

  var FIELDS = { first_name: "firstName", last_name: "lastName", email: "email", phone: "phone" };

  // The Register for CAHPS page's new contact: the last one not saved yet, or a new one.
  function cahpsNewContact() {
    var forms = document.querySelectorAll("form[data-autosave='new-contact']");
    if (forms.length) {
      return forms[forms.length - 1];
    }
    var add = document.querySelector("[data-add-contact]");
    if (add) {
      add.click(); // autosave.js adds a blank contact form from its template
      forms = document.querySelectorAll("form[data-autosave='new-contact']");
    }
    return forms.length ? forms[forms.length - 1] : null;
  }

  function say(chooser, text) {
    var status = chooser.querySelector("[data-existing-contact-status]");
    if (status) {
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = text;
      }, 50);
    }
  }

  document.querySelectorAll("form[data-existing-contact]").forEach(function (chooser) {
    chooser.addEventListener("submit", function (event) {
      var select = chooser.querySelector("select");
      var option = select.options[select.selectedIndex];
      var target = chooser.getAttribute("data-existing-contact");
      var form = target === "cahps-new" ? cahpsNewContact() : document.querySelector(target);
      if (!form) {
        return; // the page is drawn again, filled in, by the server
      }
      event.preventDefault();
      if (!option || !option.value) {
        select.focus();
        say(chooser, "Choose a contact first.");
        return;
      }
      Object.keys(FIELDS).forEach(function (name) {
        var input = form.querySelector('[name="' + name + '"]');
        if (input) {
          input.value = option.dataset[FIELDS[name]] || "";
        }
      });
      var label = chooser.getAttribute("data-save-label") || "Save";
      if (target === "cahps-new") {
        form.querySelectorAll("[data-autosave-submit]").forEach(function (wrapper) {
          wrapper.hidden = false;
        });
      }
      var first = form.querySelector('[name="first_name"]');
      if (first) {
        first.focus();
      }
      say(chooser, "Filled in with " + option.textContent.trim() + ". Select " + label + " to save this contact.");
    });
  });
})();
