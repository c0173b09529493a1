// How late a timed futex wait ends on an otherwise idle core, with the
// default timer slack (50 µs) and with 1 ns: the second is the timer's own
// wake-up, to compare with wake-latency.c's futex wake-up after the same
// idle (docs/calibration.md, item 17).
//
//   cc -O2 -o /tmp/timer-wake calibration/probes/timer-wake.c
//   /tmp/timer-wake 500 1000000     # 500 waits of 1 ms each
//
// The waiting thread is pinned to CPU 1 and nothing else runs there.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 500;
    long wait = argc > 2 ? atol(argv[2]) : 1000000;
    if (reps < 10) reps = 10;
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(1, &s);
    sched_setaffinity(0, sizeof s, &s);
    int word = 0;
    long long *late = malloc(sizeof(long long) * (size_t)reps);
    if (!late) return 1;
    for (int tight = 0; tight < 2; tight++) {
        prctl(PR_SET_TIMERSLACK, tight ? 1 : 50000);
        for (int i = 0; i < reps; i++) {
            struct timespec ts = {wait / 1000000000L, wait % 1000000000L};
            long long t0 = now();
            syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
            late[i] = now() - t0 - wait;
        }
        qsort(late, (size_t)reps, sizeof *late, cmp);
        printf("slack %-5s wait %ld us: late p10 %.1f p50 %.1f p90 %.1f us\n", tight ? "1ns" : "50us", wait / 1000,
               late[reps / 10] / 1e3, late[reps / 2] / 1e3, late[reps * 9 / 10] / 1e3);
    }
    free(late);
    return 0;
}
