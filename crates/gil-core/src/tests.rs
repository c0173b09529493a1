//! Script-driven tests: each line is `time op thread [arg]`, the log is a snapshot.

use expect_test::{Expect, expect};

use super::*;

const MS: u64 = 1_000_000;

#[track_caller]
fn check(policy: Policy, script: &str, expect: Expect) {
    let mut gil = Gil::new(policy, WakeOrder::Fifo, 7);
    let mut log = String::new();
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let now: u64 = words[0].parse().unwrap();
        let thread = ThreadId(words[2].trim_start_matches('T').parse().unwrap());
        let arg = words.get(3).copied();
        let out = match words[1] {
            "acquire" => {
                let cause = match arg {
                    None => Cause::Entry,
                    Some("signalled") => Cause::Signalled,
                    Some("timeout") => Cause::TimedOut,
                    Some(other) => panic!("unknown cause {other}"),
                };
                format!("{:?}", gil.acquire(thread, cause, now))
            }
            "release" => {
                let kind = match arg {
                    Some("forced") => ReleaseKind::Forced,
                    Some("yield") => ReleaseKind::Yield,
                    Some("exit") => ReleaseKind::Exit,
                    _ => ReleaseKind::Voluntary,
                };
                format!("{:?}", gil.release(thread, kind, now))
            }
            "check" => format!("{:?}", gil.at_check(thread)),
            other => panic!("unknown op {other}"),
        };
        log.push_str(&format!("{line:<28} -> {out}\n"));
    }
    let s = gil.stats();
    log.push_str(&format!(
        "switches={} forced={} voluntary={} yields={} requests={} timeouts={} failed={} checks={}\n",
        s.switches,
        s.forced_drops,
        s.voluntary_drops,
        s.yields,
        s.drop_requests,
        s.timed_out_waits,
        s.failed_acquires,
        s.checks
    ));
    expect.assert_eq(&log);
}

fn new_gil() -> Policy {
    Policy::New { switch_interval_ns: 5 * MS }
}

#[test]
fn new_gil_forced_switch_hands_off() {
    // T0 holds; T1 times out with no switch in between and sets the request;
    // T0 drops at its check point and parks until T1 takes the GIL.
    check(
        new_gil(),
        "
        0 acquire T0
        10 acquire T1
        5000010 acquire T1 timeout
        5000100 check T0
        5000100 release T0 forced
        5020000 acquire T1 signalled
        5030000 acquire T0
        ",
        expect![[r#"
            0 acquire T0                 -> Taken { unpark: None }
            10 acquire T1                -> Wait { deadline: Some(5000010), notify_holder: None, failed: false }
            5000010 acquire T1 timeout   -> Wait { deadline: Some(10000010), notify_holder: Some(ThreadId(0)), failed: false }
            5000100 check T0             -> Drop
            5000100 release T0 forced    -> Released { woken: Some(ThreadId(1)), signal: Wake, park: true }
            5020000 acquire T1 signalled -> Taken { unpark: Some(ThreadId(0)) }
            5030000 acquire T0           -> Wait { deadline: Some(10030000), notify_holder: None, failed: false }
            switches=2 forced=1 voluntary=0 yields=0 requests=1 timeouts=1 failed=0 checks=1
        "#]],
    );
}

#[test]
fn new_gil_no_request_after_a_switch_during_the_wait() {
    // T1 and T2 wait; T0's release wakes T1, which takes over. The GIL changed
    // hands during T2's wait, so its timeout does not request a drop and it
    // waits a full new interval.
    check(
        new_gil(),
        "
        0 acquire T0
        0 acquire T1
        1 acquire T2
        100 release T0
        200 acquire T1 signalled
        5000001 acquire T2 timeout
        ",
        expect![[r#"
            0 acquire T0                 -> Taken { unpark: None }
            0 acquire T1                 -> Wait { deadline: Some(5000000), notify_holder: None, failed: false }
            1 acquire T2                 -> Wait { deadline: Some(5000001), notify_holder: None, failed: false }
            100 release T0               -> Released { woken: Some(ThreadId(1)), signal: Wake, park: false }
            200 acquire T1 signalled     -> Taken { unpark: None }
            5000001 acquire T2 timeout   -> Wait { deadline: Some(10000001), notify_holder: None, failed: false }
            switches=2 forced=0 voluntary=1 yields=0 requests=0 timeouts=1 failed=0 checks=0
        "#]],
    );
}

#[test]
fn new_gil_barging_makes_the_signalled_waiter_fail() {
    // T1 is signalled by T0's voluntary release but T0 comes back from a
    // short syscall and takes the free GIL first: no FIFO, no hand-off.
    check(
        new_gil(),
        "
        0 acquire T0
        5 acquire T1
        100 release T0
        150 acquire T0
        9000 acquire T1 signalled
        ",
        expect![[r#"
            0 acquire T0                 -> Taken { unpark: None }
            5 acquire T1                 -> Wait { deadline: Some(5000005), notify_holder: None, failed: false }
            100 release T0               -> Released { woken: Some(ThreadId(1)), signal: Wake, park: false }
            150 acquire T0               -> Taken { unpark: None }
            9000 acquire T1 signalled    -> Wait { deadline: Some(5009000), notify_holder: None, failed: true }
            switches=1 forced=0 voluntary=1 yields=0 requests=0 timeouts=0 failed=1 checks=0
        "#]],
    );
}

#[test]
fn new_gil_voluntary_release_waits_only_with_a_pending_request() {
    check(
        new_gil(),
        "
        0 acquire T0
        1 acquire T1
        5000001 acquire T1 timeout
        5000050 release T0
        ",
        expect![[r#"
            0 acquire T0                 -> Taken { unpark: None }
            1 acquire T1                 -> Wait { deadline: Some(5000001), notify_holder: None, failed: false }
            5000001 acquire T1 timeout   -> Wait { deadline: Some(10000001), notify_holder: Some(ThreadId(0)), failed: false }
            5000050 release T0           -> Released { woken: Some(ThreadId(1)), signal: Wake, park: true }
            switches=1 forced=0 voluntary=1 yields=0 requests=1 timeouts=1 failed=0 checks=0
        "#]],
    );
}

#[test]
fn new_gil_timed_out_waiter_is_not_signalled_and_exit_does_not_park() {
    // At 6 ms T1's wait has expired (it is awake, not yet re-checked): the
    // signal only dequeues it (a system call), and its wait returns as
    // signalled, not timed out; a final release never waits for a hand-off.
    check(
        new_gil(),
        "
        0 acquire T0
        0 acquire T1
        6000000 release T0 exit
        6000100 acquire T1 timeout
        ",
        expect![[r#"
            0 acquire T0                 -> Taken { unpark: None }
            0 acquire T1                 -> Wait { deadline: Some(5000000), notify_holder: None, failed: false }
            6000000 release T0 exit      -> Released { woken: None, signal: Syscall, park: false }
            6000100 acquire T1 timeout   -> Taken { unpark: None }
            switches=2 forced=0 voluntary=0 yields=0 requests=0 timeouts=0 failed=0 checks=0
        "#]],
    );
}

#[test]
fn old_gil_yield_without_hand_off_gives_false_alarms() {
    // The holder yields at a contended check, the waiter is woken, but the
    // holder re-acquires before the waiter runs: a failed acquisition.
    check(
        Policy::Old { check_interval: 100 },
        "
        0 acquire T0
        1 acquire T1
        2000 check T0
        2000 release T0 yield
        3000 acquire T0
        4000 check T0
        4000 release T0 yield
        4500 acquire T0
        9000 acquire T1 signalled
        ",
        expect![[r#"
            0 acquire T0                 -> Taken { unpark: None }
            1 acquire T1                 -> Wait { deadline: None, notify_holder: Some(ThreadId(0)), failed: false }
            2000 check T0                -> Yield
            2000 release T0 yield        -> Released { woken: Some(ThreadId(1)), signal: Wake, park: false }
            3000 acquire T0              -> Taken { unpark: None }
            4000 check T0                -> Yield
            4000 release T0 yield        -> Released { woken: None, signal: Syscall, park: false }
            4500 acquire T0              -> Taken { unpark: None }
            9000 acquire T1 signalled    -> Wait { deadline: None, notify_holder: Some(ThreadId(0)), failed: true }
            switches=1 forced=0 voluntary=0 yields=2 requests=0 timeouts=0 failed=1 checks=2
        "#]],
    );
}

#[test]
fn old_gil_waiter_wins_inside_the_release_window() {
    check(
        Policy::Old { check_interval: 100 },
        "
        0 acquire T0
        1 acquire T1
        2000 check T0
        2000 release T0 yield
        2500 acquire T1 signalled
        3000 acquire T0
        ",
        expect![[r#"
            0 acquire T0                 -> Taken { unpark: None }
            1 acquire T1                 -> Wait { deadline: None, notify_holder: Some(ThreadId(0)), failed: false }
            2000 check T0                -> Yield
            2000 release T0 yield        -> Released { woken: Some(ThreadId(1)), signal: Wake, park: false }
            2500 acquire T1 signalled    -> Taken { unpark: None }
            3000 acquire T0              -> Wait { deadline: None, notify_holder: Some(ThreadId(1)), failed: false }
            switches=2 forced=0 voluntary=0 yields=1 requests=0 timeouts=0 failed=0 checks=1
        "#]],
    );
}

#[test]
fn priority_gil_lets_an_io_thread_preempt_a_cpu_bound_holder() {
    // T0 becomes CPU-bound after one forced drop; T1 then asks at once.
    check(
        Policy::Priority { switch_interval_ns: 5 * MS },
        "
        0 acquire T0
        0 acquire T1
        5000000 acquire T1 timeout
        5000100 release T0 forced
        5000200 acquire T1 signalled
        5000300 acquire T0
        5000400 release T1
        5000500 acquire T0 signalled
        5000600 acquire T1
        ",
        expect![[r#"
            0 acquire T0                 -> Taken { unpark: None }
            0 acquire T1                 -> Wait { deadline: Some(5000000), notify_holder: None, failed: false }
            5000000 acquire T1 timeout   -> Wait { deadline: Some(10000000), notify_holder: Some(ThreadId(0)), failed: false }
            5000100 release T0 forced    -> Released { woken: Some(ThreadId(1)), signal: Wake, park: true }
            5000200 acquire T1 signalled -> Taken { unpark: Some(ThreadId(0)) }
            5000300 acquire T0           -> Wait { deadline: Some(10000300), notify_holder: None, failed: false }
            5000400 release T1           -> Released { woken: Some(ThreadId(0)), signal: Wake, park: false }
            5000500 acquire T0 signalled -> Taken { unpark: None }
            5000600 acquire T1           -> Wait { deadline: Some(10000600), notify_holder: Some(ThreadId(0)), failed: false }
            switches=3 forced=1 voluntary=1 yields=0 requests=2 timeouts=1 failed=0 checks=0
        "#]],
    );
}

#[test]
fn switch_interval_is_whole_microseconds_and_at_least_one() {
    assert_eq!(Policy::New { switch_interval_ns: 1 }.wait_ns(), Some(1_000));
    assert_eq!(Policy::New { switch_interval_ns: 5_999 }.wait_ns(), Some(5_000));
    assert_eq!(Policy::Old { check_interval: 100 }.wait_ns(), None);
}

#[test]
fn random_wake_order_is_seeded() {
    let run = |seed| {
        let mut gil = Gil::new(new_gil(), WakeOrder::Random, seed);
        gil.acquire(ThreadId(0), Cause::Entry, 0);
        for t in 1..6 {
            gil.acquire(ThreadId(t), Cause::Entry, 0);
        }
        gil.release(ThreadId(0), ReleaseKind::Voluntary, 1).woken
    };
    assert_eq!(run(1), run(1));
    let picks: std::collections::BTreeSet<_> = (0..40).map(run).collect();
    assert!(picks.len() > 1, "random order always woke the same thread: {picks:?}");
}

#[test]
fn a_waiter_sleeps_through_the_timer_slack() {
    // T1's deadline (5 ms) has passed but its timer, 50 µs later, has not
    // fired: a release at 5.01 ms signals it. Without the slack the GIL takes
    // it for awake and signals nobody.
    for (slack, woken) in [(50_000, Some(ThreadId(1))), (0, None)] {
        let mut gil = Gil::new(new_gil(), WakeOrder::Fifo, 7).with_timer_slack(slack);
        gil.acquire(ThreadId(0), Cause::Entry, 0);
        gil.acquire(ThreadId(1), Cause::Entry, 0);
        let r = gil.release(ThreadId(0), ReleaseKind::Voluntary, 5 * MS + 10_000);
        assert_eq!(r.woken, woken, "slack {slack}");
    }
}

#[test]
fn a_timed_out_waiter_that_has_not_run_absorbs_a_signal() {
    // T1's timer fired at 5.05 ms but T1 has not run yet: it is still first
    // in the futex's queue, so a release at 5.06 ms dequeues it instead of
    // waking T2, asleep behind it, and T1's wait returns as signalled.
    let mut gil = Gil::new(new_gil(), WakeOrder::Fifo, 7).with_timer_slack(50_000);
    gil.acquire(ThreadId(0), Cause::Entry, 0);
    gil.acquire(ThreadId(1), Cause::Entry, 0);
    gil.acquire(ThreadId(2), Cause::Entry, MS);
    let r = gil.release(ThreadId(0), ReleaseKind::Voluntary, 5 * MS + 60_000);
    assert_eq!((r.woken, r.signal), (None, Signal::Syscall));
    // T0 takes the GIL back before T1 runs: T1 finds it taken and, having
    // been signalled rather than timed out, asks for no drop.
    assert!(matches!(gil.acquire(ThreadId(0), Cause::Entry, 5 * MS + 61_000), Acquire::Taken { .. }));
    let a = gil.acquire(ThreadId(1), Cause::TimedOut, 5 * MS + 70_000);
    assert!(matches!(a, Acquire::Wait { failed: true, .. }), "{a:?}");
    assert_eq!(gil.at_check(ThreadId(0)), Check::Continue);
    // The next release wakes the oldest sleeper, T2.
    let r = gil.release(ThreadId(0), ReleaseKind::Voluntary, 5 * MS + 80_000);
    assert_eq!((r.woken, r.signal), (Some(ThreadId(2)), Signal::Wake));
}

#[test]
fn a_drop_requester_not_asleep_yet_takes_the_signal_about_half_the_time() {
    // T0 holds; T1 and T2 wait. T1's wait expires, it asks for the drop and
    // starts a new wait; T0 drops 100 ns later. Every waiter is then in
    // glibc's group G1 (G1 was empty), and T1, still on its way into
    // `futex_wait`, takes the signal unless the signal comes after it slept.
    let mut requester = 0;
    const RUNS: u64 = 2000;
    for seed in 0..RUNS {
        let mut gil = Gil::new(new_gil(), WakeOrder::Fifo, seed).with_sleep_entry(150);
        gil.acquire(ThreadId(0), Cause::Entry, 0);
        gil.acquire(ThreadId(1), Cause::Entry, 10);
        gil.acquire(ThreadId(2), Cause::Entry, MS);
        let a = gil.acquire(ThreadId(1), Cause::TimedOut, 5 * MS + 10);
        assert!(matches!(a, Acquire::Wait { notify_holder: Some(ThreadId(0)), .. }), "{a:?}");
        assert_eq!(gil.at_check(ThreadId(0)), Check::Drop);
        let r = gil.release(ThreadId(0), ReleaseKind::Forced, 5 * MS + 110);
        match r.woken {
            Some(ThreadId(1)) => requester += 1,
            Some(ThreadId(2)) => {}
            other => panic!("woke {other:?}"),
        }
    }
    let share = requester as f64 / RUNS as f64;
    assert!((share - REQUESTER_SEES_SIGNAL).abs() < 0.04, "requester took {share:.3}");
    // Asleep already (no sleep entry): the oldest sleeper, always.
    let mut gil = Gil::new(new_gil(), WakeOrder::Fifo, 1);
    gil.acquire(ThreadId(0), Cause::Entry, 0);
    gil.acquire(ThreadId(1), Cause::Entry, 10);
    gil.acquire(ThreadId(2), Cause::Entry, MS);
    gil.acquire(ThreadId(1), Cause::TimedOut, 5 * MS + 10);
    gil.at_check(ThreadId(0));
    assert_eq!(gil.release(ThreadId(0), ReleaseKind::Forced, 5 * MS + 110).woken, Some(ThreadId(2)));
}

#[test]
fn a_waiter_of_group_two_cannot_take_a_signal_meant_for_group_one() {
    // T1 and T2 wait; a release makes them G1 and wakes T1. T3 begins a
    // wait after that (G2). The next release goes to T2, still G1, even
    // though T3 has not fallen asleep; only then is T3's group signalled.
    for seed in 0..50 {
        let mut gil = Gil::new(new_gil(), WakeOrder::Fifo, seed).with_sleep_entry(1_000_000);
        gil.acquire(ThreadId(0), Cause::Entry, 0);
        gil.acquire(ThreadId(1), Cause::Entry, 10);
        gil.acquire(ThreadId(2), Cause::Entry, 20);
        let r = gil.release(ThreadId(0), ReleaseKind::Voluntary, 2_000_000);
        assert_eq!(r.woken, Some(ThreadId(1)));
        assert!(matches!(gil.acquire(ThreadId(1), Cause::Signalled, 2_000_050), Acquire::Taken { .. }));
        gil.acquire(ThreadId(3), Cause::Entry, 2_000_100);
        let r = gil.release(ThreadId(1), ReleaseKind::Voluntary, 2_000_300);
        assert_eq!(r.woken, Some(ThreadId(2)), "seed {seed}");
        assert!(matches!(gil.acquire(ThreadId(2), Cause::Signalled, 2_000_400), Acquire::Taken { .. }));
        let r = gil.release(ThreadId(2), ReleaseKind::Voluntary, 2_000_500);
        assert_eq!(r.woken, Some(ThreadId(3)), "seed {seed}");
    }
}
