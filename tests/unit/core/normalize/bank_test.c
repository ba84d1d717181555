/* Unit tests for bank.c: the bank table resolves every name it lists, Vietnamese names match
 * with or without diacritics, accounts as people write them normalise to "BIN:DIGITS", bad
 * ones are refused with a reason, and normalising is idempotent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fidx/bank.h"
#include "fidx/str.h"

static const char *find_bin(const char *s)
{
    const fidx_bank_t *b = fidx_bank_find(s, strlen(s));
    return b ? b->bin : "(none)";
}

/* Normalises s; returns the code and leaves the canonical form (or "") in out. */
static int norm(const char *s, char *out, size_t cap, fidx_err_t *err)
{
    size_t n = 0;
    out[0] = 0;
    int rc = fidx_bank_normalize(s, strlen(s), out, cap, &n, err);
    if (rc == 0)
        assert_int_equal(n, strlen(out));
    return rc;
}

static void assert_norm(const char *in, const char *want)
{
    char out[FIDX_CANON_CAP];
    fidx_err_t err = {0};
    int rc = norm(in, out, sizeof out, &err);
    if (rc != 0)
        fail_msg("\"%s\": %s", in, err.reason ? err.reason : "(no reason)");
    if (strcmp(out, want) != 0)
        fail_msg("\"%s\" -> \"%s\", want \"%s\"", in, out, want);
}

static void assert_rejected(const char *in, const char *reason, size_t offset)
{
    char out[FIDX_CANON_CAP];
    fidx_err_t err = {0};
    int rc = norm(in, out, sizeof out, &err);
    if (rc != FIDX_EINVAL)
        fail_msg("\"%s\": rc %d (\"%s\"), want FIDX_EINVAL", in, rc, out);
    assert_int_equal(err.code, FIDX_EINVAL);
    if (!err.reason || strcmp(err.reason, reason) != 0)
        fail_msg("\"%s\": reason \"%s\", want \"%s\"", in, err.reason ? err.reason : "", reason);
    assert_int_equal(err.offset, offset);
}

static void table_is_sound(void **state)
{
    (void)state;
    assert_true(fidx_bank_count() >= 60);
    assert_null(fidx_bank_at(fidx_bank_count()));
    for (size_t i = 0; i < fidx_bank_count(); i++) {
        const fidx_bank_t *b = fidx_bank_at(i);
        assert_int_equal(strlen(b->bin), 6);
        assert_int_equal(strspn(b->bin, "0123456789"), 6);
        assert_true(strlen(b->code) > 0 && strlen(b->short_name) > 0 && strlen(b->name) > 0);
        /* bank.c skips table strings of 256 bytes or more */
        assert_true(strlen(b->name) < 256 && strlen(b->aliases) < 256);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(b->bin, fidx_bank_at(j)->bin);
    }
}

/* Every BIN, code, short name, official name and alias finds its own bank: no key is shared
 * by two banks (the first bank in the table would otherwise win). */
static void every_row_resolves(void **state)
{
    (void)state;
    for (size_t i = 0; i < fidx_bank_count(); i++) {
        const fidx_bank_t *b = fidx_bank_at(i);
        const char *fields[] = {b->bin, b->code, b->short_name, b->name};
        for (size_t f = 0; f < 4; f++)
            if (fidx_bank_find(fields[f], strlen(fields[f])) != b)
                fail_msg("\"%s\" does not find %s (finds %s)", fields[f], b->bin,
                         find_bin(fields[f]));
        for (const char *a = b->aliases; *a;) {
            size_t al = strcspn(a, "|");
            assert_true(al > 0);
            if (fidx_bank_find(a, al) != b)
                fail_msg("alias \"%.*s\" does not find %s", (int)al, a, b->bin);
            a += a[al] ? al + 1 : al;
        }
    }
}

/* The names in VN-FACTS.md and the short names people write. */
static void known_names(void **state)
{
    (void)state;
    static const char *const names[][2] = {
        {"Vietcombank", "970436"},
        {"VCB", "970436"},
        {"VietinBank", "970415"},
        {"CTG", "970415"},
        {"ICB", "970415"},
        {"BIDV", "970418"},
        {"Agribank", "970405"},
        {"VBA", "970405"},
        {"MB", "970422"},
        {"MBBank", "970422"},
        {"MB Bank", "970422"},
        {"Quân đội", "970422"},
        {"Techcombank", "970407"},
        {"TCB", "970407"},
        {"ACB", "970416"},
        {"VPBank", "970432"},
        {"VPB", "970432"},
        {"TPBank", "970423"},
        {"TPB", "970423"},
        {"Sacombank", "970403"},
        {"STB", "970403"},
        {"VIB", "970441"},
        {"SHB", "970443"},
        {"HDBank", "970437"},
        {"HDB", "970437"},
        {"OCB", "970448"},
        {"MSB", "970426"},
        {"SeABank", "970440"},
        {"LPBank", "970449"},
        {"LienVietPostBank", "970449"},
        {"Eximbank", "970431"},
        {"EIB", "970431"},
        {"Cake", "546034"},
        {"Timo", "963388"},
        {"Ubank", "546035"},
        {"Shinhan", "970424"},
        {"Ngân hàng Chính sách Xã hội", "999888"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(find_bin(names[i][0]), names[i][1]) != 0)
            fail_msg("\"%s\" -> %s, want %s", names[i][0], find_bin(names[i][0]), names[i][1]);
}

static void folding(void **state)
{
    (void)state;
    static const char *const mb[] = {
        "Quân đội",
        "QUÂN ĐỘI",
        "quan doi",
        "Quan-Doi",
        "  quân   đội ",
        "Qua\xcc\x82n \xc4\x91o\xcc\x82\xcc\xa3i", /* NFD: base letters + combining marks */
        "Ngân hàng Quân Đội",
        "NGAN HANG TMCP QUAN DOI",
        "m.b.bank",
        "\xef\xbc\xad\xef\xbc\xa2",          /* full-width "ＭＢ" */
        "QU\xc3\x82N \xc3\x90\xe1\xbb\x98I", /* Latin Eth (U+00D0) typed for Đ */
        "quân\xe2\x80\x8b đội",              /* zero-width space */
    };
    for (size_t i = 0; i < sizeof mb / sizeof mb[0]; i++)
        if (strcmp(find_bin(mb[i]), "970422") != 0)
            fail_msg("\"%s\" -> %s", mb[i], find_bin(mb[i]));
    assert_string_equal(find_bin("Ngân hàng Nông nghiệp và Phát triển Nông thôn"), "970405");
    assert_string_equal(find_bin("ngan hang ngoai thuong viet nam"), "970436");
    assert_string_equal(find_bin("Bưu Điện Liên Việt"), "970449");
    assert_string_equal(find_bin("Đông Á"), "970406");
    assert_string_equal(find_bin("Co-op Bank"), "970446");
    /* Legal-form words and a trailing "Việt Nam" do not tell banks apart. */
    assert_string_equal(find_bin("Ngân hàng Quân đội Việt Nam"), "970422");
    assert_string_equal(find_bin("HSBC Việt Nam"), "458761");
    assert_string_equal(find_bin("Ngân hàng TNHH MTV Shinhan"), "970424");
    assert_string_equal(find_bin("Ngân hàng Thương mại Xây dựng Việt Nam"), "970444");
}

static void find_misses(void **state)
{
    (void)state;
    static const char *const none[] = {"",     " ",     "Ngân hàng", "TMCP",
                                       "xyz",  "97043", "9704360",   "Vietcombankk",
                                       "Quân", "*",     "Việt Nam",  "\xff\xfe"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        if (fidx_bank_find(none[i], strlen(none[i])) != NULL)
            fail_msg("\"%s\" finds %s", none[i], find_bin(none[i]));
    assert_null(fidx_bank_find(NULL, 0));
    /* Only p[0..len) is read: "VCB" followed by more text. */
    assert_non_null(fidx_bank_find("VCBxyz", 3));
    assert_null(fidx_bank_find("VCBxyz", 6));
}

static void contract_examples(void **state)
{
    (void)state;
    assert_norm("Vietcombank 0123456789", "970436:0123456789");
    assert_norm("VCB: 0123 456 789", "970436:0123456789");
    assert_norm("970436:0123456789", "970436:0123456789");
    assert_norm("*:0123456789", "*:0123456789");
    assert_norm("0123456789", "*:0123456789");
}

static void written_forms(void **state)
{
    (void)state;
    assert_norm("STK 0123456789 Vietcombank", "970436:0123456789");
    assert_norm("0123456789 - VCB", "970436:0123456789");
    assert_norm("0123456789-VCB", "970436:0123456789");
    assert_norm("Số tài khoản: 0123.456.789 ngân hàng Quân đội", "970422:0123456789");
    assert_norm("TK 0123-456-789 NH Techcombank", "970407:0123456789");
    assert_norm("STK: 19036543210018 - Ngân hàng TMCP Kỹ Thương", "970407:19036543210018");
    assert_norm("MB Bank 0 1 2 3 4 5 6", "970422:0123456");
    assert_norm("\xef\xbc\x90\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94\xef\xbc\x95"
                "\xef\xbc\x96\xef\xbc\x97\xef\xbc\x98\xef\xbc\x99 ACB", /* full-width digits */
                "970416:0123456789");
    assert_norm("970436 : 0123 456 789", "970436:0123456789");
    assert_norm("  *  0123456789 ", "*:0123456789");
    assert_norm("STK 0123456789", "*:0123456789");
    assert_norm("Agribank\xc2\xa0"
                "0123456789",
                "970405:0123456789"); /* no-break space */
    /* The holder's name on the other side of the number is not a bank name. */
    assert_norm("VCB 0123456789 NGUYEN VAN A", "970436:0123456789");
    assert_norm("Vietcombank chi nhánh Hà Nội 0123456789", "970436:0123456789");
    /* The same number twice is one number. */
    assert_norm("0123456789 (0123456789) Sacombank", "970403:0123456789");
    assert_norm("970436:0123456789 Vietcombank", "970436:0123456789");
    assert_norm("123456", "*:123456");
    assert_norm("1234567890123456789", "*:1234567890123456789");
}

static void rejections(void **state)
{
    (void)state;
    assert_rejected("Vietcombak 0123456789", "unknown bank name", 0);
    assert_rejected("0123456789 Ngân hàng Mặt Trăng", "unknown bank name", 23);
    assert_rejected("VCB 12345", "account number has fewer than 6 digits", 4);
    assert_rejected("VCB 12345678901234567890", "account number has more than 19 digits", 4);
    assert_rejected("0123456789 9876543210", "two different numbers", 11);
    assert_rejected("VCB 0123456789, 0123456788", "two different numbers", 16);
    assert_rejected("1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0",
                    "account number has more than 19 digits", 0);
    assert_rejected("0123 456 789 / 111 / 222", "two different numbers", 15);
    assert_rejected("VCB 0123abc456", "letters mixed into the account number", 8);
    assert_rejected("VCB0123456789", "letters mixed into the account number", 2);
    assert_rejected("999999:0123456789", "unknown bank identifier", 0);
    /* Without the ':' a leading 6-digit group is not a BIN. */
    assert_rejected("970436 0123456789", "two different numbers", 7);
    assert_rejected("Vietcombank 0123456789 Techcombank", "two different banks", 23);
    assert_rejected("970436:0123456789 TCB", "two different banks", 18);
    assert_rejected("*:0123456789 VCB", "bank name after '*:'", 13);
    assert_rejected("", "no account number", 0);
    assert_rejected("Vietcombank", "no account number", 0);
}

static void limits(void **state)
{
    (void)state;
    static char big[FIDX_MAX_VALUE_LEN + 2];
    char out[FIDX_CANON_CAP];
    size_t n = 0;
    fidx_err_t err = {0};
    memset(big, '1', sizeof big);
    assert_int_equal(fidx_bank_normalize(big, sizeof big, out, sizeof out, &n, &err), FIDX_ETOOBIG);
    assert_int_equal(err.code, FIDX_ETOOBIG);
    assert_null(fidx_bank_find(big, sizeof big));
    /* Exactly the limit is read (and refused for its length, not its size). */
    assert_int_equal(fidx_bank_normalize(big, FIDX_MAX_VALUE_LEN, out, sizeof out, &n, &err),
                     FIDX_EINVAL);
    /* "970436:0123456789" needs 18 bytes with its NUL. */
    assert_int_equal(fidx_bank_normalize("VCB 0123456789", 14, out, 17, &n, &err), FIDX_ENOSPC);
    assert_int_equal(fidx_bank_normalize("VCB 0123456789", 14, out, 18, &n, &err), 0);
    assert_string_equal(out, "970436:0123456789");
    /* Only p[0..len) is read. */
    assert_int_equal(fidx_bank_normalize("0123456789 VCB", 10, out, 18, &n, &err), 0);
    assert_string_equal(out, "*:0123456789");
    /* err may be NULL. */
    assert_int_equal(fidx_bank_normalize("x", 1, out, sizeof out, &n, NULL), FIDX_EINVAL);
}

/* normalize(canonical) == canonical, for every bank, and normalize twice == once. */
static void idempotent(void **state)
{
    (void)state;
    char out[FIDX_CANON_CAP], again[FIDX_CANON_CAP], in[64];
    fidx_err_t err = {0};
    for (size_t i = 0; i < fidx_bank_count(); i++) {
        const fidx_bank_t *b = fidx_bank_at(i);
        snprintf(in, sizeof in, "%s:000123456789", b->bin);
        assert_norm(in, in);
        snprintf(in, sizeof in, "%s 000 123 456 789", b->short_name);
        assert_int_equal(norm(in, out, sizeof out, &err), 0);
        assert_int_equal(norm(out, again, sizeof again, &err), 0);
        assert_string_equal(out, again);
        assert_string_equal(out + 7, "000123456789");
    }
    static const char *const inputs[] = {"VCB: 0123 456 789", "*:0123456789", "0123456789",
                                         "STK 0123456789 Vietcombank", "MB Bank 0 1 2 3 4 5 6"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        assert_int_equal(norm(inputs[i], out, sizeof out, &err), 0);
        assert_int_equal(norm(out, again, sizeof again, &err), 0);
        assert_string_equal(out, again);
    }
}

/* Hostile input: random bytes drawn from characters that matter here never crash, and what is
 * accepted is canonical. */
static void random_inputs(void **state)
{
    (void)state;
    static const char *const atoms[] = {"0123",
                                        "456",
                                        "0123456789",
                                        " ",
                                        ".",
                                        "-",
                                        ":",
                                        "*",
                                        "VCB",
                                        "MB",
                                        "0",
                                        " ",
                                        "  ",
                                        "1",
                                        "Timo",
                                        " NH ",
                                        "STK",
                                        "đ",
                                        "\xef\xbc\x95",
                                        "\xcc\x82",
                                        "\xff",
                                        "a",
                                        "ngân hàng",
                                        "970436",
                                        "Quân đội",
                                        "\xe1\xbb",
                                        "\n"};
    uint64_t x = 0x9E3779B97F4A7C15u;
    char in[256], out[FIDX_CANON_CAP], again[FIDX_CANON_CAP];
    int accepted = 0, refused = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 0;
        x = x * 6364136223846793005u + 1442695040888963407u;
        size_t natoms = 1 + (size_t)(x >> 61);
        for (size_t k = 0; k < natoms; k++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            const char *a = atoms[(x >> 33) % (sizeof atoms / sizeof atoms[0])];
            size_t al = strlen(a);
            if (n + al > sizeof in)
                break;
            memcpy(in + n, a, al);
            n += al;
        }
        size_t on = 0, an = 0;
        fidx_err_t err = {0};
        int rc = fidx_bank_normalize(in, n, out, sizeof out, &on, &err);
        (void)fidx_bank_find(in, n);
        if (rc != 0) {
            assert_int_equal(rc, FIDX_EINVAL);
            assert_non_null(err.reason);
            assert_true(err.offset <= n);
            refused++;
            continue;
        }
        accepted++;
        assert_true(out[0] == '*' ? out[1] == ':' : out[6] == ':');
        assert_int_equal(fidx_bank_normalize(out, on, again, sizeof again, &an, &err), 0);
        assert_string_equal(out, again);
    }
    /* both paths were exercised */
    print_message("random inputs: %d accepted, %d refused\n", accepted, refused);
    assert_true(accepted > 1000 && refused > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_sound), cmocka_unit_test(every_row_resolves),
        cmocka_unit_test(known_names),    cmocka_unit_test(folding),
        cmocka_unit_test(find_misses),    cmocka_unit_test(contract_examples),
        cmocka_unit_test(written_forms),  cmocka_unit_test(rejections),
        cmocka_unit_test(limits),         cmocka_unit_test(idempotent),
        cmocka_unit_test(random_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
