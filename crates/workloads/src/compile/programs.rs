//! Threads, processes, scheduling jobs and their programs: every step of a
//! program, checked and compiled.

use super::*;

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
    Acquire(&'y str),
    Release(&'y str),
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
            ("acquire", y.acquire.as_deref().map(Action::Acquire)),
            ("release", y.release.as_deref().map(Action::Release)),
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
    /// `t` as thread specs (several with `count`) for the process being
    /// built, where `first` threads were already added; an asyncio thread is
    /// followed by its executor's threads.
    pub(super) fn thread(&mut self, t: &ThreadY, yaml: &str, first: usize) -> Result<Vec<ThreadSpec>, CompileError> {
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
            spec.priority = t.priority.unwrap_or(0);
            // A thread's own affinity wins over its process's (as
            // `sched_setaffinity` on a thread does over `taskset`).
            if let Some((cores, from)) =
                affinity(t.affinity.as_ref(), &format!("{yaml}.affinity"))?.or_else(|| self.affinity.clone())
            {
                spec.affinity = cores;
                self.map(&format!("{sched}.affinity"), &from);
            }
            self.map(&format!("{sched}.interpreter"), &format!("{yaml}.interpreter"));
            self.map(&format!("{sched}.priority"), &format!("{yaml}.priority"));
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
            let inherited = spec.affinity.clone();
            out.push(spec);
            for mut e in executors {
                // Threads a thread starts inherit its affinity.
                e.affinity.clone_from(&inherited);
                self.names.push((e.name.clone(), e.name.clone()));
                out.push(e);
            }
        }
        Ok(out)
    }

    pub(super) fn event_loop(
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

    pub(super) fn processes(&mut self, p: &ProcessY, yaml: &str) -> Result<(), CompileError> {
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
            self.affinity = affinity(p.affinity.as_ref(), &format!("{yaml}.affinity"))?;
            let mut threads = Vec::new();
            for (i, t) in p.threads.iter().enumerate() {
                threads.extend(self.thread(t, &format!("{yaml}.threads[{i}]"), threads.len())?);
            }
            self.affinity = None;
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

    pub(super) fn job(&mut self, j: &JobY, yaml: &str) -> Result<(), CompileError> {
        name(&format!("{yaml}.name"), &j.name)?;
        let mut t = ThreadSpec::new(&j.name, vec![Step::CRelease(Dist::Fixed(j.burst.0))]);
        t.start_ns = j.arrival.map_or(0, |d| d.0);
        t.priority = j.priority.unwrap_or(0);
        let thread = self.sc.thread_count() as u32;
        let p = self.sc.process(&j.name, vec![t]);
        self.map(&format!("processes[{p}].threads[0].program[0]"), &format!("{yaml}.burst"));
        self.map(&format!("processes[{p}].threads[0].priority"), &format!("{yaml}.priority"));
        self.map(&format!("processes[{p}]"), yaml);
        self.names.push((j.name.clone(), j.name.clone()));
        self.meta.jobs.push(JobMeta {
            name: j.name.clone(),
            thread,
            arrival_ns: t_arrival(j),
            burst_ns: j.burst.0,
            priority: j.priority.unwrap_or(0),
        });
        Ok(())
    }

    /// Compiles steps at `yaml` (file path) emitted at `sched` (scenario path).
    pub(super) fn steps(
        &mut self,
        ys: &[StepY],
        yaml: &str,
        sched: &str,
        place: In,
    ) -> Result<Vec<Step>, CompileError> {
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

    pub(super) fn step(&mut self, y: &StepY, yaml: &str, sched: &str, place: In) -> Result<Vec<Step>, CompileError> {
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
            Action::Acquire(name) | Action::Release(name) => {
                let key = if matches!(action, Action::Acquire(_)) { "acquire" } else { "release" };
                let Some(&n) = self.sem_index.get(name) else {
                    return fail(
                        format!("{yaml}.{key}"),
                        format!("no semaphore is named `{}`: declare it under `semaphores`", shown(name)),
                    );
                };
                if key == "acquire" { Step::Acquire(n) } else { Step::Release(n) }
            }
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

    pub(super) fn lock(&mut self, name: &str, path: &str) -> Result<u32, CompileError> {
        self::name(path, name)?;
        Ok(intern(&mut self.lock_index, &mut self.meta.locks, name, &mut self.sc.locks))
    }

    pub(super) fn var(&mut self, name: &str, path: &str) -> Result<u32, CompileError> {
        self::name(path, name)?;
        Ok(intern(&mut self.var_index, &mut self.meta.shared, name, &mut self.sc.vars))
    }
}
