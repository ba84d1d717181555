/* The process: loads the snapshot, binds one SO_REUSEPORT listening socket per worker (so the
 * kernel spreads connections and workers share no lock), runs one libuv loop per worker
 * thread, and keeps signals and the snapshot watch on the main thread, which talks to the
 * workers only through atomics and uv_async (service.h). */
#include "warnings/warnings.h"
#include "service.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/accesslog.h"
#include "admin/admin.h"
#include "http/accept.h"
#include "http/conn.h"
#include "base/log.h"
#include "lookalikes.h"
#include "reload.h"
#include "replica/replica.h"
#include "routes/limits.h"
#include "routes/handlers.h"
#include "routes/image_task.h"
#include "routes/report_intake.h"
#include "routes/router.h"
#include "routes/session.h"

#define LISTEN_BACKLOG 1024

static uint16_t port_of(const struct sockaddr_storage *ss)
{
    return ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
                                     : ((const struct sockaddr_in *)ss)->sin_port;
}

/* SO_REUSEADDR (a restart binding its port despite TIME_WAIT) only for a port the operator
 * chose: Linux lets two sockets that both set it share a port while neither listens yet, so a
 * port-0 bind could pick a port another process has bound but not yet listened on, and with
 * SO_REUSEPORT both would then listen there and split each other's connections. */
static int bind_one(const struct sockaddr_storage *addr, int reuse_addr, int *fd_out)
{
    int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0)
        return -errno;
    socklen_t len =
        addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if ((reuse_addr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        bind(fd, (const struct sockaddr *)addr, len) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    *fd_out = fd;
    return 0;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port_be)
{
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = port_be;
    else
        ((struct sockaddr_in *)ss)->sin_port = port_be;
}

/* Binds n sockets to the configured address. With port 0 the first one picks the port and the
 * others join it, so every worker listens on the same port. */
static int bind_all(fidx__service_t *svc, int *fds, unsigned n)
{
    struct sockaddr_storage addr = svc->cfg.addr, bound;
    socklen_t blen = sizeof bound;
    for (unsigned i = 0; i < n; i++) {
        int r = bind_one(&addr, port_of(&svc->cfg.addr) != 0, &fds[i]);
        if (r) {
            fidx__log(FIDX__LOG_ERROR, "cannot listen on %s: %s", svc->cfg.listen, strerror(-r));
            while (i--)
                close(fds[i]);
            return -1;
        }
        if (i == 0) {
            getsockname(fds[0], (struct sockaddr *)&bound, &blen);
            set_port(&addr, port_of(&bound));
        }
    }
    char host[48] = ""; /* INET6_ADDRSTRLEN */
    if (bound.ss_family == AF_INET6) {
        uv_ip6_name((struct sockaddr_in6 *)&bound, host, sizeof host);
        snprintf(svc->bound, sizeof svc->bound, "[%s]:%u", host, ntohs(port_of(&bound)));
    } else {
        uv_ip4_name((struct sockaddr_in *)&bound, host, sizeof host);
        snprintf(svc->bound, sizeof svc->bound, "%s:%u", host, ntohs(port_of(&bound)));
    }
    return 0;
}

/* ---- workers ---- */

static void on_sweep(uv_timer_t *t)
{
    fidx__worker_t *w = t->data;
    fidx__conn_sweep(w);
    if (w->svc->access_fd >= 0 && w->access.len)
        fidx__accesslog_flush(w->svc->access_fd, &w->access);
}

static void take_snapshot(fidx__worker_t *w)
{
    fidx_snapshot_t *s = atomic_exchange(&w->incoming, NULL);
    if (s) {
        fidx_snapshot_release(w->snap);
        w->snap = s;
        atomic_store(&w->current, s);
    }
}

/* Runs before the loop waits for I/O: no request is being handled, so nothing borrowed from
 * the overlay is in use (see service.h). */
static void on_quiesce(uv_prepare_t *h)
{
    fidx__worker_t *w = h->data;
    if (w->ov_online) {
        fidx_overlay_offline(w->ov_reader);
        w->ov_online = 0;
    }
}

static void worker_finish(fidx__worker_t *w);

static void on_wake(uv_async_t *a)
{
    fidx__worker_t *w = a->data;
    take_snapshot(w);
    fidx__lookalikes_take(w);
    if (atomic_load(&w->stop) && !w->draining) {
        w->draining = 1;
        if (w->feed_wake) /* replicas' parked polls are answered now, not at the timeout */
            w->feed_wake(w);
        fidx__accept_stop(w);
        fidx__conn_drain(w);
        if (w->n_conns == 0)
            worker_finish(w);
    }
}

/* The worker has drained: closes its remaining handles so its loop ends. */
static void worker_finish(fidx__worker_t *w)
{
    if (uv_is_closing((uv_handle_t *)&w->wake))
        return;
    uv_close((uv_handle_t *)&w->wake, NULL);
    uv_close((uv_handle_t *)&w->sweep, NULL);
    uv_close((uv_handle_t *)&w->heavy_check, NULL);
    uv_close((uv_handle_t *)&w->heavy_idle, NULL);
    fidx__route_replica_finish(w);
    fidx__admin_worker_finish(w);
    fidx__image_task_worker_finish(w);
    if (w->ov_reader)
        uv_close((uv_handle_t *)&w->quiesce, NULL);
}

static void worker_main(void *arg)
{
    fidx__worker_t *w = arg;
    uv_run(&w->loop, UV_RUN_DEFAULT);
    take_snapshot(w); /* a reload that raced with the stop */
    if (w->svc->access_fd >= 0 && w->access.len)
        fidx__accesslog_flush(w->svc->access_fd, &w->access);
}

static uint64_t sweep_interval(const fidx__config_t *cfg)
{
    uint64_t m = cfg->header_timeout_ms;
    if (cfg->body_timeout_ms < m)
        m = cfg->body_timeout_ms;
    m /= 4;
    return m < 50 ? 50 : m > 1000 ? 1000 : m;
}

static int worker_init(fidx__service_t *svc, fidx__worker_t *w, unsigned id, int fd)
{
    const fidx__config_t *cfg = &svc->cfg;
    w->svc = svc;
    w->cfg = cfg;
    w->app = &fidx__router_app;
    w->drained = worker_finish;
    w->feed_wake = fidx__route_replica_wake;
    atomic_init(&w->n_polls, 0);
    w->id = id;
    w->listen_fd = fd;
    w->snap = fidx_snapshot_acquire(svc->snap);
    atomic_init(&w->current, w->snap);
    atomic_init(&w->incoming, NULL);
    w->looks = svc->looks ? fidx__lookalikes_acquire(svc->looks) : NULL;
    w->la = w->looks ? w->looks->la : NULL;
    atomic_init(&w->looks_incoming, NULL);
    atomic_init(&w->stop, 0);
    fidx__sbuf_init(&w->scratch, FIDX__OUT_MAX);
    fidx__sbuf_init(&w->access, 4 * 1024 * 1024);
    w->readbuf = malloc(FIDX__READ_BUFFER);
    w->decode = malloc(cfg->max_header_bytes);
    if (!w->readbuf || !w->decode)
        return UV_ENOMEM;
    uv_async_init(&w->loop, &w->wake, on_wake);
    w->wake.data = w;
    uv_timer_init(&w->loop, &w->sweep);
    w->sweep.data = w;
    uv_check_init(&w->loop, &w->heavy_check);
    uv_idle_init(&w->loop, &w->heavy_idle);
    w->heavy_check.data = w->heavy_idle.data = w;
    uv_check_start(&w->heavy_check, fidx__conn_take_turns);
    uv_unref((uv_handle_t *)&w->heavy_check); /* never keeps a draining loop alive */
    uv_timer_start(&w->sweep, on_sweep, sweep_interval(cfg), sweep_interval(cfg));
    int r;
    if ((r = fidx__admin_worker_init(svc, w)) != 0 || (r = fidx__image_task_worker_init(w)) != 0)
        return r;
    if (w->ov_reader) {
        uv_prepare_init(&w->loop, &w->quiesce);
        w->quiesce.data = w;
        uv_prepare_start(&w->quiesce, on_quiesce);
    }
    if (listen(fd, LISTEN_BACKLOG) != 0)
        return uv_translate_sys_error(errno);
    return fidx__accept_start(w);
}

static void worker_dispose(fidx__worker_t *w)
{
    if (!w)
        return;
    uv_loop_close(&w->loop);
    if (w->listen_fd >= 0) /* not closed by fidx__accept_stop: a start that failed */
        close(w->listen_fd);
    fidx_snapshot_t *s = atomic_exchange(&w->incoming, NULL);
    if (s)
        fidx_snapshot_release(s);
    if (w->snap)
        fidx_snapshot_release(w->snap);
    fidx__lookalikes_release(atomic_exchange(&w->looks_incoming, NULL));
    fidx__lookalikes_release(w->looks);
    fidx__image_task_worker_dispose(w); /* after fidx__image_task_stop: nothing comes back */
    fidx__sbuf_free(&w->scratch);
    fidx__sbuf_free(&w->access);
    free(w->readbuf);
    free(w->decode);
    free(w->scan_ws);
    free(w->batch_ws);
    free(w->page_msg);
    fidx__warnings_view_release(w->warn_view);
    free(w);
}

/* svc->publish: hands s (the caller keeps its own reference) to every worker. */
static void publish(fidx__service_t *svc, fidx_snapshot_t *s)
{
    if (svc->stopping)
        return;
    fidx__admin_snapshot_changed(svc, s);
    atomic_store(&svc->build_time, fidx_snapshot_build_time(s));
    atomic_store(&svc->loaded_at, (int64_t)time(NULL));
    for (unsigned i = 0; i < svc->n_workers; i++) {
        fidx__worker_t *w = svc->workers[i];
        fidx_snapshot_t *old = atomic_exchange(&w->incoming, fidx_snapshot_acquire(s));
        if (old)
            fidx_snapshot_release(old);
        uv_async_send(&w->wake);
    }
    fidx__lookalikes_rebuild(svc, s, "snapshot published");
}

/* ---- file descriptors ---- */

/* Descriptors kept back from connections: listeners, the snapshot, the data directory's files,
 * the access log, libuv's own (epoll, eventfd, signal pipes) per loop, and room to spare. */
#define FD_RESERVE(threads) (64u + 8u * (threads))

/* Raises the soft limit of open files to the hard one, and lowers --max-connections to what
 * the limit allows, so that running out of descriptors is the exception it should be (the
 * usual soft limit of 1,024 is below the default of 10,000 connections). */
static void fit_descriptors(fidx__config_t *cfg)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t was = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
            fidx__log(FIDX__LOG_INFO, "open files limit raised from %llu to %llu",
                      (unsigned long long)was, (unsigned long long)rl.rlim_cur);
        else
            rl.rlim_cur = was;
    }
    rlim_t reserve = FD_RESERVE(cfg->threads);
    rlim_t room = rl.rlim_cur > reserve ? rl.rlim_cur - reserve : 1;
    if (rl.rlim_cur != RLIM_INFINITY && cfg->max_connections > room) {
        fidx__log(FIDX__LOG_WARN,
                  "--max-connections lowered from %u to %llu: the process may open %llu files "
                  "(ulimit -n), %llu of them kept for its own use",
                  cfg->max_connections, (unsigned long long)room, (unsigned long long)rl.rlim_cur,
                  (unsigned long long)reserve);
        cfg->max_connections = (unsigned)room;
    }
}

/* ---- the data directory ---- */

#define TAKEOVER_INTERVAL_MS 1000

/* Another process held the data directory at start (a gapless restart, or a replica beside
 * its writer): once it lets go, this one takes the directory over and takes reports again. */
static void on_takeover(uv_timer_t *t)
{
    fidx__service_t *svc = t->data;
    if (svc->stopping || (svc->admin->lock_fd < 0 && fidx__admin_lock_dir(svc->admin) != 0))
        return;
    if (fidx__report_intake_open_store(svc) != 0)
        return; /* logged; the lock is kept, and the store tried again next time */
    fidx__log(FIDX__LOG_INFO, "took the data directory %s over: reports are accepted again",
              svc->cfg.data_dir);
    svc->taking_over = 0;
    uv_close((uv_handle_t *)t, NULL);
}

static void start_takeover(fidx__service_t *svc)
{
    uv_timer_init(&svc->loop, &svc->takeover);
    svc->takeover.data = svc;
    svc->taking_over = 1;
    uv_timer_start(&svc->takeover, on_takeover, TAKEOVER_INTERVAL_MS, TAKEOVER_INTERVAL_MS);
    uv_unref((uv_handle_t *)&svc->takeover); /* never keeps the main loop alive */
}

/* ---- the main thread ---- */

static void on_stop_signal(uv_signal_t *h, int signum)
{
    fidx__service_t *svc = h->data;
    fidx__log(FIDX__LOG_INFO, "%s: finishing requests in flight, then exiting",
              signum == SIGTERM ? "SIGTERM" : "SIGINT");
    svc->stopping = 1;
    if (svc->taking_over) {
        svc->taking_over = 0;
        uv_close((uv_handle_t *)&svc->takeover, NULL);
    }
    fidx__reload_stop(svc);
    fidx__follower_stopping(svc);
    fidx__lookalikes_stop(svc);
    fidx__admin_stopping(svc);
    for (unsigned i = 0; i < svc->n_workers; i++) {
        atomic_store(&svc->workers[i]->stop, 1);
        uv_async_send(&svc->workers[i]->wake);
    }
    /* A second SIGTERM or SIGINT now has its default effect: the process ends at once. */
    uv_close((uv_handle_t *)&svc->sig_term, NULL);
    uv_close((uv_handle_t *)&svc->sig_int, NULL);
}

static int load_first_snapshot(fidx__service_t *svc)
{
    fidx_err_t err = {0};
    int r = fidx_snapshot_open(svc->cfg.snapshot_path, svc->cfg.load_mode, &svc->snap, &err);
    if (r) {
        fidx__log(FIDX__LOG_ERROR, "cannot load snapshot %s: %s", svc->cfg.snapshot_path,
                  err.reason ? err.reason : fidx_strerror(r));
        return -1;
    }
    atomic_store(&svc->build_time, fidx_snapshot_build_time(svc->snap));
    atomic_store(&svc->loaded_at, (int64_t)time(NULL));
    fidx__reload_log_loaded(svc, svc->snap, "loaded");
    return 0;
}

int fidx__service_add_workers(fidx__service_t *svc)
{
    unsigned n = svc->cfg.threads;
    int *fds = calloc(n, sizeof *fds);
    svc->workers = calloc(n, sizeof *svc->workers);
    svc->metrics = calloc(n, sizeof *svc->metrics);
    if (!fds || !svc->workers || !svc->metrics || bind_all(svc, fds, n) != 0) {
        free(fds);
        return -1;
    }
    for (unsigned i = 0; i < n; i++) {
        fidx__worker_t *w = calloc(1, sizeof *w);
        int r = w ? uv_loop_init(&w->loop) : UV_ENOMEM;
        if (r == 0) {
            /* From here on the worker is disposed of with the others. */
            svc->workers[svc->n_workers++] = w;
            svc->metrics[i] = &w->metrics;
            r = worker_init(svc, w, i, fds[i]);
        } else {
            free(w);
        }
        if (r) {
            fidx__log(FIDX__LOG_ERROR, "cannot start worker %u: %s", i, uv_strerror(r));
            while (++i < n)
                close(fds[i]); /* the listeners no worker took */
            free(fds);
            return -1;
        }
    }
    free(fds);
    return 0;
}

static void start_threads(fidx__service_t *svc)
{
    for (unsigned i = 0; i < svc->n_workers; i++) {
        int r = uv_thread_create(&svc->workers[i]->thread, worker_main, svc->workers[i]);
        if (r) {
            fidx__log(FIDX__LOG_ERROR, "cannot start a thread: %s", uv_strerror(r));
            exit(1); /* threads already running cannot be recalled cleanly */
        }
    }
}

static int start_signals(fidx__service_t *svc)
{
    uv_signal_init(&svc->loop, &svc->sig_term);
    uv_signal_init(&svc->loop, &svc->sig_int);
    svc->sig_term.data = svc->sig_int.data = svc;
    if (uv_signal_start(&svc->sig_term, on_stop_signal, SIGTERM) != 0 ||
        uv_signal_start(&svc->sig_int, on_stop_signal, SIGINT) != 0)
        return -1;
    return fidx__reload_start(svc);
}

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void cleanup(fidx__service_t *svc)
{
    /* The worker threads are gone (nothing reads the overlay), their structures not yet: the
     * commit thread may look at them until it stops. The follower writes to the overlay and
     * the log, so it ends first. */
    fidx__follower_free(svc);
    fidx__admin_free(svc);
    fidx__image_task_stop(svc);
    for (unsigned i = 0; i < svc->n_workers; i++)
        worker_dispose(svc->workers[i]);
    free(svc->workers);
    free(svc->metrics);
    if (svc->snap)
        fidx_snapshot_release(svc->snap);
    fidx__lookalikes_release(svc->looks);
    if (svc->access_fd >= 0)
        close(svc->access_fd);
    fidx_scanner_free(svc->scanner);
    fidx__report_intake_stop(svc);
    fidx__limits_stop(svc);
    fidx__warnings_free(svc->warnings);
    fidx__session_stop(svc);
    uv_loop_close(&svc->loop);
    free(svc);
}

/* The warnings store (warnings/warnings.h), before the log's replay puts into it what a crash
 * kept only there. Writable only with the data directory's lock; a process without it serves a
 * copy of the file as it was at its start (the writer is the one to ask: docs/WARNINGS.md). */
static int open_warnings(fidx__service_t *svc, int holds)
{
    fidx_err_t err = {0};
    fidx__warnings_t *st;
    if (!svc->cfg.data_dir)
        return 0;
    if (fidx__warnings_open(svc->cfg.data_dir, holds, &st, &err) != 0) {
        fidx__log(FIDX__LOG_ERROR, "%s: %s: %s", svc->cfg.data_dir, err.reason, strerror(errno));
        return -1;
    }
    if (fidx__warnings_skipped(st))
        fidx__log(FIDX__LOG_WARN, "%s/%s: %zu lines could not be read and were skipped",
                  svc->cfg.data_dir, FIDX__WARNINGS_FILE, fidx__warnings_skipped(st));
    atomic_store(&svc->warnings, st);
    return 0;
}

int fidx__service_open(const fidx__config_t *cfg, fidx__service_t **out)
{
    fidx__service_t *svc = calloc(1, sizeof *svc);
    *out = NULL;
    if (!svc || uv_loop_init(&svc->loop) != 0) {
        free(svc);
        fidx__log(FIDX__LOG_ERROR, "out of memory");
        return -1;
    }
    svc->cfg = *cfg;
    svc->publish = publish;
    fit_descriptors(&svc->cfg);
    svc->access_fd = -1;
    svc->started_at = (int64_t)time(NULL);
    *out = svc;
    if (fidx__admin_prepare(svc) != 0 || (cfg->follow_url && fidx__follower_prepare(svc) != 0) ||
        load_first_snapshot(svc) != 0)
        return -1;
    if (cfg->access_log && (svc->access_fd = fidx__accesslog_open(cfg->access_log)) < 0) {
        fidx__log(FIDX__LOG_ERROR, "cannot open access log %s: %s", cfg->access_log,
                  strerror(errno));
        return -1;
    }
    int holds = svc->admin && svc->admin->lock_fd >= 0;
    if (fidx__report_intake_start(svc, holds) != 0 || open_warnings(svc, holds) != 0 ||
        fidx__session_start(svc) != 0 || fidx__admin_start(svc) != 0 ||
        fidx__limits_start(svc) != 0)
        return -1;
    if (!holds)
        start_takeover(svc);
    if (fidx__lookalikes_start(svc) != 0 || fidx__image_task_start(svc) != 0)
        return -1;
    fidx_err_t scan_err = {0};
    if (fidx_scanner_new(&svc->scanner, &scan_err) != 0) {
        fidx__log(FIDX__LOG_ERROR, "cannot start the post scanner: %s",
                  scan_err.reason ? scan_err.reason : "no public suffix list");
        return -1;
    }
    return 0;
}

void fidx__service_close(fidx__service_t *svc)
{
    if (!svc)
        return;
    uv_walk(&svc->loop, close_walk, NULL);
    uv_run(&svc->loop, UV_RUN_DEFAULT);
    for (unsigned i = 0; i < svc->n_workers; i++) {
        uv_walk(&svc->workers[i]->loop, close_walk, NULL);
        uv_run(&svc->workers[i]->loop, UV_RUN_DEFAULT);
    }
    cleanup(svc);
}

int fidx__service_run(const fidx__config_t *cfg)
{
    fidx__service_t *svc;
    signal(SIGPIPE, SIG_IGN);
    /* Past a file size limit (ulimit -f), a write fails with EFBIG instead of killing the
     * process: the log and the report store answer that as a failed write. */
    signal(SIGXFSZ, SIG_IGN);
    if (fidx__service_open(cfg, &svc) != 0 || start_signals(svc) != 0 ||
        fidx__service_add_workers(svc) != 0) {
        /* Nothing runs yet: no thread was started. */
        fidx__service_close(svc);
        return 1;
    }
    start_threads(svc);
    if (svc->follower && fidx__follower_start(svc) != 0)
        exit(1); /* as a worker thread that cannot start */
    fidx__log(FIDX__LOG_INFO, "listening on %s (%u threads)", svc->bound, svc->n_workers);
    uv_run(&svc->loop, UV_RUN_DEFAULT);
    for (unsigned i = 0; i < svc->n_workers; i++)
        uv_thread_join(&svc->workers[i]->thread);
    uv_close((uv_handle_t *)&svc->sig_hup, NULL);
    if (svc->taking_over) { /* unref'd: the loop ended without closing it */
        svc->taking_over = 0;
        uv_close((uv_handle_t *)&svc->takeover, NULL);
    }
    uv_run(&svc->loop, UV_RUN_DEFAULT);
    fidx__log(FIDX__LOG_INFO, "stopped");
    cleanup(svc);
    return 0;
}
