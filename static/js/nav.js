// Disclosure menus of the main navigation (<details class="navgroup">): they work without this
// file; it only closes an open menu when another opens, on Escape (focus back on its
// summary) and on a click or focus outside it. Our own file: the CSP forbids inline scripts.
(function () {
  "use strict";
  var groups = Array.prototype.slice.call(document.querySelectorAll("details.navgroup"));
  if (!groups.length) { return; }
  function closeAll(except) {
    groups.forEach(function (g) { if (g !== except) { g.open = false; } });
  }
  groups.forEach(function (g) {
    g.addEventListener("toggle", function () { if (g.open) { closeAll(g); } });
    g.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && g.open) {
        g.open = false;
        g.querySelector("summary").focus();
      }
    });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("details.navgroup")) { closeAll(null); }
  });
  document.addEventListener("focusin", function (event) {
    var inside = event.target.closest && event.target.closest("details.navgroup");
    closeAll(inside || null);
  });
})();
