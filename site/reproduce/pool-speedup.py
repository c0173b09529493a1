#!/usr/bin/env python3
"""CPU-bound tasks in a multiprocessing pool against one loop.

200 tasks of about 1 ms of bytecode each, run one after the other and then
by a `multiprocessing.Pool` of 4 worker processes (fewer if the machine has
fewer CPUs). Each worker has its own interpreter and GIL, so the tasks run in
parallel; starting the workers and sending tasks and results through pipes
is the part that does not get faster.

    python3 pool-speedup.py           # about 1 s
    python3 pool-speedup.py --quick   # under a second

Standard library only. The site fills in the model's prediction when it is
built (gil-lab has not measured this one on real CPython yet).
"""
import multiprocessing
import os
import platform
import sys
import time

MODEL = 2.687  # {{multiprocessing-workers.fork_speedup_4}}
MEASURED = None


def task(n):
    while n > 0:
        n -= 1
    return n


def steps_per_ms():
    start = time.perf_counter()
    task(200000)
    return int(200000 / ((time.perf_counter() - start) * 1000))


def shown(v, what="(filled in when the site is built)"):
    return ("%.2f" if abs(v) < 10 else "%.3g") % v if v is not None else what


def main():
    quick = "--quick" in sys.argv
    tasks = 60 if quick else 200
    workers = min(4, os.cpu_count() or 1)
    n = steps_per_ms()
    print("Python %s (%s), %d CPUs, start method %s"
          % (platform.python_version(), platform.system(), os.cpu_count() or 1,
             multiprocessing.get_start_method()))
    start = time.perf_counter()
    for _ in range(tasks):
        task(n)
    serial = time.perf_counter() - start
    start = time.perf_counter()  # the workers' start-up counts, as in the model
    with multiprocessing.Pool(workers) as pool:
        pool.map(task, [n] * tasks)
    pooled = time.perf_counter() - start
    print("one loop:            %.3f s for %d tasks of about 1 ms" % (serial, tasks))
    print("pool of %d workers:   %.3f s" % (workers, pooled))
    print("ratio (speed-up, one loop / pool): %.2f" % (serial / pooled))
    print("  gil-lab's model (4 workers by fork, 8 cores): " + shown(MODEL))
    print("  measured by gil-lab:                          " + shown(MEASURED, "(not measured yet)"))
    print("How to read a difference: the speed-up cannot exceed the number of workers or of\n"
          "free CPUs. Start-up costs more with spawn (the default on macOS and Windows) than\n"
          "with fork, and a busy machine or a laptop on battery lowers it.")


if __name__ == "__main__":
    main()
