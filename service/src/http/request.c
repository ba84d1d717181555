/* Requests and responses (request.h): the target split, error answers, status reasons, and the
 * deferred-answer calls, which go to the transport through the request's function table so
 * that handlers never name the connection. */
#include "http/request.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <http_parser.h>

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

int fidx__req_split_target(fidx__req_t *req)
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

void fidx__resp_init(fidx__resp_t *resp, fidx__sbuf_t *body)
{
    memset(resp, 0, sizeof *resp);
    resp->status = 200;
    resp->route = FIDX__ROUTE_OTHER;
    resp->content_type = FIDX__CT_JSON;
    resp->body = body;
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
    case 206:
        return "Partial Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Content Too Large";
    case 416:
        return "Range Not Satisfiable";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}

fidx__reply_t *fidx__req_defer(const fidx__req_t *req, const fidx__resp_t *resp)
{
    return req->transport ? req->transport->defer(req, resp) : NULL;
}

void fidx__req_undefer(const fidx__req_t *req, fidx__reply_t *r)
{
    req->transport->undefer(req, r);
}

char *fidx__req_take_body(const fidx__req_t *req, size_t *len)
{
    *len = 0;
    return req->transport ? req->transport->take_body(req, len) : NULL;
}

void fidx__reply_send(fidx__reply_t *r, int status, const char *body, size_t len)
{
    r->transport->send(r, status, body, len);
}

void fidx__reply_send_resp(fidx__reply_t *r, const fidx__resp_t *resp)
{
    r->transport->send_resp(r, resp);
}
