//! Inputs refused before they cost anything: counts, sizes and nesting over
//! the limits, names that repeat or carry control characters, the sweep set
//! from the command line. Every error still has a place.

use expect_test::{Expect, expect};
use workloads::ScenarioFile;

use crate::bad_input::check;

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
