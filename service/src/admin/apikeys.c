/* Bots' API keys (see apikeys.h): the file's rules and the comparison are credfile.c's; here
 * only the third word, a rate. */
#include "admin/apikeys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/ratelimit.h"

struct fidx__apikeys {
    size_t n;
    fidx__cred_t creds[FIDX__CRED_MAX];
    uint32_t rate[FIDX__CRED_MAX], period_s[FIDX__CRED_MAX];
};

static int read_rate(void *arg, size_t i, const char *w, size_t n, char *msg, size_t cap)
{
    fidx__apikeys_t *k = arg;
    char text[24];
    k->rate[i] = FIDX__APIKEY_DEFAULT_RATE;
    k->period_s[i] = 60;
    if (n == 0)
        return 0;
    if (n < sizeof text) {
        memcpy(text, w, n);
        text[n] = '\0';
        if (fidx__ratelimit_parse_rate(text, &k->rate[i], &k->period_s[i]) == 0 && k->rate[i])
            return 0;
    }
    snprintf(msg, cap, "the rate %.*s is not N or N/UNIT (UNIT s, min, h or d; N 1 to %d)",
             (int)(n > 24 ? 24 : n), w, FIDX__RATELIMIT_RATE_MAX);
    return -1;
}

int fidx__apikeys_load(const char *path, fidx__apikeys_t **out, char *msg, size_t cap)
{
    fidx__apikeys_t *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(msg, cap, "out of memory");
        return -1;
    }
    fidx__credfile_spec_t spec = {"NAME KEY [RATE]", "key", read_rate, k};
    if (fidx__credfile_load(path, &spec, k->creds, &k->n, msg, cap) != 0) {
        fidx__apikeys_free(k);
        return -1;
    }
    *out = k;
    return 0;
}

void fidx__apikeys_free(fidx__apikeys_t *k)
{
    if (k)
        explicit_bzero(k, sizeof *k);
    free(k);
}

size_t fidx__apikeys_count(const fidx__apikeys_t *k)
{
    return k ? k->n : 0;
}

long fidx__apikeys_match(const fidx__apikeys_t *k, const char *auth, size_t len)
{
    return k ? fidx__credfile_match(k->creds, k->n, auth, len) : -1;
}

const char *fidx__apikeys_name(const fidx__apikeys_t *k, size_t i)
{
    return k->creds[i].name;
}

void fidx__apikeys_rate(const fidx__apikeys_t *k, size_t i, uint32_t *rate, uint32_t *period_s)
{
    *rate = k->rate[i];
    *period_s = k->period_s[i];
}
