/* GET /v1/check?q=VALUE[&kind=KIND][&platform=P]: one value checked against the snapshot.
 * The hot path: parameters are decoded into the worker's buffer, the result lives in the
 * worker, the JSON goes straight into the response buffer; nothing is allocated once the
 * buffers have grown to their working size. */
#include <string.h>

#include "fidx/lookup.h"
#include "routes/common.h"
#include "routes/handlers.h"

#define PARAM_KIND_MAX 32
#define PARAM_PLATFORM_MAX 64

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
