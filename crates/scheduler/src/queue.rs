//! The pending-event set: one slot per entity.
//!
//! Every thread has at most one pending event (a dispatch, a burst end or a
//! wake-up) and every core at most one slice timer, so the queue keeps one
//! slot per entity and replaces or removes it in place. Its size is bounded
//! by threads + cores; superseded events never linger (a lazily-deleted heap
//! grew without bound on long runs with frequent preemption).
//!
//! Events are ordered by (time, sequence number): the sequence number is
//! taken when an event is scheduled, so simultaneous events run in the order
//! they were scheduled. (A flat array scanned for its minimum measured about
//! 10% slower than a binary heap even with only eight entities; a 4-ary heap
//! measured about 3% faster than the binary one.)

const NONE: u32 = u32::MAX;

/// Children per heap node: a shallower heap for the handful of entities a
/// scenario has.
const ARITY: usize = 4;

/// Bits of a key that hold the entity number.
const ENTITY_BITS: u32 = 24;
/// Largest number of entities (threads plus cores) a queue supports.
pub(crate) const MAX_ENTITIES: usize = 1 << ENTITY_BITS;

/// A heap key: time in the high 64 bits, then a 40-bit sequence number, then
/// the entity. Sequence numbers are unique, so comparing keys orders events
/// by (time, sequence) and the entity rides along for free.
type Key = u128;

fn entity_of(key: Key) -> usize {
    (key as usize) & (MAX_ENTITIES - 1)
}

/// Pending events keyed by entity number (`0..entities`): an indexed 4-ary
/// heap with one slot per entity.
///
/// A popped event stays at the root, *in flight*, until the next pop: the
/// usual handler reschedules the same entity, which then costs one sift
/// instead of a removal plus an insertion. The root remains the minimum while
/// its event is handled, because nothing is scheduled before that time.
#[derive(Clone, Debug)]
pub(crate) struct EventQueue<W: Copy> {
    /// Keys in heap order.
    heap: Vec<Key>,
    /// Per entity: its position in `heap`, or `NONE`.
    pos: Vec<u32>,
    /// Per entity: what its pending event is.
    what: Vec<W>,
    seq: u64,
    /// The entity popped last if it still sits at the root, or `NONE`.
    in_flight: u32,
    now: u64,
}

impl<W: Copy> EventQueue<W> {
    /// An empty queue for `entities` entities (at most [`MAX_ENTITIES`]);
    /// `filler` is any payload value.
    pub(crate) fn new(entities: usize, filler: W) -> EventQueue<W> {
        // `Scenario::validate` refuses scenarios with more entities.
        assert!(entities <= MAX_ENTITIES, "too many entities for the event queue");
        EventQueue {
            heap: Vec::with_capacity(entities),
            pos: vec![NONE; entities],
            what: vec![filler; entities],
            seq: 0,
            in_flight: NONE,
            now: 0,
        }
    }

    /// Schedules `what` for `entity` at `time`, replacing its pending event.
    /// `time` must not precede the last popped event's time.
    pub(crate) fn schedule(&mut self, entity: u32, time: u64, what: W) {
        debug_assert!(time >= self.now, "event scheduled in the past");
        // 2^40 schedules is far beyond any event budget; wrapping would only
        // reorder simultaneous events.
        self.seq = (self.seq + 1) & ((1 << 40) - 1);
        if entity == self.in_flight {
            self.in_flight = NONE;
        }
        let e = entity as usize;
        let key = (Key::from(time) << 64) | (Key::from(self.seq) << ENTITY_BITS) | e as Key;
        self.what[e] = what;
        let p = self.pos[e];
        if p == NONE {
            self.heap.push(key);
            self.sift_up(self.heap.len() - 1, key);
        } else {
            let at = p as usize;
            if key > self.heap[at] {
                self.sift_down(at, key);
            } else {
                self.sift_up(at, key);
            }
        }
    }

    /// Removes `entity`'s pending event, if any.
    pub(crate) fn cancel(&mut self, entity: u32) {
        if entity == self.in_flight {
            self.in_flight = NONE;
        }
        let p = self.pos[entity as usize];
        if p == NONE {
            return;
        }
        self.pos[entity as usize] = NONE;
        // `pos` holds a slot only for entities in the heap, so it is not empty.
        let last = self.heap.pop().expect("a queued entity is in the heap");
        if entity_of(last) != entity as usize {
            let at = p as usize;
            let at = self.sift_up(at, last);
            self.sift_down(at, last);
        }
    }

    /// Removes and returns the earliest event as (entity, time, what).
    pub(crate) fn pop(&mut self) -> Option<(u32, u64, W)> {
        if self.in_flight != NONE {
            // Handled and not rescheduled: it is still the root.
            debug_assert_eq!(entity_of(self.heap[0]), self.in_flight as usize);
            self.cancel(self.in_flight);
        }
        let first = *self.heap.first()?;
        let e = entity_of(first);
        self.in_flight = e as u32;
        self.now = (first >> 64) as u64;
        Some((e as u32, self.now, self.what[e]))
    }

    /// When `entity`'s pending event is due, if it has one.
    pub(crate) fn time_of(&self, entity: u32) -> Option<u64> {
        let p = self.pos[entity as usize];
        (p != NONE && entity != self.in_flight).then(|| (self.heap[p as usize] >> 64) as u64)
    }

    /// Whether `entity` has a pending event.
    #[cfg(test)]
    pub(crate) fn contains(&self, entity: u32) -> bool {
        self.pos[entity as usize] != NONE && entity != self.in_flight
    }

    /// Moves `key` (destined for slot `at`) up to its place; returns it.
    #[inline(always)]
    fn sift_up(&mut self, mut at: usize, key: Key) -> usize {
        let heap = &mut self.heap[..];
        while at > 0 {
            let parent = (at - 1) / ARITY;
            let p = heap[parent];
            if key >= p {
                break;
            }
            heap[at] = p;
            self.pos[entity_of(p)] = at as u32;
            at = parent;
        }
        heap[at] = key;
        self.pos[entity_of(key)] = at as u32;
        at
    }

    /// Moves `key` (destined for slot `at`) down to its place.
    #[inline(always)]
    fn sift_down(&mut self, mut at: usize, key: Key) {
        let heap = &mut self.heap[..];
        let n = heap.len();
        loop {
            let first = ARITY * at + 1;
            if first >= n {
                break;
            }
            let mut child = first;
            let mut c = heap[first];
            for (i, &k) in (first + 1..).zip(&heap[first + 1..(first + ARITY).min(n)]) {
                if k < c {
                    child = i;
                    c = k;
                }
            }
            if c >= key {
                break;
            }
            heap[at] = c;
            self.pos[entity_of(c)] = at as u32;
            at = child;
        }
        heap[at] = key;
        self.pos[entity_of(key)] = at as u32;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The queue behaves like a map of entity -> (time, seq) popped in
        /// key order.
        #[test]
        fn matches_a_reference_model(ops in prop::collection::vec((0u32..40, 0u64..50, 0u8..4), 0..400)) {
            let entities = 40;
            let mut q = EventQueue::new(entities, 0u8);
            let mut model: std::collections::BTreeMap<u32, (u64, u64, u8)> = Default::default();
            let mut seq = 0;
            let mut now = 0;
            for (entity, time, op) in ops {
                match op {
                    0 | 1 => {
                        // The engine never schedules before the time it handles.
                        let time = time.max(now);
                        seq += 1;
                        q.schedule(entity, time, op);
                        model.insert(entity, (time, seq, op));
                    }
                    2 => {
                        q.cancel(entity);
                        model.remove(&entity);
                    }
                    _ => {
                        let want = model
                            .iter()
                            .min_by_key(|(_, (t, s, _))| (*t, *s))
                            .map(|(e, (t, _, w))| (*e, *t, *w));
                        prop_assert_eq!(q.pop(), want);
                        if let Some((e, t, _)) = want {
                            model.remove(&e);
                            now = t;
                        }
                    }
                }
                for e in 0..entities as u32 {
                    prop_assert_eq!(q.contains(e), model.contains_key(&e));
                }
            }
        }
    }
}
