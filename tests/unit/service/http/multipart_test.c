/* Unit tests for http/multipart.c: what browsers send for a form with a file (Chromium's and
 * Firefox's shapes), and every malformed body refused with its reason, never read past. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/multipart.h"

#define B "----WebKitFormBoundaryx7Yz0aBcD"

static int parse(const char *body, size_t len, fidx__multipart_part_t *parts, size_t max, size_t *n,
                 fidx_err_t *err)
{
    /* A copy of exactly len bytes, so that ASan sees any read past the body. */
    char *copy = malloc(len ? len : 1);
    memcpy(copy, body, len);
    int rc = fidx__multipart_parse(copy, len, FIDX_STR(B), parts, max, n, err);
    if (rc == 0) /* point the parts back into body, which outlives the copy */
        for (size_t i = 0; i < *n; i++) {
            fidx_str_t *s[] = {&parts[i].name, &parts[i].filename, &parts[i].type, &parts[i].data};
            for (size_t k = 0; k < 4; k++)
                if (s[k]->p)
                    s[k]->p = body + (s[k]->p - copy);
        }
    free(copy);
    return rc;
}

static int eq(fidx_str_t s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

static void boundary_from_content_type(void **state)
{
    (void)state;
    fidx_str_t b;
    fidx_err_t err = {0};
    const char *ct = "multipart/form-data; boundary=" B;
    assert_int_equal(fidx__multipart_boundary(ct, strlen(ct), &b, &err), 0);
    assert_true(eq(b, B));
    ct = "Multipart/Form-Data;charset=utf-8; BOUNDARY=\"a b:c\"";
    assert_int_equal(fidx__multipart_boundary(ct, strlen(ct), &b, &err), 0);
    assert_true(eq(b, "a b:c"));
    static const char *const bad[] = {
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=\"\"",
        "multipart/form-data; boundary=\"abc",
        "multipart/form-data; boundary=a<b",
        "multipart/form-datax; boundary=abc",
        "multipart/mixed; boundary=abc",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary="
        "12345678901234567890123456789012345678901234567890123456789012345678901",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(fidx__multipart_boundary(bad[i], strlen(bad[i]), &b, &err), FIDX_EINVAL);
    /* Exactly 70 is allowed. */
    ct = "multipart/form-data; boundary="
         "1234567890123456789012345678901234567890123456789012345678901234567890";
    assert_int_equal(fidx__multipart_boundary(ct, strlen(ct), &b, &err), 0);
    assert_int_equal(b.len, 70);
}

static const char chromium[] = "--" B "\r\n"
                               "Content-Disposition: form-data; name=\"lang\"\r\n"
                               "\r\n"
                               "vi\r\n"
                               "--" B "\r\n"
                               "Content-Disposition: form-data; name=\"image\"; filename=\"\"\r\n"
                               "Content-Type: application/octet-stream\r\n"
                               "\r\n"
                               "\r\n"
                               "--" B "\r\n"
                               "Content-Disposition: form-data; name=\"image\"; "
                               "filename=\"qr.png\"\r\n"
                               "Content-Type: image/png\r\n"
                               "\r\n"
                               "\x89PNG\r\n\x1a\n\r\n--" B "x\r\n\r\n"
                               "\r\n"
                               "--" B "--\r\n";

static void a_browsers_form(void **state)
{
    (void)state;
    fidx__multipart_part_t parts[8];
    size_t n;
    fidx_err_t err = {0};
    assert_int_equal(parse(chromium, sizeof chromium - 1, parts, 8, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_true(eq(parts[0].name, "lang") && eq(parts[0].data, "vi") && !parts[0].is_file);
    assert_true(eq(parts[1].name, "image") && parts[1].is_file && parts[1].filename.len == 0);
    assert_int_equal(parts[1].data.len, 0); /* the empty file input */
    assert_true(eq(parts[2].filename, "qr.png") && eq(parts[2].type, "image/png"));
    /* The content runs to the delimiter: a line that only starts like it is content. */
    assert_true(eq(parts[2].data, "\x89PNG\r\n\x1a\n\r\n--" B "x\r\n\r\n"));
    /* Without the final CRLF, and with too few places. */
    assert_int_equal(parse(chromium, sizeof chromium - 3, parts, 8, &n, &err), 0);
    assert_int_equal(parse(chromium, sizeof chromium - 1, parts, 2, &n, &err), FIDX_ELIMIT);
}

static void malformed_bodies_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "preamble\r\n--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno closing boundary",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" B "--junk",
        "--" B "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nno colon here\r\n\r\nx\r\n--" B "--",
        "--" B "\r\n\r\nx\r\n--" B "--",
        "--" B "xx\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n"
        "Content-Disposition: form-data; name=\"b\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\nunterminated",
        "--" B,
    };
    fidx__multipart_part_t parts[8];
    size_t n;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fidx_err_t err = {0};
        assert_int_equal(parse(bad[i], strlen(bad[i]), parts, 8, &n, &err), FIDX_EINVAL);
        assert_non_null(err.reason);
        assert_true(err.offset <= strlen(bad[i]));
    }
    /* A header section over 1 KiB. */
    char big[2048 + 256];
    int len = snprintf(big, sizeof big,
                       "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: %01100d"
                       "\r\n\r\nx\r\n--" B "--",
                       0);
    fidx_err_t err = {0};
    assert_int_equal(parse(big, (size_t)len, parts, 8, &n, &err), FIDX_EINVAL);
}

/* Every prefix of a valid body is refused (a body cut short never passes), never read past. */
static void every_prefix_is_refused(void **state)
{
    (void)state;
    fidx__multipart_part_t parts[8];
    size_t n;
    for (size_t len = 0; len < sizeof chromium - 3; len++) {
        fidx_err_t err = {0};
        assert_int_not_equal(parse(chromium, len, parts, 8, &n, &err), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(boundary_from_content_type),
        cmocka_unit_test(a_browsers_form),
        cmocka_unit_test(malformed_bodies_are_refused),
        cmocka_unit_test(every_prefix_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
