// What a futex_wake costs the waker, and how soon the woken thread runs,
// when the sleeper's core is idle, busy with another thread, or the waker's
// own core. The old GIL's waiters are woken onto busy cores.
//
//   cc -O2 -pthread -o /tmp/busy-wake calibration/probes/busy-wake.c
//   /tmp/busy-wake 2000
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

enum { MAX_REPS = 20000 };
static _Atomic int word = 0;
static _Atomic int asleep = 0;
static _Atomic int stop_spin = 0;
static _Atomic long long woke_at = 0;
static int sleeper_cpu = 1;

static void *sleeper(void *arg) {
    (void)arg;
    pin(sleeper_cpu);
    for (;;) {
        atomic_store(&asleep, 1);
        while (atomic_load(&word) == 0) syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        long long t = now();
        atomic_store(&asleep, 0);
        if (atomic_load(&word) < 0) return NULL;
        atomic_store(&woke_at, t);
        atomic_store(&word, 0);
    }
}

static void *spinner(void *arg) {
    pin((int)(long)arg);
    volatile unsigned long x = 0;
    while (!atomic_load(&stop_spin)) x++;
    return NULL;
}

static void spin_ns(long long ns) {
    long long end = now() + ns;
    while (now() < end) {}
}

static void run(const char *name, int cpu, int spin, int reps) {
    static long long cost[MAX_REPS], lat[MAX_REPS];
    sleeper_cpu = cpu;
    atomic_store(&word, 0);
    atomic_store(&stop_spin, 0);
    pthread_t s, sp;
    if (spin) pthread_create(&sp, NULL, spinner, (void *)1L);
    pthread_create(&s, NULL, sleeper, NULL);
    int n = 0;
    for (int i = 0; i < reps + 20; i++) {
        // Let the sleeper get into futex_wait (it must yield our core if it shares it).
        while (!atomic_load(&asleep) || atomic_load(&word) != 0) sched_yield();
        spin_ns(30000);
        atomic_store(&woke_at, 0);
        atomic_store(&word, 1);
        long long t0 = now();
        syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        long long t1 = now();
        while (atomic_load(&woke_at) == 0) sched_yield();
        if (i >= 20) {
            cost[n] = t1 - t0;
            lat[n] = atomic_load(&woke_at) - t0;
            n++;
        }
    }
    atomic_store(&word, -1);
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_join(s, NULL);
    atomic_store(&stop_spin, 1);
    if (spin) pthread_join(sp, NULL);
    qsort(cost, n, sizeof cost[0], cmp);
    qsort(lat, n, sizeof lat[0], cmp);
    printf("%-34s waker's futex_wake p10/p50/p90 %6.2f %6.2f %6.2f us; woken runs after %7.2f %7.2f %7.2f us\n", name,
           cost[n / 10] / 1e3, cost[n / 2] / 1e3, cost[n * 9 / 10] / 1e3, lat[n / 10] / 1e3, lat[n / 2] / 1e3,
           lat[n * 9 / 10] / 1e3);
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 2000;
    if (reps < 10 || reps > MAX_REPS) reps = 2000;
    pin(0);
    run("sleeper on the idle other core", 1, 0, reps);
    run("sleeper on the other core, busy", 1, 1, reps);
    run("sleeper on the waker's core", 0, 0, reps);
    run("sleeper on waker's core, other busy", 0, 1, reps);
    return 0;
}
