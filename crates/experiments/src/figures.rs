//! Charts and their data tables, and CSV, from an experiment's results.

use std::collections::BTreeMap;

use charts::{self as chart, Axis, Chart, Fit, Plot, Series};

use serde_yaml::Value;

use crate::data::{ExpError, ExperimentData, PointData, TracedPoint, fail, metric, numeric, show};
use crate::def::{AxisDef, ChartDef, ChartKind, ExperimentDef};
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
    let path = format!("charts[{index}]");
    let Some(def) = exp.charts.get(index) else { return fail(path, "no such chart") };
    let id = format!("{exp_id}-{}-{}", def.id, lang.code());
    draw_chart(exp, def, &path, &id, data, data.trace.as_ref(), lang)
}

/// Builds the chart `def` (at `path` in the definition, with the SVG id
/// `id`), its timeline or gantt from `trace`: one of the experiment's
/// charts, or one of an explorable figure's variants.
pub(crate) fn draw_chart(
    exp: &ExperimentDef,
    def: &ChartDef,
    path: &str,
    id: &str,
    data: &ExperimentData,
    trace: Option<&TracedPoint>,
    lang: Lang,
) -> Result<(Chart, Table), ExpError> {
    let path = path.to_owned();
    let points = data.select(&def.at);
    if points.is_empty() && !matches!(def.kind, ChartKind::Timeline | ChartKind::Gantt) {
        return fail(format!("{path}.where"), "selects no point");
    }
    let mut b = Builder { exp, def, data, points, path, lang, tagged: Vec::new(), order: Vec::new() };
    (b.tagged, b.order) = b.series()?;
    let (plot, table) = match def.kind {
        ChartKind::Line => b.line()?,
        ChartKind::Bars => b.bars()?,
        ChartKind::Cdf => b.cdf()?,
        ChartKind::Heatmap => b.heatmap()?,
        ChartKind::Timeline | ChartKind::Gantt => {
            let Some(traced) = trace else {
                return fail(b.path, "timeline and gantt charts need `trace:` in the experiment");
            };
            if def.kind == ChartKind::Timeline { timeline(traced, def, &b.path, lang)? } else { gantt(traced, lang) }
        }
    };
    let description = match &def.description {
        Some(d) => d.get(lang).to_owned(),
        None => auto_description(&plot, lang),
    };
    let (id, title) = (id.to_owned(), def.title.get(lang).to_owned());
    Ok((Chart { id, title, description, plot, fit: Fit::default() }, table))
}

/// One chart of an experiment being built: its definition, the points it
/// selects and where its errors are reported.
struct Builder<'a> {
    exp: &'a ExperimentDef,
    def: &'a ChartDef,
    data: &'a ExperimentData,
    points: Vec<&'a PointData>,
    /// `charts[i]`, for errors.
    path: String,
    lang: Lang,
    /// Every point with its series.
    tagged: Vec<(&'a PointData, Option<&'a Value>)>,
    /// The series in first-appearance order.
    order: Vec<Option<&'a Value>>,
}

impl<'a> Builder<'a> {
    fn err(&self, field: &str, message: impl Into<String>) -> ExpError {
        ExpError { path: format!("{}.{field}", self.path), message: message.into() }
    }

    /// How a setting value reads: its label, or the value itself.
    fn say(&self, v: &Value) -> String {
        self.exp.labels.get(v).map_or_else(|| show(v), |t| t.get(self.lang).to_owned())
    }

    fn need(&self, axis: &Option<AxisDef>, name: &str) -> Result<AxisDef, ExpError> {
        axis.clone().ok_or_else(|| self.err(name, format!("a {} chart needs `{name}`", self.def.kind.name())))
    }

    /// The parameter an axis plots.
    fn param<'d>(&self, axis: &'d AxisDef, field: &str, what: &str) -> Result<&'d str, ExpError> {
        axis.param.as_deref().ok_or_else(|| self.err(&format!("{field}.param"), what))
    }

    /// The value of setting `param` in point `p`.
    fn setting(&self, p: &'a PointData, param: &str, field: &str) -> Result<&'a Value, ExpError> {
        p.setting(param).ok_or_else(|| {
            self.err(&format!("{field}.param"), format!("`{param}` is not set by the experiment's cases or sweep"))
        })
    }

    /// The metric of axis `a` in point `p`, divided by (or dividing) a
    /// baseline run's when the axis asks, and scaled.
    fn metric(&self, p: &PointData, a: &AxisDef, field: &str) -> Result<f64, ExpError> {
        let Some(m) = &a.metric else { return Err(self.err(&format!("{field}.metric"), "this axis needs a `metric`")) };
        let at = |e: String| self.err(&format!("{field}.metric"), e);
        let v = metric(&p.summary, m).map_err(at)?;
        let base = |sel: &BTreeMap<String, Value>, key: &str| -> Result<f64, ExpError> {
            let b = self.data.baseline(p, sel).map_err(|e| self.err(&format!("{field}.{key}"), e))?;
            metric(&b.summary, m).map_err(at)
        };
        let v = match (a.ratio_to.is_empty(), a.speedup_vs.is_empty()) {
            (true, true) => v,
            (false, true) => v / base(&a.ratio_to, "ratio_to")?,
            (true, false) => base(&a.speedup_vs, "speedup_vs")? / v,
            (false, false) => return Err(self.err(field, "`ratio_to` or `speedup_vs`, not both")),
        };
        Ok(v * a.scale.unwrap_or(1.0))
    }

    /// The series point `p` belongs to (none without `series:`).
    fn series_of(&self, p: &'a PointData) -> Result<Option<&'a Value>, ExpError> {
        match &self.def.series {
            Some(s) => self.setting(p, &s.param, "series").map(Some),
            None => Ok(None),
        }
    }

    fn series_label(&self, s: Option<&Value>) -> String {
        match (&self.def.series, s) {
            (Some(def), Some(v)) => def.label.get(self.lang).replace("{}", &self.say(v)),
            _ => String::new(),
        }
    }

    /// Every point with its series, and the series in first-appearance order.
    #[allow(clippy::type_complexity)]
    fn series(&self) -> Result<(Vec<(&'a PointData, Option<&'a Value>)>, Vec<Option<&'a Value>>), ExpError> {
        let mut order = Vec::new();
        let mut tagged = Vec::new();
        for &p in &self.points {
            let s = self.series_of(p)?;
            first_seen(&mut order, s);
            tagged.push((p, s));
        }
        Ok((tagged, order))
    }

    /// The header of a line or bar chart's table.
    fn header(&self, x: &AxisDef, y: &AxisDef) -> Vec<String> {
        let series = self.def.series.as_ref().map_or(String::new(), |_| ui(self.lang).series.into());
        vec![series, x.label.get(self.lang).into(), y.label.get(self.lang).into()]
    }

    fn axis(&self, a: &AxisDef) -> Axis {
        Axis { label: a.label.get(self.lang).into(), log: a.log }
    }

    fn line(&self) -> Result<(Plot, Table), ExpError> {
        let (x, y) = (self.need(&self.def.x, "x")?, self.need(&self.def.y, "y")?);
        let param = self.param(&x, "x", "a line chart's x is a parameter")?;
        let (tagged, order) = (&self.tagged, &self.order);
        let mut series = Vec::new();
        let mut rows = Vec::new();
        for s in order {
            let mut pts = Vec::new();
            for (p, _) in tagged.iter().filter(|(_, ps)| ps == s) {
                let raw = self.setting(p, param, "x")?;
                let Some(xv) = numeric(raw) else {
                    return Err(
                        self.err("x.param", format!("`{}` is not a number or a duration: use a bar chart", show(raw)))
                    );
                };
                let xv = xv * x.scale.unwrap_or(1.0);
                let yv = self.metric(p, &y, "y")?;
                pts.push((xv, yv));
                rows.push(vec![self.series_label(*s), self.say(raw), fmt_num(yv)]);
            }
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            series.push(Series { label: self.series_label(*s), points: pts });
        }
        let plot = Plot::Line { x: self.axis(&x), y: self.axis(&y), series };
        Ok((plot, (self.header(&x, &y), rows)))
    }

    fn bars(&self) -> Result<(Plot, Table), ExpError> {
        let (x, y) = (self.need(&self.def.x, "x")?, self.need(&self.def.y, "y")?);
        let param = self.param(&x, "x", "a bar chart's x is a parameter")?;
        let (tagged, order) = (&self.tagged, &self.order);
        let mut categories: Vec<&Value> = Vec::new();
        let mut slots = Vec::new();
        for (p, _) in tagged {
            slots.push(first_seen(&mut categories, self.setting(p, param, "x")?));
        }
        let mut groups = Vec::new();
        let mut rows = Vec::new();
        for s in order {
            let mut vals = vec![f64::NAN; categories.len()];
            for ((p, _), &i) in tagged.iter().zip(&slots).filter(|((_, ps), _)| ps == s) {
                vals[i] = self.metric(p, &y, "y")?;
                rows.push(vec![self.series_label(*s), self.say(categories[i]), fmt_num(vals[i])]);
            }
            groups.push((self.series_label(*s), vals));
        }
        let categories = categories.iter().map(|c| self.say(c)).collect();
        Ok((Plot::Bars { categories, y: self.axis(&y), groups }, (self.header(&x, &y), rows)))
    }

    fn cdf(&self) -> Result<(Plot, Table), ExpError> {
        let lang = self.lang;
        let x = self.def.x.clone().unwrap_or(AxisDef {
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
        for &(p, s) in &self.tagged {
            let cdf = p.summary.get("server").and_then(|s| s.get("latency_cdf_ms")).and_then(|c| c.as_array());
            let Some(cdf) = cdf else { return fail(self.path.clone(), "a cdf chart needs a server scenario") };
            let pts: Vec<(f64, f64)> =
                cdf.iter().enumerate().filter_map(|(i, v)| v.as_f64().map(|ms| (ms, i as f64 / 100.0))).collect();
            let label = self.series_label(s);
            for q in [50usize, 90, 99] {
                if let Some((ms, _)) = pts.get(q) {
                    rows.push(vec![label.clone(), format!("p{q}"), fmt_num(*ms)]);
                }
            }
            series.push(Series { label, points: pts });
        }
        let header = vec![ui(lang).series.into(), ui(lang).percentile.into(), x.label.get(lang).into()];
        Ok((Plot::Cdf { x: self.axis(&x), y_label: ui(lang).fraction.into(), series }, (header, rows)))
    }

    fn heatmap(&self) -> Result<(Plot, Table), ExpError> {
        let lang = self.lang;
        let (x, y, v) =
            (self.need(&self.def.x, "x")?, self.need(&self.def.y, "y")?, self.need(&self.def.value, "value")?);
        let (Some(px), Some(py)) = (&x.param, &y.param) else {
            return fail(self.path.clone(), "a heat map's x and y are parameters");
        };
        let mut cols: Vec<&Value> = Vec::new();
        let mut rows_k: Vec<&Value> = Vec::new();
        let mut cells = Vec::new();
        for &p in &self.points {
            let (cx, cy) = (self.setting(p, px, "x")?, self.setting(p, py, "y")?);
            cells.push((first_seen(&mut cols, cx), first_seen(&mut rows_k, cy)));
        }
        let mut grid = vec![vec![None; cols.len()]; rows_k.len()];
        let mut rows = Vec::new();
        for (&p, &(c, r)) in self.points.iter().zip(&cells) {
            let val = self.metric(p, &v, "value")?;
            grid[r][c] = Some(val);
            rows.push(vec![self.say(rows_k[r]), self.say(cols[c]), fmt_num(val)]);
        }
        let header = vec![y.label.get(lang).into(), x.label.get(lang).into(), v.label.get(lang).into()];
        let plot = Plot::Heatmap {
            x: (x.label.get(lang).into(), cols.iter().map(|c| self.say(c)).collect()),
            y: (y.label.get(lang).into(), rows_k.iter().map(|c| self.say(c)).collect()),
            values: grid,
            scale: v.label.get(lang).into(),
        };
        Ok((plot, (header, rows)))
    }
}

/// The place of `v` in `list`, appending it if it is new.
fn first_seen<T: PartialEq>(list: &mut Vec<T>, v: T) -> usize {
    match list.iter().position(|k| *k == v) {
        Some(i) => i,
        None => {
            list.push(v);
            list.len() - 1
        }
    }
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
        if let Some(m) = m
            && !metrics.contains(m)
        {
            metrics.push(m.clone());
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
        let mut row: Vec<String> = p.set.iter().map(|(_, v)| quote(&show(v))).collect();
        row.extend(metrics.iter().map(|m| metric(&p.summary, m).map_or(String::new(), |v| format!("{v}"))));
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}
