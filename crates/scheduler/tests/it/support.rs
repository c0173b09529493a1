//! Scenario builders and trace checks shared by the tests.

use scheduler::{CoreState, Dist, EndReason, Scenario, SimResult, Step, ThreadState, Times, Trace};

pub use scheduler::presets::{convoy, cpu_processes, cpu_threads};

/// Makespan in nanoseconds, after checking the run ended normally.
pub fn makespan(res: &SimResult) -> f64 {
    assert!(matches!(res.end, EndReason::AllFinished | EndReason::StopWhen), "run ended with {:?}", res.end);
    res.makespan_ns as f64
}

/// Checks every structural invariant of a traced run; panics with a reason.
pub fn check_invariants(sc: &Scenario, res: &SimResult, trace: &Trace) {
    let end = res.makespan_ns;
    // Time never goes back and every lane covers [0, end) without gaps.
    for (t, lane) in trace.threads.iter().enumerate() {
        let mut at = 0;
        for span in lane {
            assert_eq!(span.start_ns, at, "thread {t}: gap or overlap at {at}");
            assert!(span.start_ns < span.end_ns, "thread {t}: empty span at {at}");
            at = span.end_ns;
        }
        assert_eq!(at, end, "thread {t}: lane ends at {at}, run at {end}");
    }
    for (c, lane) in trace.cores.iter().enumerate() {
        let mut at = 0;
        for span in lane {
            assert_eq!(span.start_ns, at, "core {c}: gap or overlap at {at}");
            at = span.end_ns;
        }
        assert_eq!(at, end, "core {c}: lane ends at {at}, run at {end}");
    }
    assert!(trace.marks.windows(2).all(|w| w[0].at_ns <= w[1].at_ns), "marks out of order");

    // At most one holder per GIL at any instant.
    for (g, _) in res.gils.iter().enumerate() {
        let mut held: Vec<(u64, u64, usize)> = Vec::new();
        for (t, lane) in trace.threads.iter().enumerate() {
            if res.threads[t].gil == Some(g as u32) {
                held.extend(lane.iter().filter(|s| s.holds_gil).map(|s| (s.start_ns, s.end_ns, t)));
            }
        }
        held.sort_unstable();
        for w in held.windows(2) {
            assert!(w[0].1 <= w[1].0, "GIL {g}: threads {} and {} both hold it at {}", w[0].2, w[1].2, w[1].0);
        }
    }
    // Threads without a GIL never claim to hold one.
    for (t, lane) in trace.threads.iter().enumerate() {
        if res.threads[t].gil.is_none() {
            assert!(lane.iter().all(|s| !s.holds_gil), "thread {t} holds a GIL it does not have");
        }
    }

    // A thread runs only on a core: each on-CPU span lies inside a core span
    // running that thread, and no thread runs on two cores at once.
    let mut runs: Vec<Vec<(u64, u64)>> = vec![Vec::new(); trace.threads.len()];
    for lane in &trace.cores {
        for span in lane {
            if let CoreState::Run(t) = span.state {
                runs[t.index()].push((span.start_ns, span.end_ns));
            }
        }
    }
    for (t, lane) in trace.threads.iter().enumerate() {
        let r = &mut runs[t];
        r.sort_unstable();
        for w in r.windows(2) {
            assert!(w[0].1 <= w[1].0, "thread {t} on two cores at {}", w[1].0);
        }
        for span in lane.iter().filter(|s| s.state.on_cpu()) {
            let inside = r.iter().any(|&(s, e)| s <= span.start_ns && span.end_ns <= e);
            assert!(inside, "thread {t} is {:?} at {}..{} off any core", span.state, span.start_ns, span.end_ns);
        }
        let on_core: u64 = r.iter().map(|(s, e)| e - s).sum();
        assert_eq!(on_core, res.threads[t].cpu_ns, "thread {t}: core time differs from its CPU time");
    }

    // A thread runs (or switches in) only on the cores its affinity allows.
    let specs: Vec<_> = sc.threads().map(|(_, t)| t).collect();
    for (c, lane) in trace.cores.iter().enumerate() {
        for span in lane {
            if let CoreState::Run(t) | CoreState::Switch(t) = span.state {
                let a = &specs[t.index()].affinity;
                assert!(
                    a.is_empty() || a.contains(&(c as u32)),
                    "thread {} on core {c} outside its affinity {a:?}",
                    t.index()
                );
            }
        }
    }

    // CPU time adds up: per core busy + switching + idle = makespan; the
    // cores' busy time is the threads' CPU time; each thread's states cover
    // its life.
    for (c, core) in res.cores.iter().enumerate() {
        assert_eq!(core.busy_ns + core.switch_ns + core.idle_ns, end, "core {c} time does not add up");
    }
    let busy: u64 = res.cores.iter().map(|c| c.busy_ns).sum();
    let cpu: u64 = res.threads.iter().map(|t| t.cpu_ns).sum();
    assert_eq!(busy, cpu, "cores were busy {busy} ns but threads used {cpu} ns");
    for (t, th) in res.threads.iter().enumerate() {
        let life = th.finished_ns.unwrap_or(end);
        assert_eq!(th.time.total(), life, "thread {t}: states cover {} of {life} ns", th.time.total());
        let on_cpu_states = th.time.python + th.time.c_hold + th.time.c_release + th.time.overhead;
        assert!(on_cpu_states <= th.cpu_ns, "thread {t}: running states exceed CPU time");
        match th.finished_ns {
            Some(at) if at < end => assert_eq!(trace.threads[t].last().map(|s| s.state), Some(ThreadState::Done)),
            _ => {}
        }
        assert_eq!(th.end_state == ThreadState::Done, th.finished_ns.is_some(), "thread {t} end state");
    }
    // Held and wait fractions are fractions.
    for g in &res.gils {
        assert!(g.held_ns <= end && g.wait_ns <= end);
        assert!((0.0..=1.0).contains(&g.held_fraction) && (0.0..=1.0).contains(&g.wait_fraction));
    }
}

/// Bytecode, held-C, released-C and I/O nanoseconds a program with only
/// fixed durations asks for (`None` if it has random or endless parts),
/// scaling bytecode by `factor` per step as the engine does.
pub fn fixed_work(steps: &[Step], factor: Option<f64>, tick: u64) -> Option<[u64; 4]> {
    let mut sum = [0u64; 4];
    for step in steps {
        match step {
            Step::Python(Dist::Fixed(n)) => {
                sum[0] += factor.map_or(*n, |f| ((*n as f64) * f).round().max(1.0) as u64);
            }
            Step::CHold(Dist::Fixed(n)) => sum[1] += n,
            Step::CRelease(Dist::Fixed(n)) => sum[2] += n,
            Step::Io(Dist::Fixed(n)) => sum[3] += n,
            Step::Lock(_) | Step::Unlock(_) | Step::Acquire(_) | Step::Release(_) => {}
            // A race bytecode is one tick of bytecode.
            Step::Read(_) | Step::Add(_) | Step::Store(_) | Step::AtomicAdd(..) => sum[0] += tick,
            Step::Repeat { times: Times::Count(k), body } => {
                let inner = fixed_work(body, factor, tick)?;
                for i in 0..4 {
                    sum[i] += inner[i] * k;
                }
            }
            _ => return None,
        }
    }
    Some(sum)
}
