/* Reloading the snapshot (see reload.h). The file is read and validated on libuv's thread
 * pool, then swapped in on the main thread's loop: a slow validation of a large file never
 * delays a request, nor the handling of a signal. */
#include "reload.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "routes/limits.h"

void fidx__reload_log_loaded(const fidx__service_t *svc, const fidx_snapshot_t *s, const char *what)
{
    char built[32];
    uint64_t total = 0;
    for (int k = 0; k < FIDX_KIND_COUNT; k++)
        total += fidx_snapshot_count(s, (fidx_kind_t)k);
    fidx__time_iso(fidx_snapshot_build_time(s), built, sizeof built);
    fidx__log(FIDX__LOG_INFO, "snapshot %s %s: %llu indicators, built %s", what,
              svc->cfg.snapshot_path, (unsigned long long)total, built);
}

/* A reload in flight: the file is read and validated on libuv's thread pool, never on the
 * main loop, which must stay free to handle SIGTERM (a large file takes seconds to copy and
 * hash). Only one at a time; a request meanwhile runs once more after it. */
typedef struct {
    uv_work_t req;
    fidx__service_t *svc;
    char why[32];
    char path[4096]; /* the path asked for: a compaction may change cfg.snapshot_path */
    fidx_snapshot_t *snap;
    fidx_err_t err;
    int rc;
} reload_t;

static void open_off_loop(uv_work_t *req)
{
    reload_t *r = req->data;
    r->rc = fidx_snapshot_open(r->path, r->svc->cfg.load_mode, &r->snap, &r->err);
}

static void refused(fidx__service_t *svc, const reload_t *r, const char *reason)
{
    char built[32];
    atomic_fetch_add(&svc->reloads_failed, 1);
    fidx__time_iso(fidx_snapshot_build_time(svc->snap), built, sizeof built);
    fidx__log(FIDX__LOG_ERROR,
              "snapshot reload (%s) refused: %s: %s; still serving the one built %s", r->why,
              r->path, reason, built);
}

static void opened(uv_work_t *req, int status)
{
    reload_t *r = req->data;
    fidx__service_t *svc = r->svc;
    svc->reloading = 0;
    if (status == 0 && r->rc)
        refused(svc, r, r->err.reason ? r->err.reason : fidx_strerror(r->rc));
    else if (status == 0 && !svc->stopping && strcmp(r->path, svc->cfg.snapshot_path) == 0) {
        svc->publish(svc, r->snap);
        fidx_snapshot_release(svc->snap);
        svc->snap = r->snap;
        r->snap = NULL;
        atomic_fetch_add(&svc->reloads_ok, 1);
        char what[64];
        snprintf(what, sizeof what, "reloaded (%s)", r->why);
        fidx__reload_log_loaded(svc, svc->snap, what);
    }
    if (r->snap) /* stopping, or the path changed meanwhile (a compaction) */
        fidx_snapshot_release(r->snap);
    free(r);
    if (svc->reload_again[0] && !svc->stopping) {
        char why[32];
        snprintf(why, sizeof why, "%s", svc->reload_again);
        svc->reload_again[0] = '\0';
        fidx__reload_now(svc, why);
    }
}

void fidx__reload_now(fidx__service_t *svc, const char *why)
{
    if (svc->stopping)
        return;
    if (svc->reloading) {
        snprintf(svc->reload_again, sizeof svc->reload_again, "%s", why);
        return;
    }
    reload_t *r = calloc(1, sizeof *r);
    if (!r) {
        fidx__log(FIDX__LOG_ERROR, "snapshot reload (%s): out of memory", why);
        return;
    }
    r->svc = svc;
    r->req.data = r;
    snprintf(r->why, sizeof r->why, "%s", why);
    if ((size_t)snprintf(r->path, sizeof r->path, "%s", svc->cfg.snapshot_path) >= sizeof r->path ||
        uv_queue_work(&svc->loop, &r->req, open_off_loop, opened) != 0) {
        refused(svc, r, "cannot start the reload");
        free(r);
        return;
    }
    svc->reloading = 1;
}

static void on_sighup(uv_signal_t *h, int signum)
{
    (void)signum;
    fidx__reload_now(h->data, "SIGHUP");
    fidx__limits_reload(h->data); /* the API keys are re-read too */
}

static void on_change(uv_fs_poll_t *h, int status, const uv_stat_t *prev, const uv_stat_t *curr)
{
    fidx__service_t *svc = h->data;
    (void)prev;
    (void)curr;
    if (status < 0) {
        fidx__log(FIDX__LOG_WARN, "snapshot file %s: %s; still serving the loaded one",
                  svc->cfg.snapshot_path, uv_strerror(status));
        return;
    }
    fidx__reload_now(svc, "file changed");
}

int fidx__reload_start(fidx__service_t *svc)
{
    uv_signal_init(&svc->loop, &svc->sig_hup);
    svc->sig_hup.data = svc;
    if (uv_signal_start(&svc->sig_hup, on_sighup, SIGHUP) != 0)
        return -1;
    /* A reader's snapshot changes only when its follower adopts the writer's new one. */
    if (svc->cfg.watch_interval_ms == 0 || svc->cfg.follow_url)
        return 0;
    uv_fs_poll_init(&svc->loop, &svc->watch);
    svc->watch.data = svc;
    if (uv_fs_poll_start(&svc->watch, on_change, svc->cfg.snapshot_path,
                         (unsigned)svc->cfg.watch_interval_ms) != 0)
        return -1;
    svc->watching = 1;
    return 0;
}

void fidx__reload_stop(fidx__service_t *svc)
{
    if (svc->watching) {
        uv_close((uv_handle_t *)&svc->watch, NULL);
        svc->watching = 0;
    }
    if (uv_is_active((uv_handle_t *)&svc->sig_hup))
        uv_unref((uv_handle_t *)&svc->sig_hup);
}
