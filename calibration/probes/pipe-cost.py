"""What a `multiprocessing` message costs this interpreter, without a Pool.

    python calibration/probes/pipe-cost.py [N]      # any CPython, 2.7 too

Sends a Pool-like task tuple through a `multiprocessing.Pipe` and receives it
in the same thread, N times (default 20000), best of five: the CPU cost of
pickling, two system calls and unpickling, with no wake-up. Then 1 MB
`bytes` objects through the pipe to a reader thread, for a per-byte cost.

On the 2-vCPU development VM (2026-12-07): 2.7 took 6 to 9 us per message
(its `Connection` is C), 3.6 to 3.13 10 to 15 us; per byte 0.4 to 3.2 ns with
no order between versions (the reader thread and the writer contend for the
GIL). The pool's per-message cost is not taken from this probe: the noise is
as large as 2.7's difference (docs/calibration.md, the misses list).
"""
import sys
import threading
import time
from multiprocessing import Pipe


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    a, b = Pipe()
    pc = getattr(time, "perf_counter", time.time)
    task = (0, 1, "f", (5,), {})
    best = None
    for _ in range(5):
        t = pc()
        for _ in range(n):
            a.send(task)
            b.recv()
        dt = (pc() - t) / n
        best = dt if best is None else min(best, dt)
    big = b"x" * 1000000
    bestb = None
    for _ in range(5):
        k = 20

        def reader():
            for _ in range(k):
                b.recv()

        th = threading.Thread(target=reader)
        th.start()
        t = pc()
        for _ in range(k):
            a.send(big)
        th.join()
        dt = (pc() - t) / k
        bestb = dt if bestb is None else min(bestb, dt)
    print("%s: per message %.1f us, 1 MB %.0f us, per byte %.2f ns"
          % (sys.version.split()[0], best * 1e6, bestb * 1e6, (bestb - best) / 1e6 * 1e9))


main()
