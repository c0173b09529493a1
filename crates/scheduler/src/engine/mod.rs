//! The discrete-event engine: events, cores, the run queue and thread logic.
//!
//! Time is an integer number of nanoseconds. Events are ordered by (time,
//! sequence number), so simultaneous events run in the order they were
//! scheduled. Every *entity* (thread, core, process, client) has at most one
//! pending event; scheduling replaces it (see `queue`).
//!
//! A thread on a core runs its *continuation* ([`Cont`]) through instantaneous
//! decisions until it starts a *burst* (CPU time: bytecode, C code or
//! overhead), blocks, or ends.
//!
//! Submodules: `build` (the initial state), `os` (cores, run queue, dispatch, preemption), `thread` (the
//! continuation: steps, GIL, locks), `sync` (queues, items, replies, request
//! sources, crashes), `aio` (asyncio event loops), `finish` (results).
//!
//! Panics: the `expect`s and `unreachable!`s in these modules state the
//! engine's own invariants (a running thread has a frame, a thread that
//! checks or releases a GIL holds one, a retry happens only in the step
//! that blocked) or facts that `Scenario::validate` established before the
//! engine was built (`simulate` always validates): no scenario that passes
//! validation reaches them, and each message says which.

mod aio;
mod build;
mod finish;
mod os;
mod sync;
mod thread;

use std::collections::VecDeque;

use gil_core::{Cause, Gil, GilStats, Policy, ThreadId};
use rand_pcg::Pcg64Mcg;
use smallvec::{SmallVec, smallvec};

use crate::SimError;
use crate::program::{self, Cursor, Kind, Op};
use crate::queue::EventQueue;
use crate::result::{EndReason, SimResult, StateTimes};
use crate::rng;
use crate::runq::RunHeap;
use crate::scenario::{Arrivals, CheckPoints, Costs, CrashSpec, Dist, GilSpec, MAX_TIME_NS, OsPolicy, Scenario, Step};
use crate::trace::{CoreState, ThreadState, TraceSink};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WakeCause {
    Start,
    /// I/O done, or an event loop's `select` returned.
    Io,
    GilSignalled,
    GilTimedOut,
    Unpark,
    LockSignalled,
    /// A getter was handed an item.
    QueueItem,
    /// A putter may retry: the queue has room.
    QueueRoom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    /// The context switch to a thread is done: it starts running.
    Run,
    /// A thread's current burst ended.
    BurstEnd,
    /// A blocked thread becomes ready.
    Wake(WakeCause),
    /// A core's time slice expired.
    Slice,
    /// An idle core picks a thread once everything due at this instant has
    /// arrived (SJF, which must compare simultaneous arrivals).
    Dispatch,
    /// A client sends a request.
    Arrive,
    /// A closed-loop client gives up waiting.
    ClientTimeout,
    /// A process crashes.
    Crash,
    /// A crashed process runs again.
    Restart,
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
    /// Blocking get from the current step's queue, GIL released.
    GetTry,
    /// Blocking put into the current step's queue, GIL released.
    PutTry,
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
    /// A single bytecode whose effect happens when it completes.
    Op,
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

/// Who is waiting for the answer to an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reply {
    None,
    /// A request of a source's client.
    Client {
        source: u32,
        client: u32,
    },
    /// An asyncio task awaiting `to_thread` (the loop thread's incarnation
    /// guards against answering a loop that crashed meanwhile).
    Task {
        thread: u32,
        task: u32,
        incarnation: u32,
    },
}

/// A unit of work travelling through queues.
#[derive(Clone, Copy, Debug)]
struct Item {
    id: u64,
    routine: Option<u32>,
    created: u64,
    reply: Reply,
}

/// One level of a thread's call stack.
#[derive(Clone, Debug)]
struct Frame {
    prog: u32,
    cursor: Cursor,
    /// Answer the current item when this frame ends (a `serve` call).
    reply: bool,
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
    /// The current step follows a loop back-edge.
    back_edge: bool,
    /// Bytecode time since the last check point (below the period between
    /// decisions).
    since_check: u64,
    burst: Burst,
    main_prog: u32,
    /// The call stack, inline up to one frame (most threads never call).
    frames: SmallVec<[Frame; 1]>,
    lp: Option<Box<aio::LoopRt>>,
    item: Option<Item>,
    reg: i64,
    incarnation: u32,
    rng: Pcg64Mcg,
    vruntime: u64,
    /// The average virtual runtime less its own when it last blocked
    /// (EEVDF's lag: positive when it got less than its share).
    lag: i64,
    /// When it last blocked.
    blocked_at: u64,
    /// EEVDF's virtual deadline: one slice past the virtual runtime it was
    /// placed at or last renewed at.
    deadline: u64,
    /// The virtual runtime up to which run-to-parity protects it from
    /// wake-up preemption (its deadline when it was dispatched).
    vprot: u64,
    /// The core whose delayed sleepers it is among.
    delayed_on: Option<u32>,
    /// Expected CPU work left, for the SJF and SRTF policies.
    est_cpu: u64,
    /// Priority number (lower is more urgent), for the priority policy.
    priority: u32,
    /// When it last entered the ready queue (or became ready).
    queued_at: u64,
    /// Time spent in the ready queue before that (aging credit).
    waited_ns: u64,
    dispatched_at: u64,
    run_start: u64,
    last_core: u32,
    /// Its process (an index into the scenario's processes).
    process: u32,
    /// The thread of another process whose pipe or socket write woke it
    /// (Linux wakes such a reader with `WF_SYNC`), until it is placed.
    sync_waker: Option<u32>,
    /// The cores it may run on; empty: any.
    affinity: Box<[u32]>,
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
    /// A deferred dispatch (SJF) will pick this idle core's thread.
    claimed: bool,
    /// When the current thread's slice began (it runs from then on).
    slice_start: u64,
    armed: bool,
    busy_ns: u64,
    switch_ns: u64,
    dispatches: u64,
    /// When the core last went idle (wake-ups onto it pay more the longer it idled).
    idle_since: u64,
    /// Threads that blocked here owing time (negative lag), by virtual
    /// runtime: EEVDF keeps them in the core's average until the others
    /// catch up (delayed dequeue). A thread leaves when it wakes or dies,
    /// and when the average passes it at a later block here.
    delayed: Delayed,
}

/// A core's delayed sleepers, ordered so that the ones the average has
/// passed are found without visiting the others (a list scanned at every
/// block and wake-up cost O(sleepers) per event with 100,000 I/O threads).
#[derive(Default)]
struct Delayed {
    set: std::collections::BTreeSet<(u64, u32)>,
    /// Sum of their virtual runtimes.
    sum: u128,
}

impl Delayed {
    fn insert(&mut self, v: u64, t: u32) {
        if self.set.insert((v, t)) {
            self.sum += u128::from(v);
        }
    }

    fn remove(&mut self, v: u64, t: u32) {
        if self.set.remove(&(v, t)) {
            self.sum -= u128::from(v);
        }
    }

    /// Whether no sleeper is delayed on this core.
    fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Sum and number of those strictly ahead of `avg`.
    fn ahead_of(&self, avg: u64) -> (u128, u128) {
        let (behind, n) =
            self.set.range(..=(avg, u32::MAX)).fold((0u128, 0u128), |(s, n), &(v, _)| (s + u128::from(v), n + 1));
        (self.sum - behind, self.set.len() as u128 - n)
    }

    /// Drops those at or behind `avg`.
    fn prune(&mut self, avg: u64) {
        while let Some(&(v, t)) = self.set.first() {
            if v > avg {
                break;
            }
            self.remove(v, t);
        }
    }
}

struct GilSlot {
    gil: Gil,
    /// A fresh copy, to replace `gil` when its process restarts.
    pristine: Gil,
    /// Counters of instances replaced after a crash.
    carried: GilStats,
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

/// A counting semaphore: free permits, the threads that took the others (a
/// thread once per permit, for explaining a deadlock) and its sleepers.
struct SemSlot {
    available: u64,
    holders: Vec<u32>,
    sleepers: VecDeque<u32>,
}

impl SemSlot {
    /// Takes a permit for `t` if one is free.
    fn try_take(&mut self, t: u32) -> bool {
        if self.available == 0 {
            return false;
        }
        self.available -= 1;
        self.holders.push(t);
        true
    }

    /// `t` returns a permit (it need not be one it took, as with
    /// `threading.Semaphore`); returns a sleeper to wake.
    fn give(&mut self, t: u32) -> Option<u32> {
        self.available += 1;
        if let Some(i) = self.holders.iter().position(|h| *h == t) {
            self.holders.swap_remove(i);
        } else if !self.holders.is_empty() {
            // A permit released on another's behalf: forget the oldest taker.
            self.holders.remove(0);
        }
        self.sleepers.pop_front()
    }
}

enum RunQueue {
    Fifo(VecDeque<u32>),
    /// Least key first: (virtual runtime or expected work, arrival, thread).
    Keyed(RunHeap),
}

impl RunQueue {
    fn len(&self) -> usize {
        match self {
            RunQueue::Fifo(q) => q.len(),
            RunQueue::Keyed(q) => q.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

struct ProcRt {
    name: String,
    memory_mb: f64,
    crash: Option<CrashSpec>,
    crashes: u32,
    restarts: u32,
    /// Global numbers of its threads.
    threads: std::ops::Range<u32>,
    /// Its GIL slots.
    gils: Vec<u32>,
}

/// One simulation run in progress.
pub(crate) struct Engine<'s, S: TraceSink> {
    sink: &'s mut S,
    now: u64,
    queue: EventQueue<What>,
    /// Entity numbers: threads first, then cores, processes, clients.
    core_base: u32,
    proc_base: u32,
    client_base: u32,
    events: u64,
    max_events: u64,
    /// Steps run since the last event (a zero-time loop spins here).
    instant_steps: u64,
    horizon: u64,
    costs: Costs,
    policy: OsPolicy,
    tick: u64,
    py_factor: Option<f64>,
    check_points: CheckPoints,
    threads: Vec<Thread>,
    programs: Vec<Vec<Op>>,
    /// Program of each routine.
    routine_prog: Vec<u32>,
    cores: Vec<Core>,
    runq: RunQueue,
    queue_seq: u64,
    min_vruntime: u64,
    os_rng: Pcg64Mcg,
    /// Time slice by number of threads wanting a core (running or ready).
    slices: Vec<u64>,
    /// Cores with a thread on them (running or switching in).
    busy_cores: u64,
    /// Some thread has an affinity: the run queue is searched per core.
    pinned: bool,
    gils: Vec<GilSlot>,
    locks: Vec<LockSlot>,
    sems: Vec<SemSlot>,
    vars: Vec<i64>,
    queues: Vec<sync::QueueRt>,
    sources: Vec<sync::SourceRt>,
    /// Per client entity: (source, client within the source).
    clients: Vec<(u32, u32)>,
    procs: Vec<ProcRt>,
    next_item: u64,
    names: Vec<(String, u32)>,
    stop_when: Vec<bool>,
    has_stop: bool,
    stop_left: usize,
    live: usize,
    error: Option<SimError>,
}

impl<'s, S: TraceSink> Engine<'s, S> {
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
        for p in 0..self.procs.len() as u32 {
            if let Some(crash) = self.procs[p as usize].crash {
                self.queue.schedule(self.proc_base + p, crash.at_ns, What::Crash);
            }
        }
        for s in 0..self.sources.len() {
            let src = &self.sources[s];
            for c in 0..src.clients.len() as u32 {
                self.queue.schedule(self.client_base + src.entity_base + c, src.start_ns, What::Arrive);
            }
        }
        let end = loop {
            let Some((id, time, what)) = self.queue.pop() else {
                if self.live == 0 && self.sources.is_empty() {
                    break EndReason::AllFinished;
                }
                if self.horizon < u64::MAX {
                    // Nothing more happens: idle until the fixed end.
                    self.now = self.now.max(self.horizon);
                    break EndReason::Horizon;
                }
                break EndReason::Deadlock;
            };
            if time > self.horizon {
                self.now = self.horizon;
                break EndReason::Horizon;
            }
            if time >= MAX_TIME_NS {
                // Only a `forever` step or durations summing past the end of
                // time get here: an error, never a wrapped clock.
                let thread = (id < self.core_base).then_some(id);
                return Err(SimError::EndOfTime { thread });
            }
            debug_assert!(time >= self.now, "time went back");
            self.now = time;
            self.count_event()?;
            self.instant_steps = 0;
            if self.sink.full() {
                return Err(SimError::TraceFull { at_ns: self.now });
            }
            match what {
                What::Run => self.on_run(id),
                What::BurstEnd => self.on_burst_end(id),
                What::Wake(cause) => self.on_wake(id, cause),
                What::Slice => self.on_slice(id - self.core_base),
                What::Dispatch => self.on_dispatch(id - self.core_base),
                What::Arrive => self.on_arrive(id - self.client_base),
                What::ClientTimeout => self.on_client_timeout(id - self.client_base),
                What::Crash => self.on_crash(id - self.proc_base),
                What::Restart => self.on_restart(id - self.proc_base),
            }
            if let Some(err) = self.error.take() {
                return Err(err);
            }
            if self.has_stop {
                if self.stop_left == 0 {
                    break EndReason::StopWhen;
                }
            } else if self.live == 0 && self.sources.is_empty() {
                // With request sources the run lasts to its horizon.
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

    fn sample(&mut self, t: u32, dist: Dist) -> u64 {
        program::sample(dist, &mut self.threads[t as usize].rng)
    }
}

#[cfg(test)]
mod tests {
    use super::Delayed;

    /// The set answers what the scanned list did: the sum and number of the
    /// sleepers strictly ahead of an average, and pruning drops exactly the
    /// ones at or behind it.
    #[test]
    fn delayed_sleepers_match_a_scan() {
        let mut d = Delayed::default();
        let mut list: Vec<(u64, u32)> = Vec::new();
        let mut x = 7u64;
        for t in 0..200u32 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let v = (x >> 40) % 1000;
            d.insert(v, t);
            list.push((v, t));
            if t % 3 == 0 {
                let (v, t) = list.remove((x as usize >> 8) % list.len());
                d.remove(v, t);
            }
            let avg = (x >> 20) % 1000;
            let ahead: Vec<_> = list.iter().filter(|(v, _)| *v > avg).collect();
            let want = (ahead.iter().map(|(v, _)| u128::from(*v)).sum(), ahead.len() as u128);
            assert_eq!(d.ahead_of(avg), want, "average {avg}");
            if t % 7 == 0 {
                d.prune(avg);
                list.retain(|(v, _)| *v > avg);
                assert_eq!(d.set.len(), list.len());
                assert_eq!(d.sum, list.iter().map(|(v, _)| u128::from(*v)).sum::<u128>());
            }
        }
    }
}
