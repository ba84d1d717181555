/* Fuzz target for kind detection and dispatch, fidx_detect_kind and fidx_normalize
 * (libFuzzer; replayed by ctest, see docs/FUZZING.md). Properties:
 * - fidx_normalize with FIDX_KIND_NONE accepts exactly the values fidx_detect_kind gives a
 *   kind, and reports that kind;
 * - normalising as the detected kind, asked for explicitly, gives the same value;
 * - the output normalises to itself as the detected kind (twice == once);
 * - it has a storage key (fidx_storage_key), as the indexer needs;
 * - the detected kind of the output is the same kind (a canonical value read back by a
 *   lookup without a kind is looked up as what it was stored as). */
#include "fidx/normalize.h"

#include "fuzz_common.h"

static int normalize_as(fidx_kind_t kind, const char *p, size_t n, char *out, size_t *out_len,
                        fidx_kind_t *kind_out)
{
    fidx_err_t err = {0, 0, NULL};
    *kind_out = FIDX_KIND_NONE;
    int rc = fidx_normalize(kind, NULL, p, n, kind_out, out, FIDX_CANON_CAP, out_len, &err);
    fuzz_check_result(rc, &err, n, out, *out_len);
    return rc;
}

static void check_canonical(fidx_kind_t kind, const char *canon, size_t n)
{
    char *in = fuzz_dup(canon, n), *again = malloc(FIDX_CANON_CAP);
    size_t len = 0;
    fidx_kind_t k;
    FUZZ_CHECK(again != NULL, "out of memory in the harness");
    int rc = normalize_as(kind, in, n, again, &len, &k);
    FUZZ_CHECK(rc == 0 && k == kind, "the output is refused as its own kind");
    FUZZ_CHECK(len == n && memcmp(again, canon, n) == 0,
               "the output does not normalise to itself as its kind");
    rc = fidx_storage_key(kind, canon, n, again, FIDX_CANON_CAP, &len);
    FUZZ_CHECK(rc == 0 || (kind == FIDX_KIND_URL && rc == FIDX_ETOOBIG),
               "a canonical value has no storage key");
    FUZZ_CHECK(fidx_detect_kind(in, n) == kind, "the output is detected as another kind");
    free(in);
    free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    fidx_kind_t detected = fidx_detect_kind(p, size), k;
    char *out = malloc(FIDX_CANON_CAP), *explicit = malloc(FIDX_CANON_CAP);
    size_t n = 0, en = 0;
    FUZZ_CHECK(out && explicit, "out of memory in the harness");
    int rc = normalize_as(FIDX_KIND_NONE, p, size, out, &n, &k);
    FUZZ_CHECK((rc == 0) == (detected != FIDX_KIND_NONE),
               "fidx_normalize and fidx_detect_kind disagree on whether the value has a kind");
    if (rc == 0) {
        FUZZ_CHECK(k == detected, "fidx_normalize reports another kind than fidx_detect_kind");
        rc = normalize_as(detected, p, size, explicit, &en, &k);
        FUZZ_CHECK(rc == 0 && k == detected && en == n && memcmp(explicit, out, n) == 0,
                   "the detected kind asked for explicitly gives another value");
        if (n <= FIDX_MAX_VALUE_LEN) /* a longer URL cannot be read again (fuzz_common.h) */
            check_canonical(detected, out, n);
    }
    /* Detection writes into out: a buffer under FIDX_CANON_CAP is refused up front. */
    char small[16];
    fidx_err_t err;
    if (size <= FIDX_MAX_VALUE_LEN)
        FUZZ_CHECK(fidx_normalize(FIDX_KIND_NONE, NULL, p, size, &k, small, sizeof small, &n,
                                  &err) == FIDX_ENOSPC,
                   "detection accepted a buffer under FIDX_CANON_CAP");
    free(out);
    free(explicit);
    return 0;
}
