/* What follows a report, on the citizens' page:
 *   GET /report/ID               what became of a report: pending, approved or rejected and the
 *                                day (the page of GET /v1/reports/ID, which the confirmation
 *                                links to); 404 for an id the service does not hold
 *   GET /dispute?kind=…&value=…[&bank=BIN]   the form with which someone says a listed value is
 *                                theirs, listed by mistake (linked under a scam or suspicious
 *                                answer): what, why, and optionally how to reach them
 *   POST /dispute                that form (form-encoded), filed as POST /v1/reports files a
 *                                "type":"dispute" → the page with the outcome
 * Both work without JavaScript; the answers take the place of a check's, under the check
 * form. */
#include <stdio.h>
#include <string.h>

#include "routes/handlers.h"
#include "routes/page_request.h"
#include "routes/report_intake.h"

_Static_assert(FIDX__DISPUTE_CONTACT_MAX == FIDX__REPORT_CONTACT_MAX,
               "the dispute form announces the contact's limit the report checks apply");

/* ---- GET /report/ID ---- */

typedef struct {
    fidx__page_t *pg;
    char value[FIDX_CANON_CAP];
} follow_t;

static int copy_report(const fidx__report_t *r, void *ctx)
{
    follow_t *f = ctx;
    fidx__page_t *pg = f->pg;
    size_t n = r->value_len < sizeof f->value ? r->value_len : sizeof f->value - 1;
    memcpy(f->value, r->value, n);
    pg->follow = r->state == FIDX__REPORT_APPROVED   ? FIDX__FOLLOW_APPROVED
                 : r->state == FIDX__REPORT_REJECTED ? FIDX__FOLLOW_REJECTED
                                                     : FIDX__FOLLOW_PENDING;
    pg->follow_dispute = r->type == FIDX__REPORT_DISPUTE;
    pg->follow_kind = r->kind;
    pg->follow_value = fidx_str(f->value, n);
    pg->follow_sent = r->created;
    pg->follow_decided = r->decided;
    return 0;
}

/* Only what GET /v1/reports/ID says, and what the report was about and when it was sent: the
 * id (64 random bits) is known to its sender only. Nothing about who decided or why. */
void fidx__route_page_report_status(const fidx__req_t *req, fidx__resp_t *resp)
{
    static const size_t skip = sizeof "/report/" - 1;
    fidx__reports_t *st = req->w->svc->reports;
    fidx__page_params_t sp;
    fidx__page_t pg;
    char id[FIDX__REPORT_ID_LEN + 1];
    follow_t f = {.pg = &pg};
    fidx__page_request_read(req->query, &sp);
    fidx__page_request_start(req, &pg, &sp, NULL, NULL);
    pg.follow = FIDX__FOLLOW_UNKNOWN;
    pg.answer_focus = 1;
    if (req->path.len == skip + FIDX__REPORT_ID_LEN) {
        memcpy(id, req->path.p + skip, FIDX__REPORT_ID_LEN);
        id[FIDX__REPORT_ID_LEN] = '\0';
        pg.follow_id = id;
        /* copy_report sets the state of a report it finds; none found stays unknown. */
        if (st && fidx__reports_get(st, id, FIDX__REPORT_ID_LEN, copy_report, &f) != 0)
            pg.follow = FIDX__FOLLOW_UNKNOWN;
    }
    fidx__page_request_send(resp, &pg, pg.follow == FIDX__FOLLOW_UNKNOWN ? 404 : 200, 0);
}

/* ---- GET and POST /dispute ---- */

void fidx__route_page_dispute(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__page_params_t sp;
    fidx__page_t pg;
    int bad = 0;
    char *value = req->w->decode;
    fidx__page_request_read(req->query, &sp);
    fidx__page_request_start(req, &pg, &sp, &pg.dispute_kind, &pg.dispute_bank);
    size_t vlen =
        fidx__page_request_param(req->query, "value", value, req->w->cfg->max_header_bytes, &bad);
    pg.dispute = 1;
    pg.answer_focus = 1;
    pg.dispute_value = fidx_str(value, vlen);
    fidx__page_request_send(resp, &pg, 200, 0);
}

/* The outcome on the page: the reference, or the form again as sent with what is wrong, or
 * when to try again. */
static void dispute_page(fidx__page_t *pg, const fidx__report_fields_t *f,
                         const fidx__report_outcome_t *o)
{
    pg->dispute = 1;
    pg->answer_focus = 1;
    pg->dispute_kind = o->kind;
    pg->dispute_bank = o->bank;
    pg->dispute_id = o->id;
    pg->retry_after = o->retry_after;
    pg->dispute_view = fidx__page_request_report_view(o->status);
    pg->dispute_value = f->value;
    pg->dispute_why = f->description;
    pg->dispute_contact = f->contact;
    pg->dispute_error_field = o->field;
    if (o->field != FIDX__FIELD_DESCRIPTION && o->field != FIDX__FIELD_CONTACT)
        pg->dispute_error_field = FIDX__FIELD_VALUE; /* the kind, the bank: the value */
    pg->dispute_error = o->message;
}

static void refuse(fidx__report_outcome_t *o, fidx_kind_t kind, fidx__field_t field,
                   const char *why)
{
    memset(o, 0, sizeof *o);
    o->status = 400;
    o->kind = kind;
    o->category = -1;
    o->field = field;
    o->message = why;
}

void fidx__route_page_dispute_post(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__page_params_t sp;
    fidx__page_t pg;
    fidx_kind_t kind;
    const fidx_bank_t *bank;
    fidx__report_outcome_t o;
    fidx_str_t body = fidx_str(req->body ? req->body : "", req->body_len);
    char why[FIDX__REPORT_TEXT_MAX_BYTES + 1], contact[FIDX__DISPUTE_CONTACT_MAX + 1];
    int bad_value = 0, bad_why = 0, bad_contact = 0;
    if (!fidx__page_request_is_form(req)) {
        fidx__resp_error(resp, 400, "bad_request",
                         "Content-Type must be application/x-www-form-urlencoded");
        return;
    }
    char *v = req->w->decode;
    fidx__page_request_read(body, &sp);
    fidx__page_request_start(req, &pg, &sp, &kind, &bank);
    fidx__report_fields_t f = {
        .kind = fidx_str(sp.kind, sp.kind_len),
        .bank = fidx_str(sp.bank, sp.bank_len),
        .type = fidx_str("dispute", 7),
    };
    f.value = fidx_str(
        v, fidx__page_request_param(body, "value", v, req->w->cfg->max_header_bytes, &bad_value));
    f.description =
        fidx_str(why, fidx__page_request_param(body, "description", why, sizeof why, &bad_why));
    f.contact = fidx_str(
        contact, fidx__page_request_param(body, "contact", contact, sizeof contact, &bad_contact));
    if (bad_value)
        refuse(&o, kind, FIDX__FIELD_VALUE, "value too long");
    else if (bad_why || f.description.len == 0) /* a dispute without a reason helps no one */
        refuse(&o, kind, FIDX__FIELD_DESCRIPTION, bad_why ? "description too long" : NULL);
    else if (bad_contact)
        refuse(&o, kind, FIDX__FIELD_CONTACT, "contact must be at most 256 bytes of text");
    else
        fidx__report_submit_req(req, &f, &o);
    dispute_page(&pg, &f, &o);
    fidx__page_request_send(resp, &pg, o.status == 202 ? 200 : o.status, 0);
    if (o.retry_after)
        snprintf(resp->more, sizeof resp->more, "Retry-After: %u\r\n", o.retry_after);
}
