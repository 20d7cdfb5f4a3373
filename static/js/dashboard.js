// The leadership dashboard's charts (Chart.js, served from static/vendor); portal.js runs its print button.
// Each chart reads its data from a <script type="application/json"> the page renders; every bar
// carries the link of the rows behind it, and a click on a bar opens that list. The colours come
// from Bootstrap's CSS variables and follow the colour mode when it changes.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.Chart === "undefined") { return; }

    var charts = [];
    var PALETTE = {
      light: ["#b42318", "#1d4ed8", "#15803d", "#b45309", "#6d28d9"],
      dark: ["#f87171", "#60a5fa", "#4ade80", "#fbbf24", "#c4b5fd"]
    };

    function mode() {
      return document.documentElement.getAttribute("data-bs-theme") === "dark" ? "dark" : "light";
    }

    function css(name) {
      return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    }

    function applyTheme() {
      Chart.defaults.color = css("--bs-body-color") || (mode() === "dark" ? "#dee2e6" : "#212529");
      Chart.defaults.borderColor = css("--bs-border-color") || (mode() === "dark" ? "#495057" : "#dee2e6");
    }

    function colours(index) {
      var list = PALETTE[mode()];
      return list[index % list.length];
    }

    function datasets(spec) {
      return spec.series.map(function (series, index) {
        var colour = colours(spec.type === "years" ? index : index + (spec.series.length === 2 ? 1 : 0));
        var set = {
          label: series.label,
          data: series.data,
          links: series.links,
          backgroundColor: colour,
          borderColor: colour
        };
        if (spec.type === "years" && index === 1) {
          set.type = "line";
          set.yAxisID = "y1";
          set.tension = 0.2;
          set.pointRadius = 4;
          set.pointHoverRadius = 7;
          set.backgroundColor = colour;
        }
        if (spec.type === "categories") {
          set.backgroundColor = spec.labels.map(function (_label, i) { return colours(i); });
          set.borderColor = css("--bs-body-bg") || "#fff";
        }
        return set;
      });
    }

    function options(spec) {
      var opts = {
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "nearest", intersect: true },
        plugins: { legend: { position: "bottom" } },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: function (_event, elements, chart) {
          if (!elements.length) { return; }
          var element = elements[0];
          var link = chart.data.datasets[element.datasetIndex].links[element.index];
          if (link) { window.location.href = link; }
        }
      };
      if (spec.type === "categories") { return opts; }
      opts.scales = { y: { beginAtZero: true, ticks: { precision: 0 } } };
      if (spec.type === "years") {
        opts.scales.y1 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, ticks: { precision: 0 } };
      }
      if (spec.type === "villages") {
        opts.indexAxis = "y";
        opts.scales = { x: { beginAtZero: true, ticks: { precision: 0 } } };
        opts.plugins.legend.display = false;
      }
      return opts;
    }

    function draw() {
      applyTheme();
      charts.forEach(function (chart) { chart.destroy(); });
      charts = [];
      document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
        var source = document.getElementById(canvas.getAttribute("data-chart"));
        if (!source) { return; }
        var spec = JSON.parse(source.textContent);
        var chart = new Chart(canvas, {
          type: spec.type === "categories" ? "doughnut" : "bar",
          data: { labels: spec.labels, datasets: datasets(spec) },
          options: options(spec)
        });
        canvas.chart = chart;
        charts.push(chart);
      });
    }

    draw();
    // the colour mode switch changes data-bs-theme on <html>: redraw in the new colours
    new MutationObserver(draw).observe(document.documentElement, { attributes: true, attributeFilter: ["data-bs-theme"] });
  });
})();
