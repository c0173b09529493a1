//! `cargo xtask`: the project's automation, as Rust.

use std::path::{Path, PathBuf};

use anyhow::Context;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bench;
mod build;
// Being rewritten elsewhere (its model moves into a library): its lints are
// the rewrite's to fix.
#[allow(clippy::collapsible_if, clippy::manual_is_multiple_of)]
mod calibrate;
mod sim;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "gil-lab automation")]
struct Cli {
    /// Repository root (default: the gil-lab checkout that contains the
    /// current directory, found as cargo finds a workspace).
    #[arg(long, global = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Run every experiment the notes use and write the study site to site/.
    BuildSite(build::BuildArgs),
    /// Check notes, experiments, claims, quizzes and links, and whether each
    /// claim holds at every parameter set near the fit; write nothing.
    Check(build::CheckArgs),
    /// Print every named value of experiments (for writing notes and claims).
    Values {
        /// Experiment ids (notes/experiments/ID.yaml).
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Build, serve on 127.0.0.1, rebuild and reload on change.
    Serve(build::serve::ServeArgs),
    /// Time a clean build and a warm rebuild of the site.
    BenchSite,
    /// Run a scenario file (or its sweep) and print the results.
    Sim(sim::Args),
    /// Benchmark the simulator on the standard busy scenario.
    BenchSim(bench::SimArgs),
    /// Measure real CPython, compare with the model, fit its parameters.
    Calibrate(calibrate::Args),
}

/// Whether `dir` is a gil-lab checkout: a workspace manifest beside `notes/`.
fn is_checkout(dir: &Path) -> bool {
    dir.join("notes").is_dir()
        && std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|t| t.lines().any(|l| l.trim() == "[workspace]"))
}

/// The checkout to work on: `--root`, else the nearest ancestor of the
/// current directory that is one (as cargo looks for its workspace; a
/// copied or installed binary carries no path of its own).
fn find_root(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(root) = given {
        let root =
            std::fs::canonicalize(&root).with_context(|| format!("--root {}: no such directory", root.display()))?;
        anyhow::ensure!(
            is_checkout(&root),
            "--root {}: not a gil-lab checkout (no workspace Cargo.toml beside notes/)",
            root.display()
        );
        return Ok(root);
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    cwd.ancestors().find(|d| is_checkout(d)).map(Path::to_owned).ok_or_else(|| {
        anyhow::anyhow!(
            "{} is not inside a gil-lab checkout (no workspace Cargo.toml beside notes/ here or above): \
             run from the repository or pass --root",
            cwd.display()
        )
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match cli.task {
        // A scenario file needs no checkout.
        Task::Sim(args) => sim::run(&args),
        task => find_root(cli.root).and_then(|root| run(&root, task)),
    };
    report(res)
}

fn run(root: &Path, task: Task) -> anyhow::Result<()> {
    match task {
        Task::BuildSite(args) => build::build(root, &args),
        Task::Check(args) => build::check(root, &args),
        Task::Values { ids } => build::values(root, &ids),
        Task::Serve(args) => build::serve::serve(root, &args),
        Task::BenchSite => build::bench(root),
        Task::Sim(args) => sim::run(&args),
        Task::BenchSim(args) => bench::sim(root, &args),
        Task::Calibrate(args) => calibrate::run(root, &args),
    }
}

fn report(res: anyhow::Result<()>) -> ExitCode {
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
