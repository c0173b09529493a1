//! The keyed run queue (fair and SJF policies): a 4-ary min-heap of packed keys.
//!
//! Ready threads are ordered by (key, arrival, thread), where the key is the
//! virtual runtime or the expected work left. A standard `BinaryHeap` of
//! `Reverse<(u64, u64, u32)>` spent a third of the run time popping with
//! ten thousand CPU-bound threads; packing the triple into one `u128` makes a
//! comparison two instructions, and four children per node halve the depth
//! (the four children of a node share one or two cache lines). Arrival
//! numbers are unique, so the order is the triple's, and pops come out
//! exactly as from the `BinaryHeap`.

/// Bits of a packed key that hold the thread number.
const THREAD_BITS: u32 = 24;
/// Bits of a packed key that hold the arrival number.
const SEQ_BITS: u32 = 40;

const ARITY: usize = 4;

/// Ready threads, least (key, arrival) first.
#[derive(Clone, Debug, Default)]
pub(crate) struct RunHeap {
    heap: Vec<u128>,
    /// Sum of the keys (the fair policy's average virtual runtime).
    sum: u128,
}

fn pack(key: u64, seq: u64, thread: u32) -> u128 {
    debug_assert!(thread < 1 << THREAD_BITS, "thread number too large");
    // 2^40 arrivals is far beyond any event budget; wrapping would only
    // reorder threads with equal keys.
    let seq = seq & ((1 << SEQ_BITS) - 1);
    (u128::from(key) << 64) | (u128::from(seq) << THREAD_BITS) | u128::from(thread)
}

fn unpack(k: u128) -> (u64, u32) {
    ((k >> 64) as u64, (k as u32) & ((1 << THREAD_BITS) - 1))
}

impl RunHeap {
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Adds `thread` with `key`; `seq` (unique, increasing) breaks ties.
    pub(crate) fn push(&mut self, key: u64, seq: u64, thread: u32) {
        self.sum += u128::from(key);
        self.push_packed(pack(key, seq, thread));
    }

    /// The sum of the queued keys.
    pub(crate) fn key_sum(&self) -> u128 {
        self.sum
    }

    fn push_packed(&mut self, k: u128) {
        let mut at = self.heap.len();
        self.heap.push(k);
        while at > 0 {
            let parent = (at - 1) / ARITY;
            let p = self.heap[parent];
            if k >= p {
                break;
            }
            self.heap[at] = p;
            at = parent;
        }
        self.heap[at] = k;
    }

    /// The least key and its thread.
    pub(crate) fn peek(&self) -> Option<(u64, u32)> {
        self.heap.first().map(|&k| unpack(k))
    }

    /// Removes the thread with the least key.
    pub(crate) fn pop(&mut self) -> Option<(u64, u32)> {
        let last = self.heap.pop()?;
        let Some(&root) = self.heap.first() else {
            self.sum -= last >> 64;
            return Some(unpack(last));
        };
        self.sift_down(0, last);
        self.sum -= root >> 64;
        Some(unpack(root))
    }

    /// The sum and number of the keys whose thread `ok` accepts (a linear
    /// scan: only scenarios with pinned threads ask).
    pub(crate) fn sum_where(&self, mut ok: impl FnMut(u32) -> bool) -> (u128, usize) {
        self.heap.iter().filter(|&&k| ok(unpack(k).1)).fold((0, 0), |(s, n), &k| (s + (k >> 64), n + 1))
    }

    /// The least key whose thread `ok` accepts (a linear scan: only
    /// scenarios with pinned threads ask).
    pub(crate) fn min_where(&self, mut ok: impl FnMut(u32) -> bool) -> Option<(u64, u32)> {
        self.heap.iter().copied().filter(|&k| ok(unpack(k).1)).min().map(unpack)
    }

    /// Removes the least key whose thread `ok` accepts; the others keep
    /// their keys and arrival order.
    pub(crate) fn pop_where(&mut self, mut ok: impl FnMut(u32) -> bool) -> Option<(u64, u32)> {
        let mut skipped = Vec::new();
        let mut found = None;
        while let Some(&root) = self.heap.first() {
            let last = self.heap.pop().expect("a root means a last element");
            if !self.heap.is_empty() {
                self.sift_down(0, last);
            }
            if ok(unpack(root).1) {
                self.sum -= root >> 64;
                found = Some(unpack(root));
                break;
            }
            skipped.push(root);
        }
        for k in skipped {
            self.push_packed(k);
        }
        found
    }

    /// Keeps only the threads `keep` accepts.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(u32) -> bool) {
        self.heap.retain(|&k| keep(unpack(k).1));
        self.sum = self.heap.iter().map(|&k| k >> 64).sum();
        // Rebuild: a rare operation (a crash), linear.
        for at in (0..self.heap.len()).rev() {
            let k = self.heap[at];
            self.sift_down(at, k);
        }
    }

    /// Moves `k` (destined for slot `at`) down to its place.
    fn sift_down(&mut self, mut at: usize, k: u128) {
        let heap = &mut self.heap[..];
        let n = heap.len();
        loop {
            let first = ARITY * at + 1;
            if first >= n {
                break;
            }
            let mut child = first;
            let mut c = heap[first];
            let end = (first + ARITY).min(n);
            for (i, &x) in heap[first + 1..end].iter().enumerate() {
                if x < c {
                    child = first + 1 + i;
                    c = x;
                }
            }
            if c >= k {
                break;
            }
            heap[at] = c;
            at = child;
        }
        heap[at] = k;
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Pops come out exactly as from the `BinaryHeap` it replaced.
        #[test]
        fn pops_like_a_binary_heap(ops in prop::collection::vec((0u8..6, 0u64..20, 0u32..50), 0..400)) {
            let mut heap = RunHeap::default();
            let mut model: BinaryHeap<Reverse<(u64, u64, u32)>> = BinaryHeap::new();
            let mut seq = 0;
            for (op, key, thread) in ops {
                match op {
                    0 | 1 => {
                        seq += 1;
                        heap.push(key, seq, thread);
                        model.push(Reverse((key, seq, thread)));
                    }
                    2 => {
                        let want = model.pop().map(|Reverse((k, _, t))| (k, t));
                        prop_assert_eq!(heap.pop(), want);
                    }
                    3 | 4 => {
                        // A pinned core's pick: the least entry whose thread
                        // has the wanted residue.
                        let ok = |t: u32| t % 3 == thread % 3;
                        let want = model.iter().filter(|Reverse((_, _, t))| ok(*t)).min_by_key(|Reverse(x)| *x).map(|Reverse(x)| *x);
                        prop_assert_eq!(heap.min_where(ok), want.map(|(k, _, t)| (k, t)));
                        if op == 4 {
                            prop_assert_eq!(heap.pop_where(ok), want.map(|(k, _, t)| (k, t)));
                            if let Some(w) = want {
                                model.retain(|Reverse(x)| *x != w);
                            }
                        }
                    }
                    _ => {
                        heap.retain(|t| t != thread);
                        model.retain(|Reverse((_, _, t))| *t != thread);
                    }
                }
                prop_assert_eq!(heap.len(), model.len());
                prop_assert_eq!(heap.key_sum(), model.iter().map(|Reverse((k, _, _))| u128::from(*k)).sum::<u128>());
                prop_assert_eq!(heap.peek(), model.peek().map(|Reverse((k, _, t))| (*k, *t)));
            }
        }
    }
}
