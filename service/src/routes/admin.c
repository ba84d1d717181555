/* The analysts' API for indicators and operations (docs/API.md, "Analyst API";
 * docs/OPERATIONS.md has the details); the review queue is admin_reports.c:
 *
 *   POST   /v1/admin/indicators[?dry_run=1]     any format the indexer reads
 *   DELETE /v1/admin/indicators?value=V&reason=R[&kind=K][&all=1]
 *   GET    /v1/admin/indicators?q=V[&kind=K]     entries, history, reports
 *   GET    /v1/admin/audit?since=&who=&action=&value=&after=&limit=&brief=
 *   POST   /v1/admin/compact
 *   GET    /v1/admin/status
 *
 * Every one needs `Authorization: Bearer TOKEN`: the router checks it, and the role's rights,
 * when the headers are in (router.c) and sets req->principal to the token's name. Reads of
 * memory answer at once; changes, and reads of the audit log, are jobs on libuv's thread pool
 * (admin/admin_job.c), so no worker's loop ever waits for a disk. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "admin/admin.h"
#include "http/json_body.h"
#include "fidx/normalize.h"
#include "http/query.h"
#include "routes/admin_params.h"
#include "routes/common.h"
#include "routes/handlers.h"
#include "routes/router.h"

/* ---- parameters ---- */

static int media_type_is(fidx_str_t ct, const char *type)
{
    size_t n = 0, tl = strlen(type);
    while (n < ct.len && ct.p[n] != ';' && ct.p[n] != ' ' && ct.p[n] != '\t')
        n++;
    return n == tl && strncasecmp(ct.p, type, tl) == 0;
}

/* Content-Types that name the upload's format. */
static const struct {
    const char *type;
    fidx_feed_format_t format;
} named_types[] = {
    {"text/csv", FIDX_FEED_CSV},
    {"application/csv", FIDX_FEED_CSV},
    {"application/x-ndjson", FIDX_FEED_JSONL},
    {"application/jsonl", FIDX_FEED_JSONL},
    {"application/x-jsonlines", FIDX_FEED_JSONL},
    {"application/json-lines", FIDX_FEED_JSONL},
    {"application/stix+json", FIDX_FEED_STIX},
    {"application/vnd.oasis.stix+json", FIDX_FEED_STIX},
};

/* Content-Types that say nothing of the format: the content tells it, as it does to the
 * indexer (JSON may be a MISP event, a STIX bundle or JSON Lines; text a list or CSV). */
static const char *const generic_types[] = {
    "application/json", "text/plain", "application/octet-stream",
    "application/x-www-form-urlencoded", /* what curl -d sends */
};

/* The upload's format: named by its Content-Type, or told from the content when the type is
 * absent or generic. -1 with the answer set. */
static int upload_format(const fidx__req_t *req, fidx__resp_t *resp, fidx_feed_format_t *fmt)
{
    fidx_str_t ct = req->content_type;
    int detect = ct.p == NULL;
    for (size_t i = 0; ct.p && i < sizeof named_types / sizeof named_types[0]; i++)
        if (media_type_is(ct, named_types[i].type)) {
            *fmt = named_types[i].format;
            return 0;
        }
    for (size_t i = 0; ct.p && i < sizeof generic_types / sizeof generic_types[0]; i++)
        detect |= media_type_is(ct, generic_types[i]);
    if (!detect) {
        fidx__resp_error(resp, 400, "bad_request",
                         "Content-Type must be text/csv, application/x-ndjson (JSON Lines), "
                         "application/stix+json, or a generic type (application/json, "
                         "text/plain) or none, for the format to be told from the content");
        return -1;
    }
    fidx_err_t err = {0};
    if (fidx_feed_detect(req->body, req->body_len, fmt, &err) != 0) {
        fidx__resp_error(resp, 400, "bad_request", err.reason ? err.reason : "unknown format");
        return -1;
    }
    return 0;
}

/* ---- POST /v1/admin/indicators ---- */

void fidx__route_admin_add(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx_feed_format_t fmt;
    int dry;
    if (!fidx__admin_can_change(req, resp) || fidx__flag_param(req, resp, "dry_run", &dry) != 0)
        return;
    if (req->body_len == 0) {
        fidx__resp_error(resp, 400, "bad_request",
                         "the body is empty: send CSV, JSON Lines, a list, a MISP event or a "
                         "STIX bundle");
        return;
    }
    if (upload_format(req, resp, &fmt) != 0)
        return;
    fidx__admin_job_t *j = fidx__admin_job_new(fidx__admin_of(req), req, fidx__admin_run_add);
    if (!j) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    j->format = fmt;
    j->dry_run = dry;
    j->body = fidx__req_take_body(req, &j->body_len);
    fidx__admin_job_start(req, resp, j);
}

/* ---- DELETE /v1/admin/indicators ---- */

void fidx__route_admin_delist(const fidx__req_t *req, fidx__resp_t *resp)
{
    size_t rlen;
    int all;
    if (!fidx__admin_can_change(req, resp))
        return;
    fidx__admin_job_t *j = fidx__admin_job_new(fidx__admin_of(req), req, fidx__admin_run_delist);
    if (!j) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    int rc = fidx__decoded_param(req, resp, "reason", j->reason, sizeof j->reason, &rlen);
    if (rc == 0)
        rc = fidx__flag_param(req, resp, "all", &all);
    if (rc == 0 && (rc = fidx__job_value_param(req, resp, "value", j)) == 1)
        fidx__resp_error(resp, 400, "bad_request", "missing value");
    if (rc == 0 && rlen == 0) {
        fidx__resp_error(resp, 400, "bad_request", "missing reason: say why it is delisted");
        rc = -1;
    }
    if (rc != 0) {
        fidx__admin_job_free(j);
        return;
    }
    j->all = all;
    fidx__admin_job_start(req, resp, j);
}

/* ---- GET /v1/admin/indicators?q= ---- */

void fidx__route_admin_search(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__admin_job_t *j = fidx__admin_job_new(fidx__admin_of(req), req, fidx__admin_run_search);
    if (!j) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    int rc = fidx__job_value_param(req, resp, "q", j);
    if (rc == 1)
        fidx__resp_error(resp, 400, "bad_request", "missing q: the value to look up");
    if (rc != 0) {
        fidx__admin_job_free(j);
        return;
    }
    fidx__admin_job_start(req, resp, j);
}

/* ---- GET /v1/admin/audit ---- */

/* A time or date prefix for since=: digits, '-', ':', 'T', '.', 'Z'. */
static int since_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789-:T.Z", s[i]))
            return 0;
    return n >= 4;
}

void fidx__route_admin_audit(const fidx__req_t *req, fidx__resp_t *resp)
{
    size_t sl, wl, al;
    uint64_t limit = FIDX__LIST_DEFAULT;
    int brief = 0;
    fidx__admin_job_t *j = fidx__admin_job_new(fidx__admin_of(req), req, fidx__admin_run_audit);
    if (!j) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    int rc = fidx__decoded_param(req, resp, "since", j->since, sizeof j->since, &sl);
    if (rc == 0)
        rc = fidx__decoded_param(req, resp, "who", j->who, sizeof j->who, &wl);
    if (rc == 0)
        rc = fidx__decoded_param(req, resp, "action", j->what, sizeof j->what, &al);
    if (rc == 0)
        rc = fidx__number_param(req, resp, "after", UINT64_MAX, &j->after);
    if (rc == 0)
        rc = fidx__number_param(req, resp, "limit", FIDX__LIST_MAX, &limit);
    if (rc == 0)
        rc = fidx__flag_param(req, resp, "brief", &brief);
    if (rc == 0 && (rc = fidx__job_value_param(req, resp, "value", j)) == 1)
        rc = 0;
    else if (rc == 0)
        j->has_value = 1;
    if (rc == 0 && sl && !since_ok(j->since, sl)) {
        fidx__resp_error(resp, 400, "bad_request",
                         "since must be a time or a day: 2026-12-01 or 2026-12-01T08:00:00");
        rc = -1;
    }
    if (rc != 0) {
        fidx__admin_job_free(j);
        return;
    }
    j->limit = (size_t)(limit ? limit : FIDX__LIST_DEFAULT);
    j->brief = brief;
    fidx__admin_job_start(req, resp, j);
}

/* ---- compaction, status ---- */

void fidx__route_admin_compact(const fidx__req_t *req, fidx__resp_t *resp)
{
    if (!fidx__admin_can_change(req, resp))
        return;
    fidx__admin_job_t *j = fidx__admin_job_new(fidx__admin_of(req), req, fidx__admin_run_compact);
    if (!j) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    fidx__admin_job_start(req, resp, j);
}

void fidx__route_admin_status(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__admin_t *a = fidx__admin_of(req);
    if (a)
        fidx__admin_status_json(a, resp->body);
    else
        fidx__sbuf_puts(resp->body, "{}");
}
