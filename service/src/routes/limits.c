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

#define POLICY_MAX 120 /* the anonymous lookups' RateLimit-Policy line */
#define WIDE_SHARE 4   /* a /48's (or /24's) allowance, in /64 (or single address) allowances */
#define WWW_AUTHENTICATE "WWW-Authenticate: Bearer realm=\"fraudidx\"\r\n"

struct fidx__limits {
    pthread_rwlock_t lock; /* keys and buckets: read by workers, swapped on SIGHUP */
    fidx__apikeys_t *keys; /* NULL: none */
    fidx__ratelimit_bucket_t *buckets;
    fidx__ratelimit_t *host, *wide; /* anonymous lookups; NULL: not limited */
    uint32_t host_rate, wide_rate, period_s;
    char policy[POLICY_MAX + 1]; /* their RateLimit-Policy line, with CRLF */
    size_t policy_len;
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
    int n = snprintf(l->policy, sizeof l->policy,
                     "RateLimit-Policy: \"addr\";q=%" PRIu32 ";w=%" PRIu32 ", \"net\";q=%" PRIu32
                     ";w=%" PRIu32 "\r\n",
                     l->host_rate, l->period_s, l->wide_rate, l->period_s);
    l->policy_len = n > 0 && (size_t)n < sizeof l->policy ? (size_t)n : 0; /* it fits: 10-digit
                                                                            * numbers at most */
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

/* The header lines are written by hand: this runs for every limited lookup, and four
 * snprintf calls cost more than the rest of the limit (bench/RESULTS.md, issue 16.5). The
 * longest they get: a policy line of POLICY_MAX, two members of 36 bytes, the
 * field names and a Retry-After line: under the 256 bytes of req->headers. */
static char *put_u(char *p, unsigned v)
{
    char tmp[10];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_s(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* One member of the RateLimit field: "NAME";r=REMAINING;t=SECONDS. */
static char *put_state(char *p, const char *name, size_t n, const fidx__ratelimit_info_t *in)
{
    *p++ = '"';
    p = put_s(p, name, n);
    p = put_s(p, "\";r=", 4);
    p = put_u(p, in->remaining);
    p = put_s(p, ";t=", 3);
    return put_u(p, in->reset_s);
}

/* req->headers: the policy line (policy_len bytes, ending in CRLF), `RateLimit: ` and the
 * members, and Retry-After when refused. */
static void set_headers(fidx__req_t *req, const char *policy, size_t policy_len, const char *name1,
                        size_t n1, const fidx__ratelimit_info_t *first, const char *name2,
                        size_t n2, const fidx__ratelimit_info_t *second, unsigned retry_after)
{
    _Static_assert(sizeof req->headers >= POLICY_MAX + 2 * 36 + 40, "the RateLimit lines fit");
    char *p = put_s(req->headers, policy, policy_len);
    p = put_s(p, "RateLimit: ", 11);
    p = put_state(p, name1, n1, first);
    if (second) {
        p = put_s(p, ", ", 2);
        p = put_state(p, name2, n2, second);
    }
    p = put_s(p, "\r\n", 2);
    if (retry_after) {
        p = put_s(p, "Retry-After: ", 13);
        p = put_u(p, retry_after);
        p = put_s(p, "\r\n", 2);
    }
    *p = '\0';
}

/* Key i's bucket (read lock held). */
static void charge_key(fidx__limits_t *l, fidx__req_t *req, size_t i)
{
    uint32_t rate, period;
    fidx__ratelimit_info_t info;
    fidx__apikeys_rate(l->keys, i, &rate, &period);
    int ok = fidx__ratelimit_bucket_take(&l->buckets[i], uv_now(&req->w->loop), &info);
    char policy[64];
    int n = snprintf(policy, sizeof policy,
                     "RateLimit-Policy: \"key\";q=%" PRIu32 ";w=%" PRIu32 "\r\n", rate, period);
    set_headers(req, policy, (size_t)n, "key", 3, &info, NULL, 0, NULL,
                ok ? 0 : info.retry_after_s);
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
    int asked_wide = ok; /* the network's bucket is asked only once the address's gave */
    if (ok && !fidx__ratelimit_take_info(l->wide, wide, now, &wi)) {
        fidx__ratelimit_refund_key(l->host, host, now);
        ok = 0;
    }
    set_headers(req, l->policy, l->policy_len, "addr", 4, &hi, "net", 3, asked_wide ? &wi : NULL,
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
