//! Experiment definitions (`notes/experiments/ID.yaml`): what to run and
//! which values and charts to derive.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_yaml::Value;

use crate::lang::Text;

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
    pub set: BTreeMap<String, Value>,
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
    pub labels: Labels,
    /// Explorable figures: controls over swept settings, with charts and
    /// values for every combination of their values.
    #[serde(default)]
    pub explore: Vec<ExploreDef>,
    /// Scripts (`notes/reproduce/NAME.py`) that reproduce the experiment on
    /// a reader's machine, linked from its page.
    #[serde(default)]
    pub reproduce: Vec<String>,
}

/// An explorable figure (`explore:`): a control per swept setting, and for
/// every combination of the controls' values (a *variant*) its charts and
/// values, all computed at build time.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExploreDef {
    /// Id, unique in the experiment (`{{explore: EXP.ID}}`).
    pub id: String,
    /// Title.
    pub title: Text,
    /// What moving the controls shows.
    pub description: Option<Text>,
    /// The controls, one per swept setting.
    pub controls: Vec<ControlDef>,
    /// Settings every variant shares (a case label, a fixed sweep value).
    #[serde(default, rename = "where")]
    pub at: BTreeMap<String, Value>,
    /// The variant shown first (control settings); the first one if omitted.
    #[serde(default)]
    pub default: BTreeMap<String, Value>,
    /// Record a trace of every variant, for its timeline and gantt charts.
    pub trace: Option<TraceDef>,
    /// Values shown for the chosen variant, in order.
    #[serde(default)]
    pub values: Vec<ShownDef>,
    /// Charts drawn for every variant (their `where` gains the variant's
    /// settings; timelines draw the variant's trace).
    #[serde(default)]
    pub charts: Vec<ChartDef>,
}

/// A control of an explorable figure.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlDef {
    /// The swept setting it moves, like `gil.switch_interval`.
    pub param: String,
    /// Its label.
    pub label: Text,
    /// `slider` (numbers and durations in increasing order) or `select`;
    /// a slider when every value is a number or a duration.
    pub kind: Option<ControlKind>,
}

/// How a control looks.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlKind {
    /// A range input over the values in increasing order.
    Slider,
    /// A drop-down list, in the sweep's order.
    Select,
}

/// A value an explorable figure shows for the chosen variant.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShownDef {
    /// Name, unique in the figure (expressions use it).
    pub id: String,
    /// What it is, with its unit (a hidden value needs none).
    #[serde(default)]
    pub label: Text,
    /// A metric of the variant's point.
    pub metric: Option<String>,
    /// More settings of the point (over the variant's).
    #[serde(default, rename = "where")]
    pub at: BTreeMap<String, Value>,
    /// Multiply by this.
    pub scale: Option<f64>,
    /// An expression over the figure's other values.
    pub expr: Option<String>,
    /// The numeric value of one of the variant's settings (a duration in
    /// seconds).
    pub param: Option<String>,
    /// Number format, as in `{{exp.value | FORMAT}}`.
    #[serde(default)]
    pub format: String,
    /// Not shown (a value other values are computed from).
    #[serde(default)]
    pub hidden: bool,
}

/// `labels:`: how setting values read in charts, keyed by the values
/// themselves as YAML writes them (`4:`, `new:`, `{model: none}:`), so a
/// label finds its value by what it is, not by how it prints.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Labels(Vec<(Value, Text)>);

impl Labels {
    /// The text for setting value `v`, if the definition names one.
    pub fn get(&self, v: &Value) -> Option<&Text> {
        self.0.iter().find(|(k, _)| k == v).map(|(_, t)| t)
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Labels, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = Labels;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a mapping from setting values to their text")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Labels, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<Value, Text>()? {
                    out.push(entry);
                }
                Ok(Labels(out))
            }
        }
        d.deserialize_map(Entries)
    }
}

/// `trace:`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceDef {
    /// Time window, like `0ms..20ms`.
    pub window: String,
    /// Which point to trace (its settings); the first point if omitted.
    #[serde(default, rename = "where")]
    pub at: BTreeMap<String, Value>,
}

/// A named value: a metric of one point, or an expression over other values.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueDef {
    /// Metric path in the point's summary (`makespan_s`, `threads[echo].gil_wait_s`).
    pub metric: Option<String>,
    /// Which point: its settings (needed when the experiment has several).
    #[serde(default, rename = "where")]
    pub at: BTreeMap<String, Value>,
    /// Multiply by this (1000 turns seconds into milliseconds).
    pub scale: Option<f64>,
    /// An expression over this experiment's other values.
    pub expr: Option<String>,
    /// The numeric value of a setting of the point `where` picks (a
    /// duration in seconds).
    pub param: Option<String>,
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
    pub at: BTreeMap<String, Value>,
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

impl ChartKind {
    /// The kind as a definition writes it.
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Line => "line",
            ChartKind::Bars => "bars",
            ChartKind::Cdf => "cdf",
            ChartKind::Heatmap => "heatmap",
            ChartKind::Timeline => "timeline",
            ChartKind::Gantt => "gantt",
        }
    }
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
    pub ratio_to: BTreeMap<String, Value>,
    /// The baseline run's metric divided by this run's (a speed-up when the
    /// metric is a time); the baseline is found as for `ratio_to`.
    #[serde(default)]
    pub speedup_vs: BTreeMap<String, Value>,
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
