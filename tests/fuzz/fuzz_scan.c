/* Fuzz target for fidx_scan (libFuzzer; replayed by ctest, see docs/FUZZING.md).
 * Properties: a scan of any bytes succeeds (or refuses over 64 KiB); its matches lie inside the
 * text, in order and without overlap; each canonical value is NUL-terminated inside the arena
 * and normalises to itself as the kind reported, so a bot can look it up. */
#include "fidx/normalize.h"
#include "fidx/scan.h"

#include "fuzz_common.h"

static fidx_scanner_t *scanner;
static fidx_scan_result_t *res;

static void check_match(const fidx_scan_match_t *m, size_t size, size_t prev_end)
{
    char *out = malloc(FIDX_CANON_CAP);
    fidx_kind_t kind;
    size_t n = 0;
    FUZZ_CHECK(out != NULL, "out of memory in the harness");
    FUZZ_CHECK(m->start < m->end && m->end <= size, "a match lies outside the text");
    FUZZ_CHECK(m->start >= prev_end, "matches overlap or are out of order");
    FUZZ_CHECK(m->canonical.len > 0 && m->canonical.p[m->canonical.len] == '\0',
               "a canonical value is empty or not NUL-terminated");
    FUZZ_CHECK(m->canonical.p >= res->arena && m->canonical.p < res->arena + res->arena_len,
               "a canonical value is outside the arena");
    int rc = fidx_normalize(m->kind, NULL, m->canonical.p, m->canonical.len, &kind, out,
                            FIDX_CANON_CAP, &n, NULL);
    /* A canonical URL may outgrow the input limit (escaping triples bytes): then it is refused
     * as too long, never as invalid. */
    FUZZ_CHECK(rc == 0 || rc == FIDX_ETOOBIG, "a reported value does not read as its kind");
    if (rc == 0)
        FUZZ_CHECK(n == m->canonical.len && memcmp(out, m->canonical.p, n) == 0,
                   "a reported value is not canonical");
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!scanner) {
        FUZZ_CHECK(fidx_scanner_new(&scanner, NULL) == 0, "cannot make a scanner");
        res = malloc(sizeof *res);
        FUZZ_CHECK(res != NULL, "out of memory in the harness");
    }
    int rc = fidx_scan(scanner, (const char *)data, size, res, NULL);
    if (size > FIDX_SCAN_MAX_TEXT) {
        FUZZ_CHECK(rc == FIDX_ETOOBIG, "a text over 64 KiB was not refused");
        return 0;
    }
    FUZZ_CHECK(rc == 0, "a scan failed");
    FUZZ_CHECK(res->n <= FIDX_SCAN_MAX_MATCHES, "more matches than the limit");
    size_t prev_end = 0;
    for (size_t i = 0; i < res->n; i++) {
        check_match(&res->m[i], size, prev_end);
        prev_end = res->m[i].end;
    }
    return 0;
}
