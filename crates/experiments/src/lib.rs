//! The experiment language of gil-lab's notes.
//!
//! An experiment (`notes/experiments/ID.yaml`, [`ExperimentDef`]) names a
//! scenario file, optional overrides, named *values* (a metric of one point,
//! or an expression over other values) and *charts*. Its results
//! ([`ExperimentData`]) are the summary of every point, as JSON, plus an
//! optional trace. From them this crate derives the values ([`values`]),
//! the charts with their data tables ([`build_chart`]) and a CSV ([`csv`]);
//! [`expr`] parses value expressions and claims, [`format`] writes numbers
//! in prose. Everything is a pure function of its inputs.

pub mod chrome;
mod data;
mod def;
pub mod explore;
pub mod expr;
mod figures;
pub mod format;
mod lang;
mod source;
mod timeline;
mod values;
pub mod words;

pub use data::{ExpError, ExperimentData, PointData, ShownPoint, TracedPoint, metric, numeric, show};
pub use def::{
    AxisDef, ChartDef, ChartKind, ControlDef, ControlKind, ExperimentDef, ExploreDef, Labels, SeriesDef, ShownDef,
    TraceDef, ValueDef,
};
pub use explore::Explored;
pub use figures::{Table, build_chart, csv};
pub use lang::{Lang, Text};
pub use source::{Link, Results, Source};
pub use timeline::interactive;
pub use values::values;

#[cfg(test)]
mod tests;
