//! The end of a run: closing open intervals and assembling the results.

use super::{Engine, Reply, Sched};
use crate::program::Kind;
use crate::result::{
    CoreReport, EndReason, GilReport, ProcessReport, Resource, SimResult, SourceReport, Stuck, TaskReport,
    ThreadReport, summarise,
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
        let deadlock = self.explain_deadlock(end);
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
                    lags: task.lags,
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
            deadlock,
        }
    }

    /// What a blocked thread waits for, if it is blocked on a lock, a
    /// semaphore or a queue.
    fn waits_for(&self, t: u32) -> Option<Resource> {
        let th = &self.threads[t as usize];
        if th.sched != Sched::Blocked {
            return None;
        }
        match th.kind {
            Kind::Lock(n) => Some(Resource::Lock(n)),
            Kind::SemAcquire(n) => Some(Resource::Semaphore(n)),
            Kind::Get(q) | Kind::Put(q, _) | Kind::Reserve(q) | Kind::Forward(q) => Some(Resource::Queue(q)),
            _ => None,
        }
        .filter(|_| matches!(th.state, crate::trace::ThreadState::LockWait | crate::trace::ThreadState::QueueWait))
    }

    fn held_by(&self, r: Resource) -> Vec<u32> {
        match r {
            Resource::Lock(n) => self.locks[n as usize].holder.into_iter().collect(),
            Resource::Semaphore(n) => {
                let mut h = self.sems[n as usize].holders.clone();
                h.sort_unstable();
                h.dedup();
                h
            }
            Resource::Queue(_) => Vec::new(),
        }
    }

    fn stuck(&self, t: u32, waits_for: Resource) -> Stuck {
        let mut holds: Vec<Resource> = (0..self.locks.len() as u32)
            .filter(|&l| self.locks[l as usize].holder == Some(t))
            .map(Resource::Lock)
            .collect();
        holds.extend(
            (0..self.sems.len() as u32)
                .filter(|&s| self.sems[s as usize].holders.contains(&t))
                .map(Resource::Semaphore),
        );
        Stuck { thread: t, holds, waits_for, held_by: self.held_by(waits_for) }
    }

    /// A cycle in the wait-for graph (thread -> holders of what it waits
    /// for), found by depth-first search from the lowest thread number; else,
    /// after a deadlock end, every thread blocked on a lock, semaphore or queue.
    fn explain_deadlock(&self, end: EndReason) -> Vec<Stuck> {
        let n = self.threads.len();
        let waits: Vec<Option<Resource>> = (0..n as u32).map(|t| self.waits_for(t)).collect();
        if !(self.locks.is_empty() && self.sems.is_empty()) {
            let edges: Vec<Vec<u32>> = waits
                .iter()
                .map(|w| match w {
                    Some(r @ (Resource::Lock(_) | Resource::Semaphore(_))) => self.held_by(*r),
                    _ => Vec::new(),
                })
                .collect();
            // 0 unvisited, 1 on the current path, 2 done.
            let mut colour = vec![0u8; n];
            for start in 0..n {
                if colour[start] != 0 || edges[start].is_empty() {
                    continue;
                }
                let mut path: Vec<(u32, usize)> = vec![(start as u32, 0)];
                colour[start] = 1;
                while let Some(&mut (t, ref mut next)) = path.last_mut() {
                    let Some(&h) = edges[t as usize].get(*next) else {
                        colour[t as usize] = 2;
                        path.pop();
                        continue;
                    };
                    *next += 1;
                    match colour[h as usize] {
                        0 => {
                            colour[h as usize] = 1;
                            path.push((h, 0));
                        }
                        1 => {
                            let from = path.iter().position(|(x, _)| *x == h).expect("on the path");
                            let mut cycle: Vec<u32> = path[from..].iter().map(|(x, _)| *x).collect();
                            let first = cycle.iter().enumerate().min_by_key(|(_, x)| **x).map_or(0, |(i, _)| i);
                            cycle.rotate_left(first);
                            return cycle
                                .into_iter()
                                .map(|t| self.stuck(t, waits[t as usize].expect("in the cycle")))
                                .collect();
                        }
                        _ => {}
                    }
                }
            }
        }
        if end != EndReason::Deadlock {
            return Vec::new();
        }
        (0..n as u32).filter_map(|t| waits[t as usize].map(|r| self.stuck(t, r))).collect()
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
