/* The analysts' routes of warnings to the public (docs/API.md, "Warnings"):
 *   GET  /v1/admin/warnings[?state=draft|published|retracted]   every warning, drafts too
 *   POST /v1/admin/warnings                  a new draft (201)
 *   GET  /v1/admin/warnings/ID               one warning
 *   POST /v1/admin/warnings/ID               change its fields (a draft or a published one)
 *   POST /v1/admin/warnings/ID/publish       draft → published
 *   POST /v1/admin/warnings/ID/retract       published → retracted, {"reason":…} required
 * Changes run as jobs (admin/admin_warnings.c): logged with their audit line, then stored.
 * Reading needs the status right, changing the warn right (admin/roles.h). */
#include <stdatomic.h>
#include <string.h>

#include "admin/admin.h"
#include "http/json_body.h"
#include "routes/admin_params.h"
#include "routes/common.h"
#include "routes/handlers.h"
#include "warnings/warnings.h"

#define SUB "/v1/admin/warnings/"
#define SUB_LEN (sizeof SUB - 1)

static fidx__warnings_t *store(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__warnings_t *st = atomic_load(&req->w->svc->warnings);
    if (!st)
        fidx__resp_error(resp, 503, "unavailable", "warnings need --data-dir");
    return st;
}

typedef struct {
    fidx__sbuf_t *out;
    int state; /* -1: every state */
    size_t n;
} list_t;

static int list_one(const fidx__warning_t *w, void *ctx)
{
    list_t *l = ctx;
    if (l->state >= 0 && (int)w->state != l->state)
        return 0;
    if (l->n++)
        fidx__sbuf_puts(l->out, ",");
    fidx__warning_json(l->out, w, 0);
    return 0;
}

void fidx__route_admin_warnings(const fidx__req_t *req, fidx__resp_t *resp)
{
    char state[16];
    size_t len;
    list_t l = {resp->body, -1, 0};
    fidx__warnings_t *st = store(req, resp);
    if (!st || fidx__decoded_param(req, resp, "state", state, sizeof state, &len))
        return;
    static const char *const states[] = {"draft", "published", "retracted"};
    for (int i = 0; len && i < 3; i++)
        if (strcmp(state, states[i]) == 0)
            l.state = i;
    if (len && l.state < 0) {
        fidx__resp_error(resp, 400, "bad_request", "state must be draft, published or retracted");
        return;
    }
    fidx__sbuf_puts(resp->body, "{\"warnings\":[");
    fidx__warnings_each(st, list_one, &l);
    fidx__sbuf_printf(resp->body, "],\"count\":%zu}", l.n);
}

/* The id and the action after SUB: "ID", "ID/publish", "ID/retract". -1 when malformed. */
static int split_path(const fidx__req_t *req, fidx_str_t *id, int *action)
{
    fidx_str_t rest = fidx_str(req->path.p + SUB_LEN, req->path.len - SUB_LEN);
    const char *slash = memchr(rest.p, '/', rest.len);
    *id = fidx_str(rest.p, slash ? (size_t)(slash - rest.p) : rest.len);
    fidx_str_t tail = slash ? fidx_str(slash + 1, rest.len - id->len - 1) : fidx_str("", 0);
    *action = !slash                         ? FIDX__ADMIN_WARNING_UPDATE
              : fidx_str_eq(tail, "publish") ? FIDX__ADMIN_WARNING_PUBLISH
              : fidx_str_eq(tail, "retract") ? FIDX__ADMIN_WARNING_RETRACT
                                             : -1;
    return id->len == FIDX__WARNING_ID_LEN && id->p[0] == 'w' && *action > 0 ? 0 : -1;
}

void fidx__route_admin_warning(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx_str_t id;
    int action;
    fidx__warning_t w;
    fidx__warnings_t *st = store(req, resp);
    if (!st)
        return;
    if (split_path(req, &id, &action) != 0 || action != FIDX__ADMIN_WARNING_UPDATE ||
        fidx__warnings_get(st, id.p, id.len, &w) != 0) {
        fidx__resp_error(resp, 404, "not_found", "no such warning");
        return;
    }
    fidx__warning_json(resp->body, &w, 0);
    fidx__warning_dispose(&w);
}

/* A retraction's reason: 1..FIDX__WARNING_REASON_MAX bytes, no NUL nor control characters but
 * line breaks and tabs (what warning.c reads back). */
static int plain_text(const char *p, size_t len)
{
    if (len == 0 || len > FIDX__WARNING_REASON_MAX || strlen(p) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f)
            return 0;
    }
    return 1;
}

/* The job of a change, with its body read: NULL with the answer set. */
static fidx__admin_job_t *change_job(const fidx__req_t *req, fidx__resp_t *resp, int action)
{
    fidx__admin_job_t *j = fidx__admin_job_new(fidx__admin_of(req), req, fidx__admin_run_warning);
    if (!j) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return NULL;
    }
    j->warning_action = action;
    if (action == FIDX__ADMIN_WARNING_PUBLISH && !req->body_len)
        return j; /* publishing needs no body */
    if (!(j->input = fidx__json_body(req, resp, 0, 0))) {
        fidx__admin_job_free(j);
        return NULL;
    }
    if (action != FIDX__ADMIN_WARNING_RETRACT)
        return j;
    json_t *reason = json_object_get(j->input, "reason");
    const char *r = json_string_value(reason);
    if (!r || !plain_text(r, json_string_length(reason))) {
        fidx__resp_error(resp, 400, "bad_request",
                         "reason is required: why the warning is retracted (at most 1024 bytes)");
        fidx__admin_job_free(j);
        return NULL;
    }
    memcpy(j->reason, r, json_string_length(reason) + 1); /* fits: FIDX__ADMIN_REASON_MAX */
    return j;
}

void fidx__route_admin_warning_new(const fidx__req_t *req, fidx__resp_t *resp)
{
    if (!store(req, resp))
        return;
    fidx__admin_job_t *j = change_job(req, resp, FIDX__ADMIN_WARNING_CREATE);
    if (j)
        fidx__admin_job_start(req, resp, j);
}

void fidx__route_admin_warning_change(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx_str_t id;
    int action;
    if (!store(req, resp))
        return;
    if (split_path(req, &id, &action) != 0) {
        fidx__resp_error(resp, 404, "not_found", "no such warning or action (publish, retract)");
        return;
    }
    fidx__admin_job_t *j = change_job(req, resp, action);
    if (!j)
        return;
    memcpy(j->warning_id, id.p, id.len);
    j->warning_id[id.len] = '\0';
    fidx__admin_job_start(req, resp, j);
}
