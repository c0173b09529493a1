// gil-lab: explorable figures. A figure (figure.explore) holds controls
// (hidden until this script runs), the drawings of the variant shown, its
// values, a table of every variant's values and, for a traced figure, the
// variant's run for Perfetto (vN.trace.json). Every variant was drawn
// when the site was built (experiments/EXP/FIGURE/vN.CHART.LANG[.phone].svg),
// so moving a control only swaps image addresses (the browser loads just the
// chosen variant, and this script preloads its neighbours), copies the
// values from the table's row and marks that row. Nothing is fetched or
// simulated: it works from file:// too.
(function () {
  "use strict";
  var G = (window.GilLab = window.GilLab || {});
  var PHONE = "(max-width: 600px)";

  function explorable(fig) {
    var box = fig.querySelector(".explore-controls");
    if (!box) return;
    var inputs = Array.prototype.slice.call(box.querySelectorAll("input, select"));
    var base = fig.getAttribute("data-base");
    var lang = fig.getAttribute("data-lang");
    var charts = (fig.getAttribute("data-charts") || "").split(" ").filter(Boolean);
    var rows = fig.querySelectorAll(".explore-table tbody tr");
    var values = fig.querySelectorAll(".explore-values dd");
    var counts = inputs.map(function (el) {
      return el.tagName === "SELECT" ? el.options.length : Number(el.max) + 1;
    });
    var labels = Array.prototype.map.call(box.querySelectorAll("label"), function (l) {
      return l.textContent;
    });

    function at() {
      return inputs.map(function (el) {
        return Number(el.value) || 0;
      });
    }
    // The variant index: the first control varies slowest.
    function index(pos) {
      var n = 0;
      for (var i = 0; i < pos.length; i++) n = n * counts[i] + pos[i];
      return n;
    }
    function file(n, chart, phone) {
      return base + "v" + n + "." + chart + "." + lang + (phone ? ".phone" : "") + ".svg";
    }
    function valueText(i, pos) {
      var el = inputs[i];
      if (el.tagName === "SELECT") return el.options[pos[i]].textContent;
      try {
        return JSON.parse(el.getAttribute("data-values"))[pos[i]];
      } catch (e) {
        return String(pos[i]);
      }
    }
    function preload(n) {
      var phone = window.matchMedia && window.matchMedia(PHONE).matches;
      charts.forEach(function (c) {
        new Image().src = file(n, c, phone);
      });
    }
    function show() {
      var pos = at();
      var n = index(pos);
      var said = [];
      inputs.forEach(function (el, i) {
        var text = valueText(i, pos);
        said.push(labels[i] + ": " + text);
        if (el.type === "range") {
          el.setAttribute("aria-valuetext", text);
          var out = el.parentNode.querySelector("output");
          if (out) out.textContent = text;
        }
      });
      charts.forEach(function (c) {
        var pic = fig.querySelector('picture[data-chart="' + c + '"]');
        if (!pic) return;
        var src = pic.querySelector("source");
        var img = pic.querySelector("img");
        if (src) src.setAttribute("srcset", file(n, c, true));
        if (pic.hasAttribute("data-timeline")) {
          pic.setAttribute("data-timeline", base + "v" + n + "." + c + "." + lang + ".js");
          if (pic.hidden && G.upgradeTimeline) G.upgradeTimeline(pic);
        }
        if (img) {
          img.src = file(n, c, false);
          img.alt = (img.getAttribute("data-title") || "") + " (" + said.join(", ") + ")";
        }
      });
      var row = rows[n];
      Array.prototype.forEach.call(rows, function (r) {
        r.classList.remove("current");
        r.removeAttribute("aria-current");
      });
      if (row) {
        row.classList.add("current");
        row.setAttribute("aria-current", "true");
        var cells = row.querySelectorAll("td");
        Array.prototype.forEach.call(values, function (dd, k) {
          var cell = cells[inputs.length + k];
          if (cell) dd.textContent = cell.textContent;
        });
      }
      // The variant's run for Perfetto, when it is small enough to offer.
      var tf = fig.querySelector(".trace-for");
      if (tf) {
        var sizes = [];
        try {
          sizes = JSON.parse(tf.getAttribute("data-sizes"));
        } catch (e) {}
        var bytes = sizes[n];
        tf.hidden = bytes === null || bytes === undefined;
        var a = tf.querySelector("a");
        if (a && !tf.hidden) {
          a.setAttribute("href", base + "v" + n + ".trace.json");
          var size = bytes >= 1e6 ? (bytes / 1e6).toFixed(1) + " MB" : Math.ceil(bytes / 1000) + " kB";
          a.textContent = a.textContent.replace(/\(JSON, [^)]*\)/, "(JSON, " + size + ")");
        }
      }
      fig.setAttribute("data-variant", String(n));
      // The neighbours are one step away: load them before they are asked for.
      inputs.forEach(function (el, i) {
        [-1, 1].forEach(function (d) {
          var p = pos.slice();
          p[i] += d;
          if (p[i] >= 0 && p[i] < counts[i]) preload(index(p));
        });
      });
    }
    inputs.forEach(function (el) {
      el.addEventListener("input", show);
      el.addEventListener("change", show);
    });
    box.hidden = false;
    // A reload may restore a control's earlier value: show what the controls say.
    if (index(at()) !== Number(fig.getAttribute("data-variant"))) show();
    // Load the neighbours once the figure is near the screen.
    if ("IntersectionObserver" in window) {
      var seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          seen.disconnect();
          show();
        }
      }, { rootMargin: "200px" });
      seen.observe(fig);
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("figure.explore"), explorable);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// gil-lab: zoomable timelines. A timeline or gantt chart whose picture
// carries data-timeline (a script of its lanes, written when the site was
// built) becomes, once it nears the screen, a view that pans (drag, arrow
// keys, horizontal wheel), zooms (pinch, Ctrl + wheel, the buttons, + and -)
// and reads out the bar under the pointer or finger: lane, state, start and
// length. Its legend says what each state means. The picture stays in the
// page for printing and for readers without scripts.
(function () {
  "use strict";
  var G = (window.GilLab = window.GilLab || {});
  var W = G.ui || {};
  var SVGNS = "http://www.w3.org/2000/svg";
  var loaded = {};

  // The data scripts call this as they run (document.currentScript is theirs).
  G.timelineData = function (script, data) {
    if (script && script.glDone) script.glDone(data);
  };
  function load(url, done) {
    var entry = loaded[url];
    if (entry && entry.data) return done(entry.data);
    if (entry) return entry.waiting.push(done);
    entry = loaded[url] = { data: null, waiting: [done] };
    var s = document.createElement("script");
    s.glDone = function (data) {
      entry.data = data;
      entry.waiting.forEach(function (f) {
        f(data);
      });
      entry.waiting = [];
    };
    // A missing file leaves the picture as it is.
    s.onerror = function () {
      delete loaded[url];
    };
    s.src = url;
    document.head.appendChild(s);
  }

  function esc(t) {
    return String(t).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // Round ticks: 1, 2 or 5 times a power of ten apart.
  function ticks(a, b, max) {
    var span = b - a;
    if (!(span > 0)) return [a];
    var step = Math.pow(10, Math.floor(Math.log10(span / max)));
    [1, 2, 5, 10].some(function (m) {
      if (span / (step * m) <= max) {
        step *= m;
        return true;
      }
      return false;
    });
    var out = [];
    for (var v = Math.ceil(a / step) * step; v <= b + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    return out;
  }
  // A time in the chart's unit, to the precision the view resolves.
  function at(v, unit, width) {
    var d = Math.max(0, Math.min(6, Math.ceil(-Math.log10(width / 2000))));
    return v.toFixed(d) + " " + unit;
  }
  // A length: in ms, µs or ns, whichever reads best.
  function length(v, unit) {
    var ns = v * (unit === "ms" ? 1e6 : 1e3);
    if (ns >= 1e6) return +(ns / 1e6).toPrecision(4) + " ms";
    if (ns >= 1e3) return +(ns / 1e3).toPrecision(4) + " µs";
    return Math.round(ns) + " ns";
  }

  function View(pic, data, room) {
    var lanes = data.lanes || [];
    var legend = data.legend || [];
    var range = data.range || [0, 1];
    // The same window as before when the picture shows another variant.
    var view = pic.glView && pic.glRange && pic.glRange[0] === range[0] && pic.glRange[1] === range[1] ? pic.glView.slice() : [range[0], range[1]];
    pic.glRange = range;
    var minWidth = (range[1] - range[0]) / 20000;
    var hl = null;
    var box = el("div", "tl");
    var bar = el("div", "tl-bar");
    function button(cls, label, text) {
      var b = el("button", cls, text);
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.title = label;
      bar.appendChild(b);
      return b;
    }
    var bOut = button("tl-out", W.tl_out || "Zoom out", "−");
    var bIn = button("tl-in", W.tl_in || "Zoom in", "+");
    var bAll = button("tl-reset", W.tl_reset || "Show all", W.tl_reset || "Show all");
    bar.appendChild(el("span", "tl-hint", W.tl_hint || ""));
    var plot = el("div", "tl-plot");
    plot.tabIndex = 0;
    plot.setAttribute("role", "img");
    plot.setAttribute("aria-label", (data.title || "") + " (" + (W.tl_hint || "") + ")");
    var svg = document.createElementNS(SVGNS, "svg");
    plot.appendChild(svg);
    var readout = el("p", "tl-readout", W.tl_pick || "");
    readout.setAttribute("aria-live", "polite");
    var keys = el("ul", "tl-legend");
    legend.concat(data.markerLegend || []).forEach(function (l, i) {
      var li = el("li");
      var sw = el("span", i < legend.length ? "tl-swatch" : "tl-swatch tl-mark");
      sw.style.setProperty("--c", l[1]);
      li.appendChild(sw);
      li.appendChild(el("strong", "", l[0]));
      if (l[2]) li.appendChild(document.createTextNode(": " + l[2]));
      keys.appendChild(li);
    });
    box.appendChild(bar);
    box.appendChild(plot);
    box.appendChild(readout);
    box.appendChild(keys);

    // Lanes share about half the picture's height, so the view (with its
    // buttons, readout and legend) takes about the picture's place.
    var TOP = 6,
      LANE = Math.max(30, Math.min(72, Math.floor(((room || 0) * 0.5 - 40) / Math.max(1, lanes.length)))),
      AXIS = 34;
    var geo = null;
    function layout() {
      var width = Math.max(260, plot.clientWidth || 700);
      var widest = lanes.reduce(function (m, l) {
        return Math.max(m, String(l.label).length);
      }, 4);
      var left = Math.min(Math.max(widest * 7.4 + 14, 56), width * 0.35);
      geo = { w: width, h: TOP + lanes.length * LANE + AXIS, x0: left, x1: width - 12 };
      return geo;
    }
    function draw() {
      var g = layout();
      var t0 = view[0],
        t1 = view[1];
      var pw = g.x1 - g.x0;
      var k = pw / (t1 - t0);
      var out = [];
      var tk = ticks(t0, t1, Math.max(2, Math.floor(pw / 80)));
      tk.forEach(function (v) {
        var x = g.x0 + (v - t0) * k;
        out.push('<line x1="' + x + '" x2="' + x + '" y1="' + TOP + '" y2="' + (TOP + lanes.length * LANE) + '" stroke="#e3e6ea"/>');
        out.push('<text x="' + x + '" y="' + (TOP + lanes.length * LANE + 16) + '" text-anchor="middle">' + esc(+v.toPrecision(6)) + "</text>");
      });
      out.push('<text x="' + g.x1 + '" y="' + (g.h - 3) + '" text-anchor="end" class="tl-axis">' + esc(data.axis || "") + "</text>");
      var styles = Math.max(1, legend.length);
      var emph = data.emphasis || [];
      var cols = Math.max(1, Math.floor(pw));
      lanes.forEach(function (lane, i) {
        var y = TOP + i * LANE;
        out.push('<text x="' + (g.x0 - 6) + '" y="' + (y + LANE / 2 + 4) + '" text-anchor="end">' + esc(lane.label) + "</text>");
        // One pixel column at a time: the style covering most of it wins,
        // but a running style present stays visible (as in the pictures).
        var cover = new Float64Array(cols * styles);
        var sp = lane.spans;
        var lo = 0,
          hi = sp.length / 3;
        while (lo < hi) {
          var mid = (lo + hi) >> 1;
          if (sp[mid * 3 + 1] <= t0) lo = mid + 1;
          else hi = mid;
        }
        for (var j = lo; j < sp.length / 3; j++) {
          var a = sp[j * 3],
            b = sp[j * 3 + 1],
            s = sp[j * 3 + 2];
          if (a >= t1) break;
          a = Math.max(a, t0);
          b = Math.min(b, t1);
          if (b <= a || s >= styles) continue;
          var c0 = Math.min(cols - 1, Math.floor((a - t0) * k)),
            c1 = Math.max(c0 + 1, Math.min(cols, Math.ceil((b - t0) * k)));
          for (var c = c0; c < c1; c++) {
            var ca = t0 + c / k,
              cb = t0 + (c + 1) / k;
            cover[c * styles + s] += Math.max(Math.min(b, cb) - Math.max(a, ca), 1e-9 / k);
          }
        }
        var run = null;
        function flush() {
          if (run) out.push('<rect x="' + (g.x0 + run[0]) + '" y="' + (y + 5) + '" width="' + (run[1] - run[0]) + '" height="' + (LANE - 10) + '" fill="' + legend[run[2]][1] + '"/>');
          run = null;
        }
        for (var col = 0; col < cols; col++) {
          var win = -1,
            best = 0,
            ewin = -1,
            ebest = 0;
          for (var st = 0; st < styles; st++) {
            var v = cover[col * styles + st];
            if (v > best) {
              best = v;
              win = st;
            }
            if (v > ebest && emph.indexOf(st) >= 0) {
              ebest = v;
              ewin = st;
            }
          }
          var shown = win >= 0 && emph.indexOf(win) < 0 && ewin >= 0 ? ewin : win;
          if (shown < 0) {
            flush();
            continue;
          }
          if (run && run[2] === shown && run[1] === col) run[1] = col + 1;
          else {
            flush();
            run = [col, col + 1, shown];
          }
        }
        flush();
      });
      (data.markers || []).forEach(function (m) {
        if (m[1] < t0 || m[1] > t1 || m[0] >= lanes.length) return;
        var x = g.x0 + (m[1] - t0) * k,
          y = TOP + (m[0] + 1) * LANE - 3;
        var c = ((data.markerLegend || [])[m[2]] || [0, "#000"])[1];
        out.push('<path d="M' + (x - 4) + " " + y + "L" + (x + 4) + " " + y + "L" + x + " " + (y - 7) + 'Z" fill="' + c + '"/>');
      });
      if (hl) {
        var ha = Math.max(hl[1], t0),
          hb = Math.min(hl[2], t1);
        if (hb >= ha) {
          var hx = g.x0 + (ha - t0) * k;
          out.push('<rect class="tl-hl" x="' + (hx - 1) + '" y="' + (TOP + hl[0] * LANE + 3) + '" width="' + Math.max(3, (hb - ha) * k + 2) + '" height="' + (LANE - 6) + '"/>');
        }
      }
      svg.setAttribute("viewBox", "0 0 " + g.w + " " + g.h);
      svg.setAttribute("width", g.w);
      svg.setAttribute("height", g.h);
      svg.innerHTML = out.join("");
    }
    var queued = false;
    function redraw() {
      if (queued) return;
      queued = true;
      (window.requestAnimationFrame || setTimeout)(function () {
        queued = false;
        draw();
      });
    }
    function clamp() {
      var w = Math.max(minWidth, Math.min(view[1] - view[0], range[1] - range[0]));
      var a = Math.max(range[0], Math.min(view[0], range[1] - w));
      view = [a, a + w];
      pic.glView = view;
    }
    function zoom(f, center) {
      var c = center === undefined ? (view[0] + view[1]) / 2 : center;
      view = [c - (c - view[0]) / f, c + (view[1] - c) / f];
      clamp();
      box.parentNode && box.parentNode.setAttribute("data-zoom", String(Math.round(((range[1] - range[0]) / (view[1] - view[0])) * 100) / 100));
      redraw();
    }
    function pan(dt) {
      view = [view[0] + dt, view[1] + dt];
      clamp();
      redraw();
    }
    function timeAt(x) {
      return view[0] + ((x - geo.x0) * (view[1] - view[0])) / (geo.x1 - geo.x0);
    }
    // The bar (or marker) under a point of the plot, within a few pixels.
    function pick(x, y) {
      if (!geo) return;
      var i = Math.floor((y - TOP) / LANE);
      var lane = lanes[i];
      if (!lane || x < geo.x0 - 2 || x > geo.x1 + 2) return;
      var t = timeAt(x);
      var tol = (4 * (view[1] - view[0])) / (geo.x1 - geo.x0);
      var sp = lane.spans;
      var found = -1,
        dist = Infinity;
      var lo = 0,
        hi = sp.length / 3;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (sp[mid * 3] <= t) lo = mid + 1;
        else hi = mid;
      }
      for (var j = Math.max(0, lo - 2); j < Math.min(sp.length / 3, lo + 2); j++) {
        var a = sp[j * 3],
          b = sp[j * 3 + 1];
        var d = t < a ? a - t : t > b ? t - b : 0;
        if (d < dist) {
          dist = d;
          found = j;
        }
      }
      if (found < 0 || dist > tol) return;
      var s = sp[found * 3],
        e = sp[found * 3 + 1],
        st = legend[sp[found * 3 + 2]] || ["?"];
      hl = [i, s, e];
      var text = G.fmt(W.tl_readout || "{lane} · {state} · from {start} · for {length}", {
        lane: lane.label,
        state: st[0],
        start: at(s, data.unit, view[1] - view[0]),
        length: length(e - s, data.unit),
      });
      (data.markers || []).forEach(function (m) {
        if (m[0] === i && Math.abs(m[1] - t) <= tol) {
          text += " — " + G.fmt(W.tl_mark || "{mark} on {lane} at {at}", {
            mark: ((data.markerLegend || [])[m[2]] || [""])[0],
            lane: lane.label,
            at: at(m[1], data.unit, view[1] - view[0]),
          });
        }
      });
      readout.textContent = text;
      box.parentNode && box.parentNode.setAttribute("data-readout", text);
      redraw();
    }
    function local(e) {
      var r = svg.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    }

    var pointers = {};
    var drag = null;
    plot.addEventListener("pointerdown", function (e) {
      pointers[e.pointerId] = local(e);
      try {
        plot.setPointerCapture(e.pointerId);
      } catch (x) {}
      drag = { x: local(e)[0], view: view.slice(), moved: false, pinch: null };
    });
    plot.addEventListener("pointermove", function (e) {
      var p = local(e);
      var ids = Object.keys(pointers);
      if (!ids.length) {
        if (e.pointerType === "mouse") pick(p[0], p[1]);
        return;
      }
      pointers[e.pointerId] = p;
      ids = Object.keys(pointers);
      if (ids.length >= 2) {
        var a = pointers[ids[0]],
          b = pointers[ids[1]];
        var dist = Math.abs(a[0] - b[0]) || 1;
        var mid = timeAt((a[0] + b[0]) / 2);
        if (drag && drag.pinch) zoom(dist / drag.pinch, mid);
        if (drag) {
          drag.pinch = dist;
          drag.moved = true;
        }
        return;
      }
      if (drag && Math.abs(p[0] - drag.x) > 4) {
        drag.moved = true;
        var per = (drag.view[1] - drag.view[0]) / (geo.x1 - geo.x0);
        view = [drag.view[0] - (p[0] - drag.x) * per, drag.view[1] - (p[0] - drag.x) * per];
        clamp();
        redraw();
      }
    });
    function up(e) {
      var p = pointers[e.pointerId];
      delete pointers[e.pointerId];
      if (drag && !drag.moved && p && !Object.keys(pointers).length) pick(p[0], p[1]);
      if (!Object.keys(pointers).length) drag = null;
    }
    plot.addEventListener("pointerup", up);
    plot.addEventListener("pointercancel", function (e) {
      delete pointers[e.pointerId];
      drag = null;
    });
    plot.addEventListener(
      "wheel",
      function (e) {
        var p = local(e);
        if (e.ctrlKey || e.metaKey) {
          e.preventDefault();
          zoom(Math.exp(-e.deltaY * 0.003), timeAt(p[0]));
        } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
          e.preventDefault();
          var d = e.shiftKey && !e.deltaX ? e.deltaY : e.deltaX;
          pan((d * (view[1] - view[0])) / (geo.x1 - geo.x0));
        }
      },
      { passive: false }
    );
    plot.addEventListener("keydown", function (e) {
      var w = view[1] - view[0];
      var handled = true;
      if (e.key === "+" || e.key === "=") zoom(1.6);
      else if (e.key === "-" || e.key === "_") zoom(1 / 1.6);
      else if (e.key === "0") {
        view = [range[0], range[1]];
        zoom(1);
      }
      else if (e.key === "ArrowLeft") pan(-w / 8);
      else if (e.key === "ArrowRight") pan(w / 8);
      else handled = false;
      if (handled) e.preventDefault();
    });
    bIn.addEventListener("click", function () {
      zoom(1.6);
    });
    bOut.addEventListener("click", function () {
      zoom(1 / 1.6);
    });
    bAll.addEventListener("click", function () {
      view = [range[0], range[1]];
      zoom(1);
    });
    window.addEventListener("resize", redraw);
    this.box = box;
    this.draw = draw;
  }

  // Swaps the picture for its view, keeping at least the picture's height
  // so that nothing below moves.
  function upgrade(pic) {
    var url = pic.getAttribute("data-timeline");
    if (!url || pic.getAttribute("data-viewing") === url) return;
    pic.setAttribute("data-viewing", url);
    load(url, function (data) {
      if (pic.getAttribute("data-timeline") !== url) return;
      var old = pic.nextElementSibling && pic.nextElementSibling.classList.contains("tl") ? pic.nextElementSibling : null;
      var height = old ? old.offsetHeight : pic.offsetHeight;
      var v = new View(pic, data, height);
      v.box.style.minHeight = height ? height + "px" : "";
      if (old) old.parentNode.replaceChild(v.box, old);
      else pic.parentNode.insertBefore(v.box, pic.nextSibling);
      pic.hidden = true;
      pic.parentNode.classList.add("zoomable");
      v.draw();
    });
  }
  G.upgradeTimeline = upgrade;

  function start() {
    var pics = document.querySelectorAll("picture[data-timeline]");
    if (!pics.length) return;
    if (!("IntersectionObserver" in window)) {
      Array.prototype.forEach.call(pics, upgrade);
      return;
    }
    // A picture about to scroll into view becomes its view before the
    // reader sees it; one already on the screen waits for a tap or a click,
    // so that nothing the reader is looking at moves by itself.
    var seen = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (e) {
          if (!e.isIntersecting) return;
          var r = e.boundingClientRect;
          if (r.top < window.innerHeight && r.bottom > 0) return;
          seen.unobserve(e.target);
          upgrade(e.target);
        });
      },
      { rootMargin: "300px 0px" }
    );
    Array.prototype.forEach.call(pics, function (p) {
      seen.observe(p);
      p.classList.add("tl-ready");
      p.addEventListener("click", function () {
        seen.unobserve(p);
        upgrade(p);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
