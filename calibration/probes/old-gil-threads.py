#!/usr/bin/env python3
"""The old GIL with K CPU-bound threads, traced: who holds it, how often it
changes hands, what a waiter's round costs, and how long the holder waits
for a core.

    python3 calibration/probes/old-gil-threads.py PYTHON [SECONDS_OF_WORK] [K ...]

Runs the countdown split over K threads (Python 2.7: the GIL is a POSIX
semaphore) under `perf record` with scheduler and futex events and prints,
per K: the wall time against one thread, GIL hand-offs a second (a hand-off:
the thread that posts the semaphore changes), the holder's stint between
hand-offs, futex_wake calls that woke a sleeper and their cost, the
waiters' rounds (woken, a failed wait, asleep again) and their CPU, and the
time the holder spent runnable but off its core. Needs perf and root.
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import echotrace  # noqa: E402

EVENTS = ["sched:sched_switch", "sched:sched_wakeup", "syscalls:sys_enter_futex", "syscalls:sys_exit_futex"]
SCRIPT = """
import threading, time, sys
def countdown(n):
    while n > 0:
        n -= 1
k = int(sys.argv[1]); n = int(sys.argv[2])
ts = [threading.Thread(target=countdown, args=(n // k,)) for _ in range(k)]
t = time.time()
for th in ts: th.start()
for th in ts: th.join()
sys.stdout.write("%f\\n" % (time.time() - t))
"""
WAKE_OPS = ("0x00000081", "0x00000001")
WAIT_OPS = ("0x00000080", "0x00000000", "0x00000189")


def record(python, k, n):
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        src = os.path.join(tmp, "cd.py")
        with open(src, "w") as f:
            f.write(SCRIPT)
        cmd = ["perf", "record", "-q", "-o", data]
        for e in EVENTS:
            cmd += ["-e", e]
        cmd += ["--", python, src, str(k), str(n)]
        wall = float(subprocess.check_output(cmd, stderr=subprocess.DEVNULL).decode().split()[-1])
        text = subprocess.check_output(
            ["perf", "script", "--ns", "-i", data, "-F", "pid,tid,cpu,time,event,trace"], stderr=subprocess.DEVNULL
        ).decode()
    evs = []
    for line in text.splitlines():
        m = echotrace.LINE.match(line)
        if m:
            evs.append(echotrace.Event(float(m.group(4)), int(m.group(1)), int(m.group(2)), int(m.group(3)),
                                       m.group(5), m.group(6)))
    return wall, evs


def analyse(evs, wall):
    pid = collections.Counter(e.pid for e in evs if e.name.endswith("futex")).most_common(1)[0][0]
    workers = {e.tid for e in evs if e.pid == pid and e.name.endswith("futex")}
    start = {}
    wakes, waits = [], []  # (tid, t0, dur, ret)
    for e in evs:
        if e.tid not in workers:
            continue
        if e.name == "syscalls:sys_enter_futex":
            op = re.search(r"op: (\w+)", e.rest)
            start[e.tid] = (e.ts, op.group(1) if op else "?")
        elif e.name == "syscalls:sys_exit_futex" and e.tid in start:
            t0, op = start.pop(e.tid)
            ret = int(e.rest.strip().split()[-1], 16) if e.rest.strip() else 0
            if ret >= 1 << 63:
                ret -= 1 << 64
            (wakes if op in WAKE_OPS else waits).append((e.tid, t0, e.ts - t0, ret))
    t_lo = min(w[1] for w in wakes)
    t_hi = max(w[1] for w in wakes)
    span = max(t_hi - t_lo, 1e-9)
    # Hand-offs: consecutive futex_wake calls by different threads.
    seq = sorted(wakes, key=lambda w: w[1])
    handoffs, stints, last, since = 0, [], None, None
    for tid, t0, _, _ in seq:
        if tid != last:
            if last is not None:
                handoffs += 1
                stints.append(t0 - since)
            last, since = tid, t0
    woke = [w for w in wakes if w[3] > 0]
    empty = [w for w in wakes if w[3] == 0]
    slept = [w for w in waits if w[3] == 0]
    again = [w for w in waits if w[3] == -11]
    # Runnable but off-core time per thread: from sched_wakeup (or being
    # switched out in state R) to being switched in.
    queued = collections.defaultdict(float)
    ready_since = {}
    for e in evs:
        if e.name == "sched:sched_wakeup":
            m = re.search(r"pid=(\d+)", e.rest)
            if m and int(m.group(1)) in workers:
                ready_since.setdefault(int(m.group(1)), e.ts)
        elif e.name == "sched:sched_switch":
            prev = re.search(r"prev_pid=(\d+).*prev_state=(\S+)", e.rest)
            nxt = re.search(r"next_pid=(\d+)", e.rest)
            if prev and int(prev.group(1)) in workers and prev.group(2).startswith("R"):
                ready_since[int(prev.group(1))] = e.ts
            if nxt and int(nxt.group(1)) in ready_since:
                t = int(nxt.group(1))
                queued[t] += e.ts - ready_since.pop(t)
    us = lambda xs: echotrace.spread([x * 1e6 for x in xs])
    print("  GIL hand-offs: %.0f a second; the holder's stint %s us" % (handoffs / span, us(stints)))
    print("  futex_wake: %.0f a second, %.0f%% woke a sleeper; cost with one %s us, without %s us" % (
        len(wakes) / span, 100.0 * len(woke) / max(len(wakes), 1), us([w[2] for w in woke]), us([w[2] for w in empty])))
    print("  futex_wait: %.0f a second slept (for %s us), %.0f a second failed at once (EAGAIN)" % (
        len(slept) / span, us([w[2] for w in slept]), len(again) / span))
    print("  runnable off-core: %.2f threads on average" % (sum(queued.values()) / wall))


def main():
    python = sys.argv[1]
    work = float(sys.argv[2]) if len(sys.argv) > 2 else 0.3
    ks = [int(a) for a in sys.argv[3:]] or [1, 2, 4, 8]
    n = int(work * 50e6)  # about 50 M iterations a second on 2.7
    base = None
    for k in ks:
        wall, evs = record(python, k, n)
        base = base or wall
        print("%d threads: %.3f s (%.2fx the first)" % (k, wall, wall / base))
        if k > 1:
            analyse(evs, wall)


if __name__ == "__main__":
    main()
