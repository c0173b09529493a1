"""CPU time of each of N countdown threads, each pinned to its own entry of CPUS.

    python pinned-cpu-time.py CPUS INTERVAL     e.g.  0,1 0.05   or   0,0 0.05

Prints the wall time and, per thread, (thread CPU time, wall time). Used in
the model-vs-reality note: pinned apart (0,1), each thread's own CPU time
grows even with a 50 ms switch interval (few hand-overs), which a per-switch
cost cannot explain. Linux, Python 3.3+.
"""
import os
import sys
import threading
import time

cpus = [int(c) for c in sys.argv[1].split(",")]
sys.setswitchinterval(float(sys.argv[2]))
N = 19000000
res = {}
go = threading.Event()


def work(i):
    os.sched_setaffinity(0, {cpus[i]})
    go.wait()
    t0, w0 = time.thread_time(), time.perf_counter()
    n = N
    while n > 0:
        n -= 1
    res[i] = (round(time.thread_time() - t0, 3), round(time.perf_counter() - w0, 3))


ts = [threading.Thread(target=work, args=(i,)) for i in range(len(cpus))]
for t in ts:
    t.start()
time.sleep(0.1)
w = time.perf_counter()
go.set()
for t in ts:
    t.join()
print(sys.argv[1:], round(time.perf_counter() - w, 3), res)
