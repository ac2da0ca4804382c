// Global search shortcuts: "/" (when not typing in a field) or Ctrl/Cmd+K moves focus to the
// search field in the top bar (templates/prm/_global_search.html). Our own file: the CSP
// forbids inline scripts. The form works without it.
(function () {
  "use strict";
  var input = document.getElementById("global-search-q");
  if (!input) { return; }
  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey) { return; }
    var k = (event.key || "").toLowerCase();
    var combo = k === "k" && (event.ctrlKey || event.metaKey) && !event.shiftKey;
    var slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !typing(event.target);
    if (combo || slash) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
})();
