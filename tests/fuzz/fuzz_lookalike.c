/* Fuzz target for the look-alike check (lookup/lookalike.c, lookalike_fold.c; libFuzzer,
 * replayed by ctest, see docs/FUZZING.md). The index holds the domains of data/allowlist.csv.
 * First byte: mode; bits 0-1 pick what the rest is:
 *   0  a host given to fidx_lookalike_check;
 *   1  a canonical url or domain given to fidx_lookalike_check_canonical;
 *   2  labels put in front of an allowlisted site (the next byte picks it): a subdomain;
 *   3  a value added as an allowlisted domain to a fresh index, then checked.
 * Properties: the check answers 1, 0 or FIDX_EINVAL and never reads past len (the input sits
 * in a heap block of its exact size); a match names an allowlisted site, a rule and what was
 * recognised, and its JSON fits FIDX_LOOKALIKE_JSON_MAX; a brand's own domain and its
 * subdomains are never flagged, whatever the labels in front; the same host checked twice
 * gets the same answer. */
#include "fidx/lookalike.h"

#include "fuzz_common.h"

#define MAX_SITES 64

static fidx_lookalike_t *la;
static char sites[MAX_SITES][256];
static size_t n_sites;

static void init(void)
{
    char line[2048];
    fidx_err_t err;
    FILE *f = fopen(FIDX_SOURCE_DIR "/data/allowlist.csv", "r");
    FUZZ_CHECK(f != NULL, "cannot read data/allowlist.csv");
    FUZZ_CHECK(fidx_lookalike_new(&la, &err) == 0, "cannot make an index");
    while (fgets(line, sizeof line, f) && n_sites < MAX_SITES) {
        if (strncmp(line, "domain,", 7) != 0)
            continue;
        size_t len = strcspn(line + 7, ",");
        memcpy(sites[n_sites], line + 7, len);
        FUZZ_CHECK(fidx_lookalike_add(la, FIDX_KIND_DOMAIN, sites[n_sites], len, NULL, 0, &err) ==
                       0,
                   "an allowlisted domain is refused");
        sites[n_sites++][len] = '\0';
    }
    fclose(f);
    FUZZ_CHECK(n_sites > 0, "no domain in data/allowlist.csv");
}

static int is_site(fidx_str_t v)
{
    for (size_t i = 0; i < n_sites; i++)
        if (fidx_str_eq(v, sites[i]))
            return 1;
    return 0;
}

static void check_match(const fidx_lookalike_t *x, const fidx_lookalike_match_t *m, int own)
{
    char json[FIDX_LOOKALIKE_JSON_MAX];
    FUZZ_CHECK(m->rule >= FIDX_LOOKALIKE_DOMAIN_LABELS && m->rule <= FIDX_LOOKALIKE_SHORTENER,
               "a match without a rule");
    FUZZ_CHECK(m->brand.len > 0 && m->value.len > 0, "a match names nothing");
    FUZZ_CHECK(!own || m->rule == FIDX_LOOKALIKE_SHORTENER || is_site(m->value),
               "a match names no allowlisted site");
    FUZZ_CHECK(fidx_lookalike_json_members(m, json, sizeof json) > 0,
               "the JSON of a match does not fit FIDX_LOOKALIKE_JSON_MAX");
    (void)x;
}

static int check_host(const fidx_lookalike_t *x, const char *p, size_t n, int own)
{
    fidx_lookalike_match_t m, again;
    int rc = fidx_lookalike_check(x, p, n, &m);
    FUZZ_CHECK(rc == 0 || rc == 1 || rc == FIDX_EINVAL, "check returned an undocumented code");
    if (rc == 1)
        check_match(x, &m, own);
    FUZZ_CHECK(fidx_lookalike_check(x, p, n, &again) == rc, "the same host, another answer");
    return rc;
}

/* The input as host labels ([a-z0-9-] kept, anything else a dot, runs of dots as one, at
 * most 180 bytes) in front of an allowlisted site: a subdomain, never flagged. */
static void subdomain(const uint8_t *data, size_t size)
{
    if (size == 0)
        return;
    const char *site = sites[data[0] % n_sites];
    char host[512];
    size_t n = 0;
    for (size_t i = 1; i < size && n < 180; i++) {
        char c = (char)data[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok && (n == 0 || host[n - 1] == '.'))
            continue;
        if (!ok || (n > 0 && host[n - 1] != '.' && n % 60 == 59))
            c = '.';
        host[n++] = c;
    }
    if (n > 0 && host[n - 1] != '.')
        host[n++] = '.';
    memcpy(host + n, site, strlen(site));
    n += strlen(site);
    char *h = fuzz_dup(host, n);
    FUZZ_CHECK(check_host(la, h, n, 1) == 0 || check_host(la, h, n, 1) == FIDX_EINVAL,
               "a subdomain of an allowlisted site is flagged");
    FUZZ_CHECK(check_host(la, site, strlen(site), 1) == 0, "an allowlisted site is flagged");
    free(h);
}

/* The input added as an allowlisted domain: if the index takes it, it is never flagged. */
static void own_site(const char *p, size_t n)
{
    fidx_lookalike_t *x;
    fidx_err_t err;
    FUZZ_CHECK(fidx_lookalike_new(&x, &err) == 0, "cannot make an index");
    int rc = fidx_lookalike_add(x, FIDX_KIND_DOMAIN, p, n, p, n, &err);
    FUZZ_CHECK(rc == 0 || rc == FIDX_EINVAL, "add returned an undocumented code");
    if (rc == 0)
        FUZZ_CHECK(check_host(x, p, n, 0) == 0, "a site flagged by its own index");
    fidx_lookalike_free(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!la)
        init();
    if (size == 0)
        return 0;
    int mode = data[0] & 3;
    char *p = fuzz_dup(data + 1, size - 1);
    size_t n = size - 1;
    fidx_lookalike_match_t m;
    if (mode == 0) {
        check_host(la, p, n, 1);
    } else if (mode == 1) {
        fidx_kind_t kind = (data[0] & 4) ? FIDX_KIND_DOMAIN : FIDX_KIND_URL;
        if (fidx_lookalike_check_canonical(la, kind, p, n, &m) == 1)
            check_match(la, &m, 1);
    } else if (mode == 2) {
        subdomain(data + 1, n);
    } else {
        own_site(p, n);
    }
    free(p);
    return 0;
}
