// Caseworkers' screens: the quick action row of the participant list, and focus handling.
// No inline script anywhere (CSP); everything hangs off classes and data attributes.
(function () {
  "use strict";

  // The confirmation first, then the first field in error, then the first field.
  var FOCUS_ORDER = ["[data-autofocus]", ".is-invalid", "input:not([type=hidden]), select, textarea"];

  function focusFirstField(container) {
    for (var i = 0; i < FOCUS_ORDER.length; i++) {
      var target = container.querySelector(FOCUS_ORDER[i]);
      if (target) { target.focus(); return; }
    }
  }

  // One quick-action row per person: a second click on "+ Action" goes back to the open form.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var trigger = event.detail.elt;
    if (!trigger.classList || !trigger.classList.contains("quick-action-trigger")) { return; }
    var row = trigger.closest("tr");
    var next = row && row.nextElementSibling;
    if (next && next.classList.contains("quick-action-row")) {
      event.preventDefault();
      focusFirstField(next);
    }
  });

  // After a swap, move the keyboard focus into the new content (the form, its first error,
  // or the confirmation), so screen-reader and keyboard users land where the change is.
  document.addEventListener("htmx:afterSwap", function (event) {
    var root = event.detail.target;
    var row = null;
    if (root && root.id && root.id.indexOf("quick-action-") === 0) {
      row = document.getElementById(root.id);
    } else if (root && root.nextElementSibling && root.nextElementSibling.classList.contains("quick-action-row")) {
      row = root.nextElementSibling;
    }
    if (row) { focusFirstField(row); }
  });

  // Close (or cancel) a quick-action row and give the focus back to its "+ Action" button.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".quick-action-close");
    if (!button) { return; }
    var row = button.closest("tr");
    var owner = row.previousElementSibling;
    row.remove();
    var trigger = owner && owner.querySelector(".quick-action-trigger");
    if (trigger) { trigger.focus(); }
  });

  // Escape closes the open quick-action row.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var row = document.activeElement && document.activeElement.closest && document.activeElement.closest(".quick-action-row");
    if (row) {
      var close = row.querySelector(".quick-action-close");
      if (close) { close.click(); }
    }
  });

  // A page that comes back with errors, duplicates or a conflict puts the focus on the summary.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("#conflict, #duplicates, #form-errors");
    if (summary) { summary.focus(); }
  });
})();
