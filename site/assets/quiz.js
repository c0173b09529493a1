// gil-lab quizzes: each question is graded as soon as it is answered (a
// single choice when picked; the others with their Check button or Enter),
// with the explanation and the link to what backs it. Answers and results
// are kept (GilLab.progress, by question key and hash) and shown again on
// load; a question without an answer is never graded.
(function () {
  "use strict";
  var G = window.GilLab;
  if (!G || !G.progress) return;
  var P = G.progress;
  var ui = G.ui || {};

  // Korean spacing and common variants: case, width, spaces and
  // punctuation do not count, nor a copula or particle after the answer.
  var ENDINGS = ["입니다", "이에요", "예요", "이다", "이요", "이고", "이며", "이", "가", "을", "를", "은", "는", "다", "요"];
  function squash(s) {
    return String(s)
      .normalize("NFKC")
      .toLowerCase()
      .replace(/[\s!?'"`()[\]{}·:;~\-_/]+/g, "")
      .replace(/[.,](?!\d)|(?<!\d)[.,]/g, "");
  }
  function forms(s) {
    var base = squash(s);
    var out = [base];
    ENDINGS.forEach(function (e) {
      if (base.length > e.length && base.slice(-e.length) === e && /[\uac00-\ud7a3]$/.test(base)) out.push(base.slice(0, -e.length));
    });
    return out;
  }
  // Spellings that mean the same (notes/spellings.yaml: 쓰레드 and 스레드)
  // fold to one; the quiz file lists each question's own alternatives.
  var FOLD = [];
  (ui.same || []).forEach(function (group) {
    var to = squash(group[0]);
    group.slice(1).forEach(function (w) {
      if (squash(w)) FOLD.push([squash(w), to]);
    });
  });
  FOLD.sort(function (a, b) {
    return b[0].length - a[0].length;
  });
  function fold(s) {
    FOLD.forEach(function (p) {
      s = s.split(p[0]).join(p[1]);
    });
    return s;
  }
  G.shortAnswerMatches = function (given, accepted) {
    var mine = forms(given).map(fold);
    return accepted.some(function (a) {
      var want = fold(squash(a));
      return want && mine.indexOf(want) >= 0;
    });
  };

  // The answer a question holds now: indices, text, or null when none.
  function given(q) {
    if (q.getAttribute("data-kind") === "short") {
      var t = q.querySelector("input.short");
      return t && t.value.trim() ? t.value.trim() : null;
    }
    var picked = Array.prototype.filter
      .call(q.querySelectorAll(".choices input"), function (i) {
        return i.checked;
      })
      .map(function (i) {
        return Number(i.value);
      });
    return picked.length ? picked : null;
  }
  function isRight(q, answer) {
    var want = q.getAttribute("data-answer");
    if (q.getAttribute("data-kind") === "short") return G.shortAnswerMatches(answer, JSON.parse(want));
    return answer.slice().sort().join(",") === want;
  }
  function put(q, answer) {
    if (q.getAttribute("data-kind") === "short") {
      var t = q.querySelector("input.short");
      if (t) t.value = typeof answer === "string" ? answer : "";
      return;
    }
    Array.prototype.forEach.call(q.querySelectorAll(".choices input"), function (i) {
      i.checked = Array.isArray(answer) && answer.indexOf(Number(i.value)) >= 0;
    });
  }
  function keyText(q) {
    var k = q.querySelector(".a-key");
    return k ? k.textContent.trim() : "";
  }
  // Shows a result; `reveal` opens the explanation (not on page load, so
  // nothing moves under the reader).
  function show(q, ok, reveal) {
    q.classList.toggle("correct", ok === true);
    q.classList.toggle("incorrect", ok === false);
    var out = q.querySelector(".q-result");
    if (out) {
      out.textContent = ok === true ? "✔ " + ui.correct : ok === false ? "✘ " + ui.wrong + ". " + ui.answer_is + " " + keyText(q) : "";
    }
    var d = q.querySelector("details.answer");
    if (d && reveal) d.open = true;
  }
  G.quizShow = show;

  function grade(q) {
    var answer = given(q);
    if (answer === null) {
      var out = q.querySelector(".q-result");
      if (out) out.textContent = ui.answer_first;
      return;
    }
    var ok = isRight(q, answer);
    P.record(q.getAttribute("data-key"), q.getAttribute("data-hash"), answer, ok);
    show(q, ok, true);
    document.dispatchEvent(new CustomEvent("gil-lab:graded", { detail: { key: q.getAttribute("data-key") } }));
  }

  function setUp(quiz) {
    var all = Array.prototype.slice.call(quiz.querySelectorAll("li.question"));
    var score = quiz.querySelector(".score");
    var retry = quiz.querySelector(".retry");
    var reset = quiz.querySelector(".reset");
    // Progress kept by the earlier script (correct ids by quiz hash) moves over.
    var oldKey = "gil-lab:quiz:" + quiz.getAttribute("data-quiz");
    var old = G.store(oldKey);
    if (old) {
      try {
        var ids = JSON.parse(old) || {};
        all.forEach(function (q) {
          if (ids[q.getAttribute("data-id")] && !P.get(q.getAttribute("data-key"))) {
            P.record(q.getAttribute("data-key"), q.getAttribute("data-hash"), null, true);
          }
        });
      } catch (e) {}
      G.store(oldKey, null);
    }
    function report() {
      var shown = all.filter(function (q) {
        return !q.hidden;
      });
      var right = 0;
      var answered = 0;
      var missed = 0;
      shown.forEach(function (q) {
        if (q.classList.contains("correct")) right++;
        if (q.classList.contains("incorrect")) missed++;
        if (q.classList.contains("correct") || q.classList.contains("incorrect")) answered++;
      });
      if (score) score.textContent = ui.score + " " + right + " / " + shown.length + " · " + answered + " " + ui.answered;
      if (retry) retry.hidden = missed === 0;
    }
    all.forEach(function (q) {
      var r = P.get(q.getAttribute("data-key"));
      // Restore answers given to this very question (not to an older wording).
      if (r && r.h === q.getAttribute("data-hash") && typeof r.ok === "boolean") {
        if (r.a !== undefined && r.a !== null) put(q, r.a);
        show(q, r.ok, false);
      }
      if (q.getAttribute("data-kind") === "single") {
        Array.prototype.forEach.call(q.querySelectorAll(".choices input"), function (i) {
          i.addEventListener("change", function () {
            grade(q);
            report();
          });
        });
      } else {
        var b = q.querySelector(".q-check");
        if (b)
          b.addEventListener("click", function () {
            grade(q);
            report();
          });
        var t = q.querySelector("input.short");
        if (t)
          t.addEventListener("keydown", function (e) {
            if (e.key === "Enter") {
              e.preventDefault();
              grade(q);
              report();
            }
          });
      }
    });
    if (retry)
      retry.addEventListener("click", function () {
        var missed = all.filter(function (q) {
          return !q.hidden && q.classList.contains("incorrect");
        });
        P.clear(
          missed.map(function (q) {
            return q.getAttribute("data-key");
          })
        );
        missed.forEach(function (q) {
          put(q, null);
          show(q, null, false);
          var d = q.querySelector("details.answer");
          if (d) d.open = false;
        });
        if (missed[0]) missed[0].scrollIntoView({ block: "center" });
        report();
      });
    if (reset)
      reset.addEventListener("click", function () {
        var shown = all.filter(function (q) {
          return !q.hidden;
        });
        P.clear(
          shown.map(function (q) {
            return q.getAttribute("data-key");
          })
        );
        shown.forEach(function (q) {
          put(q, null);
          show(q, null, false);
          var d = q.querySelector("details.answer");
          if (d) d.open = false;
        });
        report();
      });
    quiz.addEventListener("gil-lab:filtered", report);
    report();
  }
  Array.prototype.forEach.call(document.querySelectorAll("section.quiz"), setUp);
})();
