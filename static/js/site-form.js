// The site form: offer only the grids of the chosen village. Without it, the server still checks.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-site-form]");
    if (!form) { return; }
    var village = form.querySelector("select[name=village]");
    var grid = form.querySelector("select[name=grid]");
    if (!village || !grid) { return; }
    function showGridsOfVillage() {
      var chosen = village.value;
      Array.prototype.forEach.call(grid.options, function (option) {
        var owner = option.getAttribute("data-village");
        var fits = !owner || owner === chosen;
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) { grid.value = ""; }
      });
    }
    village.addEventListener("change", showGridsOfVillage);
    showGridsOfVillage();
  });
})();
