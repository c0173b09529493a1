#!/usr/bin/env python3
"""The convoy effect: an echo server thread next to a CPU-bound thread.

A thread answers 1-byte requests over loopback TCP from a client in another
process, first alone, then while a CPU-bound thread spins in the same
process. Every blocking call (recv, send) hands the GIL back, and getting it
again costs the echo thread up to one switch interval (5 ms by default), so
the round trip grows from microseconds to milliseconds.

    python3 convoy-echo.py           # about 7 s
    python3 convoy-echo.py --quick   # about 1 s

Standard library only. The site fills in the model's prediction and
gil-lab's own measurement when it is built.
"""
import os
import platform
import socket
import subprocess
import sys
import threading
import time

MODEL_INTERVALS = 1.900  # {{convoy-effect-echo.busy_intervals}}
MEASURED_INTERVALS = 1.063  # {{calibration.newest.echo-intervals-5ms.real}}
MODEL_SLOWDOWN = 97.53  # {{calibration.newest.echo-slowdown-5ms.sim}}
MEASURED_SLOWDOWN = 104.9  # {{calibration.newest.echo-slowdown-5ms.real}}


def client(port, seconds):
    """Ping-pong for `seconds`; prints the round trips' times (seconds)."""
    c = socket.create_connection(("127.0.0.1", port))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    times = []
    end = time.perf_counter() + seconds
    while True:
        start = time.perf_counter()
        c.sendall(b"x")
        if not c.recv(1):
            break
        times.append(time.perf_counter() - start)
        if start > end:
            break
    c.close()
    print(" ".join("%.9f" % t for t in times))


def round_trips(seconds, spinners):
    """Round-trip times of the echo thread next to `spinners` CPU-bound threads."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    stop = []

    def spin():
        n = 0
        while not stop:
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

    threads = [threading.Thread(target=serve)] + [threading.Thread(target=spin) for _ in range(spinners)]
    for t in threads:
        t.daemon = True
        t.start()
    port = str(srv.getsockname()[1])
    out = subprocess.check_output([sys.executable, os.path.abspath(__file__), "--client", port, str(seconds)])
    stop.append(True)
    srv.close()
    return [float(x) for x in out.split()]


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def shown(v):
    return ("%.2f" if abs(v) < 10 else "%.3g") % v if v is not None else "(filled in when the site is built)"


def main():
    if "--client" in sys.argv:
        i = sys.argv.index("--client")
        return client(int(sys.argv[i + 1]), float(sys.argv[i + 2]))
    seconds = 0.4 if "--quick" in sys.argv else 3.0
    interval = sys.getswitchinterval()
    print("Python %s (%s), %d CPUs, switch interval %g ms"
          % (platform.python_version(), platform.system(), os.cpu_count() or 1, interval * 1000))
    alone = round_trips(seconds, 0)
    busy = round_trips(seconds, 1)
    a, b = mean(alone), mean(busy)
    print("alone:                %6d round trips, %8.1f us each on average" % (len(alone), a * 1e6))
    print("next to a CPU thread: %6d round trips, %8.1f us each on average" % (len(busy), b * 1e6))
    print("ratio (slowdown, round trips per second alone / next to a CPU thread): %.1f" % (b / a))
    print("  gil-lab's model of this echo:             " + shown(MODEL_SLOWDOWN))
    print("  measured by gil-lab (newest CPython, VM): " + shown(MEASURED_SLOWDOWN))
    print("ratio (switch intervals lost per round trip): %.2f" % ((b - a) / interval))
    print("  gil-lab's model (the convoy note's echo): " + shown(MODEL_INTERVALS))
    print("  measured by gil-lab (newest CPython, VM): " + shown(MEASURED_INTERVALS))
    print("How to read a difference: the intervals lost per round trip carry over between\n"
          "machines best. 2 means the CPU-bound thread took the GIL back at both blocking\n"
          "calls of every trip, 1 at one of them; near 0 means the echo thread usually took it\n"
          "back first, because the woken CPU-bound thread was slow to run (fast loopback, slow\n"
          "wake-ups: the race the Model vs reality note describes). The slowdown also depends\n"
          "on how fast loopback is alone. On one core, or without a GIL, the effect changes.")


if __name__ == "__main__":
    main()
