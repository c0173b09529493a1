//! Property tests: simulator invariants on random, finite scenarios.

use proptest::prelude::*;
use scheduler::{
    Costs, Dist, EndReason, GilSpec, Interp, Machine, OsPolicy, ProcessSpec, Recorder, Scenario, Step, ThreadSpec,
    Times, US, WakeOrder, simulate, simulate_traced,
};

use crate::support::{check_invariants, fixed_work};

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
        1 => dist().prop_map(|d| vec![Step::CHold(d)]),
        2 => dist().prop_map(|d| vec![Step::CRelease(d)]),
        2 => dist().prop_map(|d| vec![Step::Io(d)]),
        // A critical section: the only way locks appear, so no deadlock.
        2 => (0..locks.max(1), dist(), dist()).prop_map(move |(l, a, b)| if locks == 0 {
            vec![Step::Python(a)]
        } else {
            vec![Step::Lock(l), Step::Python(a), Step::Io(b), Step::Unlock(l)]
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
    ]
}

fn costs() -> impl Strategy<Value = Costs> {
    (0u64..5_000, 0u64..5_000, 0u64..5_000, 0u64..5_000, 0u64..500, 0u64..2_000).prop_map(
        |(context_switch_ns, wakeup_latency_ns, wakeup_jitter_ns, futex_wake_ns, syscall_ns, retry_ns)| Costs {
            context_switch_ns,
            wakeup_latency_ns,
            wakeup_jitter_ns,
            futex_wake_ns,
            syscall_ns,
            retry_ns,
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
        seed in any::<u64>(),
        locks in 0u32..3,
        shape in prop::collection::vec((1u32..3, 1usize..4), 1..3),
    )(
        programs in prop::collection::vec(program(locks), shape.iter().map(|(_, n)| *n).sum::<usize>()),
        starts in prop::collection::vec(prop_oneof![3 => Just(0u64), 1 => 1u64..100 * US], shape.iter().map(|(_, n)| *n).sum::<usize>()),
        interps in prop::collection::vec(0u32..2, shape.iter().map(|(_, n)| *n).sum::<usize>()),
        cores in Just(cores), policy in Just(policy), costs in Just(costs), gil in Just(gil),
        tick_ns in Just(tick_ns), wake_order in Just(wake_order), seed in Just(seed), locks in Just(locks),
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
                }
            }).collect();
            ProcessSpec { name: format!("p{p}"), interpreters, threads }
        }).collect();
        let mut sc = Scenario::new(cores);
        sc.machine = Machine { cores, policy, costs };
        sc.gil = gil;
        sc.interp = Interp { tick_ns, wake_order };
        sc.seed = seed;
        sc.locks = locks;
        sc.processes = processes;
        sc
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

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
            if let Some([py, hold, rel, io]) = fixed_work(&spec.program, factor) {
                prop_assert_eq!(th.time.python, py, "bytecode of {}", th.name);
                prop_assert_eq!(th.time.c_hold, hold, "held C of {}", th.name);
                prop_assert_eq!(th.time.c_release, rel, "released C of {}", th.name);
                prop_assert_eq!(th.time.io, io, "I/O of {}", th.name);
            }
        }
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
