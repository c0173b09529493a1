//! Thread programs compiled to a flat list of operations, and duration sampling.

use rand::{Rng, RngCore};
use rand_pcg::Pcg64Mcg;

use crate::scenario::{Dist, Step, Times};

/// Remaining work of a step that never ends; far beyond any horizon, yet
/// small enough that adding it to any simulated time cannot overflow.
pub(crate) const FOREVER: u64 = u64::MAX / 4;

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
}

impl Kind {
    /// Whether the step runs with the GIL held (else it releases it).
    pub(crate) fn needs_gil(self) -> bool {
        !matches!(self, Kind::CRelease | Kind::Io)
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Op {
    Work(Kind, Dist),
    Lock(u32),
    Unlock(u32),
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
            Step::Lock(n) => ops.push(Op::Lock(*n)),
            Step::Unlock(n) => ops.push(Op::Unlock(*n)),
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

/// A thread's position in its program.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cursor {
    pc: u32,
    /// Iterations left of each enclosing loop, innermost last.
    loops: Vec<u64>,
}

/// The next step a program yields, with its sampled amount.
pub(crate) enum Next {
    Step(Kind, u64),
    End,
}

impl Cursor {
    /// Advances to the next step; loops are validated to run at least once
    /// and forever loops to contain a timed step, so this terminates.
    pub(crate) fn next(&mut self, ops: &[Op], rng: &mut Pcg64Mcg) -> Next {
        loop {
            let Some(op) = ops.get(self.pc as usize) else { return Next::End };
            self.pc += 1;
            match *op {
                Op::Work(kind, dist) => return Next::Step(kind, sample(dist, rng)),
                Op::Lock(n) => return Next::Step(Kind::Lock(n), 1),
                Op::Unlock(n) => return Next::Step(Kind::Unlock(n), 1),
                Op::Loop { times } => self.loops.push(times),
                Op::EndLoop { start } => {
                    let left = self.loops.last_mut().expect("loop end without start");
                    if *left != FOREVER_LOOP {
                        *left -= 1;
                    }
                    if *left == 0 {
                        self.loops.pop();
                    } else {
                        self.pc = start + 1;
                    }
                }
            }
        }
    }
}

/// Draws a duration in nanoseconds (at least 1).
pub(crate) fn sample(dist: Dist, rng: &mut Pcg64Mcg) -> u64 {
    match dist {
        Dist::Fixed(n) => n,
        Dist::Uniform { lo, hi } => rng.random_range(lo..=hi),
        Dist::Exp { mean } => {
            // Inverse CDF with a 53-bit uniform in (0, 1]; libm keeps `log`
            // bit-identical on every platform.
            let u = ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64);
            let x = -libm::log(u) * mean as f64;
            (x.round() as u64).max(1)
        }
        Dist::Forever => FOREVER,
    }
}
