/* POST /v1/scan: {"text":"…"} → every indicator found in a post, each checked like GET
 * /v1/check, and the post's verdict: block when any match is a scam, review when any is
 * suspicious, allow otherwise (an allowlisted match never raises it). Offsets are bytes into
 * the text as sent (the JSON string once decoded). The scan workspace (~600 KiB) is the
 * worker's, made on its first scan and reused. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fidx/lookup.h"
#include "fidx/scan.h"
#include "http/json_body.h"
#include "routes/common.h"
#include "routes/handlers.h"

static const char *post_verdict(int any_scam, int any_suspicious)
{
    return any_scam ? "block" : any_suspicious ? "review" : "allow";
}

/* Appends one match: where it is, what it reads as, and its lookup result. */
static int put_match(fidx__worker_t *w, const char *text, const fidx_scan_match_t *m,
                     fidx__sbuf_t *out, int *scam, int *suspicious)
{
    fidx_result_t *res = &w->result;
    fidx_err_t err = {0};
    fidx__worker_online(w);
    if (fidx_check(w->snap, w->ov, m->kind, NULL, m->canonical.p, m->canonical.len, res, &err))
        return 0; /* the scanner only reports values its normalisers accept */
    fidx__metrics_lookup(&w->metrics, res->kind, res->verdict);
    *scam |= res->verdict == FIDX_VERDICT_SCAM;
    *suspicious |= res->verdict == FIDX_VERDICT_SUSPICIOUS;
    fidx__sbuf_puts(out, "{\"text\":");
    fidx__sbuf_json_string(out, text + m->start, m->end - m->start);
    fidx__sbuf_printf(out, ",\"start\":%zu,\"end\":%zu,", m->start, m->end);
    if (fidx__sbuf_reserve(out, FIDX_CHECK_JSON_MAX) != 0)
        return FIDX_ENOMEM;
    out->len += fidx_result_json_members(res, out->p + out->len, out->cap - out->len);
    fidx__sbuf_puts(out, "}");
    return 1;
}

static void answer(fidx__worker_t *w, const char *text, size_t len, fidx__resp_t *resp)
{
    fidx_err_t err = {0};
    if (!w->scan_res && !(w->scan_res = malloc(sizeof *w->scan_res))) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        return;
    }
    if (fidx_scan(w->svc->scanner, text, len, w->scan_res, &err) != 0) {
        fidx__resp_error(resp, 413, "too_large", "text is longer than 64 KiB");
        return;
    }
    fidx__sbuf_t *out = resp->body;
    int scam = 0, suspicious = 0, n = 0;
    fidx__sbuf_puts(out, "{\"matches\":[");
    for (size_t i = 0; i < w->scan_res->n; i++) {
        size_t mark = out->len;
        if (n)
            fidx__sbuf_put(out, ",", 1);
        int r = put_match(w, text, &w->scan_res->m[i], out, &scam, &suspicious);
        if (r < 0) {
            fidx__resp_error(resp, 503, "unavailable", "out of memory");
            return;
        }
        if (r == 0)
            out->len = mark;
        n += r;
    }
    fidx__sbuf_printf(out, "],\"truncated\":%s,\"verdict\":\"%s\"}",
                      w->scan_res->truncated ? "true" : "false", post_verdict(scam, suspicious));
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
