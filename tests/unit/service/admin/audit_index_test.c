/* Unit tests of the audit log's index (service/src/admin/audit_index.h) and of reading the log
 * back (audit_read.h): the values a line names, lines filed newest first under each value (and
 * a bank account's under its digits too), the bound per value, a rotation starting over, the
 * index read back from a file with a torn tail and an overlong line, and a value's history. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "admin/audit_index.h"
#include "admin/audit_read.h"

typedef struct {
    char got[8][64];
    fidx_kind_t kind[8];
    int n;
} seen_t;

static int note(void *arg, fidx_kind_t kind, const char *v, size_t len)
{
    seen_t *s = arg;
    assert_true(s->n < 8 && len < 64);
    memcpy(s->got[s->n], v, len);
    s->got[s->n][len] = '\0';
    s->kind[s->n++] = kind;
    return 0;
}

static seen_t values_of(const char *line)
{
    seen_t s = {0};
    assert_int_equal(fidx__audit_line_values(line, strlen(line), note, &s), 0);
    return s;
}

static void line_values(void **state)
{
    (void)state;
    seen_t s =
        values_of("{\"time\":\"2026-12-01T00:00:00.000Z\",\"token\":\"a\",\"action\":\"add\","
                  "\"values\":[{\"kind\":\"phone\",\"value\":\"+84912345678\",\"before\":"
                  "null},{\"kind\":\"domain\",\"value\":\"evil.example\"}]}\n");
    assert_int_equal(s.n, 2);
    assert_string_equal(s.got[0], "+84912345678");
    assert_int_equal(s.kind[0], FIDX_KIND_PHONE);
    assert_string_equal(s.got[1], "evil.example");
    assert_int_equal(s.kind[1], FIDX_KIND_DOMAIN);
    /* Escapes are undone; a reason that quotes the pattern is a string, not a value. */
    s = values_of("{\"reason\":\"\\\"kind\\\":\\\"phone\\\",\\\"value\\\":\\\"x\\\"\","
                  "\"kind\":\"url\",\"value\":\"a.example/p\\u00e9\\\\q\\/\"}");
    assert_int_equal(s.n, 1);
    assert_string_equal(s.got[0], "a.example/p\xc3\xa9\\q/");
    /* Unknown kinds, broken strings, surrogates and truncation name nothing. */
    const char *bad[] = {"{\"kind\":\"planet\",\"value\":\"mars\"}",
                         "{\"kind\":\"phone\",\"value\":\"+849\\ud800\"}",
                         "{\"kind\":\"phone\",\"value\":\"+84912",
                         "{\"kind\":\"phone\",\"value\":\"\\q\"}",
                         "{\"kind\":\"phone\",\"value\":\"\"}",
                         "{\"kind\":\"phone\",\"value\":\"\\u12\"}",
                         "\"kind\":\"phone\",\"value\":",
                         ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(values_of(bad[i]).n, 0);
}

static size_t find(fidx__audit_index_t *ix, fidx_kind_t k, const char *v, fidx__audit_loc_t *out,
                   size_t max, int *truncated)
{
    return fidx__audit_index_find(ix, k, v, strlen(v), out, max, truncated);
}

#define LINE(k, v) "{\"kind\":\"" k "\",\"value\":\"" v "\"}\n"

static void newest_first_and_banks_by_digits(void **state)
{
    (void)state;
    fidx__audit_index_t *ix;
    fidx__audit_loc_t loc[8];
    int tr;
    assert_int_equal(fidx__audit_index_new(&ix), 0);
    const char *a = LINE("phone", "+84911111111") LINE("bank_account", "970436:0123");
    fidx__audit_index_add(ix, 0, a, strlen(a));
    const char *b = "{\"values\":[{\"kind\":\"phone\",\"value\":\"+84911111111\"},"
                    "{\"kind\":\"phone\",\"value\":\"+84911111111\"}]}\n";
    fidx__audit_index_add(ix, strlen(a), b, strlen(b));
    assert_int_equal(find(ix, FIDX_KIND_PHONE, "+84911111111", loc, 8, &tr), 2);
    assert_int_equal(loc[0].off, strlen(a)); /* newest first, named twice: one reference */
    assert_int_equal(loc[0].len, strlen(b));
    assert_int_equal(loc[1].off, 0);
    assert_false(tr);
    assert_int_equal(find(ix, FIDX_KIND_PHONE, "+84911111111", loc, 1, &tr), 1);
    assert_true(tr); /* more than asked for */
    assert_int_equal(find(ix, FIDX_KIND_BANK_ACCOUNT, "970436:0123", loc, 8, &tr), 1);
    assert_int_equal(find(ix, FIDX_KIND_BANK_ACCOUNT, "*:0123", loc, 8, &tr), 1);
    assert_int_equal(loc[0].off, strlen("{\"kind\":\"phone\",\"value\":\"+84911111111\"}\n"));
    assert_int_equal(find(ix, FIDX_KIND_DOMAIN, "+84911111111", loc, 8, &tr), 0);
    fidx__audit_index_stats_t st;
    fidx__audit_index_stats(ix, &st);
    assert_int_equal(st.values, 3);
    assert_int_equal(st.lines, 3);
    /* The file was cut (rotated): what is indexed is forgotten. */
    fidx__audit_index_add(ix, 0, b, strlen(b));
    assert_int_equal(find(ix, FIDX_KIND_BANK_ACCOUNT, "970436:0123", loc, 8, &tr), 0);
    assert_int_equal(find(ix, FIDX_KIND_PHONE, "+84911111111", loc, 8, &tr), 1);
    fidx__audit_index_free(ix);
}

static void bounded_per_value(void **state)
{
    (void)state;
    fidx__audit_index_t *ix;
    fidx__audit_loc_t *loc = calloc(FIDX__AUDIT_INDEX_PER_VALUE + 10, sizeof *loc);
    int tr;
    const char *l = LINE("email", "a@b.vn");
    size_t n = strlen(l), lines = FIDX__AUDIT_INDEX_PER_VALUE + 10;
    assert_int_equal(fidx__audit_index_new(&ix), 0);
    for (size_t i = 0; i < lines; i++)
        fidx__audit_index_add(ix, i * n, l, n);
    size_t got = find(ix, FIDX_KIND_EMAIL, "a@b.vn", loc, lines, &tr);
    assert_int_equal(got, FIDX__AUDIT_INDEX_PER_VALUE);
    assert_true(tr);
    assert_int_equal(loc[0].off, (lines - 1) * n); /* the newest are kept */
    assert_int_equal(loc[got - 1].off, (lines - FIDX__AUDIT_INDEX_PER_VALUE) * n);
    fidx__audit_index_stats_t st;
    fidx__audit_index_stats(ix, &st);
    assert_int_equal(st.refs, FIDX__AUDIT_INDEX_PER_VALUE);
    free(loc);
    fidx__audit_index_free(ix);
}

static int write_file(char *path, const char *a, size_t an, const char *b, size_t bn)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, a, an), (ssize_t)an);
    assert_int_equal(write(fd, b, bn), (ssize_t)bn);
    return fd;
}

static void loaded_from_a_file(void **state)
{
    (void)state;
    char path[] = "/tmp/fidx-audit-index-XXXXXX";
    size_t big = FIDX__AUDIT_LINE_MAX + 100;
    char *text = malloc(big + 200);
    /* An overlong line (skipped), two good lines, and a torn tail (not indexed). */
    memset(text, 'x', big);
    text[big - 1] = '\n';
    const char *rest = LINE("phone", "+84922222222")
        LINE("email", "a@b.vn") "{\"kind\":\"email\",\"value\":\"torn@b.vn\"";
    int fd = write_file(path, text, big, rest, strlen(rest));
    fidx__audit_index_t *ix;
    fidx__audit_loc_t loc[4];
    char msg[200];
    int tr;
    assert_int_equal(fidx__audit_index_new(&ix), 0);
    assert_int_equal(fidx__audit_index_load(ix, fd, msg, sizeof msg), 0);
    assert_int_equal(find(ix, FIDX_KIND_PHONE, "+84922222222", loc, 4, &tr), 1);
    assert_int_equal(loc[0].off, big);
    assert_int_equal(find(ix, FIDX_KIND_EMAIL, "torn@b.vn", loc, 4, &tr), 0);
    fidx__audit_index_stats_t st;
    fidx__audit_index_stats(ix, &st);
    assert_int_equal(st.lines, 2);
    assert_int_equal(st.skipped, 1);
    /* The history reads the lines back; the value's entry gives before and after. */
    fidx__sbuf_t out;
    char set_by[16];
    fidx__sbuf_init(&out, SIZE_MAX / 2);
    assert_int_equal(
        fidx__audit_history(ix, fd, FIDX_KIND_PHONE, "+84922222222", 12, 10, &out, &tr, set_by), 1);
    assert_memory_equal(out.p, "[{\"kind\":\"phone\",\"value\":\"+84922222222\"}]", out.len);
    fidx__sbuf_free(&out);
    free(text);
    close(fd);
    unlink(path);
    fidx__audit_index_free(ix);
}

static void history_of_a_list_entry(void **state)
{
    (void)state;
    char path[] = "/tmp/fidx-audit-history-XXXXXX";
    const char *a = "{\"time\":\"t1\",\"token\":\"a\",\"role\":\"feeder\",\"action\":\"add\","
                    "\"values\":[{\"kind\":\"phone\",\"value\":\"+84933333333\",\"before\":null,"
                    "\"after\":{\"status\":\"reported\"}},{\"kind\":\"phone\",\"value\":"
                    "\"+84944444444\",\"before\":null,\"after\":{\"status\":\"confirmed\"}}]}\n";
    const char *b = "{\"time\":\"t2\",\"token\":\"b\",\"role\":\"admin\",\"action\":\"delist\","
                    "\"kind\":\"phone\",\"value\":\"+84944444444\",\"reason\":\"no\",\"before\":"
                    "{\"status\":\"confirmed\"},\"after\":null}\n";
    int fd = write_file(path, a, strlen(a), b, strlen(b));
    fidx__audit_index_t *ix;
    char msg[200], set_by[16];
    int tr;
    fidx__sbuf_t out;
    assert_int_equal(fidx__audit_index_new(&ix), 0);
    assert_int_equal(fidx__audit_index_load(ix, fd, msg, sizeof msg), 0);
    fidx__sbuf_init(&out, SIZE_MAX / 2);
    assert_int_equal(
        fidx__audit_history(ix, fd, FIDX_KIND_PHONE, "+84944444444", 12, 10, &out, &tr, set_by), 2);
    const char *want =
        "[{\"time\":\"t2\",\"token\":\"b\",\"role\":\"admin\",\"action\":\"delist\",\"kind\":"
        "\"phone\",\"value\":\"+84944444444\",\"reason\":\"no\",\"before\":{\"status\":"
        "\"confirmed\"},\"after\":null},{\"time\":\"t1\",\"token\":\"a\",\"role\":\"feeder\","
        "\"action\":\"add\",\"before\":null,\"after\":{\"status\":\"confirmed\"}}]";
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.p, want, out.len);
    assert_string_equal(set_by, ""); /* the newest change delisted it */
    fidx__sbuf_reset(&out, SIZE_MAX);
    assert_int_equal(
        fidx__audit_history(ix, fd, FIDX_KIND_PHONE, "+84933333333", 12, 10, &out, &tr, set_by), 1);
    assert_string_equal(set_by, "add");
    fidx__sbuf_free(&out);
    close(fd);
    unlink(path);
    fidx__audit_index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_values),
        cmocka_unit_test(newest_first_and_banks_by_digits),
        cmocka_unit_test(bounded_per_value),
        cmocka_unit_test(loaded_from_a_file),
        cmocka_unit_test(history_of_a_list_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
