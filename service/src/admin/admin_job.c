/* The life of an analyst's change as a job (admin.h): made by a route, run on libuv's thread
 * pool (the run functions of admin_write.c and admin_compact.c), then parked on its worker's
 * loop until the commit thread says its records are durable, and answered there through the
 * request's deferred answer (http/request.h). */
#include "admin/admin.h"

#include "base/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOB_OUT_MAX (64u * 1024 * 1024)

fidx__admin_job_t *fidx__admin_job_new(fidx__admin_t *a, const fidx__req_t *req,
                                       fidx__admin_run_t run)
{
    fidx__admin_job_t *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->admin = a;
    j->run = run;
    j->now_ms = fidx__clock_wall_ms(); /* for the audit log and the records */
    j->http_status = 500;
    snprintf(j->token, sizeof j->token, "%.*s", FIDX__TOKEN_NAME_MAX, req->principal);
    j->role = (fidx__role_t)req->principal_role;
    fidx__sbuf_init(&j->out, JOB_OUT_MAX);
    return j;
}

static void job_work(uv_work_t *wk)
{
    fidx__admin_job_t *j = wk->data;
    j->run(j);
    if (j->out.failed)
        fidx__admin_job_error(j, 500, "internal", "the answer is too large");
}

static void job_done(uv_work_t *wk, int status)
{
    fidx__admin_job_t *j = wk->data;
    (void)status; /* work is never cancelled */
    fidx__admin_job_finish(j->w, j);
}

void fidx__admin_job_start(const fidx__req_t *req, fidx__resp_t *resp, fidx__admin_job_t *j)
{
    fidx__worker_t *w = req->w;
    j->w = w;
    j->reply = fidx__req_defer(req, resp);
    if (!j->reply) {
        fidx__admin_job_free(j);
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    j->work.data = j;
    if (uv_queue_work(&w->loop, &j->work, job_work, job_done) != 0) {
        fidx__req_undefer(req, j->reply);
        fidx__admin_job_free(j);
        fidx__resp_error(resp, 503, "unavailable", "cannot start the change");
    }
}

void fidx__admin_job_free(fidx__admin_job_t *j)
{
    free(j->body);
    free(j->ids);
    free(j->query);
    if (j->input)
        json_decref(j->input);
    fidx__sbuf_free(&j->out);
    free(j);
}

void fidx__admin_job_error(fidx__admin_job_t *j, int status, const char *code, const char *msg)
{
    fidx__sbuf_reset(&j->out, SIZE_MAX);
    j->http_status = status;
    fidx__sbuf_puts(&j->out, "{\"error\":{\"code\":");
    fidx__sbuf_json_string(&j->out, code, strlen(code));
    fidx__sbuf_puts(&j->out, ",\"message\":");
    fidx__sbuf_json_string(&j->out, msg, strlen(msg));
    fidx__sbuf_puts(&j->out, "}}");
}

void fidx__admin_job_answer(fidx__admin_job_t *j)
{
    fidx__reply_send(j->reply, j->http_status, j->out.p, j->out.len);
    fidx__admin_job_free(j);
}

int fidx__admin_job_log_unavailable(fidx__admin_job_t *j)
{
    fidx__admin_t *a = j->admin;
    const char *f = a->wal ? fidx__wal_failure(a->wal) : "analysts' changes are not accepted";
    if (!f)
        return 0;
    fidx__admin_job_error(j, 503, "unavailable", f);
    return 1;
}

int fidx__admin_job_wait(fidx__admin_job_t *j, uint64_t seq)
{
    if (fidx__wal_wait(j->admin->wal, seq) == 0)
        return 0;
    fidx__admin_job_log_failed(j);
    return -1;
}

void fidx__admin_job_log_failed(fidx__admin_job_t *j)
{
    const char *f = fidx__wal_failure(j->admin->wal);
    char msg[400];
    snprintf(msg, sizeof msg, "%s; the change may or may not have been kept",
             f ? f : "the write-ahead log failed");
    fidx__admin_job_error(j, 503, "unavailable", msg);
}

void fidx__admin_job_sync_failed(fidx__admin_job_t *j)
{
    char msg[300];
    const fidx__config_t *cfg = &j->admin->svc->cfg;
    snprintf(msg, sizeof msg,
             "the change is durable on the writer, but fewer than %u readers applied it within "
             "%llu ms (--sync-replicas); it is kept",
             cfg->sync_replicas, (unsigned long long)cfg->sync_timeout_ms);
    fidx__admin_job_error(j, 503, "replication_timeout", msg);
}

/* Whether j can be answered now: its records are durable (and, with --sync-replicas, applied
 * by enough readers, or their time is up), or the log failed. */
static int job_ready(fidx__admin_t *a, fidx__admin_job_t *j)
{
    if (fidx__wal_durable(a->wal) >= j->wait_seq) {
        if (!j->sync_deadline_ms || fidx__admin_synced(a) >= j->wait_seq)
            return 1;
        if (fidx__clock_mono_ms() < j->sync_deadline_ms)
            return 0;
        fidx__admin_job_sync_failed(j);
        return 1;
    }
    if (!fidx__wal_failed(a->wal))
        return 0;
    fidx__admin_job_log_failed(j);
    return 1;
}

static void on_sync_timer(uv_timer_t *t);

/* Arms w's timer for the earliest deadline among its waiting changes. */
static void arm_sync_timer(fidx__worker_t *w)
{
    uint64_t first = 0;
    for (fidx__admin_job_t *j = w->waiting; j; j = j->next)
        if (j->sync_deadline_ms && (!first || j->sync_deadline_ms < first))
            first = j->sync_deadline_ms;
    if (!w->sync_timer_open)
        return;
    if (!first) {
        uv_timer_stop(&w->sync_timer);
        return;
    }
    uint64_t now = fidx__clock_mono_ms();
    uv_timer_start(&w->sync_timer, on_sync_timer, first > now ? first - now : 0, 0);
}

void fidx__admin_job_finish(fidx__worker_t *w, fidx__admin_job_t *j)
{
    fidx__admin_t *a = j->admin;
    if (j->wait_seq == 0 || !w->durable_open) { /* !durable_open: the worker is ending and
                                                 * the client is gone */
        fidx__admin_job_answer(j);
        return;
    }
    if (a->svc->cfg.sync_replicas && j->http_status == 200)
        j->sync_deadline_ms = fidx__clock_mono_ms() + a->svc->cfg.sync_timeout_ms;
    /* Counted before looking: the commit thread stores the durable number before it reads the
     * count, so one of the two sees the other and no wake-up is lost (readers' acks alike). */
    atomic_fetch_add(&w->n_waiting, 1);
    if (job_ready(a, j)) {
        atomic_fetch_sub(&w->n_waiting, 1);
        fidx__admin_job_answer(j);
        return;
    }
    j->next = w->waiting;
    w->waiting = j;
    if (j->sync_deadline_ms)
        arm_sync_timer(w);
}

/* Answers the waiting jobs that are ready. */
static void answer_ready(fidx__worker_t *w)
{
    fidx__admin_job_t **p = &w->waiting;
    while (*p) {
        fidx__admin_job_t *j = *p;
        if (!job_ready(j->admin, j)) {
            p = &j->next;
            continue;
        }
        *p = j->next;
        atomic_fetch_sub(&w->n_waiting, 1);
        fidx__admin_job_answer(j);
    }
    arm_sync_timer(w);
}

static void on_sync_timer(uv_timer_t *t)
{
    answer_ready(t->data);
}

void fidx__admin_job_wake(uv_async_t *h)
{
    fidx__worker_t *w = h->data;
    answer_ready(w);
    if (w->feed_wake)
        w->feed_wake(w); /* replicas' polls parked on this worker (routes/replica.c) */
}
