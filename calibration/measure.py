"""gil-lab calibration: measurements of a real CPython, one per invocation.

Run by `cargo xtask calibrate`, which picks the interpreters, repeats runs,
waits for a quiet machine, pins runs to one core with taskset and compares
the results with the simulator. Works on Python 2.7 and 3.x and needs nothing
outside the standard library. Prints one JSON object on stdout.

    python measure.py info
    python measure.py iter-speed
    python measure.py countdown N THREADS MODE [INTERVAL]   MODE: threads | processes
    python measure.py countdown-affinity N CPUS [INTERVAL]  CPUS: 0,0 (one thread per entry, pinned there)
    python measure.py sleeps TASKS COUNT MS MODE            MODE: sequential | threads | asyncio
    python measure.py echo SECONDS CPU_THREADS [INTERVAL [BASE_US [PIN]]]
                                                            PIN: none | same | other
    python measure.py hash THREADS BLOCKS MB
    python measure.py pool-map TASKS WORKERS CHUNKSIZE PAYLOAD_BYTES [METHOD]
    python measure.py pool-start METHOD KIND WORKERS        METHOD: fork | spawn | forkserver; KIND: pool | process
    python measure.py aio-lag MODE N [INTERVAL]             MODE: alone | thread | block (3.5+)

CPU numbers in CPUS and PIN are indexes into the CPUs this process may use.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time

try:
    clock = time.perf_counter
except AttributeError:  # Python 2
    clock = time.time


def out(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


def set_interval(interval):
    """Switch interval in seconds (3.2+); ignored by the old GIL."""
    if interval and float(interval) > 0 and hasattr(sys, "setswitchinterval"):
        sys.setswitchinterval(float(interval))


def countdown(n):
    while n > 0:
        n -= 1


def quantile(sorted_values, q):
    """The q-quantile of a sorted list (nearest rank)."""
    if not sorted_values:
        return 0.0
    i = int(round(q * (len(sorted_values) - 1)))
    return sorted_values[max(0, min(len(sorted_values) - 1, i))]


# --- CPU affinity of the calling thread --------------------------------------
#
# Linux applies sched_setaffinity(0, ...) to the calling thread only, so a
# thread can pin itself. Python 3.3+ has os.sched_setaffinity; 2.7 calls libc
# through ctypes.

_libc = []


def _ctypes_libc():
    if not _libc:
        import ctypes
        import ctypes.util
        _libc.append(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True))
    return _libc[0]


def _mask_type():
    import ctypes
    return ctypes.c_ulong * 16  # 1024 CPUs, glibc's cpu_set_t


def affinity_method():
    return "os" if hasattr(os, "sched_setaffinity") else "ctypes"


def set_affinity(cpus):
    """Pins the calling thread to `cpus` (CPU ids)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(cpus))
        return
    import ctypes
    mask = _mask_type()()
    bits = ctypes.sizeof(ctypes.c_ulong) * 8
    for c in cpus:
        mask[c // bits] |= 1 << (c % bits)
    if _ctypes_libc().sched_setaffinity(0, ctypes.sizeof(mask), ctypes.byref(mask)) != 0:
        raise OSError(ctypes.get_errno(), "sched_setaffinity failed")


def get_affinity():
    """The CPU ids the calling thread may run on, sorted."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    import ctypes
    mask = _mask_type()()
    if _ctypes_libc().sched_getaffinity(0, ctypes.sizeof(mask), ctypes.byref(mask)) != 0:
        raise OSError(ctypes.get_errno(), "sched_getaffinity failed")
    bits = ctypes.sizeof(ctypes.c_ulong) * 8
    return [i for i in range(len(mask) * bits) if mask[i // bits] >> (i % bits) & 1]


def all_cpus():
    """Every CPU of the machine (not just those this process may use)."""
    try:
        n = os.cpu_count()
    except AttributeError:
        import multiprocessing
        n = multiprocessing.cpu_count()
    return list(range(n or 1))


# --- commands -----------------------------------------------------------------


def info():
    gil = True
    if hasattr(sys, "_is_gil_enabled"):
        gil = sys._is_gil_enabled()
    out({
        "version": "%d.%d.%d" % sys.version_info[:3],
        "implementation": getattr(sys, "implementation", None) and sys.implementation.name or "cpython",
        "gil": "old" if sys.version_info < (3, 2) else ("new" if gil else "none"),
        "switch_interval_s": sys.getswitchinterval() if hasattr(sys, "getswitchinterval") else None,
        "check_interval": sys.getcheckinterval() if sys.version_info < (3, 2) else None,
        "cpus": cpu_count(),
        "affinity": affinity_method(),
    })


def cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        import multiprocessing
        return multiprocessing.cpu_count()


def iter_speed():
    """Nanoseconds per countdown iteration, best of five."""
    n = 2000000
    best = None
    for _ in range(5):
        t = clock()
        countdown(n)
        dt = clock() - t
        best = dt if best is None else min(best, dt)
    out({"ns_per_iter": best * 1e9 / n})


def run_countdown(n, k, mode, interval):
    set_interval(interval)
    share = n // k
    if mode == "processes":
        import multiprocessing  # imported before the clock starts
    t = clock()
    if mode == "threads":
        ts = [threading.Thread(target=countdown, args=(share,)) for _ in range(k)]
        for th in ts:
            th.start()
        for th in ts:
            th.join()
    elif mode == "processes":
        ps = [multiprocessing.Process(target=countdown, args=(share,)) for _ in range(k)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
    else:
        raise SystemExit("unknown mode " + mode)
    out({"seconds": clock() - t})


def countdown_affinity(n, cpus, interval):
    """The countdown split across len(cpus) threads, each pinned to its own
    entry of `cpus` before any of them starts counting."""
    set_interval(interval)
    usable = get_affinity()
    targets = [usable[c % len(usable)] for c in cpus]
    share = n // len(targets)
    go = threading.Event()
    ready = []
    seen = {}
    lock = threading.Lock()

    def work(i):
        set_affinity([targets[i]])
        with lock:
            seen[i] = get_affinity()
            ready.append(i)
        go.wait()
        countdown(share)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(len(targets))]
    for th in ts:
        th.start()
    while len(ready) < len(ts):
        time.sleep(0.001)
    t = clock()
    go.set()
    for th in ts:
        th.join()
    dt = clock() - t
    out({
        "seconds": dt,
        "method": affinity_method(),
        "cpus": targets,
        "observed": [seen[i] for i in range(len(ts))],
    })


def sleeps(tasks, count, ms, mode):
    d = ms / 1000.0

    def work():
        for _ in range(count):
            time.sleep(d)

    if mode == "asyncio":
        import asyncio  # imported before the clock starts, as threading is
    t = clock()
    if mode == "sequential":
        for _ in range(tasks):
            work()
    elif mode == "threads":
        ts = [threading.Thread(target=work) for _ in range(tasks)]
        for th in ts:
            th.start()
        for th in ts:
            th.join()
    elif mode == "asyncio":
        async_src = (
            "async def task(d, count):\n"
            "    for _ in range(count):\n"
            "        await asyncio.sleep(d)\n"
            "async def main(tasks, d, count):\n"
            "    await asyncio.gather(*[task(d, count) for _ in range(tasks)])\n"
        )
        ns = {"asyncio": asyncio}
        exec(async_src, ns)
        loop = asyncio.new_event_loop()
        loop.run_until_complete(ns["main"](tasks, d, count))
        loop.close()
    else:
        raise SystemExit("unknown mode " + mode)
    out({"seconds": clock() - t})


def echo(seconds, cpu_threads, interval, base_us, pin):
    """Round trips per second of a 1-byte echo over loopback TCP; the client
    is a separate process (never pinned), the server a thread here next to
    CPU-bound threads. PIN `same` pins the echo thread and the CPU-bound
    threads to the first usable CPU; `other` pins the CPU-bound threads to
    the second."""
    set_interval(interval)
    usable = get_affinity()
    if pin not in ("none", "same", "other"):
        raise SystemExit("unknown pin " + pin)
    if pin != "none":
        echo_cpu = usable[0]
        cpu_cpu = usable[0] if pin == "same" else usable[1 % len(usable)]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    stop = [False]
    seen = {}

    def spin():
        if pin != "none":
            set_affinity([cpu_cpu])
            seen["cpu"] = get_affinity()
        n = 0
        while not stop[0]:
            n += 1

    def serve():
        if pin != "none":
            set_affinity([echo_cpu])
            seen["echo"] = get_affinity()
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            b = conn.recv(1)
            if not b:
                break
            conn.sendall(b)
        conn.close()

    server = threading.Thread(target=serve)
    server.daemon = True
    server.start()
    spinners = [threading.Thread(target=spin) for _ in range(cpu_threads)]
    for s in spinners:
        s.daemon = True
        s.start()
    client = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "echo-client", str(port), str(seconds), str(interval or 0),
         str(base_us)],
        stdout=subprocess.PIPE,
    )
    data = client.communicate()[0]
    stop[0] = True
    if client.returncode != 0:
        raise SystemExit("echo client failed")
    result = json.loads(data.decode("utf-8"))
    result["rps"] = result["trips"] / result["seconds"]
    if pin != "none":
        result["observed"] = seen
    out(result)


def echo_client(port, seconds, interval, base_us):
    """Ping-pong for `seconds`: round trips, their times, and with a switch
    interval the switch intervals each trip lost (its time less `base_us`,
    the median trip alone), rounded to the nearest whole interval."""
    # A pinned server process must not pin its client: the client stands for
    # another machine's load.
    try:
        set_affinity(all_cpus())
    except (OSError, ValueError):
        pass
    c = socket.create_connection(("127.0.0.1", port))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rtts = []
    t0 = clock()
    end = t0 + seconds
    while True:
        s = clock()
        c.sendall(b"x")
        if not c.recv(1):
            break
        now = clock()
        rtts.append(now - s)
        if now >= end:
            break
    elapsed = clock() - t0
    c.close()
    trips = len(rtts)
    rtts.sort()
    result = {
        "trips": trips,
        "seconds": elapsed,
        "rtt_us": {
            "median": quantile(rtts, 0.5) * 1e6,
            "mean": sum(rtts) / max(trips, 1) * 1e6,
            "p10": quantile(rtts, 0.1) * 1e6,
            "p90": quantile(rtts, 0.9) * 1e6,
            "p99": quantile(rtts, 0.99) * 1e6,
            "max": (rtts[-1] if rtts else 0.0) * 1e6,
        },
    }
    if interval:
        base = base_us * 1e-6
        lost = [0, 0, 0, 0]
        quarters = [0] * 17
        for r in rtts:
            x = max(r - base, 0.0) / interval
            lost[min(int(x + 0.5), 3)] += 1
            quarters[min(int(x * 4), 16)] += 1
        result["lost"] = lost
        result["lost_quarters"] = quarters
        result["two_interval_share"] = float(sum(1 for r in rtts if r > 1.5 * interval)) / max(trips, 1)
    out(result)


def hash_threads(k, blocks, mb):
    """SHA-256 of `blocks` buffers of `mb` MiB, split across k threads:
    hashlib releases the GIL for large buffers."""
    import hashlib
    data = b"\x01" * (mb * 1024 * 1024)

    def work(count):
        for _ in range(count):
            # update() releases the GIL for large buffers on 2.7 and 3.x alike
            # (2.7's constructor path does not).
            h = hashlib.sha256()
            h.update(data)
            h.digest()

    per = blocks // k
    t = clock()
    ts = [threading.Thread(target=work, args=(per,)) for _ in range(k)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    out({"seconds": clock() - t, "releases_gil": hash_releases_gil()})


def hash_releases_gil():
    """OpenSSL's SHA-256 (module _hashlib) releases the GIL on large
    buffers; the built-in fallback (_sha256), used when the interpreter was
    built without OpenSSL, does not."""
    import hashlib
    return getattr(hashlib.sha256, "__module__", "") == "_hashlib"


# --- multiprocessing ----------------------------------------------------------


def noop(_=None):
    return None


def payload_len(arg):
    return len(arg)


def mp_context(method):
    import multiprocessing
    if hasattr(multiprocessing, "get_context"):
        return multiprocessing.get_context(method)
    if method != "fork":
        raise SystemExit("start method " + method + " needs Python 3.4+")
    return multiprocessing


def reap_helpers():
    """Stops and waits for the forkserver and the resource (semaphore)
    tracker, so that their CPU time counts as this process's children's and
    not as load from elsewhere on the machine."""
    try:
        from multiprocessing import forkserver
    except ImportError:
        forkserver = None
    helpers = [(getattr(forkserver, "_forkserver", None), "_forkserver_alive_fd", "_forkserver_pid")]
    for name, attr in (("resource_tracker", "_resource_tracker"), ("semaphore_tracker", "_semaphore_tracker")):
        try:
            mod = __import__("multiprocessing." + name, fromlist=[name])
        except ImportError:
            continue
        helpers.append((getattr(mod, attr, None), "_fd", "_pid"))
    for helper, fd_attr, pid_attr in helpers:
        if helper is None:
            continue
        fd, pid = getattr(helper, fd_attr, None), getattr(helper, pid_attr, None)
        if fd is None or pid is None:
            continue
        try:
            os.close(fd)
            os.waitpid(pid, 0)
        except OSError:
            pass
        setattr(helper, fd_attr, None)
        setattr(helper, pid_attr, None)


def pool_map(tasks, workers, chunksize, payload, method):
    """Pool.map of `tasks` calls, each with a bytes argument of `payload`
    bytes (returning its length), in chunks of `chunksize`; the pool's
    workers are started and warm before the clock starts."""
    ctx = mp_context(method)
    arg = b"\x00" * payload
    pool = ctx.Pool(workers)
    try:
        pool.map(noop, range(workers * 4), 1)
        args = [arg] * tasks
        t = clock()
        results = pool.map(payload_len, args, chunksize)
        dt = clock() - t
    finally:
        pool.close()
        pool.join()
    reap_helpers()
    if sum(results) != payload * tasks:
        raise SystemExit("pool-map: wrong results")
    out({"seconds": dt, "per_task_s": dt / tasks})


def pool_start(method, kind, workers):
    """Start-up of a start method: a Pool(workers) from its creation until
    the first result is back, or a bare Process started and joined. Cold
    (the first in this interpreter) and again (a second one right after)."""
    ctx = mp_context(method)

    def once():
        t = clock()
        if kind == "pool":
            pool = ctx.Pool(workers)
            pool.apply(noop)
            dt = clock() - t
            pool.close()
            pool.join()
        elif kind == "process":
            p = ctx.Process(target=noop)
            p.start()
            p.join()
            dt = clock() - t
        else:
            raise SystemExit("unknown kind " + kind)
        return dt

    first = once()
    again = once()
    reap_helpers()
    out({"seconds": first, "again_s": again})


# --- asyncio ------------------------------------------------------------------

AIO_SRC = """
async def ticker(asyncio, clock, tick, stop, lags):
    while not stop[0]:
        t = clock()
        await asyncio.sleep(tick)
        lags.append(clock() - t - tick)

async def cpu(asyncio, loop, fn, n, stop, spent):
    t = clock()
    if hasattr(asyncio, "to_thread"):
        await asyncio.to_thread(fn, n)
    else:
        await loop.run_in_executor(None, fn, n)
    spent.append(clock() - t)
    stop[0] = True

async def block(asyncio, seconds, stop, spent):
    await asyncio.sleep(0.1)
    t = clock()
    time.sleep(seconds)
    spent.append(clock() - t)
    await asyncio.sleep(0.1)
    stop[0] = True

async def alone(asyncio, seconds, stop, spent):
    await asyncio.sleep(seconds)
    spent.append(seconds)
    stop[0] = True

async def main(asyncio, loop, mode, arg, tick, lags, spent):
    stop = [False]
    t = asyncio.ensure_future(ticker(asyncio, clock, tick, stop, lags))
    if mode == "thread":
        await cpu(asyncio, loop, countdown, int(arg), stop, spent)
    elif mode == "block":
        await block(asyncio, arg, stop, spent)
    else:
        await alone(asyncio, arg, stop, spent)
    await t
"""


def aio_lag(mode, arg, interval):
    """A ticker task sleeps 1 ms in a loop; lag = when it woke - when it
    asked to. `alone` for ARG seconds; `thread` while countdown(ARG) runs in
    the default executor (asyncio.to_thread on 3.9+); `block` while a
    coroutine blocks the loop with time.sleep(ARG)."""
    import asyncio
    set_interval(interval)
    if mode not in ("alone", "thread", "block"):
        raise SystemExit("unknown mode " + mode)
    ns = {"clock": clock, "countdown": countdown, "time": time}
    exec(AIO_SRC, ns)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    lags, spent = [], []
    tick = 0.001
    loop.run_until_complete(ns["main"](asyncio, loop, mode, arg, tick, lags, spent))
    loop.close()
    lags.sort()
    out({
        "ticks": len(lags),
        "max_lag_s": lags[-1] if lags else 0.0,
        "mean_lag_s": sum(lags) / max(len(lags), 1),
        "p50_lag_s": quantile(lags, 0.5),
        "p90_lag_s": quantile(lags, 0.9),
        "p99_lag_s": quantile(lags, 0.99),
        "work_s": spent[0] if spent else 0.0,
    })


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "info":
        info()
    elif cmd == "iter-speed":
        iter_speed()
    elif cmd == "countdown":
        run_countdown(int(args[0]), int(args[1]), args[2], args[3] if len(args) > 3 else None)
    elif cmd == "countdown-affinity":
        cpus = [int(c) for c in args[1].split(",")]
        countdown_affinity(int(args[0]), cpus, args[2] if len(args) > 2 else None)
    elif cmd == "sleeps":
        sleeps(int(args[0]), int(args[1]), float(args[2]), args[3])
    elif cmd == "echo":
        echo(
            float(args[0]),
            int(args[1]),
            args[2] if len(args) > 2 else None,
            float(args[3]) if len(args) > 3 else 0.0,
            args[4] if len(args) > 4 else "none",
        )
    elif cmd == "echo-client":
        echo_client(int(args[0]), float(args[1]), float(args[2]) if len(args) > 2 else 0.0,
                    float(args[3]) if len(args) > 3 else 0.0)
    elif cmd == "hash":
        hash_threads(int(args[0]), int(args[1]), int(args[2]))
    elif cmd == "pool-map":
        pool_map(int(args[0]), int(args[1]), int(args[2]), int(args[3]), args[4] if len(args) > 4 else "fork")
    elif cmd == "pool-start":
        pool_start(args[0], args[1], int(args[2]))
    elif cmd == "aio-lag":
        aio_lag(args[0], float(args[1]), args[2] if len(args) > 2 else None)
    else:
        raise SystemExit("unknown command " + cmd + "\n" + __doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
