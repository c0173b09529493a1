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
            A          0.000     2.000  ready
            A          2.000   152.000  python*
            A        152.000   304.200  done
            B          0.000     2.000  ready
            B          2.000   154.200  gil_wait
            B        154.200   304.200  python*
            core0      0.000     2.000  switch->A
            core0      2.000   152.000  run A
            core0    152.000   304.200  idle
            core1      0.000     2.000  switch->B
            core1      2.000   152.000  idle
            core1    152.000   154.000  switch->B
            core1    154.000   304.200  run B
            mark       2.000  A Switch
            mark     152.000  B TimedOut
            mark     154.200  B Switch
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
            io         0.000     2.000  ready
            io         2.000    52.000  io
            io        52.000  3010.000  ready
            io      3010.000  4072.409  gil_wait
            io      4072.409  4092.409  python*
            io      4092.409  8056.400  done
            cpu        0.000     6.000  ready
            cpu        6.000  3006.000  python*
            cpu     3006.000  3014.000  ready*
            cpu     3014.000  4060.000  python*
            cpu     4060.000  4068.200  ready*
            cpu     4068.200  4068.209  python*
            cpu     4068.209  4096.409  gil_wait
            cpu     4096.409  4102.409  overhead
            cpu     4102.409  8056.400  python*
            core0      0.000     2.000  switch->io
            core0      2.000     6.000  switch->cpu
            core0      6.000  3006.000  run cpu
            core0   3006.000  3010.000  switch->io
            core0   3010.000  3014.000  switch->cpu
            core0   3014.000  4060.000  run cpu
            core0   4060.000  4064.000  switch->io
            core0   4064.000  4064.200  run io
            core0   4064.200  4068.200  switch->cpu
            core0   4068.200  4068.209  run cpu
            core0   4068.209  4072.209  switch->io
            core0   4072.209  4092.409  run io
            core0   4092.409  4096.409  switch->cpu
            core0   4096.409  8056.400  run cpu
            mark       6.000  cpu Switch
            mark    4060.000  io TimedOut
            mark    4064.200  cpu DropRequest
            mark    4068.209  cpu ForcedDrop
            mark    4072.409  io Switch
            mark    4102.409  cpu Switch
        "#]],
    );
}
