/* Unit tests for phone.c: every written form of the contract reaches the canonical value,
 * the numbering plan (mobile, landline, 2018 renumbering, 1800/1900, other countries) is
 * enforced, non-numbers are refused with a reason, and keys are exact and invertible. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fidx/phone.h"
#include "fidx/str.h"

typedef struct {
    const char *in;
    const char *want;
} case_t;

static void expect_ok(const char *in, const char *want)
{
    char out[64];
    size_t n = 0;
    fidx_err_t err = {0};
    int rc = fidx_phone_normalize(in, strlen(in), out, sizeof out, &n, &err);
    if (rc != 0)
        fail_msg("\"%s\": rc %d (%s), want \"%s\"", in, rc, err.reason ? err.reason : "-", want);
    if (strcmp(out, want) != 0 || n != strlen(want))
        fail_msg("\"%s\": got \"%s\", want \"%s\"", in, out, want);
}

/* Returns the reason so that callers can check it names the problem. */
static const char *expect_refused(const char *in, size_t len, int code)
{
    char out[64];
    size_t n = 0;
    fidx_err_t err = {0};
    int rc = fidx_phone_normalize(in, len, out, sizeof out, &n, &err);
    if (rc != code)
        fail_msg("\"%.*s\": rc %d, want %d", (int)(len > 60 ? 60 : len), in, rc, code);
    assert_int_equal(err.code, code);
    if (!err.reason || !err.reason[0])
        fail_msg("\"%s\": no reason", in);
    return err.reason;
}

static void run_cases(const case_t *cases, size_t count)
{
    for (size_t i = 0; i < count; i++)
        expect_ok(cases[i].in, cases[i].want);
}

#define RUN(cases) run_cases(cases, sizeof cases / sizeof cases[0])

static void contract_forms(void **state)
{
    (void)state;
    static const case_t cases[] = {
        {"0912345678", "+84912345678"},
        {"0912 345 678", "+84912345678"},
        {"0912.345.678", "+84912345678"},
        {"0912-345-678", "+84912345678"},
        {"+84 912 345 678", "+84912345678"},
        {"84912345678", "+84912345678"},
        {"(+84) 912 345 678", "+84912345678"},
        {"+84 (0) 912 345 678", "+84912345678"},
        {"0084912345678", "+84912345678"},
        {"\xef\xbc\x90\xef\xbc\x99\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94\xef\xbc\x95"
         "\xef\xbc\x96\xef\xbc\x97\xef\xbc\x98",
         "+84912345678"},
        /* Full-width '+' and digits. */
        {"\xef\xbc\x8b\xef\xbc\x98\xef\xbc\x94 912 345 678", "+84912345678"},
        {"01623456789", "+84323456789"},
        {"+841623456789", "+84323456789"},
        {"0261 3 123 456", "+842613123456"},
        {"024 3822 1111", "+842438221111"},
        {"1900 545 413", "1900545413"},
        {"1800-1234", "18001234"},
    };
    RUN(cases);
}

static void other_writings(void **state)
{
    (void)state;
    static const case_t cases[] = {
        {"  0912345678 \t", "+84912345678"},
        {"\n0912345678\r\n", "+84912345678"},
        {"\xc2\xa0"
         "0912\xc2\xa0"
         "345\xc2\xa0"
         "678\xc2\xa0",
         "+84912345678"},
        {"09\xe2\x80\x8b"
         "12345678",
         "+84912345678"}, /* U+200B */
        {"\xef\xbb\xbf"
         "0912345678\xe2\x81\xa0",
         "+84912345678"}, /* U+FEFF, U+2060 */
        {"0912\xe2\x80\x8c"
         "345\xe2\x80\x8d"
         "678",
         "+84912345678"},                              /* U+200C, U+200D */
        {"0912 \xe2\x80\x93 345 678", "+84912345678"}, /* en dash */
        {"0912 - 345 - 678", "+84912345678"},
        {"+84912345678", "+84912345678"},
        {"+84-912-345-678", "+84912345678"},
        {"+84(0)912345678", "+84912345678"},
        {"+840912345678", "+84912345678"},
        {"84 (0) 912 345 678", "+84912345678"},
        {"0084 (0) 912 345 678", "+84912345678"},
        {"(+84) (0) 912 345 678", "+84912345678"},
        {"+(84) 912 345 678", "+84912345678"},
        {"(0912) 345 678", "+84912345678"},
        {"(028) 3822 1111", "+842838221111"},
        {"+84 28 3822 1111", "+842838221111"},
        {"84 24 3822 1111", "+842438221111"},
        {"0 9 1 2 3 4 5 6 7 8", "+84912345678"},
    };
    RUN(cases);
}

/* The fast reading of typed numbers (vn_typed_fast) answers as the full one does: each form
 * is read again with a zero-width space after its first character, which only the full reading
 * takes (and drops). Every 3-digit prefix, lengths 8 to 12, written with each separator and
 * country prefix, grouped at every position. */
static void typed_forms_read_as_the_full_reading(void **state)
{
    (void)state;
    static const char *const heads[] = {"0", "+84", "84", "+84 ", "84 ", "+840", "00"};
    static const char seps[] = {' ', '.', '-'};
    char nsn[16], in[64], slow[80], a[32], b[32];
    size_t na, nb, checked = 0;
    for (int pre = 0; pre < 1000; pre++) {
        for (size_t len = 7; len <= 11; len++) {
            snprintf(nsn, sizeof nsn, "%03d%s", pre, "45678901" + (11 - len));
            for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++) {
                for (size_t k = 0; k < 4; k++) {
                    size_t o = (size_t)snprintf(in, sizeof in, "%s", heads[h]);
                    for (size_t i = 0; nsn[i]; i++) {
                        in[o++] = nsn[i];
                        if (k < 3 && nsn[i + 1] && (i == 2 || i == 5 || (k == 2 && i % 2)))
                            in[o++] = seps[k];
                    }
                    in[o] = '\0';
                    snprintf(slow, sizeof slow, "%c\xe2\x80\x8b%s", in[0], in + 1);
                    fidx_err_t e1, e2;
                    int r1 = fidx_phone_normalize(in, o, a, sizeof a, &na, &e1);
                    int r2 = fidx_phone_normalize(slow, strlen(slow), b, sizeof b, &nb, &e2);
                    if (r1 != r2 || (r1 == 0 && strcmp(a, b) != 0))
                        fail_msg("%s: %d %s, full reading %d %s", in, r1, r1 ? "" : a, r2,
                                 r2 ? "" : b);
                    checked++;
                }
            }
        }
    }
    assert_true(checked > 100000);
}

/* Every prefix of libphonenumber's VN mobile pattern, and the edges of the 3-digit ones. */
static void mobile_prefixes(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "030", "031", "032", "033", "034", "035", "036", "037", "038", "039", "051", "056",
        "058", "059", "070", "076", "077", "078", "079", "081", "082", "083", "084", "085",
        "086", "087", "088", "090", "091", "092", "093", "094", "095", "096", "097", "098",
    };
    static const char *const ok3[] = {"0522", "0523", "0528", "0559", "0896", "0899",
                                      "0990", "0991", "0993", "0999", "0672" /* VoIP */};
    static const char *const bad[] = {"010", "011", "020", "040", "050", "053",
                                      "054", "057", "060", "071", "075", "080"};
    static const char *const bad3[] = {"0521", "0529", "0550", "0890",
                                       "0895", "0992", "0671", "0673"};
    char in[16], want[16];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        snprintf(in, sizeof in, "%s1234567", ok[i]);
        snprintf(want, sizeof want, "+84%s1234567", ok[i] + 1);
        expect_ok(in, want);
    }
    for (size_t i = 0; i < sizeof ok3 / sizeof ok3[0]; i++) {
        snprintf(in, sizeof in, "%s123456", ok3[i]);
        snprintf(want, sizeof want, "+84%s123456", ok3[i] + 1);
        expect_ok(in, want);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(in, sizeof in, "%s1234567", bad[i]);
        expect_refused(in, strlen(in), FIDX_EINVAL);
    }
    for (size_t i = 0; i < sizeof bad3 / sizeof bad3[0]; i++) {
        snprintf(in, sizeof in, "%s123456", bad3[i]);
        expect_refused(in, strlen(in), FIDX_EINVAL);
    }
}

static void renumbering_2018(void **state)
{
    (void)state;
    static const struct {
        const char *old, *now;
    } map[] = {
        {"0162", "32"}, {"0163", "33"}, {"0164", "34"}, {"0165", "35"}, {"0166", "36"},
        {"0167", "37"}, {"0168", "38"}, {"0169", "39"}, {"0120", "70"}, {"0121", "79"},
        {"0122", "77"}, {"0126", "76"}, {"0128", "78"}, {"0123", "83"}, {"0124", "84"},
        {"0125", "85"}, {"0127", "81"}, {"0129", "82"}, {"0186", "56"}, {"0188", "58"},
        {"0199", "59"},
    };
    char in[24], want[24];
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        snprintf(want, sizeof want, "+84%s7654321", map[i].now);
        snprintf(in, sizeof in, "%s7654321", map[i].old);
        expect_ok(in, want);
        snprintf(in, sizeof in, "+84 %s 765 4321", map[i].old + 1);
        expect_ok(in, want);
        snprintf(in, sizeof in, "84%s7654321", map[i].old + 1);
        expect_ok(in, want);
    }
    /* 01xy prefixes that were never mobile blocks. */
    expect_refused("01301234567", 11, FIDX_EINVAL);
    expect_refused("01611234567", 11, FIDX_EINVAL);
    expect_refused("01871234567", 11, FIDX_EINVAL);
}

static void landlines(void **state)
{
    (void)state;
    static const case_t cases[] = {
        {"024 3822 1111", "+842438221111"},  /* Hà Nội */
        {"028 3829 5555", "+842838295555"},  /* TP Hồ Chí Minh */
        {"0236 3 822 000", "+842363822000"}, /* Đà Nẵng */
        {"0225 3 842 123", "+842253842123"}, /* Hải Phòng */
        {"0292 3 820 456", "+842923820456"}, /* Cần Thơ */
        {"0234 3 823 789", "+842343823789"}, /* Huế */
        {"0203 3 825 111", "+842033825111"}, /* Quảng Ninh */
        {"0299 3 621 222", "+842993621222"}, /* Sóc Trăng */
        {"0269 3 824 333", "+842693824333"}, /* Gia Lai */
        {"0277 3 851 444", "+842773851444"}, /* Đồng Tháp */
        {"+84 236 3822 000", "+842363822000"},
    };
    RUN(cases);
    /* Area codes outside the plan: 0200, 0217, 0223, 0230, 0249, 0253, 0264, 0278, 0281,
     * 0295, 0298. */
    static const char *const bad[] = {"02001234567", "02171234567", "02231234567", "02301234567",
                                      "02491234567", "02531234567", "02641234567", "02781234567",
                                      "02811234567", "02951234567", "02981234567"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = expect_refused(bad[i], strlen(bad[i]), FIDX_EINVAL);
        assert_non_null(strstr(why, "area code"));
    }
    assert_non_null(strstr(expect_refused("024382211", 9, FIDX_EINVAL), "short"));
}

static void service_numbers(void **state)
{
    (void)state;
    static const case_t cases[] = {
        {"19001234", "19001234"},       {"1900 1234", "19001234"}, {"1900.545.413", "1900545413"},
        {"1900123456", "1900123456"},   {"18001234", "18001234"},  {"1800 1234 56", "1800123456"},
        {"1800 599 920", "1800599920"},
    };
    RUN(cases);
    expect_refused("1900123", 7, FIDX_EINVAL);
    expect_refused("19001234567", 11, FIDX_EINVAL);
    /* Dialled only as is: with +84 or 0 they are refused (see phone.c). */
    static const char *const prefixed[] = {"+84 1900 1234", "019001234", "0084 1800 1234",
                                           "84 1900 545 413"};
    for (size_t i = 0; i < sizeof prefixed / sizeof prefixed[0]; i++) {
        const char *why = expect_refused(prefixed[i], strlen(prefixed[i]), FIDX_EINVAL);
        assert_non_null(strstr(why, "1800/1900"));
    }
}

static void other_countries(void **state)
{
    (void)state;
    static const case_t cases[] = {
        {"+1 415 555 2671", "+14155552671"},
        {"+1 (415) 555-2671", "+14155552671"},
        {"001 415 555 2671", "+14155552671"},
        {"+44 20 7946 0958", "+442079460958"},
        {"+44 (0) 20 7946 0958", "+442079460958"},
        {"+44 (0)20 7946 0958", "+442079460958"},
        {"0044 (0) 20 7946 0958", "+442079460958"},
        {"+86 138 0013 8000", "+8613800138000"},
        {"0086 138 0013 8000", "+8613800138000"},
        {"+855 12 345 678", "+85512345678"},
        {"+855 (0) 12 345 678", "+85512345678"},
        {"(+855) 12 345 678", "+85512345678"},
        {"+39 06 1234 5678", "+390612345678"}, /* Italy keeps its leading 0 */
        {"+7 912 345 67 89", "+79123456789"},
        {"+19001234", "+19001234"},               /* 8 digits: the E.164 minimum here */
        {"+123456789012345", "+123456789012345"}, /* 15 digits: E.164 maximum */
        {"+800 1234 5678", "+80012345678"},
    };
    RUN(cases);
    static const char *const bad[] = {
        "+1234567",             /* 7 digits */
        "+1234567890123456",    /* 16 digits */
        "+0912345678",          /* no country code starts with 0 */
        "+2101234567",          /* 210 unassigned (2 and 21 are not codes either) */
        "+3841234567",          /* 384 spare */
        "+6841234567",          /* 684 spare */
        "+44 20 (0) 7946 0958", /* "(0)" not right after the country code */
        "0012345678",           /* 00 + 8 digits: a mistyped VN number */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_refused(bad[i], strlen(bad[i]), FIDX_EINVAL);
}

static void refusals(void **state)
{
    (void)state;
    static const struct {
        const char *in, *why; /* a word the reason must contain */
    } cases[] = {
        {"", "empty"},
        {"   \t ", "empty"},
        {"\xe2\x80\x8b", "empty"},
        {"12345", "short"},
        {"0912abc678", "letters"},
        {"0912 345 678 ext 12", "letters"},
        {"0912_345_678", "character"},
        {"0912:345:678", "character"},
        {"\xff"
         "0912345678",
         "character"},
        {"\xef\xbc"
         "0912345678",
         "character"},
        {"12/03/2024", "/"},
        {"0912/345/678", "/"},
        {"2024-03-12", "date"},
        {"12.03.2024", "date"},
        {"0112345678", "numbering plan"},
        {"0012345678", "0 followed by 0"},
        {"0412345678", "numbering plan"},
        {"091234567", "short"},
        {"09123456789", "long"},
        {"091234567890", "long"},
        {"++84912345678", "more than one '+'"},
        {"+84 +912345678", "more than one '+'"},
        {"0912+345678", "only at the start"},
        {"84+912345678", "only at the start"},
        {"(+84 912 345 678", "unbalanced"},
        {"(+84", "unbalanced"},
        {"+84) 912 345 678", "unbalanced"},
        {"((+84)) 912 345 678", "nested"},
        {"() 0912345678", "empty parentheses"},
        {"0912 345 (678)", "parentheses"},
        {"091 234 (5678) 9", "parentheses"},
        {"(09123) 45678", "parentheses"},
        {"+84 (0) (0) 912345678", "(0)"},
        {"0912--345678", "two separators"},
        {"0912.-345678", "two separators"},
        {"-0912345678", "separator"},
        {"0912345678.", "separator"},
        {"0912\n345678", "line break"},
        {"+", "'+'"},
        {"912345678", "starts with"},
        {"2438221111", "starts with"},
        {"0123456789012345678901", "too many digits"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = expect_refused(cases[i].in, strlen(cases[i].in), FIDX_EINVAL);
        if (!strstr(why, cases[i].why))
            fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", cases[i].in, why, cases[i].why);
    }
}

static void limits(void **state)
{
    (void)state;
    static char big[FIDX_MAX_VALUE_LEN + 1];
    memset(big, ' ', sizeof big);
    memcpy(big, "0912345678", 10);
    expect_refused(big, sizeof big, FIDX_ETOOBIG);
    /* Exactly at the limit, trailing spaces are still just whitespace. */
    char out[64];
    size_t n;
    fidx_err_t err = {0};
    assert_int_equal(fidx_phone_normalize(big, FIDX_MAX_VALUE_LEN, out, sizeof out, &n, &err), 0);
    assert_string_equal(out, "+84912345678");
    /* Input is (p, len): bytes after len are not read. */
    assert_int_equal(fidx_phone_normalize("0912345678999", 10, out, sizeof out, &n, &err), 0);
    assert_string_equal(out, "+84912345678");
    assert_int_equal(n, 12);
    /* Output buffer: 12 characters need 13 bytes. */
    assert_int_equal(fidx_phone_normalize("0912345678", 10, out, 12, &n, &err), FIDX_ENOSPC);
    assert_int_equal(fidx_phone_normalize("0912345678", 10, out, 13, &n, &err), 0);
    assert_string_equal(out, "+84912345678");
    /* An embedded NUL is just another refused character. */
    expect_refused("0912\0"
                   "345678",
                   11, FIDX_EINVAL);
}

/* Inputs whose canonical forms feed the property tests below. */
static const char *const sample[] = {
    "0912345678",
    "0912 345 678",
    "+84 (0) 912 345 678",
    "01623456789",
    "+841203456789",
    "0199 123 4567",
    "0261 3 123 456",
    "024 3822 1111",
    "1900 545 413",
    "1800-1234",
    "19001234",
    "+19001234",
    "+1 (415) 555-2671",
    "+44 (0) 20 7946 0958",
    "+855 12 345 678",
    "+86 138 0013 8000",
    "0084 98 765 4321",
    "(+84) 286 123 4567",
    "+39 06 1234 5678",
    "+123456789012345",
};

static void canonical_is_fixed_point(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sample / sizeof sample[0]; i++) {
        char once[64], twice[64];
        size_t n1, n2;
        fidx_err_t err = {0};
        if (fidx_phone_normalize(sample[i], strlen(sample[i]), once, sizeof once, &n1, &err))
            fail_msg("\"%s\": %s", sample[i], err.reason);
        assert_int_equal(fidx_phone_normalize(once, n1, twice, sizeof twice, &n2, &err), 0);
        assert_int_equal(n1, n2);
        assert_string_equal(once, twice);
    }
}

static void keys(void **state)
{
    (void)state;
    uint64_t k1, k2;
    assert_int_equal(fidx_phone_key("+84912345678", 12, &k1), 0);
    assert_int_equal(k1, UINT64_C(84912345678));
    assert_int_equal(fidx_phone_key("19001234", 8, &k1), 0);
    assert_int_equal(k1, UINT64_C(19001234) | FIDX_PHONE_SERVICE_BIT);
    assert_int_equal(fidx_phone_key("+19001234", 9, &k2), 0);
    assert_int_equal(k2, UINT64_C(19001234));
    assert_true(k1 != k2);

    for (size_t i = 0; i < sizeof sample / sizeof sample[0]; i++) {
        char canon[64], back[64];
        size_t n, m;
        uint64_t k;
        fidx_err_t err = {0};
        assert_int_equal(
            fidx_phone_normalize(sample[i], strlen(sample[i]), canon, sizeof canon, &n, &err), 0);
        assert_int_equal(fidx_phone_key(canon, n, &k), 0);
        assert_true(k < (UINT64_C(1) << 51));
        assert_int_equal(fidx_phone_from_key(k, back, sizeof back, &m), 0);
        assert_int_equal(m, n);
        assert_string_equal(back, canon);
        /* Distinct canonical values, distinct keys. */
        for (size_t j = 0; j < i; j++) {
            char other[64];
            size_t on;
            uint64_t ok;
            assert_int_equal(
                fidx_phone_normalize(sample[j], strlen(sample[j]), other, sizeof other, &on, &err),
                0);
            assert_int_equal(fidx_phone_key(other, on, &ok), 0);
            assert_true((ok == k) == (strcmp(other, canon) == 0));
        }
    }
}

static void keys_refuse_non_canonical(void **state)
{
    (void)state;
    uint64_t k;
    char out[64];
    size_t n;
    static const char *const bad[] = {"0912345678",
                                      "84912345678",
                                      "+84 912345678",
                                      "+840912345678",
                                      "1900 1234",
                                      "+841623456789",
                                      "",
                                      "+",
                                      "+0",
                                      "12345"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (fidx_phone_key(bad[i], strlen(bad[i]), &k) != FIDX_EINVAL)
            fail_msg("key of non-canonical \"%s\" accepted", bad[i]);
    assert_int_equal(fidx_phone_from_key(0, out, sizeof out, &n), FIDX_EINVAL);
    assert_int_equal(fidx_phone_from_key(FIDX_PHONE_SERVICE_BIT, out, sizeof out, &n), FIDX_EINVAL);
    assert_int_equal(
        fidx_phone_from_key(FIDX_PHONE_SERVICE_BIT | UINT64_C(84912345678), out, sizeof out, &n),
        FIDX_EINVAL);
    assert_int_equal(fidx_phone_from_key(UINT64_C(1) << 51, out, sizeof out, &n), FIDX_EINVAL);
    assert_int_equal(fidx_phone_from_key(UINT64_MAX, out, sizeof out, &n), FIDX_EINVAL);
    assert_int_equal(fidx_phone_from_key(UINT64_C(84912345678), out, 12, &n), FIDX_ENOSPC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contract_forms),
        cmocka_unit_test(other_writings),
        cmocka_unit_test(mobile_prefixes),
        cmocka_unit_test(typed_forms_read_as_the_full_reading),
        cmocka_unit_test(renumbering_2018),
        cmocka_unit_test(landlines),
        cmocka_unit_test(service_numbers),
        cmocka_unit_test(other_countries),
        cmocka_unit_test(refusals),
        cmocka_unit_test(limits),
        cmocka_unit_test(canonical_is_fixed_point),
        cmocka_unit_test(keys),
        cmocka_unit_test(keys_refuse_non_canonical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
