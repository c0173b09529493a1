//! The scenario: plain, serialisable data describing a machine, a GIL model
//! and the programs of its threads, plus its validation.

mod access;
mod validate;

pub use validate::{Problem, ScenarioError};

use gil_core::{DEFAULT_CHECK_INTERVAL, DEFAULT_SWITCH_INTERVAL_NS, WakeOrder};

use serde::{Deserialize, Serialize};

/// Nanoseconds per microsecond.
pub const US: u64 = 1_000;
/// Nanoseconds per millisecond.
pub const MS: u64 = 1_000_000;
/// Nanoseconds per second.
pub const SEC: u64 = 1_000_000_000;

/// The end of simulated time: 2^62 ns, about 146 years. A run that reaches
/// it fails ([`crate::SimError::EndOfTime`]) instead of wrapping around; a
/// `forever` step would end only there, so it never ends.
pub const MAX_TIME_NS: u64 = 1 << 62;

/// The largest free-threading overhead: bytecode 1000 times slower.
pub const MAX_OVERHEAD: f64 = 1000.0;

/// The longest duration a scenario may give (a step, a cost, a start time,
/// a horizon): 2^61 ns, about 73 years. With times below [`MAX_TIME_NS`],
/// adding a few of them cannot overflow.
pub const MAX_DURATION_NS: u64 = 1 << 61;

/// Everything one simulation run needs; results are a pure function of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Cores, OS scheduling policy and the costs of OS operations.
    pub machine: Machine,
    /// Which GIL model the interpreters use.
    pub gil: GilSpec,
    /// Interpreter speed and behaviour shared by every process.
    pub interp: Interp,
    /// Master seed; every random stream is derived from it.
    pub seed: u64,
    /// The processes; their threads are numbered in order, from zero.
    pub processes: Vec<ProcessSpec>,
    /// Number of `threading.Lock` objects, named by index in `lock`/`unlock` steps.
    pub locks: u32,
    /// Counting semaphores (`threading.Semaphore`), named by index in
    /// `acquire`/`release` steps: each one's initial number of permits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub semaphores: Vec<u32>,
    /// Number of shared integer variables (for race experiments), named by
    /// index in `read`, `store` and `atomic_add` steps; all start at 0.
    pub vars: u32,
    /// Queues between threads (a listen backlog, a task queue, a pipe).
    pub queues: Vec<QueueSpec>,
    /// Programs run on behalf of a queue item by a `serve` step (a request
    /// handler, a function offloaded with `to_thread`).
    pub routines: Vec<RoutineSpec>,
    /// Request sources outside the machine (load-generating clients).
    pub sources: Vec<SourceSpec>,
    /// Stop when all these threads (global numbers) have finished; when empty,
    /// stop when every thread has finished.
    pub stop_when: Vec<u32>,
    /// Safety limits for a run.
    pub limits: Limits,
}

/// The simulated machine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// Number of cores (at least one).
    pub cores: u32,
    /// How the OS picks which ready thread runs.
    pub policy: OsPolicy,
    /// What OS operations cost.
    pub costs: Costs,
}

impl Machine {
    /// A machine with `cores` cores, Linux-like fair scheduling and default costs.
    pub fn new(cores: u32) -> Machine {
        Machine { cores, policy: OsPolicy::linux_fair(cores), costs: Costs::default() }
    }
}

fn yes() -> bool {
    true
}

/// The OS run-queue policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum OsPolicy {
    /// Fair scheduling as Linux's EEVDF (6.6 and later) does it: the ready
    /// thread with the least virtual runtime runs next; slices share
    /// `latency_ns` among ready threads but are never shorter than
    /// `min_granularity_ns` (EEVDF: both the base slice), and a slice ends at
    /// the first scheduler tick after that; a woken thread comes back at the
    /// lag it had when it slept and preempts the runner of its core if the
    /// runner is ahead of it by more than `wakeup_granularity_ns` (EEVDF: 0)
    /// and, with `run_to_parity`, the runner is no longer protected.
    Fair {
        /// Target period in which every ready thread runs once.
        latency_ns: u64,
        /// Shortest slice.
        min_granularity_ns: u64,
        /// Virtual-runtime lead a waking thread needs to preempt.
        wakeup_granularity_ns: u64,
        /// The scheduler tick: a slice that ran out ends at the next tick
        /// (0: at once).
        #[serde(default)]
        tick_ns: u64,
        /// EEVDF's `RUN_TO_PARITY` (on in Linux 6.6 and later): a runner
        /// that is still eligible (at or behind the average virtual runtime,
        /// counting the woken thread) is protected from wake-up preemption
        /// until it reaches the virtual deadline it was dispatched with (one
        /// `min_granularity_ns` slice past where it was placed or renewed).
        #[serde(default = "yes")]
        run_to_parity: bool,
    },
    /// Round robin: a fixed slice, woken threads join the tail, no wake-up
    /// preemption.
    RoundRobin {
        /// The time slice (quantum).
        slice_ns: u64,
    },
    /// First come, first served: a thread keeps its core until it blocks or ends.
    Fcfs,
    /// Shortest job first (non-preemptive): the ready thread with the least
    /// expected CPU work left runs next, as textbooks assume burst lengths
    /// are known.
    Sjf,
    /// Shortest remaining time first (preemptive SJF): as [`OsPolicy::Sjf`],
    /// and a thread that becomes ready takes the core of the running thread
    /// with the most work left if its own is strictly less.
    Srtf,
    /// Priority scheduling: the ready thread with the lowest priority number
    /// (the most urgent) runs next, ties in arrival order.
    Priority {
        /// A thread that becomes ready takes the core of the running thread
        /// with the least urgent priority if its own is strictly more urgent.
        preemptive: bool,
        /// Aging: a thread's priority number drops by one for every
        /// `aging_ns` it has spent in the ready queue (continuously, and it
        /// keeps that credit while it runs), so a waiting thread cannot
        /// starve. `None`: priorities are fixed.
        aging_ns: Option<u64>,
    },
}

impl OsPolicy {
    /// SJF, SRTF and priority: an idle core picks by a key once every
    /// arrival of the instant is in the queue.
    pub fn picks_by_key(self) -> bool {
        matches!(self, OsPolicy::Sjf | OsPolicy::Srtf | OsPolicy::Priority { .. })
    }

    /// SRTF and preemptive priority: an arrival may take a running thread's core.
    pub fn preempts_by_key(self) -> bool {
        matches!(self, OsPolicy::Srtf | OsPolicy::Priority { preemptive: true, .. })
    }

    /// Fair and round robin end a thread's turn with a time slice.
    pub fn has_slices(self) -> bool {
        matches!(self, OsPolicy::Fair { .. } | OsPolicy::RoundRobin { .. })
    }

    /// Linux's EEVDF defaults: a base slice of 0.75 ms scaled by
    /// `1 + log2(cores)` for up to eight cores, as the kernel scales it, no
    /// wake-up granularity, and a 4 ms tick (`CONFIG_HZ=250`, the measured
    /// machine's and Debian's).
    pub fn linux_fair(cores: u32) -> OsPolicy {
        let factor = 1 + u64::from(cores.clamp(1, 8).ilog2());
        OsPolicy::Fair {
            latency_ns: 750 * US * factor,
            min_granularity_ns: 750 * US * factor,
            wakeup_granularity_ns: 0,
            tick_ns: 4 * MS,
            run_to_parity: true,
        }
    }
}

/// Costs of OS and interpreter operations; the free parameters of the model.
///
/// The defaults are in the range measured on Linux; `cargo xtask calibrate`
/// fits them against real CPython runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Costs {
    /// CPU time a core spends switching from one thread to another.
    pub context_switch_ns: u64,
    /// Shortest delay before a woken thread runs on an idle core (the
    /// interrupt, leaving the idle state, the switch itself). A thread woken
    /// onto a busy core pays the context switch instead.
    pub wakeup_latency_ns: u64,
    /// Mean of the random extra delay (exponential) added to each wake-up
    /// onto an idle core; real wake-ups jitter, and whether a woken waiter
    /// beats a release window depends on it.
    pub wakeup_jitter_ns: u64,
    /// Extra delay of a wake-up onto a core that has been idle a long time:
    /// an idle vCPU's host thread stops polling and sleeps, and the longer
    /// the core idled the deeper it sleeps. The extra grows with the idle
    /// time `i` as `extra * i / (i + half)`.
    pub idle_wakeup_extra_ns: u64,
    /// The idle time at which a wake-up pays half of `idle_wakeup_extra_ns`.
    pub idle_wakeup_half_ns: u64,
    /// How long a thread that starts to block is still on its way into the
    /// kernel: woken within this time it has not slept yet (`futex_wait`
    /// finds the word changed), so it runs on at once and its waker pays a
    /// plain system call. A GIL holder that drops on request signals a
    /// waiter that has just gone back to its wait, so this is what makes a
    /// forced hand-off cheap. A waiter of the old GIL woken in this time
    /// takes the lock at once, before its releaser can take it back (the
    /// semaphore's `futex_wait` fails with `EAGAIN`). Measured by
    /// `calibration/probes/wake-latency.c`.
    #[serde(default)]
    pub sleep_entry_ns: u64,
    /// How long a core that went idle keeps polling in its idle loop before
    /// it halts: a thread woken onto it in that time runs after
    /// `poll_wakeup_ns` instead of the wake-up latency. Measured.
    #[serde(default)]
    pub idle_poll_ns: u64,
    /// Delay of a wake-up onto a core that still polls (see `idle_poll_ns`).
    #[serde(default)]
    pub poll_wakeup_ns: u64,
    /// CPU time the waker spends in a `futex_wake` that wakes a sleeper.
    pub futex_wake_ns: u64,
    /// CPU time of a system call that finds nothing to do (a semaphore post
    /// with waiters that are already awake, a wake-up of a thread that has
    /// not slept yet). During the old GIL's `sem_post` the lock is free, so
    /// this is how long its release window stays open while the woken
    /// waiter is on its way. Measured, not fitted: `futex_wake` with no
    /// sleeper takes 250 to 330 ns on the calibration VM and `getppid` 200 to
    /// 230 ns (`calibration/probes/syscall-cost.c`, `docs/calibration.md`).
    pub syscall_ns: u64,
    /// CPU time a woken waiter spends before it re-checks a lock.
    pub retry_ns: u64,
    /// How late a timed wait (the new GIL's wait for the switch interval,
    /// an event loop's `select` until its next timer)
    /// wakes: Linux programs a normal thread's timer for the end of its
    /// timer slack (50 us by default, `prctl(PR_SET_TIMERSLACK)`), and an
    /// earlier interrupt inside the range is rare on the waiter's idle core,
    /// so the model ends the wait at the end of the slack plus an
    /// exponential jitter with `wakeup_jitter_ns`'s mean (waits begun
    /// together would otherwise end in lockstep). A 1 us switch interval
    /// therefore behaves like a 50 us one.
    pub timer_slack_ns: u64,
}

impl Default for Costs {
    /// Context switch, wake-up latency and jitter and futex wake are fitted
    /// by `cargo xtask calibrate` to CPython 2.7 to 3.13 on a 2-vCPU Linux VM
    /// (`calibration/fitted.json`; a test keeps them equal); the timer slack
    /// is Linux's default, measured rather than fitted.
    fn default() -> Costs {
        Costs {
            context_switch_ns: 2 * US,
            wakeup_latency_ns: 8 * US,
            wakeup_jitter_ns: 4 * US,
            idle_wakeup_extra_ns: 60 * US,
            idle_wakeup_half_ns: 400 * US,
            sleep_entry_ns: 150,
            idle_poll_ns: 0,
            poll_wakeup_ns: 0,
            futex_wake_ns: 4 * US,
            syscall_ns: 200,
            retry_ns: 200,
            timer_slack_ns: 50 * US,
        }
    }
}

impl Costs {
    /// The fitted costs on bare metal: a sleeping core wakes in about 2 µs
    /// and waking a thread costs its waker about as much. The defaults were
    /// fitted on a virtual machine, whose idle vCPUs must be scheduled again
    /// by the host; published desktop measurements (Skvortsov 2021, Beazley
    /// 2010) agree with these instead.
    pub fn bare_metal() -> Costs {
        Costs {
            wakeup_latency_ns: 2 * US,
            wakeup_jitter_ns: 2 * US,
            idle_wakeup_extra_ns: 0,
            futex_wake_ns: 2 * US,
            ..Costs::default()
        }
    }

    /// The second calibration host, a 2-vCPU Intel Xeon VM whose idle vCPUs
    /// halt at once and wake in about 30 µs: its probe's wake-ups and waker's
    /// cost mapped onto the model as the fit mapped the first host's
    /// (`docs/calibration.md`, item 13; `calibration::hosts`).
    pub fn intel_vm() -> Costs {
        Costs {
            wakeup_latency_ns: 24 * US,
            wakeup_jitter_ns: 4 * US,
            idle_wakeup_extra_ns: 12 * US,
            idle_wakeup_half_ns: 100 * US,
            futex_wake_ns: 10 * US,
            ..Costs::default()
        }
    }
}

/// The GIL model, as a scenario names it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "model")]
pub enum GilSpec {
    /// CPython 3.2+: switch interval and forced switching; one GIL per process.
    New {
        /// `sys.setswitchinterval`, in nanoseconds.
        switch_interval_ns: u64,
    },
    /// CPython before 3.2: check every `check_interval` ticks; one GIL per process.
    Old {
        /// `sys.setcheckinterval`, in ticks.
        check_interval: u32,
    },
    /// PEP 684: every interpreter owns a new-style GIL.
    PerInterpreter {
        /// Switch interval of each interpreter's GIL, in nanoseconds.
        switch_interval_ns: u64,
    },
    /// "What if": Beazley's priority GIL, one per process.
    Priority {
        /// Switch interval, in nanoseconds.
        switch_interval_ns: u64,
    },
    /// PEP 703 free-threading: no GIL; bytecode runs `1 + overhead` times slower.
    None {
        /// Single-thread overhead factor (0.4 means 40% slower).
        overhead: f64,
    },
}

impl Default for GilSpec {
    fn default() -> GilSpec {
        GilSpec::New { switch_interval_ns: DEFAULT_SWITCH_INTERVAL_NS }
    }
}

impl GilSpec {
    /// The old GIL with CPython's default check interval of 100 ticks.
    pub fn old() -> GilSpec {
        GilSpec::Old { check_interval: DEFAULT_CHECK_INTERVAL }
    }
}

/// Interpreter behaviour shared by all processes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interp {
    /// Duration of one tick: the bytecode run between two eval-breaker check
    /// opportunities, about 11 ns on a current core (CPython 2.7 counts two
    /// ticks per iteration of `while n > 0: n -= 1`, which takes about 17 ns).
    /// The new GIL's holder notices a drop request within one tick; the old
    /// GIL checks every `check_interval` ticks; a `c_hold` step is one tick.
    pub tick_ns: u64,
    /// Which sleeping waiter a signal wakes.
    pub wake_order: WakeOrder,
    /// Where the holder tests the eval breaker between the single bytecodes
    /// of race experiments (`read`, `add`, `store`, `atomic_add`).
    pub check_points: CheckPoints,
}

impl Default for Interp {
    fn default() -> Interp {
        // The tick is fitted by `cargo xtask calibrate` (calibration/fitted.json).
        Interp { tick_ns: 11, wake_order: WakeOrder::Fifo, check_points: CheckPoints::LoopsAndCalls }
    }
}

/// Where a new-GIL holder can be asked to drop the GIL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckPoints {
    /// CPython 3.10 and later: only at loop back-edges and calls, so the
    /// bytecodes of `counter += 1` in a loop body run without a check between
    /// them (the old GIL still counts every tick).
    #[default]
    LoopsAndCalls,
    /// CPython 3.9 and earlier: before almost every bytecode, so a switch can
    /// fall between the load and the store of `counter += 1`.
    PerBytecode,
}

/// One OS process: one or more interpreters and their threads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessSpec {
    /// Name for reports.
    pub name: String,
    /// Number of interpreters (sub-interpreters share the process's GIL unless
    /// the model is [`GilSpec::PerInterpreter`]).
    pub interpreters: u32,
    /// The process's threads.
    pub threads: Vec<ThreadSpec>,
    /// Resident memory of the process, in megabytes (reported, not simulated).
    pub memory_mb: f64,
    /// The process dies at a given time (every thread with it) and may be
    /// restarted, as a WSGI master restarts a crashed worker.
    pub crash: Option<CrashSpec>,
}

/// A process crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrashSpec {
    /// When the process dies.
    pub at_ns: u64,
    /// How long until a fresh copy runs again (forking and booting included);
    /// `None` leaves it dead.
    pub restart_after_ns: Option<u64>,
}

/// One OS thread running a Python program.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadSpec {
    /// Name for reports.
    pub name: String,
    /// Which interpreter of its process the thread runs in.
    pub interpreter: u32,
    /// When the thread starts.
    pub start_ns: u64,
    /// What the thread does, in order.
    pub program: Vec<Step>,
    /// Runs an asyncio event loop over these tasks instead of `program`
    /// (which must then be empty); the thread ends when every task has.
    pub event_loop: Option<EventLoopSpec>,
    /// Scheduling priority under [`OsPolicy::Priority`]: lower is more
    /// urgent (at most [`MAX_PRIORITY`]); other policies ignore it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub priority: u32,
    /// The cores the thread may run on (`sched_setaffinity`, `taskset`);
    /// empty: any core.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affinity: Vec<u32>,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The largest priority number a thread may have.
pub const MAX_PRIORITY: u32 = 1_000_000;

/// An asyncio event loop: one thread, cooperative tasks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventLoopSpec {
    /// The tasks, all scheduled when the loop starts (like `gather`).
    pub tasks: Vec<TaskSpec>,
    /// Bytecode the loop runs each time it resumes a task (its own
    /// bookkeeping: `_run_once`, the handle, the coroutine's `send`).
    pub overhead: Dist,
    /// The queue served by the default executor's threads, for `to_thread`.
    pub executor: Option<u32>,
}

/// One asyncio task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskSpec {
    /// Name for reports.
    pub name: String,
    /// Its coroutine: steps, where `await_io` and `to_thread` suspend it.
    pub program: Vec<Step>,
}

/// A queue between threads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSpec {
    /// Name for reports.
    pub name: String,
    /// Most items it holds (a listen backlog); `None` is unbounded.
    pub capacity: Option<u32>,
    /// The process whose memory holds the queue (a worker's own request
    /// queue): when it crashes, the items waiting in the queue are lost.
    /// `None` for a queue that outlives every process (a listening socket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<u32>,
}

/// A named program that `serve` runs for an item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoutineSpec {
    /// Name for reports.
    pub name: String,
    /// What it does.
    pub program: Vec<Step>,
}

/// Clients outside the machine sending requests into a queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceSpec {
    /// Name for reports.
    pub name: String,
    /// The queue requests arrive in (a full queue refuses them).
    pub queue: u32,
    /// Which routine serves a request, chosen at random by weight.
    pub routines: Vec<(u32, u32)>,
    /// How requests are generated.
    pub arrivals: Arrivals,
    /// First request.
    pub start_ns: u64,
    /// No request is sent from this time on.
    pub stop_ns: u64,
    /// A client (or the proxy in front) gives up after this long: the
    /// request counts as timed out (HTTP 504 at a proxy).
    pub timeout_ns: Option<u64>,
    /// A closed-loop client whose request was refused waits this long
    /// before it tries again.
    pub retry_ns: u64,
}

/// How a source generates requests.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrivals {
    /// `clients` clients, each sending a request, waiting for the answer (or
    /// its timeout), then thinking before the next.
    Closed {
        /// Number of clients.
        clients: u32,
        /// Think time between an answer and the next request.
        think: Dist,
    },
    /// Requests arrive as a Poisson process, whatever the server does.
    Open {
        /// Mean arrivals per second.
        rate_per_sec: f64,
    },
}

/// One step of a thread program.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Bytecode work holding the GIL, with an eval-breaker check every tick.
    Python(Dist),
    /// One long opcode (C code) that holds the GIL and has no check point.
    CHold(Dist),
    /// C code that releases the GIL around work on the CPU.
    CRelease(Dist),
    /// A blocking call that releases the GIL and waits off the CPU.
    Io(Dist),
    /// `lock.acquire()` on lock number `n`: tries with the GIL held, then
    /// releases the GIL and blocks.
    Lock(u32),
    /// `lock.release()` on lock number `n`.
    Unlock(u32),
    /// `semaphore.acquire()` on semaphore number `n`: takes a permit, or
    /// releases the GIL and blocks until a `release` returns one.
    Acquire(u32),
    /// `semaphore.release()` on semaphore number `n`: returns a permit and
    /// wakes one waiter (as `threading.Semaphore`, it never fails).
    Release(u32),
    /// One bytecode: load shared variable `v` into the thread's register
    /// (`LOAD_GLOBAL counter`).
    Read(u32),
    /// One bytecode: add to the register (`BINARY_OP +=`).
    Add(i64),
    /// One bytecode: store the register into shared variable `v`
    /// (`STORE_GLOBAL counter`).
    Store(u32),
    /// One bytecode that updates shared variable `v` in place (like
    /// `list.append` or `next(itertools.count())`): atomic under a GIL.
    AtomicAdd(u32, i64),
    /// Put an item into queue `q`; blocks (releasing the GIL) while it is full.
    Put(u32),
    /// Put an item carrying routine `r` into queue `q` (a task submitted to a
    /// pool: the thread that gets it runs `r` with `serve`).
    Submit(u32, u32),
    /// Take an item from queue `q`; blocks (releasing the GIL) while it is empty.
    Get(u32),
    /// Wait (releasing the GIL) until queue `q` has room for an item or a
    /// thread waiting for one, without putting anything: an acceptor that
    /// stops accepting while its worker is full.
    Reserve(u32),
    /// Move the item the thread took with its last `get` into queue `q`,
    /// blocking (releasing the GIL) while it is full; nothing if it holds none.
    Forward(u32),
    /// Run the current item's routine, then answer its sender.
    Serve,
    /// asyncio only: `await` an I/O operation this long; the loop runs other
    /// tasks meanwhile.
    AwaitIo(Dist),
    /// asyncio only: `await asyncio.to_thread(f)`, running routine `r` on the
    /// default executor.
    ToThread(u32),
    /// The body, `times` times.
    Repeat {
        /// How many times.
        times: Times,
        /// What to repeat.
        body: Vec<Step>,
    },
}

/// How many times a [`Step::Repeat`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Times {
    /// A fixed count.
    Count(u64),
    /// Until the run stops.
    Forever,
}

/// A duration, fixed or random (drawn from the thread's own stream).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dist {
    /// Exactly this many nanoseconds.
    Fixed(u64),
    /// Uniform in `[lo, hi]` nanoseconds.
    Uniform {
        /// Lower bound.
        lo: u64,
        /// Upper bound.
        hi: u64,
    },
    /// Exponential with this mean, in nanoseconds (at least 1 ns).
    Exp {
        /// The mean.
        mean: u64,
    },
    /// Never ends: the run must stop on another thread or a horizon.
    Forever,
}

/// Limits that end a run early.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Stop at this simulated time.
    pub horizon_ns: Option<u64>,
    /// Give up with an error after this many events.
    pub max_events: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { horizon_ns: None, max_events: 2_000_000_000 }
    }
}
