/* Requests and responses as handlers see them, and the routing of method + path to a handler
 * (404 for an unknown path, 405 with Allow for a known path and another method). */
#ifndef FIDX_SERVICE_ROUTER_H
#define FIDX_SERVICE_ROUTER_H

#include <stddef.h>

#include "fidx/str.h"
#include "metrics.h"
#include "sbuf.h"
#include "service.h"

/* Borrowed from the connection until the handler returns. */
typedef struct {
    fidx__worker_t *w;
    int method; /* enum http_method */
    unsigned http_major, http_minor;
    fidx_str_t target; /* as sent */
    fidx_str_t path;   /* without the query, not decoded */
    fidx_str_t query;  /* without '?', not decoded; {NULL,0} when absent */
    const char *body;
    size_t body_len;
    fidx_str_t content_type; /* {NULL,0} when absent */
    int content_type_overflow;
    const char *peer; /* the client's address as text ("" when unknown); for rate limits */
} fidx__req_t;

typedef struct {
    int status;
    fidx__route_id_t route;   /* for metrics */
    const char *content_type; /* static */
    const char *allow;        /* static; sent as Allow when set */
    const char *retry_after;  /* static; sent as Retry-After when set */
    int close;                /* close the connection after this response */
    fidx__sbuf_t *body;       /* the worker's scratch buffer, empty on entry */
    const char *headers;      /* static; more header lines, each ending in CRLF */
    char more[96]; /* computed header lines (ETag, Retry-After), each ending in CRLF; "" none */
} fidx__resp_t;

#define FIDX__CT_JSON "application/json; charset=utf-8"
#define FIDX__CT_METRICS "text/plain; version=0.0.4; charset=utf-8"

/* Splits req->target into path and query. FIDX_EINVAL when it is not origin-form
 * ("/path?query") or absolute-form ("http://host/path?query"). */
FIDX_MUST_CHECK int fidx__req_parse_target(fidx__req_t *req);

void fidx__router_dispatch(const fidx__req_t *req, fidx__resp_t *resp);

/* Replaces the body with {"error":{"code":…,"message":…}} and sets the status. */
void fidx__resp_error(fidx__resp_t *resp, int status, const char *code, const char *message);
void fidx__resp_error_n(fidx__resp_t *resp, int status, const char *code, const char *message,
                        size_t message_len);

void fidx__resp_errorf(fidx__resp_t *resp, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

const char *fidx__status_reason(int status);

/* Handlers (route_check.c, route_batch.c, route_ops.c). */
void fidx__route_check(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_batch(const fidx__req_t *req, fidx__resp_t *resp);
/* The same answer, always through jansson (the batch route's path for other shapes; fuzz_body
 * compares the two). */
void fidx__route_batch_jansson(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_scan(const fidx__req_t *req, fidx__resp_t *resp); /* route_scan.c */
void fidx__route_healthz(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_info(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_metrics(const fidx__req_t *req, fidx__resp_t *resp);

/* The citizens' web page (route_page.c) and reports (route_reports.c). */
void fidx__route_page_home(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_page_check(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_page_report(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_page_report_post(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_static(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_reports(const fidx__req_t *req, fidx__resp_t *resp);

#endif
