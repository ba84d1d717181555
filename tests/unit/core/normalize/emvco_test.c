/* Unit tests for emvco.c: VietQR payloads made by an independent generator (npm vietnam-qr-pay,
 * tests/vectors/vietqr/) and published example payloads parse to the right bank, account,
 * amount and purpose, and our encoder writes the generator's payloads byte for byte; damaged
 * payloads (CRC, truncation, lengths, nested templates, GUID, service, fields) are refused with
 * a precise reason and offset; the finder picks payloads out of a text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fidx/emvco.h"

#define VECTORS FIDX_SOURCE_DIR "/tests/vectors/vietqr/vectors.tsv"
#define MAX_FIELDS 9

static int str_is(fidx_str_t s, const char *want)
{
    return s.len == strlen(want) && (s.len == 0 || memcmp(s.p, want, s.len) == 0);
}

#define assert_str(s, want)                                                                        \
    do {                                                                                           \
        if (!str_is((s), (want)))                                                                  \
            fail_msg("%s: \"%.*s\", want \"%s\"", #s, (int)(s).len, (s).p ? (s).p : "", (want));   \
    } while (0)

static fidx_emvco_t parse_ok(const char *payload)
{
    fidx_emvco_t q;
    fidx_err_t err = {0};
    int rc = fidx_emvco_parse(payload, strlen(payload), &q, &err);
    if (rc != 0)
        fail_msg("%s: %s (offset %zu)", payload, err.reason ? err.reason : "?", err.offset);
    return q;
}

static void assert_refused(const char *payload, const char *reason, size_t offset)
{
    fidx_emvco_t q;
    fidx_err_t err = {0};
    int rc = fidx_emvco_parse(payload, strlen(payload), &q, &err);
    if (rc != FIDX_EINVAL)
        fail_msg("%s: rc %d, want FIDX_EINVAL (%s)", payload, rc, reason);
    assert_int_equal(err.code, FIDX_EINVAL);
    if (!err.reason || strcmp(err.reason, reason) != 0)
        fail_msg("%s: reason \"%s\", want \"%s\"", payload, err.reason ? err.reason : "", reason);
    if (err.offset != offset)
        fail_msg("%s: offset %zu, want %zu (%s)", payload, err.offset, offset, reason);
    assert_int_equal(q.bin.len, 0); /* nothing half-filled is left behind */
}

/* body + "6304" + its CRC: payloads with a right CRC, to reach the checks behind it. */
static const char *with_crc(const char *body)
{
    static char buf[1024];
    size_t n = strlen(body);
    assert_true(n + 9 <= sizeof buf);
    memcpy(buf, body, n);
    memcpy(buf + n, "6304", 4);
    snprintf(buf + n + 4, 5, "%04X", fidx_emvco_crc16(buf, n + 4));
    return buf;
}

/* ---- The independent generator's payloads ---------------------------------------------- */

typedef struct {
    char *f[MAX_FIELDS]; /* expect, key, bank short name, bin, account, service, amount,
                            purpose, payload */
} vector_t;

/* Splits one line of vectors.tsv in place. */
static int split(char *line, vector_t *v)
{
    int n = 0;
    char *p = line;
    while (n < MAX_FIELDS) {
        v->f[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

static void check_vector(const vector_t *v)
{
    const char *payload = v->f[8];
    fidx_emvco_t q = parse_ok(payload);
    assert_str(q.bin, v->f[3]);
    assert_str(q.account, v->f[4]);
    assert_str(q.service, v->f[5]);
    assert_int_equal(q.is_card, strcmp(v->f[5], "QRIBFTTC") == 0);
    assert_str(q.amount, v->f[6]);
    assert_str(q.purpose, v->f[7]);
    assert_str(q.currency, "704");
    assert_str(q.country, "VN");
    assert_str(q.initiation, v->f[6][0] ? "12" : "11");
    /* The bank is the generator's: same BIN; and where our table knows the generator's name
     * for it (all but "OCB Bank"), that name finds the same bank. */
    const fidx_bank_t *named = fidx_bank_find(v->f[2], strlen(v->f[2]));
    char want[FIDX_EMVCO_CANON_CAP];
    if (strcmp(v->f[1], "liobank") == 0) { /* the one BIN our table does not have */
        assert_null(q.bank);
        snprintf(want, sizeof want, "*:%s", v->f[4]);
    } else {
        if (!q.bank || strcmp(q.bank->bin, v->f[3]) != 0 || (named && named != q.bank))
            fail_msg("%s: bank %s, the generator says %s (%s)", payload,
                     q.bank ? q.bank->bin : "none", v->f[3], v->f[2]);
        snprintf(want, sizeof want, "%s:%s", v->f[3], v->f[4]);
    }
    assert_string_equal(q.canonical, want);
    assert_int_equal(q.canonical_len, strlen(want));
    /* Our encoder writes the generator's payload byte for byte (same field order). */
    char again[FIDX_EMVCO_MAX_LEN + 1];
    size_t n;
    assert_int_equal(fidx_emvco_encode(&q, again, sizeof again, &n, NULL), 0);
    assert_string_equal(again, payload);
}

static void generator_vectors(void **state)
{
    (void)state;
    FILE *f = fopen(VECTORS, "r");
    assert_non_null(f);
    char line[1024], bins[64][8];
    int ok = 0, refused = 0, nbins = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        vector_t v;
        assert_int_equal(split(line, &v), MAX_FIELDS);
        if (strcmp(v.f[0], "refused") == 0) {
            assert_refused(v.f[8], "no NAPAS account information (tag 38): not a VietQR transfer",
                           0);
            refused++;
            continue;
        }
        check_vector(&v);
        ok++;
        int seen = 0;
        for (int i = 0; i < nbins; i++)
            seen |= strcmp(bins[i], v.f[3]) == 0;
        if (!seen && nbins < 64)
            snprintf(bins[nbins++], sizeof bins[0], "%s", v.f[3]);
    }
    fclose(f);
    print_message("%d generated payloads of %d banks parsed, %d refused\n", ok, nbins, refused);
    assert_true(nbins >= 10 && ok >= 20 && refused >= 1);
}

/* ---- Published examples ------------------------------------------------------------------ */

static void published_examples(void **state)
{
    (void)state;
    /* dynamic-vietqr's README (https://app.unpkg.com/dynamic-vietqr@0.0.81/files/README.md),
     * with the example account of NAPAS's specification (Sacombank 970403, 0011012345678,
     * 180,000 VND): dynamic and static, to an account and to a card. */
    static const char *napas_example[] = {
        "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800"
        "005802VN62230819thanh toan don hang63045FAB",
        "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTC530370454061800"
        "005802VN62230819thanh toan don hang630415C1",
        "00020101021138570010A00000072701270006970403011300110123456780208QRIBFTTA53037045802VN630"
        "49E6F",
        "00020101021138570010A00000072701270006970403011300110123456780208QRIBFTTC53037045802VN630"
        "46E2C",
    };
    for (int i = 0; i < 4; i++) {
        fidx_emvco_t q = parse_ok(napas_example[i]);
        assert_string_equal(q.canonical, "970403:0011012345678");
        assert_string_equal(q.bank->short_name, "Sacombank");
        assert_int_equal(q.is_card, i % 2);
        assert_str(q.amount, i < 2 ? "180000" : "");
        assert_str(q.purpose, i < 2 ? "thanh toan don hang" : "");
    }
    /* vietnam-qr-pay's README (https://github.com/xuannghia/vietnam-qr-pay#readme): ACB static
     * and dynamic. */
    fidx_emvco_t q = parse_ok("00020101021138530010A0000007270123000697041601092576788590208QRIB"
                              "FTTA53037045802VN6304AE9F");
    assert_string_equal(q.canonical, "970416:257678859");
    q = parse_ok("00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540"
                 "5100005802VN62150811Chuyen tien630453E6");
    assert_string_equal(q.canonical, "970416:257678859");
    assert_str(q.amount, "10000");
    assert_str(q.purpose, "Chuyen tien");
    /* Same README: MoMo and ZaloPay receive through references with letters (MoMo's "PSP…" at
     * BIN 971025, ZaloPay's at BVBank 970454, MoMo's older ones with a tag 80): the payloads
     * parse, and there is no bank account number to check. */
    static const char *wallets[] = {
        "00020101021138620010A000000727013200069710250118PSP1234567890000000208QRIBFTTA53037045802"
        "VN62190515MOMOW2W123456786304821F",
        "00020101021138620010A00000072701320006970454011899ZP24009M072482670208QRIBFTTA53037045802"
        "VN6304073C",
        "00020101021138620010A00000072701320006970454011899MM24011M348750800208QRIBFTTA53037045802"
        "VN62190515MOMOW2W3487508080030466304EBC8",
    };
    for (int i = 0; i < 3; i++) {
        q = parse_ok(wallets[i]);
        assert_non_null(q.bank);
        assert_int_equal(q.canonical_len, 0);
        assert_string_equal(q.canonical, "");
    }
    assert_str(q.account, "99MM24011M34875080");
    /* vietqr_generator's documentation (https://pub.dev/documentation/vietqr_generator/latest):
     * Techcombank, an amount in a payload marked static (11). */
    q = parse_ok("00020101021138540010A00000072701240006970407011003865776720208QRIBFTTA53037045407"
                 "10000005802VN62160812henry an cut6304A322");
    assert_string_equal(q.canonical, "970407:0386577672");
    assert_str(q.amount, "1000000");
    assert_str(q.initiation, "11");
    /* vietqr-parser's README (https://pkg.go.dev/github.com/thanhtinhpas1/vietqr-parser) prints
     * a payload with payload format indicator "00": EMVCo requires "01". */
    assert_refused(
        "00020001021238570010A00000072701270006970436011308810004580860208QRIBFTTA5303704"
        "5802VN6304CD60",
        "payload format indicator is not 01", 4);
}

/* ---- CRC and damage ------------------------------------------------------------------------ */

static const char *ACB = "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA53"
                         "037045405100005802VN62150811Chuyen tien630453E6";

static void crc16(void **state)
{
    (void)state;
    assert_int_equal(fidx_emvco_crc16("123456789", 9), 0x29B1); /* the algorithm's check value */
    assert_int_equal(fidx_emvco_crc16("", 0), 0xFFFF);
    /* Lower-case hex digits are read too. */
    char lower[256];
    snprintf(lower, sizeof lower, "%s", ACB);
    lower[strlen(lower) - 2] = 'e'; /* "53E6" → "53e6" */
    parse_ok(lower);
}

static void bad_crc(void **state)
{
    (void)state;
    size_t n = strlen(ACB);
    char buf[256];
    /* Every single-character change of the payload is caught by the CRC or the structure. */
    for (size_t i = 0; i < n; i++) {
        memcpy(buf, ACB, n + 1);
        buf[i] = buf[i] == '7' ? '8' : '7';
        fidx_emvco_t q;
        fidx_err_t err = {0};
        if (fidx_emvco_parse(buf, n, &q, &err) != FIDX_EINVAL)
            fail_msg("changing byte %zu of the payload went unnoticed", i);
    }
    memcpy(buf, ACB, n + 1);
    buf[n - 1] = '0';
    assert_refused(buf, "CRC (tag 63) does not match the payload: damaged or altered", n - 4);
    memcpy(buf, ACB, n + 1);
    memcpy(strstr(buf, "540510000"), "540590000", 9); /* the amount 10,000 → 90,000 */
    assert_refused(buf, "CRC (tag 63) does not match the payload: damaged or altered", n - 4);
    memcpy(buf, ACB, n + 1);
    buf[n - 2] = 'G';
    assert_refused(buf, "CRC (tag 63) is not 4 hex digits", n - 2);
}

static void truncated(void **state)
{
    (void)state;
    size_t n = strlen(ACB);
    for (size_t len = 0; len < n; len++) {
        fidx_emvco_t q;
        fidx_err_t err = {0};
        char *copy = malloc(len ? len : 1); /* exactly len bytes: no NUL to lean on */
        assert_non_null(copy);
        memcpy(copy, ACB, len);
        int rc = fidx_emvco_parse(copy, len, &q, &err);
        free(copy);
        if (rc != FIDX_EINVAL || !err.reason || err.offset > len)
            fail_msg("prefix of %zu bytes: rc %d", len, rc);
    }
    assert_refused("", "empty payload", 0);
    assert_refused("00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704",
                   "no CRC (tag 63) at the end of the payload", 76);
    assert_refused("000201010212385", "data object id or length is not two digits", 12);
}

static void structure(void **state)
{
    (void)state;
    /* A root length past the end, length 00, a non-digit length. */
    assert_refused("000201010212389900", "data object length runs past the end of the payload", 14);
    assert_refused("0002010100", "data object has length 00", 8);
    assert_refused("00020101x2", "data object id or length is not two digits", 6);
    assert_refused("0102120002016304ABCD",
                   "payload does not start with the payload format indicator (00)", 0);
    assert_refused(with_crc("000201000201"), "data object id appears twice", 6);
    assert_refused("0002016304ABCD5802VN", "data after the CRC (tag 63)", 14);
    assert_refused("000201630512345", "CRC (tag 63) is not 4 characters long", 8);
    assert_refused(with_crc("0002010102135802VN"),
                   "point of initiation method (01) is not 11 or 12", 10);
    char big[FIDX_EMVCO_MAX_LEN + 2];
    memset(big, '0', sizeof big);
    fidx_emvco_t q;
    fidx_err_t err = {0};
    assert_int_equal(fidx_emvco_parse(big, sizeof big, &q, &err), FIDX_ETOOBIG);
    assert_string_equal(err.reason, "payload longer than 512 bytes");
    assert_int_equal(fidx_emvco_parse(NULL, 0, &q, &err), FIDX_EINVAL);
}

/* Tag 38 with its value v: "000201" "010212" "38" len v "5303704" "5802VN" + CRC. */
static const char *napas(const char *v)
{
    char body[512];
    snprintf(body, sizeof body, "00020101021238%02zu%s53037045802VN", strlen(v), v);
    return with_crc(body);
}

static void napas_template(void **state)
{
    (void)state;
    const char *ok = napas("0010A00000072701240006970436011000110043560208QRIBFTTA");
    fidx_emvco_t q = parse_ok(ok);
    assert_string_equal(q.canonical, "970436:0011004356");
    /* Tag 38's value starts at offset 16 in these payloads. */
    assert_refused(napas("0010A00000072801240006970436011000110043560208QRIBFTTA"),
                   "tag 38: GUID is not NAPAS's A000000727", 20);
    assert_refused(napas("0010A0000007270124000697043601100011004356"),
                   "tag 38 has no service code (02)", 16);
    assert_refused(napas("01240006970436011000110043560208QRIBFTTA"), "tag 38 has no GUID (00)",
                   16);
    assert_refused(napas("0010A0000007270208QRIBFTTA"),
                   "tag 38 has no beneficiary organisation (01)", 16);
    assert_refused(napas("0010A00000072701240006970436011000110043560206QRPUSH"),
                   "service code is not QRIBFTTA or QRIBFTTC: not a transfer to an account or card",
                   62);
    /* Nested overruns: a sub-field of 38 past 38's end, a sub-field of 38/01 past 38/01's. */
    assert_refused(napas("0010A00000072701990006970436"),
                   "tag 38: sub-field length runs past the end of tag 38", 32);
    assert_refused(napas("0010A000000727011600069704360199120208QRIBFTTA"),
                   "tag 38/01: sub-field length runs past the end of tag 38/01", 46);
    assert_refused(napas("0010A0000007270112000697043601"),
                   "tag 38/01: sub-field id or length is not two digits", 44);
    assert_refused(napas("0010A00000072700100000000000"), "tag 38: sub-field id appears twice", 30);
    /* The BIN and the account. */
    assert_refused(napas("0010A0000007270123000597043011000110043560208QRIBFTTA"),
                   "bank BIN (tag 38/01/00) is not 6 digits", 38);
    assert_refused(napas("0010A000000727011000069704360208QRIBFTTA"),
                   "tag 38/01 has no account or card number (01)", 34);
    assert_refused(napas("0010A000000727011001060011000208QRIBFTTA"),
                   "tag 38/01 has no bank BIN (00)", 34);
    assert_refused(napas("0010A000000727013400069704360120123456789012345678900208QRIBFTTA"),
                   "account number is longer than 19 characters", 48);
    assert_refused(napas("0010A00000072701240006970436011000110-43560208QRIBFTTA"),
                   "account number has a character other than a letter or digit", 53);
}

static void card_and_account(void **state)
{
    (void)state;
    fidx_emvco_t a = parse_ok(napas("0010A00000072701240006970418011000110043560208QRIBFTTA"));
    fidx_emvco_t c =
        parse_ok(napas("0010A00000072701300006970418011697041800110043560208QRIBFTTC"));
    assert_int_equal(a.is_card, 0);
    assert_int_equal(c.is_card, 1);
    assert_str(c.service, "QRIBFTTC");
    assert_string_equal(c.canonical, "970418:9704180011004356");
    assert_string_equal(c.bank->short_name, "BIDV");
    /* An account of fewer than 6 digits parses, but is no bank account to check. */
    fidx_emvco_t s = parse_ok(napas("0010A00000072701180006970418010412340208QRIBFTTA"));
    assert_str(s.account, "1234");
    assert_int_equal(s.canonical_len, 0);
}

/* The transaction fields with the given extra root objects in place of 53/58. */
static const char *transaction(const char *extra)
{
    char body[512];
    snprintf(body, sizeof body,
             "00020101021238540010A00000072701240006970436011000110043560208QRIBFTTA%s", extra);
    return with_crc(body);
}

static void transaction_fields(void **state)
{
    (void)state;
    fidx_emvco_t q = parse_ok(transaction("5303704540712345.55802VN5910NGUYEN VAN6006HA NOI"
                                          "62260103INV0815phi giao hang 1"));
    assert_str(q.amount, "12345.5");
    assert_str(q.name, "NGUYEN VAN");
    assert_str(q.city, "HA NOI");
    assert_str(q.purpose, "phi giao hang 1");
    /* Tag 62 without a purpose: fine. */
    q = parse_ok(transaction("62070103INV"));
    assert_str(q.purpose, "");
    /* The root objects after tag 38 start at offset 70, so a value there at 74. */
    assert_refused(transaction("54041.2."), "amount (54) is not a number (digits, at most one '.')",
                   74);
    assert_refused(transaction("54031,0"), "amount (54) is not a number (digits, at most one '.')",
                   74);
    assert_refused(transaction("540312."), "amount (54) is not a number (digits, at most one '.')",
                   74);
    assert_refused(transaction("5401."), "amount (54) is not a number (digits, at most one '.')",
                   74);
    assert_refused(transaction("541412345678901234"), "amount (54) is longer than 13 characters",
                   74);
    parse_ok(transaction("54131234567890123"));
    assert_refused(transaction("5303VND"), "currency (53) is not 3 digits", 74);
    assert_refused(transaction("5802vn"), "country code (58) is not 2 letters", 74);
    assert_refused(transaction("62110899purpose"),
                   "tag 62: sub-field length runs past the end of tag 62", 76);
    assert_refused(transaction("62120804abcd0800"), "tag 62: sub-field has length 00", 84);
}

static void encode_limits(void **state)
{
    (void)state;
    fidx_emvco_t q = parse_ok(ACB);
    char out[FIDX_EMVCO_MAX_LEN + 1];
    size_t n = 0;
    fidx_err_t err = {0};
    size_t len = strlen(ACB);
    /* Exactly enough room, then one byte less. */
    assert_int_equal(fidx_emvco_encode(&q, out, len + 1, &n, &err), 0);
    assert_int_equal(n, len);
    assert_int_equal(fidx_emvco_encode(&q, out, len, &n, &err), FIDX_ENOSPC);
    assert_int_equal(fidx_emvco_encode(&q, out, 0, &n, &err), FIDX_ENOSPC);
    /* A purpose that would make tag 62 longer than 99 bytes. */
    char longp[97];
    memset(longp, 'a', sizeof longp);
    q.purpose = fidx_str(longp, sizeof longp);
    assert_int_equal(fidx_emvco_encode(&q, out, sizeof out, &n, &err), FIDX_EINVAL);
    q.purpose = fidx_str(longp, 95);
    assert_int_equal(fidx_emvco_encode(&q, out, sizeof out, &n, &err), 0);
    fidx_emvco_t back = parse_ok(out);
    assert_int_equal(back.purpose.len, 95);
    q.account = fidx_str(NULL, 0);
    assert_int_equal(fidx_emvco_encode(&q, out, sizeof out, &n, &err), FIDX_EINVAL);
}

/* ---- Finding payloads in a text ------------------------------------------------------------ */

static void find_in_text(void **state)
{
    (void)state;
    const char *a = ACB;
    const char *b = "00020101021138570010A00000072701270006970403011300110123456780208QRIBFTTA5303"
                    "7045802VN63049E6F";
    char bad[256];
    snprintf(bad, sizeof bad, "%s", a);
    bad[strlen(bad) - 1] = '0'; /* CRC wrong: skipped */
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "Chuyển khoản phí vào mã này: %s rồi gửi ảnh. 000201 sai %s\nMã mới:%s000201",
                     a, bad, b);
    size_t len = (size_t)n, from = 0;
    fidx_emvco_match_t m;
    assert_int_equal(fidx_emvco_find(text, len, &from, &m), 1);
    assert_int_equal(m.end - m.start, strlen(a));
    assert_memory_equal(text + m.start, a, strlen(a));
    assert_string_equal(m.qr.canonical, "970416:257678859");
    assert_int_equal(fidx_emvco_find(text, len, &from, &m), 1);
    assert_memory_equal(text + m.start, b, strlen(b));
    assert_string_equal(m.qr.canonical, "970403:0011012345678");
    assert_int_equal(fidx_emvco_find(text, len, &from, &m), 0);
    assert_int_equal(from, len);
    /* Every prefix of the text: never past its end, the first payload only once it is whole. */
    for (size_t cut = 0; cut <= len; cut++) {
        char *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, text, cut);
        from = 0;
        int found = 0;
        while (fidx_emvco_find(copy, cut, &from, &m)) {
            assert_true(m.end <= cut && m.start < m.end);
            found++;
        }
        free(copy);
        assert_int_equal(found > 0, cut >= (size_t)(strstr(text, a) - text) + strlen(a));
    }
    from = 0;
    assert_int_equal(fidx_emvco_find(NULL, 0, &from, &m), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generator_vectors),
        cmocka_unit_test(published_examples),
        cmocka_unit_test(crc16),
        cmocka_unit_test(bad_crc),
        cmocka_unit_test(truncated),
        cmocka_unit_test(structure),
        cmocka_unit_test(napas_template),
        cmocka_unit_test(card_and_account),
        cmocka_unit_test(transaction_fields),
        cmocka_unit_test(encode_limits),
        cmocka_unit_test(find_in_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
