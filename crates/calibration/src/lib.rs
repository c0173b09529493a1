//! Model vs reality for gil-lab.
//!
//! `cargo xtask calibrate` measures real interpreters and writes
//! [`Measured`] (`calibration/measured.json`). This crate turns every
//! measurement into its simulated twin, a typed scenario with the same work
//! ([`twins`]), runs the twins, compares the ratios ([`compare`]) and fits
//! the model's free parameters ([`fit`]). The site shows the [`Comparison`]
//! on the "Model vs reality" page.
//!
//! ```
//! let m: calibration::Measured = serde_json::from_str(include_str!("../tests/small.json")).unwrap();
//! let cmp = calibration::compare(&m, &calibration::current_params()).unwrap();
//! // Published tables are simulated at the same parameters.
//! assert!(cmp.published.iter().any(|r| r.source == "Beazley 2010" && r.sim > 1.5));
//! ```

pub mod comparison;
mod fingerprint;
pub mod fit;
pub mod hosts;
pub mod measured;
pub mod plan;
pub mod robustness;
pub mod twins;

pub use comparison::{Comparison, Params, Row, TOLERANCE};
pub use fingerprint::code_fingerprint;
pub use fit::{FITTED, Fit, HeldOut, balanced, fit, objective};
pub use hosts::Host;
pub use measured::*;
pub use plan::{Job, by_source, compare, compare_host, current_params, interval_label, run, run_seeds};
pub use robustness::{Candidate, ClaimCheck, Robustness, near_optimal};

/// Why a comparison or a fit failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A twin did not compile, failed in the simulator or gave no result.
    #[error("calibration twin {0}")]
    Twin(String),
    /// The fit was given no parameters to try.
    #[error("the fit's grid is empty")]
    EmptyGrid,
}

/// A source's id in value names: `py3.12.1`, `beazley2010`, `wsgi`.
pub fn source_id(source: &str) -> String {
    if source.contains("gunicorn") {
        return "wsgi".into();
    }
    if source.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return format!("py{source}");
    }
    source.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}
