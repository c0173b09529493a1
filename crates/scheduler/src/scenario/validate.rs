//! `Scenario::validate`: every rule a scenario must follow, checked before
//! the engine allocates anything, with the field path of the first broken one.

use super::*;
use crate::queue::MAX_ENTITIES;

/// A broken rule at `path`.
fn err<T>(path: String, problem: Problem) -> Result<T, ScenarioError> {
    Err(ScenarioError { path, problem })
}

impl Scenario {
    /// Checks every rule a run relies on; the error names the field path.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        self.check_machine()?;
        self.check_size()?;
        let ctx = self.check_shared()?;
        self.check_sources()?;
        let endless = self.check_processes(&ctx)?;
        self.check_ending(&endless)
    }

    /// The machine, the GIL and the interpreter: counts and durations in range.
    fn check_machine(&self) -> Result<(), ScenarioError> {
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
            ("idle_wakeup_extra_ns", c.idle_wakeup_extra_ns),
            ("idle_wakeup_half_ns", c.idle_wakeup_half_ns),
            ("sleep_entry_ns", c.sleep_entry_ns),
            ("idle_poll_ns", c.idle_poll_ns),
            ("poll_wakeup_ns", c.poll_wakeup_ns),
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
            OsPolicy::Fair { latency_ns, min_granularity_ns, wakeup_granularity_ns, tick_ns, .. } => &[
                ("latency_ns", *latency_ns),
                ("min_granularity_ns", *min_granularity_ns),
                ("wakeup_granularity_ns", *wakeup_granularity_ns),
                ("tick_ns", *tick_ns),
            ],
            OsPolicy::RoundRobin { slice_ns } => &[("slice_ns", *slice_ns)],
            OsPolicy::Priority { aging_ns: Some(aging_ns), .. } => &[("aging_ns", *aging_ns)],
            OsPolicy::Fcfs | OsPolicy::Sjf | OsPolicy::Srtf | OsPolicy::Priority { aging_ns: None, .. } => &[],
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
            OsPolicy::Priority { aging_ns: Some(0), .. } => {
                return err("machine.policy.aging_ns".into(), Problem::NotPositive);
            }
            OsPolicy::RoundRobin { .. }
            | OsPolicy::Fcfs
            | OsPolicy::Sjf
            | OsPolicy::Srtf
            | OsPolicy::Priority { .. } => {}
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
        Ok(())
    }

    /// Everything the engine allocates per object, counted before it does.
    fn check_size(&self) -> Result<(), ScenarioError> {
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
            self.semaphores.len() as u64,
            u64::from(self.vars),
            self.queues.len() as u64,
            self.routines.len() as u64,
        ];
        let total = clients.chain(interpreters).chain(tasks).chain(objects).fold(0u64, |sum, n| sum.saturating_add(n));
        if total > MAX_ENTITIES as u64 {
            return err("processes".into(), Problem::TooLarge(MAX_ENTITIES));
        }
        Ok(())
    }

    /// Queues and routines; what programs may refer to.
    fn check_shared(&self) -> Result<Ctx, ScenarioError> {
        let mut ctx = Ctx {
            locks: self.locks,
            semaphores: self.semaphores.len(),
            vars: self.vars,
            queues: self.queues.len(),
            routines: self.routines.len(),
            routines_timed: true,
            untimed_routine: None,
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
            if !shape.timed && ctx.untimed_routine.is_none() {
                ctx.untimed_routine = Some(i);
            }
        }
        Ok(ctx)
    }

    /// Request sources: their queue, routines, arrivals and times.
    fn check_sources(&self) -> Result<(), ScenarioError> {
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
        Ok(())
    }

    /// Processes and their threads' programs; per global thread, whether it
    /// may never end.
    fn check_processes(&self, ctx: &Ctx) -> Result<Vec<bool>, ScenarioError> {
        // Per global thread: whether it may never end (a flag per thread, so
        // that checking `stop_when` stays linear).
        let mut endless = vec![false; self.thread_count()];
        let mut global = 0u32;
        for (p, proc_) in self.processes.iter().enumerate() {
            if proc_.interpreters == 0 {
                return err(format!("processes[{p}].interpreters"), Problem::Zero);
            }
            if !(0.0..=MAX_MEMORY_MB).contains(&proc_.memory_mb) {
                return err(format!("processes[{p}].memory_mb"), Problem::BadMemory);
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
                if th.priority > MAX_PRIORITY {
                    return err(format!("{path}.priority"), Problem::BadPriority);
                }
                for (i, &core) in th.affinity.iter().enumerate() {
                    if core >= self.machine.cores {
                        return err(format!("{path}.affinity[{i}]"), Problem::NoSuchCore(core));
                    }
                    if th.affinity[..i].contains(&core) {
                        return err(format!("{path}.affinity[{i}]"), Problem::Duplicate);
                    }
                }
                let endless_thread = match &th.event_loop {
                    None => {
                        if th.program.is_empty() {
                            return err(format!("{path}.program"), Problem::EmptyProgram);
                        }
                        check_steps(&th.program, &format!("{path}.program"), ctx, Where::Thread)?.endless
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
                            endless |= check_steps(&task.program, &tpath, ctx, wh)?.endless;
                        }
                        endless
                    }
                };
                endless[global as usize] = endless_thread;
                global += 1;
            }
        }
        if let OsPolicy::Priority { aging_ns: Some(aging), .. } = self.machine.policy {
            let most = self.threads().map(|(_, t)| u64::from(t.priority)).max().unwrap_or(0);
            if most.checked_mul(aging).is_none_or(|n| n > MAX_TIME_NS) {
                return err("machine.policy.aging_ns".into(), Problem::AgingTooLong);
            }
        }
        Ok(endless)
    }

    /// What ends the run: `stop_when`, the horizon and the event budget.
    fn check_ending(&self, endless: &[bool]) -> Result<(), ScenarioError> {
        for (i, &t) in self.stop_when.iter().enumerate() {
            if t as usize >= endless.len() {
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
}

struct Shape {
    /// The steps may never end (a forever duration or loop).
    endless: bool,
    /// The steps contain at least one step that takes time.
    timed: bool,
    /// The steps serve requests (whose routines may take no time).
    serves: bool,
}

/// Numbers of the named objects steps may refer to.
struct Ctx {
    locks: u32,
    semaphores: usize,
    vars: u32,
    queues: usize,
    routines: usize,
    /// Every routine takes time, so a `serve` does.
    routines_timed: bool,
    /// The first routine that takes no time, if any.
    untimed_routine: Option<usize>,
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
    let mut shape = Shape { endless: false, timed: false, serves: false };
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
            Step::Acquire(n) | Step::Release(n) => {
                if *n as usize >= ctx.semaphores {
                    return fail(Problem::NoSuchSemaphore(*n));
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
                shape.serves = true;
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
                            // A loop that only serves: blame the routine
                            // (an endpoint) that takes no time.
                            if let (true, Some(r)) = (inner.serves, ctx.untimed_routine) {
                                return err(format!("routines[{r}].program"), Problem::UntimedRoutine);
                            }
                            return fail(Problem::UntimedLoop);
                        }
                        shape.endless = true;
                    }
                }
                shape.endless |= inner.endless;
                shape.timed |= inner.timed;
                shape.serves |= inner.serves;
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

/// The largest memory a process may report, in MB (an exabyte): sums over
/// many processes stay finite.
pub const MAX_MEMORY_MB: f64 = 1e12;

/// What is wrong with a scenario field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Must not be zero.
    Zero,
    /// Must be strictly positive.
    NotPositive,
    /// A memory size must be a finite number of megabytes, 0 to
    /// [`MAX_MEMORY_MB`].
    BadMemory,
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
    /// A routine served in a loop takes no time.
    UntimedRoutine,
    /// A lock number at or beyond `locks`.
    NoSuchLock(u32),
    /// A semaphore number at or beyond the number of semaphores.
    NoSuchSemaphore(u32),
    /// A priority above [`MAX_PRIORITY`].
    BadPriority,
    /// The aging period times the largest priority exceeds 2^62 ns.
    AgingTooLong,
    /// An interpreter number at or beyond the process's `interpreters`.
    NoSuchInterpreter(u32),
    /// A core number at or beyond `machine.cores`.
    NoSuchCore(u32),
    /// A value listed twice.
    Duplicate,
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
            Problem::BadMemory => format!("must be a number of megabytes from 0 to {MAX_MEMORY_MB:e}"),
            Problem::BadRange { lo, hi } => format!("range {lo}..{hi} ns must satisfy 0 < lo <= hi"),
            Problem::BadOverhead => format!("overhead must be a number from 0 to {MAX_OVERHEAD}"),
            Problem::TooLong => "must not exceed 2^61 ns (about 73 years)".to_owned(),
            Problem::NoThreads => "the scenario has no thread".to_owned(),
            Problem::EmptyProgram => "must contain at least one step".to_owned(),
            Problem::UntimedLoop => "a forever loop must contain a step that takes time".to_owned(),
            Problem::UntimedRoutine => {
                "this program takes no time, and the loop that serves it would never let time pass: give it a step that takes time".to_owned()
            }
            Problem::NoSuchLock(n) => format!("lock {n} does not exist"),
            Problem::NoSuchSemaphore(n) => format!("semaphore {n} does not exist"),
            Problem::BadPriority => format!("must be a whole number from 0 to {MAX_PRIORITY}"),
            Problem::AgingTooLong => "the aging period times the largest priority must not exceed 2^62 ns".to_owned(),
            Problem::NoSuchInterpreter(n) => format!("interpreter {n} does not exist in this process"),
            Problem::NoSuchCore(n) => {
                format!("core {n} does not exist (cores are numbered from 0 below machine.cores)")
            }
            Problem::Duplicate => "this value is already listed".to_owned(),
            Problem::NoSuchThread(n) => format!("thread {n} does not exist"),
            Problem::StopOnEndless(n) => format!("thread {n} never finishes, so the run could never stop"),
            Problem::NeverFinishes => "this program never finishes: add stop_when or a horizon".to_owned(),
            Problem::TooLarge(n) => format!(
                "threads, cores, processes, interpreters, clients, tasks, locks, semaphores, variables, queues and routines must not exceed {n} in all"
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
