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

use serde::Serialize;

use scheduler::{CoreState, ThreadState};

use crate::data::TracedPoint;

/// `tid` of GIL `g`'s track: after every thread's.
fn gil_tid(t: &TracedPoint, g: usize) -> usize {
    t.threads.len() + 1 + g
}

fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

/// A trace in Chrome's format, ready to serialise. Typed events instead of
/// `serde_json::Value`s: a trace holds tens of thousands, and a map per
/// event made writing the site's traces its slowest step. Fields are in
/// alphabetical order, the order the `Value`s were written in.
#[derive(Clone, Debug, Serialize)]
pub struct ChromeTrace {
    #[serde(rename = "displayTimeUnit")]
    display_time_unit: &'static str,
    #[serde(rename = "otherData")]
    other_data: OtherData,
    #[serde(rename = "traceEvents")]
    trace_events: Vec<Event>,
}

#[derive(Clone, Debug, Serialize)]
struct OtherData {
    end_ns: u64,
    generator: &'static str,
    window_ns: [u64; 2],
}

/// One trace event; each variant's fields in alphabetical order.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
enum Event {
    /// A complete event, kept to the keys the viewers need.
    Slice {
        dur: f64,
        name: String,
        ph: &'static str,
        pid: usize,
        tid: usize,
        ts: f64,
    },
    Meta {
        args: MetaArgs,
        name: &'static str,
        ph: &'static str,
        pid: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        tid: Option<usize>,
    },
    Instant {
        name: String,
        ph: &'static str,
        pid: usize,
        s: &'static str,
        tid: usize,
        ts: f64,
    },
    Flow {
        #[serde(skip_serializing_if = "Option::is_none")]
        bp: Option<&'static str>,
        cat: &'static str,
        id: u64,
        name: &'static str,
        ph: &'static str,
        pid: usize,
        tid: usize,
        ts: f64,
    },
}

#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
enum MetaArgs {
    Name { name: String },
    Sort { sort_index: usize },
}

fn slice(name: String, pid: usize, tid: usize, start: u64, end: u64) -> Event {
    Event::Slice { dur: us(end - start), name, ph: "X", pid, tid, ts: us(start) }
}

fn meta(what: &'static str, pid: usize, tid: Option<usize>, args: MetaArgs) -> Event {
    Event::Meta { args, name: what, ph: "M", pid, tid }
}

fn named(name: impl Into<String>) -> MetaArgs {
    MetaArgs::Name { name: name.into() }
}

fn sort(index: usize) -> MetaArgs {
    MetaArgs::Sort { sort_index: index }
}

/// The process and GIL of thread `i` (process 0 and GIL 0 for a trace
/// recorded before places were kept).
fn place(t: &TracedPoint, i: usize) -> (usize, Option<usize>) {
    t.places.get(i).copied().unwrap_or((0, Some(0)))
}

/// [`chrome_trace`] as the bytes of a `trace.json` file.
pub fn chrome_trace_json(t: &TracedPoint) -> Vec<u8> {
    serde_json::to_vec(&chrome_trace(t)).expect("a trace of plain fields serialises")
}

/// The trace in Chrome's trace-event format (serialise it with
/// `serde_json`).
pub fn chrome_trace(t: &TracedPoint) -> ChromeTrace {
    let mut ev: Vec<Event> = Vec::new();
    let gils = tracks(t, &mut ev);
    states(t, &mut ev);
    holds(t, &gils, &mut ev);
    ChromeTrace {
        display_time_unit: "ns",
        other_data: OtherData {
            end_ns: t.trace.end_ns,
            generator: "gil-lab",
            window_ns: [t.from_ns, t.to_ns.min(t.trace.end_ns.max(t.from_ns))],
        },
        trace_events: ev,
    }
}

/// Names and order of processes and tracks; returns every GIL with its
/// process, in order of first use.
fn tracks(t: &TracedPoint, ev: &mut Vec<Event>) -> Vec<(usize, usize)> {
    let processes = t.processes.len().max(1);
    ev.push(meta("process_name", 0, None, named("CPU")));
    ev.push(meta("process_sort_index", 0, None, sort(0)));
    for p in 0..processes {
        let name = t.processes.get(p).cloned().unwrap_or_else(|| "main".into());
        ev.push(meta("process_name", p + 1, None, named(format!("process {name}"))));
        ev.push(meta("process_sort_index", p + 1, None, sort(p + 1)));
    }
    for (c, _) in t.trace.cores.iter().enumerate() {
        ev.push(meta("thread_name", 0, Some(c + 1), named(format!("core {c}"))));
        ev.push(meta("thread_sort_index", 0, Some(c + 1), sort(c)));
    }
    let mut gils: Vec<(usize, usize)> = Vec::new(); // (GIL, its process)
    for (i, name) in t.threads.iter().enumerate() {
        let (p, g) = place(t, i);
        ev.push(meta("thread_name", p + 1, Some(i + 1), named(name.clone())));
        ev.push(meta("thread_sort_index", p + 1, Some(i + 1), sort(i + 1)));
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
        ev.push(meta("thread_name", p + 1, Some(gil_tid(t, g)), named(name)));
        ev.push(meta("thread_sort_index", p + 1, Some(gil_tid(t, g)), sort(0)));
    }
    gils
}

/// Thread states, marks and what each core runs.
fn states(t: &TracedPoint, ev: &mut Vec<Event>) {
    for (i, spans) in t.trace.threads.iter().enumerate() {
        let (p, _) = place(t, i);
        for s in spans {
            if matches!(s.state, ThreadState::NotStarted | ThreadState::Done) || s.end_ns <= s.start_ns {
                continue;
            }
            ev.push(slice(s.state.name().to_owned(), p + 1, i + 1, s.start_ns, s.end_ns));
        }
    }
    for m in &t.trace.marks {
        let i = m.thread.index();
        let (p, _) = place(t, i);
        let name = serde_json::to_value(m.mark).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        ev.push(Event::Instant { name, ph: "i", pid: p + 1, s: "t", tid: i + 1, ts: us(m.at_ns) });
    }
    for (c, spans) in t.trace.cores.iter().enumerate() {
        for s in spans {
            let name = match s.state {
                CoreState::Idle => continue,
                CoreState::Run(th) => t.threads.get(th.index()).cloned().unwrap_or_default(),
                CoreState::Switch(th) => format!("switch → {}", t.threads.get(th.index()).cloned().unwrap_or_default()),
            };
            if s.end_ns > s.start_ns {
                ev.push(slice(name, 0, c + 1, s.start_ns, s.end_ns));
            }
        }
    }
}

/// Each GIL's holds, in time order, and the hand-offs between them.
fn holds(t: &TracedPoint, gils: &[(usize, usize)], ev: &mut Vec<Event>) {
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
            ev.push(Event::Flow {
                bp: None,
                cat: "gil",
                id: flow,
                name: "hand-off",
                ph: "s",
                pid: pf,
                tid: from + 1,
                ts: us(released.saturating_sub(1)),
            });
            ev.push(Event::Flow {
                bp: Some("e"),
                cat: "gil",
                id: flow,
                name: "hand-off",
                ph: "f",
                pid: pt,
                tid: to + 1,
                ts: us(taken),
            });
        }
        for (a, b, i) in merged {
            let name = t.threads.get(i).cloned().unwrap_or_default();
            ev.push(slice(name, p + 1, gil_tid(t, g), a, b));
        }
    }
}
