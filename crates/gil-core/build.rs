//! States this crate's code fingerprint (see the `fingerprint` crate).
fn main() {
    fingerprint::emit(&["rand", "rand_core", "rand_pcg"]);
}
