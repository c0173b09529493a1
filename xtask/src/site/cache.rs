//! The experiment cache: results keyed by what actually determines them.
//!
//! A key hashes, for every point, the compiled scenario and its report
//! metadata, the trace request, and the contents of the simulator source
//! files the scenario can exercise (see [`deps`]), plus `Cargo.lock`. So a
//! rebuild with nothing changed runs nothing, and a change to one module of
//! the simulator reruns only the experiments that can reach it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use report::experiment::ExperimentData;
use scheduler::{GilSpec, Scenario, Step};
use sha2::{Digest, Sha256};

/// Bumped whenever the cached data's layout changes.
const FORMAT: &str = "gil-lab-cache/3";

/// Source files every run depends on (relative to the repository root).
const CORE: &[&str] = &[
    "Cargo.lock",
    "crates/scheduler/src/lib.rs",
    "crates/scheduler/src/scenario.rs",
    "crates/scheduler/src/program.rs",
    "crates/scheduler/src/exp.rs",
    "crates/scheduler/src/queue.rs",
    "crates/scheduler/src/rng.rs",
    "crates/scheduler/src/result.rs",
    "crates/scheduler/src/trace.rs",
    "crates/scheduler/src/engine/mod.rs",
    "crates/scheduler/src/engine/os.rs",
    "crates/scheduler/src/engine/thread.rs",
    "crates/scheduler/src/engine/finish.rs",
    "crates/workloads/src/summary.rs",
];
const GIL: &str = "crates/gil-core/src/lib.rs";
const SYNC: &str = "crates/scheduler/src/engine/sync.rs";
const AIO: &str = "crates/scheduler/src/engine/aio.rs";
/// What the calibration's simulated twins also depend on: the code that
/// writes their scenarios and the compiler that reads them.
const CALIBRATION: &[&str] = &[
    "xtask/src/calibrate/model.rs",
    "crates/workloads/src/compile.rs",
    "crates/workloads/src/schema.rs",
    "crates/workloads/src/sweep.rs",
    "crates/workloads/src/duration.rs",
];

/// The files the calibration comparison depends on.
pub fn calibration_sources() -> Vec<&'static str> {
    let mut v = all_sources();
    v.extend(CALIBRATION);
    v
}

/// Every file a fingerprint may cover.
pub fn all_sources() -> Vec<&'static str> {
    let mut v = CORE.to_vec();
    v.extend([GIL, SYNC, AIO]);
    v
}

fn uses_sync(steps: &[Step]) -> bool {
    steps.iter().any(|s| match s {
        Step::Put(_) | Step::Get(_) | Step::Serve | Step::Submit(..) | Step::ToThread(_) => true,
        Step::Repeat { body, .. } => uses_sync(body),
        _ => false,
    })
}

/// The source files a scenario's run can depend on.
pub fn deps(sc: &Scenario) -> Vec<&'static str> {
    let mut files = CORE.to_vec();
    if !matches!(sc.gil, GilSpec::None { .. }) {
        files.push(GIL);
    }
    let threads = sc.threads().map(|(_, t)| t);
    let sync = !sc.queues.is_empty()
        || !sc.sources.is_empty()
        || sc.processes.iter().any(|p| p.crash.is_some())
        || sc.threads().any(|(_, t)| uses_sync(&t.program));
    if sync {
        files.push(SYNC);
    }
    if threads.into_iter().any(|t| t.event_loop.is_some()) {
        files.push(AIO);
        files.push(SYNC);
    }
    files.sort_unstable();
    files.dedup();
    files
}

/// Hashes of the simulator's source files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sources {
    hashes: BTreeMap<&'static str, String>,
}

impl Sources {
    /// Reads and hashes every source file under `root`.
    pub fn read(root: &Path) -> Result<Sources> {
        let mut hashes = BTreeMap::new();
        for f in all_sources() {
            let bytes =
                std::fs::read(root.join(f)).with_context(|| format!("cannot read {f} to fingerprint the simulator"))?;
            hashes.insert(f, hex(&Sha256::digest(&bytes)));
        }
        // Only a tree with calibration data needs these (not a bare notes tree).
        for f in CALIBRATION {
            if let Ok(bytes) = std::fs::read(root.join(f)) {
                hashes.insert(f, hex(&Sha256::digest(&bytes)));
            }
        }
        Ok(Sources { hashes })
    }

    /// A short fingerprint of the given files.
    pub fn fingerprint(&self, files: &[&str]) -> String {
        let mut h = Sha256::new();
        for f in files {
            h.update(f.as_bytes());
            h.update(self.hashes.get(f).map_or("", String::as_str).as_bytes());
        }
        hex(&h.finalize())[..16].to_owned()
    }
}

/// Hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The cache key of an experiment: its points, its trace request and the
/// fingerprint of the code they depend on.
pub fn key(points: &[workloads::Point], trace: &str, fingerprint: &str) -> String {
    let mut h = Sha256::new();
    h.update(FORMAT);
    h.update(fingerprint);
    h.update(trace);
    for p in points {
        h.update(serde_json::to_string(&p.compiled.scenario).expect("plain data"));
        h.update(serde_json::to_string(&p.compiled.meta).expect("plain data"));
        h.update(p.label());
    }
    hex(&h.finalize())
}

/// A cache file: its data and the key it was stored under.
#[derive(serde::Serialize, serde::Deserialize)]
struct Entry<T> {
    format: String,
    key: String,
    data: T,
}

/// The on-disk cache.
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// A cache in `dir` (created on first store).
    pub fn new(dir: PathBuf) -> Cache {
        Cache { dir }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// Cached results, if present and readable.
    pub fn load(&self, key: &str) -> Option<ExperimentData> {
        self.load_json(key)
    }

    /// Any cached data, if present, readable and stored under this very
    /// key: a file renamed, copied or corrupted into another entry's name
    /// is not trusted.
    pub fn load_json<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        let entry: Entry<T> = serde_json::from_slice(&bytes).ok()?;
        (entry.format == FORMAT && entry.key == key).then_some(entry.data)
    }

    /// Stores results (written to a temporary file, then renamed).
    pub fn store(&self, key: &str, data: &ExperimentData) -> Result<()> {
        self.store_json(key, data)
    }

    /// Stores any data (written to a temporary file, then renamed).
    pub fn store_json<T: serde::Serialize>(&self, key: &str, data: &T) -> Result<()> {
        std::fs::create_dir_all(&self.dir).with_context(|| format!("cannot create {}", self.dir.display()))?;
        let tmp = self.dir.join(format!("{key}.json.tmp-{}", std::process::id()));
        let entry = Entry { format: FORMAT.to_owned(), key: key.to_owned(), data };
        std::fs::write(&tmp, serde_json::to_vec(&entry)?).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, self.path(key))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::Cache;

    /// An entry is used only under the key it was stored with.
    #[test]
    fn entries_are_checked_against_their_key() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_owned());
        cache.store_json("aaaa", &vec![1, 2, 3]).unwrap();
        assert_eq!(cache.load_json::<Vec<i32>>("aaaa"), Some(vec![1, 2, 3]));
        // Copied (or renamed) into another key's place: not trusted.
        std::fs::copy(dir.path().join("aaaa.json"), dir.path().join("bbbb.json")).unwrap();
        assert_eq!(cache.load_json::<Vec<i32>>("bbbb"), None);
        // Bare data, as an older cache wrote it: not trusted either.
        std::fs::write(dir.path().join("cccc.json"), "[1, 2, 3]").unwrap();
        assert_eq!(cache.load_json::<Vec<i32>>("cccc"), None);
        std::fs::write(dir.path().join("aaaa.json"), "{\"format\":\"gil-lab-cache/3\",\"key\":\"aa").unwrap();
        assert_eq!(cache.load_json::<Vec<i32>>("aaaa"), None);
    }

    /// A new simulator source file that the fingerprint missed would let a
    /// rebuild serve stale results.
    #[test]
    fn every_simulator_source_file_is_fingerprinted() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
        let covered = super::all_sources();
        let mut missing = Vec::new();
        for dir in ["crates/scheduler/src", "crates/gil-core/src"] {
            let mut stack = vec![root.join(dir)];
            while let Some(d) = stack.pop() {
                for entry in std::fs::read_dir(&d).expect("readable source dir") {
                    let path = entry.expect("dir entry").path();
                    if path.is_dir() {
                        stack.push(path);
                        continue;
                    }
                    let rel = path.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/");
                    // Unit tests are compiled out of the simulator.
                    if rel.ends_with(".rs") && !rel.ends_with("/tests.rs") && !covered.contains(&rel.as_str()) {
                        missing.push(rel);
                    }
                }
            }
        }
        assert!(missing.is_empty(), "not in the cache fingerprint: {missing:?}");
    }
}
