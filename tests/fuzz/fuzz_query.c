/* Fuzz target for query strings (service/src/http/query.c; libFuzzer; replayed by ctest, see
 * docs/FUZZING.md): finding a parameter and decoding its value, the first thing GET /v1/check
 * and GET /check do with what a citizen typed.
 * Input: byte 0 % 8 is the length n of a parameter name, bytes 1..n the name (an input whose
 * name holds a NUL is skipped), byte n+1 picks a small output cap, the rest is the query.
 * Properties: find counts what a naive split at '&' and '=' counts and gives the first value;
 * decoding agrees with a naive reference decoder (FIDX_EINVAL exactly for a '%' without two hex
 * digits), never writes past cap (blocks of exactly cap bytes), gives at most as many bytes as
 * it read, is the identity on text without '%' and '+', and its cap is exact: out_len bytes
 * are enough, one fewer is FIDX_ENOSPC, and any cap either holds the same result or says
 * ENOSPC. */
#include "http/query.h"

#include "fuzz_common.h"

/* find, the naive way: every '&'-separated pair of query[0..len), its name up to the first '='
 * (an empty query has no pairs). */
static size_t naive_find(const char *q, size_t len, const char *name, fidx_str_t *first)
{
    size_t count = 0, nlen = strlen(name);
    for (size_t start = 0; len && start <= len;) {
        size_t end = start;
        while (end < len && q[end] != '&')
            end++;
        size_t key = start;
        while (key < end && q[key] != '=')
            key++;
        if (key - start == nlen && memcmp(q + start, name, nlen) == 0 && count++ == 0)
            *first = key < end ? fidx_str(q + key + 1, end - key - 1) : fidx_str(q + end, 0);
        start = end + 1;
    }
    return count;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* decode, the naive way, into out (len bytes are always enough). */
static int naive_decode(const char *p, size_t len, char *out, size_t *out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '%') {
            if (i + 2 >= len || hexval((unsigned char)p[i + 1]) < 0 ||
                hexval((unsigned char)p[i + 2]) < 0)
                return FIDX_EINVAL;
            out[o++] =
                (char)(hexval((unsigned char)p[i + 1]) * 16 + hexval((unsigned char)p[i + 2]));
            i += 2;
        } else {
            out[o++] = p[i] == '+' ? ' ' : p[i];
        }
    }
    *out_len = o;
    return 0;
}

/* Decodes into a heap block of exactly cap bytes; the result (if 0) is copied to out. */
static int decode_cap(const char *p, size_t len, size_t cap, char *out, size_t *out_len)
{
    char *block = malloc(cap ? cap : 1);
    FUZZ_CHECK(block != NULL, "out of memory in the harness");
    size_t n = SIZE_MAX;
    int rc = fidx__query_decode(p, len, block, cap, &n);
    FUZZ_CHECK(rc == 0 || rc == FIDX_EINVAL || rc == FIDX_ENOSPC,
               "decode returned a code its contract does not list");
    if (rc == 0) {
        FUZZ_CHECK(n <= cap, "decode claims more bytes than its cap");
        FUZZ_CHECK(n <= len, "decode gave more bytes than it read");
        memcpy(out, block, n);
        *out_len = n;
    }
    free(block);
    return rc;
}

static void check_find(const char *q, size_t len, const char *name)
{
    fidx_str_t v = {NULL, 0}, want = {NULL, 0};
    size_t count = fidx__query_find(q, len, name, &v);
    FUZZ_CHECK(count == naive_find(q, len, name, &want), "find counted otherwise than a split");
    if (count)
        FUZZ_CHECK(v.p == want.p && v.len == want.len, "find gave another value than the first");
}

static void check_decode(const char *q, size_t len, size_t small_cap)
{
    char *want = malloc(len ? len : 1), *got = malloc(len ? len : 1);
    FUZZ_CHECK(want && got, "out of memory in the harness");
    size_t want_len = 0, got_len = 0;
    int want_rc = naive_decode(q, len, want, &want_len);
    int rc = decode_cap(q, len, len, got, &got_len);
    FUZZ_CHECK(rc == want_rc, "decode refused otherwise than the reference");
    if (rc == 0) {
        FUZZ_CHECK(got_len == want_len && memcmp(got, want, got_len) == 0,
                   "decode gave other bytes than the reference");
        if (!memchr(q, '%', len) && !memchr(q, '+', len))
            FUZZ_CHECK(got_len == len && memcmp(got, q, len) == 0,
                       "decoding text without '%' or '+' changed it");
        FUZZ_CHECK(decode_cap(q, len, got_len, got, &got_len) == 0 && got_len == want_len &&
                       memcmp(got, want, got_len) == 0,
                   "out_len bytes of room were not enough");
        if (want_len > 0)
            FUZZ_CHECK(decode_cap(q, len, want_len - 1, got, &got_len) == FIDX_ENOSPC,
                       "one byte less than out_len was not ENOSPC");
    }
    rc = decode_cap(q, len, small_cap, got, &got_len);
    if (rc == 0)
        FUZZ_CHECK(want_rc == 0 && got_len == want_len && memcmp(got, want, got_len) == 0,
                   "a small cap gave another result");
    else if (want_rc == 0)
        FUZZ_CHECK(rc == FIDX_ENOSPC && want_len > small_cap,
                   "a cap that holds the result was refused");
    free(want);
    free(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t nlen = data[0] % 8;
    if (size < 2 + nlen || memchr(data + 1, '\0', nlen))
        return 0;
    char name[8];
    memcpy(name, data + 1, nlen);
    name[nlen] = '\0';
    size_t len = size - 2 - nlen;
    /* Exactly len bytes, no NUL after them (an empty query: one initialised byte, unread). */
    char *q = len ? fuzz_dup(data + 2 + nlen, len) : fuzz_dup("", 1);
    check_find(q, len, name);
    check_decode(q, len, data[1 + nlen] % (len + 1));
    /* The value find gives is what the service decodes. */
    fidx_str_t v = {NULL, 0};
    if (fidx__query_find(q, len, name, &v) && v.len)
        check_decode(v.p, v.len, v.len / 2);
    free(q);
    return 0;
}
