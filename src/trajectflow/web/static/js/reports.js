// Draws each report table as a chart.js chart next to the table; the table stays the source of the numbers.
(function () {
  "use strict";
  if (typeof window.Chart !== "function") { return; }
  var colours = ["#1f5f8b", "#e07b39", "#4a9d5b", "#b84a62", "#7a5ea8", "#c9a227", "#3c8d93", "#8c564b"];
  document.querySelectorAll("canvas.report-chart").forEach(function (canvas) {
    var key = canvas.id.replace("chart-", "");
    var source = document.getElementById("data-" + key);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.rows.length) { canvas.parentNode.hidden = true; return; }  // the table says "no data"
    var numeric = data.headers.map(function (_, i) {
      return i > 0 && data.rows.every(function (row) { return row[i] === null || typeof row[i] === "number"; });
    });
    var labels = data.rows.map(function (row) {
      var text = numeric.slice(1).some(Boolean) ? row.filter(function (v, i) { return !numeric[i]; }) : [row[0]];
      return text.join(" · ");
    });
    var datasets = [];
    data.headers.forEach(function (header, i) {
      if (!numeric[i]) { return; }
      datasets.push({
        label: header,
        data: data.rows.map(function (row) { return row[i]; }),
        backgroundColor: canvas.dataset.kind === "doughnut" ? colours : colours[datasets.length % colours.length]
      });
    });
    if (!datasets.length) { return; }
    new window.Chart(canvas, {
      type: canvas.dataset.kind === "doughnut" ? "doughnut" : "bar",
      data: { labels: labels, datasets: datasets },
      options: { responsive: true, animation: false, plugins: { legend: { display: datasets.length > 1 || canvas.dataset.kind === "doughnut" } } }
    });
    canvas.dataset.rendered = "true";
  });
})();
