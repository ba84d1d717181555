/* What the in-process benchmarks (lookup_bench.c, scan_bench.c) share: a monotonic clock in
 * nanoseconds, and the comparison that sorts timings for their percentiles. */
#ifndef FIDX_BENCH_CLOCK_H
#define FIDX_BENCH_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* qsort order of uint64_t values, smallest first. */
static inline int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

#endif
