//! A WSGI server (master, workers with their threads, a listen backlog)
//! and its clients.

use super::*;

/// Routines a request source picks from: (routine, weight).
type Routes = Vec<(u32, u32)>;

impl Compiler {
    pub(super) fn server(&mut self, s: &ServerY, clients: &ClientsY) -> Result<(), CompileError> {
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
        let (class, connections) = worker_class(s, threads)?;
        let backlog = s.backlog.unwrap_or(2048);
        self.map(&format!("queues[{}].capacity", self.sc.queues.len()), "server.backlog");
        let queue = self.add_queue("backlog", Some(backlog));
        let (routes, endpoints) = self.endpoints(s)?;
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
            self.worker(s, w, threads, connections, queue, crash);
        }
        let arrivals = arrivals(clients)?;
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

    /// The endpoints as routines: (routine, weight) for the clients, and
    /// their names.
    fn endpoints(&mut self, s: &ServerY) -> Result<(Routes, Vec<String>), CompileError> {
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
        if routes.iter().all(|(_, w)| *w == 0) {
            return fail("server.endpoints", "at least one endpoint needs a positive weight");
        }
        Ok((routes, endpoints))
    }

    /// Worker process `w`: its threads, and the queue of its own that a
    /// gthread worker keeps.
    fn worker(
        &mut self,
        s: &ServerY,
        w: u32,
        threads: u32,
        connections: Option<u32>,
        queue: u32,
        crash: Option<(u32, CrashSpec)>,
    ) {
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
}

/// The worker class (gunicorn runs `gthread` instead of `sync` when
/// threads > 1, `Config.worker_class`) and a gthread worker's connections.
fn worker_class(s: &ServerY, threads: u32) -> Result<(WorkerClass, Option<u32>), CompileError> {
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
    Ok((class, connections))
}

/// How the clients send requests.
fn arrivals(clients: &ClientsY) -> Result<Arrivals, CompileError> {
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
    Ok(arrivals)
}
