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
            A          8.000   128.120  python*
            A        128.120   132.120  overhead
            A        132.120   136.320  handoff
            A        136.320   273.811  gil_wait
            A        273.811   277.811  overhead*
            A        277.811   307.691  python*
            A        307.691   345.624  done
            B          0.000     8.000  ready
            B          8.000   136.320  gil_wait
            B        136.320   140.320  overhead*
            B        140.320   265.610  python*
            B        265.610   269.610  overhead
            B        269.610   273.811  handoff
            B        273.811   320.914  gil_wait
            B        320.914   345.624  python*
            core0      0.000     8.000  switch->A
            core0      8.000   132.120  run A
            core0    132.120   136.320  idle
            core0    136.320   144.927  switch->A
            core0    144.927   244.927  idle
            core0    244.927   265.402  switch->A
            core0    265.402   265.602  run A
            core0    265.602   265.610  idle
            core0    265.610   273.611  switch->A
            core0    273.611   307.691  run A
            core0    307.691   345.624  idle
            core1      0.000     8.000  switch->B
            core1      8.000   108.000  idle
            core1    108.000   127.919  switch->B
            core1    127.919   128.119  run B
            core1    128.119   128.120  idle
            core1    128.120   136.120  switch->B
            core1    136.120   269.610  run B
            core1    269.610   273.811  idle
            core1    273.811   282.785  switch->B
            core1    282.785   307.691  idle
            core1    307.691   320.714  switch->B
            core1    320.714   345.624  run B
            mark       8.000  A Switch
            mark     108.000  B TimedOut
            mark     128.119  A DropRequest
            mark     128.120  A ForcedDrop
            mark     136.320  B Switch
            mark     244.927  A TimedOut
            mark     265.602  B DropRequest
            mark     265.610  B ForcedDrop
            mark     273.811  A Switch
            mark     320.914  B Switch
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
            io        58.000  4002.000  ready
            io      4002.000  5033.122  gil_wait
            io      5033.122  5053.122  python*
            io      5053.122  8046.400  done
            cpu        0.000    10.000  ready
            cpu       10.000  4000.000  python*
            cpu     4000.000  4004.000  ready*
            cpu     4004.000  5026.719  python*
            cpu     5026.719  5030.919  ready*
            cpu     5030.919  5030.922  python*
            cpu     5030.922  5055.122  gil_wait
            cpu     5055.122  5059.122  overhead
            cpu     5059.122  8046.400  python*
            core0      0.000     8.000  switch->io
            core0      8.000    10.000  switch->cpu
            core0     10.000  4000.000  run cpu
            core0   4000.000  4002.000  switch->io
            core0   4002.000  4004.000  switch->cpu
            core0   4004.000  5026.719  run cpu
            core0   5026.719  5028.719  switch->io
            core0   5028.719  5028.919  run io
            core0   5028.919  5030.919  switch->cpu
            core0   5030.919  5030.922  run cpu
            core0   5030.922  5032.922  switch->io
            core0   5032.922  5053.122  run io
            core0   5053.122  5055.122  switch->cpu
            core0   5055.122  8046.400  run cpu
            mark      10.000  cpu Switch
            mark    5026.719  io TimedOut
            mark    5028.919  cpu DropRequest
            mark    5030.922  cpu ForcedDrop
            mark    5033.122  io Switch
            mark    5059.122  cpu Switch
        "#]],
    );
}
