"""The WSGI app `cargo xtask calibrate` serves with gunicorn (gthread).

/cpu, /io and /mixed run GIL_LAB_CPU_ITERS iterations of a countdown and
then sleep GIL_LAB_SLEEP_MS milliseconds (the driver sets both per run).
"""

import os
import time

CPU_ITERS = int(os.environ.get("GIL_LAB_CPU_ITERS", "0"))
SLEEP_S = float(os.environ.get("GIL_LAB_SLEEP_MS", "0")) / 1000.0


def app(environ, start_response):
    n = CPU_ITERS
    while n > 0:
        n -= 1
    if SLEEP_S:
        time.sleep(SLEEP_S)
    body = b"ok\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
