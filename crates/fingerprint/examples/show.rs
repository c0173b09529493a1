//! What a build script of this crate writes for the `scheduler` crate of
//! this workspace: `cargo run -p fingerprint --example show`.
#![allow(missing_docs, clippy::print_stdout)]
use std::path::Path;

fn main() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scheduler");
    print!("{}", fingerprint::generate(&crate_dir, &["rand", "rand_core", "rand_pcg", "libm"]));
}
