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
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fidx/normalize.h"
#include "web/page_render.h"
#include "http/query.h"
#include "routes/common.h"
#include "routes/page_message.h"
#include "routes/proxy.h"
#include "routes/related.h"
#include "warnings/provinces.h"
#include "routes/report_intake.h"
#include "routes/handlers.h"
#include "web/web_assets.h"

#define CT_HTML "text/html; charset=utf-8"

/* X-Content-Type-Options: nosniff is on every answer (http/conn.c). */
#define SECURITY_HEADERS                                                                           \
    "Content-Security-Policy: default-src 'self'; base-uri 'none'; object-src 'none'; "            \
    "form-action 'self'; frame-ancestors 'none'\r\n"                                               \
    "Referrer-Policy: no-referrer\r\n"                                                             \
    "X-Frame-Options: DENY\r\n"

#define PAGE_HEADERS SECURITY_HEADERS "Cache-Control: no-store\r\n"
#define STATIC_IMMUTABLE SECURITY_HEADERS "Cache-Control: public, max-age=31536000, immutable\r\n"
#define STATIC_SHORT SECURITY_HEADERS "Cache-Control: public, max-age=300\r\n"

#define PARAM_SHORT 64

/* The parameters a page takes, decoded. Long ones live in the caller's buffers. */
typedef struct {
    char kind[PARAM_SHORT], bank[PARAM_SHORT], lang[PARAM_SHORT], part[PARAM_SHORT];
    char category[PARAM_SHORT], province[PARAM_SHORT];
    size_t kind_len, bank_len, lang_len, part_len, category_len, province_len;
} short_params_t;

/* Decodes parameter name of the form-encoded src into out (cap bytes, NUL-terminated). An absent,
 * repeated, malformed or too long parameter reads as empty and *bad is set for the last three. */
static size_t param(fidx_str_t src, const char *name, char *out, size_t cap, int *bad)
{
    fidx_str_t raw;
    size_t len = 0, n = fidx__query_find(src.p, src.len, name, &raw);
    out[0] = '\0';
    if (n == 0)
        return 0;
    if (n > 1 || fidx__query_decode(raw.p, raw.len, out, cap - 1, &len) != 0) {
        *bad = 1;
        out[0] = '\0';
        return 0;
    }
    out[len] = '\0';
    return len;
}

static void read_short(fidx_str_t src, short_params_t *sp)
{
    int bad = 0;
    sp->kind_len = param(src, "kind", sp->kind, sizeof sp->kind, &bad);
    sp->bank_len = param(src, "bank", sp->bank, sizeof sp->bank, &bad);
    sp->lang_len = param(src, "lang", sp->lang, sizeof sp->lang, &bad);
    sp->part_len = param(src, "part", sp->part, sizeof sp->part, &bad);
    sp->category_len = param(src, "category", sp->category, sizeof sp->category, &bad);
    sp->province_len = param(src, "province", sp->province, sizeof sp->province, &bad);
}

/* What the page says of itself: how fresh its data is, and who runs it. */
static void trust(const fidx__req_t *req, fidx__page_t *pg)
{
    const fidx__config_t *cfg = req->w->cfg;
    pg->data_built = fidx_snapshot_build_time(req->w->snap);
    pg->data_changed = atomic_load(&req->w->svc->data_changed_at);
    if (cfg->operator_name)
        pg->operator_name = fidx_str(cfg->operator_name, strlen(cfg->operator_name));
    if (cfg->operator_url)
        pg->operator_url = fidx_str(cfg->operator_url, strlen(cfg->operator_url));
}

/* Language, kind and bank choices of a request; anything unknown reads as "not chosen". */
static void apply_choices(const fidx__req_t *req, fidx__page_t *pg, const short_params_t *sp,
                          fidx_kind_t *kind, const fidx_bank_t **bank)
{
    fidx__lang_t lang = FIDX__LANG_VI;
    fidx__page_init(pg, FIDX__LANG_VI);
    trust(req, pg);
    pg->lang_given = fidx__lang_parse(sp->lang, sp->lang_len, &lang) == 0;
    pg->lang = lang;
    pg->warnings = fidx__related_view(req->w);
    pg->now = (int64_t)time(NULL);
    pg->province = fidx__province_find(sp->province, sp->province_len);
    if (fidx__kind_param(sp->kind, sp->kind_len, kind) != 0)
        *kind = FIDX_KIND_NONE;
    *bank = sp->bank_len ? fidx_bank_find(sp->bank, sp->bank_len) : NULL;
}

static void send_page(fidx__resp_t *resp, const fidx__page_t *pg, int status, int part_only)
{
    fidx__sbuf_reset(resp->body, SIZE_MAX);
    resp->status = status;
    resp->content_type = CT_HTML;
    resp->headers = PAGE_HEADERS;
    if (part_only)
        fidx__page_render_result(resp->body, pg);
    else
        fidx__page_render(resp->body, pg);
}

void fidx__route_page_home(const fidx__req_t *req, fidx__resp_t *resp)
{
    short_params_t sp;
    fidx__page_t pg;
    fidx_kind_t kind;
    const fidx_bank_t *bank;
    read_short(req->query, &sp);
    apply_choices(req, &pg, &sp, &kind, &bank);
    send_page(resp, &pg, 200, 0);
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
    short_params_t sp;
    fidx__page_t pg;
    int bad = 0;
    char *q = req->w->decode; /* max_header_bytes: the query string cannot be longer */
    read_short(req->query, &sp);
    apply_choices(req, &pg, &sp, &pg.kind, &pg.bank);
    size_t qlen = param(req->query, "q", q, req->w->cfg->max_header_bytes, &bad);
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
    send_page(resp, &pg, pg.invalid ? 400 : 200, part_only);
}

/* ---- GET /warnings/ID ---- */

void fidx__route_page_warning(const fidx__req_t *req, fidx__resp_t *resp, fidx_str_t id)
{
    short_params_t sp;
    fidx__page_t pg;
    fidx_kind_t kind;
    const fidx_bank_t *bank;
    read_short(req->query, &sp);
    apply_choices(req, &pg, &sp, &kind, &bank);
    pg.warning = fidx__warnings_view_find(pg.warnings, id.p, id.len);
    pg.warning_missing = pg.warning < 0;
    send_page(resp, &pg, pg.warning_missing ? 404 : 200, 0);
}

/* ---- GET and POST /report ---- */

void fidx__route_page_report(const fidx__req_t *req, fidx__resp_t *resp)
{
    short_params_t sp;
    fidx__page_t pg;
    fidx_kind_t kind;
    int bad = 0;
    char *value = req->w->decode;
    read_short(req->query, &sp);
    apply_choices(req, &pg, &sp, &kind, &pg.report_bank);
    size_t vlen = param(req->query, "value", value, req->w->cfg->max_header_bytes, &bad);
    pg.focus_report = 1;
    pg.report_kind = kind;
    pg.report_value = fidx_str(value, vlen);
    if (fidx_category_parse(sp.category, sp.category_len, &pg.report_category) != 0)
        pg.report_category = -1;
    send_page(resp, &pg, 200, 0);
}

static int form_content_type(const fidx__req_t *req)
{
    const char *p = req->content_type.p;
    size_t len = req->content_type.len;
    return !p || (!req->content_type_overflow && len >= 33 &&
                  strncasecmp(p, "application/x-www-form-urlencoded", 33) == 0 &&
                  (len == 33 || p[33] == ';' || p[33] == ' '));
}

/* The page after a report from the plain form: thanks, or the form again as it was sent with
 * what is wrong, or when to try again. */
static void report_page(fidx__page_t *pg, const fidx__report_fields_t *f,
                        const fidx__report_outcome_t *o)
{
    pg->focus_report = 1;
    pg->report_kind = o->kind;
    pg->report_bank = o->bank;
    pg->report_category = o->category;
    pg->report_id = o->id;
    pg->retry_after = o->retry_after;
    pg->report = o->status == 202   ? FIDX__REPORT_ACCEPTED
                 : o->status == 429 ? FIDX__REPORT_LIMITED
                 : o->status == 400 ? FIDX__REPORT_INVALID
                                    : FIDX__REPORT_UNAVAILABLE;
    if (o->status == 202)
        return; /* an empty form for the next report */
    pg->report_value = f->value;
    pg->report_description = f->description;
    pg->report_error_field =
        o->field == FIDX__FIELD_DESCRIPTION ? FIDX__FIELD_DESCRIPTION : FIDX__FIELD_VALUE;
    pg->report_error = o->message;
}

void fidx__route_page_report_post(const fidx__req_t *req, fidx__resp_t *resp)
{
    short_params_t sp;
    fidx__page_t pg;
    fidx_kind_t kind;
    const fidx_bank_t *bank;
    fidx__report_outcome_t o;
    fidx_str_t body = fidx_str(req->body ? req->body : "", req->body_len);
    char description[FIDX__REPORT_TEXT_MAX_BYTES + 1];
    int bad_value = 0, bad_text = 0;
    if (!form_content_type(req)) {
        fidx__resp_error(resp, 400, "bad_request",
                         "Content-Type must be application/x-www-form-urlencoded");
        return;
    }
    char *v = req->w->decode;
    size_t vcap = req->w->cfg->max_header_bytes;
    read_short(body, &sp);
    apply_choices(req, &pg, &sp, &kind, &bank);
    fidx__report_fields_t f = {
        .kind = fidx_str(sp.kind, sp.kind_len),
        .bank = fidx_str(sp.bank, sp.bank_len),
        .category = fidx_str(sp.category, sp.category_len),
    };
    f.value = fidx_str(v, param(body, "value", v, vcap, &bad_value));
    f.description = fidx_str(
        description, param(body, "description", description, sizeof description, &bad_text));
    if (bad_value || bad_text) {
        memset(&o, 0, sizeof o);
        o.status = 400;
        o.kind = kind;
        o.category = -1;
        o.field = bad_text ? FIDX__FIELD_DESCRIPTION : FIDX__FIELD_VALUE;
        o.message = bad_text ? "description too long" : "value too long";
    } else {
        fidx__client_t client; /* behind a trusted proxy, the client it forwards for */
        fidx__proxy_req_client(req, &client);
        f.reporter = req->principal[0] ? req->principal : NULL; /* an API key's name */
        fidx__report_submit(req->w, client.text, &f, &o);
    }
    report_page(&pg, &f, &o);
    send_page(resp, &pg, o.status == 202 ? 200 : o.status, 0);
    if (o.retry_after)
        snprintf(resp->more, sizeof resp->more, "Retry-After: %u\r\n", o.retry_after);
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
