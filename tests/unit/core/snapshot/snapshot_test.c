/* Unit tests for the snapshot: what is written reads back the same, duplicates merge as the
 * contract says, lookups are exact at every size, and a damaged file is always refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "snapshot_fixture.h"

#include "fidx/lookup.h"
#include "fidx/snapshot.h"

static char dir[] = "/tmp/fidx-snapshot-test-XXXXXX";

static void path_in_dir(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static void make_ind(fidx_indicator_t *ind, fidx_kind_t kind, const char *value,
                     fidx_status_t status, uint16_t cats, const char *source)
{
    memset(ind, 0, sizeof *ind);
    ind->kind = kind;
    ind->status = status;
    ind->categories = cats;
    ind->reports = 1;
    ind->value_len = strlen(value);
    memcpy(ind->value, value, ind->value_len + 1);
    if (source) {
        ind->n_sources = 1;
        strcpy(ind->sources[0], source);
    }
}

static fidx_indicator_t ind, got;

static void add(fidx_builder_t *b, fidx_kind_t kind, const char *value, fidx_status_t status,
                uint16_t cats, const char *source)
{
    fidx_err_t err;
    make_ind(&ind, kind, value, status, cats, source);
    assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
}

static fidx_snapshot_t *write_and_open(fidx_builder_t *b, const char *name)
{
    char path[256];
    fidx_err_t err = {0};
    fidx_snapshot_t *s = NULL;
    path_in_dir(path, sizeof path, name);
    assert_int_equal(fidx_builder_write(b, path, 1700000000, &err), 0);
    assert_int_equal(fidx_snapshot_open(path, 0, &s, &err), 0);
    assert_int_equal(fidx_snapshot_verify(s, &err), 0);
    return s;
}

static void round_trip(void **state)
{
    (void)state;
    fidx_builder_t *b;
    assert_int_equal(fidx_builder_new(&b), 0);
    add(b, FIDX_KIND_PHONE, "+84912345678", FIDX_STATUS_CONFIRMED, 1, "police");
    add(b, FIDX_KIND_PHONE, "19001234", FIDX_STATUS_ALLOWLISTED, 0, "official");
    add(b, FIDX_KIND_BANK_ACCOUNT, "970436:0123456789", FIDX_STATUS_REPORTED, 4, "community");
    fidx_snapshot_t *s = write_and_open(b, "rt.fidx");
    assert_int_equal(fidx_snapshot_count(s, FIDX_KIND_PHONE), 2);
    assert_int_equal(fidx_snapshot_count(s, FIDX_KIND_BANK_ACCOUNT), 1);
    assert_int_equal(fidx_snapshot_build_time(s), 1700000000);
    int seen = 0;
    for (uint64_t i = 0; i < 2; i++) {
        assert_int_equal(fidx_snapshot_entry(s, FIDX_KIND_PHONE, i, &got), 0);
        if (!strcmp(got.value, "+84912345678")) {
            seen |= 1;
            assert_int_equal(got.status, FIDX_STATUS_CONFIRMED);
            assert_string_equal(got.sources[0], "police");
        } else {
            assert_string_equal(got.value, "19001234");
            seen |= 2;
        }
    }
    assert_int_equal(seen, 3);
    fidx_snapshot_info_t info;
    fidx_err_t err;
    assert_int_equal(fidx_snapshot_info(s, &info, &err), 0);
    assert_int_equal(info.total, 3);
    assert_int_equal(info.by_status[FIDX_STATUS_ALLOWLISTED], 1);
    assert_int_equal(info.by_category[0], 1);
    assert_int_equal(info.n_sources, 3);
    fidx_snapshot_release(s);
    fidx_builder_free(b);
}

/* Public labels are stored apart from notes, read back with their entry, answered in a match,
 * and a later label replaces an earlier one. */
static void labels_round_trip(void **state)
{
    (void)state;
    fidx_builder_t *b;
    fidx_err_t err;
    assert_int_equal(fidx_builder_new(&b), 0);
    make_ind(&ind, FIDX_KIND_PHONE, "19005454", FIDX_STATUS_ALLOWLISTED, 0, "official");
    strcpy(ind.label, "Vietcombank — tổng đài chính thức");
    ind.label_len = strlen(ind.label);
    strcpy(ind.note, "checked 2026-11-27");
    ind.note_len = strlen(ind.note);
    assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
    make_ind(&ind, FIDX_KIND_DOMAIN, "tpb.vn", FIDX_STATUS_ALLOWLISTED, 0, "official");
    strcpy(ind.label, "TP Bank");
    ind.label_len = strlen(ind.label);
    assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
    strcpy(ind.label, "TPBank — trang web chính thức"); /* the later label wins */
    ind.label_len = strlen(ind.label);
    assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
    add(b, FIDX_KIND_EMAIL, "a@example.com", FIDX_STATUS_REPORTED, 2, "community");
    fidx_snapshot_t *s = write_and_open(b, "labels.fidx");
    fidx_builder_free(b);
    assert_int_equal(fidx_snapshot_entry(s, FIDX_KIND_PHONE, 0, &got), 0);
    assert_string_equal(got.label, "Vietcombank — tổng đài chính thức");
    assert_string_equal(got.note, "checked 2026-11-27");
    assert_int_equal(fidx_snapshot_entry(s, FIDX_KIND_DOMAIN, 0, &got), 0);
    assert_string_equal(got.label, "TPBank — trang web chính thức");
    assert_int_equal(fidx_snapshot_entry(s, FIDX_KIND_EMAIL, 0, &got), 0);
    assert_int_equal(got.label_len, 0);
    assert_int_equal(fidx_snapshot_entry_label(s, FIDX_KIND_DOMAIN, 0).len,
                     strlen("TPBank — trang web chính thức"));
    assert_int_equal(fidx_snapshot_entry_label(s, FIDX_KIND_DOMAIN, 1).len, 0); /* past the end */
    static fidx_result_t res;
    static char json[FIDX_CHECK_JSON_MAX];
    assert_int_equal(fidx_check(s, NULL, FIDX_KIND_NONE, NULL, "1900 5454", 9, &res, &err), 0);
    size_t n = fidx_result_json(&res, "1900 5454", 9, json, sizeof json);
    assert_true(n > 0);
    assert_non_null(strstr(json, "\"label\":\"Vietcombank — tổng đài chính thức\"}"));
    assert_null(strstr(json, "checked")); /* the note is never answered */
    assert_int_equal(fidx_check(s, NULL, FIDX_KIND_NONE, NULL, "a@example.com", 13, &res, &err), 0);
    fidx_result_json(&res, "a@example.com", 13, json, sizeof json);
    assert_null(strstr(json, "label"));
    fidx_snapshot_release(s);
}

/* A file of format version 1 (written by the version-1 indexer before labels: v1.csv) still
 * opens, verifies and answers as before, every entry without a label. */
static void reads_version_1(void **state)
{
    (void)state;
    fidx_snapshot_t *s = NULL;
    fidx_err_t err = {0};
    fidx_snapshot_info_t info;
    static fidx_result_t res;
    assert_int_equal(
        fidx_snapshot_open(FIDX_SOURCE_DIR "/tests/unit/core/snapshot/v1.fidx", 0, &s, &err), 0);
    assert_int_equal(fidx_snapshot_verify(s, &err), 0);
    assert_int_equal(fidx_snapshot_info(s, &info, &err), 0);
    assert_int_equal(info.version, 1);
    assert_int_equal(info.total, 7);
    assert_int_equal(fidx_check(s, NULL, FIDX_KIND_NONE, NULL, "0912 345 678", 12, &res, &err), 0);
    assert_int_equal(res.verdict, FIDX_VERDICT_SCAM);
    assert_int_equal(res.match.reports, 300);
    assert_int_equal(res.match.label.len, 0);
    assert_int_equal(fidx_snapshot_entry(s, FIDX_KIND_PHONE, 0, &got), 0);
    assert_int_equal(got.label_len, 0);
    int notes = 0;
    for (uint64_t i = 0; i < fidx_snapshot_count(s, FIDX_KIND_PHONE); i++) {
        assert_int_equal(fidx_snapshot_entry(s, FIDX_KIND_PHONE, i, &got), 0);
        notes += got.note_len > 0;
    }
    assert_int_equal(notes, 2);
    fidx_snapshot_release(s);
}

static void duplicates_merge(void **state)
{
    (void)state;
    fidx_builder_t *b;
    fidx_err_t err;
    assert_int_equal(fidx_builder_new(&b), 0);
    make_ind(&ind, FIDX_KIND_EMAIL, "scam@example.com", FIDX_STATUS_REPORTED, 1, "community");
    ind.reports = 300; /* above what a record holds inline */
    ind.first_seen = 100, ind.last_seen = 200;
    assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
    make_ind(&ind, FIDX_KIND_EMAIL, "scam@example.com", FIDX_STATUS_CONFIRMED, 2, "police");
    ind.reports = 5;
    ind.first_seen = 50, ind.last_seen = 150;
    strcpy(ind.note, "seen in a task scam");
    ind.note_len = strlen(ind.note);
    assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
    assert_int_equal(fidx_builder_count(b), 1);
    fidx_snapshot_t *s = write_and_open(b, "merge.fidx");
    assert_int_equal(fidx_snapshot_entry(s, FIDX_KIND_EMAIL, 0, &got), 0);
    assert_int_equal(got.reports, 305);
    assert_int_equal(got.categories, 3);
    assert_int_equal(got.status, FIDX_STATUS_CONFIRMED);
    assert_int_equal(got.first_seen, 50);
    assert_int_equal(got.last_seen, 200);
    assert_int_equal(got.n_sources, 2);
    assert_string_equal(got.note, "seen in a task scam");
    fidx_snapshot_release(s);
    fidx_builder_free(b);
}

/* A count of 0 (an allowlisted hotline) is stored as 0, not as the default 1, and still adds
 * up with a later row. */
static void zero_reports_round_trip(void **state)
{
    (void)state;
    fidx_builder_t *b;
    fidx_err_t err;
    fidx_result_t res;
    assert_int_equal(fidx_builder_new(&b), 0);
    make_ind(&ind, FIDX_KIND_PHONE, "19001234", FIDX_STATUS_ALLOWLISTED, 0, "official");
    ind.reports = 0;
    assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
    make_ind(&ind, FIDX_KIND_EMAIL, "help@bank.vn", FIDX_STATUS_ALLOWLISTED, 0, "official");
    ind.reports = 0;
    assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
    ind.reports = 0; /* the same value again: 0 + 0 */
    assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
    make_ind(&ind, FIDX_KIND_DOMAIN, "bank.vn", FIDX_STATUS_ALLOWLISTED, 0, "official");
    ind.reports = 0;
    assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
    ind.reports = 4; /* 0 + 4 */
    assert_int_equal(fidx_builder_add(b, &ind, &err), 0);
    fidx_snapshot_t *s = write_and_open(b, "zero.fidx");
    assert_int_equal(fidx_snapshot_entry(s, FIDX_KIND_PHONE, 0, &got), 0);
    assert_int_equal(got.reports, 0);
    assert_int_equal(fidx_snapshot_entry(s, FIDX_KIND_EMAIL, 0, &got), 0);
    assert_int_equal(got.reports, 0);
    assert_int_equal(fidx_snapshot_entry(s, FIDX_KIND_DOMAIN, 0, &got), 0);
    assert_int_equal(got.reports, 4);
    assert_int_equal(fidx_check(s, NULL, FIDX_KIND_NONE, NULL, "1900 1234", 9, &res, &err), 0);
    assert_int_equal(res.verdict, FIDX_VERDICT_SAFE);
    assert_int_equal(res.match.reports, 0);
    fidx_snapshot_release(s);
    fidx_builder_free(b);
}

static void removed_entries_are_gone(void **state)
{
    (void)state;
    fidx_builder_t *b;
    assert_int_equal(fidx_builder_new(&b), 0);
    add(b, FIDX_KIND_DOMAIN, "evil.example", FIDX_STATUS_CONFIRMED, 0, NULL);
    add(b, FIDX_KIND_DOMAIN, "bad.example", FIDX_STATUS_CONFIRMED, 0, NULL);
    assert_int_equal(fidx_builder_remove(b, FIDX_KIND_DOMAIN, "evil.example", 12), 0);
    assert_int_equal(fidx_builder_remove(b, FIDX_KIND_DOMAIN, "evil.example", 12), FIDX_ENOTFOUND);
    fidx_snapshot_t *s = write_and_open(b, "rm.fidx");
    assert_int_equal(fidx_snapshot_count(s, FIDX_KIND_DOMAIN), 1);
    assert_int_equal(fidx_snapshot_entry(s, FIDX_KIND_DOMAIN, 0, &got), 0);
    assert_string_equal(got.value, "bad.example");
    fidx_snapshot_release(s);
    fidx_builder_free(b);
}

/* Past 2^21 phones the index switches to 32-bit fingerprints; lookups must stay exact. */
static void many_phones_exact(void **state)
{
    (void)state;
    enum { N = 2200000 };
    fidx_builder_t *b;
    char v[32];
    assert_int_equal(fidx_builder_new(&b), 0);
    for (long i = 0; i < N; i++) {
        snprintf(v, sizeof v, "+8491%07ld", i * 3);
        add(b, FIDX_KIND_PHONE, v, i % 2 ? FIDX_STATUS_CONFIRMED : FIDX_STATUS_REPORTED, 0, NULL);
    }
    fidx_snapshot_t *s = write_and_open(b, "many.fidx");
    static fidx_result_t res;
    fidx_err_t err;
    for (long i = 0; i < N; i += 7) {
        snprintf(v, sizeof v, "+8491%07ld", i * 3);
        assert_int_equal(fidx_check(s, NULL, FIDX_KIND_PHONE, NULL, v, strlen(v), &res, &err), 0);
        assert_int_equal(res.verdict, i % 2 ? FIDX_VERDICT_SCAM : FIDX_VERDICT_SUSPICIOUS);
        assert_int_equal(res.match.value.len, strlen(v));
        assert_memory_equal(res.match.value.p, v, strlen(v));
        snprintf(v, sizeof v, "+8491%07ld", i * 3 + 1);
        assert_int_equal(fidx_check(s, NULL, FIDX_KIND_PHONE, NULL, v, strlen(v), &res, &err), 0);
        assert_int_equal(res.verdict, FIDX_VERDICT_UNKNOWN);
    }
    fidx_snapshot_release(s);
    fidx_builder_free(b);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc(*len);
    assert_int_equal(fread(p, 1, *len, f), *len);
    fclose(f);
    return p;
}

static void write_file(const char *path, const char *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, len, f), len);
    fclose(f);
}

/* Every single flipped byte, and every truncation, is refused by open or by verify. */
static void damage_is_always_caught(void **state)
{
    (void)state;
    fidx_builder_t *b;
    char path[256], bad[256];
    assert_int_equal(fidx_builder_new(&b), 0);
    add(b, FIDX_KIND_PHONE, "+84912345678", FIDX_STATUS_CONFIRMED, 1, "police");
    add(b, FIDX_KIND_EMAIL, "a@example.com", FIDX_STATUS_REPORTED, 2, "community");
    make_ind(&ind, FIDX_KIND_DOMAIN, "tpb.vn", FIDX_STATUS_ALLOWLISTED, 0, "official");
    strcpy(ind.label, "TPBank");
    ind.label_len = 6;
    fidx_err_t aerr;
    assert_int_equal(fidx_builder_add(b, &ind, &aerr), 0);
    fidx_snapshot_release(write_and_open(b, "good.fidx"));
    fidx_builder_free(b);
    path_in_dir(path, sizeof path, "good.fidx");
    path_in_dir(bad, sizeof bad, "bad.fidx");
    size_t len;
    char *p = read_file(path, &len);
    for (size_t i = 0; i < len; i++) {
        p[i] ^= 0x20;
        write_file(bad, p, len);
        p[i] ^= 0x20;
        fidx_snapshot_t *s = NULL;
        fidx_err_t err = {0};
        if (fidx_snapshot_open(bad, 0, &s, &err) == 0) {
            int rc = fidx_snapshot_verify(s, &err);
            fidx_snapshot_release(s);
            if (rc == 0)
                fail_msg("flipping byte %zu of %zu went unnoticed", i, len);
        } else {
            assert_non_null(err.reason);
        }
    }
    for (size_t cut = 0; cut < len; cut += 7) {
        write_file(bad, p, cut);
        fidx_snapshot_t *s = NULL;
        fidx_err_t err = {0};
        assert_int_not_equal(fidx_snapshot_open(bad, 0, &s, &err), 0);
    }
    free(p);
}

static fidx_snapshot_t *open_one_phone(const char *name, int mode, char *path, size_t cap)
{
    fidx_builder_t *b;
    fidx_err_t err = {0};
    fidx_snapshot_t *s = NULL;
    assert_int_equal(fidx_builder_new(&b), 0);
    add(b, FIDX_KIND_PHONE, "+84912345678", FIDX_STATUS_CONFIRMED, 1, "police");
    path_in_dir(path, cap, name);
    assert_int_equal(fidx_builder_write(b, path, 1700000000, &err), 0);
    fidx_builder_free(b);
    assert_int_equal(fidx_snapshot_open(path, mode, &s, &err), 0);
    return s;
}

static void assert_finds_the_phone(const fidx_snapshot_t *s)
{
    assert_int_equal(fidx_snapshot_count(s, FIDX_KIND_PHONE), 1);
    assert_int_equal(fidx_snapshot_entry(s, FIDX_KIND_PHONE, 0, &got), 0);
    assert_string_equal(got.value, "+84912345678");
    fidx_err_t err = {0};
    assert_int_equal(fidx_snapshot_verify(s, &err), 0);
}

/* The modes a server uses copy the file: truncating it or writing over it in place afterwards
 * changes nothing in what was opened (a mapping would fault with SIGBUS here). */
static void a_copy_survives_the_file_written_over(void **state)
{
    (void)state;
    char path[256];
    int modes[] = {FIDX_OPEN_POPULATE, FIDX_OPEN_RESIDENT};
    for (size_t m = 0; m < 2; m++) {
        fidx_snapshot_t *s = open_one_phone("copied.fidx", modes[m], path, sizeof path);
        assert_int_equal(truncate(path, 100), 0);
        assert_finds_the_phone(s);
        char junk[4096];
        memset(junk, 0xA5, sizeof junk);
        write_file(path, junk, sizeof junk);
        assert_finds_the_phone(s);
        fidx_snapshot_release(s);
    }
}

/* A file whose header claims more than the machine could hold (a sparse file: no disk used) is
 * refused from its first bytes, before anything is allocated or read. */
static void a_huge_file_is_refused_before_reading(void **state)
{
    (void)state;
    char path[256];
    fidx_snapshot_release(open_one_phone("huge.fidx", FIDX_OPEN_LAZY, path, sizeof path));
    uint64_t huge = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE) / 2;
    huge = (huge + 4096) & ~(uint64_t)63;
    if (huge > FIDX_SNAPSHOT_MAX_BYTES)
        huge = FIDX_SNAPSHOT_MAX_BYTES + 64;
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 24, SEEK_SET), 0); /* the header's file size */
    assert_int_equal(fwrite(&huge, 8, 1, f), 1);
    fclose(f);
    assert_int_equal(truncate(path, (off_t)huge), 0);
    int modes[] = {FIDX_OPEN_POPULATE, FIDX_OPEN_RESIDENT};
    for (size_t m = 0; m < 2; m++) {
        fidx_snapshot_t *s = NULL;
        fidx_err_t err = {0};
        assert_int_equal(fidx_snapshot_open(path, modes[m], &s, &err), FIDX_ELIMIT);
        assert_non_null(strstr(err.reason, "larger than"));
    }
    /* Extended without its header saying so: refused for the size. */
    assert_int_equal(truncate(path, 1 << 20), 0);
    fidx_snapshot_t *s = NULL;
    fidx_err_t err = {0};
    assert_int_equal(fidx_snapshot_open(path, FIDX_OPEN_POPULATE, &s, &err), FIDX_ECORRUPT);
    assert_non_null(strstr(err.reason, "file size differs"));
    unlink(path);
}

static int teardown(void **state)
{
    (void)state;
    return fixture_rmdir(dir);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(labels_round_trip),
        cmocka_unit_test(reads_version_1),
        cmocka_unit_test(duplicates_merge),
        cmocka_unit_test(zero_reports_round_trip),
        cmocka_unit_test(removed_entries_are_gone),
        cmocka_unit_test(damage_is_always_caught),
        cmocka_unit_test(a_copy_survives_the_file_written_over),
        cmocka_unit_test(a_huge_file_is_refused_before_reading),
        cmocka_unit_test(many_phones_exact),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
