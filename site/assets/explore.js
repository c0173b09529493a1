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
