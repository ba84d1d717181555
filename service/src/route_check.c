/* GET /v1/check?q=VALUE[&kind=KIND][&platform=P]: one value checked against the snapshot.
 * The hot path: parameters are decoded into the worker's buffer, the result lives in the
 * worker, the JSON goes straight into the response buffer; nothing is allocated once the
 * buffers have grown to their working size. */
#include <string.h>

#include "fidx/lookup.h"
#include "query.h"
#include "route_common.h"
#include "router.h"

#define PARAM_KIND_MAX 32
#define PARAM_PLATFORM_MAX 64

int fidx__check_value(fidx__worker_t *w, fidx_kind_t kind, const char *platform, const char *q,
                      size_t len, fidx__sbuf_t *out, fidx_err_t *err)
{
    fidx_result_t *res = &w->result;
    fidx__worker_online(w); /* the overlay may be read: see service.h */
    int r = fidx_check(w->snap, w->ov, kind, platform, q, len, res, err);
    if (r) {
        fidx__counter_add(&w->metrics.lookup_invalid, 1);
        return r;
    }
    fidx__metrics_lookup(&w->metrics, res->kind, res->verdict);
    if (fidx__sbuf_reserve(out, FIDX_CHECK_JSON_MAX) != 0)
        return FIDX_ENOMEM;
    size_t n = fidx_result_json(res, q, len, out->p + out->len, out->cap - out->len);
    if (n == 0)
        return FIDX_ENOSPC;
    out->len += n;
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

void fidx__route_check(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__worker_t *w = req->w;
    char kind_s[PARAM_KIND_MAX], platform[PARAM_PLATFORM_MAX];
    size_t qlen, klen, plen;
    fidx_kind_t kind;
    if (fidx__decoded_param(req, resp, "q", w->decode, w->cfg->max_header_bytes, &qlen) ||
        fidx__decoded_param(req, resp, "kind", kind_s, sizeof kind_s, &klen) ||
        fidx__decoded_param(req, resp, "platform", platform, sizeof platform, &plen))
        return;
    if (qlen == 0) {
        fidx__resp_error(resp, 400, "bad_request", "missing q");
        return;
    }
    if (fidx__kind_param(kind_s, klen, &kind) != 0) {
        fidx__resp_error(resp, 400, "bad_request", FIDX__KIND_HELP);
        return;
    }
    if (memchr(platform, '\0', plen)) {
        fidx__resp_error(resp, 400, "bad_request", "malformed platform");
        return;
    }
    fidx_err_t err = {0};
    int r = fidx__check_value(w, kind, plen ? platform : NULL, w->decode, qlen, resp->body, &err);
    if (r == FIDX_EINVAL || r == FIDX_ETOOBIG || r == FIDX_EKIND)
        fidx__resp_error(resp, 400, "invalid_value", err.reason ? err.reason : fidx_strerror(r));
    else if (r)
        fidx__resp_error(resp, 500, "internal", fidx_strerror(r));
}
