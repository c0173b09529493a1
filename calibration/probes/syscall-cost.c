// What a system call that finds nothing to do costs: the source of the
// model's `syscall` cost (docs/calibration.md, "System calls").
//
//   cc -O2 -pthread -o /tmp/syscall-cost calibration/probes/syscall-cost.c
//   /tmp/syscall-cost            # three rounds of a million calls each
//
// It times `futex(FUTEX_WAKE)` on a word nobody waits on (what glibc's
// `sem_post` does when a waiter is counted but not asleep: the old GIL's
// release while its waiter is on the way back, and a wake-up of a thread
// that has not fallen asleep yet), `getppid` (the plainest system call) and,
// for scale, an uncontended `sem_post` + `sem_wait` pair (no system call).
//
// On the 2-vCPU development VM (2026-12-07, retpoline mitigations) the futex
// call took 250 to 330 ns and `getppid` 200 to 230 ns, on a host that ran
// CPython's countdown 1.0 to 1.3 times slower than on the calibration day;
// the pair took 7 to 9 ns. The model used 50 ns before.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

int main(void) {
    enum { N = 1000000 };
    int word = 0;
    sem_t s;
    sem_init(&s, 0, 0);
    printf("futex_wake_ns,getppid_ns,sem_pair_ns\n");
    for (int round = 0; round < 3; round++) {
        long long t0 = now();
        for (int i = 0; i < N; i++) syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        long long t1 = now();
        for (int i = 0; i < N; i++) syscall(SYS_getppid);
        long long t2 = now();
        for (int i = 0; i < N; i++) {
            sem_post(&s);
            sem_wait(&s);
        }
        long long t3 = now();
        printf("%.0f,%.0f,%.1f\n", (double)(t1 - t0) / N, (double)(t2 - t1) / N, (double)(t3 - t2) / N);
    }
    return 0;
}
