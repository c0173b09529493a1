#!/usr/bin/env python3
"""The countdown split over K threads, with what each thread's kernel
counters say: voluntary and involuntary context switches, CPU time and the
time spent runnable but queued for a core (`/proc/self/task/TID/status` and
`schedstat`, read by each thread when its share is done). The table of
docs/calibration.md item 22 (2.7's threads queue for a core from four on).

    python3 calibration/probes/countdown-threads.py PYTHON [ITERATIONS] [K ...]

Defaults: 20 million iterations, K = 1 2 4 8 16. Linux only.
"""
import subprocess
import sys

CHILD = r"""
import sys, threading, time
def tid():
    get = getattr(threading, "get_native_id", None)
    if get:
        return get()
    import ctypes
    return ctypes.CDLL(None).syscall(186)  # SYS_gettid on x86-64
def counters():
    t = tid()
    d = {}
    for line in open("/proc/self/task/%d/status" % t):
        if "ctxt_switches" in line:
            k, v = line.split(":")
            d[k] = int(v)
    run, wait = open("/proc/self/task/%d/schedstat" % t).read().split()[:2]
    d["run"], d["wait"] = int(run) / 1e9, int(wait) / 1e9
    return d
out = []
def countdown(n):
    while n > 0:
        n -= 1
    out.append(counters())
k, n = int(sys.argv[1]), int(sys.argv[2])
ts = [threading.Thread(target=countdown, args=(n // k,)) for _ in range(k)]
t = time.time()
for th in ts:
    th.start()
for th in ts:
    th.join()
wall = time.time() - t
s = lambda key: sum(o[key] for o in out)
sys.stdout.write("%f %d %d %f %f\n" % (wall, s("voluntary_ctxt_switches"), s("nonvoluntary_ctxt_switches"), s("run"), s("wait")))
"""


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    python = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000000
    ks = [int(a) for a in sys.argv[3:]] or [1, 2, 4, 8, 16]
    print("threads  wall s  x one thread  voluntary  involuntary  cpu s  queued (threads on average)")
    base = None
    for k in ks:
        line = subprocess.check_output([python, "-c", CHILD, str(k), str(n)]).decode().split()
        wall, vol, invol, run, wait = float(line[0]), int(line[1]), int(line[2]), float(line[3]), float(line[4])
        base = base or wall
        print("%7d  %6.3f  %12.2f  %9d  %11d  %5.2f  %.2f" % (k, wall, wall / base, vol, invol, run, wait / wall))


if __name__ == "__main__":
    main()
