/* Fuzz target for fidx_scan (libFuzzer; replayed by ctest, see docs/FUZZING.md).
 * Properties: a scan of any bytes succeeds (or refuses over 64 KiB); its matches lie inside the
 * text, in order and without overlap, at most FIDX_SCAN_MAX_MATCHES of them and all of them
 * below that (truncated says which); each match's value is one of the result's values, which
 * are distinct, NUL-terminated inside the arena and normalise to themselves as their kind (a
 * value a lookup could not read again would judge nothing: the post's verdict rests on them). */
#include "fidx/normalize.h"
#include "fidx/scan.h"

#include "fuzz_common.h"

static fidx_scanner_t *scanner;
static fidx_scan_result_t *res;

static void check_value(const fidx_scan_value_t *v)
{
    char *out = malloc(FIDX_CANON_CAP);
    fidx_kind_t kind;
    size_t n = 0;
    FUZZ_CHECK(out != NULL, "out of memory in the harness");
    FUZZ_CHECK(v->canonical.len > 0 && v->canonical.p[v->canonical.len] == '\0',
               "a canonical value is empty or not NUL-terminated");
    FUZZ_CHECK(v->canonical.p >= res->arena && v->canonical.p < res->arena + res->arena_len,
               "a canonical value is outside the arena");
    int rc = fidx_normalize(v->kind, NULL, v->canonical.p, v->canonical.len, &kind, out,
                            FIDX_CANON_CAP, &n, NULL);
    FUZZ_CHECK(rc == 0, "a value does not read as its kind (a lookup would refuse it)");
    FUZZ_CHECK(n == v->canonical.len && memcmp(out, v->canonical.p, n) == 0,
               "a value is not canonical");
    free(out);
}

static void check_match(const fidx_scan_match_t *m, size_t size, size_t prev_end)
{
    FUZZ_CHECK(m->start < m->end && m->end <= size, "a match lies outside the text");
    FUZZ_CHECK(m->start >= prev_end, "matches overlap or are out of order");
    FUZZ_CHECK(m->value < res->nvalues, "a match names no value");
    FUZZ_CHECK(res->values[m->value].kind == m->kind &&
                   res->values[m->value].canonical.p == m->canonical.p,
               "a match is not its value");
}

static void check_values(void)
{
    FUZZ_CHECK(res->nvalues <= res->found, "more values than indicators found");
    for (size_t i = 0; i < res->nvalues; i++) {
        check_value(&res->values[i]);
        for (size_t j = 0; j < i && res->nvalues <= 256; j++)
            FUZZ_CHECK(res->values[i].kind != res->values[j].kind ||
                           strcmp(res->values[i].canonical.p, res->values[j].canonical.p) != 0,
                       "a value is kept twice");
    }
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
    FUZZ_CHECK(res->n == (res->found < FIDX_SCAN_MAX_MATCHES ? res->found : FIDX_SCAN_MAX_MATCHES),
               "not every match listed up to the limit");
    FUZZ_CHECK(res->truncated == (res->found > res->n), "truncated does not say what is missing");
    size_t prev_end = 0;
    for (size_t i = 0; i < res->n; i++) {
        check_match(&res->m[i], size, prev_end);
        prev_end = res->m[i].end;
    }
    check_values();
    return 0;
}
