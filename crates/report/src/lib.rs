//! Charts, tables and pages of simulation results.
//!
//! `chart` draws SVG charts; `experiment` reads experiment definitions and
//! derives values and charts from results; `expr` evaluates values and
//! claims; `format` writes numbers; `i18n` holds the two languages and the
//! words the generator writes; `text` renders plain-text tables for the
//! command line. Everything here is a pure function of its inputs; callers
//! decide where output goes.

pub mod calibration;
pub mod chart;
pub mod experiment;
pub mod expr;
pub mod format;
pub mod i18n;
pub mod markdown;
pub mod quiz;
pub mod search;
pub mod site;
pub mod text;
