"""What starting and joining worker processes costs, apart from their work.

Times `multiprocessing.Process(target=f).start()` for K processes, then
`join()`, with an empty `f` (the pure start-up and exit) and with a
countdown of N iterations split across them, next to the same countdown in
one thread (the sequential time): the countdown family's `procs2/threads2`
ratio less its ideal 1/K is this overhead over the sequential time
(docs/calibration.md, item 15). Runs on Python 2.7 and 3.

    python3 calibration/probes/process-start.py [K] [N] [REPEATS]
"""
import multiprocessing
import sys
import time

clock = getattr(time, "perf_counter", time.time)


def noop():
    pass


def countdown(n):
    while n > 0:
        n -= 1


def timed(k, target, args):
    t = clock()
    ps = [multiprocessing.Process(target=target, args=args) for _ in range(k)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    return clock() - t


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def main(argv):
    k = int(argv[0]) if argv else 2
    n = int(argv[1]) if len(argv) > 1 else 10000000
    repeats = int(argv[2]) if len(argv) > 2 else 9
    empty = [timed(k, noop, ()) for _ in range(repeats)]
    seq = []
    for _ in range(repeats):
        t = clock()
        countdown(n)
        seq.append(clock() - t)
    work = [timed(k, countdown, (n // k,)) for _ in range(repeats)]
    s, e, w = median(seq), median(empty), median(work)
    print("start method %s, %d processes, %d repeats" % (multiprocessing.get_start_method() if hasattr(multiprocessing, "get_start_method") else "fork", k, repeats))
    print("empty processes started and joined: median %.1f ms (min %.1f, max %.1f)" % (e * 1e3, min(empty) * 1e3, max(empty) * 1e3))
    print("countdown alone: %.3f s; in %d processes: %.3f s = %.3f of it (ideal %.3f; empty start-up %.3f)" % (s, k, w, w / s, 1.0 / k, e / s))


if __name__ == "__main__":
    main(sys.argv[1:])
