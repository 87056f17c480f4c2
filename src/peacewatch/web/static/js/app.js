/* peacewatch: draw every [data-chart] element with Apache ECharts (vendored, see static/vendor).
   The option of each chart is built on the server and embedded as JSON next to it. */
(function () {
  "use strict";
  var charts = {};
  if (window.performance && performance.mark) performance.mark("peacewatch-app-start");
  window.peacewatchCharts = charts; // tests and curious users can inspect the drawn options
  var worldLoaded = null;
  var worldNames = {}; // ISO3 -> name on the map, for countries the data do not cover

  function loadWorld() {
    if (!worldLoaded) {
      worldLoaded = fetch(document.body.dataset.static + "vendor/world-110m.geo.json")
        .then(function (r) { if (!r.ok) throw new Error("world map: HTTP " + r.status); return r.json(); })
        .then(function (geo) {
          geo.features.forEach(function (f) { worldNames[f.properties.iso3] = f.properties.name; });
          echarts.registerMap("world", geo);
        });
    }
    return worldLoaded;
  }

  function missing(v) { return v === null || v === undefined || (typeof v === "number" && isNaN(v)); }
  function fmt(v) { if (typeof v === "string") return v; return missing(v) ? "no data" : Number(v).toLocaleString("en-US", { maximumFractionDigits: 3 }); }
  function fixed(v, digits) { return missing(v) ? "no data" : Number(v).toFixed(digits); }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }

  function mapTooltip(p) {
    var d = p.data;
    if (!d) return esc(worldNames[p.name] || p.name || "") + ": no data";
    var tier = d.tier || "no data";
    var dest = d.dest === null || d.dest === undefined ? "no data" : (d.dest >= 0.5 ? "yes" : "no");
    return "<strong>" + esc(d.country) + "</strong><br>UN personnel: " + fmt(d.personnel) +
      (d.missions ? " (" + esc(d.missions) + ")" : "") + "<br>Destination (HTI): " + dest + "<br>TIP: " + esc(tier);
  }

  // A value with its interval's bounds, e.g. "0.50 (95% interval 0.41-0.60)" (options built in charts.risk_band).
  function bandTooltip(spec) {
    return function (params) {
      params = [].concat(params);
      if (!params.length) return "";
      var i = params[0].dataIndex;
      var lines = ["<strong>" + esc(params[0].axisValueLabel) + "</strong>"];
      params.forEach(function (p) {
        if (p.seriesName.indexOf("interval") >= 0) return;
        lines.push(p.marker + esc(p.seriesName) + ": " + fixed(p.value, spec.digits));
      });
      lines.push("95% interval: " + (missing(spec.lo[i]) ? "no data" : fixed(spec.lo[i], spec.digits) + "\u2013" + fixed(spec.hi[i], spec.digits)));
      return lines.join("<br>");
    };
  }

  // Zoom buttons under the map (the mouse wheel scrolls the page instead of zooming the map).
  function mapZoom(chart, initial) {
    document.querySelectorAll("[data-map-zoom]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var series = chart.getOption().series[0];
        var zoom = series.zoom || 1;
        var how = btn.dataset.mapZoom;
        var next = how === "in" ? Math.min(zoom * 1.6, 12) : how === "out" ? Math.max(zoom / 1.6, 1.15) : 1.15;
        if (how === "reset") { chart.setOption(initial, { notMerge: true }); return; }
        chart.setOption({ series: [{ zoom: next, roam: next > 1.2 ? "move" : false }] });
      });
    });
  }

  function draw(el) {
    var opt = JSON.parse(document.getElementById(el.dataset.option).textContent);
    // Keep our own text alternative: ECharts' generated one lists raw series values ("NaN", indices).
    opt.aria = { enabled: true, label: { description: el.getAttribute("aria-label") } };
    var isMap = el.dataset.kind === "map";
    var ready = isMap ? loadWorld() : Promise.resolve();
    return ready.then(function () {
      var pw = opt.pwTooltip;
      delete opt.pwTooltip;
      if (isMap) opt.tooltip.formatter = mapTooltip;
      else if (pw && pw.kind === "band") opt.tooltip.formatter = bandTooltip(pw);
      else if (opt.tooltip) opt.tooltip.valueFormatter = fmt;
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(opt);
      if (isMap) {
        chart.on("click", function (p) { if (p.data && p.data.ccode) window.location.href = "/country/" + p.data.ccode; });
        mapZoom(chart, opt);
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
