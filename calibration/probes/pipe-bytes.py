"""A bare multiprocessing.Pipe(duplex=False) between two forked processes,
per message size: what Pool.map's transport costs without the Pool.

    python calibration/probes/pipe-bytes.py PYTHON [RUNS] [PAYLOADS] [VARIANT ...]

Same arguments as pool-bytes.py (POOLPROBE_TASKSET=CPUS in a variant
runs both processes under taskset -c CPUS). For every payload N, in a fresh interpreter:
  oneway-obj    parent conn.send(b"\\0"*N) K times, child conn.recv()s them
                all, then sends one ack; time per message
  oneway-bytes  the same with send_bytes/recv_bytes (no pickling)
  rtt-obj       parent send(N bytes), child recv() and send(len) back,
                parent recv(): time per round trip (one message in flight,
                as in a pool with one worker)
K = clamp(1e8/N, 100, 10000) (the Pool calibration's task counts).
Columns: median us per message, min, max, ns/B over the 0 B median, and
minor faults per message in the receiving child.

Internal: python calibration/probes/pipe-bytes.py --one MODE K PAYLOAD
"""
import json
import os
import subprocess
import sys
import time

try:
    clock = time.perf_counter
except AttributeError:
    clock = time.time

DEFAULT_PAYLOADS = [0, 10000, 50000, 100000, 130000, 200000, 500000, 1000000]
MODES = ["oneway-obj", "oneway-bytes", "rtt-obj"]


def minflt():
    with open("/proc/self/stat") as f:
        s = f.read()
    return int(s[s.rindex(")") + 2:].split()[7])


def one(mode, k, payload):
    from multiprocessing import Pipe, Process
    import multiprocessing
    if hasattr(multiprocessing, "get_context"):
        Process = multiprocessing.get_context("fork").Process
    down_r, down_w = Pipe(duplex=False)
    up_r, up_w = Pipe(duplex=False)
    arg = b"\x00" * payload

    def child():
        up_w.send("ready")
        f0 = minflt()
        total = 0
        if mode == "oneway-obj":
            for _ in range(k):
                total += len(down_r.recv())
            up_w.send((total, minflt() - f0))
        elif mode == "oneway-bytes":
            for _ in range(k):
                total += len(down_r.recv_bytes())
            up_w.send((total, minflt() - f0))
        else:
            for _ in range(k):
                x = down_r.recv()
                up_w.send(len(x))
            up_w.send((k * payload, minflt() - f0))

    p = Process(target=child)
    p.start()
    up_r.recv()
    t = clock()
    if mode == "oneway-obj":
        for _ in range(k):
            down_w.send(arg)
    elif mode == "oneway-bytes":
        for _ in range(k):
            down_w.send_bytes(arg)
    else:
        for _ in range(k):
            down_w.send(arg)
            up_r.recv()
    total, faults = up_r.recv()
    dt = clock() - t
    p.join()
    if total != k * payload:
        raise SystemExit("wrong total")
    sys.stdout.write(json.dumps({"seconds": dt, "child_minflt": faults}) + "\n")


def k_for(payload):
    if payload == 0:
        return 10000
    return max(100, min(10000, 100000000 // payload))


def q(v, f):
    return v[int(round(f * (len(v) - 1)))]


def main(argv):
    if argv and argv[0] == "--one":
        one(argv[1], int(argv[2]), int(argv[3]))
        return
    if not argv:
        sys.stderr.write(__doc__)
        raise SystemExit(2)
    py = argv[0]
    runs = int(argv[1]) if len(argv) > 1 else 5
    payloads = DEFAULT_PAYLOADS
    if len(argv) > 2 and argv[2] != "-":
        payloads = [int(x) for x in argv[2].split(",")]
    variants = []
    for v in argv[3:] or ["base="]:
        name, _, rest = v.partition("=")
        env = {}
        for kv in filter(None, rest.split(",")):
            a, _, b = kv.partition("=")
            env[a] = b
        variants.append((name, env))
    me = os.path.abspath(__file__)
    data = {}
    for r in range(runs):
        for name, extra in variants:
            env = dict(os.environ)
            env.update(extra)
            for mode in MODES:
                for p in payloads:
                    cmd = [py, me, "--one", mode, str(k_for(p)), str(p)]
                    if extra.get("POOLPROBE_TASKSET"):
                        cmd = ["taskset", "-c", extra["POOLPROBE_TASKSET"]] + cmd
                    out = subprocess.check_output(cmd, env=env)
                    data.setdefault((name, mode, p), []).append(json.loads(out.decode().strip().splitlines()[-1]))
        sys.stderr.write("run %d/%d done\n" % (r + 1, runs))
    ver = subprocess.check_output([py, "-c", "import sys; print(sys.version.split()[0])"]).decode().strip()
    for name, extra in variants:
        for mode in MODES:
            print("")
            print("%s %s variant %s %s (%d runs)" % (ver, mode, name,
                  " ".join("%s=%s" % kv for kv in sorted(extra.items())), runs))
            print("%8s %6s %9s %9s %9s %8s %9s" % ("payload", "K", "min us", "med us", "max us", "ns/B", "cflt/msg"))
            b = sorted(x["seconds"] / k_for(0) for x in data[(name, mode, payloads[0])])
            bmed = q(b, 0.5)
            for p in payloads:
                k = k_for(p)
                recs = data[(name, mode, p)]
                ts = sorted(x["seconds"] / k for x in recs)
                fl = sorted(x["child_minflt"] / float(k) for x in recs)
                med = q(ts, 0.5)
                print("%8d %6d %9.1f %9.1f %9.1f %8.3f %9.1f" % (
                    p, k, ts[0] * 1e6, med * 1e6, ts[-1] * 1e6, (med - bmed) / p * 1e9 if p else 0.0, q(fl, 0.5)))
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
