//! A deterministic discrete-event simulator of OS threads on cores running
//! Python code under a model of CPython's GIL.
//!
//! Give [`simulate`] a [`Scenario`] (cores, OS policy, costs, GIL model,
//! processes and thread programs, seed) and get a [`SimResult`]: makespan,
//! per-thread CPU and waiting times, GIL counters and per-core utilisation.
//! [`simulate_traced`] also pushes every state change into a [`TraceSink`],
//! such as a [`Recorder`] that builds a [`Trace`] for timeline charts.
//!
//! Guarantees:
//! * The simulator never reads the wall clock or any global state: the result
//!   is a pure function of the scenario (including its seed) and this code.
//! * Time is integer nanoseconds; simultaneous events run in the order they
//!   were scheduled.
//! * Every random draw comes from a per-component stream derived from the
//!   scenario's seed (see [`rng`]).
//!
//! The model, in short: cores run threads chosen by the OS policy (fair,
//! round robin or FCFS), paying a context-switch cost on each dispatch; a
//! woken thread becomes ready after a wake-up latency. Python threads take
//! the GIL to run bytecode and C code that holds it, release it around I/O
//! and GIL-releasing C code, and follow the GIL algorithm of `gil-core` for
//! everything else: timed waits, drop requests at eval-breaker check points,
//! forced hand-offs, old-GIL periodic releases.

mod engine;
mod exp;
mod fingerprint;
pub mod presets;
mod program;
mod queue;
mod result;
pub mod rng;
mod runq;
mod scenario;
mod trace;

pub use fingerprint::{code_fingerprint, full_code_fingerprint};
pub use gil_core::{DEFAULT_CHECK_INTERVAL, DEFAULT_SWITCH_INTERVAL_NS, GilStats, ThreadId, WakeOrder};
pub use result::{
    CoreReport, EndReason, GilReport, Latency, ProcessReport, Resource, SimResult, SourceReport, StateTimes, Stuck,
    TaskReport, ThreadReport,
};
pub use scenario::{
    Arrivals, CheckPoints, Costs, CrashSpec, Dist, EventLoopSpec, GilSpec, Interp, Limits, MAX_DURATION_NS,
    MAX_OVERHEAD, MAX_PRIORITY, MAX_TIME_NS, MS, Machine, OsPolicy, Problem, ProcessSpec, QueueSpec, RoutineSpec, SEC,
    Scenario, ScenarioError, SourceSpec, Step, TaskSpec, ThreadSpec, Times, US,
};
pub use trace::{CoreSpan, CoreState, Mark, MarkAt, NoTrace, Recorder, Span, ThreadState, Trace, TraceSink};

/// How often a pipe or socket write that wakes a reader of another process
/// onto the writer's own core (`WF_SYNC`, no idle core) lets the reader
/// preempt the writer at once, whatever run to parity says. Measured with
/// `calibration/probes/wake-placement.py` (3.12, the echo next to one
/// CPU-bound thread, second calibration host): 67% and 76% at a 5 ms and a
/// 100 µs switch interval, 64% to 66% measured again (docs/calibration.md,
/// item 16). Those counts mix both directions; split, the client's write
/// preempted the echo thread 89% to 95% of the time and the echo's write the
/// client 19% to 49%, and next to two CPU threads the other way round
/// (`calibration/probes/forced-drop.py`, item 18).
pub const SYNC_WAKE_PREEMPTS: f64 = 0.7;

/// Why a run could not produce a result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// The scenario breaks a rule.
    Invalid(ScenarioError),
    /// The run needed more events than `limits.max_events`.
    EventBudget {
        /// The budget.
        events: u64,
        /// Simulated time when it ran out.
        at_ns: u64,
    },
    /// A thread released a lock that was not locked (Python raises
    /// `RuntimeError: release unlocked lock`).
    UnlockUnlocked {
        /// Global thread number.
        thread: u32,
        /// Lock number.
        lock: u32,
        /// Simulated time.
        at_ns: u64,
    },
    /// The run reached [`MAX_TIME_NS`] without stopping: a `forever` step
    /// was never cut short by `stop_when` or a horizon, or durations added
    /// up past the end of simulated time.
    EndOfTime {
        /// The thread whose event lay at or past the end, if it was a thread's.
        thread: Option<u32>,
    },
    /// A shared variable or a thread's register left the range of a 64-bit
    /// integer (Python's integers would not wrap, so the result would be wrong).
    ValueOverflow {
        /// Global thread number.
        thread: u32,
        /// Simulated time.
        at_ns: u64,
    },
    /// The trace sink is full ([`TraceSink::full`]): the run stopped rather
    /// than grow the trace without bound.
    TraceFull {
        /// Simulated time.
        at_ns: u64,
    },
    /// A thread ran more steps at one instant than the run has events (a
    /// long loop of steps that take no time, such as `lock` and `unlock`):
    /// the run stopped rather than spin without simulated time passing.
    ZeroTimeSteps {
        /// The thread.
        thread: u32,
        /// Steps it ran at that instant.
        steps: u64,
        /// Simulated time.
        at_ns: u64,
    },
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimError::Invalid(e) => write!(f, "invalid scenario: {e}"),
            SimError::EventBudget { events, at_ns } => write!(
                f,
                "the run exceeded its budget of {events} events at {:.6} s of simulated time (raise max_events or shorten the run)",
                *at_ns as f64 * 1e-9
            ),
            SimError::UnlockUnlocked { thread, lock, at_ns } => {
                write!(f, "thread {thread} released lock {lock}, which was not locked, at {at_ns} ns")
            }
            SimError::EndOfTime { thread } => {
                let who = thread.map_or(String::new(), |t| format!(" (thread {t})"));
                write!(
                    f,
                    "the run reached the end of simulated time, 2^62 ns (about 146 years){who}: a `forever` step ends only when stop_when or a horizon stops the run, and nothing did"
                )
            }
            SimError::ValueOverflow { thread, at_ns } => write!(
                f,
                "thread {thread} took a shared variable past the range of a 64-bit integer at {:.6} s",
                *at_ns as f64 * 1e-9
            ),
            SimError::TraceFull { at_ns } => write!(
                f,
                "the trace became too large at {:.6} s of simulated time (record a shorter window)",
                *at_ns as f64 * 1e-9
            ),
            SimError::ZeroTimeSteps { thread, steps, at_ns } => write!(
                f,
                "thread {thread} ran {steps} steps at {:.6} s without simulated time passing (a loop of steps that take no time, such as lock and unlock, repeats too often)",
                *at_ns as f64 * 1e-9
            ),
        }
    }
}

impl std::error::Error for SimError {}

impl From<ScenarioError> for SimError {
    fn from(e: ScenarioError) -> SimError {
        SimError::Invalid(e)
    }
}

/// Expected CPU work (bytecode and C code) of a program, in nanoseconds,
/// using the mean of random durations (saturating for endless programs).
pub fn expected_cpu_ns(program: &[Step]) -> u64 {
    program::expected_cpu(program)
}

/// Validates and runs `scenario` without recording a trace.
pub fn simulate(scenario: &Scenario) -> Result<SimResult, SimError> {
    simulate_traced(scenario, &mut NoTrace)
}

/// Validates and runs `scenario`, pushing every state change into `sink`.
pub fn simulate_traced<S: TraceSink>(scenario: &Scenario, sink: &mut S) -> Result<SimResult, SimError> {
    scenario.validate()?;
    engine::Engine::new(scenario, sink).run()
}

impl ThreadSpec {
    /// A thread starting at time 0 in interpreter 0.
    pub fn new(name: &str, program: Vec<Step>) -> ThreadSpec {
        ThreadSpec {
            name: name.to_owned(),
            interpreter: 0,
            start_ns: 0,
            program,
            event_loop: None,
            priority: 0,
            affinity: Vec::new(),
        }
    }
}
