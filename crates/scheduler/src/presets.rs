//! Standard scenarios, built in Rust: the benchmarks' workloads and the
//! shapes the tests check behaviour on.

use crate::{Dist, GilSpec, SEC, Scenario, Step, ThreadSpec, Times, US};

/// `n` threads in one process sharing `total_ns` of bytecode equally (the
/// countdown benchmark split across threads).
pub fn cpu_threads(cores: u32, gil: GilSpec, n: usize, total_ns: u64) -> Scenario {
    let mut sc = Scenario::new(cores);
    sc.gil = gil;
    let each = total_ns / n as u64;
    sc.process(
        "main",
        (0..n).map(|i| ThreadSpec::new(&format!("cpu{i}"), vec![Step::Python(Dist::Fixed(each))])).collect(),
    );
    sc
}

/// `n` processes with one CPU-bound thread each.
pub fn cpu_processes(cores: u32, gil: GilSpec, n: usize, total_ns: u64) -> Scenario {
    let mut sc = Scenario::new(cores);
    sc.gil = gil;
    let each = total_ns / n as u64;
    for i in 0..n {
        sc.process(&format!("proc{i}"), vec![ThreadSpec::new("main", vec![Step::Python(Dist::Fixed(each))])]);
    }
    sc
}

/// An echo thread doing `trips` round trips (`io_ns` blocking then `py_ns`
/// of bytecode) next to `spinners` CPU-bound threads that never end; the run
/// stops when the echo thread is done.
pub fn convoy(cores: u32, gil: GilSpec, spinners: usize, trips: u64, io_ns: u64, py_ns: u64) -> Scenario {
    let mut sc = Scenario::new(cores);
    sc.gil = gil;
    let mut threads: Vec<ThreadSpec> =
        (0..spinners).map(|i| ThreadSpec::new(&format!("spin{i}"), vec![Step::Python(Dist::Forever)])).collect();
    threads.push(ThreadSpec::new(
        "echo",
        vec![Step::Repeat {
            times: Times::Count(trips),
            body: vec![Step::Io(Dist::Fixed(io_ns)), Step::Python(Dist::Fixed(py_ns))],
        }],
    ));
    sc.process("main", threads);
    sc.stop_when = vec![spinners as u32];
    sc
}

/// The benchmark's standard busy scenario: 3 CPU-bound threads and 3
/// I/O-bound threads (random waits, mean 50 us, then mean 10 us of bytecode)
/// under the new GIL with a 5 us switch interval on 2 cores, for `seconds`
/// of simulated time.
pub fn busy(seconds: u64) -> Scenario {
    let mut sc = Scenario::new(2);
    sc.gil = GilSpec::New { switch_interval_ns: 5 * US };
    let mut threads: Vec<ThreadSpec> =
        (0..3).map(|i| ThreadSpec::new(&format!("cpu{i}"), vec![Step::Python(Dist::Forever)])).collect();
    threads.extend((0..3).map(|i| {
        ThreadSpec::new(
            &format!("io{i}"),
            vec![Step::Repeat {
                times: Times::Forever,
                body: vec![Step::Io(Dist::Exp { mean: 50 * US }), Step::Python(Dist::Exp { mean: 10 * US })],
            }],
        )
    }));
    sc.process("main", threads);
    sc.limits.horizon_ns = Some(seconds * SEC);
    sc.limits.max_events = u64::MAX;
    sc
}

/// The scaling benchmark's CPU-bound scenario: `n` threads running bytecode
/// forever, otherwise like [`busy`] (new GIL, 5 us switch interval, 2
/// cores), for `horizon_ns` of simulated time.
pub fn scaling_cpu(n: usize, horizon_ns: u64) -> Scenario {
    let mut sc = Scenario::new(2);
    sc.gil = GilSpec::New { switch_interval_ns: 5 * US };
    let threads = (0..n).map(|i| ThreadSpec::new(&format!("cpu{i}"), vec![Step::Python(Dist::Forever)])).collect();
    sc.process("main", threads);
    sc.limits.horizon_ns = Some(horizon_ns);
    sc.limits.max_events = u64::MAX;
    sc
}

/// The scaling benchmark's I/O-bound scenario: `n` threads each waiting on
/// I/O (exponential, mean `n` x 25 us) then running bytecode (exponential,
/// mean 10 us), so the offered load stays near 40% of the GIL at any `n`;
/// otherwise like [`busy`], for `horizon_ns` of simulated time.
pub fn scaling_io(n: usize, horizon_ns: u64) -> Scenario {
    let mut sc = Scenario::new(2);
    sc.gil = GilSpec::New { switch_interval_ns: 5 * US };
    let io_mean = n as u64 * 25 * US;
    let threads = (0..n)
        .map(|i| {
            ThreadSpec::new(
                &format!("io{i}"),
                vec![Step::Repeat {
                    times: Times::Forever,
                    body: vec![Step::Io(Dist::Exp { mean: io_mean }), Step::Python(Dist::Exp { mean: 10 * US })],
                }],
            )
        })
        .collect();
    sc.process("main", threads);
    sc.limits.horizon_ns = Some(horizon_ns);
    sc.limits.max_events = u64::MAX;
    sc
}
