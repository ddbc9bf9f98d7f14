/* Strata dashboards: draws a page's components from the query results embedded in it.
 *
 * The page holds <script id="strata-data" type="application/json">{query: {columns, rows}}</script>
 * and one element per component with its options in data-component (JSON). Charts are drawn
 * with Plotly (assets/plotly.min.js); values and tables as HTML. Filters (Dropdown, DateRange)
 * act in the browser: each filters the rows of every query that returns its column, and every
 * component is drawn again from the filtered rows.
 */
(function () {
  "use strict";

  var LOCALE = "en-US";
  var COLORS = ["#2f6fb3", "#e8a317", "#2f9e44", "#d64545", "#7b61c4", "#1a9aa0", "#8d6e63", "#e377c2"];
  var STATUS = { green: true, amber: true, red: true };

  function parseList(text) {
    return String(text || "").split(/[\s,]+/).filter(function (s) { return s.length > 0; });
  }

  function columnIndex(result, column) {
    return result.columns.indexOf(column);
  }

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  /* Formats: num, num0-2, pct, pct0-1, eur, usd, gbp, date, text. */
  function format(value, fmt) {
    if (value === null || value === undefined) return "–";
    if (!isNumber(value)) {
      var text = String(value);
      if (fmt === "date") return text.slice(0, 10);
      // ISO times read as 2026-11-24 06:00:12 (UTC, as the lake keeps them).
      if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(text)) return text.slice(0, 19).replace("T", " ");
      return text;
    }
    var opts;
    switch (fmt) {
      case "num0": opts = { maximumFractionDigits: 0 }; break;
      case "num1": opts = { minimumFractionDigits: 1, maximumFractionDigits: 1 }; break;
      case "num2": opts = { minimumFractionDigits: 2, maximumFractionDigits: 2 }; break;
      case "pct": case "pct1": opts = { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }; break;
      case "pct0": opts = { style: "percent", maximumFractionDigits: 0 }; break;
      case "eur": case "usd": case "gbp":
        opts = { style: "currency", currency: fmt.toUpperCase(), maximumFractionDigits: 0 }; break;
      case "text": return String(value);
      default: opts = { maximumFractionDigits: Number.isInteger(value) ? 0 : 2 };
    }
    return new Intl.NumberFormat(LOCALE, opts).format(value);
  }

  /* Plotly's axis format for a value format. */
  function axisFormat(fmt) {
    switch (fmt) {
      case "pct": case "pct0": case "pct1": return { tickformat: ".0%" };
      case "eur": return { tickprefix: "€", tickformat: ",.0f" };
      case "usd": return { tickprefix: "$", tickformat: ",.0f" };
      case "gbp": return { tickprefix: "£", tickformat: ",.0f" };
      case "num0": return { tickformat: ",.0f" };
      default: return {};
    }
  }

  function hoverFormat(fmt) {
    switch (fmt) {
      case "pct": case "pct0": case "pct1": return ":.1%";
      case "eur": case "usd": case "gbp": case "num2": return ":,.2f";
      case "num0": return ":,.0f";
      default: return "";
    }
  }

  /* ---- Filters ---- */

  function Filters() {
    this.active = {}; // column -> {kind, value} | {kind, from, to}
  }

  Filters.prototype.keep = function (result, row) {
    for (var column in this.active) {
      var i = columnIndex(result, column);
      if (i < 0) continue;
      var filter = this.active[column];
      var value = row[i];
      if (filter.kind === "dropdown") {
        if (filter.value !== null && String(value) !== filter.value) return false;
      } else if (filter.kind === "daterange") {
        var day = value === null ? null : String(value).slice(0, 10);
        if (day === null || (filter.from && day < filter.from) || (filter.to && day > filter.to)) return false;
      }
    }
    return true;
  };

  Filters.prototype.rows = function (result) {
    var self = this;
    return result.rows.filter(function (row) { return self.keep(result, row); });
  };

  function distinct(result, column) {
    var i = columnIndex(result, column);
    var seen = {};
    var values = [];
    result.rows.forEach(function (row) {
      var key = row[i] === null ? null : String(row[i]);
      if (key !== null && !seen[key]) { seen[key] = true; values.push(key); }
    });
    return values.sort();
  }

  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function drawDropdown(el, spec, result, filters, redraw) {
    var wrap = document.createElement("label");
    wrap.appendChild(label(spec.title || spec.column));
    var select = document.createElement("select");
    select.name = spec.column;
    var all = document.createElement("option");
    all.value = "";
    all.textContent = "All";
    select.appendChild(all);
    distinct(result, spec.column).forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      filters.active[spec.column] = { kind: "dropdown", value: select.value === "" ? null : select.value };
      redraw();
    });
    wrap.appendChild(select);
    el.appendChild(wrap);
  }

  function drawDateRange(el, spec, result, filters, redraw) {
    var days = distinct(result, spec.column).map(function (v) { return v.slice(0, 10); }).sort();
    var first = days[0] || "";
    var last = days[days.length - 1] || "";
    var inputs = {};
    ["from", "to"].forEach(function (end) {
      var wrap = document.createElement("label");
      wrap.appendChild(label((spec.title || spec.column) + (end === "from" ? " from" : " to")));
      var input = document.createElement("input");
      input.type = "date";
      input.name = spec.column + "_" + end;
      input.min = first;
      input.max = last;
      input.value = end === "from" ? first : last;
      input.addEventListener("change", function () {
        filters.active[spec.column] = { kind: "daterange", from: inputs.from.value, to: inputs.to.value };
        redraw();
      });
      inputs[end] = input;
      wrap.appendChild(input);
      el.appendChild(wrap);
    });
  }

  /* ---- Charts ---- */

  function sortedBy(rows, i) {
    return rows.slice().sort(function (a, b) { return a[i] < b[i] ? -1 : a[i] > b[i] ? 1 : 0; });
  }

  function chartTraces(spec, result, rows) {
    var x = columnIndex(result, spec.x);
    var ys = parseList(spec.y);
    var horizontal = spec.horizontal === "true";
    var type = spec.kind === "line" ? "scatter" : "bar";
    var hover = hoverFormat(spec.fmt);
    function trace(name, subset, yColumn, n) {
      var y = columnIndex(result, yColumn);
      var ordered = spec.kind === "line" ? sortedBy(subset, x) : subset;
      var xs = ordered.map(function (r) { return r[x]; });
      var vs = ordered.map(function (r) { return r[y]; });
      var t = {
        type: type,
        name: name,
        x: horizontal ? vs : xs,
        y: horizontal ? xs : vs,
        marker: { color: COLORS[n % COLORS.length] },
      };
      if (spec.kind === "line") { t.mode = "lines+markers"; t.line = { color: COLORS[n % COLORS.length], width: 2 }; }
      if (horizontal) t.orientation = "h";
      t.hovertemplate = "%{" + (horizontal ? "y" : "x") + "}<br>" + name + ": %{" + (horizontal ? "x" : "y") + hover + "}<extra></extra>";
      return t;
    }
    if (spec.series) {
      var s = columnIndex(result, spec.series);
      return distinct({ columns: result.columns, rows: rows }, spec.series).map(function (value, n) {
        var subset = rows.filter(function (r) { return String(r[s]) === value; });
        return trace(value, subset, ys[0], n);
      });
    }
    return ys.map(function (yColumn, n) { return trace(yColumn, rows, yColumn, n); });
  }

  function drawChart(el, spec, result, rows) {
    var traces;
    var valueAxis = axisFormat(spec.fmt);
    var layout = {
      margin: { t: spec.title ? 44 : 16, r: 16, b: 48, l: 64 },
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", size: 12 },
      legend: { orientation: "h", y: -0.18 },
      paper_bgcolor: "#ffffff",
      plot_bgcolor: "#ffffff",
      xaxis: { automargin: true, gridcolor: "#e4e7eb" },
      yaxis: { automargin: true, gridcolor: "#e4e7eb" },
    };
    if (spec.title) layout.title = { text: spec.title, x: 0.01, font: { size: 15 } };
    if (spec.kind === "histogram") {
      var i = columnIndex(result, spec.x);
      traces = [{
        type: "histogram",
        x: rows.map(function (r) { return r[i]; }),
        nbinsx: spec.bins ? parseInt(spec.bins, 10) : undefined,
        marker: { color: COLORS[0], line: { color: "#ffffff", width: 1 } },
        name: spec.x,
      }];
      layout.xaxis = Object.assign(layout.xaxis, axisFormat(spec.fmt), { title: { text: spec.x } });
      layout.yaxis.title = { text: "count" };
      layout.bargap = 0.05;
    } else {
      traces = chartTraces(spec, result, rows);
      var categoryKey = spec.horizontal === "true" ? "yaxis" : "xaxis";
      layout[categoryKey] = Object.assign(layout[categoryKey], dateAxis(result, rows, spec.x));
      var valueKey = spec.horizontal === "true" ? "xaxis" : "yaxis";
      layout[valueKey] = Object.assign(layout[valueKey], valueAxis);
      if (spec.kind === "bar") layout.barmode = spec.stacked === "true" ? "stack" : "group";
      if (!spec.series && parseList(spec.y).length === 1) layout.showlegend = false;
    }
    if (rows.length === 0) {
      layout.annotations = [{ text: "No data for this selection", showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }];
    }
    el.setAttribute("data-rows", String(rows.length));
    window.Plotly.react(el, traces, layout, { responsive: true, displaylogo: false });
  }

  /* A date axis ticks once a day (not at noon) when it spans a month or less. */
  function dateAxis(result, rows, column) {
    var i = columnIndex(result, column);
    var days = rows.map(function (r) { return r[i]; });
    var isDay = days.length > 0 && days.every(function (v) { return typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v); });
    if (!isDay) return {};
    var sorted = days.slice().sort();
    var span = (Date.parse(sorted[sorted.length - 1]) - Date.parse(sorted[0])) / 86400000;
    var axis = { type: "date", tickformat: "%b %-d", hoverformat: "%Y-%m-%d" };
    if (span <= 31) axis.dtick = 86400000;
    return axis;
  }

  /* ---- Values and tables ---- */

  function aggregate(spec, result, rows) {
    var i = columnIndex(result, spec.value);
    var values = rows.map(function (r) { return r[i]; });
    var numbers = values.filter(isNumber);
    switch (spec.agg || "first") {
      case "sum": return numbers.reduce(function (a, b) { return a + b; }, 0);
      case "avg": return numbers.length ? numbers.reduce(function (a, b) { return a + b; }, 0) / numbers.length : null;
      case "min": return numbers.length ? Math.min.apply(null, numbers) : null;
      case "max": return numbers.length ? Math.max.apply(null, numbers) : null;
      case "count": return values.length;
      default: return values.length ? values[0] : null;
    }
  }

  function drawValue(el, spec, result, rows, inline) {
    var value = aggregate(spec, result, rows);
    el.setAttribute("data-value", value === null ? "" : String(value));
    el.textContent = "";
    if (inline) {
      el.textContent = format(value, spec.fmt);
      return;
    }
    var title = document.createElement("div");
    title.className = "label";
    title.textContent = spec.title || spec.value;
    var number = document.createElement("div");
    number.className = "value";
    number.textContent = format(value, spec.fmt);
    el.appendChild(title);
    el.appendChild(number);
  }

  function drawTable(el, spec, result, rows) {
    var columns = spec.columns ? parseList(spec.columns) : result.columns;
    var formats = {};
    parseList(spec.fmt).forEach(function (pair) {
      var parts = pair.split(":");
      formats[parts[0]] = parts[1];
    });
    var limit = spec.rows ? parseInt(spec.rows, 10) : 100;
    var table = document.createElement("table");
    table.className = "data";
    var head = table.createTHead().insertRow();
    var numeric = columns.map(function (column) {
      var i = columnIndex(result, column);
      return rows.length > 0 && rows.every(function (r) { return r[i] === null || isNumber(r[i]); });
    });
    columns.forEach(function (column, n) {
      var th = document.createElement("th");
      th.textContent = column;
      if (numeric[n]) th.className = "num";
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.slice(0, limit).forEach(function (row) {
      var tr = body.insertRow();
      columns.forEach(function (column, n) {
        var td = tr.insertCell();
        var value = row[columnIndex(result, column)];
        if (column === spec.status && STATUS[value]) {
          var badge = document.createElement("span");
          badge.className = "status status-" + value;
          badge.textContent = value;
          td.appendChild(badge);
        } else {
          td.textContent = format(value, formats[column]);
        }
        if (numeric[n]) td.className = "num";
      });
    });
    el.textContent = "";
    el.setAttribute("data-rows", String(rows.length));
    if (spec.title) {
      var caption = table.createCaption();
      caption.textContent = spec.title;
    }
    el.appendChild(table);
    if (rows.length === 0) {
      var none = document.createElement("p");
      none.className = "muted empty";
      none.textContent = "No rows.";
      el.appendChild(none);
    }
    if (rows.length > limit) {
      var more = document.createElement("p");
      more.className = "muted";
      more.textContent = "First " + limit + " of " + rows.length + " rows.";
      el.appendChild(more);
    }
  }

  /* ---- The page ---- */

  function start() {
    var source = document.getElementById("strata-data");
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var filters = new Filters();
    var elements = Array.prototype.slice.call(document.querySelectorAll("[data-component]"));
    var components = elements.map(function (el) {
      return { el: el, spec: JSON.parse(el.getAttribute("data-component")) };
    });
    function redraw() {
      components.forEach(function (c) {
        var result = data[c.spec.data];
        if (!result || c.spec.kind === "dropdown" || c.spec.kind === "daterange") return;
        var rows = filters.rows(result);
        switch (c.spec.kind) {
          case "line": case "bar": case "histogram": drawChart(c.el, c.spec, result, rows); break;
          case "value": drawValue(c.el, c.spec, result, rows, false); break;
          case "inline_value": drawValue(c.el, c.spec, result, rows, true); break;
          case "table": drawTable(c.el, c.spec, result, rows); break;
          default: console.warn("unknown component", c.spec.kind);
        }
      });
      document.body.setAttribute("data-drawn", String(Number(document.body.getAttribute("data-drawn") || 0) + 1));
    }
    components.forEach(function (c) {
      var result = data[c.spec.data];
      if (!result) return;
      if (c.spec.kind === "dropdown") drawDropdown(c.el, c.spec, result, filters, redraw);
      if (c.spec.kind === "daterange") drawDateRange(c.el, c.spec, result, filters, redraw);
    });
    redraw();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
