//! The ratios to compare, their simulation, the comparison and the fit.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::comparison::{Comparison, Params, Row};
use crate::hosts::Host;
use crate::measured::{InterpreterData, Measured, Placement};
use crate::twins::{Gil, LagMode, SleepMode, Twin};
use crate::{Error, source_id};
use workloads::schema::{File, StartMethod};

/// The parameters the code uses by default.
pub fn current_params() -> Params {
    let c = scheduler::Costs::default();
    Params {
        context_switch_ns: c.context_switch_ns,
        wakeup_latency_ns: c.wakeup_latency_ns,
        wakeup_jitter_ns: c.wakeup_jitter_ns,
        tick_ns: scheduler::Interp::default().tick_ns,
        timer_slack_ns: c.timer_slack_ns,
        futex_wake_ns: c.futex_wake_ns,
        idle_wakeup_extra_ns: None,
        idle_wakeup_half_ns: None,
        socket_scale: None,
    }
}

/// A twin to run and how to read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// What to simulate.
    pub twin: Twin,
    /// Seeds to average the metric over (1, 2, ...): more than one where the
    /// model locks into a seed-dependent cycle.
    pub seeds: u32,
    /// Factor applied to the metric (a shortened run's time scaled back up).
    pub scale: f64,
}

/// Work (simulated seconds) of each seed's run when several are averaged; a
/// CPU-bound countdown's time is proportional to its work once the threads
/// settle, so the run is scaled back to the measured length. 0.1 s moved no
/// compared ratio by more than 0.3% from 0.2 s and halved the comparison's
/// CPU time, most of which these old-GIL runs take.
const SEEDED_WORK_S: f64 = 0.1;

/// Seeds averaged for the old GIL's countdowns with several threads: their
/// threads lock into a steady cycle whose phase (1 or 2 extra check
/// intervals per turn) depends on the start, so one seed may land in either.
const OLD_GIL_SEEDS: u32 = 8;

fn countdown(gil: Gil, cores: u32, seq_s: f64, k: u32, processes: bool, interval_s: Option<f64>) -> Job {
    countdown_job(gil, cores, seq_s, k, processes, interval_s, Vec::new())
}

/// A countdown split over threads each pinned to its entry of `pins`.
fn pinned_countdown(gil: Gil, cores: u32, seq_s: f64, pins: &[u32]) -> Job {
    countdown_job(gil, cores, seq_s, pins.len() as u32, false, None, pins.to_vec())
}

fn countdown_job(
    gil: Gil,
    cores: u32,
    seq_s: f64,
    k: u32,
    processes: bool,
    interval_s: Option<f64>,
    pins: Vec<u32>,
) -> Job {
    let seeds = if gil == Gil::Old && k > 1 && !processes { OLD_GIL_SEEDS } else { 1 };
    let work_s = if seeds > 1 { seq_s.min(SEEDED_WORK_S) } else { seq_s };
    Job {
        twin: Twin::Countdown { gil, cores, work_s, threads: k, processes, interval_s, pins },
        seeds,
        scale: seq_s / work_s,
    }
}

/// A warm pool's map; its time per task.
fn pool_map(cores: u32, version: &str, r: &crate::measured::PoolMapRun) -> Job {
    let twin = Twin::PoolMap {
        cores,
        workers: r.workers,
        tasks: r.tasks,
        chunksize: r.chunksize,
        payload_bytes: r.payload_bytes,
        costs: crate::twins::pool_task::for_version(version),
    };
    Job { twin, seeds: 1, scale: 1.0 / f64::from(r.tasks.max(1)) }
}

/// The median of a point's runs, or its one time.
fn typical(seconds: f64, runs: &[f64]) -> f64 {
    if runs.is_empty() { seconds } else { crate::median(runs) }
}

fn sleeps(gil: Gil, cores: u32, tasks: u32, count: u32, ms: f64, mode: SleepMode) -> Job {
    Job { twin: Twin::Sleeps { gil, cores, tasks, count, ms, mode }, seeds: 1, scale: 1.0 }
}

fn echo(gil: Gil, cores: u32, rtt_s: f64, cpu: u32, interval_s: Option<f64>, trips: u32) -> Job {
    placed_echo(gil, cores, rtt_s, cpu, interval_s, trips, Placement::Free)
}

/// The echo with its threads pinned as `placement` says.
fn placed_echo(
    gil: Gil,
    cores: u32,
    rtt_s: f64,
    cpu: u32,
    interval_s: Option<f64>,
    trips: u32,
    placement: Placement,
) -> Job {
    Job { twin: Twin::Echo { gil, cores, rtt_s, cpu, interval_s, trips, placement }, seeds: 1, scale: 1.0 }
}

fn aio(gil: Gil, cores: u32, interval_s: Option<f64>, tick_s: f64, mode: LagMode, seconds: f64) -> Job {
    Job { twin: Twin::AioLag { gil, cores, interval_s, tick_s, mode, seconds }, seeds: 3, scale: 1.0 }
}

fn hash(gil: Gil, cores: u32, per_block_s: f64, blocks: u32, k: u32, releases: bool) -> Job {
    Job { twin: Twin::Hash { gil, cores, per_block_s, blocks, threads: k, releases }, seeds: 1, scale: 1.0 }
}

/// A gunicorn run's simulated twin: workers x threads serving one endpoint
/// to `clients` closed-loop clients. `overhead_ms` is the Python each
/// request costs outside the endpoint (HTTP parsing, the response), taken
/// from the one-worker, one-thread CPU run.
#[allow(clippy::too_many_arguments)]
fn wsgi(
    cores: u32,
    workers: u32,
    threads: u32,
    cpu_ms: f64,
    io_ms: f64,
    overhead_ms: f64,
    clients: u32,
    seconds: f64,
) -> Job {
    Job {
        twin: Twin::Wsgi { cores, workers, threads, cpu_ms, io_ms, overhead_ms, clients, seconds },
        seeds: 1,
        scale: 1.0,
    }
}

/// Runs a job at parameters `p`: its metric (the mean over its seeds).
pub fn run(job: &Job, p: &Params) -> Result<f64, Error> {
    let each = run_seeds(job, p)?;
    Ok(each.iter().sum::<f64>() / each.len().max(1) as f64)
}

/// Runs a job at parameters `p`: its metric for each of its seeds, scaled.
pub fn run_seeds(job: &Job, p: &Params) -> Result<Vec<f64>, Error> {
    let file = job.twin.scenario(p)?;
    job.seed_numbers().map(|seed| run_seed(job, &file, seed)).collect()
}

impl Job {
    /// The seeds its metric is averaged over: 1, 2, ...
    fn seed_numbers(&self) -> std::ops::RangeInclusive<u32> {
        1..=self.seeds.max(1)
    }
}

/// One seed of a job whose scenario is `file`: its metric, scaled.
fn run_seed(job: &Job, file: &File, seed: u32) -> Result<f64, Error> {
    let mut file = file.clone();
    file.seed = u64::from(seed);
    Ok(job.twin.simulate(file)? * job.scale)
}

/// A ratio to compute: real value, and how to get the simulated one from
/// jobs (numerator / denominator, or denominator / numerator).
pub(crate) struct Plan {
    group: &'static str,
    what: String,
    source: String,
    real: f64,
    num: Job,
    den: Job,
    /// Simulated rate ratios: trips/s alone over trips/s next to a CPU thread.
    rates: Option<(u32, u32)>,
    /// With `rates`: instead of the rate ratio, switch intervals lost per
    /// trip, from the trip times next to a CPU thread and alone (this
    /// interval, seconds). Without: the numerator's metric over this length.
    intervals: Option<f64>,
    /// The measured ratio's spread over the runs, where runs were recorded.
    spread: Option<(f64, f64)>,
}

/// The host whose costs a plan of `m` runs at, when not the fitted
/// machine's: a family measured again on another host runs at its costs.
pub(crate) fn host_in(m: &Measured) -> impl Fn(&Plan) -> Option<&'static Host> + '_ {
    |pl| crate::hosts::of_family(m, pl.group, &pl.source)
}

fn best(d: &InterpreterData, pinned: bool, mode: &str, k: u32) -> Option<f64> {
    point(d, pinned, mode, k).map(|p| p.0)
}

/// A countdown point: its time (the median of its runs, or the one time of
/// a file without runs) and its runs.
fn point<'a>(d: &'a InterpreterData, pinned: bool, mode: &str, k: u32) -> Option<(f64, &'a [f64])> {
    d.countdown
        .iter()
        .find(|c| c.pinned == pinned && c.mode == mode && c.threads == k)
        .map(|c| (typical(c.seconds, &c.runs), c.runs.as_slice()))
}

/// The spread of a measured ratio `f(num, den)`: every run of each side
/// against the other side's median. None without runs.
fn spread(num: (f64, &[f64]), den: (f64, &[f64]), f: impl Fn(f64, f64) -> f64) -> Option<(f64, f64)> {
    let values: Vec<f64> = num
        .1
        .iter()
        .map(|&x| f(x, den.0))
        .chain(den.1.iter().map(|&y| f(num.0, y)))
        .filter(|v| v.is_finite())
        .collect();
    (values.len() >= 2).then(|| (crate::min(&values), crate::max(&values)))
}

/// How long (simulated) the fit's countdowns run; ratios do not depend on it.
const FIT_SECONDS: f64 = 0.25;

pub(crate) fn plans(m: &Measured, fit: bool) -> Vec<Plan> {
    // Long on purpose: the table of every compared ratio, family by family,
    // reads best in one place.
    let cores = m.machine.cores.max(1);
    let mut out = Vec::new();
    for d in &m.interpreters {
        let gil = Gil::parse(&d.gil);
        if gil == Gil::None {
            continue;
        }
        let src = d.version.clone();
        let Some(seq) = best(d, false, "threads", 1) else { continue };
        let sim_seq = if fit { FIT_SECONDS } else { seq };
        for (pinned, c) in [(false, cores), (true, 1)] {
            let Some(base) = point(d, pinned, "threads", 1) else { continue };
            // Eight threads are compared, not fitted: under the old GIL they
            // need a mechanism the model lacks (docs/calibration.md item 22),
            // and fitting the wake-up costs to them trades other rows.
            let ks: &[u32] = if fit { &[2, 4] } else { &[2, 4, 8] };
            for &k in ks {
                if let Some(t) = point(d, pinned, "threads", k) {
                    out.push(Plan {
                        group: "countdown",
                        what: format!("{}threads{k}/seq", if pinned { "pinned " } else { "" }),
                        source: src.clone(),
                        real: t.0 / base.0,
                        num: countdown(gil, c, sim_seq, k, false, None),
                        den: countdown(gil, c, sim_seq, 1, false, None),
                        rates: None,
                        intervals: None,
                        spread: spread(t, base, |a, b| a / b),
                    });
                }
            }
        }
        if let (Some(pr), Some(th)) = (point(d, false, "processes", 2), point(d, false, "threads", 2)) {
            out.push(Plan {
                group: "countdown",
                what: "procs2/threads2".into(),
                source: src.clone(),
                real: pr.0 / th.0,
                num: countdown(gil, cores, sim_seq, 2, true, None),
                den: countdown(gil, cores, sim_seq, 2, false, None),
                rates: None,
                intervals: None,
                spread: spread(pr, th, |a, b| a / b),
            });
        }
        // Threads pinned from inside (the affinity family), against the
        // same threads pinned to one core, measured in the same session (a
        // base from another session carries the machine's drift between
        // sessions). Compared, not fitted: the old GIL's starving echo runs
        // to its horizon, too slow for every grid point.
        let one_core = d.affinity.iter().find(|r| r.cpus.len() > 1 && r.cpus.iter().all(|&c| c == r.cpus[0]));
        if let (Some(b), false) = (one_core, fit) {
            let base = (typical(b.seconds, &b.runs), b.runs.as_slice());
            let base_cpus = b.cpus.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
            for r in d.affinity.iter().filter(|r| r.cpus != b.cpus) {
                let t = typical(r.seconds, &r.runs);
                let cpus = r.cpus.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
                out.push(Plan {
                    group: "affinity",
                    what: format!("pinned {cpus}/{base_cpus}"),
                    source: src.clone(),
                    real: t / base.0,
                    num: pinned_countdown(gil, cores, sim_seq, &r.cpus),
                    den: pinned_countdown(gil, cores, sim_seq, &b.cpus),
                    rates: None,
                    intervals: None,
                    spread: spread((t, &r.runs), base, |a, b| a / b),
                });
            }
        }
        let at5 = d.interval_cost.iter().find(|r| (r.interval_s - 0.005).abs() < 1e-9);
        for r in d.interval_cost.iter().filter(|r| r.interval_s < 0.004) {
            let Some(b) = at5 else { break };
            let label = interval_label(r.interval_s);
            out.push(Plan {
                group: "interval",
                what: format!("interval {label}"),
                source: src.clone(),
                real: r.seconds / b.seconds,
                num: countdown(gil, cores, sim_seq, r.threads, false, Some(r.interval_s)),
                den: countdown(gil, cores, sim_seq, r.threads, false, Some(0.005)),
                rates: None,
                intervals: None,
                spread: spread((r.seconds, &r.runs), (b.seconds, &b.runs), |a, b| a / b),
            });
        }
        if let (Some(s), false) = (&d.sleeps, fit) {
            for (mode, how) in [("threads", SleepMode::Threads), ("asyncio", SleepMode::Asyncio)] {
                if let (Some(seq), Some(t)) = (s.seconds.get("sequential"), s.seconds.get(mode)) {
                    out.push(Plan {
                        group: "sleeps",
                        what: format!("sleeps seq/{mode}"),
                        source: src.clone(),
                        real: seq / t,
                        num: sleeps(gil, cores, s.tasks, s.count, s.ms, SleepMode::Sequential),
                        den: sleeps(gil, cores, s.tasks, s.count, s.ms, how),
                        rates: None,
                        intervals: None,
                        spread: None,
                    });
                }
            }
        }
        let alone = d.echo.iter().find(|e| e.cpu_threads == 0);
        if let Some(a) = alone {
            for e in d.echo.iter().filter(|e| e.cpu_threads == 1) {
                let what = match e.interval_s {
                    Some(i) => format!("echo slowdown {}", interval_label(i)),
                    None => "echo slowdown".into(),
                };
                let rtt = 1.0 / a.rps;
                // Enough trips for a stable mean, few enough to stay fast.
                let busy_trip = e.interval_s.unwrap_or(0.0).max(rtt);
                let trips = ((0.3 / busy_trip) as u32).clamp(20, 2000);
                let num = echo(gil, cores, rtt, 0, e.interval_s, 2000);
                let den = echo(gil, cores, rtt, 1, e.interval_s, trips);
                if let (Some(i), false) = (e.interval_s, fit) {
                    out.push(Plan {
                        group: "echo",
                        what: format!("echo intervals {}", interval_label(i)),
                        source: src.clone(),
                        real: (1.0 / e.rps - 1.0 / a.rps) / i,
                        num: num.clone(),
                        den: den.clone(),
                        rates: Some((2000, trips)),
                        intervals: Some(i),
                        spread: spread((e.rps, &e.runs), (a.rps, &a.runs), |busy, alone| {
                            (1.0 / busy - 1.0 / alone) / i
                        }),
                    });
                }
                out.push(Plan {
                    group: "echo",
                    what,
                    source: src.clone(),
                    real: a.rps / e.rps,
                    num,
                    den,
                    rates: Some((2000, trips)),
                    intervals: None,
                    spread: spread((a.rps, &a.runs), (e.rps, &e.runs), |alone, busy| alone / busy),
                });
            }
            // The echo and its CPU-bound thread pinned to one core or two,
            // against the echo alone measured in the same session if it was.
            let base = d.echo_placed.iter().find(|e| e.placement == Placement::Free && e.cpu_threads == 0).unwrap_or(a);
            for e in d.echo_placed.iter().filter(|e| e.cpu_threads == 1 && !fit) {
                let name = match e.placement {
                    Placement::SameCore => "same core",
                    Placement::OtherCore => "other core",
                    Placement::Free | Placement::Process => continue,
                };
                let rtt = 1.0 / base.rps;
                let busy_trip = e.interval_s.unwrap_or(0.0).max(rtt);
                let trips = ((0.3 / busy_trip) as u32).clamp(20, 2000);
                let den = placed_echo(gil, cores, rtt, 1, e.interval_s, trips, e.placement);
                out.push(Plan {
                    group: "affinity",
                    what: format!("echo slowdown, {name}"),
                    source: src.clone(),
                    real: base.rps / e.rps,
                    num: echo(gil, cores, rtt, 0, e.interval_s, 2000),
                    den,
                    rates: Some((2000, trips)),
                    intervals: None,
                    spread: spread((base.rps, &base.runs), (e.rps, &e.runs), |alone, busy| alone / busy),
                });
            }
            // Next to more CPU-bound threads: who of several waiters gets the
            // GIL next (the echo thread must not starve behind them).
            for e in d.echo.iter().filter(|e| e.cpu_threads > 1) {
                let Some(i) = e.interval_s else { continue };
                let rtt = 1.0 / a.rps;
                let busy_trip = i * f64::from(e.cpu_threads);
                // A trip here loses anything from none to a dozen intervals
                // (the signal race): the mean needs a few hundred trips.
                let trips = ((0.3 / busy_trip) as u32).clamp(300, 2000);
                out.push(Plan {
                    group: "echo",
                    what: format!("echo intervals {} x{}", interval_label(i), e.cpu_threads),
                    source: src.clone(),
                    real: (1.0 / e.rps - 1.0 / a.rps) / i,
                    num: echo(gil, cores, rtt, 0, e.interval_s, 2000),
                    den: echo(gil, cores, rtt, e.cpu_threads, e.interval_s, trips),
                    rates: Some((2000, trips)),
                    intervals: Some(i),
                    spread: spread((e.rps, &e.runs), (a.rps, &a.runs), |busy, alone| (1.0 / busy - 1.0 / alone) / i),
                });
            }
        }
        // Fitted too: the loop's lag depends on the timer slack and the
        // wake-ups like the switch intervals do.
        for r in &d.asyncio_lag {
            // Each run's lag over the same divisor: its min-max is the spread.
            let samples = |f: fn(&crate::measured::LagSample) -> f64, by: f64| {
                let v: Vec<f64> = r.runs.iter().map(f).collect();
                spread((0.0, &v), (by, &[]), |x, by| x / by)
            };
            let (what, real, mode, by, spread) = match (r.mode.as_str(), r.countdown_n, r.seconds) {
                ("thread", Some(n), _) => {
                    let i = r.interval_s.unwrap_or(0.005);
                    let work = n as f64 * d.ns_per_iter * 1e-9;
                    let what = format!("asyncio lag/interval {}", interval_label(i));
                    (what, r.mean_lag_s / i, LagMode::Thread(work), i, samples(|x| x.mean_lag_s, i))
                }
                ("block", _, Some(b)) => (
                    "asyncio max lag/block".to_owned(),
                    r.max_lag_s / b,
                    LagMode::Block(b),
                    b,
                    samples(|x| x.max_lag_s, b),
                ),
                ("alone", _, Some(_)) => {
                    let t = r.tick_s;
                    (
                        "asyncio lag/tick alone".to_owned(),
                        r.mean_lag_s / t,
                        LagMode::Alone,
                        t,
                        samples(|x| x.mean_lag_s, t),
                    )
                }
                _ => continue,
            };
            // How long the twin's ticker runs. `thread`: the real ticker stops
            // when the countdown ends, so every tick has the CPU thread beside
            // it; 90% of the countdown's time alone keeps the simulated ticks
            // inside that window too (contention only makes the countdown
            // longer). `block`: measure.py sleeps 0.1 s before and after the
            // blocking call.
            let seconds = match mode {
                LagMode::Thread(work) => 0.9 * work,
                LagMode::Block(b) => b + 0.2,
                LagMode::Alone => r.seconds.unwrap_or(0.5),
            };
            let job = aio(gil, cores, r.interval_s.filter(|_| gil == Gil::New), r.tick_s, mode, seconds);
            out.push(Plan {
                group: "asyncio",
                what,
                source: src.clone(),
                real,
                num: job.clone(),
                den: job,
                rates: None,
                intervals: Some(by),
                spread,
            });
        }
        // multiprocessing: a warm pool's cost per task by chunk size and
        // argument size, against the largest chunk and the empty argument.
        let empty = |c: u32| d.pool_map.iter().find(|r| r.payload_bytes == 0 && r.chunksize == c);
        if let (Some(big), false) =
            (d.pool_map.iter().filter(|r| r.payload_bytes == 0).max_by_key(|r| r.chunksize), fit)
        {
            let per = |r: &crate::measured::PoolMapRun| {
                let runs: Vec<f64> = r.runs.iter().map(|s| s / f64::from(r.tasks.max(1))).collect();
                (typical(r.per_task_s(), &runs), runs)
            };
            let (b, b_runs) = per(big);
            for r in d.pool_map.iter().filter(|r| r.payload_bytes == 0 && r.chunksize < big.chunksize) {
                let (t, runs) = per(r);
                out.push(Plan {
                    group: "pool",
                    what: format!("pool chunksize {}/{}", r.chunksize, big.chunksize),
                    source: src.clone(),
                    real: t / b,
                    num: pool_map(cores, &d.version, r),
                    den: pool_map(cores, &d.version, big),
                    rates: None,
                    intervals: None,
                    spread: spread((t, &runs), (b, &b_runs), |x, y| x / y),
                });
            }
            if let Some(one) = empty(1) {
                let (e, e_runs) = per(one);
                for r in d.pool_map.iter().filter(|r| r.payload_bytes > 0 && r.chunksize == 1) {
                    let (t, runs) = per(r);
                    out.push(Plan {
                        group: "pool",
                        what: format!("pool {} B/0 B", r.payload_bytes),
                        source: src.clone(),
                        real: t / e,
                        num: pool_map(cores, &d.version, r),
                        den: pool_map(cores, &d.version, one),
                        rates: None,
                        intervals: None,
                        spread: spread((t, &runs), (e, &e_runs), |x, y| x / y),
                    });
                }
            }
        }
        // Start-up of a pool per start method, against fork.
        let start = |m: &str| d.pool_start.iter().find(|r| r.kind == "pool" && r.start_method == m);
        if let (Some(fork), false) = (start("fork"), fit) {
            let f = typical(fork.seconds, &fork.runs);
            for (name, method) in [("spawn", StartMethod::Spawn), ("forkserver", StartMethod::Forkserver)] {
                let Some(r) = start(name) else { continue };
                let t = typical(r.seconds, &r.runs);
                let job =
                    |method| Job { twin: Twin::PoolStart { cores, workers: r.workers, method }, seeds: 1, scale: 1.0 };
                out.push(Plan {
                    group: "pool",
                    what: format!("pool start {name}/fork"),
                    source: src.clone(),
                    real: t / f,
                    num: job(method),
                    den: job(StartMethod::Fork),
                    rates: None,
                    intervals: None,
                    spread: spread((t, &r.runs), (f, &fork.runs), |x, y| x / y),
                });
            }
        }
        if let (Some(h), false) = (&d.hash, fit)
            && let Some(one) = h.seconds.get(&1)
        {
            let per_block = one / f64::from(h.blocks);
            for k in [2u32, 4] {
                if let Some(t) = h.seconds.get(&k) {
                    out.push(Plan {
                        group: "hash",
                        what: format!("hash {k}/1"),
                        source: src.clone(),
                        real: one / t,
                        num: hash(gil, cores, per_block, h.blocks, 1, h.releases_gil),
                        den: hash(gil, cores, per_block, h.blocks, k, h.releases_gil),
                        rates: None,
                        intervals: None,
                        spread: None,
                    });
                }
            }
        }
    }
    if let (Some(w), false) = (&m.wsgi, fit) {
        let base_cpu = w.runs.iter().find(|r| r.endpoint == "cpu" && r.workers == 1 && r.threads == 1);
        if let Some(b) = base_cpu {
            let cpu_ms = w.endpoints.get("cpu").map_or(0.0, |e| e.0);
            let overhead_ms = (1000.0 / b.rps - cpu_ms).max(0.05);
            for (name, &(cpu, io)) in &w.endpoints {
                let Some(base) = w.runs.iter().find(|r| &r.endpoint == name && r.workers == 1 && r.threads == 1) else {
                    continue;
                };
                for r in w.runs.iter().filter(|r| &r.endpoint == name && (r.workers, r.threads) != (1, 1)) {
                    let seconds = w.duration_s.min(2.0);
                    out.push(Plan {
                        group: "wsgi",
                        what: format!("wsgi {name} w{}t{}/w1t1", r.workers, r.threads),
                        source: format!("{} + gunicorn {}", w.interpreter, w.gunicorn),
                        real: r.rps / base.rps,
                        num: wsgi(cores, r.workers, r.threads, cpu, io, overhead_ms, w.connections, seconds),
                        den: wsgi(cores, 1, 1, cpu, io, overhead_ms, w.connections, seconds),
                        rates: None,
                        intervals: None,
                        spread: None,
                    });
                }
            }
        }
    }
    out
}

/// `0.0001` -> `100us`.
pub fn interval_label(s: f64) -> String {
    let us = (s * 1e6).round() as u64;
    if us >= 1000 && us.is_multiple_of(1000) { format!("{}ms", us / 1000) } else { format!("{us}us") }
}

/// Simulates `plans` at `p`, each plan at the costs of its host (`host`).
pub(crate) fn simulate_plans(
    plans: Vec<Plan>,
    p: &Params,
    host: impl Fn(&Plan) -> Option<&'static Host>,
) -> Result<Vec<Row>, Error> {
    let hosts: Vec<Option<&Host>> = plans.iter().map(host).collect();
    // Plans share many jobs (one baseline for several ratios, and in the fit
    // the same countdowns for every interpreter): run each distinct job (at
    // its host's costs) once.
    let mut jobs: Vec<(&Job, Option<&Host>)> = Vec::new();
    for job in plans.iter().zip(&hosts).flat_map(|(pl, &h)| [(&pl.num, h), (&pl.den, h)]) {
        if !jobs.contains(&job) {
            jobs.push(job);
        }
    }
    // Every seed is a task of its own: a job of eight old-GIL seeds would
    // otherwise be the last one running (the site build waits on it).
    let files = jobs
        .par_iter()
        .map(|(job, host)| job.twin.scenario(&host.map_or_else(|| p.clone(), |h| p.on_host(h))))
        .collect::<Result<Vec<_>, Error>>()?;
    let tasks: Vec<(usize, u32)> =
        jobs.iter().enumerate().flat_map(|(i, (job, _))| job.seed_numbers().map(move |seed| (i, seed))).collect();
    let values =
        tasks.par_iter().map(|&(i, seed)| run_seed(jobs[i].0, &files[i], seed)).collect::<Result<Vec<f64>, Error>>()?;
    let mut results: Vec<Vec<f64>> = vec![Vec::new(); jobs.len()];
    for (&(i, _), v) in tasks.iter().zip(values) {
        results[i].push(v);
    }
    // Every job of every plan is in `jobs`.
    let seeds = |job: &Job, host: Option<&Host>| {
        jobs.iter().position(|j| *j == (job, host)).map_or(&[][..], |i| results[i].as_slice())
    };
    let mean = |v: &[f64]| if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 };
    let rows = plans
        .iter()
        .zip(hosts)
        .map(|(pl, host)| {
            let ratio = |a: f64, b: f64| match (pl.rates, pl.intervals) {
                // Finish times of `n` trips alone and `d` trips next to a CPU
                // thread: intervals lost per trip.
                (Some((n, d)), Some(i)) => (b / f64::from(d) - a / f64::from(n)) / i,
                // The same: rate ratio.
                (Some((n, d)), None) => (f64::from(n) / a) / (f64::from(d) / b),
                // One job's metric over a length (a lag over the interval).
                (None, Some(by)) => a / by,
                (None, None) => a / b,
            };
            let (a, b) = (seeds(&pl.num, host), seeds(&pl.den, host));
            let sim = ratio(mean(a), mean(b));
            // Where a side ran several seeds, the ratio at each of them.
            let each: Vec<f64> =
                a.iter().map(|&x| ratio(x, mean(b))).chain(b.iter().map(|&y| ratio(mean(a), y))).collect();
            let sim_range = (a.len() > 1 || b.len() > 1).then(|| (crate::min(&each), crate::max(&each)));
            Row {
                group: pl.group.into(),
                what: pl.what.clone(),
                source: pl.source.clone(),
                real: pl.real,
                sim,
                real_min: pl.spread.map(|s| s.0),
                real_max: pl.spread.map(|s| s.1),
                sim_min: sim_range.map(|s| s.0),
                sim_max: sim_range.map(|s| s.1),
                host: host.map(|h| h.id.to_owned()),
            }
        })
        .collect();
    Ok(rows)
}

/// The comparison of measurements with the simulation at `params`.
pub fn compare(m: &Measured, params: &Params) -> Result<Comparison, Error> {
    let rows = simulate_plans(plans(m, false), params, host_in(m))?;
    let published = published(params)?;
    let measured = measured_values(m);
    Ok(Comparison {
        date: m.date.clone(),
        machine: m.machine.clone(),
        params: params.clone(),
        rows,
        published,
        measured,
        cross_validation: Vec::new(),
        robustness: None,
    })
}

/// The ratios of a kept measurement (`calibration/hosts/`), each simulated at
/// its host's costs: `m` with `h`'s families in place of its own, and only
/// the rows of those families on those interpreters.
pub fn compare_host(m: &Measured, h: &crate::measured::HostMeasurement, params: &Params) -> Result<Vec<Row>, Error> {
    let (merged, replaced) = m.with_host(h);
    let rows = simulate_plans(plans(&merged, false), params, host_in(&merged))?;
    Ok(rows.into_iter().filter(|r| replaced.iter().any(|(v, f)| *v == r.source && *f == r.group)).collect())
}

/// Measured values without a simulated twin, named like values.
fn measured_values(m: &Measured) -> BTreeMap<String, f64> {
    let mut measured = BTreeMap::new();
    for d in &m.interpreters {
        // The share of round trips that lost two intervals, next to one CPU thread.
        for e in d.echo.iter().filter(|e| e.cpu_threads == 1) {
            if let (Some(i), Some(share)) = (e.interval_s, e.two_interval_share) {
                let src = source_id(&d.version);
                measured.insert(format!("{src}.echo-two-share-{}", interval_label(i)), share);
            }
        }
        // The worst tick of each run beside a thread, in switch intervals,
        // per interpreter and over all of them (with the mean tick's range).
        for r in d.asyncio_lag.iter().filter(|r| r.mode == "thread" && !r.runs.is_empty()) {
            let Some(i) = r.interval_s else { continue };
            let worst: Vec<f64> = r.runs.iter().map(|x| x.max_lag_s / i).collect();
            let label = interval_label(i);
            let (lo, hi) = (crate::min(&worst), crate::max(&worst));
            let key = format!("{}.asyncio-worst-tick-{label}", source_id(&d.version));
            measured.insert(format!("{key}-min"), lo);
            measured.insert(format!("{key}-max"), hi);
            for (what, lo, hi) in [("worst", lo, hi), ("mean", r.mean_lag_s / i, r.mean_lag_s / i)] {
                let key = format!("all.asyncio-{what}-tick-{label}");
                let min = measured.entry(format!("{key}-min")).or_insert(lo);
                *min = min.min(lo);
                let max = measured.entry(format!("{key}-max")).or_insert(hi);
                *max = max.max(hi);
            }
        }
    }
    measured
}

/// Published tables (`../shared/reference/gil-facts.md` §3) and the model's
/// numbers for the same setups, on bare metal ([`Params::bare_metal`]).
fn published(p: &Params) -> Result<Vec<Row>, Error> {
    let mut plans = Vec::new();
    // Beazley, PyCon 2010: countdown(100M) on a quad-core Mac Pro, old GIL.
    let beazley = "Beazley 2010";
    for (what, k, cores, real) in [
        ("threads2/seq", 2, 4, 15.4 / 7.8),
        ("threads4/seq", 4, 4, 15.7 / 7.8),
        ("pinned threads2/seq", 2, 1, 11.3 / 7.8),
    ] {
        plans.push(Plan {
            group: "published",
            what: what.into(),
            source: beazley.into(),
            real,
            num: countdown(Gil::Old, cores, 1.0, k, false, None),
            den: countdown(Gil::Old, 4, 1.0, 1, false, None),
            rates: None,
            intervals: None,
            spread: None,
        });
    }
    // Skvortsov 2021, CPython 3.9, 2 cores: countdown vs threads (a), echo vs
    // switch interval with one CPU thread (d), 2 threads vs interval (e).
    let sk = "Skvortsov 2021";
    for (k, real) in [(2, 6.57 / 6.52), (4, 6.59 / 6.52)] {
        plans.push(Plan {
            group: "published",
            what: format!("threads{k}/seq"),
            source: sk.into(),
            real,
            num: countdown(Gil::New, 2, 1.0, k, false, None),
            den: countdown(Gil::New, 2, 1.0, 1, false, None),
            rates: None,
            intervals: None,
            spread: None,
        });
    }
    let rtt = 1.0 / 30_000.0;
    for (interval, rps) in [(0.01, 50.0), (0.005, 100.0), (0.001, 500.0), (0.0001, 3200.0)] {
        let trips = ((0.3 / interval) as u32).clamp(20, 2000);
        plans.push(Plan {
            group: "published",
            what: format!("echo slowdown {}", interval_label(interval)),
            source: sk.into(),
            real: 30_000.0 / rps,
            num: echo(Gil::New, 2, rtt, 0, Some(interval), 2000),
            den: echo(Gil::New, 2, rtt, 1, Some(interval), trips),
            rates: Some((2000, trips)),
            intervals: None,
            spread: None,
        });
    }
    for (interval, real) in [(0.001, 7.36 / 6.58), (0.0001, 9.20 / 6.58), (0.00001, 12.29 / 6.58)] {
        plans.push(Plan {
            group: "published",
            what: format!("interval {}", interval_label(interval)),
            source: sk.into(),
            real,
            num: countdown(Gil::New, 2, 1.0, 2, false, Some(interval)),
            den: countdown(Gil::New, 2, 1.0, 2, false, Some(0.005)),
            rates: None,
            intervals: None,
            spread: None,
        });
    }
    simulate_plans(plans, &p.bare_metal(), |_| None)
}

/// Groups rows by interpreter, for printing.
pub fn by_source(rows: &[Row]) -> BTreeMap<&str, Vec<&Row>> {
    let mut m: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in rows {
        m.entry(r.source.as_str()).or_default().push(r);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measured::{LagRun, LagSample};

    fn lag_run(interval_s: f64, worst: &[f64], mean: f64) -> LagRun {
        let sample = |&w: &f64| LagSample {
            ticks: 100,
            max_lag_s: w * interval_s,
            mean_lag_s: mean * interval_s,
            p50_lag_s: 0.0,
            p90_lag_s: 0.0,
            p99_lag_s: 0.0,
            work_s: 0.5,
        };
        LagRun {
            mode: "thread".into(),
            interval_s: Some(interval_s),
            tick_s: 0.001,
            countdown_n: Some(1),
            seconds: None,
            max_lag_s: 0.0,
            mean_lag_s: mean * interval_s,
            ticks: 100.0,
            runs: worst.iter().map(sample).collect(),
            discards: Default::default(),
        }
    }

    #[test]
    fn the_worst_asyncio_tick_is_given_per_interpreter_and_over_all() {
        let data = |version: &str, worst: &[f64], mean| InterpreterData {
            version: version.into(),
            gil: "new".into(),
            asyncio_lag: vec![lag_run(0.005, worst, mean)],
            ..Default::default()
        };
        let m = Measured {
            interpreters: vec![data("3.12.1", &[1.1, 2.0], 1.05), data("3.13.0", &[2.05, 2.1], 1.08)],
            ..Default::default()
        };
        let v = measured_values(&m);
        let near = |k: &str, x: f64| assert!((v[k] - x).abs() < 1e-9, "{k}: {} against {x}", v[k]);
        near("py3.12.1.asyncio-worst-tick-5ms-min", 1.1);
        near("py3.13.0.asyncio-worst-tick-5ms-max", 2.1);
        near("all.asyncio-worst-tick-5ms-min", 1.1);
        near("all.asyncio-worst-tick-5ms-max", 2.1);
        near("all.asyncio-mean-tick-5ms-min", 1.05);
        near("all.asyncio-mean-tick-5ms-max", 1.08);
    }

    #[test]
    fn eight_threads_are_compared_but_not_fitted() {
        let run = |pinned, threads| crate::measured::CountdownRun {
            pinned,
            mode: "threads".into(),
            threads,
            seconds: 1.0,
            ..Default::default()
        };
        let m = Measured {
            interpreters: vec![InterpreterData {
                version: "2.7.18".into(),
                gil: "old".into(),
                countdown: [1, 2, 4, 8].into_iter().flat_map(|k| [run(false, k), run(true, k)]).collect(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let whats = |fit| plans(&m, fit).into_iter().map(|p| p.what).collect::<Vec<_>>();
        let compared = whats(false);
        assert!(compared.iter().any(|w| w == "threads8/seq"), "{compared:?}");
        assert!(compared.iter().any(|w| w == "pinned threads8/seq"), "{compared:?}");
        let fitted = whats(true);
        assert!(fitted.iter().any(|w| w == "threads4/seq"), "{fitted:?}");
        assert!(!fitted.iter().any(|w| w.contains("threads8")), "{fitted:?}");
    }
}
