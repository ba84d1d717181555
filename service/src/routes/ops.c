/* Operations routes: GET /healthz (200 while serving, 503 while draining), GET /v1/info (the
 * snapshot in use and the service), GET /metrics (Prometheus text). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin/admin.h"
#include "base/clock.h"
#include "base/log.h"
#include "http/query.h"
#include "metrics.h"
#include "routes/handlers.h"
#include "routes/image_task.h"
#include "web/web_assets.h"

/* Why the analysts' log refuses changes, NULL when it does not (or there is none). */
static const char *log_failure(const fidx__service_t *svc)
{
    fidx__admin_t *a = svc->admin;
    return a && a->wal && fidx__wal_failed(a->wal) ? fidx__wal_failure(a->wal) : NULL;
}

/* A reader's lag behind its writer in ms (service.h, the replica_* fields): 0 while a poll
 * the writer answers as soon as it has more is open, else the time since it was last known
 * to hold everything; -1 when it has not caught up once since it started. */
static int64_t replica_lag_ms(const fidx__service_t *svc)
{
    uint64_t now = fidx__clock_mono_ms(), current = atomic_load(&svc->replica_current_ms);
    if (now < atomic_load(&svc->replica_fresh_until_ms))
        return 0;
    if (!current)
        return -1;
    return now > current ? (int64_t)(now - current) : 0;
}

/* A reader too far behind its writer: the reason, or 0. ?stale=ok skips the check (a proxy's
 * second line, for when every reader lags: a stale answer beats none). */
static int lagging(const fidx__req_t *req, fidx__resp_t *resp)
{
    const fidx__config_t *cfg = req->w->cfg;
    fidx_str_t v;
    if (!cfg->follow_url ||
        (fidx__query_find(req->query.p, req->query.len, "stale", &v) == 1 && fidx_str_eq(v, "ok")))
        return 0;
    int64_t lag = replica_lag_ms(req->w->svc);
    if (lag < 0) {
        fidx__resp_error(resp, 503, "lagging",
                         "catching up with the writer since the start (not current yet)");
        return 1;
    }
    if ((uint64_t)lag <= cfg->max_lag_ms)
        return 0;
    fidx__resp_errorf(resp, 503, "lagging", "%.1f s behind the writer (--max-lag %.1f s)",
                      (double)lag / 1000.0, (double)cfg->max_lag_ms / 1000.0);
    return 1;
}

/* 503 while draining, while the write-ahead log has failed (a load balancer or an alert must
 * see a writer that can no longer keep what it is sent), and while a reader lags more than
 * --max-lag behind its writer (so the proxy drains it). */
void fidx__route_healthz(const fidx__req_t *req, fidx__resp_t *resp)
{
    const char *failure = log_failure(req->w->svc);
    if (req->w->draining) {
        fidx__resp_error(resp, 503, "unavailable", "shutting down");
        resp->close = 1;
        return;
    }
    if (failure) {
        fidx__resp_error(resp, 503, "unavailable", failure);
        return;
    }
    if (lagging(req, resp))
        return;
    fidx__sbuf_puts(resp->body, "{\"status\":\"ok\"}");
}

static void time_field(fidx__sbuf_t *b, const char *name, int64_t t)
{
    char iso[32];
    fidx__time_iso(t, iso, sizeof iso);
    fidx__sbuf_printf(b, "\"%s\":\"%s\"", name, iso);
}

/* {"name":count,…} over a table of names. */
static void counts(fidx__sbuf_t *b, const char *key, const char *(*name)(int), const uint64_t *v,
                   int n)
{
    fidx__sbuf_printf(b, ",\"%s\":{", key);
    for (int i = 0; i < n; i++) {
        if (i)
            fidx__sbuf_put(b, ",", 1);
        fidx__sbuf_json_string(b, name(i), strlen(name(i)));
        fidx__sbuf_printf(b, ":%llu", (unsigned long long)v[i]);
    }
    fidx__sbuf_put(b, "}", 1);
}

static const char *kind_name(int i)
{
    return fidx_kind_name((fidx_kind_t)i);
}

static const char *status_name(int i)
{
    return fidx_status_name((fidx_status_t)i);
}

static void snapshot_info(fidx__sbuf_t *b, const fidx_snapshot_info_t *in, int64_t loaded_at)
{
    int64_t now = (int64_t)time(NULL);
    fidx__sbuf_printf(b, "\"snapshot\":{\"version\":%u,", in->version);
    time_field(b, "build_time", in->build_time);
    fidx__sbuf_printf(b, ",\"age_seconds\":%lld,", (long long)(now - in->build_time));
    time_field(b, "loaded_at", loaded_at);
    fidx__sbuf_printf(b, ",\"file_size\":%llu,\"total\":%llu", (unsigned long long)in->file_size,
                      (unsigned long long)in->total);
    counts(b, "kinds", kind_name, in->by_kind, FIDX_KIND_COUNT);
    counts(b, "statuses", status_name, in->by_status, FIDX_STATUS_COUNT);
    counts(b, "categories", fidx_category_name, in->by_category, FIDX_CAT_COUNT);
    fidx__sbuf_puts(b, ",\"sources\":{");
    for (uint32_t i = 0; i < in->n_sources && i < FIDX_MAX_SNAPSHOT_SOURCES; i++) {
        if (i)
            fidx__sbuf_put(b, ",", 1);
        fidx__sbuf_json_string(b, in->source_name[i].p ? in->source_name[i].p : "",
                               in->source_name[i].len);
        fidx__sbuf_printf(b, ":%llu", (unsigned long long)in->by_source[i]);
    }
    fidx__sbuf_puts(b, "}}");
}

static void service_info(fidx__sbuf_t *b, const fidx__worker_t *w)
{
    const fidx__service_t *svc = w->svc;
    const fidx__config_t *cfg = w->cfg;
    fidx__sbuf_printf(b, ",\"service\":{\"version\":\"%s\",\"threads\":%u,", FIDX__SERVICE_VERSION,
                      svc->n_workers);
    time_field(b, "started_at", svc->started_at);
    fidx__sbuf_printf(b,
                      ",\"uptime_seconds\":%lld,\"limits\":{\"max_header_bytes\":%zu,"
                      "\"max_body_bytes\":%zu,\"max_batch\":%zu,\"max_connections\":%u}}",
                      (long long)((int64_t)time(NULL) - svc->started_at), cfg->max_header_bytes,
                      cfg->max_body_bytes, cfg->max_batch, cfg->max_connections);
}

void fidx__route_info(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__worker_t *w = req->w;
    fidx_snapshot_info_t info;
    fidx_err_t err = {0};
    int r = fidx_snapshot_info(w->snap, &info, &err);
    if (r) {
        fidx__resp_error(resp, 500, "internal", err.reason ? err.reason : fidx_strerror(r));
        return;
    }
    fidx__sbuf_put(resp->body, "{", 1);
    snapshot_info(resp->body, &info, atomic_load(&w->svc->loaded_at));
    service_info(resp->body, w);
    fidx__sbuf_put(resp->body, "}", 1);
}

/* GET /openapi.json: docs/openapi.json, embedded at build time (web/web_assets.h). */
void fidx__route_openapi(const fidx__req_t *req, fidx__resp_t *resp)
{
    const fidx__asset_t *a = fidx__asset_find("openapi.json");
    (void)req;
    if (!a) {
        fidx__resp_error(resp, 404, "not_found", "no such resource");
        return;
    }
    resp->headers = "Cache-Control: public, max-age=300\r\nAccess-Control-Allow-Origin: *\r\n";
    snprintf(resp->more, sizeof resp->more, "ETag: \"%s\"\r\n", a->hash);
    fidx__sbuf_put(resp->body, (const char *)a->data, a->len);
}

/* Values of the whole process, as seen from worker w. */
static void gauges(const fidx__worker_t *w, fidx__gauges_t *g)
{
    const fidx__service_t *svc = w->svc;
    memset(g, 0, sizeof *g);
    g->open_connections = atomic_load(&svc->open_connections);
    g->now = (int64_t)time(NULL);
    g->snapshot_build_time = fidx_snapshot_build_time(w->snap);
    g->snapshot_loaded_at = atomic_load(&svc->loaded_at);
    for (int k = 0; k < FIDX_KIND_COUNT; k++)
        g->snapshot_entries[k] = fidx_snapshot_count(w->snap, (fidx_kind_t)k);
    g->reloads_ok = atomic_load(&svc->reloads_ok);
    g->reloads_failed = atomic_load(&svc->reloads_failed);
    g->wal_failed = log_failure(svc) != NULL;
    g->threads = svc->n_workers;
    if (svc->reports) {
        size_t pending, disputes;
        g->has_reports = 1;
        fidx__reports_counts(svc->reports, &pending, NULL, NULL);
        fidx__reports_backlog(svc->reports, &disputes, &g->decisions_approved,
                              &g->decisions_rejected, &g->decisions_upheld);
        g->pending_reports = pending;
        g->pending_disputes = disputes;
    }
    if (svc->admin && svc->admin->ov) {
        g->has_overlay = 1;
        fidx__admin_gauges(svc->admin, &g->overlay_listed, &g->overlay_delisted, &g->overlay_bytes,
                           &g->audit_index_bytes);
    }
    g->has_images = fidx__image_task_stats(svc, &g->images_waiting, &g->images_running,
                                           &g->images_done, &g->images_refused);
    if (w->cfg->follow_url) {
        int64_t lag = replica_lag_ms(svc);
        g->replica = 1;
        /* Not caught up once since the start: how long it has been trying. */
        g->replica_lag_seconds =
            lag >= 0 ? (double)lag / 1000.0 : (double)(g->now - svc->started_at);
        g->replica_applied_seq = atomic_load(&svc->replica_applied);
    }
}

void fidx__route_metrics(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__worker_t *w = req->w;
    fidx__gauges_t g;
    gauges(w, &g);
    resp->content_type = FIDX__CT_METRICS;
    fidx__metrics_render(resp->body, w->svc->metrics, w->svc->n_workers, &g);
}
