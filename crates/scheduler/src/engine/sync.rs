//! Queues and items, answers to senders, request sources, process crashes.

use std::collections::VecDeque;

use gil_core::ReleaseKind;
use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::{Cont, Engine, Frame, Item, Reply, Sched, WakeCause, What};
use crate::program::{self, Kind};
use crate::scenario::{Arrivals, Dist, QueueSpec, SourceSpec};
use crate::trace::{ThreadState, TraceSink};

pub(super) struct QueueRt {
    pub(super) items: VecDeque<Item>,
    capacity: Option<u32>,
    /// Threads blocked waiting for an item, in arrival order.
    getters: VecDeque<u32>,
    /// Threads blocked waiting for room, in arrival order.
    putters: VecDeque<u32>,
    /// The process whose crash loses the queued items.
    owner: Option<u32>,
}

impl QueueRt {
    pub(super) fn new(spec: &QueueSpec) -> QueueRt {
        QueueRt {
            items: VecDeque::new(),
            capacity: spec.capacity,
            getters: VecDeque::new(),
            putters: VecDeque::new(),
            owner: spec.owner,
        }
    }

    fn has_room(&self) -> bool {
        self.capacity.is_none_or(|c| self.items.len() < c as usize)
    }
}

/// Whether an item's work was done or lost in a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Done,
    Failed,
}

pub(super) struct ClientRt {
    /// The request it waits for.
    pub(super) waiting: Option<u64>,
}

pub(super) struct SourceRt {
    pub(super) name: String,
    queue: u32,
    /// (cumulative weight, routine).
    weights: Vec<(u64, u32)>,
    arrivals: Arrivals,
    pub(super) start_ns: u64,
    pub(super) stop_ns: u64,
    pub(super) timeout_ns: Option<u64>,
    retry_ns: u64,
    rng: Pcg64Mcg,
    /// Entity number of its first client, relative to the clients' base.
    pub(super) entity_base: u32,
    pub(super) clients: Vec<ClientRt>,
    pub(super) sent: u64,
    pub(super) completed: u64,
    pub(super) refused: u64,
    pub(super) timed_out: u64,
    pub(super) failed: u64,
    pub(super) late: u64,
    pub(super) latencies: Vec<u64>,
}

impl SourceRt {
    pub(super) fn new(spec: &SourceSpec, entity_base: u32, clients: u32, rng: Pcg64Mcg) -> SourceRt {
        let mut total = 0;
        let weights = spec
            .routines
            .iter()
            .filter(|(_, w)| *w > 0)
            .map(|&(r, w)| {
                total += u64::from(w);
                (total, r)
            })
            .collect();
        SourceRt {
            name: spec.name.clone(),
            queue: spec.queue,
            weights,
            arrivals: spec.arrivals,
            start_ns: spec.start_ns,
            stop_ns: spec.stop_ns,
            timeout_ns: spec.timeout_ns,
            retry_ns: spec.retry_ns,
            rng,
            entity_base,
            clients: (0..clients).map(|_| ClientRt { waiting: None }).collect(),
            sent: 0,
            completed: 0,
            refused: 0,
            timed_out: 0,
            failed: 0,
            late: 0,
            latencies: Vec::new(),
        }
    }

    fn pick_routine(&mut self) -> u32 {
        let total = self.weights.last().map_or(0, |w| w.0);
        let x = self.rng.random_range(0..total);
        // Validated: a source has a routine of positive weight, and `x` is
        // below the last cumulative weight.
        self.weights.iter().find(|(cum, _)| x < *cum).map(|w| w.1).expect("weights cover the range")
    }

    fn think(&mut self) -> u64 {
        match self.arrivals {
            Arrivals::Closed { think, .. } => match think {
                Dist::Fixed(0) => 0,
                d => program::sample(d, &mut self.rng),
            },
            Arrivals::Open { .. } => 0,
        }
    }

    /// Whether a closed-loop client still waits for this request.
    pub(super) fn waits_for(&self, client: u32, id: u64) -> bool {
        self.clients[client as usize].waiting == Some(id)
    }

    pub(super) fn is_closed(&self) -> bool {
        matches!(self.arrivals, Arrivals::Closed { .. })
    }
}

impl<S: TraceSink> Engine<'_, S> {
    fn new_item(&mut self, routine: Option<u32>, reply: Reply) -> Item {
        self.next_item += 1;
        Item { id: self.next_item, routine, created: self.now, reply }
    }

    /// Hands `item` to a waiting getter or queues it; `false` if the queue is
    /// full. `putter` is the thread that put it, if a thread did.
    pub(super) fn offer(&mut self, q: u32, item: Item, force: bool, putter: Option<u32>) -> bool {
        let queue = &mut self.queues[q as usize];
        if let Some(g) = queue.getters.pop_front() {
            // A queue between processes is a pipe or a socket, whose writer
            // wakes the reader with WF_SYNC; one inside a process is a
            // `queue.Queue` (a condition variable: a plain futex wake).
            let sync = putter.filter(|&p| self.threads[p as usize].process != self.threads[g as usize].process);
            if let Some(p) = putter
                && self.idle_core(g).is_some()
            {
                // Waking a sleeper onto an idle core costs the writer what a
                // futex wake does (the kick of that core); onto a busy one,
                // nothing beyond the write (measured: a loopback `sendto` 3 µs,
                // 13 µs when it wakes the reader on the other, idle CPU).
                let cost = self.wake_cost(g);
                self.threads[p as usize].overhead_left += cost;
            }
            let th = &mut self.threads[g as usize];
            th.sync_waker = sync;
            th.item = Some(item);
            th.remaining = 0;
            self.wake_blocked(g, WakeCause::QueueItem);
            true
        } else if force || queue.has_room() {
            queue.items.push_back(item);
            true
        } else {
            false
        }
    }

    /// `get`: takes an item if one is there, else releases the GIL and blocks.
    pub(super) fn get(&mut self, t: u32) -> bool {
        if self.take_item(t) {
            return false;
        }
        let th = &mut self.threads[t as usize];
        th.cont = Cont::GetTry;
        if th.holds {
            self.release_gil(t, ReleaseKind::Voluntary);
        }
        false
    }

    pub(super) fn get_try(&mut self, t: u32) -> bool {
        if self.take_item(t) {
            return false;
        }
        let Kind::Get(q) = self.threads[t as usize].kind else { unreachable!("get retry outside a get") };
        self.queues[q as usize].getters.push_back(t);
        self.block(t, ThreadState::QueueWait, None);
        true
    }

    fn take_item(&mut self, t: u32) -> bool {
        let Kind::Get(q) = self.threads[t as usize].kind else { unreachable!("take outside a get") };
        let queue = &mut self.queues[q as usize];
        let Some(item) = queue.items.pop_front() else { return false };
        if let Some(p) = queue.putters.pop_front() {
            self.wake_blocked(p, WakeCause::QueueRoom);
        }
        let th = &mut self.threads[t as usize];
        th.item = Some(item);
        th.remaining = 0;
        th.cont = Cont::Fetch;
        true
    }

    /// `put` (a fresh item), `reserve` (nothing) or `forward` (the current
    /// item): goes on if there is room, else releases the GIL and blocks.
    pub(super) fn put(&mut self, t: u32) -> bool {
        if self.put_item(t) {
            return false;
        }
        let th = &mut self.threads[t as usize];
        th.cont = Cont::PutTry;
        if th.holds {
            self.release_gil(t, ReleaseKind::Voluntary);
        }
        false
    }

    pub(super) fn put_try(&mut self, t: u32) -> bool {
        if self.put_item(t) {
            return false;
        }
        let q = put_queue(self.threads[t as usize].kind);
        self.queues[q as usize].putters.push_back(t);
        self.block(t, ThreadState::QueueWait, None);
        true
    }

    /// `put`, `reserve` or `forward` once there is room (or a getter).
    fn put_item(&mut self, t: u32) -> bool {
        let kind = self.threads[t as usize].kind;
        let q = put_queue(kind);
        let queue = &self.queues[q as usize];
        if queue.getters.is_empty() && !queue.has_room() {
            return false;
        }
        match kind {
            Kind::Put(_, routine) => {
                let item = self.new_item(routine, Reply::None);
                self.offer(q, item, false, Some(t));
            }
            Kind::Forward(_) => {
                for s in 0..self.sems.len() {
                    // The permits a killed thread took go back.
                    while self.sems[s].holders.contains(&t) {
                        if let Some(w) = self.sems[s].give(t) {
                            self.wake_blocked(w, WakeCause::LockSignalled);
                        }
                    }
                }
                if let Some(item) = self.threads[t as usize].item.take() {
                    self.offer(q, item, false, Some(t));
                }
            }
            _ => {}
        }
        let th = &mut self.threads[t as usize];
        th.remaining = 0;
        th.cont = Cont::Fetch;
        true
    }

    /// Answers the sender of the thread's current item (its routine is done).
    pub(super) fn reply_current(&mut self, t: u32) {
        for s in 0..self.sems.len() {
            // The permits a killed thread took go back.
            while self.sems[s].holders.contains(&t) {
                if let Some(w) = self.sems[s].give(t) {
                    self.wake_blocked(w, WakeCause::LockSignalled);
                }
            }
        }
        if let Some(item) = self.threads[t as usize].item.take() {
            self.answer(item, Outcome::Done);
        }
    }

    fn answer(&mut self, item: Item, outcome: Outcome) {
        match item.reply {
            Reply::None => {}
            Reply::Client { source, client } => self.client_answer(source, client, item, outcome),
            Reply::Task { thread, task, incarnation } => {
                if outcome == Outcome::Done && self.threads[thread as usize].incarnation == incarnation {
                    self.task_ready(thread, task);
                }
            }
        }
    }

    fn client_answer(&mut self, s: u32, client: u32, item: Item, outcome: Outcome) {
        let latency = self.now - item.created;
        let src = &mut self.sources[s as usize];
        if src.is_closed() {
            if !src.waits_for(client, item.id) {
                // Its client gave up already: wasted work.
                src.late += u64::from(outcome == Outcome::Done);
                return;
            }
            src.clients[client as usize].waiting = None;
            match outcome {
                Outcome::Done => {
                    src.completed += 1;
                    src.latencies.push(latency);
                }
                Outcome::Failed => src.failed += 1,
            }
            let next = self.now + src.think();
            // Replaces the pending timeout.
            self.queue.schedule(self.client_base + src.entity_base + client, next, What::Arrive);
        } else {
            match outcome {
                Outcome::Done if src.timeout_ns.is_some_and(|to| latency > to) => {
                    src.timed_out += 1;
                    src.late += 1;
                }
                Outcome::Done => {
                    src.completed += 1;
                    src.latencies.push(latency);
                }
                Outcome::Failed => src.failed += 1,
            }
        }
    }

    pub(super) fn on_arrive(&mut self, ci: u32) {
        let (s, client) = self.clients[ci as usize];
        let src = &mut self.sources[s as usize];
        if self.now >= src.stop_ns {
            return;
        }
        let routine = src.pick_routine();
        let queue = src.queue;
        src.sent += 1;
        let item = self.new_item(Some(routine), Reply::Client { source: s, client });
        let accepted = self.offer(queue, item, false, None);
        let entity = self.client_base + ci;
        let src = &mut self.sources[s as usize];
        match src.arrivals {
            Arrivals::Closed { .. } => {
                if accepted {
                    src.clients[client as usize].waiting = Some(item.id);
                    if let Some(to) = src.timeout_ns {
                        self.queue.schedule(entity, self.now + to, What::ClientTimeout);
                    }
                } else {
                    src.refused += 1;
                    let next = self.now + src.retry_ns + src.think();
                    self.queue.schedule(entity, next, What::Arrive);
                }
            }
            Arrivals::Open { rate_per_sec } => {
                if !accepted {
                    src.refused += 1;
                }
                let mean = (1e9 / rate_per_sec).round().max(1.0) as u64;
                let gap = program::sample(Dist::Exp { mean }, &mut src.rng);
                self.queue.schedule(entity, self.now + gap, What::Arrive);
            }
        }
    }

    pub(super) fn on_client_timeout(&mut self, ci: u32) {
        let (s, client) = self.clients[ci as usize];
        let src = &mut self.sources[s as usize];
        if src.clients[client as usize].waiting.take().is_some() {
            src.timed_out += 1;
            let next = self.now + src.think();
            self.queue.schedule(self.client_base + ci, next, What::Arrive);
        }
    }

    /// The process dies: every thread with it, its GILs are reset, the items
    /// it was serving are lost.
    pub(super) fn on_crash(&mut self, p: u32) {
        let proc_ = &mut self.procs[p as usize];
        proc_.crashes += 1;
        let threads = proc_.threads.clone();
        let restart = proc_.crash.and_then(|c| c.restart_after_ns);
        let mut freed = Vec::new();
        for t in threads.clone() {
            self.kill(t, &mut freed);
        }
        // Items waiting in the dead process's own queues die with it; a
        // thread elsewhere blocked on one of them finds room now.
        for q in 0..self.queues.len() {
            if self.queues[q].owner != Some(p) {
                continue;
            }
            let lost: Vec<Item> = self.queues[q].items.drain(..).collect();
            for item in lost {
                self.answer(item, Outcome::Failed);
            }
            for w in std::mem::take(&mut self.queues[q].putters) {
                self.wake_blocked(w, WakeCause::QueueRoom);
            }
        }
        for g in self.procs[p as usize].gils.clone() {
            let slot = &mut self.gils[g as usize];
            if slot.gil.holder().is_some() {
                slot.held_ns += self.now - slot.held_since;
            }
            debug_assert_eq!(slot.waiting, 0, "every waiter of a crashed GIL was killed");
            let stats = *slot.gil.stats();
            slot.carried = slot.carried + stats;
            slot.gil = slot.pristine.clone();
        }
        for core in freed {
            self.dispatch_next(core);
        }
        match restart {
            Some(after) => self.queue.schedule(self.proc_base + p, self.now + after, What::Restart),
            None => {
                for t in threads {
                    self.live -= 1;
                    if self.stop_when[t as usize] {
                        self.stop_left -= 1;
                    }
                }
            }
        }
    }

    fn kill(&mut self, t: u32, freed: &mut Vec<u32>) {
        let sched = self.threads[t as usize].sched;
        match sched {
            Sched::Running(_) => {
                let elapsed = self.now - self.threads[t as usize].burst.start;
                self.threads[t as usize].cpu_ns += elapsed;
                freed.push(self.vacate(t, Sched::Done));
            }
            Sched::Switching(_) => freed.push(self.vacate(t, Sched::Done)),
            Sched::Ready => self.dequeue(t),
            Sched::Blocked => {
                for lock in &mut self.locks {
                    lock.sleepers.retain(|x| *x != t);
                }
                for sem in &mut self.sems {
                    sem.sleepers.retain(|x| *x != t);
                }
                for queue in &mut self.queues {
                    queue.getters.retain(|x| *x != t);
                    queue.putters.retain(|x| *x != t);
                }
            }
            Sched::NotStarted | Sched::Done => {}
        }
        self.queue.cancel(t);
        if self.threads[t as usize].finished.is_some() && sched == Sched::Done {
            // It had ended before the crash; a restart runs it again.
            self.live += 1;
        }
        for l in 0..self.locks.len() {
            if self.locks[l].holder == Some(t) {
                self.locks[l].holder = None;
                if let Some(w) = self.locks[l].sleepers.pop_front() {
                    self.wake_blocked(w, WakeCause::LockSignalled);
                }
            }
        }
        for s in 0..self.sems.len() {
            // The permits a killed thread took go back.
            while self.sems[s].holders.contains(&t) {
                if let Some(w) = self.sems[s].give(t) {
                    self.wake_blocked(w, WakeCause::LockSignalled);
                }
            }
        }
        if let Some(item) = self.threads[t as usize].item.take() {
            self.answer(item, Outcome::Failed);
        }
        self.undelay(t);
        let th = &mut self.threads[t as usize];
        th.holds = false;
        th.overhead_left = 0;
        th.park_pending = false;
        th.sched = Sched::Done;
        th.finished = None;
        self.set_state(t, ThreadState::Crashed, false);
    }

    /// The master starts a fresh copy of a crashed process.
    pub(super) fn on_restart(&mut self, p: u32) {
        let proc_ = &mut self.procs[p as usize];
        proc_.restarts += 1;
        for t in proc_.threads.clone() {
            let th = &mut self.threads[t as usize];
            th.frames = smallvec::smallvec![Frame { prog: th.main_prog, cursor: Default::default(), reply: false }];
            if let Some(lp) = th.lp.as_mut() {
                lp.reset();
            }
            th.item = None;
            th.reg = 0;
            th.since_check = 0;
            th.cont = Cont::Fetch;
            th.remaining = 0;
            th.incarnation += 1;
            th.sched = Sched::NotStarted;
            self.set_state(t, ThreadState::NotStarted, false);
            self.queue.schedule(t, self.now, What::Wake(WakeCause::Start));
        }
    }
}

/// The queue a `put`, `reserve` or `forward` step puts into.
fn put_queue(kind: Kind) -> u32 {
    match kind {
        Kind::Put(q, _) | Kind::Reserve(q) | Kind::Forward(q) => q,
        _ => unreachable!("a put outside a put, reserve or forward step"),
    }
}
