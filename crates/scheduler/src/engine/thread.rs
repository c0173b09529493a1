//! A thread's continuation: steps, bytecode bursts, the GIL and locks.

use gil_core::{Acquire, Cause, Check, ReleaseKind, Signal, ThreadId};

use super::{Burst, BurstKind, Cont, Engine, Frame, Sched, WakeCause};
use crate::SimError;
use crate::program::{FOREVER, Kind, Need, Next};
use crate::scenario::CheckPoints;
use crate::trace::{Mark, ThreadState, TraceSink};

impl<S: TraceSink> Engine<'_, S> {
    pub(super) fn on_burst_end(&mut self, t: u32) {
        let elapsed = self.now - self.threads[t as usize].burst.start;
        self.account_burst(t, elapsed, true);
        self.proceed(t);
    }

    pub(super) fn on_wake(&mut self, t: u32, cause: WakeCause) {
        let retry = self.costs.retry_ns;
        // The old GIL is a semaphore: a waiter whose `futex_wait` finds the
        // count already raised has not slept; the call fails (`EAGAIN`) and
        // it takes the lock at once, while the poster is still inside its
        // `futex_wake` (traced on 2.7: the echo held the GIL next in 91% of
        // them, `docs/calibration.md` item 20).
        let eagain = cause == WakeCause::GilSignalled && self.under_old_gil(t) && self.not_asleep(t);
        let th = &mut self.threads[t as usize];
        match cause {
            WakeCause::Start | WakeCause::Io | WakeCause::QueueItem => th.cont = Cont::Fetch,
            WakeCause::GilSignalled => {
                if !eagain {
                    th.overhead_left += retry;
                }
                th.cont = Cont::Acquire(Cause::Signalled);
            }
            WakeCause::GilTimedOut => {
                th.overhead_left += retry;
                th.cont = Cont::Acquire(Cause::TimedOut);
                self.sink.mark(self.now, ThreadId(t), Mark::TimedOut);
            }
            WakeCause::Unpark => {}
            WakeCause::LockSignalled => {
                th.overhead_left += retry;
                th.cont = Cont::LockTry;
            }
            WakeCause::QueueRoom => th.cont = Cont::PutTry,
        }
        let sleeper = cause != WakeCause::Start;
        if !sleeper {
            let min_v = self.current_min_vruntime();
            self.threads[t as usize].vruntime = min_v;
        }
        self.make_ready(t, sleeper);
    }

    /// Whether `t` belongs to an old (tick-based) GIL.
    fn under_old_gil(&self, t: u32) -> bool {
        self.threads[t as usize].gil.is_some_and(|g| self.gils[g as usize].gil.policy().is_old())
    }

    /// Runs thread `t`'s continuation until it starts a burst, blocks or ends.
    pub(super) fn proceed(&mut self, t: u32) {
        loop {
            let th = &mut self.threads[t as usize];
            if th.overhead_left > 0 {
                let len = std::mem::take(&mut th.overhead_left);
                self.start_burst(t, BurstKind::Overhead, len, false);
                return;
            }
            if th.park_pending {
                th.park_pending = false;
                self.block(t, ThreadState::Handoff, None);
                return;
            }
            self.instant_steps += 1;
            if self.instant_steps > self.max_events {
                let steps = self.instant_steps;
                self.error = Some(SimError::ZeroTimeSteps { thread: t, steps, at_ns: self.now });
                return;
            }
            let th = &mut self.threads[t as usize];
            let stop = match th.cont {
                Cont::Fetch => self.fetch(t),
                Cont::Begin => self.begin(t),
                Cont::Work => self.work(t),
                Cont::Check => self.check(t),
                Cont::Acquire(cause) => self.acquire(t, cause),
                Cont::LockTry => self.lock_try(t),
                Cont::GetTry => self.get_try(t),
                Cont::PutTry => self.put_try(t),
            };
            if stop || self.error.is_some() {
                return;
            }
        }
    }

    fn fetch(&mut self, t: u32) -> bool {
        if self.threads[t as usize].lp.is_some() {
            return self.loop_fetch(t);
        }
        loop {
            let th = &mut self.threads[t as usize];
            let frame = th.frames.last_mut().expect("a running thread has a frame");
            match frame.cursor.next(&self.programs[frame.prog as usize], &mut th.rng) {
                Next::Step { kind, amount, back_edge } => {
                    self.load_step(t, kind, amount, back_edge);
                    return false;
                }
                Next::End => {
                    let frame = th.frames.pop().expect("a frame ended");
                    if th.frames.is_empty() {
                        self.finish_thread(t);
                        return true;
                    }
                    if frame.reply {
                        self.reply_current(t);
                    }
                }
                Next::Await(_) | Next::ToThread(_) => unreachable!("validated: awaits only in tasks"),
            }
        }
    }

    /// Makes `kind` the current step, `amount` its work.
    pub(super) fn load_step(&mut self, t: u32, kind: Kind, mut amount: u64, back_edge: bool) {
        if kind.is_op() {
            amount = self.tick;
        } else if let (Kind::Python, Some(f)) = (kind, self.py_factor)
            && amount < FOREVER
        {
            // A slowed-down step may reach the end of time, never past it.
            amount = ((amount as f64) * f).round().clamp(1.0, FOREVER as f64) as u64;
        }
        let th = &mut self.threads[t as usize];
        th.kind = kind;
        th.remaining = amount;
        th.back_edge = back_edge;
        th.cont = Cont::Begin;
    }

    fn begin(&mut self, t: u32) -> bool {
        let check_every_op = self.check_points == CheckPoints::PerBytecode;
        let th = &mut self.threads[t as usize];
        th.cont = Cont::Work;
        let Some(g) = th.gil else { return false };
        match th.kind.need() {
            Need::Gil => {
                if !th.holds {
                    th.cont = Cont::Acquire(Cause::Entry);
                } else if !self.gils[g as usize].gil.policy().is_old() {
                    // Calls and loop back-edges test the eval breaker; before
                    // 3.10 almost every bytecode did.
                    let checks = !th.kind.is_op() || th.back_edge || check_every_op;
                    if checks {
                        th.cont = Cont::Check;
                    }
                }
            }
            Need::NoGil => {
                if th.holds {
                    self.release_gil(t, ReleaseKind::Voluntary);
                }
            }
            Need::Any => {}
        }
        false
    }

    fn work(&mut self, t: u32) -> bool {
        // Long on purpose: one short arm per kind of step, the dispatch of
        // the engine's hot path; split, every arm would pay a call.
        let th = &mut self.threads[t as usize];
        if th.remaining == 0 {
            th.cont = Cont::Fetch;
            return false;
        }
        let len = th.remaining;
        match th.kind {
            Kind::Python => {
                let (len, stops) = self.plan_python(t);
                self.start_burst(t, BurstKind::Python, len, stops);
                true
            }
            Kind::CHold => {
                self.start_burst(t, BurstKind::CHold, len, false);
                true
            }
            Kind::CRelease => {
                self.start_burst(t, BurstKind::CRelease, len, false);
                true
            }
            Kind::Read(_) | Kind::Add(_) | Kind::Store(_) | Kind::AtomicAdd(..) => {
                self.start_burst(t, BurstKind::Op, len, false);
                true
            }
            Kind::Io => {
                let done = self.now.saturating_add(len);
                th.remaining = 0;
                th.cont = Cont::Fetch;
                self.block(t, ThreadState::Io, Some((done, WakeCause::Io)));
                true
            }
            Kind::Select => self.select(t),
            Kind::Lock(n) => {
                let lock = &mut self.locks[n as usize];
                if lock.holder.is_none() {
                    lock.holder = Some(t);
                    th.remaining = 0;
                    th.cont = Cont::Fetch;
                } else {
                    // The non-blocking try failed: release the GIL, then block.
                    th.cont = Cont::LockTry;
                    if th.holds {
                        self.release_gil(t, ReleaseKind::Voluntary);
                    }
                }
                false
            }
            Kind::Unlock(n) => {
                let lock = &mut self.locks[n as usize];
                if lock.holder.is_none() {
                    self.error = Some(SimError::UnlockUnlocked { thread: t, lock: n, at_ns: self.now });
                    return true;
                }
                lock.holder = None;
                if let Some(w) = lock.sleepers.pop_front() {
                    let cost = self.wake_cost(w);
                    self.threads[t as usize].overhead_left += cost;
                    self.wake_blocked(w, WakeCause::LockSignalled);
                }
                let th = &mut self.threads[t as usize];
                th.remaining = 0;
                th.cont = Cont::Fetch;
                false
            }
            Kind::SemAcquire(n) => {
                if self.sems[n as usize].try_take(t) {
                    th.remaining = 0;
                    th.cont = Cont::Fetch;
                } else {
                    // No permit: release the GIL, then block, as for a lock.
                    th.cont = Cont::LockTry;
                    if th.holds {
                        self.release_gil(t, ReleaseKind::Voluntary);
                    }
                }
                false
            }
            Kind::SemRelease(n) => {
                if let Some(w) = self.sems[n as usize].give(t) {
                    let cost = self.wake_cost(w);
                    self.threads[t as usize].overhead_left += cost;
                    self.wake_blocked(w, WakeCause::LockSignalled);
                }
                let th = &mut self.threads[t as usize];
                th.remaining = 0;
                th.cont = Cont::Fetch;
                false
            }
            Kind::Get(_) => self.get(t),
            Kind::Put(..) | Kind::Reserve(_) | Kind::Forward(_) => self.put(t),
            Kind::Serve => {
                th.remaining = 0;
                th.cont = Cont::Fetch;
                match th.item.and_then(|item| item.routine) {
                    Some(r) => {
                        let prog = self.routine_prog[r as usize];
                        let th = &mut self.threads[t as usize];
                        th.frames.push(Frame { prog, cursor: Default::default(), reply: true });
                    }
                    None => self.reply_current(t),
                }
                false
            }
        }
    }

    fn lock_try(&mut self, t: u32) -> bool {
        let th = &mut self.threads[t as usize];
        let taken = match th.kind {
            Kind::Lock(n) => {
                let lock = &mut self.locks[n as usize];
                if lock.holder.is_none() {
                    lock.holder = Some(t);
                    true
                } else {
                    lock.sleepers.push_back(t);
                    false
                }
            }
            Kind::SemAcquire(n) => {
                let sem = &mut self.sems[n as usize];
                let taken = sem.try_take(t);
                if !taken {
                    sem.sleepers.push_back(t);
                }
                taken
            }
            _ => unreachable!("lock retry outside a lock or acquire step"),
        };
        if taken {
            th.remaining = 0;
            th.cont = Cont::Acquire(Cause::Entry);
            false
        } else {
            self.block(t, ThreadState::LockWait, None);
            true
        }
    }

    fn check(&mut self, t: u32) -> bool {
        let th = &mut self.threads[t as usize];
        let g = th.gil.expect("check without a GIL") as usize;
        match self.gils[g].gil.at_check(ThreadId(t)) {
            Check::Continue => th.cont = Cont::Work,
            Check::Drop => {
                th.cont = Cont::Acquire(Cause::Entry);
                th.forced += 1;
                self.sink.mark(self.now, ThreadId(t), Mark::ForcedDrop);
                self.release_gil(t, ReleaseKind::Forced);
            }
            Check::Yield => {
                th.cont = Cont::Acquire(Cause::Entry);
                self.release_gil(t, ReleaseKind::Yield);
            }
        }
        false
    }

    fn acquire(&mut self, t: u32, cause: Cause) -> bool {
        let th = &mut self.threads[t as usize];
        let Some(g) = th.gil else {
            th.cont = Cont::Work;
            return false;
        };
        let slot = &mut self.gils[g as usize];
        let switches_before = slot.gil.stats().switches;
        match slot.gil.acquire(ThreadId(t), cause, self.now) {
            Acquire::Taken { unpark } => {
                if slot.gil.stats().switches != switches_before {
                    self.sink.mark(self.now, ThreadId(t), Mark::Switch);
                }
                th.acquisitions += 1;
                th.cont = Cont::Work;
                slot.held_since = self.now;
                th.holds = true;
                let state = th.state;
                self.set_state(t, state, true);
                if let Some(p) = unpark {
                    self.unpark(t, p.0);
                }
                false
            }
            Acquire::Wait { deadline, notify_holder, failed } => {
                let requests_policy = !slot.gil.policy().is_old();
                if failed {
                    th.failed += 1;
                    self.sink.mark(self.now, ThreadId(t), Mark::FailedAcquire);
                }
                if let Some(h) = notify_holder {
                    if requests_policy {
                        self.sink.mark(self.now, h, Mark::DropRequest);
                    }
                    self.replan(h.0);
                }
                let wake = deadline.map(|d| (d + self.timer_overrun(), WakeCause::GilTimedOut));
                self.block(t, ThreadState::GilWait, wake);
                true
            }
        }
    }

    pub(super) fn release_gil(&mut self, t: u32, kind: ReleaseKind) {
        let th = &mut self.threads[t as usize];
        let g = th.gil.expect("release without a GIL") as usize;
        let slot = &mut self.gils[g];
        let released = slot.gil.release(ThreadId(t), kind, self.now);
        slot.held_ns += self.now - slot.held_since;
        th.holds = false;
        th.park_pending = released.park;
        let cost = match (released.signal, released.woken) {
            (Signal::None, _) => 0,
            (Signal::Wake, Some(w)) => self.wake_cost(w.0),
            (Signal::Syscall | Signal::Wake, _) => self.costs.syscall_ns,
        };
        let th = &mut self.threads[t as usize];
        th.overhead_left += cost;
        let state = th.state;
        self.set_state(t, state, false);
        if let Some(w) = released.woken {
            self.wake_blocked(w.0, WakeCause::GilSignalled);
        }
    }

    /// `taker` took the GIL, so a forced dropper may go on: wake it (the
    /// taker signals `switch_cond`) if it parked, else cancel the park.
    fn unpark(&mut self, taker: u32, p: u32) {
        let th = &mut self.threads[p as usize];
        if th.sched == Sched::Blocked && th.state == ThreadState::Handoff {
            self.threads[taker as usize].overhead_left += self.wake_cost(p);
            self.wake_blocked(p, WakeCause::Unpark);
        } else {
            th.park_pending = false;
        }
    }

    /// Makes a blocked thread ready now (the kernel enqueues it at once; the
    /// latency is paid when it is dispatched), replacing its pending timeout.
    pub(super) fn wake_blocked(&mut self, t: u32, cause: WakeCause) {
        debug_assert_eq!(self.threads[t as usize].sched, Sched::Blocked, "waking a thread that is not blocked");
        self.queue.schedule(t, self.now, super::What::Wake(cause));
    }

    /// Length of the next bytecode burst and whether it ends at a check point
    /// that must be serviced.
    fn plan_python(&self, t: u32) -> (u64, bool) {
        let th = &self.threads[t as usize];
        if let Some(g) = th.gil {
            let slot = &self.gils[g as usize];
            if slot.gil.wants_check() {
                debug_assert!(th.since_check < slot.period);
                let to_check = slot.period - th.since_check;
                if to_check <= th.remaining {
                    return (to_check, true);
                }
            }
        }
        (th.remaining, false)
    }

    /// The holder must now stop at its next check point: cut its burst short.
    fn replan(&mut self, h: u32) {
        let th = &self.threads[h as usize];
        if !matches!(th.sched, Sched::Running(_)) || th.burst.kind != BurstKind::Python || th.burst.stops_at_check {
            return;
        }
        let elapsed = self.now - th.burst.start;
        self.account_burst(h, elapsed, false);
        let (len, stops) = self.plan_python(h);
        self.start_burst(h, BurstKind::Python, len, stops);
    }

    pub(super) fn start_burst(&mut self, t: u32, kind: BurstKind, len: u64, stops_at_check: bool) {
        let th = &mut self.threads[t as usize];
        th.burst = Burst { kind, start: self.now, len, stops_at_check };
        let state = match kind {
            BurstKind::Python | BurstKind::Op => ThreadState::Python,
            BurstKind::CHold => ThreadState::CHold,
            BurstKind::CRelease => ThreadState::CRelease,
            BurstKind::Overhead => match th.cont {
                // Re-checking a lock after a wake-up is part of waiting for it.
                Cont::Acquire(Cause::Signalled | Cause::TimedOut) => ThreadState::GilWait,
                Cont::LockTry => ThreadState::LockWait,
                _ => ThreadState::Overhead,
            },
        };
        let holds = th.holds;
        self.set_state(t, state, holds);
        self.queue.schedule(t, self.now.saturating_add(len), super::What::BurstEnd);
    }

    /// Books `elapsed` of the current burst; `completed` if it ran in full.
    pub(super) fn account_burst(&mut self, t: u32, elapsed: u64, completed: bool) {
        let th = &mut self.threads[t as usize];
        th.cpu_ns += elapsed;
        let period = th.gil.map_or(u64::MAX, |g| self.gils[g as usize].period);
        match th.burst.kind {
            BurstKind::Python => {
                th.remaining -= elapsed;
                th.since_check += elapsed;
                if completed && th.burst.stops_at_check {
                    th.since_check = 0;
                    th.cont = Cont::Check;
                } else {
                    if th.since_check >= period {
                        let passed = th.since_check / period;
                        th.since_check %= period;
                        if let Some(g) = th.gil {
                            self.gils[g as usize].gil.count_checks(passed);
                        }
                    }
                    th.cont = Cont::Work;
                }
            }
            BurstKind::CHold | BurstKind::Op => {
                th.remaining -= elapsed;
                th.cont = Cont::Work;
                if completed {
                    if th.burst.kind == BurstKind::Op {
                        // Python's integers never wrap: leaving i64 is an error.
                        let ok = match th.kind {
                            Kind::Read(v) => {
                                th.reg = self.vars[v as usize];
                                true
                            }
                            Kind::Add(n) => th.reg.checked_add(n).map(|r| th.reg = r).is_some(),
                            Kind::Store(v) => {
                                self.vars[v as usize] = th.reg;
                                true
                            }
                            Kind::AtomicAdd(v, n) => {
                                let var = &mut self.vars[v as usize];
                                var.checked_add(n).map(|r| *var = r).is_some()
                            }
                            _ => unreachable!("an op burst runs a bytecode"),
                        };
                        if !ok {
                            self.error = Some(SimError::ValueOverflow { thread: t, at_ns: self.now });
                        }
                    }
                    if let Some(g) = th.gil {
                        let slot = &mut self.gils[g as usize];
                        if slot.gil.policy().is_old() {
                            // A bytecode (even a long C call) is one tick of the old GIL.
                            th.since_check += self.tick;
                            if th.since_check >= slot.period {
                                th.since_check = 0;
                                if slot.gil.wants_check() {
                                    th.cont = Cont::Check;
                                } else {
                                    slot.gil.count_checks(1);
                                }
                            }
                        }
                    }
                }
            }
            BurstKind::CRelease => {
                th.remaining -= elapsed;
                th.cont = Cont::Work;
            }
            BurstKind::Overhead => {
                if !completed {
                    th.overhead_left += th.burst.len - elapsed;
                }
            }
        }
    }

    pub(super) fn finish_thread(&mut self, t: u32) {
        if self.threads[t as usize].holds {
            self.release_gil(t, ReleaseKind::Exit);
        }
        let th = &mut self.threads[t as usize];
        th.overhead_left = 0;
        th.park_pending = false;
        th.finished = Some(self.now);
        self.live -= 1;
        if self.stop_when[t as usize] {
            self.stop_left -= 1;
        }
        self.set_state(t, ThreadState::Done, false);
        self.leave_core(t, Sched::Done);
    }

    pub(super) fn block(&mut self, t: u32, state: ThreadState, wake: Option<(u64, WakeCause)>) {
        let holds = self.threads[t as usize].holds;
        match wake {
            Some((at, cause)) => self.queue.schedule(t, at, super::What::Wake(cause)),
            None => self.queue.cancel(t),
        }
        self.set_state(t, state, holds);
        // Its lag behind the average, kept while it sleeps (see `make_ready`).
        self.current_min_vruntime();
        let core = match self.threads[t as usize].sched {
            Sched::Running(c) | Sched::Switching(c) => Some(c),
            _ => None,
        };
        let avg = core.and_then(|c| self.core_avg_vruntime(c)).unwrap_or(self.min_vruntime);
        let th = &mut self.threads[t as usize];
        let v = th.vruntime + self.now.saturating_sub(th.dispatched_at);
        th.lag = avg as i64 - v as i64;
        th.blocked_at = self.now;
        let delay_on = core.filter(|_| th.lag < 0 && matches!(self.policy, crate::scenario::OsPolicy::Fair { .. }));
        if let Some(c) = delay_on {
            // Drop the ones the average caught up with since.
            self.cores[c as usize].delayed.prune(avg);
        }
        self.leave_core(t, Sched::Blocked);
        if let Some(c) = delay_on {
            // By its virtual runtime as it left the core.
            let th = &mut self.threads[t as usize];
            th.delayed_on = Some(c);
            self.cores[c as usize].delayed.insert(th.vruntime, t);
        }
    }
}
