/* Unit tests for http/query.c: finding a parameter in a query string as sent, and decoding its
 * value (percent escapes, '+' as space) into a bounded buffer. Queries and outputs sit in heap
 * blocks of their exact size, so a read past the query or a write past cap fails under ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../svc_test.h"
#include "http/query.h"

/* How many times name occurs in query, and its first value as text. */
typedef struct {
    size_t count;
    char value[64];
    int value_inside; /* the value is a slice of the query, not a copy */
} found_t;

static found_t find(const char *query, const char *name)
{
    found_t f = {0, "", 0};
    size_t len = strlen(query);
    char *q = svc_exact(query, len);
    fidx_str_t v = {NULL, 0};
    f.count = fidx__query_find(q, len, name, &v);
    if (f.count) {
        assert_true(v.len < sizeof f.value);
        if (v.len)
            memcpy(f.value, v.p, v.len);
        f.value[v.len] = '\0';
        f.value_inside = v.p >= q && v.p + v.len <= q + len;
    }
    free(q);
    return f;
}

static void find_counts_and_takes_the_first(void **state)
{
    (void)state;
    found_t f = find("q=1&kind=phone&q=2", "q");
    assert_int_equal(f.count, 2);
    assert_string_equal(f.value, "1");
    assert_true(f.value_inside);
    f = find("kind=phone&q=0912", "q");
    assert_int_equal(f.count, 1);
    assert_string_equal(f.value, "0912");
    f = find("q=a=b", "q"); /* only the first '=' separates */
    assert_int_equal(f.count, 1);
    assert_string_equal(f.value, "a=b");
    f = find("q=1&q=2&q=3&q", "q");
    assert_int_equal(f.count, 4);
    assert_string_equal(f.value, "1");
    assert_int_equal(find("kind=phone", "q").count, 0);
    assert_int_equal(find("", "q").count, 0);
}

static void empty_values(void **state)
{
    (void)state;
    found_t f = find("q", "q");
    assert_int_equal(f.count, 1);
    assert_string_equal(f.value, "");
    assert_true(f.value_inside);
    f = find("q=", "q");
    assert_int_equal(f.count, 1);
    assert_string_equal(f.value, "");
    f = find("q&q=2", "q"); /* the first occurrence wins even when empty */
    assert_int_equal(f.count, 2);
    assert_string_equal(f.value, "");
    f = find("a=1&q", "q"); /* "q" ending the buffer */
    assert_int_equal(f.count, 1);
    assert_string_equal(f.value, "");
}

static void names_compared_as_sent(void **state)
{
    (void)state;
    /* A name that is a prefix of another, or has one as its prefix, is another name. */
    found_t f = find("qq=1&q=2", "q");
    assert_int_equal(f.count, 1);
    assert_string_equal(f.value, "2");
    f = find("qq=1&q=2", "qq");
    assert_int_equal(f.count, 1);
    assert_string_equal(f.value, "1");
    assert_int_equal(find("q=1", "qq").count, 0);
    assert_int_equal(find("qx", "q").count, 0);
    assert_int_equal(find("xq=1", "q").count, 0);
    /* Not decoded, not folded: "%71" is not "q", "Q" is not "q", "q+" is not "q". */
    assert_int_equal(find("%71=1", "q").count, 0);
    assert_int_equal(find("Q=1", "q").count, 0);
    assert_int_equal(find("q+=1", "q").count, 0);
    assert_int_equal(find("q%3D1", "q").count, 0);
}

static void empty_pairs_are_skipped(void **state)
{
    (void)state;
    found_t f = find("&&q=1&&", "q");
    assert_int_equal(f.count, 1);
    assert_string_equal(f.value, "1");
    f = find("&q=x&", "q");
    assert_int_equal(f.count, 1);
    assert_string_equal(f.value, "x");
    assert_int_equal(find("&&", "q").count, 0);
    assert_int_equal(find("&", "q").count, 0);
    assert_int_equal(find("=", "q").count, 0);
    assert_int_equal(find("=q", "q").count, 0);
}

/* The query is read only within its length: a slice of a longer target. */
static void only_within_len(void **state)
{
    (void)state;
    const char target[] = "a=1&q=2";
    fidx_str_t v = {NULL, 0};
    assert_int_equal(fidx__query_find(target, 4, "q", &v), 0); /* "a=1&" */
    assert_int_equal(fidx__query_find(target, 5, "q", &v), 1); /* "a=1&q" */
    assert_int_equal(v.len, 0);
    assert_int_equal(fidx__query_find(target, 6, "q", &v), 1); /* "a=1&q=" */
    assert_int_equal(v.len, 0);
    assert_int_equal(fidx__query_find(target, 7, "q", &v), 1);
    assert_int_equal(v.len, 1);
    assert_memory_equal(v.p, "2", 1);
    assert_int_equal(fidx__query_find(target, 3, "a", &v), 1); /* "a=1" */
    assert_int_equal(v.len, 1);
    assert_int_equal(fidx__query_find(target, 0, "a", &v), 0);
}

/* Decodes in into a block of exactly cap bytes; returns the code, and the text in out. */
static int decode(const char *in, size_t in_len, size_t cap, char *out, size_t *out_len)
{
    char *p = svc_exact(in, in_len);
    char *o = malloc(cap ? cap : 1);
    assert_non_null(o);
    *out_len = SIZE_MAX;
    int rc = fidx__query_decode(p, in_len, o, cap, out_len);
    if (rc == 0) {
        assert_true(*out_len <= cap);
        assert_true(*out_len <= in_len);
        memcpy(out, o, *out_len);
    }
    free(o);
    free(p);
    return rc;
}

static void assert_decodes(const char *in, const char *want, size_t want_len)
{
    char out[256];
    size_t n;
    assert_int_equal(decode(in, strlen(in), strlen(in), out, &n), 0);
    assert_int_equal(n, want_len);
    assert_memory_equal(out, want, want_len);
}

#define DECODES(in, lit) assert_decodes(in, lit, sizeof(lit) - 1)

static void decode_escapes_and_plus(void **state)
{
    (void)state;
    DECODES("0912345678", "0912345678");
    DECODES("%41%4a%4A%6b", "AJJk"); /* upper and lower case hex */
    DECODES("0912+345+678", "0912 345 678");
    DECODES("%2B+%2b", "+ +"); /* an escaped '+' stays a '+' */
    DECODES("https%3A%2F%2Fevil.example%2F", "https://evil.example/");
    DECODES("%25", "%");
    DECODES("%2541", "%41"); /* decoded once, not twice */
    DECODES("%E1%BB%87", "\xe1\xbb\x87");
    DECODES("%ff%80", "\xff\x80"); /* any byte: checking UTF-8 is the caller's job */
    DECODES("a%00b", "a\0b");      /* decoded; the caller refuses a NUL */
    DECODES("", "");
}

static void decode_refuses_bad_escapes(void **state)
{
    (void)state;
    const char *bad[] = {"%",    "a%",   "%4",  "a%4", "%zz", "%4g", "%g4",
                         "%%41", "% 41", "%-1", "%+1", "%0x", "abc%"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char out[64];
        size_t n;
        if (decode(bad[i], strlen(bad[i]), 64, out, &n) != FIDX_EINVAL)
            fail_msg("\"%s\" was not refused with FIDX_EINVAL", bad[i]);
    }
    /* An escape cut by the end of the slice, though its digits follow in memory. */
    const char target[] = "q%41";
    char out[8];
    size_t n;
    assert_int_equal(fidx__query_decode(target, 3, out, sizeof out, &n), FIDX_EINVAL);
    assert_int_equal(fidx__query_decode(target, 4, out, sizeof out, &n), 0);
    assert_int_equal(n, 2);
}

static void decode_cap_is_exact(void **state)
{
    (void)state;
    char out[64];
    size_t n;
    assert_int_equal(decode("abc", 3, 3, out, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(decode("abc", 3, 2, out, &n), FIDX_ENOSPC);
    assert_int_equal(decode("a+c", 3, 2, out, &n), FIDX_ENOSPC);
    assert_int_equal(decode("%41%42", 6, 2, out, &n), 0); /* six bytes in, two out */
    assert_int_equal(n, 2);
    assert_memory_equal(out, "AB", 2);
    assert_int_equal(decode("%41%42", 6, 1, out, &n), FIDX_ENOSPC);
    assert_int_equal(decode("", 0, 0, out, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(decode("a", 1, 0, out, &n), FIDX_ENOSPC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(find_counts_and_takes_the_first),
        cmocka_unit_test(empty_values),
        cmocka_unit_test(names_compared_as_sent),
        cmocka_unit_test(empty_pairs_are_skipped),
        cmocka_unit_test(only_within_len),
        cmocka_unit_test(decode_escapes_and_plus),
        cmocka_unit_test(decode_refuses_bad_escapes),
        cmocka_unit_test(decode_cap_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
