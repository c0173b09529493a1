//! Which code a run can depend on.
//!
//! The build script hashes every source file of this crate (see the
//! `fingerprint` crate). A run's fingerprint combines the hashes of the
//! modules the scenario can reach: the GIL only when there is one, the
//! synchronisation primitives only when something queues, waits or
//! crashes, the event loop only when a thread runs one. So a change to the
//! event loop reruns only the experiments that use asyncio.

use crate::{GilSpec, Scenario, Step};

mod code {
    include!(concat!(env!("OUT_DIR"), "/fingerprint.rs"));
}

/// Modules that only some scenarios reach.
const SYNC: &str = "engine/sync.rs";
const AIO: &str = "engine/aio.rs";

fn uses_sync(steps: &[Step]) -> bool {
    steps.iter().any(|s| match s {
        Step::Put(_)
        | Step::Get(_)
        | Step::Reserve(_)
        | Step::Forward(_)
        | Step::Serve
        | Step::Submit(..)
        | Step::ToThread(_) => true,
        Step::Repeat { body, .. } => uses_sync(body),
        _ => false,
    })
}

/// The fingerprint (16 hex digits) of the code a run of `sc` can depend
/// on: this crate's modules it can reach, `gil-core` when it has a GIL, and
/// the locked versions of the random-number and maths crates.
pub fn code_fingerprint(sc: &Scenario) -> String {
    combine(code::SOURCES, code::DEPENDENCIES, &gil_core::code_fingerprint(), sc)
}

/// [`code_fingerprint`] from given hashes (tested with made-up ones).
fn combine(sources: &[(&str, &str)], dependencies: &str, gil: &str, sc: &Scenario) -> String {
    let aio = sc.threads().any(|(_, t)| t.event_loop.is_some());
    let sync = aio
        || !sc.queues.is_empty()
        || !sc.sources.is_empty()
        || sc.processes.iter().any(|p| p.crash.is_some())
        || sc.threads().any(|(_, t)| uses_sync(&t.program));
    let gil = (!matches!(sc.gil, GilSpec::None { .. })).then_some(gil);
    let modules = sources
        .iter()
        .filter(|(path, _)| (sync || *path != SYNC) && (aio || *path != AIO))
        .flat_map(|(path, hash)| [*path, *hash]);
    code::combine(modules.chain([dependencies]).chain(gil))
}

/// The fingerprint of all of this crate's code and `gil-core`'s, whatever
/// the scenario.
pub fn full_code_fingerprint() -> String {
    let gil = gil_core::code_fingerprint();
    code::combine(code::SOURCES.iter().flat_map(|(p, h)| [*p, *h]).chain([code::DEPENDENCIES, gil.as_str()]))
}

#[cfg(test)]
mod tests {
    use crate::{Dist, EventLoopSpec, GilSpec, Scenario, Step, ThreadSpec};

    fn plain() -> Scenario {
        let mut sc = Scenario::new(2);
        sc.process("p", vec![ThreadSpec::new("a", vec![Step::Python(Dist::Fixed(1000))])]);
        sc
    }

    /// A change to a module reruns exactly the scenarios that reach it.
    #[test]
    fn a_module_counts_only_for_scenarios_that_reach_it() {
        let base = [("engine/os.rs", "1"), ("engine/aio.rs", "2"), ("engine/sync.rs", "3"), ("lib.rs", "4")];
        let with = |path: &str, hash: &'static str| {
            base.iter().map(|&(p, h)| if p == path { (p, hash) } else { (p, h) }).collect::<Vec<_>>()
        };
        let fp = |sources: &[(&str, &str)], gil: &str, sc: &Scenario| super::combine(sources, "d", gil, sc);
        let sc = plain();
        let mut no_gil = plain();
        no_gil.gil = GilSpec::None { overhead: 1.0 };
        let mut aio = plain();
        aio.processes[0].threads[0].event_loop =
            Some(EventLoopSpec { tasks: Vec::new(), overhead: Dist::Fixed(0), executor: None });
        assert_eq!(
            fp(&base, "g", &sc),
            fp(&with("engine/aio.rs", "X"), "g", &sc),
            "no event loop: aio.rs is not reached"
        );
        assert_ne!(fp(&base, "g", &aio), fp(&with("engine/aio.rs", "X"), "g", &aio));
        assert_ne!(fp(&base, "g", &sc), fp(&with("engine/os.rs", "X"), "g", &sc), "the OS is always reached");
        assert_ne!(fp(&base, "g", &sc), fp(&base, "G", &sc), "the GIL's code counts with a GIL");
        assert_eq!(fp(&base, "g", &no_gil), fp(&base, "G", &no_gil), "and not without one");
    }

    /// Every source file is hashed: the build script walks `src/`.
    #[test]
    fn every_source_file_is_covered() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![src.clone()];
        let mut found = Vec::new();
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("tests.rs") {
                    found.push(p.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/"));
                }
            }
        }
        found.sort();
        let covered: Vec<String> = super::code::SOURCES.iter().map(|s| s.0.to_owned()).collect();
        assert_eq!(found, covered);
        assert!(covered.contains(&super::SYNC.to_owned()) && covered.contains(&super::AIO.to_owned()));
    }
}
