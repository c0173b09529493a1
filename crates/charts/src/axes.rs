//! Axis ranges and ticks: what plotters can draw, round linear ticks and
//! log ticks whose labels never touch.

use crate::tick;

/// Largest magnitude an axis spans: plotters' tick search never ends on an
/// infinite or zero bound (a log axis from 5e-324 to 1e308 hung a build).
pub(crate) const AXIS_MAX: f64 = 1e300;
/// A log axis spans at most 1e-150 to 1e150: the ratio of its bounds must
/// stay finite too, or plotters counts ticks up to `usize::MAX`.
pub(crate) const LOG_MAX: f64 = 1e150;

/// Whether a value can be placed on an axis: beyond [`AXIS_MAX`] it would
/// overflow plotters' pixel arithmetic; such values stay in the data table.
pub(crate) fn drawable(v: f64, log: bool) -> bool {
    v.is_finite() && if log { (1.0 / LOG_MAX..=LOG_MAX).contains(&v) } else { v.abs() <= AXIS_MAX }
}

/// `lo..hi` made drawable: finite, non-empty, within ±[`AXIS_MAX`] (within
/// 1/[`LOG_MAX`] to [`LOG_MAX`] on a log axis).
pub(crate) fn bounded(lo: f64, hi: f64, log: bool) -> (f64, f64) {
    if log {
        let lo = if lo.is_nan() { 1.0 } else { lo.clamp(1.0 / LOG_MAX, LOG_MAX / 10.0) };
        let hi = if hi.is_nan() || hi <= lo { lo * 10.0 } else { hi.min(LOG_MAX) };
        return (lo, hi);
    }
    let lo = if lo.is_nan() { 0.0 } else { lo.clamp(-AXIS_MAX, AXIS_MAX / 2.0) };
    let hi = if hi.is_nan() || hi <= lo { lo + lo.abs().max(1.0) } else { hi.min(AXIS_MAX) };
    (lo, hi)
}

/// Range of values padded a little, never empty; positive for log axes.
pub(crate) fn range(values: impl Iterator<Item = f64>, log: bool, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| drawable(*v, log)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return if log { (1.0, 10.0) } else { (0.0, 1.0) };
    }
    if log {
        return bounded(lo / 1.5, hi * 1.5, true);
    }
    if from_zero && lo > 0.0 {
        lo = 0.0;
    }
    if hi <= lo {
        hi = lo + lo.abs().max(1.0);
    }
    let pad = (hi - lo) * 0.06;
    bounded(if from_zero && lo >= 0.0 { lo } else { lo - pad }, hi + pad, false)
}

/// The label of band `i` at `pos` = i + 0.5, nothing elsewhere: ticks fall
/// on band edges and middles, and only the middles are labelled.
pub(crate) fn middle_label(pos: f64, names: &[String]) -> String {
    let i = pos.floor() as usize;
    if (pos - pos.floor() - 0.5).abs() < 1e-6 && i < names.len() { names[i].clone() } else { String::new() }
}

/// Round ticks from `lo` to `hi`, at most `max` of them (1, 2 or 5 times a
/// power of ten apart).
pub(crate) fn linear_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let span = hi - lo;
    if span.is_nan() || span <= 0.0 || max < 2 {
        return vec![lo];
    }
    let mut step = 10f64.powf((span / max as f64).log10().floor());
    if !step.is_normal() {
        // A span of subnormal numbers: no round step exists between them.
        return vec![lo, hi];
    }
    for m in [1.0, 2.0, 5.0, 10.0, 20.0, 50.0] {
        if span / (step * m) <= max as f64 {
            step *= m;
            break;
        }
    }
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Ticks of a log axis from `lo` to `hi`, `pixels` long: the densest of
/// 1-9, 1-2-5, 1-3, 1 times a power of ten (then every other power, ...)
/// whose neighbours stand at least `gap(a, b)` pixels apart.
pub(crate) fn log_ticks(lo: f64, hi: f64, pixels: f64, gap: &dyn Fn(&str, &str) -> f64) -> Vec<f64> {
    let at = |v: f64| pixels * (v / lo).ln() / (hi / lo).ln();
    let fits = |ticks: &[f64]| ticks.windows(2).all(|w| at(w[1]) - at(w[0]) >= gap(&tick(w[0]), &tick(w[1])));
    let decades = |mults: &[f64], every: i32| {
        let mut out = Vec::new();
        let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
        let mut e = first;
        while e <= last {
            for m in mults {
                let v = m * 10f64.powi(e);
                if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                    out.push(v);
                }
            }
            e += every;
        }
        out
    };
    let all: [&[f64]; 4] = [&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], &[1.0, 2.0, 5.0], &[1.0, 3.0], &[1.0]];
    for mults in all {
        let t = decades(mults, 1);
        if t.len() >= 2 && fits(&t) {
            return t;
        }
    }
    for every in 2..=12 {
        let t = decades(&[1.0], every);
        if t.len() >= 2 && fits(&t) {
            return t;
        }
    }
    // Less than a decade with no round value inside: ticks as on a linear axis.
    let mut t = linear_ticks(lo, hi, 5);
    while t.len() > 2 && !fits(&t) {
        t = linear_ticks(lo, hi, t.len() - 1);
    }
    t
}

/// The minor grid of a log axis: every 1-9 multiple of a power of ten.
pub(crate) fn log_grid(lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut e = lo.log10().floor() as i32;
    while 10f64.powi(e) <= hi {
        for m in 1..10 {
            let v = f64::from(m) * 10f64.powi(e);
            if v >= lo && v <= hi {
                out.push(v);
            }
        }
        e += 1;
    }
    out
}
