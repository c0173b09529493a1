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
    /// Extra wake-up delay after a long idle, ns (`Costs::idle_wakeup_extra_ns`);
    /// the code's default when absent. Set by a host ([`crate::hosts`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_wakeup_extra_ns: Option<u64>,
    /// The idle time that costs half the extra, ns; the default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_wakeup_half_ns: Option<u64>,
    /// The echo twin's socket calls and loop bytecode as a share of the
    /// fitted host's (1 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub socket_scale: Option<f64>,
}

impl Params {
    /// The same model on bare metal. The published tables were measured on
    /// desktop machines without a hypervisor, where a sleeping core wakes in
    /// about 2 µs and waking a thread costs its waker about as much; this
    /// machine's fitted values describe a virtual machine, whose idle vCPUs
    /// must first be scheduled again by the host.
    pub fn bare_metal(&self) -> Params {
        let c = scheduler::Costs::bare_metal();
        Params {
            wakeup_latency_ns: c.wakeup_latency_ns,
            wakeup_jitter_ns: c.wakeup_jitter_ns,
            futex_wake_ns: c.futex_wake_ns,
            // A desktop's core wakes as fast after a long idle as after a
            // short one (`Costs::bare_metal`).
            idle_wakeup_extra_ns: Some(c.idle_wakeup_extra_ns),
            ..self.clone()
        }
    }
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
    /// The smallest value the measured ratio took over the runs (each
    /// side's runs against the other side's median), where runs were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_min: Option<f64>,
    /// The largest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_max: Option<f64>,
    /// Where the model's outcome depends on the seed (the old GIL's threads
    /// on several cores), the smallest ratio over the seeds averaged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim_min: Option<f64>,
    /// The largest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim_max: Option<f64>,
    /// The host whose costs it was simulated at, when it was measured on
    /// another machine than the fit's ([`crate::hosts`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl Row {
    /// Simulated / real - 1.
    pub fn error(&self) -> f64 {
        self.sim / self.real - 1.0
    }

    /// The model agrees with the measurement: within [`TOLERANCE`] of it,
    /// or inside the measured spread, whichever is wider.
    pub fn agrees(&self) -> bool {
        let inside = match (self.real_min, self.real_max) {
            (Some(lo), Some(hi)) => lo <= self.sim && self.sim <= hi,
            _ => false,
        };
        self.error().abs() <= TOLERANCE || inside
    }

    /// How many times the model is off: `max(sim/real, real/sim)`.
    pub fn factor(&self) -> f64 {
        let r = self.sim / self.real;
        if r >= 1.0 { r } else { 1.0 / r }
    }
}

/// The relative error within which a ratio agrees (see [`Row::agrees`]).
pub const TOLERANCE: f64 = 0.15;

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
    /// (`py3.12.1.echo-two-share-5ms`; `all.` for a range over every
    /// interpreter, `all.asyncio-worst-tick-5ms-max`).
    #[serde(default)]
    pub measured: BTreeMap<String, f64>,
    /// The fit's cross-validation (from `calibration/fitted.json`), if any.
    #[serde(default)]
    pub cross_validation: Vec<crate::HeldOut>,
    /// The notes' claims at every parameter set near the fit (from
    /// `calibration/robustness.json`), if checked.
    #[serde(default)]
    pub robustness: Option<crate::Robustness>,
}
