// Keeps the status of background jobs (exports, PDFs) up to date without a reload: every
// element with data-live-status and an id is fetched again from this same page while it
// holds a row marked data-pending, and replaced in place. The element is an aria-live
// region, so screen readers hear the change. Our own file: the CSP forbids inline scripts.
(function () {
  "use strict";
  var regions = document.querySelectorAll("[data-live-status][id]");
  if (!regions.length) { return; }
  var tries = 0;
  function pending() {
    return document.querySelector("[data-live-status] [data-pending]") !== null;
  }
  function refresh() {
    tries += 1;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          regions.forEach(function (region) {
            var next = fresh.getElementById(region.id);
            if (next) { region.innerHTML = next.innerHTML; }
          });
        }
        if (pending() && tries < 300) { window.setTimeout(refresh, tries < 20 ? 1500 : 5000); }
      })
      .catch(function () { if (tries < 300) { window.setTimeout(refresh, 5000); } });
  }
  if (pending()) { window.setTimeout(refresh, 1500); }
})();
