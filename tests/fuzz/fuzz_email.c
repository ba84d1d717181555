/* Fuzz target for fidx_email_normalize (libFuzzer; replayed by ctest, see docs/FUZZING.md).
 * Properties: the normaliser contract (fuzz_common.h: codes, twice == once, exact buffer
 * bound) and the canonical shape email.h promises: one '@', a local part of 1-64 bytes with
 * no upper-case ASCII, and a domain part that is itself a canonical domain. */
#include "fidx/domain.h"
#include "fidx/email.h"

#include "fuzz_common.h"

static void check_shape(const char *p, size_t n)
{
    const char *at = memchr(p, '@', n);
    FUZZ_CHECK(at != NULL, "e-mail output has no '@'");
    size_t local = (size_t)(at - p), dom = n - local - 1;
    FUZZ_CHECK(memchr(at + 1, '@', dom) == NULL, "e-mail output has two '@'");
    FUZZ_CHECK(local >= 1 && local <= 64, "local part is not 1-64 bytes");
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(!(p[i] >= 'A' && p[i] <= 'Z'), "e-mail output is not lower-case");
    char *d = fuzz_dup(at + 1, dom), *out = malloc(FIDX_CANON_CAP);
    size_t len = 0;
    FUZZ_CHECK(out != NULL, "out of memory in the harness");
    int rc = fidx_domain_normalize(d, dom, out, FIDX_CANON_CAP, &len, NULL);
    FUZZ_CHECK(rc == 0 && len == dom && memcmp(out, at + 1, dom) == 0,
               "the domain part is not a canonical domain");
    free(d);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    char *canon = fuzz_normalizer_contract(fidx_email_normalize, data, size, &n);
    if (!canon)
        return 0;
    check_shape(canon, n);
    free(canon);
    return 0;
}
