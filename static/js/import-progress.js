// Polls an import job's status, moves the <progress> bar, and reloads the page once the job
// is done to show its report. No inline script: the page's CSP allows only our own files.
(function () {
  "use strict";
  var bar = document.getElementById("import-progress");
  if (!bar) { return; }
  var text = document.getElementById("import-progress-text");
  var url = bar.getAttribute("data-url");
  var tries = 0;
  function check() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data) {
          bar.value = data.percent;
          bar.textContent = data.percent + "%";
          if (text) { text.textContent = data.rows_done + " / " + data.total_rows; }
          if (data.status === "done") { window.location.reload(); return; }
        }
        if (tries < 600) { window.setTimeout(check, tries < 20 ? 1000 : 3000); }
      })
      .catch(function () { if (tries < 600) { window.setTimeout(check, 3000); } });
  }
  window.setTimeout(check, 1000);
})();
