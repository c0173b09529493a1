"""A SimPy model of `cargo xtask bench-sim`'s busy scenario, for speed comparisons.

Three CPU-bound threads and three I/O-bound threads (I/O exponential with mean
50 us, then bytecode exponential with mean 10 us) share the new GIL (5 us switch
interval) on 2 cores under the fair (CFS-like) policy, with the simulator's
default costs. This is a line-by-line port of the parts of gil-lab's engine
that this scenario reaches (crates/scheduler/src/engine/{os,thread}.rs and
crates/gil-core/src/lib.rs): the same decisions, the same event kinds, the
same tie-breaking (simultaneous events in scheduling order). SimPy's event
queue replaces gil-lab's indexed heap; a superseded event stays in SimPy's
queue and is skipped when it fires, so only live events are counted.

Random draws come from Python's generator, not gil-lab's streams, so counts
agree statistically (within about 1% over a few simulated seconds), not
exactly. `cargo xtask bench-sim --simpy` runs this script and compares.

Usage: python3 bench/simpy_model.py [--seconds S] [--runs N]
Prints one JSON object: events, switches, forced_drops, cpu_s (best run).
"""

import argparse
import heapq
import json
import random
import time

import simpy

US = 1_000
MS = 1_000_000
SEC = 1_000_000_000
FOREVER = (1 << 64) // 4 - 1
U64_MAX = (1 << 64) - 1

# Machine (2 cores, Linux CFS scaled by 1 + log2(cores)) and default costs.
CORES = 2
LATENCY = 6 * MS * 2
MIN_GRANULARITY = 750 * US * 2
WAKEUP_GRANULARITY = MS * 2
CONTEXT_SWITCH = 4 * US
WAKEUP_LATENCY = 2 * US
WAKEUP_JITTER = 4 * US
FUTEX_WAKE = 6 * US
RETRY = 200
TIMER_SLACK = 50 * US
TICK = 11
SWITCH_INTERVAL = 5 * US  # whole microseconds, at least one

# Event kinds.
RUN, BURST_END, WAKE, SLICE = range(4)
# Wake causes.
START, IO, GIL_SIGNALLED, GIL_TIMED_OUT, UNPARK = range(5)
# Continuations.
FETCH, BEGIN, WORK, CHECK, ACQUIRE = range(5)
# Acquire causes.
ENTRY, SIGNALLED, TIMED_OUT = range(3)
# Scheduling states.
NOT_STARTED, READY, SWITCHING, RUNNING, BLOCKED = range(5)
# Burst kinds.
PYTHON, OVERHEAD = range(2)
# Release kinds.
VOLUNTARY, FORCED = range(2)


class Gil:
    """gil_core::Gil with Policy::New and the FIFO wake order."""

    def __init__(self):
        self.locked = False
        self.holder = None
        self.last_holder = None
        self.switch_number = 0
        self.drop_request = False
        self.waiters = []  # [thread, saved_switch, deadline], oldest first
        self.in_transit = 0
        self.parked = None
        self.switches = 0
        self.forced_drops = 0

    def acquire(self, thread, cause, now):
        """Returns ("taken", unpark) or ("wait", deadline, notify_holder)."""
        saved = self.switch_number
        if cause == SIGNALLED:
            self.in_transit -= 1
        elif cause == TIMED_OUT:
            for i, w in enumerate(self.waiters):
                if w[0] == thread:
                    saved = self.waiters.pop(i)[1]
                    break
        if not self.locked:
            return ("taken", self.take(thread))
        was_contended = self.drop_request
        if cause == TIMED_OUT and saved == self.switch_number and not self.drop_request:
            self.drop_request = True
        deadline = now + SWITCH_INTERVAL
        self.waiters.append([thread, self.switch_number, deadline])
        notify = self.holder if not was_contended and self.drop_request else None
        return ("wait", deadline, notify)

    def release(self, thread, kind, now):
        """Returns (woken, park)."""
        self.locked = False
        self.holder = None
        self.last_holder = thread
        if kind == FORCED:
            self.forced_drops += 1
        woken = None
        for i, w in enumerate(self.waiters):
            if now < w[2]:  # a waiter whose deadline passed is already awake
                woken = self.waiters.pop(i)[0]
                self.in_transit += 1
                break
        park = self.drop_request
        if park:
            self.drop_request = False
            self.parked = thread
        return woken, park

    def take(self, thread):
        self.locked = True
        self.holder = thread
        if self.last_holder != thread:
            self.last_holder = thread
            self.switch_number += 1
            self.switches += 1
        self.drop_request = False
        unpark, self.parked = self.parked, None
        return unpark


class Thread:
    def __init__(self, program, rng):
        self.program = program  # list of (kind, mean or None for forever)
        self.pc = 0
        self.rng = rng
        self.sched = NOT_STARTED
        self.core = None
        self.handoff = False  # blocked waiting for a forced hand-off
        self.holds = False
        self.cont = FETCH
        self.park_pending = False
        self.overhead_left = 0
        self.kind = PYTHON
        self.remaining = 0
        self.since_check = 0
        self.burst = (OVERHEAD, 0, 0, False)
        self.vruntime = 0
        self.dispatched_at = 0
        self.last_core = 0


class Core:
    def __init__(self):
        self.current = None
        self.slice_start = 0
        self.armed = False


class Model:
    def __init__(self, seed, horizon):
        self.env = simpy.Environment()
        self.horizon = horizon
        rng = random.Random(seed)
        cpu = [("python", None)]
        io = [("io", 50 * US), ("python", 10 * US)]
        self.threads = [Thread(cpu, random.Random(rng.random())) for _ in range(3)]
        self.threads += [Thread(io, random.Random(rng.random())) for _ in range(3)]
        self.os_rng = random.Random(rng.random())
        self.cores = [Core() for _ in range(CORES)]
        self.core_base = len(self.threads)
        entities = self.core_base + CORES
        self.gen = [0] * entities
        self.pending = [None] * entities  # time of each entity's live event
        self.events = 0
        self.runq = []  # (vruntime, seq, thread)
        self.queue_seq = 0
        self.min_vruntime = 0
        self.busy_cores = 0
        self.gil = Gil()
        n = len(self.threads) + CORES
        self.slices = [max(LATENCY // max(-(-w // CORES), 1), MIN_GRANULARITY) for w in range(n + 1)]

    # The pending-event set: one live event per entity, replaced on schedule.

    def schedule(self, entity, at, what, arg=None):
        self.gen[entity] += 1
        self.pending[entity] = at
        ev = self.env.timeout(at - self.env.now)
        ev.callbacks.append(lambda _, e=entity, g=self.gen[entity]: self.fire(e, g, what, arg))

    def cancel(self, entity):
        self.gen[entity] += 1
        self.pending[entity] = None

    def fire(self, entity, gen, what, arg):
        if gen != self.gen[entity] or self.env.now > self.horizon:
            return
        self.pending[entity] = None
        self.events += 1
        if what == RUN:
            self.on_run(entity)
        elif what == BURST_END:
            self.on_burst_end(entity)
        elif what == WAKE:
            self.on_wake(entity, arg)
        else:
            self.on_slice(entity - self.core_base)

    def run(self):
        for t in range(len(self.threads)):
            self.schedule(t, 0, WAKE, START)
        self.env.run(until=self.horizon + 1)

    @property
    def now(self):
        return self.env.now

    # The OS (engine/os.rs).

    def on_run(self, t):
        th = self.threads[t]
        th.sched = RUNNING
        self.proceed(t)

    def on_slice(self, c):
        core = self.cores[c]
        core.armed = False
        t = core.current
        if t is None or self.threads[t].sched != RUNNING:
            return
        if not self.runq:
            core.slice_start = self.now
            return
        if self.pending[t] == self.now:
            core.armed = True
            self.schedule(self.core_base + c, self.now, SLICE)
            return
        th = self.threads[t]
        if th.vruntime + (self.now - th.dispatched_at) <= self.runq[0][0]:
            core.slice_start = self.now
            self.arm(c)
            return
        self.preempt(t)
        self.dispatch_next(c)

    def make_ready(self, t, sleeper):
        th = self.threads[t]
        th.sched = READY
        th.handoff = False
        if sleeper:
            min_v = self.current_min_vruntime()
            th.vruntime = max(th.vruntime, max(min_v - LATENCY // 2, 0))
        c = self.idle_core(th.last_core)
        if c is not None:
            self.dispatch(c, t, self.wakeup_delay())
            return
        v = th.vruntime
        victim = None
        for ci, core in enumerate(self.cores):
            cur = core.current
            if cur is None or self.threads[cur].sched != RUNNING:
                continue
            cth = self.threads[cur]
            cur_v = cth.vruntime + (self.now - cth.dispatched_at)
            if victim is None or cur_v > victim[0]:
                victim = (cur_v, ci, cur)
        if victim is not None and victim[0] > v + WAKEUP_GRANULARITY:
            self.preempt(victim[2])
            self.dispatch(victim[1], t, CONTEXT_SWITCH)
            return
        self.enqueue(t)
        for ci in range(CORES):
            self.arm(ci)

    def current_min_vruntime(self):
        min_v = self.runq[0][0] if self.runq else None
        for core in self.cores:
            if core.current is not None:
                th = self.threads[core.current]
                v = th.vruntime + max(self.now - th.dispatched_at, 0)
                min_v = v if min_v is None else min(min_v, v)
        if min_v is not None:
            self.min_vruntime = max(self.min_vruntime, min_v)
        return self.min_vruntime

    def idle_core(self, prefer):
        if self.cores[prefer].current is None:
            return prefer
        for ci, core in enumerate(self.cores):
            if core.current is None:
                return ci
        return None

    def enqueue(self, t):
        self.queue_seq += 1
        heapq.heappush(self.runq, (self.threads[t].vruntime, self.queue_seq, t))

    def preempt(self, t):
        th = self.threads[t]
        self.account_burst(t, self.now - th.burst[1], False)
        self.cancel(t)
        self.vacate(t, READY)
        self.enqueue(t)

    def leave_core(self, t, nxt):
        c = self.vacate(t, nxt)
        if nxt != READY:
            self.dispatch_next(c)

    def vacate(self, t, nxt):
        th = self.threads[t]
        c = th.core
        th.sched = nxt
        th.core = None
        th.vruntime += self.now - th.dispatched_at
        th.last_core = c
        self.cores[c].current = None
        self.busy_cores -= 1
        return c

    def dispatch_next(self, c):
        if self.runq:
            t = heapq.heappop(self.runq)[2]
            self.dispatch(c, t, CONTEXT_SWITCH)
        else:
            core = self.cores[c]
            if core.armed:
                core.armed = False
                self.cancel(self.core_base + c)

    def wakeup_delay(self):
        return WAKEUP_LATENCY + max(int(self.os_rng.expovariate(1.0) * WAKEUP_JITTER + 0.5), 1)

    def dispatch(self, c, t, delay):
        th = self.threads[t]
        th.sched = SWITCHING
        th.core = c
        th.dispatched_at = self.now
        self.min_vruntime = max(self.min_vruntime, th.vruntime)
        core = self.cores[c]
        core.current = t
        self.busy_cores += 1
        core.slice_start = self.now + delay
        self.schedule(t, self.now + delay, RUN)
        core.armed = False
        if not self.runq:
            self.cancel(self.core_base + c)
        else:
            self.arm(c)

    def arm(self, c):
        core = self.cores[c]
        if core.armed or core.current is None:
            return
        core.armed = True
        wanting = self.busy_cores + len(self.runq)
        at = max(core.slice_start + self.slices[min(wanting, len(self.slices) - 1)], self.now)
        self.schedule(self.core_base + c, at, SLICE)

    # The thread (engine/thread.rs).

    def on_burst_end(self, t):
        self.account_burst(t, self.now - self.threads[t].burst[1], True)
        self.proceed(t)

    def on_wake(self, t, cause):
        th = self.threads[t]
        if cause in (START, IO):
            th.cont = FETCH
        elif cause == GIL_SIGNALLED:
            th.overhead_left += RETRY
            th.cont = (ACQUIRE, SIGNALLED)
        elif cause == GIL_TIMED_OUT:
            th.overhead_left += RETRY
            th.cont = (ACQUIRE, TIMED_OUT)
        if cause == START:
            th.vruntime = self.current_min_vruntime()
        self.make_ready(t, cause != START)

    def proceed(self, t):
        th = self.threads[t]
        while True:
            if th.overhead_left > 0:
                n, th.overhead_left = th.overhead_left, 0
                self.start_burst(t, OVERHEAD, n, False)
                return
            if th.park_pending:
                th.park_pending = False
                self.block(t, None, handoff=True)
                return
            cont = th.cont
            if cont == FETCH:
                stop = self.fetch(t)
            elif cont == BEGIN:
                stop = self.begin(t)
            elif cont == WORK:
                stop = self.work(t)
            elif cont == CHECK:
                stop = self.check(t)
            else:
                stop = self.acquire(t, cont[1])
            if stop:
                return

    def fetch(self, t):
        th = self.threads[t]
        kind, mean = th.program[th.pc]
        th.pc = (th.pc + 1) % len(th.program)
        th.kind = kind
        th.remaining = FOREVER if mean is None else max(int(th.rng.expovariate(1.0) * mean + 0.5), 1)
        th.cont = BEGIN
        return False

    def begin(self, t):
        th = self.threads[t]
        th.cont = WORK
        if th.kind == "python":
            if not th.holds:
                th.cont = (ACQUIRE, ENTRY)
            else:
                th.cont = CHECK
        elif th.holds:
            self.release_gil(t, VOLUNTARY)
        return False

    def work(self, t):
        th = self.threads[t]
        if th.remaining == 0:
            th.cont = FETCH
            return False
        if th.kind == "python":
            n, stops = self.plan_python(t)
            self.start_burst(t, PYTHON, n, stops)
            return True
        done = min(self.now + th.remaining, U64_MAX)
        th.remaining = 0
        th.cont = FETCH
        self.block(t, (done, IO))
        return True

    def check(self, t):
        th = self.threads[t]
        if self.gil.drop_request:
            th.cont = (ACQUIRE, ENTRY)
            self.release_gil(t, FORCED)
        else:
            th.cont = WORK
        return False

    def acquire(self, t, cause):
        th = self.threads[t]
        res = self.gil.acquire(t, cause, self.now)
        if res[0] == "taken":
            th.cont = WORK
            th.holds = True
            if res[1] is not None:
                self.unpark(t, res[1])
            return False
        _, deadline, notify = res
        if notify is not None:
            self.replan(notify)
        self.block(t, (deadline + TIMER_SLACK, GIL_TIMED_OUT))
        return True

    def release_gil(self, t, kind):
        th = self.threads[t]
        woken, park = self.gil.release(t, kind, self.now)
        th.holds = False
        th.park_pending = park
        if woken is not None:
            th.overhead_left += FUTEX_WAKE
            self.schedule(woken, self.now, WAKE, GIL_SIGNALLED)

    def unpark(self, taker, p):
        th = self.threads[p]
        if th.sched == BLOCKED and th.handoff:
            self.threads[taker].overhead_left += FUTEX_WAKE
            self.schedule(p, self.now, WAKE, UNPARK)
        else:
            th.park_pending = False

    def plan_python(self, t):
        th = self.threads[t]
        if self.gil.drop_request:
            to_check = TICK - th.since_check
            if to_check <= th.remaining:
                return to_check, True
        return th.remaining, False

    def replan(self, h):
        th = self.threads[h]
        kind, start, _, stops = th.burst
        if th.sched != RUNNING or kind != PYTHON or stops:
            return
        self.account_burst(h, self.now - start, False)
        n, stops = self.plan_python(h)
        self.start_burst(h, PYTHON, n, stops)

    def start_burst(self, t, kind, n, stops):
        self.threads[t].burst = (kind, self.now, n, stops)
        self.schedule(t, min(self.now + n, U64_MAX), BURST_END)

    def account_burst(self, t, elapsed, completed):
        th = self.threads[t]
        kind, _, n, stops = th.burst
        if kind == PYTHON:
            th.remaining -= elapsed
            th.since_check += elapsed
            if completed and stops:
                th.since_check = 0
                th.cont = CHECK
            else:
                th.since_check %= TICK
                th.cont = WORK
        elif not completed:
            th.overhead_left += n - elapsed

    def block(self, t, wake, handoff=False):
        if wake is not None:
            self.schedule(t, wake[0], WAKE, wake[1])
        else:
            self.cancel(t)
        self.threads[t].handoff = handoff
        self.leave_core(t, BLOCKED)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    best, model = None, None
    for run in range(args.runs):
        model = Model(args.seed + run, int(args.seconds * SEC))
        start = time.process_time()
        model.run()
        took = time.process_time() - start
        best = took if best is None else min(best, took)
    print(json.dumps({
        "seconds": args.seconds,
        "events": model.events,
        "switches": model.gil.switches,
        "forced_drops": model.gil.forced_drops,
        "cpu_s": best,
    }))


if __name__ == "__main__":
    main()
