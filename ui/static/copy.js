// Vigil: the Copy button beside a command shown once (the agents page's
// join command). Without JavaScript the button stays hidden and the
// command is plain selectable text.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("button[data-copy]");
    if (!btn) return;
    var src = document.getElementById(btn.getAttribute("data-copy"));
    if (!src || !navigator.clipboard) return;
    navigator.clipboard.writeText(src.textContent.trim()).then(function () {
      btn.textContent = "Copied";
    }, function () {
      btn.textContent = "Select and copy";
    });
  });
})();
