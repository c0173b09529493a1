//! `cargo xtask`: the project's automation, as Rust.

use anyhow::Result;
use clap::{Parser, Subcommand};

mod bench;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "gil-lab automation")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Benchmark the simulator on the standard busy scenario.
    BenchSim(bench::SimArgs),
}

fn main() -> Result<()> {
    match Cli::parse().task {
        Task::BenchSim(args) => bench::sim(&args),
    }
}
