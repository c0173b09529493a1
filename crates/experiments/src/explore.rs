//! Explorable figures (`explore:` in a definition): a control per swept
//! setting, and for every combination of the controls' values (a *variant*)
//! its charts and values. Everything is computed when the site is built, so
//! a page switches among the variants without simulating anything.
//!
//! [`layout`] works on the points' settings alone (the build calls it
//! before running anything, to know which points to trace); [`build`] draws
//! the variants from the results.

use std::collections::BTreeMap;

use charts::{Chart, Fit, Plot};
use serde_yaml::Value;

use crate::data::{ExpError, ExperimentData, TracedPoint, describe, fail, numeric, show};
use crate::def::{ControlKind, ExperimentDef, ExploreDef, ValueDef};
use crate::figures::{Table, draw_chart};
use crate::format::{self, Spec};
use crate::lang::Lang;
use crate::values::evaluate;

/// A control, with the setting values it offers.
#[derive(Clone, Debug, PartialEq)]
pub struct Control {
    /// The setting it moves.
    pub param: String,
    /// Slider or select.
    pub kind: ControlKind,
    /// The setting's values (YAML values, as the points hold them), in the
    /// control's order: increasing for a slider, the sweep's for a select.
    pub values: Vec<Value>,
}

/// One combination of the controls' values.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Per control, the index of its value.
    pub at: Vec<usize>,
    /// The settings that select its points: the figure's `where` and the
    /// controls' values.
    pub settings: BTreeMap<String, Value>,
    /// The point traced for it (with the figure's `trace:`).
    pub traced: Option<usize>,
}

/// The controls and variants of a figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Controls, in the definition's order.
    pub controls: Vec<Control>,
    /// Every variant, the first control's value varying slowest.
    pub variants: Vec<Variant>,
    /// The variant shown first.
    pub default: usize,
    /// The traced window of every variant, in nanoseconds.
    pub window: Option<(u64, u64)>,
}

/// Whether settings `set` include every `(path, value)` of `at`; values
/// compare as YAML values, as [`crate::PointData::matches`] does.
fn matches(set: &[(String, Value)], at: &BTreeMap<String, Value>) -> bool {
    at.iter().all(|(k, v)| set.iter().any(|(pk, pv)| pk == k && pv == v))
}

/// The controls and variants of figure `index` of `exp`, from the points'
/// settings (in run order).
pub fn layout(exp: &ExperimentDef, index: usize, points: &[Vec<(String, Value)>]) -> Result<Layout, ExpError> {
    let path = format!("explore[{index}]");
    let Some(def) = exp.explore.get(index) else { return fail(path, "no such explorable figure") };
    if def.controls.is_empty() {
        return fail(format!("{path}.controls"), "an explorable figure needs at least one control");
    }
    let mine: Vec<&Vec<(String, Value)>> = points.iter().filter(|p| matches(p, &def.at)).collect();
    if mine.is_empty() {
        return fail(format!("{path}.where"), format!("no point has {}", describe(&def.at)));
    }
    let mut controls = Vec::new();
    for (ci, c) in def.controls.iter().enumerate() {
        let cpath = format!("{path}.controls[{ci}]");
        if def.at.contains_key(&c.param) || def.controls[..ci].iter().any(|o| o.param == c.param) {
            return fail(cpath, format!("`{}` is fixed by the figure's `where` or by another control", c.param));
        }
        let mut values: Vec<Value> = Vec::new();
        for p in &mine {
            let Some((_, v)) = p.iter().find(|(k, _)| *k == c.param) else {
                return fail(
                    format!("{cpath}.param"),
                    format!("`{}` is not set by the experiment's cases or sweep", c.param),
                );
            };
            if !values.contains(v) {
                values.push(v.clone());
            }
        }
        if values.len() < 2 {
            return fail(format!("{cpath}.param"), format!("`{}` takes only one value here", c.param));
        }
        let all_numeric = values.iter().all(|v| numeric(v).is_some());
        let kind = c.kind.unwrap_or(if all_numeric { ControlKind::Slider } else { ControlKind::Select });
        if kind == ControlKind::Slider {
            if !all_numeric {
                return fail(format!("{cpath}.kind"), "a slider needs numbers or durations: use `select`");
            }
            values.sort_by(|a, b| numeric(a).unwrap_or(0.0).total_cmp(&numeric(b).unwrap_or(0.0)));
        }
        controls.push(Control { param: c.param.clone(), kind, values });
    }
    let window = match &def.trace {
        Some(t) => {
            let window = workloads::duration::parse_window(&t.window);
            Some(window.map_err(|m| ExpError { path: format!("{path}.trace.window"), message: m })?)
        }
        None => None,
    };
    let mut variants = Vec::new();
    let count: usize = controls.iter().map(|c| c.values.len()).product();
    for n in 0..count {
        let mut at = vec![0; controls.len()];
        let mut rest = n;
        for (ci, c) in controls.iter().enumerate().rev() {
            at[ci] = rest % c.values.len();
            rest /= c.values.len();
        }
        let mut settings = def.at.clone();
        for (c, &i) in controls.iter().zip(&at) {
            settings.insert(c.param.clone(), c.values[i].clone());
        }
        if !mine.iter().any(|p| matches(p, &settings)) {
            return fail(format!("{path}.controls"), format!("no point has {}", describe(&settings)));
        }
        let traced = match &def.trace {
            Some(t) => {
                let mut sel = settings.clone();
                sel.extend(t.at.clone());
                let hits: Vec<usize> = (0..points.len()).filter(|&i| matches(&points[i], &sel)).collect();
                match hits.as_slice() {
                    [one] => Some(*one),
                    [] => return fail(format!("{path}.trace.where"), format!("no point has {}", describe(&sel))),
                    many => {
                        return fail(
                            format!("{path}.trace.where"),
                            format!("{} points have {}: add settings to pick one", many.len(), describe(&sel)),
                        );
                    }
                }
            }
            None => None,
        };
        variants.push(Variant { at, settings, traced });
    }
    let default = if def.default.is_empty() {
        0
    } else {
        if let Some(k) = def.default.keys().find(|k| !controls.iter().any(|c| &c.param == *k)) {
            return fail(format!("{path}.default"), format!("`{k}` is not a control's setting"));
        }
        variants.iter().position(|v| matches_values(&v.settings, &def.default)).ok_or_else(|| ExpError {
            path: format!("{path}.default"),
            message: format!("no variant has {}", describe(&def.default)),
        })?
    };
    Ok(Layout { controls, variants, default, window })
}

fn matches_values(settings: &BTreeMap<String, Value>, at: &BTreeMap<String, Value>) -> bool {
    at.iter().all(|(k, v)| settings.get(k) == Some(v))
}

/// A control as a page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownControl {
    /// The setting it moves.
    pub param: String,
    /// Its label.
    pub label: String,
    /// Slider or select.
    pub kind: ControlKind,
    /// How each of its values reads (through the definition's `labels`).
    pub values: Vec<String>,
}

/// One variant, drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct ExploredVariant {
    /// Per control, the index of its value.
    pub at: Vec<usize>,
    /// Its charts with their tables, in the figure's chart order.
    pub charts: Vec<(Chart, Table)>,
    /// Its shown values, in the figure's order.
    pub values: Vec<f64>,
    /// Its trace, if the figure records one.
    pub trace: Option<TracedPoint>,
}

/// An explorable figure, built in one language.
#[derive(Clone, Debug, PartialEq)]
pub struct Explored {
    /// Its id.
    pub id: String,
    /// Title.
    pub title: String,
    /// What moving the controls shows.
    pub description: String,
    /// The controls.
    pub controls: Vec<ShownControl>,
    /// The shown values' labels and formats.
    pub values: Vec<(String, Spec)>,
    /// The charts' ids, in order.
    pub chart_ids: Vec<String>,
    /// Every variant.
    pub variants: Vec<ExploredVariant>,
    /// The variant shown first.
    pub default: usize,
}

/// How a setting value reads: the definition's label, or the value with
/// a space before a duration's unit (`5 ms`, `100 µs`).
pub(crate) fn say(exp: &ExperimentDef, v: &Value, lang: Lang) -> String {
    if let Some(t) = exp.labels.get(v) {
        return t.get(lang).to_owned();
    }
    let Value::String(v) = v else { return show(v) };
    if v.parse::<f64>().is_err() && workloads::duration::parse_duration(v).is_ok() {
        let split = v.find(|c: char| c.is_alphabetic() || c == 'µ').unwrap_or(v.len());
        let unit = match &v[split..] {
            "us" => "µs",
            u => u,
        };
        return format!("{} {unit}", &v[..split]);
    }
    v.to_owned()
}

/// Builds figure `index` of `exp` in `lang`: every variant's charts and
/// values, the charts of a kind sharing their axes.
pub fn build(
    exp: &ExperimentDef,
    exp_id: &str,
    index: usize,
    data: &ExperimentData,
    lang: Lang,
) -> Result<Explored, ExpError> {
    let path = format!("explore[{index}]");
    let Some(def): Option<&ExploreDef> = exp.explore.get(index) else {
        return fail(path, "no such explorable figure");
    };
    let settings: Vec<Vec<(String, Value)>> = data.points.iter().map(|p| p.set.clone()).collect();
    let lay = layout(exp, index, &settings)?;
    let mut formats = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (i, v) in def.values.iter().enumerate() {
        if seen.contains(&v.id.as_str()) {
            return fail(format!("{path}.values[{i}].id"), format!("another value is named `{}`", v.id));
        }
        seen.push(&v.id);
        let spec = format::parse(&v.format)
            .map_err(|m| ExpError { path: format!("{path}.values[{i}].format"), message: m })?;
        if !v.hidden {
            formats.push((v.label.get(lang).to_owned(), spec));
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, c) in def.charts.iter().enumerate() {
        if seen.contains(&c.id.as_str()) {
            return fail(format!("{path}.charts[{i}].id"), format!("another chart is named `{}`", c.id));
        }
        seen.push(&c.id);
    }
    let mut variants = Vec::new();
    for (n, var) in lay.variants.iter().enumerate() {
        let defs: BTreeMap<String, ValueDef> = def
            .values
            .iter()
            .map(|v| {
                // An expression picks no point: its operands do.
                let mut at = if v.expr.is_some() { BTreeMap::new() } else { var.settings.clone() };
                at.extend(v.at.clone());
                let d = ValueDef {
                    metric: v.metric.clone(),
                    at,
                    scale: v.scale,
                    expr: v.expr.clone(),
                    param: v.param.clone(),
                };
                (v.id.clone(), d)
            })
            .collect();
        let computed = evaluate(&defs, data, &format!("{path}.values"))?;
        // `evaluate` computed every value of `defs`, so none is missing.
        let values = def.values.iter().filter(|v| !v.hidden).map(|v| computed.get(&v.id).copied().unwrap_or(f64::NAN));
        let values = values.collect();
        let trace = match (var.traced, lay.window) {
            (Some(i), Some((from, to))) => {
                data.traces.iter().find(|(p, t)| *p == i && t.from_ns == from && t.to_ns == to).map(|(_, t)| t)
            }
            _ => None,
        };
        if var.traced.is_some() && trace.is_none() {
            return fail(format!("{path}.trace"), "the results hold no trace of this variant: rebuild");
        }
        let mut charts = Vec::new();
        for (ci, c) in def.charts.iter().enumerate() {
            let mut c = c.clone();
            let mut at = var.settings.clone();
            at.extend(c.at.clone());
            c.at = at;
            let id = format!("{exp_id}-{}-{}-v{n}-{}", def.id, c.id, lang.code());
            charts.push(draw_chart(exp, &c, &format!("{path}.charts[{ci}]"), &id, data, trace, lang)?);
        }
        variants.push(ExploredVariant { at: var.at.clone(), charts, values, trace: trace.cloned() });
    }
    share_axes(&mut variants);
    let controls = def
        .controls
        .iter()
        .zip(&lay.controls)
        .map(|(d, c)| ShownControl {
            param: c.param.clone(),
            label: d.label.get(lang).to_owned(),
            kind: c.kind,
            values: c.values.iter().map(|v| say(exp, v, lang)).collect(),
        })
        .collect();
    Ok(Explored {
        id: def.id.clone(),
        title: def.title.get(lang).to_owned(),
        description: def.description.as_ref().map_or(String::new(), |d| d.get(lang).to_owned()),
        controls,
        values: formats,
        chart_ids: def.charts.iter().map(|c| c.id.clone()).collect(),
        variants,
        default: lay.default,
    })
}

/// An axis's extent so far: (low, high).
type Extent = Option<(f64, f64)>;

/// Gives the charts at each position of every variant the same axes.
fn share_axes(variants: &mut [ExploredVariant]) {
    let count = variants.first().map_or(0, |v| v.charts.len());
    for ci in 0..count {
        let (mut x, mut y): (Extent, Extent) = (None, None);
        let grow = |e: &mut Extent, v: f64| {
            if v.is_finite() {
                *e = Some(e.map_or((v, v), |(a, b)| (a.min(v), b.max(v))));
            }
        };
        for v in variants.iter() {
            match &v.charts[ci].0.plot {
                Plot::Line { series, .. } => {
                    for p in series.iter().flat_map(|s| &s.points) {
                        grow(&mut x, p.0);
                        grow(&mut y, p.1);
                    }
                }
                Plot::Cdf { series, .. } => {
                    for p in series.iter().flat_map(|s| &s.points) {
                        grow(&mut x, p.0);
                    }
                }
                Plot::Bars { groups, .. } => {
                    for v in groups.iter().flat_map(|g| &g.1) {
                        grow(&mut y, *v);
                    }
                }
                Plot::Timeline { .. } | Plot::Heatmap { .. } => {}
            }
        }
        for v in variants.iter_mut() {
            v.charts[ci].0.fit = Fit { x, y };
        }
    }
}
