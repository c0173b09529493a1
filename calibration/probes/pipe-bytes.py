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
import sys

import payloadrun
from payloadrun import clock, messages_for, minor_faults, quantile

MODES = ["oneway-obj", "oneway-bytes", "rtt-obj"]


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
        f0 = minor_faults()
        total = 0
        if mode == "oneway-obj":
            for _ in range(k):
                total += len(down_r.recv())
            up_w.send((total, minor_faults() - f0))
        elif mode == "oneway-bytes":
            for _ in range(k):
                total += len(down_r.recv_bytes())
            up_w.send((total, minor_faults() - f0))
        else:
            for _ in range(k):
                x = down_r.recv()
                up_w.send(len(x))
            up_w.send((k * payload, minor_faults() - f0))

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



def main(argv):
    if argv and argv[0] == "--one":
        one(argv[1], int(argv[2]), int(argv[3]))
        return
    py, runs, payloads, variants = payloadrun.parse(argv, __doc__)
    points = [((mode, p), [mode, messages_for(p), p]) for mode in MODES for p in payloads]
    data = payloadrun.run(py, __file__, runs, variants, points)
    ver = payloadrun.version(py)
    for name, extra in variants:
        for mode in MODES:
            print("")
            print("%s %s variant %s %s (%d runs)" % (ver, mode, name, payloadrun.describe(extra), runs))
            print("%8s %6s %9s %9s %9s %8s %9s" % ("payload", "K", "min us", "med us", "max us", "ns/B", "cflt/msg"))
            # The first payload (0 B by default) is the base of the cost per byte.
            b = sorted(x["seconds"] / messages_for(payloads[0]) for x in data[(name, (mode, payloads[0]))])
            bmed = quantile(b, 0.5)
            for p in payloads:
                k = messages_for(p)
                recs = data[(name, (mode, p))]
                ts = sorted(x["seconds"] / k for x in recs)
                fl = sorted(x["child_minflt"] / float(k) for x in recs)
                med = quantile(ts, 0.5)
                nspb = (med - bmed) / (p - payloads[0]) * 1e9 if p != payloads[0] else 0.0
                print("%8d %6d %9.1f %9.1f %9.1f %8.3f %9.1f" % (
                    p, k, ts[0] * 1e6, med * 1e6, ts[-1] * 1e6, nspb, quantile(fl, 0.5)))
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
