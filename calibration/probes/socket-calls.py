#!/usr/bin/env python3
"""How long the echo server's socket calls take, and whom `sendall` wakes.

Records the echo next to CPU_THREADS CPU-bound threads with `perf record`
(the `sendto` and `recvfrom` system calls and the scheduler's wake-ups and
switches) and prints the echo thread's `sendto` times split by whether it
woke the client and where: `nowake` (the client was not asleep yet),
`same` (onto the echo's own CPU) or `other` (onto the other CPU, which must
be kicked out of idle or interrupted), and by what ran on the echo's CPU
before the echo (`spin`: a CPU-bound thread). The source of
`docs/calibration.md`, item 16. Needs perf and permission to trace (root).

    python3 calibration/probes/socket-calls.py PYTHON [SECONDS] [INTERVAL] [CPU_THREADS]
"""
import collections
import re
import sys

import echotrace

EVENTS = [
    "syscalls:sys_enter_sendto",
    "syscalls:sys_exit_sendto",
    "syscalls:sys_enter_recvfrom",
    "syscalls:sys_exit_recvfrom",
    "sched:sched_waking",
    "sched:sched_switch",
]


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    python = argv[0]
    seconds = argv[1] if len(argv) > 1 else "2"
    interval = argv[2] if len(argv) > 2 else "0.005"
    cpu_threads = argv[3] if len(argv) > 3 else "2"
    _, evs = echotrace.record(python, EVENTS, seconds, cpu_threads, interval)
    _, echo, client, spinners = echotrace.roles(evs)
    before = {}  # cpu -> the thread that ran there before the current one
    sends = collections.defaultdict(list)
    recvs = []
    open_send = None
    open_recv = None
    for ts, _, tid, cpu, name, rest in evs:
        if name == "sched:sched_switch":
            a = re.search(r"prev_pid=(\d+).*next_pid=(\d+)", rest)
            if a and int(a.group(1)) != echo:
                before[cpu] = int(a.group(1))
            continue
        if tid != echo:
            continue
        if name.endswith("enter_sendto"):
            prev = before.get(cpu)
            ran = "spin" if prev in spinners else ("client" if prev == client else "other")
            open_send = [ts, cpu, None, ran]
        elif name == "sched:sched_waking" and open_send and ("pid=%d " % client) in rest:
            open_send[2] = int(re.search(r"target_cpu=(\d+)", rest).group(1))
        elif name.endswith("exit_sendto") and open_send:
            t0, c0, target, ran = open_send
            kind = "nowake" if target is None else ("same" if target == c0 else "other")
            sends[(kind, ran)].append((ts - t0) * 1e6)
            open_send = None
        elif name.endswith("enter_recvfrom"):
            open_recv = ts
        elif name.endswith("exit_recvfrom") and open_recv is not None:
            recvs.append((ts - open_recv) * 1e6)
            open_recv = None
    print("echo thread's sendto, µs (p10 / p50 / p90), by whom it woke and what ran on its CPU before it:")
    for key in sorted(sends):
        print("  wake %-6s after %-6s %s" % (key[0], key[1], echotrace.spread(sends[key], 0)))
    if recvs:
        print("echo thread's recvfrom (blocking ones included), µs (p10 / p50 / p90): %s" % echotrace.spread(recvs, 0))


if __name__ == "__main__":
    main(sys.argv[1:])
