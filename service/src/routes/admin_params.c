/* Parameters of the analysts' routes (admin_params.h). */
#include "routes/admin_params.h"

#include <stdlib.h>
#include <string.h>

#include "fidx/normalize.h"
#include "routes/common.h"

fidx__admin_t *fidx__admin_of(const fidx__req_t *req)
{
    return req->w->svc->admin;
}

int fidx__admin_can_change(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__admin_t *a = fidx__admin_of(req);
    if (req->w->draining) {
        fidx__resp_error(resp, 503, "unavailable", "shutting down");
        return 0;
    }
    if (!a || !a->wal) {
        fidx__resp_error(resp, 503, "unavailable", "analysts' changes are not accepted");
        return 0;
    }
    return 1;
}

int fidx__number_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name, uint64_t max,
                       uint64_t *v)
{
    char buf[24];
    size_t n;
    if (fidx__decoded_param(req, resp, name, buf, sizeof buf, &n) != 0)
        return -1;
    if (n == 0)
        return 0;
    char *end;
    unsigned long long x = strtoull(buf, &end, 10);
    if (buf[0] < '0' || buf[0] > '9' || *end || x > max) {
        fidx__resp_errorf(resp, 400, "bad_request", "%s must be a number up to %llu", name,
                          (unsigned long long)max);
        return -1;
    }
    *v = x;
    return 0;
}

int fidx__flag_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name, int *on)
{
    char v[8];
    size_t n;
    *on = 0;
    if (fidx__decoded_param(req, resp, name, v, sizeof v, &n) != 0)
        return -1;
    if (n == 0 || strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
        return 0;
    if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0) {
        *on = 1;
        return 0;
    }
    fidx__resp_errorf(resp, 400, "bad_request", "%s must be 1, true, 0 or false", name);
    return -1;
}

int fidx__value_read(fidx__resp_t *resp, const char *kind_name, size_t kind_len,
                     const char *platform, const char *p, size_t len, fidx__value_t *v)
{
    fidx_err_t err = {0};
    v->raw = p;
    v->raw_len = len;
    if (fidx__kind_param(kind_name, kind_len, &v->kind) != 0) {
        fidx__resp_error(resp, 400, "bad_request", FIDX__KIND_HELP);
        return -1;
    }
    if (len > FIDX_MAX_VALUE_LEN ||
        fidx_normalize(v->kind, platform && platform[0] ? platform : NULL, p, len, &v->kind,
                       v->canonical, sizeof v->canonical, &v->canonical_len, &err) != 0 ||
        fidx_storage_key(v->kind, v->canonical, v->canonical_len, v->stored, sizeof v->stored,
                         &v->stored_len) != 0) {
        fidx__resp_error(resp, 400, "invalid_value",
                         len > FIDX_MAX_VALUE_LEN ? "value too long"
                         : err.reason             ? err.reason
                                                  : "invalid value");
        return -1;
    }
    return 0;
}

int fidx__value_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name,
                      fidx__value_t *v)
{
    char kind[32], platform[64];
    size_t klen, plen, len;
    char *raw = req->w->decode;
    if (fidx__decoded_param(req, resp, name, raw, req->w->cfg->max_header_bytes, &len) ||
        fidx__decoded_param(req, resp, "kind", kind, sizeof kind, &klen) ||
        fidx__decoded_param(req, resp, "platform", platform, sizeof platform, &plen))
        return -1;
    if (len == 0) { /* the kind alone may still filter */
        if (fidx__kind_param(kind, klen, &v->kind) == 0)
            return 1;
        fidx__resp_error(resp, 400, "bad_request", FIDX__KIND_HELP);
        return -1;
    }
    return fidx__value_read(resp, kind, klen, platform, raw, len, v) == 0 ? 0 : -1;
}

int fidx__job_value_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name,
                          fidx__admin_job_t *j)
{
    fidx__value_t *v = malloc(sizeof *v);
    if (!v) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return -1;
    }
    int rc = fidx__value_param(req, resp, name, v);
    if (rc == 0 && !(j->query = malloc(v->raw_len + 1))) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        rc = -1;
    }
    if (rc == 0) {
        memcpy(j->query, v->raw, v->raw_len);
        j->query[v->raw_len] = '\0';
        j->query_len = v->raw_len;
        j->kind = v->kind;
        memcpy(j->value, v->stored, v->stored_len + 1);
        j->value_len = v->stored_len;
        memcpy(j->canonical, v->canonical, v->canonical_len + 1);
        j->canonical_len = v->canonical_len;
    }
    free(v);
    return rc;
}
