// The main navigation. Without this file every entry is shown and the group panels still
// open (<details class="navgroup">). With it:
// - on a wide screen an open panel closes when another opens, on Escape (focus back on its
//   summary) and on a click or focus outside it;
// - at phone width (max-width: 760px) the "Menu" button collapses the whole menu; opened, it
//   lists every group as a section (all panels open). Escape or a click outside closes it.
// Our own file: the CSP forbids inline scripts.
(function () {
  "use strict";
  var nav = document.getElementById("mainnav");
  if (!nav) { return; }
  var toggle = nav.querySelector(".menu-toggle");
  var groups = Array.prototype.slice.call(nav.querySelectorAll("details.navgroup"));
  var phone = window.matchMedia("(max-width: 760px)");
  nav.classList.add("js-menu");

  function closeAll(except) {
    groups.forEach(function (g) { if (g !== except) { g.open = false; } });
  }
  function menuOpen() { return nav.classList.contains("is-open"); }
  function setMenu(open) {
    nav.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    groups.forEach(function (g) { g.open = open; });
  }

  toggle.addEventListener("click", function () { setMenu(!menuOpen()); });
  phone.addEventListener("change", function () { setMenu(false); });

  groups.forEach(function (g) {
    var summary = g.querySelector("summary");
    summary.addEventListener("click", function (event) {
      // In the opened phone menu the group names are section headings, not toggles.
      if (phone.matches && menuOpen()) { event.preventDefault(); }
    });
    g.addEventListener("toggle", function () {
      if (g.open && !phone.matches) { closeAll(g); }
    });
  });

  nav.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    if (phone.matches && menuOpen()) {
      setMenu(false);
      toggle.focus();
      return;
    }
    var open = event.target.closest && event.target.closest("details.navgroup");
    if (open && open.open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (nav.contains(event.target)) {
      if (!phone.matches && !(event.target.closest && event.target.closest("details.navgroup"))) {
        closeAll(null);
      }
      return;
    }
    if (phone.matches) {
      if (menuOpen()) { setMenu(false); }
    } else {
      closeAll(null);
    }
  });
  document.addEventListener("focusin", function (event) {
    if (phone.matches) { return; }
    var inside = event.target.closest && event.target.closest("details.navgroup");
    closeAll(inside || null);
  });
})();
