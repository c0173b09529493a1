//! The discrete-event engine: events, cores, the run queue and thread logic.
//!
//! Time is an integer number of nanoseconds. Events are ordered by (time,
//! sequence number), so simultaneous events run in the order they were
//! scheduled. Each thread has at most one pending event (a burst end, a
//! wake-up or a dispatch) and each core at most one slice timer: scheduling
//! replaces the entity's pending event (see `queue`).
//!
//! A thread on a core runs its *continuation* ([`Cont`]) through instantaneous
//! decisions until it starts a *burst* (CPU time: bytecode, C code or
//! overhead), blocks, or ends.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use gil_core::{Acquire, Cause, Check, Gil, Policy, ReleaseKind, Signal, ThreadId};
use rand_pcg::Pcg64Mcg;

use crate::SimError;
use crate::program::{self, Cursor, FOREVER, Kind, Next, Op};
use crate::queue::EventQueue;
use crate::result::{CoreReport, EndReason, GilReport, SimResult, StateTimes, ThreadReport};
use crate::rng;
use crate::scenario::{Costs, Dist, GilSpec, OsPolicy, Scenario};
use crate::trace::{CoreState, Mark, ThreadState, TraceSink};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WakeCause {
    Start,
    Io,
    GilSignalled,
    GilTimedOut,
    Unpark,
    LockSignalled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    /// The context switch to `thread` is done: it starts running.
    Run,
    /// The thread's current burst ended.
    BurstEnd,
    /// A blocked thread becomes ready.
    Wake(WakeCause),
    /// A core's time slice expired.
    Slice,
}

/// What a thread does next when it is on a core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cont {
    /// Load the next step of the program.
    Fetch,
    /// Put the GIL in the state the current step needs.
    Begin,
    /// Execute (or resume) the current step.
    Work,
    /// At an eval-breaker check point, holding the GIL.
    Check,
    /// Run `take_gil`.
    Acquire(Cause),
    /// Blocking acquire of the current step's lock, GIL released.
    LockTry,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sched {
    NotStarted,
    Ready,
    Switching(u32),
    Running(u32),
    Blocked,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BurstKind {
    Python,
    CHold,
    CRelease,
    Overhead,
}

#[derive(Clone, Copy, Debug)]
struct Burst {
    kind: BurstKind,
    start: u64,
    len: u64,
    /// Planned to end exactly at a check point that must be serviced.
    stops_at_check: bool,
}

struct Thread {
    gil: Option<u32>,
    sched: Sched,
    state: ThreadState,
    state_since: u64,
    holds: bool,
    /// GIL ownership as last reported to the sink.
    traced_holds: bool,
    cont: Cont,
    park_pending: bool,
    overhead_left: u64,
    kind: Kind,
    remaining: u64,
    /// Bytecode time since the last check point (always below the period
    /// between decisions).
    since_check: u64,
    burst: Burst,
    cursor: Cursor,
    rng: Pcg64Mcg,
    vruntime: u64,
    dispatched_at: u64,
    run_start: u64,
    last_core: u32,
    // Results.
    start_ns: u64,
    finished: Option<u64>,
    cpu_ns: u64,
    times: StateTimes,
    acquisitions: u64,
    failed: u64,
    forced: u64,
}

struct Core {
    current: Option<u32>,
    /// When the current thread's slice began (it runs from then on).
    slice_start: u64,
    armed: bool,
    busy_ns: u64,
    switch_ns: u64,
    dispatches: u64,
}

struct GilSlot {
    gil: Gil,
    /// Bytecode time between two check points of this GIL's holder.
    period: u64,
    process: u32,
    interpreter: u32,
    held_since: u64,
    held_ns: u64,
    waiting: u32,
    wait_since: u64,
    wait_ns: u64,
}

struct LockSlot {
    holder: Option<u32>,
    sleepers: VecDeque<u32>,
}

enum RunQueue {
    Fifo(VecDeque<u32>),
    /// Least (virtual runtime, arrival sequence) first.
    Fair(BinaryHeap<Reverse<(u64, u64, u32)>>),
}

impl RunQueue {
    fn len(&self) -> usize {
        match self {
            RunQueue::Fifo(q) => q.len(),
            RunQueue::Fair(q) => q.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One simulation run in progress.
pub(crate) struct Engine<'s, S: TraceSink> {
    sink: &'s mut S,
    now: u64,
    queue: EventQueue<What>,
    /// Entity number of core 0 in the queue (cores follow the threads).
    core_base: u32,
    events: u64,
    max_events: u64,
    horizon: u64,
    costs: Costs,
    policy: OsPolicy,
    /// Time slice by number of threads wanting a core (running or ready).
    slices: Vec<u64>,
    /// Cores with a thread on them (running or switching in).
    busy_cores: u64,
    tick: u64,
    py_factor: Option<f64>,
    threads: Vec<Thread>,
    programs: Vec<Vec<Op>>,
    cores: Vec<Core>,
    runq: RunQueue,
    queue_seq: u64,
    min_vruntime: u64,
    os_rng: Pcg64Mcg,
    gils: Vec<GilSlot>,
    locks: Vec<LockSlot>,
    names: Vec<(String, u32)>,
    stop_when: Vec<bool>,
    has_stop: bool,
    stop_left: usize,
    live: usize,
    error: Option<SimError>,
}

impl<'s, S: TraceSink> Engine<'s, S> {
    /// Builds the initial state of a validated scenario.
    pub(crate) fn new(sc: &Scenario, sink: &'s mut S) -> Engine<'s, S> {
        let mut gils = Vec::new();
        let mut gil_of = Vec::new(); // per (process, interpreter)
        let gil_policy = match sc.gil {
            GilSpec::New { switch_interval_ns } | GilSpec::PerInterpreter { switch_interval_ns } => {
                Some(Policy::New { switch_interval_ns })
            }
            GilSpec::Priority { switch_interval_ns } => Some(Policy::Priority { switch_interval_ns }),
            GilSpec::Old { check_interval } => Some(Policy::Old { check_interval }),
            GilSpec::None { .. } => None,
        };
        let per_interpreter = matches!(sc.gil, GilSpec::PerInterpreter { .. });
        for (p, proc_) in sc.processes.iter().enumerate() {
            let mut row = Vec::new();
            for i in 0..proc_.interpreters {
                let shared = i > 0 && !per_interpreter;
                let idx = match gil_policy {
                    None => None,
                    Some(_) if shared => row[0],
                    Some(policy) => {
                        let idx = gils.len() as u32;
                        let period = sc.interp.tick_ns * u64::from(policy.check_interval().unwrap_or(1));
                        let seed = rng::stream_seed(sc.seed, rng::GIL_STREAM, u64::from(idx));
                        gils.push(GilSlot {
                            gil: Gil::new(policy, sc.interp.wake_order, seed),
                            period,
                            process: p as u32,
                            interpreter: i,
                            held_since: 0,
                            held_ns: 0,
                            waiting: 0,
                            wait_since: 0,
                            wait_ns: 0,
                        });
                        Some(idx)
                    }
                };
                row.push(idx);
            }
            gil_of.push(row);
        }
        let mut threads = Vec::new();
        let mut programs = Vec::new();
        for (global, (p, spec)) in sc.threads().enumerate() {
            programs.push(program::compile(&spec.program));
            threads.push(Thread {
                gil: gil_of[p][spec.interpreter as usize],
                sched: Sched::NotStarted,
                state: ThreadState::NotStarted,
                state_since: 0,
                holds: false,
                traced_holds: false,
                cont: Cont::Fetch,
                park_pending: false,
                overhead_left: 0,
                kind: Kind::Python,
                remaining: 0,
                since_check: 0,
                burst: Burst { kind: BurstKind::Overhead, start: 0, len: 0, stops_at_check: false },
                cursor: Cursor::default(),
                rng: rng::stream(sc.seed, rng::THREAD_STREAM, global as u64),
                vruntime: 0,
                dispatched_at: 0,
                run_start: 0,
                last_core: 0,
                start_ns: spec.start_ns,
                finished: None,
                cpu_ns: 0,
                times: StateTimes::default(),
                acquisitions: 0,
                failed: 0,
                forced: 0,
            });
        }
        let n = threads.len();
        let mut stop_when = vec![false; n];
        for &t in &sc.stop_when {
            stop_when[t as usize] = true;
        }
        let stop_left = stop_when.iter().filter(|s| **s).count();
        let cores = (0..sc.machine.cores)
            .map(|_| Core { current: None, slice_start: 0, armed: false, busy_ns: 0, switch_ns: 0, dispatches: 0 })
            .collect();
        let runq = match sc.machine.policy {
            OsPolicy::Fair { .. } => RunQueue::Fair(BinaryHeap::new()),
            OsPolicy::RoundRobin { .. } | OsPolicy::Fcfs => RunQueue::Fifo(VecDeque::new()),
        };
        let py_factor = match sc.gil {
            GilSpec::None { overhead } => Some(1.0 + overhead),
            _ => None,
        };
        Engine {
            sink,
            now: 0,
            queue: EventQueue::new(n + sc.machine.cores as usize, What::Run),
            core_base: n as u32,
            events: 0,
            max_events: sc.limits.max_events,
            horizon: sc.limits.horizon_ns.unwrap_or(u64::MAX),
            costs: sc.machine.costs,
            policy: sc.machine.policy,
            slices: slice_table(sc.machine.policy, sc.machine.cores, n),
            busy_cores: 0,
            tick: sc.interp.tick_ns,
            py_factor,
            threads,
            programs,
            cores,
            runq,
            queue_seq: 0,
            min_vruntime: 0,
            os_rng: rng::stream(sc.seed, rng::OS_STREAM, 0),
            gils,
            locks: (0..sc.locks).map(|_| LockSlot { holder: None, sleepers: VecDeque::new() }).collect(),
            names: sc.threads().map(|(p, t)| (t.name.clone(), p as u32)).collect(),
            has_stop: stop_left > 0,
            stop_when,
            stop_left,
            live: n,
            error: None,
        }
    }

    /// Runs to the end and returns the results.
    pub(crate) fn run(mut self) -> Result<SimResult, SimError> {
        for t in 0..self.threads.len() as u32 {
            let start = self.threads[t as usize].start_ns;
            self.sink.thread_state(0, ThreadId(t), ThreadState::NotStarted, false);
            self.queue.schedule(t, start, What::Wake(WakeCause::Start));
        }
        for c in 0..self.cores.len() as u32 {
            self.sink.core_state(0, c, CoreState::Idle);
        }
        let end = loop {
            let Some((id, time, what)) = self.queue.pop() else {
                self.now = self.now.min(self.horizon);
                break if self.live == 0 { EndReason::AllFinished } else { EndReason::Deadlock };
            };
            if time > self.horizon {
                self.now = self.horizon;
                break EndReason::Horizon;
            }
            debug_assert!(time >= self.now, "time went back");
            self.now = time;
            self.count_event()?;
            match what {
                What::Slice => self.on_slice(id - self.core_base),
                What::Run => self.on_run(id),
                What::BurstEnd => self.on_burst_end(id),
                What::Wake(cause) => self.on_wake(id, cause),
            }
            if let Some(err) = self.error.take() {
                return Err(err);
            }
            if self.has_stop {
                if self.stop_left == 0 {
                    break EndReason::StopWhen;
                }
            } else if self.live == 0 {
                break EndReason::AllFinished;
            }
        };
        Ok(self.finish(end))
    }

    fn count_event(&mut self) -> Result<(), SimError> {
        self.events += 1;
        if self.events > self.max_events {
            return Err(SimError::EventBudget { events: self.max_events, at_ns: self.now });
        }
        Ok(())
    }

    fn cancel_slice(&mut self, core: u32) {
        let c = &mut self.cores[core as usize];
        if c.armed {
            c.armed = false;
            self.queue.cancel(self.core_base + core);
        }
    }

    // ----- event handlers -------------------------------------------------

    fn on_run(&mut self, t: u32) {
        let th = &mut self.threads[t as usize];
        let Sched::Switching(core) = th.sched else { unreachable!("run without dispatch") };
        th.sched = Sched::Running(core);
        th.run_start = self.now;
        let c = &mut self.cores[core as usize];
        c.switch_ns += self.now - th.dispatched_at;
        self.sink.core_state(self.now, core, CoreState::Run(ThreadId(t)));
        self.proceed(t);
    }

    fn on_burst_end(&mut self, t: u32) {
        let elapsed = self.now - self.threads[t as usize].burst.start;
        self.account_burst(t, elapsed, true);
        self.proceed(t);
    }

    fn on_wake(&mut self, t: u32, cause: WakeCause) {
        let retry = self.costs.retry_ns;
        let th = &mut self.threads[t as usize];
        match cause {
            WakeCause::Start | WakeCause::Io => th.cont = Cont::Fetch,
            WakeCause::GilSignalled => {
                th.overhead_left += retry;
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
        }
        let sleeper = cause != WakeCause::Start;
        if !sleeper {
            let min_v = self.current_min_vruntime();
            self.threads[t as usize].vruntime = min_v;
        }
        self.make_ready(t, sleeper);
    }

    fn on_slice(&mut self, core: u32) {
        let c = &mut self.cores[core as usize];
        c.armed = false;
        let Some(t) = c.current else { return };
        if !matches!(self.threads[t as usize].sched, Sched::Running(_)) {
            return;
        }
        if self.runq.is_empty() {
            self.cores[core as usize].slice_start = self.now;
            return;
        }
        if let Some(&(min_v, _, _)) = self.first_fair() {
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

    fn first_fair(&self) -> Option<&(u64, u64, u32)> {
        match &self.runq {
            RunQueue::Fair(q) => q.peek().map(|Reverse(k)| k),
            RunQueue::Fifo(_) => None,
        }
    }

    // ----- thread logic ---------------------------------------------------

    /// Runs thread `t`'s continuation until it starts a burst, blocks or ends.
    fn proceed(&mut self, t: u32) {
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
            let stop = match th.cont {
                Cont::Fetch => self.fetch(t),
                Cont::Begin => self.begin(t),
                Cont::Work => self.work(t),
                Cont::Check => self.check(t),
                Cont::Acquire(cause) => self.acquire(t, cause),
                Cont::LockTry => self.lock_try(t),
            };
            if stop || self.error.is_some() {
                return;
            }
        }
    }

    fn fetch(&mut self, t: u32) -> bool {
        let th = &mut self.threads[t as usize];
        match th.cursor.next(&self.programs[t as usize], &mut th.rng) {
            Next::End => {
                self.finish_thread(t);
                true
            }
            Next::Step(kind, mut amount) => {
                if let (Kind::Python, Some(f)) = (kind, self.py_factor) {
                    if amount < FOREVER {
                        amount = ((amount as f64) * f).round().max(1.0) as u64;
                    }
                }
                th.kind = kind;
                th.remaining = amount;
                th.cont = Cont::Begin;
                false
            }
        }
    }

    fn begin(&mut self, t: u32) -> bool {
        let th = &mut self.threads[t as usize];
        th.cont = Cont::Work;
        let Some(g) = th.gil else { return false };
        if th.kind.needs_gil() {
            if !th.holds {
                th.cont = Cont::Acquire(Cause::Entry);
            } else if !matches!(self.gils[g as usize].gil.policy(), Policy::Old { .. }) {
                // Calls and function entry test the eval breaker.
                th.cont = Cont::Check;
            }
        } else if th.holds {
            self.release_gil(t, ReleaseKind::Voluntary);
        }
        false
    }

    fn work(&mut self, t: u32) -> bool {
        let th = &mut self.threads[t as usize];
        if th.remaining == 0 {
            th.cont = Cont::Fetch;
            return false;
        }
        match th.kind {
            Kind::Python => {
                let (len, stops) = self.plan_python(t);
                self.start_burst(t, BurstKind::Python, len, stops);
                true
            }
            Kind::CHold => {
                let len = th.remaining;
                self.start_burst(t, BurstKind::CHold, len, false);
                true
            }
            Kind::CRelease => {
                let len = th.remaining;
                self.start_burst(t, BurstKind::CRelease, len, false);
                true
            }
            Kind::Io => {
                let done = self.now.saturating_add(th.remaining);
                th.remaining = 0;
                th.cont = Cont::Fetch;
                self.block(t, ThreadState::Io, Some((done, WakeCause::Io)));
                true
            }
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
                    th.overhead_left += self.costs.futex_wake_ns;
                    self.wake_blocked(w, WakeCause::LockSignalled);
                }
                let th = &mut self.threads[t as usize];
                th.remaining = 0;
                th.cont = Cont::Fetch;
                false
            }
        }
    }

    fn lock_try(&mut self, t: u32) -> bool {
        let th = &mut self.threads[t as usize];
        let Kind::Lock(n) = th.kind else { unreachable!("lock retry outside a lock step") };
        let lock = &mut self.locks[n as usize];
        if lock.holder.is_none() {
            lock.holder = Some(t);
            th.remaining = 0;
            th.cont = Cont::Acquire(Cause::Entry);
            false
        } else {
            lock.sleepers.push_back(t);
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
                let requests_policy = !matches!(slot.gil.policy(), Policy::Old { .. });
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
                let wake = deadline.map(|d| (d, WakeCause::GilTimedOut));
                self.block(t, ThreadState::GilWait, wake);
                true
            }
        }
    }

    fn release_gil(&mut self, t: u32, kind: ReleaseKind) {
        let th = &mut self.threads[t as usize];
        let g = th.gil.expect("release without a GIL") as usize;
        let slot = &mut self.gils[g];
        let released = slot.gil.release(ThreadId(t), kind, self.now);
        slot.held_ns += self.now - slot.held_since;
        th.holds = false;
        th.park_pending = released.park;
        th.overhead_left += match released.signal {
            Signal::None => 0,
            Signal::Syscall => self.costs.syscall_ns,
            Signal::Wake => self.costs.futex_wake_ns,
        };
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
            self.threads[taker as usize].overhead_left += self.costs.futex_wake_ns;
            self.wake_blocked(p, WakeCause::Unpark);
        } else {
            th.park_pending = false;
        }
    }

    /// Makes a blocked thread ready now (the kernel enqueues it at once; the
    /// latency is paid when it is dispatched), replacing its pending timeout.
    fn wake_blocked(&mut self, t: u32, cause: WakeCause) {
        debug_assert_eq!(self.threads[t as usize].sched, Sched::Blocked, "waking a thread that is not blocked");
        self.queue.schedule(t, self.now, What::Wake(cause));
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

    fn start_burst(&mut self, t: u32, kind: BurstKind, len: u64, stops_at_check: bool) {
        let th = &mut self.threads[t as usize];
        th.burst = Burst { kind, start: self.now, len, stops_at_check };
        let state = match kind {
            BurstKind::Python => ThreadState::Python,
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
        self.queue.schedule(t, self.now.saturating_add(len), What::BurstEnd);
    }

    /// Books `elapsed` of the current burst; `completed` if it ran in full.
    fn account_burst(&mut self, t: u32, elapsed: u64, completed: bool) {
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
            BurstKind::CHold => {
                th.remaining -= elapsed;
                th.cont = Cont::Work;
                if completed {
                    if let Some(g) = th.gil {
                        let slot = &mut self.gils[g as usize];
                        if matches!(slot.gil.policy(), Policy::Old { .. }) {
                            // A long opcode is a single tick of the old GIL.
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

    fn finish_thread(&mut self, t: u32) {
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

    fn block(&mut self, t: u32, state: ThreadState, wake: Option<(u64, WakeCause)>) {
        let holds = self.threads[t as usize].holds;
        match wake {
            Some((at, cause)) => self.queue.schedule(t, at, What::Wake(cause)),
            None => self.queue.cancel(t),
        }
        self.set_state(t, state, holds);
        self.leave_core(t, Sched::Blocked);
    }

    /// Moves `t` to `state`, booking the time spent in the previous one.
    fn set_state(&mut self, t: u32, state: ThreadState, holds: bool) {
        let th = &mut self.threads[t as usize];
        let old = th.state;
        if old == state && th.traced_holds == holds {
            return;
        }
        th.traced_holds = holds;
        if old != state {
            th.times.add(old, self.now - th.state_since);
            th.state = state;
            th.state_since = self.now;
            if let Some(g) = th.gil {
                let slot = &mut self.gils[g as usize];
                if old == ThreadState::GilWait {
                    slot.waiting -= 1;
                    if slot.waiting == 0 {
                        slot.wait_ns += self.now - slot.wait_since;
                    }
                }
                if state == ThreadState::GilWait {
                    if slot.waiting == 0 {
                        slot.wait_since = self.now;
                    }
                    slot.waiting += 1;
                }
            }
        }
        self.sink.thread_state(self.now, ThreadId(t), state, holds);
    }

    // ----- the OS: cores and run queue ------------------------------------

    fn ready_state(&self, t: u32) -> ThreadState {
        match self.threads[t as usize].cont {
            Cont::Acquire(_) => ThreadState::GilWait,
            Cont::LockTry => ThreadState::LockWait,
            _ => ThreadState::Ready,
        }
    }

    /// A thread becomes ready: an idle core takes it, or it may preempt a
    /// running thread (fair policy), or it queues.
    fn make_ready(&mut self, t: u32, sleeper: bool) {
        let state = self.ready_state(t);
        let th = &mut self.threads[t as usize];
        th.sched = Sched::Ready;
        let holds = th.holds;
        if let (true, OsPolicy::Fair { latency_ns, .. }) = (sleeper, self.policy) {
            // Sleeper credit: at most half a latency behind the others.
            let min_v = self.current_min_vruntime();
            let th = &mut self.threads[t as usize];
            th.vruntime = th.vruntime.max(min_v.saturating_sub(latency_ns / 2));
        }
        self.set_state(t, state, holds);
        if let Some(core) = self.idle_core(self.threads[t as usize].last_core) {
            let delay = self.wakeup_delay();
            self.dispatch(core, t, delay);
            return;
        }
        if let OsPolicy::Fair { wakeup_granularity_ns, .. } = self.policy {
            let v = self.threads[t as usize].vruntime;
            let mut victim: Option<(u64, u32, u32)> = None;
            for (ci, c) in self.cores.iter().enumerate() {
                let Some(cur) = c.current else { continue };
                let cth = &self.threads[cur as usize];
                if !matches!(cth.sched, Sched::Running(_)) {
                    continue;
                }
                let cur_v = cth.vruntime + (self.now - cth.dispatched_at);
                if victim.is_none_or(|(best, _, _)| cur_v > best) {
                    victim = Some((cur_v, ci as u32, cur));
                }
            }
            if let Some((cur_v, core, cur)) = victim {
                if cur_v > v + wakeup_granularity_ns {
                    self.preempt(cur);
                    self.dispatch(core, t, self.costs.context_switch_ns);
                    return;
                }
            }
        }
        self.enqueue(t);
        self.arm_all();
    }

    /// The least virtual runtime among running and queued threads (never
    /// decreasing), as CFS keeps `min_vruntime`.
    fn current_min_vruntime(&mut self) -> u64 {
        let mut min_v = self.first_fair().map(|&(v, _, _)| v);
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

    fn idle_core(&self, prefer: u32) -> Option<u32> {
        if self.cores[prefer as usize].current.is_none() {
            return Some(prefer);
        }
        self.cores.iter().position(|c| c.current.is_none()).map(|i| i as u32)
    }

    fn enqueue(&mut self, t: u32) {
        self.queue_seq += 1;
        match &mut self.runq {
            RunQueue::Fifo(q) => q.push_back(t),
            RunQueue::Fair(q) => {
                q.push(Reverse((self.threads[t as usize].vruntime, self.queue_seq, t)));
            }
        }
    }

    /// Takes a running thread off its core, back to the run queue.
    fn preempt(&mut self, t: u32) {
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
    fn leave_core(&mut self, t: u32, next: Sched) {
        let th = &mut self.threads[t as usize];
        let Sched::Running(core) = th.sched else { unreachable!("leaving a core it is not running on") };
        th.sched = next;
        th.vruntime += self.now - th.dispatched_at;
        th.last_core = core;
        let c = &mut self.cores[core as usize];
        c.busy_ns += self.now - th.run_start;
        c.current = None;
        self.busy_cores -= 1;
        // The slice timer stays: the next dispatch on this core replaces it,
        // and a core left idle cancels it.
        if next != Sched::Ready {
            self.dispatch_next(core);
        }
    }

    fn dispatch_next(&mut self, core: u32) {
        let next = match &mut self.runq {
            RunQueue::Fifo(q) => q.pop_front(),
            RunQueue::Fair(q) => q.pop().map(|Reverse((_, _, t))| t),
        };
        match next {
            Some(t) => self.dispatch(core, t, self.costs.context_switch_ns),
            None => {
                self.cancel_slice(core);
                self.sink.core_state(self.now, core, CoreState::Idle);
            }
        }
    }

    /// Delay before a thread woken onto an idle core runs: the minimum
    /// latency plus exponential jitter from the OS stream.
    fn wakeup_delay(&mut self) -> u64 {
        let jitter = self.costs.wakeup_jitter_ns;
        let extra = if jitter == 0 { 0 } else { program::sample(Dist::Exp { mean: jitter }, &mut self.os_rng) };
        self.costs.wakeup_latency_ns + extra
    }

    /// Puts `t` on `core`; it starts running after `delay` (a context switch,
    /// or a wake-up latency when the core was idle).
    fn dispatch(&mut self, core: u32, t: u32, delay: u64) {
        let cs = delay;
        let th = &mut self.threads[t as usize];
        th.sched = Sched::Switching(core);
        th.dispatched_at = self.now;
        self.min_vruntime = self.min_vruntime.max(th.vruntime);
        let c = &mut self.cores[core as usize];
        debug_assert!(c.current.is_none(), "dispatch onto a busy core");
        c.current = Some(t);
        self.busy_cores += 1;
        c.slice_start = self.now + cs;
        c.dispatches += 1;
        self.sink.core_state(self.now, core, CoreState::Switch(ThreadId(t)));
        self.queue.schedule(t, self.now + cs, What::Run);
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
        if self.policy == OsPolicy::Fcfs {
            return;
        }
        let c = &mut self.cores[core as usize];
        if c.armed || c.current.is_none() {
            return;
        }
        c.armed = true;
        let start = c.slice_start;
        // The slice depends on how many threads want a core right now.
        let at = start.saturating_add(self.slice_len()).max(self.now);
        self.queue.schedule(self.core_base + core, at, What::Slice);
    }

    fn arm_all(&mut self) {
        for core in 0..self.cores.len() as u32 {
            self.arm(core);
        }
    }

    // ----- the end ----------------------------------------------------------

    fn finish(mut self, end: EndReason) -> SimResult {
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
            .map(|s| GilReport {
                process: s.process,
                interpreter: s.interpreter,
                stats: *s.gil.stats(),
                held_ns: s.held_ns,
                wait_ns: s.wait_ns,
                held_fraction: frac(s.held_ns),
                wait_fraction: frac(s.wait_ns),
                switches_per_sec: if now == 0 { 0.0 } else { s.gil.stats().switches as f64 / (now as f64 * 1e-9) },
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
        SimResult { end, makespan_ns: now, events: self.events, threads, gils, cores }
    }
}

/// Slice lengths for 0..=threads threads wanting a core: the fair policy
/// shares its latency among the threads per core, never below the minimum
/// granularity; the others have a fixed slice.
fn slice_table(policy: OsPolicy, cores: u32, threads: usize) -> Vec<u64> {
    (0..=threads as u64 + u64::from(cores))
        .map(|wanting| match policy {
            OsPolicy::Fair { latency_ns, min_granularity_ns, .. } => {
                let per_core = wanting.div_ceil(u64::from(cores)).max(1);
                (latency_ns / per_core).max(min_granularity_ns)
            }
            OsPolicy::RoundRobin { slice_ns } => slice_ns,
            OsPolicy::Fcfs => u64::MAX / 4,
        })
        .collect()
}
