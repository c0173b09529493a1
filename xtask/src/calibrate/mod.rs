//! `cargo xtask calibrate`: measure real CPython, compare with the model,
//! fit the model's free parameters.
//!
//! The measurements are `calibration/measure.py` (Python 2.7 and 3.x), run
//! once per run by this driver, which picks the interpreters (pyenv's and
//! those on `PATH`, or `--python`), repeats every point (`--runs`, 5 by
//! default; the old GIL's countdowns at least 10 times, their outcome is
//! bimodal) and records every run, pins runs to one core with `taskset`,
//! and drives gunicorn with wrk when both are installed. Every run passes
//! the quiet-window guard ([`guard`]) and every subprocess has a timeout
//! ([`proc`]). It writes `calibration/measured.json`, prints the comparison
//! with the simulator and writes the fit to `calibration/fitted.json`. The
//! site's "Model vs reality" page is rebuilt from those files by
//! `build-site`.
//!
//! `--quick` (what CI runs) measures a few seconds' worth on one interpreter
//! and checks only facts that hold on any machine; it fails when the
//! interpreter is missing or is not CPython, unless told `--skip-if-missing`.

pub mod guard;
pub mod proc;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use calibration::{
    AffinityRun, CountdownRun, Discards, EchoRun, EchoTrips, GuardSummary, HashData, InterpreterData, IntervalRun,
    LagRun, LagSample, MachineInfo, Measured, Placement, PoolMapRun, PoolStartRun, SCHEMA, SCHEMAS, SleepData,
    WsgiData, WsgiRun, max, median, min,
};
use serde_json::Value;

/// A family of measurements (`--only`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Family {
    /// CPU-bound countdown in 1, 2, 4, 8 threads and 2 processes, on all cores and on one.
    Countdown,
    /// Switch-interval cost: 2 and 4 threads at 5 ms ... 1 us.
    Interval,
    /// Blocking waits: sequential, threads, asyncio.
    Sleeps,
    /// The convoy echo: alone, next to 1, 2, 4 CPU threads, and the whole process on one core.
    Echo,
    /// hashlib in threads.
    Hash,
    /// Threads pinned to cores: countdown and echo.
    Affinity,
    /// multiprocessing: Pool.map chunk and argument sizes, start-up per start method.
    Pool,
    /// asyncio ticker lag.
    Asyncio,
    /// gunicorn under wrk.
    Wsgi,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::Countdown => "countdown",
            Family::Interval => "interval",
            Family::Sleeps => "sleeps",
            Family::Echo => "echo",
            Family::Hash => "hash",
            Family::Affinity => "affinity",
            Family::Pool => "pool",
            Family::Asyncio => "asyncio",
            Family::Wsgi => "wsgi",
        }
    }

    const ALL: [Family; 9] = [
        Family::Countdown,
        Family::Interval,
        Family::Sleeps,
        Family::Echo,
        Family::Hash,
        Family::Affinity,
        Family::Pool,
        Family::Asyncio,
        Family::Wsgi,
    ];
}

/// Options of `calibrate`.
#[derive(clap::Args)]
pub struct Args {
    /// Interpreters to measure (default: pyenv's versions and python2/python3 on PATH).
    #[arg(long = "python", value_name = "PATH")]
    python: Vec<PathBuf>,
    /// A few seconds on one interpreter, checking only robust facts; writes nothing.
    #[arg(long)]
    quick: bool,
    /// When an interpreter given with --python (or `python3` for --quick)
    /// does not exist, say so and go on (exit 0) instead of failing.
    #[arg(long)]
    skip_if_missing: bool,
    /// Skip the gunicorn measurements.
    #[arg(long)]
    no_wsgi: bool,
    /// Skip the fit (measure and compare only).
    #[arg(long)]
    no_fit: bool,
    /// Compare and fit the existing calibration/measured.json without measuring.
    #[arg(long, conflicts_with = "quick")]
    reuse: bool,
    /// Compare at these parameters instead of the code's defaults:
    /// `context_switch,wakeup_latency,wakeup_jitter,timer_slack,futex_wake,tick` in ns.
    #[arg(long, value_name = "CS,WAKE,JITTER,SLACK,FUTEX_WAKE,TICK")]
    params: Option<String>,
    /// Measure only these families again (comma-separated or repeated),
    /// keeping the rest of calibration/measured.json.
    #[arg(long, value_name = "PART", value_enum, value_delimiter = ',', conflicts_with_all = ["quick", "reuse"])]
    only: Vec<Family>,
    /// Runs per point (the old GIL's countdowns: twice as many, at least 10).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Measure without waiting for quiet windows or discarding disturbed runs.
    #[arg(long)]
    no_guard: bool,
    /// Longest wait for a quiet machine before a run, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    max_wait: u64,
    /// Seconds before a measuring subprocess is killed (and the calibration fails).
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
}

/// An interpreter found.
#[derive(Clone, Debug)]
struct Python {
    path: PathBuf,
    version: String,
    gil: String,
}

impl Python {
    fn at_least(&self, v: &[u32]) -> bool {
        version_key(&self.version).as_slice() >= v
    }
}

/// Prints a progress line (measurements take minutes).
#[allow(clippy::print_stderr)]
pub(crate) fn say(msg: &str) {
    eprintln!("  {msg}");
}

/// Strings from `&str`s, for argument lists.
fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

/// `median 1.23 (1.20-1.31)`.
fn spread(runs: &[f64], unit: &str, scale: f64) -> String {
    format!("median {:.3}{unit} ({:.3}-{:.3})", median(runs) * scale, min(runs) * scale, max(runs) * scale)
}

/// `, 2 discarded` or nothing.
fn discards_note(d: Discards) -> String {
    let mut s = String::new();
    if d.discarded > 0 {
        s.push_str(&format!(", {} discarded", d.discarded));
    }
    if d.noisy > 0 {
        s.push_str(&format!(", {} kept disturbed", d.noisy));
    }
    s
}

/// The runs of one point.
struct Point {
    values: Vec<Value>,
    discards: Discards,
}

impl Point {
    fn numbers(&self, key: &str) -> Result<Vec<f64>> {
        self.values.iter().map(|v| number(v, key)).collect()
    }
}

fn number(v: &Value, key: &str) -> Result<f64> {
    v.get(key).and_then(Value::as_f64).ok_or_else(|| anyhow!("measure.py printed no `{key}`: {v}"))
}

/// The measuring context: where the script is, the guard, runs, timeout.
struct Ctx<'a> {
    root: &'a Path,
    guard: guard::Guard,
    runs: u32,
    timeout: Duration,
}

impl Ctx<'_> {
    fn new<'a>(root: &'a Path, args: &Args, config: guard::Config) -> Ctx<'a> {
        let guard = if args.no_guard { guard::Guard::off() } else { guard::Guard::new(config) };
        Ctx { root, guard, runs: args.runs, timeout: Duration::from_secs(args.timeout) }
    }

    /// Runs for a point of the old GIL's bimodal countdowns.
    fn runs_bimodal(&self) -> u32 {
        (2 * self.runs).max(10)
    }

    /// `n` runs of `measure.py ARGS`, each past the guard.
    fn point(&mut self, label: &str, n: u32, py: &Path, args: &[String], pinned: bool) -> Result<Point> {
        let mut values = Vec::new();
        let mut discards = Discards::default();
        let (root, timeout) = (self.root, self.timeout);
        for _ in 0..n {
            let s = self.guard.run(label, || measure_once(root, timeout, py, args, pinned))?;
            discards.discarded += s.discarded;
            discards.noisy += u32::from(s.noisy);
            values.push(s.value);
        }
        Ok(Point { values, discards })
    }
}

/// Runs `measure.py ARGS` once (pinned to core 0 with taskset): its JSON.
fn measure_once(root: &Path, timeout: Duration, py: &Path, args: &[String], pinned: bool) -> Result<Value> {
    let mut cmd = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "0"]).arg(py);
        c
    } else {
        Command::new(py)
    };
    cmd.arg(root.join("calibration/measure.py")).args(args).current_dir(root.join("calibration"));
    let what = proc::show(&cmd);
    let out = proc::output(&mut cmd, timeout)?;
    ensure!(out.status.success(), "`{what}` failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
    match serde_json::from_str::<Value>(line.trim()) {
        Ok(v) if v.is_object() => Ok(v),
        _ => bail!("`{what}` printed no JSON object: {:?}", text.trim()),
    }
}

/// What `measure.py info` says of `path`: a CPython, or an error naming it.
fn describe(root: &Path, timeout: Duration, path: &Path) -> Result<Python> {
    let info = measure_once(root, timeout.min(Duration::from_secs(60)), path, &["info".into()], false)?;
    let text = |key: &str| -> Result<String> {
        info.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| {
            anyhow!("{} is not a Python that measure.py understands: no `{key}` in {info}", path.display())
        })
    };
    let implementation = text("implementation")?;
    ensure!(implementation == "cpython", "{} is {implementation}, not CPython", path.display());
    Ok(Python { path: path.to_owned(), version: text("version")?, gil: text("gil")? })
}

fn version_key(v: &str) -> Vec<u32> {
    v.split('.').filter_map(|p| p.parse().ok()).collect()
}

/// Interpreters, one per version, oldest first: the given ones (each must
/// be a CPython; a missing one is skipped only with `skip_if_missing`), or
/// pyenv's versions and `python2`, `python3` on `PATH` (whatever of those
/// is not a CPython is skipped with a message).
fn discover(root: &Path, timeout: Duration, given: &[PathBuf], skip_if_missing: bool) -> Result<Vec<Python>> {
    let mut found = Vec::new();
    if given.is_empty() {
        let mut candidates = Vec::new();
        let pyenv = std::env::var_os("PYENV_ROOT")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")));
        if let Some(dir) = pyenv.map(|p| p.join("versions")) {
            if let Ok(entries) = std::fs::read_dir(dir) {
                let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("bin/python")).collect();
                paths.sort();
                candidates.extend(paths.into_iter().filter(|p| p.exists()));
            }
        }
        candidates.extend(["python2", "python3"].iter().map(PathBuf::from));
        for c in candidates {
            match describe(root, timeout, &c) {
                Ok(p) => found.push(p),
                Err(e) if e.downcast_ref::<proc::Missing>().is_some() => {}
                // The first line says why (a pyenv shim explains at length).
                Err(e) => say(&format!("skipping {}: {}", c.display(), format!("{e:#}").lines().next().unwrap_or(""))),
            }
        }
    } else {
        for c in given {
            match describe(root, timeout, c) {
                Ok(p) => found.push(p),
                Err(e) if skip_if_missing && e.downcast_ref::<proc::Missing>().is_some() => {
                    say(&format!("{} not found: skipped (--skip-if-missing)", c.display()));
                }
                Err(e) => return Err(e.context(format!("cannot use --python {}", c.display()))),
            }
        }
    }
    let mut by_version: BTreeMap<Vec<u32>, Python> = BTreeMap::new();
    for p in found {
        by_version.entry(version_key(&p.version)).or_insert(p);
    }
    Ok(by_version.into_values().collect())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

fn today() -> Result<String> {
    let out = proc::output(Command::new("date").arg("+%Y-%m-%d"), Duration::from_secs(10))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Countdown iterations for about `seconds` of single-thread work.
fn iterations(ns_per_iter: f64, seconds: f64) -> u64 {
    ((seconds * 1e9 / ns_per_iter) as u64 / 1_000_000).max(1) * 1_000_000
}

/// `5ms` for an interval, `default` for none.
fn interval_name(i: Option<f64>) -> String {
    i.map_or_else(|| "default".to_owned(), calibration::interval_label)
}

/// A new interpreter entry: its speed and the countdown size, no families.
fn new_interpreter(ctx: &mut Ctx<'_>, py: &Python) -> Result<InterpreterData> {
    let p = ctx.point(&format!("{} iter-speed", py.version), 1, &py.path, &["iter-speed".into()], false)?;
    let ns_per_iter = p.numbers("ns_per_iter")?[0];
    say(&format!("{} {ns_per_iter:.1} ns per countdown iteration", py.version));
    Ok(InterpreterData {
        version: py.version.clone(),
        gil: py.gil.clone(),
        ns_per_iter,
        countdown_n: iterations(ns_per_iter, 1.0),
        ..InterpreterData::default()
    })
}

/// Measures `family` on `py`, replacing that family's data in `d`.
fn measure_family(ctx: &mut Ctx<'_>, py: &Python, d: &mut InterpreterData, family: Family) -> Result<()> {
    match family {
        Family::Countdown => d.countdown = measure_countdown(ctx, py, d.countdown_n)?,
        Family::Interval => {
            if py.gil == "new" {
                let all = measure_interval(ctx, py, iterations(d.ns_per_iter, 0.5))?;
                (d.interval_cost, d.interval_more) = all.into_iter().partition(|r| r.threads == 2);
            }
        }
        Family::Sleeps => d.sleeps = Some(measure_sleeps(ctx, py)?),
        Family::Echo => {
            let (free, process) = measure_echo(ctx, py)?;
            d.echo = free;
            d.echo_placed.retain(|e| e.placement != Placement::Process);
            d.echo_placed.extend(process);
            d.echo_placed.sort_by_key(|e| e.placement);
        }
        Family::Hash => d.hash = Some(measure_hash(ctx, py)?),
        Family::Affinity => {
            if cores() < 2 {
                say("one core: the affinity family needs two");
                return Ok(());
            }
            d.affinity = measure_affinity(ctx, py, d.countdown_n)?;
            let base = d.echo.iter().find(|e| e.cpu_threads == 0).and_then(EchoRun::median_trip_us);
            let placed = measure_echo_affinity(ctx, py, base)?;
            d.echo_placed.retain(|e| !matches!(e.placement, Placement::SameCore | Placement::OtherCore));
            d.echo_placed.extend(placed);
            d.echo_placed.sort_by_key(|e| e.placement);
        }
        Family::Pool => {
            d.pool_map = measure_pool_map(ctx, py)?;
            d.pool_start = measure_pool_start(ctx, py)?;
        }
        Family::Asyncio => {
            if py.at_least(&[3, 5]) {
                d.asyncio_lag = measure_asyncio(ctx, py, iterations(d.ns_per_iter, 0.5))?;
            }
        }
        Family::Wsgi => {}
    }
    Ok(())
}

fn measure_countdown(ctx: &mut Ctx<'_>, py: &Python, n: u64) -> Result<Vec<CountdownRun>> {
    // The old GIL's multi-thread outcome depends on a race at each release.
    let reps = if py.gil == "old" { ctx.runs_bimodal() } else { ctx.runs };
    let mut out = Vec::new();
    for pinned in [false, true] {
        for (mode, k) in [("threads", 1u32), ("threads", 2), ("threads", 4), ("threads", 8), ("processes", 2)] {
            let label = format!("{} countdown {k} {mode}{}", py.version, if pinned { ", one core" } else { "" });
            let args = strings(&["countdown", &n.to_string(), &k.to_string(), mode]);
            let p = ctx.point(&label, reps, &py.path, &args, pinned)?;
            let runs = p.numbers("seconds")?;
            say(&format!("{label}: {}{}", spread(&runs, " s", 1.0), discards_note(p.discards)));
            out.push(CountdownRun {
                pinned,
                mode: mode.into(),
                threads: k,
                seconds: min(&runs),
                runs,
                discards: p.discards,
            });
        }
    }
    Ok(out)
}

fn measure_interval(ctx: &mut Ctx<'_>, py: &Python, n: u64) -> Result<Vec<IntervalRun>> {
    let mut out = Vec::new();
    for threads in [2u32, 4] {
        for interval in [0.005, 0.001, 0.0001, 0.00001, 0.000001] {
            let label = format!("{} {threads} threads at {}", py.version, calibration::interval_label(interval));
            let args = strings(&["countdown", &n.to_string(), &threads.to_string(), "threads", &interval.to_string()]);
            let p = ctx.point(&label, ctx.runs, &py.path, &args, false)?;
            let runs = p.numbers("seconds")?;
            say(&format!("{label}: {}{}", spread(&runs, " s", 1.0), discards_note(p.discards)));
            out.push(IntervalRun {
                interval_s: interval,
                threads,
                seconds: min(&runs),
                runs,
                discards: p.discards,
                countdown_n: n,
            });
        }
    }
    Ok(out)
}

fn measure_sleeps(ctx: &mut Ctx<'_>, py: &Python) -> Result<SleepData> {
    let (tasks, count, ms) = (8u32, 4u32, 25.0);
    let modes: &[&str] =
        if py.at_least(&[3, 5]) { &["sequential", "threads", "asyncio"] } else { &["sequential", "threads"] };
    let mut seconds = BTreeMap::new();
    let mut all = BTreeMap::new();
    let mut discards = Discards::default();
    for mode in modes {
        let label = format!("{} sleeps {mode}", py.version);
        let args = strings(&["sleeps", &tasks.to_string(), &count.to_string(), &ms.to_string(), mode]);
        let p = ctx.point(&label, ctx.runs, &py.path, &args, false)?;
        let runs = p.numbers("seconds")?;
        say(&format!("{label}: {}{}", spread(&runs, " s", 1.0), discards_note(p.discards)));
        seconds.insert((*mode).to_owned(), min(&runs));
        all.insert((*mode).to_owned(), runs);
        discards.add(p.discards);
    }
    Ok(SleepData { tasks, count, ms, seconds, runs: all, discards })
}

/// One echo point: `cpu` CPU-bound threads at `interval`, trips' lost
/// intervals counted above `base_us`.
fn echo_point(
    ctx: &mut Ctx<'_>,
    py: &Python,
    cpu: u32,
    interval: Option<f64>,
    base_us: Option<f64>,
    placement: Placement,
) -> Result<EchoRun> {
    // Enough trips for a histogram at the longest interval.
    let seconds = if interval.is_some_and(|i| i >= 0.005) && cpu > 0 { 2.0 } else { 1.0 };
    let pin = match placement {
        Placement::SameCore => "same",
        Placement::OtherCore => "other",
        Placement::Free | Placement::Process => "none",
    };
    let args = strings(&[
        "echo",
        &seconds.to_string(),
        &cpu.to_string(),
        &interval.unwrap_or(0.0).to_string(),
        &base_us.unwrap_or(0.0).to_string(),
        pin,
    ]);
    let label = format!(
        "{} echo, {cpu} CPU threads, {}, {}",
        py.version,
        interval_name(interval),
        placement.name().replace('_', " ")
    );
    let p = ctx.point(&label, ctx.runs, &py.path, &args, placement == Placement::Process)?;
    let runs = p.numbers("rps")?;
    let mut trips = Vec::new();
    let mut quarters: Vec<u64> = Vec::new();
    let mut shares = Vec::new();
    for v in &p.values {
        let rtt = v.get("rtt_us").ok_or_else(|| anyhow!("echo printed no rtt_us: {v}"))?;
        let lost = match v.get("lost") {
            Some(l) => Some(serde_json::from_value::<[u64; 4]>(l.clone()).context("echo's `lost`")?),
            None => None,
        };
        if let Some(q) = v.get("lost_quarters") {
            let q: Vec<u64> = serde_json::from_value(q.clone()).context("echo's `lost_quarters`")?;
            quarters.resize(q.len().max(quarters.len()), 0);
            for (a, b) in quarters.iter_mut().zip(q) {
                *a += b;
            }
        }
        if let Some(s) = v.get("two_interval_share").and_then(Value::as_f64) {
            shares.push(s);
        }
        trips.push(EchoTrips {
            trips: number(v, "trips")? as u64,
            seconds: number(v, "seconds")?,
            median_us: number(rtt, "median")?,
            mean_us: number(rtt, "mean")?,
            p10_us: number(rtt, "p10")?,
            p90_us: number(rtt, "p90")?,
            p99_us: number(rtt, "p99")?,
            max_us: number(rtt, "max")?,
            lost,
        });
    }
    if let Some(observed) = p.values.iter().find_map(|v| v.get("observed")) {
        check_echo_pinning(observed, placement)?;
    }
    let run = EchoRun {
        cpu_threads: cpu,
        interval_s: interval,
        rps: median(&runs),
        two_interval_share: (cpu > 0 && !shares.is_empty()).then(|| shares.iter().sum::<f64>() / shares.len() as f64),
        placement,
        runs,
        trips,
        lost_quarters: quarters,
        base_us: base_us.filter(|_| interval.is_some()),
        discards: p.discards,
    };
    let lost = run
        .lost_shares()
        .map(|s| format!(", lost ~0/1/2/3+ intervals: {:.2}/{:.2}/{:.2}/{:.2}", s[0], s[1], s[2], s[3]))
        .unwrap_or_default();
    say(&format!(
        "{label}: {}, median trip {:.0} us{lost}{}",
        spread(&run.runs, "/s", 1.0),
        run.median_trip_us().unwrap_or(f64::NAN),
        discards_note(run.discards)
    ));
    Ok(run)
}

/// The echo thread and the CPU-bound thread ran where they were put.
fn check_echo_pinning(observed: &Value, placement: Placement) -> Result<()> {
    let cpus = |k: &str| -> Option<Vec<u64>> { serde_json::from_value(observed.get(k)?.clone()).ok() };
    if let (Some(e), Some(c)) = (cpus("echo"), cpus("cpu")) {
        let same = e == c && e.len() == 1;
        let other = e.len() == 1 && c.len() == 1 && e != c;
        ensure!(
            (placement == Placement::SameCore && same) || (placement == Placement::OtherCore && other),
            "pinning did not take effect: echo thread on {e:?}, CPU thread on {c:?} ({})",
            placement.name()
        );
    }
    Ok(())
}

/// The echo alone and next to CPU-bound threads (unpinned), then the whole
/// server process on one core.
fn measure_echo(ctx: &mut Ctx<'_>, py: &Python) -> Result<(Vec<EchoRun>, Vec<EchoRun>)> {
    let new = py.gil == "new";
    let intervals: Vec<Option<f64>> = if new { vec![Some(0.005), Some(0.001), Some(0.0001)] } else { vec![None] };
    let cpus: &[u32] = if new { &[1, 2, 4] } else { &[1, 2] };
    let alone = echo_point(ctx, py, 0, intervals[0], None, Placement::Free)?;
    let base = alone.median_trip_us();
    let mut free = vec![alone];
    for &cpu in cpus {
        for &interval in &intervals {
            free.push(echo_point(ctx, py, cpu, interval, base, Placement::Free)?);
        }
    }
    let alone = echo_point(ctx, py, 0, intervals[0], None, Placement::Process)?;
    let base = alone.median_trip_us();
    let mut process = vec![alone];
    for cpu in [1, 2] {
        process.push(echo_point(ctx, py, cpu, intervals[0], base, Placement::Process)?);
    }
    Ok((free, process))
}

/// The echo next to one CPU-bound thread pinned to the echo thread's core
/// and to the other core.
fn measure_echo_affinity(ctx: &mut Ctx<'_>, py: &Python, base: Option<f64>) -> Result<Vec<EchoRun>> {
    let interval = (py.gil == "new").then_some(0.005);
    let mut out = Vec::new();
    for placement in [Placement::SameCore, Placement::OtherCore] {
        out.push(echo_point(ctx, py, 1, interval, base, placement)?);
    }
    Ok(out)
}

/// Countdown threads pinned from inside: both on one core, on two cores,
/// and four threads over two cores.
fn measure_affinity(ctx: &mut Ctx<'_>, py: &Python, n: u64) -> Result<Vec<AffinityRun>> {
    let reps = if py.gil == "old" { ctx.runs_bimodal() } else { ctx.runs };
    let mut out = Vec::new();
    for cpus in [vec![0u32, 0], vec![0, 1], vec![0, 1, 0, 1]] {
        let list = cpus.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let label = format!("{} countdown, threads pinned to cores {list}", py.version);
        let args = strings(&["countdown-affinity", &n.to_string(), &list]);
        let p = ctx.point(&label, reps, &py.path, &args, false)?;
        for v in &p.values {
            let observed: Vec<Vec<u32>> = serde_json::from_value(v.get("observed").cloned().unwrap_or_default())
                .context("countdown-affinity's `observed`")?;
            let want: Vec<u32> = serde_json::from_value(v.get("cpus").cloned().unwrap_or_default())
                .context("countdown-affinity's `cpus`")?;
            ensure!(
                observed.iter().zip(&want).all(|(o, w)| o == &vec![*w]) && observed.len() == want.len(),
                "{label}: pinning did not take effect: wanted {want:?}, threads saw {observed:?}"
            );
        }
        let method = p.values[0].get("method").and_then(Value::as_str).unwrap_or("unknown").to_owned();
        let runs = p.numbers("seconds")?;
        say(&format!("{label}: {}{}", spread(&runs, " s", 1.0), discards_note(p.discards)));
        out.push(AffinityRun {
            cpus,
            interval_s: None,
            countdown_n: n,
            method,
            seconds: min(&runs),
            runs,
            discards: p.discards,
        });
    }
    Ok(out)
}

fn measure_pool_map(ctx: &mut Ctx<'_>, py: &Python) -> Result<Vec<PoolMapRun>> {
    let workers = 2u32;
    let mut points: Vec<(u32, u32, u64)> = [1u32, 10, 100, 1250].iter().map(|&c| (10_000, c, 0)).collect();
    for payload in [1_000u64, 10_000, 100_000, 1_000_000] {
        // About 100 MB through the pipes at most.
        let tasks = (100_000_000 / payload).clamp(100, 10_000) as u32;
        points.push((tasks, 1, payload));
    }
    let mut out = Vec::new();
    for (tasks, chunksize, payload) in points {
        let label = format!("{} Pool({workers}).map {tasks} tasks, chunksize {chunksize}, {payload} B", py.version);
        let args = strings(&[
            "pool-map",
            &tasks.to_string(),
            &workers.to_string(),
            &chunksize.to_string(),
            &payload.to_string(),
            "fork",
        ]);
        let p = ctx.point(&label, ctx.runs, &py.path, &args, false)?;
        let runs = p.numbers("seconds")?;
        say(&format!(
            "{label}: per task {}{}",
            spread(&runs.iter().map(|s| s / f64::from(tasks)).collect::<Vec<_>>(), " us", 1e6),
            discards_note(p.discards)
        ));
        out.push(PoolMapRun {
            start_method: "fork".into(),
            workers,
            tasks,
            chunksize,
            payload_bytes: payload,
            seconds: min(&runs),
            runs,
            discards: p.discards,
        });
    }
    Ok(out)
}

fn measure_pool_start(ctx: &mut Ctx<'_>, py: &Python) -> Result<Vec<PoolStartRun>> {
    // Start methods arrived in 3.4; before, fork was all there was.
    let methods: &[&str] = if py.at_least(&[3, 4]) { &["fork", "spawn", "forkserver"] } else { &["fork"] };
    let mut out = Vec::new();
    for method in methods {
        for (kind, workers) in [("pool", 2u32), ("process", 1)] {
            let label = format!("{} {method} start-up, {kind}", py.version);
            let args = strings(&["pool-start", method, kind, &workers.to_string()]);
            let p = ctx.point(&label, ctx.runs, &py.path, &args, false)?;
            let runs = p.numbers("seconds")?;
            let again_runs = p.numbers("again_s")?;
            say(&format!(
                "{label}: first {}, again {}{}",
                spread(&runs, " ms", 1e3),
                spread(&again_runs, " ms", 1e3),
                discards_note(p.discards)
            ));
            out.push(PoolStartRun {
                start_method: (*method).into(),
                kind: kind.into(),
                workers,
                seconds: min(&runs),
                runs,
                again_runs,
                discards: p.discards,
            });
        }
    }
    Ok(out)
}

/// An asyncio lag point: mode, switch interval, countdown or seconds.
struct LagPoint {
    mode: &'static str,
    interval: Option<f64>,
    countdown_n: Option<u64>,
    seconds: Option<f64>,
}

fn measure_asyncio(ctx: &mut Ctx<'_>, py: &Python, n: u64) -> Result<Vec<LagRun>> {
    let tick_s = 0.001;
    let mut points = vec![LagPoint { mode: "alone", interval: None, countdown_n: None, seconds: Some(0.5) }];
    for interval in [0.005, 0.001, 0.0001] {
        points.push(LagPoint { mode: "thread", interval: Some(interval), countdown_n: Some(n), seconds: None });
    }
    points.push(LagPoint { mode: "block", interval: None, countdown_n: None, seconds: Some(0.05) });
    let mut out = Vec::new();
    for LagPoint { mode, interval, countdown_n, seconds } in points {
        let arg = countdown_n.map_or_else(|| seconds.unwrap_or(0.0).to_string(), |n| n.to_string());
        let label = format!("{} asyncio lag, {mode}, {}", py.version, interval_name(interval));
        let args = strings(&["aio-lag", mode, &arg, &interval.unwrap_or(0.0).to_string()]);
        let p = ctx.point(&label, ctx.runs, &py.path, &args, false)?;
        let runs: Vec<LagSample> = p
            .values
            .iter()
            .map(|v| {
                Ok(LagSample {
                    ticks: number(v, "ticks")? as u64,
                    max_lag_s: number(v, "max_lag_s")?,
                    mean_lag_s: number(v, "mean_lag_s")?,
                    p50_lag_s: number(v, "p50_lag_s")?,
                    p90_lag_s: number(v, "p90_lag_s")?,
                    p99_lag_s: number(v, "p99_lag_s")?,
                    work_s: number(v, "work_s")?,
                })
            })
            .collect::<Result<_>>()?;
        let maxes: Vec<f64> = runs.iter().map(|r| r.max_lag_s).collect();
        let means: Vec<f64> = runs.iter().map(|r| r.mean_lag_s).collect();
        let ticks: Vec<f64> = runs.iter().map(|r| r.ticks as f64).collect();
        say(&format!(
            "{label}: max lag {}, mean lag {}, ticks {:.0}{}",
            spread(&maxes, " ms", 1e3),
            spread(&means, " ms", 1e3),
            median(&ticks),
            discards_note(p.discards)
        ));
        out.push(LagRun {
            mode: mode.into(),
            interval_s: interval,
            tick_s,
            countdown_n,
            seconds,
            max_lag_s: median(&maxes),
            mean_lag_s: median(&means),
            ticks: median(&ticks),
            runs,
            discards: p.discards,
        });
    }
    Ok(out)
}

fn measure_hash(ctx: &mut Ctx<'_>, py: &Python) -> Result<HashData> {
    let (blocks, mb) = (16u32, 32u32);
    let mut seconds = BTreeMap::new();
    let mut all = BTreeMap::new();
    let mut discards = Discards::default();
    let mut releases_gil = true;
    for k in [1u32, 2, 4] {
        let label = format!("{} hash x{k}", py.version);
        let args = strings(&["hash", &k.to_string(), &blocks.to_string(), &mb.to_string()]);
        let p = ctx.point(&label, ctx.runs, &py.path, &args, false)?;
        releases_gil = p.values.iter().all(|v| v.get("releases_gil").and_then(Value::as_bool).unwrap_or(true));
        let runs = p.numbers("seconds")?;
        say(&format!("{label}: {}{}", spread(&runs, " s", 1.0), discards_note(p.discards)));
        seconds.insert(k, min(&runs));
        all.insert(k, runs);
        discards.add(p.discards);
    }
    Ok(HashData { blocks, mb, seconds, runs: all, discards, releases_gil })
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Parses wrk's `--latency` output: requests/s, p50 and p99 in ms.
fn parse_wrk(text: &str) -> Option<(f64, f64, f64)> {
    let ms = |v: &str| -> Option<f64> {
        let v = v.trim();
        let (num, unit) = v.find(|c: char| c.is_ascii_alphabetic()).map(|i| v.split_at(i))?;
        let x: f64 = num.parse().ok()?;
        Some(match unit {
            "us" => x / 1000.0,
            "ms" => x,
            "s" => x * 1000.0,
            "m" => x * 60_000.0,
            _ => return None,
        })
    };
    let rps =
        text.lines().find(|l| l.trim_start().starts_with("Requests/sec:"))?.split(':').nth(1)?.trim().parse().ok()?;
    let pct =
        |p: &str| text.lines().find(|l| l.trim_start().starts_with(p)).and_then(|l| ms(l.split_whitespace().nth(1)?));
    Some((rps, pct("50%")?, pct("99%")?))
}

/// One gunicorn run: start it, load it with wrk, stop it (and wait for its
/// workers, so their CPU counts as ours): requests/s, p50 and p99 in ms.
#[allow(clippy::too_many_arguments)]
fn gunicorn_once(
    root: &Path,
    py: &Path,
    endpoint: &str,
    workers: u32,
    threads: u32,
    env: &[(&str, String)],
    connections: u32,
    duration_s: f64,
) -> Result<(f64, f64, f64)> {
    use std::os::unix::process::CommandExt;
    let port = free_port()?;
    let mut cmd = Command::new(py);
    cmd.args(["-m", "gunicorn", "-k", "gthread", "-w", &workers.to_string(), "--threads", &threads.to_string()])
        .args(["--backlog", "2048", "-b", &format!("127.0.0.1:{port}"), "wsgi_app:app"])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(root.join("calibration"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    let what = proc::show(&cmd);
    let mut child = cmd.spawn().with_context(|| format!("cannot start `{what}`"))?;
    let result = (|| {
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = child.try_wait()? {
                bail!("`{what}` exited ({status}) before listening on {port}");
            }
            ensure!(start.elapsed() < Duration::from_secs(15), "`{what}` did not listen on {port} within 15 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        // A connection per request: gthread keeps a kept-alive connection
        // on the worker that accepted it, and wrk opens all of its
        // connections at once, so one worker would get them all.
        let mut wrk = Command::new("wrk");
        wrk.args(["-t2", &format!("-c{connections}"), &format!("-d{duration_s}s"), "--latency"])
            .args(["-H", "Connection: close"])
            .arg(format!("http://127.0.0.1:{port}/{endpoint}"));
        let out = proc::output(&mut wrk, Duration::from_secs_f64(duration_s + 30.0))?;
        let text = String::from_utf8_lossy(&out.stdout);
        parse_wrk(&text).ok_or_else(|| anyhow!("cannot read wrk's output:\n{text}"))
    })();
    // SIGTERM lets the master stop and reap its workers.
    proc::kill(child.id(), "TERM");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if Instant::now() > deadline {
            proc::kill_group(child.id(), "KILL");
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    result
}

/// Gunicorn (gthread) with workers x threads under wrk, for each endpoint.
fn measure_wsgi(ctx: &mut Ctx<'_>, pythons: &[Python]) -> Result<Option<WsgiData>> {
    if proc::output(Command::new("wrk").arg("--version"), Duration::from_secs(10)).is_err() {
        say("wrk not found: skipping the WSGI measurements (apt-get install wrk)");
        return Ok(None);
    }
    let with_gunicorn = pythons.iter().rev().find_map(|p| {
        let out =
            proc::output(Command::new(&p.path).args(["-m", "gunicorn", "--version"]), Duration::from_secs(30)).ok()?;
        out.status.success().then(|| (p, String::from_utf8_lossy(&out.stdout).trim().to_owned()))
    });
    let Some((py, gunicorn)) = with_gunicorn else {
        say("gunicorn not found: skipping the WSGI measurements (python -m pip install gunicorn)");
        return Ok(None);
    };
    let gunicorn = gunicorn
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .unwrap_or(&gunicorn)
        .trim_end_matches(')')
        .to_owned();
    let ns = ctx.point("iter-speed", 1, &py.path, &["iter-speed".into()], false)?.numbers("ns_per_iter")?[0];
    // Endpoint work: (ms of Python, ms of sleep).
    let endpoints: BTreeMap<String, (f64, f64)> =
        [("cpu".to_owned(), (5.0, 0.0)), ("io".to_owned(), (0.0, 20.0)), ("mixed".to_owned(), (2.0, 10.0))].into();
    let (connections, duration_s) = (16u32, 3.0);
    let mut runs = Vec::new();
    let (root, runs_per_point) = (ctx.root, ctx.runs);
    for (name, (cpu_ms, io_ms)) in &endpoints {
        let env =
            [("GIL_LAB_CPU_ITERS", ((cpu_ms * 1e6 / ns) as u64).to_string()), ("GIL_LAB_SLEEP_MS", io_ms.to_string())];
        for (workers, threads) in [(1u32, 1u32), (1, 4), (2, 1), (2, 4), (4, 4)] {
            let label = format!("gunicorn {name} -w {workers} --threads {threads}");
            let mut samples = Vec::new();
            let mut discards = Discards::default();
            for _ in 0..runs_per_point {
                let s = ctx.guard.run(&label, || {
                    gunicorn_once(root, &py.path, name, workers, threads, &env, connections, duration_s)
                })?;
                discards.discarded += s.discarded;
                discards.noisy += u32::from(s.noisy);
                samples.push(s.value);
            }
            let rps: Vec<f64> = samples.iter().map(|s| s.0).collect();
            let p50: Vec<f64> = samples.iter().map(|s| s.1).collect();
            let p99: Vec<f64> = samples.iter().map(|s| s.2).collect();
            say(&format!(
                "{label}: {}, p50 {}{}",
                spread(&rps, "/s", 1.0),
                spread(&p50, " ms", 1.0),
                discards_note(discards)
            ));
            runs.push(WsgiRun {
                endpoint: name.clone(),
                workers,
                threads,
                rps: median(&rps),
                p50_ms: median(&p50),
                p99_ms: median(&p99),
                runs: rps,
                p50_runs_ms: p50,
                p99_runs_ms: p99,
                discards,
            });
        }
    }
    Ok(Some(WsgiData { interpreter: py.version.clone(), gunicorn, connections, duration_s, endpoints, runs }))
}

/// Reads `calibration/measured.json` (any schema in [`SCHEMAS`]).
fn read_measured(path: &Path) -> Result<Measured> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let m: Measured = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}:{}: not a calibration file: {e}", path.display(), e.line()))?;
    ensure!(
        SCHEMAS.contains(&m.schema.as_str()),
        "{}:1: schema `{}`, expected one of {}",
        path.display(),
        m.schema,
        SCHEMAS.join(", ")
    );
    Ok(m)
}

fn write_measured(path: &Path, m: &Measured) -> Result<()> {
    std::fs::write(path, m.to_json()).with_context(|| format!("cannot write {}", path.display()))
}

/// Adds a session's guard totals to those already in the file.
fn merge_guard(old: Option<GuardSummary>, new: Option<GuardSummary>) -> Option<GuardSummary> {
    match (old, new) {
        (Some(o), Some(mut n)) => {
            n.runs += o.runs;
            n.discarded += o.discarded;
            n.noisy += o.noisy;
            n.waited_s += o.waited_s;
            Some(n)
        }
        (o, n) => n.or(o),
    }
}

/// Measures the chosen families (all without `--only`) and writes
/// `calibration/measured.json` after each interpreter.
#[allow(clippy::print_stdout)]
fn measure_all(root: &Path, args: &Args) -> Result<Measured> {
    let path = root.join("calibration/measured.json");
    let families: Vec<Family> = if args.only.is_empty() { Family::ALL.to_vec() } else { args.only.clone() };
    let mut m = if args.only.is_empty() {
        Measured {
            schema: SCHEMA.into(),
            date: today()?,
            machine: MachineInfo { cores: cores(), cpu: cpu_model(), os: std::env::consts::OS.into() },
            interpreters: Vec::new(),
            wsgi: None,
            guard: None,
        }
    } else {
        read_measured(&path)?
    };
    let config = guard::Config { max_wait: Duration::from_secs(args.max_wait), ..guard::Config::default() };
    let mut ctx = Ctx::new(root, args, config);
    let timeout = Duration::from_secs(args.timeout);
    let pythons = discover(root, timeout, &args.python, args.skip_if_missing)?;
    ensure!(!pythons.is_empty(), "no CPython found (give one with --python PATH)");
    let names: Vec<&str> = families.iter().map(|f| f.name()).collect();
    println!(
        "measuring {} on {} on {} cores, {} runs per point{}",
        names.join(", "),
        pythons.iter().map(|p| p.version.as_str()).collect::<Vec<_>>().join(", "),
        cores(),
        args.runs,
        if args.no_guard { ", no quiet-window guard" } else { "" }
    );
    let started = Instant::now();
    if families.iter().any(|f| *f != Family::Wsgi) {
        for py in &pythons {
            let i = match m.interpreters.iter().position(|d| d.version == py.version) {
                Some(i) => i,
                None => {
                    let d = new_interpreter(&mut ctx, py)?;
                    m.interpreters.push(d);
                    m.interpreters.sort_by_key(|d| version_key(&d.version));
                    m.interpreters.iter().position(|d| d.version == py.version).expect("just inserted")
                }
            };
            for &f in &families {
                measure_family(&mut ctx, py, &mut m.interpreters[i], f)?;
            }
            m.schema = SCHEMA.into();
            write_measured(&path, &m)?;
            say(&format!(
                "{} done ({:.0} min so far); wrote {}",
                py.version,
                started.elapsed().as_secs_f64() / 60.0,
                path.display()
            ));
        }
    }
    if families.contains(&Family::Wsgi) && !args.no_wsgi {
        m.wsgi = measure_wsgi(&mut ctx, &pythons)?;
    }
    m.schema = SCHEMA.into();
    m.date = today()?;
    m.machine = MachineInfo { cores: cores(), cpu: cpu_model(), os: std::env::consts::OS.into() };
    m.guard = merge_guard(m.guard.take(), ctx.guard.summary());
    if let Some(g) = &m.guard {
        println!(
            "quiet-window guard: {} runs kept, {} discarded, {} kept disturbed, {:.0} s waited for quiet",
            g.runs, g.discarded, g.noisy, g.waited_s
        );
    }
    write_measured(&path, &m)?;
    println!("wrote {}", path.display());
    Ok(m)
}

/// `cargo xtask calibrate`.
#[allow(clippy::print_stdout)]
pub fn run(root: &Path, args: &Args) -> Result<()> {
    if args.quick {
        return quick(root, args);
    }
    let measured =
        if args.reuse { read_measured(&root.join("calibration/measured.json"))? } else { measure_all(root, args)? };
    let params = match &args.params {
        None => calibration::current_params(),
        Some(text) => {
            let v: Vec<u64> = text
                .split(',')
                .map(|x| x.trim().parse())
                .collect::<Result<_, _>>()
                .map_err(|_| anyhow!("--params: six integers (ns), like 2000,1000,2000,50000,2000,10"))?;
            ensure!(v.len() == 6, "--params: six integers (ns), like 2000,1000,2000,50000,2000,10");
            calibration::Params {
                context_switch_ns: v[0],
                wakeup_latency_ns: v[1],
                wakeup_jitter_ns: v[2],
                timer_slack_ns: v[3],
                futex_wake_ns: v[4],
                tick_ns: v[5],
            }
        }
    };
    let cmp = calibration::compare(&measured, &params)?;
    print_rows(&cmp.rows);
    println!("published tables:");
    print_rows(&cmp.published);
    let mut groups: BTreeMap<&str, Vec<calibration::Row>> = BTreeMap::new();
    for r in &cmp.rows {
        groups.entry(r.group.as_str()).or_default().push(r.clone());
    }
    let within = cmp.rows.iter().filter(|r| r.agrees()).count();
    let worst = cmp.rows.iter().map(calibration::Row::factor).fold(1.0, f64::max);
    println!(
        "{within} of {} ratios agree (within {:.0}% or inside the measured spread), the worst off by {worst:.2}x; \
         mean squared log error {:.4} ({})",
        cmp.rows.len(),
        calibration::TOLERANCE * 100.0,
        calibration::objective(&cmp.rows),
        groups
            .iter()
            .map(|(g, rows)| format!("{g} {:.3}", calibration::objective(rows)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !args.no_fit {
        let fit = calibration::fit(&measured)?;
        println!(
            "fit: context switch {} ns, wake-up latency {} ns + jitter {} ns, tick {} ns; \
             mean squared log error {:.4} -> {:.4}",
            fit.params.context_switch_ns,
            fit.params.wakeup_latency_ns,
            fit.params.wakeup_jitter_ns,
            fit.params.tick_ns,
            fit.objective_before,
            fit.objective_after
        );
        for h in &fit.cross_validation {
            println!(
                "  left out {:<10} {:>3} ratios: error {:.4} -> {:.4}, agree {:.0}% -> {:.0}%",
                h.family,
                h.rows,
                h.error_in,
                h.error_out,
                h.agree_in * 100.0,
                h.agree_out * 100.0
            );
        }
        let path = root.join("calibration/fitted.json");
        std::fs::write(&path, serde_json::to_string_pretty(&fit)? + "\n")?;
        println!("wrote {} (the defaults in scheduler::Costs and Interp should match it)", path.display());
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_rows(rows: &[calibration::Row]) {
    for (source, rows) in calibration::by_source(rows) {
        println!("{source}");
        for r in rows {
            let spread = match (r.real_min, r.real_max) {
                (Some(lo), Some(hi)) => format!("({lo:.3}-{hi:.3})"),
                _ => String::new(),
            };
            println!(
                "  {:<24} real {:>9.3} {:<17} sim {:>9.3}  {:+5.0}% {}",
                r.what,
                r.real,
                spread,
                r.sim,
                r.error() * 100.0,
                if r.agrees() { "" } else { "(disagrees)" }
            );
        }
    }
}

/// `--quick`: robust facts on one CPython 3 (`python3`, or the first
/// `--python` with the new GIL). A missing interpreter fails unless
/// `--skip-if-missing`; one that is not CPython always fails.
#[allow(clippy::print_stdout)]
fn quick(root: &Path, args: &Args) -> Result<()> {
    let given: Vec<PathBuf> = if args.python.is_empty() { vec![PathBuf::from("python3")] } else { args.python.clone() };
    let timeout = Duration::from_secs(args.timeout);
    let found = discover(root, timeout, &given, args.skip_if_missing)?;
    if found.is_empty() {
        // Only reachable with --skip-if-missing: everything else errs above.
        println!("calibrate --quick: no interpreter found; skipped as asked (--skip-if-missing)");
        return Ok(());
    }
    let Some(py) = found.iter().find(|p| p.gil == "new") else {
        bail!(
            "calibrate --quick needs a CPython 3 with a GIL; found {}",
            found.iter().map(|p| format!("{} ({} GIL)", p.version, p.gil)).collect::<Vec<_>>().join(", ")
        );
    };
    // Seconds, not minutes, on a busy machine: wait briefly, repeat a
    // disturbed run once; the facts checked hold with a margin.
    let config = guard::Config { max_wait: Duration::from_secs(10), max_retries: 1, ..guard::Config::default() };
    let mut ctx = Ctx::new(root, args, config);
    let p = &py.path;
    println!("calibrate --quick on CPython {} ({} cores)", py.version, cores());
    let ns = ctx.point("iter-speed", 1, p, &["iter-speed".into()], false)?.numbers("ns_per_iter")?[0];
    let n = iterations(ns, 0.4).to_string();
    let mut time = |k: &str, mode: &str| -> Result<f64> {
        let args = strings(&["countdown", &n, k, mode]);
        Ok(min(&ctx.point(&format!("countdown {k} {mode}"), 2, p, &args, false)?.numbers("seconds")?))
    };
    let (seq, two) = (time("1", "threads")?, time("2", "threads")?);
    let speedup = seq / two;
    println!("  countdown: 1 thread {seq:.3} s, 2 threads {two:.3} s: speed-up {speedup:.2}");
    ensure!(speedup < 1.3, "CPU-bound threads ran {speedup:.2}x faster than one thread under the new GIL");
    if cores() >= 2 {
        let procs = time("2", "processes")?;
        println!("  countdown: 2 processes {procs:.3} s");
        ensure!(
            procs < two,
            "2 processes ({procs:.3} s) were not faster than 2 threads ({two:.3} s) on {} cores",
            cores()
        );
    } else {
        println!("  one core: processes vs threads not checked");
    }
    let mut rate = |cpu: &str| -> Result<f64> {
        let args = strings(&["echo", "0.5", cpu, "0.005"]);
        Ok(median(&ctx.point(&format!("echo next to {cpu} CPU threads"), 3, p, &args, false)?.numbers("rps")?))
    };
    let (alone, busy) = (rate("0")?, rate("1")?);
    println!("  echo: alone {alone:.0}/s, next to a CPU thread {busy:.0}/s ({:.0}x slower)", alone / busy);
    ensure!(alone >= 10.0 * busy, "an I/O thread next to a CPU-bound thread was only {:.1}x slower", alone / busy);
    println!("calibrate --quick: ok");
    Ok(())
}
