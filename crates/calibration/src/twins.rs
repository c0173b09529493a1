//! The simulated twin of each measurement, as a typed scenario.
//!
//! A twin does the same work as the measured program: the countdown's time
//! is the interpreter's measured single-thread time, an echo round trip's
//! costs add up to the measured round trip alone, and so on. Only ratios are
//! compared, so the machine's speed cancels out.

use scheduler::Dist;
use workloads::duration::{Duration, DurationSpec};
use workloads::schema::{
    ClientsY, CostsY, EndpointY, File, GilY, InterpY, MachineY, ModelY, PoolTaskY, PoolY, ProcessY, QueueY, ServerKind,
    ServerY, StartMethod, StepY, TaskY, ThreadY, TimesY,
};

use crate::Error;
use crate::comparison::Params;
use crate::measured::Placement;

/// Bytecode ticks per countdown iteration under the old GIL. In 2.7
/// `ceval.c` the ticker runs at the loop top, which an opcode reaches only
/// when the one before it ended with `continue`: in `while n > 0: n -= 1`
/// that is the LOAD_FAST after JUMP_ABSOLUTE and the STORE_FAST after
/// INPLACE_SUBTRACT; the others follow `fast_next_opcode` or a PREDICT.
pub const TICKS_PER_ITER: f64 = 2.0;

/// The GIL of a measured interpreter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gil {
    /// CPython 2.x: ticks and the check interval.
    Old,
    /// CPython 3.2+: the switch interval.
    New,
    /// Free-threaded.
    None,
}

impl Gil {
    /// From `InterpreterData::gil` (`old`, `new`, `none`).
    pub fn parse(name: &str) -> Gil {
        match name {
            "old" => Gil::Old,
            "none" => Gil::None,
            _ => Gil::New,
        }
    }
}

/// How the sleeps family waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SleepMode {
    /// One thread, one wait after another.
    Sequential,
    /// One thread per task.
    Threads,
    /// One asyncio task per task.
    Asyncio,
}

/// What runs beside the asyncio lag family's ticker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LagMode {
    /// Nothing: the ticker alone.
    Alone,
    /// A CPU-bound countdown of this many seconds offloaded with `to_thread`.
    Thread(f64),
    /// A coroutine that blocks the loop in `time.sleep` for this many seconds.
    Block(f64),
}

/// What a twin measures, in the terms of the real program.
#[derive(Clone, Debug, PartialEq)]
pub enum Twin {
    /// A ticker task sleeping `tick_s` in a loop beside `mode`, for
    /// `seconds`; its mean lag (`Alone`, `Thread`) or its largest (`Block`).
    AioLag {
        /// The GIL.
        gil: Gil,
        /// Cores.
        cores: u32,
        /// Switch interval, seconds (none: the default).
        interval_s: Option<f64>,
        /// The ticker's sleep, seconds.
        tick_s: f64,
        /// What runs beside it.
        mode: LagMode,
        /// How long the ticker runs, seconds.
        seconds: f64,
    },
    /// `threads` (or processes) counting down `work_s` of single-thread work
    /// between them; the time it takes.
    Countdown {
        /// The GIL.
        gil: Gil,
        /// Cores.
        cores: u32,
        /// Single-thread time of the whole countdown, seconds.
        work_s: f64,
        /// Threads or processes.
        threads: u32,
        /// Processes instead of threads.
        processes: bool,
        /// Switch interval (new GIL), seconds.
        interval_s: Option<f64>,
        /// The core each thread pins itself to (one thread per entry, in
        /// place of `threads`); empty: unpinned.
        pins: Vec<u32>,
    },
    /// `tasks` x `count` blocking waits of `ms`; the time it takes.
    Sleeps {
        /// The GIL.
        gil: Gil,
        /// Cores.
        cores: u32,
        /// Tasks.
        tasks: u32,
        /// Waits per task.
        count: u32,
        /// Each wait, milliseconds.
        ms: f64,
        /// How.
        mode: SleepMode,
    },
    /// An echo server thread next to `cpu` CPU-bound threads, `trips` round
    /// trips; the time they take.
    Echo {
        /// The GIL.
        gil: Gil,
        /// Cores.
        cores: u32,
        /// Measured round trip alone, seconds.
        rtt_s: f64,
        /// CPU-bound threads beside it.
        cpu: u32,
        /// Switch interval (new GIL), seconds.
        interval_s: Option<f64>,
        /// Round trips.
        trips: u32,
        /// The echo thread pinned to core 0 and the CPU-bound threads to
        /// core 0 (`SameCore`) or 1 (`OtherCore`); the client never.
        placement: Placement,
    },
    /// `threads` threads hashing `blocks` blocks between them; the time.
    Hash {
        /// The GIL.
        gil: Gil,
        /// Cores.
        cores: u32,
        /// Time of one block, seconds.
        per_block_s: f64,
        /// Blocks.
        blocks: u32,
        /// Threads.
        threads: u32,
        /// Whether hashing releases the GIL.
        releases: bool,
    },
    /// `Pool(workers).map` of `tasks` calls, `chunksize` per message, each
    /// argument `payload_bytes` (warm workers); the time it takes.
    PoolMap {
        /// Cores.
        cores: u32,
        /// Worker processes.
        workers: u32,
        /// Tasks.
        tasks: u32,
        /// Tasks per message.
        chunksize: u32,
        /// Bytes of each argument.
        payload_bytes: u64,
        /// The interpreter's multiprocessing costs.
        costs: pool_task::Costs,
    },
    /// `Pool(workers)` from its creation until `apply` returns, cold; the time.
    PoolStart {
        /// Cores.
        cores: u32,
        /// Worker processes.
        workers: u32,
        /// The start method.
        method: StartMethod,
    },
    /// gunicorn with `workers` x `threads` under closed-loop load; requests/s.
    Wsgi {
        /// Cores.
        cores: u32,
        /// Worker processes.
        workers: u32,
        /// Threads per worker.
        threads: u32,
        /// The endpoint's Python, milliseconds.
        cpu_ms: f64,
        /// The endpoint's blocking wait, milliseconds.
        io_ms: f64,
        /// Python per request outside the endpoint, milliseconds.
        overhead_ms: f64,
        /// Closed-loop clients.
        clients: u32,
        /// Length of the run, seconds.
        seconds: f64,
    },
}

/// The echo round trip's parts, in seconds of CPU. The server thread
/// releases the GIL around each socket call (`Py_BEGIN_ALLOW_THREADS`) even
/// when it does not block: `recv` of a byte already there is short, `sendall`
/// on loopback TCP is longer (the stack delivers the byte and wakes the
/// client). Whether a CPU-bound thread woken by the release takes the GIL
/// before the call returns decides how many switch intervals a trip loses,
/// so the calls are modelled as GIL-releasing C code, and the client as a
/// separate process whose wake-up competes for the cores.
pub mod echo {
    /// `recv` of a byte that has arrived.
    pub const RECV_S: f64 = 2e-6;
    /// `sendall` of a byte on loopback TCP.
    pub const SEND_S: f64 = 6e-6;
    /// The server loop's bytecode per trip.
    pub const PYTHON_S: f64 = 4e-6;
    /// The client's `sendall` and `recv` calls.
    pub const CLIENT_CALLS_S: f64 = 8e-6;
    /// The least bytecode the client spends per trip (timing, the loop).
    pub const CLIENT_MIN_S: f64 = 2e-6;
}

/// A first estimate of the echo client's bytecode per trip: the measured
/// round trip alone less the server's parts, the client's calls and two
/// wake-ups of a sleeping thread. [`Twin::scenario`] corrects it by
/// simulating the round trip alone once.
pub fn echo_client_estimate(p: &Params, rtt_s: f64) -> f64 {
    let wake = (p.wakeup_latency_ns + p.wakeup_jitter_ns) as f64 * 1e-9;
    let k = p.socket_scale.unwrap_or(1.0);
    let server = (echo::RECV_S + echo::SEND_S + echo::PYTHON_S) * k;
    rtt_s - server - echo::CLIENT_CALLS_S * k - 2.0 * wake
}

fn ns(seconds: f64) -> u64 {
    (seconds * 1e9).round().max(1.0) as u64
}

fn dur(seconds: f64) -> Duration {
    Duration(ns(seconds))
}

fn fixed(seconds: f64) -> Option<DurationSpec> {
    Some(DurationSpec(Dist::Fixed(ns(seconds))))
}

fn forever() -> Option<DurationSpec> {
    Some(DurationSpec(Dist::Forever))
}

/// Bytecode holding the GIL.
fn python(seconds: f64) -> StepY {
    StepY { python: fixed(seconds), ..StepY::default() }
}

/// Blocking I/O (releases the GIL).
fn io(seconds: f64) -> StepY {
    StepY { io: fixed(seconds), ..StepY::default() }
}

/// C code that releases the GIL.
fn c_release(seconds: f64) -> StepY {
    StepY { c_release: fixed(seconds), ..StepY::default() }
}

/// `queue.get()`.
fn get(queue: &str) -> StepY {
    StepY { get: Some(queue.into()), ..StepY::default() }
}

/// `queue.put()`.
fn put(queue: &str) -> StepY {
    StepY { put: Some(queue.into()), ..StepY::default() }
}

fn queue(name: &str) -> QueueY {
    QueueY { name: name.into(), capacity: None }
}

/// `body` `times` times.
fn repeat(times: u64, body: Vec<StepY>) -> StepY {
    StepY { repeat: Some(TimesY::Count(times)), body: Some(body), ..StepY::default() }
}

fn threads(name: &str, count: Option<u32>, program: Vec<StepY>) -> ThreadY {
    ThreadY { name: name.into(), count, program, ..ThreadY::default() }
}

/// The machine, the GIL and the model's parameters every twin shares.
fn base(p: &Params, cores: u32, gil: Gil, interval_s: Option<f64>) -> File {
    let model = match gil {
        Gil::Old => ModelY::Old,
        Gil::New => ModelY::New,
        Gil::None => ModelY::None,
    };
    File {
        machine: MachineY {
            cores,
            scheduler: None,
            costs: CostsY {
                context_switch: Some(Duration(p.context_switch_ns)),
                wakeup_latency: Some(Duration(p.wakeup_latency_ns)),
                wakeup_jitter: Some(Duration(p.wakeup_jitter_ns)),
                timer_slack: Some(Duration(p.timer_slack_ns)),
                futex_wake: Some(Duration(p.futex_wake_ns)),
                idle_wakeup_extra: p.idle_wakeup_extra_ns.map(Duration),
                idle_wakeup_half: p.idle_wakeup_half_ns.map(Duration),
                ..CostsY::default()
            },
        },
        gil: GilY { model, switch_interval: interval_s.filter(|_| gil == Gil::New).map(dur), ..GilY::default() },
        interp: InterpY { tick: Some(Duration(p.tick_ns)), ..InterpY::default() },
        ..File::default()
    }
}

impl Twin {
    /// The scenario at parameters `p`. The echo twin's client bytecode is
    /// set so that the simulated round trip alone takes the measured time:
    /// one run alone corrects the first estimate (the trip is linear in it).
    pub fn scenario(&self, p: &Params) -> Result<File, Error> {
        // One arm per family, each the measured program written as a scenario.
        Ok(match *self {
            Twin::AioLag { gil, cores, interval_s, tick_s, mode, seconds } => {
                let mut f = base(p, cores, gil, interval_s);
                // The ticker: `t = clock(); await asyncio.sleep(tick); lags.append(...)`.
                let ticks = (seconds / tick_s).ceil() as u64 + 1;
                let mut tasks = vec![TaskY {
                    name: "ticker".into(),
                    program: vec![repeat(
                        ticks,
                        vec![StepY { await_io: fixed(tick_s), ..StepY::default() }, python(5e-6)],
                    )],
                    ..TaskY::default()
                }];
                let other = match mode {
                    LagMode::Alone => None,
                    LagMode::Thread(work) => Some(StepY { to_thread: Some(vec![python(work)]), ..StepY::default() }),
                    LagMode::Block(block) => Some(io(block)),
                };
                if let Some(step) = other {
                    // The other task starts after the ticker's first tick, as
                    // `ensure_future` then `await` do.
                    let program = vec![python(20e-6), step];
                    tasks.push(TaskY { name: "other".into(), program, ..TaskY::default() });
                }
                f.threads.push(ThreadY {
                    name: "loop".into(),
                    asyncio: Some(workloads::schema::AsyncioY {
                        tasks,
                        executor_threads: Some(1),
                        ..Default::default()
                    }),
                    ..ThreadY::default()
                });
                // The real ticker stops when the other work ends.
                f.duration = Some(dur(seconds));
                f
            }
            Twin::Countdown { gil, cores, work_s, threads: k, processes, interval_s, ref pins } => {
                let mut f = base(p, cores, gil, interval_s);
                let share = vec![python(work_s / f64::from(k))];
                if !pins.is_empty() {
                    // Each thread pins itself, as measure.py's threads do.
                    let share = vec![python(work_s / pins.len() as f64)];
                    for (i, &core) in pins.iter().enumerate() {
                        f.threads.push(ThreadY {
                            affinity: Some(vec![core]),
                            ..threads(&format!("w{i}"), None, share.clone())
                        });
                    }
                } else if processes {
                    f.processes.push(ProcessY {
                        name: "w".into(),
                        count: Some(k),
                        threads: vec![threads("main", None, share)],
                        ..ProcessY::default()
                    });
                } else {
                    f.threads.push(threads("w", Some(k), share));
                }
                f
            }
            Twin::Sleeps { gil, cores, tasks, count, ms, mode } => {
                let mut f = base(p, cores, gil, None);
                let wait = ms / 1000.0;
                match mode {
                    SleepMode::Sequential => f.threads.push(threads(
                        "w",
                        None,
                        vec![repeat(u64::from(tasks) * u64::from(count), vec![io(wait), python(5e-6)])],
                    )),
                    SleepMode::Threads => f.threads.push(threads(
                        "w",
                        Some(tasks),
                        vec![repeat(u64::from(count), vec![io(wait), python(5e-6)])],
                    )),
                    SleepMode::Asyncio => {
                        let body = vec![python(5e-6), StepY { await_io: fixed(wait), ..StepY::default() }];
                        f.threads.push(ThreadY {
                            name: "loop".into(),
                            asyncio: Some(workloads::schema::AsyncioY {
                                tasks: vec![TaskY {
                                    name: "t".into(),
                                    count: Some(tasks),
                                    program: vec![repeat(u64::from(count), body)],
                                }],
                                ..Default::default()
                            }),
                            ..ThreadY::default()
                        });
                    }
                }
                f
            }
            Twin::Echo { gil, cores, rtt_s, cpu, interval_s, trips, placement } => {
                const TRIPS: u32 = 400;
                // The round trip alone is calibrated unpinned, as measured.
                let alone =
                    Twin::Echo { gil, cores, rtt_s, cpu: 0, interval_s, trips: TRIPS, placement: Placement::Free };
                let guess = echo_client_estimate(p, rtt_s).max(echo::CLIENT_MIN_S);
                let first = echo_file(p, gil, cores, 0, interval_s, TRIPS, guess, Placement::Free);
                let trip = alone.simulate(first)? / f64::from(TRIPS);
                echo_file(p, gil, cores, cpu, interval_s, trips, guess + rtt_s - trip, placement)
            }
            Twin::Hash { gil, cores, per_block_s, blocks, threads: k, releases } => {
                let mut f = base(p, cores, gil, None);
                let c = if releases {
                    StepY { c_release: fixed(per_block_s), ..StepY::default() }
                } else {
                    StepY { c_hold: fixed(per_block_s), ..StepY::default() }
                };
                f.threads.push(threads("w", Some(k), vec![repeat(u64::from(blocks / k), vec![python(20e-6), c])]));
                f
            }
            Twin::PoolMap { cores, workers, tasks, chunksize, payload_bytes, costs } => {
                let mut f = base(p, cores, Gil::New, None);
                // Workers already started: measure.py warms them first.
                f.pool = Some(pool(workers, tasks, chunksize, payload_bytes, costs, None, Some(Duration(0))));
                f
            }
            Twin::PoolStart { cores, workers, method } => {
                let mut f = base(p, cores, Gil::New, None);
                // `pool.apply(noop)`: one task after the workers started.
                f.pool = Some(pool(workers, 1, 1, 0, pool_task::PY3, Some(method), None));
                f
            }
            Twin::Wsgi { cores, workers, threads: t, cpu_ms, io_ms, overhead_ms, clients, seconds } => {
                let mut f = base(p, cores, Gil::New, None);
                let mut program = vec![python((cpu_ms + overhead_ms) / 1000.0)];
                if io_ms > 0.0 {
                    program.push(io(io_ms / 1000.0));
                }
                f.server = Some(ServerY {
                    kind: ServerKind::Wsgi,
                    workers: Some(workers),
                    threads: Some(t),
                    endpoints: vec![EndpointY { name: "e".into(), weight: Some(1), program }],
                    ..ServerY::default()
                });
                f.clients =
                    Some(ClientsY { closed_loop: Some(clients), duration: dur(seconds), ..ClientsY::default() });
                f
            }
        })
    }

    /// Runs one scenario of this twin: its metric.
    pub fn simulate(&self, file: File) -> Result<f64, Error> {
        let compiled = workloads::compile::compile(&file)
            .map_err(|e| Error::Twin(format!("{self:?}: {}: {}", e.path, e.message)))?;
        let res = scheduler::simulate(&compiled.scenario).map_err(|e| Error::Twin(format!("{self:?}: {e}")))?;
        let summary = workloads::summary(&compiled, &res);
        self.metric(&summary).ok_or_else(|| Error::Twin(format!("{self:?}: no result")))
    }

    /// The measured quantity, from the run's summary.
    pub fn metric(&self, s: &workloads::Summary) -> Option<f64> {
        match self {
            Twin::Echo { .. } => {
                s.threads.iter().find(|t| t.name == "echo").map(|t| t.finished_s.unwrap_or(s.makespan_s))
            }
            Twin::AioLag { mode, .. } => s.tasks.iter().find(|t| t.name == "ticker").map(|t| match mode {
                LagMode::Block(_) => t.max_lag_ms / 1e3,
                _ => t.mean_lag_ms / 1e3,
            }),
            Twin::Wsgi { .. } => s.server.as_ref().map(|v| v.throughput_rps),
            _ => Some(s.makespan_s),
        }
    }
}

/// A pool whose task returns its argument's length (a few bytecodes, an
/// int pickled back), at an interpreter's `costs`.
#[allow(clippy::too_many_arguments)]
fn pool(
    workers: u32,
    tasks: u32,
    chunksize: u32,
    payload_bytes: u64,
    costs: pool_task::Costs,
    start_method: Option<StartMethod>,
    startup: Option<Duration>,
) -> PoolY {
    PoolY {
        kind: None,
        workers,
        start_method,
        startup,
        tasks,
        chunksize: Some(chunksize),
        task: PoolTaskY {
            program: vec![python(costs.per_item_s)],
            arg_bytes: Some(payload_bytes),
            result_bytes: Some(pool_task::RESULT_BYTES),
        },
        ipc: workloads::schema::IpcY { per_message: Some(dur(costs.per_message_s)), per_byte: None },
        worker_memory_mb: None,
    }
}

/// The pool family's task, `len(arg)`.
pub mod pool_task {
    /// Its cost per item in a worker on 3.x: the call, `len`, and pickling
    /// the item's argument and result inside a chunk; measured as twice the
    /// per-task time of the largest chunk (two workers), 0.27 to 0.46 us on
    /// 3.6 to 3.13 (medians).
    pub const PYTHON_S: f64 = 0.7e-6;
    /// Its pickled result, a small int.
    pub const RESULT_BYTES: u64 = 5;

    /// What a message and an item cost on one interpreter.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct Costs {
        /// Fixed cost of a message on each side (`pool.ipc.per_message`).
        pub per_message_s: f64,
        /// Bytecode per item in a worker.
        pub per_item_s: f64,
    }

    /// 3.x: the scenario language's default message cost (the model's 48 us
    /// a task at chunksize 1 against 34 to 55 us measured on 3.6 to 3.13,
    /// medians).
    pub const PY3: Costs =
        Costs { per_message_s: workloads::schema::IpcY::DEFAULT_PER_MESSAGE_NS as f64 * 1e-9, per_item_s: PYTHON_S };

    /// 2.7, whose `multiprocessing` connection is C (`_multiprocessing`;
    /// 3.3 rewrote it in Python) and whose pool does less per task: the same
    /// two rules applied to its own rows give 6 us a message (the model's
    /// 15 us a task at chunksize 1 against 15 us measured, median) and
    /// 0.54 us an item (0.27 us a task at the largest chunk, two workers).
    /// `calibration/probes/pipe-cost.py` agrees on the direction: a
    /// `Pipe` message costs 6 to 9 us on 2.7 and 10 to 15 us on 3.x.
    pub const PY2: Costs = Costs { per_message_s: 6e-6, per_item_s: 0.54e-6 };

    /// The costs of the interpreter `version` ("2.7.18", "3.12.1").
    pub fn for_version(version: &str) -> Costs {
        if version.starts_with("2.") { PY2 } else { PY3 }
    }
}

/// A round trip this long means the echo starves (far beyond any measured
/// trip: 20 ms is four switch intervals).
const ECHO_STARVED_TRIP_S: f64 = 0.05;

/// The echo twin: the server thread, `cpu` spinners and the client process
/// whose bytecode per trip is `client_py_s`.
#[allow(clippy::too_many_arguments)]
fn echo_file(
    p: &Params,
    gil: Gil,
    cores: u32,
    cpu: u32,
    interval_s: Option<f64>,
    trips: u32,
    client_py_s: f64,
    placement: Placement,
) -> File {
    let (echo_core, cpu_core) = match placement {
        Placement::SameCore => (Some(0), Some(0)),
        Placement::OtherCore => (Some(0), Some(1 % cores.max(1))),
        Placement::Free | Placement::Process => (None, None),
    };
    let mut f = base(p, cores, gil, interval_s);
    f.queues = vec![queue("request"), queue("response")];
    // A host with faster socket calls has them all faster (`Params::socket_scale`).
    let k = p.socket_scale.unwrap_or(1.0);
    let half = echo::PYTHON_S * k / 2.0;
    f.threads.push(ThreadY {
        affinity: echo_core.map(|c| vec![c]),
        ..threads(
            "echo",
            None,
            vec![repeat(
                u64::from(trips),
                vec![
                    c_release(echo::RECV_S * k),
                    get("request"),
                    python(half),
                    c_release(echo::SEND_S * k),
                    put("response"),
                    python(half),
                ],
            )],
        )
    });
    if cpu > 0 {
        f.threads.push(ThreadY {
            affinity: cpu_core.map(|c| vec![c]),
            ..threads("spinner", Some(cpu), vec![StepY { python: forever(), ..StepY::default() }])
        });
    }
    // The client is another process, never pinned: what is left
    // of the measured round trip alone, after the server's parts
    // and two wake-ups of a sleeping thread, is its bytecode.
    let client_py = client_py_s.max(echo::CLIENT_MIN_S);
    let calls = echo::CLIENT_CALLS_S * k / 2.0;
    f.processes.push(ProcessY {
        name: "client".into(),
        threads: vec![threads(
            "client",
            None,
            vec![StepY {
                repeat: Some(TimesY::Forever),
                body: Some(vec![
                    python(client_py),
                    c_release(calls),
                    put("request"),
                    c_release(calls),
                    get("response"),
                ]),
                ..StepY::default()
            }],
        )],
        ..ProcessY::default()
    });
    f.stop_when.push("echo".into());
    // A starving echo (the old GIL on the CPU thread's core) stops at a
    // horizon: its metric is then the horizon, a lower bound that shows as
    // a large miss instead of an endless run.
    f.duration = Some(dur(1.0 + f64::from(trips) * ECHO_STARVED_TRIP_S));
    f
}
