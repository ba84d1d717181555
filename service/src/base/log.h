/* Lifecycle and error messages on stderr, one line per call, written with a single write(2)
 * so that lines from different threads never interleave. */
#ifndef FIDX_SERVICE_LOG_H
#define FIDX_SERVICE_LOG_H

#include <stdint.h>

typedef enum { FIDX__LOG_ERROR, FIDX__LOG_WARN, FIDX__LOG_INFO } fidx__log_level_t;

void fidx__log(fidx__log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "2024-05-01T10:00:00Z" for a time in seconds since the epoch (out: at least 21 bytes). */
void fidx__time_iso(int64_t unix_sec, char *out, unsigned long cap);

#endif
