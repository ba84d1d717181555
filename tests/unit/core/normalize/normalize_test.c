/* Unit tests for normalize.c: the kind is told from the value the way a user writes it, an
 * explicit kind is honoured, and values that are nothing are refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fidx/normalize.h"
#include "fidx/str.h"

static char out[FIDX_CANON_CAP];

static void expect(fidx_kind_t asked, const char *in, fidx_kind_t kind, const char *canon)
{
    fidx_kind_t got;
    size_t n;
    fidx_err_t err = {0};
    int rc = fidx_normalize(asked, NULL, in, strlen(in), &got, out, sizeof out, &n, &err);
    if (rc)
        fail_msg("'%s' refused: %s", in, err.reason);
    assert_string_equal(fidx_kind_name(got), fidx_kind_name(kind));
    assert_string_equal(out, canon);
    assert_int_equal(n, strlen(canon));
}

static void detects_every_kind(void **state)
{
    (void)state;
    expect(FIDX_KIND_NONE, "0912 345 678", FIDX_KIND_PHONE, "+84912345678");
    expect(FIDX_KIND_NONE, "1900 545 413", FIDX_KIND_PHONE, "1900545413");
    expect(FIDX_KIND_NONE, "Vietcombank 0123456789", FIDX_KIND_BANK_ACCOUNT, "970436:0123456789");
    expect(FIDX_KIND_NONE, "970436:0123456789", FIDX_KIND_BANK_ACCOUNT, "970436:0123456789");
    expect(FIDX_KIND_NONE, "https://Evil.example/a/../b", FIDX_KIND_URL, "https://evil.example/b");
    expect(FIDX_KIND_NONE, "evil.example/login", FIDX_KIND_URL, "http://evil.example/login");
    expect(FIDX_KIND_NONE, "hxxp://evil[.]example/", FIDX_KIND_URL, "http://evil.example/");
    expect(FIDX_KIND_NONE, "Evil.COM.", FIDX_KIND_DOMAIN, "evil.com");
    expect(FIDX_KIND_NONE, "evil[.]com", FIDX_KIND_DOMAIN, "evil.com");
    /* Bare hosts are domains, whatever they start with or contain (found by fuzz_normalize). */
    expect(FIDX_KIND_NONE, "www.evil.vn", FIDX_KIND_DOMAIN, "www.evil.vn");
    expect(FIDX_KIND_NONE, "http-vcb.com", FIDX_KIND_DOMAIN, "http-vcb.com");
    expect(FIDX_KIND_NONE, "123456.tk", FIDX_KIND_DOMAIN, "123456.tk");
    expect(FIDX_KIND_NONE, "vcb-123456.tk", FIDX_KIND_DOMAIN, "vcb-123456.tk");
    expect(FIDX_KIND_NONE, "0912.345-678", FIDX_KIND_PHONE, "+84912345678");
    expect(FIDX_KIND_NONE, "telegram:scam_bot", FIDX_KIND_SOCIAL, "telegram:scam_bot");
    expect(FIDX_KIND_NONE, "Scam@Example.COM", FIDX_KIND_EMAIL, "scam@example.com");
    /* A profile link reads as a link; lookups check it as the account too. */
    expect(FIDX_KIND_NONE, "https://www.facebook.com/nguyen.van.a", FIDX_KIND_URL,
           "https://www.facebook.com/nguyen.van.a");
}

static void explicit_kind_is_honoured(void **state)
{
    (void)state;
    /* A bare number is a bank account only when the caller says so. */
    expect(FIDX_KIND_BANK_ACCOUNT, "0123456789", FIDX_KIND_BANK_ACCOUNT, "*:0123456789");
    expect(FIDX_KIND_SOCIAL, "https://www.facebook.com/nguyen.van.a", FIDX_KIND_SOCIAL,
           "facebook:nguyen.van.a");
    expect(FIDX_KIND_DOMAIN, "https://evil.com/x", FIDX_KIND_DOMAIN, "evil.com");
    fidx_kind_t got;
    size_t n;
    fidx_err_t err = {0};
    assert_int_equal(
        fidx_normalize(FIDX_KIND_PHONE, NULL, "evil.com", 8, &got, out, sizeof out, &n, &err),
        FIDX_EINVAL);
    assert_non_null(err.reason);
    assert_int_equal(fidx_normalize(FIDX_KIND_SOCIAL, "telegram", "@scam_bot", 9, &got, out,
                                    sizeof out, &n, &err),
                     0);
    assert_string_equal(out, "telegram:scam_bot");
}

static void nothing_is_refused(void **state)
{
    (void)state;
    const char *bad[] = {"", "hello", "12345", "12/03/2024", "0123456789", "   ", "@", "a b c"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        fidx_kind_t got;
        size_t n;
        fidx_err_t err = {0};
        int rc = fidx_normalize(FIDX_KIND_NONE, NULL, bad[i], strlen(bad[i]), &got, out, sizeof out,
                                &n, &err);
        if (rc != FIDX_EINVAL)
            fail_msg("'%s' read as %s: %s", bad[i], fidx_kind_name(got), out);
        assert_non_null(err.reason);
        assert_int_equal(fidx_detect_kind(bad[i], strlen(bad[i])), FIDX_KIND_NONE);
    }
    static char big[FIDX_MAX_VALUE_LEN + 2];
    memset(big, '1', sizeof big - 1);
    fidx_kind_t got;
    size_t n;
    fidx_err_t err = {0};
    assert_int_equal(
        fidx_normalize(FIDX_KIND_NONE, NULL, big, sizeof big - 1, &got, out, sizeof out, &n, &err),
        FIDX_ETOOBIG);
}

static void storage_key_of_urls(void **state)
{
    (void)state;
    size_t n;
    const char *u = "http://a.b.c/1/2.html?param=1";
    assert_int_equal(fidx_storage_key(FIDX_KIND_URL, u, strlen(u), out, sizeof out, &n), 0);
    assert_string_equal(out, "a.b.c/1/2.html?param=1");
    assert_int_equal(fidx_storage_key(FIDX_KIND_PHONE, "+84912345678", 12, out, sizeof out, &n), 0);
    assert_string_equal(out, "+84912345678");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(detects_every_kind),
        cmocka_unit_test(explicit_kind_is_honoured),
        cmocka_unit_test(nothing_is_refused),
        cmocka_unit_test(storage_key_of_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
