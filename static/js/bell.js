// The notification bell (<details class="bell">): it works without this file; it only closes
// the open panel on Escape (focus back on its summary) and on a click or focus outside it.
// Our own file: the CSP forbids inline scripts.
(function () {
  "use strict";
  var bell = document.querySelector("details.bell");
  if (!bell) { return; }
  bell.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && bell.open) {
      bell.open = false;
      bell.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (bell.open && !bell.contains(event.target)) { bell.open = false; }
  });
  document.addEventListener("focusin", function (event) {
    if (bell.open && !bell.contains(event.target)) { bell.open = false; }
  });
})();
