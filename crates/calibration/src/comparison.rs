//! The comparison of measured and simulated ratios, and the parameters it
//! ran with.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::measured::MachineInfo;

/// The model's free parameters, as fitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Context switch, ns.
    pub context_switch_ns: u64,
    /// Wake-up latency onto an idle core, ns.
    pub wakeup_latency_ns: u64,
    /// Mean wake-up jitter, ns.
    pub wakeup_jitter_ns: u64,
    /// One tick of bytecode, ns.
    pub tick_ns: u64,
    /// Timer slack of timed waits, ns.
    #[serde(default)]
    pub timer_slack_ns: u64,
    /// CPU time the waker spends waking a sleeping thread, ns.
    #[serde(default)]
    pub futex_wake_ns: u64,
}

/// A ratio measured on real CPython and in the simulation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Section: `countdown`, `interval`, `sleeps`, `echo`, `hash`, `wsgi`.
    pub group: String,
    /// Ratio id (`threads2/seq`, `echo slowdown 5ms`, ...).
    pub what: String,
    /// Interpreter version (or a published source).
    pub source: String,
    /// Measured.
    pub real: f64,
    /// Simulated.
    pub sim: f64,
}

impl Row {
    /// Simulated / real - 1.
    pub fn error(&self) -> f64 {
        self.sim / self.real - 1.0
    }

    /// Within 25%.
    pub fn agrees(&self) -> bool {
        self.error().abs() <= 0.25
    }
}

/// Measured and simulated, side by side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// When and where it was measured.
    pub date: String,
    /// The machine.
    pub machine: MachineInfo,
    /// The parameters the simulation ran with.
    pub params: Params,
    /// Ratios on this machine.
    pub rows: Vec<Row>,
    /// Published tables and the model's numbers for them.
    pub published: Vec<Row>,
    /// Measured values without a simulated twin, named like values
    /// (`py3.12.1.echo-two-share-5ms`).
    #[serde(default)]
    pub measured: BTreeMap<String, f64>,
}
