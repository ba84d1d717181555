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

/* One lock per stripe of sets, each on its own cache line: lookups from every worker take a
 * token on the hot path, and two clients rarely share a stripe. */
#define STRIPES 64
typedef struct {
    pthread_mutex_t mu;
} __attribute__((aligned(64))) stripe_t;

struct fidx__ratelimit {
    uint64_t rate, unit, cap;
    int unlimited;
    uint64_t seed[2];
    stripe_t locks[STRIPES];
    bucket_t buckets[FIDX__RATELIMIT_SETS][FIDX__RATELIMIT_WAYS];
};

int fidx__ratelimit_new(uint32_t rate, uint32_t period_s, uint32_t burst, fidx__ratelimit_t **out)
{
    if (period_s == 0 || period_s > FIDX__RATELIMIT_PERIOD_MAX || burst == 0 ||
        burst > FIDX__RATELIMIT_BURST_MAX || rate > FIDX__RATELIMIT_RATE_MAX)
        return FIDX_EINVAL;
    fidx__ratelimit_t *rl = aligned_alloc(64, sizeof *rl);
    if (!rl)
        return FIDX_ENOMEM;
    memset(rl, 0, sizeof *rl);
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&rl->locks[i].mu, NULL);
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
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&rl->locks[i].mu);
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

/* credits at now_ms of a bucket that held `credits` at at_ms. */
static uint64_t refill(uint64_t rate, uint64_t cap, uint64_t credits, uint64_t at_ms,
                       uint64_t now_ms)
{
    if (now_ms <= at_ms || credits >= cap)
        return credits;
    uint64_t room = cap - credits;
    uint64_t dt = now_ms - at_ms;
    return dt >= room / rate + 1 ? cap : credits + (dt * rate < room ? dt * rate : room);
}

static uint64_t refilled(const fidx__ratelimit_t *rl, const bucket_t *b, uint64_t now_ms)
{
    return refill(rl->rate, rl->cap, b->credits, b->at_ms, now_ms);
}

/* Takes a token (unit credits) from a bucket brought up to now_ms; fills info. 1 or 0. */
static int take_credits(uint64_t rate, uint64_t unit, uint64_t cap, uint64_t *credits,
                        uint64_t *at_ms, uint64_t now_ms, fidx__ratelimit_info_t *info)
{
    *credits = refill(rate, cap, *credits, *at_ms, now_ms);
    *at_ms = now_ms > *at_ms ? now_ms : *at_ms;
    int ok = *credits >= unit;
    if (ok)
        *credits -= unit;
    if (!info)
        return ok;
    info->remaining = (unsigned)(*credits / unit);
    uint64_t to_full = (cap - *credits + rate - 1) / rate; /* ms */
    info->reset_s = (unsigned)((to_full + 999) / 1000);
    info->retry_after_s = 0;
    if (!ok) {
        uint64_t ms = (unit - *credits + rate - 1) / rate;
        info->retry_after_s = (unsigned)((ms + 999) / 1000);
        if (info->retry_after_s == 0)
            info->retry_after_s = 1;
    }
    return ok;
}

static pthread_mutex_t *lock_of(fidx__ratelimit_t *rl, const uint8_t key[16])
{
    return &rl->locks[set_of(rl, key) % STRIPES].mu;
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
    fidx__ratelimit_info_t info;
    int ok = fidx__ratelimit_take_info(rl, key, now_ms, &info);
    if (!ok)
        *retry_after_s = info.retry_after_s;
    return ok;
}

int fidx__ratelimit_take_info(fidx__ratelimit_t *rl, const uint8_t key[16], uint64_t now_ms,
                              fidx__ratelimit_info_t *info)
{
    if (rl->unlimited) {
        info->remaining = FIDX__RATELIMIT_BURST_MAX;
        info->reset_s = info->retry_after_s = 0;
        return 1;
    }
    pthread_mutex_t *mu = lock_of(rl, key);
    pthread_mutex_lock(mu);
    bucket_t *b = bucket_for(rl, key, now_ms);
    int ok = take_credits(rl->rate, rl->unit, rl->cap, &b->credits, &b->at_ms, now_ms, info);
    pthread_mutex_unlock(mu);
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
    pthread_mutex_t *mu = lock_of(rl, key);
    pthread_mutex_lock(mu);
    bucket_t *b = bucket_for(rl, key, now_ms);
    uint64_t c = refilled(rl, b, now_ms);
    pthread_mutex_unlock(mu);
    return (unsigned)(c * 1000 / rl->cap);
}

void fidx__ratelimit_refund_key(fidx__ratelimit_t *rl, const uint8_t key[16], uint64_t now_ms)
{
    if (rl->unlimited)
        return;
    pthread_mutex_t *mu = lock_of(rl, key);
    pthread_mutex_lock(mu);
    bucket_t *b = bucket_for(rl, key, now_ms);
    b->credits = refilled(rl, b, now_ms);
    b->credits = rl->cap - b->credits > rl->unit ? b->credits + rl->unit : rl->cap;
    b->at_ms = now_ms > b->at_ms ? now_ms : b->at_ms;
    pthread_mutex_unlock(mu);
}

/* ---- one bucket of its own ---- */

int fidx__ratelimit_bucket_init(fidx__ratelimit_bucket_t *b, uint32_t rate, uint32_t period_s,
                                uint32_t burst, uint64_t now_ms)
{
    if (period_s == 0 || period_s > FIDX__RATELIMIT_PERIOD_MAX || burst == 0 ||
        burst > FIDX__RATELIMIT_BURST_MAX || rate > FIDX__RATELIMIT_RATE_MAX)
        return FIDX_EINVAL;
    pthread_mutex_init(&b->mu, NULL);
    b->unlimited = rate == 0;
    b->rate = rate;
    b->unit = (uint64_t)period_s * 1000u;
    b->cap = (uint64_t)burst * b->unit;
    b->credits = b->cap;
    b->at_ms = now_ms;
    return 0;
}

void fidx__ratelimit_bucket_dispose(fidx__ratelimit_bucket_t *b)
{
    pthread_mutex_destroy(&b->mu);
}

int fidx__ratelimit_bucket_take(fidx__ratelimit_bucket_t *b, uint64_t now_ms,
                                fidx__ratelimit_info_t *info)
{
    if (b->unlimited) {
        info->remaining = FIDX__RATELIMIT_BURST_MAX;
        info->reset_s = info->retry_after_s = 0;
        return 1;
    }
    pthread_mutex_lock(&b->mu);
    int ok = take_credits(b->rate, b->unit, b->cap, &b->credits, &b->at_ms, now_ms, info);
    pthread_mutex_unlock(&b->mu);
    return ok;
}

int fidx__ratelimit_parse_rate(const char *s, uint32_t *rate, uint32_t *period_s)
{
    static const struct {
        const char *unit;
        uint32_t seconds;
    } units[] = {{"s", 1}, {"min", 60}, {"h", 3600}, {"d", 86400}};
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    uint64_t v = 0;
    if (n == 0 || n > 7)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > FIDX__RATELIMIT_RATE_MAX)
        return -1;
    uint32_t period = 3600;
    if (slash) {
        size_t k = 0;
        while (k < sizeof units / sizeof units[0] && strcmp(slash + 1, units[k].unit) != 0)
            k++;
        if (k == sizeof units / sizeof units[0])
            return -1;
        period = units[k].seconds;
    }
    *rate = (uint32_t)v;
    *period_s = period;
    return 0;
}
