//! A rebuild with nothing changed writes nothing.
//!
//! After a build, a stamp of everything the build read (the notes tree, the
//! templates, the calibration files, `site.yaml`, every experiment's
//! scenario file, and the build program itself) is kept in the cache with
//! a manifest of the files written (size and modification time). The next
//! build computes the stamp again from the files, which takes milliseconds;
//! when it and the output still match, the site is up to date and neither
//! the experiments' cache nor the pages are touched. Anything else (an
//! edited note, a new binary, a file in the site touched or removed) means a
//! full build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Paths, cache::hex, output::MARKER};

/// What the last build into an output directory read and wrote.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Record {
    stamp: String,
    /// Every file of the output: (size, modification time in ns).
    files: BTreeMap<String, (u64, u128)>,
}

/// The stamp of the build's inputs as they are now.
pub fn stamp(paths: &Paths) -> Result<String> {
    let root = &paths.root;
    let mut h = Sha256::new();
    h.update(b"site/1");
    let mut add = |name: &str, bytes: &[u8]| {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    for dir in ["notes", "templates"] {
        for path in walk(&root.join(dir)) {
            add(&rel(root, &path), &std::fs::read(&path)?);
        }
    }
    for file in ["calibration/measured.json", "calibration/fitted.json", "calibration/robustness.json", "site.yaml"] {
        add(file, &std::fs::read(root.join(file)).unwrap_or_default());
    }
    // Scenario files outside the notes tree, named by the parsed experiments
    // (a definition that does not parse fails here as it would in the build).
    let scenarios: std::collections::BTreeSet<String> =
        super::read_experiments(root)?.into_values().map(|e| e.def.scenario).collect();
    for s in scenarios.iter().filter(|s| !s.starts_with("notes/")) {
        add(s, &std::fs::read(root.join(s)).unwrap_or_default());
    }
    // The program that builds: any change to its code is a new binary.
    let exe = std::env::current_exe()?;
    let meta = std::fs::metadata(&exe)?;
    add("exe", format!("{} {}", meta.len(), mtime(&meta)).as_bytes());
    add("out", paths.out.to_string_lossy().as_bytes());
    Ok(hex(&h.finalize()))
}

/// Whether `paths.out` holds the site built from inputs with this stamp,
/// untouched since; the number of its files if so.
pub fn up_to_date(paths: &Paths, stamp: &str) -> Option<usize> {
    let text = std::fs::read_to_string(record_path(paths)).ok()?;
    let rec: Record = serde_json::from_str(&text).ok()?;
    if rec.stamp != stamp || !paths.out.join(MARKER).is_file() {
        return None;
    }
    (manifest(&paths.out) == rec.files).then_some(rec.files.len())
}

/// Records that `paths.out` was just built from inputs with this stamp.
pub fn record(paths: &Paths, stamp: &str) -> Result<()> {
    let rec = Record { stamp: stamp.to_owned(), files: manifest(&paths.out) };
    let path = record_path(paths);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, serde_json::to_vec(&rec)?)?;
    std::fs::rename(&tmp, &path)?;
    Ok(())
}

/// Forgets the record (before a build starts replacing the output).
pub fn forget(paths: &Paths) {
    std::fs::remove_file(record_path(paths)).ok();
}

/// One record per output directory.
fn record_path(paths: &Paths) -> PathBuf {
    let id = hex(&Sha256::digest(paths.out.to_string_lossy().as_bytes()));
    paths.cache.join(format!("site-{}.json", &id[..16]))
}

fn manifest(out: &Path) -> BTreeMap<String, (u64, u128)> {
    walk(out)
        .into_iter()
        .filter_map(|p| {
            let meta = std::fs::symlink_metadata(&p).ok()?;
            Some((rel(out, &p), (meta.len(), mtime(&meta))))
        })
        .collect()
}

fn mtime(meta: &std::fs::Metadata) -> u128 {
    meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos())
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).to_string_lossy().into_owned()
}

/// Every file below `dir` (symlinks not followed), sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => out.push(e.path()),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> (tempfile::TempDir, Paths) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_owned();
        std::fs::create_dir_all(root.join("notes/en")).unwrap();
        std::fs::write(root.join("notes/en/a.md"), "# A\n").unwrap();
        std::fs::create_dir_all(root.join("site")).unwrap();
        std::fs::write(root.join("site").join(MARKER), "x").unwrap();
        std::fs::write(root.join("site/index.html"), "<p>").unwrap();
        let paths = Paths { root: root.clone(), out: root.join("site"), cache: root.join("cache") };
        (dir, paths)
    }

    #[test]
    fn any_change_of_input_or_output_needs_a_build() {
        let (_dir, paths) = tree();
        let s = stamp(&paths).unwrap();
        assert_eq!(up_to_date(&paths, &s), None, "never built");
        record(&paths, &s).unwrap();
        assert_eq!(up_to_date(&paths, &s), Some(2));
        assert_eq!(stamp(&paths).unwrap(), s, "the stamp is a function of the files");
        // An edited note.
        std::fs::write(paths.root.join("notes/en/a.md"), "# B\n").unwrap();
        let edited = stamp(&paths).unwrap();
        assert_ne!(edited, s);
        assert_eq!(up_to_date(&paths, &edited), None);
        // A touched or removed output file.
        record(&paths, &edited).unwrap();
        std::fs::write(paths.out.join("index.html"), "<p>changed").unwrap();
        assert_eq!(up_to_date(&paths, &edited), None);
        record(&paths, &edited).unwrap();
        std::fs::remove_file(paths.out.join("index.html")).unwrap();
        assert_eq!(up_to_date(&paths, &edited), None);
        // A scenario outside the notes tree that an experiment names.
        std::fs::create_dir_all(paths.root.join("notes/experiments")).unwrap();
        std::fs::create_dir_all(paths.root.join("examples")).unwrap();
        std::fs::write(paths.root.join("examples/s.yaml"), "a").unwrap();
        std::fs::write(
            paths.root.join("notes/experiments/e.yaml"),
            "title: {en: E, ko: E}\ndescription: {en: E, ko: E}\nscenario: examples/s.yaml\n",
        )
        .unwrap();
        let with_scenario = stamp(&paths).unwrap();
        std::fs::write(paths.root.join("examples/s.yaml"), "b").unwrap();
        assert_ne!(stamp(&paths).unwrap(), with_scenario, "the scenario file is an input");
        // A build in progress forgets the record.
        record(&paths, &edited).unwrap();
        forget(&paths);
        assert_eq!(up_to_date(&paths, &edited), None);
    }
}
