// Small progressive enhancements shared by every page. Pages work without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Filter forms: changing a select submits at once on wide screens.
    document.querySelectorAll("form[data-auto-submit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
    // Buttons that ask before they act, e.g. deactivating an account.
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
