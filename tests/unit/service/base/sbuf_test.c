/* Unit tests for base/sbuf.c: a buffer grows as written (doubling, so appending byte by byte is
 * linear), never holds more than its max (a write that would pass it sets `failed`, and every
 * later write does nothing until a reset), and its formatted writes (numbers, printf, JSON
 * strings) say what they should. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../svc_test.h"
#include "base/sbuf.h"

#define ASSERT_HOLDS(b, lit)                                                                       \
    do {                                                                                           \
        assert_int_equal((b)->len, sizeof(lit) - 1);                                               \
        assert_memory_equal((b)->p, lit, sizeof(lit) - 1);                                         \
    } while (0)

static void grows_as_written(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, SIZE_MAX / 2);
    assert_int_equal(b.len, 0);
    assert_false(b.failed);
    fidx__sbuf_put(&b, "", 0);
    assert_int_equal(b.len, 0);
    /* A million bytes one at a time: each byte lands, and the buffer is reallocated only a
     * logarithmic number of times (it doubles). */
    size_t n = 1000000, moves = 0, cap = b.cap;
    for (size_t i = 0; i < n; i++) {
        char ch = (char)('a' + i % 26);
        fidx__sbuf_put(&b, &ch, 1);
        if (b.cap != cap) {
            moves++;
            cap = b.cap;
        }
    }
    assert_false(b.failed);
    assert_int_equal(b.len, n);
    assert_true(b.cap >= n && b.cap < 2 * n + 1024);
    assert_true(moves <= 12); /* 1 KiB, then doublings to 1 MiB */
    for (size_t i = 0; i < n; i += 4099)
        assert_int_equal(b.p[i], 'a' + i % 26);
    /* One large piece at once. */
    char *big = calloc(1, 5 << 20);
    assert_non_null(big);
    fidx__sbuf_put(&b, big, 5 << 20);
    assert_int_equal(b.len, n + (5 << 20));
    assert_int_equal(b.p[n + 12345], 0);
    assert_int_equal(b.p[n - 1], 'a' + (n - 1) % 26);
    free(big);
    fidx__sbuf_free(&b);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
}

/* Every kind of write leaves a failed buffer as it is. */
static void assert_writes_ignored(fidx__sbuf_t *b)
{
    size_t len = b->len;
    char *p = b->p;
    fidx__sbuf_put(b, "x", 1);
    fidx__sbuf_puts(b, "xyz");
    fidx__sbuf_putu(b, 7);
    fidx__sbuf_printf(b, "%d", 7);
    fidx__sbuf_json_string(b, "x", 1);
    assert_int_equal(fidx__sbuf_reserve(b, 0), -1);
    assert_int_equal(fidx__sbuf_reserve(b, 1), -1);
    assert_true(b->failed);
    assert_int_equal(b->len, len);
    assert_ptr_equal(b->p, p);
}

static void hard_max(void **state)
{
    (void)state;
    char bytes[5000];
    memset(bytes, 'm', sizeof bytes);
    /* Up to max exactly: fine. One byte more: failed, and nothing of it written. */
    size_t maxes[] = {1, 100, 1023, 1024, 1025, 3000, 4096};
    for (size_t i = 0; i < sizeof maxes / sizeof *maxes; i++) {
        size_t max = maxes[i];
        fidx__sbuf_t b;
        fidx__sbuf_init(&b, max);
        fidx__sbuf_put(&b, bytes, max / 2);
        fidx__sbuf_put(&b, bytes, max - max / 2);
        assert_false(b.failed);
        assert_int_equal(b.len, max);
        fidx__sbuf_put(&b, bytes, 1);
        assert_true(b.failed);
        assert_int_equal(b.len, max);
        assert_writes_ignored(&b);
        fidx__sbuf_free(&b);
        /* A piece that would pass max is refused whole, even when it fits in memory already
         * allocated. */
        fidx__sbuf_init(&b, max);
        fidx__sbuf_put(&b, bytes, 1);
        fidx__sbuf_put(&b, bytes, max);
        assert_true(b.failed);
        assert_int_equal(b.len, 1);
        fidx__sbuf_free(&b);
    }
}

static void reserve_limits(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 4096);
    assert_int_equal(fidx__sbuf_reserve(&b, 4096), 0);
    assert_int_equal(b.cap, 4096); /* doubling stops at max */
    assert_int_equal(b.len, 0);
    fidx__sbuf_put(&b, "ab", 2);
    assert_int_equal(fidx__sbuf_reserve(&b, SIZE_MAX - 1), -1); /* len + n overflows */
    assert_true(b.failed);
    assert_int_equal(b.len, 2);
    fidx__sbuf_free(&b);
}

static void reset_clears_failed(void **state)
{
    (void)state;
    char bytes[3000];
    memset(bytes, 'r', sizeof bytes);
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 2048);
    fidx__sbuf_put(&b, bytes, 2000);
    fidx__sbuf_put(&b, bytes, 100);
    assert_true(b.failed);
    char *p = b.p;
    size_t cap = b.cap;
    /* Memory up to keep bytes is kept for the next use. */
    fidx__sbuf_reset(&b, cap);
    assert_false(b.failed);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.p, p);
    assert_int_equal(b.cap, cap);
    fidx__sbuf_puts(&b, "again");
    ASSERT_HOLDS(&b, "again");
    assert_int_equal(b.max, 2048); /* the limit stays */
    fidx__sbuf_put(&b, bytes, 2048);
    assert_true(b.failed);
    /* More than keep is given back. */
    fidx__sbuf_reset(&b, cap - 1);
    assert_false(b.failed);
    assert_int_equal(b.len, 0);
    assert_null(b.p);
    assert_int_equal(b.cap, 0);
    fidx__sbuf_puts(&b, "and again");
    ASSERT_HOLDS(&b, "and again");
    fidx__sbuf_free(&b);
}

static void putu(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1024);
    fidx__sbuf_putu(&b, 0);
    ASSERT_HOLDS(&b, "0");
    fidx__sbuf_reset(&b, 1024);
    fidx__sbuf_putu(&b, UINT64_MAX);
    ASSERT_HOLDS(&b, "18446744073709551615");
    fidx__sbuf_reset(&b, 1024);
    uint64_t v[] = {1, 9, 10, 99, 100, 1000000007, 10000000000000000000u};
    const char *want = "1 9 10 99 100 1000000007 10000000000000000000 ";
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        fidx__sbuf_putu(&b, v[i]);
        fidx__sbuf_put(&b, " ", 1);
    }
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.p, want, b.len);
    fidx__sbuf_free(&b);
    /* The twenty digits of UINT64_MAX fit a max of exactly twenty. */
    fidx__sbuf_init(&b, 20);
    fidx__sbuf_putu(&b, UINT64_MAX);
    assert_false(b.failed);
    assert_int_equal(b.len, 20);
    fidx__sbuf_putu(&b, 0);
    assert_true(b.failed);
    fidx__sbuf_free(&b);
}

static void printf_formats(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1 << 20);
    fidx__sbuf_printf(&b, "%s=%d;%llu", "n", -42, 18446744073709551615ull);
    ASSERT_HOLDS(&b, "n=-42;18446744073709551615");
    fidx__sbuf_printf(&b, "%s", ""); /* nothing, and no NUL counted */
    assert_int_equal(b.len, 26);
    /* A long result grows the buffer. */
    fidx__sbuf_reset(&b, 0);
    fidx__sbuf_printf(&b, "%5000d|", 1);
    assert_int_equal(b.len, 5001);
    assert_int_equal(b.p[4999], '1');
    assert_int_equal(b.p[5000], '|');
    fidx__sbuf_free(&b);
}

/* printf's output counts against max as put's does: it may end exactly at max (its terminating
 * NUL is not part of the buffer). */
static void printf_up_to_max(void **state)
{
    (void)state;
    size_t maxes[] = {10, 1024, 2000};
    char text[2001];
    memset(text, 'p', 2000);
    text[2000] = '\0';
    for (size_t i = 0; i < sizeof maxes / sizeof *maxes; i++) {
        size_t max = maxes[i];
        fidx__sbuf_t b;
        fidx__sbuf_init(&b, max);
        fidx__sbuf_put(&b, "ab", 2);
        fidx__sbuf_printf(&b, "%.*s", (int)(max - 2), text);
        assert_false(b.failed);
        assert_int_equal(b.len, max);
        assert_memory_equal(b.p + 2, text, max - 2);
        fidx__sbuf_printf(&b, "%s", "x");
        assert_true(b.failed);
        assert_int_equal(b.len, max);
        fidx__sbuf_free(&b);
    }
    fidx__sbuf_t b; /* a max of 0 takes an empty text, and nothing more */
    fidx__sbuf_init(&b, 0);
    fidx__sbuf_printf(&b, "%s", "");
    assert_false(b.failed);
    assert_int_equal(b.len, 0);
    fidx__sbuf_printf(&b, "%d", 0);
    assert_true(b.failed);
    fidx__sbuf_free(&b);
}

/* json_string writes one JSON string that says the same thing. */
static void json_string_escapes(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 1 << 20);
    static const char in[] = "say \"hi\" \\ \n\r\t\x01\x1f\x7f\0 Vi\xe1\xbb\x87t </script>";
    fidx__sbuf_json_string(&b, in, sizeof in - 1);
    assert_false(b.failed);
    assert_int_equal(b.p[0], '"');
    assert_int_equal(b.p[b.len - 1], '"');
    for (size_t i = 0; i < b.len; i++)
        assert_true((unsigned char)b.p[i] >= 0x20);
    json_t *j = svc_json(b.p, b.len);
    assert_int_equal(json_string_length(j), sizeof in - 1);
    assert_memory_equal(json_string_value(j), in, sizeof in - 1);
    json_decref(j);
    /* Invalid UTF-8 comes out as U+FFFD; the result is still one string. */
    fidx__sbuf_reset(&b, 1 << 20);
    fidx__sbuf_json_string(&b, "\xff\xc0\xaf", 3);
    j = svc_json(b.p, b.len);
    assert_true(json_is_string(j));
    assert_non_null(strstr(json_string_value(j), "\xef\xbf\xbd"));
    json_decref(j);
    /* Empty, and appended after other text. */
    fidx__sbuf_reset(&b, 1 << 20);
    fidx__sbuf_puts(&b, "[");
    fidx__sbuf_json_string(&b, "", 0);
    fidx__sbuf_puts(&b, ",");
    fidx__sbuf_json_string(&b, "\"", 1);
    fidx__sbuf_puts(&b, "]");
    ASSERT_HOLDS(&b, "[\"\",\"\\\"\"]");
    fidx__sbuf_free(&b);
}

/* A string that may not fit is refused whole: nothing of it is written. */
static void json_string_refused_whole(void **state)
{
    (void)state;
    fidx__sbuf_t b;
    fidx__sbuf_init(&b, 64);
    fidx__sbuf_puts(&b, "{\"k\":");
    char v[100];
    memset(v, '\x01', sizeof v);
    fidx__sbuf_json_string(&b, v, sizeof v);
    assert_true(b.failed);
    ASSERT_HOLDS(&b, "{\"k\":");
    fidx__sbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grows_as_written),
        cmocka_unit_test(hard_max),
        cmocka_unit_test(reserve_limits),
        cmocka_unit_test(reset_clears_failed),
        cmocka_unit_test(putu),
        cmocka_unit_test(printf_formats),
        cmocka_unit_test(printf_up_to_max),
        cmocka_unit_test(json_string_escapes),
        cmocka_unit_test(json_string_refused_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
