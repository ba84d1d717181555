/* Service metrics. Each worker thread owns one fidx__metrics_t and is its only writer; a
 * scrape of /metrics (on any worker) sums all of them. Counters are C11 atomics written with
 * relaxed load+store (one writer, so no read-modify-write, no lock, no `lock` prefix on x86)
 * and read with relaxed loads: a scrape sees each counter whole, possibly a moment old. */
#ifndef FIDX_SERVICE_METRICS_H
#define FIDX_SERVICE_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "fidx/kind.h"
#include "base/sbuf.h"

/* Routes as metric labels (route and method). */
typedef enum {
    FIDX__ROUTE_CHECK = 0, /* GET /v1/check */
    FIDX__ROUTE_BATCH,     /* POST /v1/check */
    FIDX__ROUTE_HEALTHZ,
    FIDX__ROUTE_INFO,
    FIDX__ROUTE_METRICS,
    FIDX__ROUTE_SCAN,          /* POST /v1/scan */
    FIDX__ROUTE_REPORTS,       /* POST /v1/reports */
    FIDX__ROUTE_REPORT_STATUS, /* GET /v1/reports/ID */
    FIDX__ROUTE_PAGE,          /* the citizens' page: /, /check, /report, /static/… */
    FIDX__ROUTE_ADMIN,         /* /v1/admin/… */
    FIDX__ROUTE_REPLICA,       /* /v1/replica/…: readers following this writer */
    FIDX__ROUTE_CHANGES,       /* GET /v1/changes: bots paging through changed verdicts */
    FIDX__ROUTE_IMAGE,         /* POST /v1/image */
    FIDX__ROUTE_WARNINGS,      /* GET /v1/warnings…, /warnings.atom…: the public warnings */
    FIDX__ROUTE_OTHER,         /* not found, method not allowed, malformed, timeouts, limits */
    FIDX__ROUTE_COUNT
} fidx__metric_route_t;

#define FIDX__STATUS_SLOTS 14
#define FIDX__LATENCY_BUCKETS 14 /* finite bucket bounds; +Inf is the count */
#define FIDX__VERDICTS 4

typedef _Atomic uint64_t fidx__counter_t;

typedef struct {
    fidx__counter_t requests[FIDX__ROUTE_COUNT][FIDX__STATUS_SLOTS];
    fidx__counter_t latency[FIDX__ROUTE_COUNT][FIDX__LATENCY_BUCKETS + 1]; /* per bucket */
    fidx__counter_t latency_sum_ns[FIDX__ROUTE_COUNT];
    fidx__counter_t lookups[FIDX_KIND_COUNT][FIDX__VERDICTS];
    fidx__counter_t lookup_invalid;
    fidx__counter_t rate_limited[FIDX__ROUTE_COUNT]; /* 429s, whoever refused */
    fidx__counter_t connections_accepted;
    fidx__counter_t connections_rejected; /* over --max-connections */
    fidx__counter_t accept_failures;      /* accept(2) failed for lack of descriptors/memory */
    fidx__counter_t bad_requests;         /* refused before routing: malformed, smuggling */
    fidx__counter_t timeouts;             /* 408s and slow clients dropped */
} fidx__metrics_t;

static inline void fidx__counter_add(fidx__counter_t *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

/* Records one answered request: route, HTTP status, and duration in nanoseconds. */
void fidx__metrics_request(fidx__metrics_t *m, fidx__metric_route_t route, int status,
                           uint64_t duration_ns);
void fidx__metrics_lookup(fidx__metrics_t *m, fidx_kind_t kind, fidx_verdict_t verdict);

/* Values that belong to the whole process rather than a worker. */
typedef struct {
    uint64_t open_connections;
    int64_t now;
    int64_t snapshot_build_time;
    int64_t snapshot_loaded_at;
    uint64_t snapshot_entries[FIDX_KIND_COUNT];
    uint64_t reloads_ok, reloads_failed;
    int wal_failed; /* the analysts' write-ahead log failed: changes are refused */
    unsigned threads;
    /* The analysts' side (all 0 without it): the review queue, decisions since the start, the
     * live overlay over the snapshot, the audit log's history index. */
    int has_reports, has_overlay;
    uint64_t pending_reports, pending_disputes;
    uint64_t decisions_approved, decisions_rejected, decisions_upheld;
    uint64_t overlay_listed, overlay_delisted, overlay_bytes, audit_index_bytes;
    /* POST /v1/image's pool (routes/image_task.h; has_images 0 when images are off). */
    int has_images;
    uint64_t images_waiting, images_running, images_done, images_refused;
    /* A reader (--follow): how far behind its writer, and the last change applied. */
    int replica;
    double replica_lag_seconds;
    uint64_t replica_applied_seq;
} fidx__gauges_t;

/* Prometheus text exposition (version 0.0.4) of the sum of n workers' metrics and g. */
void fidx__metrics_render(fidx__sbuf_t *out, fidx__metrics_t *const *workers, size_t n,
                          const fidx__gauges_t *g);

#endif
