//! Which code the comparison depends on (see the `fingerprint` crate).

mod code {
    include!(concat!(env!("OUT_DIR"), "/fingerprint.rs"));
}

/// The fingerprint (16 hex digits) of this crate's code and of the whole
/// simulator pipeline its twins go through: a cached comparison is valid
/// while it is unchanged.
pub fn code_fingerprint() -> String {
    let sim = workloads::full_code_fingerprint();
    code::combine(code::SOURCES.iter().flat_map(|(p, h)| [*p, *h]).chain([code::DEPENDENCIES, sim.as_str()]))
}
