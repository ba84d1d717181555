/* Fuzz target for fidx_social_normalize and fidx_social_from_url (libFuzzer; replayed by
 * ctest, see docs/FUZZING.md). The first input byte picks the platform hint (none, one of the
 * four platforms, an empty or an unknown name), the rest is the value. Properties:
 * - the normaliser contract (fuzz_common.h: codes, twice == once without a hint, exact buffer
 *   bound);
 * - the output is "platform:handle" with a known platform, no upper-case ASCII, a non-empty
 *   handle, and for zalo a canonical phone number;
 * - a profile link found in a canonical URL is a canonical account as well. */
#include "fidx/phone.h"
#include "fidx/social.h"
#include "fidx/url.h"

#include "fuzz_common.h"

static const char *const hints[] = {NULL, "facebook", "telegram", "tiktok", "zalo", "", "myspace"};
#define N_HINTS (sizeof hints / sizeof hints[0])

/* The platform hint of the running input: fuzz_norm_fn has no room for it. A harness is one
 * thread, and this is not library code. */
static const char *hint;

static int with_hint(const char *p, size_t len, char *out, size_t cap, size_t *out_len,
                     fidx_err_t *err)
{
    return fidx_social_normalize(p, len, hint, out, cap, out_len, err);
}

static int without_hint(const char *p, size_t len, char *out, size_t cap, size_t *out_len,
                        fidx_err_t *err)
{
    return fidx_social_normalize(p, len, NULL, out, cap, out_len, err);
}

static void check_shape(const char *p, size_t n)
{
    static const char *const platforms[] = {"facebook:", "telegram:", "tiktok:", "zalo:"};
    size_t plat = 0;
    for (size_t k = 0; k < 4 && !plat; k++)
        if (n > strlen(platforms[k]) && memcmp(p, platforms[k], strlen(platforms[k])) == 0)
            plat = strlen(platforms[k]);
    FUZZ_CHECK(plat > 0, "social output does not start with a known platform and a handle");
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(!(p[i] >= 'A' && p[i] <= 'Z'), "social output is not lower-case");
    if (plat != 5)
        return;
    char *h = fuzz_dup(p + 5, n - 5), out[FIDX_CANON_CAP];
    size_t len = 0;
    int rc = fidx_phone_normalize(h, n - 5, out, sizeof out, &len, NULL);
    FUZZ_CHECK(rc == 0 && len == n - 5 && memcmp(out, p + 5, len) == 0,
               "a zalo handle is not a canonical phone number");
    free(h);
}

/* When the value reads as a URL, a profile found in it is canonical too. */
static void check_from_url(const uint8_t *data, size_t size)
{
    char *canon = malloc(FIDX_CANON_CAP), *acct = malloc(FIDX_CANON_CAP);
    size_t n = 0, an = 0;
    FUZZ_CHECK(canon && acct, "out of memory in the harness");
    if (fidx_url_canonicalize((const char *)data, size, canon, FIDX_CANON_CAP, &n, NULL) == 0) {
        int rc = fidx_social_from_url(canon, n, acct, FIDX_CANON_CAP, &an);
        FUZZ_CHECK(rc == 0 || rc == FIDX_ENOTFOUND, "social_from_url returned another code");
        if (rc == 0) {
            FUZZ_CHECK(an > 0 && an < FIDX_CANON_CAP && acct[an] == '\0',
                       "social_from_url output is not a NUL-terminated value");
            check_shape(acct, an);
            fuzz_check_idempotent(without_hint, acct, an);
        }
    }
    free(canon);
    free(acct);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    hint = hints[data[0] % N_HINTS];
    data++, size--;
    size_t n;
    char *canon = fuzz_normalizer_contract(with_hint, data, size, &n);
    if (canon) {
        check_shape(canon, n);
        fuzz_check_idempotent(without_hint, canon, n);
        free(canon);
    }
    check_from_url(data, size);
    return 0;
}
