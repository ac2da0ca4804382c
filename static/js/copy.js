// Copy buttons: <button data-copy-target="ID" data-copied="…" data-copy-failed="…"> copies the
// value of the field ID with the Clipboard API and says so in the page's aria-live status
// (#ID-status). Where the clipboard is refused, the text is selected for a manual copy.
// Our own file: the CSP forbids inline scripts.
(function () {
  "use strict";
  function say(field, text, ok) {
    var status = document.getElementById(field.id + "-status");
    if (!status) { return; }
    status.textContent = "";
    status.classList.toggle("copy-ok", ok);
    status.classList.toggle("copy-failed", !ok);
    // A fresh text each time, so a screen reader announces a second copy too.
    window.setTimeout(function () { status.textContent = text; }, 50);
  }
  function selectAll(field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
  }
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy-target]"), function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) { return; }
    field.addEventListener("focus", function () { field.select(); });
    button.addEventListener("click", function () {
      var failed = function () {
        selectAll(field);
        say(field, button.getAttribute("data-copy-failed"), false);
      };
      if (!navigator.clipboard || !window.isSecureContext) { failed(); return; }
      navigator.clipboard.writeText(field.value).then(function () {
        say(field, button.getAttribute("data-copied"), true);
      }, failed);
    });
  });
})();
