/* The three clocks the service reads, each named for what it is:
 *   - the wall clock (fidx__clock_wall_ms): what people read, for audit lines, records and
 *     report dates; it can jump;
 *   - the monotonic clock (fidx__clock_mono_ms/_ns): durations and rate limits, which must not
 *     jump when the wall clock is set;
 *   - an event loop's cached time (uv_now, read in conn.c as loop_ms): timeouts of
 *     connections, cheap to read many times per loop turn. */
#ifndef FIDX_SERVICE_BASE_CLOCK_H
#define FIDX_SERVICE_BASE_CLOCK_H

#include <stdint.h>
#include <sys/time.h>
#include <time.h>

static inline int64_t fidx__clock_wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static inline uint64_t fidx__clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t fidx__clock_mono_ms(void)
{
    return fidx__clock_mono_ns() / 1000000u;
}

#endif
