//! Benchmarks that print figures (performance targets live here, not in tests).

use std::time::Instant;

use anyhow::{Result, ensure};

/// Options of `cargo xtask bench-sim`.
#[derive(clap::Args)]
pub struct SimArgs {
    /// Simulated seconds of the busy scenario.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Runs; the fastest one is reported (wall time on a shared VM varies by
    /// several percent from run to run).
    #[arg(long, default_value_t = 5)]
    runs: u32,
}

/// Simulates the standard busy scenario (3 CPU-bound and 3 I/O-bound
/// threads, new GIL, 5 us switch interval, 2 cores) and prints the
/// simulator's speed in wall time on one core.
#[allow(clippy::print_stdout)]
pub fn sim(args: &SimArgs) -> Result<()> {
    ensure!(args.runs > 0, "--runs must be at least 1");
    let scenario = workloads::presets::busy(args.seconds);
    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..args.runs {
        let start = Instant::now();
        let res = scheduler::simulate(&scenario)?;
        best = best.min(start.elapsed().as_secs_f64());
        result = Some(res);
    }
    let res = result.expect("at least one run");
    let switches = res.gil_totals().switches;
    println!("scenario: 3 cpu-bound + 3 io-bound threads, new GIL, 5us switch interval, 2 cores");
    println!("simulated: {} s", args.seconds);
    println!("wall: {best:.3} s (best of {})", args.runs);
    println!("events: {}", res.events);
    println!("gil-switches: {switches}");
    println!("events/s: {:.0}", res.events as f64 / best);
    println!("gil-switches/s: {:.0}", switches as f64 / best);
    println!("simulated-seconds/s: {:.2}", args.seconds as f64 / best);
    Ok(())
}
