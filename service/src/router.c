/* Routing: method + path → handler. The table is small and static; an unknown path is 404, a
 * known path with a method it does not take is 405 with Allow. HEAD is served wherever GET is
 * (the connection drops the body and keeps the headers). */
#include "router.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <http_parser.h>

#include "route_admin.h"

typedef void (*handler_t)(const fidx__req_t *req, fidx__resp_t *resp);

static const struct {
    const char *path;
    handler_t get, post;
    fidx__route_id_t get_id, post_id;
    const char *allow;
} routes[] = {
    {"/v1/check", fidx__route_check, fidx__route_batch, FIDX__ROUTE_CHECK, FIDX__ROUTE_BATCH,
     "GET, HEAD, POST"},
    {"/v1/scan", NULL, fidx__route_scan, FIDX__ROUTE_OTHER, FIDX__ROUTE_SCAN, "POST"},
    {"/healthz", fidx__route_healthz, NULL, FIDX__ROUTE_HEALTHZ, FIDX__ROUTE_OTHER, "GET, HEAD"},
    {"/v1/info", fidx__route_info, NULL, FIDX__ROUTE_INFO, FIDX__ROUTE_OTHER, "GET, HEAD"},
    {"/metrics", fidx__route_metrics, NULL, FIDX__ROUTE_METRICS, FIDX__ROUTE_OTHER, "GET, HEAD"},
    /* Citizens: the web page (route_page.c) and reports (route_reports.c). */
    {"/v1/reports", NULL, fidx__route_reports, FIDX__ROUTE_OTHER, FIDX__ROUTE_REPORTS, "POST"},
    {"/", fidx__route_page_home, NULL, FIDX__ROUTE_PAGE, FIDX__ROUTE_PAGE, "GET, HEAD"},
    {"/check", fidx__route_page_check, NULL, FIDX__ROUTE_PAGE, FIDX__ROUTE_PAGE, "GET, HEAD"},
    {"/report", fidx__route_page_report, fidx__route_page_report_post, FIDX__ROUTE_PAGE,
     FIDX__ROUTE_PAGE, "GET, HEAD, POST"},
    {"/static/page.css", fidx__route_static, NULL, FIDX__ROUTE_PAGE, FIDX__ROUTE_PAGE, "GET, HEAD"},
    {"/static/page.js", fidx__route_static, NULL, FIDX__ROUTE_PAGE, FIDX__ROUTE_PAGE, "GET, HEAD"},
    {"/static/icon.svg", fidx__route_static, NULL, FIDX__ROUTE_PAGE, FIDX__ROUTE_PAGE, "GET, HEAD"},
};

/* Origin-form, "/path?query#fragment": nearly every request. http-parser has checked the
 * target's characters in the request line, so splitting it is all that is left: the same
 * fields http_parser_parse_url gives (an empty query is none), for a tenth of the work. */
static void split_origin_form(fidx__req_t *req)
{
    const char *p = req->target.p, *end = p + req->target.len, *q = p;
    while (q < end && *q != '?' && *q != '#')
        q++;
    req->path = fidx_str(p, (size_t)(q - p));
    req->query = fidx_str(NULL, 0);
    if (q < end && *q == '?') {
        const char *hash = memchr(q + 1, '#', (size_t)(end - q - 1));
        size_t n = (size_t)((hash ? hash : end) - (q + 1));
        if (n)
            req->query = fidx_str(q + 1, n);
    }
}

int fidx__req_parse_target(fidx__req_t *req)
{
    struct http_parser_url u;
    if (req->target.len && req->target.len <= UINT16_MAX && req->target.p[0] == '/') {
        split_origin_form(req);
        return 0;
    }
    http_parser_url_init(&u);
    if (req->target.len == 0 || req->target.len > UINT16_MAX ||
        http_parser_parse_url(req->target.p, req->target.len, 0, &u) != 0)
        return FIDX_EINVAL;
    if (u.field_set & (1 << UF_PATH))
        req->path = fidx_str(req->target.p + u.field_data[UF_PATH].off, u.field_data[UF_PATH].len);
    else
        req->path = FIDX_STR("/");
    if (u.field_set & (1 << UF_QUERY))
        req->query =
            fidx_str(req->target.p + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len);
    else
        req->query = fidx_str(NULL, 0);
    return 0;
}

void fidx__router_dispatch(const fidx__req_t *req, fidx__resp_t *resp)
{
    if (fidx__route_is_admin(req->path)) { /* the analysts' routes route themselves */
        resp->route = FIDX__ROUTE_ADMIN;
        fidx__route_admin(req, resp);
        return;
    }
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (!fidx_str_eq(req->path, routes[i].path))
            continue;
        if ((req->method == HTTP_GET || req->method == HTTP_HEAD) && routes[i].get) {
            resp->route = routes[i].get_id;
            routes[i].get(req, resp);
        } else if (req->method == HTTP_POST && routes[i].post) {
            resp->route = routes[i].post_id;
            routes[i].post(req, resp);
        } else {
            resp->allow = routes[i].allow;
            fidx__resp_error(resp, 405, "method_not_allowed", "method not allowed");
        }
        return;
    }
    fidx__resp_error(resp, 404, "not_found", "no such resource");
}

void fidx__resp_error_n(fidx__resp_t *resp, int status, const char *code, const char *message,
                        size_t message_len)
{
    fidx__sbuf_t *b = resp->body;
    fidx__sbuf_reset(b, SIZE_MAX);
    resp->status = status;
    resp->content_type = FIDX__CT_JSON;
    fidx__sbuf_puts(b, "{\"error\":{\"code\":");
    fidx__sbuf_json_string(b, code, strlen(code));
    fidx__sbuf_puts(b, ",\"message\":");
    fidx__sbuf_json_string(b, message, message_len);
    fidx__sbuf_puts(b, "}}");
}

void fidx__resp_error(fidx__resp_t *resp, int status, const char *code, const char *message)
{
    fidx__resp_error_n(resp, status, code, message, strlen(message));
}

void fidx__resp_errorf(fidx__resp_t *resp, int status, const char *code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    fidx__resp_error_n(resp, status, code, msg,
                       (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

const char *fidx__status_reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}
