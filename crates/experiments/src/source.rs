//! What notes take values and charts from.
//!
//! An experiment's results and the calibration's comparison with real
//! CPython offer the same thing to a note: named values, charts with their
//! data tables, data files, and a page that explains them. The site renders
//! any [`Source`] the same way.

use std::collections::BTreeMap;

use charts::Chart;

use crate::data::{ExpError, ExperimentData, fail};
use crate::def::ExperimentDef;
use crate::explore::{self, Explored};
use crate::figures::{Table, build_chart, csv};
use crate::lang::Lang;
use crate::values::values;
use crate::words::words;

/// Where a figure's caption points: a path from the site's root and the
/// link's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Path from the site's root.
    pub href: String,
    /// Link text, in the page's language.
    pub text: String,
}

/// A source of values and charts for notes.
pub trait Source: Sync {
    /// Every named value.
    fn values(&self) -> Result<BTreeMap<String, f64>, ExpError>;
    /// The ids of its charts, in order.
    fn chart_ids(&self) -> Vec<String>;
    /// Chart `id` in `lang`, with its data table.
    fn chart(&self, id: &str, lang: Lang) -> Result<(Chart, Table), ExpError>;
    /// Data files offered for download: (file name, bytes), `data.csv` and
    /// `data.json` first; `trace.json`, the traced run in Chrome's
    /// trace-event format, when there is one.
    fn data_files(&self) -> Vec<(String, Vec<u8>)>;
    /// What a figure's caption and a note's link to it point to.
    fn link(&self, lang: Lang) -> Link;
    /// The ids of its explorable figures, in order.
    fn explore_ids(&self) -> Vec<String> {
        Vec::new()
    }
    /// Explorable figure `id` in `lang`, every variant drawn.
    fn explore(&self, id: &str, _lang: Lang) -> Result<Explored, ExpError> {
        fail("explore", format!("no explorable figure `{id}`"))
    }
}

/// An experiment's results as a [`Source`].
#[derive(Clone, Copy, Debug)]
pub struct Results<'a> {
    /// The experiment's id.
    pub id: &'a str,
    /// Its definition.
    pub def: &'a ExperimentDef,
    /// Its results.
    pub data: &'a ExperimentData,
}

impl Source for Results<'_> {
    fn values(&self) -> Result<BTreeMap<String, f64>, ExpError> {
        values(self.def, self.data)
    }

    fn chart_ids(&self) -> Vec<String> {
        self.def.charts.iter().map(|c| c.id.clone()).collect()
    }

    fn chart(&self, id: &str, lang: Lang) -> Result<(Chart, Table), ExpError> {
        match self.def.charts.iter().position(|c| c.id == id) {
            Some(i) => build_chart(self.def, self.id, i, self.data, lang),
            None => fail("charts", format!("no chart `{id}` (it has {:?})", self.chart_ids())),
        }
    }

    fn data_files(&self) -> Vec<(String, Vec<u8>)> {
        let json = serde_json::to_string_pretty(&self.data.download()).unwrap_or_default();
        let mut files =
            vec![("data.csv".into(), csv(self.def, self.data).into_bytes()), ("data.json".into(), json.into_bytes())];
        if let Some(t) = &self.data.trace {
            files.push(("trace.json".into(), crate::chrome::chrome_trace_json(t)));
        }
        files
    }

    fn explore_ids(&self) -> Vec<String> {
        self.def.explore.iter().map(|e| e.id.clone()).collect()
    }

    fn explore(&self, id: &str, lang: Lang) -> Result<Explored, ExpError> {
        match self.def.explore.iter().position(|e| e.id == id) {
            Some(i) => explore::build(self.def, self.id, i, self.data, lang),
            None => fail("explore", format!("no explorable figure `{id}` (it has {:?})", self.explore_ids())),
        }
    }

    fn link(&self, lang: Lang) -> Link {
        Link {
            href: format!("{}/experiments/{}.html", lang.code(), self.id),
            text: format!("{}: {}", words(lang).experiment, self.def.title.get(lang)),
        }
    }
}
