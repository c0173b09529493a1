//! The fit of the model's free parameters on a grid, and its
//! cross-validation.

use crate::Error;
use crate::comparison::{Params, Row};
use crate::measured::Measured;
use crate::plan::{compare, current_params, host_in, plans, simulate_plans};
use crate::twins::TICKS_PER_ITER;

/// The fit's objective: mean squared log error of the machine's ratios.
pub fn objective(rows: &[Row]) -> f64 {
    let n = rows.len().max(1) as f64;
    rows.iter().map(|r| (r.sim / r.real).ln().powi(2)).sum::<f64>() / n
}

/// A row off by more than this factor counts as off by this much in the fit:
/// a ratio the model cannot reach for want of a mechanism (Python 2.7's echo
/// next to a CPU-bound thread) must not pull every cost away from the rows
/// it can reach. The factor is the agreement target's worst case: a row
/// beyond it is a miss however far, and a cap of 2 let that one echo row move
/// every cost at the expense of rows that agreed (`docs/calibration.md`,
/// item 20, has the figures).
pub const FIT_CAP: f64 = 1.5;

/// Mean squared log error with each row's error capped at [`FIT_CAP`].
fn capped(rows: &[Row]) -> f64 {
    let n = rows.len().max(1) as f64;
    let cap = FIT_CAP.ln().powi(2);
    rows.iter().map(|r| (r.sim / r.real).ln().powi(2).min(cap)).sum::<f64>() / n
}

/// The fit's objective: [`capped`] error of the old GIL's rows and of the new
/// GIL's, averaged, so the many 3.x interpreters do not outvote 2.7.
pub fn balanced(rows: &[Row]) -> f64 {
    let (old, new): (Vec<Row>, Vec<Row>) = rows.iter().cloned().partition(|r| r.source.starts_with("2."));
    match (old.is_empty(), new.is_empty()) {
        (true, _) => capped(&new),
        (_, true) => capped(&old),
        _ => (capped(&old) + capped(&new)) / 2.0,
    }
}

/// The result of a fit.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fit {
    /// Best parameters.
    pub params: Params,
    /// Objective at the code's current parameters.
    pub objective_before: f64,
    /// Objective at the best parameters.
    pub objective_after: f64,
    /// Each fitted family left out of the fit in turn.
    #[serde(default)]
    pub cross_validation: Vec<HeldOut>,
    /// Every grid point tried: (parameters, objective).
    pub grid: Vec<(Params, f64)>,
}

/// A family left out of the fit: how well the parameters fitted on the
/// other families predict it, against the fit on all of them.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HeldOut {
    /// The family (`countdown`, `interval`, `echo`).
    pub family: String,
    /// Its ratios on this machine.
    pub rows: usize,
    /// The parameters fitted without it.
    pub params: Params,
    /// Mean squared log error of its ratios at the fit on all families.
    pub error_in: f64,
    /// The same at the fit without it.
    pub error_out: f64,
    /// Share of its ratios that agree at the fit on all families.
    pub agree_in: f64,
    /// The same at the fit without it.
    pub agree_out: f64,
}

/// The families the fit uses; each is left out once for cross-validation.
pub const FITTED: [&str; 4] = ["countdown", "interval", "echo", "asyncio"];

/// The grid of parameters the fit tries; the tick comes from the old GIL's
/// measured bytecode speed.
fn grid(tick_ns: u64) -> Vec<Params> {
    let slack = scheduler::Costs::default().timer_slack_ns;
    let mut grid = Vec::new();
    for cs in [500u64, 1_000, 2_000] {
        // A waker's futex wake: a system call and, on a virtual machine, an
        // inter-processor interrupt that exits to the hypervisor (the probe
        // `calibration/probes/wake-latency.c` measures 6 to 11 us here).
        for futex_wake_ns in [4_000u64, 6_000, 8_000, 12_000] {
            // A sleeping thread's wake-up onto a core idle a short time: the
            // probe measures 14 to 18 us at the median, with a tail. The
            // extra after a long idle is measured, not fitted (`Costs`).
            for wake in [8_000u64, 10_000, 12_000, 14_000, 16_000] {
                for jitter in [2_000u64, 4_000, 8_000] {
                    // Waking a thread costs the waker less than the woken
                    // thread waits to run (sending an interrupt is quicker
                    // than leaving an idle state). Without this, the fit
                    // trades the old GIL's false alarms for hand-offs.
                    if futex_wake_ns > wake + jitter {
                        continue;
                    }
                    // The timer slack is measured, not fitted: the default
                    // cost, Linux's (docs/calibration.md, item 8).
                    grid.push(Params {
                        context_switch_ns: cs,
                        wakeup_latency_ns: wake,
                        wakeup_jitter_ns: jitter,
                        tick_ns,
                        timer_slack_ns: slack,
                        futex_wake_ns,
                        idle_wakeup_extra_ns: None,
                        idle_wakeup_half_ns: None,
                        socket_scale: None,
                    });
                }
            }
        }
    }
    grid
}

fn best_of<'a>(scored: impl Iterator<Item = (&'a Params, f64)>) -> Option<(Params, f64)> {
    scored.min_by(|a, b| a.1.total_cmp(&b.1)).map(|(p, o)| (p.clone(), o))
}

fn agree_share(rows: &[&Row]) -> f64 {
    rows.iter().filter(|r| r.agrees()).count() as f64 / rows.len().max(1) as f64
}

/// Fits the context-switch cost, the wake-up latency and jitter and the
/// waker's cost on a grid (the timer slack stays Linux's default), minimising [`balanced`] over
/// the countdown, interval, echo and asyncio ratios; then leaves each of those
/// families out in turn (the same grid, scored without it) and reports how
/// well the rest predicts it.
pub fn fit(m: &Measured) -> Result<Fit, Error> {
    let base = current_params();
    let tick_ns = m
        .interpreters
        .iter()
        .find(|d| d.gil == "old")
        .map_or(base.tick_ns, |d| (d.ns_per_iter / TICKS_PER_ITER).round().max(1.0) as u64);
    let fit_plans = || plans(m, true);
    let objective_before = balanced(&simulate_plans(fit_plans(), &base, host_in(m))?);
    // Every grid point's rows, scored with and without each family.
    let scored: Vec<(Params, Vec<Row>)> = grid(tick_ns)
        .into_iter()
        .map(|p| {
            let rows = simulate_plans(fit_plans(), &p, host_in(m))?;
            Ok((p, rows))
        })
        .collect::<Result<_, Error>>()?;
    let without = |family: Option<&str>| {
        best_of(scored.iter().map(|(p, rows)| {
            let kept: Vec<Row> = rows.iter().filter(|r| Some(r.group.as_str()) != family).cloned().collect();
            (p, balanced(&kept))
        }))
    };
    let (params, objective_after) = without(None).ok_or(Error::EmptyGrid)?;
    let all = compare(m, &params)?.rows;
    let mut cross_validation = Vec::new();
    for family in FITTED {
        let mine = |rows: &[Row]| -> Vec<Row> { rows.iter().filter(|r| r.group == family).cloned().collect() };
        let inside = mine(&all);
        if inside.is_empty() {
            continue;
        }
        let (held, _) = without(Some(family)).ok_or(Error::EmptyGrid)?;
        let outside = mine(&compare(m, &held)?.rows);
        cross_validation.push(HeldOut {
            family: family.into(),
            rows: inside.len(),
            params: held,
            error_in: objective(&inside),
            error_out: objective(&outside),
            agree_in: agree_share(&inside.iter().collect::<Vec<_>>()),
            agree_out: agree_share(&outside.iter().collect::<Vec<_>>()),
        });
    }
    let grid = scored.iter().map(|(p, rows)| (p.clone(), balanced(rows))).collect();
    Ok(Fit { params, objective_before, objective_after, cross_validation, grid })
}
