/* Per-client-address token buckets, for the report routes (POST /v1/reports, POST /report).
 *
 * Each client address has a bucket of `burst` tokens that refills at `rate` tokens per
 * `period` seconds; a report takes one, and an empty bucket answers 429 with Retry-After.
 * IPv6 clients are counted per /64 (one subscriber usually holds a whole /64); IPv4 per
 * address. Behind a reverse proxy every client has the proxy's address: limit there instead.
 *
 * Memory is bounded: a fixed table of FIDX__RATELIMIT_SETS x FIDX__RATELIMIT_WAYS buckets
 * (set-associative, sets chosen by a keyed hash with a random key, so a client cannot aim at
 * another's set). A new address evicts the bucket of its set that is fullest once refilled: a
 * full bucket is the same as no bucket, so eviction costs a flood nothing it had not already
 * earned back. Thread-safe: a mutex per stripe of sets, so that lookups on every worker
 * (per-network lookup limits) seldom wait for one another. */
#ifndef FIDX_SERVICE_RATELIMIT_H
#define FIDX_SERVICE_RATELIMIT_H

#include <pthread.h>
#include <stdint.h>

#include "fidx/error.h"

#define FIDX__RATELIMIT_SETS 1024
#define FIDX__RATELIMIT_WAYS 8

#define FIDX__RATELIMIT_RATE_MAX 1000000
#define FIDX__RATELIMIT_BURST_MAX 1000000
#define FIDX__RATELIMIT_PERIOD_MAX (366u * 86400) /* seconds */

#define FIDX__DEFAULT_REPORT_RATE 10              /* reports ... */
#define FIDX__DEFAULT_REPORT_PERIOD_S 3600        /* ... per hour per client address */
#define FIDX__DEFAULT_REPORT_BURST 5              /* at most this many at once */
#define FIDX__DEFAULT_REPORT_GLOBAL_RATE 3600     /* reports from everyone together ... */
#define FIDX__DEFAULT_REPORT_GLOBAL_PERIOD_S 3600 /* ... per hour */
#define FIDX__DEFAULT_REPORT_GLOBAL_BURST 300

typedef struct fidx__ratelimit fidx__ratelimit_t;

/* A bucket's state after a take, for the RateLimit header fields and Retry-After. */
typedef struct {
    unsigned remaining;     /* whole tokens left */
    unsigned reset_s;       /* seconds until the bucket is full again */
    unsigned retry_after_s; /* refused: seconds (>= 1) until it holds a token; else 0 */
} fidx__ratelimit_info_t;

/* rate tokens per period_s seconds (rate 0: no limit at all), burst tokens at most (>= 1).
 * Returns 0, FIDX_EINVAL for a period or burst of 0 or any value over its _MAX,
 * FIDX_ENOMEM. Caller owns *out; free with
 * fidx__ratelimit_free. */
FIDX_MUST_CHECK int fidx__ratelimit_new(uint32_t rate, uint32_t period_s, uint32_t burst,
                                        fidx__ratelimit_t **out);
void fidx__ratelimit_free(fidx__ratelimit_t *rl);

/* Takes a token from client's bucket at now_ms (a monotonic clock in milliseconds). client is
 * the address as text ("203.0.113.5", "2001:db8::1"); anything unreadable shares one bucket.
 * Returns 1 when a token was taken; 0 when the bucket is empty, with *retry_after_s the whole
 * seconds (>= 1) until it holds one again. */
int fidx__ratelimit_take(fidx__ratelimit_t *rl, const char *client, uint64_t now_ms,
                         unsigned *retry_after_s);

/* Gives back the token a request took when it turned out not to be a report (invalid input):
 * a citizen who mistypes does not use up the allowance. */
void fidx__ratelimit_refund(fidx__ratelimit_t *rl, const char *client, uint64_t now_ms);

/* The same for any 16-byte key: a network (reports/netaddr.h), or all-zero for one bucket
 * that everyone shares (a global rate). */
int fidx__ratelimit_take_key(fidx__ratelimit_t *rl, const uint8_t key[16], uint64_t now_ms,
                             unsigned *retry_after_s);
void fidx__ratelimit_refund_key(fidx__ratelimit_t *rl, const uint8_t key[16], uint64_t now_ms);

/* The same, filling info whether or not a token was taken. No limit: remaining is
 * FIDX__RATELIMIT_BURST_MAX. */
int fidx__ratelimit_take_info(fidx__ratelimit_t *rl, const uint8_t key[16], uint64_t now_ms,
                              fidx__ratelimit_info_t *info);

/* How full key's bucket is at now_ms, in thousandths (1000: full or unknown; no limit: 1000).
 * For fair shares: who has been sending a lot lately. */
unsigned fidx__ratelimit_level_key(fidx__ratelimit_t *rl, const uint8_t key[16], uint64_t now_ms);

/* One bucket of its own, with its own rate (an API key's). Thread-safe. The caller owns the
 * storage: _init (full at now_ms; FIDX_EINVAL as fidx__ratelimit_new), then _dispose. */
typedef struct {
    pthread_mutex_t mu;
    int unlimited;
    uint64_t rate, unit, cap, credits, at_ms;
} fidx__ratelimit_bucket_t;

FIDX_MUST_CHECK int fidx__ratelimit_bucket_init(fidx__ratelimit_bucket_t *b, uint32_t rate,
                                                uint32_t period_s, uint32_t burst, uint64_t now_ms);
void fidx__ratelimit_bucket_dispose(fidx__ratelimit_bucket_t *b);
int fidx__ratelimit_bucket_take(fidx__ratelimit_bucket_t *b, uint64_t now_ms,
                                fidx__ratelimit_info_t *info);

/* "N" or "N/UNIT" (UNIT s, min, h or d; h when absent), N 0..FIDX__RATELIMIT_RATE_MAX: a rate
 * as flags and files write it. 0, or -1 when it is none. */
int fidx__ratelimit_parse_rate(const char *s, uint32_t *rate, uint32_t *period_s);

#endif
