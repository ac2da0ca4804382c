// Forms (templates/_form.html): after a refused submit, the focus moves to the error summary
// so a screen reader reads every problem at once; a link in the summary focuses its field
// (a plain #fragment would only scroll). Works without this file; our own file: the CSP
// forbids inline scripts.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    var input = target.matches("input, select, textarea")
      ? target
      : target.querySelector("input, select, textarea");
    (input || target).focus();
    target.scrollIntoView({ block: "center" });
  });
})();
