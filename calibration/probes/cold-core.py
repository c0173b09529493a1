"""How fast a core runs bytecode right after it idled: the "cold core".

One thread, pinned to one CPU, alternates an idle gap (`time.sleep(GAP)`)
with a burst of countdown pieces of about 90 us each, and times every piece.
Each column printed is the median slowdown of ten consecutive pieces (about
0.9 ms) after the gap, relative to the last 40 pieces of the same bursts (the
core has been busy for 14 ms by then; a base taken in the same bursts keeps
a VM's drift out of the ratio); `extra` is the time the burst lost in all.

    python3 calibration/probes/cold-core.py [CPU] [GAP_MS ...]

On the 2-vCPU development VM (2026-12-06) a core that idled 2 ms or more ran
the first millisecond 1.2x to 2.2x slower and reached full speed after 3 to
6 ms, losing about 0.4 ms (5 ms gap), 0.8 ms (10 ms), 1 ms (20 ms) and 2 ms
(100 ms); gaps under 1 ms cost nothing measurable. Half an hour later, with
every piece 1.6x to 1.8x slower (a busy host), the same gaps cost almost
nothing: the effect comes and goes with the host's load. It is a property of the machine
(the host's power management of an idle vCPU), not of CPython, and the model
does not include it: see "The affinity and pool families" in
docs/calibration.md.
"""
import os
import sys
import time

PIECE = 3000  # countdown iterations per piece
PIECES = 200  # pieces per burst (about 18 ms)
BURSTS = 40


def work(n):
    while n > 0:
        n -= 1


def main():
    cpu = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    gaps = [float(g) / 1000 for g in sys.argv[2:]] or [0.0002, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1]
    os.sched_setaffinity(0, {cpu})
    pc = time.perf_counter
    for _ in range(3000):
        work(PIECE)
    for gap in gaps:
        bursts = []
        for _ in range(BURSTS):
            time.sleep(gap)
            times = []
            for _ in range(PIECES):
                t0 = pc()
                work(PIECE)
                times.append(pc() - t0)
            bursts.append(times)
        med = [sorted(b[k] for b in bursts)[BURSTS // 2] for k in range(PIECES)]
        base = sorted(med[-40:])[20]
        cols = ["%.2f" % (sum(med[i:i + 10]) / 10 / base) for i in range(0, PIECES, 10)]
        extra = sum(m - base for m in med)
        print("cpu %d, gap %6.1f ms, piece %.0f us: %s  extra %.0f us"
              % (cpu, gap * 1e3, base * 1e6, " ".join(cols[:10]), extra * 1e6))


if __name__ == "__main__":
    main()
