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
mod machine;
mod pool;
mod programs;
mod server;

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
    /// Semaphore names, by index.
    pub semaphores: Vec<String>,
    /// Queue names, by index.
    pub queues: Vec<String>,
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
    /// Priority (lower is more urgent).
    pub priority: u32,
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
    sem_index: HashMap<String, u32>,
    var_index: HashMap<String, u32>,
    /// Per scheduler thread: (base name as written, full name).
    names: Vec<(String, String)>,
    /// The affinity of the process being built and where it was written,
    /// for its threads that set none.
    affinity: Option<(Vec<u32>, String)>,
}

/// Compiles a parsed file.
pub fn compile(file: &File) -> Result<Compiled, CompileError> {
    let mut c = Compiler {
        sc: Scenario::new(file.machine.cores),
        meta: Meta { title: file.title.clone(), description: file.description.clone(), ..Meta::default() },
        paths: Vec::new(),
        queue_index: HashMap::new(),
        lock_index: HashMap::new(),
        sem_index: HashMap::new(),
        var_index: HashMap::new(),
        names: Vec::new(),
        affinity: None,
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
    for (i, sem) in file.semaphores.iter().enumerate() {
        name(&format!("semaphores[{i}].name"), &sem.name)?;
        if c.sem_index.contains_key(&sem.name) {
            return fail(format!("semaphores[{i}].name"), format!("a semaphore named `{}` already exists", sem.name));
        }
        c.sem_index.insert(sem.name.clone(), c.sc.semaphores.len() as u32);
        c.map(&format!("semaphores[{}]", c.sc.semaphores.len()), &format!("semaphores[{i}]"));
        c.meta.semaphores.push(sem.name.clone());
        c.sc.semaphores.push(sem.permits);
    }
    if !file.threads.is_empty() {
        c.affinity = affinity(file.affinity.as_ref(), "affinity")?;
        let mut threads = Vec::new();
        for (i, t) in file.threads.iter().enumerate() {
            threads.extend(c.thread(t, &format!("threads[{i}]"), threads.len())?);
        }
        c.affinity = None;
        c.sc.process("main", threads);
    } else if file.affinity.is_some() {
        return fail("affinity", "`affinity` pins the main process's `threads`: there are none");
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
    c.stop_when(&file.stop_when)?;
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

/// A written affinity (`taskset`'s core list), checked for emptiness; the
/// scheduler checks the core numbers.
fn affinity(cores: Option<&Vec<u32>>, yaml: &str) -> Result<Option<(Vec<u32>, String)>, CompileError> {
    match cores {
        None => Ok(None),
        Some(c) if c.is_empty() => fail(yaml, "an affinity lists at least one core (leave it out to allow any core)"),
        Some(c) => Ok(Some((c.clone(), yaml.to_owned()))),
    }
}

impl Compiler {
    /// `stop_when`: the threads it names (as written or in full), each
    /// once; without it, a program whose executor threads never end stops
    /// when its event loops do.
    fn stop_when(&mut self, stop_when: &[String]) -> Result<(), CompileError> {
        // Threads by the names `stop_when` may use: as written, or in full.
        let mut by_name: HashMap<&str, Vec<u32>> = HashMap::new();
        for (t, (base, full)) in self.names.iter().enumerate() {
            by_name.entry(base.as_str()).or_default().push(t as u32);
            if full != base {
                by_name.entry(full.as_str()).or_default().push(t as u32);
            }
        }
        let mut stops = Vec::new();
        let mut named = std::collections::HashSet::new();
        for (i, name) in stop_when.iter().enumerate() {
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
        let mut listed = vec![false; self.sc.thread_count()];
        for (i, matches) in stops {
            for t in matches {
                if !std::mem::replace(&mut listed[t as usize], true) {
                    self.map(&format!("stop_when[{}]", self.sc.stop_when.len()), &format!("stop_when[{i}]"));
                    self.sc.stop_when.push(t);
                }
            }
        }
        // The default executor's threads never end: stop when the loops do.
        if self.sc.stop_when.is_empty() {
            let loops: Vec<u32> = self
                .sc
                .threads()
                .enumerate()
                .filter(|(_, (_, t))| t.event_loop.is_some())
                .map(|(i, _)| i as u32)
                .collect();
            let endless_helpers = self.sc.threads().any(|(_, t)| t.name.contains("/executor-"));
            if endless_helpers {
                self.sc.stop_when = loops;
            }
        }
        Ok(())
    }

    fn map(&mut self, sched: &str, yaml: &str) {
        self.paths.push((sched.to_owned(), yaml.to_owned()));
    }

    fn add_queue(&mut self, name: &str, capacity: Option<u32>) -> u32 {
        let q = self.sc.queues.len() as u32;
        self.queue_index.entry(name.to_owned()).or_insert(q);
        self.meta.queues.push(name.to_owned());
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
