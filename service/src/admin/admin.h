/* Analysts' side of the service: tokens, the data directory, the live overlay and the
 * write-ahead log behind it, the changes themselves (add, delist, report decisions) and
 * compaction. Routes are in routes/admin.c and routes/admin_reports.c; docs/OPERATIONS.md is
 * the operator's view.
 *
 * Threads. The overlay is read by the workers without a lock (fidx/overlay.h). Everything that
 * changes it goes through `mu` (one writer at a time): the changes run on libuv's thread pool
 * (never on a worker's loop), take `mu` to merge, record and append to the log, release it,
 * and then wait for the commit thread to make their records durable; the answer goes back to
 * the worker's loop only then. The main thread takes `mu` for reloads and reclamation.
 *
 * The data directory (--data-dir) holds:
 *   LOCK                     flock'ed by the one process that may write (the one with --tokens)
 *   wal-NNNNNNNNNNNNNNNN.log the write-ahead log's segments (wal.h)
 *   snapshot-NNNNNNNNNNNNNNNN.fidx   the newest compacted snapshot: every change in the segments
 *                            numbered below NNNN folded in; served instead of --snapshot
 *   audit.jsonl              the audit log (audit.h)
 *   reports.jsonl            citizens' reports (reports.h) */
#ifndef FIDX_SERVICE_ADMIN_H
#define FIDX_SERVICE_ADMIN_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <uv.h>

#include "fidx/feed.h"
#include "fidx/overlay.h"
#include "reports/reports.h"
#include "base/sbuf.h"
#include "http/request.h"
#include "service.h"
#include "admin/audit_index.h"
#include "admin/tokens.h"
#include "admin/wal.h"
#include "warnings/warning.h"

#define FIDX__ADMIN_MAX_REJECTED 1000 /* rejected rows listed in an answer (all are counted) */
#define FIDX__ADMIN_AUDIT_PART 1000   /* values listed in one audit line (more: several lines) */
#define FIDX__ADMIN_REASON_MAX 1024   /* a delisting's or decision's reason, bytes */
#define FIDX__ADMIN_BULK_MAX 1000     /* reports one bulk decision decides */
#define FIDX__ADMIN_PATH_MAX 4096
#define FIDX__REPLICAS_MAX 64   /* readers a writer keeps track of (the least recent go) */
#define FIDX__REPLICA_ID_MAX 64 /* [A-Za-z0-9_.-] */
#define FIDX__HISTORY_LEN 32    /* hex digits of a log's history id */

typedef struct fidx__admin fidx__admin_t;

/* A reader as its writer knows it (replicas.c). */
typedef struct {
    char id[FIDX__REPLICA_ID_MAX + 1];
    char token[FIDX__TOKEN_NAME_MAX + 1];
    uint64_t durable; /* every change up to it is applied and durable on the reader */
    uint64_t seen_ms; /* its last poll (monotonic) */
} fidx__replica_t;

struct fidx__admin {
    fidx__service_t *svc;
    char dir[FIDX__ADMIN_PATH_MAX];
    int writable; /* --tokens or --follow: the data directory is locked and the log is open */
    int follower; /* --follow: the log is a copy of a writer's, and analysts' changes are refused
                   * (503 not_writer) */
    char history[FIDX__HISTORY_LEN + 1]; /* DATA/history: names the log's history ("": none) */
    char parent[FIDX__HISTORY_LEN + 1];  /* a promoted reader: the history it forked from */
    uint64_t fork_seq;                   /* ... after this change ("" and 0: none) */
    int lock_fd;                         /* -1: none */
    int audit_fd;                        /* -1: none */
    int audit_rfd;                       /* the audit log opened for reading (history); -1: none */
    fidx__audit_index_t *audit_ix;       /* where each value's audit lines are; NULL: none */

    pthread_mutex_t tokens_mu;
    fidx__tokens_t *tokens; /* NULL: every admin call is 401 */

    pthread_mutex_t mu; /* writers: the overlay, the log's appends, base, the fields below */
    pthread_cond_t cond;
    fidx_overlay_t *ov;     /* NULL when the service runs without analysts' changes */
    fidx__wal_t *wal;       /* NULL when read-only */
    fidx_snapshot_t *base;  /* the snapshot changes are merged with (a reference) */
    uint64_t base_gen;      /* counts changes of base */
    uint64_t from_segment;  /* segments below it are folded into the compacted snapshot */
    uint64_t base_next_seq; /* the first change not folded into base: replicas apply from it
                             * (changes before it may be in base too; applying one again
                             * changes nothing) */
    /* base's content hash and base_next_seq, for the replica routes: a worker must not wait
     * for `mu`, which a large upload holds for a while. */
    pthread_mutex_t pub_mu;
    uint64_t pub_hash, pub_next;
    char base_path[FIDX__ADMIN_PATH_MAX + 64]; /* the compacted snapshot, "" when none */
    uint64_t n_adds, n_delists, n_decisions, n_compactions;
    uint64_t changes_marked;  /* commit thread: the overlay's change_seq last made the service's
                               * data_changed_at */
    fidx__worker_t **workers; /* those to wake after a commit round */
    atomic_uint n_workers;

    _Atomic uint64_t gauge_listed, gauge_delisted, gauge_bytes; /* the last fidx__admin_gauges */

    /* compaction (admin_compact.c) */
    int compacting;
    atomic_int cancel; /* SIGTERM: stop a compaction */
    fidx_overlay_reader_t *compact_reader;
    fidx__sbuf_t last_compaction; /* JSON of the last one, "" before */
    int last_compaction_status;

    /* main loop */
    uv_timer_t reclaim;
    uv_signal_t sighup;
    uv_async_t install; /* a compacted snapshot to swap in (admin_compact.c) */
    fidx_snapshot_t *install_snap;
    int install_state; /* 0 idle, 1 asked, 2 done, -1 refused */
    uint64_t install_gen, install_count, install_next_seq;
    char install_path[FIDX__ADMIN_PATH_MAX + 64];
    int handles;
    unsigned trim_ticks; /* the reclaim timer trims the folded log every few ticks */

    /* The readers that follow this writer (replicas.c). */
    pthread_mutex_t rep_mu;
    pthread_cond_t rep_cond;
    fidx__replica_t replicas[FIDX__REPLICAS_MAX];
    unsigned n_replicas;
    _Atomic uint64_t synced; /* every change <= synced is applied by --sync-replicas readers */
};

/* ---- life (admin.c) ---- */

/* Before the snapshot is loaded: tokens (refusing a file others can read), the data
 * directory's lock, and the compacted snapshot that replaces --snapshot when there is one
 * (svc->cfg.snapshot_path then points to it). -1 when the service must not start (logged). */
int fidx__admin_prepare(fidx__service_t *svc);
/* After the snapshot and the reports are open: replays the log into the overlay and, with
 * tokens, opens it for writing and starts the commit thread. -1 on failure (logged). */
int fidx__admin_start(fidx__service_t *svc);
/* Registers worker w as a reader of the overlay and prepares its wake-up for changes waiting
 * for their fsync (before the worker threads start). */
int fidx__admin_worker_init(fidx__service_t *svc, fidx__worker_t *w);
/* The worker's loop is ending: closes that wake-up and frees the changes still waiting (their
 * clients are gone; the changes themselves are logged and become durable all the same). */
void fidx__admin_worker_finish(fidx__worker_t *w);
/* SIGTERM: cancels a compaction and closes the admin handles of the main loop. */
void fidx__admin_stopping(fidx__service_t *svc);
/* Once the workers have ended: writes what is pending, frees everything. */
void fidx__admin_free(fidx__service_t *svc);
/* A reload swapped s in (main thread): changes merge with it from now on. */
void fidx__admin_snapshot_changed(fidx__service_t *svc, fidx_snapshot_t *s);
/* `fraudidx-service --repair-wal`: the whole run. Returns the exit code. */
int fidx__admin_repair(const fidx__config_t *cfg);

/* ---- the data directory (datadir.c) ---- */

/* "DIR/snapshot-NNNNNNNNNNNNNNNN.fidx": the compacted snapshot folding segments below n. */
void fidx__admin_snapshot_path(const char *dir, uint64_t n, char *out, size_t cap);
/* Takes the directory's LOCK (flock, a->lock_fd) and writes the pid into it. 0; 1 when another
 * process holds it; -1 on another failure (logged). Only the process holding the lock writes
 * anything into the directory. */
int fidx__admin_lock_dir(fidx__admin_t *a);
/* Finds the newest compacted snapshot (a->from_segment, a->base_path); with write access also
 * removes older ones and the temporary files of a compaction a crash interrupted. */
void fidx__admin_scan_dir(fidx__admin_t *a);
/* Whether the directory holds log segments not folded into a snapshot. */
int fidx__admin_has_log(const fidx__admin_t *a);
/* Reads DATA/history into a->history (and a->parent, a->fork_seq); when there is none and
 * create is set, makes one (a random id, written durably). 0; -1 on failure (logged). A
 * missing file without create leaves a->history "". */
int fidx__admin_history(fidx__admin_t *a, int create);
/* Writes DATA/history (durably): id, and the history it forked from after change fork_seq
 * (parent NULL: none). A reader takes its writer's. 0 or -1 (logged). */
int fidx__admin_history_set(fidx__admin_t *a, const char *id, const char *parent,
                            uint64_t fork_seq);
/* A reader's directory being promoted (DATA/following exists, no --follow): a new history
 * forked from the one it followed after change `last`, and DATA/following removed. 0, or 1
 * when the directory was not a reader's; -1 on failure (logged). */
int fidx__admin_history_promote(fidx__admin_t *a, uint64_t last);
/* A reader notes the writer it follows (DATA/following), which promotion looks for. */
int fidx__admin_following_set(fidx__admin_t *a, const char *url);
/* Whether a reader whose log is `history` up to change `since` may go on with this writer's
 * changes: the same history, or the one this writer forked from, up to the fork. */
int fidx__admin_history_accepts(const fidx__admin_t *a, const char *history, uint64_t since);

/* ---- the readers that follow this writer (replicas.c) ---- */

/* Wakes the workers that have changes or replicas' polls waiting (any thread). */
void fidx__admin_wake_workers(fidx__admin_t *a);
/* Reader id (token name token) reports that every change up to durable is applied and
 * durable on it. Any thread. */
void fidx__admin_replica_ack(fidx__admin_t *a, const char *id, const char *token, uint64_t durable);
/* Every change up to the returned number is applied by --sync-replicas readers. */
uint64_t fidx__admin_synced(fidx__admin_t *a);
/* Waits until seq is applied by --sync-replicas readers (at once without it): 0, or -1 after
 * timeout_ms or when the service stops. A pool thread. */
int fidx__admin_sync_wait(fidx__admin_t *a, uint64_t seq, uint64_t timeout_ms);
/* {"sync_replicas":N,"synced_seq":S,"readers":[…]} for the status page. */
void fidx__admin_replicas_json(fidx__admin_t *a, fidx__sbuf_t *out);

/* ---- a reader's new base (admin_compact.c) ---- */

/* A replica adopts a new base snapshot s (the caller's reference is taken), already durable
 * at path: swaps it in on the main thread as a compaction does, then, once every worker
 * answers from it, drops the overlay's changes through `through` and sets base_next_seq to
 * through + 1. 0, or -1 when the swap was refused (a reload came in between, or stopping). */
int fidx__admin_adopt_base(fidx__admin_t *a, fidx_snapshot_t *s, const char *path,
                           uint64_t through);

/* The base snapshot's content hash and the first change not in it (any thread, no wait). */
void fidx__admin_base_id(fidx__admin_t *a, uint64_t *hash, uint64_t *next_seq);
/* The newest modification time of those segments (seconds), 0 when none. */
int64_t fidx__admin_log_mtime(const fidx__admin_t *a);

/* Whether an Authorization value carries a valid token; its name into name
 * (FIDX__TOKEN_NAME_MAX + 1 bytes) and its role into *role. Any thread. */
int fidx__admin_auth(fidx__admin_t *a, const char *auth, size_t len, char *name,
                     fidx__role_t *role);
/* Whether the tokens file in use still holds that token (tokens.h, fidx__tokens_has). */
int fidx__admin_token_current(fidx__admin_t *a, const char *name, const uint8_t *digest,
                              fidx__role_t role);

/* GET /v1/admin/status body. */
void fidx__admin_status_json(fidx__admin_t *a, fidx__sbuf_t *out);

/* For /metrics, from a worker's loop: the overlay's listed and delisted values and bytes, and
 * the audit index's bytes. Never waits for the writers' lock (a big upload may hold it for a
 * second): when it is busy, the figures of the last scrape that got it. */
void fidx__admin_gauges(fidx__admin_t *a, uint64_t *listed, uint64_t *delisted, uint64_t *bytes,
                        uint64_t *audit_bytes);

/* ---- the writers' view of values (admin_view.c); the caller holds a->mu ---- */

/* cur = the current state of ind's value merged with ind (the builder's rule: reports add up,
 * categories and sources unite, dates widen, the strongest status wins), or ind itself when
 * the value is not listed. Returns 1 (before = the current state) when it was listed, else 0
 * (before untouched). */
int fidx__admin_view_merge(fidx__admin_t *a, const fidx_indicator_t *ind, fidx_indicator_t *before,
                           fidx_indicator_t *cur);
/* Whether two states of a value are the same (value, status, categories, reports, dates,
 * sources, note). */
int fidx__admin_same(const fidx_indicator_t *x, const fidx_indicator_t *y);
/* Calls fn for every listed entry a lookup of (kind, v) matches exactly: the value itself, and
 * for a bank account BIN:N also *:N, for *:N every bank's N. Nonzero from fn stops and is
 * returned; FIDX_ENOMEM. */
FIDX_MUST_CHECK int fidx__admin_view_matches(fidx__admin_t *a, fidx_kind_t kind, const char *v,
                                             size_t len, fidx_view_each_fn fn, void *arg);

/* ---- records of the log (admin_records.c) ---- */

FIDX_MUST_CHECK int fidx__admin_encode_put(fidx__sbuf_t *out, const fidx_indicator_t *ind);
void fidx__admin_encode_delist(fidx__sbuf_t *out, fidx_kind_t kind, const char *v, size_t len);
/* A DELIST record's body: the kind and the value (borrowed from p). 0 or FIDX_ECORRUPT. */
FIDX_MUST_CHECK int fidx__admin_decode_delist(const char *p, size_t len, fidx_kind_t *kind,
                                              const char **v, size_t *vlen);
FIDX_MUST_CHECK int fidx__admin_decode_put(const char *p, size_t len, fidx_indicator_t *out);
/* The body of a PUT record inside an encoded record (header skipped). */
const char *fidx__admin_record_body(const char *rec, size_t *len, unsigned *type);

typedef struct {
    char id[FIDX__REPORT_ID_LEN + 1];
    fidx__report_state_t action;
    int has_status;
    fidx_status_t status;
    uint16_t categories;
    int64_t time;
    char by[FIDX__TOKEN_NAME_MAX + 1];
    char reason[FIDX__ADMIN_REASON_MAX + 1];
} fidx__admin_decision_t;

void fidx__admin_encode_decision(fidx__sbuf_t *out, const fidx__admin_decision_t *d);
FIDX_MUST_CHECK int fidx__admin_decode_decision(const char *p, size_t len,
                                                fidx__admin_decision_t *d);
/* Records a logged decision in the report store (as fidx__reports_decide answers). */
FIDX_MUST_CHECK int fidx__admin_record_decision(fidx__reports_t *st,
                                                const fidx__admin_decision_t *dec, fidx_err_t *err);

/* Replays the log of a (the overlay must exist). -1 with msg. */
int fidx__admin_replay(fidx__admin_t *a, int mode, fidx__wal_replay_t *st, char *msg, size_t cap);

/* ---- changes (admin_write.c), run on the thread pool ---- */

typedef struct fidx__admin_job fidx__admin_job_t;
typedef void (*fidx__admin_run_t)(fidx__admin_job_t *j);

struct fidx__admin_job {
    uv_work_t work;
    fidx__admin_t *admin;
    fidx__reply_t *reply;
    fidx__admin_run_t run;
    char token[FIDX__TOKEN_NAME_MAX + 1];
    fidx__role_t role; /* the token's, for the audit log */
    int64_t now_ms;
    /* POST /v1/admin/indicators */
    char *body;
    size_t body_len;
    fidx_feed_format_t format;
    int dry_run; /* answer what would happen; write nothing */
    /* DELETE /v1/admin/indicators; a decision's report; a search */
    fidx_kind_t kind;
    size_t value_len;
    char value[FIDX_CANON_CAP]; /* storage form */
    int all;                    /* delist every entry the value matches */
    /* GET /v1/admin/indicators?q= (the value as asked and as read), GET /v1/admin/audit */
    char *query; /* owned */
    size_t query_len, canonical_len;
    char canonical[FIDX_CANON_CAP];
    char since[40], who[FIDX__TOKEN_NAME_MAX + 1], what[16];
    int has_value;
    int brief; /* audit: lines without their "values" list */
    uint64_t after;
    size_t limit;
    char reason[FIDX__ADMIN_REASON_MAX + 1];
    char report_id[FIDX__REPORT_ID_LEN + 1];
    int bulk;                             /* a bulk decision: ids[0..n_ids) */
    char (*ids)[FIDX__REPORT_ID_LEN + 1]; /* owned */
    size_t n_ids, more;                   /* more: pending reports of the value left */
    fidx__report_state_t action;
    int uphold; /* the decision upholds a dispute (action is FIDX__REPORT_APPROVED) */
    fidx_status_t status;
    int has_categories;
    uint16_t categories;
    char source[FIDX_MAX_SOURCE_LEN + 1];
    /* a warning's change (admin_warnings.c): what, which, and the analyst's fields */
    int warning_action; /* FIDX__ADMIN_WARNING_* */
    char warning_id[FIDX__WARNING_ID_LEN + 1];
    json_t *input; /* owned */
    /* the answer, given once wait_seq (0: nothing to wait for) is durable and, with
     * --sync-replicas, applied by enough readers before sync_deadline_ms (monotonic) */
    int http_status;
    fidx__sbuf_t out;
    uint64_t wait_seq;
    uint64_t sync_deadline_ms;
    fidx__worker_t *w;
    fidx__admin_job_t *next; /* in w->waiting */
};

/* Adding and delisting return once their records are appended to the log (wait_seq set);
 * the worker answers when they are durable (fidx__admin_job_finish). A decision and a
 * compaction wait on the pool thread itself (they have more to do after the fsync). */
void fidx__admin_run_add(fidx__admin_job_t *j); /* admin_load.c */
void fidx__admin_run_delist(fidx__admin_job_t *j);
void fidx__admin_run_decide(fidx__admin_job_t *j);  /* admin_review.c */
void fidx__admin_run_compact(fidx__admin_job_t *j); /* admin_compact.c */
/* Reads, run on the pool because they read the audit log from disk (admin_search.c). */
void fidx__admin_run_search(fidx__admin_job_t *j);
void fidx__admin_run_audit(fidx__admin_job_t *j);

/* ---- warnings to the public (admin_warnings.c) ---- */

enum {
    FIDX__ADMIN_WARNING_CREATE = 1, /* a new draft from j->input */
    FIDX__ADMIN_WARNING_UPDATE,     /* j->warning_id's fields from j->input */
    FIDX__ADMIN_WARNING_PUBLISH,
    FIDX__ADMIN_WARNING_RETRACT, /* j->reason says why */
};
/* A warning's change: its new whole state and audit line into the log, waited for on the
 * pool thread, then into the warnings store (svc->warnings). */
void fidx__admin_run_warning(fidx__admin_job_t *j);
/* Replay: a logged warning's state into the store (when newer than the store's). 0, or
 * FIDX_ECORRUPT for a record that does not read. */
int fidx__admin_replay_warning(fidx__admin_t *a, const char *p, size_t len);

/* ---- a change's life as a job (admin_job.c) ---- */

/* A job for a, by the request's analyst (token name and role), that will run `run`. NULL when
 * out of memory. */
fidx__admin_job_t *fidx__admin_job_new(fidx__admin_t *a, const fidx__req_t *req,
                                       fidx__admin_run_t run);
/* Inside a handler: defers the request's answer and hands j to the thread pool; on failure j
 * is freed and resp holds the error. */
void fidx__admin_job_start(const fidx__req_t *req, fidx__resp_t *resp, fidx__admin_job_t *j);
/* On the worker's thread, once a job has run: answers it now if nothing is left to wait for,
 * else keeps it in w->waiting until the commit thread says its records are durable. */
void fidx__admin_job_finish(fidx__worker_t *w, fidx__admin_job_t *j);
/* The worker's `durable` wake-up: answers the waiting jobs whose records are durable. */
void fidx__admin_job_wake(uv_async_t *h);
/* Sends j's answer (or only frees it when its client is gone) and frees j. */
void fidx__admin_job_answer(fidx__admin_job_t *j);
void fidx__admin_job_free(fidx__admin_job_t *j);

/* Sets an error answer on a job ({"error":{…}}). */
void fidx__admin_job_error(fidx__admin_job_t *j, int status, const char *code, const char *msg);
/* Under mu: when the log cannot take changes (read-only, or failed), answers 503 and returns
 * 1; else 0. */
int fidx__admin_job_log_unavailable(fidx__admin_job_t *j);
/* Waits on the pool thread for seq to be durable (and visible); on failure answers 503 and
 * returns -1. For changes that have more to do after the fsync (decisions). */
int fidx__admin_job_wait(fidx__admin_job_t *j, uint64_t seq);
/* Answers 503: the write-ahead log failed before the job's change was durable. */
void fidx__admin_job_log_failed(fidx__admin_job_t *j);
/* Answers 503 replication_timeout: the change is durable here, not on enough readers. */
void fidx__admin_job_sync_failed(fidx__admin_job_t *j);

/* Frees what no lookup can reach any more (takes mu; skips when busy unless wait). */
void fidx__admin_reclaim(fidx__admin_t *a, int wait);

#endif
