//! A trace in Chrome's trace-event format, which Perfetto
//! (<https://ui.perfetto.dev>) and `chrome://tracing` open.
//!
//! The mapping (documented in `docs/scenarios.md`):
//!
//! * every simulated process is a trace process (`pid` = process number + 1)
//!   with a track per thread (`tid` = thread number + 1) whose slices are
//!   the thread's states (`python`, `gil_wait`, `io`, ...), and a `GIL`
//!   track per GIL (one per process; one per interpreter under
//!   `per-interpreter`) whose slices are named after the holding thread;
//! * the machine is process `pid` 0, `CPU`, with a track per core whose
//!   slices are the thread it runs (`switch → NAME` while switching to it);
//! * every hand-off of a GIL from one thread to another is a flow arrow
//!   from the end of the releasing thread's last slice with the GIL to the
//!   taker's first (`ph: s` and `ph: f`, category `gil`);
//! * marks (drop requests, forced drops, failed acquisitions, switches,
//!   timed-out waits) are instant events on the thread's track.
//!
//! Times are microseconds with nanosecond decimals (`ts`, `dur`), from the
//! start of the run.

use scheduler::{CoreState, ThreadState};
use serde_json::{Value, json};

use crate::data::TracedPoint;

/// `tid` of GIL `g`'s track: after every thread's.
fn gil_tid(t: &TracedPoint, g: usize) -> usize {
    t.threads.len() + 1 + g
}

fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

/// A complete event, kept to the keys the viewers need: a trace holds
/// tens of thousands.
fn slice(name: &str, pid: usize, tid: usize, start: u64, end: u64) -> Value {
    json!({"name": name, "ph": "X", "ts": us(start), "dur": us(end - start), "pid": pid, "tid": tid})
}

fn meta(what: &str, pid: usize, tid: Option<usize>, args: Value) -> Value {
    match tid {
        Some(tid) => json!({"name": what, "ph": "M", "pid": pid, "tid": tid, "args": args}),
        None => json!({"name": what, "ph": "M", "pid": pid, "args": args}),
    }
}

/// The process and GIL of thread `i` (process 0 and GIL 0 for a trace
/// recorded before places were kept).
fn place(t: &TracedPoint, i: usize) -> (usize, Option<usize>) {
    t.places.get(i).copied().unwrap_or((0, Some(0)))
}

/// The trace as a Chrome trace-event JSON object.
pub fn chrome_trace(t: &TracedPoint) -> Value {
    let mut ev: Vec<Value> = Vec::new();
    let gils = tracks(t, &mut ev);
    states(t, &mut ev);
    holds(t, &gils, &mut ev);
    json!({
        "traceEvents": ev,
        "displayTimeUnit": "ns",
        "otherData": {
            "generator": "gil-lab",
            "window_ns": [t.from_ns, t.to_ns.min(t.trace.end_ns.max(t.from_ns))],
            "end_ns": t.trace.end_ns,
        },
    })
}

/// Names and order of processes and tracks; returns every GIL with its
/// process, in order of first use.
fn tracks(t: &TracedPoint, ev: &mut Vec<Value>) -> Vec<(usize, usize)> {
    let processes = t.processes.len().max(1);
    ev.push(meta("process_name", 0, None, json!({"name": "CPU"})));
    ev.push(meta("process_sort_index", 0, None, json!({"sort_index": 0})));
    for p in 0..processes {
        let name = t.processes.get(p).cloned().unwrap_or_else(|| "main".into());
        ev.push(meta("process_name", p + 1, None, json!({"name": format!("process {name}")})));
        ev.push(meta("process_sort_index", p + 1, None, json!({"sort_index": p + 1})));
    }
    for (c, _) in t.trace.cores.iter().enumerate() {
        ev.push(meta("thread_name", 0, Some(c + 1), json!({"name": format!("core {c}")})));
        ev.push(meta("thread_sort_index", 0, Some(c + 1), json!({"sort_index": c})));
    }
    let mut gils: Vec<(usize, usize)> = Vec::new(); // (GIL, its process)
    for (i, name) in t.threads.iter().enumerate() {
        let (p, g) = place(t, i);
        ev.push(meta("thread_name", p + 1, Some(i + 1), json!({"name": name})));
        ev.push(meta("thread_sort_index", p + 1, Some(i + 1), json!({"sort_index": i + 1})));
        if let Some(g) = g
            && !gils.iter().any(|(k, _)| *k == g)
        {
            gils.push((g, p));
        }
    }
    let per_process = |p: usize| gils.iter().filter(|(_, q)| *q == p).count();
    for &(g, p) in &gils {
        let name = if per_process(p) > 1 {
            format!("GIL {}", gils.iter().filter(|(k, q)| *q == p && *k < g).count())
        } else {
            "GIL".to_owned()
        };
        ev.push(meta("thread_name", p + 1, Some(gil_tid(t, g)), json!({"name": name})));
        ev.push(meta("thread_sort_index", p + 1, Some(gil_tid(t, g)), json!({"sort_index": 0})));
    }
    gils
}

/// Thread states, marks and what each core runs.
fn states(t: &TracedPoint, ev: &mut Vec<Value>) {
    for (i, spans) in t.trace.threads.iter().enumerate() {
        let (p, _) = place(t, i);
        for s in spans {
            if matches!(s.state, ThreadState::NotStarted | ThreadState::Done) || s.end_ns <= s.start_ns {
                continue;
            }
            ev.push(slice(s.state.name(), p + 1, i + 1, s.start_ns, s.end_ns));
        }
    }
    for m in &t.trace.marks {
        let i = m.thread.index();
        let (p, _) = place(t, i);
        let name = serde_json::to_value(m.mark).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        ev.push(json!({"name": name, "ph": "i", "s": "t", "ts": us(m.at_ns), "pid": p + 1, "tid": i + 1}));
    }
    for (c, spans) in t.trace.cores.iter().enumerate() {
        for s in spans {
            let name = match s.state {
                CoreState::Idle => continue,
                CoreState::Run(th) => t.threads.get(th.index()).cloned().unwrap_or_default(),
                CoreState::Switch(th) => format!("switch → {}", t.threads.get(th.index()).cloned().unwrap_or_default()),
            };
            if s.end_ns > s.start_ns {
                ev.push(slice(&name, 0, c + 1, s.start_ns, s.end_ns));
            }
        }
    }
}

/// Each GIL's holds, in time order, and the hand-offs between them.
fn holds(t: &TracedPoint, gils: &[(usize, usize)], ev: &mut Vec<Value>) {
    let mut flow = 0u64;
    for &(g, p) in gils {
        let mut holds: Vec<(u64, u64, usize)> = Vec::new();
        for (i, spans) in t.trace.threads.iter().enumerate() {
            if place(t, i).1 != Some(g) {
                continue;
            }
            for s in spans.iter().filter(|s| s.holds_gil && s.end_ns > s.start_ns) {
                match holds.last_mut() {
                    Some(last) if last.2 == i && last.1 == s.start_ns => last.1 = s.end_ns,
                    _ => holds.push((s.start_ns, s.end_ns, i)),
                }
            }
        }
        holds.sort_unstable();
        // A thread's holds that touch merge even across other threads' lists.
        let mut merged: Vec<(u64, u64, usize)> = Vec::new();
        for h in holds {
            match merged.last_mut() {
                Some(last) if last.2 == h.2 && last.1 == h.0 => last.1 = h.1,
                _ => merged.push(h),
            }
        }
        for w in merged.windows(2) {
            let ((_, released, from), (taken, _, to)) = (w[0], w[1]);
            if from == to {
                continue;
            }
            flow += 1;
            let (pf, pt) = (place(t, from).0 + 1, place(t, to).0 + 1);
            // Inside the releaser's last slice with the GIL, and at the start of the taker's.
            ev.push(json!({"name": "hand-off", "cat": "gil", "ph": "s", "id": flow, "ts": us(released.saturating_sub(1)), "pid": pf, "tid": from + 1}));
            ev.push(json!({"name": "hand-off", "cat": "gil", "ph": "f", "bp": "e", "id": flow, "ts": us(taken), "pid": pt, "tid": to + 1}));
        }
        for (a, b, i) in merged {
            let name = t.threads.get(i).cloned().unwrap_or_default();
            ev.push(slice(&name, p + 1, gil_tid(t, g), a, b));
        }
    }
}
