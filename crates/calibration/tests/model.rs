//! The model against the robust shapes every measured machine shows, and
//! the code's defaults against the last fit.

use calibration::{
    CountdownRun, EchoRun, Fit, InterpreterData, MachineInfo, Measured, Placement, SCHEMA, compare, current_params,
};

#[test]
fn the_code_defaults_are_the_fitted_parameters() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../calibration/fitted.json");
    let fit: Fit = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(fit.params, current_params(), "update scheduler::Costs/Interp defaults to calibration/fitted.json");
}

fn interpreter(version: &str, gil: &str, threads2: f64, echo_busy: f64) -> InterpreterData {
    let run = |pinned, mode: &str, threads, seconds| CountdownRun {
        pinned,
        mode: mode.into(),
        threads,
        seconds,
        ..Default::default()
    };
    InterpreterData {
        version: version.into(),
        gil: gil.into(),
        ns_per_iter: 20.0,
        countdown_n: 50_000_000,
        countdown: vec![
            run(false, "threads", 1, 1.0),
            run(false, "threads", 2, threads2),
            run(false, "processes", 2, 0.5),
            run(true, "threads", 1, 1.0),
            run(true, "threads", 2, 1.02),
        ],
        interval_cost: Vec::new(),
        sleeps: None,
        echo: vec![
            EchoRun {
                cpu_threads: 0,
                interval_s: (gil == "new").then_some(0.005),
                rps: 10_000.0,
                two_interval_share: None,
                ..Default::default()
            },
            EchoRun {
                cpu_threads: 1,
                interval_s: (gil == "new").then_some(0.005),
                rps: echo_busy,
                two_interval_share: Some(0.2),
                ..Default::default()
            },
        ],
        hash: None,
        ..Default::default()
    }
}

#[test]
fn the_model_reproduces_the_robust_shapes() {
    let m = Measured {
        schema: SCHEMA.into(),
        date: "2026-11-21".into(),
        machine: MachineInfo { cores: 2, cpu: "test".into(), os: "linux".into() },
        interpreters: vec![interpreter("2.7.18", "old", 1.9, 12_000.0), interpreter("3.12.1", "new", 1.0, 170.0)],
        wsgi: None,
        guard: None,
        sessions: Vec::new(),
    };
    let cmp = compare(&m, &current_params()).unwrap();
    let sim =
        |src: &str, what: &str| cmp.rows.iter().find(|r| r.source == src && r.what == what).map(|r| r.sim).unwrap();
    // Old GIL: 1.4x to 2x slower on two cores (real 2.7: 1.0x to 2.0x), no
    // penalty on one.
    assert!((1.4..2.5).contains(&sim("2.7.18", "threads2/seq")));
    assert!((0.95..1.1).contains(&sim("2.7.18", "pinned threads2/seq")));
    // New GIL: threads as fast as one thread; processes twice as fast.
    assert!((0.97..1.05).contains(&sim("3.12.1", "threads2/seq")));
    assert!((0.45..0.55).contains(&sim("3.12.1", "procs2/threads2")));
    // The convoy: 1 to 2 intervals lost per round trip, a large slowdown.
    assert!((1.0..2.3).contains(&sim("3.12.1", "echo intervals 5ms")));
    assert!(sim("3.12.1", "echo slowdown 5ms") > 10.0);
    // Published tables are simulated too.
    assert!(cmp.published.iter().any(|r| r.source == "Beazley 2010"));
}

/// Seconds per round trip of the echo twin: `trips` trips next to `cpu`
/// CPU-bound threads at a 5 ms switch interval.
fn trip_s(p: &calibration::Params, rtt_s: f64, cpu: u32, trips: u32) -> f64 {
    placed_trip_s(p, rtt_s, cpu, trips, Placement::Free)
}

fn placed_trip_s(p: &calibration::Params, rtt_s: f64, cpu: u32, trips: u32, placement: Placement) -> f64 {
    use calibration::twins::{Gil, Twin};
    let job = calibration::Job {
        twin: Twin::Echo { gil: Gil::New, cores: 2, rtt_s, cpu, interval_s: Some(0.005), trips, placement },
        seeds: 1,
        scale: 1.0,
    };
    calibration::run(&job, p).unwrap() / f64::from(trips)
}

#[test]
fn the_echo_twin_alone_takes_the_measured_round_trip() {
    let p = current_params();
    for rtt in [60e-6, 85e-6] {
        let sim = trip_s(&p, rtt, 0, 2000);
        assert!((sim / rtt - 1.0).abs() < 0.15, "measured {rtt}, simulated {sim}");
    }
}

/// The convoy's size is decided by a race the hardware's wake-up latency
/// settles: a slow wake-up (an idle vCPU) loses it to `recv` and mostly to
/// `send`, at most about one interval per round trip (none when the next
/// request beats the woken thread); a fast one (bare metal) wins more of
/// them, up to two intervals.
#[test]
fn intervals_lost_per_round_trip_follow_the_wake_up_latency() {
    let vm = current_params();
    let bare = vm.bare_metal();
    let lost = |p: &calibration::Params, rtt: f64| (trip_s(p, rtt, 1, 60) - trip_s(p, rtt, 0, 2000)) / 0.005;
    let on_vm = lost(&vm, 70e-6);
    let on_bare = lost(&bare, 33e-6);
    assert!((0.6..1.5).contains(&on_vm), "{on_vm}");
    assert!((1.3..2.3).contains(&on_bare) && on_bare > on_vm + 0.3, "{on_bare} vs {on_vm}");
}

/// On the second host a wake-up onto an idle vCPU takes about 30 µs and a
/// socket call a third of the first host's: the echo thread and its client
/// make their trips on one core (a socket write wakes the reader on the
/// writer's core) while the CPU-bound thread, woken by the echo's release,
/// is still on its way, so only some trips lose an interval (measured on
/// 3.12 there: 0.47 per trip at 5 ms, against about one on the first host).
#[test]
fn on_the_second_host_the_echo_loses_about_half_an_interval_per_trip() {
    let first = current_params();
    let second = first.on_host(&calibration::hosts::INTEL_XEON_VM);
    let lost = |p: &calibration::Params, rtt: f64| (trip_s(p, rtt, 1, 60) - trip_s(p, rtt, 0, 2000)) / 0.005;
    let on_first = lost(&first, 50e-6);
    let on_second = lost(&second, 68e-6);
    assert!((0.8..1.3).contains(&on_first), "{on_first}");
    assert!((0.3..0.7).contains(&on_second), "{on_second}");
}

/// A family measured again on another machine runs at that machine's costs,
/// when the project has them; the rest stays at the fit.
#[test]
fn a_family_measured_on_another_host_runs_at_its_costs() {
    use calibration::hosts::{INTEL_XEON_VM, of_family};
    let machine = |cpu: &str| MachineInfo { cores: 2, cpu: cpu.into(), os: "linux".into() };
    let session = |cpu: &str, families: &[&str], versions: &[&str]| calibration::Session {
        date: "2026-12-07".into(),
        machine: machine(cpu),
        families: families.iter().map(|f| f.to_string()).collect(),
        interpreters: versions.iter().map(|v| v.to_string()).collect(),
    };
    let mut m = Measured { machine: machine("AMD EPYC"), ..Measured::default() };
    // A session of the first schema measured every interpreter.
    m.sessions = vec![session(INTEL_XEON_VM.cpu, &["affinity"], &[])];
    assert_eq!(of_family(&m, "affinity", "3.12.1"), Some(&INTEL_XEON_VM));
    assert_eq!(of_family(&m, "echo", "3.12.1"), None);
    // A later one only the interpreters it names.
    m.sessions.push(session(INTEL_XEON_VM.cpu, &["echo"], &["3.8.18"]));
    assert_eq!(of_family(&m, "echo", "3.8.18"), Some(&INTEL_XEON_VM));
    assert_eq!(of_family(&m, "echo", "3.12.1"), None);
    // The latest session that measured the family decides.
    m.sessions.push(session("AMD EPYC", &["affinity", "pool"], &["3.12.1"]));
    assert_eq!(of_family(&m, "affinity", "3.12.1"), None);
    assert_eq!(of_family(&m, "affinity", "3.11.7"), Some(&INTEL_XEON_VM));
    // A machine without costs of its own is compared at the fit.
    m.sessions.push(session("Some Other CPU", &["affinity"], &[]));
    assert_eq!(of_family(&m, "affinity", "3.11.7"), None);
    // The host's costs are the scenario language's `preset: intel_vm`.
    let c = scheduler::Costs::intel_vm();
    let p = current_params().on_host(&INTEL_XEON_VM);
    assert_eq!(
        (p.wakeup_latency_ns, p.wakeup_jitter_ns, p.futex_wake_ns, p.idle_wakeup_extra_ns, p.idle_wakeup_half_ns),
        (
            c.wakeup_latency_ns,
            c.wakeup_jitter_ns,
            c.futex_wake_ns,
            Some(c.idle_wakeup_extra_ns),
            Some(c.idle_wakeup_half_ns)
        )
    );
    assert_eq!(p.socket_scale, Some(0.35));
    assert_eq!(p.context_switch_ns, current_params().context_switch_ns);
}

/// EEVDF: the echo thread uses far less than its share of its core, so it
/// comes back from each wait ahead of the CPU-bound thread pinned to the same
/// core (positive lag) and preempts it at once. A round trip then loses about
/// one switch interval, as unpinned, and not the slices and ticks a woken
/// thread that must wait for the runner's slice would add (as measured on
/// 3.10 to 3.13: 86 to 104 times the trip alone, unpinned 100 to 107).
#[test]
fn an_echo_pinned_beside_a_cpu_thread_preempts_it_at_once() {
    let p = current_params();
    let rtt = 60e-6;
    let free = placed_trip_s(&p, rtt, 1, 80, Placement::Free);
    let same = placed_trip_s(&p, rtt, 1, 80, Placement::SameCore);
    assert!((same / free - 1.0).abs() < 0.15, "same core {same}, unpinned {free}");
    assert!(same < 0.005 * 1.3, "{same} s per trip: more than one interval and a bit");
}

#[test]
fn a_ratio_agrees_within_the_tolerance_or_inside_the_measured_spread() {
    let row = |real: f64, sim: f64, spread: Option<(f64, f64)>| calibration::Row {
        group: "echo".into(),
        what: "echo slowdown 5ms".into(),
        source: "3.12.1".into(),
        real,
        sim,
        real_min: spread.map(|s| s.0),
        real_max: spread.map(|s| s.1),
        sim_min: None,
        sim_max: None,
        host: None,
    };
    assert!(row(1.0, 1.14, None).agrees());
    assert!(!row(1.0, 1.16, None).agrees());
    assert!(row(1.0, 1.4, Some((0.8, 1.5))).agrees());
    assert!(!row(1.0, 1.6, Some((0.8, 1.5))).agrees());
    assert_eq!(row(2.0, 1.0, None).factor(), 2.0);
}

/// The asyncio ticker next to CPU work offloaded with `to_thread` waits for
/// the GIL each time its timer fires: about one switch interval per tick
/// (measured on 3.9 to 3.12: 1.03 to 1.1 intervals at 5 ms, 1.2 to 1.3 at
/// 1 ms), and its lag counts that wait. Alone it is on time; a blocking call
/// delays it by the call's length.
#[test]
fn an_asyncio_ticker_waits_about_one_interval_for_the_gil_per_tick() {
    use calibration::twins::{Gil, LagMode, Twin};
    let p = current_params();
    let lag = |interval_s: Option<f64>, mode: LagMode, seconds: f64| {
        let twin = Twin::AioLag { gil: Gil::New, cores: 2, interval_s, tick_s: 0.001, mode, seconds };
        twin.simulate(twin.scenario(&p).unwrap()).unwrap()
    };
    for interval in [0.005, 0.001] {
        let per_tick = lag(Some(interval), LagMode::Thread(0.5), 0.4) / interval;
        assert!((0.95..1.6).contains(&per_tick), "{interval}: {per_tick} intervals per tick");
    }
    let alone = lag(None, LagMode::Alone, 0.2);
    assert!(alone < 2e-4, "alone: {alone} s");
    let blocked = lag(None, LagMode::Block(0.05), 0.25);
    assert!((0.048..0.052).contains(&blocked), "blocked: {blocked} s");
}

/// 2.7's pool twin sends its messages through C code: a task at chunksize 1
/// costs about what 2.7 measures (15 us), about a third of 3.x's, while a
/// task in large chunks (mostly bytecode in the worker) costs nearly the same.
#[test]
fn the_pool_twin_charges_each_interpreter_its_message_cost() {
    use calibration::twins::{Twin, pool_task};
    let p = current_params();
    let per_task = |version: &str, chunksize: u32| {
        let job = calibration::Job {
            twin: Twin::PoolMap {
                cores: 2,
                workers: 2,
                tasks: 10_000,
                chunksize,
                payload_bytes: 0,
                costs: pool_task::for_version(version),
            },
            seeds: 1,
            scale: 1.0,
        };
        calibration::run(&job, &p).unwrap() / 10_000.0
    };
    assert_eq!(pool_task::for_version("2.7.18"), pool_task::PY2);
    assert_eq!(pool_task::for_version("3.13.0"), pool_task::PY3);
    let (py2, py3) = (per_task("2.7.18", 1), per_task("3.12.1", 1));
    assert!((12e-6..18e-6).contains(&py2), "2.7 at chunksize 1: {py2}");
    assert!((40e-6..55e-6).contains(&py3), "3.x at chunksize 1: {py3}");
    let (big2, big3) = (per_task("2.7.18", 1250), per_task("3.12.1", 1250));
    assert!(big2 < big3 && big3 / big2 < 1.5, "large chunks: 2.7 {big2}, 3.x {big3}");
}

/// A kept measurement (`calibration/hosts/`) is compared in place of the
/// main file's runs of its families, at its host's costs, and only its rows
/// come back.
#[test]
fn a_kept_measurement_is_compared_at_its_hosts_costs() {
    let mut m: Measured = serde_json::from_str(include_str!("small.json")).unwrap();
    let mut alone = m.interpreters[0].echo[0].clone();
    (alone.cpu_threads, alone.rps) = (0, 16_000.0);
    m.interpreters[0].echo.insert(0, alone);
    let d = &m.interpreters[0];
    let mut echo = d.echo.clone();
    // Twice as fast next to CPU threads as the main file's runs.
    for e in echo.iter_mut().filter(|e| e.cpu_threads > 0) {
        e.rps *= 2.0;
    }
    let h = calibration::HostMeasurement {
        about: "test".into(),
        date: "2026-12-07".into(),
        machine: MachineInfo { cores: 2, cpu: calibration::hosts::INTEL_XEON_VM.cpu.into(), os: "linux".into() },
        interpreters: vec![calibration::HostInterpreter {
            version: d.version.clone(),
            gil: d.gil.clone(),
            echo,
            ..Default::default()
        }],
    };
    let rows = calibration::compare_host(&m, &h, &current_params()).unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.group == "echo" && r.source == d.version));
    assert!(rows.iter().all(|r| r.host.as_deref() == Some(calibration::hosts::INTEL_XEON_VM.id)));
    let main = compare(&m, &current_params()).unwrap();
    let slowdown = |rows: &[calibration::Row]| {
        rows.iter().find(|r| r.what == "echo slowdown 5ms").map(|r| r.real).expect("the 5 ms slowdown")
    };
    assert!((slowdown(&rows) * 2.0 / slowdown(&main.rows) - 1.0).abs() < 1e-9);
    // The same runs kept from the fitted machine are compared at the fit.
    let mut same = h.clone();
    same.machine.cpu = m.machine.cpu.clone();
    let rows = calibration::compare_host(&m, &same, &current_params()).unwrap();
    assert!(rows.iter().all(|r| r.host.is_none()));
}

/// The single row that `families` (for the first interpreter of the small
/// file) give when kept from the second host and compared at its costs.
fn kept_row(families: calibration::HostInterpreter) -> calibration::Row {
    let m: Measured = serde_json::from_str(include_str!("small.json")).unwrap();
    let d = &m.interpreters[0];
    let h = calibration::HostMeasurement {
        about: "test".into(),
        date: "2026-12-08".into(),
        machine: MachineInfo { cores: 2, cpu: calibration::hosts::INTEL_XEON_VM.cpu.into(), os: "linux".into() },
        interpreters: vec![calibration::HostInterpreter { version: d.version.clone(), gil: d.gil.clone(), ..families }],
    };
    let rows = calibration::compare_host(&m, &h, &current_params()).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = rows.into_iter().next().unwrap();
    assert_eq!(r.source, "3.12.1");
    assert_eq!(r.host.as_deref(), Some(calibration::hosts::INTEL_XEON_VM.id));
    r
}

/// A kept pool measurement replaces the main file's pool runs of its
/// interpreter, and only pool rows come back (the second host's file,
/// `calibration/hosts/2026-12-07-intel-xeon-pool.json`, is one).
#[test]
fn a_kept_pool_measurement_is_compared_in_place_of_the_main_files() {
    let run = |tasks: u32, payload_bytes: u64, per_task_s: f64| calibration::PoolMapRun {
        start_method: "fork".into(),
        workers: 2,
        tasks,
        chunksize: 1,
        payload_bytes,
        seconds: per_task_s * f64::from(tasks),
        runs: vec![per_task_s * f64::from(tasks); 5],
        discards: Default::default(),
    };
    let r = kept_row(calibration::HostInterpreter {
        pool_map: vec![run(10_000, 0, 20e-6), run(100, 1_000_000, 1.6e-3)],
        ..Default::default()
    });
    assert_eq!((r.group.as_str(), r.what.as_str()), ("pool", "pool 1000000 B/0 B"));
    assert!((r.real - 80.0).abs() < 1e-6, "{}", r.real);
}

/// So does a kept countdown (`2026-12-08-intel-xeon-countdown.json`).
#[test]
fn a_kept_countdown_measurement_is_compared_in_place_of_the_main_files() {
    let run = |threads: u32, seconds: f64| CountdownRun {
        pinned: false,
        mode: "threads".into(),
        threads,
        seconds,
        runs: vec![seconds; 5],
        ..Default::default()
    };
    let r = kept_row(calibration::HostInterpreter { countdown: vec![run(1, 0.5), run(8, 0.6)], ..Default::default() });
    assert_eq!((r.group.as_str(), r.what.as_str()), ("countdown", "threads8/seq"));
    assert!((r.real - 1.2).abs() < 1e-9, "{}", r.real);
}
