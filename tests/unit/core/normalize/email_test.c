/* Unit tests for email.c: the contract's example and the header's accepted forms, what is
 * not an address and why, hostile input, and "normalising twice equals once". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "normalizer_check.h"

#include "fidx/email.h"
#include "fidx/str.h"

static void expect_email(const char *in, const char *want)
{
    check_normalizes(fidx_email_normalize, "email", in, want);
}

static void expect_reject(const char *in, size_t len, int code, const char *reason_part)
{
    check_refuses(fidx_email_normalize, "email", in, len, code, reason_part);
}

static void accepted_forms(void **state)
{
    (void)state;
    expect_email("Scam@Example.COM", "scam@example.com");
    expect_email("mailto:x@y.zz", "x@y.zz");
    expect_email("MAILTO:X@Y.ZZ?subject=Hello&body=x", "x@y.zz");
    expect_email("<x@y.zz>", "x@y.zz");
    expect_email("Nguyen Van A <Nguyen.Van.A@Gmail.com>", "nguyen.van.a@gmail.com");
    expect_email("x[@]y[.]zz", "x@y.zz");
    expect_email("x(@)y(.)zz", "x@y.zz");
    expect_email("  cskh.vietcombank{@}gmail{.}com \n", "cskh.vietcombank@gmail.com");
    expect_email("o'brien+tag!#$%&*/=?^_`{|}~-@example.vn",
                 "o'brien+tag!#$%&*/=?^_`{|}~-@example.vn");
    expect_email("hotro@ngânhàng.vn", "hotro@xn--ngnhng-ltan.vn");
    expect_email("x@Example.COM.", "x@example.com");
    expect_email("x@mail_1.example.com", "x@mail_1.example.com");
    char in[80];
    memset(in, 'a', 64);
    memcpy(in + 64, "@b.vn", 6);
    expect_email(in, in);
}

static void rejects(void **state)
{
    (void)state;
    expect_reject("scam.example.com", 16, FIDX_EINVAL, "exactly one @");
    expect_reject("a@b@c.com", 9, FIDX_EINVAL, "exactly one @");
    expect_reject("@example.com", 12, FIDX_EINVAL, "nothing before");
    expect_reject("x@", 2, FIDX_EINVAL, "nothing after");
    expect_reject(".x@y.zz", 7, FIDX_EINVAL, "dot");
    expect_reject("x.@y.zz", 7, FIDX_EINVAL, "dot");
    expect_reject("x..y@y.zz", 9, FIDX_EINVAL, "dot");
    expect_reject("x y@y.zz", 8, FIDX_EINVAL, "character not allowed");
    expect_reject("\"x\"@y.zz", 8, FIDX_EINVAL, "character not allowed");
    expect_reject("nguyễn@y.zz", 12, FIDX_EINVAL, "character not allowed");
    expect_reject("x@localhost", 11, FIDX_EINVAL, "needs a dot");
    expect_reject("x@1.2.3.4", 9, FIDX_EINVAL, "IP address");
    expect_reject("x@[1.2.3.4]", 11, FIDX_EINVAL, "character not allowed");
    expect_reject("x@evil.com/path", 15, FIDX_EINVAL, "character not allowed");
    expect_reject("x@evil.com:25", 13, FIDX_EINVAL, "character not allowed");
    expect_reject("x@%65vil.com", 12, FIDX_EINVAL, "character not allowed");
    expect_reject("x@-evil.com", 11, FIDX_EINVAL, "'-'");
    expect_reject("", 0, FIDX_EINVAL, NULL);

    char in[FIDX_MAX_VALUE_LEN + 1];
    memset(in, 'a', 65);
    memcpy(in + 65, "@b.vn", 5);
    expect_reject(in, 70, FIDX_EINVAL, "64 bytes");
    /* 64 + 1 + 190 bytes: every part valid, the whole too long. */
    memset(in, 'a', 64);
    in[64] = '@';
    for (size_t i = 0; i < 38; i++)
        memcpy(in + 65 + 5 * i, "abcd.", 5);
    memcpy(in + 65 + 190, "vn", 2);
    expect_reject(in, 257, FIDX_EINVAL, "254 bytes");
    memset(in, 'a', sizeof in);
    expect_reject(in, sizeof in, FIDX_ETOOBIG, NULL);

    char small[8];
    size_t n;
    assert_int_equal(fidx_email_normalize("x@ab.vn", 7, small, 7, &n, NULL), FIDX_ENOSPC);
    assert_int_equal(fidx_email_normalize("x@ab.vn", 7, small, 8, &n, NULL), 0);
}

static void hostile_input(void **state)
{
    (void)state;
    expect_reject("x\0@y.zz", 7, FIDX_EINVAL, "character not allowed");
    expect_reject("x@y\0.zz", 7, FIDX_EINVAL, "character not allowed");
    expect_reject("x@\xFF.zz", 6, FIDX_EINVAL, NULL);
    expect_reject("<<<>>>", 6, FIDX_EINVAL, NULL);
    expect_reject("mailto:", 7, FIDX_EINVAL, NULL);
    static char many[FIDX_MAX_VALUE_LEN];
    memset(many, '@', sizeof many);
    expect_reject(many, sizeof many, FIDX_EINVAL, "exactly one @");
    for (size_t i = 0; i + 3 <= sizeof many; i += 3)
        memcpy(many + i, "[.]", 3);
    expect_reject(many, sizeof many, FIDX_EINVAL, NULL);
}

static void twice_equals_once(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "Scam@Example.COM",
        "mailto:x@y.zz?s=1",
        "<x@y.zz>",
        "x[@]y[.]zz",
        "A.B+C@Sub.Example.VN.",
        "hotro@ngânhàng.vn",
        "x@ＥＸＡＭＰＬＥ．ｃｏｍ",
        "x{[.]}y@a.bc",
        "a{.}b@c.de",
        "Name <A@B.CD>",
        "x@y[[.]]zz",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char a[FIDX_CANON_CAP], b[FIDX_CANON_CAP];
        size_t na, nb;
        if (fidx_email_normalize(inputs[i], strlen(inputs[i]), a, sizeof a, &na, NULL) != 0)
            continue;
        assert_int_equal(fidx_email_normalize(a, na, b, sizeof b, &nb, NULL), 0);
        assert_string_equal(a, b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepted_forms),
        cmocka_unit_test(rejects),
        cmocka_unit_test(hostile_input),
        cmocka_unit_test(twice_equals_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
