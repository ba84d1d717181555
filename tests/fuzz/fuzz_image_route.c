/* Fuzz target for POST /v1/image's whole path but Tesseract (libFuzzer; replayed by ctest, see
 * docs/FUZZING.md), on a real service's worker (service_fixture.h): the checks the worker
 * makes before the pool (routes/image.c, fidx__image_precheck: probe and end marker), what a
 * pool thread then runs (fidx__image_read: decoding and QR codes; the image OCR would be given,
 * fidx__ocr_fit), and the answer built back on the worker (fidx__image_answer: each code
 * checked as a value, the text scanned). Tesseract itself is too slow to fuzz: the recognised
 * text is the input's own bytes instead.
 *
 * Input: byte 0 even: the rest is the uploaded file, read as the route reads it (its QR codes
 * answered). Byte 0 odd: the rest is what the readers could hand back, the recognised text,
 * and up to 16 of its lines as QR codes' texts (payload parsing, checking and the JSON of
 * anything a code may hold).
 *
 * Properties:
 * - the precheck refuses only with 400 invalid_image or 413 too_large, a JSON error; a file it
 *   passes probes fine, and one it refuses as too large the reader refuses as too large;
 * - the reader answers 0, FIDX_EINVAL or FIDX_ETOOBIG, with a reason on failure, and never
 *   decodes what the precheck refused as too large;
 * - the answer is 200 with JSON of the documented members: one code per QR text (each a result
 *   whose query is that text, or an error), the image's verdict block exactly when a code is
 *   a scam or the scan says block, review when neither and something is suspicious; the scan's
 *   matches lie inside the text, quoting their own slices;
 * - a code that is a VietQR payload carries source and qr exactly when fidx_emvco_parse reads
 *   it with an account. */
#include <jansson.h>
#include <string.h>

#include "fidx/emvco.h"
#include "fidx/lookup.h"
#include "fuzz_common.h"
#include "image/image_probe.h"
#include "routes/image.h"
#include "service_fixture.h"

static json_t *answer_json(const fidx__resp_t *resp)
{
    json_error_t e;
    json_t *root = json_loadb(resp->body->p, resp->body->len, JSON_ALLOW_NUL, &e);
    FUZZ_CHECK(root && json_is_object(root), "the answer is not a JSON object");
    return root;
}

static void check_error(const fidx__resp_t *resp, int status, const char *code)
{
    json_t *root = answer_json(resp);
    json_t *err = json_object_get(root, "error");
    FUZZ_CHECK(resp->status == status && err &&
                   strcmp(json_string_value(json_object_get(err, "code")), code) == 0 &&
                   json_string_length(json_object_get(err, "message")) > 0,
               "an error answer is not the documented one");
    json_decref(root);
}

/* One code's answer against what checking its text says. 2 scam, 1 suspicious, else 0. */
static int check_code(json_t *c, fidx_str_t text)
{
    FUZZ_CHECK(json_is_object(c), "a code is not an object");
    json_t *q = json_object_get(c, "query");
    FUZZ_CHECK(json_is_string(q) && json_string_length(q) >= (text.len ? 1 : 0),
               "a code does not quote its text");
    fidx_emvco_t qr;
    int payload = fidx_check_is_payload(text.p, text.len) &&
                  fidx_emvco_parse(text.p, text.len, &qr, NULL) == 0 && qr.canonical_len;
    if (json_object_get(c, "error")) {
        FUZZ_CHECK(!payload, "a readable VietQR payload answered an error");
        return 0;
    }
    FUZZ_CHECK((json_object_get(c, "source") != NULL) == payload &&
                   (json_object_get(c, "qr") != NULL) == payload,
               "source and qr do not say whether the code is a payload");
    const char *v = json_string_value(json_object_get(c, "verdict"));
    FUZZ_CHECK(v != NULL, "a code without a verdict");
    return strcmp(v, "scam") == 0 ? 2 : strcmp(v, "suspicious") == 0;
}

static void check_scan(json_t *scan, const char *text, size_t len)
{
    json_t *matches = json_object_get(scan, "matches"), *m;
    size_t i, last = 0;
    FUZZ_CHECK(json_is_array(matches), "scan without matches");
    json_array_foreach(matches, i, m)
    {
        json_int_t s = json_integer_value(json_object_get(m, "start"));
        json_int_t e = json_integer_value(json_object_get(m, "end"));
        FUZZ_CHECK(s >= (json_int_t)last && e > s && (size_t)e <= len,
                   "a match outside the text, out of order or overlapping");
        last = (size_t)e;
    }
    (void)text;
}

static void check_answer(const fidx__resp_t *resp, const fidx__image_outcome_t *o)
{
    FUZZ_CHECK(resp->status == 200, "a read image was not answered 200");
    json_t *root = answer_json(resp);
    json_t *codes = json_object_get(root, "codes"), *scan = json_object_get(root, "scan");
    const char *verdict = json_string_value(json_object_get(root, "verdict"));
    const char *scan_verdict = json_string_value(json_object_get(scan, "verdict"));
    FUZZ_CHECK(json_is_array(codes) && json_array_size(codes) == o->res.qr.count && verdict &&
                   scan_verdict && json_is_string(json_object_get(root, "text")) &&
                   json_object_get(root, "image") && json_object_get(root, "ocr"),
               "the answer lacks a documented member");
    int worst = strcmp(scan_verdict, "block") == 0 ? 2 : strcmp(scan_verdict, "review") == 0;
    for (size_t i = 0; i < o->res.qr.count; i++) {
        int c = check_code(json_array_get(codes, i), o->res.qr.codes[i]);
        worst = c > worst ? c : worst;
    }
    const char *want = worst == 2 ? "block" : worst == 1 ? "review" : "allow";
    FUZZ_CHECK(strcmp(verdict, want) == 0, "the image's verdict is not the worst of its parts");
    const fidx__ocr_text_t *t = &o->res.ocr;
    check_scan(scan, t->text, t->text ? t->len : 0);
    json_decref(root);
}

static void answer(fidx__worker_t *w, const fidx__image_outcome_t *o)
{
    fidx__resp_t resp;
    fidx__sbuf_reset(&w->scratch, 1024 * 1024);
    fidx__resp_init(&resp, &w->scratch);
    fidx__image_answer(w, o, &resp);
    check_answer(&resp, o);
}

/* The upload as the route and a pool thread read it. */
static void read_file(fidx__worker_t *w, const uint8_t *p, size_t len)
{
    fidx__resp_t resp;
    fidx__sbuf_reset(&w->scratch, 1024 * 1024);
    fidx__resp_init(&resp, &w->scratch);
    int pre = fidx__image_precheck(p, len, &resp);
    fidx__image_info_t info;
    int probe = fidx__image_probe(p, len, &info, NULL);
    if (pre != 0) {
        FUZZ_CHECK(resp.status == 400 || resp.status == 413, "the precheck's status");
        check_error(&resp, resp.status, resp.status == 413 ? "too_large" : "invalid_image");
    }
    FUZZ_CHECK(pre != 0 || probe == 0, "the precheck passed a file the probe refuses");
    FUZZ_CHECK((resp.status == 413) == (probe == FIDX_ETOOBIG) || pre == 0,
               "413 is not exactly what the probe finds too large");
    fidx__image_outcome_t o = {0};
    o.rc = fidx__image_read(p, len, FIDX__IMAGE_READ_QR, NULL, 0, &o.res, &o.err);
    FUZZ_CHECK(o.rc == 0 || ((o.rc == FIDX_EINVAL || o.rc == FIDX_ETOOBIG) && o.err.reason),
               "the reader failed without a documented code and reason");
    FUZZ_CHECK(probe != FIDX_ETOOBIG || o.rc == FIDX_ETOOBIG, "a too large image was read");
    if (o.rc == 0) {
        o.ocr_off = 1;
        answer(w, &o);
    }
    fidx__image_result_dispose(&o.res);
}

/* What the readers could hand back: text and the QR codes' texts (lines of it). */
static void read_parts(fidx__worker_t *w, const uint8_t *p, size_t len)
{
    if (len > FIDX__OCR_MAX_TEXT)
        len = FIDX__OCR_MAX_TEXT;
    fidx__image_outcome_t o = {0};
    o.res.info = (fidx__image_info_t){FIDX__IMAGE_PNG, 1, 1};
    o.res.ocr.text = fuzz_dup(p, len);
    o.res.ocr.len = len;
    o.res.qr.buf = NULL;
    const char *t = o.res.ocr.text;
    for (size_t i = 0; i < len && o.res.qr.count < FIDX__IMAGE_MAX_QR;) {
        const char *nl = memchr(t + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - t) : len;
        o.res.qr.codes[o.res.qr.count++] = fidx_str(t + i, e - i);
        i = e + 1;
    }
    answer(w, &o);
    free(o.res.ocr.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fidx__worker_t *w = fuzz_service()->w;
    if (data[0] % 2 == 0)
        read_file(w, data + 1, size - 1);
    else
        read_parts(w, data + 1, size - 1);
    return 0;
}
