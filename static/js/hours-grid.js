// Weekly hours grid: move down a column with Enter (up with Shift+Enter, or the arrow keys),
// as in a spreadsheet, instead of submitting the form at the first Enter. Ctrl+Enter saves.
// No inline script (CSP): the grid is found by its data attribute.
(function () {
  "use strict";

  function inputsOf(form, column) {
    return Array.prototype.slice.call(form.querySelectorAll('input[data-grid-col="' + column + '"]'));
  }

  function move(form, input, step) {
    var column = inputsOf(form, input.getAttribute("data-grid-col"));
    var target = column[column.indexOf(input) + step];
    if (target) {
      target.focus();
      target.select();
    } else if (step > 0) {
      var submit = form.querySelector("[data-grid-submit]");
      if (submit) { submit.focus(); }
    }
  }

  function onKeyDown(event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-grid-col]")) { return; }
    var form = input.form;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.key === "Enter") {
      event.preventDefault();
      move(form, input, event.shiftKey ? -1 : 1);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      move(form, input, 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(form, input, -1);
    }
  }

  function init() {
    var form = document.querySelector("form[data-hours-grid]");
    if (!form) { return; }
    form.addEventListener("keydown", onKeyDown);
    // After a refused submit, start where the first correction is needed (else on the
    // first row someone else changed meanwhile).
    var invalid = form.querySelector("input.is-invalid") || form.querySelector("input[data-grid-conflict]");
    if (invalid) { invalid.focus(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
