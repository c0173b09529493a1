//! Charts and their data tables, and CSV, from an experiment's results.

use std::collections::BTreeMap;

use charts::{self as chart, Axis, Chart, Fit, Plot, Series};

use crate::data::{ExpError, ExperimentData, PointData, fail, metric, numeric};
use crate::def::{AxisDef, ChartKind, ExperimentDef};
use crate::lang::{Lang, Text};
use crate::timeline::{gantt, timeline};
use crate::words::words as ui;

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
    let id = format!("{exp_id}-{}-{}", def.id, lang.code());
    draw_chart(exp, def, &format!("charts[{index}]"), &id, data, data.trace.as_ref(), lang)
}

/// Builds the chart `def` (at `path` in the definition, with the SVG id
/// `id`), its timeline or gantt from `trace`.
pub(crate) fn draw_chart(
    exp: &ExperimentDef,
    def: &crate::def::ChartDef,
    path: &str,
    id: &str,
    data: &ExperimentData,
    trace: Option<&crate::data::TracedPoint>,
    lang: Lang,
) -> Result<(Chart, Table), ExpError> {
    let path = path.to_owned();
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
    let id = id.to_owned();
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
            let Some(traced) = trace else {
                return fail(path.clone(), "timeline and gantt charts need `trace:` in the experiment");
            };
            if def.kind == ChartKind::Timeline { timeline(traced, def, &path, lang)? } else { gantt(traced, lang) }
        }
    };
    let description = match &def.description {
        Some(d) => d.get(lang).to_owned(),
        None => auto_description(&plot, lang),
    };
    Ok((Chart { id, title, description, plot, fit: Fit::default() }, table))
}

pub(crate) fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        return "-".into();
    }
    crate::format::number(v, &crate::format::Spec::Sig(4), Lang::En)
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
