//! Timelines (per thread) and Gantt charts (per core) from a trace.

use charts::{Axis, Lane, Marker, PALETTE, Plot};
use scheduler::{CoreState, Mark, ThreadState};

use crate::data::{ExpError, TracedPoint};
use crate::def::ChartDef;
use crate::figures::{Table, fmt_num};
use crate::lang::Lang;
use crate::words::words as ui;

const STATES: [(ThreadState, (u8, u8, u8)); 12] = [
    (ThreadState::Python, PALETTE[0]),
    (ThreadState::CHold, PALETTE[4]),
    (ThreadState::GilWait, PALETTE[3]),
    (ThreadState::Handoff, PALETTE[6]),
    (ThreadState::Io, PALETTE[5]),
    (ThreadState::CRelease, PALETTE[2]),
    (ThreadState::Overhead, PALETTE[1]),
    (ThreadState::Ready, (190, 190, 190)),
    (ThreadState::LockWait, (120, 120, 120)),
    (ThreadState::QueueWait, (150, 150, 150)),
    (ThreadState::Crashed, (0, 0, 0)),
    (ThreadState::NotStarted, (235, 235, 235)),
];

/// The time unit of a traced window: milliseconds, or microseconds for a
/// window under 2 ms. Returns (nanoseconds per unit, axis label, from and to
/// column headers).
fn time_unit(traced: &TracedPoint, lang: Lang) -> (f64, &'static str, &'static str, &'static str) {
    let u = ui(lang);
    if traced.to_ns.saturating_sub(traced.from_ns) < 2_000_000 {
        (1e3, u.time_us, u.from_us, u.to_us)
    } else {
        (1e6, u.time_ms, u.from_ms, u.to_ms)
    }
}

pub(crate) fn timeline(
    traced: &TracedPoint,
    def: &ChartDef,
    path: &str,
    lang: Lang,
) -> Result<(Plot, Table), ExpError> {
    let picks: Vec<usize> = match &def.threads {
        Some(names) => names
            .iter()
            .map(|n| {
                traced.threads.iter().position(|t| t == n).ok_or_else(|| ExpError {
                    path: format!("{path}.threads"),
                    message: format!("the traced run has no thread `{n}`"),
                })
            })
            .collect::<Result<_, _>>()?,
        None => (0..traced.threads.len()).collect(),
    };
    let used: Vec<(ThreadState, (u8, u8, u8))> = STATES
        .iter()
        .copied()
        .filter(|(s, _)| {
            picks.iter().any(|&t| traced.trace.threads.get(t).is_some_and(|l| l.iter().any(|sp| sp.state == *s)))
        })
        .collect();
    let (per, axis, from_h, to_h) = time_unit(traced, lang);
    let ms = |ns: u64| (ns.saturating_sub(traced.from_ns)) as f64 / per;
    let mut rows = Vec::new();
    let lanes: Vec<Lane> = picks
        .iter()
        .map(|&t| {
            let spans = traced.trace.threads.get(t).map_or(&[][..], |l| l.as_slice());
            Lane {
                label: traced.threads[t].clone(),
                spans: spans
                    .iter()
                    .filter_map(|sp| {
                        let k = used.iter().position(|(s, _)| *s == sp.state)?;
                        rows.push(vec![
                            traced.threads[t].clone(),
                            fmt_num(ms(sp.start_ns)),
                            fmt_num(ms(sp.end_ns)),
                            ui(lang).state(sp.state).into(),
                        ]);
                        Some((ms(sp.start_ns), ms(sp.end_ns), k))
                    })
                    .collect(),
            }
        })
        .collect();
    let legend: Vec<(String, (u8, u8, u8))> = used.iter().map(|(s, c)| (ui(lang).state(*s).to_owned(), *c)).collect();
    let mark_kinds = [Mark::DropRequest, Mark::FailedAcquire];
    let markers: Vec<Marker> = traced
        .trace
        .marks
        .iter()
        .filter_map(|m| {
            let lane = picks.iter().position(|&t| t == m.thread.index())?;
            let kind = mark_kinds.iter().position(|k| *k == m.mark)?;
            Some(Marker { lane, at: ms(m.at_ns), kind })
        })
        .collect();
    let marker_legend = mark_kinds
        .iter()
        .filter(|k| markers.iter().any(|m| mark_kinds[m.kind] == **k))
        .map(|k| (ui(lang).mark(*k).to_owned(), if *k == Mark::DropRequest { (0, 0, 0) } else { PALETTE[1] }))
        .collect::<Vec<_>>();
    // Marker kinds index into the filtered legend.
    let markers = markers
        .into_iter()
        .map(|m| {
            let name = ui(lang).mark(mark_kinds[m.kind]);
            Marker { kind: marker_legend.iter().position(|(n, _)| n == name).unwrap_or(0), ..m }
        })
        .collect();
    let header = vec![ui(lang).thread.into(), from_h.into(), to_h.into(), ui(lang).state_word.into()];
    Ok((
        Plot::Timeline {
            x: Axis { label: axis.into(), log: false },
            range: Some((0.0, ms(traced.to_ns))),
            emphasis: used
                .iter()
                .enumerate()
                .filter(|(_, (s, _))| matches!(s, ThreadState::Python | ThreadState::CHold | ThreadState::CRelease))
                .map(|(i, _)| i)
                .collect(),
            lanes,
            legend,
            markers,
            marker_legend,
        },
        (header, rows),
    ))
}

pub(crate) fn gantt(traced: &TracedPoint, lang: Lang) -> (Plot, Table) {
    let (per, axis, from_h, to_h) = time_unit(traced, lang);
    let ms = |ns: u64| (ns.saturating_sub(traced.from_ns)) as f64 / per;
    let mut legend: Vec<(String, (u8, u8, u8))> = Vec::new();
    let mut rows = Vec::new();
    let lanes = traced
        .trace
        .cores
        .iter()
        .enumerate()
        .map(|(c, spans)| Lane {
            label: format!("{} {c}", ui(lang).core),
            spans: spans
                .iter()
                .filter_map(|sp| {
                    let (name, colour) = match sp.state {
                        CoreState::Idle => return None,
                        CoreState::Switch(_) => (ui(lang).switching.to_owned(), (190, 190, 190)),
                        CoreState::Run(t) => {
                            let i = t.index();
                            (traced.threads.get(i).cloned().unwrap_or_default(), PALETTE[i % 6])
                        }
                    };
                    let k = match legend.iter().position(|(n, _)| *n == name) {
                        Some(k) => k,
                        None => {
                            legend.push((name.clone(), colour));
                            legend.len() - 1
                        }
                    };
                    rows.push(vec![
                        format!("{} {c}", ui(lang).core),
                        fmt_num(ms(sp.start_ns)),
                        fmt_num(ms(sp.end_ns)),
                        name,
                    ]);
                    Some((ms(sp.start_ns), ms(sp.end_ns), k))
                })
                .collect(),
        })
        .collect();
    let header = vec![ui(lang).core.into(), from_h.into(), to_h.into(), ui(lang).thread.into()];
    (
        Plot::Timeline {
            x: Axis { label: axis.into(), log: false },
            range: Some((0.0, ms(traced.to_ns))),
            emphasis: (0..legend.len()).filter(|&k| legend[k].0 != ui(lang).switching).collect(),
            lanes,
            legend,
            markers: Vec::new(),
            marker_legend: Vec::new(),
        },
        (header, rows),
    )
}

/// A number in a view's data: at most nanosecond-ish precision (six
/// decimals of the axis unit), as short as it reads.
fn short(v: f64) -> serde_json::Value {
    let r = (v * 1e6).round() / 1e6;
    serde_json::Number::from_f64(r).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The data a page needs to draw a timeline or gantt chart it can zoom,
/// pan and read: lanes of flat `[start, end, style, ...]` in the axis unit,
/// markers `[lane, at, kind]`, and a legend that says what each style and
/// marker means. `None` for other charts. The page loads it as a script
/// (`GilLab.timelineData(document.currentScript, DATA)`), which works from
/// `file://` where fetching does not.
pub fn interactive(chart: &charts::Chart, lang: Lang) -> Option<String> {
    let charts::Plot::Timeline { x, range, emphasis, lanes, legend, markers, marker_legend } = &chart.plot else {
        return None;
    };
    let u = ui(lang);
    let help = |name: &str| -> &'static str {
        if let Some(s) = ThreadState::ALL.iter().find(|s| u.state(**s) == name) {
            return u.state_help(*s);
        }
        if name == u.switching {
            return if lang == Lang::Ko {
                "다른 스레드로 바꾸는 비용"
            } else {
                "the cost of switching the core to another thread"
            };
        }
        ""
    };
    let mark_help = |name: &str| -> &'static str {
        [Mark::DropRequest, Mark::ForcedDrop, Mark::FailedAcquire, Mark::Switch, Mark::TimedOut]
            .into_iter()
            .find(|m| u.mark(*m) == name)
            .map_or("", |m| u.mark_help(m))
    };
    let unit = if x.label.contains("µs") { "µs" } else { "ms" };
    let data = serde_json::json!({
        "title": chart.title,
        "unit": unit,
        "axis": x.label,
        "range": range.map(|(a, b)| vec![short(a), short(b)]),
        "emphasis": emphasis,
        "lanes": lanes.iter().map(|l| serde_json::json!({
            "label": l.label,
            "spans": l.spans.iter().flat_map(|&(a, b, k)| [short(a), short(b), serde_json::Value::from(k)]).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "legend": legend.iter().map(|(n, c)| serde_json::json!([n, hex(*c), help(n)])).collect::<Vec<_>>(),
        "markers": markers.iter().map(|m| serde_json::json!([m.lane, short(m.at), m.kind])).collect::<Vec<_>>(),
        "markerLegend": marker_legend.iter().map(|(n, c)| serde_json::json!([n, hex(*c), mark_help(n)])).collect::<Vec<_>>(),
    });
    Some(format!(
        "(window.GilLab=window.GilLab||{{}}).timelineData&&GilLab.timelineData(document.currentScript,{data});\n"
    ))
}
