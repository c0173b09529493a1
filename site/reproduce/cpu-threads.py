#!/usr/bin/env python3
"""Two CPU-bound threads against one thread doing the same work.

A countdown loop of N steps, run by one thread and then split over two
threads. With the GIL only one thread runs bytecode at a time, so the two
threads take about as long as the one: a ratio near 1 on CPython 3.2 and
later, whatever the number of cores. Before 3.2 (the old GIL) it was up to
about 2 on several cores. A free-threaded build (3.13t, PYTHON_GIL=0) on two
idle cores gets near 0.5.

    python3 cpu-threads.py           # about 5 s
    python3 cpu-threads.py --quick   # about 1 s

Standard library only. The site fills in the model's prediction and
gil-lab's own measurement when it is built.
"""
import os
import platform
import sys
import threading
import time

MODEL = 1.000  # {{new-gil-vs-old.new_r}}
MEASURED = 1.015  # {{calibration.newest.threads2-seq.real}}


def countdown(n):
    while n > 0:
        n -= 1


def timed(threads, n):
    workers = [threading.Thread(target=countdown, args=(n // threads,)) for _ in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - start


def shown(v):
    return ("%.2f" if abs(v) < 10 else "%.3g") % v if v is not None else "(filled in when the site is built)"


def main():
    quick = "--quick" in sys.argv
    n = 2000000 if quick else 20000000
    runs = 2 if quick else 3
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    print("Python %s (%s), GIL %s, %d CPUs" % (platform.python_version(), platform.system(),
                                               "on" if gil else "off", os.cpu_count() or 1))
    timed(1, n // 4)  # warm up: the first loop of a run is slower
    one, two = [], []
    for _ in range(runs):
        one.append(timed(1, n))
        two.append(timed(2, n))
    one, two = min(one), min(two)
    print("one thread:  %.3f s for %d steps" % (one, n))
    print("two threads: %.3f s for the same steps" % two)
    print("ratio (two threads / one thread): %.2f" % (two / one))
    print("  gil-lab's model (new GIL, 2 cores):       " + shown(MODEL))
    print("  measured by gil-lab (newest CPython, VM): " + shown(MEASURED))
    print("How to read a difference: about 1 means the GIL serialised the threads, as it does\n"
          "on CPython 3.2+ (a little more is the cost of switching). Near 2 means the old GIL\n"
          "(Python 2) fighting over several cores; near 0.5 means no GIL (a free-threaded\n"
          "build). The number of cores changes little while the GIL is on.")


if __name__ == "__main__":
    main()
