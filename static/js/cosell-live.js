// Keeps a shared opportunity's page up to date without a reload: polls the workspace's small
// JSON endpoint (its newest timeline row), and when something happened fetches the page again
// and replaces each [data-cosell-region] in place (comments, tasks, people, files, timeline).
// The forms stay as they are, so nothing being typed is lost. The comment and task lists are
// aria-live regions, so screen readers hear what arrives. Our own file: the CSP forbids inline
// scripts. The same polling as the deal page's decision (deal-status.js).
(function () {
  "use strict";
  var root = document.querySelector("[data-cosell-live]");
  if (!root) { return; }
  var url = root.getAttribute("data-url");
  var cursor = root.getAttribute("data-cursor");
  var busy = false;
  function refresh() {
    return fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-cosell-region][id]").forEach(function (region) {
          var next = fresh.getElementById(region.id);
          if (next && next.innerHTML !== region.innerHTML) { region.innerHTML = next.innerHTML; }
        });
      });
  }
  function check() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && String(data.cursor) !== String(cursor)) {
          cursor = String(data.cursor);
          return refresh();
        }
      })
      .catch(function () { /* offline for a moment: the next tick tries again */ })
      .then(function () { busy = false; });
  }
  window.setInterval(check, 3000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { check(); } });
})();
