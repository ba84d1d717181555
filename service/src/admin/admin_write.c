/* Delisting, run on libuv's thread pool (see admin.h); uploads are admin_load.c, decisions on
 * reports admin_review.c.
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

#define MATCHES_MAX 64 /* stored entries one value may stand for (every bank's, for digits) */

typedef struct {
    fidx_indicator_t *e; /* the entries the value matches, as they stand */
    size_t n;
    int truncated;
} matches_t;

static int keep_match(void *arg, const fidx_indicator_t *ind)
{
    matches_t *m = arg;
    if (m->n == MATCHES_MAX) {
        m->truncated = 1;
        return 0;
    }
    memcpy(&m->e[m->n++], ind, sizeof *ind);
    return 0;
}

static void entry_brief(fidx__sbuf_t *out, const fidx_indicator_t *e, int comma)
{
    fidx__sbuf_printf(out, "%s{\"kind\":\"%s\",\"value\":", comma ? "," : "",
                      fidx_kind_name(e->kind));
    fidx__sbuf_json_string(out, e->value, e->value_len);
}

/* Several entries and no "all": 409 naming them, so the analyst can pick one. */
static void ambiguous(fidx__admin_job_t *j, const matches_t *m)
{
    fidx__sbuf_t *o = &j->out;
    fidx__sbuf_reset(o, SIZE_MAX);
    j->http_status = 409;
    fidx__sbuf_printf(o,
                      "{\"error\":{\"code\":\"conflict\",\"message\":\"%zu%s entries "
                      "match; delist one by its exact value, or all with all=1\","
                      "\"candidates\":[",
                      m->n, m->truncated ? " or more" : "");
    for (size_t i = 0; i < m->n; i++) {
        entry_brief(o, &m->e[i], i > 0);
        fidx__sbuf_printf(o, ",\"status\":\"%s\"}", fidx_status_name(m->e[i].status));
    }
    fidx__sbuf_puts(o, "]}}");
}

/* The audit line: one entry as before (its value, and what it was), several as a list. */
static void audit_delist(const fidx__admin_job_t *j, const matches_t *m, fidx__sbuf_t *audit)
{
    const fidx_indicator_t *one = m->n == 1 ? &m->e[0] : NULL;
    const char *kind = fidx_kind_name(j->kind);
    fidx__audit_begin(audit, j->now_ms, j->token, fidx__role_name(j->role), "delist");
    fidx__audit_str(audit, "kind", kind, strlen(kind));
    fidx__audit_str(audit, "value", one ? one->value : j->value,
                    one ? one->value_len : j->value_len);
    fidx__audit_str(audit, "reason", j->reason, strlen(j->reason));
    if (one) {
        const char *was = fidx_status_name(one->status);
        fidx__audit_str(audit, "was", was, strlen(was));
        fidx__audit_state(audit, "before", one);
        fidx__audit_state(audit, "after", NULL);
    } else {
        fidx__sbuf_puts(audit, ",\"values\":[");
        for (size_t i = 0; i < m->n; i++) {
            entry_brief(audit, &m->e[i], i > 0);
            fidx__audit_state(audit, "before", &m->e[i]);
            fidx__audit_state(audit, "after", NULL);
            fidx__sbuf_put(audit, "}", 1);
        }
        fidx__sbuf_put(audit, "]", 1);
    }
    fidx__audit_end(audit);
}

/* Under mu: every match delisted in the overlay and logged. The last sequence number, or -1
 * (answer set). */
static int64_t delist_matches(fidx__admin_job_t *j, const matches_t *m)
{
    fidx__admin_t *a = j->admin;
    fidx__sbuf_t recs, audit;
    int64_t last = -1;
    uint64_t seq = fidx__wal_next_seq(a->wal), n = 0;
    fidx__sbuf_init(&recs, SIZE_MAX / 2);
    fidx__sbuf_init(&audit, SIZE_MAX / 2);
    audit_delist(j, m, &audit);
    for (; n < m->n && !recs.failed; n++) {
        const fidx_indicator_t *e = &m->e[n];
        size_t at = recs.len;
        fidx__admin_encode_delist(&recs, e->kind, e->value, e->value_len);
        if (recs.failed || fidx_overlay_delist(a->ov, e->kind, e->value, e->value_len, seq + n)) {
            recs.len = at; /* the log gets exactly what the overlay got */
            recs.failed = 1;
            break;
        }
    }
    if (n < m->n || audit.failed) {
        fidx__admin_job_error(j, 503, "unavailable", "out of memory");
        recs.failed = 0;
    }
    if (n && fidx__wal_append(a->wal, recs.p, recs.len, n, audit.p, audit.len) != 0)
        fidx__admin_job_log_unavailable(j);
    else if (n == m->n && !audit.failed)
        last = (int64_t)(seq + n - 1);
    a->n_delists += n;
    fidx__sbuf_free(&recs);
    fidx__sbuf_free(&audit);
    return last;
}

static void delist_answer(fidx__admin_job_t *j, const matches_t *m)
{
    fidx__sbuf_t *o = &j->out;
    j->http_status = 200;
    fidx__sbuf_puts(o, m->n == 1 ? "{\"delisted\":" : "{\"delisted\":[");
    for (size_t i = 0; i < m->n; i++) {
        entry_brief(o, &m->e[i], i > 0);
        fidx__sbuf_put(o, "}", 1);
    }
    fidx__sbuf_puts(o, m->n == 1 ? ",\"reason\":" : "],\"reason\":");
    fidx__sbuf_json_string(o, j->reason, strlen(j->reason));
    fidx__sbuf_puts(o, "}");
}

/* Delists what a lookup of the value (in any written form) matches: the one stored entry, or
 * with all=1 every one (a bank account without its bank may match several: 409 without). */
void fidx__admin_run_delist(fidx__admin_job_t *j)
{
    fidx__admin_t *a = j->admin;
    matches_t m = {calloc(MATCHES_MAX, sizeof *m.e), 0, 0};
    int64_t last = -1;
    pthread_mutex_lock(&a->mu);
    if (!m.e || fidx__admin_view_matches(a, j->kind, j->value, j->value_len, keep_match, &m)) {
        fidx__admin_job_error(j, 503, "unavailable", "out of memory");
    } else if (fidx__admin_job_log_unavailable(j)) {
        /* answered */
    } else if (m.n == 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "no %s %.*s is listed", fidx_kind_name(j->kind),
                 (int)(j->value_len > 120 ? 120 : j->value_len), j->value);
        fidx__admin_job_error(j, 404, "not_found", msg);
    } else if ((m.n > 1 || m.truncated) && !j->all) {
        ambiguous(j, &m);
    } else {
        last = delist_matches(j, &m);
    }
    pthread_mutex_unlock(&a->mu);
    if (last >= 0) {
        j->wait_seq = (uint64_t)last; /* answered by the worker once durable */
        delist_answer(j, &m);
    }
    free(m.e);
}
