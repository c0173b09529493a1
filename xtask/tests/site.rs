//! `build-site` and `check` on real files: a fixture site in a scratch copy
//! of the repository, and the repository's own notes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use expect_test::expect_file;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A scratch repository: the real templates and scenarios, with the
/// fixture's notes.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["templates", "examples/scenarios"] {
            copy_dir(&repo().join(d), &root.join(d));
        }
        // A checkout is recognised by its workspace manifest.
        std::fs::write(root.join("Cargo.toml"), "[workspace]\n").unwrap();
        copy_dir(&repo().join("xtask/tests/fixtures/site/notes"), &root.join("notes"));
        std::fs::write(
            root.join("site.yaml"),
            "title: gil-lab\nbase_url: https://example.org/gil-lab/\nrepository: https://github.com/owner/gil-lab\n",
        )
        .unwrap();
        Scratch { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xtask")).arg("--root").arg(self.root()).args(args).output().unwrap()
    }

    fn build(&self) -> String {
        let out = self.run(&["build-site"]);
        assert!(out.status.success(), "build-site failed:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn edit(&self, file: &str, f: impl FnOnce(String) -> String) {
        let p = self.root().join(file);
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        std::fs::write(&p, f(text)).unwrap();
    }

    fn tree(&self, dir: &str) -> BTreeMap<String, Vec<u8>> {
        tree(&self.root().join(dir))
    }
}

/// Every file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn differing(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let names: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names.into_iter().filter(|n| a.get(*n) != b.get(*n)).cloned().collect()
}

#[test]
fn fixture_pages_match_their_snapshots() {
    let s = Scratch::new();
    s.build();
    let site = s.tree("site");
    let page = |p: &str| String::from_utf8(site[p].clone()).unwrap();
    expect_file!["snapshots/demo.en.html"].assert_eq(&page("en/demo.html"));
    expect_file!["snapshots/demo.ko.html"].assert_eq(&page("ko/demo.html"));
    expect_file!["snapshots/drill.en.html"].assert_eq(&page("en/drill.html"));
    expect_file!["snapshots/gil-lab-ko.txt"].assert_eq(&page("anki/gil-lab-ko.txt"));
    // Everything a demanding reader expects is there.
    for p in [
        "index.html",
        "404.html",
        "en/index.html",
        "ko/index.html",
        "en/tags/index.html",
        "ko/tags/demo.html",
        "en/experiments/index.html",
        "en/experiments/convoy-demo.html",
        "ko/experiments/loop-demo.html",
        "experiments/convoy-demo/timeline.en.svg",
        "experiments/convoy-demo/timeline.ko.svg",
        "experiments/convoy-demo/cores.en.svg",
        "experiments/convoy-demo/data.csv",
        "experiments/convoy-demo/data.json",
        "experiments/sweep-demo/interval/v0.timeline.en.svg",
        "experiments/sweep-demo/interval/v7.timeline.ko.phone.svg",
        "assets/explore.js",
        "assets/search-en.js",
        "assets/search-ko.js",
        "anki/gil-lab-en.txt",
    ] {
        assert!(site.contains_key(p), "missing {p}");
    }
    // The explorable figure: its controls, the default variant's drawing,
    // and every variant's values in its table.
    let demo = page("en/demo.html");
    assert!(demo.contains("assets/explore.js"), "the page loads the figure's script");
    assert!(demo.contains("src=\"../experiments/sweep-demo/interval/v4.timeline.en.svg\""), "5 ms, one thread");
    let fig = &demo[demo.find("<figure class=\"chart explore\"").unwrap()..];
    let table = &fig[fig.find("<tbody>").unwrap()..fig.find("</tbody>").unwrap()];
    assert_eq!(table.matches("<tr").count(), 8, "4 intervals x 2 thread counts");
    assert_eq!(table.matches("<tr class=\"current\"").count(), 1);
    // Each timeline offers its run for Perfetto: Chrome trace events with a
    // track per core, thread and GIL; an explorable figure, the variant's.
    assert!(demo.contains("href=\"../experiments/convoy-demo/trace.json\" download>Trace for Perfetto"), "{demo}");
    assert!(demo.contains("href=\"../experiments/sweep-demo/interval/v4.trace.json\" download>"));
    for file in ["experiments/convoy-demo/trace.json", "experiments/sweep-demo/interval/v7.trace.json"] {
        let trace: serde_json::Value = serde_json::from_slice(&site[file]).expect("JSON");
        let tracks: Vec<&str> = trace["traceEvents"]
            .as_array()
            .expect("trace events")
            .iter()
            .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
            .filter_map(|e| e["args"]["name"].as_str())
            .collect();
        for t in ["core 0", "core 1", "echo", "GIL"] {
            assert!(tracks.contains(&t), "{file}: no track `{t}` in {tracks:?}");
        }
    }
    // Timelines carry the data of their zoomable view.
    assert!(demo.contains("<picture data-timeline=\"../experiments/convoy-demo/timeline.en.js\">"));
    assert!(page("experiments/convoy-demo/cores.ko.js").starts_with("(window.GilLab=window.GilLab||{}).timelineData"));
    let exp = page("en/experiments/convoy-demo.html");
    assert!(exp.contains("cargo xtask sim examples/scenarios/convoy.yaml"), "the command that reproduces it");
    assert!(exp.contains("fingerprint"), "the code fingerprint");
}

#[test]
fn two_clean_builds_are_byte_identical() {
    let s = Scratch::new();
    s.build();
    let first = s.tree("site");
    std::fs::remove_dir_all(s.root().join("target")).unwrap();
    std::fs::remove_dir_all(s.root().join("site")).unwrap();
    let out = s.build();
    assert!(out.contains("(3 run, 0 cached"), "{out}");
    assert_eq!(differing(&first, &s.tree("site")), Vec::<String>::new());
    // Results read back from the cache give the same bytes as fresh ones.
    std::fs::remove_dir_all(s.root().join("site")).unwrap();
    let out = s.build();
    assert!(out.contains("(0 run, 3 cached"), "{out}");
    assert_eq!(differing(&first, &s.tree("site")), Vec::<String>::new());
}

#[test]
fn the_cache_reruns_exactly_what_changed() {
    let s = Scratch::new();
    let out = s.build();
    assert!(out.contains("(3 run, 0 cached"), "{out}");
    // Nothing changed: nothing is read from the cache or written.
    let before = s.tree("site");
    let out = s.build();
    assert!(out.contains("site is up to date: nothing changed"), "{out}");
    assert_eq!(differing(&before, &s.tree("site")), Vec::<String>::new());
    // A file of the site removed or edited by hand: built again.
    std::fs::remove_file(s.root().join("site/en/demo.html")).unwrap();
    let out = s.build();
    assert!(out.contains("(0 run, 3 cached; 0 simulator runs)"), "{out}");
    assert_eq!(differing(&before, &s.tree("site")), Vec::<String>::new());
    // Prose and templates change pages, not results.
    s.edit("notes/en/demo.md", |t| t.replace("Every feature", "All the features"));
    assert!(s.build().contains("(0 run, 3 cached"));
    // Which code a run reaches is the simulator's own business (unit tests
    // of `scheduler::code_fingerprint`); the key carries its fingerprint.
    // A scenario's parameter: that experiment.
    s.edit("examples/scenarios/convoy.yaml", |t| t.replace("repeat: 200", "repeat: 100"));
    let out = s.build();
    assert!(out.contains("(1 run, 2 cached") && out.contains("ran: convoy-demo"), "{out}");
}

#[test]
fn check_validates_and_writes_no_site() {
    let s = Scratch::new();
    let out = s.run(&["check"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: 2 notes"));
    assert!(!s.root().join("site").exists());
}

/// Each bad input: (file, edit, expected place, expected reason).
type Breakage = (&'static str, fn(String) -> String, &'static str, &'static str);

#[test]
fn bad_input_fails_with_file_line_and_reason_and_keeps_the_site() {
    // Long on purpose: a table of breakages, one per kind of bad input.
    let cases: Vec<Breakage> = vec![
        (
            "notes/en/demo.md",
            |t| t.replace("tags: [demo, gil]", "tags: [demo, gil"),
            "notes/en/demo.md:",
            "front matter",
        ),
        ("notes/en/demo.md", |t| t.replace("level: 2", "level: 7"), "notes/en/demo.md:", "level"),
        (
            "notes/en/demo.md",
            |t| t.replace("{{chart: convoy-demo.cores}}", "{{chart: no-such.cores}}"),
            "notes/en/demo.md:18:",
            "no-such",
        ),
        (
            "notes/en/demo.md",
            |t| t.replace("per_trip_ms > 1}}", "per_trip_ms > 100}}"),
            "notes/en/demo.md:13:",
            "false",
        ),
        ("notes/en/demo.md", |t| t.replace("| .1}}", "| .q}}"), "notes/en/demo.md:11:", "format"),
        ("notes/en/demo.quiz.yaml", |t| t.replace("answer: 0", "answer: 5"), "notes/en/demo.quiz.yaml:1:", "answer"),
        ("notes/ko/demo.quiz.yaml", |t| t.replace("answer: [0]", "answer: [1]"), "notes/ko/demo.quiz.yaml:", "costs"),
        ("notes/en/demo.quiz.yaml", |t| t.replace("level: 3", "level: 4"), "notes/en/demo.quiz.yaml:", "level"),
        (
            "notes/en/demo.md",
            |t| t.replace("[second section](#code-and-tables)", "[second section](other.md)"),
            "notes/en/demo.md:25:",
            "broken link",
        ),
        ("notes/ko/demo.md", |_| String::new(), "notes/ko/demo.md:1:", "front matter"),
        (
            "notes/ko/demo.md",
            |t| t.replace("{{experiment: loop-demo}}", "").replace("{{loop-demo.total_ms | .0}} ms에", "금세"),
            "notes/ko/demo.md:",
            "loop-demo",
        ),
        (
            "notes/experiments/convoy-demo.yaml",
            |t| t.replace("kind: gantt", "kind: pie"),
            "notes/experiments/convoy-demo.yaml:",
            "pie",
        ),
        (
            "notes/experiments/convoy-demo.yaml",
            |t| t.replace("threads[echo]", "threads[nobody]"),
            "notes/experiments/convoy-demo.yaml:",
            "nobody",
        ),
        (
            "examples/scenarios/convoy.yaml",
            |t| t.replace("cores: 2", "cores: 0"),
            "examples/scenarios/convoy.yaml:",
            "cores",
        ),
        // An unclosed directive used to be shown as written.
        ("notes/en/demo.md", |t| t.replace(":::myth", "{{x.y .\n\n:::myth"), "notes/en/demo.md:", "not closed"),
        (
            "notes/experiments/convoy-demo.yaml",
            |t| t.replace("scenario: examples/scenarios/convoy.yaml", "scenario: ../../../etc/passwd"),
            "notes/experiments/convoy-demo.yaml:5:",
            "inside the repository",
        ),
        (
            "notes/en/demo.quiz.yaml",
            |t| t.replace("The global interpreter lock.", "\"[see](javascript:alert(1))\""),
            "notes/en/demo.quiz.yaml:",
            "not allowed",
        ),
        (
            "notes/en/demo.quiz.yaml",
            |t| t.replace("answer: [GIL]", &format!("answer: {}", "[".repeat(100_000))),
            "notes/en/demo.quiz.yaml:22:",
            "deep",
        ),
        (
            "notes/experiments/convoy-demo.yaml",
            |t| t.replace("examples/scenarios/convoy.yaml", "examples/scenarios/../../../convoy.yaml"),
            "notes/experiments/convoy-demo.yaml:5:",
            "inside the repository",
        ),
        (
            "notes/experiments/convoy-demo.yaml",
            |t| t.replace("ko: 콘보이", "x: 콘보이"),
            "notes/experiments/convoy-demo.yaml:2:",
            "description",
        ),
    ];
    let s = Scratch::new();
    s.build();
    let good = s.tree("site");
    for (file, edit, place, reason) in cases {
        let before = std::fs::read_to_string(s.root().join(file)).unwrap();
        s.edit(file, edit);
        let out = s.run(&["build-site"]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{file}: the build should fail");
        assert!(err.contains(place) && err.contains(reason), "{file}: expected `{place}` and `{reason}` in:\n{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(differing(&good, &s.tree("site")).is_empty(), "{file}: site/ changed after a failed build");
        std::fs::write(s.root().join(file), before).unwrap();
    }
    // A note that is not UTF-8 is reported at its line and column.
    let note = s.root().join("notes/en/demo.md");
    let before = std::fs::read(&note).unwrap();
    let mut bad = before.clone();
    bad.extend(b"\ncaf\xe9\n");
    std::fs::write(&note, &bad).unwrap();
    let out = s.run(&["build-site"]);
    let err = String::from_utf8_lossy(&out.stderr);
    let line = before.iter().filter(|b| **b == b'\n').count() + 2;
    assert!(err.contains(&format!("notes/en/demo.md:{line}:4: not valid UTF-8")), "{err}");
    std::fs::write(&note, &before).unwrap();
    // A scenario that a symbolic link leads out of the repository.
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().unwrap();
        std::fs::copy(s.root().join("examples/scenarios/convoy.yaml"), outside.path().join("c.yaml")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("c.yaml"), s.root().join("examples/scenarios/link.yaml"))
            .unwrap();
        let def = "notes/experiments/convoy-demo.yaml";
        let before = std::fs::read_to_string(s.root().join(def)).unwrap();
        s.edit(def, |t| t.replace("examples/scenarios/convoy.yaml", "examples/scenarios/link.yaml"));
        let out = s.run(&["build-site"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("convoy-demo.yaml:5:") && err.contains("leads outside the repository"), "{err}");
        std::fs::write(s.root().join(def), before).unwrap();
        std::fs::remove_file(s.root().join("examples/scenarios/link.yaml")).unwrap();
    }
    assert!(differing(&good, &s.tree("site")).is_empty());
    // Bad publishing settings.
    s.edit("site.yaml", |t| t.replace("https://example.org/gil-lab/", "/gil-lab/"));
    let out = s.run(&["build-site"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("site.yaml:2:") && err.contains("base_url"), "{err}");
    assert!(differing(&good, &s.tree("site")).is_empty());
}

/// Quiz and experiment fields are data: their HTML is escaped in every page,
/// chart and deck; notes are trusted source, whose HTML passes.
#[test]
fn html_in_quizzes_and_experiments_never_reaches_the_site() {
    let s = Scratch::new();
    let evil = "<script>alert(1)</script><img src=x onerror=alert(1)>";
    let q = |t: String| {
        t.replace("What is the default switch interval?", &format!("\"{evil} interval?\""))
            .replace("[5 ms, 100 ticks]", &format!("[\"{evil} 5 ms\", 100 ticks]"))
            .replace("The global interpreter lock.", &format!("\"{evil}\""))
            .replace("answer: [GIL]", &format!("answer: [\"{evil}\"]"))
    };
    s.edit("notes/en/demo.quiz.yaml", q);
    s.edit("notes/ko/demo.quiz.yaml", q);
    s.edit("notes/experiments/convoy-demo.yaml", |t| {
        t.replace("An echo thread next to a CPU-bound thread", &format!("\"{evil}\""))
            .replace(
                "The convoy scenario, traced over its first 30 ms.",
                &format!("\"{evil} [x](https://example.org)\""),
            )
            .replace("{en: GIL timeline", &format!("{{en: \"{evil}\""))
    });
    s.edit("notes/en/demo.md", |t| t.replace("## Code and tables", "<kbd>Ctrl</kbd>\n\n## Code and tables"));
    s.build();
    let site = s.tree("site");
    // The search index (a script setting JSON data, shown with `textContent`)
    // and the data downloads hold the text as data; everything else is markup.
    let markup = site.iter().filter(|(p, _)| !p.ends_with(".js") && !p.ends_with(".json") && !p.ends_with(".csv"));
    for (path, bytes) in markup {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("<script>alert") && !text.contains("<img src=x"), "{path} carries the raw HTML");
    }
    let exp = String::from_utf8_lossy(&site["en/experiments/convoy-demo.html"]).into_owned();
    assert!(exp.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the text is shown, escaped");
    let note = String::from_utf8_lossy(&site["en/demo.html"]).into_owned();
    assert!(note.contains("<kbd>Ctrl</kbd>"), "notes are trusted source");
    assert!(
        note.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; interval?"),
        "{note}"
    );
}

#[test]
fn a_note_in_one_language_builds_and_says_it_is_not_translated() {
    let s = Scratch::new();
    std::fs::remove_file(s.root().join("notes/ko/demo.md")).unwrap();
    std::fs::remove_file(s.root().join("notes/ko/demo.quiz.yaml")).unwrap();
    s.build();
    let site = s.tree("site");
    let page = |p: &str| String::from_utf8(site[p].clone()).unwrap();
    let stub = page("ko/demo.html");
    assert!(stub.contains("아직 번역되지 않았습니다") && stub.contains("href=\"../en/demo.html\""), "{stub}");
    assert!(page("ko/index.html").contains("href=\"demo.html\""), "listed in both languages");
    assert!(page("en/demo.html").contains("href=\"../ko/demo.html\""), "the language switch finds the page");
}

#[test]
fn publishing_settings_reach_every_page() {
    let s = Scratch::new();
    s.build();
    let site = s.tree("site");
    let page = |p: &str| String::from_utf8(site[p].clone()).unwrap();
    let note = page("en/demo.html");
    for want in [
        "<link rel=\"canonical\" href=\"https://example.org/gil-lab/en/demo.html\">",
        "<link rel=\"alternate\" hreflang=\"ko\" href=\"https://example.org/gil-lab/ko/demo.html\">",
        "<meta name=\"description\" content=\"",
        "href=\"https://github.com/owner/gil-lab/edit/main/notes/en/demo.md\"",
    ] {
        assert!(note.contains(want), "{want}");
    }
    // The 404 page may be served at any depth: its links start at the base path.
    let missing = page("404.html");
    assert!(missing.contains("href=\"/gil-lab/en/index.html\"") && !missing.contains("href=\"/en/"), "{missing}");
    let map = page("sitemap.xml");
    assert!(map.contains("<loc>https://example.org/gil-lab/ko/demo.html</loc>"), "{map}");
    assert!(!map.contains("404.html"));
    // The cheat sheet and the whole book come from the notes.
    assert!(page("en/cheatsheet.html").contains("id=\"demo\""));
    assert!(page("en/print.html").contains("id=\"demo--"));
}

#[test]
fn the_committed_site_is_what_the_build_produces() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("site");
    let res = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(repo())
        .arg("build-site")
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
    let diff = differing(&tree(&repo().join("site")), &tree(&dir));
    assert!(diff.is_empty(), "site/ is out of date; run `cargo xtask build-site` and commit site/. Differs: {diff:?}");
    let built = tree(&dir);
    // No chart's text overlaps or is cut off (the build checks each one;
    // this checks what was written), and a phone's drawing keeps 11 px text.
    let mut svgs = 0;
    for (name, bytes) in built.iter().filter(|(n, _)| n.ends_with(".svg") && n.starts_with("experiments/")) {
        let svg = String::from_utf8_lossy(bytes);
        assert_eq!(charts::text::problems(&svg), Ok(Vec::new()), "{name}");
        if name.ends_with(".phone.svg") {
            assert!(charts::text::smallest_font(&svg).unwrap() * 326.0 / 360.0 >= 11.0, "{name}");
        }
        svgs += 1;
    }
    assert!(svgs > 300, "{svgs} charts");
    // Every zoomable view's data is there (the link check reads only links).
    let mut views = 0;
    for (name, bytes) in built.iter().filter(|(n, _)| n.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for part in html.split(" data-timeline=\"").skip(1) {
            let target = &part[..part.find('"').unwrap()];
            let depth = name.matches('/').count();
            let path = target.trim_start_matches("../");
            assert_eq!(target.len() - path.len(), 3 * depth, "{name}: {target}");
            assert!(built.contains_key(path), "{name}: no {path}");
            views += 1;
        }
    }
    assert!(views > 50, "{views} zoomable timelines");
    // The search data of each language stays under half its notes' size.
    for lang in ["en", "ko"] {
        let index = built[&format!("assets/search-{lang}.js")].len();
        let notes: usize = tree(&repo().join("notes").join(lang))
            .iter()
            .filter(|(name, _)| name.ends_with(".md"))
            .map(|(_, bytes)| bytes.len())
            .sum();
        assert!(index * 2 < notes, "{lang}: search index {index} bytes, notes {notes} bytes");
    }
}

/// What a page's explorable figures add: their HTML, and each variant's
/// charts at the larger of their two drawings (with a zoomable view's data).
fn explore_weight(html: &str, site: &BTreeMap<String, Vec<u8>>, page: &str) -> usize {
    let mut total = 0;
    let mut rest = html;
    while let Some(i) = rest.find("<figure class=\"chart explore\"") {
        rest = &rest[i..];
        let end = rest.find("</figure>").expect("a closed figure") + 9;
        let fig = &rest[..end];
        total += fig.len();
        let attr = |name: &str| {
            let at = fig.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("{page}: no {name}")) + name.len() + 3;
            fig[at..at + fig[at..].find('"').unwrap()].to_owned()
        };
        let (base, lang, charts) = (attr("data-base"), attr("data-lang"), attr("data-charts"));
        let base = base.trim_start_matches("../").trim_start_matches("../");
        let variants = fig[fig.find("<tbody>").unwrap()..].matches("<tr").count();
        assert!(variants > 1, "{page}: {variants} variants");
        for n in 0..variants {
            for c in charts.split(' ') {
                let size = |suffix: &str| {
                    let name = format!("{base}v{n}.{c}.{lang}{suffix}.svg");
                    site.get(&name).unwrap_or_else(|| panic!("{page}: missing {name}")).len()
                };
                total += size("").max(size(".phone"));
                // A zoomable timeline's data, when the reader opens it.
                total += site.get(&format!("{base}v{n}.{c}.{lang}.js")).map_or(0, Vec::len);
            }
        }
        rest = &rest[end..];
    }
    total
}

/// `docs/notes.md` states the budget: at most 2 MB more per note for a
/// reader who tries every variant of every explorable figure in it.
#[test]
fn explorable_figures_stay_within_the_page_weight_budget() {
    let site = tree(&repo().join("site"));
    let mut figures = 0;
    for (name, bytes) in site.iter().filter(|(n, _)| n.ends_with(".html") && !n.contains("/experiments/")) {
        let html = String::from_utf8_lossy(bytes);
        let weight = explore_weight(&html, &site, name);
        if weight == 0 {
            continue;
        }
        figures += html.matches("<figure class=\"chart explore\"").count();
        if !name.ends_with("print.html") {
            assert!(weight <= 2_000_000, "{name}: explorable figures add {weight} bytes, over 2 MB");
        }
    }
    // The convoy, WSGI and old-vs-new figures, in both languages (and the book pages).
    assert!(figures >= 6, "{figures} explorable figures");
}
