/* Unit tests for json.c: whatever bytes come in, the output is valid JSON that says the same
 * thing, and a full buffer is reported rather than overrun. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "fidx/json.h"

/* Encodes in[0..len) and parses it back with jansson; returns the decoded string. */
static const char *round_trip(const char *in, size_t len, char *out, size_t cap)
{
    char buf[1024];
    fidx_buf_t b = fidx_buf(buf, sizeof buf);
    fidx_buf_puts(&b, "[");
    fidx_json_string(&b, in, len);
    fidx_buf_puts(&b, "]");
    assert_true(b.ok);
    json_error_t err;
    json_t *j = json_loadb(buf, b.len, 0, &err);
    if (!j)
        fail_msg("invalid JSON %.*s: %s", (int)b.len, buf, err.text);
    const char *s = json_string_value(json_array_get(j, 0));
    assert_non_null(s);
    strncpy(out, s, cap - 1);
    out[cap - 1] = '\0';
    json_decref(j);
    return out;
}

static void escapes_say_the_same(void **state)
{
    (void)state;
    char out[256];
    const char *cases[] = {"plain",    "quote \" backslash \\", "tab\tnewline\ncr\r",
                           "\x01\x1f", "Việt Nam ₫ 😀",          "</script>"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(round_trip(cases[i], strlen(cases[i]), out, sizeof out), cases[i]);
    /* A NUL byte inside the value is kept as \u0000. */
    char buf[64];
    fidx_buf_t b = fidx_buf(buf, sizeof buf);
    fidx_json_string(&b, "a\0b", 3);
    assert_int_equal(b.len, strlen("\"a\\u0000b\""));
    assert_memory_equal(buf, "\"a\\u0000b\"", b.len);
}

static void invalid_utf8_becomes_replacement(void **state)
{
    (void)state;
    char out[256];
    /* Stray continuation, overlong '/', a surrogate, a truncated sequence at the end. */
    const char in[] = "a\x80"
                      "b\xc0\xaf"
                      "c\xed\xa0\x80"
                      "d\xe2\x82";
    round_trip(in, sizeof in - 1, out, sizeof out);
    assert_non_null(strstr(out, "\xef\xbf\xbd")); /* U+FFFD */
    assert_int_equal(out[0], 'a');
    /* U+2028 is escaped so the output is also a valid JavaScript string. */
    char buf[64];
    fidx_buf_t b = fidx_buf(buf, sizeof buf);
    fidx_json_string(&b, "\xe2\x80\xa8", 3);
    assert_memory_equal(buf, "\"\\u2028\"", b.len);
}

static void full_buffer_is_reported(void **state)
{
    (void)state;
    char buf[8];
    fidx_buf_t b = fidx_buf(buf, sizeof buf);
    fidx_json_string(&b, "0123456789", 10);
    assert_false(b.ok);
    assert_true(b.len <= sizeof buf);
    fidx_buf_putu(&b, 42); /* later writes do nothing */
    assert_false(b.ok);
    b = fidx_buf(buf, sizeof buf);
    fidx_buf_putu(&b, 18446744073709551615ull);
    assert_false(b.ok);
    b = fidx_buf(buf, sizeof buf);
    fidx_buf_putu(&b, 1234567);
    assert_true(b.ok);
    assert_memory_equal(buf, "1234567", 7);
}

/* fidx_json_plain8 answers as a byte-by-byte test would: every byte value at every place of
 * a plain word, and pairs of special bytes (a borrow from one must not hide another). */
static int plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static void plain8_is_exact(void **state)
{
    (void)state;
    char w[8];
    for (int pos = 0; pos < 8; pos++)
        for (int c = 0; c < 256; c++) {
            memcpy(w, "abcdefgh", 8);
            w[pos] = (char)c;
            assert_int_equal(fidx_json_plain8(w), plain_byte((unsigned char)c));
            for (int pos2 = pos + 1; pos2 < 8; pos2++)
                for (int c2 = 0; c2 < 256; c2 += 7) {
                    char v[8];
                    memcpy(v, w, 8);
                    v[pos2] = (char)c2;
                    assert_int_equal(fidx_json_plain8(v),
                                     plain_byte((unsigned char)c) && plain_byte((unsigned char)c2));
                }
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain8_is_exact),
        cmocka_unit_test(escapes_say_the_same),
        cmocka_unit_test(invalid_utf8_becomes_replacement),
        cmocka_unit_test(full_buffer_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
