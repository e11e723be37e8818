// Django admin additions for the QPP Registration staff pages (no inline scripts: CSP).
//
// The two-list selector that Django's SelectFilter2.js draws (a user's groups and permissions,
// a group's permissions) labels each of its filter boxes with a magnifier <span> named by an
// aria-label, which ARIA does not allow on an element with no role (axe-core's
// aria-prohibited-attr): the box is then named only by its placeholder, "Filter". The icon is
// an image: given that role, its name becomes the box's label ("Type into this box to filter
// down the list of available groups."). The selector is drawn on the window's load event, after
// this deferred script has run, so the spans are caught as they are added.
"use strict";

(function () {
  const ICONS = ".search-label-icon[aria-label]:not([role])";

  function nameIcons(root) {
    root.querySelectorAll(ICONS).forEach((icon) => icon.setAttribute("role", "img"));
  }

  if (!document.querySelector("select[multiple]")) {
    return;
  }
  new MutationObserver((records) => {
    records.forEach((record) => {
      record.addedNodes.forEach((node) => {
        if (node.nodeType === Node.ELEMENT_NODE) {
          nameIcons(node.parentNode || node);
        }
      });
    });
  }).observe(document.body, { childList: true, subtree: true });
  nameIcons(document);
})();
