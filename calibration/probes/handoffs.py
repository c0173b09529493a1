"""How often the GIL changes hands between two CPU-bound threads, and what
that costs: each thread counts the times it runs after the other did.

    python3 calibration/probes/handoffs.py 0.000001      # 1 us switch interval
    python3 calibration/probes/handoffs.py 0.005         # the default

Prints the wall time of 20 million loop iterations split over two threads
and the hand-offs per second (docs/calibration.md, "Wake-ups a moment after
blocking").
"""
import sys
import threading
import time

interval = float(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000000
sys.setswitchinterval(interval)
last = [None]
switches = [0]


def work(me, k):
    s = 0
    while k > 0:
        k -= 1
        if last[0] is not me:
            last[0] = me
            s += 1
    switches[0] += s


t0 = time.perf_counter()
threads = [threading.Thread(target=work, args=(i, n // 2)) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - t0
print("interval %g s: %.3f s, %d hand-offs, %.0f per second" % (interval, elapsed, switches[0], switches[0] / elapsed))
