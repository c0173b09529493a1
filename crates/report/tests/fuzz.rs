//! Boundary fuzzing of notes, quizzes and experiment definitions: the
//! repository's own files and the corpus in `tests/corpus/`, mutated with
//! boundary values (0, 1, -1, 2^31, 2^53, 2^63, u64::MAX, 1e308, NaN, huge
//! strings, deep nesting, raw HTML, unclosed directives, invalid UTF-8).
//! Every case must render or fail with an error at a line, within a time
//! budget; quiz and experiment text must never carry raw HTML out.
//!
//! `cargo test` runs the corpus and a bounded slice; `FUZZ_SECONDS=600
//! cargo test -p report --release --test fuzz -- --nocapture` runs for ten
//! minutes (`FUZZ_SEED` picks the stream; findings go to
//! `target/fuzz-findings/`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use charts as chart;
use fuzzkit::{TestRng, files, pick, rng_for};
use proptest::prelude::RngCore;
use report::experiment::{self, ExperimentData, PointData, TracedPoint};
use report::i18n::Lang;
use report::markdown::{self, Env};
use report::pages as site;
use report::quiz;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Note,
    Quiz,
    Experiment,
}

fn corpus(kind: Kind) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    match kind {
        Kind::Note => files(&dir.join("notes"), ".md"),
        Kind::Quiz => files(&dir.join("quizzes"), ".yaml"),
        Kind::Experiment => files(&dir.join("experiments"), ".yaml"),
    }
}

fn seeds(kind: Kind) -> Vec<(String, Vec<u8>)> {
    let mut s = corpus(kind);
    for lang in ["en", "ko"] {
        let dir = repo().join("notes").join(lang);
        match kind {
            Kind::Note => s.extend(files(&dir, ".md")),
            Kind::Quiz => s.extend(files(&dir, ".quiz.yaml")),
            Kind::Experiment => {}
        }
    }
    if let Kind::Experiment = kind {
        s.extend(files(&repo().join("notes/experiments"), ".yaml"));
    }
    s
}

/// Directives resolve to anything: a value for every name, a figure for
/// every chart.
struct AnyEnv;

impl Env for AnyEnv {
    fn value(&self, exp: &str, name: &str) -> Result<f64, String> {
        match name.len() % 4 {
            0 => Ok(1e308),
            1 => Ok(f64::NAN),
            2 => Ok(-0.0),
            _ if exp.is_empty() => Err("no experiment".into()),
            _ => Ok(2f64.powi(53) + 1.0),
        }
    }
    fn chart(&self, exp: &str, chart: &str) -> Result<String, String> {
        Ok(format!("<figure class=\"chart\" data-id=\"{}.{}\"></figure>", chart::escape(exp), chart::escape(chart)))
    }
    fn experiment_url(&self, exp: &str) -> Result<String, String> {
        Ok(format!("experiments/{}.html", chart::escape(exp)))
    }
    fn quiz(&self) -> Result<String, String> {
        Ok("<section class=\"quiz\"></section>".into())
    }
    fn highlight(&self, src: &str, lang_tag: &str) -> String {
        report::highlight::Highlighter::new().highlight(src, lang_tag)
    }
}

/// Raw HTML a data text may not carry out (the fake environment emits none).
fn carries_html(html: &str) -> bool {
    // `javascript../x:y` is a relative path (a scheme has no `/`), so only
    // `javascript:` itself is a script URL.
    let lower = html.to_ascii_lowercase();
    ["<script", "<img", "<iframe", "href=\"javascript:", "src=\"javascript:"].iter().any(|t| lower.contains(t))
}

fn check_note(name: &str, text: &str) {
    let (_, body, line) = match site::front_matter(name, text) {
        Ok(x) => x,
        Err(e) => return assert!(e.line >= 1 && !e.message.is_empty(), "{name}: {e:?}"),
    };
    let lines = text.lines().count().max(1) + 1;
    if let Err(e) = markdown::scan(&body, line) {
        assert!((1..=lines).contains(&e.line), "{name}: line {} of {lines}", e.line);
    }
    for lang in Lang::ALL {
        match markdown::render(&body, line, lang, &AnyEnv) {
            Ok(r) => assert!(r.toc.iter().all(|t| !t.id.is_empty())),
            Err(e) => assert!((1..=lines).contains(&e.line) && !e.message.is_empty(), "{name}: {e:?}"),
        }
        // The same text as data must not let its HTML out.
        match markdown::render_data(&body, line, lang, &AnyEnv) {
            Ok(r) => assert!(!carries_html(&r.html), "{name}: raw HTML in data text:\n{}", r.html),
            Err(e) => assert!((1..=lines).contains(&e.line), "{name}: {e:?}"),
        }
    }
}

fn check_quiz(name: &str, text: &str) {
    let lines = text.lines().count().max(1) + 1;
    let q = match quiz::parse(text) {
        Ok(q) => q,
        Err(e) => return assert!((1..=lines).contains(&e.line) && !e.message.is_empty(), "{name}: {e:?}"),
    };
    let _ = quiz::experiments(&q);
    for lang in Lang::ALL {
        match quiz::quiz_html(&q, "s", &[], lang, &AnyEnv) {
            Ok(h) => assert!(!carries_html(&h), "{name}: raw HTML in a quiz page:\n{h}"),
            Err(e) => assert!((1..=lines).contains(&e.line), "{name}: {e:?}"),
        }
        match quiz::anki_rows(&q, "<t>", "x.html", lang, &AnyEnv) {
            Ok(rows) => {
                for r in rows {
                    assert!(!carries_html(&r[0]) && !carries_html(&r[1]), "{name}: raw HTML in an Anki row");
                    assert!(r.iter().all(|c| !c.contains(['\t', '\n'])), "{name}: a row breaks the deck's columns");
                }
            }
            Err(e) => assert!((1..=lines).contains(&e.line), "{name}: {e:?}"),
        }
    }
}

/// Real summaries of a few kinds of run, and a trace, to feed charts.
fn templates() -> &'static (Vec<serde_json::Value>, TracedPoint) {
    static T: OnceLock<(Vec<serde_json::Value>, TracedPoint)> = OnceLock::new();
    T.get_or_init(|| {
        let mut out = Vec::new();
        let mut traced = None;
        for f in ["convoy.yaml", "wsgi-cpu.yaml", "pool.yaml", "scheduling.yaml", "asyncio.yaml", "race-counter.yaml"] {
            let path = repo().join("examples/scenarios").join(f);
            let text = std::fs::read_to_string(&path).unwrap();
            let exp = workloads::ScenarioFile::parse(f, &text).unwrap();
            let points = exp.points().unwrap();
            let p = &points[0];
            let res = scheduler::simulate(&p.compiled.scenario).unwrap();
            out.push(serde_json::to_value(workloads::summary(&p.compiled, &res)).unwrap());
            if traced.is_none() {
                let mut rec = scheduler::Recorder::window(0, 30_000_000);
                scheduler::simulate_traced(&p.compiled.scenario, &mut rec).unwrap();
                traced = Some(TracedPoint::new(&p.compiled.scenario, 0, 30_000_000, rec.into_trace()));
            }
        }
        (out, traced.unwrap())
    })
}

/// Numbers of a summary replaced by boundary values.
fn perturb(v: &mut serde_json::Value, rng: &mut TestRng) {
    match v {
        serde_json::Value::Number(_) if rng.next_u64().is_multiple_of(4) => {
            *v = match rng.next_u64() % 7 {
                0 => serde_json::json!(0),
                1 => serde_json::json!(-1),
                2 => serde_json::json!(1e308),
                3 => serde_json::json!(-1e308),
                4 => serde_json::json!(5e-324),
                5 => serde_json::json!(u64::MAX),
                _ => serde_json::Value::Null,
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| perturb(x, rng)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| perturb(x, rng)),
        _ => {}
    }
}

/// Points for a definition: every setting it names, with the values it
/// names and a few boundary ones, crossed (at most 16 points).
fn data_for(def: &experiment::ExperimentDef, rng: &mut TestRng) -> ExperimentData {
    let mut params: BTreeMap<String, Vec<serde_yaml::Value>> = BTreeMap::new();
    let mut add = |at: &BTreeMap<String, serde_yaml::Value>| {
        for (k, v) in at {
            params.entry(k.clone()).or_default().push(v.clone());
        }
    };
    for v in def.values.values() {
        add(&v.at);
    }
    for c in &def.charts {
        add(&c.at);
        for a in [&c.x, &c.y, &c.value].into_iter().flatten() {
            add(&a.ratio_to);
            add(&a.speedup_vs);
        }
    }
    if let Some(t) = &def.trace {
        add(&t.at);
    }
    for e in &def.explore {
        add(&e.at);
        add(&e.default);
        for v in &e.values {
            add(&v.at);
        }
        for c in &e.charts {
            add(&c.at);
        }
        if let Some(t) = &e.trace {
            add(&t.at);
        }
    }
    let axes: Vec<&String> = def
        .charts
        .iter()
        .flat_map(|c| {
            [&c.x, &c.y, &c.value]
                .into_iter()
                .flatten()
                .filter_map(|a| a.param.as_ref())
                .chain(c.series.as_ref().map(|s| &s.param))
        })
        .chain(def.explore.iter().flat_map(|e| e.controls.iter().map(|c| &c.param)))
        .collect();
    for a in axes {
        params.entry(a.clone()).or_default();
    }
    let boundary = ["1", "2", "0", "-1", "1e308", "5ms", ".nan", "NaN", "18446744073709551615", "{model: new}"];
    let boundary = |i: u64| serde_yaml::from_str(boundary[i as usize % boundary.len()]).unwrap();
    let mut grid: Vec<Vec<(String, serde_yaml::Value)>> = vec![Vec::new()];
    for (k, mut vals) in params.into_iter().take(4) {
        vals.push(boundary(rng.next_u64()));
        vals.push(boundary(rng.next_u64()));
        vals.sort_by_key(experiment::show);
        vals.dedup();
        vals.truncate(3);
        grid = grid
            .into_iter()
            .flat_map(|p| {
                let k = &k;
                vals.iter().map(move |v| [p.clone(), vec![(k.clone(), v.clone())]].concat())
            })
            .take(16)
            .collect();
    }
    let (summaries, traced) = templates();
    let points: Vec<PointData> = grid
        .into_iter()
        .map(|set| {
            let mut summary = summaries[rng.next_u64() as usize % summaries.len()].clone();
            perturb(&mut summary, rng);
            PointData { set, summary }
        })
        .collect();
    // Every point traced in every explorable figure's window.
    let mut traces = Vec::new();
    for e in &def.explore {
        if let Some(Ok((from, to))) = e.trace.as_ref().map(|t| workloads::duration::parse_window(&t.window)) {
            for i in 0..points.len() {
                traces.push((i, TracedPoint { from_ns: from, to_ns: to, ..traced.clone() }));
            }
        }
    }
    ExperimentData { points, trace: def.trace.as_ref().map(|_| traced.clone()), traces }
}

fn check_experiment(name: &str, text: &str, rng: &mut TestRng) {
    let lines = text.lines().count().max(1) + 1;
    let src = match site::parse_experiment(name, text) {
        Ok(s) => s,
        Err(e) => return assert!((1..=lines).contains(&e.line) && !e.message.is_empty(), "{name}: {e:?}"),
    };
    let data = data_for(&src.def, rng);
    let at = |e: &experiment::ExpError| {
        let line = src.line(&e.path);
        assert!((1..=lines).contains(&line) && !e.message.is_empty(), "{name}: {e:?} at line {line}");
    };
    if let Err(e) = experiment::values(&src.def, &data) {
        at(&e);
    }
    for (i, c) in src.def.charts.iter().enumerate() {
        for lang in Lang::ALL {
            match experiment::build_chart(&src.def, "fuzz", i, &data, lang) {
                Ok((chart, _table)) => {
                    let svg = chart::svg(&chart);
                    assert!(!carries_html(&svg), "{name}: chart {} carries raw HTML", c.id);
                }
                Err(e) => at(&e),
            }
        }
    }
    for (i, e) in src.def.explore.iter().enumerate() {
        for lang in Lang::ALL {
            match experiment::explore::build(&src.def, "fuzz", i, &data, lang) {
                Ok(fig) => {
                    for v in fig.variants.iter().take(4) {
                        for (chart, _) in &v.charts {
                            assert!(!carries_html(&chart::svg(chart)), "{name}: figure {} carries raw HTML", e.id);
                        }
                    }
                }
                Err(e) => at(&e),
            }
        }
    }
    let _ = experiment::csv(&src.def, &data);
    for lang in Lang::ALL {
        if let Ok(r) = markdown::render_data(src.def.description.get(lang), 1, lang, &AnyEnv) {
            assert!(!carries_html(&r.html), "{name}: raw HTML in a description");
        }
    }
}

fn check(kind: Kind, name: &str, bytes: &[u8], rng: &mut TestRng) {
    let max = workloads::Limits::default().max_file_bytes;
    if bytes.len() > max {
        // Readers refuse such a file before reading it (tested with the CLI).
        return;
    }
    let text = match workloads::limits::utf8(bytes, max) {
        Ok(t) => t.to_owned(),
        Err(e) => {
            assert!(e.line >= 1 && e.column >= 1, "{name}: {e:?}");
            // Read lossily, it must still render or fail cleanly.
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    match kind {
        Kind::Note => check_note(name, &text),
        Kind::Quiz => check_quiz(name, &text),
        Kind::Experiment => check_experiment(name, &text, rng),
    }
}

fn run_case(kind: Kind, name: &str, bytes: &[u8], origin: &str, rng: &mut TestRng) {
    fuzzkit::run_case(&repo().join("target/fuzz-findings"), name, bytes, origin, || check(kind, name, bytes, rng));
}

const VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "256",
    "2147483648",
    "4294967296",
    "9007199254740993",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "1e308",
    "-1e308",
    ".nan",
    ".inf",
    "NaN",
    "null",
    "[]",
    "{}",
    "\"\"",
    "[0, 0]",
    "[18446744073709551615]",
    "\"<script>alert(1)</script>\"",
    "\"<img src=x onerror=alert(1)>\"",
    "\"[x](javascript:alert(1))\"",
    "\"{{x.y .\"",
    "\"{{claim: a.b / 0 > 1e308}}\"",
    "\"{{a.b | .99999999999}}\"",
    "\"{{chart: a.b}}\"",
    "\"\\e[2J\"",
    "\"\\u0000\"",
    "\"\\uE000\"",
    "&x [1]",
    "*x",
    "../../etc/passwd",
    "/etc/passwd",
    "examples/scenarios/convoy.yaml",
    "line",
    "bars",
    "cdf",
    "heatmap",
    "timeline",
    "gantt",
];

/// Markdown that stresses a parser: deep quotes, lists, emphasis, brackets.
const MARKDOWN: &[&str] = &[
    ">",
    "- ",
    "* ",
    "1. ",
    "[",
    "![",
    "*",
    "_",
    "`",
    "<",
    "<div>",
    "{{",
    "}}",
    "\\{{",
    ":::note\n",
    ":::\n",
    "```\n",
    "# ",
    "|",
    "&#",
    "\u{E000}",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "{{x.y .",
    "{{claim: a.b > 1e308}}",
    "{{a.b | .4294967296}}",
];

/// A mutation of `seed` with boundary edits.
fn mutate(kind: Kind, rng: &mut TestRng, seed: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(seed).into_owned();
    let mut s: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.next_u64() % 3 {
        let at = rng.next_u64() as usize % (s.len() + 1);
        let insert: String = match (rng.next_u64() % 6, kind) {
            // A markdown construct, repeated to depth.
            (0 | 1, Kind::Note) | (0, _) => {
                let unit = pick(rng, MARKDOWN);
                let n = *pick(rng, &[1usize, 3, 65, 1000, 50_000]);
                unit.repeat(n)
            }
            // Replace a word by a boundary value.
            (1..=3, _) => {
                let end = (at..s.len()).find(|&i| !s[i].is_alphanumeric()).unwrap_or(s.len());
                s.drain(at..end);
                pick(rng, VALUES).to_string()
            }
            // Deep YAML or a huge string.
            (4, _) => match rng.next_u64() % 3 {
                0 => "[".repeat(*pick(rng, &[64usize, 65, 100_000])),
                1 => "{a: ".repeat(*pick(rng, &[64usize, 65, 30_000])),
                _ => "x".repeat(*pick(rng, &[10_000usize, 600_000])),
            },
            // Truncate.
            _ => {
                s.truncate(at);
                String::new()
            }
        };
        let at = at.min(s.len());
        s.splice(at..at, insert.chars());
    }
    let mut out = s.into_iter().collect::<String>().into_bytes();
    if rng.next_u64().is_multiple_of(8) {
        let at = rng.next_u64() as usize % (out.len() + 1);
        const BAD: [&[u8]; 3] = [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80"];
        let bad: &[u8] = pick::<&[u8]>(rng, &BAD);
        out.splice(at..at, bad.iter().copied());
    }
    out
}

#[test]
fn corpus_renders_or_fails_at_a_line() {
    let mut rng = rng_for(7);
    let mut n = 0;
    for kind in [Kind::Note, Kind::Quiz, Kind::Experiment] {
        for (name, bytes) in corpus(kind) {
            run_case(kind, &name, &bytes, &format!("tests/corpus ({kind:?}) {name}"), &mut rng);
            n += 1;
        }
    }
    assert!(n >= 20, "the corpus is in tests/corpus/{{notes,quizzes,experiments}}");
    fuzzkit::assert_memory();
}

#[test]
fn boundary_mutations_render_or_fail_at_a_line() {
    let kinds = [Kind::Note, Kind::Quiz, Kind::Experiment];
    let all: Vec<Vec<(String, Vec<u8>)>> = kinds.iter().map(|k| seeds(*k)).collect();
    fuzzkit::mutations("report fuzz", 45, |rng, seed, n| {
        let k = n as usize % kinds.len();
        let (from, bytes) = pick(rng, &all[k]).clone();
        let input = mutate(kinds[k], rng, &bytes);
        let ext = if let Kind::Note = kinds[k] { "md" } else { "yaml" };
        let name = format!("case-{seed}-{n}.{ext}");
        run_case(kinds[k], &name, &input, &format!("FUZZ_SEED={seed}, case {n} (a mutation of {from})"), rng);
    });
}
