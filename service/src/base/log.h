/* Lifecycle and error messages on stderr, one line per call, written with a single write(2)
 * so that lines from different threads never interleave. */
#ifndef FIDX_SERVICE_LOG_H
#define FIDX_SERVICE_LOG_H

#include <stdatomic.h>
#include <stdint.h>

typedef enum { FIDX__LOG_ERROR, FIDX__LOG_WARN, FIDX__LOG_INFO } fidx__log_level_t;

void fidx__log(fidx__log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A message that can repeat very fast (a full disk refusing every report, accept failing for
 * lack of descriptors) is logged at most once per `period_ms` through one of these: the first
 * at once, then one line per period saying how many were left out. Any thread; zero-initialise
 * it (static or in a struct). */
typedef struct {
    _Atomic uint64_t next_ms; /* monotonic ms before which lines are counted, not written */
    atomic_uint suppressed;
} fidx__log_limit_t;

void fidx__log_limited(fidx__log_limit_t *lim, uint64_t period_ms, fidx__log_level_t level,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "2024-05-01T10:00:00Z" for a time in seconds since the epoch (out: at least 21 bytes). */
void fidx__time_iso(int64_t unix_sec, char *out, unsigned long cap);

#endif
