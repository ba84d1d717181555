/* The service's shared state: configuration, the process (main thread: signals, reload) and
 * its workers (one libuv loop per thread, each with its own SO_REUSEPORT listener).
 *
 * Threading: a worker's fields are touched only by its own thread, except `incoming` and
 * `stop` (atomics the main thread sets before waking the worker through `wake`) and `metrics`
 * (single-writer counters, see metrics.h). The service's fields are written by the main thread
 * only; workers read the atomics among them. */
#ifndef FIDX_SERVICE_SERVICE_H
#define FIDX_SERVICE_SERVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

#include "fidx/lookalike.h"
#include "fidx/lookup.h"
#include "fidx/scan.h"
#include "fidx/overlay.h"
#include "fidx/snapshot.h"
#include "base/log.h"
#include "reports/netaddr.h"
#include "metrics.h"
#include "base/sbuf.h"

#define FIDX__SERVICE_VERSION "0.1.0"

/* Defaults of the limits (docs/SERVICE.md lists them with their flags). */
#define FIDX__DEFAULT_MAX_HEADER_BYTES (8 * 1024)
#define FIDX__DEFAULT_MAX_BODY_BYTES (1024 * 1024)
#define FIDX__DEFAULT_MAX_BATCH 1000
#define FIDX__DEFAULT_MAX_CONNECTIONS 10000
#define FIDX__DEFAULT_MAX_PIPELINE 64
#define FIDX__DEFAULT_HEADER_TIMEOUT_MS 10000
#define FIDX__DEFAULT_BODY_TIMEOUT_MS 30000
#define FIDX__DEFAULT_IDLE_TIMEOUT_MS 60000
#define FIDX__DEFAULT_DRAIN_TIMEOUT_MS 10000
#define FIDX__DEFAULT_WATCH_INTERVAL_MS 1000
#define FIDX__DEFAULT_MAX_ADMIN_BODY_BYTES (256u * 1024 * 1024) /* analysts' uploads */
#define FIDX__DEFAULT_KEEP_LOG_MS (600u * 1000) /* folded log kept for replicas behind */
#define FIDX__DEFAULT_SYNC_TIMEOUT_MS 5000      /* --sync-replicas: wait for readers */
#define FIDX__DEFAULT_MAX_LAG_MS (30u * 1000)   /* a reader's /healthz: 503 beyond */
#define FIDX__DEFAULT_IMAGE_THREADS 2           /* POST /v1/image's pool (docs/IMAGES.md) */
#define FIDX__DEFAULT_IMAGE_QUEUE 8
#define FIDX__DEFAULT_IMAGE_TIMEOUT_MS 10000 /* per image, from its arrival: wait and work */
#define FIDX__DEFAULT_IMAGE_NICE 19          /* image threads yield the CPU to the lookups' loops */
#define FIDX__DEFAULT_SESSION_IDLE_MS (30u * 60 * 1000)     /* the console: idle sessions end */
#define FIDX__DEFAULT_SESSION_MAX_MS (12u * 60 * 60 * 1000) /* ... and every one after this */
#define FIDX__DEFAULT_SIGNIN_RATE 10                        /* failed sign-ins ... */
#define FIDX__DEFAULT_SIGNIN_PERIOD_S 3600                  /* ... per hour per network */
#define FIDX__SIGNIN_BURST 5                                /* ... at most this many at once */

#define FIDX__DEFAULT_LOOKUP_RATE 1200   /* anonymous lookups per address ... */
#define FIDX__DEFAULT_LOOKUP_PERIOD_S 60 /* ... a minute (a /48 or IPv4 /24: 4 times that) */
#define FIDX__DEFAULT_LOOKUP_BURST 300   /* at most this many at once */
#define FIDX__TRUSTED_PROXIES_MAX 64     /* --trusted-proxy given this many times */

#define FIDX__READ_BUFFER (64 * 1024)     /* per worker, shared by its connections */
#define FIDX__OUT_MAX (64u * 1024 * 1024) /* queued response bytes per connection */
#define FIDX__KEEP_BUFFER (64 * 1024)     /* buffers larger than this are freed when idle */
#define FIDX__LINGER_MS 2000              /* reading after a final response, see conn.c */
#define FIDX__LINGER_BYTES (1024 * 1024)

typedef struct {
    const char *snapshot_path;
    int load_mode;      /* FIDX_OPEN_* */
    const char *listen; /* as given, for messages */
    struct sockaddr_storage addr;
    unsigned threads;
    size_t max_header_bytes;
    size_t max_body_bytes;
    size_t max_batch;
    unsigned max_connections;
    unsigned max_pipeline;
    uint64_t header_timeout_ms, body_timeout_ms, idle_timeout_ms, drain_timeout_ms;
    uint64_t watch_interval_ms; /* 0: do not watch the snapshot file */
    const char *access_log;     /* NULL: none */
    const char *data_dir;       /* reports (and the analysts' files) live here */
    /* Citizens' reports: rate per client address, and how many may wait for review. */
    uint32_t report_rate, report_period_s, report_burst;
    uint32_t report_global_rate, report_global_period_s, report_global_burst;
    size_t max_pending_reports, max_pending_per_network;
    /* Analysts (admin.h): tokens file (NULL: every admin call is 401), their body limit, and
     * `--repair-wal` (repair the data directory's log and exit). */
    const char *tokens_path;
    size_t max_admin_body_bytes;
    int repair_wal;
    /* Replication (docs/OPERATIONS.md, "Replication"). A writer keeps folded log segments
     * keep_log_ms for readers a little behind, and with sync_replicas > 0 answers a change
     * only once that many readers have applied it (or 503 after sync_timeout_ms). A reader
     * (follow_url set) follows that writer with the token in follow_token_path, and its
     * /healthz answers 503 while it lags more than max_lag_ms. */
    uint64_t keep_log_ms;
    unsigned sync_replicas;
    uint64_t sync_timeout_ms;
    const char *follow_url;
    const char *follow_token_path;
    uint64_t max_lag_ms;
    /* Bots (routes/limits.h): API keys (NULL: none), and anonymous lookups per network:
     * lookup_rate per lookup_period_s, bursts of lookup_burst (rate 0 or lookup_limits 0: not
     * limited). */
    const char *api_keys_path;
    uint32_t lookup_rate, lookup_period_s, lookup_burst;
    int lookup_limits;
    /* Images (POST /v1/image, routes/image_task.h): the pool's threads (0: no images), the
     * jobs that may wait besides the running ones, the threads' nice value, the time limit
     * per image. */
    unsigned image_threads, image_queue, image_nice;
    uint64_t image_timeout_ms;
    /* The analysts' console (routes/session.c): a session ends after session_idle_ms unused or
     * session_max_ms after its sign-in; sign-ins per client network, signin_rate per
     * signin_period_s (failed ones only: a success gives its token back). */
    uint64_t session_idle_ms, session_max_ms;
    uint32_t signin_rate, signin_period_s;
    /* Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed
     * (--trusted-proxy; routes/proxy.h). */
    fidx__net_t trusted_proxies[FIDX__TRUSTED_PROXIES_MAX];
    size_t n_trusted_proxies;
    /* Who runs the service, for the citizens' page (NULL: not said). */
    const char *operator_name, *operator_url;
} fidx__config_t;

typedef struct fidx__service fidx__service_t;
typedef struct fidx__worker fidx__worker_t;
typedef struct fidx__conn fidx__conn_t;
typedef struct fidx__app fidx__app_t; /* http/request.h */

struct fidx__worker {
    fidx__service_t *svc;
    const fidx__config_t *cfg;
    const fidx__app_t *app;             /* answers the requests (the route table) */
    void (*drained)(fidx__worker_t *w); /* draining closed the last connection */
    unsigned id;
    uv_loop_t loop;
    uv_poll_t listener; /* the listening socket, watched (http/accept.c) */
    uv_timer_t accept_timer;
    uint64_t accept_pause_ms; /* backing off while accept fails for lack of descriptors */
    int accepting, accept_paused;
    uv_async_t wake;
    uv_timer_t sweep;
    uv_thread_t thread;
    int listen_fd;

    /* The snapshot this worker answers from. The worker holds one reference; a request runs
     * start to finish inside one callback on this thread, so it needs none of its own: the
     * reference can only change between requests (in the wake callback). */
    fidx_snapshot_t *snap;
    _Atomic(fidx_snapshot_t *) incoming; /* a reference handed over by the main thread */
    /* The look-alike index beside it (lookalikes.h), handed over and swapped the same way; la
     * is what routes check with (NULL: none). */
    struct fidx__lookalikes *looks;
    _Atomic(struct fidx__lookalikes *) looks_incoming;
    const fidx_lookalike_t *la;
    atomic_int stop;
    int draining;

    fidx__conn_t *conns; /* doubly linked, for timeouts and draining */
    size_t n_conns;

    /* Large requests take turns (http/conn.c): one per loop iteration while others wait. */
    uv_check_t heavy_check;
    uv_idle_t heavy_idle;
    fidx__conn_t *heavy_head, *heavy_tail;
    int heavy_ran;

    char *readbuf;        /* FIDX__READ_BUFFER bytes */
    fidx__sbuf_t scratch; /* the response body being built */
    char *decode;         /* a decoded query value (max_header_bytes) */
    fidx_result_t result;
    struct fidx__page_msg *page_msg; /* the page's whole-message check (routes/page_message.c),
                                      * made on the first one */
    struct fidx__scan_ws *scan_ws;   /* POST /v1/scan's workspace (routes/scan.c), made on the
                                      * first scan */
    struct fidx__batch_ws *batch_ws; /* POST /v1/check's group of lookups (routes/batch.c),
                                      * made on the first batch */
    fidx__sbuf_t access;             /* access log lines not yet written */
    /* The warnings' public view this worker answers from, and the store's version it is
     * (routes/warnings_view.c: taken again only when the version moved). */
    struct fidx__warnings_view *warn_view;
    uint64_t warn_version;

    int64_t date_sec;
    char date[40]; /* "Date: ...\r\n" for this second */
    size_t date_len;

    fidx__metrics_t metrics;

    /* The analysts' live overlay (NULL when there is none): read without a lock as a
     * registered reader, online while a request uses it, offline between loop iterations
     * (the `quiesce` prepare handle), so that replaced entries can be freed (overlay.h). */
    fidx_overlay_t *ov;
    fidx_overlay_reader_t *ov_reader;
    int ov_online;
    uv_prepare_t quiesce;
    _Atomic(fidx_snapshot_t *) current; /* snap, for a compaction waiting for every worker */

    /* Analysts' changes applied and logged, waiting for their fsync (admin.h). The commit
     * thread wakes `durable` after each round when n_waiting > 0; notify_mu orders that wake
     * against the handle's close. */
    uv_async_t durable;
    int durable_open;
    pthread_mutex_t notify_mu;
    int notify_closed;
    atomic_int n_waiting;
    struct fidx__admin_job *waiting; /* this thread only */
    uv_timer_t sync_timer;           /* --sync-replicas: the earliest waiting change's deadline */
    int sync_timer_open;

    /* Replicas' long polls parked on this worker (routes/replica.c), answered when the commit
     * thread makes records durable (the same `durable` wake-up calls feed_wake) or when their
     * wait ends. */
    void (*feed_wake)(fidx__worker_t *w);
    atomic_int n_polls;
    struct fidx__poll *polls; /* this thread only */
    uv_timer_t poll_timer;
    int poll_timer_open;

    /* Images read on the pool and handed back to this loop (routes/image_task.c): pool threads
     * push finished tasks under image_mu and wake image_wake, unless image_closed (the loop is
     * ending: the tasks then wait for fidx__image_task_worker_dispose). */
    uv_async_t image_wake;
    int image_open;
    pthread_mutex_t image_mu;
    int image_closed;
    struct fidx__image_task *image_done;
};

/* Before a request reads the overlay (fidx__check_value calls it). */
static inline void fidx__worker_online(fidx__worker_t *w)
{
    if (w->ov_reader && !w->ov_online) {
        fidx_overlay_online(w->ov_reader);
        w->ov_online = 1;
    }
}

struct fidx__service {
    fidx__config_t cfg;
    /* Hands a newly loaded snapshot to every worker (reloads and compactions call it; the
     * server sets it). Main thread only. */
    void (*publish)(fidx__service_t *svc, fidx_snapshot_t *s);
    uv_loop_t loop; /* the main thread's: signals, snapshot watch */
    uv_signal_t sig_hup, sig_term, sig_int;
    uv_fs_poll_t watch;
    int watching;
    int reloading;         /* a reload is being read on the thread pool (reload.c) */
    char reload_again[32]; /* why another was asked for meanwhile ("" none) */

    fidx_snapshot_t *snap; /* the main thread's reference to the newest snapshot */
    _Atomic int64_t loaded_at;
    _Atomic int64_t data_changed_at; /* when analysts' changes were last made visible, 0: never */
    _Atomic int64_t build_time;
    atomic_uint open_connections;
    fidx__log_limit_t accept_log; /* accept failures, logged once a second at most */
    _Atomic uint64_t reloads_ok, reloads_failed;
    int64_t started_at;
    int stopping;
    uv_timer_t takeover; /* retries the data directory's lock while another process holds it */
    int taking_over;
    int access_fd; /* -1: no access log */
    /* Citizens' reports (reports/reports.h; thread-safe); NULL while another process holds
     * the data directory (set once, by the main thread, when this one takes it over). */
    _Atomic(struct fidx__reports *) reports;
    /* Report limits (reports/ratelimit.h; thread-safe): per subscriber (/64, IPv4 address),
     * per customer network (/48, IPv4 /24), and everyone's together. */
    struct fidx__ratelimit *report_limit, *report_limit_wide, *report_limit_all;
    struct fidx__admin *admin;   /* analysts' side (admin.h) */
    struct fidx__limits *limits; /* API keys and lookup limits (routes/limits.h) */
    /* Warnings to the public (warnings/warnings.h; thread-safe); NULL without a data
     * directory. Writable only in the process that holds the directory's lock. */
    _Atomic(struct fidx__warnings *) warnings;
    /* The console's sessions (admin/sessions.h) and its sign-in limit (thread-safe). */
    struct fidx__sessions *sessions;
    struct fidx__ratelimit *signin_limit;

    fidx_scanner_t *scanner;          /* read-only once made: shared by every worker's scans */
    struct fidx__image_tasks *images; /* POST /v1/image (routes/image_task.c); NULL: off */

    /* A reader (--follow; replica/replica.h): the follower writes these, routes read them.
     * applied: the last change applied and durable here; current_ms (monotonic): every
     * change the writer had made before then is applied here (0: not yet since the start);
     * fresh_until_ms: a poll the writer answers as soon as it has more is open until then,
     * so the reader is current meanwhile. */
    struct fidx__follower *follower;
    _Atomic uint64_t replica_applied;
    _Atomic uint64_t replica_current_ms, replica_fresh_until_ms;
    /* The look-alike index (lookalikes.c), main thread: the newest one, the overlay reader it
     * is built as, the allowlist change it includes, and the timer that watches for more. */
    struct fidx__lookalikes *looks;
    fidx_overlay_reader_t *looks_reader;
    uint64_t looks_seq;
    uv_timer_t looks_timer;
    int looks_watching;

    fidx__worker_t **workers;
    fidx__metrics_t **metrics; /* &workers[i]->metrics, for rendering */
    unsigned n_workers;
    char bound[64]; /* "127.0.0.1:8080" as bound */
};

/* server.c */
void fidx__config_defaults(fidx__config_t *cfg); /* config.c: every limit at its default */
/* config.c: whether --operator-name is one line of UTF-8 without controls (1..200 bytes), and
 * --operator-url an https:, http:, mailto: or tel: address without spaces or controls
 * (at most 512 bytes): 0, or -1. */
int fidx__config_operator_name(const char *s);
int fidx__config_operator_url(const char *s);
int fidx__service_run(const fidx__config_t *cfg); /* returns the process exit code */
/* The pieces of fidx__service_run, for programs that drive a worker's loop themselves (the
 * fuzz targets of the HTTP path): open loads the snapshot, reports, analysts' state and the
 * scanner (-1, logged, when it cannot: *out is then still to be closed); add_workers binds
 * the listeners and makes cfg.threads workers without starting their threads; close frees a
 * service whose threads never ran. */
int fidx__service_open(const fidx__config_t *cfg, fidx__service_t **out);
int fidx__service_add_workers(fidx__service_t *svc);
void fidx__service_close(fidx__service_t *svc);

#endif
