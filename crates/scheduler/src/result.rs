//! Results of a run: plain, serialisable data.

use gil_core::GilStats;
use serde::{Deserialize, Serialize};

use crate::trace::ThreadState;

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// Every thread finished.
    AllFinished,
    /// Every thread named in `stop_when` finished.
    StopWhen,
    /// The horizon was reached.
    Horizon,
    /// No event was left but some threads had not finished (they wait on
    /// locks nobody will release); only without a horizon (with one, the run
    /// idles to the horizon and the threads' `end_state` tells).
    Deadlock,
}

/// The outcome of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimResult {
    /// Why the run ended.
    pub end: EndReason,
    /// Simulated time at the end of the run.
    pub makespan_ns: u64,
    /// Events processed.
    pub events: u64,
    /// Per thread, in global order.
    pub threads: Vec<ThreadReport>,
    /// Per GIL instance (one per process, or per interpreter with PEP 684;
    /// none when free-threaded).
    pub gils: Vec<GilReport>,
    /// Per core.
    pub cores: Vec<CoreReport>,
    /// Per process.
    pub processes: Vec<ProcessReport>,
    /// Final values of the shared variables.
    pub vars: Vec<i64>,
    /// Per request source: what its clients saw.
    pub sources: Vec<SourceReport>,
    /// Per asyncio task, in thread order then task order.
    pub tasks: Vec<TaskReport>,
    /// Why threads are stuck: the threads of a cycle of lock and semaphore
    /// waits, each waiting for what the next holds (found at any end); or,
    /// when the run ended in a deadlock without such a cycle, every thread
    /// blocked on a lock, a semaphore or a queue. Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadlock: Vec<Stuck>,
}

/// Something a thread can hold or wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// A lock, by number.
    Lock(u32),
    /// A semaphore, by number.
    Semaphore(u32),
    /// A queue, by number (nobody holds one).
    Queue(u32),
}

/// A thread that cannot go on, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stuck {
    /// The thread (global number).
    pub thread: u32,
    /// The locks and semaphores it holds (a semaphore once, however many
    /// of its permits it took), in order.
    pub holds: Vec<Resource>,
    /// What it is blocked on.
    pub waits_for: Resource,
    /// The threads holding what it waits for (for a semaphore, every thread
    /// that took one of its permits; none for a queue).
    pub held_by: Vec<u32>,
}

impl SimResult {
    /// Makespan in seconds.
    pub fn makespan_s(&self) -> f64 {
        self.makespan_ns as f64 * 1e-9
    }

    /// Counters summed over every GIL.
    pub fn gil_totals(&self) -> GilStats {
        self.gils.iter().fold(GilStats::default(), |sum, g| sum + g.stats)
    }

    /// The thread called `name` (the first, if several share it).
    pub fn thread(&self, name: &str) -> Option<&ThreadReport> {
        self.threads.iter().find(|t| t.name == name)
    }
}

/// Time a thread spent in each [`ThreadState`], in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateTimes {
    /// Before its start time.
    pub not_started: u64,
    /// Ready, waiting for a core.
    pub ready: u64,
    /// Running bytecode.
    pub python: u64,
    /// Running C code holding the GIL.
    pub c_hold: u64,
    /// Running C code without the GIL.
    pub c_release: u64,
    /// GIL and lock bookkeeping on a core.
    pub overhead: u64,
    /// Inside `take_gil`.
    pub gil_wait: u64,
    /// Waiting for a forced hand-off to complete.
    pub handoff: u64,
    /// Blocked in I/O.
    pub io: u64,
    /// Blocked on a lock.
    pub lock_wait: u64,
    /// Blocked on a queue.
    pub queue_wait: u64,
    /// Dead after a crash.
    pub crashed: u64,
}

impl StateTimes {
    /// Adds `ns` to `state`'s counter (`Done` is not counted).
    pub fn add(&mut self, state: ThreadState, ns: u64) {
        let slot = match state {
            ThreadState::NotStarted => &mut self.not_started,
            ThreadState::Ready => &mut self.ready,
            ThreadState::Python => &mut self.python,
            ThreadState::CHold => &mut self.c_hold,
            ThreadState::CRelease => &mut self.c_release,
            ThreadState::Overhead => &mut self.overhead,
            ThreadState::GilWait => &mut self.gil_wait,
            ThreadState::Handoff => &mut self.handoff,
            ThreadState::Io => &mut self.io,
            ThreadState::LockWait => &mut self.lock_wait,
            ThreadState::QueueWait => &mut self.queue_wait,
            ThreadState::Crashed => &mut self.crashed,
            ThreadState::Done => return,
        };
        *slot += ns;
    }

    /// The sum over every state.
    pub fn total(&self) -> u64 {
        self.not_started
            + self.ready
            + self.python
            + self.c_hold
            + self.c_release
            + self.overhead
            + self.gil_wait
            + self.handoff
            + self.io
            + self.lock_wait
            + self.queue_wait
            + self.crashed
    }
}

/// Summarises latencies (sorted in place).
pub(crate) fn summarise(latencies: &mut [u64]) -> (Latency, Vec<u64>) {
    if latencies.is_empty() {
        return (Latency::default(), Vec::new());
    }
    latencies.sort_unstable();
    let n = latencies.len();
    // Nearest-rank percentile.
    let pct = |p: usize| latencies[((p * n).div_ceil(100)).clamp(1, n) - 1];
    let mean = latencies.iter().map(|&l| l as f64).sum::<f64>() / n as f64;
    let lat = Latency { p50_ns: pct(50), p90_ns: pct(90), p99_ns: pct(99), max_ns: latencies[n - 1], mean_ns: mean };
    let cdf = (0..=100).map(|p| if p == 0 { latencies[0] } else { pct(p) }).collect();
    (lat, cdf)
}

/// What one thread did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadReport {
    /// Its name.
    pub name: String,
    /// Index of its process.
    pub process: u32,
    /// Index of its GIL in [`SimResult::gils`], if it has one.
    pub gil: Option<u32>,
    /// When it started.
    pub start_ns: u64,
    /// When it finished, if it did.
    pub finished_ns: Option<u64>,
    /// Its state when the run ended (`done` if it finished; `lock_wait` for
    /// the threads of a deadlock).
    pub end_state: ThreadState,
    /// Time on a core (every kind of work and overhead, not context switches).
    pub cpu_ns: u64,
    /// Time in each state; sums to its lifetime (end or finish minus 0).
    pub time: StateTimes,
    /// Successful GIL acquisitions.
    pub acquisitions: u64,
    /// Wake-ups that found the GIL taken again.
    pub failed_acquires: u64,
    /// Drop requests it serviced (forced drops).
    pub forced_drops: u64,
}

impl ThreadReport {
    /// Finish minus start (`None` if it did not finish): the turnaround of a job.
    pub fn turnaround_ns(&self) -> Option<u64> {
        self.finished_ns.map(|f| f - self.start_ns)
    }

    /// Time ready but without a core: the waiting time of scheduling textbooks.
    pub fn waiting_ns(&self) -> u64 {
        self.time.ready
    }
}

/// What one process did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessReport {
    /// Its name.
    pub name: String,
    /// Its resident memory, as declared.
    pub memory_mb: f64,
    /// Times it crashed.
    pub crashes: u32,
    /// Times it was restarted.
    pub restarts: u32,
}

/// Latency percentiles of answered requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Median.
    pub p50_ns: u64,
    /// 90th percentile.
    pub p90_ns: u64,
    /// 99th percentile.
    pub p99_ns: u64,
    /// Largest.
    pub max_ns: u64,
    /// Mean.
    pub mean_ns: f64,
}

/// What one request source saw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceReport {
    /// Its name.
    pub name: String,
    /// Requests sent (including refused ones).
    pub sent: u64,
    /// Requests answered in time.
    pub completed: u64,
    /// Requests refused because the queue (backlog) was full (HTTP 502 at a proxy).
    pub refused: u64,
    /// Requests whose client gave up before the answer (HTTP 504 at a proxy).
    pub timed_out: u64,
    /// Requests lost when the process serving them crashed (HTTP 502).
    pub failed: u64,
    /// Requests still queued or being served when the run ended.
    pub in_flight: u64,
    /// Answers that came after their client had given up (wasted work).
    pub late: u64,
    /// Completed requests per second of sending time.
    pub throughput_rps: f64,
    /// Latency of completed requests, from sending to answer.
    pub latency: Latency,
    /// Latency at every percentile 0, 1, ..., 100 (for CDF charts).
    pub cdf_ns: Vec<u64>,
}

/// What one asyncio task saw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskReport {
    /// Its name.
    pub name: String,
    /// The event-loop thread (global number).
    pub thread: u32,
    /// When it finished, if it did.
    pub finished_ns: Option<u64>,
    /// Times it was suspended (awaits and offloads).
    pub awaits: u64,
    /// Longest delay between its await completing and it running again.
    pub max_lag_ns: u64,
    /// Sum of those delays.
    pub total_lag_ns: u64,
    /// How many there were (resumptions after an await).
    pub lags: u64,
}

impl ThreadReport {
    /// Time waiting for the GIL (inside `take_gil`), in nanoseconds.
    pub fn gil_wait_ns(&self) -> u64 {
        self.time.gil_wait
    }

    /// Time blocked in I/O, in nanoseconds.
    pub fn blocked_ns(&self) -> u64 {
        self.time.io
    }
}

/// What one GIL saw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GilReport {
    /// Index of the owning process.
    pub process: u32,
    /// Interpreter within the process (0 unless per-interpreter GILs).
    pub interpreter: u32,
    /// The counters.
    pub stats: GilStats,
    /// Time the GIL was held by someone.
    pub held_ns: u64,
    /// Time at least one thread waited for it.
    pub wait_ns: u64,
    /// `held_ns / makespan`, as `gil_load` reports "held".
    pub held_fraction: f64,
    /// `wait_ns / makespan`, as `gil_load` reports "wait".
    pub wait_fraction: f64,
    /// Holder changes per simulated second.
    pub switches_per_sec: f64,
}

/// What one core did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoreReport {
    /// Time running threads (their `cpu_ns` summed).
    pub busy_ns: u64,
    /// Time spent switching between threads.
    pub switch_ns: u64,
    /// Time with nothing to run.
    pub idle_ns: u64,
    /// `(busy + switch) / makespan`.
    pub utilisation: f64,
    /// Threads dispatched to this core.
    pub context_switches: u64,
}
