//! `cargo xtask`: the project's automation, as Rust.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bench;
mod sim;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "gil-lab automation")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Run a scenario file (or its sweep) and print the results.
    Sim(sim::Args),
    /// Benchmark the simulator on the standard busy scenario.
    BenchSim(bench::SimArgs),
}

fn main() -> ExitCode {
    let res = match Cli::parse().task {
        Task::Sim(args) => sim::run(&args),
        Task::BenchSim(args) => bench::sim(&args),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A load error renders its own `error:` title, place and snippet.
            let text = format!("{e:#}");
            if text.starts_with("error") {
                eprintln!("{text}")
            } else {
                eprintln!("error: {text}")
            }
            ExitCode::FAILURE
        }
    }
}
