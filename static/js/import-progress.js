// Import progress: size the bar from its data attribute (no inline style: CSP), including
// after each htmx swap of the progress fragment.
(function () {
  "use strict";

  function sizeBars(root) {
    var bars = (root || document).querySelectorAll(".import-progress-bar[data-percent]");
    Array.prototype.forEach.call(bars, function (bar) {
      bar.style.width = bar.getAttribute("data-percent") + "%";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { sizeBars(document); });
  document.addEventListener("htmx:afterSwap", function (event) { sizeBars(event.detail.target.parentNode || document); });
})();
