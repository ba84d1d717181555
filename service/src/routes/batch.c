/* POST /v1/check: a batch of values, {"items":[…]}, each a string or {"q","kind","platform"}.
 * Answers {"results":[…]} in item order; an invalid item answers {"query":…,"error":{…}} in
 * its place and the others still answer. The body (bounded by --max-body-bytes before it gets
 * here) is read in place when it has the usual shape (batch_items.c: no allocation), else
 * parsed with jansson, which also words every error; the item count is bounded by
 * --max-batch.
 *
 * Read in place, items are checked GROUP at a time in three passes: each is read (normalised)
 * and its bucket directory prefetched, then each bucket prefetched, then each looked up and
 * answered in order. A lookup in a large snapshot waits on two cache misses; a group overlaps
 * them, where one item at a time waited for each in turn (bench/RESULTS.md, issue 16). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "routes/batch_items.h"
#include "fidx/lookup.h"
#include "http/json_body.h"
#include "routes/common.h"
#include "routes/handlers.h"
#include "routes/related.h"

#define PLATFORM_MAX 64
#define GROUP 16 /* lookups whose cache misses overlap: enough to cover a miss's latency */

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

/* The answer for an item whose value q could not be checked: r is the lookup's error. */
static void lookup_error(fidx__sbuf_t *out, fidx_str_t q, int r, fidx_err_t *err)
{
    if (r == FIDX_EINVAL || r == FIDX_ETOOBIG || r == FIDX_EKIND) {
        if (!err->reason)
            err->reason = fidx_strerror(r);
        if (fidx__sbuf_reserve(out, FIDX_CHECK_JSON_MAX) == 0)
            out->len +=
                fidx_error_item_json(q.p, q.len, err, out->p + out->len, out->cap - out->len);
    } else if (r) {
        item_error(out, q.p, q.len, "internal", fidx_strerror(r));
    }
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
    lookup_error(out, it->q, r, &err);
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

/* A group of items between their passes. An item's value is a slice of the body, or of the
 * reader's buffers when it held an escape: then it is copied, as the next item reuses them. */
typedef struct {
    fidx_str_t q;
    const char *bad; /* an option's message, or NULL */
    int rc;          /* fidx__lookup_start's */
    fidx_err_t err;
    char q_copy[FIDX__BATCH_STRING_MAX];
} slot_t;

struct fidx__batch_ws {
    fidx__batch_reader_t reader;
    slot_t slot[GROUP];
    fidx_result_t res[GROUP];
};

/* Reads item it into slot i and starts its lookup. */
static void group_start(fidx__worker_t *w, struct fidx__batch_ws *ws, size_t i,
                        const fidx__batch_item_t *it)
{
    slot_t *s = &ws->slot[i];
    fidx_kind_t kind = FIDX_KIND_NONE;
    char platform[PLATFORM_MAX] = "";
    const char *buf = (const char *)ws->reader.buf;
    s->q = it->q;
    if (it->q.p >= buf && it->q.p < buf + sizeof ws->reader.buf) {
        memcpy(s->q_copy, it->q.p, it->q.len); /* decoded: at most FIDX__BATCH_STRING_MAX */
        s->q.p = s->q_copy;
    }
    s->bad = it->object ? item_options(it->kind, it->platform, &kind, platform) : NULL;
    s->err = (fidx_err_t){0};
    s->rc = s->bad ? 0
                   : fidx__lookup_start(w, kind, platform[0] ? platform : NULL, s->q.p, s->q.len,
                                        &ws->res[i], &s->err);
}

/* Finishes slot i's lookup and appends its answer. */
static void group_answer(fidx__worker_t *w, struct fidx__batch_ws *ws, size_t i, fidx__sbuf_t *out)
{
    slot_t *s = &ws->slot[i];
    if (s->bad) {
        item_error(out, s->q.p, s->q.len, "bad_request", s->bad);
        return;
    }
    if (s->rc) {
        lookup_error(out, s->q, s->rc, &s->err);
        return;
    }
    fidx__lookup_finish(w, &ws->res[i]);
    if (fidx__sbuf_reserve(out, FIDX_CHECK_JSON_MAX) != 0)
        return;
    size_t n =
        fidx_result_json(&ws->res[i], s->q.p, s->q.len, out->p + out->len, out->cap - out->len);
    out->len += n;
    if (n)
        fidx__related_json(w, &ws->res[i], out); /* "warnings" when some concern it */
}

/* The items, GROUP at a time (see the top of the file). */
static void check_groups(fidx__worker_t *w, struct fidx__batch_ws *ws, fidx__sbuf_t *out)
{
    fidx__batch_item_t it;
    size_t done = 0, n;
    do {
        for (n = 0; n < GROUP && fidx__batch_items_next(&ws->reader, &it) == 0; n++)
            group_start(w, ws, n, &it);
        for (size_t i = 0; i < n; i++)
            if (!ws->slot[i].bad && !ws->slot[i].rc)
                fidx_check_prefetch(w->snap, &ws->res[i]);
        for (size_t i = 0; i < n; i++, done++) {
            if (done)
                fidx__sbuf_put(out, ",", 1);
            group_answer(w, ws, i, out);
        }
    } while (n == GROUP);
}

void fidx__route_batch(const fidx__req_t *req, fidx__resp_t *resp)
{
    struct fidx__batch_ws *ws = req->w->batch_ws;
    size_t n;
    if (!ws && !(ws = req->w->batch_ws = malloc(sizeof *ws))) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    if (!fidx__json_content_type(req) ||
        fidx__batch_items_start(&ws->reader, req->body, req->body_len, &n) != 0) {
        fidx__route_batch_jansson(req, resp); /* it also answers the errors */
        return;
    }
    if (n > req->w->cfg->max_batch) {
        too_many(req, resp);
        return;
    }
    fidx__sbuf_t *out = resp->body;
    fidx__sbuf_puts(out, "{\"results\":[");
    check_groups(req->w, ws, out);
    fidx__sbuf_puts(out, "]}");
}
