//! Bad input: every error names the file, line, column and field path.

use expect_test::{Expect, expect};
use workloads::ScenarioFile;

#[track_caller]
pub(crate) fn check(source: &str, expect: Expect) {
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
        error: threads[0]: the run reached the end of simulated time (2^62 ns, about 146 years) with thread `spin` still busy: its steps add up past the end (and a `forever` step ends only when `stop_when` or `duration` stops the run)
         --> run.yaml:4:5
          |
        4 |   - {name: spin, program: [{python: forever}, {put: q}]}
          |     ^^^^^^^^^^^
    "#]].assert_eq(&run_error(
        "machine: {cores: 2}\nqueues: [{name: q}]\nthreads:\n  - {name: spin, program: [{python: forever}, {put: q}]}\n  - {name: b, program: [{get: q}]}\nstop_when: [b]\n",
    ));
    // Durations that add up past the end of time (they used to wrap).
    expect![[r#"
        error: threads[0]: the run reached the end of simulated time (2^62 ns, about 146 years) with thread `a` still busy: its steps add up past the end (and a `forever` step ends only when `stop_when` or `duration` stops the run)
         --> run.yaml:3:5
          |
        3 |   - {name: a, program: [{repeat: 10, body: [{python: 2000000000000000000ns}]}]}
          |     ^^^^^^^^
    "#]].assert_eq(&run_error(
        "machine: {cores: 1}\nthreads:\n  - {name: a, program: [{repeat: 10, body: [{python: 2000000000000000000ns}]}]}\n",
    ));
    expect![[r#"
        error: threads[0]: thread `a` took a shared variable past the range of a 64-bit integer at 0.000000 s
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

#[test]
fn affinity_names_the_core_that_does_not_exist() {
    check(
        "machine: {cores: 2}\nprocesses:\n  - {name: p, affinity: [0, 2], threads: [{name: a, program: [{python: 1s}]}]}\n",
        expect![[r#"
            error: processes[0].affinity[1]: core 2 does not exist (cores are numbered from 0 below machine.cores)
             --> bad.yaml:3:29
              |
            3 |   - {name: p, affinity: [0, 2], threads: [{name: a, program: [{python: 1s}]}]}
              |                             ^
        "#]],
    );
    check(
        "machine: {cores: 2}\nthreads: [{name: a, affinity: [1, 1], program: [{python: 1s}]}]\n",
        expect![[r#"
        error: threads[0].affinity[1]: this value is already listed
         --> bad.yaml:2:35
          |
        2 | threads: [{name: a, affinity: [1, 1], program: [{python: 1s}]}]
          |                                   ^
    "#]],
    );
    check(
        "machine: {cores: 2}\naffinity: []\nthreads: [{name: a, program: [{python: 1s}]}]\n",
        expect![[r#"
        error: affinity: an affinity lists at least one core (leave it out to allow any core)
         --> bad.yaml:2:1
          |
        2 | affinity: []
          | ^^^^^^^^^^^
    "#]],
    );
    check(
        "machine: {cores: 2}\naffinity: [0]\njobs: [{name: a, burst: 1ms}]\n",
        expect![[r#"
        error: affinity: `affinity` pins the main process's `threads`: there are none
         --> bad.yaml:2:1
          |
        2 | affinity: [0]
          | ^^^^^^^^^^^^
    "#]],
    );
}

#[test]
fn a_long_loop_of_zero_time_steps_stops_at_the_event_budget() {
    // Used to spin without end: lock and unlock take no time, so no event
    // ever counted against `max_events`.
    expect![[r#"
        error: threads[0]: thread `a` ran 1001 steps at 0.000000 s without simulated time passing: a loop of steps that take no time (`lock`, `unlock`, `put`, `get`, `acquire`, `release`) repeats more often than the run has events (`max_events`)
         --> run.yaml:3:5
          |
        3 |   - {name: a, program: [{repeat: 4611686018427387904, body: [{lock: l}, {unlock: l}]}]}
          |     ^^^^^^^^
    "#]]
    .assert_eq(&run_error(
        "machine: {cores: 1}\nthreads:\n  - {name: a, program: [{repeat: 4611686018427387904, body: [{lock: l}, {unlock: l}]}]}\nmax_events: 1000\n",
    ));
}

#[test]
fn a_field_swept_twice_or_a_path_with_an_empty_part() {
    check(
        "machine: {cores: 2}\nthreads:\n  - {name: a, program: [{python: 1ms}]}\nsweep:\n  machine.cores: [1, 2]\n  machine.cores.: [1, 2]\n",
        expect![[r#"
            error: sweep.machine.cores.: `machine.cores.` is not a field path (an empty part between dots)
             --> bad.yaml:6:3
              |
            6 |   machine.cores.: [1, 2]
              |   ^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "machine: {cores: 2}\nthreads:\n  - {name: a, program: [{python: 1ms}]}\nsweep:\n  machine..cores: [1, 2]\n",
        expect![[r#"
            error: sweep.machine..cores: `machine..cores` is not a field path (an empty part between dots)
             --> bad.yaml:5:3
              |
            5 |   machine..cores: [1, 2]
              |   ^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "machine: {cores: 2}\nthreads:\n  - {name: a, program: [{python: 1ms}]}\nsweep:\n  threads[0].count: [1, 2]\n  threads.[0].count: [3]\n",
        expect![[r#"
            error: sweep.threads.[0].count: the same field as `sweep.threads[0].count`: sweep it once
             --> bad.yaml:6:3
              |
            6 |   threads.[0].count: [3]
              |   ^^^^^^^^^^
        "#]],
    );
}

#[test]
fn setting_a_field_that_holds_a_swept_one_drops_that_axis() {
    let mut f = ScenarioFile::parse(
        "s.yaml",
        "machine: {cores: 2}\ngil: {model: new, switch_interval: 5ms}\nthreads:\n  - {name: a, program: [{python: 1ms}]}\nsweep:\n  gil.switch_interval: [1ms, 5ms]\n  machine.cores: [1, 2]\n",
    )
    .unwrap();
    f.set("gil={model: new}").unwrap();
    let labels: Vec<String> = f.points().unwrap().iter().map(|p| p.label()).collect();
    assert_eq!(labels, ["machine.cores=1", "machine.cores=2"]);
}

#[test]
fn a_pool_task_that_never_ends_is_named_at_the_pool() {
    check(
        "machine: {cores: 2}\npool: {workers: 2, tasks: 10, task: {program: [{python: forever}]}}\n",
        expect![[r#"
            error: pool.task.program: a routine must end
             --> bad.yaml:2:38
              |
            2 | pool: {workers: 2, tasks: 10, task: {program: [{python: forever}]}}
              |                                      ^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn an_endpoint_that_takes_no_time_is_named() {
    check(
        "machine: {cores: 2}\nserver: {kind: wsgi, endpoints: [{name: e, program: [{get: q}]}]}\nqueues: [{name: q}]\nclients: {closed_loop: 2, duration: 100ms}\n",
        expect![[r#"
            error: server.endpoints[0].program: this program takes no time, and the loop that serves it would never let time pass: give it a step that takes time
             --> bad.yaml:2:44
              |
            2 | server: {kind: wsgi, endpoints: [{name: e, program: [{get: q}]}]}
              |                                            ^^^^^^^^^^^^^^^^^
        "#]],
    );
}
