/* POST /v1/admin/compact: the snapshot and the log folded into a new snapshot, swapped in
 * without failing a request. Runs on the thread pool while lookups and writes go on:
 *
 *   1. under the writers' lock: everything logged so far is made durable and the log goes
 *      on in a new segment N; the changes up to then (sequence numbers <= last) are the ones
 *      to fold; the compaction's overlay reader comes online before the lock is released;
 *   2. a builder gets every entry of the snapshot in use, then those changes (a listed value
 *      replaces its entry, a delisted one removes it), and writes DATA/snapshot-N.fidx (temporary
 *      file, fsync, rename, fsync of the directory: from here the changes are safe in it);
 *   3. the main thread swaps it in like a reload (refused if a reload came in between);
 *   4. once every worker answers from it, the folded changes leave the overlay, and the
 *      segments below N and the previous compacted snapshot are deleted.
 * A crash between 2 and 4 is harmless: at the next start snapshot-N is served and the log
 * replayed from segment N; a replay of folded records changes nothing (they are whole
 * values). A second compaction asked for meanwhile waits for this one and shares its
 * answer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin/admin.h"
#include "admin/audit.h"
#include "fidx/compact.h"
#include "base/log.h"

#define SWITCH_WAIT_MS 60000

static int cancelled(void *arg)
{
    return atomic_load(&((fidx__admin_t *)arg)->cancel);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Main thread: swaps a->install_snap in, unless a reload changed the snapshot meanwhile. */
void fidx__admin_install_cb(uv_async_t *h)
{
    fidx__admin_t *a = h->data;
    fidx__service_t *svc = a->svc;
    pthread_mutex_lock(&a->mu);
    if (a->install_state != 1) {
        pthread_mutex_unlock(&a->mu);
        return;
    }
    fidx_snapshot_t *s = a->install_snap;
    if (svc->stopping || a->base_gen != (uint64_t)a->install_gen) {
        a->install_state = -1;
        pthread_cond_broadcast(&a->cond);
        pthread_mutex_unlock(&a->mu);
        return;
    }
    a->install_snap = NULL;
    pthread_mutex_unlock(&a->mu);
    /* Reloads run on this thread too, so nothing changes the snapshot between the check above
     * and this; publishing also makes it the writers' base (fidx__admin_snapshot_changed). */
    svc->publish(svc, s);
    fidx_snapshot_release(svc->snap);
    svc->snap = s;
    pthread_mutex_lock(&a->mu); /* the status route reads them under mu */
    snprintf(a->base_path, sizeof a->base_path, "%s", a->install_path);
    svc->cfg.snapshot_path = a->base_path;
    pthread_mutex_unlock(&a->mu);
    if (svc->watching) { /* --snapshot is not the snapshot any more */
        uv_close((uv_handle_t *)&svc->watch, NULL);
        svc->watching = 0;
    }
    fidx__log(FIDX__LOG_INFO, "%s: now serving %s (%llu indicators)",
              a->follower ? "the writer's new snapshot" : "snapshot compacted", a->base_path,
              (unsigned long long)a->install_count);
    pthread_mutex_lock(&a->mu);
    a->install_state = 2;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->mu);
}

/* Asks the main thread to swap s in and waits for its answer: 0 swapped, -1 refused.
 * next_seq: the first change s does not hold (the writers' base_next_seq from then on). */
static int install(fidx__admin_t *a, fidx_snapshot_t *s, uint64_t gen, const char *path,
                   uint64_t count, uint64_t next_seq)
{
    pthread_mutex_lock(&a->mu);
    a->install_snap = s;
    a->install_gen = gen;
    a->install_count = count;
    a->install_next_seq = next_seq;
    snprintf(a->install_path, sizeof a->install_path, "%s", path);
    a->install_state = atomic_load(&a->cancel) ? -1 : 1;
    if (a->install_state == 1)
        uv_async_send(&a->install);
    while (a->install_state == 1) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100000000;
        if (until.tv_nsec >= 1000000000)
            until.tv_sec++, until.tv_nsec -= 1000000000;
        pthread_cond_timedwait(&a->cond, &a->mu, &until);
        if (a->install_state == 1 && atomic_load(&a->cancel))
            a->install_state = -1;
    }
    int ok = a->install_state == 2;
    a->install_state = 0;
    a->install_next_seq = 0; /* taken by the swap (fidx__admin_snapshot_changed), or not */
    if (a->install_snap) {   /* not taken */
        fidx_snapshot_release(a->install_snap);
        a->install_snap = NULL;
    }
    pthread_mutex_unlock(&a->mu);
    return ok ? 0 : -1;
}

/* Waits until no worker answers from old any more (it is held, so its address is unique). */
static int workers_switched(fidx__admin_t *a, const fidx_snapshot_t *old)
{
    fidx__service_t *svc = a->svc;
    for (int waited = 0; waited < SWITCH_WAIT_MS && !cancelled(a); waited += 2) {
        unsigned still = 0;
        for (unsigned i = 0; i < svc->n_workers; i++) {
            fidx__worker_t *w = svc->workers[i];
            still += !atomic_load(&w->stop) && atomic_load(&w->current) == old;
        }
        if (!still)
            return 1;
        sleep_ms(2);
    }
    return 0;
}

typedef struct {
    uint64_t segment, last, gen, applied, count;
    fidx_snapshot_t *old;
    char path[FIDX__ADMIN_PATH_MAX + 64], prev[FIDX__ADMIN_PATH_MAX + 64];
    struct timespec t0;
} compaction_t;

/* Step 1, under mu. -1 with the answer set. */
static int begin(fidx__admin_job_t *j, compaction_t *c)
{
    fidx__admin_t *a = j->admin;
    const char *f = fidx__wal_failure(a->wal);
    if (f) {
        fidx__admin_job_error(j, 503, "unavailable", f);
        return -1;
    }
    if (fidx__wal_rotate(a->wal, &c->segment, &c->last) != 0) {
        fidx__admin_job_error(j, 503, "unavailable", "cannot start a new log segment");
        return -1;
    }
    a->compacting = 1;
    c->old = fidx_snapshot_acquire(a->base);
    c->gen = a->base_gen;
    snprintf(c->prev, sizeof c->prev, "%s", a->base_path);
    fidx__admin_snapshot_path(a->dir, c->segment, c->path, sizeof c->path);
    /* Online before writers go on: versions they replace from now on stay readable. */
    fidx_overlay_online(a->compact_reader);
    return 0;
}

/* Step 2: the new snapshot, durable at c->path. -1 with the answer set. */
static int build(fidx__admin_job_t *j, compaction_t *c)
{
    fidx__admin_t *a = j->admin;
    fidx_builder_t *b = NULL;
    fidx_err_t err = {0};
    int rc = fidx_builder_new(&b);
    if (rc == 0)
        rc = fidx_builder_add_snapshot(b, c->old, cancelled, a, &err);
    if (rc == 0)
        rc = fidx_builder_apply_overlay(b, a->ov, c->last, cancelled, a, &c->applied, &err);
    fidx_overlay_offline(a->compact_reader);
    if (rc == 0) {
        c->count = fidx_builder_count(b);
        /* 0600 like everything in the data directory: it holds the analysts' notes. */
        rc = fidx_builder_write_mode(b, c->path, (int64_t)time(NULL), 0600, &err);
    }
    fidx_builder_free(b);
    if (rc) {
        char msg[300];
        snprintf(msg, sizeof msg, "compaction failed: %s",
                 cancelled(a) ? "the service is stopping"
                 : err.reason ? err.reason
                              : fidx_strerror(rc));
        fidx__log(FIDX__LOG_ERROR, "%s", msg);
        fidx__admin_job_error(j, cancelled(a) ? 503 : 500,
                              cancelled(a) ? "unavailable" : "internal", msg);
        return -1;
    }
    return 0;
}

/* Steps 3 and 4. -1 with the answer set. */
static int swap_in(fidx__admin_job_t *j, compaction_t *c)
{
    fidx__admin_t *a = j->admin;
    fidx_snapshot_t *s;
    fidx_err_t err = {0};
    if (fidx_snapshot_open(c->path, a->svc->cfg.load_mode, &s, &err) != 0) {
        fidx__log(FIDX__LOG_ERROR, "the compacted snapshot %s does not open: %s", c->path,
                  err.reason);
        unlink(c->path);
        fidx__admin_job_error(j, 500, "internal", "the compacted snapshot does not open");
        return -1;
    }
    if (install(a, s, c->gen, c->path, c->count, c->last + 1) != 0) {
        if (!cancelled(a)) /* stopping: the file is sound and is served at the next start */
            unlink(c->path);
        fidx__admin_job_error(j, 503, "unavailable",
                              cancelled(a) ? "the service is stopping"
                                           : "the snapshot was reloaded during the compaction; "
                                             "ask again");
        return -1;
    }
    if (workers_switched(a, c->old)) {
        pthread_mutex_lock(&a->mu);
        if (fidx_overlay_drop_through(a->ov, c->last) != 0)
            fidx__log(FIDX__LOG_WARN, "out of memory dropping folded changes; they stay");
        /* What the dropped changes held is freed once no lookup can reach it. */
        fidx_overlay_reclaim(a->ov);
        pthread_mutex_unlock(&a->mu);
    }
    fidx__wal_drop_before(a->wal, c->segment, a->svc->cfg.keep_log_ms);
    if (c->prev[0] && strcmp(c->prev, c->path) != 0 && unlink(c->prev) != 0)
        fidx__log(FIDX__LOG_WARN, "cannot delete %s: %s", c->prev, strerror(errno));
    return 0;
}

static void answer(fidx__admin_job_t *j, const compaction_t *c, double secs)
{
    fidx__admin_t *a = j->admin;
    fidx__sbuf_t audit;
    j->http_status = 200;
    fidx__sbuf_puts(&j->out, "{\"snapshot\":");
    fidx__sbuf_json_string(&j->out, c->path, strlen(c->path));
    fidx__sbuf_printf(&j->out,
                      ",\"indicators\":%llu,\"changes_folded\":%llu,\"wal_segment\":%llu,"
                      "\"seconds\":%.3f}",
                      (unsigned long long)c->count, (unsigned long long)c->applied,
                      (unsigned long long)c->segment, secs);
    fidx__sbuf_init(&audit, SIZE_MAX / 2);
    fidx__audit_begin(&audit, j->now_ms, j->token, fidx__role_name(j->role), "compact");
    fidx__audit_str(&audit, "snapshot", c->path, strlen(c->path));
    fidx__audit_num(&audit, "indicators", c->count);
    fidx__audit_num(&audit, "changes_folded", c->applied);
    fidx__audit_end(&audit);
    pthread_mutex_lock(&a->mu);
    int rc = fidx__wal_append(a->wal, NULL, 0, 0, audit.p, audit.len);
    pthread_mutex_unlock(&a->mu);
    fidx__sbuf_free(&audit);
    /* Acknowledged only with its audit line on disk and readable (docs/OPERATIONS.md): the
     * line has no sequence number for the worker to wait on, so wait for the commit here. */
    if (rc != 0 || fidx__wal_flush(a->wal) != 0) {
        fidx__log(FIDX__LOG_WARN, "the compaction could not be written to the audit log");
        fidx__admin_job_log_failed(j);
    }
}

void fidx__admin_run_compact(fidx__admin_job_t *j)
{
    fidx__admin_t *a = j->admin;
    compaction_t c;
    memset(&c, 0, sizeof c);
    clock_gettime(CLOCK_MONOTONIC, &c.t0);
    pthread_mutex_lock(&a->mu);
    if (a->compacting) { /* share the answer of the one running */
        while (a->compacting)
            pthread_cond_wait(&a->cond, &a->mu);
        j->http_status = a->last_compaction_status;
        fidx__sbuf_put(&j->out, a->last_compaction.p, a->last_compaction.len);
        pthread_mutex_unlock(&a->mu);
        return;
    }
    int rc = begin(j, &c);
    pthread_mutex_unlock(&a->mu);
    if (rc == 0 && build(j, &c) == 0 && swap_in(j, &c) == 0) {
        answer(j, &c, seconds_since(&c.t0));
        fidx__log(FIDX__LOG_INFO, "compaction by %s: %llu changes folded, %.3f s", j->token,
                  (unsigned long long)c.applied, seconds_since(&c.t0));
    }
    if (c.old)
        fidx_snapshot_release(c.old);
    pthread_mutex_lock(&a->mu);
    if (rc == 0) {
        a->compacting = 0;
        a->n_compactions += j->http_status == 200;
    }
    fidx__sbuf_reset(&a->last_compaction, SIZE_MAX);
    fidx__sbuf_put(&a->last_compaction, j->out.p, j->out.len);
    a->last_compaction_status = j->http_status;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->mu);
}

/* ---- a replica's new base ---- */

int fidx__admin_adopt_base(fidx__admin_t *a, fidx_snapshot_t *s, const char *path, uint64_t through)
{
    fidx_snapshot_info_t info;
    fidx_err_t err = {0};
    uint64_t count = fidx_snapshot_info(s, &info, &err) == 0 ? info.total : 0;
    pthread_mutex_lock(&a->mu);
    fidx_snapshot_t *old = fidx_snapshot_acquire(a->base);
    uint64_t gen = a->base_gen;
    pthread_mutex_unlock(&a->mu);
    int rc = install(a, s, gen, path, count, through + 1);
    if (rc == 0 && workers_switched(a, old)) {
        pthread_mutex_lock(&a->mu);
        if (fidx_overlay_drop_through(a->ov, through) != 0)
            fidx__log(FIDX__LOG_WARN, "out of memory dropping changes the new base holds; they "
                                      "stay");
        fidx_overlay_reclaim(a->ov);
        pthread_mutex_unlock(&a->mu);
    }
    fidx_snapshot_release(old);
    return rc;
}
