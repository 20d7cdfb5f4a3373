// The incident form: offer only the sites of the chosen village. Without it, the server still checks.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-incident-form]");
    if (!form) { return; }
    var village = form.querySelector("select[name=village]");
    var site = form.querySelector("select[name=site]");
    if (!village || !site) { return; }
    function showSitesOfVillage() {
      var chosen = village.value;
      Array.prototype.forEach.call(site.options, function (option) {
        var owner = option.getAttribute("data-village");
        var fits = !owner || owner === chosen;
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) { site.value = ""; }
      });
    }
    village.addEventListener("change", showSitesOfVillage);
    showSitesOfVillage();
  });
})();
