// Print and Copy on the page of new recovery codes (templates/accounts/recovery_codes_show.html).
// Without JavaScript the two buttons stay hidden and Download (.txt), a plain link, remains.
// What each did is said in the page's status line, which screen readers announce.
(function () {
  "use strict";

  var list = document.querySelector("[data-recovery-codes]");
  var status = document.querySelector("[data-recovery-codes-status]");
  if (!list || !status) {
    return;
  }
  var codes = Array.prototype.map.call(list.querySelectorAll("code"), function (code) {
    return code.textContent.trim();
  });

  function say(message) {
    // Emptied first, so that the same message said twice is announced twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  var print = document.querySelector("[data-recovery-codes-print]");
  if (print && typeof window.print === "function") {
    print.hidden = false;
    print.querySelector("button").addEventListener("click", function () {
      window.print();
      say("Your browser’s print window was opened for the codes.");
    });
  }

  // The clipboard is offered only where the browser has it (a secure context).
  var copy = document.querySelector("[data-recovery-codes-copy]");
  if (copy && navigator.clipboard && typeof navigator.clipboard.writeText === "function") {
    copy.hidden = false;
    copy.querySelector("button").addEventListener("click", function () {
      navigator.clipboard.writeText(codes.join("\n") + "\n").then(
        function () {
          say("The " + codes.length + " codes were copied. Paste them somewhere safe, away from your devices.");
        },
        function () {
          say("Your browser did not let the page copy the codes. Select and copy them yourself, or download them.");
        }
      );
    });
  }
})();
