/* Keys and per-network limits (see limits.h). */
#include "routes/limits.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "admin/apikeys.h"
#include "base/clock.h"
#include "base/log.h"
#include "reports/netaddr.h"
#include "reports/ratelimit.h"
#include "routes/proxy.h"

#define WIDE_SHARE 4 /* a /48's (or /24's) allowance, in /64 (or single address) allowances */
#define WWW_AUTHENTICATE "WWW-Authenticate: Bearer realm=\"fraudidx\"\r\n"

struct fidx__limits {
    pthread_rwlock_t lock; /* keys and buckets: read by workers, swapped on SIGHUP */
    fidx__apikeys_t *keys; /* NULL: none */
    fidx__ratelimit_bucket_t *buckets;
    fidx__ratelimit_t *host, *wide; /* anonymous lookups; NULL: not limited */
    uint32_t host_rate, wide_rate, period_s;
};

/* ---- life ---- */

static int load_keys(fidx__limits_t *l, const char *path, const char *when)
{
    char msg[512];
    fidx__apikeys_t *k;
    if (fidx__apikeys_load(path, &k, msg, sizeof msg) != 0) {
        fidx__log(FIDX__LOG_ERROR, "API keys file %s: %s%s", path, msg, when);
        return -1;
    }
    size_t n = fidx__apikeys_count(k);
    fidx__ratelimit_bucket_t *b = calloc(n, sizeof *b);
    uint64_t now = fidx__clock_mono_ms();
    for (size_t i = 0; b && i < n; i++) {
        uint32_t rate, period;
        fidx__apikeys_rate(k, i, &rate, &period);
        /* A key may spend a whole period's allowance at once, as a minute's worth of a bot's
         * batch jobs would. */
        uint32_t burst = rate > FIDX__RATELIMIT_BURST_MAX ? FIDX__RATELIMIT_BURST_MAX : rate;
        if (fidx__ratelimit_bucket_init(&b[i], rate, period, burst ? burst : 1, now) != 0)
            abort(); /* rate and period were checked when the file was read */
    }
    if (!b) {
        fidx__log(FIDX__LOG_ERROR, "API keys file %s: out of memory%s", path, when);
        fidx__apikeys_free(k);
        return -1;
    }
    pthread_rwlock_wrlock(&l->lock);
    fidx__apikeys_t *old = l->keys;
    fidx__ratelimit_bucket_t *old_b = l->buckets;
    l->keys = k;
    l->buckets = b;
    pthread_rwlock_unlock(&l->lock);
    for (size_t i = 0; i < fidx__apikeys_count(old); i++)
        fidx__ratelimit_bucket_dispose(&old_b[i]);
    free(old_b);
    fidx__apikeys_free(old);
    fidx__log(FIDX__LOG_INFO, "API keys file %s: %zu keys", path, n);
    return 0;
}

int fidx__limits_start(fidx__service_t *svc)
{
    const fidx__config_t *cfg = &svc->cfg;
    fidx__limits_t *l = calloc(1, sizeof *l);
    if (!l) {
        fidx__log(FIDX__LOG_ERROR, "out of memory");
        return -1;
    }
    pthread_rwlock_init(&l->lock, NULL);
    svc->limits = l;
    if (cfg->api_keys_path && load_keys(l, cfg->api_keys_path, "; not starting") != 0)
        return -1;
    if (!cfg->lookup_limits || cfg->lookup_rate == 0)
        return 0;
    uint64_t wide_rate = (uint64_t)cfg->lookup_rate * WIDE_SHARE;
    uint64_t wide_burst = (uint64_t)cfg->lookup_burst * WIDE_SHARE;
    l->host_rate = cfg->lookup_rate;
    l->wide_rate =
        (uint32_t)(wide_rate > FIDX__RATELIMIT_RATE_MAX ? FIDX__RATELIMIT_RATE_MAX : wide_rate);
    l->period_s = cfg->lookup_period_s;
    if (fidx__ratelimit_new(l->host_rate, l->period_s, cfg->lookup_burst, &l->host) != 0 ||
        fidx__ratelimit_new(l->wide_rate, l->period_s,
                            (uint32_t)(wide_burst > FIDX__RATELIMIT_BURST_MAX
                                           ? FIDX__RATELIMIT_BURST_MAX
                                           : wide_burst),
                            &l->wide) != 0) {
        fidx__log(FIDX__LOG_ERROR, "out of memory");
        return -1;
    }
    return 0;
}

void fidx__limits_reload(fidx__service_t *svc)
{
    if (svc->limits && svc->cfg.api_keys_path)
        (void)load_keys(svc->limits, svc->cfg.api_keys_path, "; the keys in use are kept");
}

void fidx__limits_stop(fidx__service_t *svc)
{
    fidx__limits_t *l = svc->limits;
    if (!l)
        return;
    for (size_t i = 0; i < fidx__apikeys_count(l->keys); i++)
        fidx__ratelimit_bucket_dispose(&l->buckets[i]);
    free(l->buckets);
    fidx__apikeys_free(l->keys);
    fidx__ratelimit_free(l->host);
    fidx__ratelimit_free(l->wide);
    pthread_rwlock_destroy(&l->lock);
    free(l);
    svc->limits = NULL;
}

/* ---- a request ---- */

static void too_many(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__resp_error(resp, 429, "rate_limited",
                     req->principal[0] ? "too many requests with this API key; try again later"
                                       : "too many requests from your network; try again later "
                                         "(an API key gives a bot a limit of its own)");
}

static void unknown_key(const fidx__req_t *req, fidx__resp_t *resp)
{
    (void)req;
    fidx__resp_error(resp, 401, "unauthorized",
                     "unknown API key (Authorization: Bearer KEY); send no Authorization field "
                     "to be served as an anonymous client");
    resp->headers = WWW_AUTHENTICATE;
}

/* Appends one list member to a RateLimit field being built. */
static void member(char *out, size_t cap, size_t *at, const char *name,
                   const fidx__ratelimit_info_t *in)
{
    int n = snprintf(out + *at, cap - *at, "%s\"%s\";r=%u;t=%u", *at ? ", " : "", name,
                     in->remaining, in->reset_s);
    *at += n > 0 && (size_t)n < cap - *at ? (size_t)n : 0;
}

/* req->headers: the policy, the state after this request, and Retry-After when refused. */
static void set_headers(fidx__req_t *req, const char *policy, const char *state,
                        unsigned retry_after)
{
    int n = snprintf(req->headers, sizeof req->headers, "RateLimit-Policy: %s\r\nRateLimit: %s\r\n",
                     policy, state);
    if (retry_after && n > 0 && (size_t)n < sizeof req->headers)
        snprintf(req->headers + n, sizeof req->headers - (size_t)n, "Retry-After: %u\r\n",
                 retry_after);
}

/* Key i's bucket (read lock held). */
static void charge_key(fidx__limits_t *l, fidx__req_t *req, size_t i)
{
    uint32_t rate, period;
    fidx__ratelimit_info_t info;
    fidx__apikeys_rate(l->keys, i, &rate, &period);
    int ok = fidx__ratelimit_bucket_take(&l->buckets[i], uv_now(&req->w->loop), &info);
    char policy[64], state[64];
    size_t at = 0;
    snprintf(policy, sizeof policy, "\"key\";q=%" PRIu32 ";w=%" PRIu32, rate, period);
    member(state, sizeof state, &at, "key", &info);
    set_headers(req, policy, state, ok ? 0 : info.retry_after_s);
    if (!ok)
        req->handler = too_many;
}

/* An anonymous lookup from client: its address's bucket, then its network's. */
static void charge_network(fidx__limits_t *l, fidx__req_t *req, const fidx__client_t *client)
{
    uint8_t host[16], wide[16];
    fidx__net_key_addr(&client->addr, FIDX__NET_HOST_V6, FIDX__NET_HOST_V4, host);
    fidx__net_key_addr(&client->addr, FIDX__NET_WIDE_V6, FIDX__NET_WIDE_V4, wide);
    uint64_t now = uv_now(&req->w->loop);
    fidx__ratelimit_info_t hi, wi = {0};
    int ok = fidx__ratelimit_take_info(l->host, host, now, &hi);
    if (ok && !fidx__ratelimit_take_info(l->wide, wide, now, &wi)) {
        fidx__ratelimit_refund_key(l->host, host, now);
        ok = 0;
    }
    char policy[96], state[96];
    size_t at = 0;
    snprintf(policy, sizeof policy,
             "\"addr\";q=%" PRIu32 ";w=%" PRIu32 ", \"net\";q=%" PRIu32 ";w=%" PRIu32, l->host_rate,
             l->period_s, l->wide_rate, l->period_s);
    member(state, sizeof state, &at, "addr", &hi);
    if (hi.retry_after_s == 0) /* the network's bucket was asked too */
        member(state, sizeof state, &at, "net", &wi);
    set_headers(req, policy, state,
                ok ? 0 : (hi.retry_after_s ? hi.retry_after_s : wi.retry_after_s));
    if (!ok)
        req->handler = too_many;
}

/* The key the request carries: its index (read lock held), -1 for none (no field, or an
 * analyst's token), -2 for one that is not known. */
static long find_key(fidx__limits_t *l, fidx__req_t *req)
{
    fidx_str_t auth = req->kept[FIDX__H_AUTHORIZATION];
    if (!auth.len)
        return -1;
    if (req->kept_bad & (1u << FIDX__H_AUTHORIZATION))
        return -2;
    long i = fidx__apikeys_match(l->keys, auth.p, auth.len);
    if (i >= 0)
        return i;
    char name[FIDX__TOKEN_NAME_MAX + 1];
    fidx__role_t role;
    if (fidx__admin_auth(req->w->svc->admin, auth.p, auth.len, name, &role) == 0)
        return -1;
    return -2;
}

int fidx__limits_head(fidx__req_t *req, fidx__resp_t *resp, fidx__limit_kind_t kind)
{
    fidx__limits_t *l = req->w->svc->limits;
    if (!l)
        return 0;
    fidx__client_t client;
    fidx__proxy_req_client(req, &client);
    pthread_rwlock_rdlock(&l->lock);
    long key = find_key(l, req);
    if (key == -2) {
        pthread_rwlock_unlock(&l->lock);
        if (req->has_body) { /* refused before the body is read */
            unknown_key(req, resp);
            return -1;
        }
        req->handler = unknown_key;
        return 0;
    }
    if (key >= 0)
        snprintf(req->principal, sizeof req->principal, "%s",
                 fidx__apikeys_name(l->keys, (size_t)key));
    int exempt = kind == FIDX__LIMIT_LOOKUP && client.loopback;
    if (key >= 0 && !exempt)
        charge_key(l, req, (size_t)key);
    pthread_rwlock_unlock(&l->lock);
    if (key < 0 && !exempt && kind == FIDX__LIMIT_LOOKUP && l->host)
        charge_network(l, req, &client);
    return 0;
}
