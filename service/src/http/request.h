/* Requests and responses as the application sees them: the one interface between the transport
 * (conn.c: bytes, framing, http-parser, output) and the routes.
 *
 * The transport knows no route. It asks the application twice per request, through the
 * fidx__app_t a worker carries (set by the server):
 *   - on_head, once the request line and header fields are in and before any body byte is
 *     read: the application picks the request's handler and says how large a body it may send
 *     (req->max_body), or refuses it outright (authentication, for instance);
 *   - then, once the whole request is in, the transport calls req->handler, which answers in
 *     the response it is given, or defers the answer (fidx__req_defer) and sends it later from
 *     the same worker thread (fidx__reply_send).
 * Everything the handler reads is borrowed from the connection until it returns; a deferred
 * answer may keep the body (fidx__req_take_body). */
#ifndef FIDX_SERVICE_HTTP_REQUEST_H
#define FIDX_SERVICE_HTTP_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "reports/netaddr.h"
#include "fidx/error.h"
#include "fidx/str.h"
#include "metrics.h"
#include "service.h"

typedef struct fidx__req fidx__req_t;
typedef struct fidx__resp fidx__resp_t;
typedef struct fidx__reply fidx__reply_t;
typedef void (*fidx__handler_fn)(const fidx__req_t *req, fidx__resp_t *resp);

/* Request header fields the transport keeps for the application (the others are checked for
 * framing and dropped). A value longer than FIDX__KEPT_HEADER_MAX, or a field sent twice, is
 * kept as "bad" (req->kept_bad), never cut short. X-Forwarded-For is the exception, since only
 * its right-most addresses matter (routes/proxy.c): fields sent more than once are joined with
 * "," as RFC 9110 5.3 allows for a list, and a value too long keeps its last
 * FIDX__KEPT_HEADER_MAX bytes, with its bit in kept_bad meaning "cut on the left". */
typedef enum {
    FIDX__H_AUTHORIZATION = 0,
    FIDX__H_RANGE,             /* a replica resuming a snapshot download */
    FIDX__H_IF_NONE_MATCH,     /* a replica asking whether its snapshot is still the writer's; a bot
                                * polling the warnings */
    FIDX__H_X_FORWARDED_FOR,   /* the client behind a trusted proxy */
    FIDX__H_X_FORWARDED_PROTO, /* whether a trusted proxy took the request over TLS */
    FIDX__H_COOKIE,            /* the analysts' console's session */
    FIDX__H_CSRF_TOKEN,        /* X-CSRF-Token: the console's proof that a change is its own */
    FIDX__H_IF_MODIFIED_SINCE, /* a feed reader polling the warnings */
    FIDX__H_COUNT
} fidx__header_id_t;
#define FIDX__KEPT_HEADER_MAX 576 /* a bearer token of 512 bytes and its scheme, with room */

/* What the transport does for a handler that answers later (conn.c implements them). A reply
 * starts with struct fidx__reply; the transport's own fields follow. */
typedef struct {
    fidx__reply_t *(*defer)(const fidx__req_t *req, const fidx__resp_t *resp);
    void (*undefer)(const fidx__req_t *req, fidx__reply_t *r);
    char *(*take_body)(const fidx__req_t *req, size_t *len);
    void (*send)(fidx__reply_t *r, int status, const char *body, size_t len);
    void (*send_resp)(fidx__reply_t *r, const fidx__resp_t *resp);
} fidx__transport_t;

struct fidx__reply {
    const fidx__transport_t *transport;
};

struct fidx__req {
    fidx__worker_t *w; /* the worker: the application's state on this thread */
    int method;        /* enum http_method */
    unsigned http_major, http_minor;
    fidx_str_t target; /* as sent */
    fidx_str_t path;   /* without the query, not decoded */
    fidx_str_t query;  /* without '?', not decoded; {NULL,0} when absent */
    const char *body;
    size_t body_len;
    int has_body;            /* known at on_head: a Content-Length above 0, or chunked */
    fidx_str_t content_type; /* {NULL,0} when absent */
    int content_type_overflow;
    const char *peer;       /* the peer's address as text ("" when unknown); for rate limits */
    fidx__addr_t peer_addr; /* the same as 16 bytes (reports/netaddr.h); all zero when unknown */
    fidx_str_t kept[FIDX__H_COUNT]; /* {NULL,0} when absent */
    unsigned kept_bad;              /* bit per fidx__header_id_t: too long or repeated */

    /* Set by the application's on_head. */
    fidx__handler_fn handler;
    fidx__metric_route_t route; /* the metrics label of the answer */
    uint64_t max_body;
    const char *allow;  /* for a 405, the methods the path takes */
    char principal[72]; /* who the request authenticated as; "" when nobody */
    int principal_role; /* the application's meaning */
    char headers[256];  /* header lines sent with the answer, each ending in CRLF; "" none */

    /* The transport's own. */
    const fidx__transport_t *transport;
    void *conn;
};

struct fidx__resp {
    int status;
    fidx__metric_route_t route; /* for metrics */
    const char *content_type;   /* static */
    const char *allow;          /* static; sent as Allow when set */
    const char *retry_after;    /* static; sent as Retry-After when set */
    int close;                  /* close the connection after this response */
    fidx__sbuf_t *body;         /* the worker's scratch buffer, empty on entry */
    const char *headers;        /* static; more header lines, each ending in CRLF */
    char more[512]; /* computed header lines (ETag, Retry-After), each ending in CRLF; "" none */
    /* A body sent from memory that is not copied (a mapped snapshot), in place of `body`:
     * written after the header section in pieces, with no further request read meanwhile,
     * then released by calling ext_release(ext_arg) on the worker's thread (also when it is
     * not sent: a HEAD request, a connection that closed). ext NULL: none. */
    const char *ext;
    size_t ext_len;
    void (*ext_release)(void *arg);
    void *ext_arg;
};

/* The application's side of the transport (one per service, shared by its workers). */
struct fidx__app {
    /* The headers are in. Sets req->handler, req->route and req->max_body; returns 0 to go on,
     * or refuses the request by filling resp (an error) and returning -1: the transport then
     * answers it and closes the connection without reading the body. */
    int (*on_head)(fidx__req_t *req, fidx__resp_t *resp);
};

#define FIDX__CT_JSON "application/json; charset=utf-8"
#define FIDX__CT_METRICS "text/plain; version=0.0.4; charset=utf-8"

/* Splits req->target into path and query. FIDX_EINVAL when it is not origin-form
 * ("/path?query") or absolute-form ("http://host/path?query"). */
FIDX_MUST_CHECK int fidx__req_split_target(fidx__req_t *req);

/* A response with status 200, JSON, the given (emptied) body buffer. */
void fidx__resp_init(fidx__resp_t *resp, fidx__sbuf_t *body);

/* Replaces the body with {"error":{"code":…,"message":…}} and sets the status. */
void fidx__resp_error(fidx__resp_t *resp, int status, const char *code, const char *message);
void fidx__resp_error_n(fidx__resp_t *resp, int status, const char *code, const char *message,
                        size_t message_len);
void fidx__resp_errorf(fidx__resp_t *resp, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

const char *fidx__status_reason(int status);

/* ---- answering later (a handler whose work runs elsewhere) ---- */

/* Inside a handler: the answer will come later, through fidx__reply_send on the same thread.
 * Meanwhile the connection reads no further request (pipelined ones wait their turn) and no
 * timeout runs. resp gives the metrics route and whether to close. NULL when out of memory:
 * answer at once then. */
fidx__reply_t *fidx__req_defer(const fidx__req_t *req, const fidx__resp_t *resp);
/* Takes a deferral back inside the same handler (which then answers at once). */
void fidx__req_undefer(const fidx__req_t *req, fidx__reply_t *r);
/* Inside a handler: the request body, handed over (caller owns it; free with free()). */
char *fidx__req_take_body(const fidx__req_t *req, size_t *len);
/* Sends a deferred answer (a JSON body, copied) and frees r; if the client has gone, only frees
 * r. On the worker's thread that deferred it. */
void fidx__reply_send(fidx__reply_t *r, int status, const char *body, size_t len);
/* The same with a whole response: status, content type, header lines and body (resp->body is
 * the caller's and is copied; an ext body is handed over). */
void fidx__reply_send_resp(fidx__reply_t *r, const fidx__resp_t *resp);

#endif
