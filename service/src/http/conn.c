/* A client connection: bytes in, http-parser, one request at a time handed to the application
 * (request.h), responses out in request order. This file knows HTTP, not the routes.
 *
 * Input: libuv reads into the worker's read buffer (shared by its connections: a read is
 * consumed in its callback). Before http-parser sees a byte, the strict scanners of
 * hcheck.c look at it, and they cut the input at the end of each header section and
 * chunked body, so the parser is given one section at a time. The parser pauses at the end of
 * each message; the request is then answered at once (all handlers are synchronous), so
 * pipelined requests are answered in order by construction. When the header section is in,
 * the application's on_head picks the handler and the body limit (before the body is read).
 *
 * Output: responses are appended to out[cur]; at the end of each read (or every max_pipeline
 * responses) the buffer is written with uv_try_write, and what the socket does not take goes
 * out with one uv_write while further responses collect in the other buffer. When a write is
 * pending and max_pipeline responses are waiting, the connection stops reading and keeps the
 * unparsed input in a stash until the client has read its answers (backpressure).
 *
 * Closing: after a response that ends the connection (errors, Connection: close, timeouts,
 * draining) the write side is shut down and the input read and dropped for a short while
 * (lingering close), so the client reads the response instead of a reset. */
#include "http/conn.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <http_parser.h>

#include "base/log.h"
#include "http/accesslog.h"
#include "http/hcheck.h"
#include "http/request.h"

enum { D_NONE = 0, D_CLOSE, D_408_HEADER, D_408_BODY };

#define DEFAULT_RETRY_AFTER "5" /* seconds, for a 503 or 429 whose handler named none */

struct fidx__conn {
    uv_tcp_t tcp;
    fidx__worker_t *w;
    fidx__conn_t *prev, *next;
    http_parser parser;
    fidx__hcheck_t chk;

    uint64_t started_ns; /* first byte of the current request (uv_hrtime) */
    uint64_t deadline;   /* loop time (ms) when on_deadline happens; 0: none */
    uint64_t write_deadline;
    int on_deadline;

    fidx__sbuf_t body;
    fidx__sbuf_t out[2];
    int cur; /* out[cur] collects responses; out[!cur] is being written when inflight */
    unsigned queued;
    uv_write_t wreq;
    uv_shutdown_t sreq;

    char *stash; /* unparsed input kept while paused */
    size_t stash_len, stash_off;
    size_t discarded;

    unsigned in_request : 1, inflight : 1, paused : 1, closing : 1, lingering : 1, closed : 1,
        eof : 1, waiting : 1, turn : 1;

    /* An answer's body sent from the application's memory (request.h, fidx__resp_t.ext):
     * ext_off bytes of it are written or being written. */
    const char *ext;
    size_t ext_off, ext_len;
    void (*ext_release)(void *arg);
    void *ext_arg;
    fidx__conn_t *turn_next; /* in w->heavy_head while it waits its turn (turn) */

    /* The request being read or answered: filled as its parts arrive, handed to the handler. */
    fidx__req_t req;
    int target_ok; /* the target split into path and query */

    /* A request answered later (fidx__req_defer): the connection reads no further request
     * until its answer is sent, so answers stay in request order. */
    struct conn_reply *reply;
    int keep; /* the current request's keep-alive, for a deferred answer */

    /* Header fields kept for the application (request.h): the current field's name, which
     * kept header it is (-1: none), and the values. */
    size_t hname_len;
    char hname[24]; /* the longest kept names, "if-modified-since", "x-forwarded-proto", fit */
    int kept_id;
    unsigned in_hvalue : 1;
    size_t kept_len[FIDX__H_COUNT];
    char kept[FIDX__H_COUNT][FIDX__KEPT_HEADER_MAX];

    /* A parser callback that refuses the request says how here. */
    int fail_status;
    const char *fail_code, *fail_msg;

    char peer[64];
    size_t url_len;
    char url[]; /* max_header_bytes */
};

struct conn_reply {
    fidx__reply_t base;
    fidx__conn_t *c; /* NULL once the connection is gone */
    fidx__metric_route_t route;
    int method, head, keep;
    uint64_t started_ns;
    size_t path_len;
    char path[256]; /* for the access log */
};

static int on_message_begin(http_parser *p);
static int on_url(http_parser *p, const char *at, size_t len);
static int on_header_field(http_parser *p, const char *at, size_t len);
static int on_header_value(http_parser *p, const char *at, size_t len);
static int on_headers_complete(http_parser *p);
static int on_body(http_parser *p, const char *at, size_t len);
static int on_message_complete(http_parser *p);

static const http_parser_settings parser_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

static void flush(fidx__conn_t *c);
static void conn_close(fidx__conn_t *c);

/* Whether the connection reads no further request for now: its client must read answers
 * first (paused), an answer is deferred (waiting), a large request waits its turn, or a body
 * from the application's memory is being sent. */
static int held(const fidx__conn_t *c)
{
    return c->paused || c->waiting || c->turn || c->ext;
}
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

/* The loop's cached time (base/clock.h): timeouts need no fresher one. */
static uint64_t loop_ms(const fidx__conn_t *c)
{
    return uv_now(&c->w->loop);
}

static void set_deadline(fidx__conn_t *c, uint64_t in_ms, int what)
{
    c->deadline = loop_ms(c) + in_ms;
    c->on_deadline = what;
}

/* ---- parser callbacks ---- */

static int refuse(fidx__conn_t *c, int code, const char *reason)
{
    c->fail_status = code == FIDX_ETOOBIG ? 413 : 400;
    c->fail_code = code == FIDX_ETOOBIG ? "too_large" : "bad_request";
    c->fail_msg = reason ? reason : "malformed request";
    return -1;
}

static int on_message_begin(http_parser *p)
{
    fidx__conn_t *c = p->data;
    c->in_request = 1;
    c->started_ns = uv_hrtime();
    c->url_len = 0;
    c->hname_len = 0;
    c->in_hvalue = 0;
    c->kept_id = -1;
    memset(c->kept_len, 0, sizeof c->kept_len);
    c->req.kept_bad = 0;
    c->req.headers[0] = '\0';
    if (c->on_deadline != D_408_HEADER)
        set_deadline(c, c->w->cfg->header_timeout_ms, D_408_HEADER);
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    fidx__conn_t *c = p->data;
    /* The header scanner bounds the whole section, so this holds; it is checked anyway. */
    if (len > c->w->cfg->max_header_bytes - c->url_len)
        return refuse(c, FIDX_ETOOBIG, "request target too long");
    memcpy(c->url + c->url_len, at, len);
    c->url_len += len;
    return 0;
}

/* The scanner runs ahead of the parser, up to the end of the header section. */
static int in_head(const fidx__conn_t *c)
{
    return c->chk.phase == FIDX__HC_HEAD || c->chk.phase == FIDX__HC_HEAD_END;
}

/* Which kept header a field name is (request.h), -1 when none. */
static int kept_header(const char *name, size_t len)
{
    if (len == 13 && strncasecmp(name, "authorization", 13) == 0)
        return FIDX__H_AUTHORIZATION;
    if (len == 5 && strncasecmp(name, "range", 5) == 0)
        return FIDX__H_RANGE;
    if (len == 13 && strncasecmp(name, "if-none-match", 13) == 0)
        return FIDX__H_IF_NONE_MATCH;
    if (len == 17 && strncasecmp(name, "if-modified-since", 17) == 0)
        return FIDX__H_IF_MODIFIED_SINCE;
    if (len == 15 && strncasecmp(name, "x-forwarded-for", 15) == 0)
        return FIDX__H_X_FORWARDED_FOR;
    if (len == 17 && strncasecmp(name, "x-forwarded-proto", 17) == 0)
        return FIDX__H_X_FORWARDED_PROTO;
    if (len == 6 && strncasecmp(name, "cookie", 6) == 0)
        return FIDX__H_COOKIE;
    if (len == 12 && strncasecmp(name, "x-csrf-token", 12) == 0)
        return FIDX__H_CSRF_TOKEN;
    return -1;
}

/* Keeps the values of the fields the application reads (names and values may come in
 * pieces). */
static void note_field(fidx__conn_t *c, const char *at, size_t len)
{
    if (c->in_hvalue)
        c->hname_len = 0, c->in_hvalue = 0;
    if (c->hname_len < sizeof c->hname)
        memcpy(c->hname + c->hname_len, at,
               len < sizeof c->hname - c->hname_len ? len : sizeof c->hname - c->hname_len);
    c->hname_len += len;
}

/* X-Forwarded-For keeps its last FIDX__KEPT_HEADER_MAX bytes (request.h). */
static void keep_tail(fidx__conn_t *c, const char *at, size_t len)
{
    char *b = c->kept[FIDX__H_X_FORWARDED_FOR];
    size_t *n = &c->kept_len[FIDX__H_X_FORWARDED_FOR];
    if (len > FIDX__KEPT_HEADER_MAX - *n) {
        c->req.kept_bad |= 1u << FIDX__H_X_FORWARDED_FOR;
        if (len >= FIDX__KEPT_HEADER_MAX) {
            at += len - FIDX__KEPT_HEADER_MAX;
            len = FIDX__KEPT_HEADER_MAX;
            *n = 0;
        } else {
            size_t drop = len - (FIDX__KEPT_HEADER_MAX - *n);
            memmove(b, b + drop, *n - drop);
            *n -= drop;
        }
    }
    memcpy(b + *n, at, len);
    *n += len;
}

static void note_value(fidx__conn_t *c, const char *at, size_t len)
{
    if (!c->in_hvalue) {
        c->in_hvalue = 1;
        c->kept_id = c->hname_len <= sizeof c->hname ? kept_header(c->hname, c->hname_len) : -1;
        if (c->kept_id == FIDX__H_X_FORWARDED_FOR && c->kept_len[c->kept_id])
            keep_tail(c, ",", 1); /* a list given in several fields is one list */
        else if (c->kept_id >= 0 && c->kept_len[c->kept_id])
            c->req.kept_bad |= 1u << c->kept_id; /* given twice */
    }
    if (c->kept_id < 0)
        return;
    if (c->kept_id == FIDX__H_X_FORWARDED_FOR) {
        keep_tail(c, at, len);
        return;
    }
    size_t *n = &c->kept_len[c->kept_id];
    if (len > FIDX__KEPT_HEADER_MAX - *n) {
        c->req.kept_bad |= 1u << c->kept_id;
        return;
    }
    memcpy(c->kept[c->kept_id] + *n, at, len);
    *n += len;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    fidx__conn_t *c = p->data;
    if (!in_head(c))
        return 0; /* trailer fields of a chunked body: framed strictly, otherwise ignored */
    note_field(c, at, len);
    int r = fidx__hcheck_field(&c->chk, at, len);
    return r ? refuse(c, r, c->chk.reason) : 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    fidx__conn_t *c = p->data;
    if (!in_head(c))
        return 0;
    note_value(c, at, len);
    int r = fidx__hcheck_value(&c->chk, at, len);
    return r ? refuse(c, r, c->chk.reason) : 0;
}

static void init_resp(fidx__conn_t *c, fidx__resp_t *r);
static void answer_and_close(fidx__conn_t *c, fidx__resp_t *r);

/* The request line and header fields are in: fill the request and let the application pick
 * its handler and body limit. -1 when the application refused it (answered; closing). */
static int start_request(fidx__conn_t *c, const http_parser *p, int has_body)
{
    fidx__req_t *req = &c->req;
    req->method = p->method;
    req->http_major = p->http_major;
    req->http_minor = p->http_minor;
    req->target = fidx_str(c->url, c->url_len);
    req->has_body = has_body;
    for (int i = 0; i < FIDX__H_COUNT; i++)
        req->kept[i] = c->kept_len[i] ? fidx_str(c->kept[i], c->kept_len[i]) : fidx_str(NULL, 0);
    req->handler = NULL;
    req->route = FIDX__ROUTE_OTHER;
    req->allow = NULL;
    req->principal[0] = '\0';
    req->principal_role = 0;
    req->headers[0] = '\0';
    req->max_body = c->w->cfg->max_body_bytes;
    c->target_ok = fidx__req_split_target(req) == 0;
    if (c->target_ok) {
        fidx__resp_t r;
        init_resp(c, &r);
        if (c->w->app->on_head(req, &r) != 0) {
            answer_and_close(c, &r);
            return -1;
        }
    }
    c->chk.max_body_bytes = req->max_body;
    c->body.max = req->max_body;
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    fidx__conn_t *c = p->data;
    int chunked = (p->flags & F_CHUNKED) != 0;
    /* The parser's count, not the framing check's: that one finishes the last header field
     * only in fidx__hcheck_headers_done, so a Content-Length sent last was not counted yet and
     * a refused upload had its body read after all. */
    int announced = p->content_length > 0 && p->content_length != ULLONG_MAX;
    if (start_request(c, p, chunked || announced))
        return -1;
    int r = fidx__hcheck_headers_done(&c->chk, p->http_major, p->http_minor, chunked);
    if (r)
        return refuse(c, r, c->chk.reason);
    if (p->method == HTTP_CONNECT) {
        c->fail_status = 405;
        c->fail_code = "method_not_allowed";
        c->fail_msg = "CONNECT is not supported";
        return -1;
    }
    int has_body = chunked || (c->chk.n_content_length && c->chk.content_length > 0);
    if (has_body) {
        set_deadline(c, c->w->cfg->body_timeout_ms, D_408_BODY);
        if (c->chk.expect_continue && p->http_minor >= 1)
            fidx__sbuf_puts(&c->out[c->cur], "HTTP/1.1 100 Continue\r\n\r\n");
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    fidx__conn_t *c = p->data;
    fidx__sbuf_put(&c->body, at, len);
    if (c->body.failed)
        return refuse(c, FIDX_ETOOBIG, "request body too large");
    return 0;
}

static int on_message_complete(http_parser *p)
{
    /* Stop here: the request is answered before the parser reads the next one. */
    http_parser_pause(p, 1);
    return 0;
}

/* ---- responses ---- */

static const char *date_header(fidx__worker_t *w, size_t *len)
{
    int64_t now = (int64_t)time(NULL);
    if (now != w->date_sec) {
        struct tm tm;
        time_t t = (time_t)now;
        gmtime_r(&t, &tm);
        w->date_len = strftime(w->date, sizeof w->date, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
        w->date_sec = now;
    }
    *len = w->date_len;
    return w->date;
}

/* Takes over an answer's external body (request.h): it is sent after what is queued now, or,
 * when there is nothing to send (HEAD, 304), released at once. */
static void take_ext(fidx__conn_t *c, const fidx__resp_t *r, int send)
{
    if (!r->ext)
        return;
    if (!send || r->ext_len == 0 || c->ext) {
        if (r->ext_release)
            r->ext_release(r->ext_arg);
        return;
    }
    c->ext = r->ext;
    c->ext_off = 0;
    c->ext_len = r->ext_len;
    c->ext_release = r->ext_release;
    c->ext_arg = r->ext_arg;
}

static void release_ext(fidx__conn_t *c)
{
    if (!c->ext)
        return;
    c->ext = NULL;
    if (c->ext_release)
        c->ext_release(c->ext_arg);
}

/* Appends one response to out[cur]. No printf: this runs for every request. */
static void emit(fidx__conn_t *c, const fidx__resp_t *r, int keep, int head)
{
    fidx__sbuf_t *o = &c->out[c->cur];
    size_t date_len;
    const char *date = date_header(c->w, &date_len);
    const fidx__sbuf_t *body = r->body;
    int not_modified = r->status == 304; /* no body, and no length of one */
    fidx__sbuf_puts(o, "HTTP/1.1 ");
    fidx__sbuf_putu(o, (uint64_t)r->status);
    fidx__sbuf_put(o, " ", 1);
    fidx__sbuf_puts(o, fidx__status_reason(r->status));
    fidx__sbuf_put(o, "\r\n", 2);
    fidx__sbuf_put(o, date, date_len);
    fidx__sbuf_puts(o, "Content-Type: ");
    fidx__sbuf_puts(o, r->content_type);
    /* No browser may read a JSON answer as HTML: values in it are the client's own text. */
    fidx__sbuf_puts(o, "\r\nX-Content-Type-Options: nosniff\r\n");
    if (!not_modified) {
        fidx__sbuf_puts(o, "Content-Length: ");
        fidx__sbuf_putu(o, r->ext ? r->ext_len : body->len);
        fidx__sbuf_put(o, "\r\n", 2);
    }
    if (r->allow) {
        fidx__sbuf_puts(o, "Allow: ");
        fidx__sbuf_puts(o, r->allow);
        fidx__sbuf_put(o, "\r\n", 2);
    }
    if (r->retry_after) {
        fidx__sbuf_puts(o, "Retry-After: ");
        fidx__sbuf_puts(o, r->retry_after);
        fidx__sbuf_put(o, "\r\n", 2);
    } else if ((r->status == 503 || r->status == 429) && !strstr(r->more, "Retry-After") &&
               !(c->in_request && strstr(c->req.headers, "Retry-After"))) {
        /* Every "try again later" says when: clients and proxies back off instead of
         * hammering. The handler's own value, when it knows better, is in r->more. */
        fidx__sbuf_puts(o, "Retry-After: " DEFAULT_RETRY_AFTER "\r\n");
    }
    if (r->headers)
        fidx__sbuf_puts(o, r->headers);
    if (r->more[0])
        fidx__sbuf_puts(o, r->more);
    if (c->in_request && c->req.headers[0])
        fidx__sbuf_puts(o, c->req.headers);
    if (!keep)
        fidx__sbuf_puts(o, "Connection: close\r\n");
    else if (c->parser.http_major == 1 && c->parser.http_minor == 0)
        fidx__sbuf_puts(o, "Connection: keep-alive\r\n");
    fidx__sbuf_put(o, "\r\n", 2);
    if (!head && !not_modified && !r->ext)
        fidx__sbuf_put(o, body->p, body->len);
    take_ext(c, r, !head && !not_modified && !o->failed);
    c->queued++;
    if (o->failed) {
        /* More than FIDX__OUT_MAX queued: the client does not read; give up on it. */
        fidx__log(FIDX__LOG_WARN, "dropping a connection with too much unread output");
        conn_close(c);
    }
}

static void log_access(fidx__conn_t *c, const fidx__req_t *req, const fidx__resp_t *r, uint64_t ns)
{
    fidx__worker_t *w = c->w;
    if (w->svc->access_fd < 0)
        return;
    const char *method = req ? http_method_str((enum http_method)req->method) : NULL;
    fidx__accesslog_line(&w->access, (int64_t)time(NULL), c->peer, method,
                         req ? req->path : fidx_str(NULL, 0), c->parser.http_major,
                         c->parser.http_minor, r->status, r->body->len, ns);
    if (w->access.len > 32 * 1024)
        fidx__accesslog_flush(w->svc->access_fd, &w->access);
}

static void init_resp(fidx__conn_t *c, fidx__resp_t *r)
{
    fidx__sbuf_reset(&c->w->scratch, 1024 * 1024);
    fidx__resp_init(r, &c->w->scratch);
}

/* Sends r as the last answer of the connection (the caller flushes). */
static void answer_and_close(fidx__conn_t *c, fidx__resp_t *r)
{
    emit(c, r, 0, 0);
    uint64_t ns = c->in_request ? uv_hrtime() - c->started_ns : 0;
    fidx__metrics_request(&c->w->metrics, r->route, r->status, ns);
    log_access(c, NULL, r, ns);
    c->closing = 1;
    c->in_request = 0;
}

/* Answers with an error and closes: refused requests, timeouts, over the connection limit. */
static void fail_close(fidx__conn_t *c, int status, const char *code, const char *msg)
{
    fidx__resp_t r;
    if (c->closing)
        return;
    init_resp(c, &r);
    fidx__resp_error(&r, status, code, msg);
    answer_and_close(c, &r);
    flush(c);
}

static void reset_request(fidx__conn_t *c)
{
    fidx__hcheck_reset(&c->chk);
    fidx__sbuf_reset(&c->body, FIDX__KEEP_BUFFER);
    c->url_len = 0;
    c->in_request = 0;
}

static const fidx__transport_t transport; /* the deferred-answer calls, below */

/* The parser paused at the end of a message: answer it. */
static void finish_request(fidx__conn_t *c)
{
    fidx__worker_t *w = c->w;
    fidx__req_t *req = &c->req;
    req->body = c->body.p;
    req->body_len = c->body.len;
    req->content_type = c->chk.content_type_len || c->chk.content_type_overflow
                            ? fidx_str(c->chk.content_type, c->chk.content_type_len)
                            : fidx_str(NULL, 0);
    req->content_type_overflow = c->chk.content_type_overflow;
    fidx__resp_t r;
    int keep = http_should_keep_alive(&c->parser) && !c->parser.upgrade && !w->draining;
    init_resp(c, &r);
    r.route = req->route;
    c->keep = keep;
    if (!c->target_ok)
        fidx__resp_error(&r, 400, "bad_request", "malformed request target");
    else
        req->handler(req, &r);
    if (c->reply) { /* answered later: see reply_send */
        size_t n = req->path.len < sizeof c->reply->path ? req->path.len : sizeof c->reply->path;
        memcpy(c->reply->path, req->path.p, n);
        c->reply->path_len = n;
        c->waiting = 1;
        reset_request(c);
        c->deadline = 0; /* the answer may take a while: no timeout meanwhile */
        return;
    }
    if (r.body->failed)
        fidx__resp_error(&r, 500, "internal", "response too large");
    if (r.close)
        keep = 0;
    emit(c, &r, keep, req->method == HTTP_HEAD);
    uint64_t ns = uv_hrtime() - c->started_ns;
    fidx__metrics_request(&w->metrics, r.route, r.status, ns);
    log_access(c, req, &r, ns);
    reset_request(c);
    set_deadline(c, w->cfg->idle_timeout_ms, D_CLOSE);
    if (!keep)
        c->closing = 1;
}

/* ---- input ---- */

/* How many of the next `*take` bytes the parser may see now (see the file comment). */
static int frame(fidx__conn_t *c, const char *p, size_t *take)
{
    switch (c->chk.phase) {
    case FIDX__HC_HEAD:
        return fidx__hcheck_head(&c->chk, p, *take, take);
    case FIDX__HC_CHUNKED:
        return fidx__hcheck_chunked(&c->chk, p, *take, take);
    case FIDX__HC_HEAD_END: /* the parser stopped inside a header section it was given whole */
        c->chk.reason = "malformed request";
        return FIDX_EINVAL;
    default:
        return 0;
    }
}

static void parse_failed(fidx__conn_t *c)
{
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    fidx__counter_add(&c->w->metrics.bad_requests, 1);
    if (c->fail_status)
        fail_close(c, c->fail_status, c->fail_code, c->fail_msg);
    else
        fail_close(c, 400, "bad_request", http_errno_description(e));
}

/* ---- large requests take turns ----
 *
 * A worker answers its connections one callback at a time, so one client sending 1 MB
 * batches on a few connections made every other client's lookup wait behind them (GET p50
 * from 0.1 ms to 14 ms with 4 such connections, 980 ms with 64). A request whose body is over
 * HEAVY_BODY_BYTES runs at once only if no other large request ran in this turn of the loop;
 * otherwise its connection waits in w's queue (reading nothing more meanwhile) and the queue
 * gives one such request a turn, after the loop's I/O callbacks, per loop iteration. So small
 * requests never wait for more than one large one, and large ones still take all the time
 * that small ones leave. */

#define HEAVY_BODY_BYTES (16 * 1024)

static void continue_input(fidx__conn_t *c);

/* After a request has been answered: write when the client has many answers waiting. */
static void after_answer(fidx__conn_t *c)
{
    if (c->queued >= c->w->cfg->max_pipeline && !c->closing) {
        flush(c);
        if (c->inflight)
            c->paused = 1;
    }
}

static void answer_now(fidx__conn_t *c)
{
    if (c->body.len > HEAVY_BODY_BYTES)
        c->w->heavy_ran = 1;
    finish_request(c);
    after_answer(c);
}

/* A complete large request while another ran in this turn: queue c. 1 when queued. */
static int wait_turn(fidx__conn_t *c)
{
    fidx__worker_t *w = c->w;
    if (c->body.len <= HEAVY_BODY_BYTES || !w->heavy_ran)
        return 0;
    c->turn = 1;
    c->deadline = 0; /* the wait is the server's, not the client's */
    c->turn_next = NULL;
    if (w->heavy_tail)
        w->heavy_tail->turn_next = c;
    else
        w->heavy_head = c;
    w->heavy_tail = c;
    uv_idle_start(&w->heavy_idle, fidx__conn_keep_turning);
    return 1;
}

static void leave_turns(fidx__conn_t *c)
{
    fidx__worker_t *w = c->w;
    fidx__conn_t **p = &w->heavy_head, *prev = NULL;
    while (*p && *p != c)
        prev = *p, p = &(*p)->turn_next;
    if (!*p)
        return;
    *p = c->turn_next;
    if (w->heavy_tail == c)
        w->heavy_tail = prev;
    c->turn = 0;
}

void fidx__conn_keep_turning(uv_idle_t *h)
{
    (void)h; /* only keeps the loop from blocking while requests wait their turn */
}

void fidx__conn_take_turns(uv_check_t *h)
{
    fidx__worker_t *w = h->data;
    fidx__conn_t *c = w->heavy_head;
    w->heavy_ran = 0;
    if (!c) {
        uv_idle_stop(&w->heavy_idle);
        return;
    }
    leave_turns(c);
    if (!w->heavy_head)
        uv_idle_stop(&w->heavy_idle);
    answer_now(c);
    if (c->closing || held(c))
        flush(c);
    else
        continue_input(c);
}

/* Feeds p[0..n) through the checks and the parser, answering each complete request. Returns
 * how many bytes were consumed: fewer than n when the connection paused or is closing. */
static size_t feed(fidx__conn_t *c, const char *p, size_t n)
{
    size_t off = 0;
    while (off < n && !c->closing && !held(c)) {
        size_t take = n - off;
        int r = frame(c, p + off, &take);
        if (r) {
            fidx__counter_add(&c->w->metrics.bad_requests, 1);
            fail_close(c, r == FIDX_ETOOBIG ? 413 : 400,
                       r == FIDX_ETOOBIG ? "too_large" : "bad_request", c->chk.reason);
            break;
        }
        /* The header timeout runs from the first byte of a request (empty lines included),
         * and is not restarted by more bytes: a client trickling bytes is still cut off. */
        if (c->chk.phase == FIDX__HC_HEAD && c->on_deadline != D_408_HEADER)
            set_deadline(c, c->w->cfg->header_timeout_ms, D_408_HEADER);
        size_t got = http_parser_execute(&c->parser, &parser_settings, p + off, take);
        off += got;
        enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
        if (e == HPE_PAUSED) {
            http_parser_pause(&c->parser, 0);
            if (wait_turn(c))
                break;
            answer_now(c);
        } else if (e != HPE_OK || got != take) {
            parse_failed(c);
            break;
        }
    }
    return off;
}

static void stash_rest(fidx__conn_t *c, const char *p, size_t n)
{
    if (c->stash && p >= c->stash && p <= c->stash + c->stash_len) {
        c->stash_off = (size_t)(p - c->stash);
        return;
    }
    c->stash = malloc(n);
    if (!c->stash) {
        fidx__log(FIDX__LOG_ERROR, "out of memory keeping pipelined input; closing");
        conn_close(c);
        return;
    }
    memcpy(c->stash, p, n);
    c->stash_len = n;
    c->stash_off = 0;
    uv_read_stop((uv_stream_t *)&c->tcp);
}

static void drop_stash(fidx__conn_t *c)
{
    free(c->stash);
    c->stash = NULL;
    c->stash_len = c->stash_off = 0;
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf);

static void start_reading(fidx__conn_t *c)
{
    int r = uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
    if (r != 0 && r != UV_EALREADY)
        conn_close(c);
}

/* The client has read enough: go on with stashed input, then with the socket. */
/* Goes on with stashed input, then with the socket, unless a pause or a deferred answer
 * stops it again. */
static void continue_input(fidx__conn_t *c)
{
    if (c->stash) {
        size_t n = c->stash_len - c->stash_off;
        size_t used = feed(c, c->stash + c->stash_off, n);
        if (held(c) && used < n && !c->closing) {
            c->stash_off += used;
            flush(c);
            return;
        }
        drop_stash(c);
    }
    if (!c->closing && !c->closed && !held(c))
        start_reading(c);
    flush(c);
}

static void resume(fidx__conn_t *c)
{
    if (!c->paused || c->inflight || c->closing)
        return;
    c->paused = 0;
    if (!c->waiting && !c->turn)
        continue_input(c);
}

/* ---- output and closing ---- */

static void on_shutdown(uv_shutdown_t *req, int status)
{
    fidx__conn_t *c = req->data;
    if (status < 0 || c->eof)
        conn_close(c);
}

/* All output is written and the connection is to end: half-close, then read and drop what the
 * client still sends for a moment, so that it reads our answer instead of a reset. */
static void start_linger(fidx__conn_t *c)
{
    if (c->lingering || c->closed)
        return;
    c->lingering = 1;
    drop_stash(c);
    set_deadline(c, FIDX__LINGER_MS, D_CLOSE);
    c->sreq.data = c;
    if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
        conn_close(c);
        return;
    }
    if (!c->eof)
        start_reading(c);
}

static void output_drained(fidx__conn_t *c)
{
    if (c->closing)
        start_linger(c);
    else if (c->w->draining && !c->in_request && !held(c))
        conn_close(c);
}

static void write_ext(fidx__conn_t *c);

static void on_write(uv_write_t *req, int status)
{
    fidx__conn_t *c = req->data;
    c->inflight = 0;
    c->write_deadline = 0;
    fidx__sbuf_reset(&c->out[c->cur ^ 1], FIDX__KEEP_BUFFER);
    if (c->closed)
        return;
    if (status < 0) {
        conn_close(c);
        return;
    }
    flush(c);
    if (!c->inflight)
        resume(c);
}

static void flush(fidx__conn_t *c)
{
    if (c->inflight || c->closed)
        return;
    fidx__sbuf_t *o = &c->out[c->cur];
    if (o->len == 0) {
        if (c->ext)
            write_ext(c);
        else
            output_drained(c);
        return;
    }
    uv_buf_t b = uv_buf_init(o->p, (unsigned)o->len);
    int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (n == UV_EAGAIN)
        n = 0;
    if (n < 0) {
        conn_close(c);
        return;
    }
    c->queued = 0;
    if ((size_t)n == o->len) {
        fidx__sbuf_reset(o, FIDX__KEEP_BUFFER);
        if (c->ext)
            write_ext(c);
        else
            output_drained(c);
        return;
    }
    b = uv_buf_init(o->p + n, (unsigned)(o->len - (size_t)n));
    c->inflight = 1;
    c->cur ^= 1;
    c->wreq.data = c;
    c->write_deadline = loop_ms(c) + c->w->cfg->idle_timeout_ms;
    if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_write) != 0) {
        c->inflight = 0;
        conn_close(c);
    }
}

/* An external body goes out in pieces of this size, each with its own write deadline, so a
 * large one (a replica's snapshot) is timed by progress, not as a whole. */
#define EXT_PIECE (1024 * 1024)

/* The external body is written: release it and read on. */
static void ext_done(fidx__conn_t *c)
{
    release_ext(c);
    set_deadline(c, c->w->cfg->idle_timeout_ms, D_CLOSE);
    if (c->closing || held(c))
        flush(c);
    else
        continue_input(c);
}

/* Writes the external body from ext_off: as much as the socket takes at once, then the rest
 * of a piece with uv_write (on_write comes back here through flush). */
static void write_ext(fidx__conn_t *c)
{
    while (c->ext_off < c->ext_len) {
        size_t n = c->ext_len - c->ext_off;
        if (n > EXT_PIECE)
            n = EXT_PIECE;
        uv_buf_t b = uv_buf_init((char *)c->ext + c->ext_off, (unsigned)n);
        int w = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
        if (w == UV_EAGAIN)
            w = 0;
        if (w < 0) {
            conn_close(c);
            return;
        }
        c->ext_off += (size_t)w;
        if ((size_t)w == n)
            continue;
        b = uv_buf_init((char *)c->ext + c->ext_off, (unsigned)(n - (size_t)w));
        c->ext_off += n - (size_t)w; /* counted now: written once on_write succeeds */
        c->inflight = 1;
        c->wreq.data = c;
        c->deadline = 0; /* timed by the write deadline while it makes progress */
        c->write_deadline = loop_ms(c) + c->w->cfg->idle_timeout_ms;
        if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_write) != 0) {
            c->inflight = 0;
            conn_close(c);
        }
        return;
    }
    ext_done(c);
}

static void on_close(uv_handle_t *h)
{
    fidx__conn_t *c = h->data;
    fidx__worker_t *w = c->w;
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    w->n_conns--;
    atomic_fetch_sub(&w->svc->open_connections, 1);
    if (c->reply)
        c->reply->c = NULL; /* its answer has nowhere to go */
    if (c->turn)
        leave_turns(c);
    release_ext(c);
    drop_stash(c);
    fidx__sbuf_free(&c->body);
    fidx__sbuf_free(&c->out[0]);
    fidx__sbuf_free(&c->out[1]);
    free(c);
    if (w->draining && w->n_conns == 0)
        w->drained(w);
}

static void conn_close(fidx__conn_t *c)
{
    if (c->closed)
        return;
    c->closed = 1;
    c->closing = 1;
    uv_close((uv_handle_t *)&c->tcp, on_close);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    fidx__conn_t *c = h->data;
    *buf = uv_buf_init(c->w->readbuf, FIDX__READ_BUFFER);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    fidx__conn_t *c = s->data;
    if (nread == 0 || c->closed)
        return;
    if (nread < 0) {
        c->eof = 1;
        /* A client that half-closes after its requests still gets the answers. */
        if (nread == UV_EOF && !c->in_request && !c->lingering &&
            (c->inflight || c->out[c->cur].len)) {
            c->closing = 1;
            return;
        }
        if (nread == UV_EOF && (c->waiting || c->turn) && !c->lingering)
            return; /* the deferred answer is sent, then the connection closed */
        conn_close(c);
        return;
    }
    if (c->closing) {
        c->discarded += (size_t)nread;
        if (c->discarded > FIDX__LINGER_BYTES)
            conn_close(c);
        return;
    }
    size_t n = (size_t)nread;
    size_t used = feed(c, buf->base, n);
    if (held(c) && used < n && !c->closing)
        stash_rest(c, buf->base + used, n - used);
    flush(c);
}

/* ---- accepting, timeouts, draining ---- */

static fidx__conn_t *conn_new(fidx__worker_t *w)
{
    const fidx__config_t *cfg = w->cfg;
    fidx__conn_t *c = calloc(1, sizeof *c + cfg->max_header_bytes);
    if (!c)
        return NULL;
    c->w = w;
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    fidx__hcheck_init(&c->chk, cfg->max_header_bytes, cfg->max_body_bytes);
    fidx__sbuf_init(&c->body, cfg->max_body_bytes);
    fidx__sbuf_init(&c->out[0], FIDX__OUT_MAX);
    fidx__sbuf_init(&c->out[1], FIDX__OUT_MAX);
    c->req.w = w;
    c->req.peer = c->peer;
    c->req.transport = &transport;
    c->req.conn = c;
    return c;
}

static void note_peer(fidx__conn_t *c)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    static const uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) != 0)
        return;
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        uv_ip6_name(a, c->peer, sizeof c->peer);
        memcpy(c->req.peer_addr.b, &a->sin6_addr, 16);
    } else if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        uv_ip4_name(a, c->peer, sizeof c->peer);
        memcpy(c->req.peer_addr.b, v4_prefix, 12);
        memcpy(c->req.peer_addr.b + 12, &a->sin_addr, 4);
    }
}

void fidx__conn_open(fidx__worker_t *w, int fd)
{
    fidx__conn_t *c = conn_new(w);
    if (!c) {
        fidx__log_limited(&w->svc->accept_log, 1000, FIDX__LOG_ERROR,
                          "out of memory accepting a connection");
        close(fd);
        return;
    }
    uv_tcp_init(&w->loop, &c->tcp);
    c->tcp.data = c;
    c->next = w->conns;
    if (w->conns)
        w->conns->prev = c;
    w->conns = c;
    w->n_conns++;
    unsigned open = atomic_fetch_add(&w->svc->open_connections, 1) + 1;
    if (uv_tcp_open(&c->tcp, fd) != 0) {
        close(fd);
        conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    note_peer(c); /* for the access log and the report rate limit */
    /* A new connection has the header timeout to send its first request. */
    set_deadline(c, w->cfg->header_timeout_ms, D_CLOSE);
    if (open > w->cfg->max_connections) {
        fidx__counter_add(&w->metrics.connections_rejected, 1);
        fail_close(c, 503, "unavailable", "too many connections");
        return;
    }
    fidx__counter_add(&w->metrics.connections_accepted, 1);
    start_reading(c);
}

static void deadline_passed(fidx__conn_t *c)
{
    switch (c->on_deadline) {
    case D_408_HEADER:
    case D_408_BODY:
        fidx__counter_add(&c->w->metrics.timeouts, 1);
        c->deadline = 0;
        fail_close(c, 408, "timeout",
                   c->on_deadline == D_408_HEADER ? "request header timeout"
                                                  : "request body timeout");
        /* Still inside the lingering allowance if the client never reads. */
        if (!c->lingering)
            set_deadline(c, c->w->cfg->idle_timeout_ms, D_CLOSE);
        break;
    default:
        conn_close(c);
    }
}

void fidx__conn_sweep(fidx__worker_t *w)
{
    uint64_t now = uv_now(&w->loop);
    for (fidx__conn_t *c = w->conns; c; c = c->next) {
        if (c->closed)
            continue;
        if (c->write_deadline && now >= c->write_deadline) {
            fidx__counter_add(&w->metrics.timeouts, 1);
            conn_close(c);
        } else if (c->deadline && now >= c->deadline) {
            deadline_passed(c);
        }
    }
}

void fidx__conn_drain(fidx__worker_t *w)
{
    uint64_t until = uv_now(&w->loop) + w->cfg->drain_timeout_ms;
    for (fidx__conn_t *c = w->conns; c; c = c->next) {
        if (c->closed)
            continue;
        if (!c->in_request && !c->inflight && !held(c) && c->out[c->cur].len == 0 &&
            !c->lingering) {
            conn_close(c);
        } else if (!c->deadline || c->deadline > until) {
            c->deadline = until;
            c->on_deadline = D_CLOSE;
        }
    }
}

/* ---- answering later (request.h) ---- */

static fidx__reply_t *conn_defer(const fidx__req_t *req, const fidx__resp_t *resp)
{
    fidx__conn_t *c = req->conn;
    if (c->reply)
        return NULL;
    struct conn_reply *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->base.transport = &transport;
    r->c = c;
    r->route = resp->route;
    r->method = req->method;
    r->head = req->method == HTTP_HEAD;
    r->keep = c->keep && !resp->close;
    r->started_ns = c->started_ns;
    c->reply = r;
    return &r->base;
}

static void conn_undefer(const fidx__req_t *req, fidx__reply_t *rb)
{
    fidx__conn_t *c = req->conn;
    struct conn_reply *r = (struct conn_reply *)rb;
    if (c->reply == r)
        c->reply = NULL;
    free(r);
}

static void conn_send_resp(fidx__reply_t *rb, const fidx__resp_t *resp)
{
    struct conn_reply *rp = (struct conn_reply *)rb;
    fidx__conn_t *c = rp->c;
    if (!c || c->closed) {
        if (resp->ext && resp->ext_release)
            resp->ext_release(resp->ext_arg);
        free(rp);
        return;
    }
    fidx__worker_t *w = c->w;
    fidx__resp_t r = *resp;
    r.route = rp->route;
    int keep = rp->keep && !w->draining && !c->eof && !resp->close;
    emit(c, &r, keep, rp->head);
    uint64_t ns = uv_hrtime() - rp->started_ns;
    fidx__metrics_request(&w->metrics, r.route, r.status, ns);
    fidx__req_t req = {.w = w, .method = rp->method, .path = fidx_str(rp->path, rp->path_len)};
    log_access(c, &req, &r, ns);
    c->reply = NULL;
    free(rp);
    if (c->closed)
        return; /* emit gave up on a client that does not read */
    c->waiting = 0;
    set_deadline(c, w->cfg->idle_timeout_ms, D_CLOSE);
    if (!keep)
        c->closing = 1;
    if (c->closing || c->paused)
        flush(c);
    else
        continue_input(c);
}

static void conn_send(fidx__reply_t *rb, int status, const char *body, size_t len)
{
    struct conn_reply *rp = (struct conn_reply *)rb;
    fidx__resp_t r;
    if (!rp->c || rp->c->closed) {
        free(rp);
        return;
    }
    init_resp(rp->c, &r);
    r.status = status;
    fidx__sbuf_put(r.body, body, len);
    conn_send_resp(rb, &r);
}

static char *conn_take_body(const fidx__req_t *req, size_t *len)
{
    fidx__conn_t *c = req->conn;
    char *p = c->body.p;
    *len = c->body.len;
    size_t max = c->body.max;
    fidx__sbuf_init(&c->body, max);
    return p;
}

static const fidx__transport_t transport = {
    .defer = conn_defer,
    .undefer = conn_undefer,
    .take_body = conn_take_body,
    .send = conn_send,
    .send_resp = conn_send_resp,
};
