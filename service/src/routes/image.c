/* POST /v1/image: a screenshot or photo (PNG, JPEG or WebP, at most 4 MiB and 24 MP) → the QR
 * codes in it, each checked as GET /v1/check checks a value, and its text (OCR), scanned as
 * POST /v1/scan scans a post, with the image's verdict: block, review or allow.
 *
 * The worker reads only the header (image_probe) and the end marker, so a decompression bomb
 * or a file cut short is refused in microseconds; everything else runs on the image pool
 * (image_task.c), and the answer is deferred until the task comes back to this worker. A full
 * queue is a 503 with Retry-After at once. Nothing of the image is stored or logged. */
#include "routes/image.h"

#include <stdlib.h>
#include <string.h>

#include "fidx/lookup.h"
#include "image/image_probe.h"
#include "routes/common.h"
#include "routes/handlers.h"
#include "routes/scan.h"

#define RETRY_AFTER "2" /* seconds: about the time one thread takes for a few images */

/* ---- before the pool: the header and the end marker ---- */

/* Whether the marker m is in p with at least `after` bytes following it, searched backwards
 * (it sits at the very end of a file written whole, so the search usually stops at once). */
static int has_marker(const uint8_t *p, size_t len, const char *m, size_t mlen, size_t after)
{
    if (len < mlen + after)
        return 0;
    for (size_t i = len - after; i >= mlen; i--)
        if (memcmp(p + i - mlen, m, mlen) == 0)
            return 1;
    return 0;
}

/* A file cut short lacks its end: PNG's IEND chunk with its CRC, JPEG's end-of-image marker,
 * the bytes a WebP's RIFF header announces. Data after the end (some phones append their own)
 * is allowed; a marker seen by chance in a damaged file only sends it on to the decoder, which
 * refuses it. */
static int truncated(const uint8_t *p, size_t len, fidx__image_format_t format)
{
    if (format == FIDX__IMAGE_PNG)
        return !has_marker(p, len, "IEND", 4, 4);
    if (format == FIDX__IMAGE_JPEG)
        return !has_marker(p, len, "\xff\xd9", 2, 0);
    uint32_t riff = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
                    (uint32_t)p[7] << 24; /* the probe has read these 12 bytes */
    return (uint64_t)riff + 8 > len;
}

int fidx__image_precheck(const uint8_t *p, size_t len, fidx__resp_t *resp)
{
    fidx__image_info_t info;
    fidx_err_t err = {0};
    int rc = fidx__image_probe(p, len, &info, &err);
    if (rc == FIDX_ETOOBIG) {
        fidx__resp_error(resp, 413, "too_large", err.reason ? err.reason : "image too large");
        return -1;
    }
    if (rc != 0) {
        fidx__resp_error(resp, 400, "invalid_image",
                         err.reason ? err.reason : "not a PNG, JPEG or WebP image");
        return -1;
    }
    if (truncated(p, len, info.format)) {
        fidx__resp_errorf(resp, 400, "invalid_image", "the %s file is cut short (no end marker)",
                          fidx__image_format_name(info.format));
        return -1;
    }
    return 0;
}

/* ---- after the pool: the answer ---- */

static int worse(const char *a, const char *b)
{
    static const char *const order[] = {"allow", "review", "block"};
    int ia = 0, ib = 0;
    for (int i = 0; i < 3; i++) {
        ia = strcmp(a, order[i]) == 0 ? i : ia;
        ib = strcmp(b, order[i]) == 0 ? i : ib;
    }
    return ib > ia;
}

/* One QR code's text, checked as a value: its result, or {"query","error"} when it is not one
 * (a code that holds a greeting). The verdict it gives the image goes to *verdict. */
static int put_code(fidx__worker_t *w, fidx_str_t code, fidx__sbuf_t *out, const char **verdict)
{
    fidx_err_t err = {0};
    int r = fidx__check_value(w, FIDX_KIND_NONE, NULL, code.p, code.len, out, &err);
    if (r == 0) {
        fidx_verdict_t v = w->result.verdict;
        const char *mine = v == FIDX_VERDICT_SCAM         ? "block"
                           : v == FIDX_VERDICT_SUSPICIOUS ? "review"
                                                          : "allow";
        if (worse(*verdict, mine))
            *verdict = mine;
        return 0;
    }
    if (r != FIDX_EINVAL && r != FIDX_ETOOBIG && r != FIDX_EKIND)
        return r;
    if (!err.reason)
        err.reason = fidx_strerror(r);
    size_t need = 6 * code.len + 512; /* the query, escaped, and the message */
    if (fidx__sbuf_reserve(out, need) != 0)
        return FIDX_ENOMEM;
    out->len +=
        fidx_error_item_json(code.p, code.len, &err, out->p + out->len, out->cap - out->len);
    return 0;
}

static int put_codes(fidx__worker_t *w, const fidx__qr_list_t *qr, fidx__sbuf_t *out,
                     const char **verdict)
{
    fidx__sbuf_puts(out, ",\"codes\":[");
    for (size_t i = 0; i < qr->count; i++) {
        if (i)
            fidx__sbuf_put(out, ",", 1);
        int r = put_code(w, qr->codes[i], out, verdict);
        if (r)
            return r;
    }
    fidx__sbuf_printf(out, "],\"codes_dropped\":%zu", qr->dropped);
    return 0;
}

/* "text":…,"scan":{…},"ocr":{…}: the recognised text, scanned with offsets into it. */
static int put_text(fidx__worker_t *w, const fidx__image_outcome_t *o, fidx__sbuf_t *out,
                    const char **verdict)
{
    const fidx__ocr_text_t *t = &o->res.ocr;
    const char *text = t->text ? t->text : "", *scan_verdict = "allow";
    size_t len = t->text ? t->len : 0;
    fidx__sbuf_puts(out, ",\"text\":");
    fidx__sbuf_json_string(out, text, len);
    fidx__sbuf_puts(out, ",\"scan\":");
    int r = fidx__scan_json(w, text, len, out, &scan_verdict);
    if (r)
        return r == FIDX_ENOMEM ? r : FIDX_ELIMIT;
    if (worse(*verdict, scan_verdict))
        *verdict = scan_verdict;
    fidx__sbuf_printf(out, ",\"ocr\":{\"read\":%s,\"timed_out\":%s,\"truncated\":%s}",
                      o->ocr_off ? "false" : "true", t->timed_out ? "true" : "false",
                      t->truncated ? "true" : "false");
    return 0;
}

static void answer_error(const fidx__image_outcome_t *o, fidx__resp_t *resp)
{
    const char *why = o->err.reason ? o->err.reason : fidx_strerror(o->rc);
    if (o->rc == FIDX_EINVAL && !o->cancelled)
        fidx__resp_error(resp, 400, "invalid_image", why);
    else if (o->rc == FIDX_ETOOBIG)
        fidx__resp_error(resp, 413, "too_large", why);
    else {
        fidx__resp_error(resp, 503, "unavailable", why);
        resp->retry_after = RETRY_AFTER;
    }
}

void fidx__image_answer(fidx__worker_t *w, const fidx__image_outcome_t *o, fidx__resp_t *resp)
{
    if (o->rc != 0) {
        answer_error(o, resp);
        return;
    }
    const fidx__image_result_t *res = &o->res;
    const char *verdict = "allow";
    fidx__sbuf_t *out = resp->body;
    fidx__sbuf_printf(out, "{\"image\":{\"format\":\"%s\",\"width\":%u,\"height\":%u}",
                      fidx__image_format_name(res->info.format), res->info.width, res->info.height);
    int r = put_codes(w, &res->qr, out, &verdict);
    if (r == 0)
        r = put_text(w, o, out, &verdict);
    fidx__sbuf_printf(out, ",\"verdict\":\"%s\"}", verdict);
    if (r == FIDX_ELIMIT)
        fidx__resp_error(resp, 413, "too_large",
                         "the image's text holds more indicators than a scan can judge");
    else if (r != 0 || out->failed) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        resp->retry_after = RETRY_AFTER;
    }
}

/* ---- the route ---- */

static void on_read(fidx__worker_t *w, const fidx__image_outcome_t *o, void *arg)
{
    fidx__reply_t *reply = arg;
    fidx__resp_t resp;
    fidx__sbuf_reset(&w->scratch, 1024 * 1024);
    fidx__resp_init(&resp, &w->scratch);
    resp.route = FIDX__ROUTE_IMAGE;
    if (o->cancelled) /* the client is gone: this only frees */
        answer_error(o, &resp);
    else
        fidx__image_answer(w, o, &resp);
    fidx__reply_send_resp(reply, &resp);
}

void fidx__route_image(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__worker_t *w = req->w;
    if (fidx__image_precheck((const uint8_t *)req->body, req->body_len, resp) != 0)
        return;
    if (!w->svc->images) {
        fidx__resp_error(resp, 503, "unavailable",
                         "this server reads no images (--image-threads 0)");
        return;
    }
    fidx__reply_t *reply = fidx__req_defer(req, resp);
    if (!reply) {
        fidx__resp_error(resp, 503, "unavailable", "out of memory");
        resp->retry_after = RETRY_AFTER;
        return;
    }
    size_t len;
    uint8_t *bytes = (uint8_t *)fidx__req_take_body(req, &len);
    int rc = bytes ? fidx__image_task_submit(w, bytes, len, on_read, reply) : FIDX_ENOMEM;
    if (rc == 0)
        return;
    fidx__req_undefer(req, reply);
    fidx__resp_error(resp, 503, "unavailable",
                     rc == FIDX_ELIMIT   ? "too many images are waiting: try again shortly"
                     : rc == FIDX_ENOMEM ? "out of memory"
                                         : "the service is stopping");
    resp->retry_after = RETRY_AFTER;
}
