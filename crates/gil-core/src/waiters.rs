//! The sleeping waiters of one GIL, in arrival order, with O(1) updates.
//!
//! A GIL with many waiters removes timed-out waiters from anywhere in the
//! arrival order and looks for the oldest waiter that still sleeps. A vector
//! did both in time linear in the number of waiters (a search plus a
//! `memmove` per timeout), which dominated runs with thousands of threads.
//!
//! Here each thread owns one node of a doubly linked list threaded through a
//! vector indexed by thread number, so adding and removing are O(1). Waiters
//! are split into two lists by class (the priority policy's I/O-bound
//! waiters and everybody else); a sequence number taken on arrival orders
//! waiters across the lists.
//!
//! Finding sleepers relies on one fact: a GIL's timed waits all have the
//! same length and time never goes back, so deadlines never decrease along
//! the arrival order, and a waiter whose deadline passed stays awake. The
//! waiters still asleep are therefore a suffix of each list, and a cursor
//! that only moves forward finds its start in amortised O(1). Only the
//! random wake order walks the sleepers (linear in their number).

use crate::ThreadId;

const NIL: u32 = u32::MAX;

/// A waiter's class: the list it sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Every waiter of the new and old GIL; CPU-bound ones of the priority GIL.
    Plain = 0,
    /// The priority GIL's I/O-bound waiters, woken first.
    Io = 1,
}

/// A thread waiting for the GIL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Waiter {
    pub(crate) thread: ThreadId,
    /// `switch_number` when this wait began.
    pub(crate) saved_switch: u64,
    /// Absolute expiry of the timed wait; the waiter no longer sleeps after it.
    pub(crate) deadline: Option<u64>,
    /// When this wait began.
    pub(crate) since: u64,
}

#[derive(Clone, Copy, Debug)]
struct Node {
    prev: u32,
    next: u32,
    /// Arrival number; orders waiters of different classes.
    seq: u64,
    saved_switch: u64,
    deadline: Option<u64>,
    since: u64,
    class: Class,
    queued: bool,
}

const FREE: Node = Node {
    prev: NIL,
    next: NIL,
    seq: 0,
    saved_switch: 0,
    deadline: None,
    since: 0,
    class: Class::Plain,
    queued: false,
};

/// One class's waiters; like the nodes' links, its ends and cursor are
/// slots (thread number minus `Waiters::base`) or `NIL`.
#[derive(Clone, Copy, Debug)]
struct List {
    head: u32,
    tail: u32,
    /// Every node before this one is awake; `NIL` when all are.
    cursor: u32,
}

const EMPTY: List = List { head: NIL, tail: NIL, cursor: NIL };

fn asleep(deadline: Option<u64>, now: u64) -> bool {
    deadline.is_none_or(|d| now < d)
}

/// Waiters in arrival order, at most one node per thread.
#[derive(Clone, Debug)]
pub(crate) struct Waiters {
    /// The nodes of threads `base..base + nodes.len()`. A GIL serves one
    /// process, whose threads are numbered contiguously: indexing from zero
    /// would cost each GIL a node per thread of the processes before it.
    base: u32,
    nodes: Vec<Node>,
    lists: [List; 2],
    len: usize,
    seq: u64,
    /// The latest deadline pushed (deadlines must not decrease).
    last_deadline: Option<u64>,
}

impl Waiters {
    pub(crate) fn new() -> Waiters {
        Waiters { base: 0, nodes: Vec::new(), lists: [EMPTY; 2], len: 0, seq: 0, last_deadline: None }
    }

    /// Waiters in the set, asleep or not.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `w`; its deadline must not precede an earlier waiter's, and
    /// its thread must not be waiting already.
    #[inline]
    pub(crate) fn push(&mut self, w: Waiter, class: Class) {
        debug_assert!(
            self.last_deadline.is_none_or(|last| w.deadline.is_some_and(|d| d >= last)),
            "waiter deadlines must not decrease"
        );
        if w.deadline.is_some() {
            self.last_deadline = w.deadline;
        }
        let id = w.thread.0;
        if self.nodes.is_empty() {
            self.base = id;
        } else if id < self.base {
            self.grow_down(id);
        }
        let t = id - self.base;
        if self.nodes.len() <= t as usize {
            self.nodes.resize(t as usize + 1, FREE);
        }
        debug_assert!(!self.nodes[t as usize].queued, "a thread waits twice");
        self.seq += 1;
        let list = &mut self.lists[class as usize];
        self.nodes[t as usize] = Node {
            prev: list.tail,
            next: NIL,
            seq: self.seq,
            saved_switch: w.saved_switch,
            deadline: w.deadline,
            since: w.since,
            class,
            queued: true,
        };
        match list.tail {
            NIL => list.head = t,
            tail => self.nodes[tail as usize].next = t,
        }
        list.tail = t;
        if list.cursor == NIL {
            list.cursor = t;
        }
        self.len += 1;
    }

    /// Makes room for thread `id` below `base`, doubling the range so that
    /// arrivals in decreasing order cost amortised O(1).
    #[cold]
    fn grow_down(&mut self, id: u32) {
        let grow = (self.base - id).max(self.nodes.len() as u32).min(self.base);
        self.nodes.splice(0..0, std::iter::repeat_n(FREE, grow as usize));
        self.base -= grow;
        let shift = |x: &mut u32| {
            if *x != NIL {
                *x += grow;
            }
        };
        for node in self.nodes.iter_mut().filter(|n| n.queued) {
            shift(&mut node.prev);
            shift(&mut node.next);
        }
        for list in &mut self.lists {
            shift(&mut list.head);
            shift(&mut list.tail);
            shift(&mut list.cursor);
        }
    }

    /// Removes `thread`'s wait, if it has one.
    #[inline]
    pub(crate) fn remove(&mut self, thread: ThreadId) -> Option<Waiter> {
        let t = thread.0.checked_sub(self.base)?;
        let node = *self.nodes.get(t as usize).filter(|n| n.queued)?;
        let list = &mut self.lists[node.class as usize];
        match node.prev {
            NIL => list.head = node.next,
            prev => self.nodes[prev as usize].next = node.next,
        }
        match node.next {
            NIL => list.tail = node.prev,
            next => self.nodes[next as usize].prev = node.prev,
        }
        if list.cursor == t {
            list.cursor = node.next;
        }
        self.nodes[t as usize].queued = false;
        self.len -= 1;
        Some(self.waiter(t))
    }

    /// The oldest waiter of `class` still asleep at `now`.
    #[inline]
    pub(crate) fn first_asleep(&mut self, class: Class, now: u64) -> Option<ThreadId> {
        let at = self.first_asleep_slot(class, now);
        self.thread(at)
    }

    /// The newest waiter of `class` still asleep at `now`.
    #[inline]
    pub(crate) fn last_asleep(&self, class: Class, now: u64) -> Option<ThreadId> {
        // The newest waiter has the latest deadline: if it is awake, all are.
        let tail = self.lists[class as usize].tail;
        if tail != NIL && asleep(self.nodes[tail as usize].deadline, now) { self.thread(tail) } else { None }
    }

    /// The oldest waiter of any class still asleep at `now`.
    #[inline]
    pub(crate) fn first_asleep_any(&mut self, now: u64) -> Option<ThreadId> {
        if self.lists[Class::Io as usize].head == NIL {
            // Every GIL but the priority one: a single list.
            return self.first_asleep(Class::Plain, now);
        }
        let plain = self.first_asleep_slot(Class::Plain, now);
        let io = self.first_asleep_slot(Class::Io, now);
        self.thread(self.earlier(plain, io))
    }

    /// The oldest waiter when every waiter is of one class (every GIL but
    /// the priority one), whether it still sleeps or its timer has fired.
    #[inline]
    pub(crate) fn head_plain(&self) -> Option<Waiter> {
        if self.lists[Class::Io as usize].head != NIL {
            return None;
        }
        let t = self.lists[Class::Plain as usize].head;
        (t != NIL).then(|| self.waiter(t))
    }

    /// The waiter in slot `t`.
    #[inline]
    fn waiter(&self, t: u32) -> Waiter {
        let node = &self.nodes[t as usize];
        Waiter {
            thread: ThreadId(t + self.base),
            saved_switch: node.saved_switch,
            deadline: node.deadline,
            since: node.since,
        }
    }

    /// The newest waiter when every waiter is of one class (every GIL but
    /// the priority one).
    #[inline]
    pub(crate) fn tail_plain(&self) -> Option<Waiter> {
        if self.lists[Class::Io as usize].head != NIL {
            return None;
        }
        let t = self.lists[Class::Plain as usize].tail;
        (t != NIL).then(|| self.waiter(t))
    }

    /// The arrival number of `thread`'s wait (it must be waiting).
    #[inline]
    pub(crate) fn seq_of(&self, thread: ThreadId) -> u64 {
        self.nodes[(thread.0 - self.base) as usize].seq
    }

    /// The arrival number the next waiter will get.
    #[inline]
    pub(crate) fn next_seq(&self) -> u64 {
        self.seq + 1
    }

    /// The newest waiter of any class still asleep at `now`.
    #[inline]
    pub(crate) fn last_asleep_any(&self, now: u64) -> Option<ThreadId> {
        let plain = self.last_asleep(Class::Plain, now);
        let io = self.last_asleep(Class::Io, now);
        self.older(plain, io, false)
    }

    /// Waiters asleep at `now` (walks them).
    pub(crate) fn count_asleep(&mut self, now: u64) -> usize {
        [Class::Plain, Class::Io]
            .into_iter()
            .map(|class| {
                let mut n = 0;
                let mut at = self.first_asleep_slot(class, now);
                while at != NIL {
                    n += 1;
                    at = self.nodes[at as usize].next;
                }
                n
            })
            .sum()
    }

    /// The `k`-th (from 0) waiter asleep at `now`, in arrival order (walks them).
    pub(crate) fn nth_asleep(&mut self, k: usize, now: u64) -> Option<ThreadId> {
        let mut a = self.first_asleep_slot(Class::Plain, now);
        let mut b = self.first_asleep_slot(Class::Io, now);
        for _ in 0..k {
            match self.earlier(a, b) {
                NIL => return None,
                at if at == a => a = self.nodes[a as usize].next,
                _ => b = self.nodes[b as usize].next,
            }
        }
        self.thread(self.earlier(a, b))
    }

    /// The slot of the oldest waiter of `class` still asleep at `now`, or `NIL`.
    #[inline]
    fn first_asleep_slot(&mut self, class: Class, now: u64) -> u32 {
        let list = &mut self.lists[class as usize];
        while list.cursor != NIL {
            let node = &self.nodes[list.cursor as usize];
            if asleep(node.deadline, now) {
                break;
            }
            list.cursor = node.next;
        }
        list.cursor
    }

    /// The thread of a slot (`None` for `NIL`).
    #[inline]
    fn thread(&self, slot: u32) -> Option<ThreadId> {
        (slot != NIL).then(|| ThreadId(slot + self.base))
    }

    /// Of two slots (or `NIL`), the one whose waiter arrived first.
    fn earlier(&self, a: u32, b: u32) -> u32 {
        if b == NIL || (a != NIL && self.nodes[a as usize].seq < self.nodes[b as usize].seq) { a } else { b }
    }

    /// Of two waiters, the older (`oldest`) or the newer one.
    #[inline]
    fn older(&self, a: Option<ThreadId>, b: Option<ThreadId>, oldest: bool) -> Option<ThreadId> {
        match (a, b) {
            (Some(x), Some(y)) => {
                let x_first = self.nodes[(x.0 - self.base) as usize].seq < self.nodes[(y.0 - self.base) as usize].seq;
                Some(if x_first == oldest { x } else { y })
            }
            (x, y) => x.or(y),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The vector the set replaced, with the same semantics.
    #[derive(Default)]
    struct Model {
        waiters: Vec<(Waiter, Class)>,
    }

    impl Model {
        fn asleep(&self, now: u64) -> impl DoubleEndedIterator<Item = &(Waiter, Class)> {
            self.waiters.iter().filter(move |(w, _)| asleep(w.deadline, now))
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        Push { thread: u32, io: bool },
        Remove { thread: u32 },
        Advance { by: u64 },
        First { class: Option<bool> },
        Last { class: Option<bool> },
        Nth { k: usize },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u32..12, any::<bool>()).prop_map(|(thread, io)| Op::Push { thread, io }),
            3 => (0u32..12).prop_map(|thread| Op::Remove { thread }),
            3 => (0u64..8).prop_map(|by| Op::Advance { by }),
            2 => prop::option::of(any::<bool>()).prop_map(|class| Op::First { class }),
            1 => prop::option::of(any::<bool>()).prop_map(|class| Op::Last { class }),
            1 => (0usize..14).prop_map(|k| Op::Nth { k }),
        ]
    }

    fn class_of(io: bool) -> Class {
        if io { Class::Io } else { Class::Plain }
    }

    proptest! {
        /// The set answers every query like the arrival-ordered vector, for
        /// timed waits of a fixed length (`wait` > 0) or untimed ones.
        #[test]
        fn matches_a_vector(
            wait in prop::option::of(1u64..6),
            offset in prop_oneof![Just(0u32), 0u32..1_000_000],
            ops in prop::collection::vec(op(), 0..300),
        ) {
            let mut set = Waiters::new();
            let mut model = Model::default();
            let mut now = 0;
            for op in ops {
                match op {
                    Op::Push { thread, io } => {
                        let thread = ThreadId(offset + thread);
                        if model.waiters.iter().any(|(w, _)| w.thread == thread) {
                            continue;
                        }
                        let w = Waiter { thread, saved_switch: now * 3, deadline: wait.map(|d| now + d), since: now };
                        set.push(w, class_of(io));
                        model.waiters.push((w, class_of(io)));
                    }
                    Op::Remove { thread } => {
                        let thread = ThreadId(offset + thread);
                        let want = model.waiters.iter().position(|(w, _)| w.thread == thread);
                        let want = want.map(|i| model.waiters.remove(i).0);
                        prop_assert_eq!(set.remove(thread), want);
                    }
                    Op::Advance { by } => now += by,
                    Op::First { class } => {
                        let want = model.asleep(now).find(|(_, c)| class.is_none_or(|io| *c == class_of(io)));
                        let got = match class {
                            None => set.first_asleep_any(now),
                            Some(io) => set.first_asleep(class_of(io), now),
                        };
                        prop_assert_eq!(got, want.map(|(w, _)| w.thread));
                    }
                    Op::Last { class } => {
                        let want = model.asleep(now).rev().find(|(_, c)| class.is_none_or(|io| *c == class_of(io)));
                        let got = match class {
                            None => set.last_asleep_any(now),
                            Some(io) => set.last_asleep(class_of(io), now),
                        };
                        prop_assert_eq!(got, want.map(|(w, _)| w.thread));
                    }
                    Op::Nth { k } => {
                        prop_assert_eq!(set.count_asleep(now), model.asleep(now).count());
                        prop_assert_eq!(set.nth_asleep(k, now), model.asleep(now).nth(k).map(|(w, _)| w.thread));
                    }
                }
                prop_assert_eq!(set.len(), model.waiters.len());
                prop_assert_eq!(set.is_empty(), model.waiters.is_empty());
            }
        }
    }

    /// A GIL of a late process keeps nodes for its own threads only, also
    /// when they arrive in decreasing order.
    #[test]
    fn nodes_cover_the_waiting_threads_range() {
        let mut set = Waiters::new();
        for t in (1_000_000..1_000_100).rev() {
            set.push(Waiter { thread: ThreadId(t), saved_switch: 0, deadline: None, since: 0 }, Class::Plain);
        }
        assert_eq!(set.len(), 100);
        assert!(set.nodes.len() < 300, "{} nodes for 100 threads", set.nodes.len());
        assert_eq!(set.first_asleep_any(0), Some(ThreadId(1_000_099)));
        assert_eq!(set.last_asleep_any(0), Some(ThreadId(1_000_000)));
    }
}
