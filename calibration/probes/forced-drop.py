#!/usr/bin/env python3
"""What a forced hand-off of the new GIL looks like next to the echo, and who
takes the GIL while the echo's `sendall` is preempted.

Records the echo next to CPU_THREADS CPU-bound threads with `perf record`
(futex and socket calls, context switches) and prints, in microseconds
(p10 / p50 / p90):

- forced hand-offs: a CPU-bound holder's `futex_wake` on the GIL's condition
  variable after the echo's timed wait expired, and how often the holder then
  waited on `switch_cond` (FORCE_SWITCHING's park) and for how long;
- the time from the echo's timeout to that signal, from the signal to the
  echo running again, and from the echo's signal of `switch_cond` to the
  holder running again;
- the echo's `sendto` calls whose return was a preemption (`prev_state=R`:
  the client it woke took its CPU) and, of those, how many were followed by a
  timed wait on the GIL (a CPU-bound thread took the GIL in that window);
- for each direction (the echo's write waking the client, the client's
  waking the echo), the writes that woke the reader on the writer's own CPU
  and how many of them preempted the writer at the system call's return, by
  how long the writer had run since it was last switched in.

docs/calibration.md, item 18. Needs perf and permission to trace (root).

    python3 calibration/probes/forced-drop.py PYTHON [SECONDS] [INTERVAL] [CPU_THREADS] [PIN]
"""
import re
import sys

import echotrace

FUTEX = re.compile(r"uaddr: (\w+), op: (\w+), val: \w+, utime: (\w+)")
ETIMEDOUT = 2**64 - 110
FUTEX_WAKE, FUTEX_WAIT_BITSET = 1, 9
LOOK = 400  # events to look ahead or back for one hand-off


def futex(rest):
    f = FUTEX.search(rest)
    if not f:
        return None
    return f.group(1), int(f.group(2), 16) & 0x7F, int(f.group(3), 16)


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    python = argv[0]
    seconds = argv[1] if len(argv) > 1 else "2"
    interval = argv[2] if len(argv) > 2 else "0.005"
    cpu_threads = argv[3] if len(argv) > 3 else "1"
    pin = argv[4] if len(argv) > 4 else "none"
    events = [
        "sched:sched_switch",
        "sched:sched_wakeup",
        "syscalls:sys_enter_futex",
        "syscalls:sys_exit_futex",
        "syscalls:sys_enter_recvfrom",
        "syscalls:sys_enter_sendto",
        "syscalls:sys_exit_sendto",
    ]
    trips, evs = echotrace.record(python, events, seconds, cpu_threads, interval, pin)
    server, echo, client, spinners = echotrace.roles(evs)
    # The GIL's `cond`: words waited on with a timeout; `switch_cond`: words
    # the CPU-bound threads wait on without one.
    cond, switch = set(), set()
    for e in evs:
        if e.name == "syscalls:sys_enter_futex":
            f = futex(e.rest)
            if f and f[1] == FUTEX_WAIT_BITSET:
                if f[2] != 0:
                    cond.add(f[0])
                elif e.tid in spinners:
                    switch.add(f[0])
    switch -= cond

    def next_of(i, tid, name=None):
        """The index of `tid`'s next event after `i` (named `name`, if given)."""
        for j in range(i + 1, min(i + LOOK, len(evs))):
            if evs[j].tid == tid and (name is None or evs[j].name == name):
                return j
        return None

    def preempted_at(i, tid):
        """Whether `tid`'s next event after `i` is a switch away from it while runnable."""
        j = next_of(i, tid)
        return j is not None and evs[j].name == "sched:sched_switch" and "prev_state=R" in evs[j].rest, j

    drops = parks = 0
    park_len, to_signal, echo_back, switch_signal, holder_back = [], [], [], [], []
    for i, ev in enumerate(evs):
        if ev.tid not in spinners or ev.name != "syscalls:sys_enter_futex":
            continue
        f = futex(ev.rest)
        if not f or f[1] != FUTEX_WAKE or f[0] not in cond:
            continue
        # The echo's timeout just before: it asked for this drop.
        timeout = None
        for j in range(i - 1, max(i - LOOK, 0), -1):
            e = evs[j]
            if e.tid != echo:
                continue
            if e.name == "syscalls:sys_exit_futex" and int(e.rest.strip(), 16) == ETIMEDOUT:
                timeout = e.ts
                break
            if e.name.endswith(("recvfrom", "sendto")):
                break
        if timeout is None or ev.ts - timeout > 200e-6:
            continue
        drops += 1
        to_signal.append((ev.ts - timeout) * 1e6)
        for j in range(i + 1, min(i + LOOK, len(evs))):
            e = evs[j]
            if e.tid == echo and e.name == "syscalls:sys_exit_futex" and int(e.rest.strip(), 16) != ETIMEDOUT:
                echo_back.append((e.ts - ev.ts) * 1e6)
                break
        # The holder's next wait: on switch_cond (parked) or not.
        wait = None
        for j in range(i + 1, min(i + LOOK, len(evs))):
            e = evs[j]
            if e.tid == ev.tid and e.name == "syscalls:sys_enter_futex":
                g = futex(e.rest)
                if g and g[1] in (0, FUTEX_WAIT_BITSET):
                    wait = (j, g[0])
                    break
        if not wait or wait[1] not in switch:
            continue
        parks += 1
        out = next_of(wait[0], ev.tid, "syscalls:sys_exit_futex")
        if out is not None:
            park_len.append((evs[out].ts - evs[wait[0]].ts) * 1e6)
        # The echo's signal of switch_cond, then the holder back.
        for j in range(wait[0] + 1, min(wait[0] + LOOK, len(evs))):
            e = evs[j]
            if e.tid == echo and e.name == "syscalls:sys_enter_futex":
                g = futex(e.rest)
                if g and g[0] in switch and g[1] == FUTEX_WAKE:
                    done = next_of(j, echo, "syscalls:sys_exit_futex")
                    if done is not None:
                        switch_signal.append((evs[done].ts - e.ts) * 1e6)
                    if out is not None and evs[out].ts >= e.ts:
                        holder_back.append((evs[out].ts - e.ts) * 1e6)
                    break
    # The echo's sends: preempted at the return, then did it wait for the GIL?
    sends = preempted = lost = 0
    for i, ev in enumerate(evs):
        if ev.tid != echo or ev.name != "syscalls:sys_exit_sendto":
            continue
        sends += 1
        at_return, j = preempted_at(i, echo)
        if not at_return:
            continue
        preempted += 1
        for k in range(j + 1, min(j + LOOK, len(evs))):
            e = evs[k]
            if e.tid != echo or not e.name.startswith("syscalls:sys_enter"):
                continue
            g = futex(e.rest) if e.name == "syscalls:sys_enter_futex" else None
            if g and g[0] in cond and g[1] == FUTEX_WAIT_BITSET and g[2] != 0:
                lost += 1
            if e.name != "syscalls:sys_enter_futex" or (g and g[0] in cond):
                break
    # Who preempts whom at a write's return, by the writer's run so far.
    last_in = {}
    runs = {echo: [], client: []}
    for i, ev in enumerate(evs):
        if ev.name == "sched:sched_switch":
            m = re.search(r"next_pid=(\d+)", ev.rest)
            if m:
                last_in[int(m.group(1))] = ev.ts
            continue
        if ev.name != "syscalls:sys_enter_sendto" or ev.tid not in runs:
            continue
        reader = client if ev.tid == echo else echo
        same = False
        j = i + 1
        while j < len(evs) and j < i + LOOK and not (evs[j].tid == ev.tid and evs[j].name == "syscalls:sys_exit_sendto"):
            e = evs[j]
            if e.name == "sched:sched_wakeup" and (" pid=%d " % reader) in e.rest and ("target_cpu=%03d" % ev.cpu) in e.rest:
                same = True
            j += 1
        if not same or j >= len(evs):
            continue
        runs[ev.tid].append(((ev.ts - last_in.get(ev.tid, ev.ts)) * 1e6, preempted_at(j, ev.tid)[0]))
    print("measure.py: " + trips)
    print(
        "server %d: echo thread %s, %d CPU-bound threads; GIL cond words %s, switch_cond words %s"
        % (server, echo, len(spinners), sorted(cond), sorted(switch))
    )
    print("forced hand-offs to the echo: %d; the holder then parked on switch_cond: %d (%.0f%%)" % (
        drops, parks, 100.0 * parks / max(drops, 1)))
    print("  park length, us (p10 / p50 / p90):            " + echotrace.spread(park_len))
    print("  echo's timeout to the holder's signal, us:     " + echotrace.spread(to_signal))
    print("  signal to the echo running again, us:          " + echotrace.spread(echo_back))
    print("  the echo's switch_cond signal (the call), us:  " + echotrace.spread(switch_signal))
    print("  that signal to the holder running again, us:   " + echotrace.spread(holder_back))
    print("echo sends %d; preempted at the return %d (%.0f%%); of those, then waited for the GIL %d (%.0f%%)" % (
        sends, preempted, 100.0 * preempted / max(sends, 1), lost, 100.0 * lost / max(preempted, 1)))
    for writer, label in ((echo, "echo's write wakes the client"), (client, "client's write wakes the echo")):
        v = runs[writer]
        print("%s on the writer's CPU: %d, preempted at the return %d (%.0f%%)" % (
            label, len(v), sum(p for _, p in v), 100.0 * sum(p for _, p in v) / max(len(v), 1)))
        for lo, hi in ((0, 10), (10, 40), (40, None)):
            w = [p for r, p in v if r >= lo and (hi is None or r < hi)]
            if w:
                span = "%d-%d us" % (lo, hi) if hi else "%d us or more" % lo
                print("  writer ran %-14s since switched in: %5d, preempted %3.0f%%" % (span, len(w), 100.0 * sum(w) / len(w)))


if __name__ == "__main__":
    main(sys.argv[1:])
