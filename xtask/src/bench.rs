//! Benchmarks that print figures (performance targets live here, not in tests).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
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
    /// Instead: ns per event and bytes per thread for 10 to `--max-threads`
    /// CPU-bound and I/O-bound threads.
    #[arg(long)]
    scaling: bool,
    /// Largest thread count of `--scaling` (a power of ten times 10).
    #[arg(long, default_value_t = 100_000)]
    max_threads: usize,
    /// With `--scaling`: also draw ns per event against threads into this SVG.
    #[arg(long, value_name = "SVG", requires = "scaling")]
    chart: Option<std::path::PathBuf>,
    /// Events per `--scaling` run, roughly (the horizon is fitted to it).
    #[arg(long, default_value_t = 2_000_000)]
    events: u64,
    /// Instead: run the SimPy model of the busy scenario
    /// (`bench/simpy_model.py`) with this Python and compare.
    #[arg(long, value_name = "PYTHON", num_args = 0..=1, default_missing_value = "python3")]
    simpy: Option<String>,
    /// Internal: run one scaling point (`KIND:THREADS:HORIZON_NS`) in this
    /// fresh process and print its peak memory in bytes.
    #[arg(long, hide = true)]
    memory_of: Option<String>,
}

/// Pending events in the busy scenario: 6 threads and 2 cores.
const BUSY_ENTITIES: usize = 8;

/// Runs the chosen benchmark.
pub fn sim(root: &std::path::Path, args: &SimArgs) -> Result<()> {
    ensure!(args.runs > 0, "--runs must be at least 1");
    if let Some(spec) = &args.memory_of {
        memory_of(spec)
    } else if args.scaling {
        scaling(args)
    } else if let Some(python) = &args.simpy {
        simpy(root, python, args)
    } else {
        busy(args)
    }
}

/// Simulates the standard busy scenario (3 CPU-bound and 3 I/O-bound
/// threads, new GIL, 5 us switch interval, 2 cores) and prints the
/// simulator's speed in CPU time on one core, next to a minimal event loop
/// on a binary heap run for as many events.
#[allow(clippy::print_stdout)]
fn busy(args: &SimArgs) -> Result<()> {
    let scenario = scheduler::presets::busy(args.seconds);
    let (res, best) = fastest(&scenario, args.runs)?;
    let baseline = (0..args.runs).map(|_| heap_loop(BUSY_ENTITIES, res.events)).fold(f64::INFINITY, f64::min);
    let switches = res.gil_totals().switches;
    let rate = res.events as f64 / best;
    let base_rate = res.events as f64 / baseline;
    println!("scenario: 3 cpu-bound + 3 io-bound threads, new GIL, 5us switch interval, 2 cores");
    println!("simulated: {} s", args.seconds);
    println!("time: {best:.3} s (CPU time of the run, best of {})", args.runs);
    println!("events: {}", res.events);
    println!("gil-switches: {switches}");
    println!("events/s: {rate:.0}");
    println!("gil-switches/s: {:.0}", switches as f64 / best);
    println!("simulated-seconds/s: {:.2}", args.seconds as f64 / best);
    println!("baseline: BinaryHeap pop+push loop, {BUSY_ENTITIES} pending events, same event count");
    println!("baseline-time: {baseline:.3} s (best of {})", args.runs);
    println!("baseline-events/s: {base_rate:.0}");
    println!("ratio-to-baseline: {:.2}", rate / base_rate);
    Ok(())
}

/// A minimal discrete-event loop: `pending` events in a standard binary
/// heap keyed by (time, sequence, entity); each step pops the earliest and
/// schedules that entity's next event 0-100 us later (xorshift). Returns the
/// time `events` steps take.
fn heap_loop(pending: usize, events: u64) -> f64 {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next_delay = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % 100_000
    };
    let mut heap = BinaryHeap::with_capacity(pending);
    let mut seq = 0u64;
    for entity in 0..pending as u32 {
        seq += 1;
        heap.push(Reverse((next_delay(), seq, entity)));
    }
    let start = Timer::start();
    for _ in 0..events {
        let Reverse((time, _, entity)) = heap.pop().expect("the heap never empties");
        seq += 1;
        heap.push(Reverse((time + next_delay(), seq, entity)));
    }
    black_box(heap.peek());
    start.elapsed_s()
}

/// Prints ns per event and heap bytes per thread as the number of threads
/// grows, for the CPU-bound and the I/O-bound scaling scenarios.
#[allow(clippy::print_stdout)]
fn scaling(args: &SimArgs) -> Result<()> {
    ensure!(args.max_threads >= 10, "--max-threads must be at least 10");
    ensure!(args.events > 0, "--events must be at least 1");
    let sizes: Vec<usize> =
        std::iter::successors(Some(10usize), |n| Some(n * 10)).take_while(|n| *n <= args.max_threads).collect();
    println!("scenarios: n threads, new GIL, 5us switch interval, 2 cores");
    println!("  cpu: every thread runs bytecode forever");
    println!("  io:  every thread loops {{io: exp(n x 25us), python: exp(10us)}}");
    println!(
        "ns/event: CPU time of simulate() (wall time where unavailable) per event, best of {} runs of about {} events",
        args.runs, args.events
    );
    println!(
        "bytes/thread: peak resident memory of a fresh process running it, above that process before it, per thread"
    );
    println!(
        "{:<4} {:>8} {:>12} {:>12} {:>10} {:>13}",
        "kind", "threads", "events", "simulated", "ns/event", "bytes/thread"
    );
    let mut series = Vec::new();
    for kind in [Kind::Cpu, Kind::Io] {
        let mut first = None;
        let mut line = Vec::new();
        for &n in &sizes {
            let point = scaling_point(kind, n, args)?;
            line.push((n as f64, point.ns_per_event));
            let base = *first.get_or_insert(point.ns_per_event);
            let bytes = point.bytes.map_or("n/a".to_string(), |b| format!("{:.0}", b as f64 / n as f64));
            println!(
                "{:<4} {:>8} {:>10} {:>10.4} s {:>6.1} ms {:>10.1} {:>13}  ({:.2}x the 10-thread cost)",
                kind.name(),
                n,
                point.events,
                point.horizon_ns as f64 / 1e9,
                point.setup_s * 1e3,
                point.ns_per_event,
                bytes,
                point.ns_per_event / base
            );
        }
        series.push(charts::Series { label: format!("{}-bound", kind.name()), points: line });
    }
    if let Some(path) = &args.chart {
        let chart = charts::Chart {
            id: "scaling".into(),
            title: "Simulator cost per event against the number of threads".into(),
            description: "CPU time per simulated event (including setup) for CPU-bound and I/O-bound threads, \
                          from `cargo xtask bench-sim --scaling`"
                .into(),
            plot: charts::Plot::Line {
                x: charts::Axis { label: "threads".into(), log: true },
                y: charts::Axis { label: "ns per event".into(), log: false },
                series,
            },
            fit: charts::Fit::default(),
        };
        std::fs::write(path, charts::svg(&chart))?;
        println!("chart: {}", path.display());
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Kind {
    Cpu,
    Io,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Cpu => "cpu",
            Kind::Io => "io",
        }
    }

    fn scenario(self, n: usize, horizon_ns: u64) -> scheduler::Scenario {
        match self {
            Kind::Cpu => scheduler::presets::scaling_cpu(n, horizon_ns),
            Kind::Io => scheduler::presets::scaling_io(n, horizon_ns),
        }
    }
}

struct Point {
    horizon_ns: u64,
    events: u64,
    ns_per_event: f64,
    /// A run with a zero horizon: setting up and starting the threads.
    setup_s: f64,
    /// Peak resident bytes above the starting point (Linux only).
    bytes: Option<u64>,
}

fn scaling_point(kind: Kind, n: usize, args: &SimArgs) -> Result<Point> {
    // A pilot run fits the horizon to the wanted number of events.
    let mut horizon_ns = 1_000_000u64;
    loop {
        let res = scheduler::simulate(&kind.scenario(n, horizon_ns))?;
        if res.events * 4 >= args.events || horizon_ns >= 1_000_000_000_000 {
            let scale = args.events as f64 / res.events.max(1) as f64;
            horizon_ns = ((horizon_ns as f64 * scale) as u64).max(1);
            break;
        }
        horizon_ns *= 10;
    }
    let scenario = kind.scenario(n, horizon_ns);
    let mut best = f64::INFINITY;
    let mut events = 0;
    for _ in 0..args.runs {
        let start = Timer::start();
        let res = scheduler::simulate(&scenario)?;
        best = best.min(start.elapsed_s());
        events = res.events;
    }
    // Setting up and starting every thread (a 1 ns horizon).
    let empty = kind.scenario(n, 1);
    let mut setup = f64::INFINITY;
    for _ in 0..args.runs {
        let start = Timer::start();
        scheduler::simulate(&empty)?;
        setup = setup.min(start.elapsed_s());
    }
    // Memory in a fresh process: this one's allocator keeps what earlier runs freed.
    let out = std::process::Command::new(std::env::current_exe()?)
        .args(["bench-sim", "--memory-of", &format!("{}:{n}:{horizon_ns}", kind.name())])
        .output()?;
    ensure!(out.status.success(), "the memory run failed: {}", String::from_utf8_lossy(&out.stderr));
    let bytes = String::from_utf8_lossy(&out.stdout).trim().parse().ok();
    Ok(Point { horizon_ns, events, ns_per_event: best * 1e9 / events.max(1) as f64, setup_s: setup, bytes })
}

/// Runs one scaling point and prints its peak resident memory above the
/// process's size before it (or `n/a`).
#[allow(clippy::print_stdout)]
fn memory_of(spec: &str) -> Result<()> {
    let parts: Vec<&str> = spec.split(':').collect();
    ensure!(parts.len() == 3, "--memory-of takes KIND:THREADS:HORIZON_NS");
    let kind = match parts[0] {
        "cpu" => Kind::Cpu,
        "io" => Kind::Io,
        other => anyhow::bail!("--memory-of: unknown kind {other}"),
    };
    let (n, horizon_ns): (usize, u64) = (parts[1].parse()?, parts[2].parse()?);
    let before = memory::reset_peak();
    let res = scheduler::simulate(&kind.scenario(n, horizon_ns))?;
    black_box(res.events);
    match before.and_then(|rss| memory::peak().map(|peak| peak.saturating_sub(rss))) {
        Some(bytes) => println!("{bytes}"),
        None => println!("n/a"),
    }
    Ok(())
}

/// CPU time of this thread (the machine is shared: wall time counts other
/// processes' turns), or wall time where the platform has no thread clock.
struct Timer {
    wall: Instant,
    cpu: Option<cpu_time::ThreadTime>,
}

impl Timer {
    fn start() -> Timer {
        Timer { wall: Instant::now(), cpu: cpu_time::ThreadTime::try_now().ok() }
    }

    fn elapsed_s(&self) -> f64 {
        match &self.cpu {
            Some(cpu) => cpu.elapsed().as_secs_f64(),
            None => self.wall.elapsed().as_secs_f64(),
        }
    }
}

/// The SimPy model of the busy scenario, side by side with the simulator.
#[allow(clippy::print_stdout)]
fn simpy(root: &std::path::Path, python: &str, args: &SimArgs) -> Result<()> {
    let script = root.join("bench").join("simpy_model.py");
    let probe = std::process::Command::new(python).args(["-c", "import simpy"]).output();
    match probe {
        Ok(out) if out.status.success() => {}
        _ => {
            println!("skipped: `{python}` with the simpy package is not available (pip install simpy)");
            return Ok(());
        }
    }
    let seconds = args.seconds;
    let out = std::process::Command::new(python)
        .arg(&script)
        .args(["--seconds", &seconds.to_string(), "--runs", &args.runs.to_string()])
        .output()?;
    ensure!(out.status.success(), "{} failed: {}", script.display(), String::from_utf8_lossy(&out.stderr));
    let py: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let field = |k: &str| py[k].as_f64().ok_or_else(|| anyhow::anyhow!("simpy_model.py printed no `{k}`"));
    let (py_cpu, py_events) = (field("cpu_s")?, field("events")?);
    let (py_switches, py_drops) = (field("switches")?, field("forced_drops")?);

    let scenario = scheduler::presets::busy(seconds);
    let (res, best) = fastest(&scenario, args.runs)?;
    let gil = res.gil_totals();
    let s = seconds as f64;
    println!("scenario: 3 cpu-bound + 3 io-bound threads, new GIL, 5us switch interval, 2 cores, {seconds} s");
    println!("{:<28} {:>14} {:>14} {:>8}", "per simulated second", "gil-lab", "simpy", "diff");
    for (name, ours, theirs) in [
        ("events", res.events as f64 / s, py_events / s),
        ("gil switches", gil.switches as f64 / s, py_switches / s),
        ("forced drops", gil.forced_drops as f64 / s, py_drops / s),
    ] {
        println!("{name:<28} {ours:>14.0} {theirs:>14.0} {:>7.2}%", (ours / theirs - 1.0) * 100.0);
    }
    println!("cpu time: gil-lab {best:.3} s, simpy {py_cpu:.3} s (best of {} each)", args.runs);
    println!("speed-up: {:.0}x", py_cpu / best);
    Ok(())
}

/// Peak resident memory from `/proc/self/status` (Linux); `None` elsewhere.
mod memory {
    /// Resets the peak to the current resident size and returns that size.
    pub fn reset_peak() -> Option<u64> {
        // Writing 5 to clear_refs resets VmHWM (Linux 4.0 and later).
        std::fs::write("/proc/self/clear_refs", "5").ok()?;
        field("VmRSS:")
    }

    /// The peak resident size since the last reset.
    pub fn peak() -> Option<u64> {
        field("VmHWM:")
    }

    fn field(name: &str) -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line[name.len()..].trim().trim_end_matches("kB").trim().parse().ok()?;
        Some(kb * 1024)
    }
}

/// Runs `scenario` `runs` times (at least once): its result and the fastest
/// run's CPU time in seconds.
fn fastest(scenario: &scheduler::Scenario, runs: u32) -> Result<(scheduler::SimResult, f64)> {
    let start = Timer::start();
    let res = scheduler::simulate(scenario)?;
    let mut best = start.elapsed_s();
    for _ in 1..runs {
        let start = Timer::start();
        scheduler::simulate(scenario)?;
        best = best.min(start.elapsed_s());
    }
    Ok((res, best))
}
