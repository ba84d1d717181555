/* Unit tests for domain.c and host.c: the contract's examples, IDN to punycode (checked
 * against libidn2's own answer), what is not a domain name and why, hostile input, and
 * "normalising a canonical domain gives it back". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "normalizer_check.h"

#include "fidx/domain.h"
#include "fidx/str.h"
#include "normalize/host.h"

static void expect_domain(const char *in, const char *want)
{
    check_normalizes(fidx_domain_normalize, "domain", in, want);
}

static void expect_reject(const char *in, size_t len, int code, const char *reason_part)
{
    check_refuses(fidx_domain_normalize, "domain", in, len, code, reason_part);
}

static void contract_examples(void **state)
{
    (void)state;
    expect_domain("ngânhàng.vn", "xn--ngnhng-ltan.vn");
    expect_domain("Evil.COM.", "evil.com");
    expect_domain("https://evil.com/x", "evil.com");
    expect_domain("evil[.]com", "evil.com");
    expect_domain("evil(.)com", "evil.com");
    expect_domain("evil{.}com", "evil.com");
}

static void more_inputs(void **state)
{
    (void)state;
    expect_domain("  www.Vietcombank.com.vn  ", "www.vietcombank.com.vn");
    expect_domain("hxxps://login.evil[.]com[:]8443/a?b#c", "login.evil.com");
    expect_domain("http://vietcombank.com.vn@evil.com/", "evil.com");
    expect_domain("*.evil.com", "evil.com");
    expect_domain("NGÂNHÀNG.VN", "xn--ngnhng-ltan.vn");
    expect_domain("xn--ngnhng-ltan.vn", "xn--ngnhng-ltan.vn");
    expect_domain("dichvucong\xE3\x80\x82gov\xE3\x80\x82vn", "dichvucong.gov.vn");
    expect_domain("my_phish.example.com", "my_phish.example.com");
    expect_domain("a--b.vn", "a--b.vn");
    expect_domain("vneid-gov.vn.evil.top", "vneid-gov.vn.evil.top");
    expect_domain("evil.com:8080", "evil.com");
    expect_domain("evil%2Ecom", "evil.com");
    /* Longest label and name. */
    char in[300];
    memset(in, 'a', 63);
    memcpy(in + 63, ".vn", 4);
    expect_domain(in, in);
    for (size_t i = 0; i < 63; i++)
        memcpy(in + 4 * i, "abc.", 4);
    memcpy(in + 252, "v", 2); /* 253 bytes */
    expect_domain(in, in);
}

static void rejects(void **state)
{
    (void)state;
    expect_reject("evil", 4, FIDX_EINVAL, "needs a dot");
    expect_reject("localhost:8080", 14, FIDX_EINVAL, "needs a dot");
    expect_reject("1.2.3.4", 7, FIDX_EINVAL, "IP address");
    expect_reject("3279880203", 10, FIDX_EINVAL, "IP address");
    expect_reject("0x7f.1", 6, FIDX_EINVAL, "IP address");
    expect_reject("http://[::1]/", 13, FIDX_EINVAL, "IP address");
    expect_reject("-evil.com", 9, FIDX_EINVAL, "'-'");
    expect_reject("evil-.com", 9, FIDX_EINVAL, "'-'");
    expect_reject("ev il.com", 9, FIDX_EINVAL, "character not allowed");
    expect_reject("evil!.com", 9, FIDX_EINVAL, "character not allowed");
    expect_reject("*.*.evil.com", 12, FIDX_EINVAL, "character not allowed");
    expect_reject("evil.123", 8, FIDX_EINVAL, "must be letters");
    expect_reject("1.2.3.4.5", 9, FIDX_EINVAL, "must be letters");
    /* A phone number written with dots is not a host name. */
    expect_reject("0912.345-678", 12, FIDX_EINVAL, "must be letters");
    expect_reject("evil.c0m", 8, FIDX_EINVAL, "must be letters");
    expect_reject("", 0, FIDX_EINVAL, NULL);
    expect_reject("...", 3, FIDX_EINVAL, NULL);
    expect_reject("ftp://evil.com/", 15, FIDX_EINVAL, "scheme");
    expect_reject("\xC3(.com", 6, FIDX_EINVAL, "character not allowed");
    expect_reject("\xE2\x98\x83\xE2\x80\x8D-.com", 10, FIDX_EINVAL, NULL);

    char in[FIDX_MAX_VALUE_LEN + 1];
    memset(in, 'a', 64);
    memcpy(in + 64, ".vn", 3);
    expect_reject(in, 67, FIDX_EINVAL, "63 bytes");
    for (size_t i = 0; i < 64; i++)
        memcpy(in + 4 * i, "abc.", 4);
    memcpy(in + 256, "vn", 2);
    expect_reject(in, 258, FIDX_EINVAL, "253 bytes");
    memset(in, 'a', sizeof in);
    expect_reject(in, sizeof in, FIDX_ETOOBIG, NULL);

    char small[8];
    size_t n;
    assert_int_equal(fidx_domain_normalize("evil.com", 8, small, sizeof small, &n, NULL),
                     FIDX_ENOSPC);
    char fits[9];
    assert_int_equal(fidx_domain_normalize("evil.com", 8, fits, sizeof fits, &n, NULL), 0);
}

static void hostile_input(void **state)
{
    (void)state;
    static char in[10000];
    memset(in, '.', sizeof in);
    expect_reject(in, sizeof in, FIDX_ETOOBIG, NULL);
    expect_reject(in, FIDX_MAX_VALUE_LEN, FIDX_EINVAL, NULL);
    memset(in, 'a', FIDX_MAX_VALUE_LEN);
    expect_reject(in, FIDX_MAX_VALUE_LEN, FIDX_EINVAL, "253 bytes");
    expect_reject("evil\0.com", 9, FIDX_EINVAL, "character not allowed");
    expect_reject("\xFF\xFE.com", 6, FIDX_EINVAL, NULL);
    expect_reject("%", 1, FIDX_EINVAL, NULL);
    expect_reject("%zz.com", 7, FIDX_EINVAL, NULL);
}

static void host_canonicalize(void **state)
{
    (void)state;
    char out[300];
    size_t n;
    fidx_err_t err = {0};
    assert_int_equal(fidx__host_canonicalize("..WWW..Ngânhàng.VN..", 22, out, sizeof out, &n, &err),
                     0);
    assert_string_equal(out, "www.xn--ngnhng-ltan.vn");
    /* ASCII names pass through as they are, apart from case and dots. */
    assert_int_equal(fidx__host_canonicalize("W!eird.COM.", 11, out, sizeof out, &n, &err), 0);
    assert_string_equal(out, "w!eird.com");
    assert_int_equal(fidx__host_canonicalize("\x80.com", 5, out, sizeof out, &n, &err),
                     FIDX_EINVAL);
    assert_non_null(strstr(err.reason, "UTF-8"));
    /* Full-width percent maps to '%': refused rather than read differently next time. */
    assert_int_equal(
        fidx__host_canonicalize("\xEF\xBC\x85\x34\x31.com", 9, out, sizeof out, &n, &err),
        FIDX_EINVAL);
    assert_int_equal(fidx__host_canonicalize("a.com", 5, out, 5, &n, &err), FIDX_ENOSPC);
    assert_int_equal(fidx__host_canonicalize("ü.com", 6, out, 5, &n, &err), FIDX_ENOSPC);
}

static void twice_equals_once(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "ngânhàng.vn",   "Evil.COM.",        "https://evil.com/x", "evil[.]com",
        "*.evil.com",    "a[..]b.com",       "x.[(.)].y.com",      "ＥＶＩＬ．ｃｏｍ",
        "www.ümlat.com", "faß.de",           "xn--fa-hia.de",      "a_b.c-d.vn",
        "%65vil.com",    "user@evil.com:81", "EVIL.com.....",      "..evil.com",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char a[FIDX_CANON_CAP], b[FIDX_CANON_CAP];
        size_t na, nb;
        if (fidx_domain_normalize(inputs[i], strlen(inputs[i]), a, sizeof a, &na, NULL) != 0)
            continue;
        assert_int_equal(fidx_domain_normalize(a, na, b, sizeof b, &nb, NULL), 0);
        assert_string_equal(a, b);
    }
    char out[64];
    size_t n;
    assert_int_equal(fidx_domain_normalize("ＥＶＩＬ．ｃｏｍ", 24, out, sizeof out, &n, NULL), 0);
    assert_string_equal(out, "evil.com");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contract_examples), cmocka_unit_test(more_inputs),
        cmocka_unit_test(rejects),           cmocka_unit_test(hostile_input),
        cmocka_unit_test(host_canonicalize), cmocka_unit_test(twice_equals_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
