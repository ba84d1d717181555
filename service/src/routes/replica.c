/* The writer's side of replication and the public feed of changes (docs/API.md,
 * "Replication"; the design is in docs/ARCHITECTURE.md, "Replicas"):
 *
 *   GET /v1/replica/snapshot     the base snapshot, whole or a byte range; ETag (its content
 *                                hash), X-Fidx-Next-Seq (the first change to apply over it)
 *   GET /v1/replica/changes?since=SEQ[&wait=MS][&replica=ID][&history=H][&max=BYTES]
 *                                the durable records after SEQ, as the log holds them; parked
 *                                up to MS when there are none yet
 *   GET /v1/changes?since=SEQ[&limit=N]
 *                                values whose verdict changed, as JSON, for bots
 *
 * The replica routes need a token (the router checks it, as for the analysts' API). A poll's
 * `since` is also the reader's report of what it has applied durably: --sync-replicas counts
 * those (admin/replicas.c). A parked poll waits on its worker (fidx__req_defer) and is answered
 * from the worker's `durable` wake-up, which the commit thread sends after every round, or when
 * its time is up. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "admin/wal_format.h"
#include "base/clock.h"
#include "base/le_bytes.h"
#include "http/query.h"
#include "routes/common.h"
#include "routes/handlers.h"

#define CT_SNAPSHOT "application/vnd.fraudidx.snapshot"
#define CT_CHANGES "application/vnd.fraudidx.changes"
#define WAIT_MAX_MS 60000              /* a poll parks at most this long */
#define CHANGES_MAX_DEFAULT (4u << 20) /* bytes of records in one answer */
#define CHANGES_MAX_LIMIT (16u << 20)  /* what a reader may ask for */
#define POLLS_MAX 1024                 /* parked on one worker */
#define PUBLIC_LIMIT_DEFAULT 1000      /* GET /v1/changes: changes listed */
#define PUBLIC_LIMIT_MAX 10000
#define PUBLIC_BYTES_PER_CHANGE 512 /* what one change may take of the log, at most */

struct fidx__poll {
    fidx__reply_t *reply;
    uint64_t since, deadline_ms, max;
    struct fidx__poll *next;
};

/* The log replicas read: a writer's (a reader answers not_writer before it gets here). */
static fidx__wal_t *writer_log(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__admin_t *a = req->w->svc->admin;
    if (req->w->cfg->follow_url) {
        fidx__resp_not_writer(req, resp);
        return NULL;
    }
    if (!a || !a->wal || a->follower) {
        fidx__resp_error(resp, 503, "unavailable",
                         "this server keeps no log of changes (it runs without --tokens)");
        return NULL;
    }
    return a->wal;
}

/* ---- GET /v1/replica/snapshot ---- */

static void release_snapshot(void *s)
{
    fidx_snapshot_release(s);
}

/* A single byte range "bytes=A-B", "bytes=A-" or "bytes=-N" of a len-byte file: 1 with
 * [*from, *to], 0 when the header is absent or not one range (the whole file is sent), -1
 * when it is past the end (416). */
static int byte_range(fidx_str_t h, uint64_t len, uint64_t *from, uint64_t *to)
{
    const char *p = h.p, *end = h.p + h.len;
    uint64_t a = 0, b = 0;
    int has_a = 0, has_b = 0;
    if (!p || h.len < 7 || memcmp(p, "bytes=", 6) != 0)
        return 0;
    for (p += 6; p < end && *p >= '0' && *p <= '9' && a < UINT64_MAX / 10 - 10; p++, has_a = 1)
        a = a * 10 + (uint64_t)(*p - '0');
    if (p == end || *p++ != '-')
        return 0;
    for (; p < end && *p >= '0' && *p <= '9' && b < UINT64_MAX / 10 - 10; p++, has_b = 1)
        b = b * 10 + (uint64_t)(*p - '0');
    if (p != end || (!has_a && !has_b) || (has_a && has_b && b < a))
        return 0;
    if (!has_a) { /* the last b bytes */
        if (b == 0)
            return -1;
        a = b >= len ? 0 : len - b;
        b = len - 1;
    } else if (!has_b || b >= len) {
        b = len - 1;
    }
    if (a >= len)
        return -1;
    *from = a;
    *to = b;
    return 1;
}

static void more_header(fidx__resp_t *resp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void more_header(fidx__resp_t *resp, const char *fmt, ...)
{
    size_t n = strlen(resp->more);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(resp->more + n, sizeof resp->more - n, fmt, ap);
    va_end(ap);
}

/* Whether an If-None-Match value names etag (or is "*"). */
static int etag_matches(fidx_str_t h, const char *etag)
{
    size_t n = strlen(etag);
    if (!h.p)
        return 0;
    if (h.len == 1 && h.p[0] == '*')
        return 1;
    for (size_t i = 0; i + n <= h.len; i++)
        if (memcmp(h.p + i, etag, n) == 0)
            return 1;
    return 0;
}

void fidx__route_replica_snapshot(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__worker_t *w = req->w;
    if (!writer_log(req, resp))
        return;
    uint64_t hash, next;
    fidx__admin_base_id(w->svc->admin, &hash, &next);
    if (fidx_snapshot_content_hash(w->snap) != hash) {
        /* A new base is being handed to the workers; this one has not taken it yet. */
        fidx__resp_error(resp, 503, "unavailable", "the snapshot is being replaced; ask again");
        resp->retry_after = "1";
        return;
    }
    const char *p;
    size_t len;
    char etag[24];
    fidx_snapshot_bytes(w->snap, &p, &len);
    snprintf(etag, sizeof etag, "\"%016" PRIx64 "\"", hash);
    more_header(resp,
                "ETag: %s\r\nX-Fidx-Next-Seq: %" PRIu64 "\r\nX-Fidx-History: %s\r\n"
                "Accept-Ranges: bytes\r\n",
                etag, next, w->svc->admin->history);
    if (etag_matches(req->kept[FIDX__H_IF_NONE_MATCH], etag)) {
        resp->status = 304;
        return;
    }
    uint64_t from = 0, to = len - 1;
    int r = req->kept_bad & (1u << FIDX__H_RANGE)
                ? 0
                : byte_range(req->kept[FIDX__H_RANGE], len, &from, &to);
    if (r < 0) {
        fidx__resp_error(resp, 416, "bad_request", "the range is past the end of the snapshot");
        more_header(resp, "Content-Range: bytes */%zu\r\n", len);
        return;
    }
    if (r > 0) {
        resp->status = 206;
        more_header(resp, "Content-Range: bytes %" PRIu64 "-%" PRIu64 "/%zu\r\n", from, to, len);
    }
    resp->content_type = CT_SNAPSHOT;
    resp->ext = p + from;
    resp->ext_len = (size_t)(to - from + 1);
    resp->ext_release = release_snapshot;
    resp->ext_arg = fidx_snapshot_acquire(w->snap);
}

/* ---- GET /v1/replica/changes ---- */

/* Reads the records after since into resp (status, headers, body). */
static void changes_answer(fidx__worker_t *w, uint64_t since, uint64_t max, fidx__resp_t *resp)
{
    fidx__admin_t *a = w->svc->admin;
    fidx__wal_chunk_t ch;
    uint64_t durable = fidx__wal_durable(a->wal), hash, next;
    int rc = fidx__wal_read(a->wal, since, (size_t)max, resp->body, &ch);
    if (rc == FIDX_ENOTFOUND) {
        fidx__resp_errorf(resp, 410, "gone",
                          "the changes after %" PRIu64 " are no longer kept (the oldest is %" PRIu64
                          "): start again from /v1/replica/snapshot",
                          since, fidx__wal_oldest(a->wal));
        return;
    }
    if (rc) {
        fidx__resp_errorf(resp, 500, "internal", "the log cannot be read: %s", fidx_strerror(rc));
        return;
    }
    fidx__admin_base_id(a, &hash, &next);
    resp->content_type = CT_CHANGES;
    more_header(resp,
                "X-Fidx-First-Seq: %" PRIu64 "\r\nX-Fidx-Count: %" PRIu64
                "\r\nX-Fidx-Durable-Seq: %" PRIu64 "\r\nX-Fidx-Snapshot: \"%016" PRIx64
                "\"\r\nX-Fidx-Snapshot-Next-Seq: %" PRIu64 "\r\nX-Fidx-Checksum: %016" PRIx64
                "\r\nX-Fidx-History: %s\r\n",
                ch.n ? ch.first_seq : since + 1, ch.n, durable, hash, next,
                XXH3_64bits(resp->body->p, resp->body->len), a->history);
}

static void on_poll_timer(uv_timer_t *t);

/* Arms w's poll timer for the earliest deadline among its parked polls. */
static void arm_poll_timer(fidx__worker_t *w)
{
    uint64_t first = 0, now = fidx__clock_mono_ms();
    for (struct fidx__poll *p = w->polls; p; p = p->next)
        if (!first || p->deadline_ms < first)
            first = p->deadline_ms;
    if (!w->poll_timer_open) {
        if (!first)
            return;
        uv_timer_init(&w->loop, &w->poll_timer);
        w->poll_timer.data = w;
        w->poll_timer_open = 1;
    }
    if (first)
        uv_timer_start(&w->poll_timer, on_poll_timer, first > now ? first - now : 0, 0);
    else
        uv_timer_stop(&w->poll_timer);
}

/* The worker's wake-up (w->feed_wake): answers the parked polls that have changes now, whose
 * wait is over, or all of them when the worker drains. */
void fidx__route_replica_wake(fidx__worker_t *w)
{
    fidx__admin_t *a = w->svc->admin;
    uint64_t now = fidx__clock_mono_ms(), durable = a && a->wal ? fidx__wal_durable(a->wal) : 0;
    struct fidx__poll **pp = &w->polls;
    while (*pp) {
        struct fidx__poll *p = *pp;
        if (durable <= p->since && now < p->deadline_ms && !w->draining) {
            pp = &p->next;
            continue;
        }
        *pp = p->next;
        atomic_fetch_sub(&w->n_polls, 1);
        fidx__resp_t resp;
        fidx__sbuf_reset(&w->scratch, FIDX__KEEP_BUFFER);
        fidx__resp_init(&resp, &w->scratch);
        changes_answer(w, p->since, p->max, &resp);
        fidx__reply_send_resp(p->reply, &resp);
        free(p);
    }
    arm_poll_timer(w);
}

static void on_poll_timer(uv_timer_t *t)
{
    fidx__route_replica_wake(t->data);
}

/* Parks the poll; 0, or -1 when it cannot (answered at once instead). */
static int park(const fidx__req_t *req, fidx__resp_t *resp, uint64_t since, uint64_t wait,
                uint64_t max)
{
    fidx__worker_t *w = req->w;
    if (w->draining || atomic_load(&w->n_polls) >= POLLS_MAX)
        return -1;
    struct fidx__poll *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    p->reply = fidx__req_defer(req, resp);
    if (!p->reply) {
        free(p);
        return -1;
    }
    p->since = since;
    p->max = max;
    p->deadline_ms = fidx__clock_mono_ms() + wait;
    p->next = w->polls;
    w->polls = p;
    /* Counted before looking again: the commit thread stores the durable number before it
     * reads the count, so a record made durable meanwhile is seen by one of the two. */
    atomic_fetch_add(&w->n_polls, 1);
    if (fidx__wal_durable(w->svc->admin->wal) > since)
        fidx__route_replica_wake(w);
    else
        arm_poll_timer(w);
    return 0;
}

/* The replica id (letters, digits, _ . -): 0, -1 with the 400 set. "" when absent. */
static int replica_id(const fidx__req_t *req, fidx__resp_t *resp, char *id)
{
    size_t n;
    if (fidx__decoded_param(req, resp, "replica", id, FIDX__REPLICA_ID_MAX + 1, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-')) {
            fidx__resp_error(resp, 400, "bad_request",
                             "replica must be letters, digits, '_', '.' or '-'");
            return -1;
        }
    }
    return 0;
}

void fidx__route_replica_changes(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__wal_t *wal = writer_log(req, resp);
    fidx__admin_t *a = req->w->svc->admin;
    uint64_t since, wait, max;
    char id[FIDX__REPLICA_ID_MAX + 1], history[FIDX__HISTORY_LEN + 2];
    size_t hlen;
    if (!wal || fidx__u64_param(req, resp, "since", 0, UINT64_MAX - 1, UINT64_MAX, &since) ||
        fidx__u64_param(req, resp, "wait", 0, WAIT_MAX_MS, 0, &wait) ||
        fidx__u64_param(req, resp, "max", 1024, CHANGES_MAX_LIMIT, CHANGES_MAX_DEFAULT, &max) ||
        replica_id(req, resp, id) ||
        fidx__decoded_param(req, resp, "history", history, sizeof history, &hlen))
        return;
    if (since == UINT64_MAX) {
        fidx__resp_error(resp, 400, "bad_request", "since is required");
        return;
    }
    uint64_t durable = fidx__wal_durable(wal);
    if ((hlen && !fidx__admin_history_accepts(a, history, since)) || since > durable) {
        /* The reader holds changes this writer does not: it must not go on from here. */
        fidx__resp_errorf(resp, 410, "diverged",
                          since > durable
                              ? "since %" PRIu64 " is ahead of this writer's log (%" PRIu64 ")"
                              : "the reader's log is another history than this writer's (up "
                                "to %" PRIu64 ", %" PRIu64 " here)",
                          since, durable);
        return;
    }
    if (id[0]) /* its since: what it has applied durably */
        fidx__admin_replica_ack(a, id, req->principal, since);
    if (since == durable && wait > 0 && park(req, resp, since, wait, max) == 0)
        return;
    changes_answer(req->w, since, max, resp);
}

/* Server: the worker's loop is ending; its parked polls were answered when it began to
 * drain. */
void fidx__route_replica_finish(fidx__worker_t *w)
{
    while (w->polls) {
        struct fidx__poll *p = w->polls;
        w->polls = p->next;
        fidx__reply_send(p->reply, 503, "", 0); /* the connection is gone: only frees */
        free(p);
    }
    atomic_store(&w->n_polls, 0);
    if (w->poll_timer_open) {
        w->poll_timer_open = 0;
        uv_close((uv_handle_t *)&w->poll_timer, NULL);
    }
}

/* ---- GET /v1/changes ---- */

static const char *verdict_of(fidx_status_t s)
{
    return s == FIDX_STATUS_CONFIRMED     ? "scam"
           : s == FIDX_STATUS_REPORTED    ? "suspicious"
           : s == FIDX_STATUS_ALLOWLISTED ? "safe"
                                          : "unknown";
}

/* One record as a JSON change (nothing for a report decision). Returns whether it wrote one. */
static int change_json(fidx__sbuf_t *out, uint64_t seq, const char *rec, fidx_indicator_t *ind,
                       int first)
{
    size_t len;
    unsigned type;
    const char *b = fidx__admin_record_body(rec, &len, &type);
    fidx_kind_t kind;
    const char *v;
    size_t vlen;
    if (type == FIDX__WAL_PUT && fidx__admin_decode_put(b, len, ind) == 0) {
        fidx__sbuf_printf(out,
                          "%s{\"seq\":%" PRIu64 ",\"kind\":\"%s\",\"value\":", first ? "" : ",",
                          seq, fidx_kind_name(ind->kind));
        fidx__sbuf_json_string(out, ind->value, ind->value_len);
        fidx__sbuf_printf(out, ",\"verdict\":\"%s\",\"status\":\"%s\"}", verdict_of(ind->status),
                          fidx_status_name(ind->status));
        return 1;
    }
    if (type == FIDX__WAL_DELIST && fidx__admin_decode_delist(b, len, &kind, &v, &vlen) == 0) {
        fidx__sbuf_printf(out,
                          "%s{\"seq\":%" PRIu64 ",\"kind\":\"%s\",\"value\":", first ? "" : ",",
                          seq, fidx_kind_name(kind));
        fidx__sbuf_json_string(out, v, vlen);
        fidx__sbuf_puts(out, ",\"verdict\":\"unknown\",\"status\":null}");
        return 1;
    }
    return 0;
}

/* The log's records after since, up to limit changes, as {"changes":[…],"next":…}. */
static void public_changes(fidx__worker_t *w, fidx__wal_t *wal, uint64_t since, uint64_t limit,
                           fidx__resp_t *resp)
{
    fidx__sbuf_t recs;
    fidx__wal_chunk_t ch;
    fidx_indicator_t *ind = malloc(sizeof *ind);
    fidx__sbuf_init(&recs, CHANGES_MAX_LIMIT + FIDX__WAL_MAX_RECORD);
    int rc = ind ? fidx__wal_read(wal, since, (size_t)(limit * PUBLIC_BYTES_PER_CHANGE), &recs, &ch)
                 : FIDX_ENOMEM;
    uint64_t next = since, n = 0;
    if (rc == 0) {
        fidx__sbuf_puts(resp->body, "{\"changes\":[");
        size_t off = 0;
        for (uint64_t i = 0; i < ch.n && n < limit; i++) {
            n += (uint64_t)change_json(resp->body, ch.first_seq + i, recs.p + off, ind, n == 0);
            next = ch.first_seq + i;
            off += FIDX__WAL_RECORD_HEADER + fidx__get32(recs.p + off);
        }
        fidx__sbuf_printf(resp->body, "],\"next\":%" PRIu64 ",\"last_seq\":%" PRIu64 "}", next,
                          fidx__wal_durable(wal));
    } else if (rc == FIDX_ENOTFOUND) {
        fidx__resp_errorf(resp, 410, "gone",
                          "the changes after %" PRIu64 " are no longer kept (the oldest is %" PRIu64
                          "); check again from the newest",
                          since, fidx__wal_oldest(wal));
    } else {
        fidx__resp_errorf(resp, 503, "unavailable", "the log cannot be read: %s",
                          fidx_strerror(rc));
    }
    (void)w;
    free(ind);
    fidx__sbuf_free(&recs);
}

void fidx__route_changes(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__admin_t *a = req->w->svc->admin;
    uint64_t since, limit;
    if (!a || !a->wal) {
        fidx__resp_error(resp, 503, "unavailable", "this server keeps no log of changes");
        return;
    }
    if (fidx__u64_param(req, resp, "since", 0, UINT64_MAX - 1, UINT64_MAX, &since) ||
        fidx__u64_param(req, resp, "limit", 1, PUBLIC_LIMIT_MAX, PUBLIC_LIMIT_DEFAULT, &limit))
        return;
    if (since == UINT64_MAX) {
        fidx__resp_error(resp, 400, "bad_request", "since is required (0: from the oldest kept)");
        return;
    }
    uint64_t oldest = fidx__wal_oldest(a->wal);
    if (since == 0 && oldest > 1)
        since = oldest - 1; /* a bot starting out: from what the log holds */
    if (since > fidx__wal_durable(a->wal)) {
        fidx__resp_errorf(resp, 410, "gone", "since %" PRIu64 " is ahead of this log (%" PRIu64 ")",
                          since, fidx__wal_durable(a->wal));
        return;
    }
    public_changes(req->w, a->wal, since, limit, resp);
}
