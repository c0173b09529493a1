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

mod families;
pub mod guard;
pub mod proc;
mod python;
mod quick;
mod wsgi;

use families::*;
use python::*;
use quick::quick;
use wsgi::measure_wsgi;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use calibration::{
    AffinityRun, CountdownRun, Discards, EchoRun, EchoTrips, GuardSummary, HashData, InterpreterData, IntervalRun,
    LagRun, LagSample, MachineInfo, Measured, Placement, PoolMapRun, PoolStartRun, SCHEMA, SCHEMAS, Session, SleepData,
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
            d.echo_placed
                .retain(|e| !matches!(e.placement, Placement::Free | Placement::SameCore | Placement::OtherCore));
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
            sessions: Vec::new(),
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
    let machine = MachineInfo { cores: cores(), cpu: cpu_model(), os: std::env::consts::OS.into() };
    if args.only.is_empty() {
        (m.date, m.machine) = (today()?, machine);
    } else {
        // The rest of the file is from the full measurement: say which
        // families came later, and from where.
        let interpreters = if families.contains(&Family::Wsgi) {
            Vec::new()
        } else {
            pythons.iter().map(|p| p.version.clone()).collect()
        };
        if machine.cpu != m.machine.cpu && calibration::hosts::by_cpu(&machine.cpu).is_none() {
            println!(
                "note: this machine ({}) is not the one the fit describes ({}) and has no costs of its own in \
                 crates/calibration/src/hosts.rs, so these families are compared at the fitted costs",
                machine.cpu, m.machine.cpu
            );
        }
        m.sessions.push(Session {
            date: today()?,
            machine,
            families: names.iter().map(|n| (*n).to_owned()).collect(),
            interpreters,
        });
    }
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
                idle_wakeup_extra_ns: None,
                idle_wakeup_half_ns: None,
                socket_scale: None,
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
    print_kept(root, &measured, &params)?;
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

/// The measurements kept in `calibration/hosts/` (another host's, or runs a
/// later session replaced), each compared at its host's costs and not
/// counted in the main table.
#[allow(clippy::print_stdout)]
fn print_kept(root: &Path, m: &Measured, params: &calibration::Params) -> Result<()> {
    let dir = root.join("calibration/hosts");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(()) };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let h: calibration::HostMeasurement =
            serde_json::from_str(&text).map_err(|e| anyhow!("{}:{}: {e}", file.display(), e.line()))?;
        let rows = calibration::compare_host(m, &h, params)?;
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // The rows say which host's costs they ran at.
        let costs = match rows.iter().find_map(|r| r.host.as_deref()) {
            Some(id) => format!("{id}'s costs"),
            None if h.machine.cpu == m.machine.cpu => "the fitted costs".to_owned(),
            None => "the fitted costs: no costs of its own".to_owned(),
        };
        println!("kept, not counted above: calibration/hosts/{name} ({}, {}; at {costs})", h.machine.cpu, h.date);
        print_rows(&rows);
        let within = rows.iter().filter(|r| r.agrees()).count();
        println!("  {within} of {} agree", rows.len());
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
                match (r.agrees(), &r.host) {
                    (true, None) => String::new(),
                    (false, None) => "(disagrees)".into(),
                    (true, Some(h)) => format!("[{h}]"),
                    (false, Some(h)) => format!("(disagrees) [{h}]"),
                }
            );
        }
    }
}
