// A finding's page: small enhancements; every form works without them.
(function () {
  "use strict";

  function showFailFields(form) {
    var checked = form.querySelector("input[name=result]:checked");
    var failed = checked !== null && checked.value === "fail";
    form.querySelectorAll("[data-show-when-fail]").forEach(function (el) { el.hidden = !failed; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Verification: the new deadline only matters when the fix did not pass.
    document.querySelectorAll("form[data-verify-form]").forEach(function (form) {
      form.addEventListener("change", function () { showFailFields(form); });
      showFailFields(form);
    });
    // A double tap sends an action once.
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
      });
    });
  });
  // Back to a page kept in the browser's cache: the buttons work again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once] button[type=submit]").forEach(function (button) { button.disabled = false; });
  });
})();
