// gil-lab: what every page shares. Pages work without any script; this one
// adds the theme toggle, the phone menu, copy buttons on code, and the
// shared pieces the other scripts use through window.GilLab: the page's
// words, browser storage and the progress store (answers, results and the
// review schedule). Scripts load in order: site.js, search.js, then a
// page's own (quiz.js, practice.js).
(function () {
  "use strict";
  var doc = document.documentElement;
  var G = (window.GilLab = window.GilLab || {});
  G.root = doc.getAttribute("data-root") || "";
  G.lang = doc.getAttribute("data-lang") || "en";
  try {
    G.ui = JSON.parse(document.getElementById("gil-lab-ui").textContent);
  } catch (e) {
    G.ui = {};
  }

  // "{n} results" with {n} filled in.
  G.fmt = function (text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (m, k) {
      return values && k in values ? values[k] : m;
    });
  };

  // localStorage, or nothing when the browser refuses it (private modes, file://).
  G.store = function (key, value) {
    try {
      if (value === undefined) return localStorage.getItem(key);
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch (e) {
      return null;
    }
    return null;
  };

  // Progress: one record per question, under the question's key
  // ("en/convoy-effect/fixes"): h (hash of the question when answered),
  // a (the answer given), ok, n (attempts), r (right), box (Leitner box
  // 1-5), due and last (day numbers). Browser storage is per device:
  // practice.js exports and imports it as a file.
  var KEY = "gil-lab:progress";
  var INTERVALS = [1, 2, 4, 8, 16]; // days until the next review, by box
  var P = (G.progress = {});
  P.today = function () {
    var d = new Date();
    return Math.floor((d.getTime() - d.getTimezoneOffset() * 60000) / 86400000);
  };
  P.load = function () {
    try {
      var data = JSON.parse(G.store(KEY) || "{}");
      if (data && typeof data.q === "object" && data.q) return data;
    } catch (e) {}
    return { v: 1, q: {} };
  };
  P.save = function (data) {
    G.store(KEY, JSON.stringify(data));
  };
  P.get = function (key) {
    return P.load().q[key] || null;
  };
  // Records an attempt: the answer (null for a self-graded card) and
  // whether it was right; moves the question between boxes.
  P.record = function (key, hash, answer, ok) {
    var data = P.load();
    var r = data.q[key] || { n: 0, r: 0, box: 0 };
    var today = P.today();
    r.h = hash;
    if (answer !== null) r.a = answer;
    r.ok = ok;
    r.n = (r.n || 0) + 1;
    r.r = (r.r || 0) + (ok ? 1 : 0);
    r.box = ok ? Math.min((r.box || 0) + 1, INTERVALS.length) : 1;
    r.due = today + INTERVALS[r.box - 1];
    r.last = today;
    data.q[key] = r;
    P.save(data);
    return r;
  };
  // Forgets the answers (not the schedule) of these questions.
  P.clear = function (keys) {
    var data = P.load();
    keys.forEach(function (k) {
      if (data.q[k]) {
        delete data.q[k].a;
        delete data.q[k].ok;
      }
    });
    P.save(data);
  };
  P.isDue = function (r, today) {
    return !!r && typeof r.due === "number" && r.due <= (today || P.today());
  };
  // Merges another device's progress: per question, the latest attempt wins.
  P.merge = function (other) {
    if (!other || typeof other.q !== "object" || !other.q) return -1;
    var data = P.load();
    var n = 0;
    Object.keys(other.q).forEach(function (k) {
      var theirs = other.q[k];
      if (!theirs || typeof theirs !== "object" || !/^[a-z]{2}\/[^/]+\/[^/]+$/.test(k)) return;
      var mine = data.q[k];
      if (!mine || (theirs.last || 0) > (mine.last || 0) || ((theirs.last || 0) === (mine.last || 0) && (theirs.n || 0) > (mine.n || 0))) {
        data.q[k] = theirs;
        n++;
      }
    });
    P.save(data);
    return n;
  };

  // Theme: the reader's choice wins over the system's.
  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var dark = doc.dataset.theme ? doc.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
      doc.dataset.theme = dark ? "light" : "dark";
      G.store("gil-lab:theme", doc.dataset.theme);
    });
  }

  // The phone menu: navigation, language, theme and chapters.
  var menuButton = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (menuButton && menu) {
    var setMenu = function (open) {
      menuButton.setAttribute("aria-expanded", open ? "true" : "false");
      doc.classList.toggle("menu-open", open);
    };
    menuButton.addEventListener("click", function () {
      setMenu(menuButton.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && doc.classList.contains("menu-open")) {
        setMenu(false);
        menuButton.focus();
      }
    });
    document.addEventListener("click", function (e) {
      if (doc.classList.contains("menu-open") && !menu.contains(e.target) && !menuButton.contains(e.target)) setMenu(false);
    });
  }

  // Copy buttons on code blocks (the button floats: nothing moves).
  Array.prototype.forEach.call(document.querySelectorAll("pre.code"), function (pre) {
    var code = pre.querySelector("code") || pre;
    var b = document.createElement("button");
    b.type = "button";
    b.className = "copy";
    b.textContent = G.ui.copy || "Copy";
    b.addEventListener("click", function () {
      var text = code.innerText;
      var done = function () {
        b.textContent = G.ui.copied || "Copied";
        setTimeout(function () {
          b.textContent = G.ui.copy || "Copy";
        }, 1500);
      };
      // file:// pages are not a secure context, and a browser may refuse
      // the clipboard API: then select the code and copy it.
      var fallback = function () {
        var range = document.createRange();
        range.selectNodeContents(code);
        var sel = getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        try {
          if (document.execCommand("copy")) done();
        } catch (e) {}
        sel.removeAllRanges();
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
      else fallback();
    });
    pre.classList.add("has-copy");
    pre.appendChild(b);
  });

  // Due reviews of a note, next to its practice links.
  Array.prototype.forEach.call(document.querySelectorAll(".due-note[data-topic]"), function (el) {
    var prefix = G.lang + "/" + el.getAttribute("data-topic") + "/";
    var data = P.load();
    var today = P.today();
    var due = Object.keys(data.q).filter(function (k) {
      return k.indexOf(prefix) === 0 && P.isDue(data.q[k], today);
    }).length;
    if (due) el.textContent = "· " + G.fmt(G.ui.due_today, { n: due });
  });
})();
