//! Programs compiled to a flat list of operations, and duration sampling.

use rand::Rng;
use rand_pcg::Pcg64Mcg;
use smallvec::SmallVec;

use crate::scenario::{Dist, MAX_DURATION_NS, MAX_TIME_NS, Step, Times};

/// Remaining work of a step that never ends: it would end at or after the
/// end of simulated time, so it never does (the run stops before, or fails
/// there); small enough that adding it to any simulated time cannot overflow.
pub(crate) const FOREVER: u64 = MAX_TIME_NS;

/// Loop counter value of a `forever` loop.
const FOREVER_LOOP: u64 = u64::MAX;

/// What a step does; decides which GIL state it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Python,
    CHold,
    CRelease,
    Io,
    Lock(u32),
    Unlock(u32),
    /// Take a permit of a semaphore.
    SemAcquire(u32),
    /// Return a permit of a semaphore.
    SemRelease(u32),
    /// One bytecode: load a shared variable into the thread's register.
    Read(u32),
    /// One bytecode: add to the register.
    Add(i64),
    /// One bytecode: store the register into a shared variable.
    Store(u32),
    /// One bytecode that updates a shared variable in place.
    AtomicAdd(u32, i64),
    /// Put an item; with a routine for whoever serves it.
    Put(u32, Option<u32>),
    Get(u32),
    /// Wait for room in a queue without putting anything.
    Reserve(u32),
    /// Move the current item into a queue.
    Forward(u32),
    /// Run the current item's routine, then reply to its sender.
    Serve,
    /// An event loop waiting in `select` for timers or completions.
    Select,
}

/// Which GIL state a step needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Need {
    /// Runs bytecode: takes the GIL first.
    Gil,
    /// Releases the GIL around its work.
    NoGil,
    /// Leaves the GIL as it is (it releases it only if it must block).
    Any,
}

impl Kind {
    pub(crate) fn need(self) -> Need {
        match self {
            Kind::Python
            | Kind::CHold
            | Kind::Lock(_)
            | Kind::Unlock(_)
            | Kind::SemAcquire(_)
            | Kind::SemRelease(_)
            | Kind::Read(_)
            | Kind::Add(_)
            | Kind::Store(_)
            | Kind::AtomicAdd(..) => Need::Gil,
            Kind::CRelease | Kind::Io | Kind::Select => Need::NoGil,
            Kind::Put(..) | Kind::Get(_) | Kind::Reserve(_) | Kind::Forward(_) | Kind::Serve => Need::Any,
        }
    }

    /// A single bytecode of a race experiment (one tick, effect at its end).
    pub(crate) fn is_op(self) -> bool {
        matches!(self, Kind::Read(_) | Kind::Add(_) | Kind::Store(_) | Kind::AtomicAdd(..))
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Op {
    Work(Kind, Dist),
    Instant(Kind),
    Await(Dist),
    ToThread(u32),
    Loop { times: u64 },
    EndLoop { start: u32 },
}

/// Flattens nested repeats into loop operations.
pub(crate) fn compile(steps: &[Step]) -> Vec<Op> {
    let mut ops = Vec::new();
    emit(steps, &mut ops);
    ops
}

fn emit(steps: &[Step], ops: &mut Vec<Op>) {
    for step in steps {
        match step {
            Step::Python(d) => ops.push(Op::Work(Kind::Python, *d)),
            Step::CHold(d) => ops.push(Op::Work(Kind::CHold, *d)),
            Step::CRelease(d) => ops.push(Op::Work(Kind::CRelease, *d)),
            Step::Io(d) => ops.push(Op::Work(Kind::Io, *d)),
            Step::Lock(n) => ops.push(Op::Instant(Kind::Lock(*n))),
            Step::Unlock(n) => ops.push(Op::Instant(Kind::Unlock(*n))),
            Step::Acquire(n) => ops.push(Op::Instant(Kind::SemAcquire(*n))),
            Step::Release(n) => ops.push(Op::Instant(Kind::SemRelease(*n))),
            Step::Read(v) => ops.push(Op::Instant(Kind::Read(*v))),
            Step::Add(n) => ops.push(Op::Instant(Kind::Add(*n))),
            Step::Store(v) => ops.push(Op::Instant(Kind::Store(*v))),
            Step::AtomicAdd(v, n) => ops.push(Op::Instant(Kind::AtomicAdd(*v, *n))),
            Step::Put(q) => ops.push(Op::Instant(Kind::Put(*q, None))),
            Step::Submit(q, r) => ops.push(Op::Instant(Kind::Put(*q, Some(*r)))),
            Step::Get(q) => ops.push(Op::Instant(Kind::Get(*q))),
            Step::Reserve(q) => ops.push(Op::Instant(Kind::Reserve(*q))),
            Step::Forward(q) => ops.push(Op::Instant(Kind::Forward(*q))),
            Step::Serve => ops.push(Op::Instant(Kind::Serve)),
            Step::AwaitIo(d) => ops.push(Op::Await(*d)),
            Step::ToThread(r) => ops.push(Op::ToThread(*r)),
            Step::Repeat { times, body } => {
                let start = ops.len() as u32;
                let times = match times {
                    Times::Count(n) => *n,
                    Times::Forever => FOREVER_LOOP,
                };
                ops.push(Op::Loop { times });
                emit(body, ops);
                ops.push(Op::EndLoop { start });
            }
        }
    }
}

/// A position in a program.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cursor {
    pc: u32,
    /// Iterations left of each enclosing loop, innermost last (inline up to
    /// two: a separate allocation per thread was a cache miss per step with
    /// many threads).
    loops: SmallVec<[u64; 2]>,
}

/// What a program yields next.
pub(crate) enum Next {
    /// A step with its sampled amount (1 for instant steps); `back_edge` is
    /// set when a loop jumped back on the way (a check point since 3.10).
    Step { kind: Kind, amount: u64, back_edge: bool },
    /// An asyncio task awaits I/O for this long.
    Await(u64),
    /// An asyncio task offloads this routine to a worker thread.
    ToThread(u32),
    /// The program ended.
    End,
}

impl Cursor {
    /// Advances to the next step; loops are validated to run at least once
    /// and forever loops to contain a timed step, so this terminates.
    pub(crate) fn next(&mut self, ops: &[Op], rng: &mut Pcg64Mcg) -> Next {
        let mut back_edge = false;
        loop {
            let Some(op) = ops.get(self.pc as usize) else { return Next::End };
            self.pc += 1;
            match *op {
                Op::Work(kind, dist) => return Next::Step { kind, amount: sample(dist, rng), back_edge },
                Op::Instant(kind) => return Next::Step { kind, amount: 1, back_edge },
                Op::Await(dist) => return Next::Await(sample(dist, rng)),
                Op::ToThread(r) => return Next::ToThread(r),
                Op::Loop { times } => self.loops.push(times),
                Op::EndLoop { start } => {
                    // Programs are compiled from nested steps: every EndLoop follows its Loop.
                    let left = self.loops.last_mut().expect("loop end without start");
                    if *left != FOREVER_LOOP {
                        *left -= 1;
                    }
                    if *left == 0 {
                        self.loops.pop();
                    } else {
                        self.pc = start + 1;
                        back_edge = true;
                    }
                }
            }
        }
    }
}

/// Draws a duration in nanoseconds (at least 1, at most
/// [`MAX_DURATION_NS`] unless it is `forever`), so that a few durations
/// added to a time before the end of time cannot overflow.
pub(crate) fn sample(dist: Dist, rng: &mut Pcg64Mcg) -> u64 {
    match dist {
        Dist::Fixed(n) => n.min(MAX_DURATION_NS),
        Dist::Uniform { lo, hi } => rng.random_range(lo..=hi).min(MAX_DURATION_NS),
        Dist::Exp { mean } => {
            // Round to the nearest nanosecond (x >= 0; the cast saturates).
            let x = crate::exp::exp1(rng) * mean as f64 + 0.5;
            (x as u64).clamp(1, MAX_DURATION_NS)
        }
        Dist::Forever => FOREVER,
    }
}

/// The mean of a distribution (for the SJF policy's job-length estimate).
pub(crate) fn mean(dist: Dist) -> u64 {
    match dist {
        Dist::Fixed(n) => n,
        Dist::Uniform { lo, hi } => lo / 2 + hi / 2,
        Dist::Exp { mean } => mean,
        Dist::Forever => FOREVER,
    }
}

/// Expected CPU work (bytecode and C code) of a program, saturating.
pub(crate) fn expected_cpu(steps: &[Step]) -> u64 {
    steps.iter().fold(0u64, |sum, step| {
        let one = match step {
            Step::Python(d) | Step::CHold(d) | Step::CRelease(d) => mean(*d),
            Step::Repeat { times: Times::Count(n), body } => expected_cpu(body).saturating_mul(*n),
            Step::Repeat { times: Times::Forever, .. } => FOREVER,
            _ => 0,
        };
        sum.saturating_add(one).min(FOREVER)
    })
}
