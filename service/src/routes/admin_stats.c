/* GET /v1/admin/stats[?days=N]: the figures the console's dashboard draws that no other route
 * gives, computed from the reports the service holds in memory (reports.h: every pending one
 * and the newest decided ones):
 *   reports_per_day    reports received on each of the last N days (default 90), by category
 *   decisions_per_day  decisions made on each of those days: approved, rejected, upheld
 *   backlog            pending reports and disputes, the oldest, and their ages
 *   top_week           the values most reported in the last 7 days (at most 10)
 * One pass over the store under its lock: O(reports held), no allocation per report beyond
 * the week's table of values. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xxhash.h>

#include "fidx/indicator.h"
#include "fidx/kind.h"
#include "reports/reports.h"
#include "routes/common.h"
#include "routes/handlers.h"

#define DAY_S 86400
#define DAYS_MAX 366
#define TOP_MAX 10
#define WEEK_VALUES_MAX 65536 /* distinct values counted for top_week; more are not counted */

typedef struct {
    uint64_t hash;
    uint32_t count, off; /* the value: names + off, NUL-terminated */
    fidx_kind_t kind;
} week_value_t;

typedef struct {
    int64_t now, today, first_day; /* seconds; day numbers since the epoch */
    unsigned days;
    uint32_t per_day[DAYS_MAX][FIDX_CAT_COUNT + 1]; /* the last slot: no category */
    uint32_t approved[DAYS_MAX], rejected[DAYS_MAX], upheld[DAYS_MAX];
    size_t pending, disputes, age_day, age_week, age_older;
    int64_t oldest; /* 0: none pending */
    week_value_t *week;
    size_t week_cap, week_n;
    fidx__sbuf_t names; /* the week's values, one after the other */
} stats_t;

static void count_week(stats_t *s, const fidx__report_t *r)
{
    if (!s->week || r->created / DAY_S <= s->today - 7)
        return;
    uint64_t h = XXH3_64bits_withSeed(r->value, r->value_len, (uint64_t)r->kind);
    for (size_t i = h & (s->week_cap - 1);; i = (i + 1) & (s->week_cap - 1)) {
        week_value_t *e = &s->week[i];
        if (e->count && e->hash == h && e->kind == r->kind) {
            e->count++;
            return;
        }
        if (e->count)
            continue;
        if (s->week_n >= s->week_cap / 2)
            return;
        *e = (week_value_t){.hash = h, .count = 1, .kind = r->kind, .off = (uint32_t)s->names.len};
        fidx__sbuf_put(&s->names, r->value, r->value_len + 1); /* with its NUL */
        s->week_n++;
        return;
    }
}

static void count_pending(stats_t *s, const fidx__report_t *r, int64_t now)
{
    s->pending++;
    s->disputes += r->type == FIDX__REPORT_DISPUTE;
    if (!s->oldest || r->created < s->oldest)
        s->oldest = r->created;
    int64_t age = now - r->created;
    if (age < DAY_S)
        s->age_day++;
    else if (age < 7 * DAY_S)
        s->age_week++;
    else
        s->age_older++;
}

static int on_report(const fidx__report_t *r, void *ctx)
{
    stats_t *s = ctx;
    int64_t day = r->created / DAY_S;
    if (day >= s->first_day && day <= s->today) {
        int cat = r->category >= 0 && r->category < FIDX_CAT_COUNT ? r->category : FIDX_CAT_COUNT;
        s->per_day[day - s->first_day][cat]++;
    }
    count_week(s, r);
    if (r->state == FIDX__REPORT_PENDING) {
        count_pending(s, r, s->now);
        return 0;
    }
    int64_t dd = r->decided / DAY_S;
    if (dd < s->first_day || dd > s->today)
        return 0;
    if (r->state == FIDX__REPORT_REJECTED)
        s->rejected[dd - s->first_day]++;
    else if (r->type == FIDX__REPORT_DISPUTE)
        s->upheld[dd - s->first_day]++;
    else
        s->approved[dd - s->first_day]++;
    return 0;
}

static void put_day(fidx__sbuf_t *out, int64_t day)
{
    char d[32];
    time_t t = (time_t)(day * DAY_S);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(d, sizeof d, "%Y-%m-%d", &tm);
    fidx__sbuf_printf(out, "\"%s\"", d);
}

static void put_per_day(fidx__sbuf_t *out, const stats_t *s)
{
    fidx__sbuf_puts(out, "\"reports_per_day\":[");
    for (unsigned i = 0; i < s->days; i++) {
        uint32_t total = 0;
        fidx__sbuf_puts(out, i ? ",{\"day\":" : "{\"day\":");
        put_day(out, s->first_day + i);
        fidx__sbuf_puts(out, ",\"categories\":{");
        for (int c = 0, n = 0; c <= FIDX_CAT_COUNT; c++) {
            if (!s->per_day[i][c])
                continue;
            total += s->per_day[i][c];
            fidx__sbuf_printf(out, "%s\"%s\":%u", n++ ? "," : "",
                              c < FIDX_CAT_COUNT ? fidx_category_name(c) : "none",
                              s->per_day[i][c]);
        }
        fidx__sbuf_printf(out, "},\"total\":%u}", total);
    }
    fidx__sbuf_puts(out, "],\"decisions_per_day\":[");
    for (unsigned i = 0; i < s->days; i++) {
        fidx__sbuf_puts(out, i ? ",{\"day\":" : "{\"day\":");
        put_day(out, s->first_day + i);
        fidx__sbuf_printf(out, ",\"approved\":%u,\"rejected\":%u,\"upheld\":%u}", s->approved[i],
                          s->rejected[i], s->upheld[i]);
    }
    fidx__sbuf_puts(out, "]");
}

static int by_count(const void *a, const void *b)
{
    const week_value_t *x = a, *y = b;
    return x->count != y->count ? (x->count < y->count ? 1 : -1) : (x->off < y->off ? -1 : 1);
}

static void put_rest(fidx__sbuf_t *out, stats_t *s)
{
    fidx__sbuf_printf(out,
                      ",\"backlog\":{\"pending\":%zu,\"disputes\":%zu,\"ages\":{\"under_1d\":%zu,"
                      "\"1d_to_7d\":%zu,\"over_7d\":%zu},\"oldest\":",
                      s->pending, s->disputes, s->age_day, s->age_week, s->age_older);
    if (s->oldest) {
        char t[32];
        time_t tt = (time_t)s->oldest;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
        fidx__sbuf_printf(out, "\"%s\"", t);
    } else
        fidx__sbuf_puts(out, "null");
    fidx__sbuf_puts(out, "},\"top_week\":[");
    size_t n = 0;
    if (s->week) {
        for (size_t i = 0; i < s->week_cap; i++)
            if (s->week[i].count)
                s->week[n++] = s->week[i];
        qsort(s->week, n, sizeof *s->week, by_count);
    }
    for (size_t i = 0; i < n && i < TOP_MAX; i++) {
        fidx__sbuf_printf(out, "%s{\"kind\":\"%s\",\"value\":", i ? "," : "",
                          fidx_kind_name(s->week[i].kind));
        const char *v = s->names.p + s->week[i].off;
        fidx__sbuf_json_string(out, v, strlen(v));
        fidx__sbuf_printf(out, ",\"count\":%u}", s->week[i].count);
    }
    fidx__sbuf_printf(out, "],\"top_week_values\":%zu}", s->week_n);
}

void fidx__route_admin_stats(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__reports_t *st = req->w->svc->reports;
    uint64_t days, next;
    if (fidx__u64_param(req, resp, "days", 1, DAYS_MAX, 90, &days) != 0)
        return;
    stats_t *s = calloc(1, sizeof *s);
    if (!s) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    s->days = (unsigned)days;
    s->now = (int64_t)time(NULL);
    s->today = s->now / DAY_S;
    s->first_day = s->today - (int64_t)days + 1;
    size_t pending = 0, approved = 0, rejected = 0;
    if (st)
        fidx__reports_counts(st, &pending, &approved, &rejected);
    size_t held = pending + approved + rejected;
    for (s->week_cap = 64; s->week_cap < 2 * held && s->week_cap < 2 * WEEK_VALUES_MAX;)
        s->week_cap *= 2;
    s->week = calloc(s->week_cap, sizeof *s->week); /* NULL: top_week is left empty */
    fidx__sbuf_init(&s->names, SIZE_MAX);
    static const fidx__report_state_t states[] = {FIDX__REPORT_PENDING, FIDX__REPORT_APPROVED,
                                                  FIDX__REPORT_REJECTED};
    for (size_t i = 0; st && i < sizeof states / sizeof states[0]; i++)
        fidx__reports_list(st, states[i], 0, SIZE_MAX, on_report, s, &next);
    fidx__sbuf_printf(resp->body, "{\"days\":%u,\"from\":", s->days);
    put_day(resp->body, s->first_day);
    fidx__sbuf_puts(resp->body, ",\"to\":");
    put_day(resp->body, s->today);
    fidx__sbuf_puts(resp->body, ",");
    put_per_day(resp->body, s);
    put_rest(resp->body, s);
    fidx__sbuf_free(&s->names);
    free(s->week);
    free(s);
}
