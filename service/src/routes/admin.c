/* The analysts' API (shared/API.md, "Analyst API"; docs/OPERATIONS.md has the details):
 *
 *   POST   /v1/admin/indicators        CSV or JSON Lines in the indexer's schema
 *   DELETE /v1/admin/indicators?kind=K&value=V&reason=R
 *   GET    /v1/admin/reports?status=pending[&after=CURSOR][&limit=N]
 *   GET    /v1/admin/reports/ID
 *   POST   /v1/admin/reports/ID        {"action":"approve"|"reject", …}
 *   POST   /v1/admin/compact
 *   GET    /v1/admin/status
 *
 * Every one needs `Authorization: Bearer TOKEN`: the router checks it when the headers are in
 * (router.c) and sets req->principal to the token's name. Reads answer at once; changes are
 * jobs on libuv's thread pool (admin/admin_job.c) answered once durable, so no worker's loop
 * ever waits for a disk. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "admin/admin.h"
#include "http/json_body.h"
#include "http/query.h"
#include "routes/common.h"
#include "routes/handlers.h"
#include "routes/router.h"

#define LIST_DEFAULT 100
#define LIST_MAX 1000

static fidx__admin_t *admin_of(const fidx__req_t *req)
{
    return req->w->svc->admin;
}

/* Changes need the log open for writing and a service that is not stopping. */
static int can_change(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__admin_t *a = admin_of(req);
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

/* A yes/no parameter: absent, "0", "false" → 0; "1", "true" → 1. -1 with the answer set. */
static int flag_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name, int *on)
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

/* ---- POST /v1/admin/indicators ---- */

void fidx__route_admin_add(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx_feed_format_t fmt;
    int dry;
    if (!can_change(req, resp) || flag_param(req, resp, "dry_run", &dry) != 0)
        return;
    if (req->body_len == 0) {
        fidx__resp_error(resp, 400, "bad_request",
                         "the body is empty: send CSV, JSON Lines, a list, a MISP event or a "
                         "STIX bundle");
        return;
    }
    if (upload_format(req, resp, &fmt) != 0)
        return;
    fidx__admin_job_t *j = fidx__admin_job_new(admin_of(req), req, fidx__admin_run_add);
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

/* The value as it is stored (normalised like a row of an upload). -1 with the answer set. */
static int stored_value(fidx__resp_t *resp, const char *kind, size_t klen, const char *v,
                        size_t vlen, fidx__admin_job_t *j)
{
    fidx_indicator_t *ind = malloc(sizeof *ind);
    fidx_err_t err = {0};
    fidx_row_t row = {
        .line = 1, .kind = fidx_str(klen ? kind : NULL, klen), .value = fidx_str(v, vlen)};
    if (!ind) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return -1;
    }
    int rc = fidx_row_to_indicator(&row, NULL, ind, &err);
    if (rc == 0) {
        j->kind = ind->kind;
        j->value_len = ind->value_len;
        memcpy(j->value, ind->value, ind->value_len + 1);
    } else if (err.reason && strcmp(err.reason, "unknown kind") == 0) {
        fidx__resp_error(resp, 400, "bad_request",
                         "kind must be one of phone, bank_account, url, domain, social_account, "
                         "email");
    } else {
        fidx__resp_error(resp, 400, "invalid_value", err.reason ? err.reason : "invalid value");
    }
    free(ind);
    return rc ? -1 : 0;
}

void fidx__route_admin_delist(const fidx__req_t *req, fidx__resp_t *resp)
{
    char kind[32];
    size_t klen, vlen, rlen;
    char *value = req->w->decode;
    if (!can_change(req, resp))
        return;
    fidx__admin_job_t *j = fidx__admin_job_new(admin_of(req), req, fidx__admin_run_delist);
    if (!j) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    if (fidx__decoded_param(req, resp, "kind", kind, sizeof kind, &klen) ||
        fidx__decoded_param(req, resp, "value", value, req->w->cfg->max_header_bytes, &vlen) ||
        fidx__decoded_param(req, resp, "reason", j->reason, sizeof j->reason, &rlen)) {
        fidx__admin_job_free(j);
        return;
    }
    if (vlen == 0 || rlen == 0) {
        fidx__resp_error(resp, 400, "bad_request",
                         vlen == 0 ? "missing value" : "missing reason: say why it is delisted");
        fidx__admin_job_free(j);
        return;
    }
    if (stored_value(resp, kind, klen, value, vlen, j) != 0) {
        fidx__admin_job_free(j);
        return;
    }
    fidx__admin_job_start(req, resp, j);
}

/* ---- reports ---- */

typedef struct {
    fidx__sbuf_t *out;
    size_t n;
} list_ctx_t;

static int list_one(const fidx__report_t *r, void *arg)
{
    list_ctx_t *l = arg;
    if (l->n++)
        fidx__sbuf_put(l->out, ",", 1);
    fidx__report_json(l->out, r);
    return 0;
}

static int number_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name, uint64_t max,
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

void fidx__route_admin_reports(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__reports_t *st = req->w->svc->reports;
    char status[32];
    size_t slen;
    uint64_t after = 0, limit = LIST_DEFAULT, next = 0;
    fidx__report_state_t state = FIDX__REPORT_PENDING;
    if (fidx__decoded_param(req, resp, "status", status, sizeof status, &slen) ||
        number_param(req, resp, "after", UINT64_MAX, &after) ||
        number_param(req, resp, "limit", LIST_MAX, &limit))
        return;
    if (slen && fidx__report_state_parse(status, slen, &state) != 0) {
        fidx__resp_error(resp, 400, "bad_request", "status must be pending, approved or rejected");
        return;
    }
    if (!st) {
        fidx__resp_error(resp, 503, "unavailable", "no report store");
        return;
    }
    list_ctx_t l = {resp->body, 0};
    fidx__sbuf_puts(resp->body, "{\"reports\":[");
    fidx__reports_list(st, state, after, (size_t)(limit ? limit : LIST_DEFAULT), list_one, &l,
                       &next);
    fidx__sbuf_puts(resp->body, "],\"next\":");
    if (next)
        fidx__sbuf_printf(resp->body, "\"%llu\"}", (unsigned long long)next);
    else
        fidx__sbuf_puts(resp->body, "null}");
}

static int valid_report_id(fidx_str_t id)
{
    if (id.len != FIDX__REPORT_ID_LEN)
        return 0;
    for (size_t i = 0; i < id.len; i++)
        if (!((id.p[i] >= '0' && id.p[i] <= '9') || (id.p[i] >= 'a' && id.p[i] <= 'z')))
            return 0;
    return 1;
}

/* The ID of …/reports/ID (the router matched the prefix). */
static fidx_str_t report_id(const fidx__req_t *req)
{
    static const size_t skip = sizeof FIDX__ADMIN_PREFIX "/reports/" - 1;
    return fidx_str(req->path.p + skip, req->path.len - skip);
}

void fidx__route_admin_report(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx_str_t id = report_id(req);
    fidx__reports_t *st = req->w->svc->reports;
    list_ctx_t l = {resp->body, 0};
    if (!st || !valid_report_id(id) || fidx__reports_get(st, id.p, id.len, list_one, &l) != 0)
        fidx__resp_error(
            resp, 404, "not_found",
            "no such report (of decided reports, only the newest --max-pending-reports are "
            "kept in memory; older ones are in reports.jsonl)");
}

/* The decision's action: approve, reject, uphold (a dispute). NULL, or why not. */
static const char *decision_action(const char *action, fidx__admin_job_t *j)
{
    if (strcmp(action, "approve") == 0)
        j->action = FIDX__REPORT_APPROVED;
    else if (strcmp(action, "reject") == 0)
        j->action = FIDX__REPORT_REJECTED;
    else if (strcmp(action, "uphold") == 0)
        j->action = FIDX__REPORT_APPROVED, j->uphold = 1;
    else
        return "action must be approve, reject or uphold";
    return NULL;
}

/* An approval's categories (a JSON array of names) into j. NULL, or why not. */
static const char *decision_categories(json_t *cats, fidx__admin_job_t *j)
{
    size_t i;
    json_t *c;
    j->has_categories = 1;
    if (!json_is_array(cats))
        return "categories must be an array of names";
    json_array_foreach(cats, i, c)
    {
        int cat;
        if (!json_is_string(c) ||
            fidx_category_parse(json_string_value(c), json_string_length(c), &cat) != 0)
            return "unknown category";
        j->categories = (uint16_t)(j->categories | 1u << cat);
    }
    return NULL;
}

/* Every decision says why; an approval also says what the community's report becomes. A
 * verdict nobody chose must never reach citizens: there is no default status. */
static const char *decision_fields(const char *status, const char *reason, const char *source,
                                   fidx__admin_job_t *j)
{
    int approve = j->action == FIDX__REPORT_APPROVED && !j->uphold;
    if (approve && !status)
        return "an approval needs \"status\": \"reported\" (the community says so, not "
               "verified) or \"confirmed\" (verified by your unit)";
    if (status && !approve)
        return "status is for an approval only";
    if (status && (fidx_status_parse(status, strlen(status), &j->status) != 0 ||
                   j->status == FIDX_STATUS_ALLOWLISTED))
        return "status must be reported or confirmed";
    if (!reason || !reason[0])
        return "a decision needs a \"reason\": say why";
    if (strlen(reason) > FIDX__ADMIN_REASON_MAX)
        return "reason is too long (1024 bytes at most)";
    if (source && (!approve || strlen(source) == 0 || strlen(source) > FIDX_MAX_SOURCE_LEN))
        return "source must be a short name, and only for an approval";
    snprintf(j->reason, sizeof j->reason, "%s", reason);
    snprintf(j->source, sizeof j->source, "%s", source ? source : "");
    return NULL;
}

/* The decision's body: {"action", "status", "categories", "reason", "source"}. -1 with the
 * answer set. */
static int read_decision(const fidx__req_t *req, fidx__resp_t *resp, fidx__admin_job_t *j)
{
    json_error_t e;
    json_t *root = fidx__json_body(req, resp, 0, 0);
    if (!root)
        return -1;
    const char *bad = NULL, *action = NULL, *status = NULL, *reason = NULL, *source = NULL;
    json_t *cats = NULL;
    if (!json_is_object(root) ||
        json_unpack_ex(root, &e, 0, "{s:s,s?s,s?o,s?s,s?s}", "action", &action, "status", &status,
                       "categories", &cats, "reason", &reason, "source", &source) != 0)
        bad = "the body must be {\"action\":\"approve\"|\"reject\"|\"uphold\", \"status\", "
              "\"categories\": [...], \"reason\"}, with strings";
    if (!bad)
        bad = decision_action(action, j);
    if (!bad && cats)
        bad = j->action == FIDX__REPORT_APPROVED && !j->uphold
                  ? decision_categories(cats, j)
                  : "categories are for an approval only";
    if (!bad)
        bad = decision_fields(status, reason, source, j);
    json_decref(root);
    if (bad)
        fidx__resp_error(resp, 400, "bad_request", bad);
    return bad ? -1 : 0;
}

void fidx__route_admin_decide(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx_str_t id = report_id(req);
    if (!valid_report_id(id)) {
        fidx__resp_error(
            resp, 404, "not_found",
            "no such report (of decided reports, only the newest --max-pending-reports are "
            "kept in memory; older ones are in reports.jsonl)");
        return;
    }
    if (!can_change(req, resp))
        return;
    if (!req->w->svc->reports) {
        fidx__resp_error(resp, 503, "unavailable", "no report store");
        return;
    }
    fidx__admin_job_t *j = fidx__admin_job_new(admin_of(req), req, fidx__admin_run_decide);
    if (!j) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    memcpy(j->report_id, id.p, id.len);
    j->report_id[id.len] = '\0';
    if (read_decision(req, resp, j) != 0) {
        fidx__admin_job_free(j);
        return;
    }
    fidx__admin_job_start(req, resp, j);
}

/* ---- compaction, status ---- */

void fidx__route_admin_compact(const fidx__req_t *req, fidx__resp_t *resp)
{
    if (!can_change(req, resp))
        return;
    fidx__admin_job_t *j = fidx__admin_job_new(admin_of(req), req, fidx__admin_run_compact);
    if (!j) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    fidx__admin_job_start(req, resp, j);
}

void fidx__route_admin_status(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__admin_t *a = admin_of(req);
    if (a)
        fidx__admin_status_json(a, resp->body);
    else
        fidx__sbuf_puts(resp->body, "{}");
}
