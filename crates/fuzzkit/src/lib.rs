//! The boundary-fuzzing harness that `workloads` (scenario files) and
//! `report` (notes, quizzes, experiments) share in their tests: a time
//! budget per case measured in CPU time, a memory budget for the run, a
//! seeded stream of cases (`FUZZ_SEED`), a long mode (`FUZZ_SECONDS`), and
//! findings saved to `target/fuzz-findings/` ready for a corpus.
//!
//! The mutations themselves stay with each suite: they know their input
//! language.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::RngCore;
use proptest::test_runner::RngAlgorithm;
pub use proptest::test_runner::TestRng;

/// The most CPU time one case may take: far above any honest input's cost,
/// so only a hang or a quadratic blow-up exceeds it.
pub const CASE_BUDGET: Duration = Duration::from_secs(10);

/// The most memory a test process may have used (its peak resident set).
pub const MEMORY_BUDGET_KB: u64 = 3 << 20;

/// CPU time this thread has used (user and system), where the system tells
/// (Linux); `None` elsewhere. A loaded machine slows a case down but does
/// not add to its CPU time, so a budget on it does not flake.
pub fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised name: utime and stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // The kernel reports in USER_HZ, 100 on every Linux build.
    Some(Duration::from_millis(ticks * 10))
}

/// Measures `f`'s cost: thread CPU time if known, else wall time.
pub fn cost<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let (cpu, wall) = (thread_cpu(), Instant::now());
    let out = f();
    let took = match (cpu, thread_cpu()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => wall.elapsed(),
    };
    (out, took)
}

/// Peak resident memory of this process, in KB (Linux only).
pub fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// Fails if the process has used more than [`MEMORY_BUDGET_KB`].
#[track_caller]
pub fn assert_memory() {
    if let Some(kb) = peak_kb() {
        assert!(kb < MEMORY_BUDGET_KB, "peak memory {kb} KB is over the budget of {MEMORY_BUDGET_KB} KB");
    }
}

/// A seeded random stream.
pub fn rng_for(seed: u64) -> TestRng {
    TestRng::from_seed(RngAlgorithm::ChaCha, &[seed.to_le_bytes(), [0; 8], [0; 8], [0; 8]].concat())
}

/// One of `items`, at random (`items` must not be empty).
pub fn pick<'a, T>(rng: &mut TestRng, items: &'a [T]) -> &'a T {
    &items[rng.next_u64() as usize % items.len()]
}

/// (name, bytes) of the files in `dir` whose name ends with `suffix`, in
/// name order; none if `dir` does not exist.
pub fn files(dir: &Path, suffix: &str) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(suffix)))
        .filter_map(|p| Some((p.file_name()?.to_string_lossy().into_owned(), std::fs::read(&p).ok()?)))
        .collect()
}

/// Runs one case: `check` must neither panic nor take more than
/// [`CASE_BUDGET`] of CPU time. On failure the input is saved under
/// `findings` with `name`, and the test fails naming `origin`.
#[track_caller]
pub fn run_case(findings: &Path, name: &str, bytes: &[u8], origin: &str, check: impl FnOnce()) {
    // A stack overflow aborts the process before any report: name the case first.
    if std::env::var_os("FUZZ_VERBOSE").is_some() {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("fuzz: {origin}");
        }
    }
    let (res, took) = cost(|| catch_unwind(AssertUnwindSafe(check)));
    let why = match res {
        Err(_) => "panicked".to_owned(),
        Ok(()) if took > CASE_BUDGET => format!("took {took:?}, over the budget of {CASE_BUDGET:?}"),
        Ok(()) => return,
    };
    std::fs::create_dir_all(findings).ok();
    let file = findings.join(name);
    std::fs::write(&file, bytes).ok();
    let preview: String = String::from_utf8_lossy(bytes).chars().take(600).collect();
    panic!("{origin}: {why}; the input is in {}:\n{preview}", file.display());
}

/// Runs mutation cases: `cases` of them in a normal test run, or for
/// `FUZZ_SECONDS` seconds when set (then the seed is the time unless
/// `FUZZ_SEED` gives it). `case(rng, seed, n)` runs case number `n`. At the
/// end the memory budget is checked and a long run prints a summary.
pub fn mutations(label: &str, cases: u64, mut case: impl FnMut(&mut TestRng, u64, u64)) {
    let long = std::env::var("FUZZ_SECONDS").ok().and_then(|s| s.parse::<u64>().ok());
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(if long.is_some() {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_secs())
    } else {
        1
    });
    let mut rng = rng_for(seed);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(long.unwrap_or(0));
    let mut n = 0u64;
    while match long {
        Some(_) => Instant::now() < deadline,
        None => n < cases,
    } {
        case(&mut rng, seed, n);
        n += 1;
    }
    assert_memory();
    #[allow(clippy::print_stderr)]
    if long.is_some() {
        eprintln!(
            "{label}: {n} cases in {:.0} s (FUZZ_SEED={seed}), peak memory {} MB, no finding",
            start.elapsed().as_secs_f64(),
            peak_kb().unwrap_or(0) / 1024
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_case_is_saved_and_named() {
        let dir = std::env::temp_dir().join(format!("fuzzkit-{}", std::process::id()));
        let r = catch_unwind(|| run_case(&dir, "c.yaml", b"bad", "case 7", || panic!("boom")));
        let msg = r.err().and_then(|e| e.downcast_ref::<String>().cloned()).unwrap_or_default();
        assert!(msg.starts_with("case 7: panicked; the input is in"), "{msg}");
        assert_eq!(std::fs::read(dir.join("c.yaml")).ok().as_deref(), Some(&b"bad"[..]));
        std::fs::remove_dir_all(&dir).ok();
        run_case(&dir, "ok.yaml", b"", "fine", || {});
        assert!(!dir.join("ok.yaml").exists());
    }

    #[test]
    fn the_stream_is_a_function_of_the_seed() {
        let stream = |seed| {
            let mut rng = rng_for(seed);
            (0..1000).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(stream(3), stream(3));
        assert_ne!(stream(3), stream(4));
        // The cases a run hands out, twice (a long run's seed is the clock: skip).
        if std::env::var_os("FUZZ_SECONDS").is_none() {
            let run = || {
                let mut seen = Vec::new();
                mutations("t", 5, |rng, seed, n| seen.push((seed, n, *pick(rng, &[1, 2, 3]), rng.next_u64())));
                seen
            };
            let first = run();
            assert_eq!(first.len(), 5);
            assert_eq!(first, run());
        }
    }

    #[test]
    fn waiting_is_not_cpu_time() {
        let ((), took) = cost(|| std::thread::sleep(Duration::from_millis(300)));
        let limit = if thread_cpu().is_some() { 100 } else { 10_000 };
        assert!(took < Duration::from_millis(limit), "{took:?}");
    }
}
