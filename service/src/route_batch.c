/* POST /v1/check: a batch of values, {"items":[…]}, each a string or {"q","kind","platform"}.
 * Answers {"results":[…]} in item order; an invalid item answers {"query":…,"error":{…}} in
 * its place and the others still answer. The body is parsed with jansson (bounded by
 * --max-body-bytes before it gets here); the item count by --max-batch. */
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "fidx/lookup.h"
#include "json_body.h"
#include "route_common.h"
#include "router.h"

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

/* Reads an object item's optional kind and platform; a message when one is not valid. */
static const char *item_options(json_t *item, fidx_kind_t *kind, char *platform)
{
    json_t *k = json_object_get(item, "kind"), *pl = json_object_get(item, "platform");
    *kind = FIDX_KIND_NONE;
    platform[0] = '\0';
    if (k && !json_is_null(k)) {
        if (!json_is_string(k) ||
            fidx__kind_param(json_string_value(k), json_string_length(k), kind) != 0)
            return FIDX__KIND_HELP;
    }
    if (pl && !json_is_null(pl)) {
        size_t n = json_is_string(pl) ? json_string_length(pl) : 0;
        if (!json_is_string(pl) || n >= PLATFORM_MAX || memchr(json_string_value(pl), 0, n))
            return "platform must be a short string";
        memcpy(platform, json_string_value(pl), n + 1);
    }
    return NULL;
}

static void check_item(fidx__worker_t *w, json_t *item, fidx__sbuf_t *out)
{
    fidx_kind_t kind = FIDX_KIND_NONE;
    char platform[PLATFORM_MAX] = "";
    json_t *qv = item;
    if (json_is_object(item))
        qv = json_object_get(item, "q");
    else if (!json_is_string(item))
        qv = NULL;
    if (!qv || !json_is_string(qv)) {
        item_error(out, NULL, 0, "bad_request", "an item is a string or an object with a string q");
        return;
    }
    const char *q = json_string_value(qv);
    size_t qlen = json_string_length(qv);
    const char *bad = json_is_object(item) ? item_options(item, &kind, platform) : NULL;
    if (bad) {
        item_error(out, q, qlen, "bad_request", bad);
        return;
    }
    fidx_err_t err = {0};
    int r = fidx__check_value(w, kind, platform[0] ? platform : NULL, q, qlen, out, &err);
    if (r == FIDX_EINVAL || r == FIDX_ETOOBIG || r == FIDX_EKIND) {
        if (!err.reason)
            err.reason = fidx_strerror(r);
        if (fidx__sbuf_reserve(out, FIDX_CHECK_JSON_MAX) == 0)
            out->len += fidx_error_item_json(q, qlen, &err, out->p + out->len, out->cap - out->len);
    } else if (r) {
        item_error(out, q, qlen, "internal", fidx_strerror(r));
    }
}

void fidx__route_batch(const fidx__req_t *req, fidx__resp_t *resp)
{
    /* \u0000 inside a string is allowed: that item alone is then invalid, not the batch. */
    json_t *root = fidx__json_body(req, resp, JSON_ALLOW_NUL, 1);
    if (!root)
        return;
    json_t *items = json_is_object(root) ? json_object_get(root, "items") : NULL;
    if (!items || !json_is_array(items)) {
        fidx__resp_error(resp, 400, "bad_request", "the body must be {\"items\":[...]}");
    } else if (json_array_size(items) > req->w->cfg->max_batch) {
        fidx__resp_errorf(resp, 413, "too_large", "at most %zu items per request",
                          req->w->cfg->max_batch);
    } else {
        fidx__sbuf_t *out = resp->body;
        size_t i;
        json_t *item;
        fidx__sbuf_puts(out, "{\"results\":[");
        json_array_foreach(items, i, item)
        {
            if (i)
                fidx__sbuf_put(out, ",", 1);
            check_item(req->w, item, out);
        }
        fidx__sbuf_puts(out, "]}");
    }
    json_decref(root);
}
