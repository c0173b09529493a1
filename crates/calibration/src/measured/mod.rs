//! What `cargo xtask calibrate` measured on real CPython
//! (`calibration/measured.json`): every family's runs, and the JSON writer
//! that keeps a point's runs on one line.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The schema of `calibration/measured.json` written now.
pub const SCHEMA: &str = "gil-lab.calibration/2";

/// Schemas that still load: `/1` (summaries only) lacks every field added
/// since, which then take their defaults (no runs, no new families).
pub const SCHEMAS: &[&str] = &["gil-lab.calibration/1", SCHEMA];

/// Everything measured on one machine.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// [`SCHEMA`].
    pub schema: String,
    /// Day of the measurement (YYYY-MM-DD).
    pub date: String,
    /// The machine.
    pub machine: MachineInfo,
    /// One entry per interpreter, oldest first.
    pub interpreters: Vec<InterpreterData>,
    /// Gunicorn under wrk, when both were available.
    pub wsgi: Option<WsgiData>,
    /// How the quiet-window guard was set and what it discarded.
    #[serde(default)]
    pub guard: Option<GuardSummary>,
    /// Families measured again later (`calibrate --only`), each session with
    /// its day and machine; `date` and `machine` above are the full
    /// measurement's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<Session>,
}

/// A later session that measured some families again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Day (YYYY-MM-DD).
    pub date: String,
    /// The machine it ran on.
    pub machine: MachineInfo,
    /// The families it measured (`affinity`, `pool`, ...).
    pub families: Vec<String>,
    /// The interpreters it measured them on (versions); empty in files
    /// written before 2026-12-07, where it measured every one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interpreters: Vec<String>,
}

/// The quiet-window guard of a measurement session: before each run the
/// driver waits until the rest of the machine is idle, and after it
/// discards the run if the rest of the machine used too much CPU meanwhile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GuardSummary {
    /// A run starts once the rest of the machine used less than this many
    /// cores over a short sample (or after `max_wait_s`).
    pub quiet_cores: f64,
    /// A run is discarded when the rest of the machine used more than this
    /// share of one core over it ...
    pub max_foreign_share: f64,
    /// ... and more than this many CPU seconds (the counters tick in 10 ms).
    pub floor_s: f64,
    /// Runs discarded in a row before the least disturbed one is kept anyway.
    pub max_retries: u32,
    /// Longest wait for a quiet window, seconds.
    pub max_wait_s: f64,
    /// Runs kept.
    pub runs: u64,
    /// Runs discarded and repeated.
    pub discarded: u64,
    /// Runs kept although disturbed (retries exhausted).
    pub noisy: u64,
    /// Seconds spent waiting for quiet windows.
    pub waited_s: f64,
}

/// The machine measured on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MachineInfo {
    /// Cores available to the process.
    pub cores: u32,
    /// CPU model name.
    pub cpu: String,
    /// Operating system.
    pub os: String,
}

/// One interpreter's measurements.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InterpreterData {
    /// `3.12.1`.
    pub version: String,
    /// `old` (before 3.2), `new`, or `none` (free-threaded).
    pub gil: String,
    /// Nanoseconds per iteration of `while n > 0: n -= 1`.
    pub ns_per_iter: f64,
    /// Iterations of the countdown runs.
    pub countdown_n: u64,
    /// Countdown split across threads or processes, best of several runs.
    pub countdown: Vec<CountdownRun>,
    /// Two countdown threads at several switch intervals (new GIL only).
    pub interval_cost: Vec<IntervalRun>,
    /// Blocking waits: `tasks` x `count` sleeps of `ms`.
    pub sleeps: Option<SleepData>,
    /// Echo round trips per second, with and without CPU-bound threads.
    pub echo: Vec<EchoRun>,
    /// SHA-256 of large buffers (hashlib releases the GIL) in threads.
    pub hash: Option<HashData>,
    /// The switch-interval cost at thread counts other than two (kept apart
    /// from `interval_cost`, whose readers expect two threads).
    #[serde(default)]
    pub interval_more: Vec<IntervalRun>,
    /// Echo runs pinned somehow (kept apart from `echo`, whose readers
    /// expect unpinned runs), and the affinity family's own echo alone
    /// ([`Placement::Free`], no CPU thread): the base of its ratios,
    /// measured in the same session.
    #[serde(default)]
    pub echo_placed: Vec<EchoRun>,
    /// Countdown threads, each pinned to a core from inside the thread.
    #[serde(default)]
    pub affinity: Vec<AffinityRun>,
    /// `Pool.map` of many small tasks: chunk sizes and argument sizes.
    #[serde(default)]
    pub pool_map: Vec<PoolMapRun>,
    /// Start-up of pools and processes per start method.
    #[serde(default)]
    pub pool_start: Vec<PoolStartRun>,
    /// Lag of a 1 ms asyncio ticker, alone and next to other work.
    #[serde(default)]
    pub asyncio_lag: Vec<LagRun>,
}

/// How many runs were discarded for a point (the machine was busy), and how
/// many were kept although disturbed; both 0 when the guard was off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discards {
    /// Runs discarded and repeated.
    #[serde(default)]
    pub discarded: u32,
    /// Runs kept although the rest of the machine used more CPU than allowed.
    #[serde(default)]
    pub noisy: u32,
}

impl Discards {
    /// Both zero (left out of the file).
    pub fn is_zero(&self) -> bool {
        self.discarded == 0 && self.noisy == 0
    }

    /// Adds another point's counts.
    pub fn add(&mut self, other: Discards) {
        self.discarded += other.discarded;
        self.noisy += other.noisy;
    }
}

/// The smallest value (NaN when empty).
pub fn min(runs: &[f64]) -> f64 {
    runs.iter().copied().fold(f64::NAN, f64::min)
}

/// The largest value (NaN when empty).
pub fn max(runs: &[f64]) -> f64 {
    runs.iter().copied().fold(f64::NAN, f64::max)
}

/// The median (the mean of the middle two of an even count; NaN when empty).
pub fn median(runs: &[f64]) -> f64 {
    let mut v = runs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// A countdown run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CountdownRun {
    /// Pinned to one core with `taskset`.
    pub pinned: bool,
    /// `threads` or `processes`.
    pub mode: String,
    /// How many share the work.
    pub threads: u32,
    /// Wall time, seconds: the best run.
    pub seconds: f64,
    /// Wall time of every run kept, seconds, in the order measured.
    #[serde(default)]
    pub runs: Vec<f64>,
    /// Runs the quiet-window guard discarded.
    #[serde(default, skip_serializing_if = "Discards::is_zero")]
    pub discards: Discards,
}

/// Countdown threads at a switch interval.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IntervalRun {
    /// `sys.setswitchinterval`, seconds.
    pub interval_s: f64,
    /// Threads sharing the countdown.
    pub threads: u32,
    /// Wall time, seconds: the best run.
    pub seconds: f64,
    /// Wall time of every run kept, seconds.
    #[serde(default)]
    pub runs: Vec<f64>,
    /// Runs the quiet-window guard discarded.
    #[serde(default, skip_serializing_if = "Discards::is_zero")]
    pub discards: Discards,
    /// Iterations of the countdown (the interpreter's `countdown_n` when 0).
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub countdown_n: u64,
}

fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}

/// Blocking waits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SleepData {
    /// Tasks.
    pub tasks: u32,
    /// Sleeps per task.
    pub count: u32,
    /// Milliseconds per sleep.
    pub ms: f64,
    /// Seconds, by mode: `sequential`, `threads`, `asyncio` (the best run).
    pub seconds: BTreeMap<String, f64>,
    /// Every run kept, by mode, seconds.
    #[serde(default)]
    pub runs: BTreeMap<String, Vec<f64>>,
    /// Runs the quiet-window guard discarded (all modes).
    #[serde(default, skip_serializing_if = "Discards::is_zero")]
    pub discards: Discards,
}

/// Echo throughput.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EchoRun {
    /// CPU-bound threads next to the echo thread.
    pub cpu_threads: u32,
    /// Switch interval, seconds (none for the old GIL).
    pub interval_s: Option<f64>,
    /// Round trips per second (median of several runs).
    pub rps: f64,
    /// Next to a CPU-bound thread: the share of round trips that took more
    /// than 1.5 switch intervals (that lost two intervals, not one), the
    /// mean over the runs.
    #[serde(default)]
    pub two_interval_share: Option<f64>,
    /// Where the threads ran.
    #[serde(default, skip_serializing_if = "Placement::is_free")]
    pub placement: Placement,
    /// Round trips per second of every run kept.
    #[serde(default)]
    pub runs: Vec<f64>,
    /// The round trips of every run kept.
    #[serde(default)]
    pub trips: Vec<EchoTrips>,
    /// Round trips of all runs by switch intervals lost, in quarters of an
    /// interval: `[0, 0.25)`, `[0.25, 0.5)`, ... `[4, inf)` (17 bins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lost_quarters: Vec<u64>,
    /// Median round trip alone that the lost intervals are counted above, us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_us: Option<f64>,
    /// Runs the quiet-window guard discarded.
    #[serde(default, skip_serializing_if = "Discards::is_zero")]
    pub discards: Discards,
}

impl EchoRun {
    /// Shares of all runs' round trips that lost about 0, 1, 2 and 3 or more
    /// switch intervals (each trip's time less `base_us`, rounded).
    pub fn lost_shares(&self) -> Option<[f64; 4]> {
        let mut counts = [0u64; 4];
        for t in &self.trips {
            for (c, n) in counts.iter_mut().zip(t.lost.as_ref()?) {
                *c += n;
            }
        }
        let total: u64 = counts.iter().sum();
        (total > 0).then(|| counts.map(|c| c as f64 / total as f64))
    }

    /// The median over the runs of each run's median round trip, us.
    pub fn median_trip_us(&self) -> Option<f64> {
        (!self.trips.is_empty()).then(|| median(&self.trips.iter().map(|t| t.median_us).collect::<Vec<_>>()))
    }
}

/// Where an echo run's threads ran.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Unpinned.
    #[default]
    Free,
    /// The whole server process pinned to one core (`taskset -c 0`); the
    /// client process free.
    Process,
    /// The echo thread and the CPU-bound threads pinned to the same core.
    SameCore,
    /// The echo thread on one core, the CPU-bound threads on another.
    OtherCore,
}

impl Placement {
    fn is_free(&self) -> bool {
        *self == Placement::Free
    }

    /// `free`, `process`, `same_core`, `other_core`.
    pub fn name(self) -> &'static str {
        match self {
            Placement::Free => "free",
            Placement::Process => "process",
            Placement::SameCore => "same_core",
            Placement::OtherCore => "other_core",
        }
    }
}

/// One echo run's round trips, as the client saw them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EchoTrips {
    /// Round trips.
    pub trips: u64,
    /// Seconds of ping-pong.
    pub seconds: f64,
    /// Median round trip, us.
    pub median_us: f64,
    /// Mean round trip, us.
    pub mean_us: f64,
    /// 10th percentile, us.
    pub p10_us: f64,
    /// 90th percentile, us.
    pub p90_us: f64,
    /// 99th percentile, us.
    pub p99_us: f64,
    /// Longest round trip, us.
    pub max_us: f64,
    /// With a switch interval: trips that lost about 0, 1, 2 and 3 or more
    /// intervals (trip less the base, rounded to whole intervals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost: Option<[u64; 4]>,
}

/// Countdown threads, each pinned to one core from inside the thread
/// (`os.sched_setaffinity(0, ...)`, or libc through ctypes on 2.7).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AffinityRun {
    /// The core of each thread (as many threads as entries): `[0, 0]` both
    /// on one core, `[0, 1]` on two.
    pub cpus: Vec<u32>,
    /// Switch interval, seconds (none: the default, or the old GIL).
    pub interval_s: Option<f64>,
    /// Iterations of the whole countdown (split evenly).
    pub countdown_n: u64,
    /// How the threads pinned themselves: `os` or `ctypes`.
    pub method: String,
    /// Wall time, seconds: the best run.
    pub seconds: f64,
    /// Every run kept, seconds.
    pub runs: Vec<f64>,
    /// Runs the quiet-window guard discarded.
    #[serde(default, skip_serializing_if = "Discards::is_zero")]
    pub discards: Discards,
}

/// `Pool(workers).map(f, tasks x bytes(payload_bytes), chunksize)`, timed
/// from the first task sent to the last result back (workers already
/// started); `f` returns the argument's length.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PoolMapRun {
    /// `fork`, `spawn` or `forkserver`.
    pub start_method: String,
    /// Worker processes.
    pub workers: u32,
    /// Tasks.
    pub tasks: u32,
    /// `chunksize`.
    pub chunksize: u32,
    /// Bytes of each task's argument (a `bytes` object).
    pub payload_bytes: u64,
    /// Wall time, seconds: the best run.
    pub seconds: f64,
    /// Every run kept, seconds.
    pub runs: Vec<f64>,
    /// Runs the quiet-window guard discarded.
    #[serde(default, skip_serializing_if = "Discards::is_zero")]
    pub discards: Discards,
}

impl PoolMapRun {
    /// Seconds per task (best run).
    pub fn per_task_s(&self) -> f64 {
        self.seconds / f64::from(self.tasks.max(1))
    }
}

/// Start-up of a start method, in a fresh interpreter: `pool` is
/// `Pool(workers)` until `apply` returned the first result, `process` a bare
/// `Process` started and joined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PoolStartRun {
    /// `fork`, `spawn` or `forkserver`.
    pub start_method: String,
    /// `pool` or `process`.
    pub kind: String,
    /// Pool workers (1 for `process`).
    pub workers: u32,
    /// Seconds, the first in the interpreter: the best run.
    pub seconds: f64,
    /// The first in the interpreter, every run kept, seconds.
    pub runs: Vec<f64>,
    /// A second one right after the first (a forkserver already running,
    /// modules already imported), every run, seconds.
    pub again_runs: Vec<f64>,
    /// Runs the quiet-window guard discarded.
    #[serde(default, skip_serializing_if = "Discards::is_zero")]
    pub discards: Discards,
}

/// A ticker task that sleeps 1 ms in a loop on an asyncio event loop; its
/// lag is when it woke less when it asked to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LagRun {
    /// `alone`, `thread` (a countdown in the default executor:
    /// `asyncio.to_thread` on 3.9+, `loop.run_in_executor` before) or
    /// `block` (a coroutine calls `time.sleep`).
    pub mode: String,
    /// Switch interval, seconds (none: the default 5 ms).
    pub interval_s: Option<f64>,
    /// The ticker's sleep, seconds.
    pub tick_s: f64,
    /// `thread`: iterations of the countdown in the executor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countdown_n: Option<u64>,
    /// `block`: the blocking call, seconds; `alone`: how long the ticker ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// Largest lag, seconds: the median over the runs.
    pub max_lag_s: f64,
    /// Mean lag, seconds: the median over the runs.
    pub mean_lag_s: f64,
    /// Ticks: the median over the runs.
    pub ticks: f64,
    /// Every run kept.
    pub runs: Vec<LagSample>,
    /// Runs the quiet-window guard discarded.
    #[serde(default, skip_serializing_if = "Discards::is_zero")]
    pub discards: Discards,
}

/// One asyncio lag run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LagSample {
    /// Ticks.
    pub ticks: u64,
    /// Largest lag, seconds.
    pub max_lag_s: f64,
    /// Mean lag, seconds.
    pub mean_lag_s: f64,
    /// Median lag, seconds.
    pub p50_lag_s: f64,
    /// 90th percentile, seconds.
    pub p90_lag_s: f64,
    /// 99th percentile, seconds.
    pub p99_lag_s: f64,
    /// How long the other work took (the countdown in its thread, the
    /// blocking call), seconds.
    pub work_s: f64,
}

/// Hashing in threads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HashData {
    /// Buffers hashed in all.
    pub blocks: u32,
    /// MiB per buffer.
    pub mb: u32,
    /// Seconds, by thread count (the best run).
    pub seconds: BTreeMap<u32, f64>,
    /// Every run kept, by thread count, seconds.
    #[serde(default)]
    pub runs: BTreeMap<u32, Vec<f64>>,
    /// Runs the quiet-window guard discarded (all thread counts).
    #[serde(default, skip_serializing_if = "Discards::is_zero")]
    pub discards: Discards,
    /// Whether this interpreter's SHA-256 releases the GIL (OpenSSL's does;
    /// the built-in fallback of builds without OpenSSL does not).
    #[serde(default = "yes")]
    pub releases_gil: bool,
}

fn yes() -> bool {
    true
}

/// Gunicorn (gthread) under a loopback load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WsgiData {
    /// Interpreter version running gunicorn.
    pub interpreter: String,
    /// Gunicorn version.
    pub gunicorn: String,
    /// Open connections of the load generator (closed loop).
    pub connections: u32,
    /// Seconds per run.
    pub duration_s: f64,
    /// Endpoint work: name -> (CPU ms of Python, ms of sleep).
    pub endpoints: BTreeMap<String, (f64, f64)>,
    /// Runs.
    pub runs: Vec<WsgiRun>,
}

/// One gunicorn run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WsgiRun {
    /// Endpoint name.
    pub endpoint: String,
    /// `-w`.
    pub workers: u32,
    /// `--threads`.
    pub threads: u32,
    /// Requests per second (median of the runs).
    pub rps: f64,
    /// Median latency, ms (median of the runs).
    pub p50_ms: f64,
    /// 99th percentile latency, ms (median of the runs).
    pub p99_ms: f64,
    /// Requests per second of every run kept.
    #[serde(default)]
    pub runs: Vec<f64>,
    /// Median latency of every run kept, ms.
    #[serde(default)]
    pub p50_runs_ms: Vec<f64>,
    /// 99th percentile latency of every run kept, ms.
    #[serde(default)]
    pub p99_runs_ms: Vec<f64>,
    /// Runs the quiet-window guard discarded.
    #[serde(default, skip_serializing_if = "Discards::is_zero")]
    pub discards: Discards,
}

mod json;

#[cfg(test)]
mod tests;

/// Measurements of some families kept beside the main file
/// (`calibration/hosts/*.json`): an earlier session's runs that a later one
/// replaced, or a second host's, compared separately and not counted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HostMeasurement {
    /// What the file holds and why it is kept.
    pub about: String,
    /// Day (YYYY-MM-DD).
    pub date: String,
    /// The machine it ran on.
    pub machine: MachineInfo,
    /// Per interpreter, the families measured.
    pub interpreters: Vec<HostInterpreter>,
}

/// One interpreter's runs in a [`HostMeasurement`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HostInterpreter {
    /// Version.
    pub version: String,
    /// GIL kind.
    pub gil: String,
    /// The echo family, if measured.
    #[serde(default)]
    pub echo: Vec<EchoRun>,
    /// Its placed echoes (the echo family's process placements, the
    /// affinity family's pinned echoes).
    #[serde(default)]
    pub echo_placed: Vec<EchoRun>,
    /// The affinity family's pinned countdowns, if measured.
    #[serde(default)]
    pub affinity: Vec<AffinityRun>,
    /// The pool family's maps, if measured.
    #[serde(default)]
    pub pool_map: Vec<PoolMapRun>,
    /// The pool family's start-ups, if measured.
    #[serde(default)]
    pub pool_start: Vec<PoolStartRun>,
    /// The countdown family's runs, if measured (compared with each other,
    /// never with the main file's).
    #[serde(default)]
    pub countdown: Vec<CountdownRun>,
}

impl Measured {
    /// This file with `h`'s families in place of its own for `h`'s
    /// interpreters, and a session saying where they were measured; with
    /// the (version, family) pairs replaced. Interpreters this file lacks
    /// are left out (their other families are the bases of the ratios).
    pub fn with_host(&self, h: &HostMeasurement) -> (Measured, Vec<(String, String)>) {
        let mut m = self.clone();
        let mut replaced = Vec::new();
        for hi in &h.interpreters {
            let Some(d) = m.interpreters.iter_mut().find(|d| d.version == hi.version) else { continue };
            let mut families = Vec::new();
            if !hi.echo.is_empty() {
                d.echo = hi.echo.clone();
                families.push("echo");
            }
            if !hi.affinity.is_empty() {
                d.affinity = hi.affinity.clone();
                families.push("affinity");
            }
            if !hi.pool_map.is_empty() || !hi.pool_start.is_empty() {
                d.pool_map = hi.pool_map.clone();
                d.pool_start = hi.pool_start.clone();
                families.push("pool");
            }
            if !hi.countdown.is_empty() {
                d.countdown = hi.countdown.clone();
                families.push("countdown");
            }
            if families.is_empty() {
                continue;
            }
            // The placed echoes belong to the echo or affinity family,
            // whichever was measured (a pool- or countdown-only file keeps
            // the main ones).
            if families.iter().any(|f| *f == "echo" || *f == "affinity") {
                d.echo_placed = hi.echo_placed.clone();
            }
            for f in families {
                m.sessions.push(Session {
                    date: h.date.clone(),
                    machine: h.machine.clone(),
                    families: vec![f.to_owned()],
                    interpreters: vec![hi.version.clone()],
                });
                replaced.push((hi.version.clone(), f.to_owned()));
            }
        }
        (m, replaced)
    }
}
