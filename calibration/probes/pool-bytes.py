"""Pool.map cost per payload size, the way calibration/measure.py's pool_map
measures it (warm Pool(2), fork, chunksize 1, tasks = clamp(1e8/payload,
100, 10000)), plus page faults and CPU time of the parent and the workers.

    python calibration/probes/pool-bytes.py PYTHON [RUNS] [PAYLOADS] [VARIANT ...]

PYTHON    the interpreter to measure (the driver itself runs on any 2.7/3.x)
RUNS      runs per point (default 5), each a fresh interpreter
PAYLOADS  comma list of bytes (default 0,10000,50000,100000,130000,200000,
          500000,1000000); "-" keeps the default
VARIANT   NAME=ENV1=V1,ENV2=V2 or NAME= (no extra env); default: "base="
          e.g. mmap=MALLOC_MMAP_THRESHOLD_=1073741824
          POOLPROBE_PIPE_SIZE=N in a variant sets F_SETPIPE_SZ (N bytes, at
          most /proc/sys/fs/pipe-max-size) on the pool's two pipes after the
          warm-up and before the clock starts; POOLPROBE_TASKSET=CPUS runs
          the point under taskset -c CPUS (workers inherit it)

Runs are interleaved (run 1 of every point and variant, then run 2, ...), so
every variant sees the same machine load. Prints one table per variant:
time per task min/median/max (us), ratio of medians to 0 B (and min ratio),
ns per byte over 0 B (median), minor faults per task in the parent and in
the workers, CPU us per task (parent and workers, from /proc, 10 ms ticks),
voluntary context switches per task (all threads of the parent; workers).

Internal: python calibration/probes/pool-bytes.py --one TASKS WORKERS CHUNKSIZE PAYLOAD
"""
import json
import os
import sys

import payloadrun
from payloadrun import clock, messages_for, payload_len, quantile, warm_pool


def proc_stat(pid):
    """(minflt, majflt, utime+stime ticks) of a process, all threads."""
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    # fields[0] is state (field 3); minflt is field 10, majflt 12, utime 14, stime 15
    return int(fields[7]), int(fields[9]), int(fields[11]) + int(fields[12])


def ctxsw(pid):
    """Voluntary context switches of all threads of a process."""
    n = 0
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, t)) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        n += int(line.split()[1])
        except (IOError, OSError):
            pass
    return n


def one(tasks, workers, chunksize, payload):
    arg = b"\x00" * payload
    pool = warm_pool(workers)
    try:
        args = [arg] * tasks
        pids = [p.pid for p in pool._pool]
        me = os.getpid()
        s0 = [proc_stat(p) for p in [me] + pids]
        c0 = [ctxsw(p) for p in [me] + pids]
        t = clock()
        results = pool.map(payload_len, args, chunksize)
        dt = clock() - t
        s1 = [proc_stat(p) for p in [me] + pids]
        c1 = [ctxsw(p) for p in [me] + pids]
    finally:
        pool.close()
        pool.join()
    if sum(results) != payload * tasks:
        raise SystemExit("pool-map: wrong results")
    d = [tuple(b - a for a, b in zip(x, y)) for x, y in zip(s0, s1)]
    hz = os.sysconf("SC_CLK_TCK")
    sys.stdout.write(json.dumps({
        "seconds": dt,
        "parent_minflt": d[0][0],
        "worker_minflt": sum(x[0] for x in d[1:]),
        "parent_cpu_s": d[0][2] / float(hz),
        "worker_cpu_s": sum(x[2] for x in d[1:]) / float(hz),
        "parent_vcsw": c1[0] - c0[0],
        "worker_vcsw": sum(c1[1:]) - sum(c0[1:]),
    }) + "\n")


def main(argv):
    if argv and argv[0] == "--one":
        one(*[int(a) for a in argv[1:5]])
        return
    py, runs, payloads, variants = payloadrun.parse(argv, __doc__)
    points = [(p, [messages_for(p), 2, 1, p]) for p in payloads]
    data = payloadrun.run(py, __file__, runs, variants, points)
    ver = payloadrun.version(py)
    for name, extra in variants:
        print("")
        print("%s  variant %s %s  (%d runs, Pool(2) fork chunksize 1)" % (ver, name, payloadrun.describe(extra), runs))
        print("%8s %6s %9s %9s %9s %7s %7s %8s %9s %9s %8s %8s %7s %7s" % (
            "payload", "tasks", "min us", "med us", "max us", "ratio", "minrat", "ns/B",
            "pflt/tsk", "wflt/tsk", "pCPU us", "wCPU us", "pcsw/t", "wcsw/t"))
        # The first payload (0 B by default) is the base of the ratios.
        bt = sorted(x["seconds"] / messages_for(payloads[0]) for x in data[(name, payloads[0])])
        bmed, bmin = quantile(bt, 0.5), bt[0]
        for p in payloads:
            n = messages_for(p)
            recs = data[(name, p)]
            ts = sorted(x["seconds"] / n for x in recs)
            med = quantile(ts, 0.5)

            def median(field):
                return quantile(sorted(x[field] / float(n) for x in recs), 0.5)

            nspb = (med - bmed) / (p - payloads[0]) * 1e9 if p != payloads[0] else 0.0
            print("%8d %6d %9.1f %9.1f %9.1f %7.2f %7.2f %8.3f %9.1f %9.1f %8.1f %8.1f %7.1f %7.1f" % (
                p, n, ts[0] * 1e6, med * 1e6, ts[-1] * 1e6, med / bmed, ts[0] / bmin, nspb,
                median("parent_minflt"), median("worker_minflt"), median("parent_cpu_s") * 1e6,
                median("worker_cpu_s") * 1e6, median("parent_vcsw"), median("worker_vcsw")))
    sys.stdout.flush()

if __name__ == "__main__":
    main(sys.argv[1:])
