/* POST /v1/reports: a citizen's report, {"kind","value","category","description"} (and the
 * optional "bank", a bank chosen from a list, and "platform", the social platform hint) →
 * 202 {"id":…,"status":"pending"}. The checks are shared with the page's HTML form
 * (report_intake.c); the 202 is sent only once the report is fsynced. A report never changes a
 * verdict; analysts review it (reports/reports.h). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "http/json_body.h"
#include "routes/handlers.h"
#include "routes/report_intake.h"

#define REPORT_BODY_MAX (16 * 1024) /* a report is small; anything larger is refused (413) */

/* One optional string member: 0 (absent or null leave *out empty), or -1 when not a string. */
static int member(json_t *o, const char *key, fidx_str_t *out)
{
    json_t *v = json_object_get(o, key);
    *out = fidx_str(NULL, 0);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return -1;
    *out = fidx_str(json_string_value(v), json_string_length(v));
    return 0;
}

static int read_fields(json_t *root, fidx__report_fields_t *f)
{
    return member(root, "kind", &f->kind) || member(root, "bank", &f->bank) ||
           member(root, "value", &f->value) || member(root, "category", &f->category) ||
           member(root, "description", &f->description) || member(root, "platform", &f->platform);
}

static void answer(fidx__resp_t *resp, const fidx__report_outcome_t *o)
{
    if (o->status == 202) {
        resp->status = 202;
        fidx__sbuf_printf(resp->body, "{\"id\":\"%s\",\"status\":\"pending\"}", o->id);
        return;
    }
    if (o->retry_after)
        snprintf(resp->more, sizeof resp->more, "Retry-After: %u\r\n", o->retry_after);
    fidx__resp_error(resp, o->status, o->code, o->message);
}

void fidx__route_reports(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__report_fields_t f;
    fidx__report_outcome_t o;
    if (req->body_len > REPORT_BODY_MAX) {
        fidx__resp_errorf(resp, 413, "too_large", "a report is at most %d bytes", REPORT_BODY_MAX);
        return;
    }
    json_t *root = fidx__json_body(req, resp, 0, 1);
    if (!root)
        return;
    if (!json_is_object(root) || read_fields(root, &f) != 0) {
        fidx__resp_error(resp, 400, "bad_request",
                         "the body must be an object whose kind, bank, value, category, "
                         "description and platform are strings");
    } else {
        fidx__report_submit(req->w, req->peer, &f, &o);
        answer(resp, &o);
    }
    json_decref(root);
}

/* ---- life with the service ---- */
