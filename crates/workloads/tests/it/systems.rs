//! The curriculum's systems behave as their examples' descriptions say.

use workloads::{ScenarioFile, Summary};

fn load(name: &str) -> ScenarioFile {
    let path = format!("{}/../../examples/scenarios/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(&path).unwrap();
    ScenarioFile::parse(&path, &source).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs every point of an example: (label, summary) in grid order.
fn run(name: &str) -> Vec<(String, Summary)> {
    let points = load(name).points().unwrap_or_else(|e| panic!("{e}"));
    let results = workloads::run_points(&points, &|| {});
    points.iter().zip(results).map(|(p, r)| (p.label(), workloads::summary(&p.compiled, &r.unwrap()))).collect()
}

fn one(name: &str) -> Summary {
    run(name).remove(0).1
}

#[test]
fn parallel_sweeps_equal_running_each_point_alone() {
    let points = load("switch-interval").points().unwrap();
    let together = workloads::run_points(&points, &|| {});
    for (p, res) in points.iter().zip(together) {
        assert_eq!(res.unwrap(), scheduler::simulate(&p.compiled.scenario).unwrap(), "{}", p.label());
    }
}

#[test]
fn countdown_takes_the_same_time_on_any_number_of_threads_and_cores() {
    for (label, s) in run("countdown") {
        assert!((0.399..0.403).contains(&s.makespan_s), "{label}: {}", s.makespan_s);
    }
}

#[test]
fn io_bound_threads_overlap_their_waits() {
    let runs = run("io-threads");
    for (label, s) in &runs {
        assert!((0.100..0.105).contains(&s.makespan_s), "{label}: {}", s.makespan_s);
    }
}

/// CPython 2.7 measured on the 2-vCPU VM: two threads take 1.16x to 1.99x
/// the sequential time on two cores (median 1.58x), about 1x on one.
#[test]
fn old_gil_is_slower_on_several_cores_only() {
    let runs = run("old-gil");
    let (one_core, two, four) = (runs[0].1.makespan_s, runs[1].1.makespan_s, runs[2].1.makespan_s);
    assert!(one_core < 0.44 && two > 1.3 * one_core && four > 1.3 * one_core, "{one_core} {two} {four}");
    // Beazley's badness: failed wake-ups on two cores, almost none on one.
    assert!(runs[1].1.gil.badness > 0.03 && runs[1].1.gil.badness > 50.0 * runs[0].1.gil.badness);
}

#[test]
fn races_lose_updates_only_where_a_switch_can_split_the_increment() {
    let runs = run("race-counter");
    assert!(runs[0].1.shared["counter"] < 1_900_000, "{:?}", runs[0].1.shared);
    assert_eq!(runs[1].1.shared["counter"], 2_000_000);
    let free = run("race-free-threaded");
    assert!(free[0].1.shared["counter"] < 300_000, "no GIL, no lock: {:?}", free[0].1.shared);
    assert_eq!(free[1].1.shared["counter"], 400_000);
    assert_eq!(free[2].1.shared["counter"], 400_000);
    // Serialised, the two threads' increments take at least twice as long
    // as in parallel, plus the lock's hand-offs.
    assert!(free[1].1.makespan_s > 2.2 * free[0].1.makespan_s, "the lock serialises the loop");
}

#[test]
fn pool_speeds_up_with_workers_until_ipc_dominates() {
    let runs = run("pool");
    let speedups: Vec<f64> = runs.iter().map(|(_, s)| s.pool.as_ref().unwrap().speedup).collect();
    assert!(speedups[0] > 0.95 && speedups[2] > 3.5, "{speedups:?}");
    let chunks = run("pool-chunksize");
    assert!(chunks[0].1.makespan_s > 1.5 * chunks[2].1.makespan_s, "chunksize 1 vs 125");
    let big = run("pool-big-args");
    let serial = big[2].1.pool.as_ref().unwrap().serial_s;
    assert!(big[2].1.makespan_s > serial, "1 MB arguments: {} s vs {} s serial", big[2].1.makespan_s, serial);
}

#[test]
fn asyncio_overlaps_awaits_and_a_blocking_call_stalls_the_loop() {
    let s = one("asyncio");
    assert!((0.15..0.16).contains(&s.makespan_s), "{}", s.makespan_s);
    assert_eq!(s.tasks.len(), 100);
    let blocking = one("asyncio-blocking");
    assert!(blocking.tasks[0].max_lag_ms > 150.0, "{:?}", blocking.tasks[0]);
    let offloaded = one("asyncio-to-thread");
    assert!(offloaded.tasks[0].max_lag_ms < 1.0, "{:?}", offloaded.tasks[0]);
}

#[test]
fn scheduling_policies_give_the_textbook_mean_waits() {
    let runs = run("scheduling");
    let waits: Vec<f64> = runs.iter().map(|(_, s)| s.jobs.as_ref().unwrap().mean_waiting_ms).collect();
    // FCFS (0 + 24 + 27) / 3, SJF (6 + 0 + 3) / 3, RR q=4: (6 + 4 + 7) / 3.
    for (got, want) in waits.iter().zip([17.0, 3.0, 17.0 / 3.0]) {
        assert!((got - want).abs() < 1e-6, "{waits:?}");
    }
}

#[test]
fn wsgi_scales_threads_for_io_and_workers_for_cpu() {
    let io = run("wsgi-io");
    let rps: Vec<f64> = io.iter().map(|(_, s)| s.server.as_ref().unwrap().throughput_rps).collect();
    assert!(rps[1] > 3.5 * rps[0] && rps[2] > 3.5 * rps[1], "{rps:?}");
    let java = run("java-vs-python");
    let (gil, free) =
        (java[0].1.server.as_ref().unwrap().throughput_rps, java[1].1.server.as_ref().unwrap().throughput_rps);
    assert!(free > 3.5 * gil, "no-GIL threads {free} rps vs GIL threads {gil} rps");
}

#[test]
fn overload_refuses_and_times_out() {
    let runs = run("wsgi-overload");
    let light = runs[0].1.server.as_ref().unwrap();
    assert_eq!((light.refused, light.timed_out), (0, 0));
    let heavy = runs[2].1.server.as_ref().unwrap();
    assert!(heavy.refused > 0 && heavy.timed_out > 0 && heavy.late > 0, "{heavy:?}");
    // A gthread worker takes the excess into its own queue: far fewer
    // refusals, and the requests the sync worker refused time out instead.
    let gthread = runs[5].1.server.as_ref().unwrap();
    assert_eq!(runs[5].0, "label=gthread, server.threads=4, clients.open_loop=150");
    assert!(10 * gthread.refused < heavy.refused && gthread.timed_out > heavy.timed_out, "{gthread:?}");
}

#[test]
fn crashed_worker_fails_requests_and_comes_back() {
    let runs = run("wsgi-crash");
    for (label, s) in &runs {
        assert_eq!((s.processes[0].crashes, s.processes[0].restarts), (1, 1), "{label}");
    }
    // A sync worker loses the one request it was serving; a gthread worker
    // also loses those it had accepted into its own queue.
    let (sync, gthread) = (runs[0].1.server.as_ref().unwrap(), runs[1].1.server.as_ref().unwrap());
    assert_eq!(sync.failed, 1, "{sync:?}");
    assert!(gthread.failed > sync.failed, "{gthread:?}");
}

#[test]
fn sub_interpreters_and_free_threading_run_in_parallel() {
    let runs = run("subinterpreters");
    assert!(runs[0].1.makespan_s > 1.9 * runs[1].1.makespan_s, "shared GIL vs own GILs");
    let free = run("free-threading");
    for ((_, s), overhead) in free.iter().zip([0.4, 0.1, 0.05]) {
        assert!((s.makespan_s - 0.1 * (1.0 + overhead)).abs() < 0.002, "{overhead}: {}", s.makespan_s);
    }
}

#[test]
fn a_gc_pause_delays_the_io_thread() {
    let s = one("gc-pause");
    let pinger = s.threads.iter().find(|t| t.name == "pinger").unwrap();
    assert!(pinger.gil_wait_s > 0.25, "the pinger waited {} s for the GIL", pinger.gil_wait_s);
}

/// Every key of the JSON summary is documented in docs/scenarios.md.
#[test]
fn every_summary_key_is_documented() {
    let docs = std::fs::read_to_string(format!("{}/../../docs/scenarios.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut keys = std::collections::BTreeSet::new();
    fn walk(v: &serde_json::Value, keys: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    keys.insert(k.clone());
                    walk(v, keys);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, keys)),
            _ => {}
        }
    }
    for name in ["wsgi-crash", "pool", "scheduling", "asyncio-blocking", "race-counter"] {
        let s = run(name).remove(0).1;
        walk(&serde_json::to_value(&s).unwrap(), &mut keys);
    }
    // Shared-variable names are data, not keys.
    keys.remove("counter");
    // A key is documented where it appears as a whole word after `.` or a backtick.
    let documented = |key: &str| {
        docs.match_indices(key).any(|(i, _)| {
            let before = docs[..i].chars().next_back();
            let after = docs[i + key.len()..].chars().next();
            matches!(before, Some('.' | '`')) && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    };
    for key in &keys {
        assert!(documented(key), "docs/scenarios.md does not document `{key}`");
    }
}

/// A default fills only what no file, case, sweep or override sets, and no
/// cost under a preset that chose its costs.
#[test]
fn defaults_fill_only_unset_fields() {
    let src = "machine: {cores: 1, costs: {context_switch: 3us}}
threads: [{name: a, program: [{python: 1ms}]}]
cases:
  - {label: plain}
  - {label: zero, machine.costs.preset: zero}
  - {label: slow, machine.costs.wakeup_latency: 50us}
";
    let mut f = workloads::ScenarioFile::parse("d.yaml", src).unwrap();
    let ns = |v: &str| serde_yaml::Value::String(v.into());
    f.set_default("machine.costs.context_switch", ns("7us")).unwrap();
    f.set_default("machine.costs.wakeup_latency", ns("9us")).unwrap();
    let costs: Vec<(u64, u64)> = f
        .points()
        .unwrap()
        .iter()
        .map(|p| {
            let c = &p.compiled.scenario.machine.costs;
            (c.context_switch_ns, c.wakeup_latency_ns)
        })
        .collect();
    assert_eq!(costs, [(3_000, 9_000), (3_000, 0), (3_000, 50_000)]);
    f.set("machine.costs.wakeup_latency=1us").unwrap();
    assert_eq!(f.points().unwrap()[0].compiled.scenario.machine.costs.wakeup_latency_ns, 1_000);
}

/// The core the reader first runs on after `put` woke it at 11.3 ms, with
/// the writer busy on core 1 and a spinner on core 0 (where the reader ran
/// before it blocked), the writer in another process or in the reader's.
fn reader_core_after_put(writer_in_own_process: bool) -> u32 {
    let writer = "{name: writer, affinity: [1], program: [{python: 11300us}, {put: pipe}, {python: 5ms}]}";
    let (main, own) = if writer_in_own_process {
        (String::new(), format!("  - name: writer\n    threads:\n      - {writer}\n"))
    } else {
        (format!("  - {writer}\n"), String::new())
    };
    let source = format!(
        "title: sync wake-up\nmachine: {{cores: 2}}\ngil: {{model: none}}\nqueues: [{{name: pipe}}]\nthreads:\n  \
         - {{name: reader, start: 1us, program: [{{python: 100us}}, {{get: pipe}}, {{python: 50us}}]}}\n{main}\
         processes:\n  - name: busy\n    threads:\n      - {{name: spinner, affinity: [0], program: [{{python: 30ms}}]}}\n{own}"
    );
    let file = ScenarioFile::parse("sync.yaml", &source).unwrap_or_else(|e| panic!("{e}"));
    let point = file.points().unwrap().remove(0);
    let mut rec = scheduler::Recorder::new();
    scheduler::simulate_traced(&point.compiled.scenario, &mut rec).unwrap();
    let trace = rec.into_trace();
    let reader = point.compiled.scenario.threads().position(|(_, t)| t.name == "reader").unwrap() as u32;
    let after = 11_300_000;
    (0..2u32)
        .filter_map(|c| {
            let first = trace.cores[c as usize]
                .iter()
                .find(|s| s.end_ns > after && matches!(s.state, scheduler::CoreState::Run(id) if id.0 == reader))?;
            Some((first.start_ns, c))
        })
        .min()
        .map(|(_, c)| c)
        .expect("the reader ran again")
}

/// A pipe or socket write wakes its reader with `WF_SYNC`: with no idle core,
/// Linux puts the reader on the writer's core (`wake_affine`), where it
/// preempts the writer; a `queue.Queue` put is a plain futex wake, and the
/// reader goes back to the core it last ran on (seen in `perf sched` on the
/// echo: the client always woke on the echo thread's core).
#[test]
fn a_write_to_another_process_wakes_the_reader_on_the_writers_core() {
    assert_eq!(reader_core_after_put(true), 1);
    assert_eq!(reader_core_after_put(false), 0);
}

/// Each cost preset gives its `scheduler::Costs`, and a field set beside it
/// still wins.
#[test]
fn cost_presets_give_their_costs() {
    let src = "machine: {cores: 1}
threads: [{name: a, program: [{python: 1ms}]}]
cases:
  - {label: linux}
  - {label: bare, machine.costs.preset: bare_metal}
  - {label: intel, machine.costs.preset: intel_vm}
  - {label: intel-fast-switch, machine.costs.preset: intel_vm, machine.costs.context_switch: 1us}
";
    let f = workloads::ScenarioFile::parse("p.yaml", src).unwrap();
    let costs: Vec<scheduler::Costs> = f.points().unwrap().iter().map(|p| p.compiled.scenario.machine.costs).collect();
    assert_eq!(costs[0], scheduler::Costs::default());
    assert_eq!(costs[1], scheduler::Costs::bare_metal());
    assert_eq!(costs[2], scheduler::Costs::intel_vm());
    assert_eq!(costs[3], scheduler::Costs { context_switch_ns: 1_000, ..scheduler::Costs::intel_vm() });
}

/// A writer in one process puts on a pipe whose reader (in another process,
/// or in the writer's own with `same_process`) has been blocked in `get`
/// since the start: per seed, whether the reader finished first and the
/// writer's overhead (the wake-up it paid).
fn pipe_wake(cores: u32, same_process: bool, seeds: u64) -> Vec<(bool, u64)> {
    let reader = "{name: reader, program: [{get: pipe}, {python: 50us}]}";
    let (main, other) = if same_process {
        (format!("  - {reader}\n"), String::new())
    } else {
        (String::new(), format!("processes:\n  - name: reader\n    threads:\n      - {reader}\n"))
    };
    let source = format!(
        "title: pipe wake\nmachine: {{cores: {cores}, costs: {{futex_wake: 10us}}}}\ngil: {{model: none}}\n\
         queues: [{{name: pipe}}]\nthreads:\n  \
         - {{name: writer, program: [{{io: 1ms}}, {{python: 2us}}, {{put: pipe}}, {{python: 200us}}]}}\n{main}{other}"
    );
    let parsed = ScenarioFile::parse("pipe.yaml", &source).unwrap_or_else(|e| panic!("{e}"));
    (1..=seeds)
        .map(|seed| {
            let mut file = parsed.clone();
            file.set(&format!("seed={seed}")).unwrap();
            let point = file.points().unwrap().remove(0);
            let res = scheduler::simulate(&point.compiled.scenario).unwrap();
            let by = |n: &str| res.threads.iter().find(|t| t.name == n).unwrap();
            let (w, r) = (by("writer"), by("reader"));
            (r.finished_ns.unwrap() < w.finished_ns.unwrap(), w.time.overhead)
        })
        .collect()
}

/// Woken on its writer's core by a pipe or socket write, the reader runs at
/// once in about 70% of wake-ups (`SYNC_WAKE_PREEMPTS`, measured with
/// `perf sched`), although run to parity alone would let the writer go on;
/// a `queue.Queue` reader in the writer's process never does.
#[test]
fn a_reader_woken_on_its_writers_core_mostly_runs_at_once() {
    let runs = pipe_wake(1, false, 400);
    let first = runs.iter().filter(|(f, _)| *f).count() as f64 / runs.len() as f64;
    assert!((first - scheduler::SYNC_WAKE_PREEMPTS).abs() < 0.06, "reader first in {first}");
    assert!(pipe_wake(1, true, 50).iter().all(|(f, _)| !f));
}

/// Waking a sleeping reader onto an idle core costs the writer a futex
/// wake-up (the kick of that core: a loopback `sendto` takes 3 µs, 13 µs
/// when it wakes the reader on the other, idle CPU); onto the writer's own
/// busy core it costs nothing more.
#[test]
fn a_write_that_wakes_a_reader_on_an_idle_core_costs_the_writer_a_wake_up() {
    assert!(pipe_wake(2, false, 5).iter().all(|&(_, o)| o == 10_000));
    assert!(pipe_wake(1, false, 5).iter().all(|&(_, o)| o == 0));
}

/// Summaries never report a mean over nothing as a number, and a mean lag
/// never exceeds the largest one.
#[test]
fn empty_and_partial_means_are_honest() {
    let summary = |source: &str| {
        let exp = ScenarioFile::parse("t.yaml", source).unwrap();
        let points = exp.points().unwrap();
        let res = workloads::run_points(&points, &|| {}).into_iter().next().unwrap().unwrap();
        workloads::summary(&points[0].compiled, &res)
    };
    // One of two jobs finishes: the mean turnaround is its own, not half of it.
    let s = summary(
        "machine: {cores: 1, scheduler: {policy: fcfs}, costs: {preset: zero}}\njobs:\n  - {name: P1, burst: 2ms}\n  - {name: P2, burst: 100ms}\nduration: 10ms\n",
    );
    let j = s.jobs.unwrap();
    assert_eq!(j.mean_turnaround_ms, Some(2.0));
    // None finishes: no mean at all.
    let s = summary(
        "machine: {cores: 1, scheduler: {policy: fcfs}, costs: {preset: zero}}\njobs:\n  - {name: P1, burst: 2ms}\nduration: 1ms\n",
    );
    assert_eq!(s.jobs.unwrap().mean_turnaround_ms, None);
    // No request completes: no latency.
    let s = summary(
        "machine: {cores: 2}\nserver:\n  kind: wsgi\n  endpoints:\n    - {name: cpu, weight: 1, program: [{python: 10ms}]}\nclients: {closed_loop: 1, duration: 100ms, timeout: 1ns}\n",
    );
    let v = s.server.unwrap();
    assert_eq!(v.completed, 0);
    assert!(v.latency_ms.is_none());
    // Tasks started together: the second one's wait for its first run is
    // not a lag after an await.
    let s = summary(
        "machine: {cores: 1}\nthreads:\n  - name: loop\n    asyncio:\n      tasks:\n        - {name: a, program: [{python: 1ms}]}\n        - {name: b, program: [{python: 1ms}, {await_io: 1ms}, {python: 10us}]}\n",
    );
    for t in &s.tasks {
        assert!(t.mean_lag_ms <= t.max_lag_ms, "{t:?}");
    }
    let b = s.tasks.iter().find(|t| t.name == "b").unwrap();
    assert!(b.max_lag_ms < 0.5, "{b:?}");
}

/// A pool whose messages cost nothing runs (no zero-length steps).
#[test]
fn a_pool_with_free_messages_runs() {
    let exp = ScenarioFile::parse(
        "p.yaml",
        "machine: {cores: 2}\npool:\n  workers: 1\n  tasks: 3\n  task: {program: [{python: 1ms}]}\n  ipc: {per_byte: 0ns, per_message: 0ns}\n",
    )
    .unwrap();
    let points = exp.points().unwrap();
    let res = workloads::run_points(&points, &|| {}).into_iter().next().unwrap().unwrap();
    let s = workloads::summary(&points[0].compiled, &res);
    assert!(s.makespan_s >= 0.003, "{}", s.makespan_s);
}
