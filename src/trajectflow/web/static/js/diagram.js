// Draws the case's process with bpmn-js (when the vendor files are there) and marks element states.
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  if (!container || typeof window.BpmnJS !== "function" || !window.fetch) {
    return; // no diagram library: the text lists carry the same information
  }
  fetch(container.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      if (!data.xml) { return; }
      container.hidden = false;
      var viewer = new window.BpmnJS({ container: container });
      return viewer.importXML(data.xml).then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        ["completed", "waiting", "active"].forEach(function (state) {
          (data[state] || []).forEach(function (id) {
            if (registry.get(id)) { canvas.addMarker(id, state); }
          });
        });
        canvas.zoom("fit-viewport");
        container.dataset.rendered = "true";
      });
    })
    .catch(function (error) {
      container.hidden = true;
      if (window.console) { window.console.warn("diagram not shown", error); }
    });
})();
