//! An experiment's results and how values are looked up in them.

use std::collections::BTreeMap;

use scheduler::Trace;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;

/// One point's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointData {
    /// Its settings (cases and sweep): field path and YAML value.
    pub set: Vec<(String, Value)>,
    /// Its summary (the `--json` object).
    pub summary: serde_json::Value,
}

impl PointData {
    /// The results of a run: its settings and its summary.
    pub fn new(point: &workloads::Point, summary: serde_json::Value) -> PointData {
        PointData { set: point.set.iter().map(|s| (s.path.clone(), s.value.clone())).collect(), summary }
    }

    /// The value of setting `path`, if a case or the sweep set it.
    pub fn setting(&self, path: &str) -> Option<&Value> {
        self.set.iter().find(|(k, _)| k == path).map(|(_, v)| v)
    }

    /// Whether this point has every setting of `at`. Values compare as YAML
    /// values (`2` is not `"2"`; mappings compare whatever their key order).
    pub fn matches(&self, at: &BTreeMap<String, Value>) -> bool {
        at.iter().all(|(k, v)| self.setting(k) == Some(v))
    }

    /// Its settings as they read (`machine.cores = 2, gil = model: new`).
    pub fn describe(&self) -> String {
        self.set.iter().map(|(k, v)| format!("{k} = {}", show(v))).collect::<Vec<_>>().join(", ")
    }
}

/// A point as `data.json` offers it for download: settings as they read.
#[derive(Serialize)]
pub struct ShownPoint<'a> {
    /// (path, value as it reads: `2`, `5ms`, `model: new`).
    pub set: Vec<(&'a str, String)>,
    /// Its summary.
    pub summary: &'a serde_json::Value,
}

/// An experiment's results.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExperimentData {
    /// Every point.
    pub points: Vec<PointData>,
    /// The trace, if the definition asked for one.
    pub trace: Option<TracedPoint>,
    /// The traces of explorable figures' variants: (point index, trace),
    /// one per point and window.
    #[serde(default)]
    pub traces: Vec<(usize, TracedPoint)>,
}

/// A recorded trace and its point's thread names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TracedPoint {
    /// Thread names, by thread number.
    pub threads: Vec<String>,
    /// Window start, in nanoseconds.
    pub from_ns: u64,
    /// Window end, in nanoseconds (the run may end before it).
    pub to_ns: u64,
    /// The trace.
    pub trace: Trace,
    /// Process names, by process number.
    #[serde(default)]
    pub processes: Vec<String>,
    /// Per thread: its process number and the GIL it takes (GILs are
    /// numbered in order of first use; none without a GIL).
    #[serde(default)]
    pub places: Vec<(usize, Option<usize>)>,
}

impl TracedPoint {
    /// A trace of `scenario`'s run, recorded in the window `[from_ns, to_ns)`.
    pub fn new(scenario: &scheduler::Scenario, from_ns: u64, to_ns: u64, trace: Trace) -> TracedPoint {
        use scheduler::GilSpec;
        let mut gils: Vec<(usize, u32)> = Vec::new();
        let places = scenario
            .threads()
            .map(|(p, t)| {
                let key = match scenario.gil {
                    GilSpec::None { .. } => return (p, None),
                    GilSpec::PerInterpreter { .. } => (p, t.interpreter),
                    _ => (p, 0),
                };
                let g = gils.iter().position(|k| *k == key).unwrap_or_else(|| {
                    gils.push(key);
                    gils.len() - 1
                });
                (p, Some(g))
            })
            .collect();
        TracedPoint {
            threads: scenario.threads().map(|(_, t)| t.name.clone()).collect(),
            from_ns,
            to_ns,
            trace,
            processes: scenario.processes.iter().map(|p| p.name.clone()).collect(),
            places,
        }
    }
}

/// An error in an experiment, with where in its definition it arose.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ExpError {
    /// Field path in the definition (`values.speedup`, `charts[1].x`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

pub(crate) fn fail<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, ExpError> {
    Err(ExpError { path: path.into(), message: message.into() })
}

/// A YAML value as it reads on one line (`2`, `5ms`, `model: new`), for
/// tables, messages and commands; never compared.
pub use workloads::sweep::show;

/// The numeric value of a setting: a number, or a duration in seconds.
pub fn numeric(setting: &Value) -> Option<f64> {
    match setting {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => workloads::duration::parse_duration(s).ok().map(|d| d.0 as f64 * 1e-9),
        _ => None,
    }
}

impl ExperimentData {
    /// Every point as `data.json` offers it.
    pub fn download(&self) -> Vec<ShownPoint<'_>> {
        self.points
            .iter()
            .map(|p| ShownPoint {
                set: p.set.iter().map(|(k, v)| (k.as_str(), show(v))).collect(),
                summary: &p.summary,
            })
            .collect()
    }

    /// Points whose settings include every `(path, value)` of `at`.
    pub fn select(&self, at: &BTreeMap<String, Value>) -> Vec<&PointData> {
        self.points.iter().filter(|p| p.matches(at)).collect()
    }

    /// The one point `at` selects.
    pub fn one(&self, at: &BTreeMap<String, Value>, path: &str) -> Result<&PointData, ExpError> {
        match self.select(at).as_slice() {
            [p] => Ok(p),
            [] => fail(path, format!("no point has {}", describe(at))),
            many => {
                fail(path, format!("{} points have {}: add settings to `where` to pick one", many.len(), describe(at)))
            }
        }
    }
}

pub(crate) fn describe(at: &BTreeMap<String, Value>) -> String {
    if at.is_empty() {
        return "no settings".into();
    }
    at.iter().map(|(k, v)| format!("{k} = {}", show(v))).collect::<Vec<_>>().join(", ")
}

/// A metric of a summary, by path: `makespan_s`, `gil.switches`,
/// `threads[echo].gil_wait_s` (element named `echo`), `threads[0].cpu_s`,
/// `shared.counter`, `server.latency_ms.p99`.
pub fn metric(summary: &serde_json::Value, path: &str) -> Result<f64, String> {
    let mut node = summary;
    let mut walked = String::new();
    for seg in path.split('.') {
        if node.is_null() {
            return Err(format!("`{walked}` is null in this run, so `{path}` has no value"));
        }
        walked = if walked.is_empty() { seg.to_owned() } else { format!("{walked}.{seg}") };
        let (key, mut rest) = seg.split_once('[').map_or((seg, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            node = node.get(key).ok_or_else(|| format!("the summary has no `{key}` (in `{path}`)"))?;
        }
        while let Some((sel, after)) = rest.split_once(']') {
            let list = node.as_array().ok_or_else(|| format!("`{key}` is not a list (in `{path}`)"))?;
            node = match sel.parse::<usize>() {
                Ok(i) => list.get(i).ok_or_else(|| format!("`{key}` has no element {i} (in `{path}`)"))?,
                Err(_) => list
                    .iter()
                    .find(|e| e.get("name").and_then(|n| n.as_str()) == Some(sel))
                    .ok_or_else(|| format!("`{key}` has no element named `{sel}` (in `{path}`)"))?,
            };
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    match node {
        serde_json::Value::Number(n) => n.as_f64().ok_or_else(|| format!("`{path}` is not a number")),
        serde_json::Value::Null => Err(format!("`{path}` has no value in this run (null)")),
        serde_json::Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        _ => Err(format!("`{path}` is not a number")),
    }
}

impl ExperimentData {
    /// The baseline of `p`: among the runs with the settings `at`, the one
    /// agreeing with `p` on every setting `at` does not name.
    pub fn baseline(&self, p: &PointData, at: &BTreeMap<String, Value>) -> Result<&PointData, String> {
        let candidates = self.select(at);
        let agrees = |c: &&&PointData| {
            p.set.iter().filter(|(k, _)| !at.contains_key(k)).all(|kv| c.set.iter().any(|ckv| ckv == kv))
        };
        match candidates.iter().filter(agrees).collect::<Vec<_>>().as_slice() {
            [one] => Ok(**one),
            [] => Err(format!("no baseline run with {} matches the run with {}", describe(at), p.describe())),
            many => Err(format!("{} baseline runs with {} match: name more settings", many.len(), describe(at))),
        }
    }
}
