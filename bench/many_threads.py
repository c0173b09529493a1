"""N CPU-bound threads share a fixed amount of countdown work under a short
switch interval; prints wall time, CPU time and context switches.

Every thread sleeps until a common start time (no Python lock involved, so the
threads contend only for the GIL), then counts down its share."""
import resource, sys, threading, time

def countdown(n):
    while n > 0:
        n -= 1

def run(n_threads, total_iters, interval):
    threading.stack_size(256 * 1024)
    each = total_iters // n_threads
    start_at = time.monotonic() + 0.5 + n_threads * 1e-3
    def worker():
        time.sleep(max(0.0, start_at - time.monotonic()))
        countdown(each)
    ts = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in ts:
        t.start()
    late = time.monotonic() - start_at
    # Creating threads under a 5 us interval would fight the early starters.
    time.sleep(max(0.0, start_at - 0.01 - time.monotonic()))
    sys.setswitchinterval(interval)
    time.sleep(max(0.0, start_at - time.monotonic()))
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    for t in ts:
        t.join()
    wall = time.monotonic() - start_at
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu, r1.ru_nvcsw - r0.ru_nvcsw, r1.ru_nivcsw - r0.ru_nivcsw, late

if __name__ == "__main__":
    n = int(sys.argv[1]); total = int(sys.argv[2]); interval = float(sys.argv[3])
    wall, cpu, vcs, ivcs, late = run(n, total, interval)
    print("threads %d interval %g wall %.3f cpu %.3f voluntary_cs %d involuntary_cs %d%s" % (
        n, interval, wall, cpu, vcs, ivcs, "  (creation overran the start by %.3f s)" % late if late > 0 else ""), flush=True)
