//! Bad input: every error names the file, line, column and field path.

use expect_test::{Expect, expect};
use workloads::ScenarioFile;

#[track_caller]
fn check(source: &str, expect: Expect) {
    let err = match ScenarioFile::parse("bad.yaml", source).and_then(|e| e.points()) {
        Ok(_) => panic!("expected an error for:\n{source}"),
        Err(e) => e,
    };
    // Every error has a place.
    assert!(err.line >= 1 && err.column >= 1);
    expect.assert_eq(&format!("{err}\n"));
}

#[test]
fn unknown_field() {
    check(
        "machine: {cores: 2, threds: 4}\nthreads: [{name: a, program: [{python: 1s}]}]\n",
        expect![[r#"
            error: machine.threds: unknown field `threds`, expected one of `cores`, `scheduler`, `costs`
             --> bad.yaml:1:21
              |
            1 | machine: {cores: 2, threds: 4}
              |                     ^^^^^^^^^
        "#]],
    );
}

#[test]
fn wrong_type() {
    check(
        "machine: {cores: two}\nthreads: [{name: a, program: [{python: 1s}]}]\n",
        expect![[r#"
        error: machine.cores: invalid type: string "two", expected u32
         --> bad.yaml:1:11
          |
        1 | machine: {cores: two}
          |           ^^^^^^^^^^
    "#]],
    );
}

#[test]
fn missing_field() {
    check(
        "machine: {}\nthreads: [{name: a, program: [{python: 1s}]}]\n",
        expect![[r#"
        error: machine: missing field `cores`
         --> bad.yaml:1:1
          |
        1 | machine: {}
          | ^^^^^^^^^^
    "#]],
    );
}

#[test]
fn zero_cores() {
    check(
        "machine: {cores: 0}\nthreads: [{name: a, program: [{python: 1s}]}]\n",
        expect![[r#"
        error: machine.cores: must not be zero
         --> bad.yaml:1:11
          |
        1 | machine: {cores: 0}
          |           ^^^^^^^^
    "#]],
    );
}

#[test]
fn zero_duration() {
    check(
        "machine: {cores: 1}\nthreads:\n  - name: a\n    program:\n      - python: 1s\n      - io: 0ms\n",
        expect![[r#"
            error: threads[0].program[1]: must be strictly positive
             --> bad.yaml:6:11
              |
            6 |       - io: 0ms
              |           ^^^^^
        "#]],
    );
}

#[test]
fn negative_duration() {
    check(
        "machine: {cores: 1}\nthreads: [{name: a, program: [{python: -5ms}]}]\n",
        expect![[r#"
        error: threads[0].program[0].python: `-5ms` is negative: durations must be strictly positive
         --> bad.yaml:2:32
          |
        2 | threads: [{name: a, program: [{python: -5ms}]}]
          |                                ^^^^^^^^^^^^
    "#]],
    );
}

#[test]
fn duration_without_unit() {
    check(
        "machine: {cores: 1}\nthreads: [{name: a, program: [{python: 5}]}]\n",
        expect![[r#"
        error: threads[0].program[0].python: `5` has no unit: write it like 5ms, 5us or 5s
         --> bad.yaml:2:32
          |
        2 | threads: [{name: a, program: [{python: 5}]}]
          |                                ^^^^^^^^^
    "#]],
    );
}

#[test]
fn zero_switch_interval() {
    check(
        "machine: {cores: 1}\ngil: {model: new, switch_interval: 0us}\nthreads: [{name: a, program: [{python: 1s}]}]\n",
        expect![[r#"
            error: gil.switch_interval: must be strictly positive
             --> bad.yaml:2:19
              |
            2 | gil: {model: new, switch_interval: 0us}
              |                   ^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn stop_when_names_no_thread() {
    check(
        "machine: {cores: 1}\nthreads: [{name: a, program: [{python: 1s}]}]\nstop_when: [a, echo]\n",
        expect![[r#"
            error: stop_when[1]: no thread is named `echo`
             --> bad.yaml:3:16
              |
            3 | stop_when: [a, echo]
              |                ^^^^
        "#]],
    );
}

#[test]
fn program_never_finishes() {
    check(
        "machine: {cores: 1}\nthreads:\n  - {name: spinner, program: [{python: forever}]}\n",
        expect![[r#"
        error: threads[0].program: this program never finishes: add stop_when or a horizon
         --> bad.yaml:3:21
          |
        3 |   - {name: spinner, program: [{python: forever}]}
          |                     ^^^^^^^^^^^^^^^^^^^^^^^^^^
    "#]],
    );
}

#[test]
fn endless_loop_without_time() {
    check(
        "machine: {cores: 1}\nthreads:\n  - name: a\n    program:\n      - repeat: forever\n        body: [{lock: l}, {unlock: l}]\nduration: 1s\n",
        expect![[r#"
            error: threads[0].program[0]: a forever loop must contain a step that takes time
             --> bad.yaml:5:15
              |
            5 |       - repeat: forever
              |               ^^^^^^^^^
        "#]],
    );
}

#[test]
fn step_with_two_actions() {
    check(
        "machine: {cores: 1}\nthreads: [{name: a, program: [{python: 1s, io: 1ms}]}]\n",
        expect![[r#"
        error: threads[0].program[0]: a step does one thing, but this one has python, io
         --> bad.yaml:2:31
          |
        2 | threads: [{name: a, program: [{python: 1s, io: 1ms}]}]
          |                               ^^^^^^^^^^^
    "#]],
    );
}

#[test]
fn misplaced_gil_field() {
    check(
        "machine: {cores: 1}\ngil: {model: new, check_interval: 100}\nthreads: [{name: a, program: [{python: 1s}]}]\n",
        expect![[r#"
            error: gil.check_interval: `check_interval` applies to the old GIL
             --> bad.yaml:2:19
              |
            2 | gil: {model: new, check_interval: 100}
              |                   ^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn syntax_error() {
    check(
        "machine: {cores: 1\nthreads: [\n",
        expect![[r#"
        error: did not find expected ',' or '}'
         --> bad.yaml:2:8
          |
        2 | threads: [
          |        ^^^
    "#]],
    );
}

#[test]
fn server_without_clients() {
    check(
        "machine: {cores: 1}\nserver: {kind: wsgi, endpoints: [{name: e, program: [{python: 1ms}]}]}\n",
        expect![[r#"
            error: server: a server needs `clients` to send requests
             --> bad.yaml:2:1
              |
            2 | server: {kind: wsgi, endpoints: [{name: e, program: [{python: 1ms}]}]}
              | ^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn await_outside_asyncio() {
    check(
        "machine: {cores: 1}\nthreads: [{name: a, program: [{await_io: 1ms}]}]\n",
        expect![[r#"
        error: threads[0].program[0]: `await_io` is only for asyncio tasks
         --> bad.yaml:2:31
          |
        2 | threads: [{name: a, program: [{await_io: 1ms}]}]
          |                               ^^^^^^^^^^^^^^
    "#]],
    );
}

#[test]
fn bad_sweep_value_names_the_sweep() {
    check(
        "machine: {cores: 1}\nthreads: [{name: a, program: [{python: 1ms}]}]\nsweep: {machine.cores: [1, 0]}\n",
        expect![[r#"
            error: machine.cores: must not be zero (set by sweep.machine.cores[1])
             --> bad.yaml:3:28
              |
            3 | sweep: {machine.cores: [1, 0]}
              |                            ^
        "#]],
    );
}

#[test]
fn bad_set_override() {
    let mut exp =
        ScenarioFile::parse("ok.yaml", "machine: {cores: 1}\nthreads: [{name: a, program: [{python: 1ms}]}]\n")
            .unwrap();
    let err = exp.set("machine.cores").unwrap_err();
    assert!(err.message.contains("path=value"), "{err}");
    exp.set("machine.cores=zero").unwrap();
    let err = exp.points().unwrap_err();
    expect![[r#"
        error: machine.cores: invalid type: string "zero", expected u32 (with --set machine.cores=zero)
         --> ok.yaml:1:11
          |
        1 | machine: {cores: 1}
          |           ^^^^^^^^
    "#]]
    .assert_eq(&format!("{err}\n"));
}

/// Parses and expands with `limits`; the error must have a place.
#[track_caller]
fn check_with(source: &str, limits: workloads::Limits, expect: Expect) {
    let err = match ScenarioFile::parse_with("bad.yaml", source, limits).and_then(|e| e.points()) {
        Ok(_) => panic!("expected an error for:\n{source}"),
        Err(e) => e,
    };
    assert!(err.line >= 1 && err.column >= 1);
    expect.assert_eq(&format!("{err}\n"));
}

#[test]
fn a_huge_pool_is_refused_before_it_is_built() {
    // Used to divide by zero: workers * 4 wrapped to 0.
    check(
        "machine: {cores: 2}\npool: {workers: 1073741824, tasks: 10, task: {program: [{python: 1ms}]}}\n",
        expect![[r#"
            error: pool.workers: this makes 1073741825 processes in one run; the limit is 10000 (raise it with --max-threads)
             --> bad.yaml:2:8
              |
            2 | pool: {workers: 1073741824, tasks: 10, task: {program: [{python: 1ms}]}}
              |        ^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn pool_messages_that_would_overflow_are_refused() {
    check(
        "machine: {cores: 2}\npool:\n  workers: 2\n  tasks: 10\n  task: {program: [{python: 1ms}], arg_bytes: 18446744073709551615}\n",
        expect![[r#"
            error: pool.task.arg_bytes: the tasks would move more than 2^64 bytes
             --> bad.yaml:5:36
              |
            5 |   task: {program: [{python: 1ms}], arg_bytes: 18446744073709551615}
              |                                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn huge_counts_are_refused_before_they_are_expanded() {
    // Used to abort on a 515 GB allocation.
    check(
        "machine: {cores: 1}\nduration: 1s\nthreads: [{name: a, count: 4000000000, program: [{python: 1ms}]}]\n",
        expect![[r#"
            error: threads[0].count: this makes 4000000000 threads in one run; the limit is 10000 (raise it with --max-threads)
             --> bad.yaml:3:21
              |
            3 | threads: [{name: a, count: 4000000000, program: [{python: 1ms}]}]
              |                     ^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "machine: {cores: 4000000000}\nthreads: [{name: a, program: [{python: 1ms}]}]\n",
        expect![[r#"
        error: machine.cores: 4000000000 cores; the limit is 10000 (raise it with --max-threads)
         --> bad.yaml:1:11
          |
        1 | machine: {cores: 4000000000}
          |           ^^^^^^^^^^^^^^^^^
    "#]],
    );
    check(
        "machine: {cores: 1}\nprocesses: [{name: p, interpreters: 4000000000, threads: [{name: a, program: [{python: 1ms}]}]}]\n",
        expect![[r#"
            error: processes[0].interpreters: this makes 4000000000 interpreters in one run; the limit is 10000 (raise it with --max-threads)
             --> bad.yaml:2:23
              |
            2 | processes: [{name: p, interpreters: 4000000000, threads: [{name: a, program: [{python: 1ms}]}]}]
              |                       ^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "machine: {cores: 1}\nserver: {kind: wsgi, endpoints: [{name: e, program: [{python: 1ms}]}]}\nclients: {closed_loop: 4000000000, duration: 1s}\n",
        expect![[r#"
            error: clients.closed_loop: 4000000000 clients; the limit is 10000 (raise it with --max-threads)
             --> bad.yaml:3:11
              |
            3 | clients: {closed_loop: 4000000000, duration: 1s}
              |           ^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "machine: {cores: 1}\nthreads:\n  - name: loop\n    asyncio: {tasks: [{name: t, count: 4000000000, program: [{await_io: 1ms}]}]}\n",
        expect![[r#"
            error: threads[0].asyncio.tasks[0].count: this makes 4000000000 asyncio tasks in one run; the limit is 10000 (raise it with --max-threads)
             --> bad.yaml:4:33
              |
            4 |     asyncio: {tasks: [{name: t, count: 4000000000, program: [{await_io: 1ms}]}]}
              |                                 ^^^^^^^^^^^^^^^^^
        "#]],
    );
    // Steps multiply by counts: 5,000 threads of 1,000 steps.
    let program = vec!["{python: 1ms}"; 1000].join(", ");
    check(
        &format!("machine: {{cores: 1}}\nthreads: [{{name: a, count: 5000, program: [{program}]}}]\n"),
        expect![[r#"
        error: threads[0].count: this makes 5000000 program steps once counts are expanded; the limit is 1000000 (raise it with --max-steps)
         --> bad.yaml:2:21
          |
        2 | threads: [{name: a, count: 5000, program: [{python: 1ms}, {python: 1ms}, {python: 1ms}, {python: 1ms}, {python: 1ms}, {python: 1ms}, ...
          |                     ^^^^^^^^^^^
    "#]],
    );
    // Raising the limit lets a legitimate large run through.
    let limits = workloads::Limits { max_threads: 20_000, ..Default::default() };
    let src = "machine: {cores: 1}\nthreads: [{name: a, count: 15000, program: [{python: 1us}]}]\n";
    assert!(ScenarioFile::parse("ok.yaml", src).unwrap().points().is_err());
    assert_eq!(
        ScenarioFile::parse_with("ok.yaml", src, limits).unwrap().points().unwrap()[0].compiled.scenario.thread_count(),
        15_000
    );
}

#[test]
fn sweeps_are_counted_before_they_run() {
    let axis = format!("[{}]", (1..=1000).map(|i| i.to_string()).collect::<Vec<_>>().join(", "));
    check(
        &format!(
            "machine: {{cores: 1}}\nthreads: [{{name: a, program: [{{python: 1ms}}]}}]\nsweep:\n  seed: {axis}\n  max_events: {axis}\n  threads[0].count: {axis}\n  machine.cores: {axis}\n"
        ),
        expect![[r#"
            error: sweep: this makes 1000000000000 runs; the limit is 10000 (raise it with --max-points, or sweep fewer values)
             --> bad.yaml:3:1
              |
            3 | sweep:
              | ^^^^^^
        "#]],
    );
    check_with(
        "machine: {cores: 1}\nthreads: [{name: a, count: 600, program: [{python: 1ms}]}]\nsweep: {seed: [1, 2, 3, 4]}\n",
        workloads::Limits { max_steps: 2_000, ..Default::default() },
        expect![[r#"
            error: sweep: the first 4 runs already make 2400 program steps together; the limit is 2000 (raise it with --max-steps)
             --> bad.yaml:3:1
              |
            3 | sweep: {seed: [1, 2, 3, 4]}
              | ^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn setting_the_sweep_is_refused() {
    let mut exp = ScenarioFile::parse(
        "ok.yaml",
        "machine: {cores: 1}\nthreads: [{name: a, program: [{python: 1ms}]}]\nsweep: {seed: [1, 2]}\n",
    )
    .unwrap();
    let err = exp.set("sweep={}").unwrap_err();
    expect![[r#"
        error: sweep: --set sweep={}: the sweep and cases are not fields of a run; set the swept field instead (like --set machine.cores=4), or edit the file
         --> ok.yaml:3:1
          |
        3 | sweep: {seed: [1, 2]}
          | ^^^^^^^^^^^^^^^^
    "#]].assert_eq(&format!("{err}\n"));
    assert!(exp.set("cases[0].seed=3").is_err());
    assert!(exp.set("sweep.seed=[5]").is_err());
}

#[test]
fn max_events_above_the_limit_is_refused() {
    check(
        "machine: {cores: 1}\nmax_events: 18446744073709551615\nthreads: [{name: a, program: [{python: 1ms}]}]\n",
        expect![[r#"
        error: max_events: 18446744073709551615 events; the limit is 200000000 (raise it with --max-events)
         --> bad.yaml:2:1
          |
        2 | max_events: 18446744073709551615
          | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    "#]],
    );
}

#[test]
fn duplicate_names_are_refused() {
    check(
        "machine: {cores: 1}\nthreads:\n  - {name: a, program: [{python: 1ms}]}\n  - {name: a, program: [{io: 1ms}]}\n",
        expect![[r#"
        error: threads[1]: two threads of a process are named `a` (the other comes from threads[0])
         --> bad.yaml:4:5
          |
        4 |   - {name: a, program: [{io: 1ms}]}
          |     ^^^^^^^^
    "#]],
    );
    check(
        "machine: {cores: 1}\nthreads:\n  - {name: a-1, program: [{python: 1ms}]}\n  - {name: a, count: 2, program: [{io: 1ms}]}\n",
        expect![[r#"
            error: threads[1]: two threads of a process are named `a-1` (the other comes from threads[0])
             --> bad.yaml:4:5
              |
            4 |   - {name: a, count: 2, program: [{io: 1ms}]}
              |     ^^^^^^^^
        "#]],
    );
    check(
        "machine: {cores: 1}\nprocesses:\n  - {name: p, threads: [{name: a, program: [{python: 1ms}]}]}\n  - {name: p, threads: [{name: b, program: [{python: 1ms}]}]}\n",
        expect![[r#"
            error: processes[1]: two processes are named `p` (the other comes from processes[0])
             --> bad.yaml:4:5
              |
            4 |   - {name: p, threads: [{name: b, program: [{python: 1ms}]}]}
              |     ^^^^^^^^
        "#]],
    );
    check(
        "machine: {cores: 1}\nthreads:\n  - name: loop\n    asyncio: {tasks: [{name: t, program: [{await_io: 1ms}]}, {name: t, program: [{await_io: 2ms}]}]}\n",
        expect![[r#"
            error: threads[0].asyncio.tasks[1].program: two tasks of this event loop are named `t`
             --> bad.yaml:4:72
              |
            4 |     asyncio: {tasks: [{name: t, program: [{await_io: 1ms}]}, {name: t, program: [{await_io: 2ms}]}]}
              |                                                                        ^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "machine: {cores: 1}\nserver: {kind: wsgi, endpoints: [{name: e, program: [{python: 1ms}]}, {name: e, program: [{io: 1ms}]}]}\nclients: {closed_loop: 1, duration: 1s}\n",
        expect![[r#"
            error: server.endpoints[1].name: another endpoint has this name
             --> bad.yaml:2:72
              |
            2 | server: {kind: wsgi, endpoints: [{name: e, program: [{python: 1ms}]}, {name: e, program: [{io: 1ms}]}]}
              |                                                                        ^^^^^^^
        "#]],
    );
}

#[test]
fn control_characters_in_names_are_refused_and_never_printed() {
    let src = "machine: {cores: 1}\nthreads: [{name: \"\\e[2Jevil\", program: [{python: 1ms}]}]\n";
    let err = ScenarioFile::parse("bad.yaml", src).and_then(|e| e.points()).unwrap_err();
    let text = err.to_string();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    expect![[r#"
        error: threads[0].name: contains the control character U+001B: names are shown on terminals
         --> bad.yaml:2:12
          |
        2 | threads: [{name: "\e[2Jevil", program: [{python: 1ms}]}]
          |            ^^^^^^^^^^^^^^^^^
    "#]]
    .assert_eq(&format!("{text}\n"));
    // Even where the file's own text is echoed (an unknown field).
    let src = "machine: {cores: 1, \"\\e[31mred\": 2}\nthreads: [{name: a, program: [{python: 1ms}]}]\n";
    let err = ScenarioFile::parse("bad.yaml", src).and_then(|e| e.points()).unwrap_err();
    assert!(!err.to_string().contains('\u{1b}'), "{err:?}");
    check(
        "machine: {cores: 1}\ntitle: \"a\\u0007b\"\nthreads: [{name: a, program: [{python: 1ms}]}]\n",
        expect![[r#"
        error: title: contains the control character U+0007: names are shown on terminals
         --> bad.yaml:2:1
          |
        2 | title: "a\u0007b"
          | ^^^^^^^^^^^^^^^^^
    "#]],
    );
}

#[test]
fn deep_nesting_and_alias_bombs_are_refused_fast() {
    let t = std::time::Instant::now();
    let deep = format!("machine: {{cores: 1}}\nx: {}", "[".repeat(100_000));
    let err = ScenarioFile::parse("bad.yaml", &deep).unwrap_err();
    assert_eq!((err.line, err.column), (2, 4 + 64));
    assert!(err.message.contains("64 deep"), "{err}");
    // Quadratic parsing took 33 s here; linear checking takes milliseconds.
    assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
    let mut bomb = String::from("machine: {cores: 1}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 10].join(", ")));
    }
    let err = ScenarioFile::parse("bad.yaml", &bomb).unwrap_err();
    assert!(err.message.contains("nodes"), "{err}");
    let big = format!("machine: {{cores: 1}}\n#{}\n", "x".repeat(1 << 20));
    assert!(ScenarioFile::parse("bad.yaml", &big).unwrap_err().message.contains("bytes"));
}

#[test]
fn durations_past_the_end_of_time_are_errors() {
    let too_long = "machine: {cores: 1}\nthreads: [{name: a, program: [{python: 3000000000000000000ns}]}]\n";
    check(
        too_long,
        expect![[r#"
        error: threads[0].program[0].python: `3000000000000000000ns` is too long: the longest duration is 2^61 ns, about 73 years
         --> bad.yaml:2:32
          |
        2 | threads: [{name: a, program: [{python: 3000000000000000000ns}]}]
          |                                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    "#]],
    );
}

/// Runs a file and returns its run error, located in the file.
#[track_caller]
fn run_error(source: &str) -> String {
    let exp = ScenarioFile::parse("run.yaml", source).unwrap();
    let points = exp.points().unwrap();
    let res = workloads::run_points(&points, &|| {});
    let e = res.into_iter().find_map(Result::err).expect("the run fails");
    format!("{}\n", exp.run_error(&points[0], &e))
}

#[test]
fn forever_and_overflowing_time_fail_at_the_thread() {
    // Used to end at 2^62 ns with a 146-year makespan and exit 0.
    expect![[r#"
        error: threads[0]: the run reached the end of simulated time (2^62 ns, about 146 years) with thread `spin` still busy: a `forever` step ends only when `stop_when` or `duration` stops the run, and durations must not add up past the end
         --> run.yaml:4:5
          |
        4 |   - {name: spin, program: [{python: forever}, {put: q}]}
          |     ^^^^^^^^^^^
    "#]].assert_eq(&run_error(
        "machine: {cores: 2}\nqueues: [{name: q}]\nthreads:\n  - {name: spin, program: [{python: forever}, {put: q}]}\n  - {name: b, program: [{get: q}]}\nstop_when: [b]\n",
    ));
    // Durations that add up past the end of time (they used to wrap).
    expect![[r#"
        error: threads[0]: the run reached the end of simulated time (2^62 ns, about 146 years) with thread `a` still busy: a `forever` step ends only when `stop_when` or `duration` stops the run, and durations must not add up past the end
         --> run.yaml:3:5
          |
        3 |   - {name: a, program: [{repeat: 10, body: [{python: 2000000000000000000ns}]}]}
          |     ^^^^^^^^
    "#]].assert_eq(&run_error(
        "machine: {cores: 1}\nthreads:\n  - {name: a, program: [{repeat: 10, body: [{python: 2000000000000000000ns}]}]}\n",
    ));
    expect![[r#"
        error: threads[0]: thread `a` took a shared variable past the range of a 64-bit integer at 0.000003 s
         --> run.yaml:3:5
          |
        3 |   - {name: a, program: [{atomic_add: x}, {repeat: 2, body: [{read: x}, {add: 9223372036854775807}, {store: x}]}]}
          |     ^^^^^^^^
    "#]].assert_eq(&run_error(
        "machine: {cores: 1}\nthreads:\n  - {name: a, program: [{atomic_add: x}, {repeat: 2, body: [{read: x}, {add: 9223372036854775807}, {store: x}]}]}\n",
    ));
}

#[test]
fn worker_connections_belong_to_gthread() {
    check(
        "machine: {cores: 1}\nserver: {kind: wsgi, worker_class: sync, worker_connections: 10, endpoints: [{name: e, program: [{python: 1ms}]}]}\nclients: {closed_loop: 2, duration: 1s}\n",
        expect![[r#"
            error: server.worker_connections: `worker_connections` applies to `worker_class: gthread`
             --> bad.yaml:2:42
              |
            2 | server: {kind: wsgi, worker_class: sync, worker_connections: 10, endpoints: [{name: e, program: [{python: 1ms}]}]}
              |                                          ^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn worker_connections_must_exceed_threads() {
    check(
        "machine: {cores: 1}\nserver: {kind: wsgi, threads: 4, worker_connections: 4, endpoints: [{name: e, program: [{python: 1ms}]}]}\nclients: {closed_loop: 2, duration: 1s}\n",
        expect![[r#"
            error: server.worker_connections: must exceed `threads` (4): with fewer connections than threads, use fewer threads
             --> bad.yaml:2:34
              |
            2 | server: {kind: wsgi, threads: 4, worker_connections: 4, endpoints: [{name: e, program: [{python: 1ms}]}]}
              |                                  ^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}
