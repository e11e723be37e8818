// Passkeys (WebAuthn): create one on the setup page, and answer the sign-in
// challenge when a passkey is chosen in the device dropdown. The portal sends the
// options as JSON (a <script type="application/json"> block) and checks the
// browser's answer, posted in the form's hidden "credential" field.
(function () {
  "use strict";

  // Why this browser cannot make a passkey at this address, or "" when it can. A page that is
  // not a secure context has no WebAuthn at all; 127.0.0.1 is a secure context, but a passkey
  // belongs to a site's name (its relying-party id) and an IP address is none, so create()
  // would fail there whatever the person does.
  function unavailableReason() {
    if (!window.isSecureContext) {
      return "not-secure";
    }
    var host = window.location.hostname;
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.indexOf(":") !== -1) {
      return "ip-address";
    }
    if (!window.PublicKeyCredential || !navigator.credentials) {
      return "not-supported";
    }
    return "";
  }

  function isLoopback(host) {
    return /^127\./.test(host) || host === "[::1]" || host === "::1";
  }

  // Setup: the reason in place of a form whose button could only fail.
  function explain(form, reason) {
    var notice = document.querySelector("[data-passkey-unavailable]");
    if (!notice) {
      return;
    }
    var host = window.location.hostname;
    notice.querySelectorAll("[data-page-origin]").forEach(function (element) {
      element.textContent = window.location.origin;
    });
    notice.querySelectorAll("[data-page-host]").forEach(function (element) {
      element.textContent = host.replace(/^\[|\]$/g, "");
    });
    var localhost = notice.querySelector("[data-localhost-url]");
    if (localhost) {
      var url = new URL(window.location.href);
      url.hostname = "localhost";
      localhost.href = url.href;
      localhost.textContent = url.href;
    }
    notice.querySelectorAll("[data-loopback-only]").forEach(function (element) {
      element.hidden = !isLoopback(host);
    });
    notice.querySelectorAll("[data-not-loopback-only]").forEach(function (element) {
      element.hidden = isLoopback(host);
    });
    notice.querySelector('[data-passkey-unavailable-reason="' + reason + '"]').hidden = false;
    notice.hidden = false;
    form.hidden = true;
  }

  var setupForm = document.querySelector("form[data-passkey-register]");
  var reason = unavailableReason();
  if (setupForm && reason) {
    explain(setupForm, reason);
  }
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function fromBase64url(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    var binary = window.atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBuffers(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: fromBase64url(item.id) });
    });
  }

  function creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    return Object.assign({}, json, {
      challenge: fromBase64url(json.challenge),
      user: Object.assign({}, json.user, { id: fromBase64url(json.user.id) }),
      excludeCredentials: withBuffers(json.excludeCredentials),
    });
  }

  function requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    return Object.assign({}, json, {
      challenge: fromBase64url(json.challenge),
      allowCredentials: withBuffers(json.allowCredentials),
    });
  }

  function credentialJSON(credential) {
    if (credential.toJSON) {
      return credential.toJSON();
    }
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      if (response.userHandle) {
        json.response.userHandle = toBase64url(response.userHandle);
      }
    }
    return json;
  }

  function readOptions(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function showError(form, message) {
    var error = form.querySelector("[data-passkey-error]");
    if (error) {
      error.textContent = message;
      error.hidden = false;
    }
  }

  function submitWith(form, credential, action) {
    form.querySelector("input[name=credential]").value = JSON.stringify(credentialJSON(credential));
    if (action) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "action";
      input.value = action;
      form.appendChild(input);
    }
    form.submit();
  }

  var cancelled =
    "Your browser did not finish the passkey. Try again, or choose another device. " +
    "If it keeps failing, this browser or device may not support passkeys.";

  // Setup: Create Passkey.
  var register = reason ? null : setupForm;
  if (register) {
    var creation = readOptions(register.getAttribute("data-passkey-register"));
    register.addEventListener("submit", function (event) {
      event.preventDefault();
      navigator.credentials
        .create({ publicKey: creationOptions(creation) })
        .then(function (credential) {
          submitWith(register, credential, null);
        })
        .catch(function () {
          showError(register, cancelled);
        });
    });
  }

  // Sign-in and "Confirm it is you": a passkey chosen in the device dropdown.
  var verify = document.querySelector("form[data-passkey-verify]");
  if (verify) {
    var request = readOptions(verify.getAttribute("data-passkey-verify"));
    var passkeyIds = (verify.getAttribute("data-passkey-devices") || "").split(",");
    var select = verify.querySelector("select[name=device]");
    var codeOnly = verify.querySelectorAll("[data-code-only]");
    var isPasskey = function () {
      return passkeyIds.indexOf(select.value) !== -1;
    };
    var update = function () {
      for (var i = 0; i < codeOnly.length; i += 1) {
        codeOnly[i].hidden = isPasskey();
      }
    };
    select.addEventListener("change", update);
    update();
    verify.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!isPasskey() || (submitter && submitter.value === "send")) {
        return;
      }
      event.preventDefault();
      navigator.credentials
        .get({ publicKey: requestOptions(request) })
        .then(function (credential) {
          submitWith(verify, credential, "verify");
        })
        .catch(function () {
          showError(verify, cancelled);
        });
    });
  }
})();
