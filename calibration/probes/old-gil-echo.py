#!/usr/bin/env python3
"""How the echo takes the old GIL back next to CPU-bound threads (Python 2.7).

The old GIL is a POSIX semaphore: `sem_post` raises the count and calls
`futex_wake` while a waiter is counted, `sem_wait` takes the count with an
atomic operation and otherwise calls `futex_wait`, which fails at once
(`EAGAIN`) if the count changed in between. Records the echo next to
CPU_THREADS CPU-bound threads with `perf record` (futex, socket and
scheduler events) and prints:

- how the echo got the GIL back after each socket call: at once, or after
  which sequence of failed waits (`A`: `futex_wait` returned `EAGAIN`, `S`:
  it slept and was woken);
- what followed an `EAGAIN` and a sleep: the echo holding the GIL (its next
  futex call a release, or a socket call) or another wait;
- the CPU-bound thread's `futex_wake` calls, with and without a sleeper to
  wake, and the time between its releases.

The source of the model's rule that an old-GIL waiter signalled before it
slept takes the lock (docs/calibration.md, item 20). Needs perf and
permission to trace (root); tracing slows every system call a little.

    python3 calibration/probes/old-gil-echo.py PYTHON [SECONDS] [CPU_THREADS] [PIN]
"""
import collections
import re
import sys

import echotrace

EVENTS = [
    "sched:sched_switch",
    "syscalls:sys_enter_futex",
    "syscalls:sys_exit_futex",
    "syscalls:sys_enter_recvfrom",
    "syscalls:sys_exit_recvfrom",
    "syscalls:sys_enter_sendto",
    "syscalls:sys_exit_sendto",
]
FUTEX_WAIT = ("0x00000189", "0x00000080", "0x00000000")
EAGAIN = "0xfffffffffffffff5"


def futex_calls(evs, tid):
    """(enter time, op, return value, duration) of each futex call of `tid`."""
    calls, start = [], None
    for e in evs:
        if e.tid != tid:
            continue
        if e.name == "syscalls:sys_enter_futex":
            op = re.search(r"op: (\w+)", e.rest)
            start = (e.ts, op.group(1) if op else "?")
        elif e.name == "syscalls:sys_exit_futex" and start:
            calls.append((start[0], start[1], e.rest.strip(), e.ts - start[0]))
            start = None
    return calls


def echo_sequence(evs, echo):
    """The echo's calls as letters: r/s a socket call returned, V/T one
    began, A a futex_wait failed with EAGAIN, S one slept, K a futex_wake
    woke a sleeper, k one woke nobody."""
    out, op = [], None
    for e in evs:
        if e.tid != echo:
            continue
        if e.name == "syscalls:sys_enter_futex":
            op = "W" if any("op: " + w in e.rest for w in FUTEX_WAIT) else "K"
        elif e.name == "syscalls:sys_exit_futex" and op:
            ret = e.rest.strip()
            out.append(("A" if ret == EAGAIN else "S") if op == "W" else ("k" if ret == "0x0" else "K"))
            op = None
        elif e.name.endswith("exit_recvfrom"):
            out.append("r")
        elif e.name.endswith("exit_sendto"):
            out.append("s")
        elif e.name.endswith("enter_recvfrom"):
            out.append("V")
        elif e.name.endswith("enter_sendto"):
            out.append("T")
    return "".join(out)


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    python = argv[0]
    seconds = argv[1] if len(argv) > 1 else "1"
    cpu_threads = argv[2] if len(argv) > 2 else "1"
    pin = argv[3] if len(argv) > 3 else "none"
    out, evs = echotrace.record(python, EVENTS, seconds, cpu_threads, "0", pin)
    print(out)
    _, echo, _, cpus = echotrace.roles(evs)
    if echo is None or not cpus:
        raise SystemExit("no echo or CPU-bound thread in the trace")
    seq = echo_sequence(evs, echo)
    episodes = collections.Counter(m.group(1) for m in re.finditer(r"[rs]([AS]*)[kKTV]", seq))
    total = sum(episodes.values())
    print("the echo took the GIL back %d times:" % total)
    for waits, n in episodes.most_common(8):
        print("  %-6s %6d  %5.1f%%" % (waits or "at once", n, 100.0 * n / total))
    held = set("kKTV")
    for letter, name in (("A", "EAGAIN"), ("S", "a sleep")):
        nxt = [seq[i + 1] for i, c in enumerate(seq[:-1]) if c == letter]
        won = sum(1 for c in nxt if c in held)
        print("after %s: the echo held the GIL next in %d of %d (%.0f%%)" % (name, won, len(nxt), 100.0 * won / max(1, len(nxt))))
    for cpu in sorted(cpus):
        calls = futex_calls(evs, cpu)
        wakes = [c for c in calls if c[1] == "0x00000081"]
        print("CPU-bound thread %d, us p10 / p50 / p90:" % cpu)
        us = echotrace.spread
        print("  futex_wake with no sleeper   " + us([c[3] * 1e6 for c in wakes if c[2] == "0x0"], 2))
        print("  futex_wake waking a sleeper  " + us([c[3] * 1e6 for c in wakes if c[2] != "0x0"], 2))
        sleeps = [c for c in calls if c[1] in FUTEX_WAIT and c[2] != EAGAIN]
        print("  its own sleeps on the GIL    " + us([c[3] * 1e6 for c in sleeps], 2))
        gaps = [(b[0] - a[0]) * 1e6 for a, b in zip(wakes, wakes[1:]) if b[0] - a[0] < 5e-6]
        print("  one release to the next      " + us(gaps, 2))


if __name__ == "__main__":
    main(sys.argv[1:])
