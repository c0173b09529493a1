//! The scenario: plain, serialisable data describing a machine, a GIL model
//! and the programs of its threads, plus its validation.

use gil_core::{DEFAULT_CHECK_INTERVAL, DEFAULT_SWITCH_INTERVAL_NS, WakeOrder};

use crate::queue::MAX_ENTITIES;
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

/// The OS run-queue policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum OsPolicy {
    /// CFS-like fair scheduling: the ready thread with the least virtual
    /// runtime runs next; slices share `latency_ns` among ready threads but
    /// are never shorter than `min_granularity_ns`; a waking thread preempts a
    /// running one whose virtual runtime exceeds its own by more than
    /// `wakeup_granularity_ns`; sleepers are credited at most half a latency.
    Fair {
        /// Target period in which every ready thread runs once.
        latency_ns: u64,
        /// Shortest slice.
        min_granularity_ns: u64,
        /// Virtual-runtime lead a waking thread needs to preempt.
        wakeup_granularity_ns: u64,
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
}

impl OsPolicy {
    /// Linux's CFS defaults (6 ms, 0.75 ms, 1 ms) scaled by `1 + log2(cores)`
    /// for up to eight cores, as the kernel does.
    pub fn linux_fair(cores: u32) -> OsPolicy {
        let factor = 1 + u64::from(cores.clamp(1, 8).ilog2());
        OsPolicy::Fair {
            latency_ns: 6 * MS * factor,
            min_granularity_ns: 750 * US * factor,
            wakeup_granularity_ns: MS * factor,
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
    /// CPU time the waker spends in a `futex_wake` that wakes a sleeper.
    pub futex_wake_ns: u64,
    /// CPU time of a system call that finds nothing to do (a semaphore post
    /// with waiters that are already awake).
    pub syscall_ns: u64,
    /// CPU time a woken waiter spends before it re-checks a lock.
    pub retry_ns: u64,
    /// How late a timed wait (the new GIL's wait for the switch interval)
    /// wakes: Linux lets a normal thread's timer fire up to its timer slack
    /// (50 us by default, `prctl(PR_SET_TIMERSLACK)`) late, so a 1 us switch
    /// interval behaves like a 50 us one.
    pub timer_slack_ns: u64,
}

impl Default for Costs {
    /// Context switch, wake-up latency and jitter, futex wake and timer
    /// slack are fitted by `cargo xtask calibrate` to CPython 2.7 to 3.13 on
    /// a 2-vCPU Linux VM (`calibration/fitted.json`); a test keeps them equal.
    fn default() -> Costs {
        Costs {
            context_switch_ns: 4 * US,
            wakeup_latency_ns: 2 * US,
            wakeup_jitter_ns: 4 * US,
            futex_wake_ns: 6 * US,
            syscall_ns: 50,
            retry_ns: 200,
            timer_slack_ns: 50 * US,
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
}

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

impl Scenario {
    /// An empty scenario on `cores` cores with the default new GIL.
    pub fn new(cores: u32) -> Scenario {
        Scenario {
            machine: Machine::new(cores),
            gil: GilSpec::default(),
            interp: Interp::default(),
            seed: 1,
            processes: Vec::new(),
            locks: 0,
            vars: 0,
            queues: Vec::new(),
            routines: Vec::new(),
            sources: Vec::new(),
            stop_when: Vec::new(),
            limits: Limits::default(),
        }
    }

    /// Adds a single-interpreter process with the given threads; returns its index.
    pub fn process(&mut self, name: &str, threads: Vec<ThreadSpec>) -> usize {
        self.processes.push(ProcessSpec {
            name: name.to_owned(),
            interpreters: 1,
            threads,
            memory_mb: 0.0,
            crash: None,
        });
        self.processes.len() - 1
    }

    /// Every thread in global order, with its process index.
    pub fn threads(&self) -> impl Iterator<Item = (usize, &ThreadSpec)> {
        self.processes.iter().enumerate().flat_map(|(p, proc_)| proc_.threads.iter().map(move |t| (p, t)))
    }

    /// Number of threads.
    pub fn thread_count(&self) -> usize {
        self.processes.iter().map(|p| p.threads.len()).sum()
    }

    /// Checks every rule a run relies on; the error names the field path.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let err = |path: String, problem: Problem| Err(ScenarioError { path, problem });
        if self.machine.cores == 0 {
            return err("machine.cores".into(), Problem::Zero);
        }
        // Every time the run computes is a sum of a few of these: bounding
        // them keeps those sums far from overflowing.
        let c = &self.machine.costs;
        for (field, ns) in [
            ("context_switch_ns", c.context_switch_ns),
            ("wakeup_latency_ns", c.wakeup_latency_ns),
            ("wakeup_jitter_ns", c.wakeup_jitter_ns),
            ("futex_wake_ns", c.futex_wake_ns),
            ("syscall_ns", c.syscall_ns),
            ("retry_ns", c.retry_ns),
            ("timer_slack_ns", c.timer_slack_ns),
        ] {
            if ns > MAX_DURATION_NS {
                return err(format!("machine.costs.{field}"), Problem::TooLong);
            }
        }
        let policy_times: &[(&str, u64)] = match &self.machine.policy {
            OsPolicy::Fair { latency_ns, min_granularity_ns, wakeup_granularity_ns } => &[
                ("latency_ns", *latency_ns),
                ("min_granularity_ns", *min_granularity_ns),
                ("wakeup_granularity_ns", *wakeup_granularity_ns),
            ],
            OsPolicy::RoundRobin { slice_ns } => &[("slice_ns", *slice_ns)],
            OsPolicy::Fcfs | OsPolicy::Sjf => &[],
        };
        for (field, ns) in policy_times {
            if *ns > MAX_DURATION_NS {
                return err(format!("machine.policy.{field}"), Problem::TooLong);
            }
        }
        match self.machine.policy {
            OsPolicy::Fair { latency_ns, min_granularity_ns, .. } => {
                if latency_ns == 0 {
                    return err("machine.policy.latency_ns".into(), Problem::Zero);
                }
                if min_granularity_ns == 0 {
                    return err("machine.policy.min_granularity_ns".into(), Problem::Zero);
                }
            }
            OsPolicy::RoundRobin { slice_ns: 0 } => {
                return err("machine.policy.slice_ns".into(), Problem::Zero);
            }
            OsPolicy::RoundRobin { .. } | OsPolicy::Fcfs | OsPolicy::Sjf => {}
        }
        match self.gil {
            GilSpec::New { switch_interval_ns: 0 }
            | GilSpec::PerInterpreter { switch_interval_ns: 0 }
            | GilSpec::Priority { switch_interval_ns: 0 } => {
                return err("gil.switch_interval".into(), Problem::NotPositive);
            }
            GilSpec::Old { check_interval: 0 } => {
                return err("gil.check_interval".into(), Problem::Zero);
            }
            GilSpec::None { overhead } if !(overhead.is_finite() && (0.0..=MAX_OVERHEAD).contains(&overhead)) => {
                return err("gil.overhead".into(), Problem::BadOverhead);
            }
            GilSpec::New { switch_interval_ns: ns }
            | GilSpec::PerInterpreter { switch_interval_ns: ns }
            | GilSpec::Priority { switch_interval_ns: ns }
                if ns > MAX_DURATION_NS =>
            {
                return err("gil.switch_interval".into(), Problem::TooLong);
            }
            _ => {}
        }
        if self.interp.tick_ns == 0 {
            return err("interp.tick_ns".into(), Problem::Zero);
        }
        // The old GIL's check period is `check_interval` ticks.
        let check = match self.gil {
            GilSpec::Old { check_interval } => u64::from(check_interval),
            _ => 1,
        };
        if self.interp.tick_ns.checked_mul(check).is_none_or(|p| p > MAX_DURATION_NS) {
            return err("interp.tick_ns".into(), Problem::TooLong);
        }
        if self.thread_count() == 0 {
            return err("processes".into(), Problem::NoThreads);
        }
        let n_threads = self.thread_count();
        // Everything the engine allocates per object, counted before it does.
        let clients = self.sources.iter().map(|s| match s.arrivals {
            Arrivals::Closed { clients, .. } => u64::from(clients),
            Arrivals::Open { .. } => 1,
        });
        let interpreters = self.processes.iter().map(|p| u64::from(p.interpreters));
        let tasks = self.threads().map(|(_, t)| t.event_loop.as_ref().map_or(0, |lp| lp.tasks.len() as u64));
        let objects = [
            n_threads as u64,
            u64::from(self.machine.cores),
            self.processes.len() as u64,
            u64::from(self.locks),
            u64::from(self.vars),
            self.queues.len() as u64,
            self.routines.len() as u64,
        ];
        let total = clients.chain(interpreters).chain(tasks).chain(objects).fold(0u64, |sum, n| sum.saturating_add(n));
        if total > MAX_ENTITIES as u64 {
            return err("processes".into(), Problem::TooLarge(MAX_ENTITIES));
        }
        let mut ctx = Ctx {
            locks: self.locks,
            vars: self.vars,
            queues: self.queues.len(),
            routines: self.routines.len(),
            routines_timed: true,
        };
        for (i, q) in self.queues.iter().enumerate() {
            if q.capacity == Some(0) {
                return err(format!("queues[{i}].capacity"), Problem::Zero);
            }
            if let Some(p) = q.owner.filter(|p| *p as usize >= self.processes.len()) {
                return err(format!("queues[{i}].owner"), Problem::NoSuchProcess(p));
            }
        }
        for (i, r) in self.routines.iter().enumerate() {
            let path = format!("routines[{i}].program");
            if r.program.is_empty() {
                return err(path, Problem::EmptyProgram);
            }
            let shape = check_steps(&r.program, &path, &ctx, Where::Routine)?;
            if shape.endless {
                return err(path, Problem::EndlessRoutine);
            }
            ctx.routines_timed &= shape.timed;
        }
        for (i, src) in self.sources.iter().enumerate() {
            let path = format!("sources[{i}]");
            if src.queue as usize >= self.queues.len() {
                return err(format!("{path}.queue"), Problem::NoSuchQueue(src.queue));
            }
            if src.routines.is_empty() || src.routines.iter().all(|(_, w)| *w == 0) {
                return err(format!("{path}.routines"), Problem::NoRoutine);
            }
            if let Some(&(r, _)) = src.routines.iter().find(|(r, _)| *r as usize >= self.routines.len()) {
                return err(format!("{path}.routines"), Problem::NoSuchRoutine(r));
            }
            match src.arrivals {
                Arrivals::Closed { clients: 0, .. } => return err(format!("{path}.arrivals.clients"), Problem::Zero),
                Arrivals::Closed { think, .. } => {
                    if let Some(problem) = dist_problem(think, true) {
                        return err(format!("{path}.arrivals.think"), problem);
                    }
                }
                Arrivals::Open { rate_per_sec } if !(rate_per_sec.is_finite() && rate_per_sec > 0.0) => {
                    return err(format!("{path}.arrivals.rate_per_sec"), Problem::NotPositive);
                }
                Arrivals::Open { .. } => {}
            }
            if src.stop_ns <= src.start_ns {
                return err(format!("{path}.stop_ns"), Problem::NotPositive);
            }
            for (field, ns) in [
                ("start_ns", src.start_ns),
                ("stop_ns", src.stop_ns),
                ("timeout_ns", src.timeout_ns.unwrap_or(0)),
                ("retry_ns", src.retry_ns),
            ] {
                if ns > MAX_DURATION_NS {
                    return err(format!("{path}.{field}"), Problem::TooLong);
                }
            }
            if src.timeout_ns == Some(0) {
                return err(format!("{path}.timeout_ns"), Problem::NotPositive);
            }
            if src.retry_ns == 0 {
                return err(format!("{path}.retry_ns"), Problem::NotPositive);
            }
        }
        // Per global thread: whether it may never end (a flag per thread, so
        // that checking `stop_when` stays linear).
        let mut endless = vec![false; n_threads];
        let mut global = 0u32;
        for (p, proc_) in self.processes.iter().enumerate() {
            if proc_.interpreters == 0 {
                return err(format!("processes[{p}].interpreters"), Problem::Zero);
            }
            if !(proc_.memory_mb.is_finite() && proc_.memory_mb >= 0.0) {
                return err(format!("processes[{p}].memory_mb"), Problem::NotPositive);
            }
            if let Some(CrashSpec { restart_after_ns: Some(0), .. }) = proc_.crash {
                return err(format!("processes[{p}].crash.restart_after_ns"), Problem::NotPositive);
            }
            if let Some(CrashSpec { at_ns, restart_after_ns }) = proc_.crash {
                if at_ns > MAX_DURATION_NS {
                    return err(format!("processes[{p}].crash.at_ns"), Problem::TooLong);
                }
                if restart_after_ns.is_some_and(|r| r > MAX_DURATION_NS) {
                    return err(format!("processes[{p}].crash.restart_after_ns"), Problem::TooLong);
                }
            }
            for (t, th) in proc_.threads.iter().enumerate() {
                let path = format!("processes[{p}].threads[{t}]");
                if th.interpreter >= proc_.interpreters {
                    return err(format!("{path}.interpreter"), Problem::NoSuchInterpreter(th.interpreter));
                }
                if th.start_ns > MAX_DURATION_NS {
                    return err(format!("{path}.start_ns"), Problem::TooLong);
                }
                let endless_thread = match &th.event_loop {
                    None => {
                        if th.program.is_empty() {
                            return err(format!("{path}.program"), Problem::EmptyProgram);
                        }
                        check_steps(&th.program, &format!("{path}.program"), &ctx, Where::Thread)?.endless
                    }
                    Some(lp) => {
                        if !th.program.is_empty() {
                            return err(format!("{path}.program"), Problem::ProgramWithLoop);
                        }
                        if lp.tasks.is_empty() {
                            return err(format!("{path}.event_loop.tasks"), Problem::EmptyProgram);
                        }
                        if let Some(problem) = dist_problem(lp.overhead, true) {
                            return err(format!("{path}.event_loop.overhead"), problem);
                        }
                        if let Some(q) = lp.executor.filter(|q| *q as usize >= self.queues.len()) {
                            return err(format!("{path}.event_loop.executor"), Problem::NoSuchQueue(q));
                        }
                        let mut endless = false;
                        for (k, task) in lp.tasks.iter().enumerate() {
                            let tpath = format!("{path}.event_loop.tasks[{k}].program");
                            if task.program.is_empty() {
                                return err(tpath, Problem::EmptyProgram);
                            }
                            let wh = Where::Task { executor: lp.executor.is_some() };
                            endless |= check_steps(&task.program, &tpath, &ctx, wh)?.endless;
                        }
                        endless
                    }
                };
                endless[global as usize] = endless_thread;
                global += 1;
            }
        }
        for (i, &t) in self.stop_when.iter().enumerate() {
            if t as usize >= n_threads {
                return err(format!("stop_when[{i}]"), Problem::NoSuchThread(t));
            }
            if endless[t as usize] {
                return err(format!("stop_when[{i}]"), Problem::StopOnEndless(t));
            }
        }
        if self.limits.horizon_ns.is_none() && !self.sources.is_empty() {
            return err("limits.horizon_ns".into(), Problem::SourcesNeedHorizon);
        }
        if self.limits.horizon_ns.is_none()
            && self.stop_when.is_empty()
            && let Some(t) = endless.iter().position(|e| *e)
        {
            let t = t as u32;
            let (p, local) = self.locate(t);
            return err(format!("processes[{p}].threads[{local}].program"), Problem::NeverFinishes);
        }
        if self.limits.horizon_ns == Some(0) {
            return err("limits.horizon_ns".into(), Problem::Zero);
        }
        if self.limits.horizon_ns.is_some_and(|h| h > MAX_DURATION_NS) {
            return err("limits.horizon_ns".into(), Problem::TooLong);
        }
        if self.limits.max_events == 0 {
            return err("limits.max_events".into(), Problem::Zero);
        }
        Ok(())
    }

    /// (process index, index within the process) of global thread `t`.
    pub fn locate(&self, t: u32) -> (usize, usize) {
        let mut left = t as usize;
        for (p, proc_) in self.processes.iter().enumerate() {
            if left < proc_.threads.len() {
                return (p, left);
            }
            left -= proc_.threads.len();
        }
        (self.processes.len(), left)
    }
}

struct Shape {
    /// The steps may never end (a forever duration or loop).
    endless: bool,
    /// The steps contain at least one step that takes time.
    timed: bool,
}

/// Numbers of the named objects steps may refer to.
struct Ctx {
    locks: u32,
    vars: u32,
    queues: usize,
    routines: usize,
    /// Every routine takes time, so a `serve` does.
    routines_timed: bool,
}

/// Where a program runs, which decides the steps it may use.
#[derive(Clone, Copy)]
enum Where {
    Thread,
    Routine,
    Task { executor: bool },
}

/// What is wrong with a duration, if anything (`zero_ok` for think times
/// and overheads, which may be zero).
fn dist_problem(d: Dist, zero_ok: bool) -> Option<Problem> {
    match d {
        Dist::Fixed(n) | Dist::Uniform { hi: n, .. } | Dist::Exp { mean: n } if n > MAX_DURATION_NS => {
            Some(Problem::TooLong)
        }
        Dist::Fixed(0) if !zero_ok => Some(Problem::NotPositive),
        Dist::Uniform { lo, hi } if (lo == 0 && !zero_ok) || hi < lo => Some(Problem::BadRange { lo, hi }),
        Dist::Exp { mean: 0 } => Some(Problem::NotPositive),
        Dist::Forever if zero_ok => Some(Problem::NotPositive),
        _ => None,
    }
}

fn check_steps(steps: &[Step], path: &str, ctx: &Ctx, wh: Where) -> Result<Shape, ScenarioError> {
    let mut shape = Shape { endless: false, timed: false };
    for (i, step) in steps.iter().enumerate() {
        let here = format!("{path}[{i}]");
        let fail = |problem| Err(ScenarioError { path: here.clone(), problem });
        let in_task = matches!(wh, Where::Task { .. });
        match step {
            Step::Python(d) | Step::CHold(d) | Step::CRelease(d) | Step::Io(d) => {
                if let Some(problem) = dist_problem(*d, false) {
                    return fail(problem);
                }
                shape.endless |= *d == Dist::Forever;
                shape.timed = true;
            }
            Step::Lock(n) | Step::Unlock(n) => {
                if *n >= ctx.locks {
                    return fail(Problem::NoSuchLock(*n));
                }
            }
            Step::Read(v) | Step::Store(v) | Step::AtomicAdd(v, _) => {
                if *v >= ctx.vars {
                    return fail(Problem::NoSuchVar(*v));
                }
                // A bytecode takes a tick.
                shape.timed = true;
            }
            Step::Add(_) => shape.timed = true,
            Step::Put(q) | Step::Get(q) | Step::Submit(q, _) | Step::Reserve(q) | Step::Forward(q) => {
                if in_task {
                    return fail(Problem::NotInTask);
                }
                if *q as usize >= ctx.queues {
                    return fail(Problem::NoSuchQueue(*q));
                }
                if let Step::Submit(_, r) = step
                    && *r as usize >= ctx.routines
                {
                    return fail(Problem::NoSuchRoutine(*r));
                }
            }
            Step::Serve => {
                if in_task {
                    return fail(Problem::NotInTask);
                }
                shape.timed |= ctx.routines_timed;
            }
            Step::AwaitIo(d) => {
                if !in_task {
                    return fail(Problem::OnlyInTask);
                }
                if let Some(problem) = dist_problem(*d, false) {
                    return fail(problem);
                }
                shape.endless |= *d == Dist::Forever;
                shape.timed = true;
            }
            Step::ToThread(r) => {
                match wh {
                    Where::Task { executor: true } => {}
                    Where::Task { executor: false } => return fail(Problem::NoExecutor),
                    _ => return fail(Problem::OnlyInTask),
                }
                if *r as usize >= ctx.routines {
                    return fail(Problem::NoSuchRoutine(*r));
                }
                shape.timed = true;
            }
            Step::Repeat { times, body } => {
                if body.is_empty() {
                    return fail(Problem::EmptyProgram);
                }
                let inner = check_steps(body, &format!("{here}.body"), ctx, wh)?;
                match times {
                    Times::Count(0) => return fail(Problem::Zero),
                    Times::Count(_) => {}
                    Times::Forever => {
                        if !inner.timed {
                            return fail(Problem::UntimedLoop);
                        }
                        shape.endless = true;
                    }
                }
                shape.endless |= inner.endless;
                shape.timed |= inner.timed;
            }
        }
    }
    Ok(shape)
}

/// A scenario rule that does not hold, with the path of the offending field
/// (for example `processes[0].threads[1].program[2]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// Dotted path of the field, with indices.
    pub path: String,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What is wrong with a scenario field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Must not be zero.
    Zero,
    /// Must be strictly positive.
    NotPositive,
    /// A uniform range must satisfy `0 < lo <= hi`.
    BadRange {
        /// Lower bound given.
        lo: u64,
        /// Upper bound given.
        hi: u64,
    },
    /// The free-threading overhead must be a finite number from 0 to
    /// [`MAX_OVERHEAD`].
    BadOverhead,
    /// A duration or time longer than [`MAX_DURATION_NS`].
    TooLong,
    /// The scenario has no thread at all.
    NoThreads,
    /// A program or loop body without steps.
    EmptyProgram,
    /// A `forever` loop whose body takes no time would never advance the clock.
    UntimedLoop,
    /// A lock number at or beyond `locks`.
    NoSuchLock(u32),
    /// An interpreter number at or beyond the process's `interpreters`.
    NoSuchInterpreter(u32),
    /// A thread number at or beyond the number of threads.
    NoSuchThread(u32),
    /// A `stop_when` thread that can never finish.
    StopOnEndless(u32),
    /// A program that never ends, with no `stop_when` and no horizon.
    NeverFinishes,
    /// Threads, cores, processes, interpreters, clients, tasks, locks,
    /// variables, queues and routines together exceed this limit.
    TooLarge(usize),
    /// A shared variable number at or beyond `vars`.
    NoSuchVar(u32),
    /// A queue number at or beyond the number of queues.
    NoSuchQueue(u32),
    /// A routine number at or beyond the number of routines.
    NoSuchRoutine(u32),
    /// A process number at or beyond the number of processes.
    NoSuchProcess(u32),
    /// A source needs at least one routine with a positive weight.
    NoRoutine,
    /// `await_io` and `to_thread` exist only in asyncio tasks.
    OnlyInTask,
    /// Queues and `serve` are not used from asyncio tasks.
    NotInTask,
    /// `to_thread` needs the event loop's executor queue.
    NoExecutor,
    /// An event-loop thread runs its tasks, not a program.
    ProgramWithLoop,
    /// A routine must end (it answers a request).
    EndlessRoutine,
    /// Request sources run for a fixed time: the run needs a horizon.
    SourcesNeedHorizon,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match &self.problem {
            Problem::Zero => "must not be zero".to_owned(),
            Problem::NotPositive => "must be strictly positive".to_owned(),
            Problem::BadRange { lo, hi } => format!("range {lo}..{hi} ns must satisfy 0 < lo <= hi"),
            Problem::BadOverhead => format!("overhead must be a number from 0 to {MAX_OVERHEAD}"),
            Problem::TooLong => "must not exceed 2^61 ns (about 73 years)".to_owned(),
            Problem::NoThreads => "the scenario has no thread".to_owned(),
            Problem::EmptyProgram => "must contain at least one step".to_owned(),
            Problem::UntimedLoop => "a forever loop must contain a step that takes time".to_owned(),
            Problem::NoSuchLock(n) => format!("lock {n} does not exist"),
            Problem::NoSuchInterpreter(n) => format!("interpreter {n} does not exist in this process"),
            Problem::NoSuchThread(n) => format!("thread {n} does not exist"),
            Problem::StopOnEndless(n) => format!("thread {n} never finishes, so the run could never stop"),
            Problem::NeverFinishes => "this program never finishes: add stop_when or a horizon".to_owned(),
            Problem::TooLarge(n) => format!(
                "threads, cores, processes, interpreters, clients, tasks, locks, variables, queues and routines must not exceed {n} in all"
            ),
            Problem::NoSuchVar(n) => format!("shared variable {n} does not exist"),
            Problem::NoSuchQueue(n) => format!("queue {n} does not exist"),
            Problem::NoSuchRoutine(n) => format!("routine {n} does not exist"),
            Problem::NoSuchProcess(n) => format!("process {n} does not exist"),
            Problem::NoRoutine => "needs at least one routine with a positive weight".to_owned(),
            Problem::OnlyInTask => "only an asyncio task can await".to_owned(),
            Problem::NotInTask => "an asyncio task cannot use queues or serve".to_owned(),
            Problem::NoExecutor => "to_thread needs an executor queue on the event loop".to_owned(),
            Problem::ProgramWithLoop => "an event-loop thread runs its tasks; leave its program empty".to_owned(),
            Problem::EndlessRoutine => "a routine must end".to_owned(),
            Problem::SourcesNeedHorizon => "request sources need a horizon (the run length)".to_owned(),
        };
        write!(f, "{}: {what}", self.path)
    }
}

impl std::error::Error for ScenarioError {}
