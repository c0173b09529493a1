//! Integration tests of the simulator: one binary, a module per concern.

mod behaviour;
mod invariants;
mod support;
mod systems;
mod trace_snapshots;
