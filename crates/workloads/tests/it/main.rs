//! Integration tests of scenario files: one binary, a module per concern.

mod bad_input;
mod boundary;
mod docs;
mod examples;
mod fuzz;
mod refused;
mod systems;
