/* Unit tests for social.c: the contract's examples, links that are not profiles, handle rules
 * per platform with their reasons, hostile input, and "normalising a canonical account gives
 * it back". Zalo accounts go through phone.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fidx/social.h"
#include "fidx/str.h"
#include "fidx/url.h"

static int norm(const char *in, size_t len, const char *platform, char *out, size_t *n,
                fidx_err_t *err)
{
    return fidx_social_normalize(in, len, platform, out, FIDX_CANON_CAP, n, err);
}

static void expect_social(const char *in, const char *platform, const char *want)
{
    char out[FIDX_CANON_CAP];
    size_t n = 0;
    fidx_err_t err = {0};
    int rc = norm(in, strlen(in), platform, out, &n, &err);
    if (rc != 0 || strcmp(out, want) != 0)
        print_error("social(\"%s\", %s) = %d \"%s\" (%s), want \"%s\"\n", in,
                    platform ? platform : "NULL", rc, rc == 0 ? out : "", rc == 0 ? "" : err.reason,
                    want);
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void expect_reject(const char *in, const char *platform, const char *reason_part)
{
    char out[FIDX_CANON_CAP];
    size_t n;
    fidx_err_t err = {0};
    int rc = norm(in, strlen(in), platform, out, &n, &err);
    if (rc != FIDX_EINVAL)
        print_error("social(\"%s\", %s) = %d \"%s\", want EINVAL\n", in,
                    platform ? platform : "NULL", rc, rc == 0 ? out : "");
    assert_int_equal(rc, FIDX_EINVAL);
    assert_non_null(err.reason);
    if (reason_part && !strstr(err.reason, reason_part))
        print_error("social(\"%s\"): reason \"%s\" lacks \"%s\"\n", in, err.reason, reason_part);
    if (reason_part)
        assert_non_null(strstr(err.reason, reason_part));
}

static void contract_examples(void **state)
{
    (void)state;
    expect_social("https://www.facebook.com/nguyen.van.a", NULL, "facebook:nguyen.van.a");
    expect_social("m.facebook.com/profile.php?id=100012345678901", NULL,
                  "facebook:id:100012345678901");
    expect_social("fb.com/nguyen.van.a", NULL, "facebook:nguyen.van.a");
    expect_social("t.me/scam_bot", NULL, "telegram:scam_bot");
    expect_social("@scam_bot", "telegram", "telegram:scam_bot");
    expect_social("tiktok.com/@handle", NULL, "tiktok:handle");
    expect_social("zalo.me/0912345678", NULL, "zalo:+84912345678");
    expect_social("telegram:scam_bot", NULL, "telegram:scam_bot");
}

static void facebook(void **state)
{
    (void)state;
    expect_social("https://web.facebook.com/Nguyen.Van.A/", NULL, "facebook:nguyen.van.a");
    expect_social("https://www.facebook.com/nguyen.van.a?ref=bookmarks#x", NULL,
                  "facebook:nguyen.van.a");
    expect_social("https://www.facebook.com/nguyen.van.a/posts/123456", NULL,
                  "facebook:nguyen.van.a");
    expect_social("hxxps://m.facebook[.]com/profile.php?sk=about&id=4", NULL, "facebook:id:4");
    expect_social("https://www.facebook.com/people/Nguyen-Van-A/100012345678901/", NULL,
                  "facebook:id:100012345678901");
    expect_social("facebook.com/100012345678901", NULL, "facebook:id:100012345678901");
    expect_social("https://mbasic.facebook.com/shop.uy.tin.24h", NULL, "facebook:shop.uy.tin.24h");
    expect_social("nguyen.van.a", "facebook", "facebook:nguyen.van.a");
    expect_social("100012345678901", "facebook", "facebook:id:100012345678901");
    expect_social("facebook:ID:100012345678901", NULL, "facebook:id:100012345678901");
    expect_social("Facebook:Nguyen.Van.A", NULL, "facebook:nguyen.van.a");

    /* Site features, not profiles. */
    static const char *const not_profiles[] = {
        "https://www.facebook.com/",
        "facebook.com",
        "https://www.facebook.com/groups/123456/posts/789",
        "https://www.facebook.com/pages/category/Shopping/",
        "https://www.facebook.com/watch/?v=123",
        "https://www.facebook.com/events/123/",
        "https://www.facebook.com/share/p/abc123/",
        "https://www.facebook.com/sharer/sharer.php?u=x",
        "https://www.facebook.com/sharer.php?u=x",
        "https://www.facebook.com/login/",
        "https://www.facebook.com/help/123",
        "https://www.facebook.com/marketplace/item/123",
        "https://www.facebook.com/photo.php?fbid=1",
        "https://www.facebook.com/story.php?story_fbid=1&id=2",
        "https://www.facebook.com/permalink.php?story_fbid=1&id=2",
        "https://www.facebook.com/profile.php",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fevil.com",
        "https://developers.facebook.com/docs/",
        "https://www.facebook.com/people/Nguyen-Van-A/",
    };
    for (size_t i = 0; i < sizeof not_profiles / sizeof not_profiles[0]; i++)
        expect_reject(not_profiles[i], NULL, NULL);
    expect_reject("https://www.facebook.com/groups/123", NULL, "not to a profile");
    expect_reject("https://www.facebook.com/abc", NULL, "5-50");
    expect_reject("https://www.facebook.com/nguyen_van_a", NULL, "5-50");
    expect_reject("nguyen van a", "facebook", "5-50");
    expect_reject(".....", "facebook", "5-50");
    expect_reject("facebook:id:12345678901234567890123", NULL, "1-20 digits");
    expect_reject("facebook:id:", NULL, "1-20 digits");
}

static void telegram(void **state)
{
    (void)state;
    expect_social("https://t.me/Scam_Bot", NULL, "telegram:scam_bot");
    expect_social("telegram.me/scam_bot", NULL, "telegram:scam_bot");
    expect_social("https://t.me/s/scam_channel", NULL, "telegram:scam_channel");
    expect_social("https://t.me/scam_channel/1234", NULL, "telegram:scam_channel");
    expect_social("https://scam_channel.t.me/", NULL, "telegram:scam_channel");
    expect_social("hxxps://t[.]me/scam_bot", NULL, "telegram:scam_bot");
    expect_social("scam_bot", "telegram", "telegram:scam_bot");
    expect_social("@Scam_Bot", "Telegram", "telegram:scam_bot");
    expect_social("telegram:@scam_bot", NULL, "telegram:scam_bot");
    expect_reject("https://t.me/", NULL, "not to a profile");
    expect_reject("https://t.me/+AbCdEf123", NULL, "not to a profile");
    expect_reject("https://t.me/joinchat/AbCdEf", NULL, "not to a profile");
    expect_reject("https://t.me/addstickers/pack", NULL, "not to a profile");
    expect_reject("https://t.me/c/123456/78", NULL, "Telegram username");
    expect_reject("@abcd", "telegram", "Telegram username");
    expect_reject("@1scam_bot", "telegram", "starting with a letter");
    expect_reject("scam.bot", "telegram", "Telegram username");
    expect_reject("@abcdefghijklmnopqrstuvwxyz0123456", "telegram", "5-32");
}

static void tiktok(void **state)
{
    (void)state;
    expect_social("https://www.tiktok.com/@Shop.Gia_Re", NULL, "tiktok:shop.gia_re");
    expect_social("https://www.tiktok.com/@handle/video/7234567890123456789", NULL,
                  "tiktok:handle");
    expect_social("@handle", "tiktok", "tiktok:handle");
    expect_social("tiktok:handle", NULL, "tiktok:handle");
    expect_reject("https://www.tiktok.com/", NULL, "not to a profile");
    expect_reject("https://vt.tiktok.com/ZSabc123/", NULL, NULL);
    expect_reject("https://www.tiktok.com/tag/abc", NULL, "not to a profile");
    expect_reject("@a", "tiktok", "2-24");
    expect_reject("@han-dle", "tiktok", "2-24");
}

static void zalo(void **state)
{
    (void)state;
    expect_social("https://zalo.me/84912345678", NULL, "zalo:+84912345678");
    expect_social("zalo.me/+84912345678", NULL, "zalo:+84912345678");
    expect_social("0912 345 678", "zalo", "zalo:+84912345678");
    expect_social("zalo:0912345678", NULL, "zalo:+84912345678");
    expect_social("zalo:+84912345678", NULL, "zalo:+84912345678");
    expect_reject("https://zalo.me/g/abcdef123", NULL, "not to a profile");
    expect_reject("https://zalo.me/pc", NULL, "not to a profile");
    expect_reject("zalo.me/12345", NULL, "Zalo account is a phone number");
    expect_reject("abc", "zalo", "Zalo account is a phone number");
}

static void other_rejections(void **state)
{
    (void)state;
    expect_reject("@scam_bot", NULL, "needs its platform");
    expect_reject("scam_bot", NULL, "needs its platform");
    expect_reject("scam_bot", "myspace", "unknown social platform");
    expect_reject("https://evil.com/scam_bot", NULL, "not a link to a Facebook");
    expect_reject("ftp://t.me/scam_bot", NULL, "not a link to a Facebook");
    expect_reject("", "telegram", "Telegram username");
    expect_reject("", NULL, NULL);

    char out[FIDX_CANON_CAP];
    size_t n;
    fidx_err_t err = {0};
    char big[FIDX_MAX_VALUE_LEN + 1];
    memset(big, 'a', sizeof big);
    assert_int_equal(fidx_social_normalize(big, sizeof big, "telegram", out, sizeof out, &n, &err),
                     FIDX_ETOOBIG);
    assert_int_equal(fidx_social_normalize("t.me/scam_bot", 13, NULL, out, 17, &n, &err),
                     FIDX_ENOSPC);
    assert_int_equal(fidx_social_normalize("t.me/scam_bot", 13, NULL, out, 18, &n, &err), 0);
    assert_string_equal(out, "telegram:scam_bot");
}

static void hostile_input(void **state)
{
    (void)state;
    static char in[FIDX_MAX_VALUE_LEN];
    memset(in, '/', sizeof in);
    expect_reject("t.me/scam\0bot", NULL, NULL);
    char out[FIDX_CANON_CAP];
    size_t n;
    fidx_err_t err;
    assert_int_equal(norm(in, sizeof in, NULL, out, &n, &err), FIDX_EINVAL);
    memcpy(in, "https://www.facebook.com/", 25);
    memset(in + 25, 'a', sizeof in - 25);
    assert_int_equal(norm(in, sizeof in, NULL, out, &n, &err), FIDX_EINVAL);
    memcpy(in, "https://t.me/", 13);
    memset(in + 13, '%', sizeof in - 13);
    assert_int_equal(norm(in, sizeof in, NULL, out, &n, &err), FIDX_EINVAL);
    expect_reject("facebook:\xC3\xA9\xC3\xA9\xC3\xA9", NULL, "5-50");
    expect_reject("t.me/%E2%80%AEscam_bot", NULL, "Telegram username");
    /* A canonical value names its platform; it wins over the hint. */
    expect_social("telegram:scam_bot\n\n", "facebook", "telegram:scam_bot");
    assert_int_equal(norm("telegram:", 9, NULL, out, &n, &err), FIDX_EINVAL);
}

static void from_url(void **state)
{
    (void)state;
    static const struct {
        const char *url, *want;
    } cases[] = {
        {"https://www.facebook.com/nguyen.van.a", "facebook:nguyen.van.a"},
        {"http://m.facebook.com/profile.php?id=100012345678901", "facebook:id:100012345678901"},
        {"http://t.me/scam_bot", "telegram:scam_bot"},
        {"https://www.tiktok.com/@handle", "tiktok:handle"},
        {"https://zalo.me/0912345678", "zalo:+84912345678"},
        {"https://www.facebook.com/", NULL},
        {"https://www.facebook.com/groups/1/posts/2", NULL},
        {"https://t.me/", NULL},
        {"https://zalo.me/g/abc", NULL},
        {"https://evil.com/x", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char canon[FIDX_CANON_CAP], out[FIDX_CANON_CAP];
        size_t cn, n;
        assert_int_equal(fidx_url_canonicalize(cases[i].url, strlen(cases[i].url), canon,
                                               sizeof canon, &cn, NULL),
                         0);
        int rc = fidx_social_from_url(canon, cn, out, sizeof out, &n);
        if (cases[i].want) {
            assert_int_equal(rc, 0);
            assert_string_equal(out, cases[i].want);
        } else {
            assert_int_equal(rc, FIDX_ENOTFOUND);
        }
    }
    char out[8];
    size_t n;
    assert_int_equal(fidx_social_from_url("http://t.me/scam_bot", 20, out, sizeof out, &n),
                     FIDX_ENOSPC);
    assert_int_equal(fidx_social_from_url("t.me/scam_bot", 13, out, sizeof out, &n), FIDX_EINVAL);
}

static void twice_equals_once(void **state)
{
    (void)state;
    static const struct {
        const char *in, *platform;
    } inputs[] = {
        {"https://www.facebook.com/Nguyen.Van.A", NULL},
        {"m.facebook.com/profile.php?id=100012345678901", NULL},
        {"t.me/Scam_Bot", NULL},
        {"@scam_bot", "telegram"},
        {"tiktok.com/@Handle", NULL},
        {"zalo.me/0912345678", NULL},
        {"0912.345.678", "zalo"},
        {"100012345678901", "facebook"},
        {"facebook:id:100012345678901", NULL},
        {"https://scam_channel.t.me/", NULL},
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char a[FIDX_CANON_CAP], b[FIDX_CANON_CAP], c[FIDX_CANON_CAP];
        size_t na, nb, nc;
        fidx_err_t err = {0};
        assert_int_equal(norm(inputs[i].in, strlen(inputs[i].in), inputs[i].platform, a, &na, &err),
                         0);
        /* With and without the platform: a canonical value names its own. */
        assert_int_equal(norm(a, na, NULL, b, &nb, &err), 0);
        assert_string_equal(a, b);
        assert_int_equal(norm(a, na, inputs[i].platform, c, &nc, &err), 0);
        assert_string_equal(a, c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contract_examples),
        cmocka_unit_test(facebook),
        cmocka_unit_test(telegram),
        cmocka_unit_test(tiktok),
        cmocka_unit_test(other_rejections),
        cmocka_unit_test(hostile_input),
        cmocka_unit_test(from_url),
        cmocka_unit_test(twice_equals_once),
        cmocka_unit_test(zalo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
