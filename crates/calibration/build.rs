//! States this crate's code fingerprint (see the `fingerprint` crate).
fn main() {
    fingerprint::emit(&["serde_json"]);
}
