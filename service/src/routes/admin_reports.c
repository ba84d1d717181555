/* The analysts' review queue (docs/API.md, "Analyst API"; docs/OPERATIONS.md):
 *
 *   GET  /v1/admin/reports?status=&type=&kind=&value=&group=value&after=&limit=
 *   GET  /v1/admin/reports/ID
 *   POST /v1/admin/reports/ID   {"action":"approve"|"reject"|"uphold","status","reason",…}
 *   POST /v1/admin/reports      one decision for several reports: "ids", or every pending
 *                               report of a "value"
 *
 * Listings are read from the report store in memory, on the worker, and each report or group
 * says what its value's verdict is now (a lookup). Pending disputes against a value that is
 * listed as a scam or suspicious come first: someone says the answer citizens get is wrong. A
 * page's cursor says which part it is in ("d…" those disputes, "n…" the rest). Decisions are
 * jobs on the thread pool (admin/admin_review.c), answered once durable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "admin/admin.h"
#include "fidx/lookup.h"
#include "http/json_body.h"
#include "routes/admin_params.h"
#include "routes/common.h"
#include "routes/handlers.h"
#include "routes/router.h"
#include "base/log.h"

#define GROUP_REPORTS 20 /* reports listed per group, newest first */
#define NOT_KEPT                                                                                   \
    "no such report (of decided reports, only the newest --max-pending-reports are kept in "       \
    "memory; older ones are in reports.jsonl)"

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
    fidx_err_t err = {0};
    j->has_categories = 1;
    return fidx_categories_from_json(cats, 0, &j->categories, &err) == 0 ? NULL : err.reason;
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

/* The decision's members of a body: {"action", "status", "categories", "reason", "source"}.
 * NULL, or why not. */
static const char *read_decision(json_t *root, fidx__admin_job_t *j)
{
    json_error_t e;
    const char *bad = NULL, *action = NULL, *status = NULL, *reason = NULL, *source = NULL;
    json_t *cats = NULL;
    if (!json_is_object(root) ||
        json_unpack_ex(root, &e, 0, "{s:s,s?s,s?o,s?s,s?s}", "action", &action, "status", &status,
                       "categories", &cats, "reason", &reason, "source", &source) != 0)
        return "the body must be {\"action\":\"approve\"|\"reject\"|\"uphold\", \"status\", "
               "\"categories\": [...], \"reason\"}, with strings";
    if ((bad = decision_action(action, j)) != NULL)
        return bad;
    if (cats)
        bad = j->action == FIDX__REPORT_APPROVED && !j->uphold
                  ? decision_categories(cats, j)
                  : "categories are for an approval only";
    return bad ? bad : decision_fields(status, reason, source, j);
}

/* ---- what a value's verdict is now ---- */

/* The verdict a lookup of (kind, value) gives now; *m the entry that decided (NULL: none). */
static fidx_verdict_t verdict_now(fidx__worker_t *w, fidx_kind_t kind, const char *v, size_t len,
                                  const fidx_match_t **m)
{
    fidx_err_t err = {0};
    fidx__worker_online(w);
    *m = NULL;
    if (fidx_check(w->snap, w->ov, kind, NULL, v, len, &w->result, &err) != 0)
        return FIDX_VERDICT_UNKNOWN;
    *m = w->result.has_match ? &w->result.match : NULL;
    return w->result.verdict;
}

/* ,"current":{"verdict":…,"status":…|null,"allowlisted":…} */
static fidx_verdict_t current_json(fidx__sbuf_t *out, fidx__worker_t *w, fidx_kind_t kind,
                                   const char *v, size_t len)
{
    const fidx_match_t *m;
    fidx_verdict_t verdict = verdict_now(w, kind, v, len, &m);
    fidx__sbuf_printf(out,
                      ",\"current\":{\"verdict\":\"%s\",\"status\":", fidx_verdict_name(verdict));
    if (m)
        fidx__sbuf_printf(out, "\"%s\"", fidx_status_name(m->status));
    else
        fidx__sbuf_puts(out, "null");
    fidx__sbuf_printf(out, ",\"allowlisted\":%s}", verdict == FIDX_VERDICT_SAFE ? "true" : "false");
    return verdict;
}

/* A dispute is urgent when citizens are told now that its value is a scam or suspicious. */
static int urgent(fidx__worker_t *w, fidx_kind_t kind, const char *v, size_t len)
{
    const fidx_match_t *m;
    fidx_verdict_t verdict = verdict_now(w, kind, v, len, &m);
    return verdict == FIDX_VERDICT_SCAM || verdict == FIDX_VERDICT_SUSPICIOUS;
}

/* ---- GET /v1/admin/reports ---- */

typedef struct {
    fidx__worker_t *w;
    fidx__sbuf_t *out;
    fidx__report_state_t state;
    int type;         /* fidx__report_type_t, or -1: both */
    fidx_kind_t kind; /* FIDX_KIND_NONE: every kind */
    int phase;        /* 0: urgent disputes; 1: the rest */
    int any_phase;    /* list a group whatever its phase (the one value asked for) */
    size_t n, limit, members;
    uint64_t after, more_seq; /* by value: the cursor, and where the page ended */
} listing_t;

static int wanted(const listing_t *l, const fidx__report_t *r)
{
    return (l->type < 0 || (int)r->type == l->type) &&
           (l->kind == FIDX_KIND_NONE || r->kind == l->kind);
}

static void report_item(listing_t *l, const fidx__report_t *r)
{
    if (l->n++)
        fidx__sbuf_put(l->out, ",", 1);
    fidx__report_json(l->out, r);
    l->out->len--; /* its closing brace: the value's verdict now goes in */
    current_json(l->out, l->w, r->kind, r->value, r->value_len);
    fidx__sbuf_put(l->out, "}", 1);
}

/* One report of the plain listing, in its phase. */
static int list_one(const fidx__report_t *r, void *arg)
{
    listing_t *l = arg;
    int is_urgent = r->state == FIDX__REPORT_PENDING && r->type == FIDX__REPORT_DISPUTE &&
                    urgent(l->w, r->kind, r->value, r->value_len);
    if (!wanted(l, r) || (l->phase == 0) != is_urgent)
        return FIDX__REPORT_SKIP;
    report_item(l, r);
    return 0;
}

/* One report of a value: every state the listing asks for, after the cursor, up to limit. */
static int list_of_value(const fidx__report_t *r, void *arg)
{
    listing_t *l = arg;
    if (r->state != l->state || r->seq <= l->after || !wanted(l, r))
        return 0;
    if (l->n == l->limit) {
        l->more_seq = 1;
        return 1;
    }
    report_item(l, r);
    l->after = r->seq;
    return 0;
}

/* A cursor: "d123" (urgent disputes, after 123), "n123" or "123" (the rest). -1 when it is not
 * one. */
static int cursor_param(const fidx__req_t *req, fidx__resp_t *resp, int *phase, uint64_t *after)
{
    char c[32], *end;
    size_t n;
    *phase = 0;
    *after = 0;
    if (fidx__decoded_param(req, resp, "after", c, sizeof c, &n) != 0)
        return -1;
    if (n == 0)
        return 0;
    const char *digits = c[0] == 'd' || c[0] == 'n' ? c + 1 : c;
    *phase = c[0] == 'd' ? 0 : 1;
    *after = strtoull(digits, &end, 10);
    if (*digits < '0' || *digits > '9' || *end) {
        fidx__resp_error(resp, 400, "bad_request", "after must be a cursor a listing gave");
        return -1;
    }
    return 0;
}

static void put_cursor(fidx__sbuf_t *out, int phase, uint64_t after, int more)
{
    fidx__sbuf_puts(out, "],\"next\":");
    if (more)
        fidx__sbuf_printf(out, "\"%c%llu\"}", phase ? 'n' : 'd', (unsigned long long)after);
    else
        fidx__sbuf_puts(out, "null}");
}

/* The plain listing: urgent disputes first (pending only), then the rest, in file order. */
static void list_plain(fidx__reports_t *st, listing_t *l, uint64_t after)
{
    uint64_t next = 0;
    fidx__sbuf_puts(l->out, "{\"reports\":[");
    if (l->state != FIDX__REPORT_PENDING || l->type == FIDX__REPORT_SCAM)
        l->phase = 1; /* nothing is urgent */
    if (l->phase == 0) {
        fidx__reports_list(st, l->state, after, l->limit, list_one, l, &next);
        if (next || l->n == l->limit)
            return put_cursor(l->out, 0, next, 1);
        l->phase = 1;
        after = 0;
    }
    fidx__reports_list(st, l->state, after, l->limit - l->n, list_one, l, &next);
    put_cursor(l->out, 1, next, next != 0);
}

/* ---- grouped ---- */

static void head_group(listing_t *l, const fidx__report_group_t *g)
{
    char first[32], last[32];
    fidx__time_iso(g->first, first, sizeof first);
    fidx__time_iso(g->last, last, sizeof last);
    fidx__sbuf_t *out = l->out;
    fidx__sbuf_printf(out, "%s{\"kind\":\"%s\",\"value\":", l->n++ ? "," : "",
                      fidx_kind_name(g->kind));
    fidx__sbuf_json_string(out, g->value, g->value_len);
    fidx__sbuf_printf(out,
                      ",\"count\":%zu,\"disputes\":%zu,\"first_report\":\"%s\","
                      "\"last_report\":\"%s\"",
                      g->count, g->disputes, first, last);
    current_json(out, l->w, g->kind, g->value, g->value_len);
    fidx__sbuf_puts(out, ",\"reports\":[");
    l->members = 0;
}

/* Whether a group is listed in this phase (0) or skipped. */
static int visit_group(const fidx__report_group_t *g, void *ctx)
{
    listing_t *l = ctx;
    int is_urgent = g->disputes && urgent(l->w, g->kind, g->value, g->value_len);
    if ((!l->any_phase && (l->phase == 0) != is_urgent) ||
        (l->type == FIDX__REPORT_DISPUTE && !g->disputes) ||
        (l->type == FIDX__REPORT_SCAM && g->count == g->disputes))
        return 1;
    head_group(l, g);
    return 0;
}

static void member_item(const fidx__report_t *r, void *ctx)
{
    listing_t *l = ctx;
    if (l->members++)
        fidx__sbuf_put(l->out, ",", 1);
    fidx__report_json(l->out, r);
}

static void end_group(const fidx__report_group_t *g, void *ctx)
{
    listing_t *l = ctx;
    fidx__sbuf_printf(l->out, "],\"cursor\":\"%c%llu\"}", l->phase ? 'n' : 'd',
                      (unsigned long long)g->cursor);
}

/* The queue one item per value: urgent disputes' groups first, then every other group in the
 * order they opened. */
static void list_groups(fidx__reports_t *st, listing_t *l, uint64_t after)
{
    fidx__group_visit_t v = {visit_group, member_item, end_group, GROUP_REPORTS, l};
    uint64_t next = 0;
    fidx__sbuf_puts(l->out, "{\"groups\":[");
    if (l->type == FIDX__REPORT_SCAM)
        l->phase = 1;
    if (l->phase == 0) {
        fidx__reports_groups(st, after, l->limit, 1, l->kind, &v, &next);
        if (next || l->n == l->limit)
            return put_cursor(l->out, 0, next, 1);
        l->phase = 1;
        after = 0;
    }
    fidx__reports_groups(st, after, l->limit - l->n, 0, l->kind, &v, &next);
    put_cursor(l->out, 1, next, next != 0);
}

static int listing_params(const fidx__req_t *req, fidx__resp_t *resp, listing_t *l, int *grouped)
{
    char status[16], type[16], group[16];
    size_t sl, tl, gl;
    uint64_t limit = FIDX__LIST_DEFAULT;
    if (fidx__decoded_param(req, resp, "status", status, sizeof status, &sl) ||
        fidx__decoded_param(req, resp, "type", type, sizeof type, &tl) ||
        fidx__decoded_param(req, resp, "group", group, sizeof group, &gl) ||
        fidx__number_param(req, resp, "limit", FIDX__LIST_MAX, &limit))
        return -1;
    fidx__report_type_t t;
    const char *bad = NULL;
    if (sl && fidx__report_state_parse(status, sl, &l->state) != 0)
        bad = "status must be pending, approved or rejected";
    else if (tl && fidx__report_type_parse(type, tl, &t) != 0)
        bad = "type must be scam or dispute";
    else if (gl && strcmp(group, "value") != 0)
        bad = "group must be value";
    else if (gl && l->state != FIDX__REPORT_PENDING)
        bad = "group=value lists the pending queue only";
    if (bad) {
        fidx__resp_error(resp, 400, "bad_request", bad);
        return -1;
    }
    l->type = tl ? (int)t : -1;
    l->limit = (size_t)(limit ? limit : FIDX__LIST_DEFAULT);
    *grouped = gl != 0;
    return 0;
}

/* Everything about one value: its reports (or its group), after the cursor. */
static void list_value(fidx__reports_t *st, listing_t *l, const fidx__value_t *v, int grouped)
{
    if (grouped) {
        fidx__group_visit_t gv = {visit_group, member_item, end_group, GROUP_REPORTS, l};
        fidx__sbuf_puts(l->out, "{\"groups\":[");
        l->any_phase = 1;
        (void)fidx__reports_group(st, v->kind, v->canonical, v->canonical_len, &gv);
        return put_cursor(l->out, 1, 0, 0);
    }
    fidx__sbuf_puts(l->out, "{\"reports\":[");
    fidx__reports_of_value(st, v->kind, v->canonical, v->canonical_len,
                           l->state == FIDX__REPORT_PENDING, list_of_value, l);
    put_cursor(l->out, 1, l->after, l->more_seq != 0);
}

void fidx__route_admin_reports(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__reports_t *st = req->w->svc->reports;
    listing_t l = {.w = req->w, .out = resp->body, .state = FIDX__REPORT_PENDING};
    fidx__value_t *v = malloc(sizeof *v);
    uint64_t after;
    int grouped, by_value = -1;
    if (!v) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    if (listing_params(req, resp, &l, &grouped) == 0 &&
        cursor_param(req, resp, &l.phase, &after) == 0)
        by_value = fidx__value_param(req, resp, "value", v);
    if (by_value >= 0 && !st) {
        fidx__resp_error(resp, 503, "unavailable", "no report store");
        by_value = -1;
    }
    if (by_value == 0) {
        l.after = after;
        list_value(st, &l, v, grouped);
    } else if (by_value == 1) {
        l.kind = v->kind; /* kind= alone: a filter */
        if (grouped)
            list_groups(st, &l, after);
        else
            list_plain(st, &l, after);
    }
    free(v);
}

/* ---- GET /v1/admin/reports/ID ---- */

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

static int one_report(const fidx__report_t *r, void *ctx)
{
    listing_t *l = ctx;
    report_item(l, r);
    return 0;
}

void fidx__route_admin_report(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx_str_t id = report_id(req);
    fidx__reports_t *st = req->w->svc->reports;
    listing_t l = {.w = req->w, .out = resp->body};
    if (!st || !valid_report_id(id) || fidx__reports_get(st, id.p, id.len, one_report, &l) != 0)
        fidx__resp_error(resp, 404, "not_found", NOT_KEPT);
}

/* ---- decisions ---- */

/* A decision job for the request, its body's decision read; the body stays in *root for the
 * caller (NULL with the answer set when there is no job). */
static fidx__admin_job_t *decision_job(const fidx__req_t *req, fidx__resp_t *resp, json_t **root)
{
    const char *bad;
    *root = NULL;
    if (!fidx__admin_can_change(req, resp))
        return NULL;
    if (!req->w->svc->reports) {
        fidx__resp_error(resp, 503, "unavailable", "no report store");
        return NULL;
    }
    fidx__admin_job_t *j = fidx__admin_job_new(fidx__admin_of(req), req, fidx__admin_run_decide);
    if (!j) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return NULL;
    }
    if (!(*root = fidx__json_body(req, resp, 0, 0))) {
        fidx__admin_job_free(j);
        return NULL;
    }
    if ((bad = read_decision(*root, j)) != NULL) {
        fidx__resp_error(resp, 400, "bad_request", bad);
        json_decref(*root);
        *root = NULL;
        fidx__admin_job_free(j);
        return NULL;
    }
    return j;
}

void fidx__route_admin_decide(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx_str_t id = report_id(req);
    json_t *root;
    if (!valid_report_id(id)) {
        fidx__resp_error(resp, 404, "not_found", NOT_KEPT);
        return;
    }
    fidx__admin_job_t *j = decision_job(req, resp, &root);
    if (!j)
        return;
    json_decref(root);
    memcpy(j->report_id, id.p, id.len);
    j->report_id[id.len] = '\0';
    fidx__admin_job_start(req, resp, j);
}

/* ---- POST /v1/admin/reports: several at once ---- */

/* "ids": 1 to FIDX__ADMIN_BULK_MAX report ids into the job. NULL, or why not. */
static const char *bulk_ids(json_t *ids, fidx__admin_job_t *j)
{
    size_t n = json_array_size(ids), i;
    json_t *x;
    if (!json_is_array(ids) || n == 0 || n > FIDX__ADMIN_BULK_MAX)
        return "ids must be an array of 1 to 1000 report ids";
    if (!(j->ids = calloc(n, sizeof *j->ids)))
        return "out of memory";
    json_array_foreach(ids, i, x)
    {
        fidx_str_t id = fidx_str(json_string_value(x), json_string_length(x));
        if (!json_is_string(x) || !valid_report_id(id))
            return "ids must be report ids";
        memcpy(j->ids[i], id.p, id.len);
    }
    j->n_ids = n;
    return NULL;
}

typedef struct {
    fidx__admin_job_t *j;
    fidx__report_type_t type;
} pending_of_t;

/* A pending report of the value: its id joins the decision while there is room. */
static int take_pending(const fidx__report_t *r, void *arg)
{
    pending_of_t *p = arg;
    if (r->type != p->type)
        return 0;
    if (p->j->n_ids == FIDX__ADMIN_BULK_MAX)
        p->j->more++;
    else
        memcpy(p->j->ids[p->j->n_ids++], r->id, FIDX__REPORT_ID_LEN + 1);
    return 0;
}

/* "value" (with "kind", "platform", "type"): every pending report of the value whose type the
 * action decides (approve: scam reports; uphold: disputes; reject: "type", scam by default).
 * NULL, or why not (resp set for an unreadable value). */
static const char *bulk_value(const fidx__req_t *req, fidx__resp_t *resp, json_t *root,
                              fidx__admin_job_t *j)
{
    const char *kind = NULL, *platform = NULL, *value = NULL, *type = NULL;
    json_error_t e;
    pending_of_t p = {j, j->uphold ? FIDX__REPORT_DISPUTE : FIDX__REPORT_SCAM};
    if (json_unpack_ex(root, &e, 0, "{s:s,s?s,s?s,s?s}", "value", &value, "kind", &kind, "platform",
                       &platform, "type", &type) != 0)
        return "value, kind, platform and type must be strings";
    if (type && (fidx__report_type_parse(type, strlen(type), &p.type) != 0 ||
                 (j->action == FIDX__REPORT_APPROVED &&
                  p.type != (j->uphold ? FIDX__REPORT_DISPUTE : FIDX__REPORT_SCAM))))
        return "type must be scam or dispute, and fit the action (approve scam reports, uphold "
               "disputes)";
    fidx__value_t *v = malloc(sizeof *v);
    j->ids = calloc(FIDX__ADMIN_BULK_MAX, sizeof *j->ids);
    int rc = v && j->ids ? fidx__value_read(resp, kind ? kind : "", kind ? strlen(kind) : 0,
                                            platform, value, strlen(value), v)
                         : -2;
    if (rc == 0)
        fidx__reports_of_value(req->w->svc->reports, v->kind, v->canonical, v->canonical_len, 1,
                               take_pending, &p);
    free(v);
    return rc == -2 ? "out of memory" : rc == -1 ? "" : NULL;
}

void fidx__route_admin_decide_many(const fidx__req_t *req, fidx__resp_t *resp)
{
    json_t *root;
    fidx__admin_job_t *j = decision_job(req, resp, &root);
    if (!j)
        return;
    json_t *ids = json_object_get(root, "ids"), *value = json_object_get(root, "value");
    const char *bad = NULL;
    if (!ids == !value)
        bad = "say which reports: \"ids\":[…] or \"value\" (every pending report of it)";
    else
        bad = ids ? bulk_ids(ids, j) : bulk_value(req, resp, root, j);
    json_decref(root);
    if (bad) {
        if (bad[0]) /* "": the answer is set already */
            fidx__resp_error(resp, 400, "bad_request", bad);
        fidx__admin_job_free(j);
        return;
    }
    j->bulk = 1;
    fidx__admin_job_start(req, resp, j);
}
