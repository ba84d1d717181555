/* The citizens' web page over HTTP:
 *   GET /                       the page: check form, report form, advice
 *   GET /check?q=…[&kind=…][&bank=BIN][&lang=vi|en][&part=result]
 *                               the answer rendered on the server (the no-JavaScript path):
 *                               one value's, or a whole message's (page_message.c);
 *                               part=result gives only the answer, for page.js
 *   GET /report?[kind=…&value=…] the page with the report form (prefilled)
 *   POST /report                the plain HTML form's report (form-encoded) → a page
 *   GET /warnings/ID            a warning's page (routes/warnings.c hands it over)
 *   GET /static/page.css, page.js, icon.svg   the embedded files
 * Every page shows the current warnings (the start page, for ?province=CODE) or a check's
 * related ones (routes/related.h).
 * Every page says its language (lang, Vietnamese by default) and carries a strict
 * Content-Security-Policy: nothing but this origin, no inline script or style. Pages holding a
 * value someone checked are never cached (Cache-Control: no-store); the static files are
 * cached for a year under their content hash (?v=HASH, as the page links them). */
#include <stdio.h>
#include <string.h>

#include "fidx/normalize.h"
#include "web/page_render.h"
#include "http/query.h"
#include "routes/common.h"
#include "routes/page_message.h"
#include "routes/page_request.h"
#include "routes/related.h"
#include "routes/report_intake.h"
#include "routes/handlers.h"
#include "web/web_assets.h"

#define STATIC_IMMUTABLE                                                                           \
    FIDX__PAGE_SECURITY_HEADERS "Cache-Control: public, max-age=31536000, immutable\r\n"
#define STATIC_SHORT FIDX__PAGE_SECURITY_HEADERS "Cache-Control: public, max-age=300\r\n"

void fidx__route_page_home(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__page_params_t sp;
    fidx__page_t pg;
    fidx__page_request_read(req->query, &sp);
    fidx__page_request_start(req, &pg, &sp, NULL, NULL);
    fidx__page_request_send(resp, &pg, 200, 0);
}

/* ---- GET /check ---- */

/* Checks the value through the same code as GET /v1/check (metrics included); the JSON it
 * writes is dropped and the result, kept by the worker, is rendered instead. */
static int check(const fidx__req_t *req, fidx__resp_t *resp, fidx__page_t *pg, const char *q,
                 size_t qlen, fidx_err_t *err)
{
    char value[FIDX_MAX_VALUE_LEN + 16];
    size_t vlen;
    if (qlen > FIDX_MAX_VALUE_LEN ||
        fidx__bank_compose(pg->bank, q, qlen, value, sizeof value, &vlen) != 0)
        return fidx_err_set(err, FIDX_ETOOBIG, 0, "value too long");
    int r = fidx__check_value(req->w, pg->kind, NULL, value, vlen, resp->body, err);
    fidx__sbuf_reset(resp->body, SIZE_MAX);
    if (r == 0) {
        pg->result = &req->w->result;
        pg->n_related =
            fidx__related_of(req->w, pg->result, pg->related, FIDX__WARNINGS_RELATED_MAX);
    }
    return r;
}

static int is_invalid(int r)
{
    return r == FIDX_EINVAL || r == FIDX_ETOOBIG || r == FIDX_EKIND;
}

/* The answer to q: one value, or, when q is a whole message (it has lines, or it does not read
 * as one value and holds some), every value in it, as POST /v1/scan finds them. A kind or bank
 * chosen by hand says q is one value. 0, or FIDX_ENOMEM / FIDX_ENOSPC (500). */
static int answer(const fidx__req_t *req, fidx__resp_t *resp, fidx__page_t *pg, const char *q,
                  size_t qlen)
{
    fidx_err_t err = {0};
    int chosen = pg->kind != FIDX_KIND_NONE || pg->bank;
    int lines = !chosen && memchr(q, '\n', qlen) != NULL;
    int r = lines ? FIDX_EINVAL : check(req, resp, pg, q, qlen, &err);
    if (!is_invalid(r))
        return r;
    if (!chosen) {
        const fidx__page_message_t *m;
        int mr = fidx__page_message_check(req->w, q, qlen, &m);
        if (mr == 0 && (m->n_found || lines)) {
            pg->message = m;
            return 0;
        }
        if (mr == FIDX_ENOMEM)
            return mr;
        if (mr == FIDX_ETOOBIG)
            err.reason = "message too long";
    }
    pg->invalid = err.reason ? err.reason : fidx_strerror(r);
    pg->invalid_kind = pg->kind;
    return 0;
}

void fidx__route_page_check(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__page_params_t sp;
    fidx__page_t pg;
    int bad = 0;
    char *q = req->w->decode; /* max_header_bytes: the query string cannot be longer */
    fidx__page_request_read(req->query, &sp);
    fidx__page_request_start(req, &pg, &sp, &pg.kind, &pg.bank);
    size_t qlen = fidx__page_request_param(req->query, "q", q, req->w->cfg->max_header_bytes, &bad);
    int part_only = sp.part_len == 6 && memcmp(sp.part, "result", 6) == 0;
    pg.q = fidx_str(q, qlen);
    if (pg.bank && pg.kind == FIDX_KIND_NONE)
        pg.kind = FIDX_KIND_BANK_ACCOUNT;
    if (bad) {
        pg.invalid = "malformed or repeated parameter q";
    } else if (qlen) {
        int r = answer(req, resp, &pg, q, qlen);
        if (r) {
            fidx__resp_error(resp, 500, "internal", fidx_strerror(r));
            return;
        }
    }
    pg.report_kind = pg.kind;
    pg.answer_focus = !part_only;
    fidx__page_request_send(resp, &pg, pg.invalid ? 400 : 200, part_only);
}

/* ---- GET /warnings/ID ---- */

void fidx__route_page_warning(const fidx__req_t *req, fidx__resp_t *resp, fidx_str_t id)
{
    fidx__page_params_t sp;
    fidx__page_t pg;
    fidx__page_request_read(req->query, &sp);
    fidx__page_request_start(req, &pg, &sp, NULL, NULL);
    pg.warning = fidx__warnings_view_find(pg.warnings, id.p, id.len);
    pg.warning_missing = pg.warning < 0;
    fidx__page_request_send(resp, &pg, pg.warning_missing ? 404 : 200, 0);
}

/* ---- GET and POST /report ---- */

void fidx__route_page_report(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__page_params_t sp;
    fidx__page_t pg;
    fidx_kind_t kind;
    int bad = 0;
    char *value = req->w->decode;
    fidx__page_request_read(req->query, &sp);
    fidx__page_request_start(req, &pg, &sp, &kind, &pg.report_bank);
    size_t vlen =
        fidx__page_request_param(req->query, "value", value, req->w->cfg->max_header_bytes, &bad);
    pg.focus_report = 1;
    pg.report_kind = kind;
    pg.report_value = fidx_str(value, vlen);
    if (fidx_category_parse(sp.category, sp.category_len, &pg.report_category) != 0)
        pg.report_category = -1;
    fidx__page_request_send(resp, &pg, 200, 0);
}

/* The page after a report from the plain form: thanks, or the form again as it was sent with
 * what is wrong, or when to try again. */
static void report_page(fidx__page_t *pg, const fidx__report_fields_t *f,
                        const fidx__report_outcome_t *o, fidx_str_t date, fidx_str_t amount)
{
    pg->focus_report = 1;
    pg->report_kind = o->kind;
    pg->report_bank = o->bank;
    pg->report_category = o->category;
    pg->report_id = o->id;
    pg->retry_after = o->retry_after;
    pg->report = fidx__page_request_report_view(o->status);
    if (o->status == 202)
        return; /* an empty form for the next report */
    pg->report_value = f->value;
    pg->report_description = f->description;
    pg->report_channel = f->channel;
    pg->report_date = date;
    pg->report_amount = amount;
    pg->report_error_field = o->field;
    if (o->field != FIDX__FIELD_DESCRIPTION && o->field != FIDX__FIELD_CHANNEL &&
        o->field != FIDX__FIELD_DATE && o->field != FIDX__FIELD_AMOUNT)
        pg->report_error_field = FIDX__FIELD_VALUE; /* the kind, bank, category: the value */
    pg->report_error = o->message;
}

/* The optional details as the form sends them, as typed, and as the report checks read them:
 * an amount as people write it ("5.000.000") without its separators, a day written as in
 * Vietnam (25/11/2026, where a browser has no date picker) as YYYY-MM-DD. */
typedef struct {
    char date[FIDX__PAGE_PARAM_SHORT], amount[FIDX__PAGE_PARAM_SHORT];
    char iso[16], digits[FIDX__PAGE_PARAM_SHORT];
    fidx_str_t date_typed, amount_typed;
} details_t;

/* 0, or -1 when a detail is too long or malformed (*field says which). */
static int read_details(fidx_str_t body, details_t *d, fidx__report_fields_t *f,
                        fidx__field_t *field)
{
    int bad_date = 0, bad_amount = 0;
    size_t n = fidx__page_request_param(body, "date", d->date, sizeof d->date, &bad_date);
    size_t a =
        fidx__page_request_param(body, "amount_vnd", d->amount, sizeof d->amount, &bad_amount);
    size_t k = 0;
    d->date_typed = fidx_str(d->date, n);
    d->amount_typed = fidx_str(d->amount, a);
    f->date = d->date_typed;
    if (n == 10 && (d->date[2] == '/' || d->date[2] == '.') && d->date[5] == d->date[2]) {
        snprintf(d->iso, sizeof d->iso, "%.4s-%.2s-%.2s", d->date + 6, d->date + 3, d->date);
        f->date = fidx_str(d->iso, 10);
    }
    for (size_t i = 0; i < a; i++)
        if (d->amount[i] != '.' && d->amount[i] != ',' && d->amount[i] != ' ')
            d->digits[k++] = d->amount[i];
    f->amount_vnd = fidx_str(d->digits, k);
    if (a && !k)
        bad_amount = 1; /* only separators: not an amount, not "none" either */
    *field = bad_date ? FIDX__FIELD_DATE : FIDX__FIELD_AMOUNT;
    return bad_date || bad_amount ? -1 : 0;
}

static void refused_form(fidx__report_outcome_t *o, fidx_kind_t kind, fidx__field_t field)
{
    static const char *const why[] = {
        [FIDX__FIELD_VALUE] = "value too long",
        [FIDX__FIELD_DESCRIPTION] = "description too long",
        [FIDX__FIELD_DATE] = "date must be a day (YYYY-MM-DD), not in the future",
        [FIDX__FIELD_AMOUNT] = "amount_vnd must be a whole number of dong, 0 to 10^15",
    };
    memset(o, 0, sizeof *o);
    o->status = 400;
    o->kind = kind;
    o->category = -1;
    o->field = field;
    o->message = why[field];
}

void fidx__route_page_report_post(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__page_params_t sp;
    fidx__page_t pg;
    fidx_kind_t kind;
    const fidx_bank_t *bank;
    fidx__report_outcome_t o;
    details_t d;
    fidx__field_t bad_detail;
    fidx_str_t body = fidx_str(req->body ? req->body : "", req->body_len);
    char description[FIDX__REPORT_TEXT_MAX_BYTES + 1];
    int bad_value = 0, bad_text = 0;
    if (!fidx__page_request_is_form(req)) {
        fidx__resp_error(resp, 400, "bad_request",
                         "Content-Type must be application/x-www-form-urlencoded");
        return;
    }
    char *v = req->w->decode;
    size_t vcap = req->w->cfg->max_header_bytes;
    fidx__page_request_read(body, &sp);
    fidx__page_request_start(req, &pg, &sp, &kind, &bank);
    fidx__report_fields_t f = {
        .kind = fidx_str(sp.kind, sp.kind_len),
        .bank = fidx_str(sp.bank, sp.bank_len),
        .category = fidx_str(sp.category, sp.category_len),
        .channel = fidx_str(sp.channel, sp.channel_len),
    };
    f.value = fidx_str(v, fidx__page_request_param(body, "value", v, vcap, &bad_value));
    f.description = fidx_str(description, fidx__page_request_param(body, "description", description,
                                                                   sizeof description, &bad_text));
    int details = read_details(body, &d, &f, &bad_detail);
    if (bad_value || bad_text)
        refused_form(&o, kind, bad_text ? FIDX__FIELD_DESCRIPTION : FIDX__FIELD_VALUE);
    else if (details != 0)
        refused_form(&o, kind, bad_detail);
    else
        fidx__report_submit_req(req, &f, &o);
    report_page(&pg, &f, &o, d.date_typed, d.amount_typed);
    fidx__page_request_send(resp, &pg, o.status == 202 ? 200 : o.status, 0);
    if (o.retry_after)
        snprintf(resp->more, sizeof resp->more, "%sRetry-After: %u\r\n", o.ratelimit,
                 o.retry_after);
    else
        snprintf(resp->more, sizeof resp->more, "%s", o.ratelimit);
}

/* ---- static files ---- */

static const struct {
    const char *path, *name, *type;
} statics[] = {
    {"/static/page.css", "page.css", "text/css; charset=utf-8"},
    {"/static/page.js", "page.js", "text/javascript; charset=utf-8"},
    {"/static/icon.svg", "icon.svg", "image/svg+xml"},
};

void fidx__route_static(const fidx__req_t *req, fidx__resp_t *resp)
{
    for (size_t i = 0; i < sizeof statics / sizeof statics[0]; i++) {
        const fidx__asset_t *a = fidx__asset_find(statics[i].name);
        if (!fidx_str_eq(req->path, statics[i].path) || !a)
            continue;
        fidx_str_t v;
        int versioned = fidx__query_find(req->query.p, req->query.len, "v", &v) == 1 &&
                        v.len == strlen(a->hash) && memcmp(v.p, a->hash, v.len) == 0;
        resp->content_type = statics[i].type;
        resp->headers = versioned ? STATIC_IMMUTABLE : STATIC_SHORT;
        snprintf(resp->more, sizeof resp->more, "ETag: \"%s\"\r\n", a->hash);
        fidx__sbuf_put(resp->body, (const char *)a->data, a->len);
        return;
    }
    fidx__resp_error(resp, 404, "not_found", "no such resource");
}
