//! A multiprocessing pool: workers, chunks, and the pipes between them.

use super::*;

impl Compiler {
    pub(super) fn pool(&mut self, p: &PoolY) -> Result<(), CompileError> {
        let kind = p.kind.unwrap_or(PoolKind::Pool);
        if p.workers == 0 {
            return fail("pool.workers", "a pool needs at least one worker");
        }
        if p.tasks == 0 {
            return fail("pool.tasks", "map at least one task");
        }
        let chunksize = chunksize(p, kind)?;
        let full = p.tasks / chunksize;
        let rest = p.tasks % chunksize;
        let chunks = full + u32::from(rest > 0);
        let per_byte = p.ipc.per_byte.map_or(IpcY::DEFAULT_PER_BYTE_NS, |d| d.0);
        let per_message = p.ipc.per_message.map_or(IpcY::DEFAULT_PER_MESSAGE_NS, |d| d.0);
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
        // A message that costs nothing (`ipc` of zero) is no step: a step
        // must take time.
        let py = |d: Dist| (d != Dist::Fixed(0)).then_some(Step::Python(d));
        let chunk_routine = |c: &mut Compiler, n: u32, send: Dist, back: Dist| {
            let mut program: Vec<Step> = py(send).into_iter().collect();
            let at = program.len();
            program.push(Step::Repeat { times: Times::Count(u64::from(n)), body: task_program.clone() });
            program.extend(py(back));
            let r = c.sc.routines.len();
            c.map(&format!("routines[{r}].program[{at}].body"), "pool.task.program");
            c.map(&format!("routines[{r}].program"), "pool.task.program");
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
                body: py(send_full).into_iter().chain([Step::Submit(tasks_q, full_r)]).collect(),
            });
        }
        if let Some(r) = rest_r {
            feeder.extend(py(send_rest).into_iter().chain([Step::Submit(tasks_q, r)]));
        }
        let mean_result =
            u64::try_from((u128::from(p.tasks) * u128::from(res)).div_ceil(u128::from(chunks))).unwrap_or(u64::MAX);
        let collector = vec![Step::Repeat {
            times: Times::Count(u64::from(chunks)),
            body: [Step::Get(results_q)]
                .into_iter()
                .chain(py(cost(1, mean_result, "pool.task.result_bytes")?))
                .collect(),
        }];
        let collector_thread = self.parent(kind, feeder, collector);
        self.workers(p, tasks_q, results_q);
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

    /// The parent process: a thread feeding chunks and one collecting
    /// results. Returns the collector's thread number.
    fn parent(&mut self, kind: PoolKind, feeder: Vec<Step>, collector: Vec<Step>) -> u32 {
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
        self.sc.thread_count() as u32 - 1
    }

    /// The worker processes: start-up, then chunks until the run stops.
    fn workers(&mut self, p: &PoolY, tasks_q: u32, results_q: u32) {
        let startup = p.startup.map_or(
            // A program's first Pool(2) until its first result, measured
            // on CPython 3.6-3.13 (`docs/calibration.md`, pool family):
            // medians 21-26 ms with fork, 108-127 ms with forkserver (it
            // starts its server first), 106-139 ms with spawn.
            match p.start_method.unwrap_or(StartMethod::Fork) {
                StartMethod::Fork => 22 * MS,
                StartMethod::Forkserver => 120 * MS,
                StartMethod::Spawn => 130 * MS,
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
    }
}

/// Tasks per chunk: as given, or CPython's default.
fn chunksize(p: &PoolY, kind: PoolKind) -> Result<u32, CompileError> {
    Ok(match (p.chunksize, kind) {
        (Some(0), _) => return fail("pool.chunksize", "a chunksize must be at least 1"),
        (Some(c), _) => c,
        // CPython: divmod(len(iterable), len(pool) * 4), plus one if any
        // remainder (in u64: workers * 4 may not fit a u32).
        (None, PoolKind::Pool) => u64::from(p.tasks).div_ceil(u64::from(p.workers) * 4) as u32,
        (None, PoolKind::Executor) => 1,
    })
}
