"""gil-lab calibration: measurements of a real CPython, one per invocation.

Run by `cargo xtask calibrate`, which picks the interpreters, repeats runs,
pins them to one core with taskset and compares the results with the
simulator. Works on Python 2.7 and 3.x. Prints one JSON object on stdout.

    python measure.py info
    python measure.py iter-speed
    python measure.py countdown N THREADS MODE [INTERVAL]   MODE: threads | processes
    python measure.py sleeps TASKS COUNT MS MODE            MODE: sequential | threads | asyncio
    python measure.py echo SECONDS CPU_THREADS [INTERVAL]
    python measure.py hash THREADS BLOCKS MB
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time

try:
    clock = time.perf_counter
except AttributeError:  # Python 2
    clock = time.time


def out(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


def set_interval(interval):
    """Switch interval in seconds (3.2+); ignored by the old GIL."""
    if interval and hasattr(sys, "setswitchinterval"):
        sys.setswitchinterval(float(interval))


def countdown(n):
    while n > 0:
        n -= 1


def info():
    gil = True
    if hasattr(sys, "_is_gil_enabled"):
        gil = sys._is_gil_enabled()
    out({
        "version": "%d.%d.%d" % sys.version_info[:3],
        "implementation": getattr(sys, "implementation", None) and sys.implementation.name or "cpython",
        "gil": "old" if sys.version_info < (3, 2) else ("new" if gil else "none"),
        "switch_interval_s": sys.getswitchinterval() if hasattr(sys, "getswitchinterval") else None,
        "check_interval": sys.getcheckinterval() if sys.version_info < (3, 2) else None,
        "cpus": cpu_count(),
    })


def cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        import multiprocessing
        return multiprocessing.cpu_count()


def iter_speed():
    """Nanoseconds per countdown iteration, best of five."""
    n = 2000000
    best = None
    for _ in range(5):
        t = clock()
        countdown(n)
        dt = clock() - t
        best = dt if best is None else min(best, dt)
    out({"ns_per_iter": best * 1e9 / n})


def run_countdown(n, k, mode, interval):
    set_interval(interval)
    share = n // k
    t = clock()
    if mode == "threads":
        ts = [threading.Thread(target=countdown, args=(share,)) for _ in range(k)]
        for th in ts:
            th.start()
        for th in ts:
            th.join()
    elif mode == "processes":
        import multiprocessing
        ps = [multiprocessing.Process(target=countdown, args=(share,)) for _ in range(k)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
    else:
        raise SystemExit("unknown mode " + mode)
    out({"seconds": clock() - t})


def sleeps(tasks, count, ms, mode):
    d = ms / 1000.0

    def work():
        for _ in range(count):
            time.sleep(d)

    if mode == "asyncio":
        import asyncio  # imported before the clock starts, as threading is
    t = clock()
    if mode == "sequential":
        for _ in range(tasks):
            work()
    elif mode == "threads":
        ts = [threading.Thread(target=work) for _ in range(tasks)]
        for th in ts:
            th.start()
        for th in ts:
            th.join()
    elif mode == "asyncio":
        async_src = (
            "async def task(d, count):\n"
            "    for _ in range(count):\n"
            "        await asyncio.sleep(d)\n"
            "async def main(tasks, d, count):\n"
            "    await asyncio.gather(*[task(d, count) for _ in range(tasks)])\n"
        )
        ns = {"asyncio": asyncio}
        exec(async_src, ns)
        loop = asyncio.new_event_loop()
        loop.run_until_complete(ns["main"](tasks, d, count))
        loop.close()
    else:
        raise SystemExit("unknown mode " + mode)
    out({"seconds": clock() - t})


def echo(seconds, cpu_threads, interval):
    """Round trips per second of a 1-byte echo over loopback TCP; the client
    is a separate process, the server a thread here next to CPU-bound threads."""
    set_interval(interval)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    stop = [False]

    def spin():
        n = 0
        while not stop[0]:
            n += 1

    def serve():
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            b = conn.recv(1)
            if not b:
                break
            conn.sendall(b)
        conn.close()

    server = threading.Thread(target=serve)
    server.daemon = True
    server.start()
    spinners = [threading.Thread(target=spin) for _ in range(cpu_threads)]
    for s in spinners:
        s.daemon = True
        s.start()
    client = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "echo-client", str(port), str(seconds), str(interval or 0)],
        stdout=subprocess.PIPE,
    )
    data = client.communicate()[0]
    stop[0] = True
    result = json.loads(data.decode("utf-8"))
    result["rps"] = result["trips"] / result["seconds"]
    out(result)


def echo_client(port, seconds, interval):
    """Ping-pong for `seconds`; with a switch interval, also the share of
    round trips that took more than 1.5 intervals (two lost intervals)."""
    c = socket.create_connection(("127.0.0.1", port))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    trips = 0
    long_trips = 0
    t0 = clock()
    end = t0 + seconds
    last = t0
    while True:
        c.sendall(b"x")
        if not c.recv(1):
            break
        trips += 1
        now = clock()
        if interval and now - last > 1.5 * interval:
            long_trips += 1
        last = now
        if now >= end:
            break
    elapsed = clock() - t0
    c.close()
    result = {"trips": trips, "seconds": elapsed}
    if interval:
        result["two_interval_share"] = float(long_trips) / max(trips, 1)
    out(result)


def hash_threads(k, blocks, mb):
    """SHA-256 of `blocks` buffers of `mb` MiB, split across k threads:
    hashlib releases the GIL for large buffers."""
    import hashlib
    data = b"\x01" * (mb * 1024 * 1024)

    def work(count):
        for _ in range(count):
            # update() releases the GIL for large buffers on 2.7 and 3.x alike
            # (2.7's constructor path does not).
            h = hashlib.sha256()
            h.update(data)
            h.digest()

    per = blocks // k
    t = clock()
    ts = [threading.Thread(target=work, args=(per,)) for _ in range(k)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    out({"seconds": clock() - t, "releases_gil": hash_releases_gil()})


def hash_releases_gil():
    """OpenSSL's SHA-256 (module _hashlib) releases the GIL on large
    buffers; the built-in fallback (_sha256), used when the interpreter was
    built without OpenSSL, does not."""
    import hashlib
    return getattr(hashlib.sha256, "__module__", "") == "_hashlib"


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "info":
        info()
    elif cmd == "iter-speed":
        iter_speed()
    elif cmd == "countdown":
        run_countdown(int(args[0]), int(args[1]), args[2], args[3] if len(args) > 3 else None)
    elif cmd == "sleeps":
        sleeps(int(args[0]), int(args[1]), float(args[2]), args[3])
    elif cmd == "echo":
        echo(float(args[0]), int(args[1]), args[2] if len(args) > 2 else None)
    elif cmd == "echo-client":
        echo_client(int(args[0]), float(args[1]), float(args[2]) if len(args) > 2 else 0.0)
    elif cmd == "hash":
        hash_threads(int(args[0]), int(args[1]), int(args[2]))
    else:
        raise SystemExit("unknown command " + cmd + "\n" + __doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
