// What the C probes share: a monotonic clock in ns, pinning the calling
// thread to a CPU, and an ordering of long longs for qsort. Each probe
// still builds with one `cc` command (this header sits beside it).
#ifndef PROBE_H
#define PROBE_H

#include <pthread.h>
#include <sched.h>
#include <time.h>

static inline long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static inline void pin(int cpu) {
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

static inline int cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

#endif
