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

  // The policy page's Edit button opens the edit form where it is, instead
  // of loading the page again with ?edit=1 (what it does without script).
  function editForm() { return document.querySelector("details.fim-edit"); }
  function openEdit(focus) {
    var d = editForm();
    if (!d) return false;
    d.open = true;
    var card = document.getElementById("edit") || d;
    card.scrollIntoView({ block: "start" });
    if (focus) {
      var field = d.querySelector("input:not([type=hidden]), select, textarea");
      if (field) field.focus({ preventScroll: true });
    }
    return true;
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[data-fim-edit]");
    if (!a || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    if (!openEdit(true)) return;
    ev.preventDefault();
    // The address says so too: a reload shows the form open.
    if (window.history && history.replaceState) history.replaceState(null, "", a.href);
  });
  // A link or a bookmark to #edit shows the form open.
  function fromHash() { if (location.hash === "#edit") openEdit(false); }
  window.addEventListener("hashchange", fromHash);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fromHash); else fromHash();
})();
