// Starts Swagger UI on /api/docs (templates/swagger_ui.html); a file, not an inline script, for the CSP.
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui-container");
  var config = { url: container.dataset.specUrl, dom_id: "#swagger-ui-container", validatorUrl: null };
  var extra = JSON.parse(container.dataset.config || "{}");
  Object.keys(extra).forEach(function (key) { config[key] = extra[key]; });
  window.addEventListener("load", function () { window.ui = SwaggerUIBundle(config); });
})();
