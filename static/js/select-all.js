// "Select all" of a list of checkboxes (Manage Access's invitation form). Without JavaScript
// the server reads the Select all box itself (every organization, on every page); with it, the
// box also ticks and unticks the boxes of the page, and unticking one of those unticks it.
(function () {
  "use strict";

  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var members = document.querySelectorAll(
      '[data-select-all-member="' + all.getAttribute("data-select-all") + '"]'
    );
    all.addEventListener("change", function () {
      members.forEach(function (member) {
        member.checked = all.checked;
      });
    });
    members.forEach(function (member) {
      member.addEventListener("change", function () {
        if (!member.checked) {
          all.checked = false;
        }
      });
    });
  });
})();
