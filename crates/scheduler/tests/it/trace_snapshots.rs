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
            A          0.000    10.000  ready
            A         10.000   132.122  python*
            A        132.122   138.122  overhead
            A        138.122   142.322  handoff
            A        142.322   285.815  gil_wait
            A        285.815   291.815  overhead*
            A        291.815   319.693  python*
            A        319.693   357.242  done
            B          0.000    10.000  ready
            B         10.000   142.322  gil_wait
            B        142.322   148.322  overhead*
            B        148.322   275.614  python*
            B        275.614   281.614  overhead
            B        281.614   285.815  handoff
            B        285.815   334.534  gil_wait
            B        334.534   357.242  python*
            core0      0.000    10.000  switch->A
            core0     10.000   138.122  run A
            core0    138.122   142.322  idle
            core0    142.322   152.929  switch->A
            core0    152.929   252.929  idle
            core0    252.929   275.404  switch->A
            core0    275.404   275.604  run A
            core0    275.604   275.614  idle
            core0    275.614   285.615  switch->A
            core0    285.615   319.693  run A
            core0    319.693   357.242  idle
            core1      0.000    10.000  switch->B
            core1     10.000   110.000  idle
            core1    110.000   131.919  switch->B
            core1    131.919   132.119  run B
            core1    132.119   132.122  idle
            core1    132.122   142.122  switch->B
            core1    142.122   281.614  run B
            core1    281.614   285.815  idle
            core1    285.815   296.789  switch->B
            core1    296.789   319.693  idle
            core1    319.693   334.334  switch->B
            core1    334.334   357.242  run B
            mark      10.000  A Switch
            mark     110.000  B TimedOut
            mark     132.119  A DropRequest
            mark     132.122  A ForcedDrop
            mark     142.322  B Switch
            mark     252.929  A TimedOut
            mark     275.604  B DropRequest
            mark     275.614  B ForcedDrop
            mark     285.815  A Switch
            mark     334.534  B Switch
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
            io         0.000    10.000  ready
            io        10.000    60.000  io
            io        60.000  4002.000  ready
            io      4002.000  5033.120  gil_wait
            io      5033.120  5053.120  python*
            io      5053.120  8050.400  done
            cpu        0.000    12.000  ready
            cpu       12.000  4000.000  python*
            cpu     4000.000  4004.000  ready*
            cpu     4004.000  5026.719  python*
            cpu     5026.719  5030.919  ready*
            cpu     5030.919  5030.920  python*
            cpu     5030.920  5055.120  gil_wait
            cpu     5055.120  5061.120  overhead
            cpu     5061.120  8050.400  python*
            core0      0.000    10.000  switch->io
            core0     10.000    12.000  switch->cpu
            core0     12.000  4000.000  run cpu
            core0   4000.000  4002.000  switch->io
            core0   4002.000  4004.000  switch->cpu
            core0   4004.000  5026.719  run cpu
            core0   5026.719  5028.719  switch->io
            core0   5028.719  5028.919  run io
            core0   5028.919  5030.919  switch->cpu
            core0   5030.919  5030.920  run cpu
            core0   5030.920  5032.920  switch->io
            core0   5032.920  5053.120  run io
            core0   5053.120  5055.120  switch->cpu
            core0   5055.120  8050.400  run cpu
            mark      12.000  cpu Switch
            mark    5026.719  io TimedOut
            mark    5028.919  cpu DropRequest
            mark    5030.920  cpu ForcedDrop
            mark    5033.120  io Switch
            mark    5061.120  cpu Switch
        "#]],
    );
}
