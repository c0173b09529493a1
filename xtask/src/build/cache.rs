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
const FORMAT: &str = "gil-lab-cache/5";

/// Hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The cache key of an experiment: its points (scenario, report metadata
/// and settings), its trace request (point, window) and the fingerprint of
/// the code they depend on.
pub fn key(
    points: &[workloads::Point],
    trace: Option<(usize, u64, u64)>,
    explore_traces: &[(usize, u64, u64)],
    fingerprint: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(FORMAT);
    h.update(fingerprint);
    h.update(json(&trace));
    h.update(json(&explore_traces));
    for p in points {
        h.update(json(&p.compiled.scenario));
        h.update(json(&p.compiled.meta));
        h.update(json(&p.set.iter().map(|s| (&s.path, &s.value)).collect::<Vec<_>>()));
    }
    hex(&h.finalize())
}

/// The JSON of plain data. Only a setting that JSON cannot hold (a mapping
/// with non-string keys) fails; it hashes as empty, and the compiled
/// scenario hashed beside it still tells such runs apart.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
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
        std::fs::write(dir.path().join("aaaa.json"), "{\"format\":\"gil-lab-cache/5\",\"key\":\"aa").unwrap();
        assert_eq!(cache.load_json::<Vec<i32>>("aaaa"), None);
    }
}
