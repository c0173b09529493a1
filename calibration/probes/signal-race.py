#!/usr/bin/env python3
"""Who takes the new GIL after a forced drop: the waiter that asked for it, or
the oldest sleeper.

Records the echo next to CPU_THREADS CPU-bound threads with `perf record`
(futex calls, socket calls) and looks at every forced hand-off: a CPU-bound
holder's `futex_wake` on the GIL's condition variable shortly after another
thread's timed wait on it expired (that thread asked for the drop). glibc's
condition variable (2.25+) puts a new waiter in group G2 and signals only G1,
making every waiter G1 when G1 is empty; a signal goes to a G1 waiter that
has not reached `futex_wait` yet before any sleeper. The probe counts, for
the requester in the signalled group, whether it had already gone to sleep
when the signal came (then the oldest sleeper is woken) or not (it takes
the signal itself). The source of the model's signal race
(docs/calibration.md, item 14). Needs perf and permission to trace (root).

    python3 calibration/probes/signal-race.py PYTHON [SECONDS] [INTERVAL] [CPU_THREADS]
"""
import collections
import re
import sys

import echotrace

FUTEX = re.compile(r"uaddr: (\w+), op: (\w+), val: \w+, utime: (\w+)")
ETIMEDOUT = 2**64 - 110
WINDOW_S = 200e-6


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    python = argv[0]
    seconds = argv[1] if len(argv) > 1 else "2"
    interval = argv[2] if len(argv) > 2 else "0.005"
    cpu_threads = argv[3] if len(argv) > 3 else "2"
    events = [
        "sched:sched_switch",
        "syscalls:sys_enter_futex",
        "syscalls:sys_exit_futex",
        "syscalls:sys_enter_recvfrom",
        "syscalls:sys_enter_sendto",
    ]
    _, evs = echotrace.record(python, events, seconds, cpu_threads, interval)
    server, echo, _, spinners = echotrace.roles(evs)
    # The GIL's condition variable: the words the CPU-bound threads wait on
    # with a timeout (one per glibc group).
    words = collections.Counter()
    for _, _, tid, _, name, rest in evs:
        if tid in spinners and name == "syscalls:sys_enter_futex":
            f = FUTEX.search(rest)
            if f and int(f.group(2), 16) & 0x7F == 9 and int(f.group(3), 16) != 0:
                words[f.group(1)] += 1
    cond = {w for w, _ in words.most_common(2)}
    last_timeout = {}
    last_wait = {}
    counts = collections.Counter()
    for ts, _, tid, _, name, rest in evs:
        if name == "syscalls:sys_exit_futex":
            if int(rest.strip(), 16) == ETIMEDOUT:
                last_timeout[tid] = ts
                last_wait.pop(tid, None)
            continue
        if name != "syscalls:sys_enter_futex":
            continue
        f = FUTEX.search(rest)
        if not f or f.group(1) not in cond:
            continue
        op = int(f.group(2), 16) & 0x7F
        if op == 9:
            last_wait[tid] = (f.group(1), ts)
            continue
        if op != 1 or tid not in spinners:
            continue
        # A CPU-bound holder signals: find who asked for the drop.
        asked = [(t, r) for r, t in last_timeout.items() if r != tid and 0 <= ts - t <= WINDOW_S]
        if not asked:
            continue
        t_out, requester = max(asked)
        kind = "echo" if requester == echo else "CPU thread"
        wait = last_wait.get(requester)
        if wait and wait[1] >= t_out and wait[0] != f.group(1):
            counts[kind, "in G2"] += 1
        elif wait and wait[1] >= t_out:
            counts[kind, "asleep"] += 1
        else:
            counts[kind, "awake"] += 1
    print("server %d: echo thread %s, %d CPU-bound threads, GIL condition words %s" % (server, echo, len(spinners), sorted(cond)))
    total_awake = total_g1 = 0
    for kind in ("CPU thread", "echo"):
        awake, asleep, g2 = counts[kind, "awake"], counts[kind, "asleep"], counts[kind, "in G2"]
        total_awake += awake
        total_g1 += awake + asleep
        print(
            "requester %-10s forced hand-offs %5d: in the signalled group %5d, of which not asleep yet %5d (%3.0f%%); in G2 %d"
            % (kind, awake + asleep + g2, awake + asleep, awake, 100.0 * awake / max(awake + asleep, 1), g2)
        )
    print("all: the requester had not slept yet in %d of %d (%.0f%%)" % (total_awake, total_g1, 100.0 * total_awake / max(total_g1, 1)))


if __name__ == "__main__":
    main(sys.argv[1:])
