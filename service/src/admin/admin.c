/* The analysts' side of the service, its life with the process (see admin.h): tokens, the data
 * directory and its lock, the choice of the snapshot to serve, the replay of the log at start,
 * the commit thread, reclamation of the overlay, and the status page. */
#include "admin/admin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin/audit.h"
#include "base/dirs.h"
#include "base/log.h"

#define RECLAIM_INTERVAL_MS 100

static void publish_base(fidx__admin_t *a);

/* ---- tokens ---- */

static int load_tokens(fidx__admin_t *a, const char *path, const char *when)
{
    char msg[512];
    fidx__tokens_t *t;
    if (fidx__tokens_load(path, &t, msg, sizeof msg) != 0) {
        fidx__log(FIDX__LOG_ERROR, "tokens file %s: %s%s", path, msg, when);
        return -1;
    }
    pthread_mutex_lock(&a->tokens_mu);
    fidx__tokens_t *old = a->tokens;
    a->tokens = t;
    pthread_mutex_unlock(&a->tokens_mu);
    fidx__tokens_free(old);
    fidx__log(FIDX__LOG_INFO, "tokens file %s: %zu analysts' tokens", path, fidx__tokens_count(t));
    return 0;
}

int fidx__admin_auth(fidx__admin_t *a, const char *auth, size_t len, char *name, fidx__role_t *role)
{
    if (!a || !auth)
        return -1;
    pthread_mutex_lock(&a->tokens_mu);
    int r = fidx__tokens_check(a->tokens, auth, len, name, role);
    pthread_mutex_unlock(&a->tokens_mu);
    return r;
}

int fidx__admin_token_current(fidx__admin_t *a, const char *name, const uint8_t *digest,
                              fidx__role_t role)
{
    if (!a)
        return 0;
    pthread_mutex_lock(&a->tokens_mu);
    int r = fidx__tokens_has(a->tokens, name, digest, role);
    pthread_mutex_unlock(&a->tokens_mu);
    return r;
}

/* SIGHUP also re-reads the tokens file (rotation); a bad file keeps the old tokens. */
static void on_sighup(uv_signal_t *h, int signum)
{
    fidx__admin_t *a = h->data;
    (void)signum;
    if (a->svc->cfg.tokens_path)
        (void)load_tokens(a, a->svc->cfg.tokens_path, "; the tokens in use are kept");
}

static fidx__admin_t *admin_new(fidx__service_t *svc)
{
    fidx__admin_t *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->svc = svc;
    a->lock_fd = a->audit_fd = a->audit_rfd = -1;
    a->from_segment = 1;
    pthread_mutex_init(&a->tokens_mu, NULL);
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cond, NULL);
    pthread_mutex_init(&a->rep_mu, NULL);
    pthread_cond_init(&a->rep_cond, NULL);
    pthread_mutex_init(&a->pub_mu, NULL);
    atomic_init(&a->synced, 0);
    atomic_init(&a->cancel, 0);
    atomic_init(&a->gauge_listed, 0);
    atomic_init(&a->gauge_delisted, 0);
    atomic_init(&a->gauge_bytes, 0);
    fidx__sbuf_init(&a->last_compaction, 64 * 1024);
    snprintf(a->dir, sizeof a->dir, "%s", svc->cfg.data_dir ? svc->cfg.data_dir : ".");
    return a;
}

int fidx__admin_prepare(fidx__service_t *svc)
{
    fidx__admin_t *a = admin_new(svc);
    if (!a) {
        fidx__log(FIDX__LOG_ERROR, "out of memory");
        return -1;
    }
    svc->admin = a;
    if (svc->cfg.tokens_path && load_tokens(a, svc->cfg.tokens_path, "; not starting") != 0)
        return -1;
    a->follower = svc->cfg.follow_url != NULL;
    a->writable = a->tokens != NULL || a->follower;
    if (fidx__mkdir_p(a->dir) != 0) {
        fidx__log(FIDX__LOG_ERROR, "cannot create the data directory %s: %s", a->dir,
                  strerror(errno));
        return -1;
    }
    /* Every process tries the lock: only its holder writes anything into the directory (the
     * log with --tokens, the citizens' reports in any case). */
    int lock = fidx__admin_lock_dir(a);
    if (lock < 0 || (lock && a->writable)) {
        if (lock > 0)
            fidx__log(FIDX__LOG_ERROR,
                      "the data directory %s is in use by another fraudidx-service (see "
                      "%s/LOCK for its pid); only one process may write to it",
                      a->dir, a->dir);
        return -1;
    }
    if (lock)
        fidx__log(FIDX__LOG_WARN,
                  "the data directory %s is in use by another fraudidx-service (see %s/LOCK); "
                  "this one serves lookups and the page, and answers reports with 503 "
                  "read_only until it can take the directory over",
                  a->dir, a->dir);
    fidx__admin_scan_dir(a);
    if (a->base_path[0] && a->follower) {
        svc->cfg.snapshot_path = a->base_path; /* a reader serves its copy of the writer's */
    } else if (a->base_path[0]) {
        if (svc->cfg.snapshot_path)
            fidx__log(FIDX__LOG_INFO,
                      "serving the compacted snapshot %s (it holds the analysts' changes); "
                      "--snapshot %s is not read while it exists",
                      a->base_path, svc->cfg.snapshot_path);
        else
            fidx__log(FIDX__LOG_INFO, "serving the compacted snapshot %s", a->base_path);
        svc->cfg.snapshot_path = a->base_path;
    }
    if (!svc->cfg.snapshot_path && !a->follower) {
        fidx__log(FIDX__LOG_ERROR,
                  "--snapshot FILE is required: the data directory %s holds no "
                  "snapshot of its own",
                  a->dir);
        return -1;
    }
    return 0;
}

/* ---- start and stop ---- */

/* Commit thread: changes up to seq are durable, so lookups may see them; when values changed
 * (not only reports' decisions), the page says the data was updated now. */
static void on_durable(void *ctx, uint64_t seq)
{
    fidx__admin_t *a = ctx;
    fidx_overlay_publish(a->ov, seq);
    uint64_t changed = fidx_overlay_change_seq(a->ov);
    if (changed > a->changes_marked) {
        a->changes_marked = changed;
        atomic_store(&a->svc->data_changed_at, (int64_t)time(NULL));
    }
}

/* Commit thread, after each round: wakes the workers that have changes waiting, or
 * replicas' polls that wait for changes. */
static void on_round(void *ctx)
{
    fidx__admin_wake_workers(ctx);
}

void fidx__admin_worker_finish(fidx__worker_t *w)
{
    if (!w->durable_open)
        return;
    w->durable_open = 0;
    pthread_mutex_lock(&w->notify_mu);
    w->notify_closed = 1;
    pthread_mutex_unlock(&w->notify_mu);
    uv_close((uv_handle_t *)&w->durable, NULL);
    if (w->sync_timer_open) {
        w->sync_timer_open = 0;
        uv_close((uv_handle_t *)&w->sync_timer, NULL);
    }
    while (w->waiting) {
        fidx__admin_job_t *j = w->waiting;
        w->waiting = j->next;
        fidx__admin_job_answer(j); /* the connection is gone: this only frees */
    }
    atomic_store(&w->n_waiting, 0);
}

#define TRIM_TICKS 10 /* the folded log is trimmed every tenth reclaim: once a second */

static void on_reclaim(uv_timer_t *t)
{
    fidx__admin_t *a = t->data;
    fidx__admin_reclaim(a, 0);
    if (a->wal && ++a->trim_ticks >= TRIM_TICKS) {
        a->trim_ticks = 0;
        fidx__wal_trim(a->wal, a->follower ? 0 : a->svc->cfg.keep_log_ms);
    }
}

void fidx__admin_reclaim(fidx__admin_t *a, int wait)
{
    if (!a->ov)
        return;
    if (wait)
        pthread_mutex_lock(&a->mu);
    else if (pthread_mutex_trylock(&a->mu) != 0)
        return;
    fidx_overlay_reclaim(a->ov);
    pthread_mutex_unlock(&a->mu);
}

void fidx__admin_install_cb(uv_async_t *h); /* admin_compact.c */

static int start_handles(fidx__admin_t *a)
{
    uv_loop_t *loop = &a->svc->loop;
    uv_timer_init(loop, &a->reclaim);
    a->reclaim.data = a;
    uv_timer_start(&a->reclaim, on_reclaim, RECLAIM_INTERVAL_MS, RECLAIM_INTERVAL_MS);
    uv_async_init(loop, &a->install, fidx__admin_install_cb);
    a->install.data = a;
    uv_signal_init(loop, &a->sighup);
    a->sighup.data = a;
    a->handles = 1;
    return uv_signal_start(&a->sighup, on_sighup, SIGHUP) == 0 ? 0 : -1;
}

/* The commit thread wrote audit text: its lines join the history index. */
static void on_audit(void *ctx, uint64_t off, const char *text, size_t len)
{
    fidx__admin_t *a = ctx;
    fidx__audit_index_add(a->audit_ix, off, text, len);
}

/* The audit log, for appending (a torn last line cut off) and for reading back, and the index
 * of its lines by value (read through once). -1 (logged) on failure. */
static int open_audit(fidx__admin_t *a)
{
    char msg[512];
    fidx__audit_index_stats_t st;
    a->audit_fd = fidx__audit_open(a->dir, msg, sizeof msg);
    if (a->audit_fd >= 0)
        a->audit_rfd = fidx__audit_open_read(a->dir, msg, sizeof msg);
    if (a->audit_rfd >= 0 && fidx__audit_index_new(&a->audit_ix) != 0)
        snprintf(msg, sizeof msg, "out of memory");
    if (!a->audit_ix || fidx__audit_index_load(a->audit_ix, a->audit_rfd, msg, sizeof msg) != 0) {
        fidx__log(FIDX__LOG_ERROR, "%s", msg);
        return -1;
    }
    fidx__audit_index_stats(a->audit_ix, &st);
    fidx__log(FIDX__LOG_INFO, "audit log %s/%s: %llu lines naming %llu values indexed", a->dir,
              FIDX__AUDIT_FILE, (unsigned long long)st.lines, (unsigned long long)st.values);
    return 0;
}

static int replay(fidx__admin_t *a)
{
    char msg[1024];
    fidx__wal_replay_t st;
    if (fidx__admin_replay(a, a->writable ? FIDX__WAL_WRITABLE : FIDX__WAL_READ_ONLY, &st, msg,
                           sizeof msg) != 0) {
        fidx__log(FIDX__LOG_ERROR, "%s", msg);
        return -1;
    }
    fidx_overlay_publish(a->ov, st.next_seq - 1);
    a->base_next_seq = st.segments ? st.first_seq : st.next_seq;
    fidx_overlay_stats_t os;
    fidx_overlay_stats(a->ov, &os);
    a->changes_marked = fidx_overlay_change_seq(a->ov);
    if (os.values) /* the replayed changes were made at the latest when the log was written */
        atomic_store(&a->svc->data_changed_at, fidx__admin_log_mtime(a));
    fidx__log(FIDX__LOG_INFO,
              "write-ahead log %s: %llu changes replayed from %llu segments (%llu listed, %llu "
              "delisted values over the snapshot)%s",
              a->dir, (unsigned long long)st.records, (unsigned long long)st.segments,
              (unsigned long long)os.listed, (unsigned long long)os.delisted,
              a->writable ? "" : "; read-only: no --tokens");
    if (!a->writable)
        return 0;
    /* A writer names its log's history (a promoted reader has its writer's); a reader took
     * its writer's when it bootstrapped. */
    if (fidx__admin_history(a, !a->follower) != 0)
        return -1;
    if (!a->follower && fidx__admin_history_promote(a, st.next_seq - 1) < 0)
        return -1;
    /* A reader keeps no audit log: the audit lines are its writer's. */
    if (!a->follower && open_audit(a) != 0)
        return -1;
    if (fidx__wal_open(a->dir, a->from_segment, st.next_seq, a->audit_fd, on_durable, on_round, a,
                       &a->wal, msg, sizeof msg) != 0) {
        fidx__log(FIDX__LOG_ERROR, "%s", msg);
        return -1;
    }
    if (!a->follower)
        fidx__wal_on_audit(a->wal, on_audit);
    /* Segments below the compacted snapshot's number were folded into it already; a writer
     * keeps them --keep-log for replicas behind. */
    fidx__wal_drop_before(a->wal, a->from_segment, a->follower ? 0 : a->svc->cfg.keep_log_ms);
    return 0;
}

int fidx__admin_start(fidx__service_t *svc)
{
    fidx__admin_t *a = svc->admin;
    if (!a->writable && !fidx__admin_has_log(a))
        return 0; /* no analysts' changes: lookups read the snapshot alone */
    a->workers = calloc(svc->cfg.threads, sizeof *a->workers);
    /* Readers: the workers, compaction, the main thread's look-alike index, one spare. */
    if (!a->workers || fidx_overlay_new(svc->cfg.threads + 3, &a->ov) != 0 ||
        fidx_overlay_reader_add(a->ov, &a->compact_reader) != 0) {
        fidx__log(FIDX__LOG_ERROR, "out of memory");
        return -1;
    }
    if (replay(a) != 0)
        return -1;
    a->base = fidx_snapshot_acquire(svc->snap);
    publish_base(a);
    if (start_handles(a) != 0) {
        fidx__log(FIDX__LOG_ERROR, "cannot watch SIGHUP for the tokens file");
        return -1;
    }
    return 0;
}

int fidx__admin_worker_init(fidx__service_t *svc, fidx__worker_t *w)
{
    fidx__admin_t *a = svc->admin;
    w->ov = a ? a->ov : NULL;
    atomic_init(&w->n_waiting, 0);
    if (!w->ov)
        return 0;
    if (fidx_overlay_reader_add(w->ov, &w->ov_reader) != 0)
        return UV_ENOMEM;
    if (!a->wal)
        return 0;
    pthread_mutex_init(&w->notify_mu, NULL);
    uv_async_init(&w->loop, &w->durable, fidx__admin_job_wake);
    w->durable.data = w;
    w->durable_open = 1;
    uv_timer_init(&w->loop, &w->sync_timer);
    w->sync_timer.data = w;
    w->sync_timer_open = 1;
    a->workers[atomic_load(&a->n_workers)] = w;
    atomic_fetch_add(&a->n_workers, 1); /* published after the slot is filled */
    return 0;
}

static void close_walk(fidx__admin_t *a)
{
    if (!a->handles)
        return;
    a->handles = 0;
    uv_close((uv_handle_t *)&a->reclaim, NULL);
    uv_close((uv_handle_t *)&a->install, NULL);
    uv_close((uv_handle_t *)&a->sighup, NULL);
}

void fidx__admin_stopping(fidx__service_t *svc)
{
    fidx__admin_t *a = svc->admin;
    if (!a)
        return;
    atomic_store(&a->cancel, 1);
    /* A compaction waiting for the main thread to swap its snapshot in gives up now. */
    pthread_mutex_lock(&a->mu);
    if (a->install_state == 1)
        a->install_state = -1;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->mu);
    close_walk(a);
}

void fidx__admin_free(fidx__service_t *svc)
{
    fidx__admin_t *a = svc->admin;
    if (!a)
        return;
    svc->admin = NULL;
    /* Its main-loop handles were closed by fidx__admin_stopping, or by the walk that ends a
     * failed start. */
    fidx__wal_close(a->wal);
    if (a->install_snap)
        fidx_snapshot_release(a->install_snap);
    if (a->base)
        fidx_snapshot_release(a->base);
    fidx_overlay_free(a->ov);
    free(a->workers);
    fidx__tokens_free(a->tokens);
    if (a->audit_fd >= 0)
        close(a->audit_fd);
    if (a->audit_rfd >= 0)
        close(a->audit_rfd);
    fidx__audit_index_free(a->audit_ix);
    if (a->lock_fd >= 0)
        close(a->lock_fd); /* releases the flock */
    fidx__sbuf_free(&a->last_compaction);
    pthread_mutex_destroy(&a->mu);
    pthread_mutex_destroy(&a->tokens_mu);
    pthread_cond_destroy(&a->cond);
    pthread_mutex_destroy(&a->rep_mu);
    pthread_cond_destroy(&a->rep_cond);
    pthread_mutex_destroy(&a->pub_mu);
    free(a);
}

/* Under mu: base and base_next_seq, for the replica routes. */
static void publish_base(fidx__admin_t *a)
{
    pthread_mutex_lock(&a->pub_mu);
    a->pub_hash = a->base ? fidx_snapshot_content_hash(a->base) : 0;
    a->pub_next = a->base_next_seq;
    pthread_mutex_unlock(&a->pub_mu);
}

void fidx__admin_base_id(fidx__admin_t *a, uint64_t *hash, uint64_t *next_seq)
{
    pthread_mutex_lock(&a->pub_mu);
    *hash = a->pub_hash;
    *next_seq = a->pub_next;
    pthread_mutex_unlock(&a->pub_mu);
}

void fidx__admin_snapshot_changed(fidx__service_t *svc, fidx_snapshot_t *s)
{
    fidx__admin_t *a = svc->admin;
    if (!a || !a->ov)
        return;
    pthread_mutex_lock(&a->mu);
    fidx_snapshot_t *old = a->base;
    a->base = fidx_snapshot_acquire(s);
    a->base_gen++;
    /* A compaction's (or a replica's new) snapshot folds the changes before install_next_seq;
     * a reload of --snapshot folds none, and every change logged stays on top of it. */
    if (a->install_next_seq) {
        a->base_next_seq = a->install_next_seq;
        a->install_next_seq = 0;
    }
    publish_base(a);
    pthread_mutex_unlock(&a->mu);
    if (old)
        fidx_snapshot_release(old);
}

/* ---- --repair-wal ---- */

int fidx__admin_repair(const fidx__config_t *cfg)
{
    fidx__service_t svc;
    memset(&svc, 0, sizeof svc);
    svc.cfg = *cfg;
    fidx__admin_t *a = admin_new(&svc);
    if (!a)
        return 1;
    a->writable = 1;
    int code = 1, lock;
    char msg[1024];
    fidx__wal_replay_t st;
    struct stat sb;
    if (stat(a->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fidx__log(FIDX__LOG_ERROR, "%s is not a data directory", a->dir);
    } else if ((lock = fidx__admin_lock_dir(a)) != 0) {
        if (lock > 0)
            fidx__log(FIDX__LOG_ERROR,
                      "the data directory %s is in use by a running fraudidx-service; stop it "
                      "before repairing its log",
                      a->dir);
    } else {
        fidx__admin_scan_dir(a);
        if (fidx__wal_replay(a->dir, a->from_segment, FIDX__WAL_REPAIR, NULL, NULL, &st, msg,
                             sizeof msg) != 0) {
            fidx__log(FIDX__LOG_ERROR, "%s", msg);
        } else {
            fidx__log(FIDX__LOG_INFO,
                      "write-ahead log %s: %llu changes in %llu segments are sound; %llu bytes "
                      "were cut off",
                      a->dir, (unsigned long long)st.records, (unsigned long long)st.segments,
                      (unsigned long long)st.cut_bytes);
            code = 0;
        }
    }
    if (a->lock_fd >= 0)
        close(a->lock_fd);
    fidx__sbuf_free(&a->last_compaction);
    free(a);
    return code;
}

/* ---- status ---- */

void fidx__admin_gauges(fidx__admin_t *a, uint64_t *listed, uint64_t *delisted, uint64_t *bytes,
                        uint64_t *audit_bytes)
{
    fidx_overlay_stats_t os;
    fidx__audit_index_stats_t st = {0};
    if (a->ov && pthread_mutex_trylock(&a->mu) == 0) {
        fidx_overlay_stats(a->ov, &os);
        pthread_mutex_unlock(&a->mu);
        atomic_store(&a->gauge_listed, os.listed);
        atomic_store(&a->gauge_delisted, os.delisted);
        atomic_store(&a->gauge_bytes, os.bytes);
    }
    *listed = atomic_load(&a->gauge_listed);
    *delisted = atomic_load(&a->gauge_delisted);
    *bytes = atomic_load(&a->gauge_bytes);
    if (a->audit_ix)
        fidx__audit_index_stats(a->audit_ix, &st);
    *audit_bytes = st.bytes;
}

void fidx__admin_status_json(fidx__admin_t *a, fidx__sbuf_t *out)
{
    fidx_overlay_stats_t os = {0};
    fidx__wal_stats_t ws = {0};
    pthread_mutex_lock(&a->mu);
    if (a->ov)
        fidx_overlay_stats(a->ov, &os);
    uint64_t visible = a->ov ? fidx_overlay_visible(a->ov) : 0;
    fidx__sbuf_puts(out, "{\"data_dir\":");
    fidx__sbuf_json_string(out, a->dir, strlen(a->dir));
    fidx__sbuf_puts(out, ",\"snapshot\":");
    const char *path = a->svc->cfg.snapshot_path;
    fidx__sbuf_json_string(out, path, strlen(path));
    fidx__sbuf_printf(out, ",\"role\":\"%s\",\"base_next_seq\":%llu,\"history\":\"%s\"",
                      a->follower ? "reader"
                      : a->wal    ? "writer"
                                  : "read_only",
                      (unsigned long long)a->base_next_seq, a->history);
    fidx__sbuf_printf(out,
                      ",\"writable\":%s,\"overlay\":{\"values\":%llu,\"listed\":%llu,"
                      "\"delisted\":%llu,\"bytes\":%llu,\"visible_seq\":%llu},"
                      "\"changes\":{\"add\":%llu,\"delist\":%llu,\"decision\":%llu,"
                      "\"compact\":%llu},\"compacting\":%s",
                      a->wal && !fidx__wal_failed(a->wal) ? "true" : "false",
                      (unsigned long long)os.values, (unsigned long long)os.listed,
                      (unsigned long long)os.delisted, (unsigned long long)os.bytes,
                      (unsigned long long)visible, (unsigned long long)a->n_adds,
                      (unsigned long long)a->n_delists, (unsigned long long)a->n_decisions,
                      (unsigned long long)a->n_compactions, a->compacting ? "true" : "false");
    if (a->last_compaction.len) {
        fidx__sbuf_puts(out, ",\"last_compaction\":");
        fidx__sbuf_put(out, a->last_compaction.p, a->last_compaction.len);
    }
    pthread_mutex_unlock(&a->mu);
    if (a->wal) {
        fidx__wal_stats(a->wal, &ws);
        const char *f = fidx__wal_failure(a->wal);
        fidx__sbuf_printf(out,
                          ",\"wal\":{\"segment\":%llu,\"segment_bytes\":%llu,\"next_seq\":%llu,"
                          "\"durable_seq\":%llu,\"groups\":%llu,\"records\":%llu,"
                          "\"bytes\":%llu,\"fsync_seconds_total\":%.6f,"
                          "\"fsync_seconds_max\":%.6f,\"failure\":",
                          (unsigned long long)ws.segment, (unsigned long long)ws.segment_bytes,
                          (unsigned long long)ws.next_seq, (unsigned long long)ws.durable_seq,
                          (unsigned long long)ws.groups, (unsigned long long)ws.records,
                          (unsigned long long)ws.bytes, (double)ws.fsync_ns_total / 1e9,
                          (double)ws.fsync_ns_max / 1e9);
        if (f)
            fidx__sbuf_json_string(out, f, strlen(f));
        else
            fidx__sbuf_puts(out, "null");
        fidx__sbuf_puts(out, "}");
    }
    if (a->wal && !a->follower) {
        fidx__sbuf_puts(out, ",\"replicas\":");
        fidx__admin_replicas_json(a, out);
    }
    if (a->svc->reports) {
        size_t p, ap, rj, disputes;
        uint64_t d_ap, d_rj, d_up;
        fidx__reports_counts(a->svc->reports, &p, &ap, &rj);
        fidx__reports_backlog(a->svc->reports, &disputes, &d_ap, &d_rj, &d_up);
        fidx__sbuf_printf(out,
                          ",\"reports\":{\"pending\":%zu,\"pending_disputes\":%zu,"
                          "\"approved\":%zu,\"rejected\":%zu}",
                          p, disputes, ap, rj);
    }
    if (a->audit_ix) {
        fidx__audit_index_stats_t st;
        fidx__audit_index_stats(a->audit_ix, &st);
        fidx__sbuf_printf(out,
                          ",\"audit_index\":{\"values\":%llu,\"lines\":%llu,\"refs\":%llu,"
                          "\"skipped\":%llu,\"bytes\":%llu}",
                          (unsigned long long)st.values, (unsigned long long)st.lines,
                          (unsigned long long)st.refs, (unsigned long long)st.skipped,
                          (unsigned long long)st.bytes);
    }
    fidx__sbuf_puts(out, "}");
}
