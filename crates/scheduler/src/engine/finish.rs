//! The end of a run: closing open intervals and assembling the results.

use super::{Engine, Reply, Sched};
use crate::result::{
    CoreReport, EndReason, GilReport, ProcessReport, SimResult, SourceReport, TaskReport, ThreadReport, summarise,
};
use crate::trace::TraceSink;

impl<S: TraceSink> Engine<'_, S> {
    pub(super) fn finish(mut self, end: EndReason) -> SimResult {
        // Long on purpose: one pass that closes every open interval (threads,
        // cores, GILs, processes) at the end time, then moves each into the
        // result; split, each part would need the whole engine.
        let now = self.now;
        for t in 0..self.threads.len() as u32 {
            let th = &self.threads[t as usize];
            match th.sched {
                Sched::Running(core) => {
                    let burst_part = now - th.burst.start;
                    let on_core = now - th.run_start;
                    self.threads[t as usize].cpu_ns += burst_part;
                    self.cores[core as usize].busy_ns += on_core;
                }
                Sched::Switching(core) => {
                    self.cores[core as usize].switch_ns += now - th.dispatched_at;
                }
                _ => {}
            }
            let th = &mut self.threads[t as usize];
            th.times.add(th.state, now - th.state_since);
            th.state_since = now;
        }
        for slot in &mut self.gils {
            if slot.gil.holder().is_some() {
                slot.held_ns += now - slot.held_since;
            }
            if slot.waiting > 0 {
                slot.wait_ns += now - slot.wait_since;
            }
        }
        self.sink.finish(now);
        let frac = |ns: u64| if now == 0 { 0.0 } else { ns as f64 / now as f64 };
        let threads = self
            .threads
            .iter()
            .zip(&self.names)
            .map(|(th, (name, process))| ThreadReport {
                name: name.clone(),
                process: *process,
                gil: th.gil,
                start_ns: th.start_ns,
                finished_ns: th.finished,
                end_state: th.state,
                cpu_ns: th.cpu_ns,
                time: th.times,
                acquisitions: th.acquisitions,
                failed_acquires: th.failed,
                forced_drops: th.forced,
            })
            .collect();
        let gils = self
            .gils
            .iter()
            .map(|s| {
                let stats = s.carried + *s.gil.stats();
                GilReport {
                    process: s.process,
                    interpreter: s.interpreter,
                    stats,
                    held_ns: s.held_ns,
                    wait_ns: s.wait_ns,
                    held_fraction: frac(s.held_ns),
                    wait_fraction: frac(s.wait_ns),
                    switches_per_sec: if now == 0 { 0.0 } else { stats.switches as f64 / (now as f64 * 1e-9) },
                }
            })
            .collect();
        let cores = self
            .cores
            .iter()
            .map(|c| CoreReport {
                busy_ns: c.busy_ns,
                switch_ns: c.switch_ns,
                idle_ns: now - c.busy_ns - c.switch_ns,
                utilisation: frac(c.busy_ns + c.switch_ns),
                context_switches: c.dispatches,
            })
            .collect();
        let processes = self
            .procs
            .iter()
            .map(|p| ProcessReport {
                name: p.name.clone(),
                memory_mb: p.memory_mb,
                crashes: p.crashes,
                restarts: p.restarts,
            })
            .collect();
        let sources = self.source_reports();
        let mut tasks = Vec::new();
        for (t, th) in self.threads.iter().enumerate() {
            if let Some(lp) = &th.lp {
                tasks.extend(lp.tasks.iter().map(|task| TaskReport {
                    name: task.name.clone(),
                    thread: t as u32,
                    finished_ns: task.finished,
                    awaits: task.awaits,
                    max_lag_ns: task.max_lag,
                    total_lag_ns: task.total_lag,
                }));
            }
        }
        SimResult {
            end,
            makespan_ns: now,
            events: self.events,
            threads,
            gils,
            cores,
            processes,
            vars: std::mem::take(&mut self.vars),
            sources,
            tasks,
        }
    }

    /// Requests still pending at the end: a closed-loop client still waiting
    /// is in flight; an open-loop request past its timeout has timed out.
    fn source_reports(&mut self) -> Vec<SourceReport> {
        let now = self.now;
        let mut pending: Vec<Vec<u64>> = vec![Vec::new(); self.sources.len()];
        let queued = self.queues.iter().flat_map(|q| q.items.iter());
        let serving = self.threads.iter().filter_map(|th| th.item.as_ref());
        for item in queued.chain(serving) {
            if let Reply::Client { source, .. } = item.reply {
                pending[source as usize].push(item.created);
            }
        }
        self.sources
            .iter_mut()
            .zip(pending)
            .map(|(src, created)| {
                let (mut in_flight, mut timed_out) = (0, src.timed_out);
                if src.is_closed() {
                    in_flight = src.clients.iter().filter(|c| c.waiting.is_some()).count() as u64;
                } else {
                    for c in created {
                        if src.timeout_ns.is_some_and(|to| now - c > to) {
                            timed_out += 1;
                        } else {
                            in_flight += 1;
                        }
                    }
                }
                let (latency, cdf_ns) = summarise(&mut src.latencies);
                let seconds = (src.stop_ns.min(now.max(src.start_ns)) - src.start_ns) as f64 * 1e-9;
                SourceReport {
                    name: src.name.clone(),
                    sent: src.sent,
                    completed: src.completed,
                    refused: src.refused,
                    timed_out,
                    failed: src.failed,
                    in_flight,
                    late: src.late,
                    throughput_rps: if seconds > 0.0 { src.completed as f64 / seconds } else { 0.0 },
                    latency,
                    cdf_ns,
                }
            })
            .collect()
    }
}
