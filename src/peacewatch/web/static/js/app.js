/* peacewatch: draw every [data-chart] element with Apache ECharts (vendored, see static/vendor).
   The option of each chart is built on the server and embedded as JSON next to it. */
(function () {
  "use strict";
  var charts = {};
  if (window.performance && performance.mark) performance.mark("peacewatch-app-start");
  window.peacewatchCharts = charts; // tests and curious users can inspect the drawn options
  var worldLoaded = null;

  function loadWorld() {
    if (!worldLoaded) {
      worldLoaded = fetch(document.body.dataset.static + "vendor/world-110m.geo.json")
        .then(function (r) { if (!r.ok) throw new Error("world map: HTTP " + r.status); return r.json(); })
        .then(function (geo) { echarts.registerMap("world", geo); });
    }
    return worldLoaded;
  }

  function fmt(v) { return v === null || v === undefined ? "no data" : Number(v).toLocaleString("en-US"); }

  function mapTooltip(p) {
    var d = p.data;
    if (!d) return p.name ? p.name + ": no data" : "";
    var tier = d.tier || "no data";
    var dest = d.dest === null || d.dest === undefined ? "no data" : (d.dest >= 0.5 ? "yes" : "no");
    return "<strong>" + d.country + "</strong><br>UN personnel: " + fmt(d.personnel) +
      (d.missions ? " (" + d.missions + ")" : "") + "<br>Destination (HTI): " + dest + "<br>TIP: " + tier;
  }

  function draw(el) {
    var opt = JSON.parse(document.getElementById(el.dataset.option).textContent);
    // Keep our own text alternative: ECharts' generated one lists raw series values ("NaN", indices).
    opt.aria = { enabled: true, label: { description: el.getAttribute("aria-label") } };
    var isMap = el.dataset.kind === "map";
    var ready = isMap ? loadWorld() : Promise.resolve();
    return ready.then(function () {
      if (isMap) opt.tooltip.formatter = mapTooltip;
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(opt);
      if (isMap) {
        chart.on("click", function (p) { if (p.data && p.data.ccode) window.location.href = "/country/" + p.data.ccode; });
      }
      charts[el.id] = chart;
      el.dataset.ready = "true";
      if (window.performance && performance.mark) performance.mark("peacewatch-chart-" + el.id);
    }).catch(function (err) {
      el.dataset.ready = "error";
      el.textContent = "The chart could not be drawn (" + err.message + "); the table on this page has the same data.";
    });
  }

  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
