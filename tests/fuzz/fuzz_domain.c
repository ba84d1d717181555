/* Fuzz target for fidx_domain_normalize (libFuzzer; replayed by ctest, see docs/FUZZING.md).
 * Properties: the normaliser contract (fuzz_common.h: codes, twice == once, exact buffer
 * bound) and the shape domain.h promises: lower-case letters, digits, '-', '_' and dots, at
 * least one dot, no empty label, labels of at most 63 bytes, at most 253 bytes, and the same
 * name when read as the host of a URL (lookups compare domain entries with URL hosts). */
#include "fidx/domain.h"
#include "fidx/url.h"

#include "fuzz_common.h"

static void check_labels(const char *p, size_t n)
{
    FUZZ_CHECK(n <= 253, "domain longer than 253 bytes");
    FUZZ_CHECK(fuzz_all_of(p, n, "abcdefghijklmnopqrstuvwxyz" FUZZ_DIGITS "-_."),
               "domain holds a byte outside [a-z0-9-_.]");
    FUZZ_CHECK(memchr(p, '.', n) != NULL, "domain without a dot");
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '.')
            continue;
        FUZZ_CHECK(i > start, "domain has an empty label");
        FUZZ_CHECK(i - start <= 63, "domain label longer than 63 bytes");
        FUZZ_CHECK(p[start] != '-' && p[i - 1] != '-', "domain label starts or ends with '-'");
        start = i + 1;
    }
}

/* "http://" + domain + "/" canonicalises to itself: the domain is a URL host as lookups see. */
static void check_as_host(const char *p, size_t n)
{
    char *url = malloc(n + 9), *canon = malloc(FIDX_CANON_CAP);
    FUZZ_CHECK(url && canon, "out of memory in the harness");
    memcpy(url, "http://", 7);
    memcpy(url + 7, p, n);
    url[7 + n] = '/';
    size_t len = 0;
    int rc = fidx_url_canonicalize(url, n + 8, canon, FIDX_CANON_CAP, &len, NULL);
    FUZZ_CHECK(rc == 0 && len == n + 8 && memcmp(canon, url, n + 8) == 0,
               "http://<domain>/ is not a canonical URL with that host");
    free(url);
    free(canon);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    char *canon = fuzz_normalizer_contract(fidx_domain_normalize, data, size, &n);
    if (!canon)
        return 0;
    check_labels(canon, n);
    check_as_host(canon, n);
    free(canon);
    return 0;
}
