//! The interpreters a calibration measures: found on pyenv and `PATH` or
//! given, described by `measure.py info`, and run once per measurement;
//! and the facts of the machine that a measurement records.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Result, anyhow, bail, ensure};
use serde_json::Value;

use super::{proc, say};

/// An interpreter found.
#[derive(Clone, Debug)]
pub(super) struct Python {
    pub path: PathBuf,
    pub version: String,
    pub gil: String,
}

impl Python {
    pub fn at_least(&self, v: &[u32]) -> bool {
        version_key(&self.version).as_slice() >= v
    }
}

/// Runs `measure.py ARGS` once (pinned to core 0 with taskset): its JSON.
pub(super) fn measure_once(root: &Path, timeout: Duration, py: &Path, args: &[String], pinned: bool) -> Result<Value> {
    let mut cmd = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "0"]).arg(py);
        c
    } else {
        Command::new(py)
    };
    cmd.arg(root.join("calibration/measure.py")).args(args).current_dir(root.join("calibration"));
    let what = proc::show(&cmd);
    let out = proc::output(&mut cmd, timeout)?;
    ensure!(out.status.success(), "`{what}` failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
    match serde_json::from_str::<Value>(line.trim()) {
        Ok(v) if v.is_object() => Ok(v),
        _ => bail!("`{what}` printed no JSON object: {:?}", text.trim()),
    }
}

/// What `measure.py info` says of `path`: a CPython, or an error naming it.
pub(super) fn describe(root: &Path, timeout: Duration, path: &Path) -> Result<Python> {
    let info = measure_once(root, timeout.min(Duration::from_secs(60)), path, &["info".into()], false)?;
    let text = |key: &str| -> Result<String> {
        info.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| {
            anyhow!("{} is not a Python that measure.py understands: no `{key}` in {info}", path.display())
        })
    };
    let implementation = text("implementation")?;
    ensure!(implementation == "cpython", "{} is {implementation}, not CPython", path.display());
    Ok(Python { path: path.to_owned(), version: text("version")?, gil: text("gil")? })
}

pub(super) fn version_key(v: &str) -> Vec<u32> {
    v.split('.').filter_map(|p| p.parse().ok()).collect()
}

/// Interpreters, one per version, oldest first: the given ones (each must
/// be a CPython; a missing one is skipped only with `skip_if_missing`), or
/// pyenv's versions and `python2`, `python3` on `PATH` (whatever of those
/// is not a CPython is skipped with a message).
pub(super) fn discover(
    root: &Path,
    timeout: Duration,
    given: &[PathBuf],
    skip_if_missing: bool,
) -> Result<Vec<Python>> {
    let mut found = Vec::new();
    if given.is_empty() {
        let mut candidates = Vec::new();
        let pyenv = std::env::var_os("PYENV_ROOT")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")));
        if let Some(dir) = pyenv.map(|p| p.join("versions")) {
            if let Ok(entries) = std::fs::read_dir(dir) {
                let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("bin/python")).collect();
                paths.sort();
                candidates.extend(paths.into_iter().filter(|p| p.exists()));
            }
        }
        candidates.extend(["python2", "python3"].iter().map(PathBuf::from));
        for c in candidates {
            match describe(root, timeout, &c) {
                Ok(p) => found.push(p),
                Err(e) if e.downcast_ref::<proc::Missing>().is_some() => {}
                // The first line says why (a pyenv shim explains at length).
                Err(e) => say(&format!("skipping {}: {}", c.display(), format!("{e:#}").lines().next().unwrap_or(""))),
            }
        }
    } else {
        for c in given {
            match describe(root, timeout, c) {
                Ok(p) => found.push(p),
                Err(e) if skip_if_missing && e.downcast_ref::<proc::Missing>().is_some() => {
                    say(&format!("{} not found: skipped (--skip-if-missing)", c.display()));
                }
                Err(e) => return Err(e.context(format!("cannot use --python {}", c.display()))),
            }
        }
    }
    let mut by_version: BTreeMap<Vec<u32>, Python> = BTreeMap::new();
    for p in found {
        by_version.entry(version_key(&p.version)).or_insert(p);
    }
    Ok(by_version.into_values().collect())
}

pub(super) fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

pub(super) fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

pub(super) fn today() -> Result<String> {
    let out = proc::output(Command::new("date").arg("+%Y-%m-%d"), Duration::from_secs(10))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
