"""What the probes that trace the echo with `perf` share: recording
`measure.py echo` under `perf record`, parsing `perf script`'s lines, and
telling the echo's threads apart. Imported by forced-drop.py, signal-race.py
and socket-calls.py (a script's own folder is on Python's path)."""
import collections
import os
import re
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MEASURE = os.path.join(HERE, "..", "measure.py")
LINE = re.compile(r"^\s*(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)$")

# One traced event: seconds, process, thread, CPU, event name, its fields.
Event = collections.namedtuple("Event", "ts pid tid cpu name rest")


def record(python, events, seconds, cpu_threads, interval, pin="none"):
    """Runs the echo next to `cpu_threads` CPU-bound threads under `perf
    record` with these events; returns measure.py's output and the events."""
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        cmd = ["perf", "record", "-q", "-o", data]
        for e in events:
            cmd += ["-e", e]
        cmd += ["--", python, MEASURE, "echo", seconds, cpu_threads, interval, "60", pin]
        out = subprocess.check_output(cmd, stderr=subprocess.DEVNULL).decode().strip()
        text = subprocess.check_output(
            ["perf", "script", "--ns", "-i", data, "-F", "pid,tid,cpu,time,event,trace"], stderr=subprocess.DEVNULL
        ).decode()
    evs = []
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            evs.append(Event(float(m.group(4)), int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(5), m.group(6)))
    return out, evs


def roles(evs):
    """The server process (the one with the most threads), its echo thread
    (the one making socket calls), the client's thread (the other process's
    socket calls) and the CPU-bound threads (the server's others but main)."""
    threads = collections.defaultdict(set)
    for e in evs:
        threads[e.pid].add(e.tid)
    server = max(threads, key=lambda p: len(threads[p]))
    sockets = ("recvfrom", "sendto")
    echo = next((e.tid for e in evs if e.pid == server and e.name.endswith(sockets)), None)
    client = next((e.tid for e in evs if e.pid != server and e.name.endswith(sockets)), None)
    return server, echo, client, threads[server] - {server, echo}


def spread(values, digits=1):
    """p10 / p50 / p90 of `values` and how many there are."""
    if not values:
        return "none"
    v = sorted(values)
    n = len(v)
    f = "%%.%df" % digits
    return (f + " / " + f + " / " + f + " (n=%d)") % (v[n // 10], v[n // 2], v[9 * n // 10], n)
