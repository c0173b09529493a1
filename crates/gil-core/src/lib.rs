//! Models of CPython's global interpreter lock (GIL) as plain state machines.
//!
//! A [`Gil`] knows who holds it, who sleeps waiting for it and what the
//! interpreter does at each step of acquiring and releasing it. It knows
//! nothing about cores, run queues or clocks: the caller (the `scheduler`
//! crate) passes the current simulated time where a decision depends on it
//! (the deadline of a timed wait) and carries out what the returned values ask
//! for (wake a thread, stop the holder at its next check point, park a
//! dropper).
//!
//! Three algorithms are modelled, each after CPython's source:
//!
//! * [`Policy::New`]: the GIL of CPython 3.2 and later (`Python/ceval_gil.c`,
//!   `take_gil` and `drop_gil`). A waiter sleeps on a condition variable for
//!   at most one switch interval; when the wait times out and no holder change
//!   happened meanwhile it sets the *drop request*; the holder drops the GIL at
//!   its next eval-breaker check point and, because `FORCE_SWITCHING` is always
//!   defined, waits until another thread has taken it. A voluntary release
//!   (blocking I/O, GIL-releasing C code) waits for that hand-off only if a
//!   request is pending. There is no queue: the OS picks which waiter a signal
//!   wakes, and a thread that arrives while the GIL is free takes it at once.
//! * [`Policy::Old`]: the GIL of CPython 2.x and 3.0-3.1 (`Python/ceval.c`). A
//!   plain lock (a POSIX semaphore on Linux). Every `check_interval` ticks the
//!   holder releases it and immediately asks for it again, with no hand-off, so
//!   a waiter woken on another core usually finds it taken again (a *false
//!   alarm*, counted as a failed acquisition).
//! * [`Policy::Priority`]: a "what if" policy after David Beazley's 2010
//!   priority patch for the new GIL. Threads start I/O-bound; a thread forced to
//!   drop the GIL becomes CPU-bound; a voluntary release makes it I/O-bound
//!   again. An I/O-bound thread that finds a CPU-bound holder sets the drop
//!   request at once instead of waiting an interval, and a release wakes
//!   I/O-bound waiters first.
//!
//! A free-threaded build (PEP 703) has no GIL at all and a per-interpreter GIL
//! (PEP 684) is one [`Gil`] per interpreter; both are decided by the caller.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

mod waiters;

use waiters::{Class, Waiter, Waiters};

/// Identifies an OS thread; the simulator numbers threads densely from zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ThreadId(pub u32);

impl ThreadId {
    /// The thread number as an index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The shortest timed wait `take_gil` performs, in nanoseconds.
///
/// CPython stores the switch interval in whole microseconds and clamps the
/// wait to at least one microsecond, so shorter intervals behave as 1 µs.
pub const MIN_WAIT_NS: u64 = 1_000;

/// The default switch interval of the new GIL: 5 ms (`DEFAULT_INTERVAL`).
pub const DEFAULT_SWITCH_INTERVAL_NS: u64 = 5_000_000;

/// The default check interval of the old GIL: 100 ticks (`_Py_CheckInterval`).
pub const DEFAULT_CHECK_INTERVAL: u32 = 100;

/// The algorithm a GIL instance follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Policy {
    /// The new GIL of CPython 3.2 and later, with forced switching.
    New {
        /// `sys.setswitchinterval` in nanoseconds; waits are whole microseconds.
        switch_interval_ns: u64,
    },
    /// The old GIL of CPython before 3.2: release and re-acquire every
    /// `check_interval` ticks, no hand-off.
    Old {
        /// `sys.setcheckinterval`: ticks between two checks.
        check_interval: u32,
    },
    /// The new GIL with Beazley's I/O-priority patch (never merged).
    Priority {
        /// Switch interval in nanoseconds, as for [`Policy::New`].
        switch_interval_ns: u64,
    },
}

impl Policy {
    /// The timed wait of one `take_gil` loop iteration, if the policy uses one.
    pub fn wait_ns(self) -> Option<u64> {
        match self {
            Policy::New { switch_interval_ns } | Policy::Priority { switch_interval_ns } => {
                // CPython keeps whole microseconds and never waits less than one.
                Some((switch_interval_ns / 1_000 * 1_000).max(MIN_WAIT_NS))
            }
            Policy::Old { .. } => None,
        }
    }

    /// Whether this is the old GIL: a plain lock (a semaphore on Linux) that
    /// the holder releases and retakes every `check_interval` ticks.
    pub fn is_old(self) -> bool {
        matches!(self, Policy::Old { .. })
    }

    /// Ticks between two checks for the old GIL; `None` for the others, whose
    /// holder tests the eval breaker at every check point.
    pub fn check_interval(self) -> Option<u32> {
        match self {
            Policy::Old { check_interval } => Some(check_interval),
            Policy::New { .. } | Policy::Priority { .. } => None,
        }
    }
}

/// How often a waiter that has just gone back to its wait (the new GIL's
/// drop requester) still has to reach `futex_wait` when the holder's signal
/// comes, and so takes the signal itself: the holder's `drop_gil` and the
/// requester's way into the kernel take about a microsecond each. Measured
/// with `calibration/probes/signal-race.py` on the second calibration host
/// (3.8, 3.12 and 3.13; 1 to 4 CPU-bound threads; 100 µs to 5 ms): 41% to
/// 70% of forced hand-offs, median 55%.
pub const REQUESTER_SEES_SIGNAL: f64 = 0.55;

/// Which sleeping waiter the OS wakes when a GIL or lock is signalled.
///
/// CPython does not decide this: `pthread_cond_signal` and `sem_post` wake a
/// waiter of the kernel's choosing. Linux futexes wake roughly in arrival
/// order, hence the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WakeOrder {
    /// The longest-sleeping waiter. For the new GIL, whose waiters sleep on
    /// glibc's condition variable, the longest-sleeping of group G1 (see
    /// `Gil::release`): what Linux with glibc 2.25 or later does.
    #[default]
    Fifo,
    /// The most recent waiter.
    Lifo,
    /// A waiter drawn uniformly from the GIL's own random stream.
    Random,
}

/// Why a thread runs the acquire routine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cause {
    /// First attempt: entering `take_gil` (after I/O, at thread start, after a
    /// forced drop, or re-acquiring right after an old-GIL check).
    Entry,
    /// Woken by a release's signal.
    Signalled,
    /// The timed wait of the new GIL expired.
    TimedOut,
}

/// What an acquisition attempt led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acquire {
    /// The caller now holds the GIL.
    Taken {
        /// A forced dropper parked on `switch_cond` that this take releases.
        unpark: Option<ThreadId>,
    },
    /// The caller must sleep until signalled or, for timed policies, until
    /// `deadline`.
    Wait {
        /// Absolute time at which the timed wait expires.
        deadline: Option<u64>,
        /// A holder that from now on must stop at its check points (a drop
        /// request was set, or an old-GIL holder just became contended).
        notify_holder: Option<ThreadId>,
        /// The caller had been signalled and found the GIL taken again.
        failed: bool,
    },
}

/// Why the holder releases the GIL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReleaseKind {
    /// A blocking call or GIL-releasing C code (`Py_BEGIN_ALLOW_THREADS`).
    Voluntary,
    /// The new GIL's drop request was serviced at a check point.
    Forced,
    /// The old GIL's periodic release at a check.
    Yield,
    /// The thread ends while holding the GIL (final release: no hand-off).
    Exit,
}

/// What signalling the waiters cost the releasing thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Signal {
    /// Nobody waits: a release is a few user-space instructions.
    None,
    /// Waiters exist but none sleeps (they are already woken): the semaphore
    /// still makes a `futex_wake` system call that wakes nobody.
    Syscall,
    /// A sleeping waiter is woken: a `futex_wake` that really wakes a thread.
    Wake,
}

/// The outcome of a release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Released {
    /// The sleeping waiter the signal woke, if any.
    pub woken: Option<ThreadId>,
    /// What the signal cost the releaser.
    pub signal: Signal,
    /// The releaser must wait on `switch_cond` until another thread took the
    /// GIL (new GIL, drop request pending, not a final release).
    pub park: bool,
}

/// What the holder does at an eval-breaker check point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Nothing to do: keep running.
    Continue,
    /// New GIL: a drop request is pending; release with [`ReleaseKind::Forced`].
    Drop,
    /// Old GIL: release with [`ReleaseKind::Yield`] and ask for it again.
    Yield,
}

/// Counters kept by one GIL; plain data for results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GilStats {
    /// Successful acquisitions.
    pub acquisitions: u64,
    /// Holder changes (`switch_number`): acquisitions by a thread other than
    /// the last holder.
    pub switches: u64,
    /// Releases that serviced a drop request (new GIL).
    pub forced_drops: u64,
    /// Releases around blocking calls and GIL-releasing C code.
    pub voluntary_drops: u64,
    /// Periodic releases at a contended check (old GIL).
    pub yields: u64,
    /// Times a waiter set the drop request.
    pub drop_requests: u64,
    /// Timed waits that expired (new GIL).
    pub timed_out_waits: u64,
    /// Signalled waiters that found the GIL taken again ("false alarms").
    pub failed_acquires: u64,
    /// Check points passed by holders (old GIL: every `check_interval` ticks).
    pub checks: u64,
}

impl std::ops::Add for GilStats {
    type Output = GilStats;

    /// Counter-wise sum (totals over several GILs or instances).
    fn add(self, o: GilStats) -> GilStats {
        GilStats {
            acquisitions: self.acquisitions + o.acquisitions,
            switches: self.switches + o.switches,
            forced_drops: self.forced_drops + o.forced_drops,
            voluntary_drops: self.voluntary_drops + o.voluntary_drops,
            yields: self.yields + o.yields,
            drop_requests: self.drop_requests + o.drop_requests,
            timed_out_waits: self.timed_out_waits + o.timed_out_waits,
            failed_acquires: self.failed_acquires + o.failed_acquires,
            checks: self.checks + o.checks,
        }
    }
}

impl GilStats {
    /// Beazley's badness ratio: failed acquisitions per check (0 when no check).
    pub fn badness(&self) -> f64 {
        if self.checks == 0 { 0.0 } else { self.failed_acquires as f64 / self.checks as f64 }
    }
}

/// One GIL: the lock, its waiters and its counters.
#[derive(Clone, Debug)]
pub struct Gil {
    policy: Policy,
    /// `policy.wait_ns()`, kept to spare a division per acquisition.
    wait_ns: Option<u64>,
    /// How long after its deadline a timed wait actually ends (the OS's
    /// timer slack): until then a waiter still sleeps and can be signalled.
    timer_slack_ns: u64,
    /// How long a thread that starts to wait is still on its way into the
    /// kernel's `futex_wait`: a signal in that time is its to take.
    sleep_entry_ns: u64,
    /// glibc's condition variable (new GIL, FIFO order): the first arrival
    /// number of group G2. Waiters that arrived earlier form G1, the only
    /// group a signal can wake.
    g2_start: u64,
    order: WakeOrder,
    rng: Pcg64Mcg,
    locked: bool,
    holder: Option<ThreadId>,
    last_holder: Option<ThreadId>,
    switch_number: u64,
    drop_request: bool,
    /// Threads sleeping on the condition variable or semaphore, oldest first.
    waiters: Waiters,
    /// Threads woken by a signal that have not run their retry yet.
    in_transit: u32,
    /// Timed-out waiters that a signal reached before they ran, indexed by
    /// thread number: their wait returns as signalled, not timed out.
    absorbed: Vec<bool>,
    /// A forced dropper waiting on `switch_cond`.
    parked: Option<ThreadId>,
    /// Priority policy: threads flagged CPU-bound, indexed by thread number.
    cpu_bound: Vec<bool>,
    stats: GilStats,
}

impl Gil {
    /// A free GIL following `policy`; `seed` feeds its own random stream, used
    /// only with [`WakeOrder::Random`].
    pub fn new(policy: Policy, order: WakeOrder, seed: u64) -> Gil {
        Gil {
            policy,
            wait_ns: policy.wait_ns(),
            timer_slack_ns: 0,
            sleep_entry_ns: 0,
            g2_start: 0,
            order,
            rng: Pcg64Mcg::seed_from_u64(seed),
            locked: false,
            holder: None,
            last_holder: None,
            switch_number: 0,
            drop_request: false,
            waiters: Waiters::new(),
            in_transit: 0,
            absorbed: Vec::new(),
            parked: None,
            cpu_bound: Vec::new(),
            stats: GilStats::default(),
        }
    }

    /// The same GIL on an OS whose timed waits end `slack_ns` after their
    /// deadline (Linux's timer slack): a waiter whose deadline passed sleeps
    /// on until then, so a release signals it rather than passing it over.
    pub fn with_timer_slack(mut self, slack_ns: u64) -> Gil {
        self.timer_slack_ns = slack_ns;
        self
    }

    /// The same GIL on an OS where a thread that starts to wait reaches its
    /// sleep `entry_ns` later: a signal sent before then goes to it, since it
    /// sees the signal before it sleeps, and not to a sleeper woken for it.
    pub fn with_sleep_entry(mut self, entry_ns: u64) -> Gil {
        self.sleep_entry_ns = entry_ns;
        self
    }

    /// The policy this GIL follows.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The current holder, if the GIL is locked.
    pub fn holder(&self) -> Option<ThreadId> {
        self.holder
    }

    /// Whether a drop request is pending.
    pub fn drop_requested(&self) -> bool {
        self.drop_request
    }

    /// The counters so far.
    pub fn stats(&self) -> &GilStats {
        &self.stats
    }

    /// Number of threads asleep waiting for the GIL.
    pub fn sleeping_waiters(&self) -> usize {
        self.waiters.len()
    }

    /// Whether the holder must stop at its next check point (a request is
    /// pending, or for the old GIL somebody waits) rather than run on.
    #[inline]
    pub fn wants_check(&self) -> bool {
        match self.policy {
            Policy::New { .. } | Policy::Priority { .. } => self.drop_request,
            Policy::Old { .. } => !self.waiters.is_empty() || self.in_transit > 0,
        }
    }

    /// Records `n` check points passed by a holder that had no reason to stop.
    pub fn count_checks(&mut self, n: u64) {
        self.stats.checks += n;
    }

    /// Runs `take_gil` (or the old lock's acquire) for `thread` at time `now`.
    ///
    /// Times passed to one GIL must never decrease.
    #[inline]
    pub fn acquire(&mut self, thread: ThreadId, cause: Cause, now: u64) -> Acquire {
        let mut saved_switch = self.switch_number;
        // A timed-out waiter that a signal dequeued before it ran: its wait
        // returns 0 (signalled), so it asks for no drop.
        let cause = if cause == Cause::TimedOut && self.take_absorbed(thread) { Cause::Signalled } else { cause };
        match cause {
            Cause::Entry => {}
            Cause::Signalled => {
                debug_assert!(self.in_transit > 0, "signalled waiter not in transit");
                self.in_transit -= 1;
            }
            Cause::TimedOut => {
                self.stats.timed_out_waits += 1;
                let waiter = self.waiters.remove(thread);
                debug_assert!(waiter.is_some(), "timed-out thread is not waiting");
                if let Some(w) = waiter {
                    saved_switch = w.saved_switch;
                }
            }
        }
        if !self.locked {
            return Acquire::Taken { unpark: self.take(thread) };
        }
        let failed = cause == Cause::Signalled;
        if failed {
            self.stats.failed_acquires += 1;
        }
        let was_contended = self.wants_check();
        match self.policy {
            Policy::New { .. } | Policy::Priority { .. } => {
                // take_gil: a timeout with no holder change in between asks the
                // holder to drop; a switch meanwhile means a full new wait.
                let timed_out = cause == Cause::TimedOut && saved_switch == self.switch_number;
                let jump_queue = matches!(self.policy, Policy::Priority { .. })
                    && !self.is_cpu_bound(thread)
                    && self.holder.is_some_and(|h| self.is_cpu_bound(h));
                if (timed_out || jump_queue) && !self.drop_request {
                    self.drop_request = true;
                    self.stats.drop_requests += 1;
                }
            }
            Policy::Old { .. } => {}
        }
        let deadline = self.wait_ns.map(|w| now + w);
        let class = if matches!(self.policy, Policy::Priority { .. }) && !self.is_cpu_bound(thread) {
            Class::Io
        } else {
            Class::Plain
        };
        // Asleep until the timer fires, at the end of the slack.
        let wakes = deadline.map(|d| d.saturating_add(self.timer_slack_ns));
        self.waiters.push(Waiter { thread, saved_switch: self.switch_number, deadline: wakes, since: now }, class);
        let notify_holder = if !was_contended && self.wants_check() { self.holder } else { None };
        Acquire::Wait { deadline, notify_holder, failed }
    }

    /// Releases the GIL held by `thread` at time `now`, signalling one waiter.
    ///
    /// The new GIL's waiters (FIFO order) follow glibc's condition variable:
    /// a waiter joins group G2, a signal goes to G1 only and, when G1 has
    /// nobody left, first makes every current waiter G1. Within G1 a waiter
    /// that began its wait less than the sleep entry ago takes the signal
    /// with probability [`REQUESTER_SEES_SIGNAL`]; otherwise the signal goes
    /// to the oldest G1 waiter (absorbed if its timer already fired). So the
    /// waiter that asked for a forced drop often takes the GIL ahead of
    /// older sleepers, and a sleeper of G2 waits for the next group.
    ///
    /// Times passed to one GIL must never decrease.
    #[inline]
    pub fn release(&mut self, thread: ThreadId, kind: ReleaseKind, now: u64) -> Released {
        debug_assert_eq!(self.holder, Some(thread), "release by a non-holder");
        self.locked = false;
        self.holder = None;
        self.last_holder = Some(thread);
        match kind {
            ReleaseKind::Voluntary => {
                self.stats.voluntary_drops += 1;
                self.set_cpu_bound(thread, false);
            }
            ReleaseKind::Forced => {
                self.stats.forced_drops += 1;
                self.set_cpu_bound(thread, true);
            }
            ReleaseKind::Yield => self.stats.yields += 1,
            ReleaseKind::Exit => {}
        }
        let (woken, absorbed) = self.pick_sleeper(now);
        let signal = if woken.is_some() {
            self.in_transit += 1;
            Signal::Wake
        } else if absorbed {
            // The wake dequeued a waiter already awake: a system call's cost.
            self.in_transit += 1;
            Signal::Syscall
        } else if self.in_transit > 0 && self.policy.is_old() {
            // sem_post wakes the futex whenever the waiter count is non-zero.
            Signal::Syscall
        } else {
            Signal::None
        };
        // FORCE_SWITCHING: with a request pending, wait until somebody else
        // took the GIL; the request is cleared before waiting.
        let park = kind != ReleaseKind::Exit && self.drop_request;
        if park {
            self.drop_request = false;
            debug_assert!(self.parked.is_none(), "two parked droppers");
            self.parked = Some(thread);
        }
        Released { woken, signal, park }
    }

    /// The holder passes a check point: what it must do there.
    #[inline]
    pub fn at_check(&mut self, thread: ThreadId) -> Check {
        debug_assert_eq!(self.holder, Some(thread), "check by a non-holder");
        self.stats.checks += 1;
        match self.policy {
            Policy::New { .. } | Policy::Priority { .. } if self.drop_request => Check::Drop,
            Policy::Old { .. } if self.wants_check() => Check::Yield,
            _ => Check::Continue,
        }
    }

    #[inline]
    fn take(&mut self, thread: ThreadId) -> Option<ThreadId> {
        self.locked = true;
        self.holder = Some(thread);
        self.stats.acquisitions += 1;
        if self.last_holder != Some(thread) {
            self.last_holder = Some(thread);
            self.switch_number += 1;
            self.stats.switches += 1;
        }
        // The new holder clears the request aimed at the previous one.
        self.drop_request = false;
        let unpark = self.parked.take();
        debug_assert_ne!(unpark, Some(thread), "a parked thread cannot take the GIL");
        unpark
    }

    /// The waiter a signal wakes, or `(None, true)` when it reaches a
    /// timed-out waiter that has not run yet.
    #[inline]
    fn pick_sleeper(&mut self, now: u64) -> (Option<ThreadId>, bool) {
        let condvar = self.order == WakeOrder::Fifo && matches!(self.policy, Policy::New { .. });
        if condvar && let Some(t) = self.condvar_entering(now) {
            self.waiters.remove(t);
            return (Some(t), false);
        }
        // `futex_wake` takes the first task in the futex's queue, and a task
        // whose timed wait ended leaves that queue only when it runs
        // (`futex_unqueue` in `futex_wait`): until then a wake can take it
        // instead of a sleeper behind it, and its wait returns as woken.
        // (The condition variable's head is in G1: see `condvar_entering`.)
        if self.order == WakeOrder::Fifo
            && let Some(w) = self.waiters.head_plain()
            && w.deadline.is_some_and(|d| now >= d)
        {
            self.absorb(w.thread);
            return (None, true);
        }
        // Otherwise a timed waiter whose timer has fired (deadline and slack
        // passed) is already awake.
        let mut pick = match self.order {
            WakeOrder::Fifo => self.waiters.first_asleep_any(now),
            WakeOrder::Lifo => self.waiters.last_asleep_any(now),
            WakeOrder::Random => {
                let n = self.waiters.count_asleep(now);
                if n == 0 {
                    None
                } else {
                    let k = self.rng.random_range(0..n);
                    self.waiters.nth_asleep(k, now)
                }
            }
        };
        if condvar {
            // A signal reaches G1 only.
            pick = pick.filter(|&t| self.waiters.seq_of(t) < self.g2_start);
        }
        if matches!(self.policy, Policy::Priority { .. }) {
            // A waiter's class cannot change while it waits: only a release
            // (by the holder) flips it.
            pick = self.waiters.first_asleep(Class::Io, now).or(pick);
        }
        let Some(woken) = pick else { return (None, false) };
        self.waiters.remove(woken);
        (Some(woken), false)
    }

    /// `pthread_cond_signal` of glibc 2.25 and later, which the new GIL's
    /// `take_gil` waits on: a waiter joins group G2, and a signal goes to G1,
    /// first making every current waiter G1 when G1 has nobody left (so the
    /// oldest waiter is always G1). Within G1 a waiter still on its way to
    /// sleep may see the signal before `futex_wait` and take it: that waiter,
    /// if the draw says it does.
    fn condvar_entering(&mut self, now: u64) -> Option<ThreadId> {
        let head = self.waiters.head_plain()?;
        if self.waiters.seq_of(head.thread) >= self.g2_start {
            self.g2_start = self.waiters.next_seq();
        }
        let tail = self.waiters.tail_plain()?;
        (self.waiters.seq_of(tail.thread) < self.g2_start
            && now < tail.since.saturating_add(self.sleep_entry_ns)
            && self.rng.random_bool(REQUESTER_SEES_SIGNAL))
        .then_some(tail.thread)
    }

    /// A timed-out waiter that a signal reached before it ran.
    fn absorb(&mut self, t: ThreadId) {
        self.waiters.remove(t);
        let i = t.index();
        if self.absorbed.len() <= i {
            self.absorbed.resize(i + 1, false);
        }
        self.absorbed[i] = true;
    }

    fn take_absorbed(&mut self, thread: ThreadId) -> bool {
        self.absorbed.get_mut(thread.index()).is_some_and(std::mem::take)
    }

    fn is_cpu_bound(&self, thread: ThreadId) -> bool {
        self.cpu_bound.get(thread.index()).copied().unwrap_or(false)
    }

    fn set_cpu_bound(&mut self, thread: ThreadId, cpu: bool) {
        if !matches!(self.policy, Policy::Priority { .. }) {
            return;
        }
        if self.cpu_bound.len() <= thread.index() {
            self.cpu_bound.resize(thread.index() + 1, false);
        }
        self.cpu_bound[thread.index()] = cpu;
    }
}

#[cfg(test)]
mod tests;

mod code {
    include!(concat!(env!("OUT_DIR"), "/fingerprint.rs"));
}

/// A fingerprint of this crate's code and of the locked versions of the
/// dependencies that can change its decisions: any change to one of its
/// source files changes it. Caches of simulation results key on it.
pub fn code_fingerprint() -> String {
    code::combine(code::SOURCES.iter().map(|s| s.1).chain([code::DEPENDENCIES]))
}
