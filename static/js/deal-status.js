// Polls the deal's status while the rules run, then reloads the page once to show the
// decision and its reason. No inline script: the page's CSP allows only our own files.
(function () {
  "use strict";
  var el = document.getElementById("deal-status");
  if (!el) { return; }
  var url = el.getAttribute("data-url");
  var start = el.getAttribute("data-status");
  var tries = 0;
  function check() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.status !== start) { window.location.reload(); return; }
        if (tries < 90) { window.setTimeout(check, tries < 10 ? 1000 : 3000); }
      })
      .catch(function () { if (tries < 90) { window.setTimeout(check, 3000); } });
  }
  window.setTimeout(check, 1000);
})();
