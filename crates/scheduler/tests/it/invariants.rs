//! Property tests: simulator invariants on random, finite scenarios.

use proptest::prelude::*;
use scheduler::{
    Arrivals, CheckPoints, Costs, CrashSpec, Dist, EndReason, EventLoopSpec, GilSpec, Interp, MS, Machine, OsPolicy,
    ProcessSpec, QueueSpec, Recorder, RoutineSpec, Scenario, SourceSpec, Step, TaskSpec, ThreadSpec, Times, US,
    WakeOrder, simulate, simulate_traced,
};

use crate::support::{check_invariants, fixed_work};

/// Cases per property: `PROPTEST_CASES` overrides the default (for long runs).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn dist() -> impl Strategy<Value = Dist> {
    prop_oneof![
        3 => (1u64..400 * US).prop_map(Dist::Fixed),
        1 => (1u64..200 * US, 0u64..200 * US).prop_map(|(lo, w)| Dist::Uniform { lo, hi: lo + w }),
        1 => (1u64..200 * US).prop_map(|mean| Dist::Exp { mean }),
    ]
}

fn leaf(locks: u32) -> impl Strategy<Value = Vec<Step>> {
    prop_oneof![
        4 => dist().prop_map(|d| vec![Step::Python(d)]),
        // `counter += 1` on one of two shared variables, or an atomic update.
        1 => (0u32..2, 1u64..50).prop_map(|(v, n)| vec![Step::Repeat {
            times: Times::Count(n),
            body: vec![Step::Read(v), Step::Add(1), Step::Store(v)],
        }]),
        1 => (0u32..2).prop_map(|v| vec![Step::AtomicAdd(v, 1)]),
        1 => dist().prop_map(|d| vec![Step::CHold(d)]),
        2 => dist().prop_map(|d| vec![Step::CRelease(d)]),
        2 => dist().prop_map(|d| vec![Step::Io(d)]),
        // A critical section: the only way locks appear, so no deadlock.
        2 => (0..locks.max(1), dist(), dist()).prop_map(move |(l, a, b)| if locks == 0 {
            vec![Step::Python(a)]
        } else {
            vec![Step::Lock(l), Step::Python(a), Step::Io(b), Step::Unlock(l)]
        }),
        // The same with one of two semaphores (one and two permits).
        1 => (0u32..2, dist(), dist()).prop_map(|(n, a, b)| {
            vec![Step::Acquire(n), Step::Python(a), Step::Io(b), Step::Release(n)]
        }),
    ]
}

fn program(locks: u32) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        3 => leaf(locks),
        1 => (1u64..4, prop::collection::vec(leaf(locks), 1..3))
            .prop_map(|(k, body)| vec![Step::Repeat { times: Times::Count(k), body: body.concat() }]),
    ];
    prop::collection::vec(step, 1..4).prop_map(|parts| parts.concat())
}

fn gil() -> impl Strategy<Value = GilSpec> {
    prop_oneof![
        (1u64..10_000 * US).prop_map(|switch_interval_ns| GilSpec::New { switch_interval_ns }),
        (10u32..200).prop_map(|check_interval| GilSpec::Old { check_interval }),
        (1u64..10_000 * US).prop_map(|switch_interval_ns| GilSpec::PerInterpreter { switch_interval_ns }),
        (1u64..10_000 * US).prop_map(|switch_interval_ns| GilSpec::Priority { switch_interval_ns }),
        (0.0f64..1.0).prop_map(|overhead| GilSpec::None { overhead }),
    ]
}

fn policy() -> impl Strategy<Value = OsPolicy> {
    prop_oneof![
        (1u32..8).prop_map(OsPolicy::linux_fair),
        (10u64..5_000 * US).prop_map(|slice_ns| OsPolicy::RoundRobin { slice_ns }),
        Just(OsPolicy::Fcfs),
        Just(OsPolicy::Sjf),
        Just(OsPolicy::Srtf),
        (any::<bool>(), prop_oneof![Just(None), (1u64..2 * MS).prop_map(Some)])
            .prop_map(|(preemptive, aging_ns)| OsPolicy::Priority { preemptive, aging_ns }),
    ]
}

fn costs() -> impl Strategy<Value = Costs> {
    (
        (0u64..5_000, 0u64..5_000, 0u64..5_000, 0u64..5_000),
        (0u64..500, 0u64..2_000, 0u64..100_000),
        (0u64..100_000, 0u64..1_000_000),
        (0u64..1_000, 0u64..5_000, 0u64..5_000),
    )
        .prop_map(
            |(
                (context_switch_ns, wakeup_latency_ns, wakeup_jitter_ns, futex_wake_ns),
                (syscall_ns, retry_ns, timer_slack_ns),
                (idle_wakeup_extra_ns, idle_wakeup_half_ns),
                (sleep_entry_ns, idle_poll_ns, poll_wakeup_ns),
            )| Costs {
                context_switch_ns,
                wakeup_latency_ns,
                wakeup_jitter_ns,
                idle_wakeup_extra_ns,
                idle_wakeup_half_ns,
                sleep_entry_ns,
                idle_poll_ns,
                poll_wakeup_ns,
                futex_wake_ns,
                syscall_ns,
                retry_ns,
                timer_slack_ns,
            },
        )
}

fn wake_order() -> impl Strategy<Value = WakeOrder> {
    prop_oneof![Just(WakeOrder::Fifo), Just(WakeOrder::Lifo), Just(WakeOrder::Random)]
}

prop_compose! {
    fn scenario()(
        cores in 1u32..5,
        policy in policy(),
        costs in costs(),
        gil in gil(),
        tick_ns in 5u64..50,
        wake_order in wake_order(),
        per_bytecode in any::<bool>(),
        seed in any::<u64>(),
        locks in 0u32..3,
        shape in prop::collection::vec((1u32..3, 1usize..4), 1..3),
    )(
        programs in prop::collection::vec(program(locks), shape.iter().map(|(_, n)| *n).sum::<usize>()),
        starts in prop::collection::vec(prop_oneof![3 => Just(0u64), 1 => 1u64..100 * US], shape.iter().map(|(_, n)| *n).sum::<usize>()),
        interps in prop::collection::vec(0u32..2, shape.iter().map(|(_, n)| *n).sum::<usize>()),
        priorities in prop::collection::vec(0u32..4, shape.iter().map(|(_, n)| *n).sum::<usize>()),
        // A core mask per thread; 0 (or no core below `cores`) is no affinity.
        masks in prop::collection::vec(prop_oneof![2 => Just(0u32), 1 => 1u32..16], shape.iter().map(|(_, n)| *n).sum::<usize>()),
        cores in Just(cores), policy in Just(policy), costs in Just(costs), gil in Just(gil),
        tick_ns in Just(tick_ns), wake_order in Just(wake_order), seed in Just(seed), locks in Just(locks),
        per_bytecode in Just(per_bytecode),
        shape in Just(shape),
    ) -> Scenario {
        let mut next = 0;
        let processes = shape.iter().enumerate().map(|(p, &(interpreters, n))| {
            let threads = (0..n).map(|i| {
                let k = next;
                next += 1;
                ThreadSpec {
                    name: format!("p{p}t{i}"),
                    interpreter: interps[k] % interpreters,
                    start_ns: starts[k],
                    program: programs[k].clone(),
                    event_loop: None,
                    priority: priorities[k],
                    affinity: (0..cores).filter(|c| masks[k] >> c & 1 == 1).collect(),
                }
            }).collect();
            ProcessSpec { name: format!("p{p}"), interpreters, threads, memory_mb: 0.0, crash: None }
        }).collect();
        let mut sc = Scenario::new(cores);
        sc.machine = Machine { cores, policy, costs };
        sc.gil = gil;
        let check_points = if per_bytecode { CheckPoints::PerBytecode } else { CheckPoints::LoopsAndCalls };
        sc.interp = Interp { tick_ns, wake_order, check_points };
        sc.vars = 2;
        sc.seed = seed;
        sc.locks = locks;
        sc.semaphores = vec![1, 2];
        sc.processes = processes;
        sc
    }
}

prop_compose! {
    /// Threads that repeatedly wait for I/O inside a critical section of one
    /// semaphore (or of a lock), next to threads doing bytecode.
    fn guarded()(
        cores in 1u32..4,
        policy in policy(),
        costs in costs(),
        gil in gil(),
        seed in any::<u64>(),
        permits in 1u32..4,
        guarded in 1usize..7,
        locked in 0usize..4,
        busy in 0usize..3,
        rounds in 1u64..4,
        inside in (dist(), dist()),
        outside in dist(),
    ) -> Scenario {
        let mut sc = Scenario::new(cores);
        sc.machine = Machine { cores, policy, costs };
        sc.gil = gil;
        sc.seed = seed;
        sc.semaphores = vec![permits];
        sc.locks = 1;
        let section = |enter: Step, leave: Step| vec![Step::Repeat {
            times: Times::Count(rounds),
            body: vec![enter, Step::Python(inside.0), Step::Io(inside.1), leave, Step::Python(outside)],
        }];
        let mut threads: Vec<ThreadSpec> = (0..guarded)
            .map(|i| ThreadSpec::new(&format!("s{i}"), section(Step::Acquire(0), Step::Release(0))))
            .collect();
        threads.extend((0..locked).map(|i| ThreadSpec::new(&format!("l{i}"), section(Step::Lock(0), Step::Unlock(0)))));
        threads.extend((0..busy).map(|i| ThreadSpec::new(&format!("b{i}"), vec![Step::Python(outside)])));
        for (i, t) in threads.iter_mut().enumerate() {
            t.priority = (i % 3) as u32;
        }
        sc.process("main", threads);
        sc
    }
}

/// The most threads of `group` in I/O at one instant, from their trace lanes.
fn most_in_io(trace: &scheduler::Trace, group: impl Iterator<Item = usize>) -> i64 {
    let mut edges: Vec<(u64, i64)> = Vec::new();
    for t in group {
        for span in trace.threads[t].iter().filter(|s| s.state == scheduler::ThreadState::Io) {
            edges.push((span.start_ns, 1));
            edges.push((span.end_ns, -1));
        }
    }
    // Ends before starts at the same instant: a hand-over is not an overlap.
    edges.sort_unstable();
    let (mut now, mut most) = (0, 0);
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    most
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// A semaphore of k permits lets at most k threads into its critical
    /// section at once, a lock one; nobody deadlocks and everyone finishes.
    #[test]
    fn semaphores_bound_and_locks_exclude(sc in guarded()) {
        let mut rec = Recorder::new();
        let res = simulate_traced(&sc, &mut rec).expect("valid scenario runs");
        prop_assert_eq!(res.end, EndReason::AllFinished);
        prop_assert!(res.deadlock.is_empty());
        let trace = rec.into_trace();
        check_invariants(&sc, &res, &trace);
        let names = |prefix: char| res.threads.iter().enumerate().filter(move |(_, t)| t.name.starts_with(prefix)).map(|(i, _)| i);
        let permits = i64::from(sc.semaphores[0]);
        let most = most_in_io(&trace, names('s'));
        prop_assert!((1..=permits).contains(&most), "{} threads inside a semaphore of {} permits", most, permits);
        prop_assert!(most_in_io(&trace, names('l')) <= 1, "two threads inside a lock");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(96), ..ProptestConfig::default() })]

    /// Every finite program finishes and every structural invariant holds.
    #[test]
    fn finite_scenarios_finish_with_consistent_accounting(sc in scenario()) {
        let mut rec = Recorder::new();
        let res = simulate_traced(&sc, &mut rec).expect("valid scenario runs");
        prop_assert_eq!(res.end, EndReason::AllFinished);
        prop_assert!(res.threads.iter().all(|t| t.finished_ns.is_some()));
        let trace = rec.into_trace();
        check_invariants(&sc, &res, &trace);

        // Work conservation: programs with fixed durations get exactly the
        // bytecode, C and I/O time they asked for.
        let factor = match sc.gil { GilSpec::None { overhead } => Some(1.0 + overhead), _ => None };
        for ((_, spec), th) in sc.threads().zip(&res.threads) {
            if let Some([py, hold, rel, io]) = fixed_work(&spec.program, factor, sc.interp.tick_ns) {
                prop_assert_eq!(th.time.python, py, "bytecode of {}", th.name);
                prop_assert_eq!(th.time.c_hold, hold, "held C of {}", th.name);
                prop_assert_eq!(th.time.c_release, rel, "released C of {}", th.name);
                prop_assert_eq!(th.time.io, io, "I/O of {}", th.name);
            }
        }
    }

    /// Servers with request sources, optional crashes and restarts: the
    /// invariants hold and every request is accounted for exactly once.
    #[test]
    fn servers_account_for_every_request(sc in server()) {
        let mut rec = Recorder::new();
        let res = simulate_traced(&sc, &mut rec).expect("valid scenario runs");
        prop_assert_eq!(res.end, EndReason::Horizon);
        check_invariants(&sc, &res, &rec.into_trace());
        for src in &res.sources {
            prop_assert_eq!(src.sent, src.completed + src.refused + src.timed_out + src.failed + src.in_flight, "{:?}", src);
            prop_assert_eq!(src.cdf_ns.len(), if src.completed > 0 { 101 } else { 0 });
        }
        for (p, proc_) in sc.processes.iter().enumerate() {
            let crashed = proc_.crash.is_some_and(|c| c.at_ns < sc.limits.horizon_ns.unwrap());
            prop_assert_eq!(res.processes[p].crashes, u32::from(crashed));
        }
    }

    /// asyncio loops with executors: every task finishes and the loop's
    /// accounting adds up. A loop beside a busy thread under the old GIL
    /// can starve for simulated seconds (each wake-up takes the GIL twice):
    /// such a case is rejected at an event budget rather than traced.
    #[test]
    fn event_loops_finish_every_task(sc in event_loop()) {
        let mut sc = sc;
        sc.limits.max_events = 1_000_000;
        let mut rec = Recorder::new();
        let res = match simulate_traced(&sc, &mut rec) {
            Err(scheduler::SimError::EventBudget { .. }) => return Err(TestCaseError::reject("starved past the budget")),
            res => res.expect("valid scenario runs"),
        };
        prop_assert_eq!(res.end, EndReason::StopWhen);
        check_invariants(&sc, &res, &rec.into_trace());
        prop_assert!(res.tasks.iter().all(|t| t.finished_ns.is_some()));
    }

    /// Same scenario and seed, same result and same trace.
    #[test]
    fn same_seed_same_result(sc in scenario()) {
        let (mut a, mut b) = (Recorder::new(), Recorder::new());
        let ra = simulate_traced(&sc, &mut a).unwrap();
        let rb = simulate_traced(&sc, &mut b).unwrap();
        prop_assert_eq!(&ra, &rb);
        prop_assert_eq!(a.into_trace(), b.into_trace());
        // Tracing does not change the result.
        prop_assert_eq!(simulate(&sc).unwrap(), ra);
    }
}

fn routine_program() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        prop_oneof![
            3 => dist().prop_map(Step::Python),
            2 => dist().prop_map(Step::Io),
            1 => dist().prop_map(Step::CRelease),
        ],
        1..4,
    )
}

prop_compose! {
    /// Worker processes serving a backlog fed by clients, maybe crashing.
    fn server()(
        cores in 1u32..4,
        policy in policy(),
        costs in costs(),
        gil in gil(),
        seed in any::<u64>(),
        workers in 1usize..4,
        threads in 1usize..4,
        backlog in prop_oneof![Just(None), (1u32..20).prop_map(Some)],
        routines in prop::collection::vec(routine_program(), 1..3),
        closed in any::<bool>(),
        clients in 1u32..12,
        rate in 50.0f64..3000.0,
        timeout in prop_oneof![Just(None), (1u64..50 * MS).prop_map(Some)],
        crash in prop_oneof![Just(None), (1u64..40 * MS, prop_oneof![Just(None), (1u64..10 * MS).prop_map(Some)])
            .prop_map(|(at_ns, restart_after_ns)| Some(CrashSpec { at_ns, restart_after_ns }))],
        // Workers that accept into a queue of their own (gunicorn's gthread),
        // holding up to this many requests beyond their threads.
        own_queue in prop_oneof![Just(None), (1u32..6).prop_map(Some)],
    ) -> Scenario {
        let mut sc = Scenario::new(cores);
        sc.machine = Machine { cores, policy, costs };
        sc.gil = gil;
        sc.seed = seed;
        sc.queues = vec![QueueSpec { name: "backlog".into(), capacity: backlog, owner: None }];
        sc.routines = routines.into_iter().enumerate()
            .map(|(i, program)| RoutineSpec { name: format!("r{i}"), program }).collect();
        for w in 0..workers {
            let serve_from = match own_queue {
                Some(room) => {
                    sc.queues.push(QueueSpec { name: format!("w{w}"), capacity: Some(room), owner: Some(w as u32) });
                    sc.queues.len() as u32 - 1
                }
                None => 0,
            };
            let mut pool: Vec<ThreadSpec> = (0..threads).map(|i| ThreadSpec::new(
                &format!("w{w}t{i}"),
                vec![Step::Repeat { times: Times::Forever, body: vec![Step::Get(serve_from), Step::Serve] }],
            )).collect();
            if own_queue.is_some() {
                let accept = vec![
                    Step::Reserve(serve_from),
                    Step::Get(0),
                    Step::Python(Dist::Fixed(1)),
                    Step::Forward(serve_from),
                ];
                pool.insert(0, ThreadSpec::new(
                    &format!("w{w}main"),
                    vec![Step::Repeat { times: Times::Forever, body: accept }],
                ));
            }
            sc.process(&format!("worker{w}"), pool);
        }
        sc.processes[0].crash = crash;
        let arrivals = if closed {
            Arrivals::Closed { clients, think: Dist::Exp { mean: MS } }
        } else {
            Arrivals::Open { rate_per_sec: rate }
        };
        let routines = (0..sc.routines.len() as u32).map(|r| (r, r + 1)).collect();
        sc.sources = vec![SourceSpec {
            name: "clients".into(), queue: 0, routines, arrivals,
            start_ns: 0, stop_ns: 40 * MS, timeout_ns: timeout, retry_ns: 100 * US,
        }];
        sc.limits.horizon_ns = Some(50 * MS);
        sc
    }
}

fn task_program() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        prop_oneof![
            3 => dist().prop_map(Step::Python),
            3 => dist().prop_map(Step::AwaitIo),
            1 => dist().prop_map(Step::Io),
            2 => Just(Step::ToThread(0)),
        ],
        1..5,
    )
}

prop_compose! {
    /// An asyncio loop with random tasks and an executor, next to a busy thread.
    fn event_loop()(
        cores in 1u32..3,
        costs in costs(),
        gil in gil(),
        seed in any::<u64>(),
        tasks in prop::collection::vec(task_program(), 1..6),
        executors in 1usize..3,
        offloaded in routine_program(),
        busy in any::<bool>(),
    ) -> Scenario {
        let mut sc = Scenario::new(cores);
        sc.machine.costs = costs;
        sc.gil = gil;
        sc.seed = seed;
        sc.queues = vec![QueueSpec { name: "executor".into(), capacity: None, owner: None }];
        sc.routines = vec![RoutineSpec { name: "offloaded".into(), program: offloaded }];
        let mut main = ThreadSpec::new("loop", Vec::new());
        main.event_loop = Some(EventLoopSpec {
            tasks: tasks.into_iter().enumerate()
                .map(|(i, program)| TaskSpec { name: format!("task{i}"), program }).collect(),
            overhead: Dist::Exp { mean: 5 * US },
            executor: Some(0),
        });
        let mut threads = vec![main];
        threads.extend((0..executors).map(|i| ThreadSpec::new(
            &format!("executor{i}"),
            vec![Step::Repeat { times: Times::Forever, body: vec![Step::Get(0), Step::Serve] }],
        )));
        if busy {
            threads.push(ThreadSpec::new("busy", vec![Step::Python(Dist::Forever)]));
        }
        sc.process("main", threads);
        sc.stop_when = vec![0];
        sc
    }
}
