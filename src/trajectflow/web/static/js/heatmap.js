// Draws the process with bpmn-js and colours each step by the number of cases there now.
(function () {
  "use strict";
  var container = document.getElementById("heatmap");
  if (!container || typeof window.BpmnJS !== "function" || !window.fetch) { return; }
  fetch(container.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var process = container.dataset.process;
      var xml = data.diagrams && data.diagrams[process];
      if (!xml) { return; }
      container.hidden = false;
      var viewer = new window.BpmnJS({ container: container });
      return viewer.importXML(xml).then(function () {
        var canvas = viewer.get("canvas");
        var overlays = viewer.get("overlays");
        var registry = viewer.get("elementRegistry");
        var elements = (data.elements && data.elements[process]) || {};
        var max = 0;
        Object.keys(elements).forEach(function (id) { max = Math.max(max, elements[id].active); });
        Object.keys(elements).forEach(function (id) {
          var e = elements[id];
          if (!registry.get(id)) { return; }
          if (e.active > 0) {
            var level = Math.max(1, Math.ceil((3 * e.active) / max));
            canvas.addMarker(id, "heat-" + level);
          }
          var note = document.createElement("div");
          note.className = "heat-count";
          note.textContent = e.active + (e.median_hours !== null ? " · " + e.median_hours + "h" : "");
          overlays.add(id, { position: { top: -12, right: 12 }, html: note });
        });
        canvas.zoom("fit-viewport");
        container.dataset.rendered = "true";
      });
    })
    .catch(function (error) {
      container.hidden = true;
      if (window.console) { window.console.warn("heatmap not shown", error); }
    });
})();
