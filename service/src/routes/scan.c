/* POST /v1/scan: {"text":"…"} → every indicator found in a post, each checked like GET
 * /v1/check, and the post's verdict: block when any indicator is a scam, review when any is
 * suspicious, allow otherwise (an allowlisted one never raises it). The verdict covers every
 * indicator in the text, not only the matches listed (at most FIDX_SCAN_MAX_MATCHES, then
 * "truncated"): decoys placed before a scam number must not hide it. Each distinct value is
 * looked up once, so the cost is bounded by the 64 KiB text (bench/RESULTS.md). Offsets are
 * bytes into the text as sent (the JSON string once decoded). The workspace (~1.7 MiB) is the
 * worker's, made on its first scan and reused. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fidx/lookup.h"
#include "fidx/scan.h"
#include "http/json_body.h"
#include "routes/common.h"
#include "routes/handlers.h"
#include "routes/related.h"
#include "routes/scan.h"

/* What one scan knows of each of its values: whether it was looked up and its verdict, and
 * where the JSON of its result sits in the answer once a listed match has written it. */
typedef struct {
    uint8_t state; /* VALUE_NEW, VALUE_JUDGED, VALUE_UNREADABLE */
    uint8_t verdict;
    uint32_t json_at, json_len;
} value_state_t;
enum { VALUE_NEW, VALUE_JUDGED, VALUE_UNREADABLE };

struct fidx__scan_ws {
    fidx_scan_result_t res;
    value_state_t v[FIDX_SCAN_MAX_FOUND];
    int scam, suspicious;
    size_t n_related; /* warnings related to the values judged (routes/related.h), once each */
    uint32_t related[FIDX__WARNINGS_RELATED_MAX];
};

/* Adds the warnings related to the value just looked up (w->result) to the post's. */
static void note_related(fidx__worker_t *w, struct fidx__scan_ws *ws)
{
    uint32_t at[FIDX__WARNINGS_RELATED_MAX];
    size_t n = fidx__related_of(w, &w->result, at, FIDX__WARNINGS_RELATED_MAX);
    for (size_t i = 0; i < n && ws->n_related < FIDX__WARNINGS_RELATED_MAX; i++) {
        size_t k = 0;
        while (k < ws->n_related && ws->related[k] != at[i])
            k++;
        if (k == ws->n_related)
            ws->related[ws->n_related++] = at[i];
    }
}

/* Looks value i up once: its verdict is kept, and the result is left in w->result. */
static value_state_t *judge(fidx__worker_t *w, size_t i)
{
    struct fidx__scan_ws *ws = w->scan_ws;
    value_state_t *st = &ws->v[i];
    const fidx_scan_value_t *val = &ws->res.values[i];
    fidx_err_t err = {0};
    if (fidx__lookup(w, val->kind, NULL, val->canonical.p, val->canonical.len, &err)) {
        st->state = VALUE_UNREADABLE; /* not a value the snapshot can hold: it judges nothing */
        return st;
    }
    st->state = VALUE_JUDGED;
    st->verdict = (uint8_t)w->result.verdict;
    ws->scam |= w->result.verdict == FIDX_VERDICT_SCAM;
    ws->suspicious |= w->result.verdict == FIDX_VERDICT_SUSPICIOUS;
    note_related(w, ws);
    return st;
}

/* The lookup result's members for a match: written from a fresh lookup the first time its
 * value is listed, copied from the earlier match's after that. */
static int put_result(fidx__worker_t *w, size_t value, fidx__sbuf_t *out)
{
    value_state_t *st = &w->scan_ws->v[value];
    if (st->state == VALUE_JUDGED) { /* reserved first: growing moves the bytes copied */
        if (fidx__sbuf_reserve(out, st->json_len) != 0)
            return FIDX_ENOMEM;
        memcpy(out->p + out->len, out->p + st->json_at, st->json_len);
        out->len += st->json_len;
        return 1;
    }
    if (st->state == VALUE_UNREADABLE || judge(w, value)->state != VALUE_JUDGED)
        return 0;
    if (fidx__sbuf_reserve(out, FIDX_CHECK_JSON_MAX) != 0)
        return FIDX_ENOMEM;
    size_t n = fidx_result_json_members(&w->result, out->p + out->len, out->cap - out->len);
    st->json_at = (uint32_t)out->len;
    st->json_len = (uint32_t)n;
    out->len += n;
    return 1;
}

/* Appends one match: where it is, what it reads as, and its lookup result. 1 when written, 0
 * when its value could not be looked up (nothing written), FIDX_ENOMEM. */
static int put_match(fidx__worker_t *w, const char *text, const fidx_scan_match_t *m,
                     fidx__sbuf_t *out)
{
    size_t mark = out->len;
    fidx__sbuf_puts(out, "{\"text\":");
    fidx__sbuf_json_string(out, text + m->start, m->end - m->start);
    fidx__sbuf_printf(out, ",\"start\":%zu,\"end\":%zu,", m->start, m->end);
    int r = put_result(w, m->value, out);
    if (r <= 0)
        out->len = mark;
    else
        fidx__sbuf_puts(out, "}");
    return r;
}

static int put_matches(fidx__worker_t *w, const char *text, fidx__sbuf_t *out)
{
    const fidx_scan_result_t *res = &w->scan_ws->res;
    int n = 0;
    for (size_t i = 0; i < res->n; i++) {
        size_t mark = out->len;
        if (n)
            fidx__sbuf_put(out, ",", 1);
        int r = put_match(w, text, &res->m[i], out);
        if (r < 0)
            return r;
        if (r == 0)
            out->len = mark;
        n += r;
    }
    return 0;
}

static const char *post_verdict(const struct fidx__scan_ws *ws)
{
    return ws->scam ? "block" : ws->suspicious ? "review" : "allow";
}

/* Scans text into the worker's workspace (made on the first scan). */
static int scan_text(fidx__worker_t *w, const char *text, size_t len)
{
    fidx_err_t err = {0};
    if (!w->scan_ws && !(w->scan_ws = malloc(sizeof *w->scan_ws)))
        return FIDX_ENOMEM;
    return fidx_scan(w->svc->scanner, text, len, &w->scan_ws->res, &err);
}

const fidx_scan_result_t *fidx__scan_found(fidx__worker_t *w, const char *text, size_t len, int *rc)
{
    *rc = scan_text(w, text, len);
    return *rc ? NULL : &w->scan_ws->res;
}

static void answer(fidx__worker_t *w, const char *text, size_t len, fidx__resp_t *resp)
{
    int rc = scan_text(w, text, len);
    if (rc == FIDX_ENOMEM) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    struct fidx__scan_ws *ws = w->scan_ws;
    if (rc != 0) {
        fidx__resp_error(resp, 413, "too_large",
                         rc == FIDX_ETOOBIG ? "text is longer than 64 KiB"
                                            : "text holds more indicators than a scan can judge");
        return;
    }
    memset(ws->v, 0, ws->res.nvalues * sizeof ws->v[0]);
    ws->scam = ws->suspicious = 0;
    ws->n_related = 0;
    fidx__sbuf_t *out = resp->body;
    fidx__sbuf_puts(out, "{\"matches\":[");
    if (put_matches(w, text, out) != 0) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    /* The values no listed match showed: they judge the post all the same. */
    for (size_t i = 0; i < ws->res.nvalues; i++)
        if (ws->v[i].state == VALUE_NEW)
            (void)judge(w, i);
    fidx__sbuf_printf(out, "],\"truncated\":%s,\"verdict\":\"%s\"",
                      ws->res.truncated ? "true" : "false", post_verdict(ws));
    fidx__related_ids(w, ws->related, ws->n_related, out); /* "warnings" when some concern it */
    fidx__sbuf_puts(out, "}");
}

void fidx__route_scan(const fidx__req_t *req, fidx__resp_t *resp)
{
    json_t *root = fidx__json_body(req, resp, 0, 1);
    if (!root)
        return;
    json_t *text = json_is_object(root) ? json_object_get(root, "text") : NULL;
    if (!text || !json_is_string(text))
        fidx__resp_error(resp, 400, "bad_request", "the body must be {\"text\":\"...\"}");
    else if (json_string_length(text) > FIDX_SCAN_MAX_TEXT)
        fidx__resp_error(resp, 413, "too_large", "text is longer than 64 KiB");
    else
        answer(req->w, json_string_value(text), json_string_length(text), resp);
    json_decref(root);
}
