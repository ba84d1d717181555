/* POST /v1/reports: a citizen's report, {"kind","value","category","description"} (and the
 * optional "bank", a bank chosen from a list, and "platform", the social platform hint) →
 * 202 {"id":…,"status":"pending"}. The checks are shared with the page's HTML form
 * (report_intake.c); the 202 is sent only once the report is fsynced. A report never changes a
 * verdict; analysts review it (reports/reports.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* amount_vnd: a JSON integer, rendered into buf for the intake's checks. 0, or -1. */
static int amount_member(json_t *o, char *buf, size_t cap, fidx_str_t *out)
{
    json_t *v = json_object_get(o, "amount_vnd");
    *out = fidx_str(NULL, 0);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    int n = snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    *out = fidx_str(buf, (size_t)n);
    return 0;
}

static int read_fields(json_t *root, fidx__report_fields_t *f, char *amount, size_t cap)
{
    return member(root, "kind", &f->kind) || member(root, "bank", &f->bank) ||
           member(root, "value", &f->value) || member(root, "category", &f->category) ||
           member(root, "description", &f->description) || member(root, "platform", &f->platform) ||
           member(root, "type", &f->type) || member(root, "channel", &f->channel) ||
           member(root, "date", &f->date) || member(root, "contact", &f->contact) ||
           amount_member(root, amount, cap, &f->amount_vnd);
}

static void answer(fidx__resp_t *resp, const fidx__report_outcome_t *o)
{
    if (o->status == 202) {
        resp->status = 202;
        snprintf(resp->more, sizeof resp->more, "%s", o->ratelimit);
        fidx__sbuf_printf(resp->body, "{\"id\":\"%s\",\"status\":\"pending\"}", o->id);
        return;
    }
    if (o->retry_after)
        snprintf(resp->more, sizeof resp->more, "%sRetry-After: %u\r\n", o->ratelimit,
                 o->retry_after);
    else
        snprintf(resp->more, sizeof resp->more, "%s", o->ratelimit);
    fidx__resp_error(resp, o->status, o->code, o->message);
}

void fidx__route_reports(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__report_fields_t f = {0};
    fidx__report_outcome_t o;
    char amount[32];
    if (req->body_len > REPORT_BODY_MAX) {
        fidx__resp_errorf(resp, 413, "too_large", "a report is at most %d bytes", REPORT_BODY_MAX);
        return;
    }
    json_t *root = fidx__json_body(req, resp, 0, 1);
    if (!root)
        return;
    if (!json_is_object(root) || read_fields(root, &f, amount, sizeof amount) != 0) {
        fidx__resp_error(resp, 400, "bad_request",
                         "the body must be an object whose kind, bank, value, category, "
                         "description, platform, type, channel, date and contact are strings "
                         "and amount_vnd a whole number");
    } else {
        fidx__report_submit_req(req, &f, &o);
        answer(resp, &o);
    }
    json_decref(root);
}

/* ---- GET /v1/reports/ID: the citizen's follow-up ---- */

typedef struct {
    fidx__report_state_t state;
    int64_t decided;
} follow_up_t;

static int copy_state(const fidx__report_t *r, void *ctx)
{
    follow_up_t *f = ctx;
    f->state = r->state;
    f->decided = r->decided;
    return 0;
}

/* What became of a report, for whoever holds its id (which only its sender got, and which no
 * one can guess: 64 random bits): its state and the day it was decided, nothing about who
 * decided or why. */
void fidx__route_report_status(const fidx__req_t *req, fidx__resp_t *resp)
{
    static const size_t skip = sizeof "/v1/reports/" - 1;
    fidx__reports_t *st = req->w->svc->reports;
    follow_up_t f = {0};
    if (!st || req->path.len != skip + FIDX__REPORT_ID_LEN ||
        fidx__reports_get(st, req->path.p + skip, FIDX__REPORT_ID_LEN, copy_state, &f) != 0) {
        fidx__resp_error(resp, 404, "not_found", "no such report");
        return;
    }
    fidx__sbuf_printf(resp->body,
                      "{\"state\":\"%s\",\"decided_on\":", fidx__report_state_name(f.state));
    struct tm tm;
    time_t t = (time_t)f.decided;
    char day[16];
    if (f.state != FIDX__REPORT_PENDING && gmtime_r(&t, &tm) &&
        strftime(day, sizeof day, "%Y-%m-%d", &tm) == 10)
        fidx__sbuf_printf(resp->body, "\"%s\"}", day);
    else
        fidx__sbuf_puts(resp->body, "null}");
}

/* ---- life with the service ---- */
