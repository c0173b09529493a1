//! Charts, tables and pages of simulation results.
//!
//! `text` renders plain-text tables for the command line. Everything here is a
//! pure function of results; callers decide where output goes.

pub mod text;
