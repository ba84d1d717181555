/* A warning's change as a job (admin.h): create, update, publish, retract. Run on the thread
 * pool, under the warnings' change lock from reading the warning to storing it: the new whole
 * state goes into the write-ahead log with its audit line (one group, one fsync), and only
 * once that is durable into the warnings store, whose new public view the workers then take.
 * A crash in between loses nothing: the log's replay puts the state into the store. */
#include "admin/admin.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "admin/audit.h"
#include "warnings/warnings.h"

static const char *const actions[] = {"", "warning_create", "warning_update", "warning_publish",
                                      "warning_retract"};

/* The new state of the job's warning from cur (NULL when creating) into w. 0, or the HTTP
 * status of the error set on j. */
static int next_state(fidx__admin_job_t *j, fidx__warnings_t *st, fidx__warning_t *w)
{
    fidx_err_t err = {0};
    int64_t now = j->now_ms / 1000;
    int act = j->warning_action;
    if (act == FIDX__ADMIN_WARNING_CREATE) {
        memset(w, 0, sizeof *w);
        w->category = -1;
        w->severity = FIDX__SEVERITY_MEDIUM;
        w->state = FIDX__WARNING_DRAFT;
        w->created = now;
        fidx__warnings_new_id(st, now, w->id, w->uuid);
    } else if (fidx__warnings_get(st, j->warning_id, strlen(j->warning_id), w) != 0) {
        fidx__admin_job_error(j, 404, "not_found", "no such warning");
        return 404;
    }
    if (w->state == FIDX__WARNING_RETRACTED) {
        fidx__admin_job_error(j, 409, "conflict", "the warning is retracted: write a new one");
        return 409;
    }
    if (act == FIDX__ADMIN_WARNING_PUBLISH && w->state == FIDX__WARNING_PUBLISHED) {
        fidx__admin_job_error(j, 409, "conflict", "the warning is published already");
        return 409;
    }
    if ((act == FIDX__ADMIN_WARNING_CREATE || act == FIDX__ADMIN_WARNING_UPDATE) && j->input &&
        fidx__warning_set(w, j->input, &err) != 0) {
        fidx__admin_job_error(j, 400, "bad_request", err.reason ? err.reason : "invalid warning");
        return 400;
    }
    if (fidx__warning_check(w, &err) != 0) {
        fidx__admin_job_error(j, 400, "bad_request", err.reason);
        return 400;
    }
    if (act == FIDX__ADMIN_WARNING_PUBLISH) {
        w->state = FIDX__WARNING_PUBLISHED;
        w->published = now;
    } else if (act == FIDX__ADMIN_WARNING_RETRACT) {
        w->state = FIDX__WARNING_RETRACTED;
        w->retracted = now;
        free(w->reason);
        w->reason = strdup(j->reason);
    }
    free(w->by);
    w->by = strdup(j->token);
    w->rev = act == FIDX__ADMIN_WARNING_CREATE ? 1 : w->rev + 1;
    w->updated = now;
    return 0;
}

/* The record and its audit line into the log (under the writers' lock), waited for. 0, or -1
 * with the error set on j. */
static int log_change(fidx__admin_job_t *j, const fidx__warning_t *w)
{
    fidx__admin_t *a = j->admin;
    fidx__sbuf_t body, rec, audit;
    fidx__sbuf_init(&body, FIDX__WARNING_LINE_MAX);
    fidx__sbuf_init(&rec, FIDX__WARNING_LINE_MAX + 64);
    fidx__sbuf_init(&audit, FIDX__WARNING_LINE_MAX + 4096);
    fidx__warning_json(&body, w, 0);
    fidx__wal_record(&rec, FIDX__WAL_WARNING, body.p, body.len);
    fidx__audit_begin(&audit, j->now_ms, j->token, fidx__role_name(j->role),
                      actions[j->warning_action]);
    fidx__audit_str(&audit, "warning", w->id, FIDX__WARNING_ID_LEN);
    fidx__audit_str(&audit, "title", w->title[0], strlen(w->title[0]));
    if (j->warning_action == FIDX__ADMIN_WARNING_RETRACT)
        fidx__audit_str(&audit, "reason", j->reason, strlen(j->reason));
    fidx__audit_raw(&audit, "state", body.p, body.len);
    fidx__audit_end(&audit);
    int rc = -1;
    uint64_t seq = 0;
    if (body.failed || rec.failed || audit.failed) {
        fidx__admin_job_error(j, 413, "too_large", "the warning is too large");
        goto done;
    }
    pthread_mutex_lock(&a->mu);
    int unavailable = fidx__admin_job_log_unavailable(j);
    if (!unavailable) {
        seq = fidx__wal_next_seq(a->wal);
        if (fidx__wal_append(a->wal, rec.p, rec.len, 1, audit.p, audit.len) != 0) {
            fidx__admin_job_log_failed(j);
            unavailable = 1;
        }
    }
    pthread_mutex_unlock(&a->mu);
    if (!unavailable && fidx__admin_job_wait(j, seq) == 0)
        rc = 0;
done:
    fidx__sbuf_free(&body);
    fidx__sbuf_free(&rec);
    fidx__sbuf_free(&audit);
    return rc;
}

void fidx__admin_run_warning(fidx__admin_job_t *j)
{
    fidx__warnings_t *st = atomic_load(&j->admin->svc->warnings);
    fidx__warning_t w = {0}; /* disposed on every path: a refused change holds a copy too */
    fidx_err_t err = {0};
    if (!st) {
        fidx__admin_job_error(j, 503, "unavailable", "warnings need --data-dir");
        return;
    }
    fidx__warnings_lock(st);
    if (j->warning_action == FIDX__ADMIN_WARNING_CREATE &&
        fidx__warnings_count(st) >= FIDX__WARNINGS_MAX) {
        fidx__admin_job_error(j, 413, "too_many", "too many warnings are kept (2000)");
        goto unlock;
    }
    if (next_state(j, st, &w) != 0) {
        fidx__warning_dispose(&w);
        goto unlock;
    }
    if (!w.by || (j->warning_action == FIDX__ADMIN_WARNING_RETRACT && !w.reason)) {
        fidx__admin_job_error(j, 500, "internal", "out of memory");
    } else if (log_change(j, &w) == 0) {
        int r = fidx__warnings_put(st, &w, &err);
        if (r) {
            fidx__admin_job_error(j, 503, "unavailable",
                                  "the change is in the write-ahead log but the warnings store "
                                  "cannot be written; it is stored at the next start");
        } else {
            fidx__sbuf_reset(&j->out, SIZE_MAX);
            fidx__warning_json(&j->out, &w, 0);
            j->http_status = j->warning_action == FIDX__ADMIN_WARNING_CREATE ? 201 : 200;
        }
    }
    fidx__warning_dispose(&w);
unlock:
    fidx__warnings_unlock(st);
}

int fidx__admin_replay_warning(fidx__admin_t *a, const char *p, size_t len)
{
    fidx__warnings_t *st = atomic_load(&a->svc->warnings);
    fidx__warning_t w;
    fidx_err_t err = {0};
    if (fidx__warning_parse(p, len, &w, &err) != 0)
        return FIDX_ECORRUPT;
    int r = st ? fidx__warnings_put(st, &w, &err) : 0;
    fidx__warning_dispose(&w);
    if (r == FIDX_EIO) /* a process without the lock replays read-only: its store is a copy */
        r = 0;
    return r == FIDX_ENOMEM ? r : 0;
}
