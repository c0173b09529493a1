//! Arbitrary input never panics, and every run ends (or reports its budget).

use proptest::prelude::*;
use workloads::ScenarioFile;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Loads and, if it compiles, runs with a small event budget; never panics.
fn load_and_run(source: &str) {
    let Ok(mut exp) = ScenarioFile::parse("fuzz.yaml", source) else { return };
    // Keep runaway scenarios short: the budget must end them with an error.
    if exp.set("max_events=20000").is_err() {
        return;
    }
    let Ok(points) = exp.points() else { return };
    for res in workloads::run_points(&points[..points.len().min(4)], &|| {}) {
        if let Err(e) = res {
            let text = e.to_string();
            assert!(text.contains("budget") || text.contains("lock"), "unexpected run error: {text}");
        }
    }
}

/// YAML-ish text built from the format's own vocabulary, so that random
/// input gets past the parser and into the compiler and validator.
fn yamlish() -> impl Strategy<Value = String> {
    // Long on purpose: the format's vocabulary, listed.
    let key = prop::sample::select(vec![
        "machine",
        "cores",
        "gil",
        "model",
        "switch_interval",
        "check_interval",
        "overhead",
        "threads",
        "name",
        "count",
        "program",
        "python",
        "io",
        "c_release",
        "c_hold",
        "repeat",
        "body",
        "lock",
        "unlock",
        "increment",
        "read",
        "store",
        "add",
        "atomic_add",
        "await_io",
        "to_thread",
        "asyncio",
        "tasks",
        "server",
        "kind",
        "workers",
        "endpoints",
        "clients",
        "closed_loop",
        "open_loop",
        "duration",
        "timeout",
        "processes",
        "pool",
        "task",
        "jobs",
        "burst",
        "arrival",
        "stop_when",
        "sweep",
        "seed",
        "scheduler",
        "policy",
        "slice",
        "costs",
        "interp",
        "tick",
        "queues",
        "get",
        "put",
        "weight",
        "backlog",
        "crash",
        "at",
        "restart",
    ]);
    let scalar = prop::sample::select(vec![
        "0",
        "1",
        "2",
        "-1",
        "5ms",
        "0ms",
        "1s",
        "20us",
        "forever",
        "new",
        "old",
        "none",
        "per-interpreter",
        "priority",
        "wsgi",
        "fair",
        "rr",
        "fcfs",
        "sjf",
        "a",
        "b",
        "x",
        "null",
        "[]",
        "{}",
        "{exp: 1ms}",
        "{uniform: [1ms, 2ms]}",
        "0.4",
        "true",
        "1e9",
        "999999999999",
        "spawn",
    ]);
    let leaf = (key.clone(), scalar).prop_map(|(k, v)| format!("{k}: {v}"));
    leaf.prop_recursive(4, 40, 6, move |inner| {
        (key.clone(), prop::collection::vec(inner, 1..5), any::<bool>()).prop_map(|(k, items, seq)| {
            if seq {
                format!("{k}: [{}]", items.iter().map(|i| format!("{{{i}}}")).collect::<Vec<_>>().join(", "))
            } else {
                format!("{k}: {{{}}}", items.join(", "))
            }
        })
    })
}

/// The example files, as mutation seeds.
fn seeds() -> Vec<String> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

const WORDS: &[&str] = &[
    "0",
    "1",
    "3",
    "-2",
    "0ms",
    "5ms",
    "1us",
    "forever",
    "new",
    "old",
    "none",
    "a",
    "x",
    "{}",
    "[]",
    "null",
    "{exp: 1ms}",
    "{uniform: [2ms, 1ms]}",
    "fcfs",
    "sjf",
    "rr",
    "spawn",
    "executor",
    "true",
];

/// Replaces a few tokens (words between YAML punctuation) by others.
fn mutate(source: &str, edits: &[(usize, usize)]) -> String {
    let mut tokens: Vec<String> = Vec::new();
    let mut cur = String::new();
    for ch in source.chars() {
        if "{}[],: \n".contains(ch) {
            if !cur.is_empty() {
                tokens.push(std::mem::take(&mut cur));
            }
            tokens.push(ch.to_string());
        } else {
            cur.push(ch);
        }
    }
    tokens.push(cur);
    let words: Vec<usize> =
        (0..tokens.len()).filter(|&i| tokens[i].len() > 1 || tokens[i].chars().all(char::is_alphanumeric)).collect();
    for &(at, word) in edits {
        if !words.is_empty() {
            tokens[words[at % words.len()]] = WORDS[word % WORDS.len()].to_owned();
        }
    }
    tokens.concat()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn mutated_examples_never_panic(seed in any::<prop::sample::Index>(), edits in prop::collection::vec((any::<usize>(), any::<usize>()), 1..4)) {
        let seeds = seeds();
        load_and_run(&mutate(seed.get(&seeds).as_str(), &edits));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        load_and_run(&text);
    }

    #[test]
    fn arbitrary_structured_files_never_panic(parts in prop::collection::vec(yamlish(), 1..6)) {
        load_and_run(&parts.join("\n"));
    }

    #[test]
    fn structured_files_with_a_machine_never_panic(parts in prop::collection::vec(yamlish(), 1..5), cores in 0u32..4) {
        load_and_run(&format!("machine: {{cores: {cores}}}\nduration: 50ms\n{}", parts.join("\n")));
    }

    /// Valid scenarios of every kind run to their end; a small budget ends
    /// the rest with a clear error (checked in `load_and_run`).
    #[test]
    fn valid_scenarios_end(
        cores in 1u32..4,
        model in prop::sample::select(vec!["new", "old", "none", "priority", "per-interpreter"]),
        threads in 1u32..4,
        py in 1u64..3000,
        io in 1u64..3000,
        trips in 1u64..50,
        server in any::<bool>(),
        workers in 1u32..3,
        open in any::<bool>(),
    ) {
        let body = format!("[{{io: {io}us}}, {{python: {py}us}}, {{increment: counter}}]");
        let src = if server {
            let clients = if open { "open_loop: 500".to_owned() } else { format!("closed_loop: {}", threads * 3) };
            format!(
                "machine: {{cores: {cores}}}\ngil: {{model: {model}}}\nserver:\n  kind: wsgi\n  workers: {workers}\n  threads: {threads}\n  backlog: 8\n  endpoints: [{{name: e, program: {body}}}]\nclients: {{{clients}, duration: 100ms, timeout: 20ms}}\n"
            )
        } else {
            format!(
                "machine: {{cores: {cores}}}\ngil: {{model: {model}}}\nthreads:\n  - {{name: t, count: {threads}, program: [{{repeat: {trips}, body: {body}}}]}}\n  - {{name: spin, program: [{{python: forever}}]}}\nstop_when: [t]\n"
            )
        };
        let exp = ScenarioFile::parse("valid.yaml", &src).unwrap_or_else(|e| panic!("{e}\n{src}"));
        let points = exp.points().unwrap_or_else(|e| panic!("{e}\n{src}"));
        for res in workloads::run_points(&points, &|| {}) {
            let res = res.unwrap_or_else(|e| panic!("{e}\n{src}"));
            let s = workloads::summary(&points[0].compiled, &res);
            prop_assert!(s.makespan_s > 0.0);
        }
    }
}
