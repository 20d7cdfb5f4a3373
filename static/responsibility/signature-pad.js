/* A signature pad: draw with a finger, a pen or the mouse on a <canvas>; on submit the drawing goes
   to the form as a PNG data URL. Strokes are kept as points in fractions of the pad's size, so the
   drawing survives a resize or a turn of the phone. The server decides whether a signature is
   acceptable (not empty, not a dot). */
(function () {
  "use strict";

  function setUp(pad) {
    var canvas = pad.querySelector("canvas");
    var input = pad.querySelector("[data-signature-value]");
    var hint = pad.querySelector("[data-signature-hint]");
    var form = pad.closest("form");
    var clear = form.querySelector("[data-signature-clear]");
    var context = canvas.getContext("2d");
    var strokes = [];
    var current = null;

    function redraw() {
      var ratio = window.devicePixelRatio || 1;
      var width = canvas.width / ratio;
      var height = canvas.height / ratio;
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.clearRect(0, 0, width, height);
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
      context.lineWidth = 2.5;
      strokes.forEach(function (stroke) {
        context.beginPath();
        stroke.forEach(function (point, index) {
          var x = point[0] * width;
          var y = point[1] * height;
          if (index === 0) {
            context.moveTo(x, y);
            context.lineTo(x + 0.1, y + 0.1);
          } else {
            context.lineTo(x, y);
          }
        });
        context.stroke();
      });
      if (hint) hint.hidden = strokes.length > 0;
    }

    function resize() {
      var ratio = window.devicePixelRatio || 1;
      var box = canvas.getBoundingClientRect();
      if (!box.width || !box.height) return; // hidden (a tab not shown yet): sized when shown
      canvas.width = Math.round(box.width * ratio);
      canvas.height = Math.round(box.height * ratio);
      redraw();
    }

    function position(event) {
      var box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height];
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      current = [position(event)];
      strokes.push(current);
      redraw();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!current) return;
      event.preventDefault();
      current.push(position(event));
      redraw();
    });
    function end() { current = null; }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);

    clear.addEventListener("click", function () {
      strokes = [];
      input.value = "";
      redraw();
    });

    form.addEventListener("submit", function () {
      input.value = strokes.length ? canvas.toDataURL("image/png") : "";
    });

    window.addEventListener("resize", resize);
    // the pad may sit in a tab that is hidden at first: size it when it is shown
    document.querySelectorAll('[data-bs-toggle="tab"]').forEach(function (tab) {
      tab.addEventListener("shown.bs.tab", resize);
    });
    resize();
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
