/* Analysts' changes, run on libuv's thread pool (see admin.h): delisting, and deciding on a
 * citizen's report (uploads are admin_load.c).
 *
 * Each change follows the same steps:
 *   1. outside the writers' lock: parse and normalise (the slow part, for a big upload);
 *   2. under it: merge each row with what the overlay or the snapshot holds for its value, put
 *      the result in the overlay (invisible to lookups so far), encode it as a log record;
 *      append the records and the audit line to the log's next group;
 *   3. without it: the commit thread makes the group durable, which also makes the changes
 *      visible, and wakes the worker's loop, which only then answers the analyst 200
 *      (fidx__admin_job_finish); no thread waits meanwhile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/admin.h"
#include "admin/audit.h"
#include "base/log.h"

/* ---- DELETE /v1/admin/indicators ---- */

void fidx__admin_run_delist(fidx__admin_job_t *j)
{
    fidx__admin_t *a = j->admin;
    fidx__sbuf_t recs, audit;
    fidx_indicator_t *cur = malloc(sizeof *cur);
    int64_t last = -1;
    fidx__sbuf_init(&recs, SIZE_MAX / 2);
    fidx__sbuf_init(&audit, SIZE_MAX / 2);
    pthread_mutex_lock(&a->mu);
    if (!cur) {
        fidx__admin_job_error(j, 503, "unavailable", "out of memory");
    } else if (fidx__admin_job_log_unavailable(j)) {
        /* answered */
    } else if (fidx_view_get(a->base, a->ov, j->kind, j->value, j->value_len, cur) != 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "no %s %.*s is listed", fidx_kind_name(j->kind),
                 (int)(j->value_len > 120 ? 120 : j->value_len), j->value);
        fidx__admin_job_error(j, 404, "not_found", msg);
    } else {
        uint64_t seq = fidx__wal_next_seq(a->wal);
        fidx__admin_encode_delist(&recs, j->kind, j->value, j->value_len);
        fidx__audit_begin(&audit, j->now_ms, j->token, fidx__role_name(j->role), "delist");
        fidx__audit_str(&audit, "kind", fidx_kind_name(j->kind), strlen(fidx_kind_name(j->kind)));
        fidx__audit_str(&audit, "value", j->value, j->value_len);
        fidx__audit_str(&audit, "reason", j->reason, strlen(j->reason));
        fidx__audit_str(&audit, "was", fidx_status_name(cur->status),
                        strlen(fidx_status_name(cur->status)));
        fidx__audit_end(&audit);
        if (recs.failed || audit.failed ||
            fidx_overlay_delist(a->ov, j->kind, j->value, j->value_len, seq) != 0) {
            fidx__admin_job_error(j, 503, "unavailable", "out of memory");
        } else if (fidx__wal_append(a->wal, recs.p, recs.len, 1, audit.p, audit.len) != 0) {
            fidx__admin_job_log_unavailable(j);
        } else {
            last = (int64_t)seq;
            a->n_delists++;
        }
    }
    pthread_mutex_unlock(&a->mu);
    free(cur);
    fidx__sbuf_free(&recs);
    fidx__sbuf_free(&audit);
    if (last < 0)
        return;
    j->wait_seq = (uint64_t)last; /* answered by the worker once durable */
    j->http_status = 200;
    fidx__sbuf_puts(&j->out, "{\"delisted\":{\"kind\":\"");
    fidx__sbuf_puts(&j->out, fidx_kind_name(j->kind));
    fidx__sbuf_puts(&j->out, "\",\"value\":");
    fidx__sbuf_json_string(&j->out, j->value, j->value_len);
    fidx__sbuf_puts(&j->out, "},\"reason\":");
    fidx__sbuf_json_string(&j->out, j->reason, strlen(j->reason));
    fidx__sbuf_puts(&j->out, "}");
}

/* ---- POST /v1/admin/reports/ID ---- */

typedef struct {
    int found;
    fidx__report_state_t state;
    fidx_kind_t kind;
    int category;
    int64_t created;
    size_t value_len;
    char value[FIDX_CANON_CAP];
} report_copy_t;

static int copy_report(const fidx__report_t *r, void *ctx)
{
    report_copy_t *c = ctx;
    c->found = 1;
    c->state = r->state;
    c->kind = r->kind;
    c->category = r->category;
    c->created = r->created;
    c->value_len = r->value_len < sizeof c->value ? r->value_len : sizeof c->value - 1;
    memcpy(c->value, r->value, c->value_len);
    c->value[c->value_len] = '\0';
    return 0;
}

static int inflight_has(const fidx__admin_t *a, const char *id)
{
    for (unsigned i = 0; i < a->n_inflight; i++)
        if (strcmp(a->inflight[i], id) == 0)
            return 1;
    return 0;
}

static void inflight_del(fidx__admin_t *a, const char *id)
{
    for (unsigned i = 0; i < a->n_inflight; i++)
        if (strcmp(a->inflight[i], id) == 0) {
            memcpy(a->inflight[i], a->inflight[--a->n_inflight], sizeof a->inflight[i]);
            break;
        }
    pthread_cond_broadcast(&a->cond);
}

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
static int approval_indicator(fidx__admin_job_t *j, const report_copy_t *rc, fidx_indicator_t *ind,
                              fidx_err_t *err)
{
    char cats[256] = "", day[16] = "", src[2 * FIDX_MAX_SOURCE_LEN + 4];
    uint16_t mask = j->categories;
    if (!j->has_categories && rc->category >= 0 && rc->category < FIDX_CAT_COUNT)
        mask = (uint16_t)(1u << rc->category);
    for (int c = 0; c < FIDX_CAT_COUNT; c++)
        if (mask & (1u << c)) {
            if (cats[0])
                strcat(cats, ";");
            strcat(cats, fidx_category_name(c));
        }
    struct tm tm;
    time_t t = (time_t)rc->created;
    if (gmtime_r(&t, &tm))
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
    const char *kind = fidx_kind_name(rc->kind), *status = fidx_status_name(j->status);
    approval_sources(j, src, sizeof src);
    fidx_row_t row = {
        .line = 1,
        .kind = fidx_str(kind, strlen(kind)),
        .value = fidx_str(rc->value, rc->value_len),
        .status = fidx_str(status, strlen(status)),
        .categories = fidx_str(cats, strlen(cats)),
        .source = fidx_str(src, strlen(src)),
        .first_seen = fidx_str(day, strlen(day)),
        .last_seen = fidx_str(day, strlen(day)),
    };
    return fidx_row_to_indicator(&row, NULL, ind, err);
}

typedef struct {
    report_copy_t rc;
    fidx_indicator_t ind, before, cur;
    fidx__admin_decision_t dec;
} decide_t;

/* Whether the report can be decided now: it exists, is pending and no other decision on it is
 * being recorded. 0, or -1 with the answer set. Under mu. */
static int decidable(fidx__admin_job_t *j, decide_t *d)
{
    fidx__admin_t *a = j->admin;
    if (fidx__reports_get(a->svc->reports, j->report_id, strlen(j->report_id), copy_report,
                          &d->rc) != 0 ||
        !d->rc.found) {
        fidx__admin_job_error(
            j, 404, "not_found",
            "no such report (of decided reports, only the newest --max-pending-reports are "
            "kept in memory; older ones are in reports.jsonl)");
        return -1;
    }
    if (d->rc.state != FIDX__REPORT_PENDING || inflight_has(a, j->report_id) ||
        a->n_inflight >= FIDX__ADMIN_INFLIGHT) {
        fidx__admin_job_error(
            j, 409, "conflict",
            d->rc.state == FIDX__REPORT_APPROVED   ? "the report is approved already"
            : d->rc.state == FIDX__REPORT_REJECTED ? "the report is rejected already"
                                                   : "a decision on the report is being recorded");
        return -1;
    }
    if (j->uphold) { /* disputes come with the report types */
        fidx__admin_job_error(j, 400, "bad_request", "only a dispute can be upheld");
        return -1;
    }
    return 0;
}

/* The audit line of a decision. */
static void audit_decision(const fidx__admin_job_t *j, const decide_t *d, fidx__sbuf_t *audit)
{
    int approve = j->action == FIDX__REPORT_APPROVED;
    fidx__audit_begin(audit, j->now_ms, j->token, fidx__role_name(j->role),
                      approve ? "approve" : "reject");
    fidx__audit_str(audit, "report", j->report_id, strlen(j->report_id));
    fidx__audit_str(audit, "kind", fidx_kind_name(d->rc.kind), strlen(fidx_kind_name(d->rc.kind)));
    fidx__audit_str(audit, "value", approve ? d->cur.value : d->rc.value,
                    approve ? d->cur.value_len : d->rc.value_len);
    if (approve)
        fidx__audit_str(audit, "status", fidx_status_name(j->status),
                        strlen(fidx_status_name(j->status)));
    if (j->reason[0])
        fidx__audit_str(audit, "reason", j->reason, strlen(j->reason));
    fidx__audit_end(audit);
}

/* The decision record (and, for an approval, the entry's PUT first) into recs; the entry goes
 * into the overlay, invisible until its sequence number is durable. Returns how many records,
 * or -1 with the answer set. Under mu. */
static int64_t encode_decision(fidx__admin_job_t *j, decide_t *d, uint64_t seq, fidx__sbuf_t *recs)
{
    fidx__admin_t *a = j->admin;
    int approve = j->action == FIDX__REPORT_APPROVED;
    int64_t n = 0;
    if (approve) {
        fidx__admin_view_merge(a, &d->ind, &d->before, &d->cur);
        if (fidx__admin_encode_put(recs, &d->cur) != 0 ||
            fidx_overlay_put(a->ov, &d->cur, seq) != 0) {
            fidx__admin_job_error(j, 503, "unavailable", "out of memory");
            return -1;
        }
        n++;
    }
    d->dec = (fidx__admin_decision_t){.action = j->action,
                                      .has_status = approve,
                                      .status = j->status,
                                      .categories = approve ? d->cur.categories : 0,
                                      .time = j->now_ms / 1000};
    snprintf(d->dec.id, sizeof d->dec.id, "%s", j->report_id);
    snprintf(d->dec.by, sizeof d->dec.by, "%s", j->token);
    snprintf(d->dec.reason, sizeof d->dec.reason, "%s", j->reason);
    fidx__admin_encode_decision(recs, &d->dec);
    return n + 1;
}

/* Step 2 of a decision: checked, encoded, appended to the log with its audit line. Returns the
 * sequence number to wait for, or -1 (answer set). Under mu. */
static int64_t record_decision(fidx__admin_job_t *j, decide_t *d, fidx__sbuf_t *recs,
                               fidx__sbuf_t *audit)
{
    fidx__admin_t *a = j->admin;
    fidx_err_t err = {0};
    if (fidx__admin_job_log_unavailable(j) || decidable(j, d) != 0)
        return -1;
    if (j->action == FIDX__REPORT_APPROVED && approval_indicator(j, &d->rc, &d->ind, &err) != 0) {
        fidx__admin_job_error(j, 400, "invalid_value", err.reason ? err.reason : "invalid value");
        return -1;
    }
    uint64_t seq = fidx__wal_next_seq(a->wal);
    int64_t n = encode_decision(j, d, seq, recs);
    if (n < 0)
        return -1;
    audit_decision(j, d, audit);
    if (recs->failed || audit->failed ||
        fidx__wal_append(a->wal, recs->p, recs->len, (uint64_t)n, audit->p, audit->len) != 0) {
        if (!fidx__admin_job_log_unavailable(j))
            fidx__admin_job_error(j, 503, "unavailable", "out of memory");
        return -1;
    }
    memcpy(a->inflight[a->n_inflight++], j->report_id, sizeof a->inflight[0]);
    a->n_decisions++;
    return (int64_t)(seq + (uint64_t)n - 1);
}

static void decision_answer(fidx__admin_job_t *j, const decide_t *d)
{
    int approve = j->action == FIDX__REPORT_APPROVED;
    j->http_status = 200;
    fidx__sbuf_puts(&j->out, "{\"id\":");
    fidx__sbuf_json_string(&j->out, j->report_id, strlen(j->report_id));
    fidx__sbuf_puts(&j->out, approve ? ",\"state\":\"approved\"" : ",\"state\":\"rejected\"");
    if (approve) {
        fidx__sbuf_puts(&j->out, ",\"indicator\":{\"kind\":\"");
        fidx__sbuf_puts(&j->out, fidx_kind_name(d->cur.kind));
        fidx__sbuf_puts(&j->out, "\",\"value\":");
        fidx__sbuf_json_string(&j->out, d->cur.value, d->cur.value_len);
        fidx__sbuf_puts(&j->out, ",\"status\":\"");
        fidx__sbuf_puts(&j->out, fidx_status_name(d->cur.status));
        fidx__sbuf_puts(&j->out, "\",\"categories\":[");
        const char *sep = "";
        for (int c = 0; c < FIDX_CAT_COUNT; c++)
            if (d->cur.categories & (1u << c)) {
                fidx__sbuf_printf(&j->out, "%s\"%s\"", sep, fidx_category_name(c));
                sep = ",";
            }
        fidx__sbuf_printf(&j->out, "],\"reports\":%u}", d->cur.reports);
    }
    fidx__sbuf_puts(&j->out, "}");
}

void fidx__admin_run_decide(fidx__admin_job_t *j)
{
    fidx__admin_t *a = j->admin;
    decide_t *d = calloc(1, sizeof *d);
    fidx__sbuf_t recs, audit;
    if (!d) {
        fidx__admin_job_error(j, 503, "unavailable", "out of memory");
        return;
    }
    fidx__sbuf_init(&recs, SIZE_MAX / 2);
    fidx__sbuf_init(&audit, SIZE_MAX / 2);
    pthread_mutex_lock(&a->mu);
    int64_t last = record_decision(j, d, &recs, &audit);
    pthread_mutex_unlock(&a->mu);
    fidx__sbuf_free(&recs);
    fidx__sbuf_free(&audit);
    if (last >= 0 && fidx__admin_job_wait(j, (uint64_t)last) == 0) {
        /* The log has the decision; now the report store (a crash before this line is
         * repaired at the next start, when the log's decision is replayed). */
        fidx_err_t err = {0};
        if (fidx__admin_record_decision(a->svc->reports, &d->dec, &err) != 0)
            fidx__log(FIDX__LOG_ERROR,
                      "report %s: the decision is in the write-ahead log but the report store "
                      "refused it (%s); it is recorded there at the next start",
                      j->report_id, err.reason ? err.reason : "error");
        decision_answer(j, d);
    }
    if (last >= 0) {
        pthread_mutex_lock(&a->mu);
        inflight_del(a, j->report_id);
        pthread_mutex_unlock(&a->mu);
    }
    free(d);
}
