//! Snapshot tests of traces rendered as text.

use std::fmt::Write;

use expect_test::{Expect, expect};
use scheduler::{CoreState, Dist, GilSpec, MS, Recorder, Scenario, Step, ThreadSpec, Trace, US, simulate_traced};

/// One line per span: lane, interval in microseconds, state (`*` = holds the GIL).
fn render(trace: &Trace, names: &[&str]) -> String {
    let mut out = String::new();
    let us = |ns: u64| ns as f64 / 1e3;
    for (t, lane) in trace.threads.iter().enumerate() {
        for s in lane {
            let star = if s.holds_gil { "*" } else { "" };
            writeln!(out, "{:<6} {:>9.3} {:>9.3}  {}{star}", names[t], us(s.start_ns), us(s.end_ns), s.state.name())
                .unwrap();
        }
    }
    for (c, lane) in trace.cores.iter().enumerate() {
        for s in lane {
            let what = match s.state {
                CoreState::Idle => "idle".to_owned(),
                CoreState::Switch(t) => format!("switch->{}", names[t.index()]),
                CoreState::Run(t) => format!("run {}", names[t.index()]),
            };
            writeln!(out, "core{c:<2} {:>9.3} {:>9.3}  {what}", us(s.start_ns), us(s.end_ns)).unwrap();
        }
    }
    for m in &trace.marks {
        writeln!(out, "mark   {:>9.3}  {} {:?}", us(m.at_ns), names[m.thread.index()], m.mark).unwrap();
    }
    out
}

#[track_caller]
fn check(sc: &Scenario, names: &[&str], expect: Expect) {
    let mut rec = Recorder::new();
    simulate_traced(sc, &mut rec).unwrap();
    expect.assert_eq(&render(&rec.into_trace(), names));
}

/// Two CPU-bound threads on two cores, 100 us interval: B waits an interval,
/// requests, A drops at its next tick and parks until B took the GIL.
#[test]
fn forced_switch_on_two_cores() {
    let mut sc = Scenario::new(2);
    sc.gil = GilSpec::New { switch_interval_ns: 100 * US };
    sc.machine.costs.wakeup_jitter_ns = 0;
    sc.process(
        "main",
        vec![
            ThreadSpec::new("A", vec![Step::Python(Dist::Fixed(150 * US))]),
            ThreadSpec::new("B", vec![Step::Python(Dist::Fixed(150 * US))]),
        ],
    );
    check(
        &sc,
        &["A", "B"],
        expect![[r#"
        A          0.000     1.000  ready
        A          1.000   102.210  python*
        A        102.210   104.210  overhead
        A        104.210   206.620  gil_wait
        A        206.620   255.410  python*
        A        255.410   304.600  done
        B          0.000     1.000  ready
        B          1.000   103.410  gil_wait
        B        103.410   205.420  python*
        B        205.420   207.420  overhead
        B        207.420   256.610  gil_wait
        B        256.610   304.600  python*
        core0      0.000     1.000  switch->A
        core0      1.000   104.210  run A
        core0    104.210   204.210  idle
        core0    204.210   205.210  switch->A
        core0    205.210   205.410  run A
        core0    205.410   205.420  idle
        core0    205.420   206.420  switch->A
        core0    206.420   255.410  run A
        core0    255.410   304.600  idle
        core1      0.000     1.000  switch->B
        core1      1.000   101.000  idle
        core1    101.000   102.000  switch->B
        core1    102.000   102.200  run B
        core1    102.200   102.210  idle
        core1    102.210   103.210  switch->B
        core1    103.210   207.420  run B
        core1    207.420   255.410  idle
        core1    255.410   256.410  switch->B
        core1    256.410   304.600  run B
        mark       1.000  A Switch
        mark     101.000  B TimedOut
        mark     102.200  A DropRequest
        mark     102.210  A ForcedDrop
        mark     103.410  B Switch
        mark     204.210  A TimedOut
        mark     205.410  B DropRequest
        mark     205.420  B ForcedDrop
        mark     206.620  A Switch
        mark     256.610  B Switch
    "#]],
    );
}

/// One core: the I/O thread returns from I/O while the CPU thread holds the
/// GIL *and* the core. It waits for the CPU thread's OS slice, then for a GIL
/// interval (the OS preempts the holder, which keeps the GIL), then for the
/// preempted holder to run again and notice the drop request.
#[test]
fn convoy_on_one_core() {
    let mut sc = Scenario::new(1);
    sc.gil = GilSpec::New { switch_interval_ns: MS };
    sc.machine.costs.wakeup_jitter_ns = 0;
    sc.process(
        "main",
        vec![
            ThreadSpec::new("io", vec![Step::Io(Dist::Fixed(50 * US)), Step::Python(Dist::Fixed(20 * US))]),
            ThreadSpec::new("cpu", vec![Step::Python(Dist::Fixed(8 * MS))]),
        ],
    );
    check(
        &sc,
        &["io", "cpu"],
        expect![[r#"
        io         0.000     1.000  ready
        io         1.000    51.000  io
        io        51.000  3005.000  ready
        io      3005.000  4011.410  gil_wait
        io      4011.410  4031.410  python*
        io      4031.410  8037.400  done
        cpu        0.000     3.000  ready
        cpu        3.000  3003.000  python*
        cpu     3003.000  3007.000  ready*
        cpu     3007.000  4005.000  python*
        cpu     4005.000  4009.200  ready*
        cpu     4009.200  4009.210  python*
        cpu     4009.210  4033.410  gil_wait
        cpu     4033.410  4035.410  overhead
        cpu     4035.410  8037.400  python*
        core0      0.000     1.000  switch->io
        core0      1.000     3.000  switch->cpu
        core0      3.000  3003.000  run cpu
        core0   3003.000  3005.000  switch->io
        core0   3005.000  3007.000  switch->cpu
        core0   3007.000  4005.000  run cpu
        core0   4005.000  4007.000  switch->io
        core0   4007.000  4007.200  run io
        core0   4007.200  4009.200  switch->cpu
        core0   4009.200  4009.210  run cpu
        core0   4009.210  4011.210  switch->io
        core0   4011.210  4031.410  run io
        core0   4031.410  4033.410  switch->cpu
        core0   4033.410  8037.400  run cpu
        mark       3.000  cpu Switch
        mark    4005.000  io TimedOut
        mark    4007.200  cpu DropRequest
        mark    4009.210  cpu ForcedDrop
        mark    4011.410  io Switch
        mark    4035.410  cpu Switch
    "#]],
    );
}
