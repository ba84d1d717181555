/* Unit tests for metrics.c: the /metrics page is read by Prometheus, so the test reads it as a
 * scraper would. It parses the text exposition format (version 0.0.4: "# HELP", "# TYPE",
 * samples `name{label="value",…} value`, one family in one group, each series once) and checks
 * the figures against what two workers recorded: counters summed, histogram buckets cumulative
 * and ending in +Inf equal to _count, _sum exact, statuses outside the known ones as "other". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

#define MAX_LABELS 4

typedef struct {
    char name[96];
    size_t nlabels;
    char label[MAX_LABELS][2][64]; /* name, value (unescaped) */
    char value[48];
} sample_t;

typedef struct {
    char name[96];
    char type[16];
    int help;
} family_t;

typedef struct {
    sample_t *samples;
    size_t n, cap;
    family_t families[64];
    size_t nfamilies;
} expo_t;

static int name_char(char c, int first)
{
    return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && c >= '0' && c <= '9');
}

/* A metric or label name at *p into out; advances *p. */
static void parse_name(const char **p, const char *end, char *out, size_t cap)
{
    size_t n = 0;
    while (*p < end && name_char(**p, n == 0)) {
        assert_true(n + 1 < cap);
        out[n++] = *(*p)++;
    }
    out[n] = '\0';
    if (n == 0)
        fail_msg("a name expected at \"%.*s\"", (int)(end - *p), *p);
}

static void expect_char(const char **p, const char *end, char c)
{
    if (*p >= end || **p != c)
        fail_msg("'%c' expected at \"%.*s\"", c, (int)(end - *p), *p);
    (*p)++;
}

/* {name="value",…} with the format's escapes (\\, \", \n). */
static void parse_labels(const char **p, const char *end, sample_t *s)
{
    expect_char(p, end, '{');
    while (*p < end && **p != '}') {
        assert_true(s->nlabels < MAX_LABELS);
        char *lname = s->label[s->nlabels][0], *v = s->label[s->nlabels][1];
        parse_name(p, end, lname, 64);
        for (size_t i = 0; i < s->nlabels; i++)
            if (strcmp(s->label[i][0], lname) == 0)
                fail_msg("label %s twice", lname);
        expect_char(p, end, '=');
        expect_char(p, end, '"');
        size_t n = 0;
        while (*p < end && **p != '"') {
            char c = *(*p)++;
            if (c == '\\') {
                assert_true(*p < end);
                c = *(*p)++;
                assert_true(c == '\\' || c == '"' || c == 'n');
                c = c == 'n' ? '\n' : c;
            }
            assert_true(n + 1 < 64);
            v[n++] = c;
        }
        v[n] = '\0';
        expect_char(p, end, '"');
        s->nlabels++;
        if (*p < end && **p == ',')
            (*p)++;
    }
    expect_char(p, end, '}');
}

static family_t *family(expo_t *e, const char *name)
{
    for (size_t i = 0; i < e->nfamilies; i++)
        if (strcmp(e->families[i].name, name) == 0)
            return &e->families[i];
    return NULL;
}

/* The family a sample belongs to: its own name, or a histogram's without _bucket/_sum/_count. */
static family_t *family_of(expo_t *e, const char *name)
{
    static const char *const suffixes[] = {"_bucket", "_sum", "_count"};
    family_t *f = family(e, name);
    for (size_t i = 0; !f && i < 3; i++) {
        size_t n = strlen(name), k = strlen(suffixes[i]);
        char base[96];
        if (n > k && strcmp(name + n - k, suffixes[i]) == 0) {
            snprintf(base, sizeof base, "%.*s", (int)(n - k), name);
            f = family(e, base);
            if (f && strcmp(f->type, "histogram") != 0)
                f = NULL;
        }
    }
    return f;
}

static void parse_comment(expo_t *e, const char *p, const char *end, family_t **current)
{
    int help = end - p > 7 && memcmp(p, "# HELP ", 7) == 0;
    int type = end - p > 7 && memcmp(p, "# TYPE ", 7) == 0;
    if (!help && !type)
        fail_msg("a comment that is neither HELP nor TYPE: %.*s", (int)(end - p), p);
    p += 7;
    char name[96];
    parse_name(&p, end, name, sizeof name);
    expect_char(&p, end, ' ');
    assert_true(p < end); /* a help text or a type */
    family_t *f = family(e, name);
    if (!f) {
        assert_true(e->nfamilies < 64);
        f = &e->families[e->nfamilies++];
        snprintf(f->name, sizeof f->name, "%s", name);
    } else if (f != *current) {
        fail_msg("family %s is not in one group", name);
    }
    *current = f;
    if (help) {
        assert_false(f->help);
        f->help = 1;
        return;
    }
    assert_true(f->type[0] == '\0');
    snprintf(f->type, sizeof f->type, "%.*s", (int)(end - p), p);
    if (strcmp(f->type, "counter") && strcmp(f->type, "gauge") && strcmp(f->type, "histogram"))
        fail_msg("type %s of %s", f->type, name);
}

static int same_series(const sample_t *a, const sample_t *b)
{
    if (strcmp(a->name, b->name) != 0 || a->nlabels != b->nlabels)
        return 0;
    for (size_t i = 0; i < a->nlabels; i++) {
        size_t j = 0;
        while (j < b->nlabels && strcmp(a->label[i][0], b->label[j][0]) != 0)
            j++;
        if (j == b->nlabels || strcmp(a->label[i][1], b->label[j][1]) != 0)
            return 0;
    }
    return 1;
}

static void parse_sample(expo_t *e, const char *p, const char *end, family_t *current)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 256;
        e->samples = realloc(e->samples, e->cap * sizeof *e->samples);
        assert_non_null(e->samples);
    }
    sample_t *s = &e->samples[e->n];
    memset(s, 0, sizeof *s);
    parse_name(&p, end, s->name, sizeof s->name);
    if (p < end && *p == '{')
        parse_labels(&p, end, s);
    expect_char(&p, end, ' ');
    snprintf(s->value, sizeof s->value, "%.*s", (int)(end - p), p);
    char *stop;
    strtod(s->value, &stop);
    if (s->value[0] == '\0' || *stop != '\0') /* one value, no timestamp */
        fail_msg("value \"%s\" of %s", s->value, s->name);
    family_t *f = family_of(e, s->name);
    if (!f || f->type[0] == '\0')
        fail_msg("sample %s before its # TYPE", s->name);
    if (f != current)
        fail_msg("sample %s outside its family's group", s->name);
    for (size_t i = 0; i < e->n; i++)
        if (same_series(&e->samples[i], s))
            fail_msg("series %s twice", s->name);
    e->n++;
}

/* Parses the whole page; fails the test at the first line that is not in the format. */
static void parse(expo_t *e, const char *p, size_t len)
{
    memset(e, 0, sizeof *e);
    family_t *current = NULL;
    assert_true(len > 0 && p[len - 1] == '\n');
    const char *end = p + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        if (nl == p)
            fail_msg("an empty line");
        if (*p == '#')
            parse_comment(e, p, nl, &current);
        else
            parse_sample(e, p, nl, current);
        p = nl + 1;
    }
}

/* The value of the series name{k1="v1",…} (NULL-ended pairs), which must be there. */
static const char *value_of(const expo_t *e, const char *name, ...)
{
    sample_t want;
    memset(&want, 0, sizeof want);
    snprintf(want.name, sizeof want.name, "%s", name);
    va_list ap;
    va_start(ap, name);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        snprintf(want.label[want.nlabels][0], 64, "%s", k);
        snprintf(want.label[want.nlabels][1], 64, "%s", va_arg(ap, const char *));
        want.nlabels++;
    }
    va_end(ap);
    for (size_t i = 0; i < e->n; i++)
        if (same_series(&e->samples[i], &want))
            return e->samples[i].value;
    fail_msg("no series %s with those labels", name);
    return NULL;
}

static uint64_t count_of(const char *value)
{
    char *stop;
    unsigned long long v = strtoull(value, &stop, 10);
    assert_true(*stop == '\0');
    return v;
}

#define REQ "fraudidx_http_requests_total"
#define DUR "fraudidx_http_request_duration_seconds"

/* What the two workers record: one table, so the expected figures are counted from it. */
static const struct {
    int worker;
    fidx__metric_route_t route;
    int status;
    uint64_t ns;
} recorded[] = {
    {0, FIDX__ROUTE_CHECK, 200, 10000},      {0, FIDX__ROUTE_CHECK, 200, 25000},
    {1, FIDX__ROUTE_CHECK, 200, 25001},      {1, FIDX__ROUTE_CHECK, 200, 999999},
    {0, FIDX__ROUTE_CHECK, 404, 1000000000}, {1, FIDX__ROUTE_CHECK, 200, 1000000001},
    {1, FIDX__ROUTE_CHECK, 200, 7000000000}, {0, FIDX__ROUTE_BATCH, 418, 300000},
    {1, FIDX__ROUTE_BATCH, 302, 1},          {1, FIDX__ROUTE_BATCH, 200, 0},
    {0, FIDX__ROUTE_OTHER, 999, 5000},       {1, FIDX__ROUTE_OTHER, -1, 5000},
    {0, FIDX__ROUTE_OTHER, 0, 5000},         {1, FIDX__ROUTE_ADMIN, 503, 123456789},
};
#define NRECORDED (sizeof recorded / sizeof *recorded)

typedef struct {
    fidx__metrics_t *w[2];
    fidx__gauges_t g;
    fidx__sbuf_t out;
    expo_t e;
} scrape_t;

static void scrape(scrape_t *s)
{
    for (int i = 0; i < 2; i++) {
        s->w[i] = calloc(1, sizeof *s->w[i]);
        assert_non_null(s->w[i]);
    }
    for (size_t i = 0; i < NRECORDED; i++)
        fidx__metrics_request(s->w[recorded[i].worker], recorded[i].route, recorded[i].status,
                              recorded[i].ns);
    fidx__metrics_lookup(s->w[0], FIDX_KIND_PHONE, FIDX_VERDICT_UNKNOWN);
    fidx__metrics_lookup(s->w[1], FIDX_KIND_PHONE, FIDX_VERDICT_UNKNOWN);
    fidx__metrics_lookup(s->w[1], FIDX_KIND_URL, (fidx_verdict_t)(FIDX__VERDICTS - 1));
    fidx__metrics_lookup(s->w[1], FIDX_KIND_COUNT, FIDX_VERDICT_UNKNOWN); /* ignored */
    fidx__metrics_lookup(s->w[1], FIDX_KIND_PHONE, (fidx_verdict_t)FIDX__VERDICTS);
    fidx__counter_add(&s->w[0]->connections_accepted, 5);
    fidx__counter_add(&s->w[1]->connections_accepted, 7);
    fidx__counter_add(&s->w[1]->timeouts, UINT64_MAX / 2);
    fidx__counter_add(&s->w[0]->lookup_invalid, 3);
    memset(&s->g, 0, sizeof s->g);
    s->g.now = 1700000100;
    s->g.snapshot_build_time = 1700000000;
    s->g.snapshot_loaded_at = 1700000050;
    s->g.threads = 2;
    s->g.open_connections = 9;
    s->g.snapshot_entries[FIDX_KIND_BANK_ACCOUNT] = 42;
    s->g.reloads_ok = 1;
    s->g.reloads_failed = 2;
    fidx__sbuf_init(&s->out, 1 << 20);
    fidx__metrics_t *const ws[2] = {s->w[0], s->w[1]};
    fidx__metrics_render(&s->out, ws, 2, &s->g);
    assert_false(s->out.failed);
    parse(&s->e, s->out.p, s->out.len);
}

static void scrape_dispose(scrape_t *s)
{
    free(s->e.samples);
    fidx__sbuf_free(&s->out);
    free(s->w[0]);
    free(s->w[1]);
}

static void page_is_valid_exposition(void **state)
{
    (void)state;
    scrape_t s;
    scrape(&s);
    assert_true(s.e.nfamilies >= 10);
    for (size_t i = 0; i < s.e.nfamilies; i++) {
        assert_true(s.e.families[i].help);
        assert_true(s.e.families[i].type[0] != '\0');
        size_t len = strlen(s.e.families[i].name);
        if (strcmp(s.e.families[i].type, "counter") == 0) /* counters end in _total */
            assert_string_equal(s.e.families[i].name + len - 6, "_total");
    }
    scrape_dispose(&s);
}

/* The requests counter: by route, method and status, summed over the workers; statuses with no
 * slot of their own are "other". */
static void requests_summed(void **state)
{
    (void)state;
    scrape_t s;
    scrape(&s);
    const expo_t *e = &s.e;
    assert_string_equal(
        value_of(e, REQ, "route", "/v1/check", "method", "GET", "status", "200", NULL), "6");
    assert_string_equal(
        value_of(e, REQ, "route", "/v1/check", "method", "GET", "status", "404", NULL), "1");
    assert_string_equal(
        value_of(e, REQ, "route", "/v1/check", "method", "POST", "status", "other", NULL), "2");
    assert_string_equal(
        value_of(e, REQ, "route", "/v1/check", "method", "POST", "status", "200", NULL), "1");
    assert_string_equal(
        value_of(e, REQ, "route", "other", "method", "other", "status", "other", NULL), "3");
    assert_string_equal(
        value_of(e, REQ, "route", "/v1/admin", "method", "any", "status", "503", NULL), "1");
    /* Every request is counted once: the series add up to what was recorded. */
    uint64_t total = 0;
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->samples[i].name, REQ) == 0)
            total += count_of(e->samples[i].value);
    assert_int_equal(total, NRECORDED);
    scrape_dispose(&s);
}

/* le="…" in nanoseconds; UINT64_MAX for +Inf. */
static uint64_t le_ns(const char *le)
{
    if (strcmp(le, "+Inf") == 0)
        return UINT64_MAX;
    char *stop;
    double v = strtod(le, &stop);
    assert_true(*stop == '\0' && v > 0);
    return (uint64_t)(v * 1e9 + 0.5);
}

static const char *label(const sample_t *s, const char *name)
{
    for (size_t i = 0; i < s->nlabels; i++)
        if (strcmp(s->label[i][0], name) == 0)
            return s->label[i][1];
    fail_msg("%s without label %s", s->name, name);
    return NULL;
}

/* One route's histogram against the table: each bucket counts the durations up to its bound,
 * the bounds rise, the last is +Inf and equals _count, and _sum is the exact total. */
static void check_histogram(const expo_t *e, fidx__metric_route_t route, const char *path,
                            const char *method)
{
    uint64_t last_le = 0, last_count = 0, n = 0, total_ns = 0;
    size_t buckets = 0;
    const char *inf = NULL;
    for (size_t i = 0; i < e->n; i++) {
        const sample_t *b = &e->samples[i];
        if (strcmp(b->name, DUR "_bucket") != 0 || strcmp(label(b, "route"), path) != 0 ||
            strcmp(label(b, "method"), method) != 0)
            continue;
        uint64_t le = le_ns(label(b, "le")), want = 0, got = count_of(b->value);
        assert_true(buckets == 0 || le > last_le);
        for (size_t r = 0; r < NRECORDED; r++)
            want += recorded[r].route == route && recorded[r].ns <= le;
        if (got != want)
            fail_msg("%s %s le=%s: %llu, recorded %llu", method, path, label(b, "le"),
                     (unsigned long long)got, (unsigned long long)want);
        assert_true(got >= last_count);
        last_le = le;
        last_count = got;
        inf = le == UINT64_MAX ? b->value : NULL;
        buckets++;
    }
    assert_true(buckets >= 2);
    assert_non_null(inf); /* the last bucket is +Inf */
    for (size_t r = 0; r < NRECORDED; r++)
        if (recorded[r].route == route)
            n++, total_ns += recorded[r].ns;
    assert_string_equal(value_of(e, DUR "_count", "route", path, "method", method, NULL), inf);
    assert_int_equal(count_of(inf), n);
    char sum[48];
    snprintf(sum, sizeof sum, "%llu.%09llu", (unsigned long long)(total_ns / 1000000000u),
             (unsigned long long)(total_ns % 1000000000u));
    assert_string_equal(value_of(e, DUR "_sum", "route", path, "method", method, NULL), sum);
}

static void histograms_cumulative(void **state)
{
    (void)state;
    scrape_t s;
    scrape(&s);
    check_histogram(&s.e, FIDX__ROUTE_CHECK, "/v1/check", "GET");
    check_histogram(&s.e, FIDX__ROUTE_BATCH, "/v1/check", "POST");
    check_histogram(&s.e, FIDX__ROUTE_OTHER, "other", "other");
    check_histogram(&s.e, FIDX__ROUTE_ADMIN, "/v1/admin", "any");
    check_histogram(&s.e, FIDX__ROUTE_HEALTHZ, "/healthz", "GET"); /* nothing recorded */
    scrape_dispose(&s);
}

static void lookups_and_process(void **state)
{
    (void)state;
    scrape_t s;
    scrape(&s);
    const expo_t *e = &s.e;
    const char *phone = fidx_kind_name(FIDX_KIND_PHONE);
    const char *unknown = fidx_verdict_name(FIDX_VERDICT_UNKNOWN);
    assert_string_equal(
        value_of(e, "fraudidx_lookups_total", "kind", phone, "verdict", unknown, NULL), "2");
    assert_string_equal(value_of(e, "fraudidx_lookups_total", "kind", fidx_kind_name(FIDX_KIND_URL),
                                 "verdict", fidx_verdict_name((fidx_verdict_t)(FIDX__VERDICTS - 1)),
                                 NULL),
                        "1");
    /* One series per kind and verdict, out-of-range ones dropped. */
    uint64_t total = 0, series = 0;
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->samples[i].name, "fraudidx_lookups_total") == 0)
            total += count_of(e->samples[i].value), series++;
    assert_int_equal(total, 3);
    assert_int_equal(series, FIDX_KIND_COUNT * FIDX__VERDICTS);
    assert_string_equal(value_of(e, "fraudidx_lookup_invalid_total", NULL), "3");
    assert_string_equal(value_of(e, "fraudidx_connections_accepted_total", NULL), "12");
    char big[32];
    snprintf(big, sizeof big, "%llu", (unsigned long long)(UINT64_MAX / 2));
    assert_string_equal(value_of(e, "fraudidx_http_timeouts_total", NULL), big);
    assert_string_equal(value_of(e, "fraudidx_open_connections", NULL), "9");
    assert_string_equal(value_of(e, "fraudidx_worker_threads", NULL), "2");
    assert_string_equal(value_of(e, "fraudidx_snapshot_age_seconds", NULL), "100");
    assert_string_equal(value_of(e, "fraudidx_snapshot_build_time_seconds", NULL), "1700000000");
    assert_string_equal(value_of(e, "fraudidx_snapshot_loaded_time_seconds", NULL), "1700000050");
    assert_string_equal(value_of(e, "fraudidx_snapshot_entries", "kind",
                                 fidx_kind_name(FIDX_KIND_BANK_ACCOUNT), NULL),
                        "42");
    assert_string_equal(value_of(e, "fraudidx_snapshot_entries", "kind", phone, NULL), "0");
    assert_string_equal(value_of(e, "fraudidx_snapshot_reloads_total", "result", "ok", NULL), "1");
    assert_string_equal(value_of(e, "fraudidx_snapshot_reloads_total", "result", "refused", NULL),
                        "2");
    scrape_dispose(&s);
}

/* No worker yet: still a valid page, every counter at zero. */
static void no_workers(void **state)
{
    (void)state;
    fidx__gauges_t g;
    memset(&g, 0, sizeof g);
    fidx__sbuf_t out;
    fidx__sbuf_init(&out, 1 << 20);
    fidx__metrics_render(&out, NULL, 0, &g);
    expo_t e;
    parse(&e, out.p, out.len);
    assert_true(e.n > 0);
    for (size_t i = 0; i < e.n; i++) {
        size_t n = strlen(e.samples[i].name);
        int sum = n > 4 && strcmp(e.samples[i].name + n - 4, "_sum") == 0;
        assert_string_equal(e.samples[i].value, sum ? "0.000000000" : "0");
    }
    free(e.samples);
    fidx__sbuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(page_is_valid_exposition),
        cmocka_unit_test(requests_summed),
        cmocka_unit_test(histograms_cumulative),
        cmocka_unit_test(lookups_and_process),
        cmocka_unit_test(no_workers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
