//! Behaviour tests: the facts the notes rely on, with physical tolerances.

use scheduler::{
    Costs, Dist, EndReason, GilSpec, MS, OsPolicy, Problem, Resource, SEC, Scenario, SimError, Step, Stuck, ThreadSpec,
    ThreadState, Times, US, simulate,
};

use crate::support::{convoy, cpu_processes, cpu_threads, makespan};

fn new_gil(interval_ns: u64) -> GilSpec {
    GilSpec::New { switch_interval_ns: interval_ns }
}

fn run(sc: &Scenario) -> f64 {
    makespan(&simulate(sc).expect("scenario runs"))
}

#[track_caller]
fn assert_between(what: &str, value: f64, lo: f64, hi: f64) {
    assert!(lo <= value && value <= hi, "{what} = {value:.4}, expected within [{lo}, {hi}]");
}

/// Skvortsov 2021 (a), LOCAL 3.12: no speed-up, no multicore penalty.
#[test]
fn new_gil_cpu_threads_take_as_long_as_running_them_one_after_the_other() {
    let total = 400 * MS;
    for cores in [1, 2, 4] {
        let seq = run(&cpu_threads(cores, GilSpec::default(), 1, total));
        for n in [2, 4] {
            let par = run(&cpu_threads(cores, GilSpec::default(), n, total));
            assert_between(&format!("{n} threads on {cores} cores / sequential"), par / seq, 0.98, 1.05);
        }
    }
}

/// Beazley 2010 (7.8 s / 15.4 s / 11.3 s), LOCAL 2.7 (1.97x on 2 cores,
/// 1.04x pinned to one): the old GIL thrashes only when waiters can run.
#[test]
fn old_gil_cpu_threads_thrash_on_several_cores_but_not_on_one() {
    let total = 200 * MS;
    let seq = run(&cpu_threads(2, GilSpec::old(), 1, total));
    let two_cores = simulate(&cpu_threads(2, GilSpec::old(), 2, total)).unwrap();
    let one_core = simulate(&cpu_threads(1, GilSpec::old(), 2, total)).unwrap();
    let on_two = makespan(&two_cores) / seq;
    let on_one = makespan(&one_core) / seq;
    assert_between("old GIL, 2 threads on 2 cores / sequential", on_two, 1.4, 2.5);
    assert_between("old GIL, 2 threads on 1 core / sequential", on_one, 0.99, 1.1);
    // Beazley's badness: failed wake-ups on two cores, almost none on one.
    let (b2, b1) = (two_cores.gil_totals().badness(), one_core.gil_totals().badness());
    assert!(b2 > 0.01 && b2 > 20.0 * b1, "badness {b2} on two cores, {b1} on one");
    // The new GIL in the same setup pays no such penalty.
    let new = run(&cpu_threads(2, GilSpec::default(), 2, total)) / run(&cpu_threads(2, GilSpec::default(), 1, total));
    assert!(new < on_two - 0.3, "new GIL {new:.3} vs old {on_two:.3}");
}

/// bpo-7946, Skvortsov (c, d), LOCAL: every blocking call costs the I/O
/// thread about one to two switch intervals behind a CPU-bound thread (about
/// one at the default costs, fitted on a VM whose idle vCPUs wake slowly).
#[test]
fn io_thread_loses_one_to_two_switch_intervals_per_round_trip_under_the_new_gil() {
    let trips = 40;
    for interval in [MS, 5 * MS] {
        let alone = run(&convoy(2, new_gil(interval), 0, trips, 20 * US, 10 * US));
        let busy = run(&convoy(2, new_gil(interval), 1, trips, 20 * US, 10 * US));
        let lost = (busy - alone) / trips as f64 / interval as f64;
        assert_between(&format!("intervals lost per round trip at {interval} ns"), lost, 0.9, 2.0);
    }
}

/// Beazley 2010, LOCAL 2.7: no convoy under the old GIL (the CPU thread
/// releases every 100 ticks and the waiter soon wins a release window). The
/// false alarms before it wins cost about 0.3 ms per round trip here, an
/// order of magnitude less than the new GIL's 5 ms interval (the calibrated
/// echo twin of 2.7 matches the measured slowdown within a few percent).
#[test]
fn io_thread_loses_far_less_under_the_old_gil() {
    let trips = 40;
    let alone = run(&convoy(2, GilSpec::old(), 0, trips, 20 * US, 10 * US));
    let busy = run(&convoy(2, GilSpec::old(), 1, trips, 20 * US, 10 * US));
    let lost_ns = (busy - alone) / trips as f64;
    assert!(lost_ns < 0.1 * 5.0 * MS as f64, "old GIL loses {lost_ns:.0} ns per round trip");
}

/// Beazley's priority patch as a "what if": once the spinner has been forced
/// to drop once (flagging it CPU-bound), the I/O thread preempts it at once.
#[test]
fn priority_gil_removes_the_convoy() {
    let gil = GilSpec::Priority { switch_interval_ns: 5 * MS };
    // The difference of 80 and 40 trips cancels the first trip, which waits
    // a full interval because every thread starts I/O-bound.
    let per_trip = |spinners| {
        let short = run(&convoy(2, gil, spinners, 40, 20 * US, 10 * US));
        let long = run(&convoy(2, gil, spinners, 80, 20 * US, 10 * US));
        (long - short) / 40.0
    };
    let lost_ns = per_trip(1) - per_trip(0);
    assert!(lost_ns < 0.01 * 5.0 * MS as f64, "priority GIL loses {lost_ns:.0} ns per round trip");
    let first = run(&convoy(2, gil, 1, 1, 20 * US, 10 * US));
    assert!(first > 5.0 * MS as f64, "the first trip waits an interval: {first:.0} ns");
}

/// Skvortsov (d): more CPU threads, more lost intervals (RPS halves per thread).
#[test]
fn more_cpu_threads_make_the_convoy_worse() {
    let trips = 30;
    let one = run(&convoy(2, GilSpec::default(), 1, trips, 20 * US, 10 * US));
    let three = run(&convoy(2, GilSpec::default(), 3, trips, 20 * US, 10 * US));
    assert!(three > 1.5 * one, "3 CPU threads {three:.0} ns vs 1 CPU thread {one:.0} ns");
}

/// Skvortsov (b): GIL-releasing C code (hashlib) scales with cores.
#[test]
fn gil_releasing_c_work_scales_with_cores() {
    let work = |cores| {
        let mut sc = Scenario::new(cores);
        sc.process(
            "main",
            (0..4).map(|i| ThreadSpec::new(&format!("hash{i}"), vec![Step::CRelease(Dist::Fixed(100 * MS))])).collect(),
        );
        run(&sc)
    };
    let one = work(1);
    assert_between("4 C threads on 1 core (s)", one / 1e9, 0.399, 0.41);
    assert_between("speed-up on 2 cores", one / work(2), 1.95, 2.01);
    // Slightly above 4: one core also pays the context switches.
    assert_between("speed-up on 4 cores", one / work(4), 3.9, 4.05);
}

/// PEP 703: free-threaded CPU work scales with cores, minus its overhead.
#[test]
fn free_threaded_cpu_work_scales_with_cores_minus_overhead() {
    let total = 400 * MS;
    let gil = run(&cpu_threads(4, GilSpec::default(), 4, total));
    for overhead in [0.1, 0.4] {
        let free = run(&cpu_threads(4, GilSpec::None { overhead }, 4, total));
        let expected = (1.0 + overhead) / 4.0;
        assert_between(
            &format!("free-threaded / GIL time with overhead {overhead}"),
            free / gil,
            expected * 0.99,
            expected * 1.03,
        );
        let one = run(&cpu_threads(4, GilSpec::None { overhead }, 1, total));
        assert_between(
            "single-thread slowdown",
            one / run(&cpu_threads(4, GilSpec::default(), 1, total)),
            1.0 + overhead - 0.01,
            1.0 + overhead + 0.01,
        );
    }
}

/// One GIL per process: processes run CPU work in parallel.
#[test]
fn processes_run_in_parallel() {
    let total = 400 * MS;
    let threads = run(&cpu_threads(2, GilSpec::default(), 2, total));
    let procs = run(&cpu_processes(2, GilSpec::default(), 2, total));
    assert_between("processes / threads on 2 cores", procs / threads, 0.49, 0.52);
}

/// PEP 684: sub-interpreters with their own GIL run in parallel; sharing the
/// process's GIL (before 3.12) they do not.
#[test]
fn per_interpreter_gils_run_in_parallel_shared_ones_do_not() {
    let build = |gil| {
        let mut sc = Scenario::new(2);
        sc.gil = gil;
        let mut a = ThreadSpec::new("a", vec![Step::Python(Dist::Fixed(200 * MS))]);
        let mut b = ThreadSpec::new("b", vec![Step::Python(Dist::Fixed(200 * MS))]);
        a.interpreter = 0;
        b.interpreter = 1;
        sc.process("main", vec![a, b]);
        sc.processes[0].interpreters = 2;
        sc
    };
    let own = simulate(&build(GilSpec::PerInterpreter { switch_interval_ns: 5 * MS })).unwrap();
    let shared = simulate(&build(GilSpec::default())).unwrap();
    assert_eq!(own.gils.len(), 2);
    assert_eq!(shared.gils.len(), 1);
    assert_between("own GILs (s)", own.makespan_s(), 0.2, 0.202);
    assert_between("shared GIL (s)", shared.makespan_s(), 0.4, 0.41);
}

/// Skvortsov (e): a tiny switch interval costs CPU-bound throughput.
#[test]
fn tiny_switch_interval_costs_throughput() {
    let total = 100 * MS;
    let default = simulate(&cpu_threads(2, GilSpec::default(), 4, total)).unwrap();
    // Without timer slack, on a desktop machine (Skvortsov measured on
    // macOS): a clear cost. Skvortsov's 1.87x at 10 us is larger still: the
    // model has no caches for a hand-off to pollute (model-vs-reality note).
    let mut no_slack = cpu_threads(2, new_gil(US), 4, total);
    no_slack.machine.costs = scheduler::Costs::bare_metal();
    no_slack.machine.costs.timer_slack_ns = 0;
    let no_slack = simulate(&no_slack).unwrap();
    assert!(
        no_slack.makespan_s() > 1.15 * default.makespan_s(),
        "{} vs {}",
        no_slack.makespan_s(),
        default.makespan_s()
    );
    // With Linux's 50 us slack a 1 us interval acts like about 50 us: it costs
    // little (the switches, not a stall per switch; real CPython 3.6-3.13 on
    // Linux: 1.02-1.18 at the median, up to 1.37).
    let tiny = simulate(&cpu_threads(2, new_gil(US), 4, total)).unwrap();
    assert_between("1 us interval with timer slack / 5 ms", tiny.makespan_s() / default.makespan_s(), 1.0, 1.4);
    let (fast, slow) = (tiny.gils[0].switches_per_sec, default.gils[0].switches_per_sec);
    assert!(fast > 20.0 * slow, "switches/s {fast:.0} at 1 us vs {slow:.0} at 5 ms");
    // gil_load's view: the GIL is held nearly all the time and someone waits
    // for it until the last thread runs alone.
    let g = &default.gils[0];
    assert!(g.held_fraction > 0.99 && g.wait_fraction > 0.75, "held {} wait {}", g.held_fraction, g.wait_fraction);
}

/// A forced drop signals the waiter that asked for it, which has just gone
/// back to its wait: it has not fallen asleep, so it takes the GIL at once
/// and the hand-off costs next to nothing. Real CPython 3.12 on Linux hands
/// the GIL between two CPU-bound threads 13,000-15,000 times a second at a
/// 1 us interval at no measurable cost (`calibration/probes/handoffs.py`).
#[test]
fn a_forced_hand_off_finds_its_waiter_awake() {
    let total = 100 * MS;
    let base = simulate(&cpu_threads(2, GilSpec::default(), 2, total)).unwrap().makespan_s();
    let run = |costs: Costs| {
        let mut sc = cpu_threads(2, new_gil(US), 2, total);
        sc.machine.costs = costs;
        simulate(&sc).unwrap()
    };
    let awake = run(Costs::default());
    assert!(awake.gils[0].switches_per_sec > 5_000.0, "{}", awake.gils[0].switches_per_sec);
    assert_between("1 us / 5 ms", awake.makespan_s() / base, 1.0, 1.1);
    // Every wake-up paying the full latency: the GIL idles through each
    // (12% slower; each cycle also waits out the 50 us timer slack).
    let asleep = run(Costs { sleep_entry_ns: 0, idle_poll_ns: 0, ..Costs::default() });
    assert!(asleep.makespan_s() > 1.08 * awake.makespan_s(), "{} vs {}", asleep.makespan_s(), awake.makespan_s());
}

/// A forced drop hands the GIL to another thread: with the new GIL every
/// switch of two CPU-bound threads is forced and requested.
#[test]
fn forced_switches_follow_drop_requests() {
    let res = simulate(&cpu_threads(2, GilSpec::default(), 2, 100 * MS)).unwrap();
    let g = res.gil_totals();
    assert!(g.forced_drops >= 15, "{g:?}");
    assert_eq!(g.forced_drops, g.drop_requests);
    assert!(g.switches >= g.forced_drops);
    // About one forced switch per interval of work.
    assert_between("forced drops per interval", g.forced_drops as f64 / 20.0, 0.9, 1.1);
}

/// A long C call that holds the GIL (no check point) delays the switch.
#[test]
fn long_c_call_holding_the_gil_delays_the_switch() {
    let mut sc = Scenario::new(2);
    sc.process(
        "main",
        vec![
            ThreadSpec::new("regex", vec![Step::CHold(Dist::Fixed(50 * MS)), Step::Python(Dist::Fixed(MS))]),
            ThreadSpec::new("other", vec![Step::Io(Dist::Fixed(US)), Step::Python(Dist::Fixed(MS))]),
        ],
    );
    let res = simulate(&sc).unwrap();
    let other = res.thread("other").unwrap();
    // The other thread waits the whole C call, not one 5 ms interval.
    assert!(other.time.gil_wait >= 49 * MS, "waited {} ns", other.time.gil_wait);
}

/// Locks serialise critical sections even without a GIL.
#[test]
fn locks_serialise_critical_sections() {
    let section = |locked: bool| {
        let mut sc = Scenario::new(2);
        sc.gil = GilSpec::None { overhead: 0.0 };
        sc.locks = 1;
        let body = if locked {
            vec![Step::Lock(0), Step::Python(Dist::Fixed(MS)), Step::Unlock(0)]
        } else {
            vec![Step::Python(Dist::Fixed(MS))]
        };
        let prog = vec![Step::Repeat { times: Times::Count(5), body }];
        sc.process("main", vec![ThreadSpec::new("a", prog.clone()), ThreadSpec::new("b", prog)]);
        run(&sc)
    };
    assert_between("unlocked (ms)", section(false) / 1e6, 5.0, 5.1);
    assert_between("locked (ms)", section(true) / 1e6, 10.0, 10.2);
}

#[test]
fn lock_order_inversion_deadlocks_and_is_reported() {
    let mut sc = Scenario::new(2);
    sc.locks = 2;
    sc.process(
        "main",
        vec![
            ThreadSpec::new(
                "ab",
                vec![Step::Lock(0), Step::Io(Dist::Fixed(MS)), Step::Lock(1), Step::Unlock(1), Step::Unlock(0)],
            ),
            ThreadSpec::new(
                "ba",
                vec![Step::Lock(1), Step::Io(Dist::Fixed(MS)), Step::Lock(0), Step::Unlock(0), Step::Unlock(1)],
            ),
        ],
    );
    let res = simulate(&sc).unwrap();
    assert_eq!(res.end, EndReason::Deadlock);
    assert!(res.threads.iter().all(|t| t.finished_ns.is_none() && t.end_state == ThreadState::LockWait));
    // The explanation: the cycle, each thread holding what the other wants.
    let want = vec![
        Stuck { thread: 0, holds: vec![Resource::Lock(0)], waits_for: Resource::Lock(1), held_by: vec![1] },
        Stuck { thread: 1, holds: vec![Resource::Lock(1)], waits_for: Resource::Lock(0), held_by: vec![0] },
    ];
    assert_eq!(res.deadlock, want);

    // The same order in both threads: no deadlock, nothing to explain.
    sc.processes[0].threads[1].program =
        vec![Step::Lock(0), Step::Io(Dist::Fixed(MS)), Step::Lock(1), Step::Unlock(1), Step::Unlock(0)];
    let res = simulate(&sc).unwrap();
    assert_eq!(res.end, EndReason::AllFinished);
    assert!(res.deadlock.is_empty());
}

#[test]
fn a_semaphore_cycle_is_explained_with_every_holder() {
    // Two permits of `pool`, taken by a and b, who then wait for the lock
    // that c holds while c waits for a permit.
    let mut sc = Scenario::new(2);
    sc.locks = 1;
    sc.semaphores = vec![2];
    let io = || Step::Io(Dist::Fixed(MS));
    sc.process(
        "main",
        vec![
            ThreadSpec::new("a", vec![Step::Acquire(0), io(), Step::Lock(0), Step::Unlock(0), Step::Release(0)]),
            ThreadSpec::new("b", vec![Step::Acquire(0), io(), Step::Lock(0), Step::Unlock(0), Step::Release(0)]),
            ThreadSpec::new("c", vec![Step::Lock(0), io(), io(), Step::Acquire(0), Step::Release(0), Step::Unlock(0)]),
        ],
    );
    let res = simulate(&sc).unwrap();
    assert_eq!(res.end, EndReason::Deadlock);
    assert_eq!(res.deadlock.len(), 2, "{:?}", res.deadlock);
    assert_eq!(
        res.deadlock[0],
        Stuck { thread: 0, holds: vec![Resource::Semaphore(0)], waits_for: Resource::Lock(0), held_by: vec![2] }
    );
    assert_eq!(
        res.deadlock[1],
        Stuck { thread: 2, holds: vec![Resource::Lock(0)], waits_for: Resource::Semaphore(0), held_by: vec![0, 1] }
    );
}

#[test]
fn a_thread_that_ends_holding_a_lock_strands_its_waiters() {
    // No cycle: `b` waits for a lock whose holder has finished.
    let mut sc = Scenario::new(1);
    sc.locks = 1;
    sc.process(
        "main",
        vec![
            ThreadSpec::new("a", vec![Step::Lock(0), Step::Python(Dist::Fixed(US))]),
            ThreadSpec::new("b", vec![Step::Io(Dist::Fixed(MS)), Step::Lock(0), Step::Unlock(0)]),
        ],
    );
    let res = simulate(&sc).unwrap();
    assert_eq!(res.end, EndReason::Deadlock);
    assert_eq!(res.deadlock, vec![Stuck { thread: 1, holds: vec![], waits_for: Resource::Lock(0), held_by: vec![0] }]);
}

#[test]
fn a_semaphore_admits_permits_threads_at_a_time() {
    // Four threads each hold a permit for 10 ms of I/O: two permits make
    // two rounds; release wakes the next waiter.
    let mut sc = Scenario::new(2);
    sc.semaphores = vec![2];
    let body = vec![Step::Acquire(0), Step::Io(Dist::Fixed(10 * MS)), Step::Release(0)];
    sc.process("main", (0..4).map(|i| ThreadSpec::new(&format!("t{i}"), body.clone())).collect());
    let res = simulate(&sc).unwrap();
    assert_eq!(res.end, EndReason::AllFinished);
    let ms = |t: &scheduler::ThreadReport| t.finished_ns.unwrap() / MS;
    let mut ends: Vec<u64> = res.threads.iter().map(ms).collect();
    ends.sort_unstable();
    assert_eq!(ends, vec![10, 10, 20, 20], "{ends:?}");
    // The two that waited released the GIL while blocked.
    for t in res.threads.iter().filter(|t| ms(t) == 20) {
        assert!(t.time.lock_wait >= 9 * MS && t.time.gil_wait < MS, "{}", t.name);
    }
}

#[test]
fn releasing_an_unlocked_lock_is_an_error() {
    let mut sc = Scenario::new(1);
    sc.locks = 1;
    sc.process("main", vec![ThreadSpec::new("t", vec![Step::Python(Dist::Fixed(US)), Step::Unlock(0)])]);
    assert!(matches!(simulate(&sc), Err(SimError::UnlockUnlocked { thread: 0, lock: 0, .. })));
}

#[test]
fn event_budget_ends_runaway_runs_with_an_error() {
    let mut sc = convoy(2, GilSpec::default(), 1, 1_000_000, US, US);
    sc.limits.max_events = 10_000;
    let err = simulate(&sc).unwrap_err();
    assert!(matches!(err, SimError::EventBudget { events: 10_000, .. }), "{err:?}");
    assert!(err.to_string().contains("max_events"));
}

/// A `forever` step ends only when the run is stopped: a thread waiting for
/// what comes after it is never satisfied, and the run fails at the end of
/// simulated time instead of finishing there with a 146-year makespan.
#[test]
fn forever_never_ends_and_nothing_wraps_at_the_end_of_time() {
    let mut sc = Scenario::new(2);
    sc.queues.push(scheduler::QueueSpec { name: "q".into(), capacity: None, owner: None });
    sc.process(
        "main",
        vec![
            ThreadSpec::new("spin", vec![Step::Python(Dist::Forever), Step::Put(0)]),
            ThreadSpec::new("waiter", vec![Step::Get(0)]),
        ],
    );
    sc.stop_when = vec![1];
    let err = simulate(&sc).unwrap_err();
    assert_eq!(err, SimError::EndOfTime { thread: Some(0) });
    assert!(err.to_string().contains("146 years"), "{err}");
    // Durations that add up past the end of time: an error, not a wrapped clock.
    let mut sc = Scenario::new(1);
    let long = Step::Python(Dist::Fixed(scheduler::MAX_DURATION_NS));
    sc.process("main", vec![ThreadSpec::new("t", vec![Step::Repeat { times: Times::Count(3), body: vec![long] }])]);
    assert_eq!(simulate(&sc).unwrap_err(), SimError::EndOfTime { thread: Some(0) });
}

#[test]
fn durations_past_the_longest_are_invalid() {
    let too_long = scheduler::MAX_DURATION_NS + 1;
    let mut sc = Scenario::new(1);
    sc.process("main", vec![ThreadSpec::new("t", vec![Step::Io(Dist::Exp { mean: too_long })])]);
    let Err(SimError::Invalid(e)) = simulate(&sc) else { panic!("accepted") };
    assert_eq!((e.path.as_str(), &e.problem), ("processes[0].threads[0].program[0]", &Problem::TooLong));
    let mut sc = cpu_threads(1, GilSpec::Old { check_interval: u32::MAX }, 1, MS);
    sc.interp.tick_ns = scheduler::MAX_DURATION_NS;
    let Err(SimError::Invalid(e)) = simulate(&sc) else { panic!("accepted") };
    assert_eq!(e.path, "interp.tick_ns");
    let mut sc = cpu_threads(1, GilSpec::None { overhead: 1e308 }, 1, MS);
    assert!(matches!(simulate(&sc), Err(SimError::Invalid(_))));
    sc.gil = GilSpec::None { overhead: scheduler::MAX_OVERHEAD };
    simulate(&sc).unwrap();
    let mut sc = Scenario::new(u32::MAX);
    sc.process("main", vec![ThreadSpec::new("t", vec![Step::Python(Dist::Fixed(MS))])]);
    let Err(SimError::Invalid(e)) = simulate(&sc) else { panic!("accepted") };
    assert!(matches!(e.problem, Problem::TooLarge(_)), "{e}");
}

/// Python's integers do not wrap; the simulated ones must not either.
#[test]
fn a_shared_variable_leaving_i64_is_an_error() {
    let mut sc = Scenario::new(1);
    sc.vars = 1;
    let step = Step::AtomicAdd(0, i64::MAX);
    sc.process("main", vec![ThreadSpec::new("t", vec![step.clone(), step])]);
    assert!(matches!(simulate(&sc), Err(SimError::ValueOverflow { thread: 0, .. })));
    sc.processes[0].threads[0].program = vec![Step::Read(0), Step::Add(i64::MIN), Step::Add(-1), Step::Store(0)];
    assert!(matches!(simulate(&sc), Err(SimError::ValueOverflow { thread: 0, .. })));
}

#[test]
fn a_full_recorder_stops_the_run() {
    let sc = convoy(2, GilSpec::default(), 1, 10_000, US, US);
    let mut rec = scheduler::Recorder::new().with_limit(1_000);
    let err = scheduler::simulate_traced(&sc, &mut rec).unwrap_err();
    assert!(matches!(err, SimError::TraceFull { .. }), "{err:?}");
    let trace = rec.into_trace();
    let records = trace.threads.iter().map(Vec::len).sum::<usize>()
        + trace.cores.iter().map(Vec::len).sum::<usize>()
        + trace.marks.len();
    assert!((1_000..1_100).contains(&records), "{records}");
}

#[test]
fn horizon_stops_endless_runs() {
    let mut sc = Scenario::new(1);
    sc.process("main", vec![ThreadSpec::new("spin", vec![Step::Python(Dist::Forever)])]);
    sc.limits.horizon_ns = Some(SEC);
    let res = simulate(&sc).unwrap();
    assert_eq!((res.end, res.makespan_ns), (EndReason::Horizon, SEC));
    assert_eq!(res.threads[0].time.python, SEC - res.threads[0].time.ready - res.threads[0].time.gil_wait);
}

#[test]
fn invalid_scenarios_name_the_field() {
    // Long on purpose: a table of broken scenarios and the field each names.
    let base = || cpu_threads(2, GilSpec::default(), 2, MS);
    let cases: Vec<(Scenario, &str, Problem)> = vec![
        (
            {
                let mut s = base();
                s.machine.cores = 0;
                s
            },
            "machine.cores",
            Problem::Zero,
        ),
        (
            {
                let mut s = base();
                s.gil = new_gil(0);
                s
            },
            "gil.switch_interval",
            Problem::NotPositive,
        ),
        (
            {
                let mut s = base();
                s.gil = GilSpec::Old { check_interval: 0 };
                s
            },
            "gil.check_interval",
            Problem::Zero,
        ),
        (
            {
                let mut s = base();
                s.gil = GilSpec::None { overhead: -0.5 };
                s
            },
            "gil.overhead",
            Problem::BadOverhead,
        ),
        (
            {
                let mut s = base();
                s.processes[0].threads[1].program = vec![Step::Python(Dist::Fixed(0))];
                s
            },
            "processes[0].threads[1].program[0]",
            Problem::NotPositive,
        ),
        (
            {
                let mut s = base();
                s.processes[0].threads[0].program = vec![Step::Io(Dist::Uniform { lo: 5, hi: 2 })];
                s
            },
            "processes[0].threads[0].program[0]",
            Problem::BadRange { lo: 5, hi: 2 },
        ),
        (
            {
                let mut s = base();
                s.processes[0].threads[0].program = vec![Step::Lock(3)];
                s
            },
            "processes[0].threads[0].program[0]",
            Problem::NoSuchLock(3),
        ),
        (
            {
                let mut s = base();
                s.locks = 1;
                s.processes[0].threads[0].program =
                    vec![Step::Repeat { times: Times::Forever, body: vec![Step::Lock(0), Step::Unlock(0)] }];
                s.stop_when = vec![1];
                s
            },
            "processes[0].threads[0].program[0]",
            Problem::UntimedLoop,
        ),
        (
            {
                let mut s = base();
                s.processes[0].threads[0].program = vec![Step::Python(Dist::Forever)];
                s
            },
            "processes[0].threads[0].program",
            Problem::NeverFinishes,
        ),
        (
            {
                let mut s = base();
                s.processes[0].threads[0].program = vec![Step::Python(Dist::Forever)];
                s.stop_when = vec![0];
                s
            },
            "stop_when[0]",
            Problem::StopOnEndless(0),
        ),
        (
            {
                let mut s = base();
                s.stop_when = vec![9];
                s
            },
            "stop_when[0]",
            Problem::NoSuchThread(9),
        ),
    ];
    for (sc, path, problem) in cases {
        match simulate(&sc) {
            Err(SimError::Invalid(e)) => {
                assert_eq!((e.path.as_str(), &e.problem), (path, &problem));
                assert!(e.to_string().starts_with(path), "{e}");
            }
            other => panic!("{path}: expected an error, got {other:?}"),
        }
    }
}

/// Beazley 2010's `taskset` run: the old GIL's two CPU-bound threads pinned
/// to one core of two take as long as on a one-core machine (no waiter wakes
/// on another core), and a thread pinned from inside never leaves its cores.
#[test]
fn pinned_threads_share_their_core() {
    let total = 200 * MS;
    let on_one_core = run(&cpu_threads(1, GilSpec::old(), 2, total));
    let mut pinned = cpu_threads(2, GilSpec::old(), 2, total);
    for t in pinned.processes.iter_mut().flat_map(|p| &mut p.threads) {
        t.affinity = vec![1];
    }
    let res = simulate(&pinned).unwrap();
    assert_between("old GIL pinned to one core / one-core machine", makespan(&res) / on_one_core, 0.98, 1.02);
    assert_eq!(res.cores[0].busy_ns, 0, "core 0 is outside the affinity");
    // Without a GIL, two threads pinned to one core take twice as long as
    // two threads on two cores.
    let free = GilSpec::None { overhead: 0.0 };
    let spread = run(&cpu_threads(2, free, 2, total));
    let mut stacked = cpu_threads(2, free, 2, total);
    for t in stacked.processes.iter_mut().flat_map(|p| &mut p.threads) {
        t.affinity = vec![0];
    }
    assert_between("no GIL, stacked / spread", run(&stacked) / spread, 1.98, 2.02);
}

/// EEVDF's run to parity: a thread back from a short sleep, next to four
/// CPU-bound threads on one core, waits for the runner's slice when the
/// runner is still eligible, instead of preempting it at once.
#[test]
fn run_to_parity_protects_an_eligible_runner() {
    let sipper_ready = |run_to_parity: bool| {
        let mut sc = convoy(1, GilSpec::None { overhead: 0.0 }, 4, 200, MS, 20 * US);
        let OsPolicy::Fair { run_to_parity: rtp, .. } = &mut sc.machine.policy else { panic!("fair by default") };
        assert!(*rtp, "on by default, as in Linux");
        *rtp = run_to_parity;
        let res = simulate(&sc).expect("scenario runs");
        res.threads.last().expect("the echo thread").time.ready as f64
    };
    let (on, off) = (sipper_ready(true), sipper_ready(false));
    assert!(on > 2.0 * off, "ready {on} ns protected, {off} ns not");
}

/// The old GIL is a semaphore: a waiter signalled before it fell asleep
/// (its `futex_wait` fails with `EAGAIN`) takes the lock at once, ahead of
/// the holder that posted, which is still inside its `futex_wake`. Traced on
/// 2.7 next to a spinning thread, 91% of the echo's `EAGAIN`s were followed
/// by the echo holding the GIL (`calibration/probes/old-gil-echo.py`). With
/// every release landing in that window, most releases hand the GIL over.
#[test]
fn an_old_gil_waiter_that_has_not_slept_takes_the_released_lock() {
    let mut sc = cpu_threads(2, GilSpec::old(), 2, 20 * MS);
    sc.machine.costs.sleep_entry_ns = 20 * US;
    let g = simulate(&sc).unwrap().gil_totals();
    assert!(g.yields > 1_000, "{g:?}");
    assert_between("switches per release", g.switches as f64 / g.yields as f64, 0.5, 1.01);
}
