//! The real `xtask` binary on real files.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).current_dir(root()).args(args).output().expect("xtask runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn sim_prints_a_table() {
    let out = xtask(&["sim", "examples/scenarios/convoy.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("spinner") && text.contains("echo") && text.contains("GIL (1 instance)"), "{text}");
}

#[test]
fn sim_json_has_the_documented_keys() {
    let out = xtask(&["sim", "examples/scenarios/wsgi-cpu.yaml", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(v["schema"], "gil-lab.sim/1");
    for key in ["switches", "forced_drops", "drop_requests", "failed_acquires", "held_fraction", "wait_fraction"] {
        assert!(v["gil"][key].is_number(), "gil.{key}");
    }
    let t = &v["threads"][0];
    for key in ["name", "cpu_s", "gil_wait_s", "blocked_s", "finished_s"] {
        assert!(t.get(key).is_some(), "threads[0].{key}");
    }
    let server = &v["server"];
    for key in ["completed", "throughput_rps", "refused", "timed_out"] {
        assert!(server[key].is_number(), "server.{key}");
    }
    for key in ["p50", "p90", "p99", "max"] {
        assert!(server["latency_ms"][key].is_number(), "server.latency_ms.{key}");
    }
    assert!(v["makespan_s"].as_f64().unwrap() > 9.9);
}

#[test]
fn set_overrides_a_field() {
    let two = xtask(&["sim", "examples/scenarios/cpu-processes.yaml", "--json"]);
    let one = xtask(&["sim", "examples/scenarios/cpu-processes.yaml", "--json", "--set", "machine.cores=1"]);
    let m = |o: &Output| serde_json::from_str::<serde_json::Value>(&stdout(o)).unwrap()["makespan_s"].as_f64().unwrap();
    assert!((m(&two) - 1.0).abs() < 0.01 && (m(&one) - 2.0).abs() < 0.01, "{} {}", m(&two), m(&one));
}

#[test]
fn sweep_json_lists_every_point() {
    let out = xtask(&["sim", "examples/scenarios/old-gil.yaml", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["schema"], "gil-lab.sweep/1");
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    assert_eq!(points[1]["set"]["machine.cores"], 2);
    let makespan = |i: usize| points[i]["result"]["makespan_s"].as_f64().unwrap();
    // Real 2.7 runs two CPU threads 1.0-1.8x slower on two cores than on one.
    assert!(makespan(1) > 1.3 * makespan(0), "{} {}", makespan(0), makespan(1));
}

#[test]
fn trace_is_written_as_json() {
    let dir = std::env::temp_dir().join(format!("gil-lab-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("trace.json");
    let out = xtask(&[
        "sim",
        "examples/scenarios/cpu-threads.yaml",
        "--trace",
        file.to_str().unwrap(),
        "--window",
        "0ms..20ms",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(trace["threads"].as_array().unwrap().len(), 2);
    assert_eq!(trace["end_ns"], 20_000_000);
    std::fs::remove_dir_all(dir).unwrap();
}

/// `--trace-format chrome` (docs/scenarios.md): a track per core, per
/// thread and per GIL, each process a trace process, and a flow arrow for
/// every hand-off of a GIL.
#[test]
fn trace_is_written_in_chrome_format() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace.json");
    let out = xtask(&[
        "sim",
        "examples/scenarios/convoy.yaml",
        "--trace",
        file.to_str().unwrap(),
        "--trace-format",
        "chrome",
        "--window",
        "0ms..20ms",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let events = trace["traceEvents"].as_array().expect("a traceEvents list");
    let named = |what: &str| -> Vec<(u64, u64, String)> {
        events
            .iter()
            .filter(|e| e["ph"] == "M" && e["name"] == what)
            .map(|e| {
                let tid = e["tid"].as_u64().unwrap_or(0);
                (e["pid"].as_u64().unwrap(), tid, e["args"]["name"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    let tracks = named("thread_name");
    let track =
        |name: &str| tracks.iter().find(|t| t.2 == name).unwrap_or_else(|| panic!("no track {name}: {tracks:?}"));
    // Two cores in the CPU process, two threads and the GIL in the main process.
    assert_eq!(named("process_name").iter().map(|p| p.2.as_str()).collect::<Vec<_>>(), ["CPU", "process main"]);
    let (core0, core1, echo, spinner, gil) =
        (track("core 0"), track("core 1"), track("echo"), track("spinner"), track("GIL"));
    assert_eq!((core0.0, core1.0), (0, 0));
    assert_eq!((echo.0, spinner.0, gil.0), (1, 1, 1));
    let slices = |t: &(u64, u64, String)| -> Vec<&serde_json::Value> {
        events.iter().filter(|e| e["ph"] == "X" && e["pid"] == t.0 && e["tid"] == t.1).collect()
    };
    for t in [core0, echo, spinner, gil] {
        let s = slices(t);
        assert!(!s.is_empty(), "{} has slices", t.2);
        for e in &s {
            let (ts, dur) = (e["ts"].as_f64().unwrap(), e["dur"].as_f64().unwrap());
            assert!(ts >= 0.0 && dur > 0.0 && ts + dur <= 20_000.0 + 1e-6, "{e}");
        }
    }
    assert!(slices(echo).iter().any(|e| e["name"] == "gil_wait"), "the echo thread waits for the GIL");
    // The GIL track names its holder; every hand-off is a flow from one thread to another.
    let holders: std::collections::BTreeSet<&str> = slices(gil).iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(holders, ["echo", "spinner"].into());
    let starts: Vec<&serde_json::Value> = events.iter().filter(|e| e["ph"] == "s").collect();
    let ends: Vec<&serde_json::Value> = events.iter().filter(|e| e["ph"] == "f").collect();
    assert!(starts.len() >= 4, "{} hand-offs in 20 ms", starts.len());
    assert_eq!(starts.len(), ends.len());
    for (s, f) in starts.iter().zip(&ends) {
        assert_eq!((s["id"].clone(), s["cat"].as_str(), f["bp"].as_str()), (f["id"].clone(), Some("gil"), Some("e")));
        assert_ne!(s["tid"], f["tid"], "a hand-off goes to another thread");
        assert!(s["ts"].as_f64() <= f["ts"].as_f64());
    }
    // Drop requests are instant events on the holder's track.
    assert!(events.iter().any(|e| e["ph"] == "i" && e["name"] == "drop_request"));
    // The default format is unchanged.
    let out =
        xtask(&["sim", "examples/scenarios/convoy.yaml", "--trace", file.to_str().unwrap(), "--window", "0ms..1ms"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(trace["threads"].is_array() && trace.get("traceEvents").is_none());
    // Each process is its own trace process with its own GIL track.
    let out = xtask(&[
        "sim",
        "examples/scenarios/cpu-processes.yaml",
        "--trace",
        file.to_str().unwrap(),
        "--trace-format",
        "chrome",
        "--window",
        "0ms..5ms",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let gils = trace["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "M" && e["args"]["name"] == "GIL")
        .count();
    assert!(gils >= 2, "{gils} GIL tracks");
    let out = xtask(&["sim", "examples/scenarios/convoy.yaml", "--trace-format", "chrome"]);
    assert!(!out.status.success(), "--trace-format needs --trace");
}

#[test]
fn bad_input_fails_with_a_place() {
    let dir = std::env::temp_dir().join(format!("gil-lab-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.yaml");
    std::fs::write(&file, "machine: {cores: 2}\nthreads:\n  - {name: a, program: [{python: 0ms}]}\n").unwrap();
    let out = xtask(&["sim", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("bad.yaml:3:") && err.contains("threads[0].program[0]") && err.contains("strictly positive"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let missing = xtask(&["sim", "no/such/file.yaml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("cannot read no/such/file.yaml"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn every_example_prints_a_table_and_json() {
    let dir = root().join("examples/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in files.iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")) {
        let name = f.to_str().unwrap();
        for json in [false, true] {
            let args: Vec<&str> = if json { vec!["sim", name, "--json"] } else { vec!["sim", name] };
            let out = xtask(&args);
            assert!(out.status.success(), "{name}: {}", stderr(&out));
            if json {
                serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
    }
}

#[test]
fn finds_the_checkout_from_the_current_directory() {
    // From a subdirectory, as cargo finds its workspace.
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(root().join("notes/en"))
        .args(["values", "old-gil-cores"])
        .output()
        .expect("xtask runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("old-gil-cores."));
    // Outside any checkout: a clear error, not a path baked in at compile time.
    let dir = tempfile::tempdir().unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_xtask")).current_dir(dir.path()).arg("check").output().expect("xtask runs");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not inside a gil-lab checkout"), "{}", stderr(&out));
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(dir.path())
        .args(["--root", "/", "check"])
        .output()
        .expect("xtask runs");
    assert!(stderr(&out).contains("not a gil-lab checkout"), "{}", stderr(&out));
}

#[test]
fn bench_sim_prints_the_simulator_beside_the_heap_loop() {
    let out = xtask(&["bench-sim", "--seconds", "1", "--runs", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for key in ["events/s:", "baseline-events/s:", "ratio-to-baseline:"] {
        let line = text.lines().find(|l| l.starts_with(key)).unwrap_or_else(|| panic!("no `{key}` in {text}"));
        let value: f64 = line[key.len()..].trim().parse().expect("a number");
        assert!(value > 0.0, "{line}");
    }
}

#[test]
fn bench_sim_scaling_prints_every_size_and_kind() {
    let out = xtask(&["bench-sim", "--scaling", "--max-threads", "100", "--events", "20000", "--runs", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|w| w.len() > 8 && (w[0] == "cpu" || w[0] == "io"))
        .collect();
    let sizes: Vec<(&str, &str)> = rows.iter().map(|w| (w[0], w[1])).collect();
    assert_eq!(sizes, [("cpu", "10"), ("cpu", "100"), ("io", "10"), ("io", "100")], "{text}");
    for w in &rows {
        let ns: f64 = w[7].parse().expect("ns/event");
        assert!(ns > 0.0, "{text}");
    }
}

#[test]
fn bench_sim_simpy_skips_without_the_interpreter() {
    let out = xtask(&["bench-sim", "--simpy", "no-such-python-gil-lab", "--seconds", "1", "--runs", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("skipped:"), "{}", stdout(&out));
}

/// A scratch directory removed at the end of the test.
fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("gil-lab-{name}-")).tempdir().unwrap()
}

#[test]
fn a_bad_trace_path_fails_before_the_run() {
    let dir = scratch("trace-path");
    // A run long enough that failing after it would show: 20 s of simulated echo.
    let missing = dir.path().join("no/such/dir/t.json");
    let t = std::time::Instant::now();
    let out = xtask(&[
        "sim",
        "examples/scenarios/convoy.yaml",
        "--set",
        "threads[1].program[0].repeat=2000000",
        "--trace",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot write this file"), "{}", stderr(&out));
    assert!(t.elapsed().as_secs() < 5, "the run went ahead: {:?}", t.elapsed());
    let out = xtask(&["sim", "examples/scenarios/convoy.yaml", "--trace", dir.path().to_str().unwrap()]);
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
}

#[test]
fn the_trace_is_bounded_and_a_failed_run_leaves_no_file() {
    let dir = scratch("trace-limit");
    let file = dir.path().join("t.json");
    let out = xtask(&[
        "sim",
        "examples/scenarios/convoy.yaml",
        "--trace",
        file.to_str().unwrap(),
        "--max-trace-events",
        "1000",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--max-trace-events"), "{}", stderr(&out));
    assert!(!file.exists(), "a failed run left a trace file");
    // An existing trace survives a failed run.
    std::fs::write(&file, "old").unwrap();
    let out = xtask(&[
        "sim",
        "examples/scenarios/convoy.yaml",
        "--trace",
        file.to_str().unwrap(),
        "--max-trace-events",
        "1000",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "old");
}

#[test]
fn limits_have_flags() {
    let dir = scratch("limits");
    let file = dir.path().join("many.yaml");
    std::fs::write(&file, "machine: {cores: 1}\nthreads: [{name: t, count: 12000, program: [{python: 1us}]}]\n")
        .unwrap();
    let f = file.to_str().unwrap();
    let out = xtask(&["sim", f]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("many.yaml:2:") && err.contains("threads[0].count") && err.contains("--max-threads"), "{err}");
    let out = xtask(&["sim", f, "--max-threads", "12000", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = xtask(&["sim", f, "--max-threads", "12000", "--max-events", "1000"]);
    assert!(stderr(&out).contains("--max-events"), "{}", stderr(&out));
    let out = xtask(&["sim", f, "--max-threads", "2000000"]);
    assert!(stderr(&out).contains("at most 1000000"), "{}", stderr(&out));
    let out = xtask(&["sim", "examples/scenarios/old-gil.yaml", "--max-points", "2"]);
    assert!(stderr(&out).contains("3 runs; the limit is 2"), "{}", stderr(&out));
}

#[test]
fn bad_bytes_and_bad_overrides_fail_with_a_place() {
    let dir = scratch("bytes");
    let file = dir.path().join("latin1.yaml");
    std::fs::write(&file, b"machine: {cores: 1}\nthreads: [{name: caf\xe9, program: [{python: 1ms}]}]\n").unwrap();
    let out = xtask(&["sim", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("latin1.yaml:2:21: not valid UTF-8 (byte 0xe9)"), "{}", stderr(&out));
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, vec![b'#'; (1 << 20) + 10]).unwrap();
    let out = xtask(&["sim", big.to_str().unwrap()]);
    assert!(stderr(&out).contains("larger than the limit"), "{}", stderr(&out));
    // `--set sweep=` used to be ignored silently.
    let out = xtask(&["sim", "examples/scenarios/old-gil.yaml", "--set", "sweep="]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("old-gil.yaml:") && stderr(&out).contains("not fields of a run"), "{}", stderr(&out));
}

/// An executable shell script `name` in `dir` with `body`.
fn script(dir: &std::path::Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn calibrate_quick_fails_when_the_interpreter_is_not_cpython() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = script(dir.path(), "python3", "echo 'Python 3.99, at your service'");
    let pypy = script(dir.path(), "pypy3", r#"echo '{"implementation": "pypy", "version": "3.10.14", "gil": "new"}'"#);
    let half = script(dir.path(), "half", r#"echo '{"implementation": "cpython"}'"#);
    for (python, expect) in [
        ("/bin/false", "failed"),
        (garbage.as_str(), "printed no JSON"),
        (pypy.as_str(), "not CPython"),
        (half.as_str(), "no `version`"),
    ] {
        // Present but broken: --skip-if-missing does not excuse it.
        for skip in [false, true] {
            let mut args = vec!["calibrate", "--quick", "--python", python];
            if skip {
                args.push("--skip-if-missing");
            }
            let out = xtask(&args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{python}: {err}");
            assert!(err.contains(python) && err.contains(expect), "{python}: {err}");
            assert!(!stdout(&out).contains("ok"), "{python}");
        }
    }
}

#[test]
fn calibrate_quick_fails_on_a_missing_interpreter_unless_told_to_skip() {
    let missing = "/nonexistent/gil-lab/python3";
    let out = xtask(&["calibrate", "--quick", "--python", missing]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(missing) && err.contains("not found"), "{err}");
    let out = xtask(&["calibrate", "--quick", "--python", missing, "--skip-if-missing"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("skipped"), "{}", stdout(&out));
}

#[test]
fn calibrate_kills_a_hung_interpreter_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let hung = script(dir.path(), "python3", "sleep 120");
    let start = std::time::Instant::now();
    let out = xtask(&["calibrate", "--quick", "--python", &hung, "--timeout", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
    let err = stderr(&out);
    assert!(err.contains(&hung) && err.contains("killed"), "{err}");
}
