/* Unit tests for indicator.c: a row validated into an indicator (defaults, every rejection
 * with its reason), dates as day numbers (calendar rules, range, round trip), and the merge of
 * duplicates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fidx/indicator.h"

#define S(lit) fidx_str((lit), sizeof(lit) - 1)

static fidx_indicator_t ind, other; /* large: kept off the stack */

static int to_ind(const fidx_row_t *row, const fidx_row_defaults_t *def, fidx_err_t *err)
{
    memset(err, 0, sizeof *err);
    return fidx_row_to_indicator(row, def, &ind, err);
}

static void reject(const fidx_row_t *row, int code, const char *reason)
{
    fidx_err_t err;
    assert_int_equal(to_ind(row, NULL, &err), code);
    assert_non_null(err.reason);
    if (reason)
        assert_string_equal(err.reason, reason);
}

static void full_row(void **state)
{
    (void)state;
    fidx_row_t row = {.line = 3,
                      .kind = S("email"),
                      .value = S("Scam@Example.COM"),
                      .status = S(" confirmed "),
                      .categories = S("phishing; impersonation"),
                      .source = S("Police; bank;police;;"),
                      .reports = S("12"),
                      .first_seen = S("2024-03-01"),
                      .last_seen = S("2024-04-02"),
                      .note = S("gọi giả danh ngân hàng")};
    fidx_err_t err;
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(ind.kind, FIDX_KIND_EMAIL);
    assert_string_equal(ind.value, "scam@example.com");
    assert_int_equal(ind.value_len, strlen("scam@example.com"));
    assert_int_equal(ind.status, FIDX_STATUS_CONFIRMED);
    assert_int_equal(ind.categories, (1u << FIDX_CAT_PHISHING) | (1u << FIDX_CAT_IMPERSONATION));
    assert_int_equal(ind.n_sources, 2);
    assert_string_equal(ind.sources[0], "bank");
    assert_string_equal(ind.sources[1], "police");
    assert_int_equal(ind.reports, 12);
    char day[11];
    fidx_day_format(ind.first_seen, day);
    assert_string_equal(day, "2024-03-01");
    fidx_day_format(ind.last_seen, day);
    assert_string_equal(day, "2024-04-02");
    assert_string_equal(ind.note, "gọi giả danh ngân hàng");
    assert_int_equal(ind.note_len, strlen("gọi giả danh ngân hàng"));
}

static void defaults(void **state)
{
    (void)state;
    fidx_row_defaults_t def = {FIDX_STATUS_CONFIRMED, S("telco"), 1u << FIDX_CAT_LOAN};
    fidx_row_t row = {
        .value = S("Evil.COM."), .kind = S("domain"), .status = S(""), .source = S("")};
    fidx_err_t err;
    assert_int_equal(to_ind(&row, &def, &err), 0);
    assert_string_equal(ind.value, "evil.com");
    assert_int_equal(ind.status, FIDX_STATUS_CONFIRMED);
    assert_int_equal(ind.categories, 1u << FIDX_CAT_LOAN);
    assert_int_equal(ind.n_sources, 1);
    assert_string_equal(ind.sources[0], "telco");
    assert_int_equal(ind.reports, 1);
    assert_int_equal(ind.first_seen, 0);
    assert_int_equal(ind.last_seen, 0);
    assert_int_equal(ind.note_len, 0);
    assert_string_equal(ind.note, "");
    /* The row's own fields win over the defaults. */
    row.status = S("reported");
    row.categories = S("other");
    row.source = S("bank");
    assert_int_equal(to_ind(&row, &def, &err), 0);
    assert_int_equal(ind.status, FIDX_STATUS_REPORTED);
    assert_int_equal(ind.categories, 1u << FIDX_CAT_OTHER);
    assert_string_equal(ind.sources[0], "bank");
    /* No defaults at all. */
    fidx_row_t bare = {.value = S("a@b.vn")};
    assert_int_equal(to_ind(&bare, NULL, &err), 0);
    assert_int_equal(ind.kind, FIDX_KIND_EMAIL); /* detected */
    assert_int_equal(ind.status, FIDX_STATUS_REPORTED);
    assert_int_equal(ind.n_sources, 0);
    /* Invalid defaults are refused like the row's own fields. */
    fidx_row_defaults_t bad = {FIDX_STATUS_REPORTED, S("Not a name"), 0};
    assert_int_equal(to_ind(&bare, &bad, &err), FIDX_EINVAL);
}

static void rejections(void **state)
{
    (void)state;
    fidx_row_t row = {.value = S("a@b.vn")};
    row.kind = S("Phone");
    reject(&row, FIDX_EINVAL, "unknown kind");
    row.kind = S("email");
    row.status = S("blocked");
    reject(&row, FIDX_EINVAL, "unknown status");
    row.status = S("confirmed");
    row.categories = S("phishing;scammy");
    reject(&row, FIDX_EINVAL, "unknown category");
    row.categories = S("");
    row.value = S("");
    reject(&row, FIDX_EINVAL, "value is missing");
    row.value = fidx_str(NULL, 0);
    reject(&row, FIDX_EINVAL, "value is missing");
    row.value = S("no-at-sign.vn");
    reject(&row, FIDX_EINVAL, NULL); /* the normaliser's reason */
    static char big[FIDX_MAX_VALUE_LEN + 2];
    memset(big, 'a', sizeof big - 1);
    big[10] = '@';
    row.value = fidx_str(big, sizeof big - 1);
    reject(&row, FIDX_ETOOBIG, NULL);
    row.value = S("a@b.vn");
    fidx_err_t err;
    assert_int_equal(to_ind(&row, NULL, &err), 0);
}

static void reports_field(void **state)
{
    (void)state;
    fidx_row_t row = {.value = S("a@b.vn")};
    fidx_err_t err;
    const char *bad[] = {"abc", "-1", "+3", "1.5", "1000000001", "99999999999999999999", "1 2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        row.reports = fidx_str(bad[i], strlen(bad[i]));
        assert_int_equal(to_ind(&row, NULL, &err), FIDX_EINVAL);
        assert_non_null(strstr(err.reason, "reports"));
    }
    row.reports = S(" 1000000000 ");
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(ind.reports, FIDX_MAX_REPORTS);
    row.reports = S("007");
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(ind.reports, 7);
    /* 0 is a count (an allowlisted hotline has no reports), not a missing one. */
    const char *zero[] = {"0", "00", " 0 "};
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++) {
        row.reports = fidx_str(zero[i], strlen(zero[i]));
        assert_int_equal(to_ind(&row, NULL, &err), 0);
        assert_int_equal(ind.reports, 0);
    }
    row.reports = S("");
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(ind.reports, 1); /* absent: the default */
}

static void dates_in_rows(void **state)
{
    (void)state;
    fidx_row_t row = {.value = S("a@b.vn"), .first_seen = S("2023-02-29")};
    reject(&row, FIDX_EINVAL, "first_seen is not a date (YYYY-MM-DD)");
    row.first_seen = S("2024-02-29");
    row.last_seen = S("2024-02-28");
    reject(&row, FIDX_EINVAL, "first_seen is after last_seen");
    row.last_seen = S("24-03-01");
    reject(&row, FIDX_EINVAL, "last_seen is not a date (YYYY-MM-DD)");
    row.last_seen = S("2024-02-29");
    fidx_err_t err;
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(ind.first_seen, ind.last_seen);
    row.first_seen = S("");
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(ind.first_seen, 0);
}

static void sources_field(void **state)
{
    (void)state;
    fidx_row_t row = {.value = S("a@b.vn")};
    const char *bad[] = {"police force", "ngân-hàng", "a/b", "x;" /* fine */ "é",
                         "abcdefghijklmnopqrstuvwxyz0123456"}; /* 33 bytes */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        row.source = fidx_str(bad[i], strlen(bad[i]));
        reject(&row, FIDX_EINVAL, NULL);
    }
    row.source = S("s1;s2;s3;s4;s5;s6;s7;s8;s9");
    reject(&row, FIDX_EINVAL, "too many sources (at most 8)");
    row.source = S("s8;s7;s6;s5;s4;s3;s2;s1;S1;s1;abcdefghijklmnopqrstuvwxyz012345");
    reject(&row, FIDX_EINVAL, "too many sources (at most 8)");
    row.source = S("s7;s6;s5;s4;s3;s2;S1;s1;s1 ;a.b_c-d");
    fidx_err_t err;
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(ind.n_sources, 8);
    assert_string_equal(ind.sources[0], "a.b_c-d");
    for (int i = 1; i < 8; i++) {
        char want[3] = {'s', (char)('0' + i), 0};
        assert_string_equal(ind.sources[i], want);
    }
}

static void note_field(void **state)
{
    (void)state;
    fidx_row_t row = {.value = S("a@b.vn")};
    static char big[FIDX_MAX_NOTE_LEN + 1];
    memset(big, 'n', sizeof big);
    row.note = fidx_str(big, FIDX_MAX_NOTE_LEN);
    fidx_err_t err;
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(ind.note_len, FIDX_MAX_NOTE_LEN);
    assert_int_equal(ind.note[FIDX_MAX_NOTE_LEN], '\0');
    row.note = fidx_str(big, FIDX_MAX_NOTE_LEN + 1);
    reject(&row, FIDX_ETOOBIG, NULL);
    const char *bad_utf8[] = {"\xC0\x80", "\xED\xA0\x80",     "\xF5\x80\x80\x80", "abc\xE1\x80",
                              "\x80",     "\xF4\x90\x80\x80", "\xE0\x9F\xBF"};
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
        row.note = fidx_str(bad_utf8[i], strlen(bad_utf8[i]));
        reject(&row, FIDX_EINVAL, "note is not valid UTF-8");
    }
    row.note = S("a\0b");
    reject(&row, FIDX_EINVAL, "note has a control character");
    row.note = S("line one\r\n\tline two \xF0\x9F\x98\x80");
    assert_int_equal(to_ind(&row, NULL, &err), 0);
}

/* The public label: one line of UTF-8, trimmed, no control of any kind, at most 256 bytes;
 * absent or blank is none. */
static void label_field(void **state)
{
    (void)state;
    fidx_row_t row = {.value = S("1900 54 54 13"), .note = S("private")};
    fidx_err_t err;
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(ind.label_len, 0);
    assert_string_equal(ind.label, "");
    row.label = S("  Vietcombank — tổng đài chính thức \t");
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_string_equal(ind.label, "Vietcombank — tổng đài chính thức");
    assert_int_equal(ind.label_len, strlen("Vietcombank — tổng đài chính thức"));
    assert_string_equal(ind.note, "private"); /* the two never mix */
    row.label = S("   ");
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(ind.label_len, 0);
    static char big[FIDX_MAX_LABEL_LEN + 1];
    memset(big, 'l', sizeof big);
    row.label = fidx_str(big, FIDX_MAX_LABEL_LEN);
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(ind.label_len, FIDX_MAX_LABEL_LEN);
    row.label = fidx_str(big, FIDX_MAX_LABEL_LEN + 1);
    reject(&row, FIDX_ETOOBIG, "label is longer than 256 bytes");
    /* Line breaks, tabs inside, DEL, C1, separators, bidirectional controls, NUL. */
    const char *controls[] = {"a\nb",
                              "a\tb",
                              "a\x7F",
                              "a\xC2\x85",
                              "a\xE2\x80\xA8",
                              "a\xE2\x80\xAE",
                              "a\xE2\x81\xA6"
                              "b",
                              "a\xE2\x80\x8F"};
    for (size_t i = 0; i < sizeof controls / sizeof controls[0]; i++) {
        row.label = fidx_str(controls[i], strlen(controls[i]));
        reject(&row, FIDX_EINVAL, "label has a control character");
    }
    row.label = S("a\0b");
    reject(&row, FIDX_EINVAL, "label has a control character");
    row.label = S("VCB \xC0\x80");
    reject(&row, FIDX_EINVAL, "label is not valid UTF-8");
    /* Neighbours of the controls are letters or punctuation: accepted. */
    row.label = S("\xC2\xA0\xE2\x80\x94\xE2\x80\xA6\xE2\x81\xA0");
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(fidx_label_check("ok", 2, NULL), 0);
}

static void other_kinds(void **state)
{
    (void)state;
    fidx_row_t row = {.kind = S("phone"), .value = S("0912 345 678")};
    fidx_err_t err;
    assert_int_equal(to_ind(&row, NULL, &err), 0);
    assert_int_equal(ind.kind, FIDX_KIND_PHONE);
    assert_string_equal(ind.value, "+84912345678");
    row.value = S("12");
    reject(&row, FIDX_EINVAL, NULL);
}

/* ---- days --------------------------------------------------------------------------------- */

static int day(const char *s, fidx_day_t *d)
{
    return fidx_day_parse(s, strlen(s), d);
}

static void day_numbers(void **state)
{
    (void)state;
    fidx_day_t d;
    assert_int_equal(day("2000-01-01", &d), 0);
    assert_int_equal(d, 1);
    assert_int_equal(day("2000-12-31", &d), 0);
    assert_int_equal(d, 366); /* 2000 is a leap year (divisible by 400) */
    assert_int_equal(day("2001-01-01", &d), 0);
    assert_int_equal(d, 367);
    assert_int_equal(day("2024-03-01", &d), 0);
    assert_int_equal(d, 8827);
    assert_int_equal(day("2179-06-05", &d), 0);
    assert_int_equal(d, 65535);
    const char *bad[] = {"2179-06-06",     "1999-12-31", "2023-02-29", "2100-02-29",  "2024-04-31",
                         "2024-00-10",     "2024-13-01", "2024-01-00", "2024-01-32",  "2024/01/01",
                         "2024-1-01",      "2024-01-1",  "20240101",   "2024-01-01T", " 2024-01-01",
                         "２０２４-01-01", "",           "+024-01-01", "2024-0a-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(day(bad[i], &d), FIDX_EINVAL);
    assert_int_equal(day("2024-02-29", &d), 0);
    assert_int_equal(day("2000-02-29", &d), 0);
    /* Not NUL-terminated: only len bytes are read. */
    assert_int_equal(fidx_day_parse("2024-02-2999", 10, &d), 0);
}

static void day_round_trip(void **state)
{
    (void)state;
    char buf[11];
    fidx_day_format(0, buf);
    assert_string_equal(buf, "");
    for (unsigned n = 1; n <= UINT16_MAX; n++) {
        fidx_day_t back = 0;
        fidx_day_format((fidx_day_t)n, buf);
        assert_int_equal(strlen(buf), 10);
        assert_int_equal(fidx_day_parse(buf, 10, &back), 0);
        assert_int_equal(back, n);
    }
    fidx_day_format(UINT16_MAX, buf);
    assert_string_equal(buf, "2179-06-05");
    fidx_day_format(60, buf);
    assert_string_equal(buf, "2000-02-29");
}

/* ---- merge -------------------------------------------------------------------------------- */

static void make(fidx_indicator_t *x, fidx_status_t st, uint16_t cats, uint32_t reports,
                 const char *first, const char *last, const char *sources, const char *note)
{
    fidx_row_t row = {.value = S("a@b.vn"),
                      .status = fidx_str(fidx_status_name(st), strlen(fidx_status_name(st))),
                      .first_seen = fidx_str(first, strlen(first)),
                      .last_seen = fidx_str(last, strlen(last)),
                      .source = fidx_str(sources, strlen(sources)),
                      .note = fidx_str(note, strlen(note))};
    fidx_err_t err;
    assert_int_equal(fidx_row_to_indicator(&row, NULL, x, &err), 0);
    x->categories = cats;
    x->reports = reports;
}

static void merge_rules(void **state)
{
    (void)state;
    char buf[11];
    make(&ind, FIDX_STATUS_REPORTED, 1u << FIDX_CAT_LOAN, 5, "2024-03-01", "", "police", "");
    make(&other, FIDX_STATUS_CONFIRMED, 1u << FIDX_CAT_OTHER, 7, "2024-02-01", "2024-05-01",
         "bank;police", "first note");
    fidx_indicator_merge(&ind, &other);
    assert_int_equal(ind.reports, 12);
    assert_int_equal(ind.categories, (1u << FIDX_CAT_LOAN) | (1u << FIDX_CAT_OTHER));
    assert_int_equal(ind.status, FIDX_STATUS_CONFIRMED);
    fidx_day_format(ind.first_seen, buf);
    assert_string_equal(buf, "2024-02-01");
    fidx_day_format(ind.last_seen, buf);
    assert_string_equal(buf, "2024-05-01");
    assert_int_equal(ind.n_sources, 2);
    assert_string_equal(ind.sources[0], "bank");
    assert_string_equal(ind.sources[1], "police");
    assert_string_equal(ind.note, "first note");
    /* The weaker status does not win; a note already there stays; unknown dates are no
     * bound. */
    make(&other, FIDX_STATUS_REPORTED, 0, FIDX_MAX_REPORTS, "", "", "", "second note");
    fidx_indicator_merge(&ind, &other);
    assert_int_equal(ind.status, FIDX_STATUS_CONFIRMED);
    assert_int_equal(ind.reports, FIDX_MAX_REPORTS); /* saturates */
    assert_string_equal(ind.note, "first note");
    fidx_day_format(ind.first_seen, buf);
    assert_string_equal(buf, "2024-02-01");
    make(&other, FIDX_STATUS_ALLOWLISTED, 0, 1, "", "", "", "");
    fidx_indicator_merge(&ind, &other);
    assert_int_equal(ind.status, FIDX_STATUS_ALLOWLISTED);
}

/* A label given later replaces the one before (a correction); no label keeps it. */
static void merge_labels(void **state)
{
    (void)state;
    make(&ind, FIDX_STATUS_ALLOWLISTED, 0, 1, "", "", "", "");
    make(&other, FIDX_STATUS_ALLOWLISTED, 0, 1, "", "", "", "");
    memcpy(other.label, "Vietcombank", 12);
    other.label_len = 11;
    fidx_indicator_merge(&ind, &other);
    assert_string_equal(ind.label, "Vietcombank");
    other.label_len = 0;
    other.label[0] = '\0';
    fidx_indicator_merge(&ind, &other);
    assert_string_equal(ind.label, "Vietcombank");
    memcpy(other.label, "VCB", 4);
    other.label_len = 3;
    fidx_indicator_merge(&ind, &other);
    assert_string_equal(ind.label, "VCB");
    assert_int_equal(ind.label_len, 3);
    assert_string_equal(ind.note, ""); /* a label is never a note */
}

static void merge_sources_capped(void **state)
{
    (void)state;
    make(&ind, FIDX_STATUS_REPORTED, 0, 1, "", "", "k;l;m;n;o;p;q;r", "");
    make(&other, FIDX_STATUS_REPORTED, 0, 1, "", "", "a;b;z;k", "");
    fidx_indicator_merge(&ind, &other);
    assert_int_equal(ind.n_sources, FIDX_MAX_SOURCES);
    const char *want[] = {"a", "b", "k", "l", "m", "n", "o", "p"};
    for (int i = 0; i < FIDX_MAX_SOURCES; i++)
        assert_string_equal(ind.sources[i], want[i]);
    /* The other way round keeps the same sources. */
    make(&ind, FIDX_STATUS_REPORTED, 0, 1, "", "", "a;b;z;k", "");
    make(&other, FIDX_STATUS_REPORTED, 0, 1, "", "", "k;l;m;n;o;p;q;r", "");
    fidx_indicator_merge(&ind, &other);
    for (int i = 0; i < FIDX_MAX_SOURCES; i++)
        assert_string_equal(ind.sources[i], want[i]);
    /* Merging twice is merging once, for everything but the report count. */
    make(&other, FIDX_STATUS_REPORTED, 0, 1, "", "", "b", "");
    fidx_indicator_merge(&ind, &other);
    fidx_indicator_merge(&ind, &other);
    assert_int_equal(ind.n_sources, FIDX_MAX_SOURCES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_row),      cmocka_unit_test(defaults),
        cmocka_unit_test(rejections),    cmocka_unit_test(reports_field),
        cmocka_unit_test(dates_in_rows), cmocka_unit_test(sources_field),
        cmocka_unit_test(note_field),    cmocka_unit_test(other_kinds),
        cmocka_unit_test(day_numbers),   cmocka_unit_test(day_round_trip),
        cmocka_unit_test(merge_rules),   cmocka_unit_test(merge_sources_capped),
        cmocka_unit_test(label_field),   cmocka_unit_test(merge_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
