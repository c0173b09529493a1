//! Behaviour of the systems built on the engine's primitives: races, queues,
//! request sources, crashes, asyncio loops and scheduling task sets.

use scheduler::{
    Arrivals, CheckPoints, Costs, CrashSpec, Dist, EventLoopSpec, GilSpec, MS, OsPolicy, QueueSpec, RoutineSpec, SEC,
    Scenario, SourceSpec, Step, TaskSpec, ThreadSpec, ThreadState, Times, US, simulate,
};

use crate::support::makespan;

// ----- races ---------------------------------------------------------------

/// `counter += 1` as load, add, store, `n` times in each of two threads.
fn increments(gil: GilSpec, cores: u32, checks: CheckPoints, n: u64, locked: bool) -> Scenario {
    let mut sc = Scenario::new(cores);
    sc.gil = gil;
    sc.interp.check_points = checks;
    sc.vars = 1;
    sc.locks = 1;
    let mut body = vec![Step::Read(0), Step::Add(1), Step::Store(0)];
    if locked {
        body.insert(0, Step::Lock(0));
        body.push(Step::Unlock(0));
    }
    let prog = vec![Step::Repeat { times: Times::Count(n), body }];
    sc.process("main", vec![ThreadSpec::new("a", prog.clone()), ThreadSpec::new("b", prog)]);
    sc
}

fn final_count(sc: &Scenario) -> i64 {
    simulate(sc).unwrap().vars[0]
}

#[test]
fn counter_loses_updates_when_a_switch_can_fall_between_load_and_store() {
    let n = 200_000;
    let short = GilSpec::New { switch_interval_ns: 100 * US };
    // 3.9-style check points: lost updates.
    let lost = 2 * n as i64 - final_count(&increments(short, 2, CheckPoints::PerBytecode, n, false));
    assert!(lost > 1_000, "lost {lost} updates");
    // 3.10+: checks only at the loop back-edge, so no switch inside `+=`.
    assert_eq!(final_count(&increments(short, 2, CheckPoints::LoopsAndCalls, n, false)), 2 * n as i64);
    // The old GIL checks every 100 ticks, wherever they fall.
    let old = final_count(&increments(GilSpec::old(), 2, CheckPoints::LoopsAndCalls, n, false));
    assert!(old < 2 * n as i64, "old GIL kept {old}");
}

#[test]
fn without_a_gil_the_counter_races_and_a_lock_fixes_it() {
    let n = 100_000;
    let free = GilSpec::None { overhead: 0.0 };
    let racy = final_count(&increments(free, 2, CheckPoints::LoopsAndCalls, n, false));
    assert!(racy < 2 * n as i64 * 9 / 10, "free-threaded kept {racy}");
    assert_eq!(final_count(&increments(free, 2, CheckPoints::LoopsAndCalls, n, true)), 2 * n as i64);
    assert_eq!(
        final_count(&increments(GilSpec::default(), 2, CheckPoints::PerBytecode, n / 10, true)),
        2 * n as i64 / 10
    );
}

#[test]
fn a_single_bytecode_update_is_atomic_with_or_without_a_gil() {
    for gil in [GilSpec::New { switch_interval_ns: 10 * US }, GilSpec::None { overhead: 0.0 }] {
        let mut sc = Scenario::new(2);
        sc.gil = gil;
        sc.interp.check_points = CheckPoints::PerBytecode;
        sc.vars = 1;
        let prog = vec![Step::Repeat { times: Times::Count(50_000), body: vec![Step::AtomicAdd(0, 1)] }];
        sc.process("main", vec![ThreadSpec::new("a", prog.clone()), ThreadSpec::new("b", prog)]);
        assert_eq!(final_count(&sc), 100_000, "{gil:?}");
    }
}

// ----- queues ----------------------------------------------------------------

#[test]
fn bounded_queue_blocks_the_producer_and_delivers_every_item() {
    let mut sc = Scenario::new(2);
    sc.queues = vec![QueueSpec { name: "q".into(), capacity: Some(5), owner: None }];
    sc.vars = 1;
    let producer =
        vec![Step::Repeat { times: Times::Count(100), body: vec![Step::Python(Dist::Fixed(10 * US)), Step::Put(0)] }];
    let consumer = vec![Step::Repeat {
        times: Times::Count(100),
        body: vec![Step::Get(0), Step::Python(Dist::Fixed(100 * US)), Step::AtomicAdd(0, 1)],
    }];
    sc.process("main", vec![ThreadSpec::new("producer", producer), ThreadSpec::new("consumer", consumer)]);
    let res = simulate(&sc).unwrap();
    assert_eq!(res.vars[0], 100);
    // The producer waits for room, and for the GIL the consumer holds.
    let producer = res.thread("producer").unwrap();
    let waited = producer.time.queue_wait + producer.time.gil_wait;
    assert!(producer.time.queue_wait > 0 && waited > 7 * MS, "producer waited {waited} ns");
    // The consumer's work dominates: about 100 x 100 us, plus a wake-up per
    // hand-off between the two.
    assert!((10.0..12.5).contains(&(res.makespan_ns as f64 / 1e6)), "{} ms", res.makespan_ns as f64 / 1e6);
}

// ----- request sources -------------------------------------------------------

/// `workers` processes with `threads` threads each serving `routine` from a
/// shared backlog; clients as given.
fn server(
    cores: u32,
    workers: usize,
    threads: usize,
    routine: Vec<Step>,
    arrivals: Arrivals,
    backlog: u32,
) -> Scenario {
    let mut sc = Scenario::new(cores);
    sc.queues = vec![QueueSpec { name: "backlog".into(), capacity: Some(backlog), owner: None }];
    sc.routines = vec![RoutineSpec { name: "endpoint".into(), program: routine }];
    for w in 0..workers {
        let pool = (0..threads)
            .map(|i| {
                ThreadSpec::new(
                    &format!("w{w}t{i}"),
                    vec![Step::Repeat { times: Times::Forever, body: vec![Step::Get(0), Step::Serve] }],
                )
            })
            .collect();
        sc.process(&format!("worker{w}"), pool);
    }
    sc.sources = vec![SourceSpec {
        name: "clients".into(),
        queue: 0,
        routines: vec![(0, 1)],
        arrivals,
        start_ns: 0,
        stop_ns: 10 * SEC,
        timeout_ns: Some(SEC),
        retry_ns: MS,
    }];
    sc.limits.horizon_ns = Some(10 * SEC);
    sc
}

/// `server` with gunicorn's gthread workers: each worker's main thread
/// accepts while the worker holds fewer than `threads + room` requests and
/// queues them for its thread pool in a queue of its own.
fn gthread_server(
    cores: u32,
    workers: usize,
    threads: usize,
    room: u32,
    routine: Vec<Step>,
    arrivals: Arrivals,
) -> Scenario {
    let mut sc = server(cores, workers, threads, routine, arrivals, 64);
    for w in 0..workers {
        sc.queues.push(QueueSpec { name: format!("worker{w}"), capacity: Some(room), owner: Some(w as u32) });
        let own = sc.queues.len() as u32 - 1;
        let threads = &mut sc.processes[w].threads;
        for t in threads.iter_mut() {
            t.program = vec![Step::Repeat { times: Times::Forever, body: vec![Step::Get(own), Step::Serve] }];
        }
        let accept = vec![Step::Reserve(own), Step::Get(0), Step::Python(Dist::Fixed(11)), Step::Forward(own)];
        threads.insert(
            0,
            ThreadSpec::new(&format!("w{w}main"), vec![Step::Repeat { times: Times::Forever, body: accept }]),
        );
    }
    sc
}

fn closed(clients: u32) -> Arrivals {
    Arrivals::Closed { clients, think: Dist::Fixed(0) }
}

#[test]
fn cpu_bound_endpoint_is_capped_by_the_gil_and_scales_with_worker_processes() {
    let cpu = vec![Step::Python(Dist::Fixed(10 * MS))];
    let one = simulate(&server(2, 1, 8, cpu.clone(), closed(16), 64)).unwrap();
    let two = simulate(&server(2, 2, 4, cpu, closed(16), 64)).unwrap();
    let (r1, r2) = (one.sources[0].throughput_rps, two.sources[0].throughput_rps);
    assert!((95.0..=100.5).contains(&r1), "1 worker x 8 threads: {r1} rps");
    assert!((185.0..=201.0).contains(&r2), "2 workers x 4 threads: {r2} rps");
}

#[test]
fn littles_law_holds_for_a_closed_loop() {
    let io = vec![Step::Python(Dist::Fixed(MS)), Step::Io(Dist::Exp { mean: 20 * MS })];
    let res = simulate(&server(2, 2, 8, io, closed(12), 64)).unwrap();
    let src = &res.sources[0];
    // L = lambda x W: the clients are always waiting for an answer.
    let l = src.throughput_rps * src.latency.mean_ns * 1e-9;
    assert!((l - 12.0).abs() < 0.3, "L = {l:.2} with 12 clients ({src:?})");
    assert_eq!(src.refused + src.timed_out + src.failed, 0);
}

#[test]
fn io_bound_endpoint_scales_with_threads() {
    let io = vec![Step::Python(Dist::Fixed(200 * US)), Step::Io(Dist::Fixed(50 * MS))];
    let few = simulate(&server(2, 1, 2, io.clone(), closed(64), 128)).unwrap().sources[0].throughput_rps;
    let many = simulate(&server(2, 1, 16, io, closed(64), 128)).unwrap().sources[0].throughput_rps;
    assert!(many > 7.0 * few, "2 threads {few} rps, 16 threads {many} rps");
}

/// Overload: the backlog fills, new connections are refused, queued
/// requests time out, and the work spent on them is wasted.
#[test]
fn overload_fills_the_backlog_then_refuses_and_times_out() {
    let cpu = vec![Step::Python(Dist::Fixed(10 * MS))];
    let mut sc = server(2, 1, 4, cpu, Arrivals::Open { rate_per_sec: 300.0 }, 32);
    // 36 requests in flight at 100 rps wait about 360 ms (Little's law).
    sc.sources[0].timeout_ns = Some(300 * MS);
    let res = simulate(&sc).unwrap();
    let src = &res.sources[0];
    assert!(src.refused > 500, "{src:?}");
    assert!(src.timed_out > 0, "{src:?}");
    // The server stays busy (about 100 answers per second) but nearly every
    // answer comes after the proxy gave up: goodput collapses.
    let answered = src.completed + src.late;
    assert!((950..=1010).contains(&answered), "{src:?}");
    assert!(src.late > 10 * src.completed, "{src:?}");
    assert_eq!(src.sent, src.completed + src.refused + src.timed_out + src.failed + src.in_flight);
}

#[test]
fn crashed_worker_loses_its_requests_and_is_restarted() {
    let cpu = vec![Step::Python(Dist::Fixed(5 * MS))];
    let mut sc = server(2, 2, 2, cpu, closed(8), 64);
    sc.processes[0].crash = Some(CrashSpec { at_ns: 2 * SEC + 1, restart_after_ns: Some(500 * MS) });
    let res = simulate(&sc).unwrap();
    assert_eq!((res.processes[0].crashes, res.processes[0].restarts), (1, 1));
    let src = &res.sources[0];
    assert!(src.failed >= 1, "{src:?}");
    for t in &res.threads[..2] {
        assert_eq!(t.time.crashed, 500 * MS, "{}", t.name);
    }
    // The survivor kept serving, so the run lost well under the 5% that a
    // dead worker for 0.5 s out of 10 s would cost with one worker.
    assert!(src.completed > 3_700, "{src:?}");
}

/// A gthread worker takes requests off the shared backlog into its own
/// queue, so a crash loses the queued ones too, not only those in service.
#[test]
fn crashed_gthread_worker_loses_the_requests_it_had_queued() {
    let cpu = vec![Step::Python(Dist::Fixed(5 * MS))];
    // Over several crash times: how much a gthread worker had queued at the
    // instant of one crash depends on where its requests happened to be.
    let (mut lost_sync, mut lost_gthread) = (0, 0);
    for k in 0..8u64 {
        let crash = CrashSpec { at_ns: 2 * SEC + 1 + k * 37 * MS, restart_after_ns: Some(500 * MS) };
        let mut sync = server(2, 2, 2, cpu.clone(), closed(16), 64);
        sync.processes[0].crash = Some(crash);
        let mut gthread = gthread_server(2, 2, 2, 1000, cpu.clone(), closed(16));
        gthread.processes[0].crash = Some(crash);
        let (sync, gthread) = (simulate(&sync).unwrap(), simulate(&gthread).unwrap());
        let (a, b) = (&sync.sources[0], &gthread.sources[0]);
        // A sync worker loses at most one request per thread.
        assert!((1..=2).contains(&a.failed), "sync: {a:?}");
        for src in [a, b] {
            assert_eq!(src.sent, src.completed + src.refused + src.timed_out + src.failed + src.in_flight);
        }
        lost_sync += a.failed;
        lost_gthread += b.failed;
    }
    // The gthread worker also loses its share of the 16 clients' requests
    // that it had accepted.
    assert!(lost_gthread > lost_sync + 4, "gthread lost {lost_gthread}, sync {lost_sync}");
}

/// A gthread worker stops accepting when it holds `threads + room` requests;
/// the rest stay in the backlog.
#[test]
fn gthread_worker_accepts_up_to_its_connection_limit() {
    let slow = vec![Step::Io(Dist::Fixed(20 * SEC))];
    let mut sc = gthread_server(2, 1, 2, 3, slow, closed(10));
    sc.sources[0].timeout_ns = None;
    let res = simulate(&sc).unwrap();
    let src = &res.sources[0];
    // Nothing finishes within the run: 2 in service, 3 queued in the worker,
    // 5 in the backlog, none refused.
    assert_eq!((src.completed, src.refused, src.in_flight), (0, 0, 10), "{src:?}");
    let main = res.thread("w0main").unwrap();
    assert!(main.time.queue_wait > 9 * SEC, "the acceptor waits for room: {main:?}");
}

/// Requests queued inside a busy worker wait even while another worker is
/// idle; one shared backlog hands each to whichever worker frees up first.
#[test]
fn a_shared_backlog_beats_per_worker_queues() {
    // One request in ten waits 300 ms on a database; the rest take 1 ms.
    let fast = vec![Step::Python(Dist::Fixed(100 * US)), Step::Io(Dist::Fixed(MS))];
    let slow = vec![Step::Python(Dist::Fixed(100 * US)), Step::Io(Dist::Fixed(300 * MS))];
    let arrivals = Arrivals::Open { rate_per_sec: 12.0 };
    let mix = |mut sc: Scenario| {
        sc.routines.push(RoutineSpec { name: "slow".into(), program: slow.clone() });
        sc.sources[0].routines = vec![(0, 9), (1, 1)];
        simulate(&sc).unwrap().sources[0].latency.mean_ns
    };
    let shared = mix(server(2, 2, 1, fast.clone(), arrivals, 1000));
    let own = mix(gthread_server(2, 2, 1, 1000, fast, arrivals));
    assert!(shared < 0.8 * own, "shared backlog {shared} ns, per-worker queues {own} ns");
}

// ----- asyncio ---------------------------------------------------------------

fn event_loop(tasks: Vec<Vec<Step>>, executor_threads: usize, routines: Vec<Vec<Step>>) -> Scenario {
    let mut sc = Scenario::new(2);
    sc.queues = vec![QueueSpec { name: "executor".into(), capacity: None, owner: None }];
    sc.routines = routines.into_iter().map(|program| RoutineSpec { name: "offloaded".into(), program }).collect();
    let mut main = ThreadSpec::new("loop", Vec::new());
    main.event_loop = Some(EventLoopSpec {
        tasks: tasks
            .into_iter()
            .enumerate()
            .map(|(i, program)| TaskSpec { name: format!("task{i}"), program })
            .collect(),
        overhead: Dist::Fixed(5 * US),
        executor: Some(0),
    });
    let mut threads = vec![main];
    threads.extend((0..executor_threads).map(|i| {
        ThreadSpec::new(
            &format!("executor{i}"),
            vec![Step::Repeat { times: Times::Forever, body: vec![Step::Get(0), Step::Serve] }],
        )
    }));
    sc.process("main", threads);
    sc.stop_when = vec![0];
    sc
}

#[test]
fn awaits_overlap_in_one_thread() {
    let task = vec![Step::AwaitIo(Dist::Fixed(100 * MS)), Step::Python(Dist::Fixed(MS))];
    let res = simulate(&event_loop(vec![task; 10], 0, vec![])).unwrap();
    let ms = makespan(&res) / 1e6;
    assert!((110.0..112.0).contains(&ms), "10 concurrent awaits took {ms} ms");
    assert_eq!(res.tasks.len(), 10);
    assert!(res.tasks.iter().all(|t| t.finished_ns.is_some() && t.awaits == 1));
}

#[test]
fn a_blocking_call_stalls_every_task_and_to_thread_does_not() {
    let ticker = vec![Step::Repeat {
        times: Times::Count(20),
        body: vec![Step::AwaitIo(Dist::Fixed(10 * MS)), Step::Python(Dist::Fixed(100 * US))],
    }];
    let blocking = vec![Step::AwaitIo(Dist::Fixed(50 * MS)), Step::Io(Dist::Fixed(100 * MS))];
    let res = simulate(&event_loop(vec![ticker.clone(), blocking], 1, vec![])).unwrap();
    let lag = res.tasks[0].max_lag_ns;
    assert!(lag > 90 * MS, "the ticker was stalled only {lag} ns");

    let offloaded = vec![Step::AwaitIo(Dist::Fixed(50 * MS)), Step::ToThread(0)];
    let res = simulate(&event_loop(vec![ticker, offloaded], 1, vec![vec![Step::Io(Dist::Fixed(100 * MS))]])).unwrap();
    let lag = res.tasks[0].max_lag_ns;
    assert!(lag < MS, "the ticker lagged {lag} ns with to_thread");
    assert!(res.tasks[1].finished_ns.unwrap() >= 150 * MS);
}

// ----- scheduling task sets -----------------------------------------------------

/// The textbook set: P1 = 24 ms, P2 = 3 ms, P3 = 3 ms, all arriving at 0 in
/// that order, each its own process, free OS operations.
fn task_set(policy: OsPolicy) -> Vec<(u64, u64)> {
    let mut sc = Scenario::new(1);
    sc.machine.policy = policy;
    sc.machine.costs = Costs {
        context_switch_ns: 0,
        wakeup_latency_ns: 0,
        wakeup_jitter_ns: 0,
        idle_wakeup_extra_ns: 0,
        idle_wakeup_half_ns: 0,
        sleep_entry_ns: 0,
        idle_poll_ns: 0,
        poll_wakeup_ns: 0,
        futex_wake_ns: 0,
        syscall_ns: 0,
        retry_ns: 0,
        timer_slack_ns: 0,
    };
    for (name, ms) in [("P1", 24), ("P2", 3), ("P3", 3)] {
        sc.process(name, vec![ThreadSpec::new(name, vec![Step::CRelease(Dist::Fixed(ms * MS))])]);
    }
    let res = simulate(&sc).unwrap();
    res.threads.iter().map(|t| (t.waiting_ns() / MS, t.turnaround_ns().unwrap() / MS)).collect()
}

#[test]
fn fcfs_sjf_and_round_robin_give_the_textbook_waiting_times() {
    // (waiting, turnaround) in ms for P1, P2, P3.
    assert_eq!(task_set(OsPolicy::Fcfs), vec![(0, 24), (24, 27), (27, 30)]);
    assert_eq!(task_set(OsPolicy::Sjf), vec![(6, 30), (0, 3), (3, 6)]);
    assert_eq!(task_set(OsPolicy::RoundRobin { slice_ns: 4 * MS }), vec![(6, 30), (4, 7), (7, 10)]);
    // A job whose work ends exactly when its slice does is done, not preempted.
    assert_eq!(task_set(OsPolicy::RoundRobin { slice_ns: 3 * MS }), vec![(6, 30), (3, 6), (6, 9)]);
}

/// Jobs (name, arrival ms, burst ms, priority), each its own process, on
/// one core with free OS operations: (waiting, turnaround) in ms per job.
fn jobs(policy: OsPolicy, set: &[(&str, u64, u64, u32)]) -> Vec<(u64, u64)> {
    let mut sc = Scenario::new(1);
    sc.machine.policy = policy;
    sc.machine.costs = Costs {
        context_switch_ns: 0,
        wakeup_latency_ns: 0,
        wakeup_jitter_ns: 0,
        idle_wakeup_extra_ns: 0,
        idle_wakeup_half_ns: 0,
        sleep_entry_ns: 0,
        idle_poll_ns: 0,
        poll_wakeup_ns: 0,
        futex_wake_ns: 0,
        syscall_ns: 0,
        retry_ns: 0,
        timer_slack_ns: 0,
    };
    for &(name, arrival, burst, priority) in set {
        let mut t = ThreadSpec::new(name, vec![Step::CRelease(Dist::Fixed(burst * MS))]);
        t.start_ns = arrival * MS;
        t.priority = priority;
        sc.process(name, vec![t]);
    }
    let res = simulate(&sc).unwrap();
    res.threads.iter().map(|t| (t.waiting_ns() / MS, t.turnaround_ns().unwrap() / MS)).collect()
}

fn mean_wait(runs: &[(u64, u64)]) -> f64 {
    runs.iter().map(|r| r.0 as f64).sum::<f64>() / runs.len() as f64
}

#[test]
fn srtf_gives_the_textbook_waiting_times() {
    // Silberschatz: P1 0/8, P2 1/4, P3 2/9, P4 3/5. P2 preempts P1 at 1
    // (4 < 7 left); P4 runs at 5, P1 at 10, P3 at 17: mean wait 26 / 4.
    let set = [("P1", 0, 8, 0), ("P2", 1, 4, 0), ("P3", 2, 9, 0), ("P4", 3, 5, 0)];
    let srtf = jobs(OsPolicy::Srtf, &set);
    assert_eq!(srtf, vec![(9, 17), (0, 4), (15, 24), (2, 7)]);
    assert!((mean_wait(&srtf) - 6.5).abs() < 1e-9);
    // Non-preemptive SJF lets P1 finish first: mean wait (0 + 7 + 15 + 9) / 4.
    let sjf = jobs(OsPolicy::Sjf, &set);
    assert_eq!(sjf, vec![(0, 8), (7, 11), (15, 24), (9, 14)]);
    assert!((mean_wait(&sjf) - 7.75).abs() < 1e-9);
}

#[test]
fn priority_scheduling_gives_the_textbook_waiting_times() {
    // Silberschatz: (burst, priority) P1 10/3, P2 1/1, P3 2/4, P4 1/5,
    // P5 5/2, all at 0: order P2, P5, P1, P3, P4, mean wait 41 / 5.
    let set = [("P1", 0, 10, 3), ("P2", 0, 1, 1), ("P3", 0, 2, 4), ("P4", 0, 1, 5), ("P5", 0, 5, 2)];
    let runs = jobs(OsPolicy::Priority { preemptive: false, aging_ns: None }, &set);
    assert_eq!(runs, vec![(6, 16), (0, 1), (16, 18), (18, 19), (1, 6)]);
    assert!((mean_wait(&runs) - 8.2).abs() < 1e-9);
    // Arrivals at one instant all compete: preemption changes nothing here.
    assert_eq!(jobs(OsPolicy::Priority { preemptive: true, aging_ns: None }, &set), runs);
}

#[test]
fn preemptive_priority_takes_the_core_from_a_less_urgent_job() {
    // L (priority 5) runs from 0; H (priority 1) arrives at 2 ms.
    let set = [("L", 0, 10, 5), ("H", 2, 3, 1)];
    assert_eq!(jobs(OsPolicy::Priority { preemptive: false, aging_ns: None }, &set), vec![(0, 10), (8, 11)]);
    assert_eq!(jobs(OsPolicy::Priority { preemptive: true, aging_ns: None }, &set), vec![(3, 13), (0, 3)]);
    // An equal priority does not preempt.
    let set = [("A", 0, 10, 1), ("B", 2, 3, 1)];
    assert_eq!(jobs(OsPolicy::Priority { preemptive: true, aging_ns: None }, &set), vec![(0, 10), (8, 11)]);
}

#[test]
fn aging_ends_the_starvation_of_a_low_priority_job() {
    // A 4 ms job of priority 1 arrives every 4 ms for 100 ms; L (priority 5,
    // 2 ms) arrives at 1 ms. Without aging L waits for the whole stream.
    let names: Vec<String> = (0..25).map(|i| format!("H{i}")).collect();
    let mut set: Vec<(&str, u64, u64, u32)> =
        names.iter().enumerate().map(|(i, n)| (n.as_str(), 4 * i as u64, 4, 1)).collect();
    set.push(("L", 1, 2, 5));
    let starved = jobs(OsPolicy::Priority { preemptive: false, aging_ns: None }, &set);
    assert_eq!(starved[25], (99, 101));
    // Aging by one level per 2 ms: after 8 ms of waiting L is as urgent as
    // a fresh H, and it was queued before the H that arrives then.
    let aged = jobs(OsPolicy::Priority { preemptive: false, aging_ns: Some(2 * MS) }, &set);
    assert_eq!(aged[25], (11, 13));
    // Every job still runs, one after the other.
    assert!(aged.iter().all(|&(w, t)| t > w));
}

#[test]
fn crash_without_restart_leaves_the_threads_crashed() {
    let mut sc = Scenario::new(1);
    sc.process("p", vec![ThreadSpec::new("t", vec![Step::Python(Dist::Fixed(10 * MS))])]);
    sc.processes[0].crash = Some(CrashSpec { at_ns: 3 * MS, restart_after_ns: None });
    let res = simulate(&sc).unwrap();
    assert_eq!(res.threads[0].end_state, ThreadState::Crashed);
    assert_eq!(res.makespan_ns, 3 * MS);
}
