// gil-lab search: ranked, with snippets, from the keyboard, offline and from
// file:// pages. On first use it loads MiniSearch (minisearch.js) and the
// language's documents (search-LANG.js, a script: file:// pages may not
// fetch), inflates them and builds the index in the browser.
//
// Korean words carry particles (컨보이가, 스레드는): each word is indexed
// as written and without its particle, and a query tries both. Hangul
// suffixes of longer words go to a low-weight field, so 카운트 finds
// 참조카운트. notes/spellings.yaml groups spellings that mean the same
// (쓰레드/스레드, 컨보이/convoy), and a Korean page's document carries its
// English title and headings (and the reverse), so the other language's
// term finds it too.
(function () {
  "use strict";
  var G = window.GilLab || {};
  var ui = G.ui || {};
  var root = G.root || "";
  var lang = G.lang || "en";
  var input = document.getElementById("search-input");
  var panel = document.getElementById("search-panel");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !panel || !list) return;

  var PARTICLES = [
    "으로부터", "에서부터", "이라고", "에서는", "으로는", "에게서", "이라는", "입니다", "이에요",
    "에서", "으로", "에게", "께서", "부터", "까지", "처럼", "보다", "라고", "이나", "이다", "에는",
    "과는", "와는", "이며", "라는", "이고", "하고", "은", "는", "이", "가", "을", "를", "의", "에",
    "로", "와", "과", "도", "만", "야"
  ];
  var PAGE = 20;

  function isHangul(c) {
    var n = c.charCodeAt(0);
    return (n >= 0xac00 && n <= 0xd7a3) || (n >= 0x3131 && n <= 0x318e);
  }
  function norm(s) {
    return String(s).normalize("NFKC").toLowerCase();
  }
  // Lower case with every character where it was, so positions found in
  // it hold in the text (NFKC would turn … into ...).
  function lowerInPlace(s) {
    var l = String(s).toLowerCase();
    return l.length === s.length ? l : s;
  }
  // Runs of letters and digits; a change between Hangul and other scripts
  // splits a run (GIL을 -> gil, 을).
  function tokenize(text) {
    var out = [];
    var run = "";
    var hangul = false;
    Array.from(norm(text)).forEach(function (c) {
      if (/[\p{L}\p{N}_]/u.test(c)) {
        var h = isHangul(c);
        if (run && h !== hangul) {
          out.push(run);
          run = "";
        }
        hangul = h;
        run += c;
      } else if (run) {
        out.push(run);
        run = "";
      }
    });
    if (run) out.push(run);
    return out;
  }
  // A Hangul word without its particle, when two syllables or more remain.
  function stem(word) {
    if (!isHangul(word.charAt(0))) return word;
    for (var i = 0; i < PARTICLES.length; i++) {
      var p = PARTICLES[i];
      if (word.length - p.length >= 2 && word.slice(-p.length) === p) return word.slice(0, -p.length);
    }
    return word;
  }
  function indexTerm(term, field) {
    if (field === "grams") return term;
    var s = stem(term);
    if (s !== term) return [term, s];
    return isHangul(term.charAt(0)) && term.length === 1 && PARTICLES.indexOf(term) >= 0 ? null : term;
  }
  // Hangul suffixes of two syllables or more, for words inside compounds.
  function grams(text) {
    var seen = {};
    tokenize(text).forEach(function (w) {
      if (!isHangul(w.charAt(0)) || w.length < 3) return;
      for (var i = 1; i + 2 <= w.length; i++) seen[w.slice(i)] = true;
    });
    return Object.keys(seen).join(" ");
  }

  var state = null; // {mini, docs, same}
  var loading = null;
  function script(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () {
        reject(new Error("cannot load " + src));
      };
      document.head.appendChild(s);
    });
  }
  function inflate(b64) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).text();
  }
  function load() {
    if (state) return Promise.resolve(state);
    loading =
      loading ||
      Promise.all([
        window.MiniSearch ? null : script(root + "assets/minisearch.js"),
        (window.GIL_LAB_SEARCH || {})[lang] ? null : script(root + "assets/search-" + lang + ".js")
      ])
        .then(function () {
          return inflate(window.GIL_LAB_SEARCH[lang].z);
        })
        .then(function (json) {
          var docs = JSON.parse(json);
          var same = {};
          (ui.same || []).forEach(function (group) {
            var words = group.map(norm);
            words.forEach(function (w) {
              same[w] = (same[w] || []).concat(words);
            });
          });
          var mini = new window.MiniSearch({
            fields: ["title", "headings", "summary", "body", "alias", "grams"],
            tokenize: tokenize,
            processTerm: indexTerm,
            searchOptions: {
              boost: { title: 5, headings: 3, alias: 3, summary: 2, body: 1, grams: 0.3 },
              processTerm: function (t) {
                return t;
              }
            }
          });
          mini.addAll(
            docs.map(function (d, i) {
              var heads = d[4].map(function (s) {
                return s[1];
              });
              var body = d[4]
                .map(function (s) {
                  return s[2];
                })
                .join(" ");
              return {
                id: i,
                title: d[1],
                summary: d[2],
                alias: d[3],
                headings: heads.join(" "),
                body: body,
                grams: grams(d[1] + " " + heads.join(" ") + " " + body)
              };
            })
          );
          state = { mini: mini, docs: docs, same: same };
          return state;
        });
    loading.catch(function () {
      loading = null;
    });
    return loading;
  }

  // Every spelling a query word may take: as typed, without its particle,
  // and the spellings grouped with either.
  function variants(word) {
    var out = [word];
    var s = stem(word);
    if (out.indexOf(s) < 0) out.push(s);
    [word, s].forEach(function (w) {
      (state.same[w] || []).forEach(function (v) {
        if (out.indexOf(v) < 0) out.push(v);
      });
    });
    return out;
  }
  function query(text) {
    var words = tokenize(text).filter(function (w) {
      return !(w.length === 1 && PARTICLES.indexOf(w) >= 0);
    });
    if (!words.length) return null;
    var groups = words.map(variants);
    var tree = {
      combineWith: "AND",
      queries: groups.map(function (vs) {
        return {
          combineWith: "OR",
          queries: vs,
          prefix: function (t) {
            return Array.from(t).length >= 2;
          },
          fuzzy: function (t) {
            return /^[a-z]{5,}$/.test(t) ? 0.2 : false;
          }
        };
      })
    };
    return { tree: tree, words: [].concat.apply([], groups) };
  }

  // The section with the most hits, and a window of its text around the first.
  function snippet(d, hits) {
    var best = null;
    d[4].forEach(function (s) {
      var head = lowerInPlace(s[1]);
      var text = lowerInPlace(s[2]);
      var score = 0;
      var first = -1;
      hits.forEach(function (h) {
        if (!h) return;
        var i = text.indexOf(h);
        if (i >= 0 && (first < 0 || i < first)) first = i;
        for (var j = i; j >= 0; j = text.indexOf(h, j + h.length)) score++;
        if (head.indexOf(h) >= 0) score += 3;
      });
      if (score && (!best || score > best.score)) best = { s: s, score: score, first: first };
    });
    if (!best) return { id: "", heading: "", text: d[2] };
    var text = best.s[2];
    var at = Math.max(best.first, 0);
    var from = Math.max(0, at - 60);
    var to = Math.min(text.length, at + 140);
    if (from > 0) from = text.indexOf(" ", from) + 1 || from;
    var cut = text.slice(from, to);
    return { id: best.s[0], heading: best.s[1], text: (from > 0 ? "…" : "") + cut + (to < text.length ? "…" : "") };
  }
  // Appends `text` to `el` with the hits marked.
  function marked(el, text, hits) {
    var lower = lowerInPlace(text);
    var ranges = [];
    hits.forEach(function (h) {
      if (!h) return;
      for (var i = lower.indexOf(h); i >= 0; i = lower.indexOf(h, i + h.length)) ranges.push([i, i + h.length]);
    });
    ranges.sort(function (a, b) {
      return a[0] - b[0] || b[1] - a[1];
    });
    var at = 0;
    ranges.forEach(function (r) {
      if (r[0] < at) return;
      el.appendChild(document.createTextNode(text.slice(at, r[0])));
      var m = document.createElement("mark");
      m.textContent = text.slice(r[0], r[1]);
      el.appendChild(m);
      at = r[1];
    });
    el.appendChild(document.createTextNode(text.slice(at)));
  }

  var results = [];
  var shown = 0;
  var active = -1;
  var lastHits = [];
  function render(more) {
    if (!more) {
      list.textContent = "";
      shown = 0;
      active = -1;
    }
    var old = list.querySelector(".r-more");
    if (old) old.parentNode.removeChild(old);
    results.slice(shown, shown + PAGE).forEach(function (r, k) {
      var d = state.docs[r.id];
      var sn = snippet(d, lastHits);
      var li = document.createElement("li");
      li.id = "sr-" + (shown + k);
      var a = document.createElement("a");
      a.href = root + d[0] + (sn.id ? "#" + encodeURIComponent(sn.id) : "");
      var t = document.createElement("span");
      t.className = "r-title";
      marked(t, d[1], lastHits);
      a.appendChild(t);
      if (sn.heading) {
        var h = document.createElement("span");
        h.className = "r-section";
        marked(h, sn.heading, lastHits);
        a.appendChild(h);
      }
      var p = document.createElement("span");
      p.className = "r-snippet";
      marked(p, sn.text, lastHits);
      a.appendChild(p);
      li.appendChild(a);
      list.appendChild(li);
    });
    shown = Math.min(results.length, shown + PAGE);
    if (shown < results.length) {
      var li = document.createElement("li");
      li.className = "r-more";
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = ui.more_results || "More";
      b.addEventListener("click", function () {
        render(true);
        input.focus();
      });
      li.appendChild(b);
      list.appendChild(li);
    }
    status.textContent = results.length ? G.fmt(ui.results, { n: results.length }) : ui.no_results || "";
    panel.hidden = false;
  }
  function run() {
    var text = input.value.trim();
    if (!text) {
      panel.hidden = true;
      results = [];
      return;
    }
    load()
      .then(function () {
        if (input.value.trim() !== text) return;
        var q = query(text);
        results = q ? state.mini.search(q.tree) : [];
        // Highlight what matched: the query's spellings and the indexed terms hit.
        var hits = {};
        (q ? q.words : []).forEach(function (w) {
          hits[w] = true;
        });
        results.slice(0, 100).forEach(function (r) {
          r.terms.forEach(function (t) {
            hits[t] = true;
          });
        });
        lastHits = Object.keys(hits).sort(function (a, b) {
          return b.length - a.length;
        });
        render(false);
      })
      .catch(function () {});
  }
  function links() {
    return list.querySelectorAll("li:not(.r-more) > a");
  }
  function activate(i) {
    var all = links();
    if (!all.length) return;
    active = (i + all.length) % all.length;
    Array.prototype.forEach.call(all, function (a, k) {
      a.parentNode.classList.toggle("active", k === active);
    });
    input.setAttribute("aria-activedescendant", all[active].parentNode.id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("focus", function () {
    load().catch(function () {});
  });
  input.addEventListener("input", run);
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      activate(active + (e.key === "ArrowDown" ? 1 : -1));
    } else if (e.key === "Enter") {
      var all = links();
      var a = all[active >= 0 ? active : 0];
      if (a) {
        e.preventDefault();
        location.href = a.href;
      }
    } else if (e.key === "Escape") {
      input.value = "";
      panel.hidden = true;
      input.removeAttribute("aria-activedescendant");
      input.blur();
    }
  });
  // "/" anywhere but in a text field focuses the search.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && (t.isContentEditable || /^(input|textarea|select)$/i.test(t.tagName));
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      input.focus();
      input.select();
    }
  });
  document.addEventListener("click", function (e) {
    if (!input.parentNode.contains(e.target)) panel.hidden = true;
  });
})();
