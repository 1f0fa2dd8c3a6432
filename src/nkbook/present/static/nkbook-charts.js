/* The book's charts: draws each figure's Vega-Lite spec (the JSON in
 * <script class="nkb-chart-spec">) with vega-embed, fitted to the width of its view, and draws it
 * again when that width changes (a phone turned, a window widened). Shows the buttons that
 * download the chart as PNG or SVG and the data behind it as CSV. The chart library
 * (_static/nkbook-vega.js) is loaded deferred, on pages with charts only: drawing waits for it.
 * adapt() is mirrored by nkbook.charts.adapt (which measures the height reserved for a chart).
 * A chart being drawn again loses the class nkb-drawn until it is; data-nkb-width is the width of
 * the view it was last drawn for (a printer can wait for both after switching to print media). */
(function () {
  "use strict";
  var NARROW = 560; // px: below it, legends in one column, shorter axis labels, fewer small multiples
  var LEGEND_CHANNELS = ["color", "fill", "stroke", "shape", "size", "opacity", "strokeDash"];

  function encodings(spec, out) {
    if (!spec || typeof spec !== "object") { return out; }
    if (spec.encoding && typeof spec.encoding === "object") { out.push(spec.encoding); }
    ["layer", "hconcat", "vconcat", "concat"].forEach(function (key) {
      (spec[key] || []).forEach(function (sub) { encodings(sub, out); });
    });
    if (spec.spec) { encodings(spec.spec, out); }
    return out;
  }

  function adapt(original, width) {
    var spec = JSON.parse(JSON.stringify(original));
    var narrow = width < NARROW;
    var cap = Math.max(60, Math.floor(width * (narrow ? 0.34 : 0.42)));
    encodings(spec, []).forEach(function (enc) {
      Object.keys(enc).forEach(function (channel) {
        var def = enc[channel];
        if (!def || typeof def !== "object" || Array.isArray(def)) { return; }
        if ((channel === "x" || channel === "y") && def.axis && typeof def.axis === "object") {
          def.axis.labelLimit = Math.min(def.axis.labelLimit === undefined ? 180 : def.axis.labelLimit, cap);
          if (narrow && channel === "x" && (def.type === "nominal" || def.type === "ordinal") && def.axis.labelAngle === 0) {
            // upright names would overlap on a phone
            def.axis.labelAngle = 270;
            def.axis.labelAlign = "right";
            def.axis.labelBaseline = "middle";
          }
        }
        if (narrow && LEGEND_CHANNELS.indexOf(channel) >= 0 && def.legend && typeof def.legend === "object") {
          def.legend.columns = 1;
          def.legend.labelLimit = Math.min(def.legend.labelLimit === undefined ? 170 : def.legend.labelLimit, Math.floor(width) - 60);
        }
      });
    });
    var config = spec.config = spec.config || {};
    config.axis = config.axis || {};
    config.axis.labelLimit = Math.min(config.axis.labelLimit === undefined ? 180 : config.axis.labelLimit, cap);
    if (narrow) {
      config.legend = config.legend || {};
      config.legend.columns = 1;
      config.legend.labelLimit = Math.floor(width) - 60;
    }
    var inner = spec.spec;
    if (spec.facet && inner && typeof inner.width === "number") {
      if (spec.columns) {
        var fit = Math.max(1, Math.min(spec.columns, Math.floor((width - 30) / (inner.width + 60))));
        spec.columns = fit;
        inner.width = Math.floor(Math.min(inner.width * 1.6, (width - 30) / fit - 60));
      } else {
        inner.width = Math.floor(Math.min(inner.width, width - (cap + 40)));
      }
    }
    if (spec.width === "container") { spec.width = Math.floor(width); }
    return spec;
  }

  function save(name, url) {
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function csvCell(value) {
    if (value === null || value === undefined) { return ""; }
    var text = String(value);
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  /* The data behind the chart: for each dataset drawn, the columns its tooltips show. */
  function csv(spec) {
    var seen = {}, parts = [];
    (function walk(node, inherited) {
      if (!node || typeof node !== "object") { return; }
      var name = node.data && node.data.name ? node.data.name : inherited;
      if (node.mark && node.encoding && node.encoding.tooltip) {
        var items = [].concat(node.encoding.tooltip).filter(function (t) { return t && t.field; });
        var rows = (spec.datasets || {})[name] || [];
        var fields = items.filter(function (t) { return rows.length && t.field in rows[0]; });
        var key = name + "|" + fields.map(function (t) { return t.field; }).join(",");
        if (fields.length && !seen[key]) {
          seen[key] = true;
          var lines = [fields.map(function (t) { return csvCell(t.title || t.field); }).join(",")];
          rows.forEach(function (row) {
            lines.push(fields.map(function (t) { return csvCell(row[t.field]); }).join(","));
          });
          parts.push(lines.join("\r\n"));
        }
      }
      ["layer", "hconcat", "vconcat", "concat"].forEach(function (k) {
        (node[k] || []).forEach(function (sub) { walk(sub, name); });
      });
      if (node.spec) { walk(node.spec, name); }
    })(spec, null);
    return parts.join("\r\n\r\n") + "\r\n";
  }

  function Chart(figure) {
    this.figure = figure;
    this.view = figure.querySelector(".nkb-chart-view");
    this.spec = JSON.parse(figure.querySelector("script.nkb-chart-spec").textContent);
    this.width = 0;
    this.result = null;
    this.pending = null;
  }

  Chart.prototype.embed = function (spec, token) {
    var self = this;
    if (this.result) { this.result.finalize(); this.result = null; }
    return window.vegaEmbed(this.view, spec, { actions: false, renderer: "svg" }).then(function (result) {
      if (token !== self.token) { result.finalize(); return null; }
      self.result = result;
      return result;
    });
  };

  Chart.prototype.draw = function () {
    var self = this;
    var width = Math.floor(this.view.getBoundingClientRect().width);
    if (width < 1 || width === this.width) { return; }
    this.width = width;
    // drawn again at a new width (a resized window, print layout): not "drawn" until it is
    this.figure.classList.remove("nkb-drawn");
    var token = this.token = (this.token || 0) + 1;
    var spec = adapt(this.spec, width);
    var composed = !!(spec.facet || spec.hconcat || spec.vconcat || spec.concat);
    this.embed(spec, token).then(function (result) {
      if (!result) { return; }
      var svg = self.view.querySelector("svg");
      var inner = spec.spec;
      var over = svg ? svg.getBoundingClientRect().width - width : 0;
      if (composed && over > 1 && inner && typeof inner.width === "number") {
        // a composed chart drawn wider than its view (labels longer than foreseen): narrow its views
        inner.width = Math.max(40, Math.floor(inner.width - over / (spec.columns || 1)) - 2);
        return self.embed(spec, token).then(function (again) { if (again) { self.done(); } });
      }
      self.done();
    }).catch(function (e) { console.error("chart " + self.figure.id + " was not drawn:", e); });
  };

  Chart.prototype.done = function () {
    var svg = this.view.querySelector("svg");
    if (svg) { svg.setAttribute("aria-hidden", "true"); }
    this.figure.querySelector(".nkb-chart-actions").hidden = false;
    this.figure.setAttribute("data-nkb-width", String(this.width));
    this.figure.classList.add("nkb-drawn");
  };

  Chart.prototype.download = function (kind) {
    var id = this.figure.id;
    if (kind === "csv") {
      var blob = new Blob([csv(this.spec)], { type: "text/csv;charset=utf-8" });
      var url = URL.createObjectURL(blob);
      save(id + ".csv", url);
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      return;
    }
    if (!this.result) { return; }
    this.result.view.toImageURL(kind, kind === "png" ? 2 : 1).then(function (url) {
      save(id + "." + kind, url);
    }).catch(function (e) { console.error("chart " + id + ": no " + kind + ":", e); });
  };

  Chart.prototype.watch = function () {
    var self = this;
    this.figure.querySelector(".nkb-chart-actions").addEventListener("click", function (event) {
      var button = event.target.closest("button[data-nkb-download]");
      if (button) { self.download(button.getAttribute("data-nkb-download")); }
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        clearTimeout(self.pending);
        self.pending = setTimeout(function () { self.draw(); }, 150);
      }).observe(this.view);
    }
  };

  function start() {
    if (!window.vegaEmbed) { return setTimeout(start, 30); }
    document.querySelectorAll("figure.nkb-chart").forEach(function (figure) {
      if (figure.nkbChart) { return; }
      var chart = figure.nkbChart = new Chart(figure);
      chart.draw();
      chart.watch();
    });
  }

  window.nkbookCharts = { adapt: adapt, csv: csv };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
