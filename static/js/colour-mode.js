// Light, dark or automatic colour mode; loaded in <head> so the page never flashes the wrong colours.
(function () {
  "use strict";
  var KEY = "chashan-colour-mode";
  function stored() {
    try { return localStorage.getItem(KEY) || "auto"; } catch (e) { return "auto"; }
  }
  function resolve(mode) {
    if (mode === "auto") {
      return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
    }
    return mode;
  }
  function apply(mode) {
    document.documentElement.setAttribute("data-bs-theme", resolve(mode));
    document.documentElement.setAttribute("data-colour-mode", mode);
  }
  apply(stored());
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () {
    if (stored() === "auto") { apply("auto"); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-set-colour-mode]");
    function mark() {
      var mode = stored();
      buttons.forEach(function (b) {
        b.classList.toggle("active", b.getAttribute("data-set-colour-mode") === mode);
        b.setAttribute("aria-pressed", b.getAttribute("data-set-colour-mode") === mode ? "true" : "false");
      });
    }
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var mode = button.getAttribute("data-set-colour-mode");
        try { localStorage.setItem(KEY, mode); } catch (e) { /* private mode: this page only */ }
        apply(mode);
        mark();
      });
    });
    mark();
  });
})();
