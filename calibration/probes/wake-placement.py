#!/usr/bin/env python3
"""Where Linux puts a woken thread: on its waker's CPU or elsewhere.

Records the echo next to one CPU-bound thread (or CPU_THREADS of them) with `perf sched record` and
counts the wake-ups between the server process and the echo client (a
socket write: WF_SYNC) and inside the server process (the GIL's condition
variable: a plain futex wake), by whether the wakee was placed on the
waker's CPU, and how often the wakee then preempted the waker at once.
The source of the model's sync wake-up placement (docs/calibration.md,
item 12). Needs perf and permission to trace scheduler events (root).

    python3 calibration/probes/wake-placement.py PYTHON [SECONDS] [INTERVAL] [CPU_THREADS] [PIN]

PIN is `measure.py echo`'s: `none` (default), `same` (the echo and the
CPU-bound threads on the first CPU) or `other` (the CPU-bound threads on the
second).
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MEASURE = os.path.join(HERE, "..", "measure.py")
LINE = re.compile(r"^\s*(\d+)/(\d+)\s+\[(\d+)\]\s+sched:(\w+):\s+(.*)$")


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    python = argv[0]
    seconds = argv[1] if len(argv) > 1 else "1"
    interval = argv[2] if len(argv) > 2 else "0.005"
    cpu_threads = argv[3] if len(argv) > 3 else "1"
    pin = argv[4] if len(argv) > 4 else "none"
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        subprocess.check_call(
            ["perf", "sched", "record", "-o", data, "--", python, MEASURE, "echo", seconds, cpu_threads, interval, "60", pin],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        text = subprocess.check_output(
            ["perf", "script", "-i", data, "-F", "pid,tid,cpu,event,trace"], stderr=subprocess.DEVNULL
        ).decode()
    events = []
    tgid = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            pid, tid, cpu, name, rest = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5)
            tgid[tid] = pid
            events.append((pid, tid, cpu, name, rest))
    # The measured programs are the `python` tasks; their processes are the
    # server (with the echo and CPU-bound threads) and the client.
    pythons = {int(p) for p in re.findall(r"comm=python pid=(\d+)", text)}
    counts = {}
    pending = None
    for pid, tid, cpu, name, rest in events:
        if pending and name == "sched_switch" and cpu == pending[0]:
            prev_state = re.search(r"prev_state=(\S+)", rest)
            nxt = re.search(r"next_pid=(\d+)", rest)
            if prev_state and nxt and int(nxt.group(1)) == pending[1]:
                counts[pending[2]][2] += prev_state.group(1) == "R"
            pending = None
        if name != "sched_waking" or tid not in pythons:
            continue
        wakee = int(re.search(r" pid=(\d+)", rest).group(1))
        target = int(re.search(r"target_cpu=(\d+)", rest).group(1))
        if wakee not in pythons or wakee not in tgid:
            continue
        kind = "other process" if tgid[wakee] != pid else "same process"
        c = counts.setdefault(kind, [0, 0, 0])
        c[0] += 1
        if target == cpu:
            c[1] += 1
            pending = (cpu, wakee, kind)
    for kind, (n, here, preempted) in sorted(counts.items()):
        print(
            "%-14s wake-ups %6d  on the waker's CPU %6d (%3.0f%%)  of which preempted the waker at once %6d"
            % (kind, n, here, 100.0 * here / max(n, 1), preempted)
        )


if __name__ == "__main__":
    main(sys.argv[1:])
