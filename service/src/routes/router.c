/* The route table and the choice of a request's handler (router.h). Runs once per request,
 * when its headers are in: the handler it picks is called by the transport once the body is
 * read, so a request passes through here once. */
#include "routes/router.h"

#include <string.h>

#include <http_parser.h>

#include "admin/admin.h"
#include "routes/common.h"
#include "routes/handlers.h"

#define PREFIX_LEN (sizeof FIDX__ADMIN_PREFIX - 1)
#define REPLICA_PREFIX "/v1/replica"
#define REPLICA_PREFIX_LEN (sizeof REPLICA_PREFIX - 1)
#define WWW_AUTHENTICATE "WWW-Authenticate: Bearer realm=\"fraudidx\"\r\n"

typedef struct {
    const char *path; /* exact; or, ending in '/', every path below it */
    fidx__handler_fn get, post, del;
    fidx__metric_route_t get_id, post_id, del_id;
    const char *allow;
} route_t;

#define R FIDX__ROUTE_OTHER /* no handler for that method */
#define PAGE FIDX__ROUTE_PAGE

static const route_t public_routes[] = {
    {"/v1/check", fidx__route_check, fidx__route_batch, NULL, FIDX__ROUTE_CHECK, FIDX__ROUTE_BATCH,
     R, "GET, HEAD, POST"},
    {"/v1/scan", NULL, fidx__route_scan, NULL, R, FIDX__ROUTE_SCAN, R, "POST"},
    {"/healthz", fidx__route_healthz, NULL, NULL, FIDX__ROUTE_HEALTHZ, R, R, "GET, HEAD"},
    {"/v1/info", fidx__route_info, NULL, NULL, FIDX__ROUTE_INFO, R, R, "GET, HEAD"},
    {"/metrics", fidx__route_metrics, NULL, NULL, FIDX__ROUTE_METRICS, R, R, "GET, HEAD"},
    {"/openapi.json", fidx__route_openapi, NULL, NULL, R, R, R, "GET, HEAD"},
    {"/v1/changes", fidx__route_changes, NULL, NULL, FIDX__ROUTE_CHANGES, R, R, "GET, HEAD"},
    /* Citizens: the web page (page.c) and reports (reports.c). */
    {"/v1/reports", NULL, fidx__route_reports, NULL, R, FIDX__ROUTE_REPORTS, R, "POST"},
    {"/", fidx__route_page_home, NULL, NULL, PAGE, R, R, "GET, HEAD"},
    {"/check", fidx__route_page_check, NULL, NULL, PAGE, R, R, "GET, HEAD"},
    {"/report", fidx__route_page_report, fidx__route_page_report_post, NULL, PAGE, PAGE, R,
     "GET, HEAD, POST"},
    {"/static/page.css", fidx__route_static, NULL, NULL, PAGE, R, R, "GET, HEAD"},
    {"/static/page.js", fidx__route_static, NULL, NULL, PAGE, R, R, "GET, HEAD"},
    {"/static/icon.svg", fidx__route_static, NULL, NULL, PAGE, R, R, "GET, HEAD"},
};

/* Below FIDX__ADMIN_PREFIX (paths without it); every one needs an analyst's token. */
#define A FIDX__ROUTE_ADMIN
static const route_t admin_routes[] = {
    {"/indicators", NULL, fidx__route_admin_add, fidx__route_admin_delist, A, A, A, "DELETE, POST"},
    {"/reports", fidx__route_admin_reports, NULL, NULL, A, A, A, "GET, HEAD"},
    {"/reports/", fidx__route_admin_report, fidx__route_admin_decide, NULL, A, A, A,
     "GET, HEAD, POST"},
    {"/compact", NULL, fidx__route_admin_compact, NULL, A, A, A, "POST"},
    {"/status", fidx__route_admin_status, NULL, NULL, A, A, A, "GET, HEAD"},
};

/* Below REPLICA_PREFIX; every one needs a token that may follow this writer. */
#define P FIDX__ROUTE_REPLICA
static const route_t replica_routes[] = {
    {"/snapshot", fidx__route_replica_snapshot, NULL, NULL, P, R, R, "GET, HEAD"},
    {"/changes", fidx__route_replica_changes, NULL, NULL, P, R, R, "GET, HEAD"},
};

static void not_found(const fidx__req_t *req, fidx__resp_t *resp)
{
    (void)req;
    fidx__resp_error(resp, 404, "not_found", "no such resource");
}

static void not_allowed(const fidx__req_t *req, fidx__resp_t *resp)
{
    resp->allow = req->allow;
    fidx__resp_error(resp, 405, "method_not_allowed", "method not allowed");
}

static int matches(fidx_str_t path, const char *pattern)
{
    size_t n = strlen(pattern);
    if (n > 1 && pattern[n - 1] == '/') /* a prefix: something must follow it */
        return path.len > n && memcmp(path.p, pattern, n) == 0;
    return fidx_str_eq(path, pattern);
}

static void pick(fidx__req_t *req, const route_t *table, size_t n, fidx_str_t path)
{
    for (size_t i = 0; i < n; i++) {
        const route_t *rt = &table[i];
        if (!matches(path, rt->path))
            continue;
        if ((req->method == HTTP_GET || req->method == HTTP_HEAD) && rt->get) {
            req->handler = rt->get;
            req->route = rt->get_id;
        } else if (req->method == HTTP_POST && rt->post) {
            req->handler = rt->post;
            req->route = rt->post_id;
        } else if (req->method == HTTP_DELETE && rt->del) {
            req->handler = rt->del;
            req->route = rt->del_id;
        } else {
            req->handler = not_allowed;
            req->allow = rt->allow;
        }
        return;
    }
    req->handler = not_found;
}

/* ---- the analysts' API ---- */

static int has_prefix(fidx_str_t path, const char *prefix, size_t n)
{
    return path.len >= n && memcmp(path.p, prefix, n) == 0 && (path.len == n || path.p[n] == '/');
}

static int is_admin(fidx_str_t path)
{
    return has_prefix(path, FIDX__ADMIN_PREFIX, PREFIX_LEN);
}

/* The token the request carries, checked: 0 with req->principal set to its name. */
static int authenticate(fidx__req_t *req)
{
    fidx_str_t auth = req->kept[FIDX__H_AUTHORIZATION];
    if (!auth.p || (req->kept_bad & (1u << FIDX__H_AUTHORIZATION)))
        return -1;
    return fidx__admin_auth(req->w->svc->admin, auth.p, auth.len, req->principal);
}

static void unauthorized_replica(const fidx__req_t *req, fidx__resp_t *resp)
{
    (void)req;
    fidx__resp_error(resp, 401, "unauthorized",
                     "a valid replica token is required (Authorization: Bearer TOKEN)");
    resp->headers = WWW_AUTHENTICATE;
}

static void unauthorized(const fidx__req_t *req, fidx__resp_t *resp)
{
    int configured = req->w->svc->admin && req->w->cfg->tokens_path;
    fidx__resp_error(resp, 401, "unauthorized",
                     configured ? "a valid analyst token is required (Authorization: Bearer TOKEN)"
                                : "no analyst tokens are configured (--tokens FILE)");
    resp->headers = WWW_AUTHENTICATE;
}

/* A reader takes no writes: they answer 503 not_writer with the writer's address, before any
 * body is read. */
static int not_writer_head(fidx__req_t *req, fidx__resp_t *resp)
{
    if (req->has_body) {
        fidx__resp_not_writer(req, resp);
        return -1;
    }
    req->handler = fidx__resp_not_writer;
    return 0;
}

/* Issue 13 is adding roles to the tokens file (NAME SECRET [ROLE]); until that lands, every
 * valid token may follow this writer. This is the one place that becomes a check of
 * req->principal_role against the `replica` role. */
static int may_replicate(const fidx__req_t *req)
{
    (void)req;
    return 1;
}

static int replica_head(fidx__req_t *req, fidx__resp_t *resp)
{
    req->route = FIDX__ROUTE_REPLICA;
    if (req->w->cfg->follow_url)
        return not_writer_head(req, resp);
    if (authenticate(req) != 0 || !may_replicate(req)) {
        req->principal[0] = '\0';
        fidx__resp_error(resp, 401, "unauthorized",
                         "a valid replica token is required (Authorization: Bearer TOKEN)");
        resp->headers = WWW_AUTHENTICATE;
        if (req->has_body)
            return -1;
        req->handler = unauthorized_replica;
        return 0;
    }
    fidx_str_t sub = fidx_str(req->path.p + REPLICA_PREFIX_LEN, req->path.len - REPLICA_PREFIX_LEN);
    pick(req, replica_routes, sizeof replica_routes / sizeof replica_routes[0], sub);
    req->route = FIDX__ROUTE_REPLICA;
    return 0;
}

static int admin_head(fidx__req_t *req, fidx__resp_t *resp)
{
    req->route = FIDX__ROUTE_ADMIN;
    if (req->w->cfg->follow_url)
        return not_writer_head(req, resp);
    if (authenticate(req) != 0) {
        req->principal[0] = '\0';
        if (req->has_body) { /* refused before the body is read */
            fidx__resp_error(resp, 401, "unauthorized",
                             "a valid analyst token is required (Authorization: Bearer TOKEN)");
            resp->headers = WWW_AUTHENTICATE;
            return -1;
        }
        req->handler = unauthorized;
        return 0;
    }
    if (req->w->cfg->max_admin_body_bytes > req->max_body)
        req->max_body = req->w->cfg->max_admin_body_bytes;
    fidx_str_t sub = fidx_str(req->path.p + PREFIX_LEN, req->path.len - PREFIX_LEN);
    pick(req, admin_routes, sizeof admin_routes / sizeof admin_routes[0], sub);
    req->route = FIDX__ROUTE_ADMIN;
    return 0;
}

static int on_head(fidx__req_t *req, fidx__resp_t *resp)
{
    if (is_admin(req->path))
        return admin_head(req, resp);
    if (has_prefix(req->path, REPLICA_PREFIX, REPLICA_PREFIX_LEN))
        return replica_head(req, resp);
    pick(req, public_routes, sizeof public_routes / sizeof public_routes[0], req->path);
    if (req->handler == fidx__route_reports && req->w->cfg->follow_url)
        return not_writer_head(req, resp);
    return 0;
}

const fidx__app_t fidx__router_app = {.on_head = on_head};
