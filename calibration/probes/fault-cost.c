/* What a fresh page costs: copying N bytes into freshly mapped anonymous
   memory (a minor page fault per 4 KiB page, the kernel zeroes it) against
   copying them into memory already mapped.

       cc -O2 -o fault-cost calibration/probes/fault-cost.c && ./fault-cost

   Prints, per size, the best of five rounds: the fresh copy, the copy into
   mapped memory, and the difference per fault and per byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static long minor_faults(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_minflt;
}

int main(void) {
    const size_t sizes[] = {65536, 200000, 1000000, 4000000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        int reps = 20000000 / n + 20;
        double best_fresh = 1e9, best_mapped = 1e9;
        long faults = 0;
        char *src = malloc(n);
        memset(src, 1, n);
        char *kept = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memset(kept, 0, n);
        for (int round = 0; round < 5; round++) {
            long f0 = minor_faults();
            double t = now();
            for (int i = 0; i < reps; i++) {
                char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                memcpy(p, src, n);
                munmap(p, n);
            }
            double dt = (now() - t) / reps;
            faults = (minor_faults() - f0) / reps;
            if (dt < best_fresh) best_fresh = dt;
            t = now();
            for (int i = 0; i < reps; i++) {
                memcpy(kept, src, n);
                __asm__ volatile("" ::"r"(kept) : "memory");
            }
            dt = (now() - t) / reps;
            if (dt < best_mapped) best_mapped = dt;
        }
        printf("%8zu B: fresh %8.1f us (%ld faults, %.2f us a fault), mapped %7.1f us (%.3f ns/B), "
               "fresh extra %.3f ns/B\n",
               n, best_fresh * 1e6, faults, (best_fresh - best_mapped) * 1e6 / (faults ? faults : 1),
               best_mapped * 1e6, best_mapped * 1e9 / n, (best_fresh - best_mapped) * 1e9 / n);
        free(src);
        munmap(kept, n);
    }
    return 0;
}
