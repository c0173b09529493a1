"""N threads wait for a GIL that one C call holds: the cost of a waiter's
timed-wait cycle, and how much CPU the herd takes from the holder.

The main thread runs `sum(range(...))`, one C call that never checks the eval
breaker, so it keeps the GIL however often the waiters ask for it; each
waiter's timed wait ends every switch interval (plus the timer slack), it
sets the drop request and waits again. Record it with the scheduler's
tracepoints and summarise the waiters' stints with `sched_stints.py`:

    perf sched record -o held.data -- python3 bench/held_gil_waiters.py 16 5e-6
    perf script -i held.data -F comm,pid,tid,cpu,time,event,trace > held.txt
    python3 bench/sched_stints.py held.txt

Prints how long the C call took (about 2.7 s alone on the development VM)."""
import sys
import threading
import time

n = int(sys.argv[1])
sys.setswitchinterval(float(sys.argv[2]))


def waiter():
    time.sleep(0.2)  # start waiting once the C call holds the GIL
    x = 0
    for i in range(1000):
        x += i


threads = [threading.Thread(target=waiter) for _ in range(n)]
for t in threads:
    t.start()
t0 = time.monotonic()
sum(range(120_000_000))
print("sum took %.3f s" % (time.monotonic() - t0), file=sys.stderr)
for t in threads:
    t.join()
