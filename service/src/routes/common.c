/* Pieces every route that checks values uses (common.h). */
#include "routes/common.h"

#include <string.h>

#include "fidx/lookup.h"
#include "http/query.h"
#include "routes/related.h"

int fidx__lookup_start(fidx__worker_t *w, fidx_kind_t kind, const char *platform, const char *q,
                       size_t len, fidx_result_t *res, fidx_err_t *err)
{
    int r = fidx_check_start(w->snap, kind, platform, q, len, res, err);
    if (r)
        fidx__counter_add(&w->metrics.lookup_invalid, 1);
    return r;
}

void fidx__lookup_finish(fidx__worker_t *w, fidx_result_t *res)
{
    fidx__worker_online(w); /* the overlay may be read: see service.h */
    fidx_check_finish(w->snap, w->ov, res);
    (void)fidx_check_lookalike(w->la, res); /* only a url or domain nothing matched */
    fidx__metrics_lookup(&w->metrics, res->kind, res->verdict);
}

int fidx__lookup(fidx__worker_t *w, fidx_kind_t kind, const char *platform, const char *q,
                 size_t len, fidx_err_t *err)
{
    int r = fidx__lookup_start(w, kind, platform, q, len, &w->result, err);
    if (r == 0)
        fidx__lookup_finish(w, &w->result);
    return r;
}

int fidx__check_value(fidx__worker_t *w, fidx_kind_t kind, const char *platform, const char *q,
                      size_t len, fidx__sbuf_t *out, fidx_err_t *err)
{
    fidx_result_t *res = &w->result;
    int r = fidx__lookup(w, kind, platform, q, len, err);
    if (r)
        return r;
    if (fidx__sbuf_reserve(out, FIDX_CHECK_JSON_MAX) != 0)
        return FIDX_ENOMEM;
    size_t n = fidx_result_json(res, q, len, out->p + out->len, out->cap - out->len);
    if (n == 0)
        return FIDX_ENOSPC;
    out->len += n;
    fidx__related_json(w, res, out); /* "warnings" when some concern it */
    return 0;
}

int fidx__kind_param(const char *p, size_t len, fidx_kind_t *kind)
{
    *kind = FIDX_KIND_NONE;
    if (len == 0)
        return 0; /* "kind=" as an empty form field sends it: detect */
    return fidx_kind_parse(p, len, kind) == 0 ? 0 : FIDX_EINVAL;
}

/* Finds and decodes one optional parameter into out (cap bytes, NUL-terminated). Returns 0 and
 * *len (0 when absent), or answers the error itself and returns -1. */
int fidx__decoded_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name, char *out,
                        size_t cap, size_t *len)
{
    fidx_str_t raw;
    size_t n = fidx__query_find(req->query.p, req->query.len, name, &raw);
    *len = 0;
    out[0] = '\0';
    if (n == 0)
        return 0;
    int r = n > 1 ? FIDX_EINVAL : fidx__query_decode(raw.p, raw.len, out, cap - 1, len);
    if (r) {
        fidx__resp_errorf(resp, 400, "bad_request",
                          n > 1              ? "parameter %s given more than once"
                          : r == FIDX_ENOSPC ? "parameter %s too long"
                                             : "malformed percent-encoding in %s",
                          name);
        return -1;
    }
    out[*len] = '\0';
    return 0;
}

void fidx__resp_not_writer(const fidx__req_t *req, fidx__resp_t *resp)
{
    const char *writer = req->w->cfg->follow_url ? req->w->cfg->follow_url : "";
    fidx__resp_error(resp, 503, "not_writer",
                     "this server is a read-only replica: send writes to its writer");
    /* {"error":{…}} → {"error":{…,"writer":"…"}} */
    fidx__sbuf_t *b = resp->body;
    if (b->len >= 2 && !b->failed) {
        b->len -= 2;
        fidx__sbuf_puts(b, ",\"writer\":");
        fidx__sbuf_json_string(b, writer, strlen(writer));
        fidx__sbuf_puts(b, "}}");
    }
    resp->retry_after = "1";
}

int fidx__u64_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name, uint64_t min,
                    uint64_t max, uint64_t def, uint64_t *v)
{
    char buf[24];
    size_t n;
    if (fidx__decoded_param(req, resp, name, buf, sizeof buf, &n) != 0)
        return -1;
    *v = def;
    if (n == 0 && !fidx__query_find(req->query.p, req->query.len, name, &(fidx_str_t){0}))
        return 0;
    uint64_t x = 0;
    int ok = n > 0 && n <= 20;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned d = (unsigned)(buf[i] - '0');
        ok = d <= 9 && x <= (UINT64_MAX - d) / 10;
        x = x * 10 + d;
    }
    if (!ok || x < min || x > max) {
        fidx__resp_errorf(resp, 400, "bad_request", "%s must be a whole number from %llu to %llu",
                          name, (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *v = x;
    return 0;
}
