//! asyncio event loops: one thread running cooperative tasks.
//!
//! The loop resumes ready tasks in FIFO order. A task runs its steps on the
//! loop's thread until it awaits: `await_io` suspends it until a timer
//! expires, `to_thread` until an executor thread has run the routine. A
//! blocking step (plain `io`, a long `python`) runs on the loop's thread and
//! so delays every other task. With nothing ready, the loop sleeps in
//! `select` (releasing the GIL) until the earliest timer or a completion.
//!
//! A task woken from outside (its timer fired, its offloaded call ended)
//! resumes as in asyncio's `_run_once`: the loop first runs the callback
//! that completes the task's future (Python, so it needs the GIL), which
//! schedules the task with `call_soon`; the next iteration's `select(0)`
//! releases the GIL once more before the task runs. A task's lag runs from
//! when it was due until its code runs, GIL waits included. The loop's
//! `select` sleeps until its earliest timer rounded up to a millisecond
//! (epoll's resolution) plus the kernel's timer slack.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::{Engine, Item, Reply, Sched, WakeCause};
use crate::program::{self, Cursor, Kind, Next, Op};
use crate::scenario::{Dist, EventLoopSpec};
use crate::trace::{ThreadState, TraceSink};

pub(super) struct TaskRt {
    pub(super) name: String,
    prog: u32,
    cursor: Cursor,
    /// When it became ready to run again (to measure how late it ran).
    due: u64,
    pub(super) awaits: u64,
    pub(super) max_lag: u64,
    pub(super) total_lag: u64,
    /// Lags measured: one per resumption after an await.
    pub(super) lags: u64,
    pub(super) finished: Option<u64>,
}

pub(super) struct LoopRt {
    pub(super) tasks: Vec<TaskRt>,
    ready: VecDeque<u32>,
    /// (due, sequence, task).
    timers: BinaryHeap<Reverse<(u64, u64, u32)>>,
    timer_seq: u64,
    current: Option<u32>,
    overhead: Dist,
    executor: Option<u32>,
    done: usize,
    started: bool,
    /// Where the loop is in waking tasks made ready from outside.
    wake: Wake,
    /// The current task's lag is measured when its first step is fetched
    /// (after the GIL was taken and the resume paid for).
    lag_open: bool,
}

/// The loop's path from a task made ready from outside to the task running.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wake {
    /// Nothing pending.
    Idle,
    /// Run the callbacks that complete the woken tasks' futures.
    Callbacks,
    /// The next iteration's `select(0)`: a system call without the GIL.
    Poll,
}

/// epoll's timeout resolution.
const MS: u64 = 1_000_000;

impl LoopRt {
    /// Compiles the tasks' programs (appended to `programs`).
    pub(super) fn new(spec: &EventLoopSpec, programs: &mut Vec<Vec<Op>>) -> LoopRt {
        let tasks = spec
            .tasks
            .iter()
            .map(|task| {
                programs.push(program::compile(&task.program));
                TaskRt {
                    name: task.name.clone(),
                    prog: programs.len() as u32 - 1,
                    cursor: Cursor::default(),
                    due: 0,
                    awaits: 0,
                    max_lag: 0,
                    total_lag: 0,
                    lags: 0,
                    finished: None,
                }
            })
            .collect();
        LoopRt {
            tasks,
            ready: VecDeque::new(),
            timers: BinaryHeap::new(),
            timer_seq: 0,
            current: None,
            overhead: spec.overhead,
            executor: spec.executor,
            done: 0,
            started: false,
            wake: Wake::Idle,
            lag_open: false,
        }
    }

    /// Back to the start, for a restarted process (statistics are kept).
    pub(super) fn reset(&mut self) {
        for task in &mut self.tasks {
            task.cursor = Cursor::default();
            task.finished = None;
        }
        self.ready.clear();
        self.timers.clear();
        self.current = None;
        self.done = 0;
        self.started = false;
        self.wake = Wake::Idle;
        self.lag_open = false;
    }

    fn next_timer(&self) -> Option<u64> {
        self.timers.peek().map(|Reverse((due, _, _))| *due)
    }
}

impl<S: TraceSink> Engine<'_, S> {
    /// The next step of an event-loop thread: the current task's, the loop's
    /// own bookkeeping, a `select`, or the end (every task done).
    pub(super) fn loop_fetch(&mut self, t: u32) -> bool {
        let now = self.now;
        loop {
            let th = &mut self.threads[t as usize];
            let incarnation = th.incarnation;
            let lp = th.lp.as_mut().expect("an event-loop thread");
            if !lp.started {
                lp.started = true;
                for (k, task) in lp.tasks.iter_mut().enumerate() {
                    task.due = now;
                    lp.ready.push_back(k as u32);
                }
            }
            if let Some(k) = lp.current {
                let task = &mut lp.tasks[k as usize];
                // A lag is the delay of a resumption after an await: the
                // first run, which follows no await, has none.
                if std::mem::take(&mut lp.lag_open) && task.awaits > 0 {
                    let lag = now - task.due;
                    task.max_lag = task.max_lag.max(lag);
                    task.total_lag += lag;
                    task.lags += 1;
                }
                match task.cursor.next(&self.programs[task.prog as usize], &mut th.rng) {
                    Next::Step { kind, amount, back_edge } => {
                        self.load_step(t, kind, amount, back_edge);
                        return false;
                    }
                    Next::Await(d) => {
                        task.awaits += 1;
                        lp.timer_seq += 1;
                        lp.timers.push(Reverse((now.saturating_add(d), lp.timer_seq, k)));
                        lp.current = None;
                    }
                    Next::ToThread(r) => {
                        task.awaits += 1;
                        lp.current = None;
                        let q = lp.executor.expect("validated: to_thread has an executor");
                        self.next_item += 1;
                        let reply = Reply::Task { thread: t, task: k, incarnation };
                        let item = Item { id: self.next_item, routine: Some(r), created: now, reply };
                        // The default executor's queue is unbounded.
                        self.offer(q, item, true, Some(t));
                    }
                    Next::End => {
                        task.finished = Some(now);
                        lp.done += 1;
                        lp.current = None;
                    }
                }
                continue;
            }
            while let Some(&Reverse((due, _, k))) = lp.timers.peek() {
                if due > now {
                    break;
                }
                lp.timers.pop();
                lp.tasks[k as usize].due = due;
                lp.ready.push_back(k);
                lp.wake = Wake::Callbacks;
            }
            let overhead = lp.overhead;
            let needs_gil = th.gil.is_some() && !th.holds;
            match lp.wake {
                Wake::Callbacks => {
                    lp.wake = Wake::Poll;
                    let cost = self.sample(t, overhead).max(1);
                    self.load_step(t, Kind::Python, cost, false);
                    return false;
                }
                Wake::Poll => {
                    lp.wake = Wake::Idle;
                    // `select(0)` finds nothing to do: a bare system call.
                    let cost = self.costs.syscall_ns.max(1);
                    self.load_step(t, Kind::CRelease, cost, false);
                    return false;
                }
                Wake::Idle => {}
            }
            if let Some(k) = lp.ready.pop_front() {
                lp.current = Some(k);
                lp.lag_open = true;
                let cost = match overhead {
                    Dist::Fixed(0) => 0,
                    d => self.sample(t, d),
                };
                // Resuming a coroutine is Python: it needs the GIL.
                let cost = if needs_gil { cost.max(1) } else { cost };
                if cost > 0 {
                    self.load_step(t, Kind::Python, cost, false);
                    return false;
                }
                continue;
            }
            if lp.done == lp.tasks.len() {
                self.finish_thread(t);
                return true;
            }
            // Nothing to run: wait in select.
            self.load_step(t, Kind::Select, 1, false);
            return false;
        }
    }

    /// Work of a `select` step: sleep until the earliest timer or a completion.
    pub(super) fn select(&mut self, t: u32) -> bool {
        let now = self.now;
        let th = &mut self.threads[t as usize];
        th.remaining = 0;
        th.cont = super::Cont::Fetch;
        let lp = th.lp.as_ref().expect("an event-loop thread");
        // A completion may have arrived while the GIL was being released.
        let next = lp.next_timer();
        if !lp.ready.is_empty() || next.is_some_and(|d| d <= now) {
            return false;
        }
        // selectors' epoll rounds the timeout up to whole milliseconds, and
        // the kernel lets a timed sleep overrun by the timer slack.
        let slack = if next.is_some() { self.timer_overrun() } else { 0 };
        let wake = next.map(|d| (now.saturating_add((d - now).div_ceil(MS) * MS).saturating_add(slack), WakeCause::Io));
        self.block(t, ThreadState::Io, wake);
        true
    }

    /// An offloaded call finished: its task is ready; wake the loop if it
    /// sleeps in `select` (`call_soon_threadsafe` writes to its self-pipe).
    pub(super) fn task_ready(&mut self, thread: u32, task: u32) {
        let now = self.now;
        let th = &mut self.threads[thread as usize];
        let lp = th.lp.as_mut().expect("an event-loop thread");
        lp.tasks[task as usize].due = now;
        lp.ready.push_back(task);
        lp.wake = Wake::Callbacks;
        if th.sched == Sched::Blocked && th.kind == Kind::Select {
            self.wake_blocked(thread, WakeCause::Io);
        }
    }
}
