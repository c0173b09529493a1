//! The experiment cache: results keyed by what actually determines them.
//!
//! A key hashes, for every point, the compiled scenario and its report
//! metadata, the trace request, and the fingerprint of the code the run can
//! reach, which the simulator crates state themselves
//! (`workloads::code_fingerprint`). So a rebuild with nothing changed runs
//! nothing, and a change to one module of the simulator reruns only the
//! experiments that can reach it.

use std::path::PathBuf;

use anyhow::{Context, Result};
use experiments::ExperimentData;
use sha2::{Digest, Sha256};

/// Bumped whenever the cached data's layout changes.
const FORMAT: &str = "gil-lab-cache/2";

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

    /// Any cached data, if present and readable.
    pub fn load_json<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores results (written to a temporary file, then renamed).
    pub fn store(&self, key: &str, data: &ExperimentData) -> Result<()> {
        self.store_json(key, data)
    }

    /// Stores any data (written to a temporary file, then renamed).
    pub fn store_json<T: serde::Serialize>(&self, key: &str, data: &T) -> Result<()> {
        std::fs::create_dir_all(&self.dir).with_context(|| format!("cannot create {}", self.dir.display()))?;
        let tmp = self.dir.join(format!("{key}.json.tmp-{}", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec(data)?).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, self.path(key))?;
        Ok(())
    }
}
