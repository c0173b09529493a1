//! Traces: the engine pushes state changes into a [`TraceSink`].
//!
//! The engine is generic over the sink, so with [`NoTrace`] (whose methods are
//! empty) tracing compiles away. [`Recorder`] turns the pushes into a [`Trace`]
//! of intervals per thread and per core, plus point marks, for timeline charts.

use gil_core::ThreadId;
use serde::{Deserialize, Serialize};

/// What a thread is doing; every nanosecond of a thread's life is in one state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadState {
    /// Before its start time.
    NotStarted,
    /// Ready to run, waiting for a core (possibly holding the GIL, if the OS
    /// preempted it).
    Ready,
    /// On a core running bytecode, holding the GIL (or no GIL is needed).
    Python,
    /// On a core running C code that holds the GIL (one long opcode).
    CHold,
    /// On a core running C code that released the GIL.
    CRelease,
    /// On a core in GIL or lock bookkeeping: signalling waiters, system calls.
    Overhead,
    /// Inside `take_gil`: asleep on the GIL, or woken and re-checking.
    GilWait,
    /// A forced dropper waiting until another thread took the GIL.
    Handoff,
    /// Blocked in a system call (I/O, sleep) with the GIL released.
    Io,
    /// Blocked acquiring a `threading.Lock`.
    LockWait,
    /// Blocked on a queue: waiting for an item, or for room to put one.
    QueueWait,
    /// Its process crashed and has not been restarted (yet).
    Crashed,
    /// Finished.
    Done,
}

impl ThreadState {
    /// Every state, in a stable order (the index used by [`StateTimes`]).
    ///
    /// [`StateTimes`]: crate::StateTimes
    pub const ALL: [ThreadState; 13] = [
        ThreadState::NotStarted,
        ThreadState::Ready,
        ThreadState::Python,
        ThreadState::CHold,
        ThreadState::CRelease,
        ThreadState::Overhead,
        ThreadState::GilWait,
        ThreadState::Handoff,
        ThreadState::Io,
        ThreadState::LockWait,
        ThreadState::QueueWait,
        ThreadState::Crashed,
        ThreadState::Done,
    ];

    /// Position in [`ThreadState::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Short lower-case name, as serialised.
    pub fn name(self) -> &'static str {
        match self {
            ThreadState::NotStarted => "not_started",
            ThreadState::Ready => "ready",
            ThreadState::Python => "python",
            ThreadState::CHold => "c_hold",
            ThreadState::CRelease => "c_release",
            ThreadState::Overhead => "overhead",
            ThreadState::GilWait => "gil_wait",
            ThreadState::Handoff => "handoff",
            ThreadState::Io => "io",
            ThreadState::LockWait => "lock_wait",
            ThreadState::QueueWait => "queue_wait",
            ThreadState::Crashed => "crashed",
            ThreadState::Done => "done",
        }
    }

    /// Whether the thread is on a core in this state (a `GilWait` or
    /// `LockWait` thread may also be on a core briefly, re-checking).
    pub fn on_cpu(self) -> bool {
        matches!(self, ThreadState::Python | ThreadState::CHold | ThreadState::CRelease | ThreadState::Overhead)
    }
}

/// What a core is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoreState {
    /// Nothing to run.
    Idle,
    /// Switching to this thread (context-switch cost).
    Switch(ThreadId),
    /// Running this thread.
    Run(ThreadId),
}

/// A point event worth drawing on a timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// A waiter set the drop request on this holder.
    DropRequest,
    /// This holder dropped the GIL to service a drop request.
    ForcedDrop,
    /// This thread was woken but found the GIL taken again.
    FailedAcquire,
    /// This thread took the GIL from another thread (a holder change).
    Switch,
    /// This thread's timed GIL wait expired.
    TimedOut,
}

/// Receives the engine's state changes; every method defaults to doing nothing.
///
/// Calls arrive in time order. `thread_state` is called whenever a thread's
/// state or its GIL ownership changes; `finish` once, at the end of the run.
pub trait TraceSink {
    /// `thread` is in `state` from `at` on; `holds_gil` tells whether it owns its GIL.
    fn thread_state(&mut self, _at: u64, _thread: ThreadId, _state: ThreadState, _holds_gil: bool) {}
    /// `core` is in `state` from `at` on.
    fn core_state(&mut self, _at: u64, _core: u32, _state: CoreState) {}
    /// A point event at `at` on `thread`'s lane.
    fn mark(&mut self, _at: u64, _thread: ThreadId, _mark: Mark) {}
    /// The run ended at `at`.
    fn finish(&mut self, _at: u64) {}
    /// Whether the sink can take no more: the engine then stops the run with
    /// [`crate::SimError::TraceFull`] (checked once per event).
    fn full(&self) -> bool {
        false
    }
}

/// A sink that records nothing; tracing costs nothing with it.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTrace;

impl TraceSink for NoTrace {}

/// One interval of a thread's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Start, inclusive.
    pub start_ns: u64,
    /// End, exclusive.
    pub end_ns: u64,
    /// What the thread did.
    pub state: ThreadState,
    /// Whether it owned its GIL meanwhile.
    pub holds_gil: bool,
}

/// One interval of a core's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoreSpan {
    /// Start, inclusive.
    pub start_ns: u64,
    /// End, exclusive.
    pub end_ns: u64,
    /// What the core did.
    pub state: CoreState,
}

/// A mark at a point in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkAt {
    /// When.
    pub at_ns: u64,
    /// On whose lane.
    pub thread: ThreadId,
    /// What happened.
    pub mark: Mark,
}

/// A recorded run: intervals per thread and per core, and marks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// Per thread, its intervals in time order, covering `[0, end_ns)`.
    pub threads: Vec<Vec<Span>>,
    /// Per core, its intervals in time order, covering `[0, end_ns)`.
    pub cores: Vec<Vec<CoreSpan>>,
    /// Marks in time order.
    pub marks: Vec<MarkAt>,
    /// End of the run.
    pub end_ns: u64,
}

/// A sink that records a [`Trace`], optionally only inside a time window.
#[derive(Clone, Debug)]
pub struct Recorder {
    trace: Trace,
    open_threads: Vec<Option<(u64, ThreadState, bool)>>,
    open_cores: Vec<Option<(u64, CoreState)>>,
    window: (u64, u64),
    /// Spans and marks recorded so far, and the most it takes.
    records: u64,
    max_records: u64,
}

impl Recorder {
    /// Records everything.
    pub fn new() -> Recorder {
        Recorder::window(0, u64::MAX)
    }

    /// Records only what overlaps `[from_ns, to_ns)` (intervals are clipped),
    /// so a long run can give a readable timeline of a few milliseconds.
    pub fn window(from_ns: u64, to_ns: u64) -> Recorder {
        Recorder {
            trace: Trace::default(),
            open_threads: Vec::new(),
            open_cores: Vec::new(),
            window: (from_ns, to_ns),
            records: 0,
            max_records: u64::MAX,
        }
    }

    /// Makes the recorder full after `max` spans and marks: the run then
    /// fails with [`crate::SimError::TraceFull`] instead of growing the
    /// trace without bound.
    pub fn with_limit(mut self, max: u64) -> Recorder {
        self.max_records = max;
        self
    }

    /// The recorded trace (call after the run).
    pub fn into_trace(self) -> Trace {
        self.trace
    }

    fn clip(&self, start: u64, end: u64) -> Option<(u64, u64)> {
        let (lo, hi) = self.window;
        let (s, e) = (start.max(lo), end.min(hi));
        (s < e).then_some((s, e))
    }

    fn close_thread(&mut self, idx: usize, at: u64) {
        if let Some((start, state, holds_gil)) = self.open_threads[idx].take()
            && let Some((s, e)) = self.clip(start, at)
        {
            let lane = &mut self.trace.threads[idx];
            match lane.last_mut() {
                Some(last) if last.end_ns == s && last.state == state && last.holds_gil == holds_gil => last.end_ns = e,
                _ => {
                    lane.push(Span { start_ns: s, end_ns: e, state, holds_gil });
                    self.records += 1;
                }
            }
        }
    }

    fn close_core(&mut self, idx: usize, at: u64) {
        if let Some((start, state)) = self.open_cores[idx].take()
            && let Some((s, e)) = self.clip(start, at)
        {
            let lane = &mut self.trace.cores[idx];
            match lane.last_mut() {
                Some(last) if last.end_ns == s && last.state == state => last.end_ns = e,
                _ => {
                    lane.push(CoreSpan { start_ns: s, end_ns: e, state });
                    self.records += 1;
                }
            }
        }
    }
}

impl Default for Recorder {
    fn default() -> Recorder {
        Recorder::new()
    }
}

impl TraceSink for Recorder {
    fn thread_state(&mut self, at: u64, thread: ThreadId, state: ThreadState, holds_gil: bool) {
        let idx = thread.index();
        if self.open_threads.len() <= idx {
            self.open_threads.resize(idx + 1, None);
            self.trace.threads.resize(idx + 1, Vec::new());
        }
        self.close_thread(idx, at);
        self.open_threads[idx] = Some((at, state, holds_gil));
    }

    fn core_state(&mut self, at: u64, core: u32, state: CoreState) {
        let idx = core as usize;
        if self.open_cores.len() <= idx {
            self.open_cores.resize(idx + 1, None);
            self.trace.cores.resize(idx + 1, Vec::new());
        }
        self.close_core(idx, at);
        self.open_cores[idx] = Some((at, state));
    }

    fn mark(&mut self, at: u64, thread: ThreadId, mark: Mark) {
        if self.window.0 <= at && at < self.window.1 {
            self.trace.marks.push(MarkAt { at_ns: at, thread, mark });
            self.records += 1;
        }
    }

    fn finish(&mut self, at: u64) {
        for idx in 0..self.open_threads.len() {
            self.close_thread(idx, at);
        }
        for idx in 0..self.open_cores.len() {
            self.close_core(idx, at);
        }
        self.trace.end_ns = at.min(self.window.1);
    }

    fn full(&self) -> bool {
        self.records >= self.max_records
    }
}

impl<S: TraceSink + ?Sized> TraceSink for &mut S {
    fn thread_state(&mut self, at: u64, thread: ThreadId, state: ThreadState, holds_gil: bool) {
        (**self).thread_state(at, thread, state, holds_gil);
    }
    fn core_state(&mut self, at: u64, core: u32, state: CoreState) {
        (**self).core_state(at, core, state);
    }
    fn mark(&mut self, at: u64, thread: ThreadId, mark: Mark) {
        (**self).mark(at, thread, mark);
    }
    fn finish(&mut self, at: u64) {
        (**self).finish(at);
    }
    fn full(&self) -> bool {
        (**self).full()
    }
}
