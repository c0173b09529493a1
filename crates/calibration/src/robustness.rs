//! Which of the notes' claims hold at every parameter set the fit cannot
//! tell from its best one.
//!
//! The fit picks the grid point with the lowest objective, but points
//! within a few percent of it describe the measurements about as well. A
//! claim that holds at the best point and fails at one of those rests on
//! a choice the measurements do not make; the note must then state its
//! condition (or the model must improve). `cargo xtask check` runs every
//! experiment the claims use at each such point and writes a
//! [`Robustness`] to `calibration/robustness.json`; the "Model vs reality"
//! page shows it.

use serde::{Deserialize, Serialize};

use crate::comparison::Params;
use crate::fit::Fit;

/// Points whose objective is at most this factor of the best are near the
/// optimum.
pub const NEAR: f64 = 1.05;

/// The fewest points checked: when the fit is so sharp that fewer come
/// within [`NEAR`], the next best fill up to this many, so that the check
/// never reduces to the best point alone.
pub const MIN_CANDIDATES: usize = 5;

/// A parameter set near the optimum, with its objective.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The parameters.
    pub params: Params,
    /// The fit's objective there.
    pub objective: f64,
}

/// Every grid point of `fit` within [`NEAR`] of its best objective, and at
/// least the [`MIN_CANDIDATES`] best, best first (ties in grid order).
pub fn near_optimal(fit: &Fit) -> Vec<Candidate> {
    let best = fit.grid.iter().map(|(_, o)| *o).fold(f64::INFINITY, f64::min);
    let mut out: Vec<Candidate> =
        fit.grid.iter().map(|(p, o)| Candidate { params: p.clone(), objective: *o }).collect();
    out.sort_by(|a, b| a.objective.total_cmp(&b.objective));
    let near = out.iter().filter(|c| c.objective <= best * NEAR).count();
    out.truncate(near.max(MIN_CANDIDATES));
    out
}

/// One claim of the notes evaluated at every candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimCheck {
    /// The claim as written (`convoy-effect-echo.slowdown > 50`).
    pub claim: String,
    /// The first note that makes it (`notes/en/convoy-effect.md`).
    pub note: String,
    /// Its line there.
    pub line: usize,
    /// Left side at each candidate, in [`Robustness::candidates`] order.
    pub left: Vec<f64>,
    /// Right side at each candidate.
    pub right: Vec<f64>,
    /// Whether it holds at each candidate.
    pub holds: Vec<bool>,
}

impl ClaimCheck {
    /// Whether the claim fails at some candidate.
    pub fn flips(&self) -> bool {
        self.holds.iter().any(|h| !h)
    }
}

/// The claims of the notes across the candidates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Robustness {
    /// The factor of the best objective that bounds the candidates.
    pub near: f64,
    /// The candidates, best first: the first is the fit (the defaults).
    pub candidates: Vec<Candidate>,
    /// Every claim, in the order of the notes.
    pub claims: Vec<ClaimCheck>,
}

impl Robustness {
    /// The claims that fail at some candidate.
    pub fn flipping(&self) -> Vec<&ClaimCheck> {
        self.claims.iter().filter(|c| c.flips()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(cs: u64) -> Params {
        Params {
            context_switch_ns: cs,
            wakeup_latency_ns: 1,
            wakeup_jitter_ns: 1,
            tick_ns: 1,
            timer_slack_ns: 0,
            futex_wake_ns: 0,
            idle_wakeup_extra_ns: None,
            idle_wakeup_half_ns: None,
            socket_scale: None,
        }
    }

    #[test]
    fn near_optimal_keeps_points_within_five_percent_best_first() {
        let fit = Fit {
            params: params(2),
            objective_before: 0.2,
            objective_after: 0.10,
            cross_validation: Vec::new(),
            grid: vec![(params(1), 0.104), (params(2), 0.10), (params(3), 0.106), (params(4), 0.105)],
        };
        let near: Vec<u64> = near_optimal(&fit).iter().map(|c| c.params.context_switch_ns).collect();
        assert_eq!(near, [2, 1, 4, 3]);
        let mut more = fit.clone();
        more.grid.extend((5..12).map(|cs| (params(cs), 0.104 - 1e-4 * cs as f64)));
        let near: Vec<u64> = near_optimal(&more).iter().map(|c| c.params.context_switch_ns).collect();
        assert_eq!(near, [2, 11, 10, 9, 8, 7, 6, 5, 1, 4]);
    }

    #[test]
    fn a_sharp_fit_still_gives_the_five_best_points() {
        let fit = Fit {
            params: params(1),
            objective_before: 0.2,
            objective_after: 0.10,
            cross_validation: Vec::new(),
            grid: (1..9).map(|cs| (params(cs), 0.10 + 0.01 * f64::from(cs as u32 - 1))).collect(),
        };
        let near: Vec<u64> = near_optimal(&fit).iter().map(|c| c.params.context_switch_ns).collect();
        assert_eq!(near, [1, 2, 3, 4, 5]);
    }
}
