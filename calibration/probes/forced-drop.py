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
import collections
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MEASURE = os.path.join(HERE, "..", "measure.py")
LINE = re.compile(r"^\s*(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)$")
FUTEX = re.compile(r"uaddr: (\w+), op: (\w+), val: \w+, utime: (\w+)")
ETIMEDOUT = 2**64 - 110
FUTEX_WAKE, FUTEX_WAIT_BITSET = 1, 9
LOOK = 400  # events to look ahead or back for one hand-off


def spread(values):
    if not values:
        return "none"
    v = sorted(values)
    n = len(v)
    return "%5.1f / %5.1f / %5.1f (n=%d)" % (v[n // 10], v[n // 2], v[9 * n // 10], n)


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
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        cmd = ["perf", "record", "-q", "-o", data]
        for e in events:
            cmd += ["-e", e]
        cmd += ["--", python, MEASURE, "echo", seconds, cpu_threads, interval, "60", pin]
        trips = subprocess.check_output(cmd, stderr=subprocess.DEVNULL).decode().strip()
        text = subprocess.check_output(
            ["perf", "script", "-i", data, "-F", "pid,tid,cpu,time,event,trace"], stderr=subprocess.DEVNULL
        ).decode()
    evs = []
    cpus = []
    threads = collections.defaultdict(set)
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            pid, tid, ts, name, rest = int(m.group(1)), int(m.group(2)), float(m.group(4)), m.group(5), m.group(6)
            evs.append((ts, pid, tid, name, rest))
            cpus.append(int(m.group(3)))
            threads[pid].add(tid)
    server = max(threads, key=lambda p: len(threads[p]))
    echo = next((t for _, p, t, n, _ in evs if p == server and n.endswith(("recvfrom", "sendto"))), None)
    spinners = threads[server] - {server, echo}
    # The GIL's `cond`: words waited on with a timeout; `switch_cond`: words
    # the CPU-bound threads wait on without one.
    cond, switch = set(), set()
    for _, _, tid, name, rest in evs:
        if name == "syscalls:sys_enter_futex":
            f = futex(rest)
            if f and f[1] == FUTEX_WAIT_BITSET:
                if f[2] != 0:
                    cond.add(f[0])
                elif tid in spinners:
                    switch.add(f[0])
    switch -= cond

    def next_of(i, tid, name, limit=LOOK):
        for j in range(i + 1, min(i + limit, len(evs))):
            if evs[j][2] == tid and evs[j][3] == name:
                return j
        return None

    drops = parks = 0
    park_len, to_signal, echo_back, switch_signal, holder_back = [], [], [], [], []
    for i, (ts, _, tid, name, rest) in enumerate(evs):
        if tid not in spinners or name != "syscalls:sys_enter_futex":
            continue
        f = futex(rest)
        if not f or f[1] != FUTEX_WAKE or f[0] not in cond:
            continue
        # The echo's timeout just before: it asked for this drop.
        timeout = None
        for j in range(i - 1, max(i - LOOK, 0), -1):
            e = evs[j]
            if e[2] != echo:
                continue
            if e[3] == "syscalls:sys_exit_futex" and int(e[4].strip(), 16) == ETIMEDOUT:
                timeout = e[0]
                break
            if e[3].endswith(("recvfrom", "sendto")):
                break
        if timeout is None or ts - timeout > 200e-6:
            continue
        drops += 1
        to_signal.append((ts - timeout) * 1e6)
        for j in range(i + 1, min(i + LOOK, len(evs))):
            e = evs[j]
            if e[2] == echo and e[3] == "syscalls:sys_exit_futex" and int(e[4].strip(), 16) != ETIMEDOUT:
                echo_back.append((e[0] - ts) * 1e6)
                break
        # The holder's next wait: on switch_cond (parked) or not.
        wait = None
        for j in range(i + 1, min(i + LOOK, len(evs))):
            e = evs[j]
            if e[2] == tid and e[3] == "syscalls:sys_enter_futex":
                g = futex(e[4])
                if g and g[1] in (0, FUTEX_WAIT_BITSET):
                    wait = (j, g[0])
                    break
        if wait and wait[1] in switch:
            parks += 1
            out = next_of(wait[0], tid, "syscalls:sys_exit_futex")
            if out is not None:
                park_len.append((evs[out][0] - evs[wait[0]][0]) * 1e6)
            # The echo's signal of switch_cond, then the holder back.
            for j in range(wait[0] + 1, min(wait[0] + LOOK, len(evs))):
                e = evs[j]
                if e[2] == echo and e[3] == "syscalls:sys_enter_futex":
                    g = futex(e[4])
                    if g and g[0] in switch and g[1] == FUTEX_WAKE:
                        done = next_of(j, echo, "syscalls:sys_exit_futex")
                        if done is not None:
                            switch_signal.append((evs[done][0] - e[0]) * 1e6)
                        if out is not None and evs[out][0] >= e[0]:
                            holder_back.append((evs[out][0] - e[0]) * 1e6)
                        break
    # The echo's sends: preempted at the return, then did it wait for the GIL?
    sends = preempted = lost = 0
    for i, (ts, _, tid, name, rest) in enumerate(evs):
        if tid != echo or name != "syscalls:sys_exit_sendto":
            continue
        sends += 1
        j = i + 1
        while j < len(evs) and j < i + LOOK and evs[j][2] != echo:
            j += 1
        if j >= len(evs) or evs[j][3] != "sched:sched_switch" or "prev_state=R" not in evs[j][4]:
            continue
        preempted += 1
        for k in range(j + 1, min(j + LOOK, len(evs))):
            e = evs[k]
            if e[2] != echo or not e[3].startswith("syscalls:sys_enter"):
                continue
            g = futex(e[4]) if e[3] == "syscalls:sys_enter_futex" else None
            if g and g[0] in cond and g[1] == FUTEX_WAIT_BITSET and g[2] != 0:
                lost += 1
            if e[3] != "syscalls:sys_enter_futex" or (g and g[0] in cond):
                break
    client = next((t for _, p, t, n, _ in evs if p != server and n.endswith(("recvfrom", "sendto"))), None)
    # Who preempts whom at a write's return, by the writer's run so far.
    last_in = {}
    runs = {echo: [], client: []}
    for i, (ts, _, tid, name, rest) in enumerate(evs):
        if name == "sched:sched_switch":
            m = re.search(r"next_pid=(\d+)", rest)
            if m:
                last_in[int(m.group(1))] = ts
            continue
        if name != "syscalls:sys_enter_sendto" or tid not in runs:
            continue
        reader = client if tid == echo else echo
        same = False
        j = i + 1
        while j < len(evs) and j < i + LOOK and not (evs[j][2] == tid and evs[j][3] == "syscalls:sys_exit_sendto"):
            e = evs[j]
            if e[3] == "sched:sched_wakeup" and (" pid=%d " % reader) in e[4] and ("target_cpu=%03d" % cpus[i]) in e[4]:
                same = True
            j += 1
        if not same or j >= len(evs):
            continue
        k = j + 1
        while k < len(evs) and evs[k][2] != tid:
            k += 1
        at_return = k < len(evs) and evs[k][3] == "sched:sched_switch" and "prev_state=R" in evs[k][4]
        runs[tid].append(((ts - last_in.get(tid, ts)) * 1e6, at_return))
    print("measure.py: " + trips)
    print(
        "server %d: echo thread %s, %d CPU-bound threads; GIL cond words %s, switch_cond words %s"
        % (server, echo, len(spinners), sorted(cond), sorted(switch))
    )
    print("forced hand-offs to the echo: %d; the holder then parked on switch_cond: %d (%.0f%%)" % (
        drops, parks, 100.0 * parks / max(drops, 1)))
    print("  park length, us (p10 / p50 / p90):            " + spread(park_len))
    print("  echo's timeout to the holder's signal, us:     " + spread(to_signal))
    print("  signal to the echo running again, us:          " + spread(echo_back))
    print("  the echo's switch_cond signal (the call), us:  " + spread(switch_signal))
    print("  that signal to the holder running again, us:   " + spread(holder_back))
    print("echo sends %d; preempted at the return %d (%.0f%%); of those, then waited for the GIL %d (%.0f%%)" % (
        sends, preempted, 100.0 * preempted / max(sends, 1), lost, 100.0 * lost / max(preempted, 1)))
    for writer, label in ((echo, "echo's write wakes the client"), (client, "client's write wakes the echo")):
        v = runs.get(writer, [])
        print("%s on the writer's CPU: %d, preempted at the return %d (%.0f%%)" % (
            label, len(v), sum(p for _, p in v), 100.0 * sum(p for _, p in v) / max(len(v), 1)))
        for lo, hi in ((0, 10), (10, 40), (40, None)):
            w = [p for r, p in v if r >= lo and (hi is None or r < hi)]
            if w:
                span = "%d-%d us" % (lo, hi) if hi else "%d us or more" % lo
                print("  writer ran %-14s since switched in: %5d, preempted %3.0f%%" % (span, len(w), 100.0 * sum(w) / len(w)))


if __name__ == "__main__":
    main(sys.argv[1:])
