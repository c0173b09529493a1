"""Per-thread split of Pool(2).map(len, [bytes]*N, chunksize=1) (fork, warm
pool), extended from calibration/probes/pool-bytes.py.

    python calibration/probes/pool-threads.py RUNS PAYLOADS OUT.json PY1 [PY2 ...] -- VARIANT ...
    python calibration/probes/pool-threads.py --report OUT.json

VARIANT is NAME=ENV1=V1,ENV2=V2 or NAME= (as in pool-bytes.py).
Runs are interleaved: for run r, for each interpreter, each variant, each
payload, one fresh interpreter.

Per thread of the parent (main, worker handler, task handler, result handler)
and per worker process, it records the delta over the timed map of:
  schedstat field 1 (ns on CPU), utime+stime (ticks), voluntary and
  nonvoluntary context switches.
Threads are identified by recording gettid() (syscall 186, x86_64) at the
start of every threading.Thread.run (patched before the pool is built), so
pool._worker_handler / _task_handler / _result_handler map to their TIDs on
both 2.7 and 3.x; on 3.8+ it is cross-checked against Thread.native_id.

Internal: python pool-threads.py --one TASKS PAYLOAD
"""
import json
import os
import subprocess
import sys
import tempfile
import threading

from payloadrun import clock, messages_for, parse_variant, payload_len, quantile, run_point, warm_pool


_libc = None


def gettid():
    global _libc
    if _libc is None:
        import ctypes
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc.syscall(186)


def patch_thread_run():
    orig = threading.Thread.run

    def run(self):
        self._probe_tid = gettid()
        return orig(self)
    threading.Thread.run = run


def read_task(pid, tid):
    """(cpu_ns from schedstat, utime+stime ticks, vol csw, nonvol csw)"""
    base = "/proc/%d/task/%d/" % (pid, tid)
    with open(base + "schedstat") as f:
        ns = int(f.read().split()[0])
    with open(base + "stat") as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    ticks = int(fields[11]) + int(fields[12])
    vol = nonvol = 0
    with open(base + "status") as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches"):
                vol = int(line.split()[1])
            elif line.startswith("nonvoluntary_ctxt_switches"):
                nonvol = int(line.split()[1])
    return [ns, ticks, vol, nonvol]


PERF_EVENTS = ["write", "read", "futex", "poll", "ppoll", "select", "pselect6"]


def start_perf(targets):
    """perf stat --per-thread on the parent and the workers; POOLPROBE_PERF=idle
    counts an idle window of the same kind instead of the map (control)."""
    import time
    pids = sorted(set(p for p, _ in targets.values()))
    out = os.path.join(tempfile.gettempdir(), "pool-threads-perf-%d.txt" % os.getpid())
    cmd = ["perf", "stat", "--per-thread", "-x,", "-o", out,
           "-e", ",".join("syscalls:sys_enter_" + e for e in PERF_EVENTS),
           "-p", ",".join(str(p) for p in pids)]
    proc = subprocess.Popen(cmd)
    time.sleep(1.0)  # let perf attach
    return proc, out


def stop_perf(perf, targets):
    import signal
    import time
    proc, out = perf
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    proc.wait()
    bytid = dict((tid, name) for name, (_, tid) in targets.items())
    counts = {}
    with open(out) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.strip().split(",")
            tid = int(parts[0].rsplit("-", 1)[1])
            ev = parts[3].replace("syscalls:sys_enter_", "")
            try:
                v = int(parts[1])
            except ValueError:
                v = 0
            counts.setdefault(bytid.get(tid, "tid%d" % tid), {})[ev] = v
    os.unlink(out)
    return counts


def snapshot(targets):
    return dict((name, read_task(pid, tid)) for name, (pid, tid) in targets.items())


def one(tasks, payload):
    patch_thread_run()
    arg = b"\x00" * payload
    pool = warm_pool(2)
    try:
        me = os.getpid()
        maintid = gettid()
        assert maintid == me
        targets = {"main": (me, me)}
        for name, th in (("wh", pool._worker_handler), ("th", pool._task_handler),
                         ("rh", pool._result_handler)):
            tid = th._probe_tid
            nid = getattr(th, "native_id", None)
            if nid is not None and nid != tid:
                raise SystemExit("tid mismatch %s %r %r" % (name, tid, nid))
            targets[name] = (me, tid)
        alltids = sorted(int(t) for t in os.listdir("/proc/%d/task" % me))
        known = sorted(t for _, t in targets.values())
        extra = [t for t in alltids if t not in known]
        for i, p in enumerate(pool._pool):
            targets["w%d" % i] = (p.pid, p.pid)
            wt = os.listdir("/proc/%d/task" % p.pid)
            if len(wt) != 1:
                raise SystemExit("worker %d has %d threads" % (p.pid, len(wt)))
        args = [arg] * tasks
        perf = start_perf(targets) if os.environ.get("POOLPROBE_PERF") else None
        s0 = snapshot(targets)
        t = clock()
        if os.environ.get("POOLPROBE_PERF") == "idle":
            import time
            time.sleep(0.2)
            results = [payload] * tasks
        else:
            results = pool.map(payload_len, args, 1)
        dt = clock() - t
        s1 = snapshot(targets)
        perfcounts = stop_perf(perf, targets) if perf else None
    finally:
        pool.close()
        pool.join()
    if sum(results) != payload * tasks:
        raise SystemExit("pool-map: wrong results")
    d = dict((k, [b - a for a, b in zip(s0[k], s1[k])]) for k in targets)
    sys.stdout.write(json.dumps({"seconds": dt, "tasks": tasks, "threads": d,
                                 "extra_tids": len(extra), "perf": perfcounts,
                                 "order": [name for name, _ in sorted(
                                     ((n, tid) for n, (p, tid) in targets.items() if p == me),
                                     key=lambda x: x[1])]}) + "\n")


def drive(argv):
    runs = int(argv[0])
    payloads = [int(x) for x in argv[1].split(",")]
    out = argv[2]
    i = argv.index("--")
    pys = argv[3:i]
    variants = [parse_variant(v) for v in argv[i + 1:]]
    recs = []
    for r in range(runs):
        for py in pys:
            for vname, extra in variants:
                for p in payloads:
                    rec = run_point(py, __file__, [messages_for(p), p], extra)
                    rec.update({"py": py, "variant": vname, "payload": p, "run": r})
                    recs.append(rec)
        sys.stderr.write("run %d/%d done\n" % (r + 1, runs))
        with open(out, "w") as f:
            json.dump(recs, f)


def report(path):
    with open(path) as f:
        recs = json.load(f)
    cols = ["main", "th", "rh", "wh", "w0", "w1"]
    keys = []
    for x in recs:
        k = (x["py"], x["variant"], x["payload"])
        if k not in keys:
            keys.append(k)
    pys = []
    for k in keys:
        if k[0] not in pys:
            pys.append(k[0])
    for py in pys:
        print("")
        print(py)
        print("CPU us/task from schedstat; vcsw, nvcsw = context switches per task; median of runs")
        print("%-18s %3s %7s %7s %7s | %6s %6s %6s %6s %6s %6s %6s | %5s %5s %5s %5s %5s | %5s %5s %5s %5s" % (
            "payload/variant", "n", "wall", "min", "max",
            "main", "tskh", "resh", "wrkh", "w0", "w1", "sum",
            "v.mn", "v.th", "v.rh", "v.w0", "v.w1", "n.th", "n.rh", "n.w0", "n.w1"))
        for k in keys:
            if k[0] != py:
                continue
            rs = [x for x in recs if (x["py"], x["variant"], x["payload"]) == k]
            n = float(rs[0]["tasks"])

            def med(vals):
                return quantile(sorted(vals), 0.5)
            wall = sorted(x["seconds"] / n * 1e6 for x in rs)
            cpu = [med([x["threads"][c][0] / n / 1e3 for x in rs]) for c in cols]
            tot = med([sum(x["threads"][c][0] for c in cols) / n / 1e3 for x in rs])
            vc = [med([x["threads"][c][2] / n for x in rs]) for c in ["main", "th", "rh", "w0", "w1"]]
            nv = [med([x["threads"][c][3] / n for x in rs]) for c in ["th", "rh", "w0", "w1"]]
            print("%-18s %3d %7.1f %7.1f %7.1f | %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f | %5.2f %5.2f %5.2f %5.2f %5.2f | %5.2f %5.2f %5.2f %5.2f" % (
                ("%d %s" % (k[2], k[1])), len(rs), med(wall), wall[0], wall[-1],
                cpu[0], cpu[1], cpu[2], cpu[3], cpu[4], cpu[5], tot,
                vc[0], vc[1], vc[2], vc[3], vc[4], nv[0], nv[1], nv[2], nv[3]))
        extras = set(x["extra_tids"] for x in recs if x["py"] == py)
        orders = set(tuple(x["order"]) for x in recs if x["py"] == py)
        print("extra parent threads seen: %s; TID order of parent threads: %s" % (sorted(extras), sorted(orders)))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a and a[0] == "--one":
        one(int(a[1]), int(a[2]))
    elif a and a[0] == "--report":
        report(a[1])
    else:
        drive(a)
