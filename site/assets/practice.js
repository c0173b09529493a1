// gil-lab practice, on the interview drill: filters (level, topic, missed
// only, due today only, shuffle), flashcards graded by the reader, mock
// interviews (3 to 5 questions of one topic, from basic to deep), a
// progress table, and progress exported to or imported from a file.
// Reviews follow Leitner boxes (GilLab.progress): a question answered
// right waits 1, 2, 4, 8, then 16 days; a miss comes back the next day.
// The page's address can name a mode, topic and level
// (drill.html?topic=convoy-effect&mode=cards), as note pages link.
(function () {
  "use strict";
  var G = window.GilLab;
  var box = document.getElementById("practice");
  if (!G || !G.progress || !box) return;
  var P = G.progress;
  var ui = G.ui || {};
  var doc = document.documentElement;
  var stage = document.getElementById("stage");
  var listView = document.getElementById("drill-list");
  var level = document.getElementById("f-level");
  var topic = document.getElementById("f-topic");
  var missed = document.getElementById("f-missed");
  var dueOnly = document.getElementById("f-due");
  var shuffle = document.getElementById("f-shuffle");
  var dueCount = document.getElementById("due-count");
  var ioStatus = document.getElementById("io-status");
  var all = Array.prototype.slice.call(document.querySelectorAll("#drill-list li.question"));
  var mode = "list";
  var order = null; // shuffled order of keys, while shuffle is on

  var params = new URLSearchParams(location.search);
  if (params.get("topic") && topic.querySelector('option[value="' + CSS.escape(params.get("topic")) + '"]')) {
    topic.value = params.get("topic");
  }
  if (/^[123]$/.test(params.get("level") || "")) level.value = params.get("level");

  function key(q) {
    return q.getAttribute("data-key");
  }
  function matches(q, data, today) {
    var r = data.q[key(q)];
    if (level.value && q.getAttribute("data-level") !== level.value) return false;
    if (topic.value && q.getAttribute("data-topic") !== topic.value) return false;
    if (missed.checked && !(r && r.ok === false)) return false;
    if (dueOnly.checked && !P.isDue(r, today)) return false;
    return true;
  }
  function shuffled(list) {
    var a = list.slice();
    for (var i = a.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
  function selection() {
    var data = P.load();
    var today = P.today();
    var picked = all.filter(function (q) {
      return matches(q, data, today);
    });
    if (order) {
      picked.sort(function (a, b) {
        return order.indexOf(key(a)) - order.indexOf(key(b));
      });
    }
    return picked;
  }

  function updateDue() {
    var data = P.load();
    var today = P.today();
    var due = 0;
    var fresh = 0;
    all.forEach(function (q) {
      var r = data.q[key(q)];
      if (!r || !r.n) fresh++;
      else if (P.isDue(r, today)) due++;
    });
    dueCount.textContent = (due ? G.fmt(ui.due_today, { n: due }) : ui.nothing_due) + " · " + G.fmt(ui.new_cards, { n: fresh });
  }

  // The list: hide what the filters leave out (and empty levels).
  function filterList() {
    var keep = selection();
    all.forEach(function (q) {
      q.hidden = keep.indexOf(q) < 0;
    });
    if (order) {
      keep.forEach(function (q) {
        q.parentNode.appendChild(q);
      });
    }
    Array.prototype.forEach.call(document.querySelectorAll("#drill-list section.quiz"), function (s) {
      s.hidden = !s.querySelector("li.question:not([hidden])");
      s.dispatchEvent(new CustomEvent("gil-lab:filtered"));
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function button(text, cls, onClick) {
    var b = el("button", cls, text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  // The question side of a card: its text and choices, without inputs.
  function front(q) {
    var f = el("div", "card-front");
    var meta = q.querySelector(".q-meta");
    if (meta) f.appendChild(meta.cloneNode(true));
    var text = q.querySelector(".q-text");
    if (text) f.appendChild(text.cloneNode(true));
    var choices = q.querySelector(".choices");
    if (choices) {
      var c = choices.cloneNode(true);
      Array.prototype.forEach.call(c.querySelectorAll("input"), function (i) {
        i.parentNode.removeChild(i);
      });
      Array.prototype.forEach.call(c.querySelectorAll("label"), function (l) {
        var span = el("span", "card-choice");
        while (l.firstChild) span.appendChild(l.firstChild);
        l.parentNode.replaceChild(span, l);
      });
      f.appendChild(c);
    }
    return f;
  }
  // The answer side: the key, the explanation and what backs it.
  function back(q) {
    var b = el("div", "card-back");
    var d = q.querySelector("details.answer");
    if (d) {
      Array.prototype.forEach.call(d.children, function (child) {
        if (child.tagName !== "SUMMARY") b.appendChild(child.cloneNode(true));
      });
    }
    return b;
  }

  function cards(deck, heading) {
    stage.textContent = "";
    if (!deck.length) {
      stage.appendChild(el("p", "card-empty", ui.no_cards));
      return;
    }
    var i = 0;
    var known = 0;
    var card = el("div", "card");
    card.setAttribute("aria-live", "polite");
    stage.appendChild(card);
    function showCard() {
      card.textContent = "";
      if (i >= deck.length) {
        card.appendChild(el("p", "card-done", G.fmt(ui.session_done, { right: known, n: deck.length })));
        card.appendChild(button(ui.shuffle, "again", function () {
          cards(shuffled(deck), heading);
        }));
        updateDue();
        return;
      }
      var q = deck[i];
      card.appendChild(el("p", "card-count", heading ? heading(i, deck.length) : G.fmt(ui.card_of, { i: i + 1, n: deck.length })));
      card.appendChild(front(q));
      var answer = back(q);
      answer.hidden = true;
      var grades = el("p", "card-grades");
      grades.hidden = true;
      var reveal = button(ui.reveal, "reveal", function () {
        answer.hidden = false;
        grades.hidden = false;
        reveal.hidden = true;
        grades.querySelector("button").focus();
      });
      function gradeWith(ok) {
        return function () {
          P.record(key(q), q.getAttribute("data-hash"), null, ok);
          if (ok) known++;
          i++;
          showCard();
          var next = card.querySelector(".reveal") || card.querySelector("button");
          if (next) next.focus();
        };
      }
      grades.appendChild(button(ui.knew, "knew", gradeWith(true)));
      grades.appendChild(document.createTextNode(" "));
      grades.appendChild(button(ui.missed, "missed", gradeWith(false)));
      card.appendChild(reveal);
      card.appendChild(answer);
      card.appendChild(grades);
    }
    showCard();
  }

  // A mock interview: 3 to 5 questions of one topic, from basic to deep.
  function mock() {
    if (!topic.value) {
      stage.textContent = "";
      stage.appendChild(el("p", "card-empty", ui.pick_topic));
      return;
    }
    var qs = all.filter(function (q) {
      return q.getAttribute("data-topic") === topic.value;
    });
    qs.sort(function (a, b) {
      return Number(a.getAttribute("data-level")) - Number(b.getAttribute("data-level")) || all.indexOf(a) - all.indexOf(b);
    });
    var chain = qs;
    if (qs.length > 5) {
      chain = [0, 1, 2, 3, 4].map(function (k) {
        return qs[Math.round((k * (qs.length - 1)) / 4)];
      });
    }
    cards(chain, function (i, n) {
      return G.fmt(ui.mock_step, { i: i + 1, n: n });
    });
  }

  function progressTable() {
    stage.textContent = "";
    var data = P.load();
    var today = P.today();
    var rows = [];
    function count(label, qs) {
      var c = { label: label, n: qs.length, answered: 0, right: 0, due: 0 };
      qs.forEach(function (q) {
        var r = data.q[key(q)];
        if (r && r.n) c.answered++;
        if (r && r.ok === true) c.right++;
        if (P.isDue(r, today)) c.due++;
      });
      return c;
    }
    Array.prototype.forEach.call(topic.options, function (o) {
      if (!o.value) return;
      rows.push(count(o.textContent, all.filter(function (q) {
        return q.getAttribute("data-topic") === o.value;
      })));
    });
    var levels = [];
    Array.prototype.forEach.call(level.options, function (o) {
      if (!o.value) return;
      levels.push(count(ui.level + " " + o.textContent, all.filter(function (q) {
        return q.getAttribute("data-level") === o.value;
      })));
    });
    var wrap = el("div", "table-wrap");
    var table = el("table", "progress-table");
    var head = el("tr");
    [ui.topic, ui.questions, ui.answered_col, ui.correct_col, ui.due_col].forEach(function (h, k) {
      var th = el("th", k ? "num" : "", h);
      th.scope = "col";
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    rows.concat(levels, [count(ui.total, all)]).forEach(function (c, k) {
      var tr = el("tr", k === rows.length ? "group-start" : k === rows.length + levels.length ? "total" : "");
      var th = el("th", "", c.label);
      th.scope = "row";
      tr.appendChild(th);
      [c.n, c.answered, c.right, c.due].forEach(function (v) {
        tr.appendChild(el("td", "num", String(v)));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    stage.appendChild(wrap);
  }

  function render() {
    doc.classList.toggle("drill-stage", mode !== "list");
    Array.prototype.forEach.call(box.querySelectorAll(".modes button"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-mode") === mode ? "true" : "false");
    });
    filterList();
    if (mode === "cards") cards(selection());
    else if (mode === "mock") mock();
    else if (mode === "progress") progressTable();
    else stage.textContent = "";
    updateDue();
  }

  Array.prototype.forEach.call(box.querySelectorAll(".modes button"), function (b) {
    b.addEventListener("click", function () {
      mode = b.getAttribute("data-mode");
      render();
    });
  });
  [level, topic, missed, dueOnly].forEach(function (f) {
    f.addEventListener("change", render);
  });
  shuffle.addEventListener("click", function () {
    var on = shuffle.getAttribute("aria-pressed") !== "true";
    shuffle.setAttribute("aria-pressed", on ? "true" : "false");
    order = on ? shuffled(all.map(key)) : null;
    if (!on) {
      // Back to the page's order.
      all.forEach(function (q) {
        q.parentNode.appendChild(q);
      });
    }
    render();
  });
  document.addEventListener("gil-lab:graded", updateDue);

  // Export and import: browser storage is per device.
  document.getElementById("export").addEventListener("click", function () {
    var blob = new Blob([JSON.stringify(P.load(), null, 1)], { type: "application/json" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "gil-lab-progress.json";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () {
      URL.revokeObjectURL(a.href);
      a.parentNode.removeChild(a);
    }, 0);
  });
  document.getElementById("import").addEventListener("change", function (e) {
    var file = e.target.files && e.target.files[0];
    if (!file) return;
    file.text().then(function (text) {
      var n = -1;
      try {
        n = P.merge(JSON.parse(text));
      } catch (err) {
        n = -1;
      }
      ioStatus.textContent = n < 0 ? ui.import_failed : G.fmt(ui.imported, { n: n });
      e.target.value = "";
      render();
    });
  });

  // "Show every answer".
  var showAll = box.querySelector(".show-all");
  showAll.addEventListener("click", function () {
    var open = showAll.getAttribute("aria-pressed") !== "true";
    showAll.setAttribute("aria-pressed", open ? "true" : "false");
    Array.prototype.forEach.call(document.querySelectorAll("#drill-list details.answer"), function (d) {
      d.open = open;
    });
  });

  var asked = params.get("mode");
  if (asked === "cards" || asked === "mock" || asked === "progress") mode = asked;
  render();
})();
