/* Fuzz target for fidx_url_canonicalize and the lookup expressions (libFuzzer; replayed by
 * ctest, see docs/FUZZING.md). Properties:
 * - the normaliser contract (fuzz_common.h: codes, twice == once, exact buffer bound);
 * - the canonical URL splits, with scheme http or https and a path starting with '/';
 * - its expressions are well-formed: at most FIDX_URL_MAX_EXPRS of them, each a slice of the
 *   result's buffer of at most 1 KiB, "host/path" with no scheme, its host one of the URL's
 *   host suffixes (the exact host first), host_labels and path_len as the text says, no two
 *   the same;
 * - the entry key (how a url indicator is stored) equals the first expression, and reads back
 *   as a URL whose entry key is itself: a stored url entry is found by a lookup of its key. */
#include "fidx/url.h"

#include "fuzz_common.h"

static void check_split(const char *canon, size_t n, fidx_url_parts_t *u)
{
    FUZZ_CHECK(fidx_url_split(canon, n, u) == 0, "the canonical URL does not split");
    FUZZ_CHECK(fidx_str_eq(u->scheme, "http") || fidx_str_eq(u->scheme, "https"),
               "canonical scheme is not http or https");
    FUZZ_CHECK(u->host.len > 0, "canonical URL without a host");
    FUZZ_CHECK(u->path.len > 0 && u->path.p[0] == '/', "canonical path does not start with '/'");
    FUZZ_CHECK(u->port >= 0 && u->port <= 65535, "port out of range");
}

static unsigned labels_of(const char *p, size_t n)
{
    unsigned k = 1;
    for (size_t i = 0; i < n; i++)
        k += p[i] == '.';
    return k > 255 ? 255 : k;
}

static void check_expr(const fidx_url_exprs_t *ex, size_t i, const fidx_url_parts_t *u)
{
    fidx_str_t e = ex->expr[i];
    FUZZ_CHECK(e.p >= ex->buf && e.len <= sizeof ex->buf &&
                   (size_t)(e.p - ex->buf) <= sizeof ex->buf - e.len,
               "an expression lies outside the result's buffer");
    FUZZ_CHECK(e.len > 0 && e.len <= 1024, "an expression is empty or longer than 1 KiB");
    FUZZ_CHECK(ex->path_len[i] < e.len, "path_len leaves no host");
    size_t host = e.len - ex->path_len[i];
    FUZZ_CHECK(e.p[host] == '/', "an expression's path does not start with '/'");
    FUZZ_CHECK(memchr(e.p, '/', host) == NULL, "an expression's host holds a '/'");
    FUZZ_CHECK(host <= u->host.len && memcmp(e.p, u->host.p + u->host.len - host, host) == 0 &&
                   (host == u->host.len || u->host.p[u->host.len - host - 1] == '.'),
               "an expression's host is not a suffix of the URL's host");
    /* Expressions over 1 KiB are skipped: then the exact host may have none. */
    FUZZ_CHECK(i > 0 || host == u->host.len || u->host.len + u->path.len > 1024,
               "the first expression is not on the exact host");
    FUZZ_CHECK(ex->host_labels[i] == labels_of(e.p, host), "host_labels is wrong");
    FUZZ_CHECK(memcmp(e.p + host, u->path.p,
                      ex->path_len[i] < u->path.len ? ex->path_len[i] : u->path.len) == 0,
               "an expression's path is not a prefix of the URL's path");
    for (size_t j = 0; j < i; j++)
        FUZZ_CHECK(ex->expr[j].len != e.len || memcmp(ex->expr[j].p, e.p, e.len) != 0,
                   "the same expression twice");
}

/* The key reads back: canonicalising it gives a URL whose entry key is the key. */
static void check_key_round_trip(const char *key, size_t n)
{
    char *in = fuzz_dup(key, n), *canon = malloc(FIDX_CANON_CAP), *again = malloc(FIDX_CANON_CAP);
    size_t clen = 0, alen = 0;
    FUZZ_CHECK(canon && again, "out of memory in the harness");
    FUZZ_CHECK(fidx_url_canonicalize(in, n, canon, FIDX_CANON_CAP, &clen, NULL) == 0,
               "an entry key is not a URL");
    FUZZ_CHECK(fidx_url_entry_key(canon, clen, again, FIDX_CANON_CAP, &alen) == 0 && alen == n &&
                   memcmp(again, key, n) == 0,
               "an entry key read back as a URL has another entry key");
    free(in);
    free(canon);
    free(again);
}

static void check_expressions(const char *canon, size_t n)
{
    fidx_url_parts_t u;
    check_split(canon, n, &u);
    fidx_url_exprs_t *ex = malloc(sizeof *ex);
    FUZZ_CHECK(ex != NULL, "out of memory in the harness");
    int rc = fidx_url_expressions(canon, n, ex);
    FUZZ_CHECK(rc == 0, "a canonical URL has no expressions");
    FUZZ_CHECK(ex->n <= FIDX_URL_MAX_EXPRS, "too many expressions");
    for (size_t i = 0; i < ex->n; i++)
        check_expr(ex, i, &u);
    char key[FIDX_CANON_CAP];
    size_t klen = 0;
    rc = fidx_url_entry_key(canon, n, key, sizeof key, &klen);
    FUZZ_CHECK(rc == 0 || rc == FIDX_ETOOBIG, "entry key failed other than for length");
    if (rc == 0) {
        FUZZ_CHECK(ex->n > 0 && ex->expr[0].len == klen && memcmp(ex->expr[0].p, key, klen) == 0,
                   "the entry key is not the first expression");
        check_key_round_trip(key, klen);
    }
    free(ex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    char *canon = fuzz_normalizer_contract(fidx_url_canonicalize, data, size, &n);
    if (!canon)
        return 0;
    check_expressions(canon, n);
    free(canon);
    return 0;
}
