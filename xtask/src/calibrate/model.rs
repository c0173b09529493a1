//! The simulated twins of the calibration measurements, the comparison, and
//! the fit of the model's free parameters.
//!
//! Each measurement becomes a scenario (YAML, compiled by `workloads`) with
//! the same work: the countdown's time is the interpreter's measured
//! single-thread time, an echo round trip's I/O is what the measured
//! round-trip time leaves after the bytecode, and so on. Only ratios are
//! compared, so the machine's speed cancels out.

use std::collections::BTreeMap;

use anyhow::{Context, Result, anyhow};
use rayon::prelude::*;
use report::calibration::{Comparison, InterpreterData, Measured, Params, Row};

/// Bytecode ticks per countdown iteration under the old GIL. In 2.7
/// `ceval.c` the ticker runs at the loop top, which an opcode reaches only
/// when the one before it ended with `continue`: in `while n > 0: n -= 1`
/// that is the LOAD_FAST after JUMP_ABSOLUTE and the STORE_FAST after
/// INPLACE_SUBTRACT; the others follow `fast_next_opcode` or a PREDICT.
pub const TICKS_PER_ITER: f64 = 2.0;

/// The system call of `sendall` on loopback TCP (the stack's work and the
/// client's wake-up), as simulated I/O. Whether the CPU-bound thread takes
/// the GIL during it decides between one and two lost intervals per trip.
const SEND_US: f64 = 10.0;
/// Bytecode per echo round trip (the loop, `recv`, `sendall`).
const ECHO_PYTHON_US: f64 = 4.0;

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
    }
}

fn header(p: &Params, cores: u32, gil: &str) -> String {
    let gil = match gil {
        "old" => "{model: old}".to_owned(),
        "none" => "{model: none}".to_owned(),
        _ => "{model: new}".to_owned(),
    };
    format!(
        "machine:\n  cores: {cores}\n  costs: {{context_switch: {}ns, wakeup_latency: {}ns, wakeup_jitter: {}ns, timer_slack: {}ns, futex_wake: {}ns}}\n\
         gil: {gil}\ninterp: {{tick: {}ns}}\nseed: 1\n",
        p.context_switch_ns, p.wakeup_latency_ns, p.wakeup_jitter_ns, p.timer_slack_ns, p.futex_wake_ns, p.tick_ns
    )
}

fn dur(seconds: f64) -> String {
    format!("{}ns", (seconds * 1e9).round().max(1.0) as u64)
}

/// A scenario to run and the metric to read from its summary.
#[derive(Clone, Debug)]
pub struct Job {
    /// YAML.
    pub yaml: String,
    /// Metric path in the summary.
    pub metric: &'static str,
    /// Seeds to average the metric over (1, 2, ...): more than one where the
    /// model locks into a seed-dependent cycle.
    pub seeds: u32,
    /// Factor applied to the metric (a shortened run's time scaled back up).
    pub scale: f64,
}

/// Work (simulated seconds) of each seed's run when several are averaged; a
/// CPU-bound countdown's time is proportional to its work once the threads
/// settle, so the run is scaled back to the measured length.
const SEEDED_WORK_S: f64 = 0.2;

/// Seeds averaged for the old GIL's countdowns with several threads: their
/// threads lock into a steady cycle whose phase (1 or 2 extra check
/// intervals per turn) depends on the start, so one seed may land in either.
const OLD_GIL_SEEDS: u32 = 8;

fn countdown(p: &Params, gil: &str, cores: u32, seq_s: f64, k: u32, processes: bool, interval: Option<f64>) -> Job {
    let mut y = header(p, cores, gil);
    if let Some(i) = interval {
        y = y.replace("gil: {model: new}", &format!("gil: {{model: new, switch_interval: {}}}", dur(i)));
    }
    let seeds = if gil == "old" && k > 1 && !processes { OLD_GIL_SEEDS } else { 1 };
    let work = if seeds > 1 { seq_s.min(SEEDED_WORK_S) } else { seq_s };
    let share = dur(work / f64::from(k));
    if processes {
        y.push_str(&format!(
            "processes:\n  - {{name: w, count: {k}, threads: [{{name: main, program: [{{python: {share}}}]}}]}}\n"
        ));
    } else {
        y.push_str(&format!("threads:\n  - {{name: w, count: {k}, program: [{{python: {share}}}]}}\n"));
    }
    Job { yaml: y, metric: "makespan_s", seeds, scale: seq_s / work }
}

fn sleeps(p: &Params, gil: &str, cores: u32, tasks: u32, count: u32, ms: f64, mode: &str) -> Job {
    let mut y = header(p, cores, gil);
    let d = dur(ms / 1000.0);
    match mode {
        "sequential" => y.push_str(&format!(
            "threads:\n  - {{name: w, program: [{{repeat: {}, body: [{{io: {d}}}, {{python: 5us}}]}}]}}\n",
            tasks * count
        )),
        "threads" => y.push_str(&format!(
            "threads:\n  - {{name: w, count: {tasks}, program: [{{repeat: {count}, body: [{{io: {d}}}, {{python: 5us}}]}}]}}\n"
        )),
        _ => y.push_str(&format!(
            "threads:\n  - name: loop\n    asyncio:\n      tasks:\n        - {{name: t, count: {tasks}, program: [{{repeat: {count}, body: [{{python: 5us}}, {{await_io: {d}}}]}}]}}\n"
        )),
    }
    Job { yaml: y, metric: "makespan_s", seeds: 1, scale: 1.0 }
}

/// The echo round trip: wait in `recv` for the client's byte, a little
/// bytecode, `sendall` (which releases the GIL even though it does not
/// block), a little bytecode. `rtt_s` is the measured time of a round trip
/// alone.
fn echo(p: &Params, gil: &str, cores: u32, rtt_s: f64, cpu: u32, interval: Option<f64>, trips: u32) -> Job {
    let mut y = header(p, cores, gil);
    if let Some(i) = interval {
        y = y.replace("gil: {model: new}", &format!("gil: {{model: new, switch_interval: {}}}", dur(i)));
    }
    let recv = (rtt_s - (ECHO_PYTHON_US + SEND_US) * 1e-6).max(1e-6);
    let half = dur(ECHO_PYTHON_US * 1e-6 / 2.0);
    y.push_str(&format!(
        "threads:\n  - name: echo\n    program: [{{repeat: {trips}, body: [{{io: {}}}, {{python: {half}}}, {{io: {}}}, {{python: {half}}}]}}]\n",
        dur(recv),
        dur(SEND_US * 1e-6)
    ));
    if cpu > 0 {
        y.push_str(&format!(
            "  - {{name: spinner, count: {cpu}, program: [{{python: forever}}]}}\nstop_when: [echo]\n"
        ));
    }
    Job { yaml: y, metric: "threads[echo].finished_s", seeds: 1, scale: 1.0 }
}

fn hash(p: &Params, gil: &str, cores: u32, per_block_s: f64, blocks: u32, k: u32, releases: bool) -> Job {
    let mut y = header(p, cores, gil);
    let step = if releases { "c_release" } else { "c_hold" };
    y.push_str(&format!(
        "threads:\n  - {{name: w, count: {k}, program: [{{repeat: {}, body: [{{python: 20us}}, {{{step}: {}}}]}}]}}\n",
        blocks / k,
        dur(per_block_s)
    ));
    Job { yaml: y, metric: "makespan_s", seeds: 1, scale: 1.0 }
}

/// Runs a job: its metric (the mean over its seeds).
pub fn run(job: &Job) -> Result<f64> {
    let mut sum = 0.0;
    for seed in 1..=job.seeds.max(1) {
        sum += run_one(&job.yaml, seed, job.metric)?;
    }
    Ok(sum / f64::from(job.seeds.max(1)) * job.scale)
}

fn run_one(yaml: &str, seed: u32, metric: &str) -> Result<f64> {
    let mut exp = workloads::ScenarioFile::parse("calibration", yaml).map_err(|e| anyhow!("{e}\n{yaml}"))?;
    exp.set(&format!("seed={seed}")).map_err(|e| anyhow!("{e}"))?;
    let points = exp.points().map_err(|e| anyhow!("{e}"))?;
    let point = points.first().context("a point")?;
    let res = scheduler::simulate(&point.compiled.scenario).map_err(|e| anyhow!("{e}\n{yaml}"))?;
    let summary = serde_json::to_value(workloads::summary(&point.compiled, &res))?;
    experiments::metric(&summary, metric).map_err(|e| anyhow!(e))
}

/// A ratio to compute: real value, and how to get the simulated one from
/// jobs (numerator / denominator, or denominator / numerator).
struct Plan {
    group: &'static str,
    what: String,
    source: String,
    real: f64,
    num: Job,
    den: Job,
    /// Simulated rate ratios: trips/s alone over trips/s next to a CPU thread.
    rates: Option<(u32, u32)>,
    /// Instead of the rate ratio: switch intervals lost per trip, from the
    /// trip times next to a CPU thread and alone (this interval, seconds).
    intervals: Option<f64>,
}

fn best(d: &InterpreterData, pinned: bool, mode: &str, k: u32) -> Option<f64> {
    d.countdown.iter().find(|c| c.pinned == pinned && c.mode == mode && c.threads == k).map(|c| c.seconds)
}

/// How long (simulated) the fit's countdowns run; ratios do not depend on it.
const FIT_SECONDS: f64 = 0.25;

fn plans(m: &Measured, p: &Params, fit: bool) -> Vec<Plan> {
    let cores = m.machine.cores.max(1);
    let mut out = Vec::new();
    for d in &m.interpreters {
        let gil = d.gil.as_str();
        if gil == "none" {
            continue;
        }
        let src = d.version.clone();
        let Some(seq) = best(d, false, "threads", 1) else { continue };
        let sim_seq = if fit { FIT_SECONDS } else { seq };
        for (pinned, c) in [(false, cores), (true, 1)] {
            let Some(base) = best(d, pinned, "threads", 1) else { continue };
            for k in [2, 4] {
                if let Some(t) = best(d, pinned, "threads", k) {
                    out.push(Plan {
                        group: "countdown",
                        what: format!("{}threads{k}/seq", if pinned { "pinned " } else { "" }),
                        source: src.clone(),
                        real: t / base,
                        num: countdown(p, gil, c, sim_seq, k, false, None),
                        den: countdown(p, gil, c, sim_seq, 1, false, None),
                        rates: None,
                        intervals: None,
                    });
                }
            }
        }
        if let (Some(pr), Some(th)) = (best(d, false, "processes", 2), best(d, false, "threads", 2)) {
            out.push(Plan {
                group: "countdown",
                what: "procs2/threads2".into(),
                source: src.clone(),
                real: pr / th,
                num: countdown(p, gil, cores, sim_seq, 2, true, None),
                den: countdown(p, gil, cores, sim_seq, 2, false, None),
                rates: None,
                intervals: None,
            });
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
                num: countdown(p, gil, cores, sim_seq, r.threads, false, Some(r.interval_s)),
                den: countdown(p, gil, cores, sim_seq, r.threads, false, Some(0.005)),
                rates: None,
                intervals: None,
            });
        }
        if let (Some(s), false) = (&d.sleeps, fit) {
            for mode in ["threads", "asyncio"] {
                if let (Some(seq), Some(t)) = (s.seconds.get("sequential"), s.seconds.get(mode)) {
                    out.push(Plan {
                        group: "sleeps",
                        what: format!("sleeps seq/{mode}"),
                        source: src.clone(),
                        real: seq / t,
                        num: sleeps(p, gil, cores, s.tasks, s.count, s.ms, "sequential"),
                        den: sleeps(p, gil, cores, s.tasks, s.count, s.ms, mode),
                        rates: None,
                        intervals: None,
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
                let num = echo(p, gil, cores, rtt, 0, e.interval_s, 2000);
                let den = echo(p, gil, cores, rtt, 1, e.interval_s, trips);
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
                });
            }
        }
        if let (Some(h), false) = (&d.hash, fit) {
            if let Some(one) = h.seconds.get(&1) {
                let per_block = one / f64::from(h.blocks);
                for k in [2u32, 4] {
                    if let Some(t) = h.seconds.get(&k) {
                        out.push(Plan {
                            group: "hash",
                            what: format!("hash {k}/1"),
                            source: src.clone(),
                            real: one / t,
                            num: hash(p, gil, cores, per_block, h.blocks, 1, h.releases_gil),
                            den: hash(p, gil, cores, per_block, h.blocks, k, h.releases_gil),
                            rates: None,
                            intervals: None,
                        });
                    }
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
                        num: wsgi(p, cores, r.workers, r.threads, cpu, io, overhead_ms, w.connections, seconds),
                        den: wsgi(p, cores, 1, 1, cpu, io, overhead_ms, w.connections, seconds),
                        rates: None,
                        intervals: None,
                    });
                }
            }
        }
    }
    out
}

/// A gunicorn run's simulated twin: workers x threads serving one endpoint
/// to `clients` closed-loop clients. `overhead_ms` is the Python each
/// request costs outside the endpoint (HTTP parsing, the response), taken
/// from the one-worker, one-thread CPU run.
#[allow(clippy::too_many_arguments)]
fn wsgi(
    p: &Params,
    cores: u32,
    workers: u32,
    threads: u32,
    cpu_ms: f64,
    io_ms: f64,
    overhead_ms: f64,
    clients: u32,
    seconds: f64,
) -> Job {
    let mut y = header(p, cores, "new");
    let mut program = vec![format!("{{python: {}}}", dur((cpu_ms + overhead_ms) / 1000.0))];
    if io_ms > 0.0 {
        program.push(format!("{{io: {}}}", dur(io_ms / 1000.0)));
    }
    y.push_str(&format!(
        "server:\n  kind: wsgi\n  workers: {workers}\n  threads: {threads}\n  endpoints:\n    - {{name: e, weight: 1, program: [{}]}}\n\
         clients: {{closed_loop: {clients}, duration: {}}}\n",
        program.join(", "),
        dur(seconds)
    ));
    Job { yaml: y, metric: "server.throughput_rps", seeds: 1, scale: 1.0 }
}

/// `0.0001` -> `100us`.
pub fn interval_label(s: f64) -> String {
    let us = (s * 1e6).round() as u64;
    if us >= 1000 && us % 1000 == 0 { format!("{}ms", us / 1000) } else { format!("{us}us") }
}

/// What makes two jobs the same run.
fn job_key(job: &Job) -> (&str, &str, u32, u64) {
    (&job.yaml, job.metric, job.seeds, job.scale.to_bits())
}

fn simulate_plans(plans: Vec<Plan>) -> Result<Vec<Row>> {
    // Plans share many jobs (one baseline for several ratios, and in the fit
    // the same countdowns for every interpreter): run each distinct job once.
    let mut jobs: Vec<&Job> = plans.iter().flat_map(|pl| [&pl.num, &pl.den]).collect();
    jobs.sort_by(|a, b| job_key(a).cmp(&job_key(b)));
    jobs.dedup_by(|a, b| job_key(a) == job_key(b));
    let results: Vec<f64> = jobs.par_iter().map(|job| run(job)).collect::<Result<_>>()?;
    let result = |job: &Job| -> f64 {
        let i = jobs.binary_search_by(|j| job_key(j).cmp(&job_key(job))).expect("every job was run");
        results[i]
    };
    let rows = plans
        .iter()
        .map(|pl| {
            let (a, b) = (result(&pl.num), result(&pl.den));
            let sim = match (pl.rates, pl.intervals) {
                // Finish times of `n` trips alone and `d` trips next to a CPU
                // thread: intervals lost per trip.
                (Some((n, d)), Some(i)) => (b / f64::from(d) - a / f64::from(n)) / i,
                // The same: rate ratio.
                (Some((n, d)), None) => (f64::from(n) / a) / (f64::from(d) / b),
                _ => a / b,
            };
            Row { group: pl.group.into(), what: pl.what.clone(), source: pl.source.clone(), real: pl.real, sim }
        })
        .collect();
    Ok(rows)
}

/// The comparison of measurements with the simulation at `params`.
pub fn compare(m: &Measured, params: &Params) -> Result<Comparison> {
    let rows = simulate_plans(plans(m, params, false))?;
    let published = published(params)?;
    let mut measured = BTreeMap::new();
    for d in &m.interpreters {
        for e in &d.echo {
            if let (Some(i), Some(share)) = (e.interval_s, e.two_interval_share) {
                let src = report::calibration::source_id(&d.version);
                measured.insert(format!("{src}.echo-two-share-{}", interval_label(i)), share);
            }
        }
    }
    Ok(Comparison {
        date: m.date.clone(),
        machine: m.machine.clone(),
        params: params.clone(),
        rows,
        published,
        measured,
    })
}

/// Published tables (`../shared/reference/gil-facts.md` §3) and the model's
/// numbers for the same setups.
fn published(p: &Params) -> Result<Vec<Row>> {
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
            num: countdown(p, "old", cores, 1.0, k, false, None),
            den: countdown(p, "old", 4, 1.0, 1, false, None),
            rates: None,
            intervals: None,
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
            num: countdown(p, "new", 2, 1.0, k, false, None),
            den: countdown(p, "new", 2, 1.0, 1, false, None),
            rates: None,
            intervals: None,
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
            num: echo(p, "new", 2, rtt, 0, Some(interval), 2000),
            den: echo(p, "new", 2, rtt, 1, Some(interval), trips),
            rates: Some((2000, trips)),
            intervals: None,
        });
    }
    for (interval, real) in [(0.001, 7.36 / 6.58), (0.0001, 9.20 / 6.58), (0.00001, 12.29 / 6.58)] {
        plans.push(Plan {
            group: "published",
            what: format!("interval {}", interval_label(interval)),
            source: sk.into(),
            real,
            num: countdown(p, "new", 2, 1.0, 2, false, Some(interval)),
            den: countdown(p, "new", 2, 1.0, 2, false, Some(0.005)),
            rates: None,
            intervals: None,
        });
    }
    simulate_plans(plans)
}

/// The fit's objective: mean squared log error of the machine's ratios.
pub fn objective(rows: &[Row]) -> f64 {
    let n = rows.len().max(1) as f64;
    rows.iter().map(|r| (r.sim / r.real).ln().powi(2)).sum::<f64>() / n
}

/// The fit's objective: [`objective`] of the old GIL's rows and of the new
/// GIL's, averaged, so the many 3.x interpreters do not outvote 2.7.
pub fn balanced(rows: &[Row]) -> f64 {
    let (old, new): (Vec<Row>, Vec<Row>) = rows.iter().cloned().partition(|r| r.source.starts_with("2."));
    match (old.is_empty(), new.is_empty()) {
        (true, _) => objective(&new),
        (_, true) => objective(&old),
        _ => (objective(&old) + objective(&new)) / 2.0,
    }
}

/// The result of a fit.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fit {
    /// Best parameters.
    pub params: Params,
    /// Objective at the code's current parameters.
    pub objective_before: f64,
    /// Objective at the best parameters.
    pub objective_after: f64,
    /// Every grid point tried: (parameters, objective).
    pub grid: Vec<(Params, f64)>,
}

/// Fits the context-switch cost, the wake-up latency and jitter, the
/// waker's cost and the timer slack on a grid (the tick comes from the old
/// GIL's measured bytecode speed), minimising [`balanced`] over the
/// countdown, interval and echo ratios.
pub fn fit(m: &Measured) -> Result<Fit> {
    let base = current_params();
    let tick_ns = m
        .interpreters
        .iter()
        .find(|d| d.gil == "old")
        .map_or(base.tick_ns, |d| (d.ns_per_iter / TICKS_PER_ITER).round().max(1.0) as u64);
    let eval = |p: &Params| -> Result<f64> { Ok(balanced(&simulate_plans(plans(m, p, true))?)) };
    let objective_before = eval(&base)?;
    let mut grid = Vec::new();
    for cs in [1_000u64, 2_000, 4_000] {
        // A waker's futex wake: a system call and, on a virtual machine, an
        // inter-processor interrupt that exits to the hypervisor.
        for futex_wake_ns in [2_000u64, 4_000, 6_000, 8_000, 12_000, 16_000] {
            for wake in [1_000u64, 2_000, 4_000, 8_000, 16_000] {
                for jitter_factor in [1u64, 2] {
                    // Waking a thread costs the waker less than the woken
                    // thread waits to run (sending an interrupt is quicker
                    // than leaving an idle state). Without this, the fit
                    // trades the old GIL's false alarms for hand-offs.
                    if futex_wake_ns > wake * (1 + jitter_factor) {
                        continue;
                    }
                    for timer_slack_ns in [0u64, 50_000] {
                        grid.push(Params {
                            context_switch_ns: cs,
                            wakeup_latency_ns: wake,
                            wakeup_jitter_ns: wake * jitter_factor,
                            tick_ns,
                            timer_slack_ns,
                            futex_wake_ns,
                        });
                    }
                }
            }
        }
    }
    let scored: Vec<(Params, f64)> = grid
        .into_iter()
        .map(|p| {
            let o = eval(&p)?;
            Ok((p, o))
        })
        .collect::<Result<_>>()?;
    let (params, objective_after) =
        scored.iter().min_by(|a, b| a.1.total_cmp(&b.1)).map(|(p, o)| (p.clone(), *o)).context("an empty grid")?;
    Ok(Fit { params, objective_before, objective_after, grid: scored })
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
    use report::calibration::{CountdownRun, EchoRun, InterpreterData, MachineInfo, Measured, SCHEMA};

    use super::*;

    #[test]
    fn the_code_defaults_are_the_fitted_parameters() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../calibration/fitted.json");
        let fit: Fit = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(fit.params, current_params(), "update scheduler::Costs/Interp defaults to calibration/fitted.json");
    }

    fn interpreter(version: &str, gil: &str, threads2: f64, echo_busy: f64) -> InterpreterData {
        let run = |pinned, mode: &str, threads, seconds| CountdownRun {
            pinned,
            mode: mode.into(),
            threads,
            seconds,
            ..Default::default()
        };
        InterpreterData {
            version: version.into(),
            gil: gil.into(),
            ns_per_iter: 20.0,
            countdown_n: 50_000_000,
            countdown: vec![
                run(false, "threads", 1, 1.0),
                run(false, "threads", 2, threads2),
                run(false, "processes", 2, 0.5),
                run(true, "threads", 1, 1.0),
                run(true, "threads", 2, 1.02),
            ],
            interval_cost: Vec::new(),
            sleeps: None,
            echo: vec![
                EchoRun {
                    cpu_threads: 0,
                    interval_s: (gil == "new").then_some(0.005),
                    rps: 10_000.0,
                    two_interval_share: None,
                    ..Default::default()
                },
                EchoRun {
                    cpu_threads: 1,
                    interval_s: (gil == "new").then_some(0.005),
                    rps: echo_busy,
                    two_interval_share: Some(0.2),
                    ..Default::default()
                },
            ],
            hash: None,
            ..Default::default()
        }
    }

    #[test]
    fn the_model_reproduces_the_robust_shapes() {
        let m = Measured {
            schema: SCHEMA.into(),
            date: "2026-11-21".into(),
            machine: MachineInfo { cores: 2, cpu: "test".into(), os: "linux".into() },
            interpreters: vec![interpreter("2.7.18", "old", 1.9, 12_000.0), interpreter("3.12.1", "new", 1.0, 170.0)],
            wsgi: None,
            guard: None,
        };
        let cmp = compare(&m, &current_params()).unwrap();
        let sim =
            |src: &str, what: &str| cmp.rows.iter().find(|r| r.source == src && r.what == what).map(|r| r.sim).unwrap();
        // Old GIL: about 2x slower on two cores, no penalty on one.
        assert!((1.5..2.5).contains(&sim("2.7.18", "threads2/seq")));
        assert!((0.95..1.1).contains(&sim("2.7.18", "pinned threads2/seq")));
        // New GIL: threads as fast as one thread; processes twice as fast.
        assert!((0.97..1.05).contains(&sim("3.12.1", "threads2/seq")));
        assert!((0.45..0.55).contains(&sim("3.12.1", "procs2/threads2")));
        // The convoy: 1 to 2 intervals lost per round trip, a large slowdown.
        assert!((1.0..2.3).contains(&sim("3.12.1", "echo intervals 5ms")));
        assert!(sim("3.12.1", "echo slowdown 5ms") > 10.0);
        // Published tables are simulated too.
        assert!(cmp.published.iter().any(|r| r.source == "Beazley 2010"));
        let values = cmp.values();
        assert_eq!(values["newest.threads2-seq.real"], 1.0);
        assert_eq!(values["py3.12.1.threads2-seq.sim"], values["newest.threads2-seq.sim"]);
        assert!(cmp.chart_ids().contains(&"countdown".to_owned()));
    }
}
