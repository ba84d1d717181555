/* Reloading the snapshot (see reload.h). Everything here runs on the main thread's loop, so a
 * slow validation of a large file never delays a request. */
#include "reload.h"

#include <signal.h>
#include <stdio.h>

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

void fidx__reload_now(fidx__service_t *svc, const char *why)
{
    fidx_err_t err = {0};
    fidx_snapshot_t *s = NULL;
    if (svc->stopping)
        return;
    int r = fidx_snapshot_open(svc->cfg.snapshot_path, svc->cfg.load_mode, &s, &err);
    if (r) {
        char built[32];
        atomic_fetch_add(&svc->reloads_failed, 1);
        fidx__time_iso(fidx_snapshot_build_time(svc->snap), built, sizeof built);
        fidx__log(FIDX__LOG_ERROR,
                  "snapshot reload (%s) refused: %s: %s; still serving the one "
                  "built %s",
                  why, svc->cfg.snapshot_path, err.reason ? err.reason : fidx_strerror(r), built);
        return;
    }
    svc->publish(svc, s);
    fidx_snapshot_release(svc->snap);
    svc->snap = s;
    atomic_fetch_add(&svc->reloads_ok, 1);
    char what[64];
    snprintf(what, sizeof what, "reloaded (%s)", why);
    fidx__reload_log_loaded(svc, s, what);
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
