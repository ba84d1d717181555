/* Token buckets per client address in a fixed, set-associative table (see ratelimit.h). */
#include "reports/ratelimit.h"

#include "reports/netaddr.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Exact integer arithmetic: a token is `unit` (= period in ms) credits, the bucket gains `rate`
 * credits a millisecond and holds at most `cap` (= burst tokens). */
typedef struct {
    uint8_t key[16];
    uint8_t used;
    uint64_t credits;
    uint64_t at_ms; /* when credits was last brought up to date */
} bucket_t;

struct fidx__ratelimit {
    pthread_mutex_t lock;
    uint64_t rate, unit, cap;
    int unlimited;
    uint64_t seed[2];
    bucket_t buckets[FIDX__RATELIMIT_SETS][FIDX__RATELIMIT_WAYS];
};

int fidx__ratelimit_new(uint32_t rate, uint32_t period_s, uint32_t burst, fidx__ratelimit_t **out)
{
    if (period_s == 0 || period_s > FIDX__RATELIMIT_PERIOD_MAX || burst == 0 ||
        burst > FIDX__RATELIMIT_BURST_MAX || rate > FIDX__RATELIMIT_RATE_MAX)
        return FIDX_EINVAL;
    fidx__ratelimit_t *rl = calloc(1, sizeof *rl);
    if (!rl)
        return FIDX_ENOMEM;
    pthread_mutex_init(&rl->lock, NULL);
    rl->unlimited = rate == 0;
    rl->rate = rate;
    rl->unit = (uint64_t)period_s * 1000u;
    rl->cap = (uint64_t)burst * rl->unit; /* < 2^20 * 2^39: no overflow */
    if (getrandom(rl->seed, sizeof rl->seed, 0) != (ssize_t)sizeof rl->seed) {
        /* Without randomness the sets are predictable, which only weakens eviction. */
        rl->seed[0] = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
        rl->seed[1] = (uint64_t)(uintptr_t)rl;
    }
    *out = rl;
    return 0;
}

void fidx__ratelimit_free(fidx__ratelimit_t *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

/* A keyed mix of the key (not cryptographic, but unknown to clients). */
static size_t set_of(const fidx__ratelimit_t *rl, const uint8_t key[16])
{
    uint64_t a, b;
    memcpy(&a, key, 8);
    memcpy(&b, key + 8, 8);
    uint64_t h = (a ^ rl->seed[0]) * 0xff51afd7ed558ccdull;
    h ^= (h >> 33) ^ (b ^ rl->seed[1]);
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return (size_t)(h & (FIDX__RATELIMIT_SETS - 1));
}

static uint64_t refilled(const fidx__ratelimit_t *rl, const bucket_t *b, uint64_t now_ms)
{
    if (now_ms <= b->at_ms || b->credits >= rl->cap)
        return b->credits;
    uint64_t room = rl->cap - b->credits;
    uint64_t dt = now_ms - b->at_ms;
    return dt >= room / rl->rate + 1 ? rl->cap
                                     : b->credits + (dt * rl->rate < room ? dt * rl->rate : room);
}

/* The bucket of key, found or made (evicting the fullest of its set). */
static bucket_t *bucket_for(fidx__ratelimit_t *rl, const uint8_t key[16], uint64_t now_ms)
{
    bucket_t *set = rl->buckets[set_of(rl, key)], *victim = NULL;
    uint64_t victim_credits = 0;
    for (int i = 0; i < FIDX__RATELIMIT_WAYS; i++) {
        bucket_t *b = &set[i];
        if (b->used && memcmp(b->key, key, 16) == 0)
            return b;
        if (!b->used) {
            victim = b; /* a free slot: nothing is lost */
            victim_credits = UINT64_MAX;
            continue;
        }
        uint64_t c = refilled(rl, b, now_ms);
        if (!victim || c > victim_credits) {
            victim = b;
            victim_credits = c;
        }
    }
    memcpy(victim->key, key, 16);
    victim->used = 1;
    victim->credits = rl->cap;
    victim->at_ms = now_ms;
    return victim;
}

int fidx__ratelimit_take(fidx__ratelimit_t *rl, const char *client, uint64_t now_ms,
                         unsigned *retry_after_s)
{
    uint8_t key[16];
    fidx__net_key(client, FIDX__NET_HOST_V6, FIDX__NET_HOST_V4, key);
    return fidx__ratelimit_take_key(rl, key, now_ms, retry_after_s);
}

int fidx__ratelimit_take_key(fidx__ratelimit_t *rl, const uint8_t key[16], uint64_t now_ms,
                             unsigned *retry_after_s)
{
    int ok;
    if (rl->unlimited)
        return 1;
    pthread_mutex_lock(&rl->lock);
    bucket_t *b = bucket_for(rl, key, now_ms);
    b->credits = refilled(rl, b, now_ms);
    b->at_ms = now_ms > b->at_ms ? now_ms : b->at_ms;
    ok = b->credits >= rl->unit;
    if (ok) {
        b->credits -= rl->unit;
    } else {
        uint64_t ms = (rl->unit - b->credits + rl->rate - 1) / rl->rate;
        *retry_after_s = (unsigned)((ms + 999) / 1000);
        if (*retry_after_s == 0)
            *retry_after_s = 1;
    }
    pthread_mutex_unlock(&rl->lock);
    return ok;
}

void fidx__ratelimit_refund(fidx__ratelimit_t *rl, const char *client, uint64_t now_ms)
{
    uint8_t key[16];
    fidx__net_key(client, FIDX__NET_HOST_V6, FIDX__NET_HOST_V4, key);
    fidx__ratelimit_refund_key(rl, key, now_ms);
}

unsigned fidx__ratelimit_level_key(fidx__ratelimit_t *rl, const uint8_t key[16], uint64_t now_ms)
{
    if (rl->unlimited)
        return 1000;
    pthread_mutex_lock(&rl->lock);
    bucket_t *b = bucket_for(rl, key, now_ms);
    uint64_t c = refilled(rl, b, now_ms);
    pthread_mutex_unlock(&rl->lock);
    return (unsigned)(c * 1000 / rl->cap);
}

void fidx__ratelimit_refund_key(fidx__ratelimit_t *rl, const uint8_t key[16], uint64_t now_ms)
{
    if (rl->unlimited)
        return;
    pthread_mutex_lock(&rl->lock);
    bucket_t *b = bucket_for(rl, key, now_ms);
    b->credits = refilled(rl, b, now_ms);
    b->credits = rl->cap - b->credits > rl->unit ? b->credits + rl->unit : rl->cap;
    b->at_ms = now_ms > b->at_ms ? now_ms : b->at_ms;
    pthread_mutex_unlock(&rl->lock);
}
