"""What pool-bytes.py, pipe-bytes.py and pool-threads.py share: their
command line, running each point in a fresh interpreter with the variants
interleaved, a warm pool, and reading a process's page faults. Runs on Python 2.7 and 3.x (a script's own
folder is on Python's path, so the measured interpreter imports it too)."""
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


def messages_for(payload):
    """Messages per point: 10,000, fewer for large payloads (at least 100),
    as the calibration's pool rows use."""
    if payload == 0:
        return 10000
    return max(100, min(10000, 100000000 // payload))


def quantile(sorted_values, f):
    return sorted_values[int(round(f * (len(sorted_values) - 1)))]


def minor_faults(pid="self"):
    """Minor page faults of a process so far (all its threads)."""
    with open("/proc/%s/stat" % pid) as f:
        s = f.read()
    return int(s[s.rindex(")") + 2:].split()[7])


def parse(argv, doc):
    """PYTHON [RUNS] [PAYLOADS] [VARIANT ...] -> (python, runs, payloads,
    variants); a variant is NAME=ENV1=V1,ENV2=V2, or NAME= for none."""
    if not argv:
        sys.stderr.write(doc)
        raise SystemExit(2)
    runs = int(argv[1]) if len(argv) > 1 else 5
    payloads = DEFAULT_PAYLOADS
    if len(argv) > 2 and argv[2] != "-":
        payloads = [int(x) for x in argv[2].split(",")]
    variants = [parse_variant(v) for v in argv[3:] or ["base="]]
    return argv[0], runs, payloads, variants


def parse_variant(v):
    """NAME=ENV1=V1,ENV2=V2 (or NAME= for none) -> (name, {env})."""
    name, _, rest = v.partition("=")
    env = {}
    for kv in filter(None, rest.split(",")):
        k, _, val = kv.partition("=")
        env[k] = val
    return name, env


def run_point(python, script, args, extra):
    """`python script --one ARGS...` with the variant's environment `extra`
    (POOLPROBE_TASKSET runs it under `taskset -c`): the JSON it printed last."""
    env = dict(os.environ)
    env.update(extra)
    cmd = [python, os.path.abspath(script), "--one"] + [str(a) for a in args]
    if extra.get("POOLPROBE_TASKSET"):
        cmd = ["taskset", "-c", extra["POOLPROBE_TASKSET"]] + cmd
    out = subprocess.check_output(cmd, env=env)
    return json.loads(out.decode().strip().splitlines()[-1])


def payload_len(arg):
    return len(arg)


def noop(_=None):
    return None


def warm_pool(workers):
    """A fork `Pool(workers)` that has served a few tasks; POOLPROBE_PIPE_SIZE
    sets F_SETPIPE_SZ on its two pipes (after the warm-up, as before a
    measured map)."""
    import multiprocessing
    if hasattr(multiprocessing, "get_context"):
        ctx = multiprocessing.get_context("fork")
    else:
        ctx = multiprocessing
    pool = ctx.Pool(workers)
    pool.map(noop, range(workers * 4), 1)
    pipe_size = int(os.environ.get("POOLPROBE_PIPE_SIZE", "0"))
    if pipe_size:
        import fcntl
        for q in (pool._inqueue, pool._outqueue):
            fcntl.fcntl(q._writer.fileno(), 1031, pipe_size)  # F_SETPIPE_SZ
    return pool


def run(python, script, runs, variants, points):
    """Runs `python script --one ARGS...` for every point (key, args) of every
    variant, `runs` times, interleaved (run 1 of everything, then run 2, ...)
    so that every variant sees the same machine load; POOLPROBE_TASKSET in a
    variant runs the point under `taskset -c`. Returns {(variant, key):
    [the JSON each run printed last]}."""
    data = {}
    for r in range(runs):
        for name, extra in variants:
            for key, args in points:
                data.setdefault((name, key), []).append(run_point(python, script, args, extra))
        sys.stderr.write("run %d/%d done\n" % (r + 1, runs))
    return data


def version(python):
    out = subprocess.check_output([python, "-c", "import sys; print(sys.version.split()[0])"])
    return out.decode().strip()


def describe(env):
    return " ".join("%s=%s" % kv for kv in sorted(env.items()))
