//! Experiments referenced by notes: their definition files, their results,
//! and the values and charts derived from them.
//!
//! A definition (`notes/experiments/ID.yaml`) names a scenario file, optional
//! overrides, named *values* (a metric of one point, or an expression over
//! other values) and *charts*. Its results ([`ExperimentData`]) are the
//! summary of every point, as JSON, plus an optional trace.

use std::collections::BTreeMap;
use std::fmt;

use scheduler::{CoreState, Mark, ThreadState, Trace};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use crate::chart::{self, Axis, Chart, Lane, Marker, PALETTE, Plot, Series};
use crate::expr::{self, Expr};
use crate::i18n::{Lang, ui};

/// Text in both languages (or one string for both).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Text {
    /// English.
    pub en: String,
    /// Korean.
    pub ko: String,
}

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ko => &self.ko,
        }
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Both {
            en: String,
            ko: String,
        }
        let v = serde_yaml::Value::deserialize(d)?;
        match v {
            serde_yaml::Value::String(s) => Ok(Text { en: s.clone(), ko: s }),
            other => {
                let b: Both = serde_yaml::from_value(other)
                    .map_err(|e| de::Error::custom(format!("expected a string or {{en: ..., ko: ...}}: {e}")))?;
                Ok(Text { en: b.en, ko: b.ko })
            }
        }
    }
}

/// A definition file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentDef {
    /// Title.
    pub title: Text,
    /// What it shows and how.
    pub description: Text,
    /// The scenario file, from the repository root.
    pub scenario: String,
    /// Overrides, as with `--set`.
    #[serde(default)]
    pub set: BTreeMap<String, serde_yaml::Value>,
    /// Record a trace of one point, for timelines.
    pub trace: Option<TraceDef>,
    /// Named values, by name.
    #[serde(default)]
    pub values: BTreeMap<String, ValueDef>,
    /// Charts.
    #[serde(default)]
    pub charts: Vec<ChartDef>,
    /// How setting values (case labels, parameter values) read in charts.
    #[serde(default)]
    pub labels: BTreeMap<String, Text>,
}

/// `trace:`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceDef {
    /// Time window, like `0ms..20ms`.
    pub window: String,
    /// Which point to trace (its settings); the first point if omitted.
    #[serde(default, rename = "where")]
    pub at: BTreeMap<String, serde_yaml::Value>,
}

/// A named value: a metric of one point, or an expression over other values.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueDef {
    /// Metric path in the point's summary (`makespan_s`, `threads[echo].gil_wait_s`).
    pub metric: Option<String>,
    /// Which point: its settings (needed when the experiment has several).
    #[serde(default, rename = "where")]
    pub at: BTreeMap<String, serde_yaml::Value>,
    /// Multiply by this (1000 turns seconds into milliseconds).
    pub scale: Option<f64>,
    /// An expression over this experiment's other values.
    pub expr: Option<String>,
}

/// A chart's definition.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartDef {
    /// Id, unique in the experiment.
    pub id: String,
    /// `line`, `bars`, `cdf`, `heatmap`, `timeline` or `gantt`.
    pub kind: ChartKind,
    /// Title.
    pub title: Text,
    /// What it shows, for screen readers (generated if omitted).
    pub description: Option<Text>,
    /// Horizontal axis.
    pub x: Option<AxisDef>,
    /// Vertical axis.
    pub y: Option<AxisDef>,
    /// Heat map: the cell value.
    pub value: Option<AxisDef>,
    /// One line, bar group or curve per value of a parameter.
    pub series: Option<SeriesDef>,
    /// Only points with these settings.
    #[serde(default, rename = "where")]
    pub at: BTreeMap<String, serde_yaml::Value>,
    /// Timeline: which threads, in order (all if omitted).
    pub threads: Option<Vec<String>>,
}

/// Chart kinds.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// A metric against a numeric parameter.
    Line,
    /// A metric per parameter value, grouped.
    Bars,
    /// Latency distribution of the server's requests.
    Cdf,
    /// A metric over two parameters.
    Heatmap,
    /// Per-thread GIL timeline from the trace.
    Timeline,
    /// Per-core Gantt chart from the trace.
    Gantt,
}

/// An axis: a parameter (point setting) or a metric.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AxisDef {
    /// A setting path, like `machine.cores`.
    pub param: Option<String>,
    /// A metric path, like `makespan_s`.
    pub metric: Option<String>,
    /// Axis label (with unit).
    pub label: Text,
    /// Logarithmic.
    #[serde(default)]
    pub log: bool,
    /// Multiply values by this (a parameter that is a duration is read in
    /// seconds: `scale: 1000` plots milliseconds).
    pub scale: Option<f64>,
    /// Divide the metric by a baseline run's: the run with these settings
    /// that agrees with the plotted run on every other setting.
    #[serde(default)]
    pub ratio_to: BTreeMap<String, serde_yaml::Value>,
    /// The baseline run's metric divided by this run's (a speed-up when the
    /// metric is a time); the baseline is found as for `ratio_to`.
    #[serde(default)]
    pub speedup_vs: BTreeMap<String, serde_yaml::Value>,
}

impl ExperimentData {
    /// The baseline of `p`: among the runs with the settings `at`, the one
    /// agreeing with `p` on every setting `at` does not name.
    pub fn baseline(&self, p: &PointData, at: &BTreeMap<String, serde_yaml::Value>) -> Result<&PointData, String> {
        let candidates = self.select(at);
        let agrees = |c: &&&PointData| {
            p.set.iter().filter(|(k, _)| !at.contains_key(k)).all(|kv| c.set.iter().any(|ckv| ckv == kv))
        };
        match candidates.iter().filter(agrees).collect::<Vec<_>>().as_slice() {
            [one] => Ok(**one),
            [] => Err(format!("no baseline run with {} matches the run with {}", describe(at), show_set(&p.set))),
            many => Err(format!("{} baseline runs with {} match: name more settings", many.len(), describe(at))),
        }
    }
}

fn show_set(set: &[(String, String)]) -> String {
    set.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")
}

/// `series:`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesDef {
    /// The setting whose values make the series.
    pub param: String,
    /// Legend label; `{}` is replaced by the value.
    pub label: Text,
}

/// One point's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointData {
    /// Its settings (cases and sweep), as (path, value shown as in YAML).
    pub set: Vec<(String, String)>,
    /// Its summary (the `--json` object).
    pub summary: serde_json::Value,
}

/// An experiment's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentData {
    /// Every point.
    pub points: Vec<PointData>,
    /// The trace, if the definition asked for one.
    pub trace: Option<TracedPoint>,
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
}

/// An error in an experiment, with where in its definition it arose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpError {
    /// Field path in the definition (`values.speedup`, `charts[1].x`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ExpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

fn fail<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, ExpError> {
    Err(ExpError { path: path.into(), message: message.into() })
}

/// A YAML value as shown in settings (`2`, `5ms`, `new`): the same text the
/// sweep puts in a point's settings, so selections match.
pub use workloads::sweep::show;

/// The numeric value of a setting: a number, or a duration in seconds.
pub fn numeric(setting: &str) -> Option<f64> {
    if let Ok(v) = setting.parse::<f64>() {
        return Some(v);
    }
    workloads::duration::parse_duration(setting).ok().map(|d| d.0 as f64 * 1e-9)
}

impl ExperimentData {
    /// Points whose settings include every `(path, value)` of `at`.
    pub fn select(&self, at: &BTreeMap<String, serde_yaml::Value>) -> Vec<&PointData> {
        self.points
            .iter()
            .filter(|p| at.iter().all(|(k, v)| p.set.iter().any(|(pk, pv)| pk == k && *pv == show(v))))
            .collect()
    }

    /// The one point `at` selects.
    pub fn one(&self, at: &BTreeMap<String, serde_yaml::Value>, path: &str) -> Result<&PointData, ExpError> {
        match self.select(at).as_slice() {
            [p] => Ok(p),
            [] => fail(path, format!("no point has {}", describe(at))),
            many => {
                fail(path, format!("{} points have {}: add settings to `where` to pick one", many.len(), describe(at)))
            }
        }
    }
}

fn describe(at: &BTreeMap<String, serde_yaml::Value>) -> String {
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

/// Every named value of an experiment, computed from its results.
pub fn values(def: &ExperimentDef, data: &ExperimentData) -> Result<BTreeMap<String, f64>, ExpError> {
    let mut done: BTreeMap<String, f64> = BTreeMap::new();
    for name in def.values.keys() {
        let mut stack = Vec::new();
        value(def, data, name, &mut done, &mut stack)?;
    }
    Ok(done)
}

fn value(
    def: &ExperimentDef,
    data: &ExperimentData,
    name: &str,
    done: &mut BTreeMap<String, f64>,
    stack: &mut Vec<String>,
) -> Result<f64, ExpError> {
    if let Some(v) = done.get(name) {
        return Ok(*v);
    }
    let path = format!("values.{name}");
    let Some(v) = def.values.get(name) else { return fail(path, format!("no value named `{name}`")) };
    if stack.iter().any(|s| s == name) {
        return fail(path, format!("defined in terms of itself ({} -> {name})", stack.join(" -> ")));
    }
    stack.push(name.to_owned());
    let result = match (&v.metric, &v.expr) {
        (Some(m), None) => {
            let point = data.one(&v.at, &format!("{path}.where"))?;
            let x = metric(&point.summary, m).map_err(|e| ExpError { path: format!("{path}.metric"), message: e })?;
            Ok(x * v.scale.unwrap_or(1.0))
        }
        (None, Some(src)) => {
            if !v.at.is_empty() {
                return fail(format!("{path}.where"), "`where` belongs to a metric, not an expression");
            }
            let e: Expr = expr::parse_expr(src).map_err(|m| ExpError { path: format!("{path}.expr"), message: m })?;
            let mut err = None;
            let x = e.eval(&mut |n| match value(def, data, n, done, stack) {
                Ok(x) => Ok(x),
                Err(e) => {
                    let msg = e.message.clone();
                    err = Some(e);
                    Err(msg)
                }
            });
            match (x, err) {
                (Ok(x), _) => Ok(x * v.scale.unwrap_or(1.0)),
                (Err(_), Some(e)) => Err(e),
                (Err(m), None) => fail(format!("{path}.expr"), m),
            }
        }
        _ => fail(path.clone(), "a value has either a `metric` or an `expr`"),
    };
    stack.pop();
    let x = result?;
    if !x.is_finite() {
        return fail(path, format!("is not a finite number ({x})"));
    }
    done.insert(name.to_owned(), x);
    Ok(x)
}

/// A chart's data, for the table beside it: header and rows.
pub type Table = (Vec<String>, Vec<Vec<String>>);

/// Builds chart `def` of an experiment in `lang`, with its data table.
pub fn build_chart(
    exp: &ExperimentDef,
    exp_id: &str,
    index: usize,
    data: &ExperimentData,
    lang: Lang,
) -> Result<(Chart, Table), ExpError> {
    let def = &exp.charts[index];
    let path = format!("charts[{index}]");
    let say = |v: &str| exp.labels.get(v).map_or(v.to_owned(), |t| t.get(lang).to_owned());
    let points = data.select(&def.at);
    if points.is_empty() && !matches!(def.kind, ChartKind::Timeline | ChartKind::Gantt) {
        return fail(format!("{path}.where"), "selects no point");
    }
    let need = |axis: &Option<AxisDef>, name: &str| -> Result<AxisDef, ExpError> {
        axis.clone().ok_or_else(|| ExpError {
            path: format!("{path}.{name}"),
            message: format!("a {:?} chart needs `{name}`", def.kind).to_lowercase(),
        })
    };
    let get_metric = |p: &PointData, a: &AxisDef, field: &str| -> Result<f64, ExpError> {
        let Some(m) = &a.metric else { return fail(format!("{path}.{field}.metric"), "this axis needs a `metric`") };
        let at = |e: String| ExpError { path: format!("{path}.{field}.metric"), message: e };
        let v = metric(&p.summary, m).map_err(at)?;
        let base = |sel: &BTreeMap<String, serde_yaml::Value>, key: &str| -> Result<f64, ExpError> {
            let b =
                data.baseline(p, sel).map_err(|e| ExpError { path: format!("{path}.{field}.{key}"), message: e })?;
            metric(&b.summary, m).map_err(at)
        };
        let v = match (a.ratio_to.is_empty(), a.speedup_vs.is_empty()) {
            (true, true) => v,
            (false, true) => v / base(&a.ratio_to, "ratio_to")?,
            (true, false) => base(&a.speedup_vs, "speedup_vs")? / v,
            (false, false) => return fail(format!("{path}.{field}"), "`ratio_to` or `speedup_vs`, not both"),
        };
        Ok(v * a.scale.unwrap_or(1.0))
    };
    let setting = |p: &PointData, param: &str, field: &str| -> Result<String, ExpError> {
        p.set.iter().find(|(k, _)| k == param).map(|(_, v)| v.clone()).ok_or_else(|| ExpError {
            path: format!("{path}.{field}.param"),
            message: format!("`{param}` is not set by the experiment's cases or sweep"),
        })
    };
    // Series in first-appearance order.
    let series_of = |p: &PointData| -> Result<String, ExpError> {
        match &def.series {
            Some(s) => setting(p, &s.param, "series"),
            None => Ok(String::new()),
        }
    };
    let series_label =
        |v: &str| -> String { def.series.as_ref().map_or(String::new(), |s| s.label.get(lang).replace("{}", &say(v))) };
    let mut order: Vec<String> = Vec::new();
    for p in &points {
        let s = series_of(p)?;
        if !order.contains(&s) {
            order.push(s);
        }
    }
    let title = def.title.get(lang).to_owned();
    let id = format!("{exp_id}-{}-{}", def.id, lang.code());
    let (plot, table): (Plot, Table) = match def.kind {
        ChartKind::Line => {
            let (x, y) = (need(&def.x, "x")?, need(&def.y, "y")?);
            let Some(param) = &x.param else {
                return fail(format!("{path}.x.param"), "a line chart's x is a parameter");
            };
            let mut series = Vec::new();
            let mut rows = Vec::new();
            for s in &order {
                let mut pts = Vec::new();
                for p in points.iter().filter(|p| series_of(p).is_ok_and(|v| &v == s)) {
                    let raw = setting(p, param, "x")?;
                    let Some(xv) = numeric(&raw) else {
                        return fail(
                            format!("{path}.x.param"),
                            format!("`{raw}` is not a number or a duration: use a bar chart"),
                        );
                    };
                    let xv = xv * x.scale.unwrap_or(1.0);
                    let yv = get_metric(p, &y, "y")?;
                    pts.push((xv, yv));
                    rows.push(vec![series_label(s), say(&raw), fmt_num(yv)]);
                }
                pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                series.push(Series { label: series_label(s), points: pts });
            }
            let header = vec![
                def.series.as_ref().map_or(String::new(), |_| ui(lang).series.into()),
                x.label.get(lang).into(),
                y.label.get(lang).into(),
            ];
            (
                Plot::Line {
                    x: Axis { label: x.label.get(lang).into(), log: x.log },
                    y: Axis { label: y.label.get(lang).into(), log: y.log },
                    series,
                },
                (header, rows),
            )
        }
        ChartKind::Bars => {
            let (x, y) = (need(&def.x, "x")?, need(&def.y, "y")?);
            let Some(param) = &x.param else {
                return fail(format!("{path}.x.param"), "a bar chart's x is a parameter");
            };
            let mut categories: Vec<String> = Vec::new();
            for p in &points {
                let c = setting(p, param, "x")?;
                if !categories.contains(&c) {
                    categories.push(c);
                }
            }
            let mut groups = Vec::new();
            let mut rows = Vec::new();
            for s in &order {
                let mut vals = vec![f64::NAN; categories.len()];
                for p in points.iter().filter(|p| series_of(p).is_ok_and(|v| &v == s)) {
                    let c = setting(p, param, "x")?;
                    let i = categories.iter().position(|k| *k == c).expect("collected above");
                    vals[i] = get_metric(p, &y, "y")?;
                    rows.push(vec![series_label(s), say(&c), fmt_num(vals[i])]);
                }
                groups.push((series_label(s), vals));
            }
            let categories = categories.iter().map(|c| say(c)).collect();
            let header = vec![
                def.series.as_ref().map_or(String::new(), |_| ui(lang).series.into()),
                x.label.get(lang).into(),
                y.label.get(lang).into(),
            ];
            (Plot::Bars { categories, y: Axis { label: y.label.get(lang).into(), log: y.log }, groups }, (header, rows))
        }
        ChartKind::Cdf => {
            let x = def.x.clone().unwrap_or(AxisDef {
                param: None,
                metric: None,
                label: Text { en: "latency (ms)".into(), ko: "지연 시간 (ms)".into() },
                log: false,
                scale: None,
                ratio_to: BTreeMap::new(),
                speedup_vs: BTreeMap::new(),
            });
            let mut series = Vec::new();
            let mut rows = Vec::new();
            for p in &points {
                let cdf = p.summary.get("server").and_then(|s| s.get("latency_cdf_ms")).and_then(|c| c.as_array());
                let Some(cdf) = cdf else { return fail(path.clone(), "a cdf chart needs a server scenario") };
                let pts: Vec<(f64, f64)> =
                    cdf.iter().enumerate().filter_map(|(i, v)| v.as_f64().map(|ms| (ms, i as f64 / 100.0))).collect();
                let s = series_of(p)?;
                for q in [50usize, 90, 99] {
                    if let Some((ms, _)) = pts.get(q) {
                        rows.push(vec![series_label(&s), format!("p{q}"), fmt_num(*ms)]);
                    }
                }
                series.push(Series { label: series_label(&s), points: pts });
            }
            let header = vec![ui(lang).series.into(), ui(lang).percentile.into(), x.label.get(lang).into()];
            (
                Plot::Cdf {
                    x: Axis { label: x.label.get(lang).into(), log: x.log },
                    y_label: ui(lang).fraction.into(),
                    series,
                },
                (header, rows),
            )
        }
        ChartKind::Heatmap => {
            let (x, y, v) = (need(&def.x, "x")?, need(&def.y, "y")?, need(&def.value, "value")?);
            let (Some(px), Some(py)) = (&x.param, &y.param) else {
                return fail(path.clone(), "a heat map's x and y are parameters");
            };
            let mut cols: Vec<String> = Vec::new();
            let mut rows_k: Vec<String> = Vec::new();
            for p in &points {
                let (cx, cy) = (setting(p, px, "x")?, setting(p, py, "y")?);
                if !cols.contains(&cx) {
                    cols.push(cx);
                }
                if !rows_k.contains(&cy) {
                    rows_k.push(cy);
                }
            }
            let mut grid = vec![vec![None; cols.len()]; rows_k.len()];
            let mut rows = Vec::new();
            for p in &points {
                let (cx, cy) = (setting(p, px, "x")?, setting(p, py, "y")?);
                let val = get_metric(p, &v, "value")?;
                let (c, r) =
                    (cols.iter().position(|k| *k == cx).unwrap(), rows_k.iter().position(|k| *k == cy).unwrap());
                grid[r][c] = Some(val);
                rows.push(vec![say(&cy), say(&cx), fmt_num(val)]);
            }
            let (cols, rows_k): (Vec<String>, Vec<String>) =
                (cols.iter().map(|c| say(c)).collect(), rows_k.iter().map(|c| say(c)).collect());
            let header = vec![y.label.get(lang).into(), x.label.get(lang).into(), v.label.get(lang).into()];
            (
                Plot::Heatmap {
                    x: (x.label.get(lang).into(), cols),
                    y: (y.label.get(lang).into(), rows_k),
                    values: grid,
                    scale: v.label.get(lang).into(),
                },
                (header, rows),
            )
        }
        ChartKind::Timeline | ChartKind::Gantt => {
            let Some(traced) = &data.trace else {
                return fail(path.clone(), "timeline and gantt charts need `trace:` in the experiment");
            };
            if def.kind == ChartKind::Timeline { timeline(traced, def, &path, lang)? } else { gantt(traced, lang) }
        }
    };
    let description = match &def.description {
        Some(d) => d.get(lang).to_owned(),
        None => auto_description(&plot, lang),
    };
    Ok((Chart { id, title, description, plot }, table))
}

fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        return "-".into();
    }
    crate::format::number(v, &crate::format::Spec::Sig(4), Lang::En)
}

const STATES: [(ThreadState, (u8, u8, u8)); 12] = [
    (ThreadState::Python, PALETTE[0]),
    (ThreadState::CHold, PALETTE[4]),
    (ThreadState::GilWait, PALETTE[3]),
    (ThreadState::Handoff, PALETTE[6]),
    (ThreadState::Io, PALETTE[5]),
    (ThreadState::CRelease, PALETTE[2]),
    (ThreadState::Overhead, PALETTE[1]),
    (ThreadState::Ready, (190, 190, 190)),
    (ThreadState::LockWait, (120, 120, 120)),
    (ThreadState::QueueWait, (150, 150, 150)),
    (ThreadState::Crashed, (0, 0, 0)),
    (ThreadState::NotStarted, (235, 235, 235)),
];

/// The time unit of a traced window: milliseconds, or microseconds for a
/// window under 2 ms. Returns (nanoseconds per unit, axis label, from and to
/// column headers).
fn time_unit(traced: &TracedPoint, lang: Lang) -> (f64, &'static str, &'static str, &'static str) {
    let u = ui(lang);
    if traced.to_ns.saturating_sub(traced.from_ns) < 2_000_000 {
        (1e3, u.time_us, u.from_us, u.to_us)
    } else {
        (1e6, u.time_ms, u.from_ms, u.to_ms)
    }
}

fn timeline(traced: &TracedPoint, def: &ChartDef, path: &str, lang: Lang) -> Result<(Plot, Table), ExpError> {
    let picks: Vec<usize> = match &def.threads {
        Some(names) => names
            .iter()
            .map(|n| {
                traced.threads.iter().position(|t| t == n).ok_or_else(|| ExpError {
                    path: format!("{path}.threads"),
                    message: format!("the traced run has no thread `{n}`"),
                })
            })
            .collect::<Result<_, _>>()?,
        None => (0..traced.threads.len()).collect(),
    };
    let used: Vec<ThreadState> = STATES
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| {
            picks.iter().any(|&t| traced.trace.threads.get(t).is_some_and(|l| l.iter().any(|sp| sp.state == *s)))
        })
        .collect();
    let (per, axis, from_h, to_h) = time_unit(traced, lang);
    let ms = |ns: u64| (ns.saturating_sub(traced.from_ns)) as f64 / per;
    let mut rows = Vec::new();
    let lanes: Vec<Lane> = picks
        .iter()
        .map(|&t| {
            let spans = traced.trace.threads.get(t).map_or(&[][..], |l| l.as_slice());
            Lane {
                label: traced.threads[t].clone(),
                spans: spans
                    .iter()
                    .filter_map(|sp| {
                        let k = used.iter().position(|s| *s == sp.state)?;
                        rows.push(vec![
                            traced.threads[t].clone(),
                            fmt_num(ms(sp.start_ns)),
                            fmt_num(ms(sp.end_ns)),
                            ui(lang).state(sp.state).into(),
                        ]);
                        Some((ms(sp.start_ns), ms(sp.end_ns), k))
                    })
                    .collect(),
            }
        })
        .collect();
    let legend: Vec<(String, (u8, u8, u8))> =
        used.iter().map(|s| (ui(lang).state(*s).to_owned(), STATES.iter().find(|(x, _)| x == s).unwrap().1)).collect();
    let mark_kinds = [Mark::DropRequest, Mark::FailedAcquire];
    let markers: Vec<Marker> = traced
        .trace
        .marks
        .iter()
        .filter_map(|m| {
            let lane = picks.iter().position(|&t| t == m.thread.index())?;
            let kind = mark_kinds.iter().position(|k| *k == m.mark)?;
            Some(Marker { lane, at: ms(m.at_ns), kind })
        })
        .collect();
    let marker_legend = mark_kinds
        .iter()
        .filter(|k| markers.iter().any(|m| mark_kinds[m.kind] == **k))
        .map(|k| (ui(lang).mark(*k).to_owned(), if *k == Mark::DropRequest { (0, 0, 0) } else { PALETTE[1] }))
        .collect::<Vec<_>>();
    // Marker kinds index into the filtered legend.
    let markers = markers
        .into_iter()
        .map(|m| {
            let name = ui(lang).mark(mark_kinds[m.kind]);
            Marker { kind: marker_legend.iter().position(|(n, _)| n == name).unwrap_or(0), ..m }
        })
        .collect();
    let header = vec![ui(lang).thread.into(), from_h.into(), to_h.into(), ui(lang).state_word.into()];
    Ok((
        Plot::Timeline {
            x: Axis { label: axis.into(), log: false },
            range: Some((0.0, ms(traced.to_ns))),
            emphasis: used
                .iter()
                .enumerate()
                .filter(|(_, s)| matches!(s, ThreadState::Python | ThreadState::CHold | ThreadState::CRelease))
                .map(|(i, _)| i)
                .collect(),
            lanes,
            legend,
            markers,
            marker_legend,
        },
        (header, rows),
    ))
}

fn gantt(traced: &TracedPoint, lang: Lang) -> (Plot, Table) {
    let (per, axis, from_h, to_h) = time_unit(traced, lang);
    let ms = |ns: u64| (ns.saturating_sub(traced.from_ns)) as f64 / per;
    let mut legend: Vec<(String, (u8, u8, u8))> = Vec::new();
    let mut rows = Vec::new();
    let lanes = traced
        .trace
        .cores
        .iter()
        .enumerate()
        .map(|(c, spans)| Lane {
            label: format!("{} {c}", ui(lang).core),
            spans: spans
                .iter()
                .filter_map(|sp| {
                    let (name, colour) = match sp.state {
                        CoreState::Idle => return None,
                        CoreState::Switch(_) => (ui(lang).switching.to_owned(), (190, 190, 190)),
                        CoreState::Run(t) => {
                            let i = t.index();
                            (traced.threads.get(i).cloned().unwrap_or_default(), PALETTE[i % 6])
                        }
                    };
                    let k = match legend.iter().position(|(n, _)| *n == name) {
                        Some(k) => k,
                        None => {
                            legend.push((name.clone(), colour));
                            legend.len() - 1
                        }
                    };
                    rows.push(vec![
                        format!("{} {c}", ui(lang).core),
                        fmt_num(ms(sp.start_ns)),
                        fmt_num(ms(sp.end_ns)),
                        name,
                    ]);
                    Some((ms(sp.start_ns), ms(sp.end_ns), k))
                })
                .collect(),
        })
        .collect();
    let header = vec![ui(lang).core.into(), from_h.into(), to_h.into(), ui(lang).thread.into()];
    (
        Plot::Timeline {
            x: Axis { label: axis.into(), log: false },
            range: Some((0.0, ms(traced.to_ns))),
            emphasis: (0..legend.len()).filter(|&k| legend[k].0 != ui(lang).switching).collect(),
            lanes,
            legend,
            markers: Vec::new(),
            marker_legend: Vec::new(),
        },
        (header, rows),
    )
}

/// A sentence describing a plot for screen readers.
fn auto_description(plot: &Plot, lang: Lang) -> String {
    let u = ui(lang);
    match plot {
        Plot::Line { x, y, series } => {
            let ranges: Vec<String> = series
                .iter()
                .map(|s| {
                    let first = s.points.first().map_or(0.0, |p| p.1);
                    let last = s.points.last().map_or(0.0, |p| p.1);
                    u.line_summary(&s.label, &chart::tick(first), &chart::tick(last))
                })
                .collect();
            format!("{} {}", u.line_intro(&y.label, &x.label), ranges.join(" "))
        }
        Plot::Cdf { x, .. } => u.cdf_intro(&x.label),
        Plot::Bars { categories, y, .. } => u.bars_intro(&y.label, &categories.join(", ")),
        Plot::Heatmap { x, y, scale, .. } => u.heatmap_intro(scale, &x.0, &y.0),
        Plot::Timeline { lanes, .. } => {
            u.timeline_intro(&lanes.iter().map(|l| l.label.as_str()).collect::<Vec<_>>().join(", "))
        }
    }
}

/// CSV of every point: settings, then every numeric value the definition
/// uses, then the makespan.
pub fn csv(def: &ExperimentDef, data: &ExperimentData) -> String {
    let mut metrics: Vec<String> = vec!["makespan_s".into()];
    let mut add = |m: &Option<String>| {
        if let Some(m) = m {
            if !metrics.contains(m) {
                metrics.push(m.clone());
            }
        }
    };
    for v in def.values.values() {
        add(&v.metric);
    }
    for c in &def.charts {
        for a in [&c.x, &c.y, &c.value].into_iter().flatten() {
            add(&a.metric);
        }
    }
    let params: Vec<String> =
        data.points.first().map(|p| p.set.iter().map(|(k, _)| k.clone()).collect()).unwrap_or_default();
    let mut out = String::new();
    let quote =
        |s: &str| if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() };
    let header: Vec<String> = params.iter().chain(&metrics).map(|s| quote(s)).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for p in &data.points {
        let mut row: Vec<String> = p.set.iter().map(|(_, v)| quote(v)).collect();
        row.extend(metrics.iter().map(|m| metric(&p.summary, m).map_or(String::new(), |v| format!("{v}"))));
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(threads: u32, cores: u32, makespan: f64) -> PointData {
        PointData {
            set: vec![("threads".into(), threads.to_string()), ("machine.cores".into(), cores.to_string())],
            summary: serde_json::json!({
                "makespan_s": makespan,
                "threads": [{"name": "echo", "gil_wait_s": makespan / 2.0}],
                "server": null,
            }),
        }
    }

    fn data() -> ExperimentData {
        ExperimentData {
            points: vec![point(1, 1, 1.0), point(2, 1, 1.0), point(1, 2, 1.0), point(2, 2, 0.5)],
            trace: None,
        }
    }

    fn def(yaml: &str) -> ExperimentDef {
        serde_yaml::from_str(&format!("title: T\ndescription: D\nscenario: s.yaml\n{yaml}")).unwrap()
    }

    #[test]
    fn metric_paths_select_by_name_and_index() {
        let s = &data().points[3].summary;
        assert_eq!(metric(s, "makespan_s"), Ok(0.5));
        assert_eq!(metric(s, "threads[echo].gil_wait_s"), Ok(0.25));
        assert_eq!(metric(s, "threads[0].gil_wait_s"), Ok(0.25));
        assert!(metric(s, "threads[nobody].cpu_s").unwrap_err().contains("no element named `nobody`"));
        assert!(metric(s, "server.completed").unwrap_err().contains("null"));
    }

    #[test]
    fn values_pick_one_run_and_compute_expressions() {
        let d = def("values:\n  one: {metric: makespan_s, where: {threads: 2, machine.cores: 2}, scale: 1000}\n  \
             base: {metric: makespan_s, where: {threads: 1, machine.cores: 2}, scale: 1000}\n  \
             speedup: {expr: base / one}\n");
        let v = values(&d, &data()).unwrap();
        assert_eq!((v["one"], v["speedup"]), (500.0, 2.0));
        let d = def("values:\n  many: {metric: makespan_s, where: {threads: 2}}\n");
        assert!(values(&d, &data()).unwrap_err().message.contains("2 points have threads = 2"));
        let d = def("values:\n  a: {expr: b}\n  b: {expr: a}\n");
        assert!(values(&d, &data()).unwrap_err().message.contains("itself"));
    }

    #[test]
    fn speedup_axes_divide_by_the_matching_baseline() {
        let d = def("charts:\n  - id: s\n    kind: line\n    title: S\n    x: {param: threads, label: threads}\n    \
             y: {metric: makespan_s, speedup_vs: {threads: 1}, label: speed-up}\n    \
             series: {param: machine.cores, label: '{} cores'}\n");
        let (chart, table) = build_chart(&d, "e", 0, &data(), Lang::En).unwrap();
        let Plot::Line { series, .. } = chart.plot else { panic!("a line chart") };
        assert_eq!(series[0].points, [(1.0, 1.0), (2.0, 1.0)]);
        assert_eq!(series[1].points, [(1.0, 1.0), (2.0, 2.0)]);
        assert_eq!(series[1].label, "2 cores");
        assert_eq!(table.1.len(), 4);
        // No baseline for a run: a clear error at the axis.
        let mut partial = data();
        partial.points.remove(2);
        let e = build_chart(&d, "e", 0, &partial, Lang::En).unwrap_err();
        assert_eq!(e.path, "charts[0].y.speedup_vs");
        assert!(e.message.contains("no baseline run with threads = 1"), "{e}");
    }
}
