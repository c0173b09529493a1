//! The defaults the documentation states are the code's: the scheduler's
//! `Costs::default()` and `Interp::default()` are the one source of truth.

use scheduler::{Costs, Interp};

fn show(ns: u64) -> String {
    match ns {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}ms", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}us", n / 1_000),
        n => format!("{n}ns"),
    }
}

/// The last cell of the table row documenting `field` in docs/scenarios.md.
fn documented(doc: &str, field: &str) -> String {
    let row = doc
        .lines()
        .find(|l| l.starts_with(&format!("| `{field}` |")))
        .unwrap_or_else(|| panic!("docs/scenarios.md documents `{field}`"));
    row.trim_end_matches('|').rsplit('|').next().unwrap_or_default().trim().to_owned()
}

#[test]
fn documented_defaults_are_the_code_defaults() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/scenarios.md")).unwrap();
    let c = Costs::default();
    for (field, ns) in [
        ("context_switch", c.context_switch_ns),
        ("wakeup_latency", c.wakeup_latency_ns),
        ("wakeup_jitter", c.wakeup_jitter_ns),
        ("idle_wakeup_extra", c.idle_wakeup_extra_ns),
        ("idle_wakeup_half", c.idle_wakeup_half_ns),
        ("sleep_entry", c.sleep_entry_ns),
        ("idle_poll", c.idle_poll_ns),
        ("poll_wakeup", c.poll_wakeup_ns),
        ("futex_wake", c.futex_wake_ns),
        ("syscall", c.syscall_ns),
        ("retry", c.retry_ns),
        ("timer_slack", c.timer_slack_ns),
        ("tick", Interp::default().tick_ns),
    ] {
        assert_eq!(documented(&doc, field), show(ns), "docs/scenarios.md's default of `{field}`");
    }
}
