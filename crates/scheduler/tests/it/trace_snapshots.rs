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
/// requests, A drops at its next tick and parks until B took the GIL. (No
/// timer slack: with it, B's timeout would land as A finishes.)
#[test]
fn forced_switch_on_two_cores() {
    let mut sc = Scenario::new(2);
    sc.gil = GilSpec::New { switch_interval_ns: 100 * US };
    sc.machine.costs.wakeup_jitter_ns = 0;
    sc.machine.costs.timer_slack_ns = 0;
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
            A          2.000   104.201  python*
            A        104.201   110.201  overhead
            A        110.201   214.608  gil_wait
            A        214.608   262.407  python*
            A        262.407   308.600  done
            B          0.000     2.000  ready
            B          2.000   106.401  gil_wait
            B        106.401   212.408  python*
            B        212.408   218.408  overhead
            B        218.408   264.607  gil_wait
            B        264.607   308.600  python*
            core0      0.000     2.000  switch->A
            core0      2.000   110.201  run A
            core0    110.201   210.201  idle
            core0    210.201   212.201  switch->A
            core0    212.201   212.401  run A
            core0    212.401   212.408  idle
            core0    212.408   214.408  switch->A
            core0    214.408   262.407  run A
            core0    262.407   308.600  idle
            core1      0.000     2.000  switch->B
            core1      2.000   102.000  idle
            core1    102.000   104.000  switch->B
            core1    104.000   104.200  run B
            core1    104.200   104.201  idle
            core1    104.201   106.201  switch->B
            core1    106.201   218.408  run B
            core1    218.408   262.407  idle
            core1    262.407   264.407  switch->B
            core1    264.407   308.600  run B
            mark       2.000  A Switch
            mark     102.000  B TimedOut
            mark     104.200  A DropRequest
            mark     104.201  A ForcedDrop
            mark     106.401  B Switch
            mark     210.201  A TimedOut
            mark     212.401  B DropRequest
            mark     212.408  B ForcedDrop
            mark     214.608  A Switch
            mark     264.607  B Switch
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
