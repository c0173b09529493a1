//! The scenario file format, as serde types (documented in `docs/scenarios.md`).
//!
//! Every struct rejects unknown fields, so a typo is an error with its line,
//! column and field path rather than a silently ignored setting.

use serde::Deserialize;

use crate::duration::{Duration, DurationSpec};

/// A scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// Short title for reports.
    pub title: Option<String>,
    /// What the scenario shows.
    pub description: Option<String>,
    /// The machine.
    pub machine: MachineY,
    /// The GIL model (default: the new GIL with a 5 ms switch interval).
    #[serde(default)]
    pub gil: GilY,
    /// Interpreter behaviour.
    #[serde(default)]
    pub interp: InterpY,
    /// Master seed of every random stream (default 1).
    #[serde(default = "one")]
    pub seed: u64,
    /// Stop the run at this simulated time.
    pub duration: Option<Duration>,
    /// Give up after this many events (default 200 million).
    pub max_events: Option<u64>,
    /// Threads of the main process.
    #[serde(default)]
    pub threads: Vec<ThreadY>,
    /// The cores the main process's threads may run on (`taskset -c`).
    pub affinity: Option<Vec<u32>>,
    /// More processes, each with its own GIL.
    #[serde(default)]
    pub processes: Vec<ProcessY>,
    /// Named queues for `get` and `put` steps.
    #[serde(default)]
    pub queues: Vec<QueueY>,
    /// Named counting semaphores for `acquire` and `release` steps.
    #[serde(default)]
    pub semaphores: Vec<SemaphoreY>,
    /// A WSGI server (needs `clients`).
    pub server: Option<ServerY>,
    /// Clients sending requests to the server.
    pub clients: Option<ClientsY>,
    /// A multiprocessing pool mapping a function over tasks.
    pub pool: Option<PoolY>,
    /// An OS scheduling task set: one CPU burst per job.
    #[serde(default)]
    pub jobs: Vec<JobY>,
    /// Stop when these threads (by name) have finished.
    #[serde(default)]
    pub stop_when: Vec<String>,
    /// Parameter grid: field path -> values; every combination is a run.
    #[serde(default)]
    pub sweep: serde_yaml::Mapping,
    /// Explicit runs: each a mapping of field path -> value (crossed with `sweep`).
    #[serde(default)]
    pub cases: Vec<serde_yaml::Mapping>,
}

fn one() -> u64 {
    1
}

/// An empty scenario on zero cores with the file format's defaults (seed 1),
/// for building scenarios in code.
impl Default for File {
    fn default() -> File {
        File {
            title: None,
            description: None,
            machine: MachineY::default(),
            gil: GilY::default(),
            interp: InterpY::default(),
            seed: one(),
            duration: None,
            max_events: None,
            threads: Vec::new(),
            affinity: None,
            processes: Vec::new(),
            queues: Vec::new(),
            semaphores: Vec::new(),
            server: None,
            clients: None,
            pool: None,
            jobs: Vec::new(),
            stop_when: Vec::new(),
            sweep: serde_yaml::Mapping::new(),
            cases: Vec::new(),
        }
    }
}

/// `machine:`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineY {
    /// Number of cores.
    pub cores: u32,
    /// The OS scheduler (default: Linux-like fair scheduling).
    pub scheduler: Option<SchedulerY>,
    /// Costs of OS operations.
    #[serde(default)]
    pub costs: CostsY,
}

/// `machine.scheduler:`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerY {
    /// `fair` (CFS-like), `rr` (round robin), `fcfs`, `sjf`, `srtf` or `priority`.
    pub policy: PolicyY,
    /// Round robin's time slice.
    pub slice: Option<Duration>,
    /// Priority: whether an arrival may take a less urgent thread's core
    /// (default false).
    pub preemptive: Option<bool>,
    /// Priority: one level more urgent per this much time waiting in the
    /// ready queue (default: no aging).
    pub aging: Option<Duration>,
    /// Fair: target period in which every ready thread runs once.
    pub latency: Option<Duration>,
    /// Fair: shortest slice.
    pub min_granularity: Option<Duration>,
    /// Fair: virtual-runtime lead a waking thread needs to preempt.
    pub wakeup_granularity: Option<Duration>,
    /// Fair: the scheduler tick; a slice that ran out ends at the next one.
    pub tick: Option<Duration>,
    /// Fair: EEVDF's run-to-parity protection of an eligible runner up to
    /// its virtual deadline (default on, as in Linux).
    pub run_to_parity: Option<bool>,
}

/// A scheduling policy name.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PolicyY {
    /// CFS-like.
    Fair,
    /// Round robin.
    Rr,
    /// First come, first served.
    Fcfs,
    /// Shortest job first.
    Sjf,
    /// Shortest remaining time first (preemptive SJF).
    Srtf,
    /// Priority scheduling.
    Priority,
}

/// `machine.costs:`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostsY {
    /// `linux` (default: `scheduler::Costs::default()`, fitted to real CPython)
    /// or `zero` (free OS operations, for textbook task sets).
    pub preset: Option<CostPreset>,
    /// CPU time of a context switch.
    pub context_switch: Option<Duration>,
    /// Shortest delay before a woken thread runs on an idle core.
    pub wakeup_latency: Option<Duration>,
    /// Mean random extra delay of such a wake-up.
    pub wakeup_jitter: Option<Duration>,
    /// Extra delay of a wake-up onto a core idle a long time.
    pub idle_wakeup_extra: Option<Duration>,
    /// The idle time at which a wake-up pays half of that extra.
    pub idle_wakeup_half: Option<Duration>,
    /// How long a blocking thread is still awake on its way into the kernel.
    pub sleep_entry: Option<Duration>,
    /// How long an idle core polls before it halts.
    pub idle_poll: Option<Duration>,
    /// Delay of a wake-up onto a core that still polls.
    pub poll_wakeup: Option<Duration>,
    /// CPU time the waker spends waking a sleeper.
    pub futex_wake: Option<Duration>,
    /// CPU time of a system call with nothing to do.
    pub syscall: Option<Duration>,
    /// CPU time a woken waiter spends before re-checking a lock.
    pub retry: Option<Duration>,
    /// How late a timed wait wakes (Linux timer slack).
    pub timer_slack: Option<Duration>,
}

/// A set of default costs.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CostPreset {
    /// Calibrated Linux-like costs (fitted on a virtual machine).
    Linux,
    /// The same on bare metal: fast wake-ups (`scheduler::Costs::bare_metal`).
    BareMetal,
    /// The second calibration host, a VM whose idle vCPUs wake in about 30 µs
    /// (`scheduler::Costs::intel_vm`).
    IntelVm,
    /// Everything free.
    Zero,
}

/// `gil:`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GilY {
    /// `new`, `old`, `per-interpreter`, `priority` or `none`.
    pub model: ModelY,
    /// New, per-interpreter and priority GILs (default 5ms).
    pub switch_interval: Option<Duration>,
    /// Old GIL, in ticks (default 100).
    pub check_interval: Option<u32>,
    /// No GIL: single-thread slowdown, 0.4 is 40% (default 0).
    pub overhead: Option<f64>,
}

impl Default for GilY {
    fn default() -> GilY {
        GilY { model: ModelY::New, switch_interval: None, check_interval: None, overhead: None }
    }
}

/// A GIL model name.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ModelY {
    /// CPython 3.2+.
    New,
    /// CPython before 3.2.
    Old,
    /// PEP 684: one GIL per interpreter.
    PerInterpreter,
    /// Beazley's priority GIL (what if).
    Priority,
    /// PEP 703 free-threading, or Java-like threads with `overhead: 0`.
    None,
}

/// `interp:`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterpY {
    /// Bytecode between two check opportunities (default: `scheduler::Interp::default()`).
    pub tick: Option<Duration>,
    /// Which waiter a release wakes: `fifo` (default), `lifo` or `random`.
    pub wake_order: Option<scheduler::WakeOrder>,
    /// `loops_and_calls` (3.10+, default) or `per_bytecode` (3.9 and earlier).
    pub check_points: Option<scheduler::CheckPoints>,
}

/// A thread (or `count` identical threads).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadY {
    /// Name; with `count > 1` the threads are `name-0`, `name-1`, ...
    pub name: String,
    /// How many (default 1).
    pub count: Option<u32>,
    /// When it starts (default 0).
    pub start: Option<Duration>,
    /// Interpreter within its process (default 0).
    pub interpreter: Option<u32>,
    /// What it does.
    #[serde(default)]
    pub program: Vec<StepY>,
    /// Run an asyncio event loop instead of `program`.
    pub asyncio: Option<AsyncioY>,
    /// Scheduling priority (lower is more urgent; default 0), used by the
    /// `priority` policy.
    pub priority: Option<u32>,
    /// The cores it may run on, numbered from 0 (`os.sched_setaffinity(0,
    /// ...)` in the thread); default: its process's.
    pub affinity: Option<Vec<u32>>,
}

/// `asyncio:` of a thread.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsyncioY {
    /// The tasks, all started together (as with `gather`).
    pub tasks: Vec<TaskY>,
    /// Bytecode the loop spends each time it resumes a task (default 5us).
    pub overhead: Option<DurationSpec>,
    /// Threads of the default executor for `to_thread` (default 4).
    pub executor_threads: Option<u32>,
}

/// An asyncio task (or `count` identical tasks).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskY {
    /// Name; with `count > 1` the tasks are `name-0`, `name-1`, ...
    pub name: String,
    /// How many (default 1).
    pub count: Option<u32>,
    /// Its coroutine.
    pub program: Vec<StepY>,
}

/// A process (or `count` identical processes).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessY {
    /// Name; with `count > 1` the processes are `name-0`, `name-1`, ...
    pub name: String,
    /// How many (default 1).
    pub count: Option<u32>,
    /// Interpreters in it (default 1).
    pub interpreters: Option<u32>,
    /// Resident memory in MB (reported).
    pub memory_mb: Option<f64>,
    /// The process crashes (the first copy, with `count > 1`).
    pub crash: Option<CrashY>,
    /// The cores its threads may run on (`taskset -c`); default: any.
    pub affinity: Option<Vec<u32>>,
    /// Its threads.
    pub threads: Vec<ThreadY>,
}

/// `crash:`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrashY {
    /// Server only: which worker (default 0).
    pub worker: Option<u32>,
    /// When it dies.
    pub at: Duration,
    /// Restarted after this long (omit: stays dead).
    pub restart: Option<Duration>,
}

/// A named counting semaphore.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SemaphoreY {
    /// Name used by `acquire` and `release`.
    pub name: String,
    /// Permits it starts with (`threading.Semaphore(permits)`).
    pub permits: u32,
}

/// A named queue.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueY {
    /// Name used by `get` and `put`.
    pub name: String,
    /// Most items it holds (default unbounded).
    pub capacity: Option<u32>,
}

/// One program step: exactly one of the keys (plus `body` for `repeat`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepY {
    /// Bytecode holding the GIL.
    pub python: Option<DurationSpec>,
    /// Blocking I/O (releases the GIL).
    pub io: Option<DurationSpec>,
    /// C code that releases the GIL.
    pub c_release: Option<DurationSpec>,
    /// C code that holds the GIL (one long opcode).
    pub c_hold: Option<DurationSpec>,
    /// `lock.acquire()` of the named lock.
    pub lock: Option<String>,
    /// `lock.release()` of the named lock.
    pub unlock: Option<String>,
    /// `semaphore.acquire()` of the named semaphore.
    pub acquire: Option<String>,
    /// `semaphore.release()` of the named semaphore.
    pub release: Option<String>,
    /// Repeat `body` this many times or `forever`.
    pub repeat: Option<TimesY>,
    /// What `repeat` repeats.
    pub body: Option<Vec<StepY>>,
    /// Load a shared variable (one bytecode).
    pub read: Option<String>,
    /// Add to the loaded value (one bytecode).
    pub add: Option<i64>,
    /// Store the value into a shared variable (one bytecode).
    pub store: Option<String>,
    /// `counter += 1` on a shared variable: read, add 1, store.
    pub increment: Option<String>,
    /// Add 1 to a shared variable in one bytecode (atomic under a GIL).
    pub atomic_add: Option<String>,
    /// Take an item from the named queue (blocks while empty).
    pub get: Option<String>,
    /// Put an item into the named queue (blocks while full).
    pub put: Option<String>,
    /// asyncio: await I/O this long.
    pub await_io: Option<DurationSpec>,
    /// asyncio: run these steps on the default executor and await them.
    pub to_thread: Option<Vec<StepY>>,
}

/// A repeat count: a number or `forever`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimesY {
    /// This many times.
    Count(u64),
    /// Until the run stops.
    Forever,
}

impl<'de> Deserialize<'de> for TimesY {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TimesY, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = TimesY;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a positive count or `forever`")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<TimesY, E> {
                Ok(TimesY::Count(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<TimesY, E> {
                u64::try_from(v).map(TimesY::Count).map_err(|_| E::custom(format!("a count cannot be negative ({v})")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TimesY, E> {
                if v == "forever" {
                    Ok(TimesY::Forever)
                } else {
                    Err(E::custom(format!("`{v}` is not a count: write a number or `forever`")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `server:`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerY {
    /// `wsgi`.
    pub kind: ServerKind,
    /// Worker processes (default 1).
    pub workers: Option<u32>,
    /// Threads per worker (default 1).
    pub threads: Option<u32>,
    /// How a worker takes connections: `sync` (each thread accepts from the
    /// shared listening socket) or `gthread` (a main thread accepts into the
    /// worker's own queue); the default is gunicorn's: `sync` with one
    /// thread, `gthread` with more.
    pub worker_class: Option<WorkerClass>,
    /// `gthread` only: most connections a worker holds, served or queued
    /// (default 1000, as gunicorn's `--worker-connections`).
    pub worker_connections: Option<u32>,
    /// Listen backlog (default 2048, as gunicorn).
    pub backlog: Option<u32>,
    /// Memory of a worker in MB (default 40).
    pub memory_mb: Option<f64>,
    /// What requests do, chosen by weight.
    pub endpoints: Vec<EndpointY>,
    /// A worker crashes (and the master restarts it).
    pub crash: Option<CrashY>,
}

/// How a worker takes connections off the listening socket.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WorkerClass {
    /// Every thread calls `accept()` on the shared socket when it is free;
    /// waiting connections stay in the kernel's backlog.
    Sync,
    /// The worker's main thread accepts up to `worker_connections` and
    /// queues them for its thread pool (gunicorn's `gthread`).
    Gthread,
}

/// A server kind.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ServerKind {
    /// A pre-forking WSGI server (gunicorn with `--workers` and `--threads`).
    #[default]
    Wsgi,
}

/// An endpoint.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointY {
    /// Name.
    pub name: String,
    /// Relative share of requests (default 1).
    pub weight: Option<u32>,
    /// The handler's work.
    pub program: Vec<StepY>,
}

/// `clients:`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientsY {
    /// This many clients, each waiting for its answer before the next request.
    pub closed_loop: Option<u32>,
    /// Requests per second arriving at random (Poisson), whatever the server does.
    pub open_loop: Option<f64>,
    /// How long clients send requests; the run lasts as long.
    pub duration: Duration,
    /// Closed loop: pause between an answer and the next request (default 0).
    pub think: Option<DurationSpec>,
    /// The client (or proxy) gives up after this long: 504 (default 30s).
    pub timeout: Option<Duration>,
    /// Closed loop: wait before retrying a refused connection (default 1ms).
    pub retry: Option<Duration>,
}

/// `pool:`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolY {
    /// `pool` (multiprocessing.Pool.map) or `executor` (ProcessPoolExecutor.map).
    pub kind: Option<PoolKind>,
    /// Worker processes.
    pub workers: u32,
    /// `fork`, `spawn` or `forkserver` (sets the default start-up cost:
    /// 22 ms, 130 ms, 120 ms, a first pool's as measured).
    pub start_method: Option<StartMethod>,
    /// CPU a worker spends starting before it takes tasks.
    pub startup: Option<Duration>,
    /// Number of tasks mapped.
    pub tasks: u32,
    /// Tasks per message (default: Pool's heuristic, or 1 for the executor).
    pub chunksize: Option<u32>,
    /// One task.
    pub task: PoolTaskY,
    /// Cost of moving data between processes.
    #[serde(default)]
    pub ipc: IpcY,
    /// Memory per worker in MB (default 25).
    pub worker_memory_mb: Option<f64>,
}

/// Pool kinds.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PoolKind {
    /// `multiprocessing.Pool`.
    Pool,
    /// `concurrent.futures.ProcessPoolExecutor`.
    Executor,
}

/// Start methods.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StartMethod {
    /// Copy the parent (Linux default before 3.14).
    Fork,
    /// A fresh interpreter (macOS and Windows default).
    Spawn,
    /// Fork from a clean server process (Linux default from 3.14).
    Forkserver,
}

/// `pool.task:`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolTaskY {
    /// The function's work.
    pub program: Vec<StepY>,
    /// Pickled size of its argument in bytes (default 100).
    pub arg_bytes: Option<u64>,
    /// Pickled size of its result in bytes (default 100).
    pub result_bytes: Option<u64>,
}

/// `pool.ipc:`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpcY {
    /// Pickling, pipe transfer and unpickling per byte, on each side (default 2ns).
    pub per_byte: Option<Duration>,
    /// Fixed cost per message on each side (default 20us).
    pub per_message: Option<Duration>,
}

impl IpcY {
    /// `per_byte`'s default, in nanoseconds.
    pub const DEFAULT_PER_BYTE_NS: u64 = 2;
    /// `per_message`'s default, in nanoseconds: measured on CPython 3.6 to
    /// 3.13 (`docs/scenarios.md`).
    pub const DEFAULT_PER_MESSAGE_NS: u64 = 20_000;
}

/// A job of a scheduling task set.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobY {
    /// Name.
    pub name: String,
    /// When it arrives (default 0).
    pub arrival: Option<Duration>,
    /// Its CPU burst.
    pub burst: Duration,
    /// Its priority (lower is more urgent; default 0), used by the
    /// `priority` policy.
    pub priority: Option<u32>,
}
