"""Does the echo server keep the GIL around its send? Timing its calls.

    python3 calibration/probes/echo-hold.py K INTERVAL SECONDS
    python3 calibration/probes/echo-hold.py 2 0.0001 3

A 1-byte echo over loopback TCP (the client is another process, as in
measure.py's echo), next to K CPU-bound threads at switch interval INTERVAL.
The server thread times each `recv` and each `sendall`; both release the GIL
around the system call and retake it after, so a call that returns within a
small part of an interval kept the GIL or got it straight back, and one that
takes intervals lost it to a CPU-bound thread. Printed per call: p10, p50, p90
and the mean in intervals, and how many calls fell in each half-interval
bucket (the last bucket is 3.5 intervals or more).

On the 2-vCPU development VM (2026-12-07, CPython 3.12, a host on which the
round trip alone took about 110 us), next to two CPU-bound threads at 100 us:
about 47% of the `sendall` calls returned within a fifth of an interval and
most of the rest took 2 to 3.5 intervals or more; 5.1 to 5.5 intervals per
trip beyond the trip alone. The model's echo loses the GIL at every send
there (docs/calibration.md, the misses list).
"""
import socket
import subprocess
import sys
import threading
import time


def client(port, seconds):
    c = socket.create_connection(("127.0.0.1", port))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        c.sendall(b"x")
        c.recv(1)
        n += 1
    c.close()
    print(n)


def hist(xs, interval):
    xs = sorted(xs)
    q = lambda f: xs[int(f * (len(xs) - 1))] / interval
    buckets = [0] * 8
    for x in xs:
        buckets[min(int(x / interval * 2), 7)] += 1
    return "p10 %.2f p50 %.2f p90 %.2f mean %.2f  half-interval buckets %s" % (
        q(0.1), q(0.5), q(0.9), sum(xs) / len(xs) / interval, buckets)


def main():
    if sys.argv[1] == "client":
        return client(int(sys.argv[2]), float(sys.argv[3]))
    k, interval, seconds = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    sys.setswitchinterval(interval)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    stop = [False]
    send_t, recv_t = [], []

    def spin():
        n = 0
        while not stop[0]:
            n += 1

    def serve():
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pc = time.perf_counter
        while True:
            a = pc()
            b = conn.recv(1)
            c = pc()
            if not b:
                break
            conn.sendall(b)
            d = pc()
            recv_t.append(c - a)
            send_t.append(d - c)
        conn.close()

    th = threading.Thread(target=serve)
    th.daemon = True
    th.start()
    spinners = [threading.Thread(target=spin) for _ in range(k)]
    for s in spinners:
        s.daemon = True
        s.start()
    p = subprocess.Popen([sys.executable, __file__, "client", str(port), str(seconds)], stdout=subprocess.PIPE)
    trips = int(p.communicate()[0])
    stop[0] = True
    th.join(1)
    print("k=%d interval=%gus trips=%d intervals/trip=%.2f (trip alone included)"
          % (k, interval * 1e6, trips, seconds / trips / interval))
    print("  sendall:", hist(send_t, interval))
    print("  recv   :", hist(recv_t, interval))


main()
