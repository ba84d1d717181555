/* Unit tests for the warnings' modules (warning.c, warnings.c, warnings_view.c): a warning's
 * fields and their refusals, its JSON read back, the store's durability across a reopen (the
 * newest rev wins, a torn line is cut), the view's order, what it lists and its index (an
 * indicator's value, a category, current only), and the ETag that moves with a change only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../svc_test.h"
#include "warnings/provinces.h"
#include "warnings/warnings.h"

#define NOW 1796284390 /* 2026-12-03T07:53:10Z */

/* A warning from an analyst's fields (JSON), published at t when t is not 0. */
static void make(fidx__warning_t *w, const char *id, const char *fields, int64_t t)
{
    json_error_t jerr;
    fidx_err_t err = {0};
    json_t *o = json_loads(fields, 0, &jerr);
    assert_non_null(o);
    memset(w, 0, sizeof *w);
    w->category = -1;
    w->severity = FIDX__SEVERITY_MEDIUM;
    snprintf(w->id, sizeof w->id, "%s", id);
    snprintf(w->uuid, sizeof w->uuid, "00000000-0000-4000-8000-%012d", atoi(id + 12));
    w->rev = 1;
    w->created = w->updated = NOW - 100;
    assert_int_equal(fidx__warning_set(w, o, &err), 0);
    assert_int_equal(fidx__warning_check(w, &err), 0);
    json_decref(o);
    if (t) {
        w->state = FIDX__WARNING_PUBLISHED;
        w->published = w->updated = t;
        w->rev = 2;
    }
}

static int refused(const char *fields, const char *word)
{
    fidx__warning_t w;
    fidx_err_t err = {0};
    json_error_t jerr;
    json_t *o = json_loads(fields, 0, &jerr);
    memset(&w, 0, sizeof w);
    int r = fidx__warning_set(&w, o, &err);
    if (r == 0)
        r = fidx__warning_check(&w, &err);
    json_decref(o);
    fidx__warning_dispose(&w);
    return r == FIDX_EINVAL && err.reason && strstr(err.reason, word) != NULL;
}

static void fields_and_refusals(void **state)
{
    (void)state;
    fidx__warning_t w;
    make(&w, "w0000000000000001",
         "{\"title\":{\"vi\":\"Giả danh\",\"en\":\"Fake\"},\"text\":\"Nội dung\","
         "\"regions\":[\"ho-chi-minh\",\"ha-noi\"],\"indicators\":[\"0912 345 678\"],"
         "\"valid_until\":\"2027-01-01\",\"category\":\"loan\"}",
         0);
    assert_string_equal(w.title[FIDX__WL_EN], "Fake");
    assert_string_equal(w.ind[0].value, "+84912345678");
    assert_int_equal(w.category, FIDX_CAT_LOAN);
    assert_true(fidx__warning_in_region(&w, fidx__province_find("ha-noi", 6)));
    assert_false(fidx__warning_in_region(&w, fidx__province_find("hue", 3)));
    assert_int_equal(w.valid_until, 1798822799); /* 2027-01-01 23:59:59 in Vietnam */
    fidx__warning_dispose(&w);
    assert_true(refused("{\"text\":\"x\",\"regions\":[\"all\"]}", "title"));
    assert_true(refused("{\"title\":\"t\",\"text\":\"x\",\"regions\":[\"hanoi\"]}", "province"));
    assert_true(refused("{\"title\":\"t\",\"text\":\"x\"}", "regions"));
    assert_true(refused("{\"title\":\"a\\u0001b\",\"text\":\"x\",\"regions\":[\"all\"]}", "title"));
    assert_true(
        refused("{\"title\":\"t\",\"text\":\"x\",\"regions\":[\"all\"],\"x\":1}", "unknown"));
    assert_true(refused("{\"title\":\"t\",\"text\":\"x\",\"regions\":[\"all\"],"
                        "\"valid_until\":\"2026-02-29\"}",
                        "valid_until"));
    assert_int_equal(fidx__province_find("ca-mau", 6), FIDX__PROVINCE_COUNT - 1);
}

static void json_reads_back_the_same(void **state)
{
    (void)state;
    fidx__warning_t w, again;
    fidx_err_t err = {0};
    fidx__sbuf_t a, b;
    make(&w, "w0000000000000002",
         "{\"title\":\"T \\\"q\\\"\",\"text\":\"a\\nb\",\"advice\":\"c\",\"regions\":[\"all\"],"
         "\"indicators\":[{\"value\":\"evil.example\",\"kind\":\"domain\"}],\"issuer\":\"CA\"}",
         NOW);
    fidx__sbuf_init(&a, 1u << 20);
    fidx__sbuf_init(&b, 1u << 20);
    fidx__warning_json(&a, &w, 0);
    assert_int_equal(fidx__warning_parse(a.p, a.len, &again, &err), 0);
    fidx__warning_json(&b, &again, 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.p, b.p, a.len);
    fidx__sbuf_reset(&b, SIZE_MAX);
    fidx__warning_json(&b, &again, 1);
    assert_null(memmem(b.p, b.len, "\"by\"", 4)); /* the public's: no token name */
    fidx__sbuf_free(&a);
    fidx__sbuf_free(&b);
    fidx__warning_dispose(&w);
    fidx__warning_dispose(&again);
}

static void store_reopens_newest_rev_and_cuts_a_torn_line(void **state)
{
    (void)state;
    char dir[256], path[300];
    fidx_err_t err = {0};
    fidx__warnings_t *st;
    fidx__warning_t w, got;
    snprintf(dir, sizeof dir, "%s", svc_tmp_subdir("store"));
    assert_int_equal(fidx__warnings_open(dir, 1, &st, &err), 0);
    make(&w, "w0000000000000003", "{\"title\":\"t\",\"text\":\"x\",\"regions\":[\"all\"]}", 0);
    assert_int_equal(fidx__warnings_put(st, &w, &err), 0);
    uint64_t v0 = fidx__warnings_version(st);
    w.state = FIDX__WARNING_PUBLISHED;
    w.published = w.updated = NOW;
    w.rev = 2;
    assert_int_equal(fidx__warnings_put(st, &w, &err), 0);
    assert_true(fidx__warnings_version(st) > v0);
    w.rev = 1; /* an older state (a replayed log record): changes nothing */
    assert_int_equal(fidx__warnings_put(st, &w, &err), 0);
    fidx__warnings_free(st);
    snprintf(path, sizeof path, "%s/%s", dir, FIDX__WARNINGS_FILE);
    FILE *f = fopen(path, "a");
    fputs("{\"id\":\"w0000", f); /* torn */
    fclose(f);
    assert_int_equal(fidx__warnings_open(dir, 1, &st, &err), 0);
    assert_int_equal(fidx__warnings_get(st, w.id, strlen(w.id), &got), 0);
    assert_int_equal(got.rev, 2);
    assert_int_equal(got.state, FIDX__WARNING_PUBLISHED);
    assert_int_equal(fidx__warnings_skipped(st), 0);
    fidx__warning_dispose(&got);
    fidx__warnings_free(st);
    f = fopen(path, "r");
    fseek(f, -1, SEEK_END);
    assert_int_equal(fgetc(f), '\n'); /* the torn line was cut */
    fclose(f);
    fidx__warning_dispose(&w);
}

static void view_order_index_and_etag(void **state)
{
    (void)state;
    fidx__warning_t all[4];
    uint32_t at[FIDX__WARNINGS_RELATED_MAX];
    make(&all[0], "w0000000000000010",
         "{\"title\":\"a\",\"text\":\"x\",\"regions\":[\"all\"],\"indicators\":[\"0912345678\"]}",
         NOW - 50);
    make(&all[1], "w0000000000000011",
         "{\"title\":\"b\",\"text\":\"x\",\"regions\":[\"all\"],\"category\":\"loan\"}", NOW - 10);
    make(&all[2], "w0000000000000012",
         "{\"title\":\"draft\",\"text\":\"x\",\"regions\":[\"all\"],"
         "\"category\":\"loan\"}",
         0);
    make(&all[3], "w0000000000000013",
         "{\"title\":\"old\",\"text\":\"x\",\"regions\":[\"all\"],\"category\":\"loan\","
         "\"valid_until\":\"2020-01-01T00:00:00Z\"}",
         NOW - 5);
    fidx__warnings_view_t *v = fidx__warnings_view_build(all, 4, 1);
    assert_non_null(v);
    assert_int_equal(v->n, 3); /* the draft is not shown */
    assert_string_equal(v->w[0].id, "w0000000000000013");
    assert_string_equal(v->w[2].id, "w0000000000000010");
    /* The value's own warning first, then its category's current ones (not the expired). */
    size_t n =
        fidx__warnings_view_related(v, FIDX_KIND_PHONE, "+84912345678", 12, 1u << FIDX_CAT_LOAN,
                                    NOW, at, FIDX__WARNINGS_RELATED_MAX);
    assert_int_equal(n, 2);
    assert_string_equal(v->w[at[0]].id, "w0000000000000010");
    assert_string_equal(v->w[at[1]].id, "w0000000000000011");
    assert_int_equal(fidx__warnings_view_related(v, FIDX_KIND_PHONE, "+84900000000", 12, 0, NOW, at,
                                                 FIDX__WARNINGS_RELATED_MAX),
                     0);
    assert_int_equal(fidx__warnings_view_find(v, "w0000000000000012", 17), -1);
    /* The tag says what is shown: a draft's change leaves it, a revision moves it. */
    all[2].rev++; /* the draft */
    fidx__warnings_view_t *same = fidx__warnings_view_build(all, 4, 2);
    all[1].rev++;
    fidx__warnings_view_t *moved = fidx__warnings_view_build(all, 4, 3);
    assert_string_equal(v->etag, same->etag);
    assert_string_not_equal(v->etag, moved->etag);
    fidx__warnings_view_release(v);
    fidx__warnings_view_release(same);
    fidx__warnings_view_release(moved);
    for (int i = 0; i < 4; i++)
        fidx__warning_dispose(&all[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_and_refusals),
        cmocka_unit_test(json_reads_back_the_same),
        cmocka_unit_test(store_reopens_newest_rev_and_cuts_a_torn_line),
        cmocka_unit_test(view_order_index_and_etag),
    };
    return cmocka_run_group_tests(tests, svc_tmp_setup, svc_tmp_teardown);
}
