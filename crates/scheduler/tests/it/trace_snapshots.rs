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
            A          0.000     8.000  ready
            A          8.000   116.207  python*
            A        116.207   128.207  overhead
            A        128.207   244.609  gil_wait
            A        244.609   286.402  python*
            A        286.402   332.600  done
            B          0.000     8.000  ready
            B          8.000   124.407  gil_wait
            B        124.407   236.409  python*
            B        236.409   248.409  overhead
            B        248.409   294.602  gil_wait
            B        294.602   332.600  python*
            core0      0.000     8.000  switch->A
            core0      8.000   128.207  run A
            core0    128.207   228.207  idle
            core0    228.207   236.207  switch->A
            core0    236.207   236.407  run A
            core0    236.407   236.409  idle
            core0    236.409   244.409  switch->A
            core0    244.409   286.402  run A
            core0    286.402   332.600  idle
            core1      0.000     8.000  switch->B
            core1      8.000   108.000  idle
            core1    108.000   116.000  switch->B
            core1    116.000   116.200  run B
            core1    116.200   116.207  idle
            core1    116.207   124.207  switch->B
            core1    124.207   248.409  run B
            core1    248.409   286.402  idle
            core1    286.402   294.402  switch->B
            core1    294.402   332.600  run B
            mark       8.000  A Switch
            mark     108.000  B TimedOut
            mark     116.200  A DropRequest
            mark     116.207  A ForcedDrop
            mark     124.407  B Switch
            mark     228.207  A TimedOut
            mark     236.407  B DropRequest
            mark     236.409  B ForcedDrop
            mark     244.609  A Switch
            mark     294.602  B Switch
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
            io         0.000     8.000  ready
            io         8.000    58.000  io
            io        58.000  3009.000  ready
            io      3009.000  4060.907  gil_wait
            io      4060.907  4080.907  python*
            io      4080.907  8043.900  done
            cpu        0.000     8.500  ready
            cpu        8.500  3008.500  python*
            cpu     3008.500  3009.500  ready*
            cpu     3009.500  4059.000  python*
            cpu     4059.000  4060.200  ready*
            cpu     4060.200  4060.207  python*
            cpu     4060.207  4081.407  gil_wait
            cpu     4081.407  4093.407  overhead
            cpu     4093.407  8043.900  python*
            core0      0.000     8.000  switch->io
            core0      8.000     8.500  switch->cpu
            core0      8.500  3008.500  run cpu
            core0   3008.500  3009.000  switch->io
            core0   3009.000  3009.500  switch->cpu
            core0   3009.500  4059.000  run cpu
            core0   4059.000  4059.500  switch->io
            core0   4059.500  4059.700  run io
            core0   4059.700  4060.200  switch->cpu
            core0   4060.200  4060.207  run cpu
            core0   4060.207  4060.707  switch->io
            core0   4060.707  4080.907  run io
            core0   4080.907  4081.407  switch->cpu
            core0   4081.407  8043.900  run cpu
            mark       8.500  cpu Switch
            mark    4059.000  io TimedOut
            mark    4059.700  cpu DropRequest
            mark    4060.207  cpu ForcedDrop
            mark    4060.907  io Switch
            mark    4093.407  cpu Switch
        "#]],
    );
}
