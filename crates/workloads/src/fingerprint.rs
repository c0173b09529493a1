//! Which code a result of this crate can depend on (see the `fingerprint`
//! crate and `scheduler::code_fingerprint`).

use scheduler::Scenario;

mod code {
    include!(concat!(env!("OUT_DIR"), "/fingerprint.rs"));
}

/// The fingerprint (16 hex digits) of the code that turns a compiled
/// scenario into its summary: the simulator's modules the run can reach and
/// this crate's summary code. (The compiled scenario itself is part of any
/// cache key, so the compiler's code need not be.)
pub fn code_fingerprint(sc: &Scenario) -> String {
    let sim = scheduler::code_fingerprint(sc);
    let summary = code::SOURCES.iter().filter(|(p, _)| *p == "summary.rs").map(|(_, h)| *h);
    code::combine(summary.chain([code::DEPENDENCIES, sim.as_str()]))
}

/// The fingerprint of all of this crate's code and the simulator's, for
/// results that go through the whole pipeline (files parsed, compiled, run).
pub fn full_code_fingerprint() -> String {
    let sim = scheduler::full_code_fingerprint();
    code::combine(code::SOURCES.iter().flat_map(|(p, h)| [*p, *h]).chain([code::DEPENDENCIES, sim.as_str()]))
}
