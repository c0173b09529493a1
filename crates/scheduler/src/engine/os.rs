//! The OS: cores, the run queue, dispatching, preemption and time slices.

use gil_core::ThreadId;
use rand::Rng;

use super::{Cont, Engine, RunQueue, Sched};
use crate::program;
use crate::scenario::{Dist, OsPolicy};
use crate::trace::{CoreState, ThreadState, TraceSink};

impl<S: TraceSink> Engine<'_, S> {
    pub(super) fn on_run(&mut self, t: u32) {
        let th = &mut self.threads[t as usize];
        let Sched::Switching(core) = th.sched else { unreachable!("run without dispatch") };
        th.sched = Sched::Running(core);
        th.run_start = self.now;
        let c = &mut self.cores[core as usize];
        c.switch_ns += self.now - th.dispatched_at;
        self.sink.core_state(self.now, core, CoreState::Run(ThreadId(t)));
        self.proceed(t);
    }

    pub(super) fn on_slice(&mut self, core: u32) {
        let c = &mut self.cores[core as usize];
        c.armed = false;
        let Some(t) = c.current else { return };
        if !matches!(self.threads[t as usize].sched, Sched::Running(_)) {
            return;
        }
        if !self.has_ready_for(core) {
            self.cores[core as usize].slice_start = self.now;
            return;
        }
        if self.queue.time_of(t) == Some(self.now) {
            // Its burst ends at this very instant: let it end first (a job
            // whose work fits the slice exactly is done, not preempted), then
            // look again; a new timer at `now` runs after the burst's event.
            self.cores[core as usize].armed = true;
            self.queue.schedule(self.core_base + core, self.now, super::What::Slice);
            return;
        }
        if let (OsPolicy::Fair { .. }, Some(min_v)) = (self.policy, self.first_keyed_for(core)) {
            let th = &self.threads[t as usize];
            if th.vruntime + (self.now - th.dispatched_at) <= min_v {
                // Still the most deserving thread: a new slice, no switch.
                self.cores[core as usize].slice_start = self.now;
                self.arm(core);
                return;
            }
        }
        self.preempt(t);
        self.dispatch_next(core);
    }

    pub(super) fn on_dispatch(&mut self, core: u32) {
        self.cores[core as usize].claimed = false;
        if self.cores[core as usize].current.is_some() {
            return;
        }
        match self.pop_ready(core) {
            Some(t) => {
                let delay = self.wakeup_delay(core, t);
                self.dispatch(core, t, delay);
            }
            None => self.go_idle(core),
        }
    }

    /// The least key in a keyed run queue.
    fn first_keyed(&self) -> Option<u64> {
        match &self.runq {
            RunQueue::Keyed(q) => q.peek().map(|(key, _)| key),
            RunQueue::Fifo(_) => None,
        }
    }

    /// The least key among the queued threads that may run on `core`.
    fn first_keyed_for(&self, core: u32) -> Option<u64> {
        if !self.pinned {
            return self.first_keyed();
        }
        let threads = &self.threads;
        match &self.runq {
            RunQueue::Keyed(q) => q.min_where(|t| may_run(threads, t, core)).map(|(key, _)| key),
            RunQueue::Fifo(_) => None,
        }
    }

    /// Whether a queued thread may run on `core`.
    fn has_ready_for(&self, core: u32) -> bool {
        if !self.pinned {
            return !self.runq.is_empty();
        }
        let threads = &self.threads;
        match &self.runq {
            RunQueue::Fifo(q) => q.iter().any(|&t| may_run(threads, t, core)),
            RunQueue::Keyed(q) => q.min_where(|t| may_run(threads, t, core)).is_some(),
        }
    }

    pub(super) fn cancel_slice(&mut self, core: u32) {
        let c = &mut self.cores[core as usize];
        if c.armed {
            c.armed = false;
            self.queue.cancel(self.core_base + core);
        }
    }

    /// The state a ready thread shows: still waiting for the GIL, a lock or
    /// a queue if that is what it will do next.
    pub(super) fn ready_state(&self, t: u32) -> ThreadState {
        match self.threads[t as usize].cont {
            Cont::Acquire(_) => ThreadState::GilWait,
            Cont::LockTry => ThreadState::LockWait,
            Cont::GetTry | Cont::PutTry => ThreadState::QueueWait,
            _ => ThreadState::Ready,
        }
    }

    /// A thread becomes ready: an idle core takes it, or it may preempt a
    /// running thread (fair policy), or it queues.
    pub(super) fn make_ready(&mut self, t: u32, sleeper: bool) {
        self.undelay(t);
        let state = self.ready_state(t);
        let th = &mut self.threads[t as usize];
        th.sched = Sched::Ready;
        let holds = th.holds;
        let (target, sync_core) = self.wake_target(t);
        // The average of the core it wakes on, kept for the preemption test
        // below (nothing in between changes it).
        let mut wake_avg = None;
        if let (true, OsPolicy::Fair { min_granularity_ns, .. }) = (sleeper, self.policy) {
            // EEVDF (Linux 6.6+) places a woken thread at the lag it had when
            // it went to sleep, bounded by two slices: a thread that used
            // less than its share comes back ahead of the runners, one that
            // used its share (a spinner waiting for the GIL) comes back level
            // and does not preempt them.
            let min_v = self.current_min_vruntime();
            let at_core = target.and_then(|c| self.core_avg(c));
            wake_avg = Some(at_core);
            let (avg, n) = at_core.unwrap_or((min_v, 0));
            let limit = 2 * min_granularity_ns as i64;
            let now = self.now;
            let th = &mut self.threads[t as usize];
            let mut lag = th.lag.clamp(-limit, limit);
            if lag < 0 {
                // A sleeper that owes time stays queued (delayed dequeue)
                // until the others catch up, and then leaves at zero lag.
                let slept = (now - th.blocked_at).min(limit as u64) as i64;
                lag = (lag + slept / 2).min(0);
            }
            if n > 0 {
                // Joining n others moves the average by 1/(n+1) of its
                // distance: scale so it keeps this lag afterwards (as
                // `place_entity` does), in 64 bits unless the product
                // overflows them.
                let n = n as i64;
                lag = match lag.checked_mul(n + 1) {
                    Some(p) => p / n,
                    None => (i128::from(lag) * i128::from(n + 1) / i128::from(n)) as i64,
                };
            }
            th.vruntime = (avg as i64 - lag).max(0) as u64;
        }
        if let OsPolicy::Fair { min_granularity_ns, .. } = self.policy {
            // `place_entity`: a fresh request of one slice.
            let th = &mut self.threads[t as usize];
            th.deadline = th.vruntime.saturating_add(min_granularity_ns);
        }
        self.set_state(t, state, holds);
        self.threads[t as usize].queued_at = self.now;
        if let Some(core) = self.idle_core(t) {
            if self.policy.picks_by_key() {
                // Decide after every arrival of this instant.
                self.enqueue(t);
                self.cores[core as usize].claimed = true;
                self.queue.schedule(self.core_base + core, self.now, super::What::Dispatch);
                return;
            }
            let delay = self.wakeup_delay(core, t);
            self.dispatch(core, t, delay);
            return;
        }
        if let (OsPolicy::Fair { .. }, Some(core)) = (self.policy, sync_core)
            && let Some(cur) = self.cores[core as usize].current
            && matches!(self.threads[cur as usize].sched, Sched::Running(_))
            && self.os_rng.random_bool(crate::SYNC_WAKE_PREEMPTS)
        {
            // A write's reader woken onto the writer's core mostly runs at
            // once (measured, `SYNC_WAKE_PREEMPTS`): the writer is about to
            // block, so run to parity does not keep it.
            self.preempt(cur);
            self.dispatch(core, t, self.costs.context_switch_ns);
            return;
        }
        if let (OsPolicy::Fair { wakeup_granularity_ns, run_to_parity, .. }, Some(core)) = (self.policy, target) {
            // EEVDF: the woken thread preempts its core's runner when the
            // runner has run ahead of it, by more than the wake-up
            // granularity if one is set, unless run-to-parity protects the
            // runner: still eligible once the woken thread joins the average
            // (`pick_eevdf` keeps an eligible `curr` up to the deadline it
            // was picked with).
            let v = self.threads[t as usize].vruntime;
            if let Some(cur) = self.cores[core as usize].current {
                let cth = &self.threads[cur as usize];
                let cur_v = cth.vruntime + (self.now - cth.dispatched_at);
                let protected = || {
                    run_to_parity && cur_v < cth.vprot && {
                        let (avg, n) = wake_avg.unwrap_or_else(|| self.core_avg(core)).unwrap_or((cur_v, 1));
                        u128::from(cur_v) <= div(u128::from(avg) * n + u128::from(v), n + 1)
                    }
                };
                if matches!(cth.sched, Sched::Running(_)) && cur_v > v + wakeup_granularity_ns && !protected() {
                    self.preempt(cur);
                    self.dispatch(core, t, self.costs.context_switch_ns);
                    return;
                }
            }
        }
        if self.policy.preempts_by_key() {
            // SRTF and preemptive priority: the arrival takes the core of the
            // running thread it beats by the most, if it beats one strictly.
            let key = self.sched_key(t);
            let mut victim: Option<(u64, u32, u32)> = None;
            for (ci, c) in self.cores.iter().enumerate() {
                let Some(cur) = c.current else { continue };
                if !may_run(&self.threads, t, ci as u32) {
                    continue;
                }
                if !matches!(self.threads[cur as usize].sched, Sched::Running(_)) {
                    continue;
                }
                let cur_key = self.sched_key(cur);
                if victim.is_none_or(|(worst, _, _)| cur_key > worst) {
                    victim = Some((cur_key, ci as u32, cur));
                }
            }
            if let Some((cur_key, core, cur)) = victim
                && key < cur_key
            {
                self.preempt(cur);
                self.dispatch(core, t, self.costs.context_switch_ns);
                return;
            }
        }
        self.enqueue(t);
        self.arm_all();
    }

    /// The key by which SJF, SRTF and priority order threads (least first),
    /// as of now: the expected CPU work left (for a running thread, minus
    /// what its current burst has done), or the priority number, less one
    /// for every aging period spent in the ready queue (scaled by the
    /// period, plus the time now, so that a queued thread's key stays fixed
    /// while it waits).
    fn sched_key(&self, t: u32) -> u64 {
        let th = &self.threads[t as usize];
        match self.policy {
            OsPolicy::Priority { aging_ns: None, .. } => u64::from(th.priority),
            OsPolicy::Priority { aging_ns: Some(aging), .. } => {
                // Validated: priority x aging <= 2^62, and the time waited
                // never exceeds the time now.
                u64::from(th.priority) * aging + (self.now - th.waited_ns)
            }
            _ => {
                let done = match th.sched {
                    Sched::Running(_) => th.cpu_ns + (self.now - th.burst.start),
                    _ => th.cpu_ns,
                };
                th.est_cpu.saturating_sub(done)
            }
        }
    }

    /// The least virtual runtime among running and queued threads (never
    /// decreasing), as CFS keeps `min_vruntime`.
    pub(super) fn current_min_vruntime(&mut self) -> u64 {
        let mut min_v = match self.policy {
            OsPolicy::Fair { .. } => self.first_keyed(),
            _ => None,
        };
        for c in &self.cores {
            if let Some(cur) = c.current {
                let th = &self.threads[cur as usize];
                let v = th.vruntime + self.now.saturating_sub(th.dispatched_at);
                min_v = Some(min_v.map_or(v, |m: u64| m.min(v)));
            }
        }
        if let Some(v) = min_v {
            self.min_vruntime = self.min_vruntime.max(v);
        }
        self.min_vruntime
    }

    /// EEVDF's `V` of `core`: the average virtual runtime of its running
    /// thread and the queued threads that may run there (fair policy).
    /// Linux keeps one run queue per core, so a thread's lag counts only the
    /// threads it competes with there; `None` when there are none.
    pub(super) fn core_avg_vruntime(&self, core: u32) -> Option<u64> {
        self.core_avg(core).map(|(avg, _)| avg)
    }

    /// [`Self::core_avg_vruntime`] and how many threads it averages.
    fn core_avg(&self, core: u32) -> Option<(u64, u128)> {
        let RunQueue::Keyed(q) = &self.runq else { return None };
        let threads = &self.threads;
        let (mut sum, n) =
            if self.pinned { q.sum_where(|t| may_run(threads, t, core)) } else { (q.key_sum(), q.len()) };
        let mut n = n as u128;
        let c = &self.cores[core as usize];
        if let Some(cur) = c.current {
            let th = &threads[cur as usize];
            sum += u128::from(th.vruntime + self.now.saturating_sub(th.dispatched_at));
            n += 1;
        }
        if n == 0 {
            return None;
        }
        let avg = div(sum, n) as u64;
        // Sleepers still owing time pull the average up until it passes them
        // (most of the time there are none: no lookup, no second division).
        let (ahead, count) = if c.delayed.is_empty() { (0, 0) } else { c.delayed.ahead_of(avg) };
        if count == 0 {
            return Some((avg, n));
        }
        Some((div(sum + ahead, n + count) as u64, n + count))
    }

    /// `t` no longer sleeps: it leaves its core's delayed sleepers.
    pub(super) fn undelay(&mut self, t: u32) {
        let th = &mut self.threads[t as usize];
        if let Some(c) = th.delayed_on.take() {
            self.cores[c as usize].delayed.remove(th.vruntime, t);
        }
    }

    /// The core a woken thread is placed on when no core is idle: its
    /// waker's, if a pipe or socket write of another process woke it
    /// (`WF_SYNC`: `wake_affine` takes the waker's core, which the waker is
    /// about to leave); else [`Self::wake_core`]. The second value is that
    /// waker's core when it is the target. Clears the waker.
    fn wake_target(&mut self, t: u32) -> (Option<u32>, Option<u32>) {
        let waker = self.threads[t as usize].sync_waker.take();
        if let Some(w) = waker
            && let Sched::Running(core) = self.threads[w as usize].sched
            && may_run(&self.threads, t, core)
        {
            return (Some(core), Some(core));
        }
        (self.wake_core(t), None)
    }

    /// The core a woken thread is placed on when no core is idle: the one it
    /// last ran on if it may, as Linux's `select_task_rq` keeps `prev_cpu`.
    fn wake_core(&self, t: u32) -> Option<u32> {
        let prev = self.threads[t as usize].last_core;
        if may_run(&self.threads, t, prev) {
            return Some(prev);
        }
        (0..self.cores.len() as u32).find(|&c| may_run(&self.threads, t, c))
    }

    /// An idle core `t` may run on: the one it last ran on if it can.
    pub(super) fn idle_core(&self, t: u32) -> Option<u32> {
        let prefer = self.threads[t as usize].last_core;
        let free = |i: u32| {
            let c = &self.cores[i as usize];
            c.current.is_none() && !c.claimed && may_run(&self.threads, t, i)
        };
        if free(prefer) {
            return Some(prefer);
        }
        (0..self.cores.len() as u32).find(|&i| free(i))
    }

    fn enqueue(&mut self, t: u32) {
        self.queue_seq += 1;
        self.threads[t as usize].queued_at = self.now;
        let key = if self.policy.picks_by_key() { self.sched_key(t) } else { self.threads[t as usize].vruntime };
        match &mut self.runq {
            RunQueue::Fifo(q) => q.push_back(t),
            RunQueue::Keyed(q) => q.push(key, self.queue_seq, t),
        }
    }

    /// Removes a ready thread from the run queue (a crash killed it).
    pub(super) fn dequeue(&mut self, t: u32) {
        match &mut self.runq {
            RunQueue::Fifo(q) => q.retain(|x| *x != t),
            RunQueue::Keyed(q) => q.retain(|x| x != t),
        }
    }

    /// Takes a running thread off its core, back to the run queue.
    pub(super) fn preempt(&mut self, t: u32) {
        let th = &self.threads[t as usize];
        let elapsed = self.now - th.burst.start;
        self.account_burst(t, elapsed, false);
        self.queue.cancel(t);
        self.leave_core(t, Sched::Ready);
        let state = self.ready_state(t);
        let holds = self.threads[t as usize].holds;
        self.set_state(t, state, holds);
        self.enqueue(t);
    }

    /// `t` leaves its core (blocked, done or preempted); the core picks the
    /// next ready thread unless the caller is preempting for a waker.
    pub(super) fn leave_core(&mut self, t: u32, next: Sched) {
        let core = self.vacate(t, next);
        if next != Sched::Ready {
            self.dispatch_next(core);
        }
    }

    /// Takes `t` off its core without dispatching anyone; returns the core.
    pub(super) fn vacate(&mut self, t: u32, next: Sched) -> u32 {
        let th = &mut self.threads[t as usize];
        let core = match th.sched {
            Sched::Running(core) => {
                self.cores[core as usize].busy_ns += self.now - th.run_start;
                core
            }
            Sched::Switching(core) => {
                self.cores[core as usize].switch_ns += self.now - th.dispatched_at;
                core
            }
            _ => unreachable!("leaving a core it is not on"),
        };
        th.sched = next;
        th.vruntime += self.now - th.dispatched_at;
        th.last_core = core;
        // The slice timer stays: the next dispatch on this core replaces it,
        // and a core left idle cancels it.
        self.cores[core as usize].current = None;
        self.busy_cores -= 1;
        core
    }

    /// The next ready thread for `core`: the first in queue order that may
    /// run there.
    fn pop_ready(&mut self, core: u32) -> Option<u32> {
        let threads = &self.threads;
        match (&mut self.runq, self.pinned) {
            (RunQueue::Fifo(q), false) => q.pop_front(),
            (RunQueue::Keyed(q), false) => q.pop().map(|(_, t)| t),
            (RunQueue::Fifo(q), true) => {
                let at = q.iter().position(|&t| may_run(threads, t, core))?;
                q.remove(at)
            }
            (RunQueue::Keyed(q), true) => q.pop_where(|t| may_run(threads, t, core)).map(|(_, t)| t),
        }
    }

    pub(super) fn dispatch_next(&mut self, core: u32) {
        match self.pop_ready(core) {
            Some(t) => self.dispatch(core, t, self.costs.context_switch_ns),
            None => {
                self.cancel_slice(core);
                self.go_idle(core);
            }
        }
    }

    /// How late a timed wait ends: at the end of the timer slack, where
    /// Linux programs a slack-range timer (an earlier interrupt inside the
    /// range is rare on the waiter's idle core), plus the interrupt's jitter
    /// from the OS stream (the wake-up jitter; without it, waits that began
    /// together would end in lockstep forever).
    pub(super) fn timer_overrun(&mut self) -> u64 {
        let slack = self.costs.timer_slack_ns;
        if slack == 0 { 0 } else { slack + self.wake_jitter() }
    }

    /// Whether `t` blocked on its core so recently that it has not fallen
    /// asleep yet (that core has stayed idle since).
    pub(super) fn not_asleep(&self, t: u32) -> bool {
        let th = &self.threads[t as usize];
        let c = &self.cores[th.last_core as usize];
        c.current.is_none() && c.idle_since == th.blocked_at && self.now - th.blocked_at < self.costs.sleep_entry_ns
    }

    /// What waking blocked thread `w` costs its waker: a `futex_wake`, or a
    /// plain system call when `w` has not fallen asleep yet.
    pub(super) fn wake_cost(&self, w: u32) -> u64 {
        if self.not_asleep(w) { self.costs.syscall_ns } else { self.costs.futex_wake_ns }
    }

    fn go_idle(&mut self, core: u32) {
        self.cores[core as usize].idle_since = self.now;
        self.sink.core_state(self.now, core, CoreState::Idle);
    }

    /// Delay before a thread woken onto idle `core` runs: the minimum
    /// latency, more the longer the core idled, plus exponential jitter
    /// from the OS stream.
    fn wakeup_delay(&mut self, core: u32, t: u32) -> u64 {
        let c = &self.costs;
        let since = self.cores[core as usize].idle_since;
        // A core that went idle a moment ago still polls: the thread that
        // just left it has not even slept, another wakes quickly (with the
        // same jitter as any wake-up).
        if self.now - since < c.idle_poll_ns.max(c.sleep_entry_ns) {
            if self.not_asleep(t) {
                return 0;
            }
            let poll = c.poll_wakeup_ns;
            return poll + self.wake_jitter();
        }
        let idle = u128::from(self.now - since);
        let (extra, half) = (u128::from(c.idle_wakeup_extra_ns), u128::from(c.idle_wakeup_half_ns));
        // extra * idle / (idle + half): 0 at once, half at `half`, all of it
        // long after; spread from 40% to 160% of that (the probe's p10-p90).
        let mean = if extra == 0 || idle == 0 { 0 } else { (extra * idle / (idle + half)) as u64 };
        let latency = c.wakeup_latency_ns;
        let deep = if mean == 0 { 0 } else { mean * 2 / 5 + self.os_rng.random_range(0..=mean * 6 / 5) };
        latency + deep + self.wake_jitter()
    }

    /// A wake-up's exponential jitter, from the OS stream.
    fn wake_jitter(&mut self) -> u64 {
        let mean = self.costs.wakeup_jitter_ns;
        if mean == 0 { 0 } else { program::sample(Dist::Exp { mean }, &mut self.os_rng) }
    }

    /// Puts `t` on `core`; it starts running after `delay` (a context switch,
    /// or a wake-up latency when the core was idle).
    fn dispatch(&mut self, core: u32, t: u32, delay: u64) {
        let th = &mut self.threads[t as usize];
        th.sched = Sched::Switching(core);
        th.dispatched_at = self.now;
        th.waited_ns += self.now - th.queued_at;
        if let OsPolicy::Fair { min_granularity_ns, .. } = self.policy {
            // A thread past its deadline got a new one when the kernel last
            // updated it; the pick protects it up to that deadline.
            if th.vruntime >= th.deadline {
                th.deadline = th.vruntime.saturating_add(min_granularity_ns);
            }
            th.vprot = th.deadline;
        }
        self.min_vruntime = self.min_vruntime.max(th.vruntime);
        let c = &mut self.cores[core as usize];
        debug_assert!(c.current.is_none(), "dispatch onto a busy core");
        c.current = Some(t);
        self.busy_cores += 1;
        c.slice_start = self.now + delay;
        c.dispatches += 1;
        self.sink.core_state(self.now, core, CoreState::Switch(ThreadId(t)));
        self.queue.schedule(t, self.now + delay, super::What::Run);
        // A new slice: re-arm the timer if someone waits, else drop it.
        self.cores[core as usize].armed = false;
        if self.runq.is_empty() {
            self.queue.cancel(self.core_base + core);
        } else {
            self.arm(core);
        }
    }

    /// The time slice for the number of threads that want a core now.
    fn slice_len(&self) -> u64 {
        let wanting = self.busy_cores as usize + self.runq.len();
        self.slices[wanting.min(self.slices.len() - 1)]
    }

    fn arm(&mut self, core: u32) {
        if !self.policy.has_slices() {
            return;
        }
        let c = &mut self.cores[core as usize];
        if c.armed || c.current.is_none() {
            return;
        }
        c.armed = true;
        let start = c.slice_start;
        // The slice depends on how many threads want a core right now.
        let mut at = start.saturating_add(self.slice_len()).max(self.now);
        if let OsPolicy::Fair { tick_ns, .. } = self.policy
            && tick_ns > 0
        {
            // The kernel notices a slice ran out at its next tick.
            at = at.div_ceil(tick_ns).saturating_mul(tick_ns);
        }
        self.queue.schedule(self.core_base + core, at, super::What::Slice);
    }

    fn arm_all(&mut self) {
        for core in 0..self.cores.len() as u32 {
            self.arm(core);
        }
    }
}

/// `a / b`, in 64 bits when both fit (a 128-bit division is a library
/// call, and this one runs at every block and wake-up).
fn div(a: u128, b: u128) -> u128 {
    if b == 1 {
        // The common case (one thread on the core), without a divide.
        return a;
    }
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(a), Ok(b)) => u128::from(a / b),
        _ => a / b,
    }
}

/// Whether thread `t` may run on `core` (its affinity allows it).
fn may_run(threads: &[super::Thread], t: u32, core: u32) -> bool {
    let a = &threads[t as usize].affinity;
    a.is_empty() || a.contains(&core)
}

/// Slice lengths for 0..=threads+cores threads wanting a core: the fair
/// policy shares its latency among the threads per core, never below the
/// minimum granularity; the others have a fixed (or no) slice.
pub(super) fn slice_table(policy: OsPolicy, cores: u32, threads: usize) -> Vec<u64> {
    (0..=threads as u64 + u64::from(cores))
        .map(|wanting| match policy {
            OsPolicy::Fair { latency_ns, min_granularity_ns, .. } => {
                let per_core = wanting.div_ceil(u64::from(cores)).max(1);
                (latency_ns / per_core).max(min_granularity_ns)
            }
            OsPolicy::RoundRobin { slice_ns } => slice_ns,
            OsPolicy::Fcfs | OsPolicy::Sjf | OsPolicy::Srtf | OsPolicy::Priority { .. } => u64::MAX / 4,
        })
        .collect()
}
