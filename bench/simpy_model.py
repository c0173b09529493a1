"""A SimPy model of `cargo xtask bench-sim`'s busy scenario, for speed comparisons.

Three CPU-bound threads and three I/O-bound threads (I/O exponential with mean
50 us, then bytecode exponential with mean 10 us) share the new GIL (5 us switch
interval) on 2 cores under the fair policy (Linux's EEVDF as the simulator
models it: lag-based placement, delayed dequeue, run to parity, slices ending
at the 4 ms tick), with the simulator's default costs (wake-ups that cost more
after a long idle, a waiter that has not fallen asleep yet, timed waits that
end at the end of the timer slack plus a jitter, waiters asleep until their
timer fires). This is a line-by-line port of the parts of gil-lab's engine
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

# Machine (2 cores, Linux EEVDF's base slice scaled by 1 + log2(cores), a
# 4 ms scheduler tick) and default costs (scheduler::Costs::default()).
CORES = 2
LATENCY = 750 * US * 2
MIN_GRANULARITY = 750 * US * 2
WAKEUP_GRANULARITY = 0
SCHED_TICK = 4 * MS
RUN_TO_PARITY = True
CONTEXT_SWITCH = 2 * US
WAKEUP_LATENCY = 8 * US
WAKEUP_JITTER = 2 * US
IDLE_WAKEUP_EXTRA = 60 * US
IDLE_WAKEUP_HALF = 400 * US
SLEEP_ENTRY = 150
IDLE_POLL = 0
POLL_WAKEUP = 0
FUTEX_WAKE = 4 * US
SYSCALL = 200
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
        self.absorbed = set()  # timed-out waiters a signal dequeued before they ran
        self.parked = None
        self.switches = 0
        self.forced_drops = 0

    def acquire(self, thread, cause, now):
        """Returns ("taken", unpark) or ("wait", deadline, notify_holder)."""
        saved = self.switch_number
        if cause == TIMED_OUT and thread in self.absorbed:
            self.absorbed.discard(thread)
            cause = SIGNALLED
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
        # Gil::with_timer_slack: asleep until the timer fires.
        self.waiters.append([thread, self.switch_number, deadline + TIMER_SLACK])
        notify = self.holder if not was_contended and self.drop_request else None
        return ("wait", deadline, notify)

    def release(self, thread, kind, now):
        """Returns (woken, absorbed, park)."""
        self.locked = False
        self.holder = None
        self.last_holder = thread
        if kind == FORCED:
            self.forced_drops += 1
        woken = None
        absorbed = False
        if self.waiters and now >= self.waiters[0][2]:
            # futex_wake takes the first queued task: a timed-out waiter that
            # has not run yet is still queued, and its wait returns as woken.
            self.absorbed.add(self.waiters.pop(0)[0])
            absorbed = True
        else:
            # The head sleeps, so it is the first sleeper.
            woken = self.waiters.pop(0)[0] if self.waiters else None
        if woken is not None or absorbed:
            self.in_transit += 1
        park = self.drop_request
        if park:
            self.drop_request = False
            self.parked = thread
        return woken, absorbed, park

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
        self.lag = 0
        self.blocked_at = 0
        self.deadline = 0
        self.vprot = 0
        self.dispatched_at = 0
        self.last_core = 0


class Core:
    def __init__(self):
        self.current = None
        self.slice_start = 0
        self.armed = False
        self.idle_since = 0
        self.delayed = []  # (thread, blocked_at): sleepers owing time


def trunc_div(a, b):
    """Integer division rounding toward zero, as Rust's."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


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
        self.runq_sum = 0
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
            # EEVDF places a woken thread at the lag it had when it slept.
            min_v = self.current_min_vruntime()
            avg_n = self.core_avg(th.last_core)
            avg, n = avg_n if avg_n is not None else (min_v, 0)
            limit = 2 * MIN_GRANULARITY
            lag = max(-limit, min(th.lag, limit))
            if lag < 0:
                slept = min(self.now - th.blocked_at, limit)
                lag = min(lag + trunc_div(slept, 2), 0)
            if n > 0:
                lag = trunc_div(lag * (n + 1), n)
            th.vruntime = max(avg - lag, 0)
        th.deadline = th.vruntime + MIN_GRANULARITY
        c = self.idle_core(th.last_core)
        if c is not None:
            self.dispatch(c, t, self.wakeup_delay(c, t))
            return
        core = th.last_core
        v = th.vruntime
        cur = self.cores[core].current
        if cur is not None:
            cth = self.threads[cur]
            cur_v = cth.vruntime + (self.now - cth.dispatched_at)
            protected = False
            if RUN_TO_PARITY and cur_v < cth.vprot:
                avg_n = self.core_avg(core)
                avg, n = avg_n if avg_n is not None else (cur_v, 1)
                protected = cur_v <= (avg * n + v) // (n + 1)
            if cth.sched == RUNNING and not protected and cur_v > v + WAKEUP_GRANULARITY:
                self.preempt(cur)
                self.dispatch(core, t, CONTEXT_SWITCH)
                return
        self.enqueue(t)
        for ci in range(CORES):
            self.arm(ci)

    def core_avg(self, c):
        """EEVDF's average virtual runtime of core c, and how many it averages."""
        total, n = self.runq_sum, len(self.runq)
        core = self.cores[c]
        if core.current is not None:
            th = self.threads[core.current]
            total += th.vruntime + max(self.now - th.dispatched_at, 0)
            n += 1
        if n == 0:
            return None
        base = total // n
        for d, at in core.delayed:
            dth = self.threads[d]
            if still_delayed(dth, at, base):
                total += dth.vruntime
                n += 1
        return total // n, n

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
        self.runq_sum += self.threads[t].vruntime
        heapq.heappush(self.runq, (self.threads[t].vruntime, self.queue_seq, t))

    def pop_ready(self):
        v, _, t = heapq.heappop(self.runq)
        self.runq_sum -= v
        return t

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
            self.dispatch(c, self.pop_ready(), CONTEXT_SWITCH)
        else:
            core = self.cores[c]
            if core.armed:
                core.armed = False
                self.cancel(self.core_base + c)
            core.idle_since = self.now

    def not_asleep(self, t):
        th = self.threads[t]
        core = self.cores[th.last_core]
        return (core.current is None and core.idle_since == th.blocked_at
                and self.now - th.blocked_at < SLEEP_ENTRY)

    def wake_cost(self, w):
        return SYSCALL if self.not_asleep(w) else FUTEX_WAKE

    def wake_jitter(self):
        return max(int(self.os_rng.expovariate(1.0) * WAKEUP_JITTER + 0.5), 1)

    def wakeup_delay(self, c, t):
        since = self.cores[c].idle_since
        if self.now - since < max(IDLE_POLL, SLEEP_ENTRY):
            if self.not_asleep(t):
                return 0
            return POLL_WAKEUP + self.wake_jitter()
        idle = self.now - since
        mean = IDLE_WAKEUP_EXTRA * idle // (idle + IDLE_WAKEUP_HALF) if idle else 0
        deep = mean * 2 // 5 + self.os_rng.randint(0, mean * 6 // 5) if mean else 0
        return WAKEUP_LATENCY + deep + self.wake_jitter()

    def dispatch(self, c, t, delay):
        th = self.threads[t]
        th.sched = SWITCHING
        th.core = c
        th.dispatched_at = self.now
        if th.vruntime >= th.deadline:
            th.deadline = th.vruntime + MIN_GRANULARITY
        th.vprot = th.deadline
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
        at = -(-at // SCHED_TICK) * SCHED_TICK  # noticed at the next tick
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
        # timer_overrun: the end of the slack plus the wake-up jitter.
        overrun = TIMER_SLACK + self.wake_jitter() if TIMER_SLACK else 0
        self.block(t, (deadline + overrun, GIL_TIMED_OUT))
        return True

    def release_gil(self, t, kind):
        th = self.threads[t]
        woken, absorbed, park = self.gil.release(t, kind, self.now)
        th.holds = False
        th.park_pending = park
        if woken is not None:
            th.overhead_left += self.wake_cost(woken)
            self.schedule(woken, self.now, WAKE, GIL_SIGNALLED)
        elif absorbed:
            th.overhead_left += SYSCALL

    def unpark(self, taker, p):
        th = self.threads[p]
        if th.sched == BLOCKED and th.handoff:
            self.threads[taker].overhead_left += self.wake_cost(p)
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
        th = self.threads[t]
        th.handoff = handoff
        # Its lag behind its core's average, kept while it sleeps.
        self.current_min_vruntime()
        c = th.core
        avg_n = self.core_avg(c) if c is not None else None
        avg = avg_n[0] if avg_n is not None else self.min_vruntime
        v = th.vruntime + max(self.now - th.dispatched_at, 0)
        th.lag = avg - v
        th.blocked_at = self.now
        if c is not None and th.lag < 0:
            core = self.cores[c]
            core.delayed = [(d, at) for d, at in core.delayed if still_delayed(self.threads[d], at, avg)]
            core.delayed.append((t, self.now))
        self.leave_core(t, BLOCKED)


def still_delayed(th, at, avg):
    """A sleeper that left owing time still counts in its core's average."""
    return th.sched == BLOCKED and th.blocked_at == at and th.vruntime > avg


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
