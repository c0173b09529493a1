//! Scenario files to simulator scenarios.
//!
//! Every system of the file (threads, processes, a WSGI server and its
//! clients, a multiprocessing pool, asyncio loops, a scheduling task set)
//! becomes processes, threads, queues, routines and sources of one
//! `scheduler::Scenario`. The compiler remembers which file path each piece
//! came from, so an error the simulator's validation finds later (a zero
//! duration, a program that never ends) is reported at the file's field.

use scheduler::{
    Arrivals, Costs, CrashSpec, Dist, EventLoopSpec, GilSpec, Interp, MS, Machine, OsPolicy, QueueSpec, RoutineSpec,
    SEC, Scenario, SourceSpec, Step, TaskSpec, ThreadSpec, Times, US,
};
use std::collections::HashMap;

use serde::Serialize;

use crate::duration::{Duration, DurationSpec};
use crate::schema::*;

/// Default event budget of a run from a file.
pub const DEFAULT_MAX_EVENTS: u64 = 200_000_000;

/// A compiled file: the scenario and what reports need to know about it.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The scenario to simulate.
    pub scenario: Scenario,
    /// Names and facts for reports.
    pub meta: Meta,
    /// (scenario path prefix, file path) pairs, longest first when searched.
    paths: Vec<(String, String)>,
}

/// What reports need beyond the scenario.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Meta {
    /// The file's title.
    pub title: Option<String>,
    /// The file's description.
    pub description: Option<String>,
    /// Shared variable names, by index.
    pub shared: Vec<String>,
    /// Lock names, by index.
    pub locks: Vec<String>,
    /// The task set, if any.
    pub jobs: Vec<JobMeta>,
    /// The pool, if any.
    pub pool: Option<PoolMeta>,
    /// The server, if any.
    pub server: Option<ServerMeta>,
}

/// A job of a scheduling task set.
#[derive(Clone, Debug, Serialize)]
pub struct JobMeta {
    /// Its name.
    pub name: String,
    /// Its thread (global number).
    pub thread: u32,
    /// Arrival.
    pub arrival_ns: u64,
    /// CPU burst.
    pub burst_ns: u64,
}

/// A multiprocessing pool.
#[derive(Clone, Debug, Serialize)]
pub struct PoolMeta {
    /// `pool` or `executor`.
    pub kind: String,
    /// Worker processes.
    pub workers: u32,
    /// Tasks mapped.
    pub tasks: u32,
    /// Tasks per message.
    pub chunksize: u32,
    /// Messages sent.
    pub chunks: u32,
    /// The tasks' CPU work run one after the other, without any pool.
    pub serial_ns: u64,
    /// Bytes sent to workers and back.
    pub ipc_bytes: u64,
}

/// A WSGI server.
#[derive(Clone, Debug, Serialize)]
pub struct ServerMeta {
    /// Worker processes.
    pub workers: u32,
    /// Threads per worker.
    pub threads: u32,
    /// `sync` or `gthread`.
    pub worker_class: String,
    /// Most requests a gthread worker holds.
    pub worker_connections: Option<u32>,
    /// Listen backlog.
    pub backlog: u32,
    /// Endpoint names, by routine index.
    pub endpoints: Vec<String>,
}

/// An error at a field of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// Field path in the file, like `threads[0].program[2]`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn fail<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, CompileError> {
    Err(CompileError { path: path.into(), message: message.into() })
}

/// Where a program runs (decides which steps it may use).
#[derive(Clone, Copy, PartialEq, Eq)]
enum In {
    Thread,
    Task,
    Routine,
}

struct Compiler {
    sc: Scenario,
    meta: Meta,
    paths: Vec<(String, String)>,
    /// Queue, lock and shared variable numbers by name (maps, so that many
    /// names stay linear).
    queue_index: HashMap<String, u32>,
    lock_index: HashMap<String, u32>,
    var_index: HashMap<String, u32>,
    /// Per scheduler thread: (base name as written, full name).
    names: Vec<(String, String)>,
}

/// Compiles a parsed file.
pub fn compile(file: &File) -> Result<Compiled, CompileError> {
    let mut c = Compiler {
        sc: Scenario::new(file.machine.cores),
        meta: Meta { title: file.title.clone(), description: file.description.clone(), ..Meta::default() },
        paths: Vec::new(),
        queue_index: HashMap::new(),
        lock_index: HashMap::new(),
        var_index: HashMap::new(),
        names: Vec::new(),
    };
    text("title", file.title.as_deref().unwrap_or(""), true)?;
    text("description", file.description.as_deref().unwrap_or(""), true)?;
    for (sched, yaml) in [
        ("machine.cores", "machine.cores"),
        ("machine.policy", "machine.scheduler"),
        ("gil", "gil"),
        ("interp.tick_ns", "interp.tick"),
        ("limits.horizon_ns", "duration"),
        ("limits.max_events", "max_events"),
        ("processes", "threads"),
        ("sources[0].arrivals.clients", "clients.closed_loop"),
        ("sources[0].arrivals.rate_per_sec", "clients.open_loop"),
        ("sources[0].arrivals.think", "clients.think"),
        ("sources[0].timeout_ns", "clients.timeout"),
        ("sources[0].retry_ns", "clients.retry"),
        ("sources[0].stop_ns", "clients.duration"),
        ("sources", "clients"),
    ] {
        c.map(sched, yaml);
    }
    c.machine(&file.machine)?;
    c.gil(&file.gil)?;
    c.interp(&file.interp);
    c.sc.seed = file.seed;
    c.sc.limits.horizon_ns = file.duration.map(|d| d.0);
    c.sc.limits.max_events = file.max_events.unwrap_or(DEFAULT_MAX_EVENTS);
    for (i, q) in file.queues.iter().enumerate() {
        name(&format!("queues[{i}].name"), &q.name)?;
        if c.queue_index.contains_key(&q.name) {
            return fail(format!("queues[{i}].name"), format!("a queue named `{}` already exists", q.name));
        }
        c.map(&format!("queues[{}]", c.sc.queues.len()), &format!("queues[{i}]"));
        c.add_queue(&q.name, q.capacity);
    }
    if !file.threads.is_empty() {
        let mut threads = Vec::new();
        for (i, t) in file.threads.iter().enumerate() {
            threads.extend(c.thread(t, &format!("threads[{i}]"), threads.len())?);
        }
        c.sc.process("main", threads);
    }
    for (i, p) in file.processes.iter().enumerate() {
        c.processes(p, &format!("processes[{i}]"))?;
    }
    if let Some(server) = &file.server {
        let Some(clients) = &file.clients else { return fail("server", "a server needs `clients` to send requests") };
        c.server(server, clients)?;
    } else if file.clients.is_some() {
        return fail("clients", "clients need a `server` to send requests to");
    }
    if let Some(pool) = &file.pool {
        c.pool(pool)?;
    }
    for (i, job) in file.jobs.iter().enumerate() {
        c.job(job, &format!("jobs[{i}]"))?;
    }
    if c.sc.thread_count() == 0 {
        return fail("", "the scenario has no thread: add `threads`, `processes`, a `server`, a `pool` or `jobs`");
    }
    c.unique_names()?;
    // Threads by the names `stop_when` may use: as written, or in full.
    let mut by_name: HashMap<&str, Vec<u32>> = HashMap::new();
    for (t, (base, full)) in c.names.iter().enumerate() {
        by_name.entry(base.as_str()).or_default().push(t as u32);
        if full != base {
            by_name.entry(full.as_str()).or_default().push(t as u32);
        }
    }
    let mut stops = Vec::new();
    let mut named = std::collections::HashSet::new();
    for (i, name) in file.stop_when.iter().enumerate() {
        let Some(matches) = by_name.get(name.as_str()) else {
            return fail(format!("stop_when[{i}]"), format!("no thread is named `{}`", shown(name)));
        };
        // Each name once: a name repeated must not multiply the list.
        if named.insert(name.as_str()) {
            stops.push((i, matches.clone()));
        }
    }
    drop(by_name);
    // A thread named twice (or by its base and full names) stops the run once.
    let mut listed = vec![false; c.sc.thread_count()];
    for (i, matches) in stops {
        for t in matches {
            if !std::mem::replace(&mut listed[t as usize], true) {
                c.map(&format!("stop_when[{}]", c.sc.stop_when.len()), &format!("stop_when[{i}]"));
                c.sc.stop_when.push(t);
            }
        }
    }
    // The default executor's threads never end: stop when the loops do.
    if c.sc.stop_when.is_empty() {
        let loops: Vec<u32> =
            c.sc.threads().enumerate().filter(|(_, (_, t))| t.event_loop.is_some()).map(|(i, _)| i as u32).collect();
        let endless_helpers = c.sc.threads().any(|(_, t)| t.name.contains("/executor-"));
        if endless_helpers {
            c.sc.stop_when = loops;
        }
    }
    Ok(Compiled { scenario: c.sc, meta: c.meta, paths: c.paths })
}

impl Compiled {
    /// The file path of a scenario field path (for validation errors).
    pub fn file_path(&self, scenario_path: &str) -> String {
        file_path(&self.paths, scenario_path)
    }

    /// The file path of global thread `t` (for errors of a run).
    pub fn thread_path(&self, t: u32) -> String {
        let (p, local) = self.scenario.locate(t);
        self.file_path(&format!("processes[{p}].threads[{local}]"))
    }
}

/// The file path of a scenario path, by the longest mapped prefix.
fn file_path(paths: &[(String, String)], scenario_path: &str) -> String {
    let mut best: Option<&(String, String)> = None;
    for entry in paths {
        let (sched, _) = entry;
        let boundary = scenario_path.len() == sched.len()
            || matches!(scenario_path.as_bytes().get(sched.len()), Some(b'.' | b'['));
        if scenario_path.starts_with(sched.as_str()) && boundary && best.is_none_or(|b| sched.len() > b.0.len()) {
            best = Some(entry);
        }
    }
    match best {
        Some((sched, yaml)) => {
            let rest = &scenario_path[sched.len()..];
            // Below a mapped step only field names remain (`.python`);
            // keep them only if the file has such a field.
            if rest.starts_with('[') || rest.is_empty() { format!("{yaml}{rest}") } else { yaml.clone() }
        }
        None => scenario_path.to_owned(),
    }
}

/// What one step of a program does: the one key of a [`StepY`] that is set,
/// with its value.
#[derive(Clone, Copy, Debug)]
enum Action<'y> {
    Python(Dist),
    Io(Dist),
    CRelease(Dist),
    CHold(Dist),
    Lock(&'y str),
    Unlock(&'y str),
    Repeat(TimesY),
    Read(&'y str),
    Add(i64),
    Store(&'y str),
    Increment(&'y str),
    AtomicAdd(&'y str),
    Get(&'y str),
    Put(&'y str),
    AwaitIo(Dist),
    ToThread(&'y [StepY]),
}

impl<'y> Action<'y> {
    /// Every key set in `y`, with its action, in the file format's order (a
    /// valid step has exactly one).
    fn all(y: &'y StepY) -> Vec<(&'static str, Action<'y>)> {
        let d = |spec: Option<DurationSpec>| spec.map(|s| s.0);
        [
            ("python", d(y.python).map(Action::Python)),
            ("io", d(y.io).map(Action::Io)),
            ("c_release", d(y.c_release).map(Action::CRelease)),
            ("c_hold", d(y.c_hold).map(Action::CHold)),
            ("lock", y.lock.as_deref().map(Action::Lock)),
            ("unlock", y.unlock.as_deref().map(Action::Unlock)),
            ("repeat", y.repeat.map(Action::Repeat)),
            ("read", y.read.as_deref().map(Action::Read)),
            ("add", y.add.map(Action::Add)),
            ("store", y.store.as_deref().map(Action::Store)),
            ("increment", y.increment.as_deref().map(Action::Increment)),
            ("atomic_add", y.atomic_add.as_deref().map(Action::AtomicAdd)),
            ("get", y.get.as_deref().map(Action::Get)),
            ("put", y.put.as_deref().map(Action::Put)),
            ("await_io", d(y.await_io).map(Action::AwaitIo)),
            ("to_thread", y.to_thread.as_deref().map(Action::ToThread)),
        ]
        .into_iter()
        .filter_map(|(k, a)| a.map(|a| (k, a)))
        .collect()
    }
}

impl Compiler {
    fn map(&mut self, sched: &str, yaml: &str) {
        self.paths.push((sched.to_owned(), yaml.to_owned()));
    }

    fn add_queue(&mut self, name: &str, capacity: Option<u32>) -> u32 {
        let q = self.sc.queues.len() as u32;
        self.queue_index.entry(name.to_owned()).or_insert(q);
        self.sc.queues.push(QueueSpec { name: name.to_owned(), capacity, owner: None });
        q
    }

    /// Every process, every thread of a process and every task of an event
    /// loop has its own name: reports, `stop_when` and metric paths pick
    /// them by name. (Threads of different processes may share a name, as
    /// every process has a `MainThread`; the process tells them apart.)
    fn unique_names(&self) -> Result<(), CompileError> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (p, proc_) in self.sc.processes.iter().enumerate() {
            if let Some(first) = seen.insert(&proc_.name, p) {
                let path = self.file_path(&format!("processes[{p}]"));
                let other = self.file_path(&format!("processes[{first}]"));
                let name = shown(&proc_.name);
                return fail(path, format!("two processes are named `{name}` (the other comes from {other})"));
            }
        }
        for (p, proc_) in self.sc.processes.iter().enumerate() {
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for (t, th) in proc_.threads.iter().enumerate() {
                if let Some(first) = seen.insert(&th.name, t) {
                    let path = self.file_path(&format!("processes[{p}].threads[{t}]"));
                    let other = self.file_path(&format!("processes[{p}].threads[{first}]"));
                    let name = shown(&th.name);
                    return fail(
                        path,
                        format!("two threads of a process are named `{name}` (the other comes from {other})"),
                    );
                }
                let Some(lp) = &th.event_loop else { continue };
                let mut tasks: HashMap<&str, usize> = HashMap::new();
                for (k, task) in lp.tasks.iter().enumerate() {
                    if tasks.insert(&task.name, k).is_some() {
                        let path =
                            self.file_path(&format!("processes[{p}].threads[{t}].event_loop.tasks[{k}].program"));
                        return fail(path, format!("two tasks of this event loop are named `{}`", shown(&task.name)));
                    }
                }
            }
        }
        Ok(())
    }

    /// The file path of a scenario path, while compiling.
    fn file_path(&self, scenario_path: &str) -> String {
        file_path(&self.paths, scenario_path)
    }

    fn add_routine(&mut self, name: &str, program: Vec<Step>) -> u32 {
        self.sc.routines.push(RoutineSpec { name: name.to_owned(), program });
        self.sc.routines.len() as u32 - 1
    }

    fn machine(&mut self, m: &MachineY) -> Result<(), CompileError> {
        let mut costs = match m.costs.preset {
            Some(CostPreset::Zero) => Costs {
                context_switch_ns: 0,
                wakeup_latency_ns: 0,
                wakeup_jitter_ns: 0,
                futex_wake_ns: 0,
                syscall_ns: 0,
                retry_ns: 0,
                timer_slack_ns: 0,
            },
            Some(CostPreset::Linux) | None => Costs::default(),
        };
        let y = &m.costs;
        for (field, slot) in [
            (y.context_switch, &mut costs.context_switch_ns),
            (y.wakeup_latency, &mut costs.wakeup_latency_ns),
            (y.wakeup_jitter, &mut costs.wakeup_jitter_ns),
            (y.futex_wake, &mut costs.futex_wake_ns),
            (y.syscall, &mut costs.syscall_ns),
            (y.retry, &mut costs.retry_ns),
            (y.timer_slack, &mut costs.timer_slack_ns),
        ] {
            if let Some(d) = field {
                *slot = d.0;
            }
        }
        self.sc.machine = Machine { cores: m.cores, policy: OsPolicy::linux_fair(m.cores), costs };
        if let Some(s) = &m.scheduler {
            let misplaced = |field: &str, ok: bool| -> Result<(), CompileError> {
                if ok {
                    Ok(())
                } else {
                    fail(format!("machine.scheduler.{field}"), format!("`{field}` does not apply to this policy"))
                }
            };
            let fair = s.policy == PolicyY::Fair;
            misplaced("slice", s.slice.is_none() || s.policy == PolicyY::Rr)?;
            misplaced("latency", s.latency.is_none() || fair)?;
            misplaced("min_granularity", s.min_granularity.is_none() || fair)?;
            misplaced("wakeup_granularity", s.wakeup_granularity.is_none() || fair)?;
            self.sc.machine.policy = match s.policy {
                PolicyY::Fair => {
                    // Linux's tunables for this many cores, each one overridable.
                    let mut policy = OsPolicy::linux_fair(m.cores);
                    if let OsPolicy::Fair { latency_ns, min_granularity_ns, wakeup_granularity_ns } = &mut policy {
                        let set = |to: &mut u64, d: Option<Duration>| *to = d.map_or(*to, |d| d.0);
                        set(latency_ns, s.latency);
                        set(min_granularity_ns, s.min_granularity);
                        set(wakeup_granularity_ns, s.wakeup_granularity);
                    }
                    policy
                }
                PolicyY::Rr => {
                    let Some(slice) = s.slice else {
                        return fail("machine.scheduler", "round robin needs a `slice`, like `slice: 4ms`");
                    };
                    self.map("machine.policy.slice_ns", "machine.scheduler.slice");
                    OsPolicy::RoundRobin { slice_ns: slice.0 }
                }
                PolicyY::Fcfs => OsPolicy::Fcfs,
                PolicyY::Sjf => OsPolicy::Sjf,
            };
            self.map("machine.policy.latency_ns", "machine.scheduler.latency");
            self.map("machine.policy.min_granularity_ns", "machine.scheduler.min_granularity");
        }
        Ok(())
    }

    fn gil(&mut self, g: &GilY) -> Result<(), CompileError> {
        let interval = g.switch_interval.map_or(scheduler_default_interval(), |d| d.0);
        let uses_interval = matches!(g.model, ModelY::New | ModelY::PerInterpreter | ModelY::Priority);
        if g.switch_interval.is_some() && !uses_interval {
            return fail(
                "gil.switch_interval",
                "`switch_interval` applies to the new, per-interpreter and priority GILs",
            );
        }
        if g.check_interval.is_some() && g.model != ModelY::Old {
            return fail("gil.check_interval", "`check_interval` applies to the old GIL");
        }
        if g.overhead.is_some() && g.model != ModelY::None {
            return fail("gil.overhead", "`overhead` applies to `model: none` (no GIL)");
        }
        self.sc.gil = match g.model {
            ModelY::New => GilSpec::New { switch_interval_ns: interval },
            ModelY::PerInterpreter => GilSpec::PerInterpreter { switch_interval_ns: interval },
            ModelY::Priority => GilSpec::Priority { switch_interval_ns: interval },
            ModelY::Old => GilSpec::Old { check_interval: g.check_interval.unwrap_or(gil_core_default_check()) },
            ModelY::None => GilSpec::None { overhead: g.overhead.unwrap_or(0.0) },
        };
        self.map("gil.switch_interval", "gil.switch_interval");
        self.map("gil.check_interval", "gil.check_interval");
        self.map("gil.overhead", "gil.overhead");
        Ok(())
    }

    fn interp(&mut self, i: &InterpY) {
        let d = Interp::default();
        self.sc.interp = Interp {
            tick_ns: i.tick.map_or(d.tick_ns, |t| t.0),
            wake_order: i.wake_order.unwrap_or(d.wake_order),
            check_points: i.check_points.unwrap_or_default(),
        };
    }

    /// `t` as thread specs (several with `count`) for the process being
    /// built, where `first` threads were already added; an asyncio thread is
    /// followed by its executor's threads.
    fn thread(&mut self, t: &ThreadY, yaml: &str, first: usize) -> Result<Vec<ThreadSpec>, CompileError> {
        name(&format!("{yaml}.name"), &t.name)?;
        let count = t.count.unwrap_or(1);
        if count == 0 {
            return fail(format!("{yaml}.count"), "a count must be at least 1");
        }
        let process = self.sc.processes.len();
        let mut out = Vec::new();
        for k in 0..count {
            let name = if count == 1 { t.name.clone() } else { format!("{}-{k}", t.name) };
            let sched = format!("processes[{process}].threads[{}]", first + out.len());
            self.map(&sched, yaml);
            self.map(&format!("{sched}.program"), &format!("{yaml}.program"));
            let program =
                self.steps(&t.program, &format!("{yaml}.program"), &format!("{sched}.program"), In::Thread)?;
            let mut spec = ThreadSpec::new(&name, program);
            spec.start_ns = t.start.map_or(0, |d| d.0);
            spec.interpreter = t.interpreter.unwrap_or(0);
            self.map(&format!("{sched}.interpreter"), &format!("{yaml}.interpreter"));
            let mut executors = Vec::new();
            if let Some(a) = &t.asyncio {
                if !t.program.is_empty() {
                    return fail(format!("{yaml}.program"), "an asyncio thread runs its tasks: leave `program` out");
                }
                let (lp, helpers) = self.event_loop(a, &name, yaml, &sched)?;
                spec.event_loop = Some(lp);
                executors = helpers;
            } else if t.program.is_empty() {
                return fail(yaml.to_owned(), "a thread needs a `program` (or `asyncio` tasks)");
            }
            self.names.push((t.name.clone(), name));
            out.push(spec);
            for e in executors {
                self.names.push((e.name.clone(), e.name.clone()));
                out.push(e);
            }
        }
        Ok(out)
    }

    fn event_loop(
        &mut self,
        a: &AsyncioY,
        thread: &str,
        yaml: &str,
        sched: &str,
    ) -> Result<(EventLoopSpec, Vec<ThreadSpec>), CompileError> {
        if a.tasks.is_empty() {
            return fail(format!("{yaml}.asyncio.tasks"), "an event loop needs at least one task");
        }
        let mut tasks = Vec::new();
        for (i, task) in a.tasks.iter().enumerate() {
            name(&format!("{yaml}.asyncio.tasks[{i}].name"), &task.name)?;
            let count = task.count.unwrap_or(1);
            if count == 0 {
                return fail(format!("{yaml}.asyncio.tasks[{i}].count"), "a count must be at least 1");
            }
            for k in 0..count {
                let name = if count == 1 { task.name.clone() } else { format!("{}-{k}", task.name) };
                let ty = format!("{yaml}.asyncio.tasks[{i}].program");
                let ts = format!("{sched}.event_loop.tasks[{}].program", tasks.len());
                self.map(&ts, &ty);
                let program = self.steps(&task.program, &ty, &ts, In::Task)?;
                tasks.push(TaskSpec { name, program });
            }
        }
        let uses_threads = a.tasks.iter().any(|t| uses_to_thread(&t.program));
        let mut helpers = Vec::new();
        let executor = if uses_threads {
            let q = self.add_queue(&format!("{thread}/executor"), None);
            let n = a.executor_threads.unwrap_or((self.sc.machine.cores + 4).min(32));
            if n == 0 {
                return fail(
                    format!("{yaml}.asyncio.executor_threads"),
                    "to_thread needs at least one executor thread",
                );
            }
            helpers = (0..n)
                .map(|k| {
                    ThreadSpec::new(
                        &format!("{thread}/executor-{k}"),
                        vec![Step::Repeat { times: Times::Forever, body: vec![Step::Get(q), Step::Serve] }],
                    )
                })
                .collect();
            Some(q)
        } else {
            None
        };
        self.map(&format!("{sched}.event_loop.overhead"), &format!("{yaml}.asyncio.overhead"));
        let overhead = a.overhead.map_or(Dist::Fixed(5 * US), |d| d.0);
        Ok((EventLoopSpec { tasks, overhead, executor }, helpers))
    }

    fn processes(&mut self, p: &ProcessY, yaml: &str) -> Result<(), CompileError> {
        name(&format!("{yaml}.name"), &p.name)?;
        let count = p.count.unwrap_or(1);
        if count == 0 {
            return fail(format!("{yaml}.count"), "a count must be at least 1");
        }
        if p.threads.is_empty() {
            return fail(format!("{yaml}.threads"), "a process needs at least one thread");
        }
        if p.crash.as_ref().is_some_and(|c| c.worker.is_some()) {
            return fail(format!("{yaml}.crash.worker"), "`worker` applies to a server's crash");
        }
        for k in 0..count {
            let name = if count == 1 { p.name.clone() } else { format!("{}-{k}", p.name) };
            let index = self.sc.processes.len();
            self.map(&format!("processes[{index}]"), yaml);
            let mut threads = Vec::new();
            for (i, t) in p.threads.iter().enumerate() {
                threads.extend(self.thread(t, &format!("{yaml}.threads[{i}]"), threads.len())?);
            }
            let index = self.sc.process(&name, threads);
            let proc_ = &mut self.sc.processes[index];
            proc_.interpreters = p.interpreters.unwrap_or(1);
            proc_.memory_mb = p.memory_mb.unwrap_or(0.0);
            if k == 0 {
                proc_.crash = p.crash.as_ref().map(crash_spec);
            }
        }
        Ok(())
    }

    fn server(&mut self, s: &ServerY, clients: &ClientsY) -> Result<(), CompileError> {
        let ServerKind::Wsgi = s.kind;
        let workers = s.workers.unwrap_or(1);
        let threads = s.threads.unwrap_or(1);
        if workers == 0 {
            return fail("server.workers", "a server needs at least one worker");
        }
        if threads == 0 {
            return fail("server.threads", "a worker needs at least one thread");
        }
        if s.endpoints.is_empty() {
            return fail("server.endpoints", "a server needs at least one endpoint");
        }
        // gunicorn runs `gthread` instead of `sync` when threads > 1
        // (`Config.worker_class`).
        let class = s.worker_class.unwrap_or(if threads > 1 { WorkerClass::Gthread } else { WorkerClass::Sync });
        let connections = match (class, s.worker_connections) {
            (WorkerClass::Sync, Some(_)) => {
                return fail("server.worker_connections", "`worker_connections` applies to `worker_class: gthread`");
            }
            (WorkerClass::Sync, None) => None,
            (WorkerClass::Gthread, c) => {
                // gunicorn's default `--worker-connections`.
                let c = c.unwrap_or(1000);
                if c <= threads {
                    return fail(
                        "server.worker_connections",
                        format!(
                            "must exceed `threads` ({threads}): with fewer connections than threads, use fewer threads"
                        ),
                    );
                }
                Some(c)
            }
        };
        let backlog = s.backlog.unwrap_or(2048);
        self.map(&format!("queues[{}].capacity", self.sc.queues.len()), "server.backlog");
        let queue = self.add_queue("backlog", Some(backlog));
        let mut routes = Vec::new();
        let mut endpoints = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, e) in s.endpoints.iter().enumerate() {
            name(&format!("server.endpoints[{i}].name"), &e.name)?;
            if !seen.insert(e.name.as_str()) {
                return fail(format!("server.endpoints[{i}].name"), "another endpoint has this name");
            }
            let r = self.sc.routines.len();
            let yaml = format!("server.endpoints[{i}].program");
            self.map(&format!("routines[{r}].program"), &yaml);
            let program = self.steps(&e.program, &yaml, &format!("routines[{r}].program"), In::Routine)?;
            let r = self.add_routine(&e.name, program);
            routes.push((r, e.weight.unwrap_or(1)));
            endpoints.push(e.name.clone());
        }
        if routes.iter().all(|(_, w)| *w == 0) {
            return fail("server.endpoints", "at least one endpoint needs a positive weight");
        }
        let crash = match &s.crash {
            Some(c) => {
                let w = c.worker.unwrap_or(0);
                if w >= workers {
                    return fail("server.crash.worker", format!("there are only {workers} workers (numbered from 0)"));
                }
                Some((w, crash_spec(c)))
            }
            None => None,
        };
        for w in 0..workers {
            // A sync worker's threads accept from the shared backlog. A
            // gthread worker's main thread accepts (taking the GIL for it)
            // while the worker holds fewer than `connections` requests and
            // queues them for its pool, in a queue that dies with the worker.
            let own = connections.map(|c| {
                self.map(&format!("queues[{}].capacity", self.sc.queues.len()), "server.worker_connections");
                self.add_queue(&format!("worker-{w}/requests"), Some(c - threads))
            });
            let serve_from = own.unwrap_or(queue);
            let mut pool = (0..threads)
                .map(|k| {
                    ThreadSpec::new(
                        &format!("worker-{w}/t{k}"),
                        vec![Step::Repeat { times: Times::Forever, body: vec![Step::Get(serve_from), Step::Serve] }],
                    )
                })
                .collect::<Vec<_>>();
            if let Some(own) = own {
                let accept = vec![
                    Step::Reserve(own),
                    Step::Get(queue),
                    Step::Python(Dist::Fixed(self.sc.interp.tick_ns)),
                    Step::Forward(own),
                ];
                let main = ThreadSpec::new(
                    &format!("worker-{w}/main"),
                    vec![Step::Repeat { times: Times::Forever, body: accept }],
                );
                pool.insert(0, main);
            }
            for t in &pool {
                self.names.push((format!("worker-{w}"), t.name.clone()));
            }
            let p = self.sc.process(&format!("worker-{w}"), pool);
            if let Some(own) = own {
                self.sc.queues[own as usize].owner = Some(p as u32);
            }
            self.sc.processes[p].memory_mb = s.memory_mb.unwrap_or(40.0);
            self.map(&format!("processes[{p}]"), "server");
            if let Some((cw, spec)) = crash
                && cw == w
            {
                self.sc.processes[p].crash = Some(spec);
                self.map(&format!("processes[{p}].crash"), "server.crash");
            }
        }
        let arrivals = match (clients.closed_loop, clients.open_loop) {
            (Some(n), None) => Arrivals::Closed { clients: n, think: clients.think.map_or(Dist::Fixed(0), |d| d.0) },
            (None, Some(rate)) => {
                if clients.think.is_some() {
                    return fail("clients.think", "`think` applies to closed-loop clients");
                }
                Arrivals::Open { rate_per_sec: rate }
            }
            (Some(_), Some(_)) => return fail("clients", "choose `closed_loop` or `open_loop`, not both"),
            (None, None) => {
                return fail("clients", "add `closed_loop: N` (clients) or `open_loop: R` (requests per second)");
            }
        };
        self.sc.sources.push(SourceSpec {
            name: "clients".into(),
            queue,
            routines: routes,
            arrivals,
            start_ns: 0,
            stop_ns: clients.duration.0,
            timeout_ns: Some(clients.timeout.map_or(30 * SEC, |d| d.0)),
            retry_ns: clients.retry.map_or(MS, |d| d.0),
        });
        self.sc.limits.horizon_ns = Some(clients.duration.0);
        self.map("limits.horizon_ns", "clients.duration");
        let worker_class = match class {
            WorkerClass::Sync => "sync",
            WorkerClass::Gthread => "gthread",
        };
        self.meta.server = Some(ServerMeta {
            workers,
            threads,
            worker_class: worker_class.into(),
            worker_connections: connections,
            backlog,
            endpoints,
        });
        Ok(())
    }

    fn pool(&mut self, p: &PoolY) -> Result<(), CompileError> {
        let kind = p.kind.unwrap_or(PoolKind::Pool);
        if p.workers == 0 {
            return fail("pool.workers", "a pool needs at least one worker");
        }
        if p.tasks == 0 {
            return fail("pool.tasks", "map at least one task");
        }
        let chunksize = match (p.chunksize, kind) {
            (Some(0), _) => return fail("pool.chunksize", "a chunksize must be at least 1"),
            (Some(c), _) => c,
            // CPython: divmod(len(iterable), len(pool) * 4), plus one if any
            // remainder (in u64: workers * 4 may not fit a u32).
            (None, PoolKind::Pool) => u64::from(p.tasks).div_ceil(u64::from(p.workers) * 4) as u32,
            (None, PoolKind::Executor) => 1,
        };
        let full = p.tasks / chunksize;
        let rest = p.tasks % chunksize;
        let chunks = full + u32::from(rest > 0);
        let per_byte = p.ipc.per_byte.map_or(2, |d| d.0);
        let per_message = p.ipc.per_message.map_or(20 * US, |d| d.0);
        let arg = p.task.arg_bytes.unwrap_or(100);
        let res = p.task.result_bytes.unwrap_or(100);
        // The cost of a message of `tasks` items of `bytes` each, in u128 so
        // that it cannot wrap; longer than the longest duration is an error.
        let cost = |tasks: u32, bytes: u64, field: &str| -> Result<Dist, CompileError> {
            let ns = u128::from(per_message) + u128::from(tasks) * u128::from(bytes) * u128::from(per_byte);
            match u64::try_from(ns) {
                Ok(ns) if ns <= scheduler::MAX_DURATION_NS => Ok(Dist::Fixed(ns)),
                _ => fail(
                    field,
                    format!(
                        "a message of {tasks} tasks of {bytes} bytes would take {ns} ns to send, longer than the longest duration (2^61 ns, about 73 years)"
                    ),
                ),
            }
        };
        let ipc_bytes = u64::try_from(u128::from(p.tasks) * (u128::from(arg) + u128::from(res)))
            .or_else(|_| fail("pool.task.arg_bytes", "the tasks would move more than 2^64 bytes"))?;
        let (send_full, return_full) =
            (cost(chunksize, arg, "pool.task.arg_bytes")?, cost(chunksize, res, "pool.task.result_bytes")?);
        // A shorter last chunk costs less than a full one, so it fits too.
        let (send_rest, return_rest) =
            (cost(rest, arg, "pool.task.arg_bytes")?, cost(rest, res, "pool.task.result_bytes")?);
        let task_program = self.steps(&p.task.program, "pool.task.program", "pool.task.program", In::Routine)?;
        if task_program.is_empty() {
            return fail("pool.task.program", "a task needs a program");
        }
        let chunk_routine = |c: &mut Compiler, n: u32, send: Dist, back: Dist| {
            let program = vec![
                Step::Python(send),
                Step::Repeat { times: Times::Count(u64::from(n)), body: task_program.clone() },
                Step::Python(back),
            ];
            let r = c.sc.routines.len();
            c.map(&format!("routines[{r}].program[1].body"), "pool.task.program");
            c.add_routine(&format!("chunk of {n}"), program)
        };
        let full_r = chunk_routine(self, chunksize, send_full, return_full);
        let rest_r = if rest > 0 { Some(chunk_routine(self, rest, send_rest, return_rest)) } else { None };
        let capacity = match kind {
            PoolKind::Pool => None,
            // ProcessPoolExecutor's call queue: workers + EXTRA_QUEUED_CALLS (1).
            PoolKind::Executor => Some(p.workers.saturating_add(1)),
        };
        let tasks_q = self.add_queue("tasks", capacity);
        let results_q = self.add_queue("results", None);
        let mut feeder = Vec::new();
        if full > 0 {
            feeder.push(Step::Repeat {
                times: Times::Count(u64::from(full)),
                body: vec![Step::Python(send_full), Step::Submit(tasks_q, full_r)],
            });
        }
        if let Some(r) = rest_r {
            feeder.extend([Step::Python(send_rest), Step::Submit(tasks_q, r)]);
        }
        let mean_result =
            u64::try_from((u128::from(p.tasks) * u128::from(res)).div_ceil(u128::from(chunks))).unwrap_or(u64::MAX);
        let collector = vec![Step::Repeat {
            times: Times::Count(u64::from(chunks)),
            body: vec![Step::Get(results_q), Step::Python(cost(1, mean_result, "pool.task.result_bytes")?)],
        }];
        let (feeder_name, collector_name) = match kind {
            PoolKind::Pool => ("task-handler", "result-handler"),
            PoolKind::Executor => ("submitter", "queue-manager"),
        };
        let parent = self
            .sc
            .process("parent", vec![ThreadSpec::new(feeder_name, feeder), ThreadSpec::new(collector_name, collector)]);
        self.sc.processes[parent].memory_mb = 30.0;
        self.names.push((feeder_name.into(), feeder_name.into()));
        self.names.push((collector_name.into(), collector_name.into()));
        let collector_thread = self.sc.thread_count() as u32 - 1;
        let startup = p.startup.map_or(
            match p.start_method.unwrap_or(StartMethod::Fork) {
                StartMethod::Fork => 3 * MS,
                StartMethod::Forkserver => 10 * MS,
                StartMethod::Spawn => 50 * MS,
            },
            |d| d.0,
        );
        for w in 0..p.workers {
            let mut program = Vec::new();
            if startup > 0 {
                program.push(Step::Python(Dist::Fixed(startup)));
            }
            program.push(Step::Repeat {
                times: Times::Forever,
                body: vec![Step::Get(tasks_q), Step::Serve, Step::Put(results_q)],
            });
            let name = format!("worker-{w}");
            self.names.push((name.clone(), name.clone()));
            let proc_ = self.sc.process(&name, vec![ThreadSpec::new(&name, program)]);
            self.sc.processes[proc_].memory_mb = p.worker_memory_mb.unwrap_or(25.0);
            self.map(&format!("processes[{proc_}]"), "pool");
        }
        self.sc.stop_when.push(collector_thread);
        let work = scheduler::expected_cpu_ns(&task_program);
        self.meta.pool = Some(PoolMeta {
            kind: match kind {
                PoolKind::Pool => "pool".into(),
                PoolKind::Executor => "executor".into(),
            },
            workers: p.workers,
            tasks: p.tasks,
            chunksize,
            chunks,
            serial_ns: work.saturating_mul(u64::from(p.tasks)),
            ipc_bytes,
        });
        Ok(())
    }

    fn job(&mut self, j: &JobY, yaml: &str) -> Result<(), CompileError> {
        name(&format!("{yaml}.name"), &j.name)?;
        let mut t = ThreadSpec::new(&j.name, vec![Step::CRelease(Dist::Fixed(j.burst.0))]);
        t.start_ns = j.arrival.map_or(0, |d| d.0);
        let thread = self.sc.thread_count() as u32;
        let p = self.sc.process(&j.name, vec![t]);
        self.map(&format!("processes[{p}].threads[0].program[0]"), &format!("{yaml}.burst"));
        self.map(&format!("processes[{p}]"), yaml);
        self.names.push((j.name.clone(), j.name.clone()));
        self.meta.jobs.push(JobMeta { name: j.name.clone(), thread, arrival_ns: t_arrival(j), burst_ns: j.burst.0 });
        Ok(())
    }

    /// Compiles steps at `yaml` (file path) emitted at `sched` (scenario path).
    fn steps(&mut self, ys: &[StepY], yaml: &str, sched: &str, place: In) -> Result<Vec<Step>, CompileError> {
        let mut out = Vec::new();
        for (i, y) in ys.iter().enumerate() {
            let here = format!("{yaml}[{i}]");
            let at = out.len();
            let emitted = self.step(y, &here, &format!("{sched}[{at}]"), place)?;
            for k in 0..emitted.len() {
                self.map(&format!("{sched}[{}]", at + k), &here);
            }
            out.extend(emitted);
        }
        Ok(out)
    }

    fn step(&mut self, y: &StepY, yaml: &str, sched: &str, place: In) -> Result<Vec<Step>, CompileError> {
        let action = match Action::all(y).as_slice() {
            [] if y.body.is_some() => return fail(yaml, "`body` belongs to a `repeat` step"),
            [] => return fail(yaml, "an empty step: write one of python, io, c_release, c_hold, repeat, ..."),
            [(_, a)] => *a,
            many => {
                let keys: Vec<&str> = many.iter().map(|(k, _)| *k).collect();
                return fail(yaml, format!("a step does one thing, but this one has {}", keys.join(", ")));
            }
        };
        if y.body.is_some() && y.repeat.is_none() {
            return fail(format!("{yaml}.body"), "`body` belongs to a `repeat` step");
        }
        let only_task = |what: &str| -> Result<(), CompileError> {
            if place == In::Task { Ok(()) } else { fail(yaml, format!("`{what}` is only for asyncio tasks")) }
        };
        let no_task = |what: &str| -> Result<(), CompileError> {
            if place == In::Task { fail(yaml, format!("an asyncio task cannot use `{what}`")) } else { Ok(()) }
        };
        let step = match action {
            Action::Python(d) => Step::Python(d),
            Action::Io(d) => Step::Io(d),
            Action::CRelease(d) => Step::CRelease(d),
            Action::CHold(d) => Step::CHold(d),
            Action::Lock(l) => Step::Lock(self.lock(l, &format!("{yaml}.lock"))?),
            Action::Unlock(l) => Step::Unlock(self.lock(l, &format!("{yaml}.unlock"))?),
            Action::Read(v) => Step::Read(self.var(v, &format!("{yaml}.read"))?),
            Action::Add(n) => Step::Add(n),
            Action::Store(v) => Step::Store(self.var(v, &format!("{yaml}.store"))?),
            Action::AtomicAdd(v) => Step::AtomicAdd(self.var(v, &format!("{yaml}.atomic_add"))?, 1),
            Action::Increment(v) => {
                let v = self.var(v, &format!("{yaml}.increment"))?;
                return Ok(vec![Step::Read(v), Step::Add(1), Step::Store(v)]);
            }
            Action::Get(name) | Action::Put(name) => {
                let key = if matches!(action, Action::Get(_)) { "get" } else { "put" };
                no_task(key)?;
                let Some(&q) = self.queue_index.get(name) else {
                    return fail(
                        format!("{yaml}.{key}"),
                        format!("no queue is named `{}`: declare it under `queues`", shown(name)),
                    );
                };
                if key == "get" { Step::Get(q) } else { Step::Put(q) }
            }
            Action::AwaitIo(d) => {
                only_task("await_io")?;
                Step::AwaitIo(d)
            }
            Action::ToThread(body) => {
                only_task("to_thread")?;
                if body.is_empty() {
                    return fail(format!("{yaml}.to_thread"), "to_thread needs steps to run");
                }
                let r = self.sc.routines.len();
                let ry = format!("{yaml}.to_thread");
                self.map(&format!("routines[{r}].program"), &ry);
                let program = self.steps(body, &ry, &format!("routines[{r}].program"), In::Routine)?;
                Step::ToThread(self.add_routine("to_thread", program))
            }
            Action::Repeat(times) => {
                let Some(body) = &y.body else {
                    return fail(yaml, "`repeat` needs a `body` of steps");
                };
                let times = match times {
                    TimesY::Count(0) => return fail(format!("{yaml}.repeat"), "repeat at least once"),
                    TimesY::Count(n) => Times::Count(n),
                    TimesY::Forever => Times::Forever,
                };
                let by = format!("{yaml}.body");
                let bs = format!("{sched}.body");
                self.map(&bs, &by);
                Step::Repeat { times, body: self.steps(body, &by, &bs, place)? }
            }
        };
        Ok(vec![step])
    }

    fn lock(&mut self, name: &str, path: &str) -> Result<u32, CompileError> {
        self::name(path, name)?;
        Ok(intern(&mut self.lock_index, &mut self.meta.locks, name, &mut self.sc.locks))
    }

    fn var(&mut self, name: &str, path: &str) -> Result<u32, CompileError> {
        self::name(path, name)?;
        Ok(intern(&mut self.var_index, &mut self.meta.shared, name, &mut self.sc.vars))
    }
}

/// The index of `name`, adding it (and bumping `count`) on first use.
fn intern(index: &mut HashMap<String, u32>, names: &mut Vec<String>, name: &str, count: &mut u32) -> u32 {
    if let Some(&i) = index.get(name) {
        return i;
    }
    names.push(name.to_owned());
    *count = names.len() as u32;
    index.insert(name.to_owned(), *count - 1);
    *count - 1
}

/// A name shown in a message: control characters escaped, so that a name
/// cannot drive the terminal.
pub(crate) fn shown(name: &str) -> String {
    name.chars().flat_map(|c| if c.is_control() { c.escape_default().collect() } else { vec![c] }).collect()
}

/// A name: not empty, and no control character (reports print names to a
/// terminal, where escape sequences would act).
fn name(path: &str, name: &str) -> Result<(), CompileError> {
    if name.trim().is_empty() {
        return fail(path, "a name cannot be empty");
    }
    text(path, name, false)
}

/// Text shown to a reader: no control characters (new lines and tabs only
/// where `multiline`).
fn text(path: &str, text: &str, multiline: bool) -> Result<(), CompileError> {
    match text.chars().find(|c| c.is_control() && !(multiline && (*c == '\n' || *c == '\t'))) {
        Some(c) => {
            fail(path, format!("contains the control character U+{:04X}: names are shown on terminals", c as u32))
        }
        None => Ok(()),
    }
}

fn uses_to_thread(steps: &[StepY]) -> bool {
    steps.iter().any(|s| s.to_thread.is_some() || s.body.as_deref().is_some_and(uses_to_thread))
}

fn crash_spec(c: &CrashY) -> CrashSpec {
    CrashSpec { at_ns: c.at.0, restart_after_ns: c.restart.map(|d: Duration| d.0) }
}

fn t_arrival(j: &JobY) -> u64 {
    j.arrival.map_or(0, |d| d.0)
}

fn scheduler_default_interval() -> u64 {
    scheduler::DEFAULT_SWITCH_INTERVAL_NS
}

fn gil_core_default_check() -> u32 {
    scheduler::DEFAULT_CHECK_INTERVAL
}
