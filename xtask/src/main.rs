//! `cargo xtask`: the project's automation, as Rust.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bench;
mod calibrate;
mod sim;
mod site;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "gil-lab automation")]
struct Cli {
    /// Repository root (default: the workspace this xtask was built from).
    #[arg(long, global = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Run every experiment the notes use and write the study site to site/.
    BuildSite(site::BuildArgs),
    /// Check notes, experiments, claims, quizzes and links; write nothing.
    Check,
    /// Print every named value of experiments (for writing notes and claims).
    Values {
        /// Experiment ids (notes/experiments/ID.yaml).
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Build, serve on 127.0.0.1, rebuild and reload on change.
    Serve(site::serve::ServeArgs),
    /// Time a clean build and a warm rebuild of the site.
    BenchSite,
    /// Run a scenario file (or its sweep) and print the results.
    Sim(sim::Args),
    /// Benchmark the simulator on the standard busy scenario.
    BenchSim(bench::SimArgs),
    /// Measure real CPython, compare with the model, fit its parameters.
    Calibrate(calibrate::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."));
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let res = match cli.task {
        Task::BuildSite(args) => site::build(&root, &args),
        Task::Check => site::check(&root),
        Task::Values { ids } => site::values(&root, &ids),
        Task::Serve(args) => site::serve::serve(&root, &args),
        Task::BenchSite => site::bench(&root),
        Task::Sim(args) => sim::run(&args),
        Task::BenchSim(args) => bench::sim(&root, &args),
        Task::Calibrate(args) => calibrate::run(&root, &args),
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
