//! Plain-text tables of summaries, for `cargo xtask sim`.

use std::fmt;

use workloads::Summary;

/// Left-aligns the first column and right-aligns the others; short rows are
/// padded and long ones cut to the header.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let cols = headers.len();
    let mut width: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            width[i] = width[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let row = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut parts = Vec::new();
        for (i, cell) in cells.enumerate() {
            let pad = width[i].saturating_sub(cell.chars().count());
            parts.push(if i == 0 {
                format!("{cell}{}", " ".repeat(pad))
            } else {
                format!("{}{cell}", " ".repeat(pad))
            });
        }
        line(out, format_args!("{}", parts.join("  ").trim_end()));
    };
    row(&mut out, &mut headers.iter().copied());
    for r in rows {
        row(&mut out, &mut (0..cols).map(|i| r.get(i).map_or("", String::as_str)));
    }
    out
}

/// Appends a formatted line (what `writeln!` does, without a `Result`: a
/// `String` takes any text).
fn line(out: &mut String, args: fmt::Arguments<'_>) {
    out.push_str(&args.to_string());
    out.push('\n');
}

fn f3(x: f64) -> String {
    format!("{x:.3}")
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A readable report of one run.
pub fn summary(file: &str, s: &Summary) -> String {
    // Long on purpose: the report top to bottom, one block per section of
    // the summary, as it prints.
    let mut out = String::new();
    let title = s.title.as_deref().map(|t| format!(" — {t}")).unwrap_or_default();
    line(&mut out, format_args!("{file}{title}"));
    let end = match s.end {
        // A crashed process's threads end too, without finishing.
        scheduler::EndReason::AllFinished if s.threads.iter().any(|t| t.end_state == "crashed") => {
            "every thread finished or crashed"
        }
        scheduler::EndReason::AllFinished => "every thread finished",
        scheduler::EndReason::StopWhen => "the stop_when threads finished",
        scheduler::EndReason::Horizon => "the duration elapsed",
        scheduler::EndReason::Deadlock => "DEADLOCK: threads wait on locks nobody releases",
    };
    line(&mut out, format_args!("makespan {:.6} s ({end}), seed {}, {} events\n", s.makespan_s, s.seed, s.events));
    let g = &s.gil;
    if g.count > 0 {
        line(
            &mut out,
            format_args!(
                "GIL ({} instance{}): {} switches ({:.1}/s), {} forced drops, {} drop requests, {} failed acquires (badness {:.3}), held {}, waited for {}\n",
                g.count,
                if g.count == 1 { "" } else { "s" },
                g.switches,
                g.switches_per_s,
                g.forced_drops,
                g.drop_requests,
                g.failed_acquires,
                g.badness,
                pct(g.held_fraction),
                pct(g.wait_fraction),
            ),
        );
    } else {
        line(&mut out, format_args!("no GIL (free-threaded)\n"));
    }
    let rows: Vec<Vec<String>> = s
        .threads
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                t.process.clone(),
                f3(t.cpu_s),
                f3(t.gil_wait_s),
                f3(t.blocked_s),
                f3(t.ready_s),
                t.finished_s.map_or("-".into(), f3),
                t.end_state.to_owned(),
            ]
        })
        .collect();
    out.push_str(&table(
        &["thread", "process", "cpu s", "gil wait s", "io s", "ready s", "finished s", "state"],
        &rows,
    ));
    if !s.deadlock.is_empty() {
        let n = s.deadlock.len();
        let cycle = (0..n).all(|i| s.deadlock[i].held_by.contains(&s.deadlock[(i + 1) % n].thread));
        let how = if cycle { "a cycle: each waits for what the next holds" } else { "blocked for good" };
        line(&mut out, format_args!("\nstuck threads ({how}):"));
        for d in &s.deadlock {
            let holds = if d.holds.is_empty() { "nothing".to_owned() } else { d.holds.join(", ") };
            let by = if d.held_by.is_empty() { String::new() } else { format!(" (held by {})", d.held_by.join(", ")) };
            line(&mut out, format_args!("  {} holds {holds} and waits for {}{by}", d.thread, d.waits_for));
        }
    }
    let cores: Vec<String> = s.cores.iter().map(|c| pct(*c)).collect();
    line(&mut out, format_args!("\ncores busy: {}", cores.join(", ")));
    if !s.shared.is_empty() {
        let vars: Vec<String> = s.shared.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        line(&mut out, format_args!("shared: {}", vars.join(", ")));
    }
    if let Some(v) = &s.server {
        line(
            &mut out,
            format_args!(
                "\nserver: {} sent, {} completed ({:.1} requests/s), {} refused, {} timed out (504), {} failed, {} late, {} in flight",
                v.sent, v.completed, v.throughput_rps, v.refused, v.timed_out, v.failed, v.late, v.in_flight
            ),
        );
        match &v.latency_ms {
            Some(l) => line(
                &mut out,
                format_args!(
                    "latency ms: p50 {:.2}, p90 {:.2}, p99 {:.2}, max {:.2}, mean {:.2}",
                    l.p50, l.p90, l.p99, l.max, l.mean
                ),
            ),
            None => line(&mut out, format_args!("latency: none (no request completed)")),
        }
    }
    if !s.tasks.is_empty() {
        let rows: Vec<Vec<String>> = s
            .tasks
            .iter()
            .map(|t| {
                vec![
                    t.name.clone(),
                    t.finished_s.map_or("-".into(), f3),
                    t.awaits.to_string(),
                    format!("{:.3}", t.max_lag_ms),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&table(&["task", "finished s", "awaits", "max lag ms"], &rows));
    }
    if let Some(j) = &s.jobs {
        let rows: Vec<Vec<String>> = j
            .jobs
            .iter()
            .map(|x| {
                vec![
                    x.name.clone(),
                    format!("{:.3}", x.arrival_ms),
                    format!("{:.3}", x.burst_ms),
                    format!("{:.3}", x.waiting_ms),
                    x.turnaround_ms.map_or("-".into(), |t| format!("{t:.3}")),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&table(&["job", "arrival ms", "burst ms", "waiting ms", "turnaround ms"], &rows));
        line(
            &mut out,
            format_args!(
                "mean waiting {:.3} ms, mean turnaround {}",
                j.mean_waiting_ms,
                j.mean_turnaround_ms.map_or_else(|| "- (no job finished)".to_owned(), |t| format!("{t:.3} ms"))
            ),
        );
    }
    if let Some(p) = &s.pool {
        line(
            &mut out,
            format_args!(
                "\npool ({}): {} workers, {} tasks in {} chunks of {}, serial work {:.3} s, speed-up {:.2}x, {:.2} MB through pipes, {:.0} MB of processes",
                p.kind, p.workers, p.tasks, p.chunks, p.chunksize, p.serial_s, p.speedup, p.ipc_mb, p.memory_mb
            ),
        );
    }
    out
}

/// One row per sweep point.
pub fn sweep(file: &str, labels: &[Vec<(String, String)>], summaries: &[Summary]) -> String {
    // Points may set different fields (cases): a column per field ever set.
    let mut params: Vec<String> = Vec::new();
    for l in labels {
        for (k, _) in l {
            if !params.contains(k) {
                params.push(k.clone());
            }
        }
    }
    let mut headers: Vec<String> = params.clone();
    headers.extend(["makespan s", "switches/s"].map(String::from));
    let server = summaries.iter().any(|s| s.server.is_some());
    if server {
        headers.extend(["rps", "p50 ms", "p99 ms", "refused", "timed out"].map(String::from));
    }
    let shared: Vec<String> = summaries.first().map(|s| s.shared.keys().cloned().collect()).unwrap_or_default();
    headers.extend(shared.iter().cloned());
    let rows: Vec<Vec<String>> = labels
        .iter()
        .zip(summaries)
        .map(|(label, s)| {
            let mut row: Vec<String> = params
                .iter()
                .map(|k| label.iter().find(|(p, _)| p == k).map_or("-".into(), |(_, v)| v.clone()))
                .collect();
            row.push(format!("{:.6}", s.makespan_s));
            row.push(format!("{:.1}", s.gil.switches_per_s));
            if server {
                match &s.server {
                    Some(v) => row.extend([
                        format!("{:.1}", v.throughput_rps),
                        v.latency_ms.map_or("-".into(), |l| format!("{:.2}", l.p50)),
                        v.latency_ms.map_or("-".into(), |l| format!("{:.2}", l.p99)),
                        v.refused.to_string(),
                        v.timed_out.to_string(),
                    ]),
                    None => row.extend(std::iter::repeat_n("-".to_owned(), 5)),
                }
            }
            row.extend(shared.iter().map(|k| s.shared.get(k).map_or("-".into(), i64::to_string)));
            row
        })
        .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    format!("{file}: {} runs\n\n{}", summaries.len(), table(&header_refs, &rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ragged_rows_do_not_panic() {
        let t = table(&["a", "b"], &[vec!["1".into()], vec!["1".into(), "2".into(), "3".into()]]);
        assert_eq!(t.lines().count(), 3);
    }

    #[test]
    fn aligns_columns() {
        let t = table(&["name", "value"], &[vec!["a".into(), "1".into()], vec!["longer".into(), "12345".into()]]);
        expect_test::expect![[r#"
            name    value
            a           1
            longer  12345
        "#]]
        .assert_eq(&t);
    }
}
