/* What the citizens' page routes share (page_request.h): their parameters, choices and
 * answer. */
#include "routes/page_request.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "http/query.h"
#include "routes/common.h"
#include "routes/related.h"
#include "warnings/provinces.h"

#define CT_HTML "text/html; charset=utf-8"
#define PAGE_HEADERS FIDX__PAGE_SECURITY_HEADERS "Cache-Control: no-store\r\n"

size_t fidx__page_request_param(fidx_str_t src, const char *name, char *out, size_t cap, int *bad)
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

void fidx__page_request_read(fidx_str_t src, fidx__page_params_t *sp)
{
    int bad = 0;
#define SHORT(f) sp->f##_len = fidx__page_request_param(src, #f, sp->f, sizeof sp->f, &bad)
    SHORT(kind);
    SHORT(bank);
    SHORT(lang);
    SHORT(part);
    SHORT(category);
    SHORT(channel);
    SHORT(province);
#undef SHORT
}

/* What the page says of itself: how fresh its data is, and who runs it. */
static void trust(const fidx__worker_t *w, fidx__page_t *pg)
{
    const fidx__config_t *cfg = w->cfg;
    pg->data_built = fidx_snapshot_build_time(w->snap);
    pg->data_changed = atomic_load(&w->svc->data_changed_at);
    if (cfg->operator_name)
        pg->operator_name = fidx_str(cfg->operator_name, strlen(cfg->operator_name));
    if (cfg->operator_url)
        pg->operator_url = fidx_str(cfg->operator_url, strlen(cfg->operator_url));
}

void fidx__page_request_begin(fidx__worker_t *w, fidx__page_t *pg, fidx__lang_t lang,
                              int lang_given)
{
    fidx__page_init(pg, lang);
    trust(w, pg);
    pg->lang_given = lang_given;
    pg->warnings = fidx__related_view(w); /* routes/related.h */
    pg->now = (int64_t)time(NULL);
}

void fidx__page_request_start(const fidx__req_t *req, fidx__page_t *pg,
                              const fidx__page_params_t *sp, fidx_kind_t *kind,
                              const fidx_bank_t **bank)
{
    fidx__lang_t lang = FIDX__LANG_VI;
    int given = fidx__lang_parse(sp->lang, sp->lang_len, &lang) == 0;
    fidx__page_request_begin(req->w, pg, lang, given);
    pg->province = fidx__province_find(sp->province, sp->province_len);
    if (kind && fidx__kind_param(sp->kind, sp->kind_len, kind) != 0)
        *kind = FIDX_KIND_NONE;
    if (bank)
        *bank = sp->bank_len ? fidx_bank_find(sp->bank, sp->bank_len) : NULL;
}

void fidx__page_request_send(fidx__resp_t *resp, const fidx__page_t *pg, int status, int part_only)
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

int fidx__page_request_is_form(const fidx__req_t *req)
{
    const char *p = req->content_type.p;
    size_t len = req->content_type.len;
    return !p || (!req->content_type_overflow && len >= 33 &&
                  strncasecmp(p, "application/x-www-form-urlencoded", 33) == 0 &&
                  (len == 33 || p[33] == ';' || p[33] == ' '));
}

fidx__report_view_t fidx__page_request_report_view(int status)
{
    return status == 202   ? FIDX__REPORT_ACCEPTED
           : status == 429 ? FIDX__REPORT_LIMITED
           : status == 400 ? FIDX__REPORT_INVALID
                           : FIDX__REPORT_UNAVAILABLE;
}
