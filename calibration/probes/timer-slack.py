"""How late a timed wait ends on Linux: the timer slack in practice.

    python3 calibration/probes/timer-slack.py

Times `time.sleep(d)` and a lock acquire with `timeout=d` (a futex wait with
a timeout, as the GIL's wait for the switch interval is) and prints the
overshoot past `d` (p10, p50, p90, microseconds). Linux programs a timer with
slack for the end of its range and fires it earlier only if another
interrupt comes first, so on a quiet core the overshoot is the whole slack
(50 us by default) plus the wake-up. On the 2-vCPU development VM
(2026-12-06, CPython 3.12): sleep 100 us 57/57/63, lock timeout 100 us
62/63/79; a 1 ms wait overshoots 80 to 150 us (the core also idled longer,
see cold-core.py). The model's timed waits end at the end of the slack plus
an exponential jitter (`timer_slack` in docs/scenarios.md).
"""
import threading
import time


def report(what, d, samples):
    samples.sort()
    n = len(samples)
    print("%-12s %6.0f us: overshoot p10 %.0f  p50 %.0f  p90 %.0f us"
          % (what, d * 1e6, samples[n // 10], samples[n // 2], samples[9 * n // 10]))


def main():
    pc = time.perf_counter
    for d in (0.0001, 0.001, 0.005):
        over = []
        for _ in range(300):
            t = pc()
            time.sleep(d)
            over.append((pc() - t - d) * 1e6)
        report("sleep", d, over)
    lock = threading.Lock()
    lock.acquire()
    for d in (0.0001, 0.001):
        over = []
        for _ in range(300):
            t = pc()
            lock.acquire(timeout=d)
            over.append((pc() - t - d) * 1e6)
        report("lock timeout", d, over)


if __name__ == "__main__":
    main()
