// File-integrity pages, progressive enhancement; both work without it.
(function () {
  "use strict";
  // "Select all shown" ticks every change's checkbox on the page.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el.matches) return;
    if (el.matches("input[data-fim-select-all]")) {
      document.querySelectorAll("input.fim-pick").forEach(function (box) { box.checked = el.checked; });
      return;
    }
    // Choosing a stock policy fills the form at once, as "Fill in" does.
    if (el.matches("select[data-fim-stock]")) {
      var btn = el.form && el.form.querySelector("[data-fim-stock-submit]");
      if (btn && el.form.requestSubmit) el.form.requestSubmit(btn); else if (btn) btn.click();
    }
  });
})();
