/* Unit tests for batch_items.c: the usual batch body is read in place, with its strings
 * decoded as JSON says; every other shape is left to jansson (FIDX_EINVAL), whether it is
 * valid JSON or not. fuzz_body checks the answers of both paths are the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "routes/batch_items.h"

static fidx__batch_reader_t r;

static size_t start(const char *body)
{
    size_t n = 99;
    assert_int_equal(fidx__batch_items_start(&r, body, strlen(body), &n), 0);
    return n;
}

static void refused(const char *body)
{
    size_t n;
    if (fidx__batch_items_start(&r, body, strlen(body), &n) != FIDX_EINVAL)
        fail_msg("read in place, but jansson's: %s", body);
}

static void assert_str(fidx_str_t s, const char *want, size_t len)
{
    assert_int_equal(s.len, len);
    assert_memory_equal(s.p, want, len);
}

static void strings_and_objects_in_any_spacing(void **state)
{
    (void)state;
    fidx__batch_item_t it;
    assert_int_equal(start(" {\"items\" :\n[ \"0912345678\" ,{\"platform\":null, \"q\":\"a\","
                           "\"kind\":\"phone\"} ,{\"q\":\"b\",\"platform\":\"facebook\"}]}\r\n"),
                     3);
    assert_int_equal(fidx__batch_items_next(&r, &it), 0);
    assert_false(it.object);
    assert_str(it.q, "0912345678", 10);
    assert_int_equal(fidx__batch_items_next(&r, &it), 0);
    assert_true(it.object);
    assert_str(it.q, "a", 1);
    assert_str(it.kind, "phone", 5);
    assert_null(it.platform.p);
    assert_int_equal(fidx__batch_items_next(&r, &it), 0);
    assert_null(it.kind.p);
    assert_str(it.platform, "facebook", 8);
    assert_int_equal(fidx__batch_items_next(&r, &it), FIDX_ENOTFOUND);
    assert_int_equal(start("{\"items\":[]}"), 0);
    assert_int_equal(fidx__batch_items_next(&r, &it), FIDX_ENOTFOUND);
}

static void escapes_are_decoded(void **state)
{
    (void)state;
    fidx__batch_item_t it;
    /* \u0031 is '1'; \ud83d\ude00 is U+1F600 (4 bytes); \u0000 is kept (that item is then
     * refused by the lookup, not the batch). */
    start("{\"items\":[\"0\\u0039\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"\\ud83d\\ude00\\u00e1\\u0000\"]}");
    assert_int_equal(fidx__batch_items_next(&r, &it), 0);
    assert_str(it.q, "09\"\\/\b\f\n\r\t", 10);
    assert_int_equal(fidx__batch_items_next(&r, &it), 0);
    assert_str(it.q, "\xf0\x9f\x98\x80\xc3\xa1\0", 7);
    /* UTF-8 as sent is taken as it is. */
    start("{\"items\":[\"Vi\xe1\xbb\x87t\"]}");
    assert_int_equal(fidx__batch_items_next(&r, &it), 0);
    assert_str(it.q, "Vi\xe1\xbb\x87t", 6);
}

static void other_shapes_go_to_jansson(void **state)
{
    (void)state;
    const char *bodies[] = {
        "",
        "[]",
        "{\"items\":[\"a\"]} x",            /* trailing bytes */
        "{\"items\":[\"a\"],\"items\":[]}", /* duplicate or another member */
        "{\"other\":1,\"items\":[]}",
        "{\"\\u0069tems\":[\"a\"]}", /* escaped key */
        "{\"items\":[\"a\",]}",      /* trailing comma */
        "{\"items\":[1]}",           /* a number item */
        "{\"items\":[null]}",
        "{\"items\":[[\"a\"]]}",
        "{\"items\":[{}]}", /* no q */
        "{\"items\":[{\"q\":null}]}",
        "{\"items\":[{\"q\":\"a\",\"q\":\"b\"}]}", /* duplicate key */
        "{\"items\":[{\"q\":\"a\",\"x\":1}]}",     /* another member */
        "{\"items\":[{\"q\":\"a\",\"kind\":5}]}",
        "{\"items\":[{\"q\":\"a\",\"kind\":nul}]}",
        "{\"items\":[\"\\ud800\"]}", /* lone surrogates */
        "{\"items\":[\"\\udc00\"]}",
        "{\"items\":[\"\\ud800\\u0041\"]}",
        "{\"items\":[\"\\x\"]}", /* bad escapes */
        "{\"items\":[\"\\u12\"]}",
        "{\"items\":[\"a\tb\"]}",             /* a raw control character */
        "{\"items\":[\"\xc0\xaf\"]}",         /* overlong UTF-8 */
        "{\"items\":[\"\xed\xa0\x80\"]}",     /* an encoded surrogate */
        "{\"items\":[\"\xf4\x90\x80\x80\"]}", /* past U+10FFFF */
        "{\"items\":[\"abc",                  /* unterminated */
        "{\"items\":[\"a\"]",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
        refused(bodies[i]);
    /* A POST without a body hands over no buffer at all (fuzz_conn, UBSan). */
    size_t n;
    assert_int_equal(fidx__batch_items_start(&r, NULL, 0, &n), FIDX_EINVAL);
}

static void long_escaped_strings_go_to_jansson(void **state)
{
    (void)state;
    static char body[2 * FIDX__BATCH_STRING_MAX + 64];
    size_t n = 0;
    n += (size_t)sprintf(body, "{\"items\":[\"");
    for (size_t i = 0; i < FIDX__BATCH_STRING_MAX + 2; i++)
        body[n++] = 'a';
    strcpy(body + n, "\"]}");
    assert_int_equal(start(body), 1); /* without an escape: read in place, however long */
    memcpy(body + 11, "\\n", 2);      /* decoded: MAX + 1 bytes */
    refused(body);                    /* with one: decoded, so bounded */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strings_and_objects_in_any_spacing),
        cmocka_unit_test(escapes_are_decoded),
        cmocka_unit_test(other_shapes_go_to_jansson),
        cmocka_unit_test(long_escaped_strings_go_to_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
