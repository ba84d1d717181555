/* POST /v1/check: a batch of values, {"items":[…]}, each a string or {"q","kind","platform"}.
 * Answers {"results":[…]} in item order; an invalid item answers {"query":…,"error":{…}} in
 * its place and the others still answer. The body (bounded by --max-body-bytes before it gets
 * here) is read in place when it has the usual shape (batch_items.c: no allocation), else
 * parsed with jansson, which also words every error; the item count is bounded by
 * --max-batch. */
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "routes/batch_items.h"
#include "fidx/lookup.h"
#include "http/json_body.h"
#include "routes/common.h"
#include "routes/handlers.h"

#define PLATFORM_MAX 64

static void item_error(fidx__sbuf_t *out, const char *q, size_t qlen, const char *code,
                       const char *message)
{
    fidx__sbuf_puts(out, "{\"query\":");
    if (q)
        fidx__sbuf_json_string(out, q, qlen);
    else
        fidx__sbuf_puts(out, "null");
    fidx__sbuf_puts(out, ",\"error\":{\"code\":");
    fidx__sbuf_json_string(out, code, strlen(code));
    fidx__sbuf_puts(out, ",\"message\":");
    fidx__sbuf_json_string(out, message, strlen(message));
    fidx__sbuf_puts(out, "}}");
}

/* An object item's kind and platform (absent or null: {NULL,0}); a message when one is not
 * valid. */
static const char *item_options(fidx_str_t k, fidx_str_t pl, fidx_kind_t *kind, char *platform)
{
    *kind = FIDX_KIND_NONE;
    platform[0] = '\0';
    if (k.p && fidx__kind_param(k.p, k.len, kind) != 0)
        return FIDX__KIND_HELP;
    if (pl.p) {
        if (pl.len >= PLATFORM_MAX || memchr(pl.p, 0, pl.len))
            return "platform must be a short string";
        memcpy(platform, pl.p, pl.len);
        platform[pl.len] = '\0';
    }
    return NULL;
}

/* One item, as either reader gives it, answered in place. */
static void check_item(fidx__worker_t *w, const fidx__batch_item_t *it, fidx__sbuf_t *out)
{
    fidx_kind_t kind = FIDX_KIND_NONE;
    char platform[PLATFORM_MAX] = "";
    const char *bad = it->object ? item_options(it->kind, it->platform, &kind, platform) : NULL;
    if (bad) {
        item_error(out, it->q.p, it->q.len, "bad_request", bad);
        return;
    }
    fidx_err_t err = {0};
    int r =
        fidx__check_value(w, kind, platform[0] ? platform : NULL, it->q.p, it->q.len, out, &err);
    if (r == FIDX_EINVAL || r == FIDX_ETOOBIG || r == FIDX_EKIND) {
        if (!err.reason)
            err.reason = fidx_strerror(r);
        if (fidx__sbuf_reserve(out, FIDX_CHECK_JSON_MAX) == 0)
            out->len += fidx_error_item_json(it->q.p, it->q.len, &err, out->p + out->len,
                                             out->cap - out->len);
    } else if (r) {
        item_error(out, it->q.p, it->q.len, "internal", fidx_strerror(r));
    }
}

static void too_many(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__resp_errorf(resp, 413, "too_large", "at most %zu items per request",
                      req->w->cfg->max_batch);
}

/* A jansson item as the fast reader would give it; a message when it cannot be one. */
static const char *from_json(json_t *item, fidx__batch_item_t *it)
{
    json_t *qv = item, *k = NULL, *pl = NULL;
    memset(it, 0, sizeof *it);
    if (json_is_object(item)) {
        it->object = 1;
        qv = json_object_get(item, "q");
        k = json_object_get(item, "kind");
        pl = json_object_get(item, "platform");
    }
    if (!json_is_string(qv))
        return "an item is a string or an object with a string q";
    it->q = fidx_str(json_string_value(qv), json_string_length(qv));
    if (k && !json_is_null(k)) { /* the kind is judged whole before the platform */
        fidx_kind_t kind;
        if (!json_is_string(k) ||
            fidx__kind_param(json_string_value(k), json_string_length(k), &kind) != 0)
            return FIDX__KIND_HELP;
        it->kind = fidx_str(json_string_value(k), json_string_length(k));
    }
    if (pl && !json_is_null(pl)) {
        if (!json_is_string(pl))
            return "platform must be a short string";
        it->platform = fidx_str(json_string_value(pl), json_string_length(pl));
    }
    return NULL;
}

void fidx__route_batch_jansson(const fidx__req_t *req, fidx__resp_t *resp)
{
    /* \u0000 inside a string is allowed: that item alone is then invalid, not the batch. */
    json_t *root = fidx__json_body(req, resp, JSON_ALLOW_NUL, 1);
    if (!root)
        return;
    json_t *items = json_is_object(root) ? json_object_get(root, "items") : NULL;
    if (!items || !json_is_array(items)) {
        fidx__resp_error(resp, 400, "bad_request", "the body must be {\"items\":[...]}");
    } else if (json_array_size(items) > req->w->cfg->max_batch) {
        too_many(req, resp);
    } else {
        fidx__sbuf_t *out = resp->body;
        size_t i;
        json_t *item;
        fidx__sbuf_puts(out, "{\"results\":[");
        json_array_foreach(items, i, item)
        {
            fidx__batch_item_t it;
            const char *bad = from_json(item, &it);
            if (i)
                fidx__sbuf_put(out, ",", 1);
            if (bad && !it.q.p)
                item_error(out, NULL, 0, "bad_request", bad);
            else if (bad)
                item_error(out, it.q.p, it.q.len, "bad_request", bad);
            else
                check_item(req->w, &it, out);
        }
        fidx__sbuf_puts(out, "]}");
    }
    json_decref(root);
}

void fidx__route_batch(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__batch_reader_t r;
    fidx__batch_item_t it;
    size_t n;
    if (!fidx__json_content_type(req) ||
        fidx__batch_items_start(&r, req->body, req->body_len, &n) != 0) {
        fidx__route_batch_jansson(req, resp); /* it also answers the errors */
        return;
    }
    if (n > req->w->cfg->max_batch) {
        too_many(req, resp);
        return;
    }
    fidx__sbuf_t *out = resp->body;
    fidx__sbuf_puts(out, "{\"results\":[");
    for (size_t i = 0; fidx__batch_items_next(&r, &it) == 0; i++) {
        if (i)
            fidx__sbuf_put(out, ",", 1);
        check_item(req->w, &it, out);
    }
    fidx__sbuf_puts(out, "]}");
}
