// gil-lab: theme toggle, search, quiz checking. Pages work without it.
(function () {
  "use strict";
  var doc = document.documentElement;
  var root = doc.getAttribute("data-root") || "";
  var lang = doc.getAttribute("data-lang") || "en";

  function store(key, value) {
    try {
      if (value === undefined) return localStorage.getItem(key);
      localStorage.setItem(key, value);
    } catch (e) {
      return null;
    }
    return null;
  }

  // Theme: the reader's choice wins over the system's.
  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var dark = doc.dataset.theme ? doc.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
      doc.dataset.theme = dark ? "light" : "dark";
      store("gil-lab:theme", doc.dataset.theme);
    });
  }

  // Search. Tokens mirror report::search::tokens: Latin words, Hangul bigrams.
  function isHangul(c) {
    var n = c.charCodeAt(0);
    return (n >= 0xac00 && n <= 0xd7a3) || (n >= 0x3131 && n <= 0x318e);
  }
  function tokens(text) {
    var out = [];
    var run = "";
    var hangul = false;
    function flush() {
      if (!run) return;
      var chars = Array.from(run);
      if (hangul) {
        if (chars.length === 1) out.push(run);
        for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
      } else if (chars.length >= 2 || /[0-9]/.test(chars[0])) {
        out.push(run);
      }
      run = "";
    }
    Array.from(text.toLowerCase()).forEach(function (c) {
      if (/[\p{L}\p{N}]/u.test(c)) {
        var h = isHangul(c);
        if (run && h !== hangul) flush();
        hangul = h;
        run += c;
      } else {
        flush();
      }
    });
    flush();
    return out;
  }

  var box = document.querySelector(".search");
  var input = document.getElementById("search-input");
  var results = document.getElementById("search-results");
  var index = null;
  var terms = null;
  var loading = null;
  function load() {
    if (index) return Promise.resolve(index);
    // A script tag rather than fetch: it also works from file:// pages.
    loading = loading || new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = root + "assets/search-" + lang + ".js";
      s.onload = function () {
        var raw = (window.GIL_LAB_SEARCH || {})[lang];
        if (!raw) { reject(new Error("empty search index")); return; }
        // Groups of (pages, terms) -> term: [pages].
        var map = {};
        raw.groups.forEach(function (g) {
          var pages = g[0].split(",").map(Number);
          g[1].split(" ").forEach(function (t) { map[t] = pages; });
        });
        index = { docs: raw.docs, terms: map };
        terms = Object.keys(map).sort();
        resolve(index);
      };
      s.onerror = function () { loading = null; reject(new Error("no search index")); };
      document.head.appendChild(s);
    });
    return loading;
  }
  function lookup(token) {
    // Exact term, or every term it begins (prefix search for words).
    var docs = {};
    var lo = 0, hi = terms.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (terms[mid] < token) lo = mid + 1; else hi = mid;
    }
    for (var i = lo; i < terms.length && terms[i].lastIndexOf(token, 0) === 0; i++) {
      index.terms[terms[i]].forEach(function (d) { docs[d] = true; });
    }
    return docs;
  }
  function search(query) {
    var qs = tokens(query);
    if (!qs.length) return [];
    var score = {};
    qs.forEach(function (t) {
      Object.keys(lookup(t)).forEach(function (d) { score[d] = (score[d] || 0) + 1; });
    });
    return Object.keys(score)
      .filter(function (d) { return score[d] === qs.length; })
      .sort(function (a, b) { return a - b; })
      .slice(0, 20)
      .map(function (d) { return index.docs[d]; });
  }
  function show(list) {
    results.textContent = "";
    list.forEach(function (d) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + d[0];
      var t = document.createElement("span");
      t.className = "r-title";
      t.textContent = d[1];
      var s = document.createElement("span");
      s.className = "r-summary";
      s.textContent = d[2];
      a.appendChild(t);
      a.appendChild(s);
      li.appendChild(a);
      results.appendChild(li);
    });
    if (!list.length && input.value.trim()) {
      var li = document.createElement("li");
      li.className = "r-none";
      li.textContent = lang === "ko" ? "결과가 없습니다" : "No results";
      results.appendChild(li);
    }
    results.hidden = !input.value.trim();
  }
  if (box && input && results) {
    box.hidden = false;
    input.addEventListener("focus", function () { load().catch(function () {}); });
    input.addEventListener("input", function () {
      load().then(function () { show(search(input.value)); }).catch(function () {});
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; results.hidden = true; }
    });
    document.addEventListener("click", function (e) {
      if (!box.contains(e.target)) results.hidden = true;
    });
  }

  // Quizzes: check, score, retry the missed ones; progress per quiz hash.
  function normalise(s) {
    return s.toLowerCase().replace(/[\s.,!?'"`()]+/g, " ").trim();
  }
  function correct(q) {
    var kind = q.getAttribute("data-kind");
    var answer = q.getAttribute("data-answer");
    if (kind === "short") {
      var given = q.querySelector("input.short");
      var accepted = JSON.parse(answer).map(normalise);
      return !!given && accepted.indexOf(normalise(given.value)) >= 0;
    }
    var want = answer.split(",").sort().join(",");
    var got = Array.prototype.filter
      .call(q.querySelectorAll("input"), function (i) { return i.checked; })
      .map(function (i) { return i.value; })
      .sort()
      .join(",");
    return got === want;
  }
  Array.prototype.forEach.call(document.querySelectorAll("section.quiz"), function (quiz) {
    var key = "gil-lab:quiz:" + quiz.getAttribute("data-quiz");
    var controls = quiz.querySelector(".quiz-controls");
    var check = quiz.querySelector(".check");
    var retry = quiz.querySelector(".retry");
    var score = quiz.querySelector(".score");
    var all = quiz.querySelectorAll("li.question");
    if (!controls || !all.length) return;
    // Only the questions shown (the drill's topic filter may hide some).
    function visible() {
      return Array.prototype.filter.call(all, function (q) { return !q.hidden; });
    }
    var questions = all;
    controls.hidden = false;
    var saved = {};
    try { saved = JSON.parse(store(key) || "{}"); } catch (e) { saved = {}; }
    function report(done) {
      questions = visible();
      var right = 0;
      Array.prototype.forEach.call(questions, function (q) {
        if (saved[q.getAttribute("data-id")]) right++;
      });
      score.textContent = (lang === "ko" ? "점수 " : "Score ") + right + " / " + questions.length;
      retry.hidden = !done || right === questions.length;
    }
    Array.prototype.forEach.call(questions, function (q) {
      if (saved[q.getAttribute("data-id")]) q.classList.add("correct");
    });
    if (Object.keys(saved).length) report(true);
    check.addEventListener("click", function () {
      questions = visible();
      Array.prototype.forEach.call(questions, function (q) {
        if (q.classList.contains("done")) return;
        var ok = correct(q);
        var id = q.getAttribute("data-id");
        q.classList.toggle("correct", ok);
        q.classList.toggle("incorrect", !ok);
        if (ok) saved[id] = true; else delete saved[id];
        var details = q.querySelector("details.answer");
        if (details) details.open = true;
      });
      store(key, JSON.stringify(saved));
      report(true);
    });
    retry.addEventListener("click", function () {
      questions = visible();
      Array.prototype.forEach.call(questions, function (q) {
        var ok = q.classList.contains("correct");
        q.classList.toggle("done", ok);
        if (!ok) {
          q.classList.remove("incorrect");
          var details = q.querySelector("details.answer");
          if (details) details.open = false;
          Array.prototype.forEach.call(q.querySelectorAll("input"), function (i) {
            if (i.type === "text") i.value = ""; else i.checked = false;
          });
        }
      });
      retry.hidden = true;
    });
  });

  // The drill's topic filter: hides other topics' questions (and empty levels).
  var filter = document.querySelector(".topic-filter");
  if (filter) {
    var select = filter.querySelector("select");
    filter.hidden = false;
    select.addEventListener("change", function () {
      var topic = select.value;
      Array.prototype.forEach.call(document.querySelectorAll("section.quiz"), function (section) {
        var shown = 0;
        Array.prototype.forEach.call(section.querySelectorAll("li.question"), function (q) {
          var hide = !!topic && q.getAttribute("data-topic") !== topic;
          q.hidden = hide;
          if (!hide) shown++;
        });
        section.hidden = shown === 0;
      });
    });
  }

  // The drill's "show every answer".
  var showAll = document.querySelector(".show-all");
  if (showAll) {
    showAll.hidden = false;
    showAll.addEventListener("click", function () {
      var open = showAll.getAttribute("aria-pressed") !== "true";
      showAll.setAttribute("aria-pressed", open ? "true" : "false");
      Array.prototype.forEach.call(document.querySelectorAll("details.answer"), function (d) { d.open = open; });
    });
  }
})();
