/* Confirmations for irreversible actions (prm/confirm.py, templates/_confirm.html).
   A link [data-confirm="ID"] leads to the action's confirmation page; with this script it
   opens the <dialog id="ID"> beside it instead. showModal() moves focus into the dialog and
   Escape closes it (native); Cancel closes it too; on close focus returns to the link.
   The focus starts on the reason, or on Cancel where there is none. */
(function () {
    "use strict";
    function open(link, dialog) {
        if (typeof dialog.showModal !== "function") {
            return false;  // no <dialog> support: follow the link to the confirmation page
        }
        dialog.returnFocusTo = link;
        var form = dialog.querySelector("form");
        if (form) {
            form.reset();
        }
        dialog.showModal();
        // The reason when one is asked; else Cancel, so Enter alone never confirms.
        var first = dialog.querySelector("textarea, input:not([type=hidden]), select") ||
            dialog.querySelector("[data-confirm-cancel]");
        if (first) {
            first.focus();
        }
        return true;
    }
    document.addEventListener("click", function (event) {
        var link = event.target.closest("[data-confirm]");
        if (link) {
            var dialog = document.getElementById(link.getAttribute("data-confirm"));
            if (dialog && open(link, dialog)) {
                event.preventDefault();
            }
            return;
        }
        var cancel = event.target.closest("dialog [data-confirm-cancel]");
        if (cancel) {
            event.preventDefault();
            cancel.closest("dialog").close();
        }
    });
    document.addEventListener("close", function (event) {
        var dialog = event.target;
        if (dialog.returnFocusTo) {
            dialog.returnFocusTo.focus();
            dialog.returnFocusTo = null;
        }
    }, true);
}());
