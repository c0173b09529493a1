"""Summarises a `perf script` dump of `perf sched record` for Python threads:
how long each on-CPU stint lasted, by how it ended (S: it slept, R: it was
preempted), how long a woken thread waited for a core, and how long a
preempted one waited to run again (p10, p50, p90, p99, mean, in us).

    perf script -i FILE.data -F comm,pid,tid,cpu,time,event,trace > FILE.txt
    python3 bench/sched_stints.py FILE.txt
"""
import re
import statistics
import sys

SWITCH = re.compile(r'.*\[(\d+)\]\s+([\d.]+):\s+sched:sched_switch: prev_comm=(.*?) prev_pid=(\d+) '
                    r'prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)')
WAKING = re.compile(r'.*\[(\d+)\]\s+([\d.]+):\s+sched:sched_waking: comm=(.*?) pid=(\d+)')


def summary(v, span):
    v = sorted(v)
    n = len(v)
    return "n %d (%.0f/s) p10 %.1f p50 %.1f p90 %.1f p99 %.1f mean %.1f total %.3f s" % (
        n, n / span, v[n // 10], v[n // 2], v[9 * n // 10], v[99 * n // 100], statistics.mean(v), sum(v) / 1e6)


def main(path):
    on, woke, preempted = {}, {}, {}
    stints, wait, rerun = {}, [], []
    first = last = None
    for line in open(path):
        m = SWITCH.match(line)
        if m:
            t = float(m.group(2))
            prev, state, nxt = int(m.group(4)), m.group(5), int(m.group(7))
            if m.group(3).startswith('python') and prev in on:
                kind = 'R' if state.startswith('R') else state[0]
                stints.setdefault(kind, []).append((t - on.pop(prev)) * 1e6)
                if kind == 'R':
                    preempted[prev] = t
            if m.group(6).startswith('python'):
                on[nxt] = t
                if nxt in woke:
                    wait.append((t - woke.pop(nxt)) * 1e6)
                if nxt in preempted:
                    rerun.append((t - preempted.pop(nxt)) * 1e6)
                first = t if first is None else first
                last = t
            continue
        m = WAKING.match(line)
        if m and m.group(3).startswith('python'):
            woke[int(m.group(4))] = float(m.group(2))
    span = last - first
    print("span %.3f s" % span)
    for kind, v in sorted(stints.items()):
        print("stints ending %s:" % kind, summary(v, span))
    if wait:
        print("woken -> running:", summary(wait, span))
    if rerun:
        print("preempted -> running again:", summary(rerun, span))


if __name__ == "__main__":
    main(sys.argv[1])
