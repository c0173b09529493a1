#!/usr/bin/env python3
"""One blocking call stalls every task of an asyncio event loop.

A ticker task asks to wake every 10 ms and records how late it wakes (its
lag). Another task makes one 200 ms call: first a blocking `time.sleep`,
which stalls the whole loop, then the same call offloaded with
`asyncio.to_thread`, which does not. The worst lag next to the blocking call
is about the call's length.

    python3 asyncio-lag.py           # about 1 s
    python3 asyncio-lag.py --quick   # about half a second

Standard library only (3.7+). The site fills in the model's prediction when
it is built (gil-lab has not measured this one on real CPython yet).
"""
import asyncio
import platform
import sys
import time

MODEL_BLOCKING = 0.9960  # {{asyncio-blocking.lag_share}}
MODEL_OFFLOADED = 0.003396  # {{asyncio-blocking.lag_share_to_thread}}


async def run(block, offload, ticks):
    loop = asyncio.get_running_loop()
    lags = []

    async def ticker():
        for _ in range(ticks):
            due = loop.time() + 0.01
            await asyncio.sleep(0.01)
            lags.append(loop.time() - due)

    async def slow():
        await asyncio.sleep(0.05)
        if offload:
            await loop.run_in_executor(None, time.sleep, block)
        else:
            time.sleep(block)

    await asyncio.gather(ticker(), slow())
    return max(lags)


def shown(v):
    return ("%.2f" if abs(v) < 10 else "%.3g") % v if v is not None else "(filled in when the site is built)"


def main():
    quick = "--quick" in sys.argv
    block = 0.1 if quick else 0.2
    ticks = 20 if quick else 40
    print("Python %s (%s)" % (platform.python_version(), platform.system()))
    blocked = asyncio.run(run(block, False, ticks))
    offloaded = asyncio.run(run(block, True, ticks))
    print("blocking call of %d ms: worst ticker lag %.1f ms" % (block * 1000, blocked * 1000))
    print("the same call offloaded: worst ticker lag %.1f ms" % (offloaded * 1000))
    print("ratio (worst lag / call, blocking): %.2f" % (blocked / block))
    print("  gil-lab's model: " + shown(MODEL_BLOCKING))
    print("ratio (worst lag / call, offloaded to a thread): %.2f" % (offloaded / block))
    print("  gil-lab's model: " + shown(MODEL_OFFLOADED))
    print("How to read a difference: near 1 means the blocking call froze the loop for its\n"
          "whole length; near 0 means the loop kept running. Timer resolution (Windows rounds\n"
          "sleeps to about 15 ms) and a busy machine add a few milliseconds to every lag.")


if __name__ == "__main__":
    main()
