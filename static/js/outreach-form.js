// Outreach forms: one tap saves once, and the carrier list offers only the chosen village's carriers.
// The pages work without it: the server refuses another village's carrier with a message.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function () {
        window.setTimeout(function () {
          form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
        }, 0);
      });
    });
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form[data-once] button[type=submit]").forEach(function (button) { button.disabled = false; });
    });

    // opening hours and capacity belong to venues only: show them when the chosen type is a venue
    var carrierForm = document.querySelector("form[data-carrier-form]");
    if (carrierForm) {
      var venues = (carrierForm.getAttribute("data-venue-types") || "").split(",");
      var type = carrierForm.querySelector("select[name=type]");
      var venueFields = carrierForm.querySelector("[data-venue-fields]");
      if (type && venueFields) {
        var toggle = function () { venueFields.hidden = venues.indexOf(type.value) === -1; };
        type.addEventListener("change", toggle);
        toggle();
      }
    }

    var form = document.querySelector("form[data-activity-form]");
    if (!form) { return; }
    var village = form.querySelector("select[name=village]");
    var carrier = form.querySelector("select[name=carrier]");
    if (!village || !carrier) { return; }
    var options = Array.prototype.slice.call(carrier.options);
    function filter() {
      var name = village.selectedIndex >= 0 ? village.options[village.selectedIndex].text : "";
      options.forEach(function (option) {
        var fits = !option.value || !village.value || option.text.indexOf(name + " · ") === 0;
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) { carrier.value = ""; }
      });
    }
    village.addEventListener("change", filter);
    filter();
  });
})();
