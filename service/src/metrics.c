/* Recording and rendering of the service metrics (see metrics.h for the threading rule).
 * Names follow Prometheus conventions: fraudidx_ prefix, _total counters, base units. */
#include "metrics.h"

static const int status_slots[FIDX__STATUS_SLOTS] = {200, 202, 400, 401, 403, 404, 405,
                                                     408, 409, 413, 429, 500, 503, 0};

/* Upper bounds of the latency buckets, in nanoseconds, and as Prometheus prints them. */
static const uint64_t bucket_ns[FIDX__LATENCY_BUCKETS] = {
    25000,   50000,    100000,   250000,   500000,    1000000,   2500000,
    5000000, 10000000, 25000000, 50000000, 100000000, 250000000, 1000000000,
};
static const char *const bucket_le[FIDX__LATENCY_BUCKETS] = {
    "0.000025", "0.00005", "0.0001", "0.00025", "0.0005", "0.001", "0.0025",
    "0.005",    "0.01",    "0.025",  "0.05",    "0.1",    "0.25",  "1",
};

static const struct {
    const char *method, *route;
} route_labels[FIDX__ROUTE_COUNT] = {
    {"GET", "/v1/check"},    {"POST", "/v1/check"},     {"GET", "/healthz"},
    {"GET", "/v1/info"},     {"GET", "/metrics"},       {"POST", "/v1/scan"},
    {"POST", "/v1/reports"}, {"GET", "/v1/reports/ID"}, {"any", "page"},
    {"any", "/v1/admin"},    {"GET", "/v1/replica"},    {"GET", "/v1/changes"},
    {"POST", "/v1/image"},   {"GET", "warnings"},       {"other", "other"},
};

static size_t status_slot(int status)
{
    for (size_t i = 0; i + 1 < FIDX__STATUS_SLOTS; i++)
        if (status_slots[i] == status)
            return i;
    return FIDX__STATUS_SLOTS - 1; /* "other" */
}

void fidx__metrics_request(fidx__metrics_t *m, fidx__metric_route_t route, int status,
                           uint64_t duration_ns)
{
    size_t b = 0;
    while (b < FIDX__LATENCY_BUCKETS && duration_ns > bucket_ns[b])
        b++;
    fidx__counter_add(&m->requests[route][status_slot(status)], 1);
    fidx__counter_add(&m->latency[route][b], 1);
    fidx__counter_add(&m->latency_sum_ns[route], duration_ns);
    if (status == 429)
        fidx__counter_add(&m->rate_limited[route], 1);
}

void fidx__metrics_lookup(fidx__metrics_t *m, fidx_kind_t kind, fidx_verdict_t verdict)
{
    if ((int)kind >= 0 && kind < FIDX_KIND_COUNT && (int)verdict >= 0 && verdict < FIDX__VERDICTS)
        fidx__counter_add(&m->lookups[kind][verdict], 1);
}

static uint64_t sum(fidx__metrics_t *const *w, size_t n, size_t offset)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++) {
        const fidx__counter_t *c = (const fidx__counter_t *)((const char *)w[i] + offset);
        s += atomic_load_explicit(c, memory_order_relaxed);
    }
    return s;
}

#define SUM(field) sum(workers, n, offsetof(fidx__metrics_t, field))

static void render_requests(fidx__sbuf_t *o, fidx__metrics_t *const *workers, size_t n)
{
    fidx__sbuf_puts(o, "# HELP fraudidx_http_requests_total HTTP requests answered, by route "
                       "and status.\n# TYPE fraudidx_http_requests_total counter\n");
    for (size_t r = 0; r < FIDX__ROUTE_COUNT; r++) {
        for (size_t s = 0; s < FIDX__STATUS_SLOTS; s++) {
            uint64_t v = SUM(requests[r][s]);
            if (!v)
                continue;
            fidx__sbuf_printf(o, "fraudidx_http_requests_total{route=\"%s\",method=\"%s\",",
                              route_labels[r].route, route_labels[r].method);
            if (status_slots[s])
                fidx__sbuf_printf(o, "status=\"%d\"} %llu\n", status_slots[s],
                                  (unsigned long long)v);
            else
                fidx__sbuf_printf(o, "status=\"other\"} %llu\n", (unsigned long long)v);
        }
    }
}

static void render_latency(fidx__sbuf_t *o, fidx__metrics_t *const *workers, size_t n)
{
    fidx__sbuf_puts(o, "# HELP fraudidx_http_request_duration_seconds Time from the first byte "
                       "of a request to its response being queued.\n"
                       "# TYPE fraudidx_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r < FIDX__ROUTE_COUNT; r++) {
        const char *labels = route_labels[r].route;
        const char *method = route_labels[r].method;
        uint64_t cum = 0;
        for (size_t b = 0; b <= FIDX__LATENCY_BUCKETS; b++) {
            cum += SUM(latency[r][b]);
            fidx__sbuf_printf(o,
                              "fraudidx_http_request_duration_seconds_bucket{route=\"%s\","
                              "method=\"%s\",le=\"%s\"} %llu\n",
                              labels, method, b < FIDX__LATENCY_BUCKETS ? bucket_le[b] : "+Inf",
                              (unsigned long long)cum);
        }
        uint64_t ns = SUM(latency_sum_ns[r]);
        fidx__sbuf_printf(o,
                          "fraudidx_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"}"
                          " %llu.%09llu\n",
                          labels, method, (unsigned long long)(ns / 1000000000u),
                          (unsigned long long)(ns % 1000000000u));
        fidx__sbuf_printf(o,
                          "fraudidx_http_request_duration_seconds_count{route=\"%s\","
                          "method=\"%s\"} %llu\n",
                          labels, method, (unsigned long long)cum);
    }
}

/* The limited routes are always listed (an alert needs the series before the first 429). */
static void render_limited(fidx__sbuf_t *o, fidx__metrics_t *const *workers, size_t n)
{
    fidx__sbuf_puts(o, "# HELP fraudidx_rate_limited_total Requests answered 429 (a client, key "
                       "or everyone over a limit), by route.\n"
                       "# TYPE fraudidx_rate_limited_total counter\n");
    for (size_t r = 0; r < FIDX__ROUTE_COUNT; r++) {
        uint64_t v = SUM(rate_limited[r]);
        int limited = r == FIDX__ROUTE_CHECK || r == FIDX__ROUTE_BATCH || r == FIDX__ROUTE_SCAN ||
                      r == FIDX__ROUTE_IMAGE || r == FIDX__ROUTE_REPORTS || r == FIDX__ROUTE_PAGE;
        if (v || limited)
            fidx__sbuf_printf(o, "fraudidx_rate_limited_total{route=\"%s\",method=\"%s\"} %llu\n",
                              route_labels[r].route, route_labels[r].method, (unsigned long long)v);
    }
}

static void render_lookups(fidx__sbuf_t *o, fidx__metrics_t *const *workers, size_t n)
{
    fidx__sbuf_puts(o, "# HELP fraudidx_lookups_total Values checked, by kind and verdict.\n"
                       "# TYPE fraudidx_lookups_total counter\n");
    for (int k = 0; k < FIDX_KIND_COUNT; k++)
        for (int v = 0; v < FIDX__VERDICTS; v++)
            fidx__sbuf_printf(o, "fraudidx_lookups_total{kind=\"%s\",verdict=\"%s\"} %llu\n",
                              fidx_kind_name((fidx_kind_t)k), fidx_verdict_name((fidx_verdict_t)v),
                              (unsigned long long)SUM(lookups[k][v]));
    fidx__sbuf_printf(o,
                      "# HELP fraudidx_lookup_invalid_total Values refused as invalid_value.\n"
                      "# TYPE fraudidx_lookup_invalid_total counter\n"
                      "fraudidx_lookup_invalid_total %llu\n",
                      (unsigned long long)SUM(lookup_invalid));
}

static void counter(fidx__sbuf_t *o, const char *name, const char *help, uint64_t v)
{
    fidx__sbuf_printf(o, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
                      (unsigned long long)v);
}

static void gauge(fidx__sbuf_t *o, const char *name, const char *help, long long v)
{
    fidx__sbuf_printf(o, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name, help, name, name, v);
}

static void render_process(fidx__sbuf_t *o, fidx__metrics_t *const *workers, size_t n,
                           const fidx__gauges_t *g)
{
    counter(o, "fraudidx_connections_accepted_total", "Connections accepted.",
            SUM(connections_accepted));
    counter(o, "fraudidx_connections_rejected_total",
            "Connections answered 503 for being over --max-connections.",
            SUM(connections_rejected));
    counter(o, "fraudidx_accept_failures_total",
            "Times accepting paused because the process had no descriptor or memory left.",
            SUM(accept_failures));
    counter(o, "fraudidx_http_bad_requests_total",
            "Requests refused before routing (malformed, ambiguous framing, limits).",
            SUM(bad_requests));
    counter(o, "fraudidx_http_timeouts_total",
            "Connections dropped for a header, body or "
            "write timeout.",
            SUM(timeouts));
    gauge(o, "fraudidx_open_connections", "Connections open now.", (long long)g->open_connections);
    gauge(o, "fraudidx_worker_threads", "Event-loop threads.", (long long)g->threads);
    gauge(o, "fraudidx_snapshot_age_seconds", "Seconds since the snapshot in use was built.",
          (long long)(g->now - g->snapshot_build_time));
    gauge(o, "fraudidx_snapshot_build_time_seconds",
          "Build time of the snapshot in use, seconds since the epoch.",
          (long long)g->snapshot_build_time);
    gauge(o, "fraudidx_snapshot_loaded_time_seconds",
          "When the snapshot in use was loaded, seconds since the epoch.",
          (long long)g->snapshot_loaded_at);
    fidx__sbuf_puts(o, "# HELP fraudidx_snapshot_entries Indicators in the snapshot, by kind.\n"
                       "# TYPE fraudidx_snapshot_entries gauge\n");
    for (int k = 0; k < FIDX_KIND_COUNT; k++)
        fidx__sbuf_printf(o, "fraudidx_snapshot_entries{kind=\"%s\"} %llu\n",
                          fidx_kind_name((fidx_kind_t)k),
                          (unsigned long long)g->snapshot_entries[k]);
    fidx__sbuf_printf(o,
                      "# HELP fraudidx_snapshot_reloads_total Snapshot reloads, by result.\n"
                      "# TYPE fraudidx_snapshot_reloads_total counter\n"
                      "fraudidx_snapshot_reloads_total{result=\"ok\"} %llu\n"
                      "fraudidx_snapshot_reloads_total{result=\"refused\"} %llu\n",
                      (unsigned long long)g->reloads_ok, (unsigned long long)g->reloads_failed);
    gauge(o, "fraudidx_wal_failed",
          "1 when the analysts' write-ahead log failed and changes are refused until a restart.",
          g->wal_failed);
    if (!g->replica)
        return;
    fidx__sbuf_printf(o,
                      "# HELP fraudidx_replica_lag_seconds How far this reader is behind its "
                      "writer: 0 while it is known to hold every change the writer has.\n"
                      "# TYPE fraudidx_replica_lag_seconds gauge\n"
                      "fraudidx_replica_lag_seconds %.3f\n",
                      g->replica_lag_seconds);
    gauge(o, "fraudidx_replica_applied_seq",
          "Sequence number of the last change this reader applied durably.",
          (long long)g->replica_applied_seq);
}

/* The analysts' side: what an alert needs without a token. */
static void render_analysts(fidx__sbuf_t *o, const fidx__gauges_t *g)
{
    if (g->has_reports)
        fidx__sbuf_printf(
            o,
            "# HELP fraudidx_reports_pending Citizens' reports waiting for review, by type.\n"
            "# TYPE fraudidx_reports_pending gauge\n"
            "fraudidx_reports_pending{type=\"scam\"} %llu\n"
            "fraudidx_reports_pending{type=\"dispute\"} %llu\n"
            "# HELP fraudidx_report_decisions_total Decisions on reports since the start, by "
            "outcome (upheld: a dispute upheld, its value delisted).\n"
            "# TYPE fraudidx_report_decisions_total counter\n"
            "fraudidx_report_decisions_total{outcome=\"approved\"} %llu\n"
            "fraudidx_report_decisions_total{outcome=\"rejected\"} %llu\n"
            "fraudidx_report_decisions_total{outcome=\"upheld\"} %llu\n",
            (unsigned long long)(g->pending_reports - g->pending_disputes),
            (unsigned long long)g->pending_disputes, (unsigned long long)g->decisions_approved,
            (unsigned long long)g->decisions_rejected, (unsigned long long)g->decisions_upheld);
    if (!g->has_overlay)
        return;
    fidx__sbuf_printf(o,
                      "# HELP fraudidx_overlay_values Values the analysts changed over the "
                      "snapshot (until a compaction folds them), by state.\n"
                      "# TYPE fraudidx_overlay_values gauge\n"
                      "fraudidx_overlay_values{state=\"listed\"} %llu\n"
                      "fraudidx_overlay_values{state=\"delisted\"} %llu\n",
                      (unsigned long long)g->overlay_listed,
                      (unsigned long long)g->overlay_delisted);
    gauge(o, "fraudidx_overlay_bytes", "Memory the live overlay holds.",
          (long long)g->overlay_bytes);
    gauge(o, "fraudidx_audit_index_bytes",
          "Memory the audit log's history index holds (a value's changes, by value).",
          (long long)g->audit_index_bytes);
}

/* The image pool: a queue that stays full, or refusals that climb, say it needs threads. */
static void render_images(fidx__sbuf_t *o, const fidx__gauges_t *g)
{
    if (!g->has_images)
        return;
    fidx__sbuf_printf(
        o,
        "# HELP fraudidx_images Images in the image pool now, by state.\n"
        "# TYPE fraudidx_images gauge\n"
        "fraudidx_images{state=\"waiting\"} %llu\n"
        "fraudidx_images{state=\"running\"} %llu\n"
        "# HELP fraudidx_images_total Images since the start: done by a thread (read, "
        "or past their time limit), or refused because the queue was full (503).\n"
        "# TYPE fraudidx_images_total counter\n"
        "fraudidx_images_total{outcome=\"done\"} %llu\n"
        "fraudidx_images_total{outcome=\"refused\"} %llu\n",
        (unsigned long long)g->images_waiting, (unsigned long long)g->images_running,
        (unsigned long long)g->images_done, (unsigned long long)g->images_refused);
}

void fidx__metrics_render(fidx__sbuf_t *out, fidx__metrics_t *const *workers, size_t n,
                          const fidx__gauges_t *g)
{
    render_requests(out, workers, n);
    render_latency(out, workers, n);
    render_limited(out, workers, n);
    render_lookups(out, workers, n);
    render_analysts(out, g);
    render_images(out, g);
    render_process(out, workers, n, g);
}
