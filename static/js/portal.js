// Small progressive enhancements shared by every page. Pages work without it.
// The Content-Security-Policy allows no inline script and no inline style, so behaviour that a
// template would otherwise write as onclick="…" is declared with data- attributes
// and attached here, also to content that htmx swaps in.
(function () {
  "use strict";

  function each(root, selector, callback) {
    if (root.matches && root.matches(selector)) { callback(root); }
    root.querySelectorAll(selector).forEach(callback);
  }

  function enhance(root) {
    // Filter forms: changing a select submits at once on wide screens.
    each(root, "form[data-auto-submit] select", function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
    // Forms and buttons that ask before they act, e.g. archiving a year's letters or deactivating an account.
    each(root, "[data-confirm]", function (el) {
      var ask = function (event) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
      };
      el.addEventListener(el.tagName === "FORM" ? "submit" : "click", ask);
    });
    // Print buttons (duty table, campaign report, dashboard print view).
    each(root, "[data-print]", function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (window.htmx) {
    // htmx calls this for the page once it is loaded and for every piece of content it swaps in.
    window.htmx.onLoad(enhance);
  } else {
    document.addEventListener("DOMContentLoaded", function () { enhance(document.body); });
  }
})();
