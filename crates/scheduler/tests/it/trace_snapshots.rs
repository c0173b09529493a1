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
            A          0.000   120.120  python*
            A        120.120   120.320  overhead
            A        120.320   240.433  gil_wait
            A        240.433   240.633  overhead*
            A        240.633   270.513  python*
            A        270.513   313.362  done
            B          0.000   120.320  gil_wait
            B        120.320   120.520  overhead*
            B        120.520   240.233  python*
            B        240.233   240.433  overhead
            B        240.433   283.075  gil_wait
            B        283.075   313.362  python*
            core0      0.000   120.320  run A
            core0    120.320   220.320  idle
            core0    220.320   240.023  switch->A
            core0    240.023   240.223  run A
            core0    240.223   240.233  idle
            core0    240.233   270.513  run A
            core0    270.513   313.362  idle
            core1      0.000   100.000  idle
            core1    100.000   119.919  switch->B
            core1    119.919   120.119  run B
            core1    120.119   120.120  idle
            core1    120.120   240.433  run B
            core1    240.433   270.513  idle
            core1    270.513   282.875  switch->B
            core1    282.875   313.362  run B
            mark       0.000  A Switch
            mark     100.000  B TimedOut
            mark     120.119  A DropRequest
            mark     120.120  A ForcedDrop
            mark     120.320  B Switch
            mark     220.320  A TimedOut
            mark     240.223  B DropRequest
            mark     240.233  B ForcedDrop
            mark     240.433  A Switch
            mark     283.075  B Switch
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
            io         0.000    50.000  io
            io        50.000  4002.000  ready
            io      4002.000  5058.408  gil_wait
            io      5058.408  5078.408  python*
            io      5078.408  8038.400  done
            cpu        0.000     2.000  ready
            cpu        2.000  4000.000  python*
            cpu     4000.000  4004.000  ready*
            cpu     4004.000  5052.000  python*
            cpu     5052.000  5056.200  ready*
            cpu     5056.200  5056.208  python*
            cpu     5056.208  5080.408  gil_wait
            cpu     5080.408  5084.408  overhead
            cpu     5084.408  8038.400  python*
            core0      0.000     2.000  switch->cpu
            core0      2.000  4000.000  run cpu
            core0   4000.000  4002.000  switch->io
            core0   4002.000  4004.000  switch->cpu
            core0   4004.000  5052.000  run cpu
            core0   5052.000  5054.000  switch->io
            core0   5054.000  5054.200  run io
            core0   5054.200  5056.200  switch->cpu
            core0   5056.200  5056.208  run cpu
            core0   5056.208  5058.208  switch->io
            core0   5058.208  5078.408  run io
            core0   5078.408  5080.408  switch->cpu
            core0   5080.408  8038.400  run cpu
            mark       2.000  cpu Switch
            mark    5052.000  io TimedOut
            mark    5054.200  cpu DropRequest
            mark    5056.208  cpu ForcedDrop
            mark    5058.408  io Switch
            mark    5084.408  cpu Switch
        "#]],
    );
}
