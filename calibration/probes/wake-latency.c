// How long a thread blocked on a futex takes to run after a wake-up, by how
// long its core had been idle; and what the futex_wake costs the waker.
// The source of `idle_wakeup_extra` and `idle_wakeup_half` (docs/calibration.md).
//
//   cc -O2 -pthread -o /tmp/wake-latency calibration/probes/wake-latency.c
//   /tmp/wake-latency 300      # 300 wake-ups per idle gap; needs 2 cores
//   /tmp/wake-latency 300 0,1000,2000,5000   # these gaps instead, ns
//
// The sleeper is pinned to CPU 1, the waker to CPU 0. Before each wake-up
// the waker spins for the gap after the sleeper went back to sleep, so the
// sleeper's core has been idle that long. Run it on an otherwise idle machine.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

enum { MAX_REPS = 1000 };
static _Atomic int word = 0;
static _Atomic long long woke_at = 0;

static void *sleeper(void *arg) {
    (void)arg;
    pin(1);
    for (;;) {
        while (atomic_load(&word) == 0) syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        long long t = now();
        if (atomic_load(&word) < 0) return NULL;
        atomic_store(&woke_at, t);
        atomic_store(&word, 0);
    }
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 300;
    if (reps < 10 || reps > MAX_REPS) reps = 300;
    pin(0);
    pthread_t th;
    pthread_create(&th, NULL, sleeper, NULL);
    long gaps[32] = {5000, 10000, 20000, 50000, 100000, 200000, 400000, 1000000, 5000000};
    size_t ngaps = 9;
    if (argc > 2) {
        ngaps = 0;
        for (char *p = argv[2]; *p && ngaps < 32;) {
            gaps[ngaps++] = strtol(p, &p, 10);
            if (*p == ',') p++;
        }
    }
    printf("idle_gap_us,wake_p10_us,wake_p50_us,wake_p90_us,wake_mean_us,waker_cost_mean_us\n");
    for (size_t g = 0; g < ngaps; g++) {
        static long long lat[MAX_REPS];
        double cost = 0, mean = 0;
        for (int r = 0; r < reps; r++) {
            while (atomic_load(&word) != 0) {}
            long long t0 = now();
            while (now() - t0 < gaps[g]) {}
            atomic_store(&woke_at, 0);
            long long s = now();
            atomic_store(&word, 1);
            syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
            cost += now() - s;
            while (atomic_load(&woke_at) == 0) {}
            lat[r] = atomic_load(&woke_at) - s;
            mean += lat[r];
        }
        qsort(lat, reps, sizeof lat[0], cmp);
        printf("%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n", gaps[g] / 1e3, lat[reps / 10] / 1e3, lat[reps / 2] / 1e3,
               lat[reps * 9 / 10] / 1e3, mean / reps / 1e3, cost / reps / 1e3);
    }
    atomic_store(&word, -1);
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_join(th, NULL);
    return 0;
}
