/* Published warnings for everyone (docs/API.md, "Warnings"):
 *   GET /v1/warnings[?since=TIME][&region=CODE][&category=C][&limit=N][&after=ID]
 *       JSON, newest publication first, every warning ever published (a retracted one says
 *       so: a bot that posted it can take it back); since: changed at or after TIME (times
 *       are whole seconds, so a change in the same second as the last one seen is not missed:
 *       a poller tells what it has seen by id and rev)
 *   GET /v1/warnings/ID           one, as JSON
 *   GET /warnings.atom            an Atom feed (RFC 4287) of the same warnings
 *   GET /warnings/REGION.atom     the warnings of one province (the whole country's included)
 *   GET /warnings/ID              the warning's page (routes/page.c)
 * Polling costs nothing when nothing changed: every answer carries the view's ETag and
 * Last-Modified, and If-None-Match / If-Modified-Since answer 304 with no body. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <xxhash.h>

#include "routes/common.h"
#include "routes/handlers.h"
#include "routes/related.h"
#include "warnings/provinces.h"
#include "web/page_render.h"

#define CT_ATOM "application/atom+xml; charset=utf-8"
#define CACHE "Cache-Control: public, max-age=60\r\n"
#define LIMIT_DEFAULT 50
#define LIMIT_MAX 200

/* ---- caching ---- */

static void http_date(int64_t t, char out[40])
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm))
        strcpy(out, "Thu, 01 Jan 1970 00:00:00 GMT");
}

/* Whether an If-None-Match value names etag (or is "*"). */
static int etag_listed(fidx_str_t v, const char *etag)
{
    size_t n = strlen(etag);
    if (v.len == 1 && v.p[0] == '*')
        return 1;
    for (size_t i = 0; i + n <= v.len; i++)
        if (memcmp(v.p + i, etag, n) == 0)
            return 1;
    return 0;
}

static int modified_since(fidx_str_t v, int64_t last)
{
    char buf[64];
    struct tm tm = {0};
    if (v.len == 0 || v.len >= sizeof buf)
        return 1;
    memcpy(buf, v.p, v.len);
    buf[v.len] = '\0';
    const char *end = strptime(buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return !end || *end || (int64_t)timegm(&tm) < last;
}

/* Sets the validators; 1 when the client's copy is current (the 304 is set). If-None-Match
 * wins over If-Modified-Since (RFC 9110, 13.2.2). */
static int not_modified(const fidx__req_t *req, fidx__resp_t *resp, const fidx__warnings_view_t *v)
{
    char date[40];
    fidx_str_t inm = req->kept[FIDX__H_IF_NONE_MATCH];
    fidx_str_t ims = req->kept[FIDX__H_IF_MODIFIED_SINCE];
    http_date(v->last_modified, date);
    snprintf(resp->more, sizeof resp->more, "ETag: %s\r\nLast-Modified: %s\r\n", v->etag, date);
    resp->headers = CACHE;
    int current = inm.p ? etag_listed(inm, v->etag)
                        : ims.p && v->last_modified && !modified_since(ims, v->last_modified);
    if (current) {
        resp->status = 304;
        fidx__sbuf_reset(resp->body, SIZE_MAX);
    }
    return current;
}

static const fidx__warnings_view_t *view_of(const fidx__req_t *req, fidx__resp_t *resp)
{
    const fidx__warnings_view_t *v = fidx__related_view(req->w);
    if (!v)
        fidx__resp_error(resp, 404, "not_found", "this server keeps no warnings (--data-dir)");
    return v;
}

/* ---- JSON ---- */

typedef struct {
    int64_t since; /* 0: all */
    int region;    /* province index, -1: all */
    int category;  /* -1: all */
    uint64_t limit;
    char after[FIDX__WARNING_ID_LEN + 2];
    size_t after_len;
} filter_t;

static int passes(const filter_t *f, const fidx__warning_t *w)
{
    return (!f->since || w->updated >= f->since) &&
           (f->region < 0 || fidx__warning_in_region(w, f->region)) &&
           (f->category < 0 || w->category == f->category);
}

static int read_filter(const fidx__req_t *req, fidx__resp_t *resp, filter_t *f)
{
    char since[32], region[FIDX__PROVINCE_CODE_MAX + 8], cat[32];
    size_t sl, rl, cl;
    f->since = 0;
    f->region = f->category = -1;
    if (fidx__decoded_param(req, resp, "since", since, sizeof since, &sl) ||
        fidx__decoded_param(req, resp, "region", region, sizeof region, &rl) ||
        fidx__decoded_param(req, resp, "category", cat, sizeof cat, &cl) ||
        fidx__decoded_param(req, resp, "after", f->after, sizeof f->after, &f->after_len) ||
        fidx__u64_param(req, resp, "limit", 1, LIMIT_MAX, LIMIT_DEFAULT, &f->limit))
        return -1;
    if (sl && fidx__warning_parse_time(since, sl, 0, &f->since) != 0) {
        fidx__resp_error(resp, 400, "bad_request",
                         "since must be YYYY-MM-DDTHH:MM:SSZ (or YYYY-MM-DD, Vietnam's day)");
        return -1;
    }
    if (rl && (f->region = fidx__province_find(region, rl)) < 0 &&
        !(rl == 3 && !memcmp(region, "all", 3))) {
        fidx__resp_error(resp, 400, "bad_request",
                         "region must be a province code (docs/WARNINGS.md) or all");
        return -1;
    }
    if (cl && fidx_category_parse(cat, cl, &f->category) != 0) {
        fidx__resp_error(resp, 400, "bad_request", "unknown category");
        return -1;
    }
    return 0;
}

void fidx__route_warnings(const fidx__req_t *req, fidx__resp_t *resp)
{
    filter_t f;
    const fidx__warnings_view_t *v = view_of(req, resp);
    if (!v || read_filter(req, resp, &f) != 0 || not_modified(req, resp, v))
        return;
    size_t i = 0, n = 0;
    if (f.after_len) {
        long at = fidx__warnings_view_find(v, f.after, f.after_len);
        if (at < 0) {
            fidx__resp_error(resp, 400, "bad_request", "after names no published warning");
            return;
        }
        i = (size_t)at + 1;
    }
    fidx__sbuf_puts(resp->body, "{\"warnings\":[");
    const fidx__warning_t *last = NULL;
    for (; i < v->n && n < f.limit; i++) {
        if (!passes(&f, &v->w[i]))
            continue;
        if (n++)
            fidx__sbuf_puts(resp->body, ",");
        fidx__warning_json(resp->body, &v->w[i], 1);
        last = &v->w[i];
    }
    while (i < v->n && !passes(&f, &v->w[i]))
        i++;
    if (i < v->n && last)
        fidx__sbuf_printf(resp->body, "],\"next\":\"%s\"}", last->id);
    else
        fidx__sbuf_puts(resp->body, "],\"next\":null}");
}

void fidx__route_warning_json(const fidx__req_t *req, fidx__resp_t *resp)
{
    const fidx__warnings_view_t *v = view_of(req, resp);
    size_t skip = sizeof "/v1/warnings/" - 1;
    if (!v)
        return;
    long at = fidx__warnings_view_find(v, req->path.p + skip, req->path.len - skip);
    if (at < 0) {
        fidx__resp_error(resp, 404, "not_found", "no such published warning");
        return;
    }
    if (!not_modified(req, resp, v))
        fidx__warning_json(resp->body, &v->w[at], 1);
}

/* ---- Atom (RFC 4287) ---- */

static void xml_text(fidx__sbuf_t *out, const char *s)
{
    fidx__html_escape(out, s, strlen(s)); /* & < > " ' escaped; controls are never stored */
}

static void atom_time(fidx__sbuf_t *out, const char *tag, int64_t t)
{
    char iso[21];
    fidx__warning_time(t, iso);
    fidx__sbuf_printf(out, "<%s>%s</%s>", tag, iso, tag);
}

/* A feed's id: a name-based UUID (version 8: XXH3-128 of the feed's path), the same for ever. */
static void feed_id(fidx__sbuf_t *out, const char *path)
{
    XXH128_hash_t h = XXH3_128bits(path, strlen(path));
    uint64_t hi = (h.high64 & ~0xf000ull) | 0x8000ull;
    uint64_t lo = (h.low64 & ~(3ull << 62)) | (2ull << 62);
    fidx__sbuf_printf(out, "<id>urn:uuid:%08llx-%04llx-%04llx-%04llx-%012llx</id>",
                      (unsigned long long)(hi >> 32), (unsigned long long)((hi >> 16) & 0xffff),
                      (unsigned long long)(hi & 0xffff), (unsigned long long)(lo >> 48),
                      (unsigned long long)(lo & 0xffffffffffffull));
}

static void atom_entry(fidx__sbuf_t *out, const fidx__warning_t *w, const char *author)
{
    int gone = w->state == FIDX__WARNING_RETRACTED;
    fidx__sbuf_printf(out, "<entry><id>urn:uuid:%s</id><title type=\"text\">", w->uuid);
    if (gone)
        fidx__sbuf_puts(out, "[Đã rút lại] ");
    xml_text(out, w->title[FIDX__WL_VI]);
    fidx__sbuf_puts(out, "</title>");
    atom_time(out, "updated", w->updated);
    atom_time(out, "published", w->published);
    fidx__sbuf_printf(out,
                      "<link rel=\"alternate\" type=\"text/html\" href=\"/warnings/%s\"/>"
                      "<author><name>",
                      w->id);
    xml_text(out, w->issuer ? w->issuer : author);
    fidx__sbuf_puts(out, "</name></author>");
    if (w->category >= 0)
        fidx__sbuf_printf(out, "<category term=\"%s\"/>", fidx_category_name(w->category));
    fidx__sbuf_puts(out, "<content type=\"text\">");
    if (gone && w->reason) {
        fidx__sbuf_puts(out, "Cảnh báo này đã được rút lại: ");
        xml_text(out, w->reason);
        fidx__sbuf_puts(out, "\n\n");
    }
    xml_text(out, w->text[FIDX__WL_VI]);
    if (w->advice[FIDX__WL_VI]) {
        fidx__sbuf_puts(out, "\n\nLời khuyên: ");
        xml_text(out, w->advice[FIDX__WL_VI]);
    }
    fidx__sbuf_puts(out, "</content></entry>");
}

static void atom_feed(const fidx__req_t *req, fidx__resp_t *resp, int region)
{
    const fidx__warnings_view_t *v = view_of(req, resp);
    if (!v || not_modified(req, resp, v))
        return;
    const char *op = req->w->cfg->operator_name;
    const char *author = op ? op : "fraudidx";
    const fidx__province_t *p = fidx__province_at(region);
    char self[64];
    snprintf(self, sizeof self, "/warnings%s%s.atom", p ? "/" : "", p ? p->code : "");
    fidx__sbuf_t *out = resp->body;
    resp->content_type = CT_ATOM;
    fidx__sbuf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                         "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">");
    feed_id(out, self);
    fidx__sbuf_puts(out, "<title type=\"text\">Cảnh báo lừa đảo");
    if (p) {
        fidx__sbuf_puts(out, " — ");
        xml_text(out, p->name_vi);
    }
    fidx__sbuf_puts(out, "</title>");
    atom_time(out, "updated", v->last_modified);
    fidx__sbuf_printf(out,
                      "<link rel=\"self\" type=\"application/atom+xml\" href=\"%s\"/>"
                      "<link rel=\"alternate\" type=\"text/html\" href=\"/\"/><author><name>",
                      self);
    xml_text(out, author);
    fidx__sbuf_puts(out, "</name></author><generator>fraudidx</generator>\n");
    for (size_t i = 0; i < v->n; i++)
        if (region < 0 || fidx__warning_in_region(&v->w[i], region)) {
            atom_entry(out, &v->w[i], author);
            fidx__sbuf_puts(out, "\n");
        }
    fidx__sbuf_puts(out, "</feed>\n");
}

void fidx__route_warnings_atom(const fidx__req_t *req, fidx__resp_t *resp)
{
    atom_feed(req, resp, -1);
}

void fidx__route_warnings_sub(const fidx__req_t *req, fidx__resp_t *resp)
{
    size_t skip = sizeof "/warnings/" - 1, len = req->path.len - skip;
    const char *rest = req->path.p + skip;
    if (len > 5 && memcmp(rest + len - 5, ".atom", 5) == 0) {
        int region = fidx__province_find(rest, len - 5);
        if (region < 0) {
            fidx__resp_error(resp, 404, "not_found",
                             "no such province code (the 34 codes are in docs/WARNINGS.md)");
            return;
        }
        atom_feed(req, resp, region);
        return;
    }
    fidx__route_page_warning(req, resp, fidx_str(rest, len));
}
