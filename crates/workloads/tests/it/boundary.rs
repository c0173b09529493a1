//! Boundary fuzzing of scenario files: the corpus (`tests/corpus/`) and
//! mutations of it and of the examples with boundary values (0, 1, -1, 2^31,
//! 2^53, 2^63, u64::MAX, 1e308, NaN, huge strings, deep nesting, invalid
//! UTF-8). Every case must give results or an error at a place in the file,
//! within a time budget, and the whole run within a memory budget.
//!
//! `cargo test` runs the corpus and a bounded slice of mutations (a few
//! seconds). `FUZZ_SECONDS=600 cargo test -p workloads --release --test it
//! boundary -- --nocapture` runs mutations for ten minutes (`FUZZ_SEED`
//! picks the stream; a finding is written to `target/fuzz-findings/`, ready
//! to be added to the corpus).

use std::path::PathBuf;

use fuzzkit::{TestRng, pick};
use proptest::prelude::RngCore;
use scheduler::SimError;
use workloads::{Limits, LoadError, ScenarioFile};

/// Small limits, so that every accepted case runs in milliseconds.
fn limits() -> Limits {
    Limits { max_threads: 2_000, max_steps: 100_000, max_points: 16, max_events: 50_000, ..Limits::default() }
}

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> Vec<(String, Vec<u8>)> {
    fuzzkit::files(&manifest().join("tests/corpus"), ".yaml")
}

/// Seeds for mutation: the corpus and the examples.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut s = corpus();
    s.extend(fuzzkit::files(&manifest().join("../../examples/scenarios"), ".yaml"));
    s
}

#[track_caller]
fn assert_located(name: &str, text: &str, e: &LoadError) {
    // YAML counts a lone `\r` as a line break too.
    let lines = 1 + text.matches('\n').count() + text.matches('\r').count();
    let shown = e.to_string();
    assert_eq!(e.file, name);
    assert!(
        (1..=lines + 1).contains(&e.line) && e.column >= 1,
        "{name}: bad place {}:{} in\n{shown}",
        e.line,
        e.column
    );
    assert!(!e.message.is_empty(), "{name}: an error without a message");
    assert!(shown.contains(&format!("{name}:{}:{}", e.line, e.column)), "{name}: the place is not shown:\n{shown}");
    assert!(!shown.chars().any(|c| c.is_control() && c != '\n'), "{name}: a control character reaches the terminal");
}

/// One case: a located error, or runs that end with results or a located
/// run error.
fn check(name: &str, bytes: &[u8]) {
    let limits = limits();
    if bytes.len() > limits.max_file_bytes {
        // Readers refuse such a file before reading it (tested with the CLI).
        return;
    }
    let text = match workloads::limits::utf8(bytes, limits.max_file_bytes) {
        Ok(t) => t,
        Err(e) => {
            assert!(e.line >= 1 && e.column >= 1 && !e.message.is_empty(), "{name}: {e:?}");
            // What a reader would do: read it lossily, which must parse or fail cleanly too.
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            if lossy.len() <= limits.max_file_bytes {
                check_text(name, &lossy, limits);
            }
            return;
        }
    };
    check_text(name, text, limits);
}

fn check_text(name: &str, text: &str, limits: Limits) {
    let exp = match ScenarioFile::parse_with(name, text, limits) {
        Ok(e) => e,
        Err(e) => return assert_located(name, text, &e),
    };
    let points = match exp.points() {
        Ok(p) => p,
        Err(e) => return assert_located(name, text, &e),
    };
    assert!(!points.is_empty() && points.len() as u64 <= limits.max_points, "{name}: {} points", points.len());
    // On this thread, so that the case's CPU time counts the runs.
    for (point, res) in points.iter().map(|p| (p, scheduler::simulate(&p.compiled.scenario))) {
        match res {
            Ok(r) => {
                let s = workloads::summary(&point.compiled, &r);
                assert!(s.makespan_s.is_finite() && s.makespan_s >= 0.0, "{name}: makespan {}", s.makespan_s);
                assert!(r.events <= limits.max_events, "{name}: {} events", r.events);
                serde_json::to_string(&s).unwrap_or_else(|e| panic!("{name}: summary JSON: {e}"));
            }
            Err(e) => {
                assert!(
                    matches!(
                        e,
                        SimError::EventBudget { .. }
                            | SimError::UnlockUnlocked { .. }
                            | SimError::EndOfTime { .. }
                            | SimError::ValueOverflow { .. }
                    ),
                    "{name}: unexpected run error {e:?}"
                );
                let located = exp.run_error(point, &e);
                assert_located(name, text, &located);
            }
        }
    }
}

/// Runs `check` with the time budget; on failure, saves the input and says
/// how to reproduce it.
fn run_case(name: &str, bytes: &[u8], origin: &str) {
    fuzzkit::run_case(&manifest().join("../../target/fuzz-findings"), name, bytes, origin, || check(name, bytes));
}

/// Boundary values, as YAML scalars.
const VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "1e308",
    "-1e308",
    "1e-308",
    "5e-324",
    ".nan",
    ".inf",
    "-.inf",
    "NaN",
    "0.5",
    "-0.0",
    "0ns",
    "1ns",
    "-1ns",
    "0.5ns",
    "2305843009213693952ns",
    "2305843009213693953ns",
    "18446744073709551615ns",
    "9223372036854775807us",
    "1e308s",
    "NaNms",
    "infs",
    "1min",
    "forever",
    "{exp: 2305843009213693952ns}",
    "{exp: 0ns}",
    "{uniform: [1ns, 18446744073709551615ns]}",
    "{uniform: [2ms, 1ms]}",
    "null",
    "~",
    "[]",
    "{}",
    "\"\"",
    "\"\\e[2J\\e]0;x\\a\"",
    "\"\\u0000\"",
    "\"\\u202e\"",
    "true",
    "new",
    "old",
    "none",
    "per-interpreter",
    "priority",
    "fifo",
    "lifo",
    "random",
    "per_bytecode",
    "sjf",
    "rr",
    "fcfs",
    "fair",
    "executor",
    "spawn",
    "wsgi",
    "zero",
    "a",
    "main",
    "worker-0",
    "&x [1, 2]",
    "*x",
    "!!binary aGVsbG8=",
    "!!float 1",
    "? complex",
    "|\n  block",
];

/// Keys that a mutation may add (with a boundary value).
const KEYS: &[&str] = &[
    "count",
    "cores",
    "workers",
    "threads",
    "tasks",
    "chunksize",
    "interpreters",
    "interpreter",
    "executor_threads",
    "closed_loop",
    "open_loop",
    "weight",
    "backlog",
    "arg_bytes",
    "result_bytes",
    "max_events",
    "seed",
    "duration",
    "start",
    "repeat",
    "add",
    "overhead",
    "check_interval",
    "switch_interval",
    "tick",
    "timeout",
    "retry",
    "memory_mb",
    "capacity",
    "at",
    "restart",
];

/// Splits YAML text into words and the punctuation between them.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in text.chars() {
        if "{}[],: \n".contains(ch) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push(ch.to_string());
        } else {
            cur.push(ch);
        }
    }
    out.push(cur);
    out
}

/// A mutation of `seed`: a few boundary edits.
fn mutate(rng: &mut TestRng, seed: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(seed).into_owned();
    let mut toks = tokens(&text);
    let edits = 1 + rng.next_u64() % 3;
    let mut tail: Vec<u8> = Vec::new();
    for _ in 0..edits {
        let words: Vec<usize> = (0..toks.len()).filter(|&i| toks[i].chars().any(char::is_alphanumeric)).collect();
        let at = if words.is_empty() { 0 } else { *pick(rng, &words) };
        match rng.next_u64() % 10 {
            // Replace a word by a boundary value (most mutations).
            0..=4 => {
                if !words.is_empty() {
                    toks[at] = pick(rng, VALUES).to_string();
                }
            }
            // Add a field with a boundary value.
            5 => {
                if !words.is_empty() && toks.get(at + 1).is_some_and(|t| t == ":") {
                    let (k, v) = (pick(rng, KEYS), pick(rng, VALUES));
                    toks[at] = format!("{k}: {v}, {}", toks[at]);
                }
            }
            // Nest deeply, around the depth limit or far past it.
            6 => {
                let depth = *pick(rng, &[63usize, 64, 65, 200, 10_000, 100_000]);
                let open = if rng.next_u64().is_multiple_of(2) { "[" } else { "{a: " };
                if !words.is_empty() {
                    toks[at] = format!("{}{}", open.repeat(depth), toks[at]);
                }
            }
            // A huge string.
            7 => {
                if !words.is_empty() {
                    let n = *pick(rng, &[1_000usize, 100_000, 600_000]);
                    toks[at] = "x".repeat(n);
                }
            }
            // Truncate.
            8 => {
                let keep = rng.next_u64() as usize % toks.len().max(1);
                toks.truncate(keep);
            }
            // Bytes that are not UTF-8, or a sweep of boundary size.
            _ => {
                if rng.next_u64().is_multiple_of(2) {
                    const BAD: [&[u8]; 4] = [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"];
                    let bad: &[u8] = pick::<&[u8]>(rng, &BAD);
                    tail.extend_from_slice(bad);
                } else {
                    let n = *pick(rng, &[1usize, 17, 1000]);
                    let list: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
                    tail.extend_from_slice(
                        format!("\nsweep:\n  seed: [{}]\n  machine.cores: [{}]\n", list.join(", "), list.join(", "))
                            .as_bytes(),
                    );
                }
            }
        }
    }
    let mut out = toks.concat().into_bytes();
    // Invalid bytes land at a random place.
    if !tail.is_empty() && tail[0] >= 0x80 {
        let at = rng.next_u64() as usize % (out.len() + 1);
        out.splice(at..at, tail);
    } else {
        out.extend(tail);
    }
    out
}

#[test]
fn corpus_gives_results_or_located_errors() {
    let corpus = corpus();
    assert!(corpus.len() >= 50, "the corpus is in tests/corpus");
    for (name, bytes) in &corpus {
        run_case(name, bytes, &format!("tests/corpus/{name}"));
    }
    fuzzkit::assert_memory();
}

/// A slice of boundary mutations in every test run; `FUZZ_SECONDS` runs
/// them for as long as asked.
#[test]
fn boundary_mutations_give_results_or_located_errors() {
    let seeds = seeds();
    fuzzkit::mutations("boundary fuzz", 150, |rng, seed, n| {
        let (from, bytes) = pick(rng, &seeds).clone();
        let input = mutate(rng, &bytes);
        let name = format!("case-{seed}-{n}.yaml");
        run_case(&name, &input, &format!("FUZZ_SEED={seed}, case {n} (a mutation of {from})"));
    });
}
