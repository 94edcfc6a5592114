/* The dashboard's renderer: reads the JSON embedded in the page and draws
   every chart as inline SVG. No library, no network. Each chart's figure
   records how many marks it drew (data-marks) and whether it had data
   (data-empty), which the browser test reads. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("dashboard-data").textContent);
  var META = DATA.meta;
  var SVG_NS = "http://www.w3.org/2000/svg";
  // Okabe-Ito: distinguishable with the common colour-vision deficiencies.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];
  var DASHES = ["", "7 4", "2 3", "9 3 2 3"];
  var OUTCOME_COLOURS = { resolved: "#009E73", escalated: "#E69F00", abandoned: "#CC79A7" };
  var ANOMALY = "#C0392B";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var DAY_MS = 86400000;

  /* ---------------------------------------------------------------- format */

  function isNum(value) {
    return typeof value === "number" && isFinite(value);
  }

  function groupThousands(text) {
    return text.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  var fmt = {
    pct: function (value, digits) {
      if (!isNum(value)) return "–";
      var places = digits === undefined ? (Math.abs(value) < 0.01 && value !== 0 ? 2 : 1) : digits;
      return (value * 100).toFixed(places) + "%";
    },
    int: function (value) {
      if (!isNum(value)) return "–";
      var rounded = Math.round(value);
      return (rounded < 0 ? "−" : "") + groupThousands(String(Math.abs(rounded)));
    },
    num: function (value) {
      if (!isNum(value)) return "–";
      if (Math.abs(value - Math.round(value)) < 1e-9 || Math.abs(value) >= 100) return fmt.int(value);
      return (value < 0 ? "−" : "") + Math.abs(value).toFixed(1);
    },
    signed: function (value, kind) {
      if (!isNum(value)) return "–";
      if (kind === "pp") return (value >= 0 ? "+" : "−") + Math.abs(value * 100).toFixed(1) + " pp";
      if (kind === "pct") return (value >= 0 ? "+" : "−") + fmt.pct(Math.abs(value));
      return (value >= 0 ? "+" : "−") + fmt.num(Math.abs(value));
    },
    day: function (iso) {
      if (!iso) return "–";
      var d = parseDay(iso);
      return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()];
    },
    dayLong: function (iso) {
      if (!iso) return "–";
      var d = parseDay(iso);
      return WEEKDAYS[d.getUTCDay()] + " " + d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
    },
    range: function (start, end) {
      if (!start || !end) return "no period yet";
      return fmt.day(start) + " – " + fmt.day(end) + " " + parseDay(end).getUTCFullYear();
    },
    time: function (iso) {
      if (!iso) return "–";
      var d = parseTime(iso);
      return fmt.day(iso.slice(0, 10)) + " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + " UTC";
    },
    age: function (hours) {
      if (!isNum(hours)) return "–";
      if (hours < 1) return Math.max(0, Math.round(hours * 60)) + " min";
      if (hours < 48) return hours.toFixed(1) + " h";
      return (hours / 24).toFixed(1) + " days";
    }
  };

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function parseDay(iso) {
    var parts = iso.split("-").map(Number);
    return new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
  }

  function parseTime(iso) {
    // The marts' timestamps are UTC wall time without a zone.
    return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : iso + "Z");
  }

  function dayNumber(iso) {
    return parseDay(iso).getTime() / DAY_MS;
  }

  function isoOfDay(number) {
    return new Date(number * DAY_MS).toISOString().slice(0, 10);
  }

  function formatter(kind) {
    return kind === "pct" ? fmt.pct : kind === "int" ? fmt.int : fmt.num;
  }

  /* ------------------------------------------------------------------- dom */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function setAttrs(node, attrs) {
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.setAttribute("class", value);
      else node.setAttribute(key, value === true ? "" : value);
    });
  }

  function append(node, children) {
    [].concat(children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
  }

  /* --------------------------------------------------------------- tooltip */

  var tooltip = el("div", { class: "tooltip", role: "tooltip", hidden: true });
  document.body.appendChild(tooltip);

  function withTip(node, text) {
    node.appendChild(svg("title", { text: text }));
    node.addEventListener("pointerenter", function () {
      tooltip.textContent = text;
      tooltip.hidden = false;
    });
    node.addEventListener("pointermove", function (event) {
      var x = event.clientX + 14;
      var y = event.clientY + 14;
      if (x + tooltip.offsetWidth > window.innerWidth - 8) x = event.clientX - tooltip.offsetWidth - 14;
      if (y + tooltip.offsetHeight > window.innerHeight - 8) y = event.clientY - tooltip.offsetHeight - 14;
      tooltip.style.left = x + "px";
      tooltip.style.top = y + "px";
    });
    node.addEventListener("pointerleave", function () {
      tooltip.hidden = true;
    });
    return node;
  }

  /* ---------------------------------------------------------------- scales */

  function niceStep(range, count) {
    var raw = range / Math.max(count, 1);
    var magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    var normal = raw / magnitude;
    var step = normal <= 1 ? 1 : normal <= 2 ? 2 : normal <= 2.5 ? 2.5 : normal <= 5 ? 5 : 10;
    return step * magnitude;
  }

  function ticks(min, max, count) {
    if (!(max > min)) max = min + 1;
    var step = niceStep(max - min, count);
    var out = [];
    for (var v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) {
      out.push(Number(v.toFixed(10)));
    }
    return out;
  }

  function niceDomain(min, max, count, kind) {
    if (!(max > min)) max = min + (kind === "pct" ? 0.1 : 1);
    var step = niceStep(max - min, count);
    var lower = Math.floor(min / step + 1e-9) * step;
    var upper = Math.ceil(max / step - 1e-9) * step;
    if (kind === "pct") upper = Math.min(upper, 1);
    return [lower, Math.max(upper, lower + step)];
  }

  function scale(d0, d1, r0, r1) {
    return function (v) {
      return d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
    };
  }

  /* ---------------------------------------------------------------- frames */

  var WIDTH = 560;
  var HEIGHT = 280;

  function header(figure, spec) {
    figure.innerHTML = "";
    var titleId = figure.getAttribute("data-chart") || figure.getAttribute("data-table");
    append(figure, [
      el("h3", { id: titleId + "-title", text: spec.title }),
      spec.subtitle ? el("p", { class: "subtitle", text: spec.subtitle }) : null
    ]);
    figure.setAttribute("aria-labelledby", titleId + "-title");
  }

  function emptyState(figure, spec, message) {
    header(figure, spec);
    figure.appendChild(el("div", { class: "empty-state" }, [el("strong", { text: "No data yet" }), message]));
    figure.setAttribute("data-empty", "true");
    figure.setAttribute("data-marks", "0");
  }

  function legend(figure, series) {
    var list = el("ul", { class: "legend" });
    series.forEach(function (s) {
      var sample = svg("svg", { width: 26, height: 12, "aria-hidden": "true" });
      if (s.kind === "band" || s.kind === "bar") {
        sample.appendChild(svg("rect", { x: 1, y: 1, width: 24, height: 10, rx: 2, fill: s.color, opacity: s.kind === "band" ? 0.35 : 1 }));
      } else {
        sample.appendChild(svg("line", { x1: 1, x2: 25, y1: 6, y2: 6, stroke: s.color, "stroke-width": 2.5, "stroke-dasharray": s.dash || null }));
        sample.appendChild(svg("circle", { cx: 13, cy: 6, r: 3, fill: s.color }));
      }
      list.appendChild(el("li", {}, [sample, s.name]));
    });
    figure.appendChild(list);
  }

  function innerWidth(figure) {
    // Draw at the size shown, so that text is never scaled down.
    var style = window.getComputedStyle(figure);
    var width = figure.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return width > 200 ? Math.round(width) : WIDTH;
  }

  function canvas(figure, spec, margin) {
    var width = innerWidth(figure);
    var height = spec.height || HEIGHT;
    var root = svg("svg", {
      class: "chart-svg",
      viewBox: "0 0 " + width + " " + height,
      width: width,
      height: height,
      role: "img",
      "aria-label": spec.title + ". " + (spec.summary || "")
    });
    figure.appendChild(root);
    return {
      root: root,
      left: margin.left,
      right: width - margin.right,
      top: margin.top,
      bottom: height - margin.bottom
    };
  }

  function yAxis(c, y, tickValues, kind, title) {
    var format = formatter(kind);
    var group = svg("g", { class: "axis" });
    tickValues.forEach(function (v) {
      var py = y(v);
      group.appendChild(svg("line", { class: v === 0 ? "baseline" : "gridline", x1: c.left, x2: c.right, y1: py, y2: py }));
      group.appendChild(svg("text", { x: c.left - 8, y: py + 4, "text-anchor": "end", text: kind === "pct" ? fmt.pct(v, stepDigits(tickValues)) : format(v) }));
    });
    if (title) {
      group.appendChild(svg("text", {
        class: "axis-title",
        transform: "translate(" + 12 + "," + (c.top + c.bottom) / 2 + ") rotate(-90)",
        "text-anchor": "middle",
        text: title
      }));
    }
    c.root.appendChild(group);
  }

  function stepDigits(values) {
    // As many decimals as the tick step needs in percent: 2.5% steps show 92.5%.
    if (values.length < 2) return 0;
    var step = Math.abs(values[1] - values[0]) * 100;
    for (var digits = 0; digits < 3; digits += 1) {
      if (Math.abs(step * Math.pow(10, digits) - Math.round(step * Math.pow(10, digits))) < 1e-6) return digits;
    }
    return 3;
  }

  function xTitle(c, title) {
    if (!title) return;
    c.root.appendChild(svg("text", { class: "axis-title", x: (c.left + c.right) / 2, y: c.bottom + 36, "text-anchor": "middle", text: title }));
  }

  function finish(figure, marks, spec) {
    figure.setAttribute("data-marks", String(marks));
    figure.setAttribute("data-empty", "false");
    if (spec.note) figure.appendChild(el("p", { class: "note", text: spec.note }));
    if (spec.table) figure.appendChild(dataTable(spec.table, true));
  }

  /* ----------------------------------------------------------- data tables */

  function dataTable(table, folded) {
    var head = el("tr", {}, table.columns.map(function (col) {
      return el("th", { scope: "col", class: col.kind && col.kind !== "text" ? "num" : null, text: col.label });
    }));
    var body = el("tbody", {}, table.rows.map(function (row) {
      return el("tr", { "data-key": row.key }, table.columns.map(function (col) {
        var value = col.value ? col.value(row) : row[col.key];
        var classes = [col.kind && col.kind !== "text" ? "num" : "", col.nowrap ? "nowrap" : ""].join(" ").trim();
        var cell = el("td", { "data-col": col.key, class: classes || null });
        if (col.render) {
          append(cell, col.render(row));
        } else {
          cell.textContent = col.kind && col.kind !== "text" ? formatter(col.kind)(value) : String(value === null || value === undefined ? "–" : value);
        }
        if (isNum(value)) cell.setAttribute("data-value", String(value));
        return cell;
      }));
    }));
    var element = el("table", { class: "data", "data-table-of": table.id || null }, [
      table.caption ? el("caption", { text: table.caption }) : null,
      el("thead", {}, head),
      body
    ]);
    if (!folded) return element;
    return el("details", { class: "data-details" }, [el("summary", { text: "Show the numbers" }), element]);
  }

  /* ------------------------------------------------------------ line chart */

  function lineChart(figure, spec) {
    if (!spec.bare) header(figure, spec);
    legend(figure, spec.series);
    var c = canvas(figure, spec, { left: 58, right: 18, top: 14, bottom: 46 });
    var all = [];
    spec.series.forEach(function (s) {
      s.points.forEach(function (p) {
        all.push(p);
      });
    });
    var xs = all.map(function (p) { return p.x; });
    var ys = [];
    all.forEach(function (p) {
      [p.y, p.lo, p.hi].forEach(function (v) {
        if (isNum(v)) ys.push(v);
      });
    });
    var xMin = Math.min.apply(null, xs);
    var xMax = Math.max.apply(null, xs);
    var yDomain = niceDomain(
      spec.y.min !== undefined ? Math.min(spec.y.min, Math.min.apply(null, ys)) : 0,
      Math.max.apply(null, ys) * (spec.y.headroom || 1.08),
      5,
      spec.y.kind
    );
    if (spec.y.min === undefined) yDomain[0] = 0;
    var pad = spec.x.kind === "date" ? 0.5 : 0.4;
    var x = scale(xMin - pad, xMax + pad, c.left, c.right);
    var y = scale(yDomain[0], yDomain[1], c.bottom, c.top);
    yAxis(c, y, ticks(yDomain[0], yDomain[1], 5), spec.y.kind, spec.y.title);

    var xAxis = svg("g", { class: "axis" });
    xTicks(spec.x, xMin, xMax).forEach(function (v) {
      xAxis.appendChild(svg("line", { class: "gridline", x1: x(v), x2: x(v), y1: c.bottom, y2: c.bottom + 4 }));
      xAxis.appendChild(svg("text", { x: x(v), y: c.bottom + 17, "text-anchor": "middle", text: spec.x.kind === "date" ? fmt.day(isoOfDay(v)) : String(v) }));
    });
    c.root.appendChild(xAxis);
    xTitle(c, spec.x.title);

    var marks = 0;
    var layers = { bands: svg("g", {}), lines: svg("g", {}), points: svg("g", {}) };
    c.root.appendChild(layers.bands);
    c.root.appendChild(layers.lines);
    c.root.appendChild(layers.points);
    var format = formatter(spec.y.kind);
    spec.series.forEach(function (s) {
      var points = s.points.filter(function (p) { return isNum(p.y) || isNum(p.lo); });
      var banded = points.filter(function (p) { return isNum(p.lo) && isNum(p.hi); });
      if (banded.length && (s.kind === "band" || s.band)) {
        var upper = banded.map(function (p) { return x(p.x).toFixed(1) + "," + y(p.hi).toFixed(1); });
        var lower = banded.slice().reverse().map(function (p) { return x(p.x).toFixed(1) + "," + y(p.lo).toFixed(1); });
        var area = svg("path", {
          class: "mark band",
          d: "M" + upper.join("L") + "L" + lower.join("L") + "Z",
          fill: s.color,
          opacity: s.kind === "band" ? 0.22 : 0.14
        });
        layers.bands.appendChild(s.kind === "band" ? withTip(area, s.name) : area);
        marks += 1;
      }
      if (s.kind === "band") return;
      var drawn = points.filter(function (p) { return isNum(p.y); });
      if (drawn.length > 1) {
        layers.lines.appendChild(svg("path", {
          class: "mark line",
          d: "M" + drawn.map(function (p) { return x(p.x).toFixed(1) + "," + y(p.y).toFixed(1); }).join("L"),
          fill: "none",
          stroke: s.color,
          "stroke-width": 2.5,
          "stroke-linejoin": "round",
          "stroke-dasharray": s.dash || null
        }));
        marks += 1;
      }
      drawn.forEach(function (p) {
        var dot = svg("circle", {
          class: "mark point",
          cx: x(p.x).toFixed(1),
          cy: y(p.y).toFixed(1),
          r: p.highlight ? 5.5 : 3.6,
          fill: p.highlight ? ANOMALY : s.color,
          stroke: "#ffffff",
          "stroke-width": 1.5
        });
        layers.points.appendChild(withTip(dot, p.tip || s.name + ": " + format(p.y)));
        marks += 1;
        if (s.labels) {
          layers.points.appendChild(svg("text", { class: "value-label", x: x(p.x), y: y(p.y) - 9, "text-anchor": "middle", text: format(p.y) }));
        }
      });
    });
    finish(figure, marks, spec);
  }

  function xTicks(axis, min, max) {
    if (axis.kind !== "date") {
      var span = max - min;
      var step = span > 12 ? Math.ceil(span / 10) : 1;
      var out = [];
      for (var v = min; v <= max; v += step) out.push(v);
      return out;
    }
    var days = max - min;
    var every = axis.every || (days > 45 ? 14 : days > 14 ? 7 : days > 7 ? 2 : 1);
    var ticksOut = [];
    for (var d = max; d >= min; d -= every) ticksOut.unshift(d);
    return ticksOut;
  }

  /* ------------------------------------------------------------- bar chart */

  function barChart(figure, spec) {
    if (!spec.bare) header(figure, spec);
    if (spec.series.length > 1 || spec.legendAlways) legend(figure, spec.series.map(function (s) {
      return { name: s.name, color: s.color, kind: "bar" };
    }));
    var c = canvas(figure, spec, { left: 58, right: 12, top: 18, bottom: 46 });
    var values = [];
    spec.groups.forEach(function (g) {
      spec.series.forEach(function (s) {
        var v = spec.value(g, s);
        if (v && isNum(v.y)) values.push(isNum(v.hi) ? v.hi : v.y);
      });
    });
    var domain = niceDomain(0, Math.max.apply(null, values) * 1.12, 5, spec.y.kind);
    var y = scale(domain[0], domain[1], c.bottom, c.top);
    yAxis(c, y, ticks(domain[0], domain[1], 5), spec.y.kind, spec.y.title);
    var band = (c.right - c.left) / spec.groups.length;
    var inner = band * 0.78;
    var barWidth = Math.min(54, inner / spec.series.length);
    var format = formatter(spec.y.kind);
    var marks = 0;
    spec.groups.forEach(function (g, gi) {
      var centre = c.left + band * (gi + 0.5);
      var start = centre - (barWidth * spec.series.length) / 2;
      c.root.appendChild(svg("text", { class: "tick-label", x: centre, y: c.bottom + 17, "text-anchor": "middle", text: spec.groupLabel ? spec.groupLabel(g) : String(g) }));
      spec.series.forEach(function (s, si) {
        var v = spec.value(g, s);
        if (!v || !isNum(v.y)) return;
        var bx = start + si * barWidth + 2;
        var bw = barWidth - 4;
        var top = y(v.y);
        var bar = svg("rect", { class: "mark bar", x: bx.toFixed(1), y: top.toFixed(1), width: bw.toFixed(1), height: Math.max(0.5, c.bottom - top).toFixed(1), fill: s.color, rx: 2 });
        c.root.appendChild(withTip(bar, v.tip || s.name + ": " + format(v.y)));
        marks += 1;
        var labelY = top - 5;
        if (isNum(v.lo) && isNum(v.hi)) {
          var cx = bx + bw / 2;
          var whisker = svg("g", { class: "whisker" }, [
            svg("line", { x1: cx, x2: cx, y1: y(v.lo), y2: y(v.hi) }),
            svg("line", { x1: cx - 4, x2: cx + 4, y1: y(v.lo), y2: y(v.lo) }),
            svg("line", { x1: cx - 4, x2: cx + 4, y1: y(v.hi), y2: y(v.hi) })
          ]);
          c.root.appendChild(whisker);
          labelY = y(v.hi) - 5;
        }
        // Narrow bars get whole percents, so that neighbouring labels never touch.
        var label = spec.y.kind === "pct" && bw < 42 ? fmt.pct(v.y, 0) : format(v.y);
        c.root.appendChild(svg("text", { class: "value-label", x: bx + bw / 2, y: labelY, "text-anchor": "middle", text: label }));
      });
    });
    xTitle(c, spec.x && spec.x.title);
    finish(figure, marks, spec);
  }

  /* -------------------------------------------------- horizontal bar chart */

  function hbarChart(figure, spec) {
    if (!spec.bare) header(figure, spec);
    var rowHeight = 30;
    spec.height = 24 + rowHeight * spec.items.length + 20;
    var c = canvas(figure, spec, { left: 190, right: 64, top: 8, bottom: 20 });
    var max = Math.max.apply(null, spec.items.map(function (item) { return item.value; }));
    var x = scale(0, max > 0 ? max : 1, c.left, c.right);
    var format = formatter(spec.kind);
    var marks = 0;
    spec.items.forEach(function (item, i) {
      var top = c.top + i * rowHeight + 4;
      c.root.appendChild(svg("text", { class: "tick-label", x: c.left - 10, y: top + 15, "text-anchor": "end", text: item.label }));
      var bar = svg("rect", { class: "mark bar", x: c.left, y: top, width: Math.max(1, x(item.value) - c.left).toFixed(1), height: rowHeight - 10, rx: 2, fill: item.color || PALETTE[0] });
      c.root.appendChild(withTip(bar, item.tip || item.label + ": " + format(item.value)));
      c.root.appendChild(svg("text", { class: "value-label", x: x(item.value) + 6, y: top + 15, text: format(item.value) }));
      marks += 1;
    });
    c.root.appendChild(svg("line", { class: "baseline", x1: c.left, x2: c.left, y1: c.top, y2: c.bottom }));
    finish(figure, marks, spec);
  }

  /* ----------------------------------------------------------------- utils */

  function seriesOf(rows, key) {
    var names = [];
    rows.forEach(function (row) {
      if (names.indexOf(row[key]) < 0) names.push(row[key]);
    });
    return names.sort();
  }

  function styled(names) {
    return names.map(function (name, i) {
      return { name: name, color: PALETTE[i % PALETTE.length], dash: DASHES[i % DASHES.length] };
    });
  }

  function byModel(rows, x, tip, band) {
    // One line per model version through rows of {rate, lower, upper}.
    return styled(seriesOf(rows, "model_version")).map(function (s) {
      s.band = band;
      s.points = rows.filter(function (r) { return r.model_version === s.name; }).map(function (r) {
        return { x: x(r), y: r.rate, lo: r.lower, hi: r.upper, tip: tip(s, r) };
      });
      return s;
    });
  }

  function dailyRateChart(name, rows, mart, spec, counts, band) {
    // A line per model version of a rate by day, from rows of summed counts.
    guarded(name, function (figure) {
      spec.x = { kind: "date" };
      if (!rows.length) return emptyState(figure, spec, noActivity(mart));
      spec.series = byModel(rows, function (r) { return dayNumber(r.event_date); }, function (s, r) {
        return s.name + ", " + fmt.dayLong(r.event_date) + "\n" + fmt.pct(r.rate) + " (" + fmt.int(r[counts.successes]) + " of " + fmt.int(r[counts.trials]) + ")" + (band ? "\n" + interval(r) : "");
      }, band);
      spec.table = {
        id: name,
        columns: [
          { key: "event_date", label: "Day", kind: "text" },
          { key: "model_version", label: "Model", kind: "text" },
          { key: counts.trials, label: counts.trialsLabel, kind: "int" },
          { key: counts.successes, label: counts.successesLabel, kind: "int" },
          { key: "rate", label: counts.rateLabel, kind: "pct" }
        ],
        rows: rows.map(function (r) { return Object.assign({ key: r.event_date + ":" + r.model_version }, r); })
      };
      lineChart(figure, spec);
    });
  }

  function period() {
    return fmt.range(META.period_start, META.period_end);
  }

  function trend() {
    return fmt.range(META.trend_start, META.period_end);
  }

  function interval(r) {
    return isNum(r.lower) ? "95% interval " + fmt.pct(r.lower) + " – " + fmt.pct(r.upper) : "";
  }

  function confidenceLabel() {
    var z = META.confidence_z;
    return Math.abs(z - 1.96) < 1e-9 ? "95%" : "z = " + z;
  }

  function delta(change, kind, better) {
    if (!isNum(change)) return el("span", { class: "delta flat", text: "no comparison" });
    // A change that rounds to nothing at the precision shown is no change.
    var shown = kind === "pp" ? Math.round(change * 1000) : Math.round(change * 10);
    if (shown === 0) return el("span", { class: "delta flat", text: "no change" });
    var direction = (change > 0) === (better !== "down") ? "up" : "down";
    var arrow = change > 0 ? "▲ " : "▼ ";
    return el("span", { class: "delta " + direction, text: arrow + fmt.signed(change, kind) });
  }

  function guarded(name, draw) {
    var figure = document.querySelector('[data-chart="' + name + '"], [data-table="' + name + '"]');
    try {
      draw(figure);
    } catch (error) {
      window.recordDashboardError(name + ": " + (error && error.stack ? error.stack.split("\n")[0] : error));
      if (figure) {
        figure.setAttribute("data-error", "true");
        figure.setAttribute("data-marks", "0");
        figure.appendChild(el("p", { class: "chart-error", text: "This chart could not be drawn: " + error }));
      }
    }
  }

  function noActivity(mart) {
    return META.period_end
      ? "marts." + mart + " has no rows for " + period() + "."
      : "marts." + mart + " has no rows yet: load events and run `ai-events build`.";
  }

  /* ---------------------------------------------------------------- header */

  function renderHeader() {
    var label = META.period_end
      ? "Last " + META.period_days + " complete days: " + fmt.dayLong(META.period_start) + " to " + fmt.dayLong(META.period_end) + ", compared with the " + META.period_days + " days before"
      : "No activity in the warehouse yet";
    document.getElementById("period-label").textContent = label;
    var meta = document.getElementById("meta");
    [
      ["Built", fmt.time(META.generated_at)],
      ["Opened", fmt.time(new Date().toISOString())],
      ["Warehouse", META.database],
      ["Data through", META.latest_data_date ? fmt.dayLong(META.latest_data_date) : "–"]
    ].forEach(function (pair) {
      append(meta, [el("dt", { text: pair[0] }), el("dd", { text: pair[1] })]);
    });
    var banners = document.getElementById("banners");
    var build = META.last_build;
    if (build && build.status !== "success") {
      banners.appendChild(el("p", { class: "banner", role: "alert", "data-banner": "build-failed", text: "The latest build, finished " + fmt.time(build.finished_at) + ", failed " + build.checks_failed + " check" + (build.checks_failed === 1 ? "" : "s") + ": marts it did not rebuild still hold the previous build's numbers. " + (build.message || "") }));
    }
    if (!META.period_end) {
      banners.appendChild(el("p", { class: "banner", role: "status", text: "The warehouse has no feed, suggestion or chatbot activity yet. Panels fill in once events are loaded and `ai-events build` has run." }));
    } else {
      var behind = dayNumber(META.today) - dayNumber(META.latest_data_date);
      if (behind > 2) {
        banners.appendChild(el("p", { class: "banner", role: "status", text: "The latest activity is from " + fmt.dayLong(META.latest_data_date) + ", " + behind + " days before this dashboard was built: the charts end there. Check the landing freshness below." }));
      }
    }
  }

  function card(metric, label, value, valueText, change, changeKind, context) {
    return el("div", { class: "card", "data-metric": metric, "data-value": isNum(value) ? String(value) : null }, [
      el("span", { class: "label", text: label }),
      el("span", { class: "value", text: valueText }),
      change,
      context ? el("div", { class: "context", text: context }) : null
    ]);
  }

  function renderCards() {
    var cards = document.getElementById("cards");
    var kpi = DATA.kpi;
    var root = kpi.nodes.filter(function (n) { return n.is_north_star; })[0];
    cards.appendChild(card(
      "north_star", root ? root.node_name : "North-star metric",
      root ? root.value : null, root ? fmt.num(root.value) : "–",
      root ? delta(root.change, "num") : null,
      null,
      kpi.week_start ? "week of " + fmt.day(kpi.week_start) + " vs the week before" : "no complete week yet"
    ));
    [
      ["feed_ctr", "Feed click-through", DATA.feed],
      ["suggestion_acceptance", "Suggestion acceptance", DATA.compose],
      ["chatbot_resolution", "Chatbot resolution", DATA.chatbot]
    ].forEach(function (item) {
      var now = item[2].period;
      var before = item[2].previous;
      var change = isNum(now.rate) && isNum(before.rate) ? now.rate - before.rate : null;
      cards.appendChild(card(item[0], item[1], now.rate, fmt.pct(now.rate), delta(change, "pp"), null,
        isNum(now.rate) ? fmt.int(now.successes) + " of " + fmt.int(now.trials) + ", last " + META.period_days + " days" : "no data yet"));
    });
    var conformance = DATA.quality.conformance;
    var c = conformance ? conformance.period : null;
    var cPrev = conformance ? conformance.previous : null;
    cards.appendChild(card("conformance", "Tracking-plan conformance", c ? c.conformance_rate : null,
      c ? fmt.pct(c.conformance_rate) : "–",
      delta(c && cPrev && isNum(c.conformance_rate) && isNum(cPrev.conformance_rate) ? c.conformance_rate - cPrev.conformance_rate : null, "pp"),
      null, c ? fmt.int(c.quarantined_events) + " events quarantined" : "no events yet"));
    var ages = DATA.quality.freshness.map(function (row) { return ageHours(row.last_loaded_at); });
    var worst = ages.length ? Math.max.apply(null, ages) : null;
    cards.appendChild(card("landing_age", "Oldest landing", worst, fmt.age(worst),
      freshnessPill(worst), null, ages.length ? "since the last load, " + ages.length + " tracker" + (ages.length > 1 ? "s" : "") : "nothing landed yet"));
  }

  /* ------------------------------------------------------------------- KPI */

  function nodeFormat(node) {
    return node && node.is_rate ? fmt.pct : fmt.num;
  }

  function renderKpi() {
    var kpi = DATA.kpi;
    var lede = document.getElementById("kpi-lede");
    guarded("kpi-tree", function (figure) {
      var spec = {
        title: "KPI tree: each driver's change, week over week",
        subtitle: kpi.week_start ? "Week of " + fmt.range(kpi.week_start, kpi.week_end) + " vs the week of " + fmt.day(kpi.previous_week_start) + ". The highlighted path is what moved the north star most." +
          (META.first_data_date && META.first_data_date > kpi.week_start ? " The data starts on " + fmt.day(META.first_data_date) + ", so this week is partial." : "") : ""
      };
      if (!kpi.nodes.length) {
        lede.textContent = "";
        emptyState(figure, spec, "marts.fct_kpi_tree has no complete ISO week yet.");
        return;
      }
      header(figure, spec);
      var byParent = {};
      kpi.nodes.forEach(function (n) {
        (byParent[n.parent_node_id || ""] = byParent[n.parent_node_id || ""] || []).push(n);
      });
      var byId = {};
      kpi.nodes.forEach(function (n) { byId[n.node_id] = n; });
      var root = byParent[""][0];
      lede.textContent = kpiSentence(root, kpi.driver_path.map(function (id) { return byId[id]; }));
      var marks = 0;
      function nodeCard(node) {
        marks += 1;
        var parent = node.parent_node_id ? byId[node.parent_node_id] : null;
        var own = nodeFormat(node);
        var detail = el("div", { class: "node-detail" }, [
          delta(node.change, node.is_rate ? "pp" : "num"),
          el("span", { text: "was " + own(node.previous_value) }),
          isNum(node.change_ratio) && !node.is_rate && Math.abs(node.change) >= 0.05 ? el("span", { text: fmt.signed(node.change_ratio, "pct") }) : null
        ]);
        var children = [
          el("div", { class: "node-head" }, [
            el("span", { class: "node-name" }, [node.node_name, node.is_driver && parent ? " " : null, node.is_driver && parent ? el("span", { class: "badge", text: "driver" }) : null]),
            el("span", { class: "node-value", "data-value": isNum(node.value) ? String(node.value) : null, text: own(node.value) })
          ]),
          detail
        ];
        if (parent) children.push(contribution(node, parent, byParent[parent.node_id]));
        return el("div", {
          class: "kpi-node mark" + (node.is_driver ? " is-driver" : "") + (parent ? "" : " is-root"),
          "data-node": node.node_id,
          title: node.description + " (" + node.formula + ")"
        }, children);
      }
      function column(node) {
        var kids = (byParent[node.node_id] || []).slice().sort(byContribution);
        return el("div", { class: "kpi-column" }, [nodeCard(node)].concat(kids.length ? [el("div", { class: "kpi-kids" }, kids.map(column))] : []));
      }
      var tree = el("div", { class: "kpi-tree", role: "list" }, [
        nodeCard(root),
        el("div", { class: "kpi-children" }, (byParent[root.node_id] || []).slice().sort(byContribution).map(column))
      ]);
      figure.appendChild(tree);
      finish(figure, marks, {
        note: "Contribution: how much of the parent's change a driver accounts for (its own change under a sum, its Shapley share under a product); a parent's drivers add up to its change.",
        table: {
          id: "kpi-tree",
          columns: [
            { key: "node_name", label: "Node", kind: "text" },
            { key: "value", label: "This week", kind: "num", render: function (r) { return nodeFormat(r)(r.value); } },
            { key: "previous_value", label: "Week before", kind: "num", render: function (r) { return nodeFormat(r)(r.previous_value); } },
            { key: "change", label: "Change", kind: "num", render: function (r) { return r.is_rate ? fmt.signed(r.change, "pp") : fmt.signed(r.change); } },
            { key: "contribution_to_parent_change", label: "Contribution to parent", kind: "num" }
          ],
          rows: kpi.nodes.map(function (n) { return Object.assign({ key: n.node_id }, n); })
        }
      });
    });
    guarded("kpi-north-star-by-week", function (figure) {
      var root = kpi.nodes.filter(function (n) { return n.is_north_star; })[0];
      var spec = {
        title: (root ? root.node_name : "North star") + " by week",
        subtitle: kpi.history.length ? "Complete ISO weeks (Monday to Sunday), the latest " + kpi.history.length + "." : "Complete ISO weeks (Monday to Sunday).",
        x: { kind: "date", every: 7 },
        y: { kind: "int", title: "per week", headroom: 1.15 }
      };
      if (kpi.history.length < 1) {
        emptyState(figure, spec, "No complete week in marts.fct_kpi_tree yet.");
        return;
      }
      spec.series = [{
        name: root ? root.node_name : "North star",
        color: PALETTE[0],
        labels: true,
        points: kpi.history.map(function (h) {
          return { x: dayNumber(h.period_start), y: h.value, tip: "Week of " + fmt.day(h.period_start) + ": " + fmt.num(h.value) };
        })
      }];
      spec.table = {
        columns: [{ key: "period_start", label: "Week starting", kind: "text" }, { key: "value", label: "Value", kind: "num" }],
        rows: kpi.history.map(function (h) { return Object.assign({ key: h.period_start }, h); })
      };
      lineChart(figure, spec);
    });
  }

  function byContribution(a, b) {
    return Math.abs(b.contribution_to_parent_change || 0) - Math.abs(a.contribution_to_parent_change || 0);
  }

  function contribution(node, parent, siblings) {
    var share = node.contribution_to_parent_change;
    var scaleMax = Math.max.apply(null, siblings.map(function (s) { return Math.abs(s.contribution_to_parent_change || 0); }).concat([Math.abs(parent.change || 0), 1e-12]));
    var parentFormat = parent.is_rate ? function (v) { return fmt.signed(v, "pp"); } : function (v) { return fmt.signed(v); };
    var text = isNum(share) ? "accounts for " + parentFormat(share) + " of the " + parentFormat(parent.change) + " above" : "no change to share";
    var fill = null;
    if (isNum(share) && share !== 0) {
      var width = (Math.abs(share) / scaleMax) * 50;
      fill = el("span", { class: "fill " + (share > 0 ? "up" : "down"), style: "left:" + (share > 0 ? 50 : 50 - width) + "%;width:" + width + "%" });
    }
    return el("div", { class: "contribution", "data-value": isNum(share) ? String(share) : null }, [
      el("span", { text: text.charAt(0).toUpperCase() + text.slice(1) }),
      el("div", { class: "track", "aria-hidden": "true" }, [el("span", { class: "axis-mid" }), fill])
    ]);
  }

  function kpiSentence(root, path) {
    if (!isNum(root.change)) {
      return root.node_name + " was " + fmt.num(root.value) + " in the week of " + fmt.day(DATA.kpi.week_start) + "; there is no earlier week to compare with.";
    }
    var verb = root.change > 0 ? "rose" : root.change < 0 ? "fell" : "held steady";
    var text = root.node_name + " " + verb + (root.change !== 0 ? " by " + fmt.num(Math.abs(root.change)) + (isNum(root.change_ratio) ? " (" + fmt.signed(root.change_ratio, "pct") + ")" : "") : "") +
      " to " + fmt.num(root.value) + " in the week of " + fmt.day(DATA.kpi.week_start) + ".";
    if (path.length > 1) {
      var parts = path.slice(1).map(function (node, i) {
        var parent = path[i];
        var amount = parent.is_rate ? fmt.signed(node.contribution_to_parent_change, "pp") : fmt.signed(node.contribution_to_parent_change);
        return node.node_name + " (" + amount + ")";
      });
      text += " The main driver: " + parts.join(", and beneath it ") + ".";
    }
    return text;
  }

  /* ------------------------------------------------------------------ feed */

  function renderFeed() {
    var feed = DATA.feed;
    guarded("feed-ctr-by-position", function (figure) {
      var spec = {
        title: "Which feed positions get clicked, by ranking model?",
        subtitle: "Click-through rate by position, " + period() + ". Bands: " + confidenceLabel() + " confidence interval.",
        x: { kind: "number", title: "Position in the feed (1 = top)" },
        y: { kind: "pct", title: "Click-through rate" }
      };
      if (!feed.by_position.length) return emptyState(figure, spec, noActivity("fct_feed_ctr"));
      spec.series = byModel(feed.by_position, function (r) { return r.position; }, function (s, r) {
        return s.name + ", position " + r.position + "\nCTR " + fmt.pct(r.rate) + " (" + fmt.int(r.clicks) + " clicks / " + fmt.int(r.impressions) + " impressions)\n" + interval(r);
      }, true);
      spec.summary = spec.series.map(function (s) { return s.name + " at position 1: " + fmt.pct((s.points[0] || {}).y); }).join("; ");
      spec.table = {
        id: "feed-ctr-by-position",
        columns: [
          { key: "model_version", label: "Model", kind: "text" },
          { key: "position", label: "Position", kind: "int" },
          { key: "impressions", label: "Impressions", kind: "int" },
          { key: "clicks", label: "Clicks", kind: "int" },
          { key: "rate", label: "CTR", kind: "pct" },
          { key: "lower", label: "Lower", kind: "pct" },
          { key: "upper", label: "Upper", kind: "pct" }
        ],
        rows: feed.by_position.map(function (r) { return Object.assign({ key: r.model_version + ":" + r.position }, r); })
      };
      spec.note = "Rates are clicks over impressions summed over the period, never an average of daily rates.";
      lineChart(figure, spec);
    });
    dailyRateChart("feed-ctr-by-day", feed.daily, "fct_feed_ctr", {
      title: "Is feed click-through rising or falling?",
      subtitle: "Click-through rate by day and ranking model, all positions, " + trend() + ". Bands: " + confidenceLabel() + " interval.",
      y: { kind: "pct", title: "Click-through rate" }
    }, { successes: "clicks", successesLabel: "Clicks", trials: "impressions", trialsLabel: "Impressions", rateLabel: "CTR" }, true);
  }

  /* --------------------------------------------------------------- compose */

  function renderCompose() {
    var compose = DATA.compose;
    var rows = compose.by_platform;
    var platforms = seriesOf(rows, "platform");
    var versions = styled(seriesOf(rows, "model_version"));
    function find(platform, version) {
      return rows.filter(function (r) { return r.platform === platform && r.model_version === version; })[0];
    }
    function grouped(name, measure, spec, counts) {
      guarded(name, function (figure) {
        if (!rows.length) return emptyState(figure, spec, noActivity("fct_suggestion_funnel"));
        spec.groups = platforms;
        spec.series = versions;
        spec.legendAlways = true;
        spec.value = function (platform, s) {
          var row = find(platform, s.name);
          if (!row || !isNum(row[measure].rate)) return null;
          var r = row[measure];
          return { y: r.rate, lo: r.lower, hi: r.upper, tip: s.name + " on " + platform + "\n" + fmt.pct(r.rate) + " (" + fmt.int(r.successes) + " " + counts + " " + fmt.int(r.trials) + ")\n" + interval(r) };
        };
        spec.table = {
          id: name,
          columns: [
            { key: "platform", label: "Platform", kind: "text" },
            { key: "model_version", label: "Model", kind: "text" },
            { key: "successes", label: counts.split(" of ")[0] || "Count", kind: "int", value: function (r) { return r[measure].successes; } },
            { key: "trials", label: "Out of", kind: "int", value: function (r) { return r[measure].trials; } },
            { key: "rate", label: "Rate", kind: "pct", value: function (r) { return r[measure].rate; } }
          ],
          rows: rows.map(function (r) { return Object.assign({ key: r.platform + ":" + r.model_version }, r); })
        };
        barChart(figure, spec);
      });
    }
    grouped("compose-acceptance-by-platform", "acceptance", {
      title: "Where are AI writing suggestions accepted?",
      subtitle: "Acceptance rate (accepted / shown) by platform and model, " + period() + ". Whiskers: " + confidenceLabel() + " interval.",
      y: { kind: "pct", title: "Acceptance rate" }
    }, "accepted of");
    grouped("compose-edit-by-platform", "edit", {
      title: "How often are accepted suggestions edited?",
      subtitle: "Edit rate (edited / accepted) by platform and model, " + period() + ". Lower means the suggestion was right as written.",
      y: { kind: "pct", title: "Edit rate" }
    }, "edited of");
    dailyRateChart("compose-acceptance-by-day", compose.daily, "fct_suggestion_funnel", {
      title: "Is suggestion acceptance changing?",
      subtitle: "Acceptance rate by day and model, all platforms, " + trend() + ".",
      y: { kind: "pct", title: "Acceptance rate" }
    }, { successes: "accepted", successesLabel: "Accepted", trials: "shown", trialsLabel: "Shown", rateLabel: "Acceptance" }, false);
  }

  /* --------------------------------------------------------------- chatbot */

  function renderChatbot() {
    var chatbot = DATA.chatbot;
    guarded("chatbot-outcomes-by-day", function (figure) {
      var spec = {
        title: "How do support conversations end?",
        subtitle: "Share of closed conversations resolved, escalated to a human, or abandoned, by day started, " + trend() + ". Band: " + confidenceLabel() + " interval of the resolution rate.",
        x: { kind: "date" },
        y: { kind: "pct", title: "Share of closed conversations" }
      };
      if (!chatbot.daily.length) return emptyState(figure, spec, noActivity("fct_chatbot_daily"));
      spec.series = ["resolved", "escalated", "abandoned"].map(function (outcome, i) {
        return {
          name: outcome.charAt(0).toUpperCase() + outcome.slice(1),
          color: OUTCOME_COLOURS[outcome],
          dash: DASHES[i],
          band: outcome === "resolved",
          points: chatbot.daily.map(function (r) {
            var value = r[outcome + "_rate"];
            return { x: dayNumber(r.event_date), y: value.rate, lo: value.lower, hi: value.upper, tip: fmt.dayLong(r.event_date) + ": " + fmt.pct(value.rate) + " " + outcome + "\n(" + fmt.int(value.successes) + " of " + fmt.int(r.closed) + " closed conversations)" };
          })
        };
      });
      spec.table = {
        id: "chatbot-outcomes-by-day",
        columns: [
          { key: "event_date", label: "Day", kind: "text" },
          { key: "conversations", label: "Started", kind: "int" },
          { key: "closed", label: "Closed", kind: "int" },
          { key: "resolved", label: "Resolved", kind: "pct", value: function (r) { return r.resolved_rate.rate; } },
          { key: "escalated", label: "Escalated", kind: "pct", value: function (r) { return r.escalated_rate.rate; } },
          { key: "abandoned", label: "Abandoned", kind: "pct", value: function (r) { return r.abandoned_rate.rate; } }
        ],
        rows: chatbot.daily.map(function (r) { return Object.assign({ key: r.event_date }, r); })
      };
      spec.note = "Open conversations are left out until they end or go idle.";
      lineChart(figure, spec);
    });
    guarded("chatbot-resolution-by-confidence", function (figure) {
      var rows = chatbot.by_confidence;
      var spec = {
        title: "Does the assistant resolve more when it is sure of the intent?",
        subtitle: "Resolution rate by the intent classifier's mean confidence, closed conversations, " + period() + ". Whiskers: " + confidenceLabel() + " interval.",
        y: { kind: "pct", title: "Resolution rate" },
        x: { title: "Mean intent confidence" }
      };
      if (!rows.length) return emptyState(figure, spec, noActivity("fct_chatbot_confidence_calibration"));
      var buckets = [];
      rows.forEach(function (r) {
        if (buckets.indexOf(r.confidence_bucket_lower) < 0) buckets.push(r.confidence_bucket_lower);
      });
      buckets.sort(function (a, b) { return a - b; });
      var upperOf = {};
      rows.forEach(function (r) { upperOf[r.confidence_bucket_lower] = r.confidence_bucket_upper; });
      spec.groups = buckets;
      spec.legendAlways = true;
      spec.groupLabel = function (b) { return b.toFixed(1) + "–" + upperOf[b].toFixed(1); };
      spec.series = styled(seriesOf(rows, "model_version"));
      spec.value = function (bucket, s) {
        var r = rows.filter(function (row) { return row.confidence_bucket_lower === bucket && row.model_version === s.name; })[0];
        if (!r) return null;
        return { y: r.rate, lo: r.lower, hi: r.upper, tip: s.name + ", confidence " + spec.groupLabel(bucket) + "\n" + fmt.pct(r.rate) + " resolved (" + fmt.int(r.resolved) + " of " + fmt.int(r.closed) + ")\n" + interval(r) };
      };
      spec.table = {
        id: "chatbot-resolution-by-confidence",
        columns: [
          { key: "model_version", label: "Model", kind: "text" },
          { key: "confidence_bucket_lower", label: "Confidence from", kind: "num", render: function (r) { return r.confidence_bucket_lower.toFixed(1); } },
          { key: "closed", label: "Closed", kind: "int" },
          { key: "resolved", label: "Resolved", kind: "int" },
          { key: "rate", label: "Resolution", kind: "pct" }
        ],
        rows: rows.map(function (r) { return Object.assign({ key: r.model_version + ":" + r.confidence_bucket_lower }, r); })
      };
      barChart(figure, spec);
    });
  }

  /* --------------------------------------------------------------- quality */

  function ageHours(iso) {
    return iso ? (Date.now() - parseTime(iso).getTime()) / 3600000 : null;
  }

  function freshnessPill(hours) {
    if (!isNum(hours)) return el("span", { class: "pill warn", text: "no data" });
    if (hours >= META.freshness_error_hours) return el("span", { class: "pill bad", text: "stale" });
    if (hours >= META.freshness_warn_hours) return el("span", { class: "pill warn", text: "late" });
    return el("span", { class: "pill ok", text: "fresh" });
  }

  function renderQuality() {
    var quality = DATA.quality;
    var conformance = quality.conformance;
    guarded("quality-conformance-by-day", function (figure) {
      var spec = {
        title: "Do incoming events follow the tracking plan?",
        subtitle: "Share of events that conformed to the tracking plan, by day, " + (conformance ? fmt.range(conformance.daily.length ? conformance.daily[0].event_date : META.trend_start, conformance.daily.length ? conformance.daily[conformance.daily.length - 1].event_date : META.period_end) : "") + ".",
        x: { kind: "date" },
        y: { kind: "pct", title: "Conformance rate", headroom: 1 }
      };
      if (!conformance || !conformance.daily.length) return emptyState(figure, spec, "marts.fct_tracking_plan_conformance has no rows yet.");
      var p = conformance.period;
      var lowest = 1;
      conformance.daily.forEach(function (r) {
        [r.conformance_rate, r.planned_conformance_rate].forEach(function (v) { if (isNum(v)) lowest = Math.min(lowest, v); });
      });
      spec.y.min = Math.max(0, lowest - 0.02);
      spec.series = [
        { name: "All events", color: PALETTE[0], key: "conformance_rate" },
        { name: "Planned events only", color: PALETTE[2], dash: DASHES[1], key: "planned_conformance_rate" }
      ].map(function (s) {
        s.points = conformance.daily.map(function (r) {
          return { x: dayNumber(r.event_date), y: r[s.key], tip: s.name + ", " + fmt.dayLong(r.event_date) + ": " + fmt.pct(r[s.key]) + "\n(" + fmt.int(r.conformed_events) + " of " + fmt.int(r.events) + " events conformed)" };
        });
        return s;
      });
      header(figure, spec);
      figure.appendChild(el("p", { class: "summary-line", "data-metric": "conformance_period", "data-value": String(p.conformance_rate) }, [
        el("strong", { text: fmt.pct(p.conformance_rate) }),
        " of " + fmt.int(p.events) + " events conformed in the last " + META.period_days + " days; ",
        el("strong", { text: fmt.int(p.quarantined_events) }),
        " quarantined, " + fmt.int(p.unplanned_events) + " of them unplanned events. Planned events alone: " + fmt.pct(p.planned_conformance_rate) + "."
      ]));
      spec.bare = true;
      lineChart(figure, spec);
      if (conformance.worst_events.length) {
        figure.appendChild(dataTable({
          id: "quality-worst-events",
          caption: "Events with the most quarantined, last " + META.period_days + " days",
          columns: [
            { key: "event_name", label: "Event", kind: "text" },
            { key: "owner", label: "Owner", kind: "text", value: function (r) { return r.is_planned ? r.owner || "–" : "unplanned"; } },
            { key: "events", label: "Events", kind: "int" },
            { key: "quarantined_events", label: "Quarantined", kind: "int" },
            { key: "conformance_rate", label: "Conformed", kind: "pct" }
          ],
          rows: conformance.worst_events.map(function (r) { return Object.assign({ key: r.event_name }, r); })
        }, false));
      }
    });
    guarded("quality-violations-by-reason", function (figure) {
      var spec = {
        title: "Why were events quarantined?",
        subtitle: "Quarantine reasons, " + (META.period_end ? period() : "last " + META.period_days + " days") + ". An event refused for two reasons counts under both.",
        kind: "int"
      };
      if (!quality.violations.length) {
        emptyState(figure, spec, conformance ? "No event was quarantined in the period: every event followed the plan." : "marts.fct_tracking_plan_violations has no rows yet.");
        return;
      }
      var labels = {
        unplanned_event: "Unplanned event",
        missing_required_property: "Missing required property",
        wrong_type: "Wrong type",
        value_not_allowed: "Value not allowed",
        deprecated_past_window: "Deprecated, past its window"
      };
      spec.items = quality.violations.map(function (r, i) {
        return { label: labels[r.reason_code] || r.reason_code, value: r.violations, color: i === 0 ? PALETTE[5] : PALETTE[0], tip: r.reason_code + ": " + fmt.int(r.violations) + " events" };
      });
      spec.table = {
        id: "quality-violations-by-reason",
        columns: [{ key: "reason_code", label: "Reason", kind: "text" }, { key: "violations", label: "Events", kind: "int" }],
        rows: quality.violations.map(function (r) { return Object.assign({ key: r.reason_code }, r); })
      };
      hbarChart(figure, spec);
      figure.appendChild(dataTable({
        id: "quality-top-violations",
        caption: "What to fix first",
        columns: [
          { key: "event_name", label: "Event", kind: "text" },
          { key: "reason_code", label: "Reason", kind: "text" },
          { key: "property_name", label: "Property", kind: "text" },
          { key: "violations", label: "Events", kind: "int" }
        ],
        rows: quality.top_violations.map(function (r) { return Object.assign({ key: r.event_name + ":" + r.reason_code + ":" + r.property_name }, r); })
      }, false));
    });
    guarded("quality-volume-anomalies", function (figure) {
      var a = quality.anomalies;
      var spec = {
        title: "Did any event's volume jump or collapse?",
        subtitle: a ? "Days outside the expected band for their weekday (marts.fct_event_volume_anomalies), since " + fmt.day(a.since) + "." : "",
        x: { kind: "date" },
        y: { kind: "int", title: "Events per day" }
      };
      if (!a || !a.monitored_events) return emptyState(figure, spec, "marts.fct_event_volume_anomalies has no rows yet.");
      spec.series = [
        { name: "Expected band", kind: "band", color: "#7f8c9a", points: a.focus_series.filter(function (r) { return isNum(r.expected_low); }).map(function (r) {
          return { x: dayNumber(r.event_date), lo: Math.max(0, r.expected_low), hi: r.expected_high };
        }) },
        { name: a.focus_event + " per day", color: PALETTE[0], points: a.focus_series.map(function (r) {
          return { x: dayNumber(r.event_date), y: r.events, highlight: r.is_anomaly, tip: a.focus_event + ", " + fmt.dayLong(r.event_date) + ": " + fmt.int(r.events) + " events" + (isNum(r.expected_low) ? "\nexpected " + fmt.int(Math.max(0, r.expected_low)) + " – " + fmt.int(r.expected_high) : "") + (r.is_anomaly ? "\nANOMALY" : "") };
        }) }
      ];
      header(figure, spec);
      figure.appendChild(el("p", { class: "summary-line", "data-metric": "volume_anomalies", "data-value": String(a.total) }, a.total ? [
        el("span", { class: "pill bad", text: a.total + " anomal" + (a.total > 1 ? "ies" : "y") }),
        " across " + fmt.int(a.monitored_events) + " monitored events. The chart shows " + a.focus_event + "; red points are anomalies."
      ] : [
        el("span", { class: "pill ok", text: "all normal" }),
        " No volume anomaly across " + fmt.int(a.monitored_events) + " monitored events. The chart shows the busiest, " + a.focus_event + ", inside its expected band."
      ]));
      var chartSide = el("div", {});
      var tableSide = el("div", {});
      figure.appendChild(el("div", { class: "split" }, [chartSide, tableSide]));
      spec.bare = true;
      lineChart(chartSide, spec);
      figure.setAttribute("data-marks", chartSide.getAttribute("data-marks"));
      figure.setAttribute("data-empty", "false");
      chartSide.removeAttribute("data-marks");
      chartSide.removeAttribute("data-empty");
      if (a.total) tableSide.appendChild(dataTable({
        id: "quality-anomalies",
        caption: "Anomalies, latest first",
        columns: [
          { key: "event_date", label: "Day", kind: "text", nowrap: true, value: function (r) { return fmt.day(r.event_date) + (r.is_latest_day ? " (filling up)" : ""); } },
          { key: "event_name", label: "Event", kind: "text" },
          { key: "events", label: "Events", kind: "int" },
          { key: "expected", label: "Expected", kind: "text", value: function (r) { return fmt.int(Math.max(0, r.expected_low)) + " – " + fmt.int(r.expected_high); } },
          { key: "anomaly_direction", label: "", kind: "text", render: function (r) { return el("span", { class: "pill " + (r.anomaly_direction === "drop" ? "bad" : "warn"), text: r.anomaly_direction }); } }
        ],
        rows: a.rows.map(function (r) { return Object.assign({ key: r.event_date + ":" + r.event_name }, r); })
      }, false));
    });
    guarded("quality-freshness", function (figure) {
      var spec = {
        title: "Is data still arriving?",
        subtitle: "The latest load per tracker, aged against this browser's clock when the page opened (late after " + META.freshness_warn_hours + " h, stale after " + META.freshness_error_hours + " h)."
      };
      if (!quality.freshness.length) return emptyState(figure, spec, "marts.fct_landing_freshness has no rows: nothing has landed.");
      header(figure, spec);
      figure.appendChild(dataTable({
        id: "quality-freshness",
        columns: [
          { key: "source_protocol", label: "Tracker", kind: "text" },
          { key: "last_loaded_at", label: "Last load", kind: "text", nowrap: true, value: function (r) { return fmt.time(r.last_loaded_at); } },
          { key: "age_hours", label: "Age", kind: "num", nowrap: true, value: function (r) { return ageHours(r.last_loaded_at); }, render: function (r) { return fmt.age(ageHours(r.last_loaded_at)); } },
          { key: "status", label: "", kind: "text", render: function (r) { return freshnessPill(ageHours(r.last_loaded_at)); } },
          { key: "last_received_at", label: "Last received", kind: "text", nowrap: true, value: function (r) { return r.last_received_at ? fmt.time(r.last_received_at) : "–"; } },
          { key: "events_landed", label: "Events landed", kind: "int" },
          { key: "loads", label: "Loads", kind: "int" }
        ],
        rows: quality.freshness.map(function (r) { return Object.assign({ key: r.source_protocol }, r); })
      }, false));
      figure.setAttribute("data-marks", String(quality.freshness.length));
      figure.setAttribute("data-empty", "false");
    });
  }

  function renderFooter() {
    var footer = document.getElementById("footer");
    append(footer, [
      el("p", { text: "Every number is read from the marts of " + META.database + " (" + META.marts.map(function (m) { return "marts." + m; }).join(", ") + ")." }),
      el("p", { text: "Rates over a period are ratios of summed counts, never averages of daily rates; their intervals are Wilson score intervals (z = " + META.confidence_z + ") of those sums. Days are UTC; today is left out while it fills up." })
    ]);
  }

  renderHeader();
  guarded("cards", function () { renderCards(); });
  renderKpi();
  renderFeed();
  renderCompose();
  renderChatbot();
  renderQuality();
  renderFooter();
  document.body.setAttribute("data-render-status", "done");
  document.body.setAttribute("data-page-height", String(document.documentElement.scrollHeight));
})();
