/* The follower's state, shared by its files: follow.c (the thread and its polls), base.c (the
 * writer's snapshot: fetching, checking, adopting it), apply.c (changes into the overlay and
 * the log). Only the follower thread touches it after start, except `stop`. */
#ifndef FIDX_SERVICE_REPLICA_INTERNAL_H
#define FIDX_SERVICE_REPLICA_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include <uv.h>

#include "admin/admin.h"
#include "replica/client.h"
#include "replica/replica.h"

#define FIDX__FOLLOW_WAIT_MS 10000         /* a poll parks this long at the writer */
#define FIDX__FOLLOW_ANSWER_MAX (8u << 20) /* bytes the reader asks for at most per poll */
#define FIDX__FOLLOW_TOKEN_MAX 512

typedef struct fidx__follower {
    fidx__service_t *svc;
    fidx__admin_t *a;
    fidx__rclient_t *client;
    char url[FIDX__RCLIENT_URL_MAX + 1];
    char token[FIDX__FOLLOW_TOKEN_MAX + 1];
    char id[FIDX__REPLICA_ID_MAX + 1]; /* how the writer knows this reader (DATA/replica-id) */
    uv_thread_t thread;
    int started;
    atomic_int stop;
    int diverged;      /* the writer said this log is not its own: following has stopped */
    uint64_t applied;  /* every change up to it is applied and durable here */
    int caught_up;     /* the last answer brought everything the writer had */
    fidx__sbuf_t body; /* the answer being read */
    uint64_t log_ms;   /* when a failure was last logged (one a minute while it lasts) */
    int curl_ready;    /* libcurl's global state is set up */
    /* Since the thread started: its start, the change it had, whether it has caught up. */
    uint64_t start_ms, start_applied;
    int caught_up_once;
} fidx__follower_t;

/* ---- the writer's snapshot (base.c) ---- */

/* The first start of a reader (no snapshot in the data directory): fetches the writer's,
 * and lays the directory out as after a compaction (snapshot-1 and an empty segment 1 going on
 * from the snapshot's next change), so the usual start serves it. Retries until the writer
 * answers or the process is told to stop. 0 or -1 (logged). */
int fidx__replica_bootstrap(fidx__follower_t *f);
/* Running: the writer has a new base (a compaction, a reload, or this reader is too far
 * behind): fetches it, checks it, makes it durable here and adopts it. 0 or -1 (logged; the
 * next poll tries again). */
int fidx__replica_new_base(fidx__follower_t *f);

/* ---- changes (apply.c) ---- */

/* Applies n checked records numbered first on (p[0..len), as the log holds them): into the
 * overlay (invisible) and the log, then waits until the log has made them durable, which
 * makes them visible. 0, or -1 (logged) when they could not be applied. */
int fidx__replica_apply(fidx__follower_t *f, const char *p, size_t len, uint64_t first, uint64_t n);

#endif
