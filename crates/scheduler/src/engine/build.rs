//! The engine's initial state, built from a validated scenario: GILs per
//! process and interpreter, programs compiled once, threads, cores, request
//! sources and their clients.

use super::*;
use crate::ThreadSpec;

impl<'s, S: TraceSink> Engine<'s, S> {
    /// Builds the initial state of a validated scenario.
    pub(crate) fn new(sc: &Scenario, sink: &'s mut S) -> Engine<'s, S> {
        let Processes { gils, gil_of, procs } = processes(sc);
        let n = sc.thread_count();
        let (mut programs, main_prog, routine_prog) = programs(sc);
        let mut threads = Vec::new();
        for (global, (p, spec)) in sc.threads().enumerate() {
            let lp = spec.event_loop.as_ref().map(|lp| Box::new(aio::LoopRt::new(lp, &mut programs)));
            let gil = gil_of[p][spec.interpreter as usize];
            threads.push(thread(sc, global, p as u32, spec, gil, main_prog[global], lp));
        }
        let mut stop_when = vec![false; n];
        for &t in &sc.stop_when {
            stop_when[t as usize] = true;
        }
        let stop_left = stop_when.iter().filter(|s| **s).count();
        let cores = (0..sc.machine.cores)
            .map(|_| Core {
                current: None,
                claimed: false,
                slice_start: 0,
                armed: false,
                busy_ns: 0,
                switch_ns: 0,
                dispatches: 0,
                idle_since: 0,
                delayed: Default::default(),
            })
            .collect();
        let runq = match sc.machine.policy {
            OsPolicy::Fair { .. } | OsPolicy::Sjf | OsPolicy::Srtf | OsPolicy::Priority { .. } => {
                RunQueue::Keyed(RunHeap::default())
            }
            OsPolicy::RoundRobin { .. } | OsPolicy::Fcfs => RunQueue::Fifo(VecDeque::new()),
        };
        let py_factor = match sc.gil {
            GilSpec::None { overhead } => Some(1.0 + overhead),
            _ => None,
        };
        let (sources, clients) = sources(sc);
        let core_base = n as u32;
        let proc_base = core_base + sc.machine.cores;
        let client_base = proc_base + sc.processes.len() as u32;
        let entities = client_base as usize + clients.len();
        Engine {
            sink,
            now: 0,
            queue: EventQueue::new(entities, What::Run),
            core_base,
            proc_base,
            client_base,
            events: 0,
            max_events: sc.limits.max_events,
            instant_steps: 0,
            horizon: sc.limits.horizon_ns.unwrap_or(u64::MAX),
            costs: sc.machine.costs,
            policy: sc.machine.policy,
            tick: sc.interp.tick_ns,
            py_factor,
            check_points: sc.interp.check_points,
            threads,
            programs,
            routine_prog,
            cores,
            runq,
            queue_seq: 0,
            min_vruntime: 0,
            os_rng: rng::stream(sc.seed, rng::OS_STREAM, 0),
            slices: os::slice_table(sc.machine.policy, sc.machine.cores, n),
            busy_cores: 0,
            pinned: sc.threads().any(|(_, t)| !t.affinity.is_empty()),
            gils,
            locks: (0..sc.locks).map(|_| LockSlot { holder: None, sleepers: VecDeque::new() }).collect(),
            sems: sc
                .semaphores
                .iter()
                .map(|&p| SemSlot { available: u64::from(p), holders: Vec::new(), sleepers: VecDeque::new() })
                .collect(),
            vars: vec![0; sc.vars as usize],
            queues: sc.queues.iter().map(sync::QueueRt::new).collect(),
            sources,
            clients,
            procs,
            next_item: 0,
            names: sc.threads().map(|(p, t)| (t.name.clone(), p as u32)).collect(),
            has_stop: stop_left > 0,
            stop_when,
            stop_left,
            live: n,
            error: None,
        }
    }
}

/// The GILs of every process and interpreter, and the processes.
struct Processes {
    gils: Vec<GilSlot>,
    /// Per process, per interpreter: its GIL, if there is one.
    gil_of: Vec<Vec<Option<u32>>>,
    procs: Vec<ProcRt>,
}

fn processes(sc: &Scenario) -> Processes {
    let mut gils = Vec::new();
    let mut gil_of = Vec::new(); // per (process, interpreter)
    let gil_policy = match sc.gil {
        GilSpec::New { switch_interval_ns } | GilSpec::PerInterpreter { switch_interval_ns } => {
            Some(Policy::New { switch_interval_ns })
        }
        GilSpec::Priority { switch_interval_ns } => Some(Policy::Priority { switch_interval_ns }),
        GilSpec::Old { check_interval } => Some(Policy::Old { check_interval }),
        GilSpec::None { .. } => None,
    };
    let per_interpreter = matches!(sc.gil, GilSpec::PerInterpreter { .. });
    let mut procs = Vec::new();
    let mut first_thread = 0u32;
    for (p, proc_) in sc.processes.iter().enumerate() {
        let mut row: Vec<Option<u32>> = Vec::new();
        let mut own = Vec::new();
        for i in 0..proc_.interpreters {
            let shared = i > 0 && !per_interpreter;
            let idx = match gil_policy {
                None => None,
                Some(_) if shared => row[0],
                Some(policy) => {
                    let idx = gils.len() as u32;
                    let period = sc.interp.tick_ns * u64::from(policy.check_interval().unwrap_or(1));
                    let seed = rng::stream_seed(sc.seed, rng::GIL_STREAM, u64::from(idx));
                    let gil = Gil::new(policy, sc.interp.wake_order, seed)
                        .with_timer_slack(sc.machine.costs.timer_slack_ns)
                        .with_sleep_entry(sc.machine.costs.sleep_entry_ns);
                    gils.push(GilSlot {
                        pristine: gil.clone(),
                        gil,
                        carried: GilStats::default(),
                        period,
                        process: p as u32,
                        interpreter: i,
                        held_since: 0,
                        held_ns: 0,
                        waiting: 0,
                        wait_since: 0,
                        wait_ns: 0,
                    });
                    own.push(idx);
                    Some(idx)
                }
            };
            row.push(idx);
        }
        gil_of.push(row);
        let n = proc_.threads.len() as u32;
        procs.push(ProcRt {
            name: proc_.name.clone(),
            memory_mb: proc_.memory_mb,
            crash: proc_.crash,
            crashes: 0,
            restarts: 0,
            threads: first_thread..first_thread + n,
            gils: own,
        });
        first_thread += n;
    }
    Processes { gils, gil_of, procs }
}

/// Every program compiled once: (programs, each thread's main program, each
/// routine's program).
fn programs(sc: &Scenario) -> (Vec<Vec<Op>>, Vec<u32>, Vec<u32>) {
    let n = sc.thread_count();
    let mut programs: Vec<Vec<Op>> = Vec::new();
    // Main programs first, then routines, then tasks. Consecutive threads
    // with the same program (`count: N`) share one copy: a copy per
    // thread made a program fetch a cache miss with many threads.
    let mut main_prog = Vec::with_capacity(n);
    let mut last: Option<&Vec<Step>> = None;
    for (_, spec) in sc.threads() {
        if last != Some(&spec.program) {
            programs.push(program::compile(&spec.program));
            last = Some(&spec.program);
        }
        main_prog.push(programs.len() as u32 - 1);
    }
    let routine_prog: Vec<u32> = sc
        .routines
        .iter()
        .map(|r| {
            programs.push(program::compile(&r.program));
            programs.len() as u32 - 1
        })
        .collect();
    (programs, main_prog, routine_prog)
}

/// Thread `global` before it starts.
fn thread(
    sc: &Scenario,
    global: usize,
    process: u32,
    spec: &ThreadSpec,
    gil: Option<u32>,
    main_prog: u32,
    lp: Option<Box<aio::LoopRt>>,
) -> Thread {
    Thread {
        gil,
        sched: Sched::NotStarted,
        state: ThreadState::NotStarted,
        state_since: 0,
        holds: false,
        traced_holds: false,
        cont: Cont::Fetch,
        park_pending: false,
        overhead_left: 0,
        kind: Kind::Python,
        remaining: 0,
        back_edge: false,
        since_check: 0,
        burst: Burst { kind: BurstKind::Overhead, start: 0, len: 0, stops_at_check: false },
        main_prog,
        frames: smallvec![Frame { prog: main_prog, cursor: Cursor::default(), reply: false }],
        lp,
        item: None,
        reg: 0,
        incarnation: 0,
        rng: rng::stream(sc.seed, rng::THREAD_STREAM, global as u64),
        vruntime: 0,
        lag: 0,
        blocked_at: 0,
        deadline: 0,
        vprot: 0,
        delayed_on: None,
        est_cpu: match &spec.event_loop {
            None => program::expected_cpu(&spec.program),
            Some(lp) => lp.tasks.iter().map(|t| program::expected_cpu(&t.program)).sum(),
        },
        priority: spec.priority,
        queued_at: 0,
        waited_ns: 0,
        dispatched_at: 0,
        run_start: 0,
        // A pinned thread starts on its first allowed core.
        last_core: spec.affinity.first().copied().unwrap_or(0),
        process,
        sync_waker: None,
        affinity: spec.affinity.clone().into_boxed_slice(),
        start_ns: spec.start_ns,
        finished: None,
        cpu_ns: 0,
        times: StateTimes::default(),
        acquisitions: 0,
        failed: 0,
        forced: 0,
    }
}

/// The request sources, and their clients as (source, client) pairs.
fn sources(sc: &Scenario) -> (Vec<sync::SourceRt>, Vec<(u32, u32)>) {
    let mut clients = Vec::new();
    let sources: Vec<sync::SourceRt> = sc
        .sources
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let count = match spec.arrivals {
                Arrivals::Closed { clients, .. } => clients,
                Arrivals::Open { .. } => 1,
            };
            let base = clients.len() as u32;
            clients.extend((0..count).map(|c| (i as u32, c)));
            sync::SourceRt::new(spec, base, count, rng::stream(sc.seed, rng::SOURCE_STREAM, i as u64))
        })
        .collect();
    (sources, clients)
}
