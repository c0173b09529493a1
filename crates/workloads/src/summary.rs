//! The JSON summary of a run (`cargo xtask sim --json`), documented key by key
//! in `docs/scenarios.md`. Times are in seconds (`_s`) or milliseconds (`_ms`).

use std::collections::BTreeMap;

use scheduler::{EndReason, SimResult};
use serde::Serialize;

use crate::compile::Compiled;

/// The version of this summary's layout; bumped on any incompatible change.
pub const SCHEMA: &str = "gil-lab.sim/1";

/// The summary of one run.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Layout version ([`SCHEMA`]).
    pub schema: &'static str,
    /// The scenario's title, if it has one.
    pub title: Option<String>,
    /// Master seed.
    pub seed: u64,
    /// Why the run ended: `all_finished`, `stop_when`, `horizon`, `deadlock`.
    pub end: EndReason,
    /// Simulated time at the end.
    pub makespan_s: f64,
    /// Events the simulator processed.
    pub events: u64,
    /// GIL counters summed over every GIL (fractions averaged).
    pub gil: GilSummary,
    /// Per thread.
    pub threads: Vec<ThreadSummary>,
    /// Per core: busy fraction (running or switching).
    pub cores: Vec<f64>,
    /// Fraction of all cores' time spent in context switches.
    pub switch_fraction: f64,
    /// Per process.
    pub processes: Vec<ProcessSummary>,
    /// Final values of shared variables, by name.
    pub shared: BTreeMap<String, i64>,
    /// The server's clients' view, if the scenario has a server.
    pub server: Option<ServerSummary>,
    /// asyncio tasks.
    pub tasks: Vec<TaskSummary>,
    /// The scheduling task set, if any.
    pub jobs: Option<JobsSummary>,
    /// The multiprocessing pool, if any.
    pub pool: Option<PoolSummary>,
    /// Threads stuck in a cycle of lock and semaphore waits (or, after a
    /// deadlock end without one, every thread blocked on a lock, semaphore
    /// or queue): what each holds and waits for.
    pub deadlock: Vec<StuckSummary>,
    /// How many threads `deadlock` lists (0: no deadlock).
    pub deadlocked: usize,
}

/// One thread of a deadlock.
#[derive(Clone, Debug, Serialize)]
pub struct StuckSummary {
    /// The thread's name.
    pub thread: String,
    /// The locks and semaphores it holds (`lock a`, `semaphore pool`).
    pub holds: Vec<String>,
    /// What it is blocked on.
    pub waits_for: String,
    /// The threads holding what it waits for.
    pub held_by: Vec<String>,
}

/// GIL counters.
#[derive(Clone, Debug, Serialize)]
pub struct GilSummary {
    /// GIL instances (one per process, or per interpreter; 0 without a GIL).
    pub count: usize,
    /// Holder changes.
    pub switches: u64,
    /// Holder changes per simulated second.
    pub switches_per_s: f64,
    /// Drops forced by a drop request (new GIL).
    pub forced_drops: u64,
    /// Releases around blocking calls and GIL-releasing C code.
    pub voluntary_drops: u64,
    /// Drop requests set by waiters.
    pub drop_requests: u64,
    /// Timed waits that expired.
    pub timed_out_waits: u64,
    /// Woken waiters that found the GIL taken again.
    pub failed_acquires: u64,
    /// Check points passed (old GIL: every check interval).
    pub checks: u64,
    /// Beazley's badness: failed acquisitions per check.
    pub badness: f64,
    /// Fraction of time the GIL was held (as `gil_load` reports).
    pub held_fraction: f64,
    /// Fraction of time someone waited for it (as `gil_load` reports).
    pub wait_fraction: f64,
}

/// One thread.
#[derive(Clone, Debug, Serialize)]
pub struct ThreadSummary {
    /// Its name.
    pub name: String,
    /// Its process's name.
    pub process: String,
    /// Time on a core.
    pub cpu_s: f64,
    /// Time waiting for the GIL.
    pub gil_wait_s: f64,
    /// Time blocked in I/O.
    pub blocked_s: f64,
    /// Time ready without a core.
    pub ready_s: f64,
    /// Time blocked on locks and queues.
    pub sync_wait_s: f64,
    /// When it finished (null if it did not).
    pub finished_s: Option<f64>,
    /// Its state at the end.
    pub end_state: &'static str,
}

/// One process.
#[derive(Clone, Debug, Serialize)]
pub struct ProcessSummary {
    /// Its name.
    pub name: String,
    /// Declared memory in MB.
    pub memory_mb: f64,
    /// Crashes.
    pub crashes: u32,
    /// Restarts.
    pub restarts: u32,
}

/// What the clients saw.
#[derive(Clone, Debug, Serialize)]
pub struct ServerSummary {
    /// Requests sent.
    pub sent: u64,
    /// Answered in time.
    pub completed: u64,
    /// Completed per second of load.
    pub throughput_rps: f64,
    /// Latency of completed requests (`None`: none completed).
    pub latency_ms: Option<LatencyMs>,
    /// Latency at every percentile 0, 1, ..., 100 (empty without completions).
    pub latency_cdf_ms: Vec<f64>,
    /// Refused: backlog full.
    pub refused: u64,
    /// The client gave up (504 at a proxy).
    pub timed_out: u64,
    /// Lost in a worker crash (502).
    pub failed: u64,
    /// Answers that came after the client gave up (wasted work).
    pub late: u64,
    /// Still queued or being served at the end.
    pub in_flight: u64,
}

/// Latency percentiles in milliseconds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct LatencyMs {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

/// One asyncio task.
#[derive(Clone, Debug, Serialize)]
pub struct TaskSummary {
    /// Its name.
    pub name: String,
    /// When it finished (null if it did not).
    pub finished_s: Option<f64>,
    /// Times it awaited.
    pub awaits: u64,
    /// Longest delay between its await completing and it running again
    /// (GIL waits included).
    pub max_lag_ms: f64,
    /// Mean of those delays over its awaits (0 without awaits).
    pub mean_lag_ms: f64,
}

/// A scheduling task set.
#[derive(Clone, Debug, Serialize)]
pub struct JobsSummary {
    /// Per job.
    pub jobs: Vec<JobSummary>,
    /// Mean waiting time.
    pub mean_waiting_ms: f64,
    /// Mean turnaround time of the jobs that finished (`None`: none did).
    pub mean_turnaround_ms: Option<f64>,
}

/// One job.
#[derive(Clone, Debug, Serialize)]
pub struct JobSummary {
    /// Its name.
    pub name: String,
    /// Arrival.
    pub arrival_ms: f64,
    /// CPU burst.
    pub burst_ms: f64,
    /// Priority (lower is more urgent).
    pub priority: u32,
    /// Finish.
    pub finish_ms: Option<f64>,
    /// Time ready but not running.
    pub waiting_ms: f64,
    /// Finish minus arrival.
    pub turnaround_ms: Option<f64>,
}

/// A multiprocessing pool.
#[derive(Clone, Debug, Serialize)]
pub struct PoolSummary {
    /// `pool` or `executor`.
    pub kind: String,
    /// Worker processes.
    pub workers: u32,
    /// Tasks mapped.
    pub tasks: u32,
    /// Tasks per message.
    pub chunksize: u32,
    /// Messages.
    pub chunks: u32,
    /// The tasks' CPU work one after the other.
    pub serial_s: f64,
    /// `serial_s / makespan_s`.
    pub speedup: f64,
    /// Bytes of arguments and results, in MB.
    pub ipc_mb: f64,
    /// Memory of all processes in MB.
    pub memory_mb: f64,
}

fn s(ns: u64) -> f64 {
    ns as f64 * 1e-9
}

fn ms(ns: u64) -> f64 {
    ns as f64 * 1e-6
}

/// Summarises a run of a compiled scenario.
pub fn summary(compiled: &Compiled, res: &SimResult) -> Summary {
    // Long on purpose: one section of the documented summary after another,
    // in the order `docs/scenarios.md` lists them, so the two read side by side.
    let meta = &compiled.meta;
    let sc = &compiled.scenario;
    let totals = res.gil_totals();
    let n_gils = res.gils.len();
    let mean = |f: &dyn Fn(&scheduler::GilReport) -> f64| {
        if n_gils == 0 { 0.0 } else { res.gils.iter().map(f).sum::<f64>() / n_gils as f64 }
    };
    let gil = GilSummary {
        count: n_gils,
        switches: totals.switches,
        switches_per_s: if res.makespan_ns == 0 { 0.0 } else { totals.switches as f64 / s(res.makespan_ns) },
        forced_drops: totals.forced_drops,
        voluntary_drops: totals.voluntary_drops,
        drop_requests: totals.drop_requests,
        timed_out_waits: totals.timed_out_waits,
        failed_acquires: totals.failed_acquires,
        checks: totals.checks,
        badness: totals.badness(),
        held_fraction: mean(&|g| g.held_fraction),
        wait_fraction: mean(&|g| g.wait_fraction),
    };
    let threads = res
        .threads
        .iter()
        .map(|t| ThreadSummary {
            name: t.name.clone(),
            process: sc.processes[t.process as usize].name.clone(),
            cpu_s: s(t.cpu_ns),
            gil_wait_s: s(t.time.gil_wait),
            blocked_s: s(t.time.io),
            ready_s: s(t.time.ready),
            sync_wait_s: s(t.time.lock_wait + t.time.queue_wait),
            finished_s: t.finished_ns.map(s),
            end_state: t.end_state.name(),
        })
        .collect();
    let processes = res
        .processes
        .iter()
        .map(|p| ProcessSummary {
            name: p.name.clone(),
            memory_mb: p.memory_mb,
            crashes: p.crashes,
            restarts: p.restarts,
        })
        .collect();
    let shared = meta.shared.iter().cloned().zip(res.vars.iter().copied()).collect();
    let server = res.sources.first().map(|src| ServerSummary {
        sent: src.sent,
        completed: src.completed,
        throughput_rps: src.throughput_rps,
        latency_ms: (src.completed > 0).then(|| LatencyMs {
            p50: ms(src.latency.p50_ns),
            p90: ms(src.latency.p90_ns),
            p99: ms(src.latency.p99_ns),
            max: ms(src.latency.max_ns),
            mean: src.latency.mean_ns * 1e-6,
        }),
        latency_cdf_ms: src.cdf_ns.iter().map(|&ns| ms(ns)).collect(),
        refused: src.refused,
        timed_out: src.timed_out,
        failed: src.failed,
        late: src.late,
        in_flight: src.in_flight,
    });
    let tasks = res
        .tasks
        .iter()
        .map(|t| TaskSummary {
            name: t.name.clone(),
            finished_s: t.finished_ns.map(s),
            awaits: t.awaits,
            max_lag_ms: ms(t.max_lag_ns),
            mean_lag_ms: if t.lags == 0 { 0.0 } else { ms(t.total_lag_ns) / t.lags as f64 },
        })
        .collect();
    let jobs = (!meta.jobs.is_empty()).then(|| {
        let jobs: Vec<JobSummary> = meta
            .jobs
            .iter()
            .map(|j| {
                let t = &res.threads[j.thread as usize];
                JobSummary {
                    name: j.name.clone(),
                    arrival_ms: ms(j.arrival_ns),
                    burst_ms: ms(j.burst_ns),
                    priority: j.priority,
                    finish_ms: t.finished_ns.map(ms),
                    waiting_ms: ms(t.waiting_ns()),
                    turnaround_ms: t.turnaround_ns().map(ms),
                }
            })
            .collect();
        let n = jobs.len() as f64;
        JobsSummary {
            mean_waiting_ms: jobs.iter().map(|j| j.waiting_ms).sum::<f64>() / n,
            mean_turnaround_ms: {
                let (sum, n) =
                    jobs.iter().filter_map(|j| j.turnaround_ms).fold((0.0, 0u32), |(s, n), t| (s + t, n + 1));
                (n > 0).then(|| sum / f64::from(n))
            },
            jobs,
        }
    });
    let pool = meta.pool.as_ref().map(|p| PoolSummary {
        kind: p.kind.clone(),
        workers: p.workers,
        tasks: p.tasks,
        chunksize: p.chunksize,
        chunks: p.chunks,
        serial_s: s(p.serial_ns),
        speedup: if res.makespan_ns == 0 { 0.0 } else { p.serial_ns as f64 / res.makespan_ns as f64 },
        ipc_mb: p.ipc_bytes as f64 / 1e6,
        memory_mb: res.processes.iter().map(|p| p.memory_mb).sum(),
    });
    let resource = |r: &scheduler::Resource| match *r {
        scheduler::Resource::Lock(n) => format!("lock {}", meta.locks.get(n as usize).map_or("?", String::as_str)),
        scheduler::Resource::Semaphore(n) => {
            format!("semaphore {}", meta.semaphores.get(n as usize).map_or("?", String::as_str))
        }
        scheduler::Resource::Queue(n) => format!("queue {}", meta.queues.get(n as usize).map_or("?", String::as_str)),
    };
    let thread_name = |t: u32| res.threads.get(t as usize).map_or_else(String::new, |th| th.name.clone());
    let deadlock: Vec<StuckSummary> = res
        .deadlock
        .iter()
        .map(|d| StuckSummary {
            thread: thread_name(d.thread),
            holds: d.holds.iter().map(resource).collect(),
            waits_for: resource(&d.waits_for),
            held_by: d.held_by.iter().map(|&t| thread_name(t)).collect(),
        })
        .collect();
    Summary {
        schema: SCHEMA,
        title: meta.title.clone(),
        seed: sc.seed,
        end: res.end,
        makespan_s: s(res.makespan_ns),
        events: res.events,
        gil,
        threads,
        cores: res.cores.iter().map(|c| c.utilisation).collect(),
        switch_fraction: {
            let total = res.makespan_ns as f64 * res.cores.len() as f64;
            if total == 0.0 { 0.0 } else { res.cores.iter().map(|c| c.switch_ns as f64).sum::<f64>() / total }
        },
        processes,
        shared,
        server,
        tasks,
        jobs,
        pool,
        deadlocked: deadlock.len(),
        deadlock,
    }
}
