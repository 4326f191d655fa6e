// Vigil progressive enhancement. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // The monitor form re-renders for the chosen type: without JavaScript the
  // "Change type" button posts the form to its own page; here a change of
  // the select presses that button.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el.matches || !el.matches("select[data-change-type]")) return;
    var btn = el.form && el.form.querySelector("[data-change-type-submit]");
    if (!btn) return;
    if (el.form.requestSubmit) el.form.requestSubmit(btn); else btn.click();
  });
})();
