//! The systems the study notes talk about, as runnable scenarios.
//!
//! [`presets`] builds the standard scenarios in Rust (CPU-bound threads and
//! processes, the I/O convoy, the benchmark's busy mix).

pub mod presets;
