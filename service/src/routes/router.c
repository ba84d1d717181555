/* The route table and the choice of a request's handler (router.h). Runs once per request,
 * when its headers are in: the handler it picks is called by the transport once the body is
 * read, so a request passes through here once. */
#include "routes/router.h"

#include <string.h>

#include <http_parser.h>

#include "admin/admin.h"
#include "image/image_probe.h"
#include "routes/common.h"
#include "routes/handlers.h"
#include "routes/limits.h"
#include "routes/session.h"

#define PREFIX_LEN (sizeof FIDX__ADMIN_PREFIX - 1)
#define REPLICA_PREFIX "/v1/replica"
#define REPLICA_PREFIX_LEN (sizeof REPLICA_PREFIX - 1)
#define WWW_AUTHENTICATE "WWW-Authenticate: Bearer realm=\"fraudidx\"\r\n"

typedef struct {
    const char *path; /* exact; or, ending in '/', every path below it */
    fidx__handler_fn get, post, del;
    fidx__metric_route_t get_id, post_id, del_id;
    const char *allow;
    unsigned get_needs, post_needs, del_needs; /* analysts' routes: the rights (admin/roles.h) */
} route_t;

#define R FIDX__ROUTE_OTHER /* no handler for that method */
#define PAGE FIDX__ROUTE_PAGE
#define OPEN 0, 0, 0 /* no token, so no rights needed */

static const route_t public_routes[] = {
    {"/v1/check", fidx__route_check, fidx__route_batch, NULL, FIDX__ROUTE_CHECK, FIDX__ROUTE_BATCH,
     R, "GET, HEAD, POST", OPEN},
    {"/v1/scan", NULL, fidx__route_scan, NULL, R, FIDX__ROUTE_SCAN, R, "POST", OPEN},
    {"/v1/image", NULL, fidx__route_image, NULL, R, FIDX__ROUTE_IMAGE, R, "POST", OPEN},
    {"/healthz", fidx__route_healthz, NULL, NULL, FIDX__ROUTE_HEALTHZ, R, R, "GET, HEAD", OPEN},
    {"/v1/info", fidx__route_info, NULL, NULL, FIDX__ROUTE_INFO, R, R, "GET, HEAD", OPEN},
    {"/metrics", fidx__route_metrics, NULL, NULL, FIDX__ROUTE_METRICS, R, R, "GET, HEAD", OPEN},
    {"/openapi.json", fidx__route_openapi, NULL, NULL, R, R, R, "GET, HEAD", OPEN},
    {"/v1/changes", fidx__route_changes, NULL, NULL, FIDX__ROUTE_CHANGES, R, R, "GET, HEAD", OPEN},
    /* Warnings to the public (warnings.c). */
    {"/v1/warnings", fidx__route_warnings, NULL, NULL, FIDX__ROUTE_WARNINGS, R, R, "GET, HEAD",
     OPEN},
    {"/v1/warnings/", fidx__route_warning_json, NULL, NULL, FIDX__ROUTE_WARNINGS, R, R, "GET, HEAD",
     OPEN},
    {"/warnings.atom", fidx__route_warnings_atom, NULL, NULL, FIDX__ROUTE_WARNINGS, R, R,
     "GET, HEAD", OPEN},
    {"/warnings/", fidx__route_warnings_sub, NULL, NULL, FIDX__ROUTE_WARNINGS, R, R, "GET, HEAD",
     OPEN},
    /* Citizens: the web page (page.c) and reports (reports.c). */
    /* Citizens: the web page (page.c, page_followup.c) and reports (reports.c). */
    {"/v1/reports", NULL, fidx__route_reports, NULL, R, FIDX__ROUTE_REPORTS, R, "POST", OPEN},
    {"/v1/reports/", fidx__route_report_status, NULL, NULL, FIDX__ROUTE_REPORT_STATUS, R, R,
     "GET, HEAD", OPEN},
    {"/", fidx__route_page_home, NULL, NULL, PAGE, R, R, "GET, HEAD", OPEN},
    {"/check", fidx__route_page_check, NULL, NULL, PAGE, R, R, "GET, HEAD", OPEN},
    {"/report", fidx__route_page_report, fidx__route_page_report_post, NULL, PAGE, PAGE, R,
     "GET, HEAD, POST", OPEN},
    {"/report/", fidx__route_page_report_status, NULL, NULL, PAGE, R, R, "GET, HEAD", OPEN},
    {"/dispute", fidx__route_page_dispute, fidx__route_page_dispute_post, NULL, PAGE, PAGE, R,
     "GET, HEAD, POST", OPEN},
    {"/image", NULL, fidx__route_page_image, NULL, R, PAGE, R, "POST", OPEN},
    {"/static/page.css", fidx__route_static, NULL, NULL, PAGE, R, R, "GET, HEAD", OPEN},
    {"/static/page.js", fidx__route_static, NULL, NULL, PAGE, R, R, "GET, HEAD", OPEN},
    {"/static/icon.svg", fidx__route_static, NULL, NULL, PAGE, R, R, "GET, HEAD", OPEN},
};

/* The analysts' console (console.c): its page at /admin/ (exact, see on_head), its files, and
 * its session (sign-in, who am I, sign-out). The session's own routes check the cookie. */
#define ADMIN FIDX__ROUTE_ADMIN
static const route_t console_routes[] = {
    {"/admin/session", fidx__route_console_whoami, fidx__route_console_signin,
     fidx__route_console_signout, ADMIN, ADMIN, ADMIN, "DELETE, GET, HEAD, POST", OPEN},
    {"/admin/static/", fidx__route_console_static, NULL, NULL, PAGE, R, R, "GET, HEAD", OPEN},
    {"/admin", fidx__route_console_page, NULL, NULL, PAGE, R, R, "GET, HEAD", OPEN},
};
#define CONSOLE_PREFIX "/admin"
#define CONSOLE_PREFIX_LEN (sizeof CONSOLE_PREFIX - 1)

/* Below FIDX__ADMIN_PREFIX (paths without it); every one needs an analyst's token, and the
 * token's role must have the rights of the method's column (403 otherwise). */
#define A FIDX__ROUTE_ADMIN
#define STATUS FIDX__RIGHT_STATUS
#define LOOKUP FIDX__RIGHT_LOOKUP
#define REPORTS FIDX__RIGHT_REPORTS
#define LOAD FIDX__RIGHT_LOAD
#define DELIST FIDX__RIGHT_DELIST
#define REVIEW FIDX__RIGHT_REVIEW
#define COMPACT FIDX__RIGHT_COMPACT
#define WARN FIDX__RIGHT_WARN
static const route_t admin_routes[] = {
    {"/indicators", fidx__route_admin_search, fidx__route_admin_add, fidx__route_admin_delist, A, A,
     A, "DELETE, GET, HEAD, POST", LOOKUP, LOAD, DELIST},
    {"/reports", fidx__route_admin_reports, fidx__route_admin_decide_many, NULL, A, A, A,
     "GET, HEAD, POST", REPORTS, REVIEW, 0},
    {"/reports/", fidx__route_admin_report, fidx__route_admin_decide, NULL, A, A, A,
     "GET, HEAD, POST", REPORTS, REVIEW, 0},
    {"/warnings", fidx__route_admin_warnings, fidx__route_admin_warning_new, NULL, A, A, A,
     "GET, HEAD, POST", STATUS, WARN, 0},
    {"/warnings/", fidx__route_admin_warning, fidx__route_admin_warning_change, NULL, A, A, A,
     "GET, HEAD, POST", STATUS, WARN, 0},
    {"/audit", fidx__route_admin_audit, NULL, NULL, A, A, A, "GET, HEAD", STATUS, 0, 0},
    {"/compact", NULL, fidx__route_admin_compact, NULL, A, A, A, "POST", 0, COMPACT, 0},
    {"/status", fidx__route_admin_status, NULL, NULL, A, A, A, "GET, HEAD", STATUS, 0, 0},
    {"/stats", fidx__route_admin_stats, NULL, NULL, A, A, A, "GET, HEAD", REPORTS, 0, 0},
};

/* Below REPLICA_PREFIX; every one needs a token whose role may follow this writer (replica,
 * or admin). */
#define P FIDX__ROUTE_REPLICA
#define REPLICATE FIDX__RIGHT_REPLICATE
static const route_t replica_routes[] = {
    {"/snapshot", fidx__route_replica_snapshot, NULL, NULL, P, R, R, "GET, HEAD", REPLICATE, 0, 0},
    {"/changes", fidx__route_replica_changes, NULL, NULL, P, R, R, "GET, HEAD", REPLICATE, 0, 0},
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

/* Sets the request's handler and metrics label; returns the rights the route needs (0 for a
 * public route, an unknown path or a method the path does not take). */
static unsigned pick(fidx__req_t *req, const route_t *table, size_t n, fidx_str_t path)
{
    for (size_t i = 0; i < n; i++) {
        const route_t *rt = &table[i];
        if (!matches(path, rt->path))
            continue;
        if ((req->method == HTTP_GET || req->method == HTTP_HEAD) && rt->get) {
            req->handler = rt->get;
            req->route = rt->get_id;
            return rt->get_needs;
        }
        if (req->method == HTTP_POST && rt->post) {
            req->handler = rt->post;
            req->route = rt->post_id;
            return rt->post_needs;
        }
        if (req->method == HTTP_DELETE && rt->del) {
            req->handler = rt->del;
            req->route = rt->del_id;
            return rt->del_needs;
        }
        req->handler = not_allowed;
        req->allow = rt->allow;
        return 0;
    }
    req->handler = not_found;
    return 0;
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

/* The token the request carries, checked: 0 with req->principal set to its name and
 * req->principal_role to its role. */
static int authenticate(fidx__req_t *req)
{
    fidx_str_t auth = req->kept[FIDX__H_AUTHORIZATION];
    fidx__role_t role = FIDX__ROLE_REPLICA;
    if (!auth.p || (req->kept_bad & (1u << FIDX__H_AUTHORIZATION)))
        return -1;
    int r = fidx__admin_auth(req->w->svc->admin, auth.p, auth.len, req->principal, &role);
    req->principal_role = (int)role;
    return r;
}

static void unauthorized(const fidx__req_t *req, fidx__resp_t *resp)
{
    int configured = req->w->svc->admin && req->w->cfg->tokens_path;
    fidx__resp_error(resp, 401, "unauthorized",
                     configured ? "a valid analyst token is required (Authorization: Bearer TOKEN)"
                                : "no analyst tokens are configured (--tokens FILE)");
    resp->headers = WWW_AUTHENTICATE;
}

static void unauthorized_replica(const fidx__req_t *req, fidx__resp_t *resp)
{
    (void)req;
    fidx__resp_error(resp, 401, "unauthorized",
                     "a valid replica token is required (Authorization: Bearer TOKEN)");
    resp->headers = WWW_AUTHENTICATE;
}

static void csrf_refused(const fidx__req_t *req, fidx__resp_t *resp)
{
    (void)req;
    fidx__resp_error(resp, 403, "csrf",
                     "a change made with the console's session needs its X-CSRF-Token header");
}

static void forbidden(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__resp_errorf(resp, 403, "forbidden", "the role %s may not use this route",
                      fidx__role_name((fidx__role_t)req->principal_role));
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

/* The route's rights: 0, or the 403 set up (answered at once, -1, when a body would follow). */
static int check_rights(fidx__req_t *req, fidx__resp_t *resp, unsigned needs)
{
    if (fidx__role_may((fidx__role_t)req->principal_role, needs))
        return 0;
    if (req->has_body) { /* like a 401: refused before the body is read */
        forbidden(req, resp);
        return -1;
    }
    req->handler = forbidden;
    return 0;
}

static int replica_head(fidx__req_t *req, fidx__resp_t *resp)
{
    req->route = FIDX__ROUTE_REPLICA;
    if (req->w->cfg->follow_url)
        return not_writer_head(req, resp);
    if (authenticate(req) != 0) {
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
    unsigned needs =
        pick(req, replica_routes, sizeof replica_routes / sizeof replica_routes[0], sub);
    req->route = FIDX__ROUTE_REPLICA;
    return check_rights(req, resp, needs);
}

/* A Bearer token when the request has an Authorization header, else the console's session
 * cookie (whose changes need the session's CSRF token: *csrf_bad otherwise). */
static int authenticate_analyst(fidx__req_t *req, int *csrf_bad)
{
    *csrf_bad = 0;
    if (req->kept[FIDX__H_AUTHORIZATION].p || (req->kept_bad & (1u << FIDX__H_AUTHORIZATION)))
        return authenticate(req);
    return fidx__session_auth(req, csrf_bad);
}

static int admin_head(fidx__req_t *req, fidx__resp_t *resp)
{
    int csrf_bad;
    req->route = FIDX__ROUTE_ADMIN;
    if (req->w->cfg->follow_url)
        return not_writer_head(req, resp);
    int authed = authenticate_analyst(req, &csrf_bad) == 0;
    if (!authed && csrf_bad) {
        req->principal[0] = '\0';
        if (req->has_body) { /* refused before the body is read, like a 401 */
            csrf_refused(req, resp);
            return -1;
        }
        req->handler = csrf_refused;
        return 0;
    }
    if (!authed) {
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
    unsigned needs = pick(req, admin_routes, sizeof admin_routes / sizeof admin_routes[0], sub);
    req->route = FIDX__ROUTE_ADMIN;
    return check_rights(req, resp, needs);
}

static int on_head(fidx__req_t *req, fidx__resp_t *resp)
{
    if (is_admin(req->path))
        return admin_head(req, resp);
    if (has_prefix(req->path, REPLICA_PREFIX, REPLICA_PREFIX_LEN))
        return replica_head(req, resp);
    if (fidx_str_eq(req->path, CONSOLE_PREFIX "/")) {
        if (req->method == HTTP_GET || req->method == HTTP_HEAD) {
            req->handler = fidx__route_console_page;
            req->route = PAGE;
        } else {
            req->handler = not_allowed;
            req->allow = "GET, HEAD";
        }
        return 0;
    }
    if (has_prefix(req->path, CONSOLE_PREFIX, CONSOLE_PREFIX_LEN)) {
        pick(req, console_routes, sizeof console_routes / sizeof console_routes[0], req->path);
        return 0;
    }
    pick(req, public_routes, sizeof public_routes / sizeof public_routes[0], req->path);
    if (req->handler == fidx__route_image) /* an image's own limit, whatever --max-body-bytes */
        req->max_body = FIDX__IMAGE_MAX_BYTES;
    if (req->handler == fidx__route_page_image) /* the same, with the form's other fields */
        req->max_body = FIDX__IMAGE_MAX_BYTES + FIDX__PAGE_IMAGE_FORM_EXTRA;
    if (req->handler == fidx__route_reports && req->w->cfg->follow_url)
        return not_writer_head(req, resp);
    /* Lookups and reports are limited per client or API key (limits.h); the rest is not. */
    fidx__handler_fn h = req->handler;
    if (h == fidx__route_check || h == fidx__route_batch || h == fidx__route_scan ||
        h == fidx__route_image)
        return fidx__limits_head(req, resp, FIDX__LIMIT_LOOKUP);
    if (h == fidx__route_reports || h == fidx__route_page_report_post ||
        h == fidx__route_page_dispute_post)
        return fidx__limits_head(req, resp, FIDX__LIMIT_REPORT);
    return 0;
}

const fidx__app_t fidx__router_app = {.on_head = on_head};
