//! Lets a crate state the fingerprint of its own code.
//!
//! Called from a build script, [`emit`] hashes every Rust file under the
//! crate's `src/` (unit-test files `tests.rs` excepted) and the lock entries
//! of the dependencies named, and writes `fingerprint.rs` into `OUT_DIR`:
//!
//! ```text
//! /// (path under src/, hash) of every source file, sorted.
//! pub const SOURCES: &[(&str, &str)] = &[("lib.rs", "…"), …];
//! /// Hash of the locked versions of the dependencies that can change results.
//! pub const DEPENDENCIES: &str = "…";
//! /// A 16-hex-digit hash of several hashes (FNV-1a over their text).
//! pub fn combine<'a>(parts: impl IntoIterator<Item = &'a str>) -> String { … }
//! ```
//!
//! The crate includes it (`include!(concat!(env!("OUT_DIR"), "/fingerprint.rs"))`)
//! and combines the hashes as it sees fit: only it knows which of its
//! modules a given input can reach. A file added to `src/` is covered
//! without anyone listing it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Hex of the first 8 bytes of a SHA-256.
fn short(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().take(8).fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") && p.file_name().is_some_and(|n| n != "tests.rs") {
            out.push(p);
        }
    }
}

/// The `[[package]]` entries of `names` in the lock file at `lock`, if any.
fn locked(lock: &Path, names: &[&str]) -> String {
    let Ok(text) = std::fs::read_to_string(lock) else { return String::new() };
    text.split("[[package]]")
        .filter(|block| names.iter().any(|n| block.contains(&format!("\nname = \"{n}\"\n"))))
        .collect::<Vec<_>>()
        .join("[[package]]")
}

/// Written into every fingerprint file: the crates combine hashes without
/// a hashing dependency of their own.
const COMBINE: &str = r#"/// A 16-hex-digit hash of several hashes (FNV-1a over their text).
#[allow(dead_code)]
pub fn combine<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}
"#;

/// The fingerprint file of the crate in `crate_dir` (its `src/`, and the
/// workspace lock two levels up for the `dependencies` named).
pub fn generate(crate_dir: &Path, dependencies: &[&str]) -> String {
    let src = crate_dir.join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    let mut code = String::from(
        "/// (path under src/, hash) of every source file, sorted.\npub const SOURCES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap_or(f).to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(f).unwrap_or_default();
        let _ = writeln!(code, "    ({rel:?}, {:?}),", short(&bytes));
    }
    code.push_str("];\n");
    // In this workspace the lock is two levels up; a crate used elsewhere has none.
    let lock = crate_dir.join("../../Cargo.lock");
    let _ = writeln!(
        code,
        "/// Hash of the locked versions of the dependencies that can change results.\npub const DEPENDENCIES: &str = {:?};",
        short(locked(&lock, dependencies).as_bytes())
    );
    code.push_str(COMBINE);
    code
}

/// Writes `OUT_DIR/fingerprint.rs` for the crate being built (from a build
/// script); `dependencies` names the locked crates whose versions can change
/// its results. An error (no `OUT_DIR`, an unwritable file) fails the build
/// script with its message.
pub fn emit(dependencies: &[&str]) -> std::io::Result<()> {
    let var = |name: &str| {
        std::env::var_os(name).map(PathBuf::from).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{name} is not set: call emit from a build script"),
            )
        })
    };
    let manifest = var("CARGO_MANIFEST_DIR")?;
    let out = var("OUT_DIR")?;
    std::fs::write(out.join("fingerprint.rs"), generate(&manifest, dependencies))?;
    // Build scripts speak to cargo on standard output.
    #[allow(clippy::print_stdout)]
    {
        println!("cargo:rerun-if-changed=src");
        println!("cargo:rerun-if-changed={}", manifest.join("../../Cargo.lock").display());
    }
    Ok(())
}
