//! States this crate's code fingerprint (see the `fingerprint` crate).
fn main() -> std::io::Result<()> {
    fingerprint::emit(&["rand", "rand_core", "rand_pcg", "libm"])
}
