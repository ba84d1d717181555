/* Decisions on citizens' reports, run on libuv's thread pool (admin.h): one report
 * (POST /v1/admin/reports/ID) or many at once (POST /v1/admin/reports), each approved (its
 * value listed as the analyst says), rejected, or — a dispute — upheld (its value delisted).
 *   1. each report is claimed in the store, so no other decision on it can start meanwhile,
 *      and checked (it exists, is pending, the action fits its type);
 *   2. under the writers' lock: each decision's changes (the approved value's whole new state,
 *      or the upheld dispute's delistings) and its decision record go into the overlay and the
 *      log with one audit line per report, all in one append;
 *   3. once durable (this pool thread waits: the report store is next), the report store
 *      records every decision with one write and one fsync. A crash between 3 and 4 is
 *      repaired at the next start, when the log's decisions are replayed into the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/admin.h"
#include "admin/audit.h"
#include "base/log.h"

#define NOT_KEPT                                                                                   \
    "no such report (of decided reports, only the newest --max-pending-reports are kept in "       \
    "memory; older ones are in reports.jsonl)"

/* One report of the decision and what became of it. */
typedef struct {
    const char *id;
    int status; /* 0 while it goes on; else the HTTP status of its failure */
    const char *code, *why;
    int claimed, recorded;
    fidx__report_type_t type;
    fidx__report_state_t state;
    fidx_kind_t kind;
    int category;
    int64_t created;
    char *value; /* canonical */
    size_t value_len;
    fidx_indicator_t *after; /* an approval: the value's new state */
    fidx__sbuf_t delisted;   /* an upheld dispute: {"kind","value"} of each entry delisted */
    fidx__admin_decision_t dec;
} item_t;

typedef struct {
    item_t *items;
    size_t n;
    fidx_indicator_t ind, before;
} review_t;

static void fail_item(item_t *it, int status, const char *code, const char *why)
{
    it->status = status;
    it->code = code;
    it->why = why;
}

static int copy_report(const fidx__report_t *r, void *ctx)
{
    item_t *it = ctx;
    it->type = r->type;
    it->state = r->state;
    it->kind = r->kind;
    it->category = r->category;
    it->created = r->created;
    it->value = malloc(r->value_len + 1);
    if (it->value) {
        memcpy(it->value, r->value, r->value_len + 1);
        it->value_len = r->value_len;
    }
    return 0;
}

/* Step 1 for one report. */
static void claim(fidx__admin_job_t *j, item_t *it)
{
    int e = fidx__reports_claim(j->admin->svc->reports, it->id, strlen(it->id), copy_report, it);
    if (e == FIDX_ENOTFOUND)
        return fail_item(it, 404, "not_found", NOT_KEPT);
    if (e == FIDX_ELIMIT)
        return fail_item(it, 409, "conflict", "a decision on the report is being recorded");
    if (e == FIDX_EINVAL)
        return fail_item(it, 409, "conflict",
                         it->state == FIDX__REPORT_APPROVED ? "the report is approved already"
                                                            : "the report is rejected already");
    it->claimed = 1;
    int dispute = it->type == FIDX__REPORT_DISPUTE;
    if (!it->value)
        fail_item(it, 503, "unavailable", "out of memory");
    else if (j->uphold && !dispute)
        fail_item(it, 400, "bad_request", "only a dispute can be upheld");
    else if (j->action == FIDX__REPORT_APPROVED && !j->uphold && dispute)
        fail_item(it, 400, "bad_request",
                  "a dispute is upheld (its value delisted) or rejected, not approved");
}

/* ---- an approval ---- */

/* The analysts' unit as a source name: the token's name lower-cased, with anything a source
 * name may not hold ('@') made '-', cut to FIDX_MAX_SOURCE_LEN bytes. */
static void unit_source(const char *token, char out[FIDX_MAX_SOURCE_LEN + 1])
{
    size_t n = 0;
    for (; token[n] && n < FIDX_MAX_SOURCE_LEN; n++) {
        char c = token[n];
        c = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        int ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        out[n] = ok ? c : '-';
    }
    out[n] = '\0';
}

/* The sources of an approval: who reported it (community, or the "source" the analyst gave)
 * and, when the analyst confirms it, the analyst's unit: only then may citizens be told that
 * it was verified, and by whom. */
static void approval_sources(const fidx__admin_job_t *j, char *out, size_t cap)
{
    char unit[FIDX_MAX_SOURCE_LEN + 1];
    unit_source(j->token, unit);
    snprintf(out, cap, "%s%s%s", j->source[0] ? j->source : "community",
             j->status == FIDX_STATUS_CONFIRMED ? ";" : "",
             j->status == FIDX_STATUS_CONFIRMED ? unit : "");
}

/* The indicator an approval makes: the reported value with the analyst's status and
 * categories (the citizen's category when none is given), its sources (approval_sources),
 * seen on the day of the report. */
static int approval_indicator(const fidx__admin_job_t *j, const item_t *it, fidx_indicator_t *ind,
                              fidx_err_t *err)
{
    char cats[256] = "", day[16] = "", src[2 * FIDX_MAX_SOURCE_LEN + 4];
    uint16_t mask = j->categories;
    if (!j->has_categories && it->category >= 0 && it->category < FIDX_CAT_COUNT)
        mask = (uint16_t)(1u << it->category);
    for (int c = 0; c < FIDX_CAT_COUNT; c++)
        if (mask & (1u << c)) {
            if (cats[0])
                strcat(cats, ";");
            strcat(cats, fidx_category_name(c));
        }
    struct tm tm;
    time_t t = (time_t)it->created;
    if (gmtime_r(&t, &tm))
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
    const char *kind = fidx_kind_name(it->kind), *status = fidx_status_name(j->status);
    approval_sources(j, src, sizeof src);
    fidx_row_t row = {
        .line = 1,
        .kind = fidx_str(kind, strlen(kind)),
        .value = fidx_str(it->value, it->value_len),
        .status = fidx_str(status, strlen(status)),
        .categories = fidx_str(cats, strlen(cats)),
        .source = fidx_str(src, strlen(src)),
        .first_seen = fidx_str(day, strlen(day)),
        .last_seen = fidx_str(day, strlen(day)),
    };
    return fidx_row_to_indicator(&row, NULL, ind, err);
}

static void audit_head(const fidx__admin_job_t *j, const item_t *it, const char *action,
                       fidx__sbuf_t *audit)
{
    fidx__audit_begin(audit, j->now_ms, j->token, fidx__role_name(j->role), action);
    fidx__audit_str(audit, "report", it->id, strlen(it->id));
}

/* The approved value merged with what is listed, into the overlay and recs; its audit line.
 * Returns the records written (1), or -1 (the item failed). */
static int approve(fidx__admin_job_t *j, review_t *rv, item_t *it, uint64_t seq, fidx__sbuf_t *recs,
                   fidx__sbuf_t *audit)
{
    fidx_err_t err = {0};
    if (approval_indicator(j, it, &rv->ind, &err) != 0) {
        fail_item(it, 400, "invalid_value", err.reason ? err.reason : "invalid value");
        return -1;
    }
    it->after = malloc(sizeof *it->after);
    if (!it->after) {
        fail_item(it, 503, "unavailable", "out of memory");
        return -1;
    }
    int listed = fidx__admin_view_merge(j->admin, &rv->ind, &rv->before, it->after);
    size_t at = recs->len;
    if (fidx__admin_encode_put(recs, it->after) != 0 ||
        fidx_overlay_put(j->admin->ov, it->after, seq) != 0) {
        recs->len = at; /* the log gets exactly what the overlay got */
        recs->failed = 0;
        fail_item(it, 503, "unavailable", "out of memory");
        return -1;
    }
    audit_head(j, it, "approve", audit);
    fidx__audit_str(audit, "kind", fidx_kind_name(it->kind), strlen(fidx_kind_name(it->kind)));
    fidx__audit_str(audit, "value", it->after->value, it->after->value_len);
    fidx__audit_str(audit, "status", fidx_status_name(j->status),
                    strlen(fidx_status_name(j->status)));
    fidx__audit_str(audit, "reason", j->reason, strlen(j->reason));
    fidx__audit_state(audit, "before", listed ? &rv->before : NULL);
    fidx__audit_state(audit, "after", it->after);
    fidx__audit_end(audit);
    return 1;
}

/* ---- an upheld dispute ---- */

typedef struct {
    fidx__admin_job_t *j;
    item_t *it;
    uint64_t seq;
    int n;
    fidx__sbuf_t *recs, *values;
} uphold_t;

/* One listed entry the disputed value stands for: delisted (its record, its overlay entry,
 * its place in the audit line and in the answer). */
static int delist_one(void *arg, const fidx_indicator_t *ind)
{
    uphold_t *u = arg;
    size_t before = u->recs->len;
    fidx__admin_encode_delist(u->recs, ind->kind, ind->value, ind->value_len);
    if (u->recs->failed || fidx_overlay_delist(u->j->admin->ov, ind->kind, ind->value,
                                               ind->value_len, u->seq + (uint64_t)u->n) != 0) {
        u->recs->len = before; /* the log gets exactly what the overlay got */
        u->recs->failed = 0;
        return FIDX_ENOMEM;
    }
    const char *kind = fidx_kind_name(ind->kind);
    fidx__sbuf_t *outs[2] = {u->values, &u->it->delisted};
    for (int k = 0; k < 2; k++) {
        fidx__sbuf_puts(outs[k], u->n ? ",{\"kind\":\"" : "{\"kind\":\"");
        fidx__sbuf_puts(outs[k], kind);
        fidx__sbuf_puts(outs[k], "\",\"value\":");
        fidx__sbuf_json_string(outs[k], ind->value, ind->value_len);
        if (k == 0) {
            fidx__audit_state(outs[k], "before", ind);
            fidx__audit_state(outs[k], "after", NULL);
        }
        fidx__sbuf_put(outs[k], "}", 1);
    }
    u->n++;
    return 0;
}

/* Every entry a lookup of the disputed value matches is delisted; the audit line lists each
 * with its state before. Returns the records written (those of a failed item too: what is in
 * the overlay is logged). */
static int uphold(fidx__admin_job_t *j, item_t *it, uint64_t seq, fidx__sbuf_t *recs,
                  fidx__sbuf_t *audit)
{
    fidx__sbuf_t values;
    fidx__sbuf_init(&values, SIZE_MAX / 2);
    uphold_t u = {j, it, seq, 0, recs, &values};
    int rc = fidx__admin_view_matches(j->admin, it->kind, it->value, it->value_len, delist_one, &u);
    audit_head(j, it, "uphold", audit);
    fidx__audit_str(audit, "kind", fidx_kind_name(it->kind), strlen(fidx_kind_name(it->kind)));
    fidx__audit_str(audit, "value", it->value, it->value_len);
    fidx__audit_str(audit, "reason", j->reason, strlen(j->reason));
    fidx__sbuf_puts(audit, ",\"values\":[");
    fidx__sbuf_put(audit, values.p, values.len);
    fidx__sbuf_puts(audit, "]");
    fidx__audit_end(audit);
    if (rc != 0 || values.failed)
        fail_item(it, 503, "unavailable", "out of memory");
    fidx__sbuf_free(&values);
    return u.n;
}

/* ---- step 2: the log ---- */

static void reject_line(const fidx__admin_job_t *j, const item_t *it, fidx__sbuf_t *audit)
{
    audit_head(j, it, "reject", audit);
    fidx__audit_str(audit, "kind", fidx_kind_name(it->kind), strlen(fidx_kind_name(it->kind)));
    fidx__audit_str(audit, "value", it->value, it->value_len);
    fidx__audit_str(audit, "reason", j->reason, strlen(j->reason));
    fidx__audit_end(audit);
}

/* One report's changes and decision record at seq. Returns how many records. */
static uint64_t encode_item(fidx__admin_job_t *j, review_t *rv, item_t *it, uint64_t seq,
                            fidx__sbuf_t *recs, fidx__sbuf_t *audit)
{
    int n = 0;
    if (j->uphold)
        n = uphold(j, it, seq, recs, audit);
    else if (j->action == FIDX__REPORT_APPROVED)
        n = approve(j, rv, it, seq, recs, audit);
    else
        reject_line(j, it, audit);
    if (n < 0)
        return 0;
    if (it->status) /* failed after some of its changes: they are logged, not its decision */
        return (uint64_t)n;
    int approve_ = j->action == FIDX__REPORT_APPROVED && !j->uphold;
    it->dec = (fidx__admin_decision_t){.action = j->action,
                                       .has_status = approve_,
                                       .status = j->status,
                                       .categories = approve_ ? it->after->categories : 0,
                                       .time = j->now_ms / 1000};
    snprintf(it->dec.id, sizeof it->dec.id, "%s", it->id);
    snprintf(it->dec.by, sizeof it->dec.by, "%s", j->token);
    snprintf(it->dec.reason, sizeof it->dec.reason, "%s", j->reason);
    fidx__admin_encode_decision(recs, &it->dec);
    it->recorded = 1;
    return (uint64_t)n + 1;
}

/* Step 2: every claimed report's records appended in one piece. Returns the last sequence
 * number to wait for, 0 when nothing was appended, -1 when the log refused (answer set). */
static int64_t record(fidx__admin_job_t *j, review_t *rv)
{
    fidx__admin_t *a = j->admin;
    fidx__sbuf_t recs, audit;
    int64_t last = 0;
    fidx__sbuf_init(&recs, SIZE_MAX / 2);
    fidx__sbuf_init(&audit, SIZE_MAX / 2);
    pthread_mutex_lock(&a->mu);
    if (fidx__admin_job_log_unavailable(j)) {
        last = -1;
    } else {
        uint64_t seq = fidx__wal_next_seq(a->wal), n = 0;
        for (size_t i = 0; i < rv->n; i++)
            if (rv->items[i].claimed && !rv->items[i].status)
                n += encode_item(j, rv, &rv->items[i], seq + n, &recs, &audit);
        if (n && (recs.failed || audit.failed ||
                  fidx__wal_append(a->wal, recs.p, recs.len, n, audit.p, audit.len) != 0)) {
            if (!fidx__admin_job_log_unavailable(j))
                fidx__admin_job_error(j, 503, "unavailable", "out of memory");
            last = -1;
        } else if (n) {
            last = (int64_t)(seq + n - 1);
            for (size_t i = 0; i < rv->n; i++)
                a->n_decisions += (uint64_t)rv->items[i].recorded;
        }
    }
    pthread_mutex_unlock(&a->mu);
    fidx__sbuf_free(&recs);
    fidx__sbuf_free(&audit);
    return last;
}

/* Step 3: the report store records the logged decisions, all in one write. */
static void store(fidx__admin_job_t *j, review_t *rv)
{
    const char **ids = calloc(rv->n, sizeof *ids);
    fidx__report_decision_t *d = calloc(rv->n, sizeof *d);
    int *rc = calloc(rv->n, sizeof *rc);
    size_t m = 0;
    for (size_t i = 0; ids && d && rc && i < rv->n; i++) {
        const item_t *it = &rv->items[i];
        if (!it->recorded)
            continue;
        ids[m] = it->id;
        d[m++] = (fidx__report_decision_t){.action = it->dec.action,
                                           .by = it->dec.by,
                                           .has_status = it->dec.has_status,
                                           .status = it->dec.status,
                                           .categories = it->dec.categories,
                                           .reason = it->dec.reason};
    }
    if (!ids || !d || !rc ||
        fidx__reports_decide_many(j->admin->svc->reports, ids, d, m, j->now_ms / 1000, rc) != 0)
        fidx__log(FIDX__LOG_ERROR,
                  "%zu decisions are in the write-ahead log but the report store could not "
                  "record them; they are recorded there at the next start",
                  m);
    free(ids);
    free(d);
    free(rc);
}

/* ---- the answer ---- */

static void item_json(fidx__sbuf_t *out, const fidx__admin_job_t *j, const item_t *it)
{
    fidx__sbuf_puts(out, "{\"id\":");
    fidx__sbuf_json_string(out, it->id, strlen(it->id));
    fidx__sbuf_puts(out, j->action == FIDX__REPORT_APPROVED ? ",\"state\":\"approved\""
                                                            : ",\"state\":\"rejected\"");
    if (it->after) {
        const fidx_indicator_t *x = it->after;
        fidx__sbuf_printf(out,
                          ",\"indicator\":{\"kind\":\"%s\",\"value\":", fidx_kind_name(x->kind));
        fidx__sbuf_json_string(out, x->value, x->value_len);
        fidx__sbuf_printf(out, ",\"status\":\"%s\",\"categories\":[", fidx_status_name(x->status));
        for (int c = 0, k = 0; c < FIDX_CAT_COUNT; c++)
            if (x->categories & (1u << c))
                fidx__sbuf_printf(out, "%s\"%s\"", k++ ? "," : "", fidx_category_name(c));
        fidx__sbuf_printf(out, "],\"reports\":%u}", x->reports);
    }
    if (j->uphold) {
        fidx__sbuf_puts(out, ",\"delisted\":[");
        fidx__sbuf_put(out, it->delisted.p, it->delisted.len);
        fidx__sbuf_puts(out, "]");
    }
    fidx__sbuf_puts(out, "}");
}

static void error_json(fidx__sbuf_t *out, const item_t *it)
{
    fidx__sbuf_puts(out, "{\"id\":");
    fidx__sbuf_json_string(out, it->id, strlen(it->id));
    fidx__sbuf_printf(out, ",\"error\":{\"code\":\"%s\",\"message\":", it->code);
    fidx__sbuf_json_string(out, it->why, strlen(it->why));
    fidx__sbuf_puts(out, "}}");
}

/* One report: its answer, or its failure as the request's error. Several: the decided and the
 * failed, each listed. */
static void answer(fidx__admin_job_t *j, const review_t *rv)
{
    if (!j->bulk) {
        const item_t *it = &rv->items[0];
        if (it->status)
            return fidx__admin_job_error(j, it->status, it->code, it->why);
        j->http_status = 200;
        return item_json(&j->out, j, it);
    }
    j->http_status = 200;
    fidx__sbuf_puts(&j->out, "{\"decided\":[");
    for (size_t i = 0, k = 0; i < rv->n; i++)
        if (rv->items[i].recorded) {
            fidx__sbuf_puts(&j->out, k++ ? "," : "");
            item_json(&j->out, j, &rv->items[i]);
        }
    fidx__sbuf_puts(&j->out, "],\"failed\":[");
    for (size_t i = 0, k = 0; i < rv->n; i++)
        if (!rv->items[i].recorded) {
            fidx__sbuf_puts(&j->out, k++ ? "," : "");
            error_json(&j->out, &rv->items[i]);
        }
    fidx__sbuf_printf(&j->out, "],\"more\":%zu}", j->more);
}

/* ---- the whole decision ---- */

static void review_free(fidx__admin_job_t *j, review_t *rv)
{
    for (size_t i = 0; i < rv->n; i++) {
        item_t *it = &rv->items[i];
        if (it->claimed && !it->recorded) /* decided: the store has let go of it already */
            fidx__reports_unclaim(j->admin->svc->reports, it->id, strlen(it->id));
        free(it->value);
        free(it->after);
        fidx__sbuf_free(&it->delisted);
    }
    free(rv->items);
    free(rv);
}

void fidx__admin_run_decide(fidx__admin_job_t *j)
{
    review_t *rv = calloc(1, sizeof *rv);
    size_t n = j->bulk ? j->n_ids : 1;
    if (!rv || !(rv->items = calloc(n ? n : 1, sizeof *rv->items))) {
        free(rv);
        fidx__admin_job_error(j, 503, "unavailable", "out of memory");
        return;
    }
    rv->n = n;
    for (size_t i = 0; i < n; i++) {
        rv->items[i].id = j->bulk ? j->ids[i] : j->report_id;
        fidx__sbuf_init(&rv->items[i].delisted, SIZE_MAX / 2);
        claim(j, &rv->items[i]);
    }
    int64_t last = record(j, rv);
    if (last > 0 && fidx__admin_job_wait(j, (uint64_t)last) != 0)
        last = -1;
    if (last > 0)
        store(j, rv);
    for (size_t i = 0; last < 0 && i < n; i++)
        rv->items[i].recorded = 0; /* not answered as decided: the log failed */
    if (last >= 0)
        answer(j, rv);
    review_free(j, rv);
}
